/* The stream reassembler (spec section 8: SP-8-a to SP-8-i). Time is only
 * the supplied `now`. */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

static const sp_time T0 = {SP_TEST_SEC, SP_TEST_NSEC}; /* the chunks' ts */

/* Validates a chunk line built from the parts; ttl < 0 leaves ttl_ms out. */
static void make(sp_envelope *env, const char *from, const char *id,
                 const char *type, unsigned seq, bool eof, const char *payload,
                 long ttl)
{
    char line[1024], ttl_s[40] = "";
    if (ttl >= 0)
        snprintf(ttl_s, sizeof ttl_s, ",\"ttl_ms\":%ld", ttl);
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"ts\":\"" SP_TEST_TS "\",\"from\":\"%s\","
             "\"type\":\"%s\",\"seq\":%u,\"eof\":%s%s,\"payload\":%s}",
             id, from, type, seq, eof ? "true" : "false", ttl_s, payload);
    sp_check chk;
    if (sp_validate(line, strlen(line), NULL, NULL, env, &chk) != 0)
        fail_msg("invalid test chunk %s: %s", line, chk.detail);
}

/* Pushes one chunk of stream (chat, s1, response) at `now`. */
static sp_chunk_result push_at(sp_reasm *r, unsigned seq, bool eof,
                               const char *payload, long ttl,
                               const sp_time *now)
{
    sp_envelope env;
    make(&env, "chat", "s1", "response", seq, eof, payload, ttl);
    sp_chunk_result res;
    assert_int_equal(sp_reasm_push(r, &env, now, &res), 0);
    sp_envelope_free(&env);
    return res;
}

static sp_chunk_result push(sp_reasm *r, unsigned seq, bool eof,
                            const char *payload)
{
    return push_at(r, seq, eof, payload, -1, &T0);
}

static void expect_chunk_fault(sp_chunk_result res, int fault, const char *req)
{
    if (res.fault != fault || !res.req || strcmp(res.req, req) != 0)
        fail_msg("got %d %s (%s), want %d %s", res.fault,
                 res.req ? res.req : "-", res.detail, fault, req);
}

static void expect_take(sp_reasm *r, const char *want)
{
    char *p = NULL;
    assert_int_equal(sp_reasm_take(r, "chat", "s1", &p), 1);
    assert_string_equal(p, want);
    free(p);
}

/* SP-8-b, SP-8-c: in order, delivered as it comes, complete at eof. */
static void in_order(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    assert_non_null(r);
    sp_chunk_result res = push(r, 0, false, "\"a\"");
    assert_int_equal(res.fault, 0);
    assert_int_equal(res.ready, 1);
    assert_false(res.complete);
    expect_take(r, "\"a\"");
    char *p;
    assert_int_equal(sp_reasm_take(r, "chat", "s1", &p), 0);
    res = push(r, 1, false, "{ \"b\" : [1, 2] }");
    assert_int_equal(res.ready, 1);
    res = push(r, 2, true, "null");
    assert_int_equal(res.ready, 2);
    assert_true(res.complete);
    assert_true(sp_reasm_complete(r, "chat", "s1"));
    expect_take(r, "{\"b\":[1,2]}"); /* compact JSON text */
    expect_take(r, "null");
    assert_int_equal(sp_reasm_bytes(r), 0);
    /* A one-chunk stream. */
    sp_envelope env;
    make(&env, "chat", "one", "event", 0, true, "7", -1);
    assert_int_equal(sp_reasm_push(r, &env, &T0, &res), 0);
    assert_true(res.complete);
    assert_int_equal(res.ready, 1);
    sp_envelope_free(&env);
    sp_reasm_free(r);
}

/* SP-8-c, SP-8-d: out of order within the window, delivered in seq order. */
static void reordered(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    sp_chunk_result res = push(r, 2, true, "2");
    assert_int_equal(res.fault, 0);
    assert_int_equal(res.ready, 0);
    res = push(r, 1, false, "1");
    assert_int_equal(res.ready, 0);
    assert_false(res.complete);
    res = push(r, 0, false, "0");
    assert_int_equal(res.ready, 3);
    assert_true(res.complete);
    expect_take(r, "0");
    expect_take(r, "1");
    expect_take(r, "2");
    sp_reasm_free(r);
}

/* SP-8-d window of 64; SP-8-f past it. */
static void window(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    assert_int_equal(push(r, 63, false, "63").fault, 0);
    expect_chunk_fault(push(r, 64, false, "64"), 1000, "SP-8-f");
    assert_int_equal(push(r, 0, false, "0").ready, 1);
    assert_int_equal(push(r, 64, false, "64").fault, 0); /* base is 1 now */
    expect_chunk_fault(push(r, 65, false, "65"), 1000, "SP-8-f");
    for (unsigned s = 1; s < 63; s++)
        assert_int_equal(push(r, s, false, "0").fault, 0);
    assert_int_equal(push(r, 65, false, "65").fault, 0);
    assert_int_equal(push(r, 100, true, "100").fault, 0);
    sp_reasm_free(r);
}

/* SP-8-e identical duplicates dropped with a note; SP-8-f conflicting ones. */
static void duplicates(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    push(r, 0, false, "{\"a\":1}");
    push(r, 2, true, "\"two\"");
    /* held duplicate, identical up to whitespace */
    sp_chunk_result res = push(r, 2, true, " \"two\" ");
    assert_int_equal(res.fault, 0);
    assert_int_equal(res.notes, SP_NOTE_DUPLICATE_CHUNK);
    expect_chunk_fault(push(r, 2, true, "\"deux\""), 1000, "SP-8-f");
    expect_chunk_fault(push(r, 2, false, "\"two\""), 1000, "SP-8-f");
    /* delivered duplicate */
    res = push(r, 0, false, "{ \"a\": 1 }");
    assert_int_equal(res.fault, 0);
    assert_int_equal(res.notes, SP_NOTE_DUPLICATE_CHUNK);
    assert_int_equal(res.ready, 1); /* not delivered twice */
    expect_chunk_fault(push(r, 0, false, "{\"a\":2}"), 1000, "SP-8-f");
    expect_chunk_fault(push(r, 0, false, "{\"a\":1,\"b\":0}"), 1000, "SP-8-f");
    expect_chunk_fault(push(r, 0, true, "{\"a\":1}"), 1000, "SP-8-f");
    res = push(r, 1, false, "1");
    assert_true(res.complete);
    assert_int_equal(res.ready, 3);
    expect_take(r, "{\"a\":1}");
    expect_take(r, "1");
    expect_take(r, "\"two\"");
    char *p;
    assert_int_equal(sp_reasm_take(r, "chat", "s1", &p), 0);
    sp_reasm_free(r);
}

/* SP-8-f: chunks after eof, a second eof, an eof below a held seq, a seq
 * below the window, a chunk for a complete stream. */
static void after_eof(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    push(r, 2, true, "2");
    expect_chunk_fault(push(r, 3, false, "3"), 1000, "SP-8-f");
    expect_chunk_fault(push(r, 1, true, "1"), 1000, "SP-8-f");
    push(r, 0, false, "0");
    push(r, 1, false, "1");
    assert_true(sp_reasm_complete(r, "chat", "s1"));
    expect_chunk_fault(push(r, 1, false, "1"), 1000, "SP-8-f");
    sp_reasm_free(r);

    r = sp_reasm_new(NULL);
    push(r, 5, false, "5");
    expect_chunk_fault(push(r, 3, true, "3"), 1000, "SP-8-f");
    sp_reasm_free(r);

    r = sp_reasm_new(NULL);
    for (unsigned s = 0; s < 100; s++)
        assert_int_equal(push(r, s, false, "0").fault, 0);
    assert_int_equal(push(r, 36, false, "0").notes, SP_NOTE_DUPLICATE_CHUNK);
    expect_chunk_fault(push(r, 35, false, "0"), 1000, "SP-8-f");
    sp_reasm_free(r);
}

/* SP-8-a: streams keyed by (from, id); a chunk of another type is 1000. */
static void stream_key(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    push(r, 0, false, "0");
    sp_envelope env;
    sp_chunk_result res;
    make(&env, "chat", "s1", "query", 1, true, "1", -1);
    assert_int_equal(sp_reasm_push(r, &env, &T0, &res), 0);
    expect_chunk_fault(res, 1000, "SP-8-a");
    sp_envelope_free(&env);
    make(&env, "other", "s1", "query", 0, true, "\"x\"", -1);
    assert_int_equal(sp_reasm_push(r, &env, &T0, &res), 0);
    assert_int_equal(res.fault, 0);
    assert_true(res.complete);
    sp_envelope_free(&env);
    assert_int_equal(sp_reasm_streams(r), 2);
    /* Not a chunk: the caller's error. */
    const char *whole = "{\"id\":\"w\",\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\","
                        "\"type\":\"query\",\"payload\":1}";
    sp_check chk;
    assert_int_equal(sp_validate(whole, strlen(whole), NULL, NULL, &env, &chk), 0);
    assert_int_equal(sp_reasm_push(r, &env, &T0, &res), SP_ERR_INVALID_ARGUMENT);
    sp_envelope_free(&env);
    char *p;
    assert_int_equal(sp_reasm_take(r, "chat", "nope", &p), SP_ERR_NOT_FOUND);
    sp_reasm_free(r);
}

/* SP-8-g: the deadline from ts + ttl_ms, equal is on time; 4200. */
static void timeout_ttl(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    sp_chunk_result res = push_at(r, 0, false, "0", 1000, &T0);
    assert_int_equal(res.fault, 0);
    sp_time at = sp_time_add_ms(&T0, 1000);
    sp_expired x;
    assert_int_equal(sp_reasm_expire(r, &at, &x), 0);
    at.nsec++;
    assert_int_equal(sp_reasm_expire(r, &at, &x), 1);
    assert_string_equal(x.id, "s1");
    assert_string_equal(x.from, "chat");
    assert_int_equal(x.type, SP_TYPE_RESPONSE);
    assert_int_equal(x.next_seq, 1);
    assert_false(x.eof_seen);
    /* The 4200 reply a service sends. */
    char *out = NULL;
    assert_true(sp_error_envelope(x.id, x.from, SP_FAULT_STREAM_TIMEOUT, NULL,
                                  "svc", &at, &out) > 0);
    assert_non_null(strstr(out, "\"to\":\"chat\",\"type\":\"error\","
                                "\"payload\":{\"code\":4200,"));
    free(out);
    free(x.from);
    assert_int_equal(sp_reasm_expire(r, &at, &x), 0);
    assert_int_equal(sp_reasm_streams(r), 0);
    /* A gap with eof seen times out too. */
    push_at(r, 2, true, "2", 10, &T0);
    at = sp_time_add_ms(&T0, 11);
    assert_int_equal(sp_reasm_expire(r, &at, &x), 1);
    assert_true(x.eof_seen);
    assert_int_equal(x.next_seq, 0);
    free(x.from);
    assert_int_equal(sp_reasm_bytes(r), 0);
    sp_reasm_free(r);
}

/* SP-8-g: without ttl_ms, 30 000 ms from the first arrival. */
static void timeout_default(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    sp_time arrival = sp_time_add_ms(&T0, 5000); /* arrives late, no ttl */
    push_at(r, 1, false, "1", -1, &arrival);
    sp_time at = sp_time_add_ms(&arrival, SP_STREAM_TIMEOUT_MS);
    sp_expired x;
    assert_int_equal(sp_reasm_expire(r, &at, &x), 0);
    at.nsec++;
    assert_int_equal(sp_reasm_expire(r, &at, &x), 1);
    free(x.from);
    sp_reasm_free(r);
    /* A limit of the caller's choosing. */
    const sp_reasm_limits lim = {0, 0, 0, 10};
    r = sp_reasm_new(&lim);
    push_at(r, 0, false, "0", -1, &T0);
    at = sp_time_add_ms(&T0, 10);
    assert_int_equal(sp_reasm_expire(r, &at, &x), 0);
    at = sp_time_add_ms(&T0, 11);
    assert_int_equal(sp_reasm_expire(r, &at, &x), 1);
    free(x.from);
    sp_reasm_free(r);
}

/* SP-8-i: a complete stream is remembered until its deadline, then
 * forgotten without a fault; the key then opens a new stream. */
static void complete_forgotten(void **state)
{
    (void)state;
    sp_reasm *r = sp_reasm_new(NULL);
    push_at(r, 0, true, "0", 100, &T0);
    expect_take(r, "0");
    sp_time at = sp_time_add_ms(&T0, 50);
    expect_chunk_fault(push_at(r, 0, true, "0", 100, &at), 1000, "SP-8-f");
    at = sp_time_add_ms(&T0, 101);
    sp_expired x;
    assert_int_equal(sp_reasm_expire(r, &at, &x), 0);
    assert_int_equal(sp_reasm_streams(r), 0);
    sp_chunk_result res = push_at(r, 0, true, "0", 1000, &at);
    assert_int_equal(res.fault, 0);
    assert_true(res.complete);
    sp_reasm_free(r);
}

/* SP-8-h: memory caps per stream and overall, and the stream count; 4100
 * for the chunk, the stream unchanged. */
static void limits(void **state)
{
    (void)state;
    const sp_reasm_limits lim = {2, 10, 16, 0};
    sp_reasm *r = sp_reasm_new(&lim);
    assert_int_equal(push(r, 1, false, "\"abcdef\"").fault, 0); /* 8 */
    expect_chunk_fault(push(r, 2, false, "\"abc\""), 4100, "SP-8-h"); /* 13 */
    expect_chunk_fault(push(r, 2, false, "\"a\""), 4100, "SP-8-h"); /* 11 */
    assert_int_equal(push(r, 2, false, "\"\"").fault, 0); /* 10: the cap */
    assert_int_equal(sp_reasm_bytes(r), 10);
    /* A second stream; the overall cap (16) counts both. */
    sp_envelope env;
    sp_chunk_result res;
    make(&env, "chat", "s2", "response", 1, false, "\"abcde\"", -1); /* 7 */
    assert_int_equal(sp_reasm_push(r, &env, &T0, &res), 0);
    expect_chunk_fault(res, 4100, "SP-8-h");
    sp_envelope_free(&env);
    make(&env, "chat", "s2", "response", 1, false, "\"abcd\"", -1); /* 6 */
    assert_int_equal(sp_reasm_push(r, &env, &T0, &res), 0);
    assert_int_equal(res.fault, 0);
    sp_envelope_free(&env);
    assert_int_equal(sp_reasm_bytes(r), 16);
    /* A third stream is one too many. */
    make(&env, "chat", "s3", "response", 0, true, "1", -1);
    assert_int_equal(sp_reasm_push(r, &env, &T0, &res), 0);
    expect_chunk_fault(res, 4100, "SP-8-h");
    assert_int_equal(sp_reasm_streams(r), 2);
    sp_envelope_free(&env);
    /* s1 is at both caps: even its 1-byte seq 0 is refused. */
    res = push(r, 0, false, "0");
    expect_chunk_fault(res, 4100, "SP-8-h");
    assert_int_equal(sp_reasm_bytes(r), 16);
    sp_reasm_free(r);

    /* The default stream count is SP_MAX_STREAMS. */
    r = sp_reasm_new(NULL);
    char id[32];
    for (unsigned i = 0; i <= SP_MAX_STREAMS; i++) {
        snprintf(id, sizeof id, "s%u", i);
        make(&env, "chat", id, "response", 1, false, "1", -1);
        assert_int_equal(sp_reasm_push(r, &env, &T0, &res), 0);
        assert_int_equal(res.fault, i < SP_MAX_STREAMS ? 0 : 4100);
        sp_envelope_free(&env);
    }
    sp_reasm_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_order),        cmocka_unit_test(reordered),
        cmocka_unit_test(window),          cmocka_unit_test(duplicates),
        cmocka_unit_test(after_eof),       cmocka_unit_test(stream_key),
        cmocka_unit_test(timeout_ttl),     cmocka_unit_test(timeout_default),
        cmocka_unit_test(complete_forgotten), cmocka_unit_test(limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
