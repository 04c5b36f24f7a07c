/* Incremental Core Frame receiver for byte streams (CF-12.3). Whole frames
 * found in the caller's chunk are decoded in place; only a frame split across
 * chunks is copied, into the receiver's one-frame buffer. */
#include <string.h>

#include "tamtam/tamtam.h"

void tt_stream_init(tt_stream *s, tt_crc crc)
{
    s->crc = crc;
    tt_stream_reset(s, 0);
}

void tt_stream_reset(tt_stream *s, uint64_t offset)
{
    s->offset = offset;
    s->have = 0;
}

size_t tt_stream_pending(const tt_stream *s)
{
    return s->have;
}

/* Judges one complete frame and moves the stream offset past it. A discarded
 * frame is skipped by its computed length, as a valid one (CF-12.3-a). */
static int emit(tt_stream *s, const uint8_t *frame, size_t flen,
                tt_stream_event *ev)
{
    int r = tt_decode(frame, flen, s->crc, &ev->frame);
    ev->status = r < 0 ? r : 0;
    ev->offset = s->offset;
    s->offset += flen;
    return 1;
}

int tt_stream_next(tt_stream *s, const uint8_t **data, size_t *len,
                   tt_stream_event *ev)
{
    if (!s || !data || !len || !ev || (!*data && *len) ||
        (unsigned)s->crc >= TT_CRC_COUNT)
        return TT_ERR_INVALID_ARGUMENT;

    if (s->have == 0 && *len >= 2) {
        size_t flen = (size_t)tt_frame_length(*data, *len);
        if (flen <= *len) {
            const uint8_t *frame = *data;
            *data += flen;
            *len -= flen;
            return emit(s, frame, flen, ev);
        }
    }
    while (*len > 0) {
        /* Two bytes tell the frame length; until then, gather two. */
        size_t need = s->have < 2 ? 2 : (size_t)tt_frame_length(s->buf, s->have);
        size_t take = need - s->have < *len ? need - s->have : *len;
        memcpy(s->buf + s->have, *data, take);
        *data += take;
        *len -= take;
        s->have += take;
        if (s->have == need && need >= TT_FRAME_MIN) {
            s->have = 0;
            return emit(s, s->buf, need, ev);
        }
    }
    return 0;
}

uint64_t tt_stream_offset(const tt_stream *s)
{
    return s->offset;
}

const uint8_t *tt_stream_held(const tt_stream *s)
{
    return s->have ? s->buf : NULL;
}
