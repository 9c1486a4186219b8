#include "PinnedEventsView.h"

#include "EventDetailPane.h"
#include "EventRingModel.h"
#include "EventTableView.h"

#include <QAction>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace cdc {

PinnedEventsView::PinnedEventsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new EventRingModel(maxPins, this))
    , m_table(new EventTableView(this))
    , m_detail(new EventDetailPane(this))
{
    m_table->setModel(m_model);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *unpinAction = new QAction(tr("Unpin"), m_table);
    unpinAction->setObjectName(QStringLiteral("unpinAction"));
    connect(unpinAction, &QAction::triggered, this, [this] {
        const QModelIndex current = m_table->currentIndex();
        if (!current.isValid())
            return;
        const quint64 serial = m_model->serialAt(current.row());
        const quint64 live = m_pinnedSerialByLive.key(serial);
        unpin(live);
        Q_EMIT unpinned(live);
    });
    m_table->addAction(unpinAction);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        if (current.isValid())
            m_detail->showEvent(m_model->eventAt(current.row()));
        else
            m_detail->showNothing();
    });

    auto *hint = new QLabel(tr("Pinned rows stay here until unpinned (right-click > Unpin), whatever the live "
                               "view drops. Pin a row with Ctrl+M or right-click > Pin / unpin."),
                            this);
    hint->setWordWrap(true);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addWidget(splitter);
}

bool PinnedEventsView::pin(const LiveEvent &event, quint64 liveSerial)
{
    if (m_pinnedSerialByLive.contains(liveSerial))
        return true;
    if (count() >= maxPins)
        return false;
    m_model->append({event});
    const quint64 serial = m_model->serialAt(m_model->rowCount() - 1);
    m_model->setPinned(serial, true); // never dropped for room
    m_pinnedSerialByLive.insert(liveSerial, serial);
    Q_EMIT countChanged(count());
    return true;
}

void PinnedEventsView::unpin(quint64 liveSerial)
{
    const auto found = m_pinnedSerialByLive.constFind(liveSerial);
    if (found == m_pinnedSerialByLive.cend())
        return;
    m_model->removeSerial(found.value());
    m_pinnedSerialByLive.erase(found);
    Q_EMIT countChanged(count());
}

qsizetype PinnedEventsView::count() const
{
    return m_pinnedSerialByLive.size();
}

} // namespace cdc
