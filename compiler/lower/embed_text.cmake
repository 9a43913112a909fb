# Turns text files into a C++ source of `const char* const NAME = R"...";`
# definitions, so dolc carries its fixed generator parts (JS glue, C++ ABI
# glue) inside the binary. Usage:
#   cmake -DOUT=file.cpp -DNAMESPACE=ns -DENTRIES="name1=path1;name2=path2" -P embed_text.cmake
set(text "// Generated from the files named below by embed_text.cmake. Do not edit.\nnamespace ${NAMESPACE} {\n")
foreach(entry ${ENTRIES})
  string(REPLACE "=" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 path)
  file(READ "${path}" body)
  get_filename_component(base "${path}" NAME)
  string(APPEND text "// ${base}\nextern const char* const ${name};\nconst char* const ${name} = R\"DOLCEMBED(${body})DOLCEMBED\";\n")
endforeach()
string(APPEND text "}\n")
file(WRITE "${OUT}.tmp" "${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
