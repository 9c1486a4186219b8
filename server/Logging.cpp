#include "Logging.h"

Q_LOGGING_CATEGORY(lcServer, "cdcscope.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNet, "cdcscope.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIngest, "cdcscope.ingest", QtInfoMsg)
