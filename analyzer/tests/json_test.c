/* The hand-written --json frame line (report.c) holds exactly the pinned
 * frame object: parsed with cJSON, its frame members must equal what
 * ttj_frame_to_json writes for the same decoded frame, in the same order,
 * for valid, crc_mismatch, used_len_exceeds_block and truncated frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "ttj.h"

static an_outbuf out;

/* Formats one line and returns it parsed. */
static cJSON *line_for(const tt_frame *f, int status, uint64_t ts,
                       uint64_t off)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    an_outbuf_init(&out, fileno(tmp));
    an_json_frame(&out, ts, "tcp", "[2001:db8::1]:50000", "10.0.0.2:4774",
                  off, status, f);
    assert_int_equal(an_outbuf_flush(&out), 0);
    static char text[40000];
    rewind(tmp);
    size_t n = fread(text, 1, sizeof text - 1, tmp);
    fclose(tmp);
    text[n] = '\0';
    assert_true(n > 0 && text[n - 1] == '\n');
    assert_null(memchr(text, '\n', n - 1)); /* exactly one line */
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("not JSON: %s", text);
    return j;
}

static const char *const line_keys[8] = {
    "type", "protocol", "ts", "proto", "src", "dst", "stream_offset",
    "status"};

static void check(const uint8_t *buf, size_t len, tt_crc crc, uint64_t ts,
                  uint64_t off)
{
    tt_frame f;
    int r = tt_decode(buf, len, crc, &f);
    int status = r < 0 ? r : 0;
    cJSON *line = line_for(&f, status, ts, off);
    cJSON *want = ttj_frame_to_json(&f);
    assert_non_null(want);

    const cJSON *m = line->child;
    for (int i = 0; i < 8; i++, m = m->next) {
        assert_non_null(m);
        assert_string_equal(m->string, line_keys[i]);
    }
    assert_string_equal(cJSON_GetObjectItem(line, "type")->valuestring,
                        "frame");
    assert_string_equal(cJSON_GetObjectItem(line, "protocol")->valuestring,
                        "tamtam");
    assert_string_equal(cJSON_GetObjectItem(line, "status")->valuestring,
                        status ? tt_error_name(status) : "ok");
    assert_true(cJSON_GetObjectItem(line, "stream_offset")->valuedouble ==
                (double)off);
    char tsbuf[32];
    snprintf(tsbuf, sizeof tsbuf, "%llu.%06llu",
             (unsigned long long)(ts / 1000000),
             (unsigned long long)(ts % 1000000));
    assert_true(cJSON_GetObjectItem(line, "ts")->valuedouble ==
                strtod(tsbuf, NULL));

    /* The rest is the frame object: same members, order and values. */
    cJSON *got = cJSON_CreateObject();
    for (; m; m = m->next)
        cJSON_AddItemToObject(got, m->string, cJSON_Duplicate(m, 1));
    const cJSON *a = got->child, *b = want->child;
    for (; a && b; a = a->next, b = b->next)
        assert_string_equal(a->string, b->string);
    assert_null(a);
    assert_null(b);
    if (!cJSON_Compare(got, want, 1)) {
        char *g = cJSON_PrintUnformatted(got), *w = cJSON_PrintUnformatted(want);
        fail_msg("frame members differ:\n got  %s\n want %s", g, w);
    }
    cJSON_Delete(got);
    cJSON_Delete(want);
    cJSON_Delete(line);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void spec_examples(void **state)
{
    (void)state;
    uint8_t ex1[22] = {0x20, 0x10, 0x07, 0x10, 0x00, 0x03, 1, 2, 3};
    uint8_t ex2[24] = {0x20, 0x18, 0x07, 0x12, 0x34, 0x07, 0x00, 0x03,
                       1, 2, 3};
    check(ex1, 22, TT_CRC_SMBUS, 1700000000000100ull, 0);
    check(ex2, 24, TT_CRC_SMBUS, 1700000000999999ull, 22);
    ex1[3] = 0x11;
    check(ex1, 22, TT_CRC_SMBUS, 0, 1ull << 40);
    check(ex1, 1, TT_CRC_SMBUS, 5, 3);
    check(ex1, 0, TT_CRC_SMBUS, 5, 3);
    static const uint8_t used17[6] = {0x20, 0x10, 0x07, 0x00, 0x00, 0x11};
    check(used17, 6, TT_CRC_SMBUS, 7, 9);
}

/* Frames of every shape, complete and cut, under several variants. */
static void random_frames(void **state)
{
    (void)state;
    static uint8_t buf[TT_FRAME_MAX];
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 3000; i++) {
        tt_frame f = {0};
        static uint8_t pay[TT_BLOCK_MAX];
        f.cls = (uint8_t)(rnd(&s) & 15);
        f.direction = (uint8_t)(rnd(&s) & 15);
        f.size_id = (uint8_t)(rnd(&s) % 16);
        f.big = rnd(&s) & 1;
        f.ack = rnd(&s) & 1;
        f.priority = rnd(&s) & 1;
        f.has_ext = rnd(&s) & 1;
        f.channel = (uint8_t)rnd(&s);
        f.dest = (uint16_t)rnd(&s);
        unsigned block = tt_block_size(f.size_id, f.big);
        f.used_len = (uint16_t)(block ? rnd(&s) % (block + 1) : 0);
        for (unsigned k = 0; k < f.used_len; k++)
            pay[k] = (uint8_t)rnd(&s);
        f.payload = pay;
        tt_crc crc = (tt_crc)(rnd(&s) % TT_CRC_COUNT);
        int n = tt_encode(&f, crc, buf, sizeof buf);
        assert_true(n > 0);
        switch (rnd(&s) % 4) {
        case 0: /* as encoded */
            break;
        case 1: /* integrity byte off by one */
            buf[tt_crc_offset(buf, (size_t)n)] ^= 1;
            break;
        case 2: /* UsedLen beyond the block */
            tt_put_u16be(buf + (f.has_ext ? 6 : 4), (uint16_t)(block + 1));
            break;
        default: /* cut short */
            n = (int)(rnd(&s) % (unsigned)n);
        }
        check(buf, (size_t)n, crc, rnd(&s) % 4000000000000000ull,
              rnd(&s) >> 20);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_examples),
        cmocka_unit_test(random_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
