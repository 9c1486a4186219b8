#pragma once

#include <QByteArrayView>

// Qt's warnings that an object was used from a thread other than its own (a socket notifier
// toggled, a timer started, a child created, an object moved, from another thread). Each is a bug
// in the engine's thread ownership (docs/architecture.md), never noise: the suites fail on them.

// The first such warning in `log` (a server's stderr), or an empty view.
QByteArrayView crossThreadWarning(QByteArrayView log);
