#include "SettingsDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
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
    , m_pgDsn(new QLineEdit(config.postgres ? config.postgres->dsn : QString(), this))
    , m_pgSlot(new QLineEdit(config.postgres.value_or(pg::PostgresConfig{}).slot, this))
    , m_pgPublication(new QLineEdit(config.postgres.value_or(pg::PostgresConfig{}).publication, this))
    , m_pgChannelColumn(new QLineEdit(config.postgres.value_or(pg::PostgresConfig{}).routing.column, this))
    , m_pgDefaultChannel(new QLineEdit(config.postgres.value_or(pg::PostgresConfig{}).routing.defaultChannel, this))
    , m_pgPassword(new QLineEdit(this))
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

    auto *postgres = new QGroupBox(tr("PostgreSQL source (logical replication)"), this);
    auto *postgresForm = new QFormLayout(postgres);
    m_pgDsn->setPlaceholderText(tr("host=db.example dbname=app user=cdc — empty: no source"));
    m_pgPassword->setEchoMode(QLineEdit::Password);
    m_pgPassword->setPlaceholderText(tr("stored in the system keychain; empty keeps the stored one"));
    m_pgDefaultChannel->setPlaceholderText(tr("schema.table of each row"));
    postgresForm->addRow(tr("Connection (DSN)"), m_pgDsn);
    postgresForm->addRow(tr("Password"), m_pgPassword);
    postgresForm->addRow(tr("Replication slot"), m_pgSlot);
    postgresForm->addRow(tr("Publication"), m_pgPublication);
    postgresForm->addRow(tr("Channel column"), m_pgChannelColumn);
    postgresForm->addRow(tr("Channel without it"), m_pgDefaultChannel);
    form->addRow(postgres);
    form->addRow(new QLabel(tr("Applying restarts the server: connected clients are closed with 1001 and "
                               "reconnect; retained events stay."),
                            this));
    form->addRow(m_problem);
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *edit : {m_bind, m_pgDsn, m_pgSlot, m_pgPublication, m_pgChannelColumn})
        connect(edit, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    validate();
}

void SettingsDialog::validate()
{
    QString problem;
    if (QHostAddress(m_bind->text().trimmed()).isNull())
        problem = tr("The bind address must be an IP address, such as 127.0.0.1");
    else if (!m_pgDsn->text().trimmed().isEmpty()) {
        if (const auto error = pg::checkDsn(m_pgDsn->text()))
            problem = *error;
        else if (!pg::isValidSlotName(m_pgSlot->text().trimmed()))
            problem = tr("The replication slot name may use a-z, 0-9 and _ (at most 63)");
        else if (!pg::isValidSlotName(m_pgPublication->text().trimmed()))
            problem = tr("The publication name may use a-z, 0-9 and _ (at most 63)");
        else if (m_pgChannelColumn->text().trimmed().isEmpty())
            problem = tr("The channel column must not be empty");
    }
    m_problem->setText(problem);
    m_problem->setWordWrap(true);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
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
    if (m_pgDsn->text().trimmed().isEmpty()) {
        config.postgres.reset();
    } else {
        pg::PostgresConfig postgres = m_base.postgres.value_or(pg::PostgresConfig{});
        postgres.dsn = m_pgDsn->text().trimmed();
        postgres.slot = m_pgSlot->text().trimmed();
        postgres.publication = m_pgPublication->text().trimmed();
        postgres.routing.column = m_pgChannelColumn->text().trimmed();
        postgres.routing.defaultChannel = m_pgDefaultChannel->text().trimmed();
        config.postgres = postgres;
    }
    return config;
}

QString SettingsDialog::typedPostgresPassword() const
{
    return m_pgPassword->text();
}

qsizetype SettingsDialog::liveViewRows() const
{
    return m_liveRows->value();
}

} // namespace cdc
