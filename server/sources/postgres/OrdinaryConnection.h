#pragma once

#include "PostgresConfig.h"

typedef struct pg_conn PGconn;

namespace cdc::pg {

// An ordinary (not replication) connection to the source's database, for what the stream cannot
// do: the slot's health and heartbeat, the backfills' watermarks and chunks. `options` sets its
// server settings ("-c statement_timeout=5000"): a statement there must never hold the stream for
// long. Blocking; the caller checks PQstatus() and finishes it.
PGconn *connectOrdinary(const PostgresConfig &config, const char *applicationName, const char *connectTimeout,
                        const char *options);

} // namespace cdc::pg
