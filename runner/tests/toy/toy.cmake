# The protocol-seam test (issue 11): a toy second protocol (toy_suite.c: a
# length byte, then ASCII text) plugged into a tamtam-run by its file and its
# symbol in the suite list, nothing else. The shim (toy_shim.py) answers the
# toy op and hands the Core Frame ops to the reference node's shim, so one
# report carries both protocols side by side.
set(TOY ${CMAKE_CURRENT_SOURCE_DIR}/toy)
tamtam_run_executable(tamtam-run-toy
  SUITES ${TAMTAM_RUN_SUITES} tr_toy_suite
  SOURCES ${TOY}/toy_suite.c)
set_target_properties(tamtam-run-toy PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
# Both vector sets in one directory, as --vectors takes them.
set(TOYVEC ${W}/toy-vectors)
file(COPY ${FIX}/core-frame.json ${FIX}/core-stream.json ${TOY}/toy.json
     DESTINATION ${TOYVEC})
set(TOYRUN $<TARGET_FILE:tamtam-run-toy>)
find_program(PYTHON3 python3 REQUIRED)
set(TOYSHIM "${PYTHON3} ${TOY}/toy_shim.py")

# Both protocols pass, each case under its own protocol in the report.
runner_test(toy.both --exit 0 --no-output FAIL
  --verdict toy.parse.t-hello=PASS --verdict toy.parse.t-short=PASS
  --verdict codec.decode.cf-example-1=PASS --verdict harness.eof=PASS
  -- ${TOYRUN} --vectors ${TOYVEC} --shim "${TOYSHIM} good ${NODE} shim")
add_test(NAME runner.toy.protocols
  COMMAND sh ${TOY}/protocols.sh ${W}/toy.both.json)
set_tests_properties(runner.toy.protocols PROPERTIES DEPENDS runner.toy.both)
# A wrong toy implementation fails the toy cases, not the core ones.
runner_test(toy.red --exit 1
  --verdict toy.parse.t-hello=FAIL --detail "toy.parse.t-hello=Expected: text hello"
  --verdict toy.parse.t-short=PASS --verdict codec.decode.cf-example-1=PASS
  -- ${TOYRUN} --vectors ${TOYVEC} --shim "${TOYSHIM} bad ${NODE} shim")
# A shim of the previous harness version (no "protocols" in hello) is a
# Core Frame shim: its cases pass, the toy ones are UNSUPPORTED.
runner_test(toy.core_only --exit 0
  --verdict codec.decode.cf-example-1=PASS
  --verdict toy.parse.t-hello=UNSUPPORTED
  --detail "toy.parse.t-hello=does not list protocol \"toy/1\""
  -- ${TOYRUN} --vectors ${TOYVEC} --shim "${NODE} shim")
set_tests_properties(runner.toy.both runner.toy.red runner.toy.core_only
  runner.toy.protocols PROPERTIES LABELS timing)
