// The translation unit that builds the GUI suites' precompiled headers (tests/CMakeLists.txt).
