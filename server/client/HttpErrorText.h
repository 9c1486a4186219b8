#pragma once

#include <QByteArray>
#include <QString>

namespace cdc::client {

// How every client of ours (the command line, the window watching a remote server) says an HTTP
// refusal: "HTTP 429 too_many_channels: … (publish to existing channels, or raise --max-channels)",
// the words of PublishRefusal::describe, which the window on its own engine uses too. CDC Scope
// names the error in "code" (its "error" is the status' title); athena in "error".
QString describeHttpError(int status, const QByteArray &body);

} // namespace cdc::client
