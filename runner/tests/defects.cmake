# Seeded defects: each builds a tamtam-node from copies of reference/src,
# reference/json and reference/node/src with ONE textual mutation, and a test
# asserts that tamtam-run (codec + TCP wire suites, via run-reference.sh)
# exits 1 with the listed cases among its failures. These binaries stay in
# this build directory; nothing installs them.
#
# A mutation whose target text is no longer in the reference stops the
# configure, so a refactor cannot silently disarm a defect: update the target
# text here when that happens.
set(REF ${PROJECT_SOURCE_DIR}/reference)
# libsplinter too (the node's Splinter service and ops use it), so a defect
# can mutate it as well; its table generator is a program of its own.
file(GLOB DEFECT_SOURCES ${REF}/src/*.c ${REF}/node/src/*.c
  ${REF}/splinter/src/*.c)
list(FILTER DEFECT_SOURCES EXCLUDE REGEX "/splinter/src/fault_table_gen\\.c$")
list(APPEND DEFECT_SOURCES ${REF}/json/ttj.c)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${DEFECT_SOURCES})

# seeded_defect(NAME FILE OLD NEW CHECKS...): FILE is relative to
# reference/ (src/frame.c, node/src/conn.c, splinter/src/validate.c); OLD
# must occur exactly once in it. Each CHECK is a case id (or glob) that must
# FAIL, or CASE=TEXT: that case's detail must hold TEXT (the SP- requirement
# a Splinter defect breaks). An empty OLD builds the copies unchanged, which
# must pass. The run takes --vectors DEFECT_VECTORS and DEFECT_ARGS.
set(DEFECT_VECTORS ${FIX})
set(DEFECT_ARGS "")
function(seeded_defect name file old new)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/defect-${name})
  set(srcs "")
  set(gen "")
  foreach(src ${DEFECT_SOURCES})
    file(RELATIVE_PATH rel ${REF} ${src})
    file(READ ${src} text)
    if(rel STREQUAL file AND NOT old STREQUAL "")
      string(LENGTH "${text}" before)
      string(REPLACE "${old}" "" without "${text}")
      string(LENGTH "${without}" after)
      string(LENGTH "${old}" olen)
      math(EXPR count "(${before} - ${after}) / ${olen}")
      if(NOT count EQUAL 1)
        message(FATAL_ERROR
          "seeded defect '${name}': the text\n  ${old}\noccurs ${count} "
          "times in reference/${file} (must be exactly once); update "
          "runner/tests/defects.cmake to the reference's current code")
      endif()
      string(REPLACE "${old}" "${new}" text "${text}")
    endif()
    # Rewritten only when the content changes, so builds stay incremental.
    file(WRITE ${dir}/${rel}.in "${text}")
    configure_file(${dir}/${rel}.in ${dir}/${rel} COPYONLY)
    if(rel STREQUAL "src/crc8_tables_gen.c")
      set(gen ${dir}/${rel})
    else()
      list(APPEND srcs ${dir}/${rel})
    endif()
  endforeach()
  if(NOT gen)
    message(FATAL_ERROR "reference/src/crc8_tables_gen.c not found")
  endif()

  # The CRC tables come from the (possibly mutated) generator.
  add_executable(tt_defect_${name}_gen ${gen})
  target_include_directories(tt_defect_${name}_gen PRIVATE
    ${REF}/src ${REF}/include)
  set_target_properties(tt_defect_${name}_gen PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${dir})
  add_custom_command(OUTPUT ${dir}/crc8_tables.c
    COMMAND tt_defect_${name}_gen ${dir}/crc8_tables.c
    DEPENDS tt_defect_${name}_gen)

  add_executable(tt_defect_${name} ${srcs} ${dir}/crc8_tables.c)
  target_include_directories(tt_defect_${name} PRIVATE
    ${REF}/include ${REF}/src ${REF}/json ${REF}/node/src
    ${REF}/splinter/include ${REF}/splinter/src)
  target_compile_definitions(tt_defect_${name} PRIVATE _GNU_SOURCE)
  target_link_libraries(tt_defect_${name} PRIVATE PkgConfig::CJSON m)
  set_target_properties(tt_defect_${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${dir})

  set(checks "")
  foreach(c ${ARGN})
    if(c MATCHES "=")
      list(APPEND checks --detail ${c})
    else()
      list(APPEND checks --fail ${c})
    endif()
  endforeach()
  # Short timeouts for the defects: a defective node makes many cases wait
  # for echoes that never come, and on a busy machine a spurious timeout can
  # only add a failure to a run that must fail anyway (the listed cases fail
  # for their mutation, not for time). The unchanged copies must pass, so
  # they get the default timeout, which nothing waits out when every echo
  # comes back.
  if(old STREQUAL "")
    set(code 0)
    set(timeout "")
  else()
    set(code 1)
    set(timeout --timeout-ms 300)
  endif()
  runner_test(defect.${name} --exit ${code} ${checks}
    -- ${CMAKE_COMMAND} -E env TT_NODE=$<TARGET_FILE:tt_defect_${name}>
       ${REFSH} ${BIN} --vectors ${DEFECT_VECTORS} ${timeout} ${DEFECT_ARGS})
endfunction()

# The copies alone build a node that passes: every failure below comes from
# its mutation. It runs the Splinter fixtures too (SPLINTER_VECTORS:
# splinter.cmake), so the Splinter defects below are measured against it.
set(DEFECT_VECTORS ${SPLINTER_VECTORS})
seeded_defect(none src/frame.c "" "")
set(DEFECT_VECTORS ${FIX})

seeded_defect(crc_wrong_polynomial src/crc8_tables_gen.c
  ": v[n].poly;" ": v[n].poly ^ 0x10u;"
  codec.decode.cf-example-1 codec.encode.cf-example-1
  codec.stream.cs-spec-example wire.tcp.echo.cf-example-1)
seeded_defect(crc_over_padding src/frame.c
  "buf + hlen + 1, 2u + used)"
  "buf + hlen + 1, 2u + (used & 0u) + tt_block_size(buf[1] >> 4, buf[1] & TT_FLAG_BIG))"
  codec.decode.cf-example-1 codec.decode.cf-example-2
  wire.tcp.echo.cf-example-1)
seeded_defect(crc_without_header src/frame.c
  "tt_crc8_update(crc, tt_crc8_init(crc), buf, hlen)" "tt_crc8_init(crc)"
  codec.decode.cf-example-1 codec.decode.cf-big
  wire.tcp.echo.cf-example-2)
seeded_defect(used_len_little_endian src/frame.c
  "out->used_len = tt_get_u16be(buf + hlen + 1);"
  "out->used_len = (uint16_t)(buf[hlen + 1] | buf[hlen + 2] << 8);"
  codec.decode.cf-example-1 codec.decode.cf-used-256
  wire.tcp.echo.cf-used-256)
seeded_defect(has_ext_ignored src/frame.c
  "(byte1 & TT_FLAG_EXT) ? TT_EXT_LEN" "(byte1 & 0) ? TT_EXT_LEN"
  codec.decode.cf-example-2 codec.encode.cf-example-2
  wire.tcp.echo.cf-example-2)
seeded_defect(big_mode_ignored src/frame.c
  "<< (big ? 1 : 0)" "<< (big ? 0 : 0)"
  codec.decode.cf-big codec.encode.cf-big codec.decode.cf-largest
  wire.tcp.largest)
seeded_defect(used_len_overflow_accepted src/frame.c
  "if (out->used_len > block)" "if (out->used_len > block + 65536u)"
  codec.decode.cf-used-17 codec.decode.cf-used-roaming)
seeded_defect(crc_never_checked src/frame.c
  "if (out->crc_computed != out->crc)"
  "if (out->crc_computed != out->crc && 0)"
  codec.decode.cf-crc-byte codec.decode.cf-crc-payload
  codec.stream.cs-spec-example wire.tcp.invalid.cf-crc-byte)
seeded_defect(crash_on_bad_frame node/src/conn.c
  "note_discard(c, &ev);" "note_discard(c, &ev);\n            __builtin_trap();"
  wire.tcp.invalid.cf-used-17 wire.tcp.invalid.cf-crc-byte
  wire.tcp.onebyte)
seeded_defect(echo_stops_after_bad_frame node/src/conn.c
  "queue(c, ev.frame.bytes, ev.frame.frame_len);"
  "if (c->discarded == 0)\n            queue(c, ev.frame.bytes, ev.frame.frame_len);"
  wire.tcp.invalid.cf-used-17 wire.tcp.invalid.cf-crc-byte
  wire.tcp.invalid.cf-crc-roaming)

# ---- Splinter (issue 12): defects of libsplinter and the service ------------
# Run on the Core Frame and Splinter fixtures with only the Splinter cases
# selected; each must name the SP- requirement it breaks.
set(DEFECT_VECTORS ${SPLINTER_VECTORS})
set(DEFECT_ARGS --case "splinter.*")
seeded_defect(sp_wrong_fault_code splinter/src/validate.c
  "fail(chk, SP_FAULT_UNKNOWN_TYPE, \"SP-4-a\""
  "fail(chk, SP_FAULT_BAD_SCHEMA, \"SP-4-a\""
  splinter.wire.tcp.fault.3000 splinter.codec.validate.se-type-unknown
  "splinter.wire.tcp.fault.3000=SP-4-a: expected fault 3000 UNKNOWN_TYPE"
  "splinter.codec.validate.se-type-unknown=SP-4-a: expected fault 3000")
seeded_defect(sp_wrong_check_order splinter/src/validate.c
  "    /* Stage 2: the type (SP-4-a). */"
  "    if (now && env->has_ttl) {
        sp_time late = sp_time_add_ms(&env->ts, env->ttl_ms);
        if (sp_time_cmp(now, &late) > 0) {
            fail(chk, SP_FAULT_TTL_EXPIRED, \"SP-5.1-a\", \"too late\");
            return chk->fault;
        }
    }
    /* Stage 2: the type (SP-4-a). */"
  splinter.wire.tcp.order.payload_before_ttl
  splinter.codec.validate.se-order-payload-before-ttl
  "splinter.wire.tcp.order.payload_before_ttl=SP-7-a: expected fault 1000"
  "splinter.codec.validate.se-order-payload-before-ttl=SP-7-a: expected fault 1000")
seeded_defect(sp_no_heartbeat_reply node/src/splinter_node.c
  "return !env->has_seq && for_us(s, env->to);" "return s == NULL; /* never */"
  splinter.wire.tcp.heartbeat splinter.wire.tcp.fault.no_reply
  "splinter.wire.tcp.heartbeat=SP-4-f: expected the heartbeat")
seeded_defect(sp_gap_accepted splinter/src/reasm.c
  "        if (!h->text)
            break;"
  "        if (!h->text && (!s->eof_seen || s->base > s->eof_seq))
            break;
        if (!h->text) {
            s->base++;
            continue;
        }"
  splinter.wire.tcp.stream.gap splinter.codec.reassemble.ss-gap-times-out
  "splinter.wire.tcp.stream.gap=SP-8-c: expected fault 4200 STREAM_TIMEOUT"
  "splinter.codec.reassemble.ss-gap-times-out=SP-8-g,SP-8-c: expected fault 4200")
seeded_defect(sp_duplicate_delivered_twice splinter/src/reasm.c
  "            d->hash == fnv1a(text, len)) {
            res->notes |= SP_NOTE_DUPLICATE_CHUNK;
            return 0;"
  "            d->hash == fnv1a(text, len)) {
            struct ready *rd = malloc(sizeof *rd);
            if (!rd)
                return 0;
            *rd = (struct ready){text, len, NULL};
            if (s->tail)
                s->tail->next = rd;
            else
                s->head = rd;
            s->tail = rd;
            s->nready++;
            s->bytes += len;
            r->bytes += len;
            return 1;"
  splinter.wire.tcp.chunked.duplicate
  splinter.codec.reassemble.ss-duplicate-dropped
  "splinter.wire.tcp.chunked.duplicate=SP-8-e: expected the response's payload"
  "splinter.codec.reassemble.ss-duplicate-dropped=SP-8-e: payloads")
seeded_defect(sp_ttl_off_by_one splinter/src/validate.c
  "if (sp_time_cmp(now, &deadline) > 0) {"
  "if (sp_time_cmp(now, &deadline) >= 0) {"
  splinter.codec.validate.se-ttl-equal-on-time
  "splinter.codec.validate.se-ttl-equal-on-time=SP-5.1-a: expected a valid envelope, actual fault TTL_EXPIRED")
# A full inbox (here after 4 lines) drops queries instead of answering
# 4100: the flood finds the queries lost.
seeded_defect(sp_flood_lost node/src/splinter_node.c
  "    } else if (s->inbox_n >= s->o->inbox ||
               s->inbox_bytes + len > INBOX_BYTES_MAX) {
        char detail[96];
        snprintf(detail, sizeof detail, \"the inbox is full (%zu lines, \"
                 \"--inbox %u)\", s->inbox_n, s->o->inbox);
        reply_fault_to(s, c, env.id, env.from, SP_FAULT_BACKPRESSURE, detail);"
  "    } else if (s->inbox_n >= 4) {
        /* dropped without a word */"
  splinter.wire.tcp.flood
  "splinter.wire.tcp.flood=SP-9.1-c: "
  "splinter.wire.tcp.flood=queries answered: every query gets a response or fault 4100")
set(DEFECT_VECTORS ${FIX})
set(DEFECT_ARGS "")
