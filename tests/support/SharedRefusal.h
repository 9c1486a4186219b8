#pragma once

#include <QString>

// One refusal every client of ours meets on a server started with --max-channels 1 that already
// holds one channel: the command line (tst_clientcommands), the window watching it remotely
// (tst_remotewindow) and the window on its own engine (tst_mainwindow) must say exactly this
// (PublishRefusal::describe, client/HttpErrorText).
inline QString tooManyChannelsRefusal()
{
    return QStringLiteral("HTTP 429 too_many_channels: this server holds 1 channels and the limit is 1 "
                          "(--max-channels): 1 new channel(s) refused, nothing stored (publish to existing channels, "
                          "or raise --max-channels)");
}
