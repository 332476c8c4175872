# pk_sanitizers: AddressSanitizer + UndefinedBehaviorSanitizer when PK_SANITIZE=ON.
add_library(pk_sanitizers INTERFACE)
if(PK_SANITIZE)
  target_compile_options(pk_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(pk_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
