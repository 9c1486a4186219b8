#pragma once

#include "ClientOptions.h"

namespace cdc::client {

// Runs one parsed client subcommand inside a QCoreApplication; returns the exit code.
int runClientCommand(const ClientOptions &options);

int runTail(const ClientOptions &options);
int runTravel(const ClientOptions &options);
int runPublish(const ClientOptions &options);
int runImport(const ClientOptions &options);
int runExport(const ClientOptions &options);

// `cdcscope <command> …` from main(): parses, prints usage errors, runs.
int runClientCommandLine(const QStringList &arguments);

// `cdcscope diff a.jsonl b.jsonl [--key F…] [--ignore F…]`: compares two captures offline.
int runDiffCommandLine(const QStringList &arguments);

} // namespace cdc::client
