# The Splinter suites (issue 12, spec/harness.md section 10) against the
# reference service (tamtam-node splinter) and shim (tamtam-node shim, which
# lists splinter/1), on small vector files written by hand from
# spec/splinter-envelope.md (splinter/*.json) beside the Core Frame fixtures.
# The seeded Splinter defects are in defects.cmake.
set(SPL ${CMAKE_CURRENT_SOURCE_DIR}/splinter)
set(SPLINTER_VECTORS ${W}/splinter-vectors)
file(COPY ${FIX}/core-frame.json ${FIX}/core-stream.json
     ${SPL}/splinter-envelope.json ${SPL}/splinter-stream.json
     DESTINATION ${SPLINTER_VECTORS})
set(ALLOW ${PROJECT_SOURCE_DIR}/runner/splinter-allow.json)
set(SPSERVICE "${NODE} splinter --allow ${ALLOW}")
find_program(PYTHON3 python3 REQUIRED)

# Every wire case passes over TCP and over a Unix socket.
set(SP_WIRE announce heartbeat echo fault.1000 fault.3000 fault.2000
  fault.1001 fault.no_reply fault.error_unanswered order.type_before_payload
  order.payload_before_ttl chunked.in chunked.out chunked.reordered
  chunked.duplicate stream.timeout stream.gap onebyte batch line.max
  line.overlong flood)
foreach(t tcp unix)
  set(checks "")
  foreach(c ${SP_WIRE})
    list(APPEND checks --verdict splinter.wire.${t}.${c}=PASS)
  endforeach()
  if(t STREQUAL "tcp")
    set(listen tcp://127.0.0.1:0)
  else()
    set(listen unix://${W}/splinter.sock)
  endif()
  runner_test(splinter.${t} --exit 0 --count 22 ${checks}
    --server "${SPSERVICE} --listen ${listen}"
    -- ${RUN} --vectors ${SPLINTER_VECTORS} --splinter @URL@)
endforeach()
# Without an allow-list the service allows every sender (SP-6-a): the 2000
# case cannot be judged.
runner_test(splinter.no_allow --exit 0
  --verdict splinter.wire.tcp.fault.2000=UNSUPPORTED
  --detail "splinter.wire.tcp.fault.2000=start it with --allow"
  --verdict splinter.wire.tcp.echo=PASS
  --server "${NODE} splinter --listen tcp://127.0.0.1:0"
  -- ${RUN} --vectors ${SPLINTER_VECTORS} --splinter @URL@
     --case "splinter.wire.tcp.fault.*" --case splinter.wire.tcp.echo)
# A tiny inbox: batch and flood get 4100 for part of their queries, and
# every query is still answered.
runner_test(splinter.inbox --exit 0
  --verdict splinter.wire.tcp.flood=PASS --verdict splinter.wire.tcp.batch=PASS
  --server "${SPSERVICE} --inbox 2 --listen tcp://127.0.0.1:0"
  -- ${RUN} --vectors ${SPLINTER_VECTORS} --splinter @URL@
     --case splinter.wire.tcp.flood --case splinter.wire.tcp.batch)
# A service that never speaks: every case fails on the announcement, each
# after one timeout of silence.
runner_test(splinter.silent --exit 1
  --verdict splinter.wire.tcp.announce=FAIL
  --detail "splinter.wire.tcp.announce=timeout: nothing moved for 500 ms"
  --detail "splinter.wire.tcp.announce=SP-10-b: expected the version announcement"
  --server "${HNODE} stall"
  -- ${RUN} --vectors ${SPLINTER_VECTORS} --splinter @URL@ --timeout-ms 500
     --case splinter.wire.tcp.announce --case splinter.wire.tcp.echo)
runner_test(splinter.refused --exit 2 --output "could not be reached"
  -- ${RUN} --splinter tcp://127.0.0.1:1 --start-timeout-ms 2000)
runner_test(splinter.udp --exit 2 --output "tcp:// or unix://"
  -- ${RUN} --splinter udp://127.0.0.1:9)

# The codec suite: the reference shim passes every vector, the invalid
# UTF-8 line sent as line_hex included.
runner_test(splinter.codec --exit 0 --no-output FAIL
  --verdict splinter.codec.validate.se-invalid-utf8=PASS
  --verdict splinter.codec.validate.se-ttl-equal-on-time=PASS
  --verdict splinter.codec.validate.se-order-type-before-payload=PASS
  --verdict splinter.codec.reassemble.ss-duplicate-dropped=PASS
  --verdict splinter.codec.reassemble.ss-gap-times-out=PASS
  --verdict splinter.codec.fault.se-not-authorized=PASS
  --verdict codec.decode.cf-example-1=PASS --verdict harness.eof=PASS
  -- ${RUN} --vectors ${SPLINTER_VECTORS} --shim "${NODE} shim")
# A shim that does not list splinter/1 (the toy shim rewrites the hello):
# the Splinter cases are UNSUPPORTED, the rest passes.
runner_test(splinter.codec_not_listed --exit 0
  --verdict splinter.codec.validate.se-type-unknown=UNSUPPORTED
  --detail "splinter.codec.validate.se-type-unknown=does not list protocol \"splinter/1\""
  --verdict codec.decode.cf-example-1=PASS
  -- ${RUN} --vectors ${SPLINTER_VECTORS}
     --shim "${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/toy/toy_shim.py good ${NODE} shim")
# Wrong Splinter answers fail the cases they touch, naming the requirement.
set(WRONG "${PYTHON3} ${SPL}/wrong_shim.py")
runner_test(splinter.codec_wrong_fault --exit 1
  --verdict splinter.codec.validate.se-type-unknown=FAIL
  --detail "splinter.codec.validate.se-type-unknown=SP-4-a: expected fault 3000 UNKNOWN_TYPE, actual fault 1000 BAD_SCHEMA"
  --verdict splinter.codec.validate.se-order-type-before-payload=FAIL
  --detail "splinter.codec.validate.se-order-type-before-payload=SP-7-a: expected fault 3000"
  --verdict splinter.codec.validate.se-payload-missing=PASS
  -- ${RUN} --vectors ${SPLINTER_VECTORS} --shim "${WRONG} fault ${NODE} shim"
     --case "splinter.codec.validate.*")
runner_test(splinter.codec_wrong_payloads --exit 1
  --verdict splinter.codec.reassemble.ss-in-order=FAIL
  --detail "splinter.codec.reassemble.ss-in-order=SP-8-b,SP-8-c: payloads (in delivery order): expected [\"a\",\"b\",\"c\"], actual [\"c\",\"b\",\"a\"]"
  --verdict splinter.codec.reassemble.ss-incomplete-in-time=PASS
  -- ${RUN} --vectors ${SPLINTER_VECTORS} --shim "${WRONG} payloads ${NODE} shim"
     --case "splinter.codec.reassemble.*")
runner_test(splinter.codec_wrong_reply --exit 1
  --verdict splinter.codec.fault.se-type-unknown=FAIL
  --detail "splinter.codec.fault.se-type-unknown=SP-9.2-a: members in the order id, ts, from, to, type, payload"
  -- ${RUN} --vectors ${SPLINTER_VECTORS} --shim "${WRONG} reply ${NODE} shim"
     --case "splinter.codec.fault.*")
