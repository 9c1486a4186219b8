#pragma once

#include <QMetaType>
#include <QString>

namespace cdc {

// Something the server did to a client that its operator should read about, beyond the log: the
// window's Notices dock lists them (Wireshark's Expert information).
struct ServerNotice
{
    enum class Kind {
        SlowConsumerCut,    // a client closed for what it left queued (--max-queued-bytes)
        ConnectionRefused,  // a connection refused at accept (--max-connections, per address)
    };
    Kind kind = Kind::SlowConsumerCut;
    qint64 atMs = 0;
    QString subject; // the client ("orders-ui #12 from 10.0.0.4:5123") or the peer address
    QString text;    // what happened and why, in a sentence
};

} // namespace cdc

Q_DECLARE_METATYPE(cdc::ServerNotice)
