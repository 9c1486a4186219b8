#pragma once

#include "ServerConfig.h"

#include <QDialog>

class QLineEdit;
class QSpinBox;
class QLabel;
class QDialogButtonBox;

namespace cdc {

// Port, bind address, retention and limits, and the live view's size. Accepting saves them to the
// config file; the window then restarts the server with them (clients get 1001).
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const ServerConfig &config, qsizetype liveViewRows, QWidget *parent = nullptr);

    // The PostgreSQL source's password is not part of config(): the window hands what was typed
    // here to the keychain (an empty field keeps the stored one).
    ServerConfig config() const;
    qsizetype liveViewRows() const;
    QString typedPostgresPassword() const;

    QSpinBox *portBox() const { return m_port; }
    QLineEdit *bindEdit() const { return m_bind; }
    QLineEdit *postgresDsnEdit() const { return m_pgDsn; }
    QLineEdit *postgresSlotEdit() const { return m_pgSlot; }
    QLineEdit *postgresPasswordEdit() const { return m_pgPassword; }
    QLabel *problemLabel() const { return m_problem; }

private:
    void validate();

    ServerConfig m_base;
    QSpinBox *m_port;
    QLineEdit *m_bind;
    QSpinBox *m_retainEvents;
    QSpinBox *m_retainMiB;
    QSpinBox *m_maxQueuedMiB;
    QSpinBox *m_maxBodyMiB;
    QSpinBox *m_liveRows;
    QLineEdit *m_pgDsn;
    QLineEdit *m_pgSlot;
    QLineEdit *m_pgPublication;
    QLineEdit *m_pgChannelColumn;
    QLineEdit *m_pgDefaultChannel;
    QLineEdit *m_pgPassword;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace cdc
