# pk_sanitizers: AddressSanitizer + UndefinedBehaviorSanitizer when PK_SANITIZE=ON;
# ThreadSanitizer when PK_TSAN=ON (the two cannot be combined).
add_library(pk_sanitizers INTERFACE)
if(PK_SANITIZE AND PK_TSAN)
  message(FATAL_ERROR "PK_SANITIZE (ASan + UBSan) and PK_TSAN cannot be used together")
endif()
if(PK_SANITIZE)
  target_compile_options(pk_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(pk_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(PK_TSAN)
  target_compile_options(pk_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(pk_sanitizers INTERFACE -fsanitize=thread)
endif()
