#pragma once

#include "CommandLine.h"

#include <QObject>

namespace cdc {

// Runs the desktop window over an engine on its own thread. SIGINT/SIGTERM and closing the
// window end it the same way: clients get 1001, the process exits 0.
class GuiFront : public QObject
{
    Q_OBJECT

public:
    explicit GuiFront(AppOptions options, QObject *parent = nullptr);

    // Returns the process exit code.
    int run();

private:
    AppOptions m_options;
};

} // namespace cdc
