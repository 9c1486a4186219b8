# One INTERFACE target carries the language standard, the warnings and the Qt safety defines.
# Every target of the project links it, so the rules are stated once.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_AUTOMOC ON)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

option(CDCSCOPE_WARNINGS_AS_ERRORS "Treat compiler warnings as errors (CI turns this on)" OFF)

add_library(cdcscope_common INTERFACE)
target_compile_features(cdcscope_common INTERFACE cxx_std_20)
target_compile_definitions(cdcscope_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    CDCSCOPE_VERSION="${PROJECT_VERSION}")
target_compile_options(cdcscope_common INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    # A precompiled header the compiler cannot use is silently parsed again; say so instead.
    -Winvalid-pch
    $<$<BOOL:${CDCSCOPE_WARNINGS_AS_ERRORS}>:-Werror>)
