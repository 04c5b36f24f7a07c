/* Building items: frames encoded by libtamtam, copies and mutations. Shared
 * by the frame and stream case tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

tt_frame item_fields(unsigned cls, unsigned dir, unsigned size_id,
                     unsigned flags, unsigned channel, unsigned dest,
                     unsigned used_len)
{
    tt_frame f;
    memset(&f, 0, sizeof f);
    f.cls = (uint8_t)cls;
    f.direction = (uint8_t)dir;
    f.size_id = (uint8_t)size_id;
    f.big = flags & TT_FLAG_BIG;
    f.ack = flags & TT_FLAG_ACK;
    f.priority = flags & TT_FLAG_PRIORITY;
    f.has_ext = flags & TT_FLAG_EXT;
    f.channel = (uint8_t)channel;
    f.dest = f.has_ext ? (uint16_t)dest : 0;
    f.used_len = (uint16_t)used_len;
    return f;
}

unsigned item_hdr_len(const item *it)
{
    return it->crc_off;
}

/* Encodes `f` under `crc` into a new item. The payload is `payload`, or when
 * NULL, bytes drawn from a generator seeded by `seed` (the vector id). */
bool item_encode(tt_crc crc, const tt_frame *f, const uint8_t *payload,
                 const char *seed, item *out)
{
    memset(out, 0, sizeof *out);
    int flen = tt_encoded_length(f);
    uint8_t *pl = malloc(f->used_len ? f->used_len : 1);
    uint8_t *buf = flen > 0 ? malloc((size_t)flen) : NULL;
    if (!pl || !buf) {
        free(pl);
        free(buf);
        fprintf(stderr, "gen: out of memory\n");
        return false;
    }
    if (payload)
        memcpy(pl, payload, f->used_len);
    else {
        prng r = prng_from_string(seed);
        prng_fill(&r, pl, f->used_len);
    }
    tt_frame in = *f;
    in.payload = pl;
    int n = tt_encode(&in, crc, buf, (size_t)flen);
    if (n != flen) {
        fprintf(stderr, "gen: %s: tt_encode returned %d\n", seed, n);
        free(pl);
        free(buf);
        return false;
    }
    out->bytes = buf;
    out->len = (size_t)flen;
    out->crc_off = (unsigned)tt_crc_offset(buf, (size_t)flen);
    out->want = in;
    out->want.crc = buf[out->crc_off];
    out->want_payload = pl;
    return true;
}

/* A deep copy of `base`, so one base frame can feed many mutations. */
bool item_clone(const item *base, item *out)
{
    *out = *base;
    out->bytes = malloc(base->len ? base->len : 1);
    out->want_payload = malloc(base->want.used_len ? base->want.used_len : 1);
    if (!out->bytes || !out->want_payload) {
        item_free(out);
        fprintf(stderr, "gen: out of memory\n");
        return false;
    }
    memcpy(out->bytes, base->bytes, base->len);
    memcpy(out->want_payload, base->want_payload, base->want.used_len);
    out->want.payload = out->want_payload;
    return true;
}

void item_cut(item *it, size_t len, int expect)
{
    it->len = len;
    it->expect = expect;
}

void item_flip(item *it, size_t off, unsigned bit, int expect)
{
    it->bytes[off] ^= (uint8_t)(1u << bit);
    it->expect = expect;
}

void item_set_used_len(item *it, unsigned used_len, int expect)
{
    tt_put_u16be(it->bytes + item_hdr_len(it) + 1, (uint16_t)used_len);
    it->expect = expect;
}

bool item_append(item *it, const uint8_t *tail, size_t n)
{
    uint8_t *b = realloc(it->bytes, it->len + n);
    if (!b) {
        fprintf(stderr, "gen: out of memory\n");
        return false;
    }
    memcpy(b + it->len, tail, n);
    it->bytes = b;
    it->len += n;
    return true;
}

/* The field that holds byte `off` of a frame, for ids and descriptions. */
const char *item_region(const item *it, size_t off)
{
    const tt_frame *f = &it->want;
    unsigned hl = item_hdr_len(it);
    if (off < TT_HEADER_LEN)
        return "header";
    if (off < hl)
        return "ext";
    if (off == hl)
        return "crc";
    if (off < hl + 3)
        return "usedlen";
    if (off < hl + 3 + f->used_len)
        return "payload";
    return "padding";
}

/* ---- spec values ------------------------------------------------------------
 * The worked examples of spec section 12.6 and the CRC of their CRC inputs
 * under every variant (spec 12.1): the generator refuses to run if libtamtam
 * disagrees with the spec's own numbers. */
static const uint8_t ex_payload[3] = {0x01, 0x02, 0x03};
static const struct {
    const char *crc_name;
    uint8_t ex1, ex2;
} spec_crc[] = {
    {"CRC-8/SMBUS", 0x10, 0x07},     {"CRC-8/MAXIM-DOW", 0x86, 0x4F},
    {"CRC-8/I-432-1", 0x45, 0x52},   {"CRC-8/AUTOSAR", 0x61, 0x5B},
    {"CRC-8/SAE-J1850", 0x3A, 0x09}, {"CRC-8/ROHC", 0x16, 0x10},
    {"CRC-8/CDMA2000", 0x43, 0xC2},  {"CRC-8/BLUETOOTH", 0xBC, 0x31},
};

static tt_frame example(bool ext)
{
    return item_fields(TT_CLASS_DATA, TT_DIR_REQUEST, 1, ext ? TT_FLAG_EXT : 0,
                       7, 0x1234, 3);
}

/* Example 1 (local) or 2 (roaming) encoded under `crc`, checked against the
 * spec's table of CRC values. */
bool item_example(tt_crc crc, bool ext, item *out)
{
    tt_frame f = example(ext);
    if (!item_encode(crc, &f, ex_payload, "example", out))
        return false;
    for (size_t i = 0; i < sizeof spec_crc / sizeof spec_crc[0]; i++) {
        if (tt_crc_from_name(spec_crc[i].crc_name) != (int)crc)
            continue;
        uint8_t want = ext ? spec_crc[i].ex2 : spec_crc[i].ex1;
        if (out->want.crc == want)
            return true;
        fprintf(stderr,
                "gen: example %d under %s: CRC 0x%02X, spec says "
                "0x%02X\n",
                ext ? 2 : 1, spec_crc[i].crc_name, out->want.crc, want);
        item_free(out);
        return false;
    }
    fprintf(stderr, "gen: the spec gives no example CRC for %s\n",
            tt_crc_name(crc));
    item_free(out);
    return false;
}

const char *item_region_words(const char *region)
{
    static const char *const words[][2] = {
        {"ext", "extension (DestOrchestratorId)"},
        {"crc", "integrity byte"},
        {"usedlen", "UsedLen field"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(region, words[i][0]))
            return words[i][1];
    return region;
}
