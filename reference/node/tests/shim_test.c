/* tamtam-node shim: the Conformance Harness Protocol v1 codec mode
 * (spec/harness.md sections 2-4), driven over pipes and over TCP. Expected
 * values come from the worked examples of spec/core-frame.md section 12. */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tamtam/tamtam.h"

#include "nodetest.h"

/* The shim's documented line cap (reference/node/README.md). */
#define LINE_CAP (8u * 1024 * 1024)

/* 12.6 example 1 (local), example 2 (roaming), example 3 (smallest). */
#define PAD13 "00000000000000000000000000"
#define EX1 "201007100003010203" PAD13
#define EX2 "2018071234070003010203" PAD13
#define EX3 "000000000000"
/* Example 1 with its integrity byte set to 0x11 (12.2, step 4). */
#define EX1_BAD_CRC "201007110003010203" PAD13

struct xf {
    int cls, dir, size_id;
    bool big, ack, prio, ext;
    int channel, dest; /* dest -1: null */
    int crc, used_len;
    const char *payload;
};

static const struct xf XF1 = {2, 0, 1, false, false, false, false,
                              7, -1, 0x10, 3, "010203"};
static const struct xf XF2 = {2, 0, 1, false, false, false, true,
                              7, 0x1234, 0x07, 3, "010203"};
static const struct xf XF3 = {0, 0, 0, false, false, false, false,
                              0, -1, 0x00, 0, ""};

static struct nt_child shim;

static void start_shim(const char *const *args)
{
    nt_start(&shim, args);
}

static void start_default(void)
{
    const char *args[] = {"shim", NULL};
    start_shim(args);
}

/* Sends one request line and returns the parsed response. */
static cJSON *ask_on(struct nt_child *c, const char *line)
{
    nt_write(c, line, strlen(line));
    nt_write(c, "\n", 1);
    char *reply = nt_read_line(c);
    cJSON *json = cJSON_Parse(reply);
    if (!json || !cJSON_IsObject(json))
        fail_msg("response is not a JSON object: %s", reply);
    return json;
}

static cJSON *ask(const char *line)
{
    return ask_on(&shim, line);
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!v)
        fail_msg("member \"%s\" missing", name);
    return v;
}

static void expect_int(const cJSON *obj, const char *name, long long want)
{
    const cJSON *v = member(obj, name);
    assert_true(cJSON_IsNumber(v));
    if (v->valuedouble != (double)want)
        fail_msg("\"%s\": expected %lld, got %.17g", name, want,
                 v->valuedouble);
}

static void expect_bool(const cJSON *obj, const char *name, bool want)
{
    const cJSON *v = member(obj, name);
    assert_true(cJSON_IsBool(v));
    assert_int_equal(cJSON_IsTrue(v), want);
}

static void expect_str(const cJSON *obj, const char *name, const char *want)
{
    const cJSON *v = member(obj, name);
    assert_true(cJSON_IsString(v));
    assert_string_equal(v->valuestring, want);
}

/* Asks {"id":ID,"op":OP,"MEMBER":VALUE}, VALUE being JSON text. */
static cJSON *ask_op(long long id, const char *op, const char *member_name,
                     const char *value)
{
    char *line;
    assert_true(asprintf(&line, "{\"id\":%lld,\"op\":\"%s\",\"%s\":%s}", id,
                         op, member_name, value) > 0);
    cJSON *r = ask(line);
    free(line);
    return r;
}

static void expect_ok(const cJSON *r, long long id, int members)
{
    expect_int(r, "id", id);
    expect_bool(r, "ok", true);
    assert_int_equal(cJSON_GetArraySize(r), members);
}

/* {"id":N,"ok":false,"error":NAME}, nothing else. */
static void expect_error(const cJSON *r, long long id, const char *name)
{
    expect_int(r, "id", id);
    expect_bool(r, "ok", false);
    expect_str(r, "error", name);
    assert_int_equal(cJSON_GetArraySize(r), 3);
}

/* bad_request, with the id when id >= 0 and without any id otherwise, and
 * a detail sentence. */
static void expect_bad_request(const cJSON *r, long long id)
{
    if (id >= 0)
        expect_int(r, "id", id);
    else
        assert_null(cJSON_GetObjectItemCaseSensitive(r, "id"));
    expect_bool(r, "ok", false);
    expect_str(r, "error", "bad_request");
    const cJSON *d = member(r, "detail");
    assert_true(cJSON_IsString(d) && d->valuestring[0]);
}

static void expect_frame(const cJSON *f, const struct xf *x)
{
    assert_true(cJSON_IsObject(f));
    assert_int_equal(cJSON_GetArraySize(f), 12);
    expect_int(f, "class", x->cls);
    expect_int(f, "direction", x->dir);
    expect_int(f, "size_id", x->size_id);
    expect_bool(f, "big", x->big);
    expect_bool(f, "ack", x->ack);
    expect_bool(f, "priority", x->prio);
    expect_bool(f, "ext", x->ext);
    expect_int(f, "channel", x->channel);
    if (x->dest < 0)
        assert_true(cJSON_IsNull(member(f, "dest")));
    else
        expect_int(f, "dest", x->dest);
    expect_int(f, "crc", x->crc);
    expect_int(f, "used_len", x->used_len);
    expect_str(f, "payload", x->payload);
}

static void expect_decoded(const char *hex, long long consumed,
                           const struct xf *x)
{
    char *quoted;
    assert_true(asprintf(&quoted, "\"%s\"", hex) > 0);
    cJSON *r = ask_op(7, "decode", "hex", quoted);
    free(quoted);
    expect_ok(r, 7, 4);
    expect_int(r, "consumed", consumed);
    expect_frame(member(r, "frame"), x);
    cJSON_Delete(r);
}

static void expect_decode_error(const char *hex, const char *error)
{
    char *quoted;
    assert_true(asprintf(&quoted, "\"%s\"", hex) > 0);
    cJSON *r = ask_op(8, "decode", "hex", quoted);
    free(quoted);
    expect_error(r, 8, error);
    cJSON_Delete(r);
}

static void finish(void)
{
    nt_close_in(&shim);
    int status = nt_wait(&shim);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_hello(void **state)
{
    (void)state;
    start_default();
    cJSON *r = ask("{\"id\":1,\"op\":\"hello\",\"version\":1}");
    expect_ok(r, 1, 7);
    expect_str(r, "impl", "tamtam-node");
    expect_str(r, "impl_version", TT_VERSION);
    expect_str(r, "crc", "CRC-8/SMBUS");
    const cJSON *ops = member(r, "ops");
    static const char *const want_ops[] = {
        "decode", "encode", "stream", "splinter.validate",
        "splinter.reassemble", "splinter.fault"};
    assert_int_equal(cJSON_GetArraySize(ops), 6);
    for (int i = 0; i < 6; i++)
        assert_string_equal(cJSON_GetArrayItem(ops, i)->valuestring,
                            want_ops[i]);
    /* HP-3.3-c: the Core Frame and Splinter envelopes, in that order. */
    const cJSON *protos = member(r, "protocols");
    assert_int_equal(cJSON_GetArraySize(protos), 2);
    assert_string_equal(cJSON_GetArrayItem(protos, 0)->valuestring,
                        "tamtam-core/1");
    assert_string_equal(cJSON_GetArrayItem(protos, 1)->valuestring,
                        "splinter/1");
    cJSON_Delete(r);
    /* A version this shim does not speak is refused, not answered as v1. */
    r = ask("{\"id\":2,\"op\":\"hello\",\"version\":2}");
    expect_int(r, "id", 2);
    expect_bool(r, "ok", false);
    expect_str(r, "error", "unsupported");
    cJSON_Delete(r);
    finish();
}

/* CF-12.1-b: --crc in any spelling; hello names the catalogue name. */
static void test_hello_crc_names(void **state)
{
    (void)state;
    static const char *const names[][2] = {
        {"rohc", "CRC-8/ROHC"},
        {"crc-8/maxim-dow", "CRC-8/MAXIM-DOW"},
        {"I-432-1", "CRC-8/I-432-1"},
    };
    for (size_t i = 0; i < 3; i++) {
        const char *args[] = {"shim", "--crc", names[i][0], NULL};
        start_shim(args);
        cJSON *r = ask("{\"id\":1,\"op\":\"hello\",\"version\":1}");
        expect_str(r, "crc", names[i][1]);
        cJSON_Delete(r);
        finish();
    }
    const char *args[] = {"shim", "--crc", "CRC-16/XMODEM", NULL};
    start_shim(args);
    int status = nt_wait(&shim);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
}

static void test_decode_valid(void **state)
{
    (void)state;
    start_default();
    expect_decoded(EX1, 22, &XF1);
    expect_decoded(EX2, 24, &XF2);
    expect_decoded(EX3, 6, &XF3);
    /* Non-zero padding is valid and never reported (12.2 table). */
    expect_decoded("201007100003010203" "000000000000000000000000ff", 22,
                   &XF1);
    /* Trailing bytes are not consumed (CF-12.2-c). */
    expect_decoded(EX1 "aabb", 22, &XF1);
    /* Upper-case hex is hex too (HP-3.1-c). */
    expect_decoded(EX1 "AABB", 22, &XF1);

    /* Every flag, the reserved nibbles, channel 255, a roaming dest and
     * padding 0xAA: built from the field layout, CRC by the spec's code. */
    uint8_t frame[64], payload[] = {0xde, 0xad, 0xbe, 0xef, 0x00};
    size_t n = nt_frame(frame, 0xF, 0xE, 1, 0xF, 255, 0xBEEF, payload, 5,
                        0xAA);
    assert_int_equal(n, 3 + 2 + 1 + 2 + 32);
    char *hex = nt_hex(frame, n);
    for (char *h = hex; *h; h++)
        *h = (char)toupper((unsigned char)*h);
    struct xf x = {15, 14, 1, true, true, true, true, 255, 0xBEEF,
                   frame[5], 5, "deadbeef00"};
    expect_decoded(hex, (long long)n, &x);
    free(hex);
    finish();
}

/* Every row of the spec's 12.2 table that fails, and its pinned error. */
static void test_decode_errors(void **state)
{
    (void)state;
    start_default();
    expect_decode_error("", "truncated");
    expect_decode_error("20", "truncated");
    expect_decode_error("2010071000", "truncated");
    expect_decode_error("20180712340700", "truncated");
    expect_decode_error("201007000011", "used_len_exceeds_block");
    expect_decode_error("000000000001", "used_len_exceeds_block");
    /* Example 1 without its last byte. */
    expect_decode_error("201007100003010203" "000000000000000000000000",
                        "truncated");
    expect_decode_error(EX1_BAD_CRC, "crc_mismatch");
    expect_decode_error("20100710000301ff03" PAD13, "crc_mismatch");
    /* Check order: UsedLen is judged before the missing block. */
    expect_decode_error("20f100002001", "used_len_exceeds_block");
    finish();
}

/* Under CRC-8/ROHC example 1 carries 0x16 (12.1 table). */
static void test_decode_crc_variant(void **state)
{
    (void)state;
    const char *args[] = {"shim", "--crc", "ROHC", NULL};
    start_shim(args);
    struct xf x = XF1;
    x.crc = 0x16;
    expect_decoded("201007160003010203" PAD13, 22, &x);
    expect_decode_error(EX1, "crc_mismatch");
    finish();
}

static void expect_encoded(const char *frame_json, const char *hex)
{
    cJSON *r = ask_op(9, "encode", "frame", frame_json);
    expect_ok(r, 9, 3);
    expect_str(r, "hex", hex);
    cJSON_Delete(r);
}

static void expect_encode_error(const char *frame_json, const char *error)
{
    cJSON *r = ask_op(10, "encode", "frame", frame_json);
    expect_error(r, 10, error);
    cJSON_Delete(r);
}

static void expect_encode_bad(const char *frame_json)
{
    cJSON *r = ask_op(11, "encode", "frame", frame_json);
    expect_bad_request(r, 11);
    cJSON_Delete(r);
}

#define FIELDS(cls, size, flags_json, ch, dest)                               \
    "{\"class\":" #cls ",\"direction\":0,\"size_id\":" #size "," flags_json \
    ",\"channel\":" #ch ",\"dest\":" #dest
#define NOFLAGS "\"big\":false,\"ack\":false,\"priority\":false,\"ext\":false"
#define EXTONLY "\"big\":false,\"ack\":false,\"priority\":false,\"ext\":true"

static void test_encode(void **state)
{
    (void)state;
    start_default();
    /* The padding of the worked examples comes back zero-filled. */
    expect_encoded(FIELDS(2, 1, NOFLAGS, 7, null) ",\"payload\":\"010203\"}",
                   EX1);
    expect_encoded(FIELDS(2, 1, EXTONLY, 7, 4660) ",\"payload\":\"010203\"}",
                   EX2);
    expect_encoded(FIELDS(0, 0, NOFLAGS, 0, null) ",\"payload\":\"\"}", EX3);

    /* Flags and BigMode, against the layout built by hand. */
    uint8_t frame[128], payload[] = {0xa1, 0xb2, 0xc3, 0xd4, 0xe5};
    size_t n = nt_frame(frame, 3, 1, 2, 0x7, 200, 0, payload, 5, 0);
    char *hex = nt_hex(frame, n);
    expect_encoded("{\"class\":3,\"direction\":1,\"size_id\":2,\"big\":true,"
                   "\"ack\":true,\"priority\":true,\"ext\":false,"
                   "\"channel\":200,\"dest\":null,\"payload\":\"a1b2c3d4e5\"}",
                   hex);
    free(hex);
    n = nt_frame(frame, 15, 15, 1, 0x9, 0, 0xBEEF, payload, 5, 0);
    hex = nt_hex(frame, n);
    expect_encoded("{\"class\":15,\"direction\":15,\"size_id\":1,\"big\":true,"
                   "\"ack\":false,\"priority\":false,\"ext\":true,"
                   "\"channel\":0,\"dest\":48879,\"payload\":\"a1b2c3d4e5\"}",
                   hex);
    free(hex);
    /* A full block leaves no padding. */
    uint8_t full[16];
    for (int i = 0; i < 16; i++)
        full[i] = (uint8_t)i;
    n = nt_frame(frame, 2, 0, 1, 0, 7, 0, full, 16, 0);
    assert_int_equal(n, 22);
    hex = nt_hex(frame, n);
    expect_encoded(FIELDS(2, 1, NOFLAGS, 7, null)
                   ",\"payload\":\"000102030405060708090a0b0c0d0e0f\"}",
                   hex);
    free(hex);
    finish();
}

static void test_encode_crc_variant(void **state)
{
    (void)state;
    const char *args[] = {"shim", "--crc", "rohc", NULL};
    start_shim(args);
    expect_encoded(FIELDS(2, 1, NOFLAGS, 7, null) ",\"payload\":\"010203\"}",
                   "201007160003010203" PAD13);
    /* Example 2's CRC input under ROHC is 0x10 (12.1 table). */
    expect_encoded(FIELDS(2, 1, EXTONLY, 7, 4660) ",\"payload\":\"010203\"}",
                   "2018071234100003010203" PAD13);
    finish();
}

static void test_encode_refusals(void **state)
{
    (void)state;
    start_default();
    /* CF-12.4-a: UsedLen above the block is refused. */
    expect_encode_error(FIELDS(0, 0, NOFLAGS, 0, null) ",\"payload\":\"00\"}",
                        "used_len_exceeds_block");
    expect_encode_error(FIELDS(2, 1, NOFLAGS, 7, null)
                        ",\"payload\":\"000102030405060708090a0b0c0d0e0f10\"}",
                        "used_len_exceeds_block");
    /* A payload longer than any block (8193 bytes). */
    static char big[17000];
    int k = snprintf(big, sizeof big, "%s",
                     "{\"class\":2,\"direction\":0,\"size_id\":15,"
                     "\"big\":true,\"ack\":false,\"priority\":false,"
                     "\"ext\":false,\"channel\":7,\"dest\":null,"
                     "\"payload\":\"");
    for (int i = 0; i < 8193; i++)
        k += snprintf(big + k, sizeof big - (size_t)k, "5a");
    snprintf(big + k, sizeof big - (size_t)k, "\"}");
    expect_encode_error(big, "used_len_exceeds_block");

    /* Frame objects that break HP-3.2-a are bad requests. */
    expect_encode_bad(FIELDS(16, 1, NOFLAGS, 7, null) ",\"payload\":\"\"}");
    expect_encode_bad(FIELDS(2, 1, NOFLAGS, 256, null) ",\"payload\":\"\"}");
    expect_encode_bad(FIELDS(2, 1, NOFLAGS, 7, 5) ",\"payload\":\"\"}");
    expect_encode_bad(FIELDS(2, 1, EXTONLY, 7, null) ",\"payload\":\"\"}");
    expect_encode_bad(FIELDS(2, 1, NOFLAGS, 7, null) ",\"payload\":\"0g\"}");
    expect_encode_bad(FIELDS(2, 1, NOFLAGS, 7, null) ",\"payload\":\"010\"}");
    expect_encode_bad(FIELDS(2, 1, NOFLAGS, 7, null) ",\"payload\":1}");
    expect_encode_bad(FIELDS(2, 1, NOFLAGS, 7, null) "}");
    expect_encode_bad("{\"class\":2}");
    expect_encode_bad("\"" EX1 "\"");
    cJSON *r = ask("{\"id\":12,\"op\":\"encode\"}");
    expect_bad_request(r, 12);
    cJSON_Delete(r);
    finish();
}

/* The 12.3 example: 52 bytes, three events, 2 pending. */
#define STREAM_EX EX3 EX1_BAD_CRC EX1 "2010"

static void expect_stream_example(const cJSON *r, long long id)
{
    expect_ok(r, id, 4);
    const cJSON *ev = member(r, "events");
    assert_int_equal(cJSON_GetArraySize(ev), 3);
    const cJSON *e0 = cJSON_GetArrayItem(ev, 0);
    assert_int_equal(cJSON_GetArraySize(e0), 1);
    expect_frame(member(e0, "frame"), &XF3);
    const cJSON *e1 = cJSON_GetArrayItem(ev, 1);
    assert_int_equal(cJSON_GetArraySize(e1), 2);
    expect_str(e1, "error", "crc_mismatch");
    expect_int(e1, "offset", 6);
    const cJSON *e2 = cJSON_GetArrayItem(ev, 2);
    assert_int_equal(cJSON_GetArraySize(e2), 1);
    expect_frame(member(e2, "frame"), &XF1);
    expect_int(r, "pending", 2);
}

/* Sends STREAM_EX cut at the given byte sizes. */
static void stream_split(const size_t *sizes, size_t count, long long id)
{
    static const char hex[] = STREAM_EX;
    char line[4096];
    size_t at = 0, n = 0;
    n += (size_t)snprintf(line, sizeof line,
                          "{\"id\":%lld,\"op\":\"stream\",\"chunks\":[", id);
    for (size_t i = 0; i < count; i++) {
        n += (size_t)snprintf(line + n, sizeof line - n, "%s\"%.*s\"",
                              i ? "," : "", (int)(2 * sizes[i]), hex + at);
        at += 2 * sizes[i];
    }
    assert_int_equal(at, strlen(hex));
    snprintf(line + n, sizeof line - n, "]}");
    cJSON *r = ask(line);
    expect_stream_example(r, id);
    cJSON_Delete(r);
}

static void test_stream(void **state)
{
    (void)state;
    start_default();
    assert_int_equal(strlen(STREAM_EX), 104);
    size_t whole[] = {52};
    stream_split(whole, 1, 20);
    size_t ones[52];
    for (size_t i = 0; i < 52; i++)
        ones[i] = 1;
    stream_split(ones, 52, 21);
    size_t mixed[] = {5, 20, 1, 26};
    stream_split(mixed, 4, 22);

    /* used_len_exceeds_block is judged only once its 22 bytes are in
     * (CF-12.3-b), then skipped by exactly that length (CF-12.3-a). */
    cJSON *r = ask("{\"id\":23,\"op\":\"stream\",\"chunks\":[\"201007000011\","
                   "\"" "00000000000000000000000000000000" "\",\"" EX1 "\"]}");
    expect_ok(r, 23, 4);
    const cJSON *ev = member(r, "events");
    assert_int_equal(cJSON_GetArraySize(ev), 2);
    expect_str(cJSON_GetArrayItem(ev, 0), "error", "used_len_exceeds_block");
    expect_int(cJSON_GetArrayItem(ev, 0), "offset", 0);
    expect_frame(member(cJSON_GetArrayItem(ev, 1), "frame"), &XF1);
    expect_int(r, "pending", 0);
    cJSON_Delete(r);

    /* Nothing in, nothing out; an incomplete head is pending, not an
     * error. */
    r = ask("{\"id\":24,\"op\":\"stream\",\"chunks\":[]}");
    expect_ok(r, 24, 4);
    assert_int_equal(cJSON_GetArraySize(member(r, "events")), 0);
    expect_int(r, "pending", 0);
    cJSON_Delete(r);
    r = ask("{\"id\":25,\"op\":\"stream\",\"chunks\":[\"20\",\"\",\"10\"]}");
    assert_int_equal(cJSON_GetArraySize(member(r, "events")), 0);
    expect_int(r, "pending", 2);
    cJSON_Delete(r);

    /* Chunks that are not hex strings. */
    static const char *const bad[] = {
        "{\"id\":26,\"op\":\"stream\",\"chunks\":\"00\"}",
        "{\"id\":26,\"op\":\"stream\",\"chunks\":[0]}",
        "{\"id\":26,\"op\":\"stream\",\"chunks\":[\"000\"]}",
        "{\"id\":26,\"op\":\"stream\",\"chunks\":[\"00\",\"xy\"]}",
        "{\"id\":26,\"op\":\"stream\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = ask(bad[i]);
        expect_bad_request(r, 26);
        cJSON_Delete(r);
    }
    finish();
}

static void test_unsupported(void **state)
{
    (void)state;
    start_default();
    cJSON *r = ask("{\"id\":31,\"op\":\"x-tamtam-runner-unknown-op\"}");
    expect_error(r, 31, "unsupported");
    cJSON_Delete(r);
    r = ask("{\"id\":32,\"op\":\"Decode\",\"hex\":\"" EX1 "\"}");
    expect_error(r, 32, "unsupported");
    cJSON_Delete(r);
    finish();
}

static void test_bad_request(void **state)
{
    (void)state;
    start_default();
    static const struct {
        const char *line;
        long long id; /* -1: no id in the response */
    } cases[] = {
        {"this line is not JSON {", -1},
        {"", -1},
        {"[1,2,3]", -1},
        {"\"hello\"", -1},
        {"{\"op\":\"hello\",\"version\":1}", -1},
        {"{\"id\":\"41\",\"op\":\"hello\"}", -1},
        {"{\"id\":4.5,\"op\":\"hello\"}", -1},
        {"{\"id\":null,\"op\":\"hello\"}", -1},
        {"{\"id\":1e300,\"op\":\"hello\"}", -1},
        {"{\"id\":41,\"op\":\"hello\"} trailing", -1},
        {"{\"id\":41,\"op\":\"hello\"", -1},
        {"{\"id\":42}", 42},
        {"{\"id\":43,\"op\":7}", 43},
        {"{\"id\":44,\"op\":\"hello\",\"version\":\"1\"}", 44},
        {"{\"id\":45,\"op\":\"decode\"}", 45},
        {"{\"id\":46,\"op\":\"decode\",\"hex\":12}", 46},
        {"{\"id\":47,\"op\":\"decode\",\"hex\":\"abc\"}", 47},
        {"{\"id\":48,\"op\":\"decode\",\"hex\":\"zz\"}", 48},
        {"{\"id\":49,\"op\":\"decode\",\"hex\":\"20 10\"}", 49},
        /* \u0000 would cut a string short: hex "2010" here, op "hello". */
        {"{\"id\":52,\"op\":\"decode\",\"hex\":\"2010\\u0000zz\"}", 52},
        {"{\"id\":53,\"op\":\"hello\\u0000x\"}", 53},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *r = ask(cases[i].line);
        expect_bad_request(r, cases[i].id);
        cJSON_Delete(r);
    }
    /* A NUL byte inside the line. */
    static const char nul_line[] = "{\"id\":50,\"op\":\"hello\"}\0x\n";
    nt_write(&shim, nul_line, sizeof nul_line - 1);
    cJSON *r = cJSON_Parse(nt_read_line(&shim));
    expect_bad_request(r, -1);
    cJSON_Delete(r);
    /* The session goes on; CR LF line ends are tolerated; unknown members
     * are ignored (HP-3.1-b). */
    static const char crlf[] = "{\"id\":51,\"op\":\"hello\",\"x\":[1]}\r\n";
    nt_write(&shim, crlf, sizeof crlf - 1);
    r = cJSON_Parse(nt_read_line(&shim));
    expect_ok(r, 51, 7);
    cJSON_Delete(r);
    finish();
}

/* A line of exactly `len` bytes decoding example 1 plus trailing bytes. */
static char *decode_line(size_t len, long long id)
{
    char *line = malloc(len + 2);
    assert_non_null(line);
    int head = snprintf(line, len + 1,
                        "{\"id\":%lld,\"op\":\"decode\",\"hex\":\"" EX1, id);
    size_t at = (size_t)head;
    /* Trailing bytes (aa), then spaces to land on the exact length. */
    while (at + 2 + 2 <= len) {
        memcpy(line + at, "aa", 2);
        at += 2;
    }
    line[at++] = '"';
    while (at < len - 1)
        line[at++] = ' ';
    line[at++] = '}';
    line[at++] = '\n';
    line[at] = '\0';
    return line;
}

/* HP-2-f: 1 MiB lines are served; the cap itself is served; one byte over
 * the cap is bad_request and skipped to its newline, and the session goes
 * on. */
static void test_long_lines(void **state)
{
    (void)state;
    start_default();
    size_t lens[] = {1024 * 1024, LINE_CAP};
    for (size_t i = 0; i < 2; i++) {
        char *line = decode_line(lens[i], 60 + (long long)i);
        assert_int_equal(strlen(line), lens[i] + 1);
        nt_write(&shim, line, lens[i] + 1);
        free(line);
        cJSON *r = cJSON_Parse(nt_read_line(&shim));
        expect_ok(r, 60 + (long long)i, 4);
        expect_int(r, "consumed", 22);
        cJSON_Delete(r);
    }
    char *line = decode_line(LINE_CAP + 1, 62);
    nt_write(&shim, line, LINE_CAP + 2);
    free(line);
    cJSON *r = cJSON_Parse(nt_read_line(&shim));
    expect_bad_request(r, -1);
    cJSON_Delete(r);
    r = ask("{\"id\":63,\"op\":\"decode\",\"hex\":\"" EX3 "\"}");
    expect_ok(r, 63, 4);
    cJSON_Delete(r);
    finish();
}

/* Many requests in one write: one response each, in order (HP-2-b). */
static void test_pipelined(void **state)
{
    (void)state;
    start_default();
    char *all = malloc(100 * 128);
    assert_non_null(all);
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(all + n,
                             i % 2 ? "{\"id\":%d,\"op\":\"decode\",\"hex\":"
                                     "\"" EX1 "\"}\n"
                                   : "{\"id\":%d,\"op\":\"nope\"}\n",
                             1000 + i);
    nt_write(&shim, all, n);
    free(all);
    for (int i = 0; i < 100; i++) {
        cJSON *r = cJSON_Parse(nt_read_line(&shim));
        assert_non_null(r);
        if (i % 2) {
            expect_ok(r, 1000 + i, 4);
            expect_int(r, "consumed", 22);
        } else {
            expect_error(r, 1000 + i, "unsupported");
        }
        cJSON_Delete(r);
    }
    finish();
}

/* HP-2-e: a last line without its newline is still answered, then end of
 * input is exit status 0. */
static void test_end_of_input(void **state)
{
    (void)state;
    start_default();
    static const char last[] = "{\"id\":70,\"op\":\"hello\",\"version\":1}";
    nt_write(&shim, last, sizeof last - 1);
    nt_close_in(&shim);
    cJSON *r = cJSON_Parse(nt_read_line(&shim));
    expect_ok(r, 70, 7);
    cJSON_Delete(r);
    int status = nt_wait(&shim);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- shim --listen tcp:// (HP-2-d) ---- */

static struct nt_child session(unsigned port)
{
    struct nt_child s = {0};
    s.in = s.out = nt_tcp_connect(port);
    return s;
}

static void session_close(struct nt_child *s)
{
    close(s->in);
    free(s->buf);
}

static void test_tcp_sessions(void **state)
{
    (void)state;
    const char *args[] = {"shim", "--listen", "tcp://127.0.0.1:0", NULL};
    start_shim(args);
    const char *url = nt_listening(&shim);
    assert_memory_equal(url, "tcp://127.0.0.1:", 16);
    unsigned port = nt_url_port(url);
    assert_true(port > 0);

    struct nt_child a = session(port), b = session(port);
    cJSON *r = ask_on(&a, "{\"id\":1,\"op\":\"hello\",\"version\":1}");
    expect_ok(r, 1, 7);
    cJSON_Delete(r);
    r = ask_on(&b, "{\"id\":1,\"op\":\"hello\",\"version\":1}");
    expect_ok(r, 1, 7);
    cJSON_Delete(r);
    r = ask_on(&a, "{\"id\":2,\"op\":\"decode\",\"hex\":\"" EX2 "\"}");
    expect_ok(r, 2, 4);
    expect_frame(member(r, "frame"), &XF2);
    cJSON_Delete(r);
    r = ask_on(&b, "{\"id\":2,\"op\":\"stream\",\"chunks\":[\"" STREAM_EX
                   "\"]}");
    expect_stream_example(r, 2);
    cJSON_Delete(r);
    r = ask_on(&a, "not json");
    expect_bad_request(r, -1);
    cJSON_Delete(r);
    r = ask_on(&a, "{\"id\":3,\"op\":\"decode\",\"hex\":\"" EX1_BAD_CRC "\"}");
    expect_error(r, 3, "crc_mismatch");
    cJSON_Delete(r);

    /* One session ending leaves the others and new ones served. */
    session_close(&a);
    r = ask_on(&b, "{\"id\":4,\"op\":\"encode\",\"frame\":"
                   FIELDS(2, 1, NOFLAGS, 7, null) ",\"payload\":\"010203\"}}");
    expect_ok(r, 4, 3);
    expect_str(r, "hex", EX1);
    cJSON_Delete(r);
    struct nt_child c = session(port);
    r = ask_on(&c, "{\"id\":1,\"op\":\"hello\",\"version\":1}");
    expect_ok(r, 1, 7);
    cJSON_Delete(r);

    int status = nt_stop(&shim, SIGTERM);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* Stopping the listener ends its sessions. */
    assert_true(nt_peer_closes(b.in));
    assert_true(nt_peer_closes(c.in));
    session_close(&b);
    session_close(&c);
}

static void test_tcp_max_conns(void **state)
{
    (void)state;
    const char *args[] = {"shim", "--listen", "tcp://127.0.0.1:0",
                          "--max-conns", "1", NULL};
    start_shim(args);
    unsigned port = nt_url_port(nt_listening(&shim));
    struct nt_child a = session(port);
    cJSON *r = ask_on(&a, "{\"id\":1,\"op\":\"hello\",\"version\":1}");
    expect_ok(r, 1, 7);
    cJSON_Delete(r);
    /* A second session is refused while the first is open. */
    int extra = nt_tcp_connect(port);
    assert_true(nt_peer_closes(extra));
    close(extra);
    session_close(&a);
    /* Once the first session has ended its slot serves again. */
    static const char hello[] = "{\"id\":1,\"op\":\"hello\"}\n";
    assert_true(nt_answered_eventually(port, hello, sizeof hello - 1));
    int status = nt_stop(&shim, SIGINT);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s TAMTAM-NODE stdio|tcp\n", argv[0]);
        return 2;
    }
    nt_node = argv[1];
    const struct CMUnitTest stdio_tests[] = {
        cmocka_unit_test_teardown(test_hello, nt_teardown),
        cmocka_unit_test_teardown(test_hello_crc_names, nt_teardown),
        cmocka_unit_test_teardown(test_decode_valid, nt_teardown),
        cmocka_unit_test_teardown(test_decode_errors, nt_teardown),
        cmocka_unit_test_teardown(test_decode_crc_variant, nt_teardown),
        cmocka_unit_test_teardown(test_encode, nt_teardown),
        cmocka_unit_test_teardown(test_encode_crc_variant, nt_teardown),
        cmocka_unit_test_teardown(test_encode_refusals, nt_teardown),
        cmocka_unit_test_teardown(test_stream, nt_teardown),
        cmocka_unit_test_teardown(test_unsupported, nt_teardown),
        cmocka_unit_test_teardown(test_bad_request, nt_teardown),
        cmocka_unit_test_teardown(test_long_lines, nt_teardown),
        cmocka_unit_test_teardown(test_pipelined, nt_teardown),
        cmocka_unit_test_teardown(test_end_of_input, nt_teardown),
    };
    const struct CMUnitTest tcp_tests[] = {
        cmocka_unit_test_teardown(test_tcp_sessions, nt_teardown),
        cmocka_unit_test_teardown(test_tcp_max_conns, nt_teardown),
    };
    if (strcmp(argv[2], "stdio") == 0)
        return cmocka_run_group_tests_name("node.shim", stdio_tests, NULL,
                                           NULL);
    if (strcmp(argv[2], "tcp") == 0)
        return cmocka_run_group_tests_name("node.shim_tcp", tcp_tests, NULL,
                                           NULL);
    fprintf(stderr, "unknown group %s\n", argv[2]);
    return 2;
}
