/* The pinned JSON forms: hex, the frame object both ways, frame diffs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ttj.h"

static void hex(void **state)
{
    (void)state;
    uint8_t b[4];
    char s[9];
    assert_int_equal(ttj_hex_encode((const uint8_t *)"\x00\x1f\xa0\xff", 4, s), 8);
    assert_string_equal(s, "001fa0ff");
    assert_int_equal(ttj_hex_decode("001FA0ff", b, sizeof b), 4);
    assert_memory_equal(b, "\x00\x1f\xa0\xff", 4);
    assert_int_equal(ttj_hex_decode("", b, sizeof b), 0);
    assert_int_equal(ttj_hex_decode("abc", b, sizeof b), -1);
    assert_int_equal(ttj_hex_decode("0g", b, sizeof b), -1);
    assert_int_equal(ttj_hex_decode("0011223344", b, sizeof b), -2);
}

/* The worked example of spec/core-frame.md, roaming form. */
static const char example[] =
    "{\"class\":2,\"direction\":0,\"size_id\":1,\"big\":false,\"ack\":false,"
    "\"priority\":false,\"ext\":true,\"channel\":7,\"dest\":4660,\"crc\":7,"
    "\"used_len\":3,\"payload\":\"010203\"}";

static void frame_round_trip(void **state)
{
    (void)state;
    static const uint8_t wire[24] = {0x20, 0x18, 0x07, 0x12, 0x34, 0x07,
                                     0x00, 0x03, 0x01, 0x02, 0x03};
    tt_frame f;
    assert_int_equal(tt_decode(wire, sizeof wire, TT_CRC_SMBUS, &f), 24);
    cJSON *j = ttj_frame_to_json(&f);
    char *text = cJSON_PrintUnformatted(j);
    assert_string_equal(text, example);
    static ttj_frame back;
    assert_int_equal(ttj_frame_from_json(j, true, &back, NULL), 0);
    assert_null(ttj_frame_diff(&f, &back.f, true));
    cJSON_free(text);
    cJSON_Delete(j);

    /* Without ext, dest is null. */
    f.has_ext = false;
    j = ttj_frame_to_json(&f);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "dest")));
    cJSON_Delete(j);
}

static int parse(const char *text, bool full, const char **why)
{
    static ttj_frame out;
    cJSON *j = cJSON_Parse(text);
    int r = ttj_frame_from_json(j, full, &out, why);
    cJSON_Delete(j);
    return r;
}

static void frame_errors(void **state)
{
    (void)state;
    const char *why = NULL;
    /* An encode request carries neither crc nor used_len. */
    assert_int_equal(
        parse("{\"class\":2,\"direction\":0,\"size_id\":1,\"big\":false,"
              "\"ack\":false,\"priority\":false,\"ext\":false,\"channel\":7,"
              "\"dest\":null,\"payload\":\"0102\"}",
              false, &why),
        0);
    assert_int_equal(
        parse("{\"class\":2,\"direction\":0,\"size_id\":1,\"big\":false,"
              "\"ack\":false,\"priority\":false,\"ext\":false,\"channel\":7,"
              "\"dest\":null,\"payload\":\"0102\"}",
              true, &why),
        -1);
    assert_string_equal(why, "\"crc\" must be an integer 0..255");
    assert_int_equal(parse("{\"class\":16}", false, &why), -1);
    assert_string_equal(why, "\"class\" must be an integer 0..15");
    assert_int_equal(parse("{\"class\":1.5}", false, &why), -1);
    assert_int_equal(parse("[]", false, &why), -1);
    assert_string_equal(why, "frame is not an object");
    assert_int_equal(
        parse("{\"class\":2,\"direction\":0,\"size_id\":1,\"big\":false,"
              "\"ack\":false,\"priority\":false,\"ext\":false,\"channel\":7,"
              "\"dest\":5,\"payload\":\"\"}",
              false, &why),
        -1);
    assert_non_null(strstr(why, "\"dest\""));
    assert_int_equal(
        parse("{\"class\":2,\"direction\":0,\"size_id\":1,\"big\":false,"
              "\"ack\":false,\"priority\":false,\"ext\":false,\"channel\":7,"
              "\"dest\":null,\"used_len\":3,\"payload\":\"0102\"}",
              false, &why),
        -1);
    assert_string_equal(why, "\"used_len\" differs from the payload length");
}

static void diffs(void **state)
{
    (void)state;
    uint8_t pa[2] = {1, 2}, pb[2] = {1, 3};
    tt_frame a = {.cls = 1, .used_len = 2, .payload = pa, .crc = 5};
    tt_frame b = a;
    assert_null(ttj_frame_diff(&a, &b, true));
    b.crc = 6;
    assert_null(ttj_frame_diff(&a, &b, false));
    assert_string_equal(ttj_frame_diff(&a, &b, true), "crc");
    b = a;
    b.payload = pb;
    assert_string_equal(ttj_frame_diff(&a, &b, false), "payload");
    b = a;
    b.dest = 9; /* ignored without ext */
    assert_null(ttj_frame_diff(&a, &b, false));
    a.has_ext = b.has_ext = true;
    assert_string_equal(ttj_frame_diff(&a, &b, false), "dest");
    b.direction = 3;
    assert_string_equal(ttj_frame_diff(&a, &b, false), "direction");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hex),
        cmocka_unit_test(frame_round_trip),
        cmocka_unit_test(frame_errors),
        cmocka_unit_test(diffs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
