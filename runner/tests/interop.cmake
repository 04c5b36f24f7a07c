# Tests of `tamtam-run interop` and `tamtam-run fuzz`, over the reference
# node's shim, the seeded-defect nodes of defects.cmake and hostile_shim.
# Small frame sets (the fixtures, a few random frames) and fixed seeds and
# iteration counts keep each run to a fraction of a second, also under ASan.

set(REF "${NODE} shim")
function(defect_shim var name)
  set(${var} "$<TARGET_FILE:tt_defect_${name}> shim" PARENT_SCOPE)
endfunction()
defect_shim(POLY crc_wrong_polynomial)
# Under ASan this defect's overread aborts with a report; unsymbolised, a
# report takes milliseconds instead of a few hundred.
set(ULEN "ASAN_OPTIONS=symbolize=0 $<TARGET_FILE:tt_defect_used_len_overflow_accepted> shim")
defect_shim(NOCRC crc_never_checked)

# ---- interop ---------------------------------------------------------------
# Reference x reference: every cell, both ops, passes.
set(cells "")
foreach(op decode stream)
  foreach(pair ref.ref ref.ref2 ref2.ref ref2.ref2)
    list(APPEND cells --verdict interop.${op}.${pair}=PASS)
  endforeach()
endforeach()
runner_test(interop.reference --exit 0 --count 8 ${cells}
  --output "decode: encoder rows x decoder columns"
  --output "110/110" --no-output "FAIL"
  --junit ${W}/interop.reference.xml
  -- ${RUN} interop --impl ref=${REF} --impl ref2=${REF}
     --vectors ${FIX} --random 100 --seed 1
     --junit ${W}/interop.reference.xml)

# A CRC-8 with the wrong polynomial: every cell with the defect on one side
# fails, with the first failing frames and their bytes; the defect agrees
# with itself, so its own cell passes (only a matrix shows this defect).
set(cells "")
foreach(op decode stream)
  list(APPEND cells --verdict interop.${op}.ref.ref=PASS
    --verdict interop.${op}.ref.poly=FAIL
    --verdict interop.${op}.poly.ref=FAIL
    --verdict interop.${op}.poly.poly=PASS)
endforeach()
# The bytes are example 1 of spec 12.6 as the reference encodes it.
runner_test(interop.defect --exit 1 --count 8 ${cells}
  --detail "interop.decode.ref.poly=frames failed"
  --detail "interop.decode.ref.poly=cf-example-1: Expected: the frame"
  --detail "interop.decode.ref.poly=Actual:   error crc_mismatch"
  --detail "interop.decode.ref.poly=Hex:   20100710000301020300000000000000000000000000"
  --detail "interop.decode.poly.ref=cf-example-1: Expected: the frame"
  --detail "interop.stream.ref.poly=Actual:   error crc_mismatch at offset 0"
  --output "30/30  " --output "/30 FAIL"
  --output "Hex:   20100710000301020300000000000000000000000000"
  -- ${RUN} interop --impl ref=${REF} --impl poly=${POLY}
     --vectors ${FIX} --random 20 --seed 2)

# An implementation without encode and stream: its row and its stream
# column are UNSUPPORTED, never failures; its decode column passes.
set(NOENC "${HOSTILE} noencode")
runner_test(interop.unsupported --exit 0 --count 8
  --verdict interop.decode.ref.ref=PASS --verdict interop.stream.ref.ref=PASS
  --verdict interop.decode.ref.noenc=PASS
  --verdict interop.stream.ref.noenc=UNSUPPORTED
  --verdict interop.decode.noenc.ref=UNSUPPORTED
  --verdict interop.stream.noenc.ref=UNSUPPORTED
  --verdict interop.decode.noenc.noenc=UNSUPPORTED
  --verdict interop.stream.noenc.noenc=UNSUPPORTED
  --detail "interop.decode.noenc.ref=encoder noenc answered unsupported to encode"
  --detail "interop.stream.ref.noenc=decoder noenc answered unsupported to stream"
  --output "UNSUPPORTED cells are not failures"
  -- ${RUN} interop --impl ref=${REF} --impl noenc=${NOENC}
     --vectors ${FIX} --random 10)

# A decoder that crashes on its fifth request: that frame fails with the
# reason, the shim is started again, every other frame passes.
runner_test(interop.crash --exit 1 --rm ${W}/interop-crash.marker
  --verdict interop.decode.ref.crash=FAIL
  --detail "interop.decode.ref.crash=1 of 20 frames failed"
  --detail "interop.decode.ref.crash=decoder crash: the shim closed its output before answering"
  --detail "interop.decode.ref.crash=signal 6, Aborted"
  --verdict interop.stream.ref.crash=PASS
  --verdict interop.decode.crash.ref=PASS
  -- ${RUN} interop --impl ref=${REF}
     --impl "crash=${HOSTILE} crash 5 ${W}/interop-crash.marker"
     --vectors ${FIX} --random 10 --timeout-ms 2000)

# A shim that hangs on every first request after a start (it blocks in
# pause() for ever, so its timeouts are certain however loaded the machine
# is; its hello gets the start-up allowance): after three broken answers in
# a row it is asked no more in that cell or row, so the run stays a handful
# of timeouts long. The timeout is long enough that the reference's answers
# never miss it on a busy machine.
runner_test(interop.hang --exit 1
  --verdict interop.decode.ref.ref=PASS
  --verdict interop.decode.ref.hang=FAIL
  --detail "interop.decode.ref.hang=no response within 1000 ms"
  --detail "interop.decode.ref.hang=not asked: decoder hang broke on 3 requests in a row"
  --verdict interop.decode.hang.ref=FAIL
  --detail "interop.decode.hang.ref=not asked: encoder hang broke on 3 requests in a row"
  -- ${RUN} interop --impl ref=${REF} --impl "hang=${HOSTILE} hang 1"
     --vectors ${FIX} --random 5 --timeout-ms 1000)

# Same seed, same report (but for durations), failures and hex included.
foreach(run a b)
  runner_test(interop.determinism.${run} --exit 1
    -- ${RUN} interop --impl ref=${REF} --impl poly=${POLY}
       --vectors ${FIX} --random 30 --seed 11)
  set_tests_properties(runner.interop.determinism.${run} PROPERTIES
    FIXTURES_SETUP interop_determinism)
endforeach()
add_test(NAME runner.interop.determinism
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/same_output.sh report
          ${W}/interop.determinism.a.json ${W}/interop.determinism.b.json)
set_tests_properties(runner.interop.determinism PROPERTIES
  FIXTURES_REQUIRED interop_determinism)

add_test(NAME runner.interop.usage COMMAND check_run --exit 2
  --output "give two or more --impl NAME=CMD"
  -- ${RUN} interop --impl ref=${REF} --vectors ${FIX})
add_test(NAME runner.interop.bad_name COMMAND check_run --exit 2
  --output "--impl takes NAME=CMD"
  -- ${RUN} interop --impl "a b=x" --impl ref=${REF} --vectors ${FIX})
add_test(NAME runner.interop.not_found COMMAND check_run --exit 2
  --output "implementation \"gone\" could not run"
  -- ${RUN} interop --impl ref=${REF} --impl gone=${W}/no-such-shim
     --vectors ${FIX})

# ---- fuzz ------------------------------------------------------------------
runner_test(fuzz.reference --exit 0 --count 2
  --verdict fuzz.decode=PASS --verdict fuzz.stream=PASS
  --detail "fuzz.decode=300 inputs, every implementation agreed"
  --no-output "findings:"
  -- ${RUN} fuzz --impl ref=${REF} --impl ref2=${REF} --vectors ${FIX}
     --iterations 300 --seed 1 --out ${W}/fuzz-reference)

# UsedLen overflow accepted: found, shrunk to a frame of at most 16 bytes
# whose expectation is the reference's (used_len_exceeds_block).
set(FZ_ULEN ${W}/fuzz-ulen/fuzz-5)
runner_test(fuzz.used_len_overflow --exit 1
  --verdict fuzz.decode=FAIL
  --detail "fuzz.decode=ref (reference) answers error used_len_exceeds_block"
  --output "findings: ${FZ_ULEN}/core-frame.json"
  --small ${FZ_ULEN}/core-frame.json=used_len_exceeds_block:16
  -- ${RUN} fuzz --impl ref=${REF} --impl ulen=${ULEN} --vectors ${FIX}
     --iterations 30 --seed 5 --out ${W}/fuzz-ulen)
set_tests_properties(runner.fuzz.used_len_overflow PROPERTIES
  FIXTURES_SETUP fuzz_ulen)

# CRC never checked: found and shrunk the same way.
set(FZ_NOCRC ${W}/fuzz-nocrc/fuzz-9)
runner_test(fuzz.crc_never_checked --exit 1
  --verdict fuzz.decode=FAIL --verdict fuzz.stream=FAIL
  --detail "fuzz.decode=ref (reference) answers error crc_mismatch"
  --detail "fuzz.decode=nocrc answers a valid frame"
  --small ${FZ_NOCRC}/core-frame.json=crc_mismatch:16
  -- ${RUN} fuzz --impl ref=${REF} --impl nocrc=${NOCRC} --vectors ${FIX}
     --iterations 100 --seed 9 --out ${W}/fuzz-nocrc)
set_tests_properties(runner.fuzz.crc_never_checked PROPERTIES
  FIXTURES_SETUP fuzz_nocrc)

# The findings are vectors: the reference passes every one of them (their
# expectations are the reference's), the defect that made them fails them.
foreach(f ulen nocrc)
  if(f STREQUAL "ulen")
    set(dir ${FZ_ULEN})
    set(bad ${ULEN})
    set(fx fuzz_ulen)
    set(first cf-fuzz-5-1)
  else()
    set(dir ${FZ_NOCRC})
    set(bad ${NOCRC})
    set(fx fuzz_nocrc)
    set(first cf-fuzz-9-1)
  endif()
  runner_test(fuzz.${f}.replay_reference --exit 0
    --verdict codec.decode.${first}=PASS --no-output FAIL
    -- ${RUN} --vectors ${dir} --shim ${REF})
  runner_test(fuzz.${f}.replay_defect --exit 1
    --fail "codec.decode.cf-fuzz-*"
    -- ${RUN} --vectors ${dir} --shim ${bad})
  set_tests_properties(runner.fuzz.${f}.replay_reference
    runner.fuzz.${f}.replay_defect PROPERTIES FIXTURES_REQUIRED ${fx})
  if(TARGET tamtam-vectors)
    add_test(NAME runner.fuzz.${f}.verify
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/verify_findings.sh
              $<TARGET_FILE:tamtam-vectors> ${PROJECT_SOURCE_DIR}/spec/core-frame.md
              ${PROJECT_SOURCE_DIR}/vectors/schema ${dir})
    set_tests_properties(runner.fuzz.${f}.verify PROPERTIES
      FIXTURES_REQUIRED ${fx})
  endif()
endforeach()

# Same seed, same findings, byte for byte.
foreach(run a b)
  runner_test(fuzz.determinism.${run} --exit 1
    -- ${RUN} fuzz --impl ref=${REF} --impl nocrc=${NOCRC} --vectors ${FIX}
       --iterations 60 --seed 21 --out ${W}/fuzz-determinism-${run})
  set_tests_properties(runner.fuzz.determinism.${run} PROPERTIES
    FIXTURES_SETUP fuzz_determinism)
endforeach()
add_test(NAME runner.fuzz.determinism
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/same_output.sh tree
          ${W}/fuzz-determinism-a/fuzz-21 ${W}/fuzz-determinism-b/fuzz-21)
set_tests_properties(runner.fuzz.determinism PROPERTIES
  FIXTURES_REQUIRED fuzz_determinism)

add_test(NAME runner.fuzz.usage COMMAND check_run --exit 2
  --output "--random is not an option of fuzz"
  -- ${RUN} fuzz --impl a=${REF} --impl b=${REF} --random 5)

# ---- C x C# ------------------------------------------------------------------
# ci/ (configured after runner/) builds the C# port's shim (target
# tamtam_cs, bin/tamtam-cs-shim.exe); these tests are added at the end of the
# top-level configure, when that target exists.
function(runner_csharp_tests run check bin w)
  if(NOT TARGET tamtam_cs)
    return()
  endif()
  set(cs "${TT_MONO} ${bin}/tamtam-cs-shim.exe")
  set(node "$<TARGET_FILE:tamtam-node> shim")
  set(cells "")
  foreach(op decode stream)
    foreach(pair c.c c.csharp csharp.c csharp.csharp)
      list(APPEND cells --verdict interop.${op}.${pair}=PASS)
    endforeach()
  endforeach()
  add_test(NAME runner.interop.c_csharp
    COMMAND ${check} --exit 0 --count 8 ${cells} --no-output FAIL
            --json ${w}/interop.c_csharp.json
            -- ${run} interop --impl c=${node} --impl csharp=${cs}
               --json ${w}/interop.c_csharp.json)
  add_test(NAME runner.fuzz.c_csharp
    COMMAND ${check} --exit 0 --verdict fuzz.decode=PASS
            --verdict fuzz.stream=PASS --no-output "findings:"
            --json ${w}/fuzz.c_csharp.json
            -- ${run} fuzz --impl c=${node} --impl csharp=${cs}
               --iterations 500 --seed 1
               --out ${w}/fuzz-c_csharp
               --json ${w}/fuzz.c_csharp.json)
  set_tests_properties(runner.interop.c_csharp runner.fuzz.c_csharp
    PROPERTIES TIMEOUT 180 LABELS timing)
endfunction()
cmake_language(EVAL CODE "
  cmake_language(DEFER DIRECTORY [[${PROJECT_SOURCE_DIR}]]
    CALL runner_csharp_tests [[${RUN}]] [[$<TARGET_FILE:check_run>]] [[${BIN}]]
    [[${W}]])")
