#pragma once

#include "store/TravelQuery.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace cdc {

// The replay form: channel (or all), since seq, since time (typed in the zone the window shows
// times in, UTC or local, and labelled with it; ms sent), limit. It asks; the window runs the very
// query a WebSocket travel runs.
class TravelPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TravelPanel(QWidget *parent = nullptr);

    void setKnownChannels(const QStringList &channels);
    void setMaxLimit(qint64 maxLimit);
    // The selected channels (empty: every channel) and window, as the form stands.
    QStringList channels() const;
    TravelWindow window() const;
    // The instant typed in "Since time", exactly ("2026-12-07 05:09:23.5" is .500), in the zone the
    // window shows; nothing when it does not read as one.
    std::optional<qint64> sinceTimeMs() const;
    // View > Times in UTC: the field reads and shows the other zone, keeping the instant typed.
    void showTimesInUtc(bool utc);

    QComboBox *channelBox() const { return m_channel; }
    QLineEdit *sinceSeqEdit() const { return m_sinceSeq; }
    QCheckBox *sinceTimeToggle() const { return m_useSinceTime; }
    QLineEdit *sinceTimeEdit() const { return m_sinceTime; }
    QLabel *sinceTimeZone() const { return m_zone; }
    QSpinBox *limitBox() const { return m_limit; }

public Q_SLOTS:
    void requestReplay();

Q_SIGNALS:
    void replayRequested(const QStringList &channels, const cdc::TravelWindow &window);
    // The form cannot be replayed as it stands (a time that does not read as one): why.
    void refused(const QString &why);

private:
    QComboBox *m_channel;
    QLineEdit *m_sinceSeq;
    QCheckBox *m_useSinceTime;
    QLineEdit *m_sinceTime;
    QLabel *m_zone;
    bool m_utc = false;
    QSpinBox *m_limit;
    QPushButton *m_replay;
};

} // namespace cdc
