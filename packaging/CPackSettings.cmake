# CPack: a .deb and a .tar.gz on Linux, an NSIS installer on Windows, a disk image on macOS. The
# top-level CMakeLists.txt includes this file last, so every variable is set before include(CPack)
# reads them. `cpack` in the build folder (or scripts/package.sh) makes the packages.
set(CPACK_PACKAGE_NAME cdcscope)
set(CPACK_PACKAGE_VENDOR "The CDC Scope developers")
set(CPACK_PACKAGE_CONTACT "The CDC Scope developers <cdcscope@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Monitor for change-data-capture traffic with an embedded CDC WebSocket server")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "CDC Scope")
set(CPACK_PACKAGE_EXECUTABLES cdcscope "CDC Scope")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_STRIP_FILES ON)
# Per generator: which install components go in (packaging/CPackPerGenerator.cmake).
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/CPackPerGenerator.cmake")

if(WIN32)
    set(CPACK_GENERATOR NSIS ZIP)
    set(CPACK_NSIS_DISPLAY_NAME "CDC Scope")
    set(CPACK_NSIS_PACKAGE_NAME "CDC Scope ${PROJECT_VERSION}")
    set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
    set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\cdcscope.exe")
    set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
    set(CPACK_NSIS_MODIFY_PATH ON) # `cdcscope tail …` from any terminal
    set(CPACK_NSIS_EXECUTABLES_DIRECTORY bin)
elseif(APPLE)
    set(CPACK_GENERATOR DragNDrop)
    set(CPACK_DMG_VOLUME_NAME "CDC Scope")
    set(CPACK_DMG_FORMAT UDZO)
else()
    set(CPACK_GENERATOR DEB TGZ)
    set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # cdcscope_0.1.0_amd64.deb
    set(CPACK_DEBIAN_PACKAGE_SECTION net)
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
    # The long description, one string with its own line breaks (CPack indents them and puts
    # CPACK_PACKAGE_DESCRIPTION_SUMMARY before it).
    set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "\
CDC Scope speaks the CDC WebSocket protocol of athena_rs, so existing clients
work unchanged. Its window shows channels, connected clients, buffer depth and
live events, with a travel panel to replay them. The same engine runs headless
(a systemd unit is included, not enabled), takes events from POST /events,
NDJSON, PostgreSQL logical replication and recorded captures, and the cdcscope
command tails, publishes, replays, exports and imports events for CI pipelines.")
    # shlibdeps finds the libraries the binary links; what Qt and QtKeychain load at run time it
    # cannot see: the platform plugins (xcb, offscreen), the SQLite driver of the journal, and
    # libsecret for the Secret Service keychain.
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6sql6-sqlite, libsecret-1-0")
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager, qt6-wayland")
    set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-client")
    set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
        "${CMAKE_CURRENT_LIST_DIR}/debian/postinst"
        "${CMAKE_CURRENT_LIST_DIR}/debian/prerm"
        "${CMAKE_CURRENT_LIST_DIR}/debian/postrm"
        "${CMAKE_CURRENT_LIST_DIR}/debian/conffiles")
    set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
    set(CPACK_CDCSCOPE_ARCHIVE_NAME "cdcscope-${PROJECT_VERSION}-linux-${CMAKE_SYSTEM_PROCESSOR}")
endif()

include(CPack)
