#pragma once

#include "CommandLine.h"

#include <QObject>

#include <memory>

namespace cdc {

class CdcServer;
class NdjsonIngest;

// Runs the engine without a window: starts it, feeds it stdin if asked, and shuts it down
// cleanly on SIGINT/SIGTERM (clients get 1001, the process exits 0).
class HeadlessFront : public QObject
{
    Q_OBJECT

public:
    explicit HeadlessFront(AppOptions options, QObject *parent = nullptr);
    ~HeadlessFront() override;

    // Returns the process exit code.
    int run();

private:
    void shutDown();
    int exportAndExit();

    AppOptions m_options;
    std::unique_ptr<CdcServer> m_server;
    std::unique_ptr<NdjsonIngest> m_ingest;
    bool m_shuttingDown = false;
};

} // namespace cdc
