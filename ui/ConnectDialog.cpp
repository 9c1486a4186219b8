#include "ConnectDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace cdc {

ConnectDialog::ConnectDialog(const QList<RemoteProfile> &saved, QWidget *parent)
    : QDialog(parent)
    , m_savedProfiles(saved)
    , m_saved(new QComboBox(this))
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_client(new QLineEdit(QStringLiteral("cdcscope-window"), this))
    , m_channels(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_tokenAction(new QComboBox(this))
    , m_ca(new QLineEdit(this))
    , m_followAll(new QCheckBox(tr("Also every channel the server lists (CDC Scope servers)"), this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Connect to a server"));
    m_saved->addItem(tr("New connection"));
    for (const RemoteProfile &profile : saved)
        m_saved->addItem(profile.name);
    m_url->setPlaceholderText(QStringLiteral("ws://host:4053/ws or wss://host/ws"));
    m_channels->setPlaceholderText(tr("more channels, separated by commas"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("kept in the system keychain"));
    m_tokenAction->addItems({tr("Keep the stored token"), tr("Forget the stored token")});
    m_ca->setPlaceholderText(tr("PEM file, for a server whose certificate a private CA signed"));
    m_followAll->setChecked(true);
    m_problem->setWordWrap(true);
    m_problem->setObjectName(QStringLiteral("connectProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));

    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("CA certificate"), QString(),
                                                          tr("PEM certificates (*.pem *.crt);;All files (*)"));
        if (!path.isEmpty())
            m_ca->setText(path);
    });
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_ca);
    caRow->addWidget(browse);

    auto *form = new QFormLayout;
    form->addRow(tr("Saved:"), m_saved);
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("URL:"), m_url);
    form->addRow(tr("Client name:"), m_client);
    form->addRow(tr("Channels:"), m_channels);
    form->addRow(QString(), m_followAll);
    form->addRow(tr("Token:"), m_token);
    form->addRow(QString(), m_tokenAction);
    form->addRow(tr("CA certificate:"), caRow);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    connect(m_saved, &QComboBox::currentIndexChanged, this, &ConnectDialog::fillFrom);
    if (!saved.isEmpty())
        m_saved->setCurrentIndex(1);
}

void ConnectDialog::fillFrom(int index)
{
    if (index <= 0 || index > m_savedProfiles.size())
        return;
    const RemoteProfile &profile = m_savedProfiles[index - 1];
    m_name->setText(profile.name);
    m_url->setText(profile.url);
    m_client->setText(profile.clientName);
    m_channels->setText(profile.channels.join(QStringLiteral(", ")));
    m_ca->setText(profile.caFile);
    m_followAll->setChecked(profile.followAllChannels);
    m_token->clear();
    m_tokenAction->setCurrentIndex(0);
}

RemoteProfile ConnectDialog::profile() const
{
    RemoteProfile profile;
    profile.url = m_url->text().trimmed();
    profile.name = m_name->text().trimmed().isEmpty() ? profile.url : m_name->text().trimmed();
    profile.clientName = m_client->text().trimmed();
    for (const QString &channel : m_channels->text().split(u',', Qt::SkipEmptyParts))
        if (!channel.trimmed().isEmpty())
            profile.channels.append(channel.trimmed());
    profile.caFile = m_ca->text().trimmed();
    profile.followAllChannels = m_followAll->isChecked();
    profile.token = m_token->text().toUtf8();
    return profile;
}

bool ConnectDialog::forgetToken() const
{
    return m_token->text().isEmpty() && m_tokenAction->currentIndex() == 1;
}

void ConnectDialog::accept()
{
    auto resolved = resolveProfile(profile());
    if (const auto *error = std::get_if<QString>(&resolved)) {
        m_problem->setText(*error);
        return;
    }
    QDialog::accept();
}

} // namespace cdc
