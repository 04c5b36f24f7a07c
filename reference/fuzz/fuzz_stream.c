/*
 * Fuzz target: the stream receiver fed the input in chunks whose sizes come
 * from a second fuzzed stream. Input: byte 0 = number K of chunk-size bytes
 * that follow, then K sizes (each 0..255; 0 means 1), then the stream bytes
 * (after the sizes run out, the rest goes in one chunk). The events and the
 * pending count must equal a frame-by-frame walk of the whole buffer with
 * tt_decode (spec CF-12.3-a/b/c), and every chunk comes from its own
 * exact-size heap copy so a read past it is caught.
 */
#include <stdlib.h>
#include <string.h>

#include "tamtam/tamtam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t k = data[0];
    if (size < 1 + k)
        return 0;
    const uint8_t *sizes = data + 1;
    const uint8_t *buf = data + 1 + k;
    size_t len = size - 1 - k;

    static tt_stream s;
    tt_stream_init(&s, TT_CRC_SMBUS);
    size_t pos = 0, walk = 0, ci = 0;
    while (pos < len) {
        size_t n = ci < k ? (sizes[ci] ? sizes[ci] : 1) : len - pos;
        ci++;
        if (n > len - pos)
            n = len - pos;
        /* n >= 1: pos < len, and a size byte of 0 means 1. */
        uint8_t *chunk = malloc(n); // NOLINT(clang-analyzer-optin.portability.UnixAPI)
        if (!chunk)
            abort();
        memcpy(chunk, buf + pos, n);
        const uint8_t *p = chunk;
        size_t left = n;
        tt_stream_event ev;
        int r;
        while ((r = tt_stream_next(&s, &p, &left, &ev)) > 0) {
            /* The event must be the next frame of the whole-buffer walk. */
            int flen = tt_frame_length(buf + walk, len - walk);
            if (flen < 0 || walk + (size_t)flen > len || ev.offset != walk)
                abort();
            tt_frame f;
            int want = tt_decode(buf + walk, (size_t)flen, TT_CRC_SMBUS, &f);
            if (ev.status != (want < 0 ? want : 0) ||
                ev.frame.frame_len != flen || ev.frame.used_len != f.used_len ||
                ev.frame.channel != f.channel)
                abort();
            if (want > 0 && memcmp(ev.frame.payload, f.payload, f.used_len))
                abort();
            walk += (size_t)flen;
        }
        if (r != 0 || left != 0)
            abort();
        free(chunk);
        pos += n;
    }
    /* Whatever the walk could not complete is exactly what is pending. */
    int flen = tt_frame_length(buf + walk, len - walk);
    if (len - walk != tt_stream_pending(&s) ||
        (flen > 0 && walk + (size_t)flen <= len))
        abort();
    return 0;
}
