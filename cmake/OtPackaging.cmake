# Install packaging: the CMake package (find_package(osteotrack) gives
# osteotrack::osteotrack, shared, and osteotrack::osteotrack_static) and the
# pkg-config file osteotrack.pc. Included from the top-level CMakeLists.txt
# after src/lib, whose install(TARGETS ... EXPORT osteotrackTargets) it uses.
include(CMakePackageConfigHelpers)

set(OT_CMAKE_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/osteotrack"
    CACHE STRING "Where osteotrackConfig.cmake is installed (relative to the prefix)")

install(EXPORT osteotrackTargets
  NAMESPACE osteotrack::
  FILE osteotrackTargets.cmake
  DESTINATION "${OT_CMAKE_PACKAGE_DIR}")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/osteotrackConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/osteotrackConfig.cmake"
  INSTALL_DESTINATION "${OT_CMAKE_PACKAGE_DIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_DATADIR)

# 0.x: a new minor version may change the API (semantic versioning), so a
# request for 0.1 accepts 0.1.z only; from 1.0 on, any 1.y.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_ot_compat SameMinorVersion)
else()
  set(_ot_compat SameMajorVersion)
endif()
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/osteotrackConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY ${_ot_compat})

install(FILES
  "${PROJECT_BINARY_DIR}/osteotrackConfig.cmake"
  "${PROJECT_BINARY_DIR}/osteotrackConfigVersion.cmake"
  DESTINATION "${OT_CMAKE_PACKAGE_DIR}")

# pkg-config: `pkg-config --cflags --libs osteotrack` links the shared
# library; `--static` adds what the static library needs (GSL, cJSON, libm).
foreach(_dir LIBDIR INCLUDEDIR DATADIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(OT_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(OT_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
configure_file("${PROJECT_SOURCE_DIR}/cmake/osteotrack.pc.in"
               "${PROJECT_BINARY_DIR}/osteotrack.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/osteotrack.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
