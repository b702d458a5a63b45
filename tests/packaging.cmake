# Tests of embedding and packaging (issue 8), included from tests/CMakeLists.txt:
#   install        install into a temporary prefix, build examples/embed with
#                  pkg-config and find_package (shared and static), run them,
#                  load it from Python, run the installed command, render the
#                  man pages;
#   abi/exports    the shared library exports only (and all) the ot_ API;
#   abi/header-c, abi/header-cxx   osteotrack.h alone, strict C11 and C++11;
#   schema/goldens every golden report, comparison, marker result, patient
#                  and facility file against data/schema/, with ajv in strict
#                  mode (node; npm ci in tests/schema, by scripts/setup.sh);
#   fhir/validate  batch --format fhir and the FHIR files of data/ pass a FHIR R4
#                  validator (@medplum/core; npm ci in tests/fhir), broken
#                  bundles of tests/fhir/invalid/ are rejected;
#   fhir/codes     the FHIR code tables of data/ against codes pinned, with
#                  their sources, in tests/fhir/check_codes.py;
#   schema/vocab   the schemas' enumerations and name patterns are the
#                  library's vocabulary (ot_vocab_dump);
#   schema/dates   osteotrack and the schemas agree on a table of dates;
#   python         the ctypes wrapper's unit tests against the built library;
#   docs/options   each command's getopt table, its --help and its section of
#                  docs/osteotrack.1.md name the same options; osteotrack.3.md
#                  names every OT_EXTERN function;
#   docs/man       the built man pages render with groff and man -l, no warnings.
find_program(OT_PYTHON3 NAMES python3 HINTS /usr/bin)
find_program(OT_CXX NAMES g++ c++ clang++)

# A test that cannot run here fails and says what to install.
function(ot_missing_tool_test name what)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -E echo
           "${what} not found: bash scripts/setup.sh --deps-only installs it")
  set_tests_properties(${name} PROPERTIES WILL_FAIL ON)
endfunction()

add_test(NAME install
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/install-test.sh
          ${PROJECT_SOURCE_DIR} ${CMAKE_COMMAND} ${CMAKE_C_COMPILER} -DOT_WERROR=${OT_WERROR})
set_tests_properties(install PROPERTIES TIMEOUT 900)

add_test(NAME abi/exports
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/abi/check-exports.sh
          $<TARGET_FILE:osteotrack> ${PROJECT_SOURCE_DIR}/include/osteotrack.h)

add_test(NAME abi/header-c
  COMMAND ${CMAKE_C_COMPILER} -std=c11 -pedantic -Werror -Wall -Wextra -Wshadow -Wconversion
          -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef -Wpointer-arith
          -Wcast-qual -Wvla -I${PROJECT_SOURCE_DIR}/include
          -c ${CMAKE_CURRENT_SOURCE_DIR}/abi/header_only.c -o header_only_c.o)
if(OT_CXX)
  add_test(NAME abi/header-cxx
    COMMAND ${OT_CXX} -std=c++11 -pedantic -Werror -Wall -Wextra -Wshadow -Wconversion -Wundef
            -Wold-style-cast -I${PROJECT_SOURCE_DIR}/include
            -c ${CMAKE_CURRENT_SOURCE_DIR}/abi/header_only.cpp -o header_only_cxx.o)
else()
  ot_missing_tool_test(abi/header-cxx "a C++ compiler (g++)")
endif()

add_test(NAME docs/man
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/docs/render-man.sh ${PROJECT_BINARY_DIR}/docs)

if(OT_PYTHON3)
  add_test(NAME schema/goldens
    COMMAND ${OT_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/schema/validate_goldens.py
            ${PROJECT_SOURCE_DIR})
  set_tests_properties(schema/goldens PROPERTIES ENVIRONMENT PYTHONDONTWRITEBYTECODE=1)
  # The schemas' enumerations are the library's vocabulary; their dates are
  # the ones osteotrack accepts (issue 20).
  add_executable(ot_vocab_dump schema/vocab_dump.c)
  target_link_libraries(ot_vocab_dump PRIVATE osteotrack ot_warnings)
  add_test(NAME schema/vocab
    COMMAND ${OT_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/schema/check_vocab.py
            $<TARGET_FILE:ot_vocab_dump> ${PROJECT_SOURCE_DIR})
  add_test(NAME schema/dates
    COMMAND ${OT_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/schema/check_dates.py
            $<TARGET_FILE:osteotrack_cli> ${PROJECT_SOURCE_DIR})
  set_tests_properties(schema/vocab PROPERTIES ENVIRONMENT PYTHONDONTWRITEBYTECODE=1)
  # FHIR output and examples through a FHIR R4 validator (node; npm ci in
  # tests/fhir, by scripts/setup.sh), and broken bundles rejected (issue 18).
  add_test(NAME fhir/validate
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fhir/validate.sh $<TARGET_FILE:osteotrack_cli>
            $<TARGET_FILE:ot_vocab_dump> ${PROJECT_SOURCE_DIR})
  set_tests_properties(fhir/validate PROPERTIES ENVIRONMENT
    "OSTEOTRACK_DATA_DIR=${OT_TEST_DATA_DIR};PYTHONDONTWRITEBYTECODE=1")
  # A report's Bundle read back as FHIR input gives the same report.
  add_test(NAME fhir/roundtrip
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fhir/roundtrip.sh $<TARGET_FILE:osteotrack_cli>
            ${PROJECT_SOURCE_DIR})
  set_tests_properties(fhir/roundtrip PROPERTIES ENVIRONMENT
    "OSTEOTRACK_DATA_DIR=${OT_TEST_DATA_DIR}")
  # The code tables of data/ against codes pinned with their sources (the
  # reader, writer and json-to-fhir-bulk.py share the tables: nothing else
  # would catch a wrong code).
  add_test(NAME fhir/codes
    COMMAND ${OT_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/fhir/check_codes.py ${PROJECT_SOURCE_DIR})
  set_tests_properties(fhir/codes PROPERTIES ENVIRONMENT PYTHONDONTWRITEBYTECODE=1)
  set_tests_properties(schema/dates PROPERTIES ENVIRONMENT
    "OSTEOTRACK_DATA_DIR=${OT_TEST_DATA_DIR};PYTHONDONTWRITEBYTECODE=1")
  add_test(NAME python
    COMMAND ${OT_PYTHON3} -m unittest -v test_osteotrack
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/bindings/python)
  set(_ot_py_env "OSTEOTRACK_LIBRARY=$<TARGET_FILE:osteotrack>"
      "OSTEOTRACK_DATA_DIR=${OT_TEST_DATA_DIR}" "OSTEOTRACK_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      "PYTHONDONTWRITEBYTECODE=1")
  if(OT_SANITIZE MATCHES "address")
    # An ASan-built library loads into python only after the ASan runtime;
    # python's own allocations are not ours to report as leaks.
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE _ot_asan OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(APPEND _ot_py_env "LD_PRELOAD=${_ot_asan}" "ASAN_OPTIONS=detect_leaks=0")
  endif()
  set_tests_properties(python PROPERTIES ENVIRONMENT "${_ot_py_env}")
  add_test(NAME docs/options
    COMMAND ${OT_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/docs/check_docs.py
            $<TARGET_FILE:osteotrack_cli> ${PROJECT_SOURCE_DIR})
  set_tests_properties(docs/options PROPERTIES ENVIRONMENT
    "OSTEOTRACK_DATA_DIR=${OT_TEST_DATA_DIR};PYTHONDONTWRITEBYTECODE=1")
else()
  foreach(t schema/goldens schema/vocab schema/dates fhir/validate fhir/codes python docs/options)
    ot_missing_tool_test(${t} "python3")
  endforeach()
endif()

# osteotrack.dask (issue 22): a LocalCluster of 2 worker processes against
# osteotrack batch (tests/dask/check_dask.py): dask/reports, the examples and
# 20,000 generated patients with shuffled rows for 1, 2 and 7 partitions, the
# command's counts and rejections; dask/worker-killed, a worker killed
# mid-run; dask/review, inputs where the command once differed from batch
# (tests/dask/inputs: a patient split over partitions, quoting). With AddressSanitizer the workers load the library as the `python`
# test does (the runtime preloaded, python's own leaks not ours: both pass so,
# in about twice the time); not with ThreadSanitizer, which has no such set-up
# here (CI's TSan pass runs the CLI and thread tests only).
if(OT_PYTHON3 AND NOT OT_SANITIZE MATCHES "thread")
  # the benchmark's generator (bench/gen.c), built here too: OT_BENCH may be OFF
  add_executable(ot_test_gen ${PROJECT_SOURCE_DIR}/bench/gen.c)
  set(_ot_dask_env "OSTEOTRACK_LIBRARY=$<TARGET_FILE:osteotrack>"
      "OSTEOTRACK_DATA_DIR=${OT_TEST_DATA_DIR}"
      "PYTHONPATH=${PROJECT_SOURCE_DIR}/bindings/python" "PYTHONDONTWRITEBYTECODE=1")
  if(OT_SANITIZE MATCHES "address")
    list(APPEND _ot_dask_env "LD_PRELOAD=${_ot_asan}" "ASAN_OPTIONS=detect_leaks=0")
  endif()
  foreach(t reports worker-killed review)
    add_test(NAME dask/${t}
      COMMAND ${OT_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/dask/check_dask.py ${t}
              $<TARGET_FILE:osteotrack_cli> $<TARGET_FILE:ot_test_gen> ${PROJECT_SOURCE_DIR}
      WORKING_DIRECTORY ${PROJECT_BINARY_DIR})
    set_tests_properties(dask/${t} PROPERTIES TIMEOUT 600 ENVIRONMENT "${_ot_dask_env}")
  endforeach()
elseif(NOT OT_PYTHON3)
  foreach(t dask/reports dask/worker-killed dask/review)
    ot_missing_tool_test(${t} "python3")
  endforeach()
endif()

# The Python binding as a package (issue 20): installed by cmake --install and
# by pip into fresh virtual environments, tested there, out of the source tree.
if(OT_PYTHON3)
  add_test(NAME python/package
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/python-package-test.sh
            ${PROJECT_SOURCE_DIR} ${CMAKE_COMMAND} ${CMAKE_C_COMPILER} ${OT_PYTHON3}
            -DOT_WERROR=${OT_WERROR})
  set_tests_properties(python/package PROPERTIES TIMEOUT 900)
else()
  ot_missing_tool_test(python/package "python3")
endif()
