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
