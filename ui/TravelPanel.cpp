#include "TravelPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>

namespace cdc {

TravelPanel::TravelPanel(QWidget *parent)
    : QWidget(parent)
    , m_channel(new QComboBox(this))
    , m_sinceSeq(new QLineEdit(this))
    , m_useSinceTime(new QCheckBox(this))
    , m_sinceTime(new QDateTimeEdit(QDateTime::currentDateTime().addSecs(-3600), this))
    , m_limit(new QSpinBox(this))
    , m_replay(new QPushButton(tr("Replay"), this))
{
    m_channel->setEditable(true);
    m_channel->addItem(tr("All channels"), QString());
    m_channel->setInsertPolicy(QComboBox::NoInsert);
    m_sinceSeq->setPlaceholderText(tr("any (newest events)"));
    m_sinceSeq->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{0,15}")), this));
    m_sinceTime->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    m_sinceTime->setCalendarPopup(true);
    m_sinceTime->setTimeSpec(Qt::LocalTime);
    m_sinceTime->setEnabled(false);
    connect(m_useSinceTime, &QCheckBox::toggled, m_sinceTime, &QWidget::setEnabled);
    m_limit->setRange(1, 50'000);
    m_limit->setValue(10'000);
    m_replay->setToolTip(tr("Replay (Ctrl+R)"));
    m_replay->setObjectName(QStringLiteral("replayButton"));

    auto *sinceTime = new QHBoxLayout;
    sinceTime->addWidget(m_useSinceTime);
    sinceTime->addWidget(m_sinceTime, 1);
    auto *form = new QFormLayout(this);
    form->addRow(tr("Channel"), m_channel);
    form->addRow(tr("Since seq (exclusive)"), m_sinceSeq);
    form->addRow(tr("Since time (inclusive)"), sinceTime);
    form->addRow(tr("Limit"), m_limit);
    form->addRow(m_replay);
    connect(m_replay, &QPushButton::clicked, this, &TravelPanel::requestReplay);
}

void TravelPanel::setKnownChannels(const QStringList &channels)
{
    for (const QString &channel : channels)
        if (m_channel->findData(channel) < 0)
            m_channel->addItem(channel, channel);
}

void TravelPanel::setMaxLimit(qint64 maxLimit)
{
    m_limit->setMaximum(int(std::min<qint64>(maxLimit, std::numeric_limits<int>::max())));
}

QStringList TravelPanel::channels() const
{
    // A typed name counts too, so a channel can be replayed before the list knows it.
    const QString typed = m_channel->currentText().trimmed();
    if (m_channel->currentIndex() == 0 && typed == m_channel->itemText(0))
        return {};
    return typed.isEmpty() ? QStringList{} : QStringList{typed};
}

TravelWindow TravelPanel::window() const
{
    TravelWindow window;
    if (!m_sinceSeq->text().isEmpty())
        window.sinceSeq = m_sinceSeq->text().toLongLong();
    if (m_useSinceTime->isChecked())
        window.sinceTsMs = m_sinceTime->dateTime().toMSecsSinceEpoch();
    window.limit = m_limit->value();
    return window;
}

void TravelPanel::requestReplay()
{
    Q_EMIT replayRequested(channels(), window());
}

} // namespace cdc
