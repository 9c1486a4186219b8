#pragma once

#include "CommandLine.h"

#include <QProcessEnvironment>

#include <cstdio>

namespace cdc {

// Where the PostgreSQL source's password comes from, in this order (docs/postgres.md):
//   1. CDCSCOPE_PG_PASSWORD, when set: explicit, and what headless CI uses;
//   2. the system keychain entry of the DSN's target (service "cdcscope");
//   3. nothing: libpq then uses PGPASSWORD, ~/.pgpass, or a password-less method (trust, peer, cert).
// Fills `config.password` and returns a log line saying which one applied (never the password).
QString resolvePostgresPassword(pg::PostgresConfig &config, const QProcessEnvironment &environment);

// The settings dialog's password field: a typed password is stored in the keychain and used for
// this session either way; empty keeps the stored one (resolved as at start-up). Returns a warning
// for the user when the keychain could not keep it, else an empty string.
QString applyTypedPassword(pg::PostgresConfig &config, const QString &typed, const QProcessEnvironment &environment);

// --pg-set-password / --redis-set-password (read one line from `in`) and --pg-forget-password /
// --redis-forget-password. Returns the exit code.
int runPasswordAction(const AppOptions &options, std::FILE *in, std::FILE *out, std::FILE *err);

} // namespace cdc
