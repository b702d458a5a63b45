# The Python binding (bindings/python): `cmake --install` installs the package
# osteotrack/ (__init__.py, dask.py) into the prefix's site-packages (OT_INSTALL_PYTHONDIR), with the prefix's
# library directory and the project's version written into it, so that it
# finds the library it was installed with (no LD_LIBRARY_PATH) and refuses
# another major.minor. osteotrack-dask is `python3 -m osteotrack.dask` there
# (pip installs the command). Included from the top-level CMakeLists.txt.
# The python3 the tests use too (tests/packaging.cmake): the system's first,
# whose setuptools and venv are Debian's.
find_program(OT_PYTHON3 NAMES python3 HINTS /usr/bin)
if(OT_PYTHON3)
  set(_ot_python_default ON)
else()
  set(_ot_python_default OFF)
endif()
option(OT_PYTHON "Install the Python binding into the prefix's site-packages" ${_ot_python_default})

if(OT_PYTHON)
  if(NOT OT_PYTHON3)
    message(FATAL_ERROR "OT_PYTHON is ON but python3 was not found (-DOT_PYTHON=OFF to go without)")
  endif()
  # The site-packages of the prefix that python3 searches when there is one
  # (Debian: PREFIX/lib/python3/dist-packages for /usr,
  # /usr/local/lib/python3.X/dist-packages for /usr/local), else
  # PREFIX/lib/python3.X/site-packages (then PYTHONPATH names it).
  execute_process(
    COMMAND ${OT_PYTHON3} -c [=[
import os, sys, sysconfig
prefix = os.path.normpath(sys.argv[1])
for d in sys.path:
    if (d.startswith(prefix + "/lib/") and os.path.basename(d) in ("site-packages", "dist-packages")
            and "-packages" not in os.path.dirname(d)):
        print(os.path.relpath(d, prefix)); break
else:
    p = sysconfig.get_path("purelib", "posix_prefix", vars={"base": prefix, "platbase": prefix})
    print(os.path.relpath(p, prefix))
]=] "${CMAKE_INSTALL_PREFIX}"
    OUTPUT_VARIABLE _ot_pydir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _ot_pyrc)
  if(NOT _ot_pyrc EQUAL 0 OR _ot_pydir STREQUAL "")
    set(_ot_pydir "lib/python3/site-packages")
  endif()
  set(OT_INSTALL_PYTHONDIR "${_ot_pydir}" CACHE STRING
      "Where the Python binding is installed (relative to the prefix, or absolute)")

  # Written at install time, so that `cmake --install --prefix P` writes P's
  # library directory.
  install(CODE "
    set(_lib \"${CMAKE_INSTALL_LIBDIR}\")
    if(NOT IS_ABSOLUTE \"\${_lib}\")
      set(_lib \"\${CMAKE_INSTALL_PREFIX}/\${_lib}\")
    endif()
    set(_dir \"${OT_INSTALL_PYTHONDIR}\")
    if(NOT IS_ABSOLUTE \"\${_dir}\")
      set(_dir \"\${CMAKE_INSTALL_PREFIX}/\${_dir}\")
    endif()
    file(READ \"${PROJECT_SOURCE_DIR}/bindings/python/osteotrack/__init__.py\" _py)
    string(REGEX REPLACE \"\\n__version__ = \\\"[^\\\"]*\\\"\" \"\\n__version__ = \\\"${PROJECT_VERSION}\\\"\" _py \"\${_py}\")
    string(REGEX REPLACE \"\\n_INSTALL_LIBDIR = None\" \"\\n_INSTALL_LIBDIR = \\\"\${_lib}\\\"\" _py \"\${_py}\")
    if(NOT _py MATCHES \"\\n_INSTALL_LIBDIR = \\\"\")
      message(FATAL_ERROR \"bindings/python/osteotrack/__init__.py: no _INSTALL_LIBDIR line to write the library directory into\")
    endif()
    file(WRITE \"${PROJECT_BINARY_DIR}/python-install/osteotrack/__init__.py\" \"\${_py}\")
    file(COPY \"${PROJECT_SOURCE_DIR}/bindings/python/osteotrack/dask.py\"
         DESTINATION \"${PROJECT_BINARY_DIR}/python-install/osteotrack\")
    message(STATUS \"Python binding: \${_dir}/osteotrack/ (library in \${_lib})\")
    file(INSTALL \"${PROJECT_BINARY_DIR}/python-install/osteotrack\" DESTINATION \"\${_dir}\"
         PATTERN __pycache__ EXCLUDE)
  ")
endif()
