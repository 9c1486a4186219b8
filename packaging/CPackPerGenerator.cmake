# Read by cpack once per generator. The .deb installs under /usr and owns /etc/cdcscope
# (component "system"); an archive is unpacked anywhere, so it is relocatable and carries the app
# alone (the example config is in its docs folder).
if(CPACK_GENERATOR STREQUAL "DEB")
    set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
    set(CPACK_COMPONENTS_ALL app system)
else()
    set(CPACK_COMPONENTS_ALL app)
    if(CPACK_CDCSCOPE_ARCHIVE_NAME)
        set(CPACK_PACKAGE_FILE_NAME "${CPACK_CDCSCOPE_ARCHIVE_NAME}")
    endif()
endif()
