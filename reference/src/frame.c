/* Core Frame v1.0: block sizes, frame length, decode and encode. */
#include <string.h>

#include "tamtam/tamtam.h"

/* CF-7.1-a: the base table, NORMAL mode. */
static const uint16_t base_block[16] = {0,   16,  32,   64,   96,   128,
                                        192, 256, 384,  512,  768,  1024,
                                        1536, 2048, 3072, 4096};

unsigned tt_block_size(unsigned size_id, bool big)
{
    if (size_id > 15)
        return 0;
    return (unsigned)base_block[size_id] << (big ? 1 : 0);
}

/* Header + optional extension: where the integrity byte sits. */
static unsigned header_len(uint8_t byte1)
{
    return TT_HEADER_LEN + ((byte1 & TT_FLAG_EXT) ? TT_EXT_LEN : 0);
}

/* CF-5.2-a, the one place the CRC span is written down: header,
 * extension, UsedLen and payload; the integrity byte and the padding stay
 * out. `hlen` is header_len, `used` the frame's UsedLen. */
static uint8_t frame_crc(tt_crc crc, const uint8_t *buf, unsigned hlen,
                         unsigned used)
{
    uint8_t s = tt_crc8_update(crc, tt_crc8_init(crc), buf, hlen);
    s = tt_crc8_update(crc, s, buf + hlen + 1, 2u + used);
    return tt_crc8_final(crc, s);
}

int tt_crc_offset(const uint8_t *buf, size_t len)
{
    if (!buf || len < 2)
        return TT_ERR_TRUNCATED;
    return (int)header_len(buf[1]);
}

int tt_frame_crc(const uint8_t *buf, size_t len, tt_crc crc)
{
    if ((!buf && len) || (unsigned)crc >= TT_CRC_COUNT)
        return TT_ERR_INVALID_ARGUMENT;
    if (len < 2)
        return TT_ERR_TRUNCATED;
    unsigned hlen = header_len(buf[1]);
    if (len < hlen + 3)
        return TT_ERR_TRUNCATED;
    unsigned used = tt_get_u16be(buf + hlen + 1);
    if (used > tt_block_size(buf[1] >> 4, buf[1] & TT_FLAG_BIG))
        return TT_ERR_USED_LEN_EXCEEDS_BLOCK;
    if (len < hlen + 3 + used)
        return TT_ERR_TRUNCATED;
    return frame_crc(crc, buf, hlen, used);
}

int tt_frame_length(const uint8_t *buf, size_t len)
{
    if (!buf || len < 2)
        return TT_ERR_TRUNCATED;
    return (int)(header_len(buf[1]) + 3 +
                 tt_block_size(buf[1] >> 4, buf[1] & TT_FLAG_BIG));
}

int tt_decode(const uint8_t *buf, size_t len, tt_crc crc, tt_frame *out)
{
    if (!out || (!buf && len) || (unsigned)crc >= TT_CRC_COUNT)
        return TT_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->bytes = buf;
    if (len >= 1) {
        out->cls = buf[0] >> 4;
        out->direction = buf[0] & 0x0F;
    }
    if (len < 2)
        return TT_ERR_TRUNCATED;

    uint8_t b1 = buf[1];
    out->size_id = b1 >> 4;
    out->big = b1 & TT_FLAG_BIG;
    out->ack = b1 & TT_FLAG_ACK;
    out->priority = b1 & TT_FLAG_PRIORITY;
    out->has_ext = b1 & TT_FLAG_EXT;
    unsigned hlen = header_len(b1);
    unsigned block = tt_block_size(out->size_id, out->big);
    out->frame_len = (uint16_t)(hlen + 3 + block);
    if (len >= 3)
        out->channel = buf[2];
    if (out->has_ext && len >= 5)
        out->dest = tt_get_u16be(buf + 3);
    if (len > hlen)
        out->crc = buf[hlen];
    if (len < hlen + 3)
        return TT_ERR_TRUNCATED;

    out->used_len = tt_get_u16be(buf + hlen + 1);
    if (out->used_len > block)
        return TT_ERR_USED_LEN_EXCEEDS_BLOCK;
    if (len < out->frame_len)
        return TT_ERR_TRUNCATED;

    out->payload = buf + hlen + 3;
    out->padding = out->payload + out->used_len;
    out->padding_len = (uint16_t)(block - out->used_len);
    out->crc_computed = frame_crc(crc, buf, hlen, out->used_len);
    if (out->crc_computed != out->crc)
        return TT_ERR_CRC_MISMATCH;
    return out->frame_len;
}

int tt_encoded_length(const tt_frame *f)
{
    if (!f || f->cls > 15 || f->direction > 15 || f->size_id > 15)
        return TT_ERR_INVALID_ARGUMENT;
    return (int)((f->has_ext ? TT_HEADER_LEN + TT_EXT_LEN : TT_HEADER_LEN) +
                 3 + tt_block_size(f->size_id, f->big));
}

int tt_encode(const tt_frame *f, tt_crc crc, uint8_t *out, size_t cap)
{
    int flen = tt_encoded_length(f);
    if (flen < 0 || !out || (unsigned)crc >= TT_CRC_COUNT ||
        (!f->payload && f->used_len))
        return TT_ERR_INVALID_ARGUMENT;
    unsigned block = tt_block_size(f->size_id, f->big);
    if (f->used_len > block)
        return TT_ERR_USED_LEN_EXCEEDS_BLOCK;
    if (cap < (size_t)flen)
        return TT_ERR_NO_SPACE;

    out[0] = (uint8_t)(f->cls << 4 | f->direction);
    out[1] = (uint8_t)(f->size_id << 4 | (f->big ? TT_FLAG_BIG : 0) |
                       (f->ack ? TT_FLAG_ACK : 0) |
                       (f->priority ? TT_FLAG_PRIORITY : 0) |
                       (f->has_ext ? TT_FLAG_EXT : 0));
    out[2] = f->channel;
    unsigned hlen = header_len(out[1]);
    if (f->has_ext)
        tt_put_u16be(out + 3, f->dest);
    tt_put_u16be(out + hlen + 1, f->used_len);
    uint8_t *payload = out + hlen + 3;
    if (f->used_len)
        memmove(payload, f->payload, f->used_len);
    memset(payload + f->used_len, 0, block - f->used_len);
    out[hlen] = frame_crc(crc, out, hlen, f->used_len);
    return flen;
}
