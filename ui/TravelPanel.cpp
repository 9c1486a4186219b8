#include "TravelPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>

namespace cdc {

namespace {

const QString timeFormat = QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz");

// "2026-12-07 05:09:23.5", "2026-12-07T05:09", "…Z": the instant in `spec`, exactly as typed.
std::optional<QDateTime> readTime(const QString &text, Qt::TimeSpec spec)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*(\\d{4})-(\\d{2})-(\\d{2})[ T](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,3}))?)?\\s*$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const QDate date(match.captured(1).toInt(), match.captured(2).toInt(), match.captured(3).toInt());
    // A fraction is read as a fraction: ".5" is 500 ms, never 5.
    const int ms = match.captured(7).isEmpty() ? 0 : match.captured(7).leftJustified(3, u'0').toInt();
    const QTime time(match.captured(4).toInt(), match.captured(5).toInt(), match.captured(6).toInt(), ms);
    const QDateTime instant(date, time, spec);
    if (!date.isValid() || !time.isValid() || !instant.isValid())
        return std::nullopt;
    return instant;
}

} // namespace

TravelPanel::TravelPanel(QWidget *parent)
    : QWidget(parent)
    , m_channel(new QComboBox(this))
    , m_sinceSeq(new QLineEdit(this))
    , m_useSinceTime(new QCheckBox(this))
    , m_sinceTime(new QLineEdit(QDateTime::currentDateTime().addSecs(-3600).toString(timeFormat), this))
    , m_zone(new QLabel(this))
    , m_limit(new QSpinBox(this))
    , m_replay(new QPushButton(tr("Replay"), this))
{
    m_channel->setEditable(true);
    m_channel->addItem(tr("All channels"), QString());
    m_channel->setInsertPolicy(QComboBox::NoInsert);
    m_sinceSeq->setPlaceholderText(tr("any (newest events)"));
    m_sinceSeq->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{0,15}")), this));
    // One field, read exactly as typed (a sectioned date-time editor turned ".000" typed after
    // "39" into 39.390 and took seven Tabs to leave), with its zone said beside it.
    m_sinceTime->setPlaceholderText(tr("yyyy-mm-dd hh:mm:ss.mmm"));
    m_sinceTime->setEnabled(false);
    m_zone->setObjectName(QStringLiteral("sinceTimeZone"));
    m_zone->setEnabled(false);
    showTimesInUtc(false);
    connect(m_useSinceTime, &QCheckBox::toggled, m_sinceTime, &QWidget::setEnabled);
    connect(m_useSinceTime, &QCheckBox::toggled, m_zone, &QWidget::setEnabled);
    connect(m_sinceTime, &QLineEdit::textChanged, this, [this] { m_sinceTime->setStyleSheet(QString()); });
    m_limit->setRange(1, 50'000);
    m_limit->setValue(10'000);
    m_replay->setToolTip(tr("Replay (Ctrl+R)"));
    m_replay->setObjectName(QStringLiteral("replayButton"));

    // The time whole (23 characters) with its zone under it: side by side, a narrow dock cut both.
    m_sinceTime->setMinimumWidth(m_sinceTime->fontMetrics().horizontalAdvance(QStringLiteral("2026-12-07 05:09:23.500")) + 16);
    auto *sinceTime = new QHBoxLayout;
    sinceTime->addWidget(m_useSinceTime);
    sinceTime->addWidget(m_sinceTime, 1);
    auto *form = new QFormLayout(this);
    form->addRow(tr("Channel"), m_channel);
    form->addRow(tr("Since seq (exclusive)"), m_sinceSeq);
    form->addRow(tr("Since time (inclusive)"), sinceTime);
    form->addRow(QString(), m_zone);
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

std::optional<qint64> TravelPanel::sinceTimeMs() const
{
    if (const auto instant = readTime(m_sinceTime->text(), m_utc ? Qt::UTC : Qt::LocalTime))
        return instant->toMSecsSinceEpoch();
    return std::nullopt;
}

void TravelPanel::showTimesInUtc(bool utc)
{
    const std::optional<qint64> typed = sinceTimeMs();
    m_utc = utc;
    if (typed) {
        const QDateTime instant = QDateTime::fromMSecsSinceEpoch(*typed, Qt::UTC);
        m_sinceTime->setText((utc ? instant : instant.toLocalTime()).toString(timeFormat));
    }
    const int offset = QDateTime::currentDateTime().offsetFromUtc();
    m_zone->setText(utc ? tr("UTC")
                        : tr("local, UTC%1%2:%3")
                              .arg(offset < 0 ? QStringLiteral("−") : QStringLiteral("+"))
                              .arg(std::abs(offset) / 3600, 2, 10, QChar(u'0'))
                              .arg(std::abs(offset) % 3600 / 60, 2, 10, QChar(u'0')));
}

TravelWindow TravelPanel::window() const
{
    TravelWindow window;
    if (!m_sinceSeq->text().isEmpty())
        window.sinceSeq = m_sinceSeq->text().toLongLong();
    if (m_useSinceTime->isChecked())
        window.sinceTsMs = sinceTimeMs();
    window.limit = m_limit->value();
    return window;
}

void TravelPanel::requestReplay()
{
    if (m_useSinceTime->isChecked() && !sinceTimeMs()) {
        m_sinceTime->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #d93025; }"));
        Q_EMIT refused(tr("Since time \"%1\" is not a time: type it as 2026-12-07 05:09:23.000 (%2)")
                           .arg(m_sinceTime->text(), m_zone->text()));
        return;
    }
    Q_EMIT replayRequested(channels(), window());
}

} // namespace cdc
