# takt's layers: one static library per source folder, each allowed to use only the
# folders below it (docs/architecture.md has the picture; scripts/check-layers.sh checks
# every #include against the same rule).
#
# The rule is enforced by the build itself. A layer's headers are reachable only through
# a view of its own folder (build/views/<layer>/<folder> -> the source folder), which is
# the library's include directory. A layer links the layers it uses PRIVATE, so it sees
# their folders and nothing else: an #include of a folder it does not link, above it or
# beside it, is "No such file or directory", and no include directory leaks further up.

set(TAKT_VIEWS_DIR ${CMAKE_BINARY_DIR}/views)

# Flags every target of takt's own is built with: linked PRIVATE, so they stay ours.
add_library(takt_warnings INTERFACE)
target_compile_options(takt_warnings INTERFACE -Wall -Wextra $<$<BOOL:${TAKT_WERROR}>:-Werror>)

# takt_layer(<name> FOLDER <folder> [SOURCES ...] [USES <layer> ...] [LIBS <external> ...])
#   A library takt_<name> made of SOURCES (relative to the source root), whose headers are
#   included as "<folder>/...", allowed to use the layers named in USES and the external
#   libraries in LIBS (linked PUBLIC when its own headers include them).
function(takt_layer name)
  cmake_parse_arguments(L "" "FOLDER" "SOURCES;USES;LIBS;PUBLIC_LIBS" ${ARGN})
  set(view ${TAKT_VIEWS_DIR}/${name})
  get_filename_component(parent ${view}/${L_FOLDER} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${L_FOLDER} ${view}/${L_FOLDER} SYMBOLIC)
  list(TRANSFORM L_SOURCES PREPEND ${PROJECT_SOURCE_DIR}/)
  if(L_SOURCES)
    add_library(takt_${name} STATIC ${L_SOURCES})
    target_include_directories(takt_${name} PUBLIC ${view})
    target_link_libraries(takt_${name} PRIVATE takt_warnings)
    foreach(used ${L_USES})
      target_link_libraries(takt_${name} PRIVATE takt_${used})
    endforeach()
    target_link_libraries(takt_${name} PUBLIC ${L_PUBLIC_LIBS} PRIVATE ${L_LIBS})
  else()  # headers only
    add_library(takt_${name} INTERFACE)
    target_include_directories(takt_${name} INTERFACE ${view})
    target_link_libraries(takt_${name} INTERFACE ${L_PUBLIC_LIBS})
  endif()
  # What a test of this layer may link: the layer and what it uses (takt_layer_test).
  set_property(GLOBAL PROPERTY TAKT_USES_${name} ${L_USES})
endfunction()

# takt_layer_test(<binary> LAYER <name> SOURCES ... [LIBS ...]): a GoogleTest binary of one
# layer's tests, linked with that layer and the layers it may use, and nothing above.
function(takt_layer_test binary)
  cmake_parse_arguments(T "" "LAYER" "SOURCES;LIBS" ${ARGN})
  get_property(uses GLOBAL PROPERTY TAKT_USES_${T_LAYER})
  add_executable(${binary} ${T_SOURCES})
  target_link_libraries(${binary} PRIVATE takt_warnings takt_${T_LAYER} ${T_LIBS} GTest::gtest_main)
  foreach(used ${uses})
    target_link_libraries(${binary} PRIVATE takt_${used})
  endforeach()
  target_include_directories(${binary} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${binary} PRIVATE TAKT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    THINGS_FIXTURE="${PROJECT_SOURCE_DIR}/../shared/fixtures/things-py/main.sqlite")
endfunction()
