/*
 * Unit tests of the runner's reply reader (tr_reply_parse) and judge
 * (tr_codec_judge): the line-level rules of spec/harness.md (HP-2-a one
 * JSON object per line, HP-3.1-a the request's id, HP-3.1-b unknown
 * members ignored) and what the runner refuses because cJSON alone would
 * misread it (NUL bytes, \u0000, bytes after the object, duplicate
 * members, lines whose tree would be too large). Expected answers are
 * written from the spec's examples, not taken from the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"

#ifndef TR_FIXTURES
#error "TR_FIXTURES (the runner's test fixtures) must be defined"
#endif

/* spec/harness.md 3.4: the answer to the decode of example 1. */
#define FRAME_EX1                                                              \
    "{\"class\":2,\"direction\":0,\"size_id\":1,\"big\":false,\"ack\":false," \
    "\"priority\":false,\"ext\":false,\"channel\":7,\"dest\":null,"           \
    "\"crc\":16,\"used_len\":3,\"payload\":\"010203\"}"
#define DECODE_EX1 "{\"id\":2,\"ok\":true,\"consumed\":22,\"frame\":" FRAME_EX1 "}"

static char why[1024];

/* Parses `line` (strlen bytes) as the answer to `id`. */
static cJSON *parse(const char *line, long id)
{
    why[0] = '\0';
    return tr_reply_parse(line, strlen(line), id, why, sizeof why);
}

static void refused(const char *line, long id, const char *reason)
{
    cJSON *o = parse(line, id);
    if (o || !strstr(why, reason))
        fail_msg("%s: expected a refusal with \"%s\", got %s \"%s\"", line,
                 reason, o ? "an object" : "the reason", why);
}

static void accepted(const char *line, long id)
{
    cJSON *o = parse(line, id);
    if (!cJSON_IsObject(o))
        fail_msg("%.200s: refused: %s", line, why);
    cJSON_Delete(o);
}

static void pinned_answers_are_read(void **state)
{
    (void)state;
    cJSON *o = parse(DECODE_EX1, 2);
    assert_non_null(o);
    assert_int_equal(cJSON_GetObjectItem(o, "consumed")->valueint, 22);
    cJSON_Delete(o);
    accepted("{\"id\":3,\"ok\":false,\"error\":\"truncated\"}", 3);
    /* HP-3.8-a: a bad_request may carry no id, or null. */
    accepted("{\"ok\":false,\"error\":\"bad_request\"}", -1);
    accepted("{\"id\":null,\"ok\":false,\"error\":\"bad_request\"}", -1);
    /* The same number written otherwise is the same id. */
    accepted("{\"id\":2.0,\"ok\":false,\"error\":\"truncated\"}", 2);
    accepted("{\"id\":2e0,\"ok\":false,\"error\":\"truncated\"}", 2);
}

static void the_request_id_is_required(void **state)
{
    (void)state;
    refused("{\"id\":3,\"ok\":false,\"error\":\"truncated\"}", 2,
            "response has id 3, expected 2");
    refused("{\"ok\":false,\"error\":\"truncated\"}", 2,
            "no integer id (expected 2)");
    refused("{\"id\":\"2\",\"ok\":false,\"error\":\"truncated\"}", 2,
            "no integer id");
    refused("{\"id\":2.5,\"ok\":false,\"error\":\"truncated\"}", 2,
            "response has id");
}

static void one_object_per_line(void **state)
{
    (void)state;
    refused("", 1, "not a JSON object");
    refused("   ", 1, "not a JSON object");
    refused("null", 1, "not a JSON object");
    refused("[{\"id\":1,\"ok\":true}]", 1, "not a JSON object");
    refused("{\"id\":1,\"ok\":true", 1, "not a JSON object");
    refused("{\"id\":1,\"ok\":false,\"error\":\"truncated\"} x", 1,
            "more than one JSON value");
    refused("{\"id\":1,\"ok\":false,\"error\":\"truncated\"}}", 1,
            "more than one JSON value");
    refused("{\"id\":1,\"ok\":false,\"error\":\"truncated\"}{\"id\":1}", 1,
            "more than one JSON value");
    /* JSON whitespace around the object is JSON. */
    accepted(" {\"id\":1,\"ok\":false,\"error\":\"truncated\"} \t\r", 1);
}

static void nul_is_refused(void **state)
{
    (void)state;
    static const char raw[] = "{\"id\":1,\"ok\":false,\"error\":\"truncated\"}"
                              "\0garbage";
    cJSON *o = tr_reply_parse(raw, sizeof raw - 1, 1, why, sizeof why);
    assert_null(o);
    assert_non_null(strstr(why, "NUL byte at offset 39"));
    /* cJSON would read "truncated" out of these two. */
    refused("{\"id\":1,\"ok\":false,\"error\":\"truncated\\u0000, no\"}", 1,
            "a string holds \\u0000");
    refused("{\"id\":1,\"ok\":false,\"error\":\"truncated\",\"a\\u0000\":1}", 1,
            "a string holds \\u0000");
    /* An escaped backslash followed by "u0000" is six plain characters. */
    cJSON *t = parse("{\"id\":1,\"ok\":false,\"error\":\"\\\\u0000\"}", 1);
    assert_non_null(t);
    assert_string_equal(cJSON_GetObjectItem(t, "error")->valuestring,
                        "\\u0000");
    cJSON_Delete(t);
}

static void duplicate_members_are_refused(void **state)
{
    (void)state;
    refused("{\"id\":1,\"ok\":false,\"error\":\"crc_mismatch\",\"ok\":true}",
            1, "the member \"ok\" twice");
    refused("{\"id\":1,\"ok\":true,\"consumed\":22,\"frame\":"
            "{\"class\":2,\"class\":3}}",
            1, "the member \"class\" twice");
    /* The same name, escaped: the same member. */
    refused("{\"id\":1,\"ok\":false,\"error\":\"truncated\","
            "\"\\u0065rror\":\"crc_mismatch\"}",
            1, "the member \"error\" twice");
    /* A wide object (sorted, not compared pairwise): the repeat at the end. */
    char wide[4096];
    size_t n = (size_t)snprintf(wide, sizeof wide, "{\"id\":1");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(wide + n, sizeof wide - n, ",\"k%d\":0", i);
    snprintf(wide + n, sizeof wide - n, ",\"k42\":1}");
    refused(wide, 1, "the member \"k42\" twice");
    /* One name in two objects is no repeat. */
    accepted("{\"id\":1,\"ok\":true,\"a\":{\"x\":1},\"b\":{\"x\":1}}", 1);
}

/* A line of `n` answer-shaped objects, the events of a stream answer. */
static char *events_line(size_t n, const char *event)
{
    size_t each = strlen(event) + 1;
    char *s = malloc(64 + n * each);
    assert_non_null(s);
    size_t at = (size_t)sprintf(s, "{\"id\":1,\"ok\":true,\"events\":[");
    for (size_t i = 0; i < n; i++)
        at += (size_t)sprintf(s + at, "%s%s", i ? "," : "", event);
    sprintf(s + at, "],\"pending\":0}");
    return s;
}

static void the_tree_is_bounded(void **state)
{
    (void)state;
    /* The largest answer a runner request can draw (HP-2-f: a stream
     * request of 96 KiB, the interop batch; CF frames are 6 bytes at
     * least) is read. */
    char *big = events_line(96 * 1024 / 6, "{\"frame\":" FRAME_EX1 "}");
    accepted(big, 1);
    free(big);
    /* Ten times the values in fewer bytes would build a tree of hundreds
     * of MiB: refused before parsing. */
    char *bomb = events_line(2000000, "0");
    assert_true(strlen(bomb) < TR_LINE_CAP);
    refused(bomb, 1, "would take more than 48 MiB to parse");
    free(bomb);
}

static void reasons_are_sanitised(void **state)
{
    (void)state;
    refused("\x1b[2J not json \xff", 1, "not a JSON object: ?[2J not json ?");
}

/* ---- Judging ---------------------------------------------------------------- */

static tr_vectors vectors;
static tr_cases cases;

static int load(void **state)
{
    (void)state;
    char w[512];
    if (tr_vectors_load(TR_FIXTURES, &vectors, w, sizeof w))
        fail_msg("%s", w);
    tr_vectors_adapt(&vectors, vectors.crc);
    tr_codec_cases(&vectors, &cases);
    return 0;
}

static int unload(void **state)
{
    (void)state;
    tr_cases_free(&cases);
    tr_vectors_free(&vectors);
    return 0;
}

static tr_verdict judge(const char *id, const char *line, char **detail)
{
    for (size_t i = 0; i < cases.n; i++) {
        if (strcmp(cases.c[i].id, id))
            continue;
        cJSON *resp = parse(line, 1);
        if (!resp)
            fail_msg("%s refused: %s", line, why);
        tr_verdict v = tr_codec_judge(&vectors, &cases.c[i], resp, line,
                                      detail);
        cJSON_Delete(resp);
        return v;
    }
    fail_msg("no case %s", id);
    return TR_NOT_RUN;
}

static void expect(const char *id, const char *line, tr_verdict want,
                   const char *in_detail)
{
    char *detail = NULL;
    tr_verdict v = judge(id, line, &detail);
    if (v != want || !strstr(detail, in_detail))
        fail_msg("%s on %s: %s \"%s\", expected %s with \"%s\"", id, line,
                 tr_verdict_name(v), detail, tr_verdict_name(want),
                 in_detail);
    free(detail);
}

static void answers_are_judged(void **state)
{
    (void)state;
    const char *d1 = "codec.decode.cf-example-1";
    expect(d1, "{\"id\":1,\"ok\":true,\"consumed\":22,\"frame\":" FRAME_EX1 "}",
           TR_PASS, "");
    /* HP-3.1-b: members the protocol does not define are ignored. */
    expect(d1, "{\"id\":1,\"ok\":true,\"x-note\":[1,{\"a\":null}],"
               "\"consumed\":22,\"frame\":" FRAME_EX1 "}",
           TR_PASS, "");
    expect(d1, "{\"id\":1,\"ok\":true,\"consumed\":24,\"frame\":" FRAME_EX1 "}",
           TR_FAIL, "Expected: consumed 22");
    expect(d1, "{\"id\":1,\"ok\":true,\"consumed\":\"22\",\"frame\":" FRAME_EX1
               "}",
           TR_FAIL, "no integer \"consumed\"");
    expect(d1, "{\"id\":1,\"ok\":false,\"error\":\"unsupported\"}",
           TR_UNSUPPORTED, "unsupported");
    const char *t1 = "codec.decode.cf-trunc-1";
    expect(t1, "{\"id\":1,\"ok\":false,\"error\":\"\\u0074runcated\"}", TR_PASS,
           "");
    expect(t1, "{\"id\":1,\"ok\":false,\"error\":\"Truncated\"}", TR_FAIL,
           "Actual:   error Truncated");
    expect(t1, "{\"id\":1,\"ok\":false}", TR_FAIL,
           "without an \"error\" string");
    expect("codec.decode.cf-reserved",
           "{\"id\":1,\"ok\":false,\"error\":\"crc_mismatch\"}", TR_INFO,
           "behaviour differs from the vector");
}

int main(void)
{
    const struct CMUnitTest parse_tests[] = {
        cmocka_unit_test(pinned_answers_are_read),
        cmocka_unit_test(the_request_id_is_required),
        cmocka_unit_test(one_object_per_line),
        cmocka_unit_test(nul_is_refused),
        cmocka_unit_test(duplicate_members_are_refused),
        cmocka_unit_test(the_tree_is_bounded),
        cmocka_unit_test(reasons_are_sanitised),
    };
    const struct CMUnitTest judge_tests[] = {
        cmocka_unit_test(answers_are_judged),
    };
    return cmocka_run_group_tests(parse_tests, NULL, NULL) |
           cmocka_run_group_tests(judge_tests, load, unload);
}
