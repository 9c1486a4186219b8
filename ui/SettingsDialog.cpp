#include "SettingsDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace cdc {

namespace {

QSpinBox *spin(QWidget *parent, int minimum, int maximum, qint64 value, const QString &suffix = {})
{
    auto *box = new QSpinBox(parent);
    box->setRange(minimum, maximum);
    box->setValue(int(std::clamp<qint64>(value, minimum, maximum)));
    box->setSuffix(suffix);
    box->setGroupSeparatorShown(true);
    return box;
}

constexpr qint64 mib = 1024 * 1024;

} // namespace

SettingsDialog::SettingsDialog(const ServerConfig &config, qsizetype liveViewRows, QWidget *parent)
    : QDialog(parent)
    , m_base(config)
    , m_port(spin(this, 0, 65535, config.port))
    , m_bind(new QLineEdit(config.bindAddress.toString(), this))
    , m_retainEvents(spin(this, 1, 100'000'000, config.retention.maxEventsPerChannel))
    , m_retainMiB(spin(this, 1, 1'000'000, config.retention.maxTotalBytes / mib, tr(" MiB")))
    , m_maxQueuedMiB(spin(this, 1, 4096, config.maxQueuedBytesPerClient / mib, tr(" MiB")))
    , m_maxBodyMiB(spin(this, 1, 4096, config.maxBodyBytes / mib, tr(" MiB")))
    , m_liveRows(spin(this, 100, 10'000'000, liveViewRows))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Settings"));
    m_port->setGroupSeparatorShown(false);
    m_port->setSpecialValueText(tr("any free port"));
    m_problem->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Apply and restart server"));

    auto *form = new QFormLayout(this);
    form->addRow(tr("Port"), m_port);
    form->addRow(tr("Bind address"), m_bind);
    form->addRow(tr("Events kept per channel"), m_retainEvents);
    form->addRow(tr("Bytes kept in all"), m_retainMiB);
    form->addRow(tr("Slow-consumer bound per client"), m_maxQueuedMiB);
    form->addRow(tr("Largest publish body"), m_maxBodyMiB);
    form->addRow(tr("Rows in the live events view"), m_liveRows);
    form->addRow(new QLabel(tr("Applying restarts the server: connected clients are closed with 1001 and "
                               "reconnect; retained events stay."),
                            this));
    form->addRow(m_problem);
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_bind, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    validate();
}

void SettingsDialog::validate()
{
    const bool valid = !QHostAddress(m_bind->text().trimmed()).isNull();
    m_problem->setText(valid ? QString() : tr("The bind address must be an IP address, such as 127.0.0.1"));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid);
}

ServerConfig SettingsDialog::config() const
{
    ServerConfig config = m_base;
    config.port = quint16(m_port->value());
    config.bindAddress = QHostAddress(m_bind->text().trimmed());
    config.retention.maxEventsPerChannel = m_retainEvents->value();
    config.retention.maxTotalBytes = m_retainMiB->value() * mib;
    config.maxQueuedBytesPerClient = m_maxQueuedMiB->value() * mib;
    config.maxBodyBytes = m_maxBodyMiB->value() * mib;
    return config;
}

qsizetype SettingsDialog::liveViewRows() const
{
    return m_liveRows->value();
}

} // namespace cdc
