# Installation and Debian packages (CPack DEB), one .deb per component:
#   patchbay-agent       /usr/sbin/patchbay-agent, its unit, the demo listener and its
#                        patchbay-http@/patchbay-smtp@ templates, /etc/patchbay/agent.toml
#   patchbay-controller  /usr/sbin/patchbay-controller, /usr/bin/patchbay (the CLI), its
#                        unit, /etc/patchbay/controller.toml (0600: it may hold TSIG secrets)
# Build them:  cmake --build build --target deb   ⇒ build/packages/patchbay-*_VERSION_ARCH.deb
# (builds only the four programs, then runs cpack; `--target package` works too but builds
# everything, tests included). Depends: from dpkg-shlibdeps (dpkg-dev, part of
# build-essential) plus what the units need. Maintainer scripts: packaging/debian/PKG/,
# what dh_installsystemd would generate. Version: project() in the top CMakeLists.txt.
include(GNUInstallDirs)

# The layout a Debian package has (under CPACK_PACKAGING_INSTALL_PREFIX=/usr; /etc and
# /lib/systemd/system are absolute, which CPack's DEB generator stages as they are).
set(PATCHBAY_UNIT_DIR /lib/systemd/system)
set(PATCHBAY_CONF_DIR /etc/patchbay)
set(PATCHBAY_LIBEXEC_DIR ${CMAKE_INSTALL_LIBEXECDIR}/patchbay)
set(PATCHBAY_AGENT_DOC ${CMAKE_INSTALL_DATADIR}/doc/patchbay-agent)
set(PATCHBAY_CONTROLLER_DOC ${CMAKE_INSTALL_DATADIR}/doc/patchbay-controller)

# ---- patchbay-agent ------------------------------------------------------------------------
if(TARGET patchbay-agent)
  install(TARGETS patchbay-agent RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT agent)
endif()
if(TARGET patchbay-demo-listener)
  install(TARGETS patchbay-demo-listener RUNTIME DESTINATION ${PATCHBAY_LIBEXEC_DIR} COMPONENT agent)
endif()
install(FILES units/patchbay-agent.service units/patchbay-http@.service units/patchbay-smtp@.service
        DESTINATION ${PATCHBAY_UNIT_DIR} COMPONENT agent)
# Valid, and places nothing until the operator sets domains and resolvers (its comments say so).
install(FILES packaging/agent.toml DESTINATION ${PATCHBAY_CONF_DIR} COMPONENT agent)
install(FILES docs/units.md DESTINATION ${PATCHBAY_AGENT_DOC} COMPONENT agent)
install(FILES ${CMAKE_BINARY_DIR}/doc/patchbay-agent.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT agent)
install(FILES examples/agent.toml DESTINATION ${PATCHBAY_AGENT_DOC}/examples COMPONENT agent)
install(DIRECTORY examples/units DESTINATION ${PATCHBAY_AGENT_DOC}/examples COMPONENT agent)

# ---- patchbay-controller -------------------------------------------------------------------
if(TARGET patchbay-controller)
  install(TARGETS patchbay-controller RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT controller)
endif()
if(TARGET patchbay)
  install(TARGETS patchbay RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT controller)
endif()
install(FILES units/patchbay-controller.service DESTINATION ${PATCHBAY_UNIT_DIR} COMPONENT controller)
install(FILES packaging/controller.toml DESTINATION ${PATCHBAY_CONF_DIR}
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT controller)
install(FILES docs/units.md docs/configuration.md docs/backup.md docs/cli.md
        DESTINATION ${PATCHBAY_CONTROLLER_DOC} COMPONENT controller)
# The man pages and the CLI's bash completion, written by patchbay-docgen (cli/CMakeLists.txt).
install(FILES ${CMAKE_BINARY_DIR}/doc/patchbay.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT controller)
install(FILES ${CMAKE_BINARY_DIR}/doc/patchbay-controller.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8
        COMPONENT controller)
install(FILES ${CMAKE_BINARY_DIR}/doc/patchbay.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME patchbay COMPONENT controller)
install(FILES examples/controller.toml
        DESTINATION ${PATCHBAY_CONTROLLER_DOC}/examples COMPONENT controller)
install(DIRECTORY examples/policies DESTINATION ${PATCHBAY_CONTROLLER_DOC}/examples COMPONENT controller)

# ---- CPack ---------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME patchbay)
set(CPACK_PACKAGE_VENDOR patchbay)
set(CPACK_PACKAGE_CONTACT "patchbay maintainers <maintainers@patchbay.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX packages)
set(CPACK_COMPONENTS_ALL agent controller)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)                   # NAME_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)   # scripts 0755, conffiles 0644

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME patchbay-agent)
# Drives systemd over the D-Bus system bus.
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "systemd, dbus")
# The first line is the synopsis (Debian policy 3.4.1).
string(CONCAT CPACK_DEBIAN_AGENT_DESCRIPTION
    "patchbay agent: runs on every host what the DNS zone places on its addresses\n"
    "Follows the SRV tuples of its domains (with NOTIFY, polling and address events) and\n"
    "starts and stops one systemd template instance per tuple bound to this host. The\n"
    "shipped /etc/patchbay/agent.toml places nothing until domains and resolvers are set.")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-agent/conffiles;${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-agent/postinst;${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-agent/prerm;${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-agent/postrm")

set(CPACK_DEBIAN_CONTROLLER_PACKAGE_NAME patchbay-controller)
string(CONCAT CPACK_DEBIAN_CONTROLLER_DESCRIPTION
    "patchbay controller and CLI: the zone, authoritative DNS, REST API, health watchdog\n"
    "Edits the zone of SRV tuples, serves it (assignment and client views, AXFR/IXFR,\n"
    "dynamic updates), NOTIFYs agents, keeps every server's up/warning/down history and\n"
    "alerts. Includes the `patchbay` command-line client.")
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-controller/conffiles;${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-controller/postinst;${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-controller/prerm;${CMAKE_SOURCE_DIR}/packaging/debian/patchbay-controller/postrm")

include(CPack)

# The packages, building only what they hold (not the tests, as `package` would).
add_custom_target(deb
  COMMAND ${CMAKE_CPACK_COMMAND} -G DEB --config ${CMAKE_BINARY_DIR}/CPackConfig.cmake
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
  DEPENDS patchbay-agent patchbay-demo-listener patchbay-controller patchbay patchbay-docs
  COMMENT "Debian packages in ${CMAKE_BINARY_DIR}/packages"
  VERBATIM)
