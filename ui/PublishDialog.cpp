#include "PublishDialog.h"

#include "protocol/ClientMessage.h"
#include "protocol/JsonText.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>

namespace cdc {

PublishDialog::PublishDialog(const QStringList &knownChannels, QWidget *parent)
    : QDialog(parent)
    , m_channel(new QComboBox(this))
    , m_editor(new QPlainTextEdit(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Publish an event"));
    m_channel->setEditable(true);
    m_channel->addItems(knownChannels);
    m_channel->setCurrentText(knownChannels.value(0));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlainText(
        QStringLiteral("{\n  \"op\": \"insert\",\n  \"table\": \"users\",\n  \"new\": {\"id\": 1}\n}"));
    m_status->setWordWrap(true);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Publish"));

    auto *form = new QFormLayout(this);
    form->addRow(tr("Channel (organization_id)"), m_channel);
    form->addRow(tr("Payload (data), any JSON"), m_editor);
    form->addRow(m_status);
    form->addRow(m_buttons);
    // Tab moves on (a JSON payload needs no tab characters); Ctrl+Enter publishes from the editor,
    // where Enter is a new line.
    m_editor->setTabChangesFocus(true);
    m_editor->installEventFilter(this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &PublishDialog::validate);
    connect(m_channel, &QComboBox::currentTextChanged, this, &PublishDialog::validate);
    resize(520, 360);
    validate();
}

void PublishDialog::prefill(const QString &channel, const QByteArray &payload)
{
    setWindowTitle(tr("Republish an event"));
    m_channel->setCurrentText(channel);
    // The payload as it was published, compact; edits are validated like any other.
    m_editor->setPlainText(QString::fromUtf8(payload));
}

bool PublishDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_editor && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && key->modifiers() & Qt::ControlModifier) {
            if (m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
                accept();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void PublishDialog::validate()
{
    m_payload.clear();
    const QByteArray text = m_editor->toPlainText().toUtf8();
    // Any JSON value is a payload. It is stored as typed, less the whitespace between tokens,
    // through the same validation as POST /events.
    auto compact = compactJsonText(text);
    QString problem;
    if (const auto *error = std::get_if<JsonTextError>(&compact))
        problem = tr("Not valid JSON: %1").arg(error->describe());
    else if (normalizedChannel(m_channel->currentText()).isEmpty())
        problem = tr("Name a channel");
    else if (normalizedChannel(m_channel->currentText()).size() > maxChannelNameLength)
        problem = tr("The channel name is longer than %1 characters").arg(maxChannelNameLength);
    else
        m_payload = std::get<QByteArray>(std::move(compact));

    m_status->setText(problem.isEmpty() ? tr("Valid JSON, %n byte(s)", nullptr, int(m_payload.size())) : problem);
    m_status->setStyleSheet(problem.isEmpty() ? QString() : QStringLiteral("color: #c0392b"));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

bool PublishDialog::isValid() const
{
    return !m_payload.isEmpty();
}

NewEvent PublishDialog::event() const
{
    return {normalizedChannel(m_channel->currentText()), m_payload};
}

} // namespace cdc
