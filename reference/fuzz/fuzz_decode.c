/*
 * Fuzz target: tt_decode, then encode the decoded fields and decode again.
 * Input: byte 0 picks the CRC variant, the rest is the buffer. Invariants
 * (abort on violation, so libFuzzer and the replay both report it):
 * the result is a frame length within the input or one of the three decode
 * errors; a valid frame re-encodes to the same bytes except padding, which
 * comes back zeroed, and decodes again to the same fields.
 */
#include <stdlib.h>
#include <string.h>

#include "tamtam/tamtam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    tt_crc crc = (tt_crc)(data[0] % TT_CRC_COUNT);
    const uint8_t *buf = data + 1;
    size_t len = size - 1;
    tt_frame f;
    int r = tt_decode(buf, len, crc, &f);
    if (f.bytes != buf)
        abort();
    if (r == TT_ERR_TRUNCATED || r == TT_ERR_USED_LEN_EXCEEDS_BLOCK ||
        r == TT_ERR_CRC_MISMATCH)
        return 0;
    if (r < (int)TT_FRAME_MIN || (size_t)r > len ||
        r != tt_frame_length(buf, len))
        abort();

    static uint8_t out[TT_FRAME_MAX];
    int n = tt_encode(&f, crc, out, sizeof out);
    size_t head = (size_t)r - f.padding_len;
    if (n != r || memcmp(out, buf, head) != 0)
        abort();
    for (size_t i = head; i < (size_t)n; i++)
        if (out[i] != 0)
            abort();
    tt_frame g;
    if (tt_decode(out, (size_t)n, crc, &g) != n || g.cls != f.cls ||
        g.direction != f.direction || g.size_id != f.size_id ||
        g.big != f.big || g.ack != f.ack || g.priority != f.priority ||
        g.has_ext != f.has_ext || g.channel != f.channel || g.dest != f.dest ||
        g.crc != f.crc || g.used_len != f.used_len ||
        memcmp(g.payload, f.payload, f.used_len) != 0)
        abort();
    return 0;
}
