/* Shrinking a disagreement to a small input (delta debugging): every
 * candidate is a smaller or simpler copy of the current input, kept when
 * the disagreement persists. Deterministic: the same input and the same
 * answers give the same result. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define ZERO_MAX 64 /* bytes up to which each is tried at zero */

/* What a candidate costs against the byte budget: its bytes and chunks
 * travel to every implementation (as hex) and their answers grow with it. */
#define CANDIDATE_COST(in) ((in)->len + 4 * (in)->nchunks + 64)

typedef struct shrinker {
    tr_input cur;
    tt_crc crc;
    tr_still_fn still;
    void *ctx;
    size_t budget, tried; /* candidates */
    size_t bytes, spent;  /* CANDIDATE_COST */
} shrinker;

static tr_input copy(const tr_input *in)
{
    tr_input c = {0};
    c.bytes = tr_xmalloc(in->len ? in->len : 1);
    memcpy(c.bytes, in->bytes, in->len);
    c.len = in->len;
    if (in->chunks) {
        c.chunks = tr_xmalloc((in->nchunks ? in->nchunks : 1) *
                              sizeof *c.chunks);
        memcpy(c.chunks, in->chunks, in->nchunks * sizeof *c.chunks);
        c.nchunks = in->nchunks;
    }
    return c;
}

/* Removes bytes [at, at + n) and the same bytes from the chunks (a chunk
 * left empty disappears). */
static void cut(tr_input *in, size_t at, size_t n)
{
    memmove(in->bytes + at, in->bytes + at + n, in->len - at - n);
    in->len -= n;
    if (!in->chunks)
        return;
    size_t pos = 0, out = 0;
    for (size_t k = 0; k < in->nchunks; k++) {
        size_t c0 = pos, c1 = pos + in->chunks[k];
        pos = c1;
        size_t lo = c0 > at ? c0 : at, hi = c1 < at + n ? c1 : at + n;
        size_t size = in->chunks[k] - (hi > lo ? hi - lo : 0);
        if (size)
            in->chunks[out++] = size;
    }
    in->nchunks = out;
}

/* Tries a candidate (consumed): kept when the disagreement persists. */
static bool try(shrinker *s, tr_input *cand)
{
    size_t cost = CANDIDATE_COST(cand);
    if (s->tried >= s->budget || s->spent + cost > s->bytes) {
        s->tried = s->budget; /* out of budget: no further candidate */
        tr_input_free(cand);
        return false;
    }
    s->tried++;
    s->spent += cost;
    if (s->still(s->ctx, cand)) {
        tr_input_free(&s->cur);
        s->cur = *cand;
        return true;
    }
    tr_input_free(cand);
    return false;
}

#define FRAMES_EDITED 16 /* frames of a stream input edited one by one */

enum { E_DROP, E_TAIL, E_USED_ZERO, E_USED_HALF, E_SIZE_ID, E_BIG, E_EXT };

/* One frame-aware edit of the frame at `base` (E_SIZE_ID: to `arg`): the
 * frame shrinks to the length its new first bytes give (a decode input
 * loses everything after it), its integrity byte kept right when it was.
 * E_DROP removes the frame, E_TAIL the bytes after it. Tried as a
 * candidate. */
static bool try_edit(shrinker *s, size_t base, int edit, unsigned arg)
{
    tr_input c = copy(&s->cur);
    uint8_t *b = c.bytes + base;
    size_t len = c.len - base, flen = tr_frame_len(b, len);
    /* Where the frame stops (fewer than two bytes: at the end). */
    size_t end = base + (flen && flen < len ? flen : len);
    bool right = tr_fuzz_crc_right(b, len, s->crc);
    /* UsedLen, after the integrity byte (fewer than two bytes: at 4). */
    size_t at = (len >= 2 ? (size_t)tt_crc_offset(b, len) : TT_HEADER_LEN) + 1;
    switch (edit) {
    case E_DROP: cut(&c, base, end - base); return try(s, &c);
    case E_TAIL: cut(&c, end, c.len - end); return try(s, &c);
    case E_USED_ZERO:
    case E_USED_HALF:
        tt_put_u16be(b + at, (uint16_t)(edit == E_USED_ZERO
                                            ? 0
                                            : tt_get_u16be(b + at) / 2));
        break;
    case E_SIZE_ID: b[1] = (uint8_t)(arg << 4 | (b[1] & 0x0F)); break;
    case E_BIG: b[1] &= (uint8_t)~TT_FLAG_BIG; break;
    default: /* E_EXT */
        cut(&c, base + 3, 2);
        end -= 2;
        b[1] &= (uint8_t)~TT_FLAG_EXT;
        break;
    }
    size_t nend = base + tr_frame_len(b, c.len - base);
    if (!c.chunks && nend < c.len)
        cut(&c, nend, c.len - nend);
    else if (nend < end)
        cut(&c, nend, end - nend);
    if (right)
        tr_fuzz_fix_crc(b, c.len - base, s->crc);
    return try(s, &c);
}

/* The edits of the frame at `base`; true at the first one kept. */
static bool shape_at(shrinker *s, size_t base)
{
    const uint8_t *b = s->cur.bytes + base;
    size_t len = s->cur.len - base;
    if (len < 3)
        return s->cur.chunks && try_edit(s, base, E_DROP, 0);
    size_t flen = tr_frame_len(b, len);
    size_t at = (size_t)tt_crc_offset(b, len) + 1; /* UsedLen */
    unsigned used = len >= at + 2 ? tt_get_u16be(b + at) : 0;
    unsigned sid = b[1] >> 4;
    bool big = b[1] & TT_FLAG_BIG, ext = b[1] & TT_FLAG_EXT;
    if (s->cur.chunks ? try_edit(s, base, E_DROP, 0)
                      : flen < len && try_edit(s, base, E_TAIL, 0))
        return true;
    if (used && (try_edit(s, base, E_USED_ZERO, 0) ||
                 (used > 1 && try_edit(s, base, E_USED_HALF, 0))))
        return true;
    for (unsigned k = 0; k < sid; k++)
        if (try_edit(s, base, E_SIZE_ID, k))
            return true;
    return (big && try_edit(s, base, E_BIG, 0)) ||
           (ext && len >= 5 && try_edit(s, base, E_EXT, 0));
}

/* Frame-aware edits: of the one frame of a decode input, of each frame of
 * a stream input (cut by the frame lengths, as a receiver does). */
static bool shape(shrinker *s)
{
    size_t base = 0;
    for (int k = 0; k < FRAMES_EDITED && base < s->cur.len; k++) {
        if (shape_at(s, base))
            return true;
        if (!s->cur.chunks)
            break;
        size_t flen = tr_frame_len(s->cur.bytes + base, s->cur.len - base);
        if (!flen)
            break;
        base += flen;
    }
    return false;
}

/* Stream inputs: everything in one chunk, else neighbours merged, in runs
 * of `run` chunks halving from half the chunks down to pairs. */
static bool merge(shrinker *s)
{
    if (!s->cur.chunks || s->cur.nchunks < 2)
        return false;
    tr_input c = copy(&s->cur);
    c.chunks[0] = c.len;
    c.nchunks = 1;
    if (try(s, &c))
        return true;
    bool changed = false;
    for (size_t run = s->cur.nchunks / 2; run >= 2; run /= 2) {
        for (size_t k = 0; k + 1 < s->cur.nchunks;) {
            size_t n = run < s->cur.nchunks - k ? run : s->cur.nchunks - k;
            c = copy(&s->cur);
            for (size_t j = 1; j < n; j++)
                // NOLINTNEXTLINE(clang-analyzer-core.NullDereference): cur has chunks (checked above) and try() only installs copies of it
                c.chunks[k] += c.chunks[k + j];
            memmove(c.chunks + k + 1, c.chunks + k + n,
                    (c.nchunks - k - n) * sizeof *c.chunks);
            c.nchunks -= n - 1;
            if (try(s, &c))
                changed = true;
            else
                k += n;
        }
    }
    return changed;
}

/* A range of n bytes removed, n halving from half the input to one; true
 * at the first one kept (the caller starts again from the coarsest). */
static bool ranges(shrinker *s)
{
    for (size_t n = s->cur.len / 2; n >= 1; n /= 2)
        for (size_t at = 0; at + n <= s->cur.len; at += n) {
            tr_input c = copy(&s->cur);
            cut(&c, at, n);
            if (try(s, &c))
                return true;
        }
    return false;
}

/* Bytes set to zero; in a decode input whose integrity byte is right, it
 * is kept right (the zeroed byte then cannot be the integrity byte). */
static bool zeros(shrinker *s)
{
    bool changed = false;
    for (size_t i = 0; s->cur.len <= ZERO_MAX && i < s->cur.len; i++) {
        if (!s->cur.bytes[i])
            continue;
        tr_input c = copy(&s->cur);
        bool right = !c.chunks && tr_fuzz_crc_right(c.bytes, c.len, s->crc);
        c.bytes[i] = 0;
        if (right)
            tr_fuzz_fix_crc(c.bytes, c.len, s->crc);
        if (right && tr_fuzz_crc_right(s->cur.bytes, s->cur.len, s->crc) &&
            !memcmp(c.bytes, s->cur.bytes, c.len)) {
            tr_input_free(&c); /* the integrity byte itself: nothing new */
            continue;
        }
        changed |= try(s, &c);
    }
    return changed;
}

size_t tr_shrink(tr_input *in, tt_crc crc, tr_still_fn still, void *ctx,
                 size_t budget, size_t bytes)
{
    bool stream = in->chunks != NULL;
    shrinker s = {.cur = *in, .crc = crc, .still = still, .ctx = ctx,
                  .budget = budget, .bytes = bytes};
    /* A decode input is one frame: its fields first. A stream input may
     * hold many: halves and quarters of it first. */
    while (s.tried < s.budget &&
           (stream ? ranges(&s) || shape(&s) || merge(&s) || zeros(&s)
                       : shape(&s) || ranges(&s) || zeros(&s)))
        ;
    *in = s.cur;
    return s.tried;
}
