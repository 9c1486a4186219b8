#pragma once

#include <QLoggingCategory>

// Info and above are on by default; QT_LOGGING_RULES="cdcscope.*.debug=true" adds the detail.
Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcIngest)
