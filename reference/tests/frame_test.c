/* Frame decode and encode: layout, block sizes, check order, errors.
 * Expected values are written out from spec/core-frame.md, not computed with
 * the codec's own tables. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* CF-7.1-a, CF-7.1-b, CF-7.2-a. */
static const unsigned block_normal[16] = {0,   16,  32,   64,   96,   128,
                                          192, 256, 384,  512,  768,  1024,
                                          1536, 2048, 3072, 4096};

static void block_sizes(void **state)
{
    (void)state;
    for (unsigned id = 0; id < 16; id++) {
        assert_int_equal(tt_block_size(id, false), block_normal[id]);
        assert_int_equal(tt_block_size(id, true), 2 * block_normal[id]);
    }
    assert_int_equal(tt_block_size(0, true), 0);     /* CF-7.1-b */
    assert_int_equal(tt_block_size(15, true), 8192); /* CF-7.2-a */
    assert_int_equal(tt_block_size(16, false), 0);
}

/* CF-2-b: 3 + 2*HasExt + 1 + 2 + block; 6 to 8200 bytes. */
static void frame_lengths(void **state)
{
    (void)state;
    uint8_t b[2] = {0, 0};
    assert_int_equal(tt_frame_length(b, 1), TT_ERR_TRUNCATED);
    for (unsigned b1 = 0; b1 < 256; b1++) {
        b[1] = (uint8_t)b1;
        unsigned expect = 6 + ((b1 & 8) ? 2 : 0) +
                          block_normal[b1 >> 4] * ((b1 & 1) ? 2 : 1);
        assert_int_equal(tt_frame_length(b, 2), expect);
    }
    b[1] = 0x00;
    assert_int_equal(tt_frame_length(b, 2), TT_FRAME_MIN);
    b[1] = 0xF9;
    assert_int_equal(tt_frame_length(b, 2), TT_FRAME_MAX);
}

/* The worked examples of spec/core-frame.md section 12, CRC-8/SMBUS. */
static const uint8_t local_example[22] = {0x20, 0x10, 0x07, 0x10, 0x00, 0x03,
                                          0x01, 0x02, 0x03};
static const uint8_t roaming_example[24] = {0x20, 0x18, 0x07, 0x12, 0x34, 0x07,
                                            0x00, 0x03, 0x01, 0x02, 0x03};

/* CF-2-a, CF-3.1-a, CF-3.2-a, CF-3.2-b, CF-3.3-a, CF-4-b, CF-5.1-a, CF-6-a. */
static void decode_local_example(void **state)
{
    (void)state;
    tt_frame f;
    assert_int_equal(tt_decode(local_example, sizeof local_example,
                               TT_CRC_SMBUS, &f),
                     22);
    assert_ptr_equal(f.bytes, local_example);
    assert_int_equal(f.cls, TT_CLASS_DATA);
    assert_int_equal(f.direction, TT_DIR_REQUEST);
    assert_int_equal(f.size_id, 1);
    assert_false(f.big || f.ack || f.priority || f.has_ext);
    assert_int_equal(f.channel, 7);
    assert_int_equal(f.crc, 0x10);
    assert_int_equal(f.crc_computed, 0x10);
    assert_int_equal(f.used_len, 3);
    assert_ptr_equal(f.payload, local_example + 6);
    assert_ptr_equal(f.padding, local_example + 9);
    assert_int_equal(f.padding_len, 13);
    assert_int_equal(f.frame_len, 22);
}

/* CF-4-a: the destination is big-endian right after the header. */
static void decode_roaming_example(void **state)
{
    (void)state;
    tt_frame f;
    assert_int_equal(tt_decode(roaming_example, sizeof roaming_example,
                               TT_CRC_SMBUS, &f),
                     24);
    assert_true(f.has_ext);
    assert_int_equal(f.dest, 0x1234);
    assert_int_equal(f.crc, 0x07);
    assert_int_equal(f.used_len, 3);
    assert_ptr_equal(f.payload, roaming_example + 8);
}

/* The CRC input of a frame, assembled by hand (CF-5.2-a); the CRC algorithm
 * itself is held to its bitwise definition in crc8_test.c. */
static uint8_t crc_by_hand(tt_crc crc, const uint8_t *frame)
{
    uint8_t in[TT_FRAME_MAX];
    size_t hlen = (frame[1] & 8) ? 5 : 3;
    size_t used = (size_t)frame[hlen + 1] << 8 | frame[hlen + 2];
    memcpy(in, frame, hlen);
    memcpy(in + hlen, frame + hlen + 1, 2 + used);
    return tt_crc8(crc, in, hlen + 2 + used);
}

/* Encode then decode every (byte 0, byte 1) pair with UsedLen 0, 1,
 * block-1 and block, checking the wire bytes directly:
 * CF-2-a, CF-2-b, CF-3.1-a, CF-3.1-b, CF-3.1-c, CF-3.2-a, CF-3.2-b, CF-4-a,
 * CF-4-b, CF-5.2-a, CF-6-a, CF-8-a, CF-8-b, CF-9-a, CF-10-a, CF-10-b,
 * CF-12.4-a. */
static void round_trip_all_headers(void **state)
{
    (void)state;
    static uint8_t payload[TT_BLOCK_MAX + 64], out[TT_FRAME_MAX + 1];
    static const uint8_t zeros[TT_BLOCK_MAX];
    uint64_t seed = 3;
    tt_test_fill(&seed, payload, sizeof payload);
    for (unsigned b0 = 0; b0 < 256; b0++) {
        for (unsigned b1 = 0; b1 < 256; b1++) {
            unsigned block = block_normal[b1 >> 4] * ((b1 & 1) ? 2 : 1);
            unsigned hlen = (b1 & 8) ? 5 : 3;
            const unsigned used_set[4] = {0, 1, block - 1, block};
            for (int u = 0; u < 4; u++) {
                unsigned used = used_set[u];
                if (used > block)
                    continue;
                tt_frame in = {
                    .cls = (uint8_t)(b0 >> 4),
                    .direction = (uint8_t)(b0 & 15),
                    .size_id = (uint8_t)(b1 >> 4),
                    .big = b1 & 1,
                    .ack = b1 & 2,
                    .priority = b1 & 4,
                    .has_ext = b1 & 8,
                    .channel = (uint8_t)(b0 ^ b1),
                    .dest = (uint16_t)(b0 << 8 | (255 - b1)),
                    .used_len = (uint16_t)used,
                    .payload = payload + (b0 + b1) % 64,
                };
                out[hlen + 3 + block] = 0xEE; /* must stay untouched */
                int n = tt_encode(&in, TT_CRC_SMBUS, out, sizeof out);
                assert_int_equal(n, hlen + 3 + block);
                assert_int_equal(out[0], b0);
                assert_int_equal(out[1], b1);
                assert_int_equal(out[2], in.channel);
                if (b1 & 8) {
                    assert_int_equal(out[3], b0);
                    assert_int_equal(out[4], 255 - b1);
                }
                assert_int_equal(out[hlen + 1], used >> 8);
                assert_int_equal(out[hlen + 2], used & 0xFF);
                assert_int_equal(out[hlen], crc_by_hand(TT_CRC_SMBUS, out));
                /* The helpers tools use: the CRC's place and its span,
                 * with the padding absent. */
                assert_int_equal(tt_crc_offset(out, 2), hlen);
                assert_int_equal(tt_frame_crc(out, hlen + 3 + used,
                                              TT_CRC_SMBUS),
                                 out[hlen]);
                if (used)
                    assert_int_equal(tt_frame_crc(out, hlen + 2 + used,
                                                  TT_CRC_SMBUS),
                                     TT_ERR_TRUNCATED);
                assert_memory_equal(out + hlen + 3, in.payload, used);
                assert_memory_equal(out + hlen + 3 + used, zeros,
                                    block - used);
                assert_int_equal(out[hlen + 3 + block], 0xEE);

                tt_frame f;
                assert_int_equal(tt_decode(out, (size_t)n + 1, TT_CRC_SMBUS, &f),
                                 n);
                assert_int_equal(f.cls, in.cls);
                assert_int_equal(f.direction, in.direction);
                assert_int_equal(f.size_id, in.size_id);
                assert_int_equal(f.big, in.big);
                assert_int_equal(f.ack, in.ack);
                assert_int_equal(f.priority, in.priority);
                assert_int_equal(f.has_ext, in.has_ext);
                assert_int_equal(f.channel, in.channel);
                assert_int_equal(f.dest, in.has_ext ? in.dest : 0);
                assert_int_equal(f.used_len, used);
                assert_memory_equal(f.payload, in.payload, used);
            }
        }
    }
}

/* tt_crc_offset / tt_frame_crc refuse what has no CRC span. */
static void crc_helper_errors(void **state)
{
    (void)state;
    static const uint8_t over[] = {0x20, 0x10, 0x07, 0x00, 0x00, 0x11};
    assert_int_equal(tt_crc_offset(over, 1), TT_ERR_TRUNCATED);
    assert_int_equal(tt_crc_offset(NULL, 0), TT_ERR_TRUNCATED);
    assert_int_equal(tt_frame_crc(over, 1, TT_CRC_SMBUS), TT_ERR_TRUNCATED);
    assert_int_equal(tt_frame_crc(over, 5, TT_CRC_SMBUS), TT_ERR_TRUNCATED);
    assert_int_equal(tt_frame_crc(over, sizeof over, TT_CRC_SMBUS),
                     TT_ERR_USED_LEN_EXCEEDS_BLOCK);
    assert_int_equal(tt_frame_crc(NULL, 3, TT_CRC_SMBUS),
                     TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_frame_crc(over, sizeof over, (tt_crc)99),
                     TT_ERR_INVALID_ARGUMENT);
}

/* CF-12.2-a: the pinned error names. */
static void error_names(void **state)
{
    (void)state;
    assert_string_equal(tt_error_name(TT_ERR_TRUNCATED), "truncated");
    assert_string_equal(tt_error_name(TT_ERR_USED_LEN_EXCEEDS_BLOCK),
                        "used_len_exceeds_block");
    assert_string_equal(tt_error_name(TT_ERR_CRC_MISMATCH), "crc_mismatch");
    assert_int_equal(tt_error_from_name("crc_mismatch"), TT_ERR_CRC_MISMATCH);
    assert_int_equal(tt_error_from_name("nonsense"), 0);
    assert_null(tt_error_name(0));
    assert_non_null(tt_error_desc(TT_ERR_NO_SPACE));
}

/* CF-6-b, CF-12.2-b: the check order, at every length of a frame whose
 * UsedLen is too large, and of a frame whose CRC is wrong. */
static void check_order(void **state)
{
    (void)state;
    tt_frame f;
    /* Roaming, SizeId 1 (16 bytes), UsedLen 17: header+ext+CRC+UsedLen is 8
     * bytes, the whole frame 24. */
    uint8_t bad_len[24] = {0x10, 0x18, 0x01, 0xAB, 0xCD, 0x00, 0x00, 17};
    for (size_t len = 0; len <= sizeof bad_len; len++) {
        int want = len < 8 ? TT_ERR_TRUNCATED : TT_ERR_USED_LEN_EXCEEDS_BLOCK;
        assert_int_equal(tt_decode(bad_len, len, TT_CRC_SMBUS, &f), want);
    }
    /* UsedLen 0xFFFF on the largest block. */
    uint8_t huge[TT_FRAME_MAX] = {0x20, 0xF9, 0, 0, 0, 0, 0xFF, 0xFF};
    assert_int_equal(tt_decode(huge, sizeof huge, TT_CRC_SMBUS, &f),
                     TT_ERR_USED_LEN_EXCEEDS_BLOCK);
    assert_int_equal(f.used_len, 0xFFFF);
    /* A wrong CRC is only reported once the whole frame is there. */
    uint8_t bad_crc[22];
    memcpy(bad_crc, local_example, sizeof bad_crc);
    bad_crc[3] ^= 0x01;
    for (size_t len = 0; len <= sizeof bad_crc; len++) {
        int want = len < 22 ? TT_ERR_TRUNCATED : TT_ERR_CRC_MISMATCH;
        assert_int_equal(tt_decode(bad_crc, len, TT_CRC_SMBUS, &f), want);
    }
    assert_int_equal(f.crc, 0x11);
    assert_int_equal(f.crc_computed, 0x10);
}

/* CF-5.2-a, CF-5.2-b, CF-5.3-a, CF-8-b: a flipped bit anywhere the CRC covers
 * is a crc_mismatch (or, in UsedLen, possibly a different verdict that still
 * rejects); a flipped padding bit is not. */
static void bit_flips(void **state)
{
    (void)state;
    uint8_t buf[24];
    tt_frame f;
    for (size_t byte = 0; byte < sizeof roaming_example; byte++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(buf, roaming_example, sizeof buf);
            buf[byte] ^= (uint8_t)(1u << bit);
            int r = tt_decode(buf, sizeof buf, TT_CRC_SMBUS, &f);
            if (byte >= 11) { /* padding */
                assert_int_equal(r, 24);
            } else if (byte == 1) { /* SizeId/flags: the frame changes shape */
                assert_true(r < 0);
            } else if (byte == 6 || byte == 7) { /* UsedLen */
                assert_true(r == TT_ERR_CRC_MISMATCH ||
                            r == TT_ERR_USED_LEN_EXCEEDS_BLOCK);
            } else {
                assert_int_equal(r, TT_ERR_CRC_MISMATCH);
            }
        }
    }
}

/* CF-12.1-c: six zero bytes are a valid System/Request frame under SMBUS. */
static void all_zero_frame(void **state)
{
    (void)state;
    static const uint8_t zeros[12];
    tt_frame f;
    assert_int_equal(tt_decode(zeros, sizeof zeros, TT_CRC_SMBUS, &f), 6);
    assert_int_equal(f.cls, TT_CLASS_SYSTEM);
    assert_int_equal(f.direction, TT_DIR_REQUEST);
    assert_int_equal(f.used_len, 0);
    assert_int_equal(f.crc, 0);
    /* Under variants with a non-zero init or xorout it is not. */
    assert_int_equal(tt_decode(zeros, 6, TT_CRC_AUTOSAR, &f),
                     TT_ERR_CRC_MISMATCH);
}

/* CF-12.2-c: trailing bytes are not consumed and do not change the verdict. */
static void trailing_bytes(void **state)
{
    (void)state;
    uint8_t buf[40];
    memset(buf, 0xA5, sizeof buf);
    memcpy(buf, local_example, sizeof local_example);
    tt_frame f;
    assert_int_equal(tt_decode(buf, sizeof buf, TT_CRC_SMBUS, &f), 22);
}

/* CF-3.1-b, CF-3.1-c: unassigned and reserved values decode; names. */
static void class_direction_values(void **state)
{
    (void)state;
    static const char *const cls[16] = {"System", "Control", "Data", "Event",
                                        "Response", [15] = "Reserved"};
    static const char *const dir[16] = {"Request", "Reply", "Broadcast",
                                        "Signal", [15] = "Reserved"};
    for (unsigned v = 0; v < 16; v++) {
        assert_string_equal(tt_class_name(v), cls[v] ? cls[v] : "Unassigned");
        assert_string_equal(tt_direction_name(v),
                            dir[v] ? dir[v] : "Unassigned");
        assert_int_equal(tt_class_is_assigned(v), v <= 4);
        assert_int_equal(tt_direction_is_assigned(v), v <= 3);
        tt_frame in = {.cls = (uint8_t)v, .direction = (uint8_t)(15 - v)}, f;
        uint8_t out[6];
        assert_int_equal(tt_encode(&in, TT_CRC_SMBUS, out, sizeof out), 6);
        assert_int_equal(tt_decode(out, 6, TT_CRC_SMBUS, &f), 6);
        assert_int_equal(f.cls, v);
        assert_int_equal(f.direction, 15 - v);
    }
    assert_null(tt_class_name(16));
    assert_null(tt_direction_name(99));
}

/* CF-12.4-a: encode refuses what it cannot write. */
static void encode_errors(void **state)
{
    (void)state;
    uint8_t out[TT_FRAME_MAX], payload[32] = {0};
    tt_frame f = {.size_id = 1, .used_len = 17, .payload = payload};
    assert_int_equal(tt_encode(&f, TT_CRC_SMBUS, out, sizeof out),
                     TT_ERR_USED_LEN_EXCEEDS_BLOCK);
    f.used_len = 1;
    f.size_id = 0; /* CF-7.1-b: a 0-byte block holds nothing */
    assert_int_equal(tt_encode(&f, TT_CRC_SMBUS, out, sizeof out),
                     TT_ERR_USED_LEN_EXCEEDS_BLOCK);
    f.size_id = 1;
    assert_int_equal(tt_encode(&f, TT_CRC_SMBUS, out, 21), TT_ERR_NO_SPACE);
    assert_int_equal(tt_encode(&f, TT_CRC_SMBUS, out, 22), 22);
    f.cls = 16;
    assert_int_equal(tt_encode(&f, TT_CRC_SMBUS, out, sizeof out),
                     TT_ERR_INVALID_ARGUMENT);
    f.cls = 0;
    f.payload = NULL;
    assert_int_equal(tt_encode(&f, TT_CRC_SMBUS, out, sizeof out),
                     TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_encode(NULL, TT_CRC_SMBUS, out, sizeof out),
                     TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_encode(&f, (tt_crc)TT_CRC_COUNT, out, sizeof out),
                     TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_decode(out, 6, (tt_crc)TT_CRC_COUNT, &f),
                     TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_decode(NULL, 6, TT_CRC_SMBUS, &f),
                     TT_ERR_INVALID_ARGUMENT);
}

/* CF-5.3-b: random bytes of every length never crash and never claim more
 * than they were given; every verdict is one of the defined outcomes. Runs
 * from exact-size heap buffers so ASan sees any over-read. */
static void random_input(void **state)
{
    (void)state;
    uint64_t seed = 4;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(tt_test_rand(&seed) % 64);
        if (iter % 100 == 0)
            len = (size_t)(tt_test_rand(&seed) % (TT_FRAME_MAX + 10));
        uint8_t *buf = malloc(len ? len : 1);
        assert_non_null(buf);
        tt_test_fill(&seed, buf, len);
        if (iter % 3 == 0 && len > 1)
            buf[1] &= 0x0F; /* small blocks, so lengths often suffice */
        tt_frame f;
        int r = tt_decode(buf, len, (tt_crc)(iter % TT_CRC_COUNT), &f);
        assert_true(r == TT_ERR_TRUNCATED || r == TT_ERR_CRC_MISMATCH ||
                    r == TT_ERR_USED_LEN_EXCEEDS_BLOCK ||
                    (r >= (int)TT_FRAME_MIN && (size_t)r <= len));
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_sizes),
        cmocka_unit_test(frame_lengths),
        cmocka_unit_test(decode_local_example),
        cmocka_unit_test(decode_roaming_example),
        cmocka_unit_test(round_trip_all_headers),
        cmocka_unit_test(error_names),
        cmocka_unit_test(check_order),
        cmocka_unit_test(bit_flips),
        cmocka_unit_test(all_zero_frame),
        cmocka_unit_test(trailing_bytes),
        cmocka_unit_test(class_direction_values),
        cmocka_unit_test(encode_errors),
        cmocka_unit_test(crc_helper_errors),
        cmocka_unit_test(random_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
