#include "SourceStatus.h"

namespace cdc {

QString sourceStateName(SourceStatus::State state)
{
    switch (state) {
    case SourceStatus::State::Connecting:
        return QStringLiteral("connecting");
    case SourceStatus::State::Streaming:
        return QStringLiteral("streaming");
    case SourceStatus::State::Reconnecting:
        return QStringLiteral("reconnecting");
    case SourceStatus::State::Standby:
        return QStringLiteral("standby");
    case SourceStatus::State::Failed:
        return QStringLiteral("failed");
    case SourceStatus::State::Stopped:
        return QStringLiteral("stopped");
    }
    return {};
}

} // namespace cdc
