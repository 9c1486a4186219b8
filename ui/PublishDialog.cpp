#include "PublishDialog.h"

#include "protocol/ClientMessage.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
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
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &PublishDialog::validate);
    connect(m_channel, &QComboBox::currentTextChanged, this, &PublishDialog::validate);
    resize(520, 360);
    validate();
}

void PublishDialog::validate()
{
    m_payload.clear();
    const QByteArray text = m_editor->toPlainText().toUtf8();
    // Any JSON value is a payload: parse it inside an array so scalars count too, and report the
    // offset in the text the user typed.
    QJsonParseError error;
    const QJsonDocument wrapped = QJsonDocument::fromJson('[' + text + ']', &error);
    QString problem;
    if (error.error != QJsonParseError::NoError)
        problem = tr("Not valid JSON: %1 at character %2").arg(error.errorString()).arg(std::max(0, error.offset - 1));
    else if (wrapped.array().size() != 1)
        problem = tr("Enter exactly one JSON value");
    else if (normalizedChannel(m_channel->currentText()).isEmpty())
        problem = tr("Name a channel");
    else if (normalizedChannel(m_channel->currentText()).size() > maxChannelNameLength)
        problem = tr("The channel name is longer than %1 characters").arg(maxChannelNameLength);
    else
        m_payload = compactJson(wrapped.array().at(0));

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
