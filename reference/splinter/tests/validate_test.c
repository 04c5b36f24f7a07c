/* The envelope validator: every rule of spec sections 2 to 7 and the order
 * of checks (SP-7-a). Each test names the requirement it holds. */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

/* A valid query; X adds members after "type". */
#define HEAD "{\"id\":\"" SP_TEST_UUID7 "\",\"ts\":\"" SP_TEST_TS "\","
#define ENV(x) HEAD "\"from\":\"chat\",\"to\":\"rag_server\",\"type\":\"query\"" x "}"
#define OK_LINE ENV(",\"payload\":{\"text\":\"hi\"}")

static int validate_n(const char *line, size_t len, const cJSON *allow,
                      const sp_time *now, sp_check *chk)
{
    sp_envelope env;
    int r = sp_validate(line, len, allow, now, &env, chk);
    sp_envelope_free(&env);
    return r;
}

static void expect_fault_n(const char *line, size_t len, int fault,
                           const char *req)
{
    sp_check chk;
    int r = validate_n(line, len, NULL, NULL, &chk);
    if (r != fault || !chk.req || strcmp(chk.req, req) != 0)
        fail_msg("%.80s: got %d (%s: %s), want %d (%s)", line, r,
                 chk.req ? chk.req : "-", chk.detail, fault, req);
    assert_int_equal(chk.fault, fault);
    assert_true(chk.detail[0] != '\0');
}

static void expect_fault(const char *line, int fault, const char *req)
{
    expect_fault_n(line, strlen(line), fault, req);
}

static unsigned expect_ok(const char *line)
{
    sp_check chk;
    int r = validate_n(line, strlen(line), NULL, NULL, &chk);
    if (r != 0)
        fail_msg("%.80s: got %d (%s: %s), want valid", line, r,
                 chk.req ? chk.req : "-", chk.detail);
    assert_null(chk.req);
    return chk.notes;
}

/* A valid envelope: every view set (SP-3.1-a, SP-3.2-a). */
static void valid_query(void **state)
{
    (void)state;
    sp_envelope env;
    sp_check chk;
    const char *line = ENV(",\"ttl_ms\":5000,\"trace\":\"af-19\",\"payload\":[1,2]");
    assert_int_equal(sp_validate(line, strlen(line), NULL, NULL, &env, &chk), 0);
    assert_string_equal(env.id, SP_TEST_UUID7);
    assert_string_equal(env.from, "chat");
    assert_string_equal(env.to, "rag_server");
    assert_true(env.to_present);
    assert_int_equal(env.type, SP_TYPE_QUERY);
    assert_int_equal(env.ts.sec, SP_TEST_SEC);
    assert_int_equal(env.ts.nsec, SP_TEST_NSEC);
    assert_true(env.has_ttl);
    assert_int_equal(env.ttl_ms, 5000);
    assert_string_equal(env.trace, "af-19");
    assert_true(cJSON_IsArray(env.payload));
    assert_false(env.has_seq);
    assert_int_equal(env.error_code, -1);
    assert_int_equal(chk.notes, 0);
    sp_envelope_free(&env);
    assert_null(env.root);
    assert_int_equal(sp_validate(NULL, 1, NULL, NULL, &env, &chk),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_validate(line, strlen(line), NULL, NULL, NULL, &chk),
                     SP_ERR_INVALID_ARGUMENT);
}

/* SP-2-a: one object per line, LF or CR LF, whitespace around it only. */
static void line_framing(void **state)
{
    (void)state;
    expect_ok(OK_LINE "\n");
    expect_ok(OK_LINE "\r\n");
    expect_ok(" \t" OK_LINE " \t\r\n");
    expect_fault(OK_LINE "x", 1000, "SP-2-a");
    expect_fault(OK_LINE OK_LINE, 1000, "SP-2-a");
    expect_fault(OK_LINE "\n\n", 1000, "SP-2-a"); /* a LF inside the line */
    expect_fault(OK_LINE " \x01", 1000, "SP-2-a");
    expect_fault_n(OK_LINE "\0", strlen(OK_LINE) + 1, 1000, "SP-2-a");
    expect_fault("\xEF\xBB\xBF" OK_LINE, 1000, "SP-2-h"); /* BOM */
    /* Whitespace inside is JSON's only: a form feed is not. */
    expect_fault(HEAD "\"from\":\"chat\",\f\"type\":\"query\",\"payload\":1}",
                 1000, "SP-2-c");
}

/* SP-2-b: UTF-8 only; overlong forms, surrogates, > U+10FFFF refused. */
static void utf8(void **state)
{
    (void)state;
    expect_ok(ENV(",\"payload\":\"\xE2\x82\xAC \xF0\x9F\x98\x80 \xC3\xA9\""));
    expect_ok(ENV(",\"payload\":\"\xF4\x8F\xBF\xBF \xEF\xBF\xBF\""));
    expect_fault(ENV(",\"payload\":\"\xC0\xAF\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xC1\xBF\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xE0\x80\xAF\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xE0\x9F\xBF\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xF0\x80\x80\xAF\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xF0\x8F\xBF\xBF\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xED\xA0\x80\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xED\xBF\xBF\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xF4\x90\x80\x80\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xF5\x80\x80\x80\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\x80\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xE2\x82\""), 1000, "SP-2-b");
    expect_fault(ENV(",\"payload\":\"\xFF\""), 1000, "SP-2-b");
    expect_fault(OK_LINE "\xE2\x82", 1000, "SP-2-b"); /* truncated at end */
    /* Escaped surrogates: a pair is one character, a lone one is bad. */
    expect_ok(ENV(",\"payload\":\"\\ud83d\\ude00\""));
    expect_fault(ENV(",\"payload\":\"\\ud800\""), 1000, "SP-2-c");
    expect_fault(ENV(",\"payload\":\"\\udc00x\""), 1000, "SP-2-c");
}

/* SP-2-c: strict JSON text. */
static void strict_json(void **state)
{
    (void)state;
    expect_ok(ENV(",\"payload\":[0,-0,1.5,-2e-3,1E+9,true,false,null,\"\\/\"]"));
    static const char *const bad[] = {
        ENV(",\"payload\":01"),      ENV(",\"payload\":1."),
        ENV(",\"payload\":.5"),      ENV(",\"payload\":+1"),
        ENV(",\"payload\":1e"),      ENV(",\"payload\":-"),
        ENV(",\"payload\":NaN"),     ENV(",\"payload\":Infinity"),
        ENV(",\"payload\":[1,]"),    ENV(",\"payload\":{\"a\":1,}"),
        ENV(",\"payload\":'x'"),     ENV(",\"payload\":\"a\tb\""),
        ENV(",\"payload\":\"\\x\""), ENV(",\"payload\":\"\\u12\""),
        ENV(",\"payload\":tru"),     ENV(",\"payload\":nul"),
        ENV(",\"payload\":1 2"),     ENV(",\"payload\":{\"a\" 1}"),
        ENV(",\"payload\":[1}"),     ENV(",\"payload\":\"open}"),
        ENV(",/*c*/\"payload\":1"),  ENV(",\"payload\":0x10"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_fault(bad[i], 1000, "SP-2-c");
    /* A number longer than 63 characters is refused by rule. */
    char line[400];
    snprintf(line, sizeof line, ENV(",\"payload\":%s"),
             "1234567890123456789012345678901234567890123456789012345678901234");
    expect_fault(line, 1000, "SP-2-c");
    snprintf(line, sizeof line, ENV(",\"payload\":%s"),
             "123456789012345678901234567890123456789012345678901234567890123");
    expect_ok(line);
}

/* SP-2-d: duplicate member names at any depth, compared unescaped. */
static void duplicates(void **state)
{
    (void)state;
    expect_fault(HEAD "\"from\":\"chat\",\"from\":\"x\",\"type\":\"query\","
                      "\"payload\":1}",
                 1000, "SP-2-d");
    expect_fault(ENV(",\"payload\":{\"a\":{\"b\":[{\"c\":1,\"d\":2,\"c\":3}]}}"),
                 1000, "SP-2-d");
    expect_fault(ENV(",\"payload\":{\"a\":1,\"\\u0061\":2}"), 1000, "SP-2-d");
    expect_fault(ENV(",\"payload\":{\"z\":1,\"y\":2,\"x\":3,\"w\":4,\"v\":5,"
                     "\"u\":6,\"t\":7,\"s\":8,\"z\":9}"),
                 1000, "SP-2-d");
    /* The same name in different objects, or differing in case, is fine. */
    expect_ok(ENV(",\"payload\":{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2},"
                  "\"A\":3}"));
    expect_ok(ENV(",\"payload\":[{\"a\":1},{\"a\":1}]"));
}

static char *nested(unsigned payload_depth)
{
    /* The payload value itself is at depth 2; each '[' is one level. */
    size_t n = payload_depth - 1;
    char *line = malloc(256 + 2 * n);
    assert_non_null(line);
    int off = sprintf(line, HEAD "\"from\":\"c\",\"type\":\"query\",\"payload\":");
    for (size_t i = 0; i < n; i++)
        line[off++] = '[';
    for (size_t i = 0; i < n; i++)
        line[off++] = ']';
    memcpy(line + off, "}", 2);
    return line;
}

/* SP-2-e: depth 64 is valid, 65 is not. */
static void depth(void **state)
{
    (void)state;
    char *l = nested(64);
    expect_ok(l);
    free(l);
    l = nested(65);
    expect_fault(l, 1000, "SP-2-e");
    free(l);
    l = nested(2000); /* deeper than cJSON's own limit: still our rule */
    expect_fault(l, 1000, "SP-2-e");
    free(l);
    expect_ok(ENV(",\"payload\":[{\"a\":[{\"b\":{}}]}]"));
}

/* A valid line of exactly `len` bytes (padding in the payload string). */
static char *line_of(size_t len)
{
    const char *pre = ENV(",\"payload\":\"");
    size_t plen = strlen(pre) - 1; /* without ENV's closing brace */
    char *line = malloc(len + 3);
    assert_non_null(line);
    memset(line, 'a', len + 2);
    line[len + 2] = '\0';
    memcpy(line, pre, plen); // NOLINT(bugprone-not-null-terminated-result)
    line[len - 2] = '"';
    line[len - 1] = '}';
    line[len] = '\r';
    line[len + 1] = '\n';
    return line;
}

/* SP-2-f: 1 MiB exactly is judged; one byte more is 1000. */
static void line_limit(void **state)
{
    (void)state;
    char *l = line_of(SP_LINE_MAX);
    sp_check chk;
    assert_int_equal(validate_n(l, SP_LINE_MAX, NULL, NULL, &chk), 0);
    /* The terminator does not count. */
    assert_int_equal(validate_n(l, SP_LINE_MAX + 2, NULL, NULL, &chk), 0);
    /* A CR without its LF is no terminator: it counts. */
    assert_int_equal(validate_n(l, SP_LINE_MAX + 1, NULL, NULL, &chk), 1000);
    assert_string_equal(chk.req, "SP-2-f");
    free(l);
    l = line_of(SP_LINE_MAX + 1);
    expect_fault_n(l, SP_LINE_MAX + 1, 1000, "SP-2-f");
    expect_fault_n(l, SP_LINE_MAX + 3, 1000, "SP-2-f");
    free(l);
}

/* SP-2-g: no escaped NUL; an escaped backslash before "u0000" is text. */
static void escaped_nul(void **state)
{
    (void)state;
    expect_fault(ENV(",\"payload\":\"a\\u0000b\""), 1000, "SP-2-g");
    expect_fault(ENV(",\"payload\":{\"k\\u0000\":1}"), 1000, "SP-2-g");
    expect_fault(HEAD "\"from\":\"chat\\u0000evil\",\"type\":\"query\","
                      "\"payload\":1}",
                 1000, "SP-2-g");
    expect_ok(ENV(",\"payload\":\"a\\\\u0000b\""));
    expect_ok(ENV(",\"payload\":\"\\u0001\\u00e9\""));
}

/* SP-2-h: only an object is an envelope. */
static void not_an_object(void **state)
{
    (void)state;
    expect_fault("", 1000, "SP-2-h");
    expect_fault("\n", 1000, "SP-2-h");
    expect_fault("  \r\n", 1000, "SP-2-h");
    expect_fault("[]", 1000, "SP-2-h");
    expect_fault("\"x\"", 1000, "SP-2-h");
    expect_fault("42", 1000, "SP-2-h");
    expect_fault("null", 1000, "SP-2-h");
    expect_fault("{", 1000, "SP-2-c");
}

/* SP-3.1-a required members; SP-3.3-b case-sensitive names. */
static void required_members(void **state)
{
    (void)state;
    expect_fault("{\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\",\"type\":\"query\","
                 "\"payload\":1}",
                 1000, "SP-3.1-a");
    expect_fault("{\"id\":\"x\",\"from\":\"c\",\"type\":\"query\",\"payload\":1}",
                 1000, "SP-3.1-a");
    expect_fault(HEAD "\"type\":\"query\",\"payload\":1}", 1000, "SP-3.1-a");
    expect_fault(HEAD "\"from\":\"c\",\"payload\":1}", 1000, "SP-3.1-a");
    expect_fault("{\"ID\":\"x\",\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\","
                 "\"type\":\"query\",\"payload\":1}",
                 1000, "SP-3.1-a");
    /* SP-3.3-b: "Type" is an unknown member, kept; "type" still required. */
    expect_fault(HEAD "\"from\":\"c\",\"Type\":\"query\",\"payload\":1}", 1000,
                 "SP-3.1-a");
}

/* SP-3.1-b id; SP-3.1-c UUIDv7 only recommended (info). */
static void id_member(void **state)
{
    (void)state;
    char line[512], id[200];
    memset(id, 'i', 128);
    id[128] = '\0';
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"ts\":\"%s\",\"from\":\"c\",\"type\":\"event\","
             "\"payload\":1}",
             id, SP_TEST_TS);
    assert_int_equal(expect_ok(line), SP_NOTE_ID_NOT_UUIDV7);
    id[128] = 'i';
    id[129] = '\0';
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"ts\":\"%s\",\"from\":\"c\",\"type\":\"event\","
             "\"payload\":1}",
             id, SP_TEST_TS);
    expect_fault(line, 1000, "SP-3.1-b");
    /* 64 two-byte characters are 128 bytes: valid; 65 are not. */
    char *p = line + sprintf(line, "{\"id\":\"");
    for (int i = 0; i < 65; i++)
        p += sprintf(p, "\xC3\xA9");
    sprintf(p, "\",\"ts\":\"%s\",\"from\":\"c\",\"type\":\"event\",\"payload\":1}",
            SP_TEST_TS);
    expect_fault(line, 1000, "SP-3.1-b");
    expect_fault("{\"id\":\"\",\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\","
                 "\"type\":\"event\",\"payload\":1}",
                 1000, "SP-3.1-b");
    expect_fault("{\"id\":7,\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\","
                 "\"type\":\"event\",\"payload\":1}",
                 1000, "SP-3.1-b");
    expect_fault("{\"id\":null,\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\","
                 "\"type\":\"event\",\"payload\":1}",
                 1000, "SP-3.1-b");
    /* SP-3.1-c: a v1 UUID and a non-UUID are valid, with the note; a v7 in
     * upper case is a v7. */
    assert_int_equal(
        expect_ok("{\"id\":\"2f5b7b20-8e0b-11ee-a1d4-0242ac120002\",\"ts\":\"" SP_TEST_TS
                  "\",\"from\":\"c\",\"type\":\"event\",\"payload\":1}"),
        SP_NOTE_ID_NOT_UUIDV7);
    assert_int_equal(expect_ok("{\"id\":\"0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B\","
                               "\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\","
                               "\"type\":\"event\",\"payload\":1}"),
                     0);
    assert_int_equal(expect_ok(OK_LINE), 0);
}

/* SP-3.1-d: ts; the forms themselves are time_test's. */
static void ts_member(void **state)
{
    (void)state;
    expect_fault("{\"id\":\"x\",\"ts\":1751993652,\"from\":\"c\","
                 "\"type\":\"event\",\"payload\":1}",
                 1000, "SP-3.1-d");
    expect_fault("{\"id\":\"x\",\"ts\":\"2025-07-08T16:54:12-00:00\","
                 "\"from\":\"c\",\"type\":\"event\",\"payload\":1}",
                 1000, "SP-3.1-d");
    expect_fault("{\"id\":\"x\",\"ts\":\"2023-02-29T00:00:00Z\","
                 "\"from\":\"c\",\"type\":\"event\",\"payload\":1}",
                 1000, "SP-3.1-d");
    expect_ok("{\"id\":\"x\",\"ts\":\"2016-12-31T23:59:60.5+00:00\","
              "\"from\":\"c\",\"type\":\"event\",\"payload\":1}");
}

/* SP-3.1-e from; SP-3.2-a to; SP-3.1-f type must be a string. */
static void from_to_type(void **state)
{
    (void)state;
    expect_fault(HEAD "\"from\":\"\",\"type\":\"query\",\"payload\":1}", 1000,
                 "SP-3.1-e");
    expect_fault(HEAD "\"from\":[\"c\"],\"type\":\"query\",\"payload\":1}",
                 1000, "SP-3.1-e");
    expect_fault(HEAD "\"from\":\"c\",\"to\":\"\",\"type\":\"query\","
                      "\"payload\":1}",
                 1000, "SP-3.2-a");
    expect_fault(HEAD "\"from\":\"c\",\"to\":null,\"type\":\"query\","
                      "\"payload\":1}",
                 1000, "SP-3.2-a");
    expect_fault(HEAD "\"from\":\"c\",\"type\":5,\"payload\":1}", 1000,
                 "SP-3.1-f");
    expect_fault(HEAD "\"from\":\"c\",\"type\":null,\"payload\":1}", 1000,
                 "SP-3.1-f");
    sp_envelope env;
    sp_check chk;
    const char *line = HEAD "\"from\":\"c\",\"type\":\"event\",\"payload\":1}";
    assert_int_equal(sp_validate(line, strlen(line), NULL, NULL, &env, &chk), 0);
    assert_string_equal(env.to, "*");
    assert_false(env.to_present);
    sp_envelope_free(&env);
}

/* SP-3.2-b ttl_ms and SP-3.4-a integers read from their digits. */
static void ttl_member(void **state)
{
    (void)state;
    expect_ok(ENV(",\"ttl_ms\":0,\"payload\":1"));
    expect_ok(ENV(",\"ttl_ms\":9007199254740991,\"payload\":1"));
    static const char *const bad[] = {
        ENV(",\"ttl_ms\":9007199254740992,\"payload\":1"),
        ENV(",\"ttl_ms\":99999999999999999999999,\"payload\":1"),
        ENV(",\"ttl_ms\":5000.0,\"payload\":1"),
        ENV(",\"ttl_ms\":5e3,\"payload\":1"),
        ENV(",\"ttl_ms\":-1,\"payload\":1"),
        ENV(",\"ttl_ms\":-0,\"payload\":1"),
        ENV(",\"ttl_ms\":\"5000\",\"payload\":1"),
        ENV(",\"ttl_ms\":true,\"payload\":1"),
        ENV(",\"ttl_ms\":null,\"payload\":1"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_fault(bad[i], 1000, "SP-3.2-b");
    /* SP-3.4-a: the value comes from ttl_ms's own digits, not from another
     * number earlier in the line. */
    sp_envelope env;
    sp_check chk;
    const char *line = "{\"n\":[1.5,2e9,{\"x\":7}],\"id\":\"x\",\"ts\":\"" SP_TEST_TS
                       "\",\"from\":\"c\",\"type\":\"event\",\"payload\":"
                       "[3,4],\"ttl_ms\":1234}";
    assert_int_equal(sp_validate(line, strlen(line), NULL, NULL, &env, &chk), 0);
    assert_int_equal(env.ttl_ms, 1234);
    assert_true(chk.notes & SP_NOTE_UNKNOWN_MEMBER);
    sp_envelope_free(&env);
    expect_fault("{\"n\":[1,2],\"id\":\"x\",\"ts\":\"" SP_TEST_TS
                 "\",\"from\":\"c\",\"type\":\"event\",\"payload\":[3,4],"
                 "\"ttl_ms\":12.0}",
                 1000, "SP-3.2-b");
}

/* SP-3.2-c trace; SP-3.2-d seq and eof; SP-3.2-e together. */
static void trace_seq_eof(void **state)
{
    (void)state;
    expect_ok(ENV(",\"trace\":\"\",\"payload\":1"));
    expect_fault(ENV(",\"trace\":5,\"payload\":1"), 1000, "SP-3.2-c");
    sp_envelope env;
    sp_check chk;
    const char *line = ENV(",\"seq\":4294967295,\"eof\":true,\"payload\":1");
    assert_int_equal(sp_validate(line, strlen(line), NULL, NULL, &env, &chk), 0);
    assert_true(env.has_seq);
    assert_int_equal(env.seq, 4294967295u);
    assert_true(env.eof);
    sp_envelope_free(&env);
    expect_ok(ENV(",\"seq\":0,\"eof\":false,\"payload\":1"));
    expect_fault(ENV(",\"seq\":4294967296,\"eof\":true,\"payload\":1"), 1000,
                 "SP-3.2-d");
    expect_fault(ENV(",\"seq\":1.0,\"eof\":true,\"payload\":1"), 1000,
                 "SP-3.2-d");
    expect_fault(ENV(",\"seq\":-1,\"eof\":true,\"payload\":1"), 1000,
                 "SP-3.2-d");
    expect_fault(ENV(",\"seq\":\"0\",\"eof\":true,\"payload\":1"), 1000,
                 "SP-3.2-d");
    expect_fault(ENV(",\"seq\":0,\"eof\":\"true\",\"payload\":1"), 1000,
                 "SP-3.2-d");
    expect_fault(ENV(",\"seq\":0,\"eof\":1,\"payload\":1"), 1000, "SP-3.2-d");
    expect_fault(ENV(",\"seq\":0,\"payload\":1"), 1000, "SP-3.2-e");
    expect_fault(ENV(",\"eof\":true,\"payload\":1"), 1000, "SP-3.2-e");
}

/* SP-3.3-a unknown members kept, noted, never a fault. */
static void unknown_members(void **state)
{
    (void)state;
    sp_envelope env;
    sp_check chk;
    const char *line = ENV(",\"x_custom\":{\"deep\":[1]},\"payload\":1");
    assert_int_equal(sp_validate(line, strlen(line), NULL, NULL, &env, &chk), 0);
    assert_int_equal(chk.notes, SP_NOTE_UNKNOWN_MEMBER);
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(env.root, "x_custom");
    assert_true(cJSON_IsObject(x));
    sp_envelope_free(&env);
    assert_true(sp_member_known("ttl_ms"));
    assert_true(sp_member_known("payload"));
    assert_false(sp_member_known("Payload"));
    assert_false(sp_member_known(NULL));
}

/* SP-4-a types; SP-4-b payload required; SP-4-c heartbeat may omit it. */
static void types_and_payload(void **state)
{
    (void)state;
    static const char *const types[] = {"query", "response", "event", "heartbeat"};
    char line[300];
    for (size_t i = 0; i < 4; i++) {
        snprintf(line, sizeof line,
                 HEAD "\"from\":\"c\",\"type\":\"%s\",\"payload\":null}",
                 types[i]);
        expect_ok(line);
    }
    expect_fault(HEAD "\"from\":\"c\",\"type\":\"Query\",\"payload\":1}", 3000,
                 "SP-4-a");
    expect_fault(HEAD "\"from\":\"c\",\"type\":\"\",\"payload\":1}", 3000,
                 "SP-4-a");
    expect_fault(HEAD "\"from\":\"c\",\"type\":\"ping\",\"payload\":1}", 3000,
                 "SP-4-a");
    expect_fault(HEAD "\"from\":\"c\",\"type\":\"query\"}", 1000, "SP-4-b");
    expect_fault(HEAD "\"from\":\"c\",\"type\":\"event\"}", 1000, "SP-4-b");
    expect_fault(HEAD "\"from\":\"c\",\"type\":\"error\"}", 1000, "SP-4-b");
    sp_envelope env;
    sp_check chk;
    const char *hb = HEAD "\"from\":\"c\",\"type\":\"heartbeat\"}";
    assert_int_equal(sp_validate(hb, strlen(hb), NULL, NULL, &env, &chk), 0);
    assert_int_equal(env.type, SP_TYPE_HEARTBEAT);
    assert_null(env.payload);
    sp_envelope_free(&env);
    expect_ok(HEAD "\"from\":\"c\",\"type\":\"heartbeat\",\"payload\":{}}");
}

#define ERR(payload) HEAD "\"from\":\"svc\",\"to\":\"chat\",\"type\":\"error\",\"payload\":" payload "}"

/* SP-4-d error payload shape; SP-4-e known code needs its symbol. */
static void error_payload(void **state)
{
    (void)state;
    sp_envelope env;
    sp_check chk;
    const char *line = ERR("{\"code\":4100,\"symbol\":\"BACKPRESSURE\","
                           "\"detail\":\"full\",\"retry_ms\":50}");
    assert_int_equal(sp_validate(line, strlen(line), NULL, NULL, &env, &chk), 0);
    assert_int_equal(env.error_code, 4100);
    assert_string_equal(env.error_symbol, "BACKPRESSURE");
    assert_string_equal(env.error_detail, "full");
    assert_int_equal(chk.notes, 0);
    sp_envelope_free(&env);
    expect_ok(ERR("{\"code\":1000,\"symbol\":\"BAD_SCHEMA\"}"));
    static const char *const bad[] = {
        ERR("[1000,\"BAD_SCHEMA\"]"),
        ERR("null"),
        ERR("{\"symbol\":\"BAD_SCHEMA\"}"),
        ERR("{\"code\":1000}"),
        ERR("{\"code\":\"1000\",\"symbol\":\"BAD_SCHEMA\"}"),
        ERR("{\"code\":1000.0,\"symbol\":\"BAD_SCHEMA\"}"),
        ERR("{\"code\":1e3,\"symbol\":\"BAD_SCHEMA\"}"),
        ERR("{\"code\":-1000,\"symbol\":\"BAD_SCHEMA\"}"),
        ERR("{\"code\":2147483648,\"symbol\":\"X\"}"),
        ERR("{\"code\":1000,\"symbol\":1000}"),
        ERR("{\"code\":1000,\"symbol\":\"BAD_SCHEMA\",\"detail\":5}"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_fault(bad[i], 1000, "SP-4-d");
    expect_fault(ERR("{\"code\":1000,\"symbol\":\"TTL_EXPIRED\"}"), 1000,
                 "SP-4-e");
    expect_fault(ERR("{\"code\":4200,\"symbol\":\"stream_timeout\"}"), 1000,
                 "SP-4-e");
    /* An unknown code is valid with any symbol: info only (SP-9.3-a). */
    assert_int_equal(expect_ok(ERR("{\"code\":4300,\"symbol\":\"NEW_THING\"}")),
                     SP_NOTE_UNKNOWN_FAULT_CODE);
    assert_int_equal(expect_ok(ERR("{\"code\":2147483647,\"symbol\":\"\"}")),
                     SP_NOTE_UNKNOWN_FAULT_CODE);
}

/* SP-6-a, SP-6-b, SP-6-c: the allow-list. */
static void authorization(void **state)
{
    (void)state;
    cJSON *allow = cJSON_Parse("{\"chat\":[\"rag_server\"],\"mon\":[\"*\"]}");
    assert_non_null(allow);
    sp_check chk;
    const char *ok = OK_LINE;
    assert_int_equal(validate_n(ok, strlen(ok), allow, NULL, &chk), 0);
    assert_int_equal(validate_n(ok, strlen(ok), NULL, NULL, &chk), 0);
    const char *other = HEAD "\"from\":\"chat\",\"to\":\"db\",\"type\":\"query\","
                             "\"payload\":1}";
    assert_int_equal(validate_n(other, strlen(other), allow, NULL, &chk), 2000);
    assert_string_equal(chk.req, "SP-6-b");
    assert_int_equal(validate_n(other, strlen(other), NULL, NULL, &chk), 0);
    /* No entry: no one may be addressed; absent to means "*". */
    const char *stranger = HEAD "\"from\":\"eve\",\"to\":\"rag_server\","
                                "\"type\":\"query\",\"payload\":1}";
    assert_int_equal(validate_n(stranger, strlen(stranger), allow, NULL, &chk),
                     2000);
    const char *bcast = HEAD "\"from\":\"chat\",\"type\":\"event\",\"payload\":1}";
    assert_int_equal(validate_n(bcast, strlen(bcast), allow, NULL, &chk), 2000);
    const char *mon = HEAD "\"from\":\"mon\",\"type\":\"event\",\"payload\":1}";
    assert_int_equal(validate_n(mon, strlen(mon), allow, NULL, &chk), 0);
    /* "*" is not a wildcard. */
    const char *mon_db = HEAD "\"from\":\"mon\",\"to\":\"db\",\"type\":\"event\","
                              "\"payload\":1}";
    assert_int_equal(validate_n(mon_db, strlen(mon_db), allow, NULL, &chk), 2000);
    /* Heartbeats too. */
    const char *hb = HEAD "\"from\":\"eve\",\"type\":\"heartbeat\"}";
    assert_int_equal(validate_n(hb, strlen(hb), allow, NULL, &chk), 2000);
    /* An empty list object: nobody may send anything. */
    cJSON *none = cJSON_Parse("{}");
    assert_int_equal(validate_n(ok, strlen(ok), none, NULL, &chk), 2000);
    cJSON_Delete(none);
    /* A malformed allow-list is the caller's error. */
    cJSON *bad = cJSON_Parse("{\"chat\":\"rag_server\"}");
    assert_int_equal(validate_n(ok, strlen(ok), bad, NULL, &chk),
                     SP_ERR_INVALID_ARGUMENT);
    cJSON_Delete(bad);
    bad = cJSON_Parse("{\"chat\":[1]}");
    assert_int_equal(validate_n(ok, strlen(ok), bad, NULL, &chk),
                     SP_ERR_INVALID_ARGUMENT);
    cJSON_Delete(bad);
    cJSON_Delete(allow);
}

/* SP-5.1-a: late only when strictly after ts + ttl_ms; SP-5.1-b. */
static void ttl(void **state)
{
    (void)state;
    sp_check chk;
    const char *line = ENV(",\"ttl_ms\":1000,\"payload\":1");
    size_t n = strlen(line);
    sp_time now = sp_test_time(SP_TEST_SEC + 1, SP_TEST_NSEC);
    assert_int_equal(validate_n(line, n, NULL, &now, &chk), 0);
    now.nsec++;
    assert_int_equal(validate_n(line, n, NULL, &now, &chk), 1001);
    assert_string_equal(chk.req, "SP-5.1-a");
    assert_int_equal(validate_n(line, n, NULL, NULL, &chk), 0); /* no now */
    /* ttl_ms 0: on time only at ts itself. */
    const char *zero = ENV(",\"ttl_ms\":0,\"payload\":1");
    now = sp_test_time(SP_TEST_SEC, SP_TEST_NSEC);
    assert_int_equal(validate_n(zero, strlen(zero), NULL, &now, &chk), 0);
    now.nsec++;
    assert_int_equal(validate_n(zero, strlen(zero), NULL, &now, &chk), 1001);
    /* SP-5.1-b: no ttl_ms, no expiry; ts in the future is fine. */
    now = sp_test_time(SP_TEST_SEC + 100000000, 0);
    assert_int_equal(validate_n(OK_LINE, strlen(OK_LINE), NULL, &now, &chk), 0);
    now = sp_test_time(0, 0);
    assert_int_equal(validate_n(line, n, NULL, &now, &chk), 0);
}

/* SP-7-a: the first failing stage wins; SP-7-b inside stage 1. */
static void check_order(void **state)
{
    (void)state;
    cJSON *allow = cJSON_Parse("{\"chat\":[]}");
    sp_time late = sp_test_time(SP_TEST_SEC + 100, 0);
    sp_check chk;
    struct {
        const char *line;
        int fault;
        const char *req;
    } cases[] = {
        /* unknown type and a bad ts: the envelope (1000) first */
        {"{\"id\":\"x\",\"ts\":\"yesterday\",\"from\":\"chat\",\"type\":\"nope\"}",
         1000, "SP-3.1-d"},
        /* unknown type without payload: 3000 before the payload rule */
        {HEAD "\"from\":\"chat\",\"type\":\"nope\",\"ttl_ms\":1}", 3000, "SP-4-a"},
        /* error payload bad, not authorized, late: the payload (1000) */
        {HEAD "\"from\":\"chat\",\"type\":\"error\",\"ttl_ms\":1,"
              "\"payload\":{}}",
         1000, "SP-4-d"},
        /* missing payload, not authorized, late: 1000 */
        {HEAD "\"from\":\"chat\",\"type\":\"query\",\"ttl_ms\":1}", 1000,
         "SP-4-b"},
        /* not authorized and late: 2000 */
        {HEAD "\"from\":\"chat\",\"type\":\"query\",\"ttl_ms\":1,"
              "\"payload\":1}",
         2000, "SP-6-b"},
        /* stage 1 order: the line rules before the members */
        {"{\"id\":\"\",\"a\":1,\"a\":2}", 1000, "SP-2-d"},
        {"{\"id\":\"\",\"ts\":5,\"from\":\"c\",\"type\":\"query\"}", 1000,
         "SP-3.1-b"},
        {"{\"id\":\"x\",\"ts\":5}", 1000, "SP-3.1-a"},
        /* one scan of the text before the JSON parse: its first problem wins */
        {"{\"id\":\"x\",\"p\":\"\\u0000\",\"q\":tru}", 1000, "SP-2-g"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = validate_n(cases[i].line, strlen(cases[i].line), allow, &late,
                           &chk);
        if (r != cases[i].fault || strcmp(chk.req, cases[i].req) != 0)
            fail_msg("case %zu: got %d %s, want %d %s", i, r, chk.req,
                     cases[i].fault, cases[i].req);
    }
    /* Authorized and late: 1001. */
    cJSON *all = cJSON_Parse("{\"chat\":[\"*\"]}");
    const char *l = HEAD "\"from\":\"chat\",\"type\":\"query\",\"ttl_ms\":1,"
                         "\"payload\":1}";
    assert_int_equal(validate_n(l, strlen(l), all, &late, &chk), 1001);
    cJSON_Delete(all);
    cJSON_Delete(allow);
}

/* SP-9.3-a: notes ride along with valid envelopes only. */
static void notes(void **state)
{
    (void)state;
    sp_check chk;
    const char *l = "{\"id\":\"abc\",\"ts\":\"" SP_TEST_TS "\",\"from\":\"c\","
                    "\"type\":\"error\",\"x\":1,\"payload\":{\"code\":7,"
                    "\"symbol\":\"S\"}}";
    assert_int_equal(validate_n(l, strlen(l), NULL, NULL, &chk), 0);
    assert_int_equal(chk.notes, SP_NOTE_ID_NOT_UUIDV7 | SP_NOTE_UNKNOWN_MEMBER |
                                    SP_NOTE_UNKNOWN_FAULT_CODE);
    /* The same envelope refused later (2000): no notes with a fault. */
    cJSON *allow = cJSON_Parse("{}");
    assert_int_equal(validate_n(l, strlen(l), allow, NULL, &chk), 2000);
    assert_int_equal(chk.notes, 0);
    cJSON_Delete(allow);
}

/* SP-2-f's "bytes past len are never read": every prefix of a line, each
 * in an exact-size heap block (the sanitizer build catches a read past it),
 * is judged without a crash, and only the whole line is valid. */
static void prefixes(void **state)
{
    (void)state;
    const char *line = ENV(",\"ttl_ms\":12,\"seq\":3,\"eof\":true,"
                           "\"payload\":{\"a\":[true,false,null,-1.5e3,"
                           "\"\\u00e9\\n\"]}");
    size_t n = strlen(line);
    for (size_t k = 0; k <= n; k++) {
        char *copy = malloc(k ? k : 1);
        assert_non_null(copy);
        memcpy(copy, line, k);
        sp_check chk;
        int r = validate_n(copy, k, NULL, NULL, &chk);
        assert_int_equal(r, k == n ? 0 : 1000);
        char *out = NULL;
        const sp_time now = {0, 0};
        r = sp_fault_reply(copy, k, 1000, NULL, "svc", &now, &out);
        assert_true(k == n ? r > 0 : r == SP_ERR_NO_REPLY);
        free(out);
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_query),     cmocka_unit_test(line_framing),
        cmocka_unit_test(utf8),            cmocka_unit_test(strict_json),
        cmocka_unit_test(duplicates),      cmocka_unit_test(depth),
        cmocka_unit_test(line_limit),      cmocka_unit_test(escaped_nul),
        cmocka_unit_test(not_an_object),   cmocka_unit_test(required_members),
        cmocka_unit_test(id_member),       cmocka_unit_test(ts_member),
        cmocka_unit_test(from_to_type),    cmocka_unit_test(ttl_member),
        cmocka_unit_test(trace_seq_eof),   cmocka_unit_test(unknown_members),
        cmocka_unit_test(types_and_payload), cmocka_unit_test(error_payload),
        cmocka_unit_test(authorization),   cmocka_unit_test(ttl),
        cmocka_unit_test(check_order),     cmocka_unit_test(notes),
        cmocka_unit_test(prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
