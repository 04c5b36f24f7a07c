/*
 * Shared pieces of the analyzer's end-to-end tests: cmocka, the capture
 * builder, the runner, and the worked examples of spec/core-frame.md 12.6
 * written out byte for byte.
 */
#ifndef TESTKIT_H
#define TESTKIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "capbuild.h"
#include "runan.h"

/* Spec 12.6 example 1: Data/Request, SizeId 1, channel 7, payload 01 02 03
 * (CRC-8/SMBUS 0x10); 22 bytes. */
static const uint8_t EX1[22] = {0x20, 0x10, 0x07, 0x10, 0x00, 0x03,
                                0x01, 0x02, 0x03};
/* Spec 12.6 example 2: as example 1 with HasExt and destination 0x1234
 * (CRC 0x07); 24 bytes. */
static const uint8_t EX2[24] = {0x20, 0x18, 0x07, 0x12, 0x34, 0x07,
                                0x00, 0x03, 0x01, 0x02, 0x03};
/* Example 1 with the integrity byte set to 0x11: crc_mismatch (12.2). */
static const uint8_t EX1_BADCRC[22] = {0x20, 0x10, 0x07, 0x11, 0x00, 0x03,
                                       0x01, 0x02, 0x03};
/* UsedLen 17 in a 16-byte block: used_len_exceeds_block; 22 bytes. */
static const uint8_t USED17[22] = {0x20, 0x10, 0x07, 0x00, 0x00, 0x11};

#define CLIENT "10.0.0.1:50000"
#define SERVER "10.0.0.2:4774"

static inline cb_ep client_ep(void)
{
    return cb_v4("10.0.0.1", 50000);
}

static inline cb_ep server_ep(void)
{
    return cb_v4("10.0.0.2", 4774);
}

/* A 22-byte frame (SizeId 1, Data/Request) on channel `ch` with a one-byte
 * payload `ch`: distinct, valid, never all zero. */
static inline size_t small_frame(uint8_t out[22], unsigned ch)
{
    uint8_t pay = (uint8_t)ch;
    return cb_frame(out, 22, 2, 0, 1, 0, ch, 0, &pay, 1);
}

/* Runs the analyzer with --json on `path` plus up to four extra options. */
static inline void run_json(an_result *r, const char *path, const char *a1,
                            const char *a2, const char *a3, const char *a4)
{
    const char *args[8] = {"--json"};
    int n = 1;
    const char *extra[4] = {a1, a2, a3, a4};
    for (int i = 0; i < 4 && extra[i]; i++)
        args[n++] = extra[i];
    args[n++] = path;
    args[n] = NULL;
    an_run(r, args, NULL, 1);
}

/* Asserts a frame line's status and stream offset. */
#define assert_frame(line, status, offset)                                     \
    do {                                                                       \
        const cJSON *l_ = (line);                                              \
        assert_non_null(l_);                                                   \
        assert_string_equal(an_str(l_, "status"), (status));                   \
        assert_int_equal(an_int(l_, "stream_offset"), (offset));               \
    } while (0)

/* The summary line, which must be the last line. */
static inline const cJSON *summary_of(const an_result *r)
{
    assert_true(r->nlines > 0);
    const cJSON *s = r->line[r->nlines - 1];
    assert_string_equal(an_str(s, "type"), "summary");
    return s;
}

static inline double ts_of(const cJSON *line)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(line, "ts");
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

#define assert_ts(line, us)                                                    \
    assert_true(fabs(ts_of(line) - (double)(us) / 1e6) < 5e-7)

/* Runs the cmocka tests of a program whose argv[1] is the analyzer. */
#define TESTKIT_MAIN(tests)                                                    \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        if (argc < 2) {                                                        \
            fprintf(stderr, "usage: %s PATH-TO-tamtam-analyze\n", argv[0]);    \
            return 2;                                                          \
        }                                                                      \
        an_bin = argv[1];                                                      \
        return cmocka_run_group_tests(tests, NULL, NULL);                      \
    }

#endif
