# The protocol-seam test (issue 11): a toy second protocol (toy_decoder.c:
# a length byte, then ASCII text) and a toy layer over TamTam frames
# (toy_layer.c: the same message in a channel-9 payload) plugged into a
# tamtam-analyze by their files and their symbols in the decoder list,
# nothing else.
set(TOY ${CMAKE_CURRENT_SOURCE_DIR}/toy)
tamtam_analyze_executable(tamtam-analyze-toy
  DECODERS ${TAMTAM_ANALYZE_DECODERS} an_toy_decoder an_toy_layer
  SOURCES ${TOY}/toy_decoder.c ${TOY}/toy_layer.c)
set_target_properties(tamtam-analyze-toy PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_executable(analyzer_toy_test ${TOY}/toy_test.c)
target_include_directories(analyzer_toy_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(analyzer_toy_test PRIVATE analyzer_testkit)
set_target_properties(analyzer_toy_test PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME analyzer.toy_protocol COMMAND analyzer_toy_test
         $<TARGET_FILE:tamtam-analyze-toy> $<TARGET_FILE:tamtam-analyze>)
# Runs the analyzer binaries (processes).
set_property(TEST analyzer.toy_protocol APPEND PROPERTY LABELS timing)
