# pk_warnings: an interface target with the project's warning flags, linked by
# our own targets only (never imposed on third-party code).
add_library(pk_warnings INTERFACE)
target_compile_options(pk_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  -Wduplicated-cond -Wlogical-op -Wimplicit-fallthrough -Wformat=2)
if(PK_WERROR)
  target_compile_options(pk_warnings INTERFACE -Werror)
endif()
