# One place for the warning set (STYLE.md) and the sanitizer switch.
add_library(ot_warnings INTERFACE)
target_compile_options(ot_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wundef -Wpointer-arith -Wcast-qual -Wvla)
if(OT_WERROR)
  target_compile_options(ot_warnings INTERFACE -Werror)
endif()
if(OT_SANITIZE)
  add_compile_options(-fsanitize=${OT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${OT_SANITIZE})
endif()
# libFuzzer: coverage for everything built; the harnesses link the fuzzer's
# main (tests/fuzz/CMakeLists.txt). Pair it with OT_SANITIZE=address,undefined.
if(OT_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "OT_FUZZ needs clang (cmake -DCMAKE_C_COMPILER=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
