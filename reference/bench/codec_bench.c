/*
 * Codec throughput, printed as ratios against alternatives measured in the
 * same run (never a pass/fail timing): decode+verify of the smallest and the
 * largest frames, and CRC-8 by slice-by-16 against a byte-at-a-time table and
 * memcpy of the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tamtam/tamtam.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Keeps results alive so the compiler cannot drop the measured work. */
static volatile unsigned sink;

/* Byte-at-a-time table CRC-8/SMBUS: the usual alternative. */
static uint8_t bytewise_table[256];

static void bytewise_init(void)
{
    for (unsigned x = 0; x < 256; x++) {
        unsigned r = x;
        for (int i = 0; i < 8; i++)
            r = (r & 0x80) ? ((r << 1) ^ 0x07) & 0xFF : (r << 1) & 0xFF;
        bytewise_table[x] = (uint8_t)r;
    }
}

static uint8_t crc_bytewise(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = bytewise_table[s ^ *p++];
    return s;
}

/* A buffer of `count` copies of one frame; decodes them all, repeatedly,
 * for about `seconds`. Returns bytes per second. */
static double decode_rate(const uint8_t *buf, size_t flen, size_t count,
                          double seconds, double *frames_per_s)
{
    size_t frames = 0;
    double t0 = now(), t;
    do {
        for (size_t i = 0; i < count; i++) {
            tt_frame f;
            sink += (unsigned)tt_decode(buf + i * flen, flen, TT_CRC_SMBUS, &f);
        }
        frames += count;
        t = now() - t0;
    } while (t < seconds);
    *frames_per_s = (double)frames / t;
    return (double)(frames * flen) / t;
}

static double memcpy_rate(uint8_t *dst, const uint8_t *src, size_t len,
                          double seconds)
{
    size_t bytes = 0;
    double t0 = now(), t;
    do {
        memcpy(dst, src, len);
        sink += dst[len / 2];
        bytes += len;
        t = now() - t0;
    } while (t < seconds);
    return (double)bytes / t;
}

static double crc_rate(int which, const uint8_t *buf, size_t len, double seconds)
{
    size_t bytes = 0;
    double t0 = now(), t;
    do {
        sink += which ? tt_crc8(TT_CRC_SMBUS, buf, len) : crc_bytewise(buf, len);
        bytes += len;
        t = now() - t0;
    } while (t < seconds);
    return (double)bytes / t;
}

static void decode_case(const char *label, unsigned size_id, bool big,
                        bool ext, double seconds)
{
    static uint8_t payload[TT_BLOCK_MAX];
    tt_frame f = {.cls = 2, .size_id = (uint8_t)size_id, .big = big,
                  .has_ext = ext, .payload = payload};
    f.used_len = (uint16_t)tt_block_size(size_id, big);
    size_t flen = (size_t)tt_encoded_length(&f);
    size_t count = (1u << 20) / flen + 1; /* about 1 MiB: stays in cache */
    uint8_t *buf = malloc(count * flen), *dst = malloc(count * flen);
    if (!buf || !dst) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < count; i++)
        tt_encode(&f, TT_CRC_SMBUS, buf + i * flen, flen);
    double fps;
    double dec = decode_rate(buf, flen, count, seconds, &fps);
    double cpy = memcpy_rate(dst, buf, count * flen, seconds);
    printf("decode+verify %-26s %5zu B  %12.0f frames/s  %9.1f MB/s  "
           "memcpy %9.1f MB/s  ratio %.3f\n",
           label, flen, fps, dec / 1e6, cpy / 1e6, dec / cpy);
    free(buf);
    free(dst);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    if (!(seconds > 0)) {
        fprintf(stderr, "usage: %s [SECONDS_PER_MEASUREMENT]\n", argv[0]);
        return 2;
    }
    bytewise_init();
    decode_case("smallest (SizeId 0)", 0, false, false, seconds);
    decode_case("largest (0xF, big, ext)", 15, true, true, seconds);

    size_t len = 1u << 20;
    uint8_t *buf = malloc(len), *dst = malloc(len);
    if (!buf || !dst) {
        free(buf);
        free(dst);
        return 1;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 13);
    if (tt_crc8(TT_CRC_SMBUS, buf, len) != crc_bytewise(buf, len)) {
        fprintf(stderr, "slice-by-16 and byte-wise CRC disagree\n");
        free(buf);
        free(dst);
        return 1;
    }
    double slice = crc_rate(1, buf, len, seconds);
    double bytewise = crc_rate(0, buf, len, seconds);
    double cpy = memcpy_rate(dst, buf, len, seconds);
    printf("CRC-8 slice-by-16  %6.2f GB/s   byte-at-a-time %6.2f GB/s   "
           "memcpy %6.2f GB/s   slice/bytewise %.2fx   slice/memcpy %.3f\n",
           slice / 1e9, bytewise / 1e9, cpy / 1e9, slice / bytewise,
           slice / cpy);
    free(buf);
    free(dst);
    return 0;
}
