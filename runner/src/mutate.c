/* The fuzzer's inputs: vectors and random frames, mutated where frame
 * decoders go wrong (lengths, UsedLen, SizeId, flags, the integrity byte),
 * and random bytes. Every choice comes from the seeded generator. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

enum {
    M_BITFLIP,
    M_BYTESET,
    M_TRUNCATE,
    M_EXTEND,
    M_SPLICE,
    M_USEDLEN,
    M_SIZEID,
    M_FLAG,
    M_FIXCRC,
    M_COUNT
};

static const uint8_t interesting[] = {0x00, 0x01, 0x08, 0x0F, 0x10, 0x7F,
                                      0x80, 0xF0, 0xFE, 0xFF};

void tr_input_free(tr_input *in)
{
    free(in->bytes);
    free(in->chunks);
    memset(in, 0, sizeof *in);
}

/* Where UsedLen sits: after the header, the extension and the integrity
 * byte (fewer than two bytes: where a local frame has it). */
static size_t used_len_at(const uint8_t *b, size_t len)
{
    return (len >= 2 ? (size_t)tt_crc_offset(b, len) : TT_HEADER_LEN) + 1;
}

/* The frame's CRC under `crc` when the bytes hold a whole frame whose
 * UsedLen is within its block (the frames a CRC can be computed for), else
 * -1. */
static int whole_frame_crc(const uint8_t *b, size_t len, tt_crc crc)
{
    size_t flen = tr_frame_len(b, len);
    return flen && flen <= len ? tt_frame_crc(b, len, crc) : -1;
}

bool tr_fuzz_crc_right(const uint8_t *b, size_t len, tt_crc crc)
{
    int v = whole_frame_crc(b, len, crc);
    return v >= 0 && b[tt_crc_offset(b, len)] == v;
}

void tr_fuzz_fix_crc(uint8_t *b, size_t len, tt_crc crc)
{
    int v = whole_frame_crc(b, len, crc);
    if (v >= 0)
        b[tt_crc_offset(b, len)] = (uint8_t)v;
}

static size_t append(uint8_t *b, size_t len, size_t cap, const uint8_t *src,
                     size_t n)
{
    if (n > cap - len)
        n = cap - len;
    memcpy(b + len, src, n);
    return len + n;
}

static const tr_fvec *any_vector(uint32_t *rng, const tr_vectors *v)
{
    return v->nf ? &v->f[tr_rand_below(rng, (uint32_t)v->nf)] : NULL;
}

static size_t mutate(uint32_t *rng, uint8_t *b, size_t len, size_t cap,
                     const tr_vectors *v, tt_crc crc)
{
    switch (tr_rand_below(rng, M_COUNT)) {
    case M_BITFLIP:
        if (len)
            b[tr_rand_below(rng, (uint32_t)len)] ^=
                (uint8_t)(1u << tr_rand_below(rng, 8));
        break;
    case M_BYTESET:
        if (len)
            b[tr_rand_below(rng, (uint32_t)len)] =
                tr_rand_below(rng, 2)
                    ? interesting[tr_rand_below(rng, sizeof interesting)]
                    : (uint8_t)tr_rand(rng);
        break;
    case M_TRUNCATE:
        if (len)
            len = tr_rand_below(rng, (uint32_t)len);
        break;
    case M_EXTEND: {
        uint8_t more[16];
        size_t n = 1 + tr_rand_below(rng, sizeof more);
        bool zeros = tr_rand_below(rng, 2);
        for (size_t i = 0; i < n; i++)
            more[i] = zeros ? 0 : (uint8_t)tr_rand(rng);
        len = append(b, len, cap, more, n);
        break;
    }
    case M_SPLICE: {
        const tr_fvec *w = any_vector(rng, v);
        if (!w)
            break;
        len = tr_rand_below(rng, (uint32_t)len + 1);
        size_t from = tr_rand_below(rng, (uint32_t)w->len + 1);
        len = append(b, len, cap, w->bytes + from, w->len - from);
        break;
    }
    case M_USEDLEN: {
        size_t at = used_len_at(b, len);
        if (len < at + 2) {
            static const uint8_t zeros[8];
            len = append(b, len, cap, zeros, at + 2 - len);
        }
        unsigned block = tt_block_size(b[1] >> 4, b[1] & TT_FLAG_BIG);
        const unsigned choice[] = {block, block + 1u, 0xFFFFu, 0u,
                                   block ? block - 1u : 1u,
                                   tr_rand_below(rng, 65536)};
        tt_put_u16be(b + at, (uint16_t)choice[tr_rand_below(rng, 6)]);
        break;
    }
    case M_SIZEID:
        if (len >= 2)
            b[1] = (uint8_t)(tr_rand_below(rng, 16) << 4 | (b[1] & 0x0F));
        break;
    case M_FLAG:
        if (len >= 2)
            b[1] ^= (uint8_t)(1u << tr_rand_below(rng, 4));
        break;
    default: /* M_FIXCRC */
        tr_fuzz_fix_crc(b, len, crc);
        break;
    }
    return len;
}

void tr_fuzz_decode_input(uint32_t *rng, const tr_vectors *v, tt_crc crc,
                          tr_input *in)
{
    uint8_t *b = in->bytes;
    size_t cap = TR_FUZZ_INPUT_MAX, len = 0, rounds = 0;
    uint32_t kind = tr_rand_below(rng, 100);
    const tr_fvec *a = any_vector(rng, v), *w = any_vector(rng, v);
    if (kind < 50 && a) { /* a vector, mutated */
        len = append(b, 0, cap, a->bytes, a->len);
        rounds = 1 + tr_rand_below(rng, 3);
    } else if (kind < 75) { /* a random valid frame, maybe mutated */
        tt_frame f;
        uint8_t *payload = tr_xmalloc(TT_BLOCK_MAX);
        tr_random_frame(rng, &f, payload);
        int n = tt_encode(&f, crc, b, cap);
        len = n > 0 ? (size_t)n : 0;
        free(payload);
        rounds = tr_rand_below(rng, 3);
    } else if (kind < 88 || !a) { /* random bytes, short */
        len = tr_rand_below(rng, 41);
        for (size_t i = 0; i < len; i++)
            b[i] = (uint8_t)tr_rand(rng);
    } else { /* two vectors spliced */
        len = append(b, 0, cap, a->bytes,
                     tr_rand_below(rng, (uint32_t)a->len + 1));
        size_t from = tr_rand_below(rng, (uint32_t)w->len + 1);
        len = append(b, len, cap, w->bytes + from, w->len - from);
    }
    for (size_t r = 0; r < rounds; r++)
        len = mutate(rng, b, len, cap, v, crc);
    if (rounds && tr_rand_below(rng, 3) == 0)
        tr_fuzz_fix_crc(b, len, crc);
    in->len = len;
}

void tr_fuzz_stream_input(uint32_t *rng, const tr_vectors *v, tt_crc crc,
                          tr_input *in)
{
    static const size_t chunk_max[] = {1, 2, 7, 64, 1000, 0};
    memset(in, 0, sizeof *in);
    in->bytes = tr_xmalloc(TR_FUZZ_STREAM_MAX);
    tr_input part = {.bytes = tr_xmalloc(TR_FUZZ_INPUT_MAX)};
    size_t pieces = 1 + tr_rand_below(rng, 3);
    for (size_t k = 0; k < pieces; k++) {
        const tr_fvec *a = any_vector(rng, v);
        if (tr_rand_below(rng, 2) && a) { /* a vector as it is */
            in->len = append(in->bytes, in->len, TR_FUZZ_STREAM_MAX, a->bytes,
                             a->len);
        } else {
            tr_fuzz_decode_input(rng, v, crc, &part);
            in->len = append(in->bytes, in->len, TR_FUZZ_STREAM_MAX,
                             part.bytes, part.len);
        }
    }
    free(part.bytes);
    size_t max = chunk_max[tr_rand_below(rng, 6)];
    in->chunks = tr_xmalloc((in->len ? in->len : 1) * sizeof *in->chunks);
    for (size_t at = 0; at < in->len; at += in->chunks[in->nchunks++]) {
        size_t n = max ? 1 + tr_rand_below(rng, (uint32_t)max) : in->len;
        in->chunks[in->nchunks] = n < in->len - at ? n : in->len - at;
    }
}
