#pragma once

#include "remote/RemoteProfile.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace cdc {

// File > Connect…: a saved connection to pick, or a new one to fill in — URL, client name,
// channels, token and CA certificate. The token field is only ever shown empty: a saved token
// stays in the keychain, and an empty field keeps it.
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectDialog(const QList<RemoteProfile> &saved, QWidget *parent = nullptr);

    // The profile as filled in; `token` is what was typed (empty: keep the stored one).
    RemoteProfile profile() const;
    bool forgetToken() const;

    QComboBox *savedList() const { return m_saved; }
    QLineEdit *nameField() const { return m_name; }
    QLineEdit *urlField() const { return m_url; }
    QLineEdit *clientField() const { return m_client; }
    QLineEdit *channelsField() const { return m_channels; }
    QLineEdit *tokenField() const { return m_token; }
    QLineEdit *caField() const { return m_ca; }
    QCheckBox *followAllBox() const { return m_followAll; }
    QLabel *problem() const { return m_problem; }

    void accept() override;

private:
    void fillFrom(int index);

    QList<RemoteProfile> m_savedProfiles;
    QComboBox *m_saved;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_client;
    QLineEdit *m_channels;
    QLineEdit *m_token;
    QComboBox *m_tokenAction;
    QLineEdit *m_ca;
    QCheckBox *m_followAll;
    QLabel *m_problem;
};

} // namespace cdc
