#pragma once

#include "CdcServer.h"

#include <QTcpSocket>

#include <memory>

// A real engine on an OS-chosen loopback port.
std::unique_ptr<cdc::CdcServer> startTestServer(cdc::ServerConfig config = {});

// A WebSocket upgraded by hand on a plain TCP socket: for peers that misbehave on purpose
// (never read, never answer pings). Null if the upgrade failed.
std::unique_ptr<QTcpSocket> rawWebSocket(quint16 port, const QByteArray &clientName);

// A client-to-server frame as RFC 6455 wants it, masked with a fixed key. `firstByte` is FIN, RSV
// and the opcode (0x81: a final text frame); `declaredLength` can claim another length than the
// payload's.
QByteArray maskedClientFrame(quint8 firstByte, QByteArrayView payload, quint64 declaredLength = quint64(-1));

// permessage-deflate as a client does it (RFC 7692 section 7.2): a message compressed with raw
// DEFLATE and a sync flush, the 4-byte tail left off; and a compressed payload inflated with the
// tail put back, by an inflater of `windowBits`.
QByteArray clientDeflate(QByteArrayView message, int windowBits = 15);
QByteArray clientInflate(QByteArrayView compressed, int windowBits = 15);

// Parses server-to-client frames (unmasked) from `buffer`, consuming them: (opcode, payload).
QList<QPair<int, QByteArray>> takeWebSocketFrames(QByteArray &buffer);
