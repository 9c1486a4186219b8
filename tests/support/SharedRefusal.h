#pragma once

#include <QString>

// One refusal both of our clients meet on a server started with --max-channels 1 that already holds
// one channel: the command line (tst_clientcommands) and the window (tst_remotewindow) must say
// exactly this about it (server/client/HttpErrorText).
inline QString tooManyChannelsRefusal()
{
    return QStringLiteral("HTTP 429 too_many_channels: this server holds 1 channels and the limit is 1 "
                          "(--max-channels): 1 new channel(s) refused, nothing stored (publish to existing channels, "
                          "or raise --max-channels)");
}
