#pragma once

#include "SocketCommand.h"

namespace cdc::client {

// `cdcscope travel`: one replay of one channel, its events then its ack. The connection first
// drops its live subscription, so every event frame that follows belongs to the replay.
class TravelCommand : public SocketCommand
{
    Q_OBJECT

public:
    explicit TravelCommand(const ClientOptions &options, QObject *parent = nullptr);

private:
    void onOpened() override;
    void onFrame(const QByteArray &frame, const QJsonObject &object) override;

    bool m_travelSent = false;
};

} // namespace cdc::client
