/*
 * The stream vectors (core-stream.json): sequences of frames (valid and
 * discarded) with an optional incomplete tail, each delivered in several
 * chunkings. The intended events follow from the pieces: one event per
 * complete frame at the sum of the lengths before it, nothing for the tail,
 * whose length is the pending count (CF-12.3-a, CF-12.3-b, CF-12.3-c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

enum piece {
    P_END,
    P_ZERO,         /* all fields zero: six zero bytes under SMBUS */
    P_EX1,          /* worked example 1, local */
    P_EX2,          /* worked example 2, roaming */
    P_EX1_BADCRC,   /* example 1, integrity byte bit 0 flipped */
    P_S1_ULEN,      /* example 1 with UsedLen 17: used_len_exceeds_block */
    P_S0_EXT,       /* SizeId 0 roaming: 8 bytes */
    P_FLAGS_ALL,    /* all four flags */
    P_LARGEST,      /* 8200 bytes, block full */
    P_LARGEST_TRAP, /* 8200 bytes, UsedLen 0xFFFF, block full of example 1 */
};

static bool piece(tt_crc crc, enum piece k, item *out)
{
    tt_frame f;
    switch (k) {
    case P_ZERO:
        f = item_fields(0, 0, 0, 0, 0, 0, 0);
        return item_encode(crc, &f, NULL, "cs-zero", out);
    case P_EX1:
    case P_EX2:
        return item_example(crc, k == P_EX2, out);
    case P_EX1_BADCRC:
        if (!item_example(crc, false, out))
            return false;
        item_flip(out, 3, 0, TT_ERR_CRC_MISMATCH);
        return true;
    case P_S1_ULEN:
        if (!item_example(crc, false, out))
            return false;
        item_set_used_len(out, 17, TT_ERR_USED_LEN_EXCEEDS_BLOCK);
        return true;
    case P_S0_EXT:
        f = item_fields(TT_CLASS_RESPONSE, TT_DIR_REPLY, 0, TT_FLAG_EXT, 5,
                        0xFFFF, 0);
        return item_encode(crc, &f, NULL, "cs-s0-ext", out);
    case P_FLAGS_ALL:
        f = item_fields(TT_CLASS_EVENT, TT_DIR_SIGNAL, 2, 0xF, 255, 0x8001, 40);
        return item_encode(crc, &f, NULL, "cs-flags-all", out);
    case P_LARGEST:
        f = item_fields(TT_CLASS_DATA, TT_DIR_BROADCAST, 15,
                        TT_FLAG_BIG | TT_FLAG_EXT, 17, 0x0400, 8192);
        return item_encode(crc, &f, NULL, "cs-largest", out);
    case P_LARGEST_TRAP: {
        item ex;
        uint8_t block[TT_BLOCK_MAX] = {0};
        if (!item_example(crc, false, &ex))
            return false;
        for (size_t at = 0; at + ex.len <= sizeof block; at += ex.len)
            memcpy(block + at, ex.bytes, ex.len);
        item_free(&ex);
        f = item_fields(TT_CLASS_DATA, TT_DIR_BROADCAST, 15,
                        TT_FLAG_BIG | TT_FLAG_EXT, 18, 0x0400, 8192);
        if (!item_encode(crc, &f, block, "cs-trap", out))
            return false;
        item_set_used_len(out, 0xFFFF, TT_ERR_USED_LEN_EXCEEDS_BLOCK);
        return true;
    }
    case P_END:
        break;
    }
    return false;
}

/* Chunkings: where a stream is cut into deliveries. */
enum {
    C_WHOLE = 1 << 0,  /* one chunk */
    C_BYTES = 1 << 1,  /* one byte at a time */
    C_FRAMES = 1 << 2, /* cut at every frame start */
    C_HDR1 = 1 << 3,   /* cut after byte 0 of every frame: length unknown */
    C_HDR2 = 1 << 4,   /* cut after byte 1: length known, rest missing */
    C_CRC_UL = 1 << 5, /* cut between the integrity byte and UsedLen */
    C_UL = 1 << 6,     /* cut between the two UsedLen bytes */
    C_OFF4 = 1 << 7,   /* cut after byte 3: inside the extension (roaming) */
    C_SEVEN = 1 << 8,  /* 7-byte chunks, never aligned to frames */
    C_MSS = 1 << 9,    /* 1460-byte chunks, as TCP segments */
    C_RANDOM = 1 << 10 /* seeded random sizes 1..97 */
};

static const struct {
    unsigned bit;
    const char *tag, *what;
} chunkings[] = {
    {C_WHOLE, "whole", "delivered in one chunk"},
    {C_BYTES, "bytes", "delivered one byte at a time"},
    {C_FRAMES, "frames", "cut at every frame boundary"},
    {C_HDR1, "hdr1", "cut after the first byte of every frame (length not "
                     "yet known)"},
    {C_HDR2, "hdr2", "cut after the second byte of every frame (length "
                     "known, header incomplete)"},
    {C_CRC_UL, "crc-ul", "cut between the integrity byte and UsedLen of "
                         "every frame"},
    {C_UL, "ul", "cut between the two UsedLen bytes of every frame"},
    {C_OFF4, "off4", "cut after byte 3 of every frame (inside the extension "
                     "of roaming frames)"},
    {C_SEVEN, "seven", "delivered in 7-byte chunks"},
    {C_MSS, "mss", "delivered in 1460-byte chunks"},
    {C_RANDOM, "random", "delivered in seeded random chunks of 1 to 97 bytes"},
};

#define BYTEWISE_MAX 1024 /* longest stream also given one byte at a time */

static const struct seq {
    const char *name, *what, *reqs;
    enum piece frames[8]; /* P_END-terminated */
    unsigned repeat;      /* the frames, this many times over */
    enum piece tail;      /* its first tail_len bytes end the stream */
    size_t tail_len;
    unsigned chunkings;
} seqs[] = {
    {"spec-example",
     "The example of spec 12.3: the all-zero-fields frame, example 1 with "
     "integrity byte 11 (crc_mismatch, 22 bytes skipped), example 1, then 2 "
     "bytes of a third frame pending",
     "CF-12.3-a CF-12.3-b CF-12.3-c CF-12.1-c CF-5.3-a",
     {P_ZERO, P_EX1_BADCRC, P_EX1},
     1, P_EX1, 2,
     C_WHOLE | C_BYTES | C_FRAMES | C_HDR1 | C_HDR2 | C_CRC_UL | C_SEVEN},
    {"mixed",
     "Frames of every form back to back: all-zero-fields, example 1, "
     "example 2, SizeId 0 roaming, all flags set, the largest frame (8200 "
     "bytes), example 1",
     "CF-2-b CF-12.3-c",
     {P_ZERO, P_EX1, P_EX2, P_S0_EXT, P_FLAGS_ALL, P_LARGEST, P_EX1},
     1, P_END, 0,
     C_WHOLE | C_FRAMES | C_HDR1 | C_HDR2 | C_CRC_UL | C_UL | C_OFF4 |
         C_MSS | C_RANDOM},
    {"small-mixed",
     "Small frames of every form back to back: all-zero-fields, example 1, "
     "example 2, SizeId 0 roaming, all flags set",
     "CF-2-b CF-12.3-c",
     {P_ZERO, P_EX1, P_EX2, P_S0_EXT, P_FLAGS_ALL},
     1, P_END, 0,
     C_WHOLE | C_BYTES | C_HDR2 | C_CRC_UL | C_OFF4 | C_RANDOM},
    {"bad-crc-between",
     "Example 1, example 1 with a wrong integrity byte, example 2: the "
     "discarded frame is skipped by its length and decoding goes on",
     "CF-12.3-a CF-12.3-c CF-5.3-a",
     {P_EX1, P_EX1_BADCRC, P_EX2},
     1, P_END, 0,
     C_WHOLE | C_BYTES | C_HDR1 | C_CRC_UL},
    {"bad-ulen-between",
     "Example 1, example 1 with UsedLen 17 (block 16), example 2: the "
     "discarded frame is skipped by its computed length (22 bytes)",
     "CF-12.3-a CF-12.3-b CF-12.3-c CF-6-b",
     {P_EX1, P_S1_ULEN, P_EX2},
     1, P_END, 0,
     C_WHOLE | C_BYTES | C_HDR2 | C_UL},
    {"no-resync",
     "Example 1, a largest frame with UsedLen 0xFFFF whose block holds 372 "
     "copies of example 1, example 2: the 8200-byte frame is discarded as a "
     "whole; a receiver that searched byte by byte would report the copies",
     "CF-12.3-a CF-12.3-b CF-6-b",
     {P_EX1, P_LARGEST_TRAP, P_EX2},
     1, P_END, 0,
     C_WHOLE | C_FRAMES | C_HDR2 | C_MSS | C_RANDOM},
    {"ulen-judged-late",
     "Example 1, then the first 8 bytes of a largest frame with UsedLen "
     "0xFFFF: the error is not reported before all 8200 bytes arrive, so "
     "the 8 bytes are pending and there is no error event",
     "CF-12.3-b CF-6-b",
     {P_EX1},
     1, P_LARGEST_TRAP, 8,
     C_WHOLE | C_BYTES | C_CRC_UL},
    {"zero-run",
     "Ten all-zero-fields frames (under CRC-8/SMBUS sixty zero bytes): ten "
     "valid frames",
     "CF-12.1-c CF-12.3-c",
     {P_ZERO},
     10, P_END, 0,
     C_WHOLE | C_BYTES | C_SEVEN | C_HDR1},
    {"zero-run-tail",
     "Ten all-zero-fields frames and three bytes of an eleventh: ten valid "
     "frames, 3 bytes pending",
     "CF-12.1-c CF-12.3-b",
     {P_ZERO},
     10, P_ZERO, 3,
     C_WHOLE | C_BYTES},
    {"tail-1",
     "Example 1, then the first byte of example 2: one byte pending (the "
     "frame length is not yet known), no truncated event",
     "CF-12.3-b",
     {P_EX1},
     1, P_EX2, 1,
     C_WHOLE | C_BYTES},
    {"tail-in-ext",
     "Example 1, then the first 4 bytes of example 2 (ending inside the "
     "extension): 4 bytes pending",
     "CF-12.3-b",
     {P_EX1},
     1, P_EX2, 4,
     C_WHOLE | C_BYTES | C_FRAMES},
    {"tail-in-padding",
     "Example 2, then example 1 without its last byte: 21 bytes pending",
     "CF-12.3-b",
     {P_EX2},
     1, P_EX1, 21,
     C_WHOLE | C_BYTES | C_CRC_UL},
    {"tail-largest",
     "The largest frame without its last byte: no event, 8199 bytes pending",
     "CF-12.3-b CF-2-b",
     {P_END},
     1, P_LARGEST, 8199,
     C_WHOLE | C_MSS | C_RANDOM},
    {"only-tail",
     "A single byte: no event, 1 byte pending",
     "CF-12.3-b",
     {P_END},
     1, P_EX1, 1,
     C_WHOLE},
    {"empty",
     "An empty stream: no event, nothing pending",
     "CF-12.3-b",
     {P_END},
     1, P_END, 0,
     C_WHOLE},
    {"largest-x3",
     "Three largest frames (8200 bytes each) back to back",
     "CF-2-b CF-7.2-a CF-12.3-c",
     {P_LARGEST},
     3, P_END, 0,
     C_WHOLE | C_FRAMES | C_HDR2 | C_MSS | C_RANDOM},
};

typedef struct built {
    uint8_t *bytes;
    size_t len, cap;
    item *frames;
    size_t nframes;
    size_t *starts; /* offset of each frame, and of the tail */
    size_t nstarts;
} built;

static void built_free(built *b)
{
    for (size_t i = 0; i < b->nframes; i++)
        item_free(&b->frames[i]);
    free(b->frames);
    free(b->bytes);
    free(b->starts);
    memset(b, 0, sizeof *b);
}

/* Appends `it`'s bytes; a frame (`whole`) is kept as an intended event. */
static bool push(built *b, item *it, bool whole)
{
    if (b->len + it->len > b->cap) {
        size_t cap = (b->len + it->len) * 2;
        uint8_t *p = realloc(b->bytes, cap);
        if (!p)
            return false;
        b->bytes = p;
        b->cap = cap;
    }
    size_t *st = realloc(b->starts, (b->nstarts + 1) * sizeof *st);
    if (!st)
        return false;
    b->starts = st;
    b->starts[b->nstarts++] = b->len;
    if (it->len) /* an empty item may meet a buffer not yet allocated */
        memcpy(b->bytes + b->len, it->bytes, it->len);
    b->len += it->len;
    if (!whole) {
        item_free(it);
        return true;
    }
    item *fr = realloc(b->frames, (b->nframes + 1) * sizeof *fr);
    if (!fr)
        return false;
    b->frames = fr;
    b->frames[b->nframes++] = *it;
    memset(it, 0, sizeof *it);
    return true;
}

/* Chunk sizes for one chunking of `b`. Returns the count, or -1 when out of
 * memory. */
static long make_chunks(const built *b, unsigned how, const char *seed,
                        size_t **out)
{
    size_t *cuts = calloc(b->len + 1, sizeof *cuts); /* cuts[i]: cut at i */
    size_t *chunks = malloc((b->len ? b->len : 1) * sizeof *chunks);
    if (!cuts || !chunks) {
        free(cuts);
        free(chunks);
        return -1;
    }
    size_t into = how == C_HDR1 ? 1 : how == C_HDR2 ? 2 : how == C_OFF4 ? 4 : 0;
    prng r = prng_from_string(seed);
    for (size_t i = 0; i < b->nstarts; i++) {
        size_t s = b->starts[i];
        const uint8_t *p = b->bytes + s;
        int off = tt_crc_offset(p, b->len - s);
        size_t hl = off > 0 ? (size_t)off : TT_HEADER_LEN;
        size_t cut = how == C_FRAMES ? s
                     : how == C_CRC_UL ? s + hl + 1
                     : how == C_UL     ? s + hl + 2
                     : into            ? s + into
                                       : 0;
        if (cut > 0 && cut < b->len)
            cuts[cut] = 1;
    }
    for (size_t pos = 0, step = 0; pos < b->len; pos += step) {
        step = how == C_BYTES    ? 1
               : how == C_SEVEN  ? 7
               : how == C_MSS    ? 1460
               : how == C_RANDOM ? 1 + prng_below(&r, 97)
                                 : 0;
        if (step)
            cuts[pos + step < b->len ? pos + step : b->len] = 1;
        else
            break;
    }
    size_t n = 0, last = 0;
    for (size_t i = 1; i <= b->len; i++)
        if (cuts[i] || i == b->len) {
            chunks[n++] = i - last;
            last = i;
        }
    free(cuts);
    *out = chunks;
    return (long)n;
}

/* Adds one vector per chunking of `b`, copying its bytes and intents. */
static bool add_chunkings(vset *v, const built *b, const char *name,
                          const char *what, const char *reqs, unsigned how)
{
    for (size_t k = 0; k < sizeof chunkings / sizeof chunkings[0]; k++) {
        if (!(how & chunkings[k].bit))
            continue;
        if (chunkings[k].bit == C_BYTES && b->len > BYTEWISE_MAX)
            continue;
        bool one_tag = how == chunkings[k].bit && chunkings[k].bit == C_RANDOM;
        svec *s = one_tag ? vset_add_stream(v, "%s", name)
                          : vset_add_stream(v, "%s-%s", name, chunkings[k].tag);
        if (!s)
            return false;
        vec_describe(s->desc, "%s; %s", what, chunkings[k].what);
        snprintf(s->reqs, sizeof s->reqs, "%s", reqs);
        long n = make_chunks(b, chunkings[k].bit, s->id, &s->chunks);
        s->bytes = malloc(b->len ? b->len : 1);
        s->frames = calloc(b->nframes ? b->nframes : 1, sizeof *s->frames);
        if (n < 0 || !s->bytes || !s->frames)
            return false;
        s->nchunks = (size_t)n;
        if (b->len)
            memcpy(s->bytes, b->bytes, b->len);
        s->len = b->len;
        for (size_t i = 0; i < b->nframes; i++) {
            if (!item_clone(&b->frames[i], &s->frames[i]))
                return false;
            s->nframes++;
        }
        size_t framed = b->nframes ? b->starts[b->nframes - 1] +
                                         b->frames[b->nframes - 1].len
                                   : 0;
        s->pending = b->len - framed;
    }
    return true;
}

static bool build_seq(tt_crc crc, const struct seq *q, built *b)
{
    for (unsigned rep = 0; rep < q->repeat; rep++)
        for (size_t i = 0; i < 8 && q->frames[i] != P_END; i++) {
            item it;
            if (!piece(crc, q->frames[i], &it))
                return false;
            if (!push(b, &it, true)) {
                item_free(&it);
                return false;
            }
        }
    if (q->tail != P_END) {
        item it;
        if (!piece(crc, q->tail, &it))
            return false;
        item_cut(&it, q->tail_len, TT_ERR_TRUNCATED);
        return push(b, &it, false);
    }
    return true;
}

/* A random stream: small random frames, some discarded, maybe a tail. */
#define RANDOM_STREAMS 16

static bool build_random(tt_crc crc, const char *id, built *b)
{
    prng r = prng_from_string(id);
    unsigned n = 2 + prng_below(&r, 7);
    bool tail = prng_below(&r, 2);
    for (unsigned i = 0; i <= n; i++) {
        if (i == n && !tail)
            break;
        unsigned s = prng_below(&r, 6), flags = prng_below(&r, 16);
        unsigned block = tt_block_size(s, flags & TT_FLAG_BIG);
        tt_frame f = item_fields(prng_below(&r, 5), prng_below(&r, 4), s,
                                 flags, prng_below(&r, 256),
                                 prng_below(&r, 65536),
                                 prng_below(&r, block + 1));
        uint8_t payload[TT_BLOCK_MAX];
        prng_fill(&r, payload, f.used_len);
        item it;
        if (!item_encode(crc, &f, payload, id, &it))
            return false;
        unsigned m = prng_below(&r, 100);
        if (i == n)
            item_cut(&it, 1 + prng_below(&r, (uint32_t)it.len - 1),
                     TT_ERR_TRUNCATED);
        else if (m < 15)
            item_flip(&it, 0, prng_below(&r, 8), TT_ERR_CRC_MISMATCH);
        else if (m < 30)
            item_set_used_len(&it, block + 1 + prng_below(&r, 0xFFFF - block),
                              TT_ERR_USED_LEN_EXCEEDS_BLOCK);
        if (!push(b, &it, i < n)) {
            item_free(&it);
            return false;
        }
    }
    return true;
}

int cases_stream(vset *v)
{
    for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
        built b = {0};
        char name[VEC_ID_MAX];
        snprintf(name, sizeof name, "cs-%s", seqs[i].name);
        bool ok = build_seq(v->crc, &seqs[i], &b) &&
                  add_chunkings(v, &b, name, seqs[i].what, seqs[i].reqs,
                                seqs[i].chunkings);
        built_free(&b);
        if (!ok) {
            fprintf(stderr, "gen: stream %s could not be built\n", name);
            return -1;
        }
    }
    for (unsigned i = 1; i <= RANDOM_STREAMS; i++) {
        built b = {0};
        char id[VEC_ID_MAX];
        snprintf(id, sizeof id, "cs-random-%04u", i);
        bool ok = build_random(v->crc, id, &b) &&
                  add_chunkings(v, &b, id,
                                "Seeded random section (splitmix64 seeded by "
                                "FNV-1a of the id; not hand-picked): small "
                                "frames, some with a wrong integrity byte or "
                                "UsedLen, maybe an incomplete tail",
                                "CF-12.3-a CF-12.3-b CF-12.3-c CF-5.3-b",
                                C_RANDOM);
        built_free(&b);
        if (!ok) {
            fprintf(stderr, "gen: stream %s could not be built\n", id);
            return -1;
        }
    }
    return 0;
}
