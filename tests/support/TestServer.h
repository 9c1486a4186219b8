#pragma once

#include "CdcServer.h"

#include <QTcpSocket>

#include <memory>

// A real engine on an OS-chosen loopback port.
std::unique_ptr<cdc::CdcServer> startTestServer(cdc::ServerConfig config = {});

// A WebSocket upgraded by hand on a plain TCP socket: for peers that misbehave on purpose
// (never read, never answer pings). Null if the upgrade failed.
std::unique_ptr<QTcpSocket> rawWebSocket(quint16 port, const QByteArray &clientName);

// Parses server-to-client frames (unmasked) from `buffer`, consuming them: (opcode, payload).
QList<QPair<int, QByteArray>> takeWebSocketFrames(QByteArray &buffer);
