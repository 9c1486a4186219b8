#pragma once

#include "protocol/PublishRequest.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;

namespace cdc {

// Sends one event into a channel from a JSON editor. The payload is validated as you type; the
// Publish button stays disabled until it is valid JSON and a channel is named.
class PublishDialog : public QDialog
{
    Q_OBJECT

public:
    explicit PublishDialog(const QStringList &knownChannels, QWidget *parent = nullptr);

    // Republish: the form starts from an event seen, to send as is or edited.
    void prefill(const QString &channel, const QByteArray &payload);

    // The event as the form stands; empty payload when it is not valid.
    NewEvent event() const;
    bool isValid() const;

    QComboBox *channelBox() const { return m_channel; }
    QPlainTextEdit *editor() const { return m_editor; }
    QLabel *status() const { return m_status; }
    QDialogButtonBox *buttons() const { return m_buttons; }

protected:
    // Ctrl+Enter in the editor publishes (the editor takes the key before any shortcut would).
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void validate();

    QComboBox *m_channel;
    QPlainTextEdit *m_editor;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QByteArray m_payload;
};

} // namespace cdc
