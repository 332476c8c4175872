# pk_embed_schema(OUTPUT out.cpp FILES a.sql b.sql ...)
# Generates a C++ source holding every migration as a raw string literal, so the
# binary carries its schema. Files are named NNN_name.sql; NNN is the version.
function(pk_embed_schema)
  cmake_parse_arguments(ARG "" "OUTPUT" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} "-DFILES=${ARG_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_schema_script.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_schema_script.cmake
    COMMENT "Embedding schema migrations"
    VERBATIM)
endfunction()
