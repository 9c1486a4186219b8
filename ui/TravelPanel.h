#pragma once

#include "store/TravelQuery.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace cdc {

// The replay form: channel (or all), since seq, since time (local time shown, ms sent), limit.
// It asks; the window runs the very query a WebSocket travel runs.
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

    QComboBox *channelBox() const { return m_channel; }
    QLineEdit *sinceSeqEdit() const { return m_sinceSeq; }
    QCheckBox *sinceTimeToggle() const { return m_useSinceTime; }
    QDateTimeEdit *sinceTimeEdit() const { return m_sinceTime; }
    QSpinBox *limitBox() const { return m_limit; }

public Q_SLOTS:
    void requestReplay();

Q_SIGNALS:
    void replayRequested(const QStringList &channels, const cdc::TravelWindow &window);

private:
    QComboBox *m_channel;
    QLineEdit *m_sinceSeq;
    QCheckBox *m_useSinceTime;
    QDateTimeEdit *m_sinceTime;
    QSpinBox *m_limit;
    QPushButton *m_replay;
};

} // namespace cdc
