/* TamTam framing of a reassembled stream: see framer.h for the modes. */
#include <stdlib.h>
#include <string.h>

#include "framer.h"

/* A run may contain this many zero frames beyond its evidence frames. */
#define CHAIN_ZERO_FRAMES 64u

static void mem_add(an_framer *f, size_t n)
{
    if (f->cfg->mem_used)
        *f->cfg->mem_used += n;
}

static void mem_sub(an_framer *f, size_t n)
{
    if (f->cfg->mem_used)
        *f->cfg->mem_used -= n;
}

void an_framer_cfg_free(an_framer_cfg *cfg)
{
    if (cfg->spare && cfg->mem_used)
        *cfg->mem_used -= sizeof *cfg->spare;
    free(cfg->spare);
    cfg->spare = NULL;
}

void an_framer_init(an_framer *f, an_framer_cfg *cfg,
                    const an_framer_ops *ops, void *ctx, bool probe)
{
    memset(f, 0, sizeof *f);
    f->cfg = cfg;
    f->ops = ops;
    f->ctx = ctx;
    f->crc = cfg->crc;
    f->mode = probe ? AN_FRAMER_PROBE : AN_FRAMER_HUNT;
}

static void hold_free(an_framer *f)
{
    if (f->hold) {
        mem_sub(f, f->hold_cap);
        free(f->hold);
    }
    f->hold = NULL;
    f->hold_len = f->hold_cap = 0;
}

/* Gives the receiver back: kept as the spare, or freed. */
static void stream_release(an_framer *f)
{
    if (!f->st)
        return;
    if (!f->cfg->spare) {
        f->cfg->spare = f->st;
    } else {
        mem_sub(f, sizeof *f->st);
        free(f->st);
    }
    f->st = NULL;
}

void an_framer_free(an_framer *f)
{
    hold_free(f);
    stream_release(f);
}

uint64_t an_framer_needed_from(const an_framer *f)
{
    switch (f->mode) {
    case AN_FRAMER_SYNCED:
        return f->st ? tt_stream_offset(f->st) : f->off;
    case AN_FRAMER_IGNORED:
        return UINT64_MAX;
    default:
        return f->started ? f->hold_off : 0;
    }
}

static bool zero_frame(const uint8_t *p, int len)
{
    return len == 6 && !(p[0] | p[1] | p[2] | p[3] | p[4] | p[5]);
}

int an_framer_chain(const uint8_t *buf, size_t len, size_t at, tt_crc crc,
                    unsigned run, bool aligned, bool final)
{
    unsigned evidence = 0, frames = 0;
    size_t pos = at;
    tt_frame fr;
    while (evidence < run) {
        if (frames == run + CHAIN_ZERO_FRAMES)
            return evidence >= 2 ? 1 : -1;
        if (pos == len)
            return !final ? 0 : evidence >= 1 ? 1 : -1;
        int r = tt_decode(buf + pos, len - pos, crc, &fr);
        if (r == TT_ERR_TRUNCATED)
            return !final ? 0 : evidence >= 2 ? 1 : -1;
        if (r < 0)
            return -1;
        if (zero_frame(buf + pos, r)) {
            if (frames == 0 && !aligned)
                return -1;
        } else {
            evidence++;
        }
        frames++;
        pos += (size_t)r;
    }
    return 1;
}

/* Cheap test of the first frame at buf[at]: false when it cannot open an
 * unaligned run (UsedLen beyond the block, or all zero). Most offsets of
 * non-TamTam bytes fail here, on three or four byte reads. */
static bool may_open_run(const uint8_t *buf, size_t len, size_t at)
{
    size_t avail = len - at;
    const uint8_t *p = buf + at;
    if (avail < 2)
        return true;
    unsigned hlen = (p[1] & TT_FLAG_EXT) ? 5u : 3u;
    if (avail >= hlen + 3u &&
        tt_get_u16be(p + hlen + 1) > tt_block_size(p[1] >> 4, p[1] & 1u))
        return false;
    return !(avail >= 6 && zero_frame(p, 6));
}

/* an_framer_chain under the direction's variant, or under each variant in
 * table order while it is unknown; *which gets the variant that fitted. */
static int chain_any(const an_framer *f, size_t at, bool aligned, bool final,
                     int *which)
{
    /* Recognising a connection (PROBE) takes a whole run, even at a gap or
     * the end: a shorter run there is how other protocols' bytes looked
     * like frames (issue 19). Realigning a known TamTam stream may end on
     * a shorter one. */
    if (f->mode == AN_FRAMER_PROBE)
        final = false;
    if (f->crc != AN_CRC_AUTO) {
        *which = f->crc;
        return an_framer_chain(f->hold, f->hold_len, at, (tt_crc)f->crc,
                               f->cfg->run, aligned, final);
    }
    int best = -1;
    for (int v = 0; v < TT_CRC_COUNT; v++) {
        int r = an_framer_chain(f->hold, f->hold_len, at, (tt_crc)v,
                                f->cfg->run, aligned, final);
        if (r == 1) {
            *which = v;
            return 1;
        }
        if (r == 0)
            best = 0;
    }
    return best;
}

static void emit(an_framer *f, int status, uint64_t off, const tt_frame *fr,
                 size_t len)
{
    f->ops->frame(f->ctx, status, off, fr, len);
}

/* SYNCED: the bytes go through tt_stream. A receiver is owned only while a
 * frame is pending; otherwise the shared spare is borrowed. */
static void synced_feed(an_framer *f, const uint8_t *p, size_t n)
{
    tt_stream *st = f->st;
    if (!st) {
        st = f->cfg->spare;
        if (st) {
            f->cfg->spare = NULL;
        } else {
            st = malloc(sizeof *st);
            if (!st) {
                /* Out of memory: these bytes are lost to decoding. */
                f->ops->unsynced(f->ctx, f->off, n);
                f->off += n;
                return;
            }
            mem_add(f, sizeof *st);
        }
        tt_stream_init(st, (tt_crc)f->crc);
        tt_stream_reset(st, f->off);
        f->st = st;
    }
    tt_stream_event ev;
    while (tt_stream_next(st, &p, &n, &ev) > 0)
        emit(f, ev.status, ev.offset, &ev.frame, ev.frame.frame_len);
    if (tt_stream_pending(st) == 0) {
        f->off = tt_stream_offset(st);
        stream_release(f);
    }
}

/* A frame cut by a gap or by the end: judged on the bytes there are. */
static void flush_pending(an_framer *f)
{
    if (!f->st)
        return;
    const tt_stream *st = f->st;
    const uint8_t *held = tt_stream_held(st);
    size_t have = tt_stream_pending(st);
    f->off = tt_stream_offset(st);
    if (held) {
        tt_frame fr;
        int r = tt_decode(held, have, (tt_crc)f->crc, &fr);
        emit(f, r < 0 ? r : 0, f->off, &fr, have);
        f->off += have;
    }
    stream_release(f);
}

/* Frames start at hold[at] under variant v: report, then decode the held
 * bytes as a synced stream. */
static void go_synced(an_framer *f, size_t at, int v, bool resync)
{
    uint64_t off = f->hold_off + at;
    if (f->crc == AN_CRC_AUTO) {
        f->crc = v == AN_CRC_AUTO ? TT_CRC_DEFAULT : v;
        f->ops->crc_detected(f->ctx, v);
    }
    if (f->mode == AN_FRAMER_PROBE)
        f->ops->verdict(f->ctx, true);
    if (resync)
        f->ops->resync(f->ctx, off, f->skipped + at);
    f->skipped = 0;
    f->mode = AN_FRAMER_SYNCED;
    f->off = off;
    uint8_t *hold = f->hold;
    size_t len = f->hold_len, cap = f->hold_cap;
    f->hold = NULL;
    f->hold_len = f->hold_cap = 0;
    synced_feed(f, hold + at, len - at);
    mem_sub(f, cap);
    free(hold);
}

static void give_up(an_framer *f)
{
    hold_free(f);
    f->mode = AN_FRAMER_IGNORED;
    f->ops->verdict(f->ctx, false);
}

/* Known alignment, unknown variant: the variant under which most of the
 * first non-zero frames are valid (table order breaks ties). Returns 1 with
 * *which set (AN_CRC_AUTO when none fits), or 0 when more bytes are needed. */
static int vote(const an_framer *f, bool final, int *which)
{
    unsigned valid[TT_CRC_COUNT] = {0}, nonzero = 0, run = f->cfg->run;
    size_t pos = 0;
    tt_frame fr;
    while (nonzero < 2 * run && pos < f->hold_len) {
        int r = tt_decode(f->hold + pos, f->hold_len - pos, TT_CRC_DEFAULT,
                          &fr);
        if (r == TT_ERR_TRUNCATED)
            break;
        size_t flen = fr.frame_len;
        if (zero_frame(f->hold + pos, (int)flen)) {
            pos += flen;
            continue;
        }
        nonzero++;
        if (r != TT_ERR_USED_LEN_EXCEEDS_BLOCK) {
            for (int v = 0; v < TT_CRC_COUNT; v++)
                valid[v] += tt_decode(f->hold + pos, flen, (tt_crc)v, &fr) > 0;
        }
        pos += flen;
    }
    int best = 0;
    for (int v = 1; v < TT_CRC_COUNT; v++)
        if (valid[v] > valid[best])
            best = v;
    if (valid[best] < run && nonzero < 2 * run && !final)
        return 0;
    *which = valid[best] ? best : AN_CRC_AUTO;
    return 1;
}

/* Tries to find where frames start in the held bytes. */
static void process_hold(an_framer *f, bool final)
{
    int v = AN_CRC_AUTO;
    if (f->aligned) {
        if (f->mode == AN_FRAMER_HUNT) { /* only the variant is unknown */
            if (vote(f, final, &v))
                go_synced(f, 0, v, false);
            return;
        }
        int r = chain_any(f, 0, true, final, &v);
        if (r == 1)
            go_synced(f, 0, v, false);
        else if (r < 0)
            give_up(f);
        return;
    }
    size_t at = 0;
    for (; at < f->hold_len; at++) {
        if (!may_open_run(f->hold, f->hold_len, at))
            continue;
        int r = chain_any(f, at, false, final, &v);
        if (r == 1) {
            go_synced(f, at, v, true);
            return;
        }
        if (r == 0)
            break;
    }
    /* Offsets before `at` cannot start a run: drop them. */
    f->skipped += at;
    f->hold_off += at;
    f->hold_len -= at;
    if (at && f->hold_len)
        memmove(f->hold, f->hold + at, f->hold_len);
    if (f->mode == AN_FRAMER_PROBE) {
        f->probed += at;
        if (f->probed >= f->cfg->probe_limit)
            give_up(f);
    }
}

/* Alignment lost for good over the held bytes (a gap or the end follows). */
static void drop_unaligned(an_framer *f)
{
    uint64_t n = f->skipped + f->hold_len;
    if (f->mode == AN_FRAMER_HUNT && n)
        f->ops->unsynced(f->ctx, f->hold_off - f->skipped, n);
    if (f->mode == AN_FRAMER_PROBE) {
        f->probed += f->hold_len;
        if (f->probed >= f->cfg->probe_limit) {
            give_up(f);
            return;
        }
    }
    f->skipped = 0;
    f->hold_len = 0;
}

static void start(an_framer *f, uint64_t off, bool aligned)
{
    f->started = true;
    f->aligned = aligned;
    f->hold_off = off;
    f->off = off;
    if (f->mode == AN_FRAMER_HUNT && aligned && f->crc != AN_CRC_AUTO)
        f->mode = AN_FRAMER_SYNCED;
}

static bool hold_append(an_framer *f, const uint8_t *p, size_t n)
{
    if (f->hold_len + n > f->hold_cap) {
        size_t cap = f->hold_cap ? f->hold_cap : 4096;
        while (cap < f->hold_len + n)
            cap *= 2;
        uint8_t *nb = realloc(f->hold, cap);
        if (!nb)
            return false;
        mem_add(f, cap - f->hold_cap);
        f->hold = nb;
        f->hold_cap = cap;
    }
    memcpy(f->hold + f->hold_len, p, n);
    f->hold_len += n;
    return true;
}

void an_framer_data(an_framer *f, uint64_t off, const uint8_t *p, size_t n)
{
    if (!f->started)
        start(f, off, f->start_aligned && off == 0);
    if (f->hold_len == 0)
        f->hold_off = off; /* after IGNORED, or an out-of-memory drop */
    while (n > 0) {
        switch (f->mode) {
        case AN_FRAMER_SYNCED:
            synced_feed(f, p, n);
            return;
        case AN_FRAMER_IGNORED:
            return;
        case AN_FRAMER_HUNT:
        case AN_FRAMER_PROBE: {
            size_t room = AN_FRAMER_HOLD_MAX - f->hold_len;
            size_t take = room < n ? room : n;
            if (!hold_append(f, p, take)) {
                /* Out of memory: treat as a gap in the held bytes. */
                drop_unaligned(f);
                f->aligned = false;
                f->hold_off += take;
                f->skipped += take;
            }
            p += take;
            n -= take;
            process_hold(f, false);
            if ((f->mode == AN_FRAMER_HUNT || f->mode == AN_FRAMER_PROBE) &&
                f->hold_len == AN_FRAMER_HOLD_MAX) {
                /* Cannot happen with the run lengths allowed (see
                 * AN_FRAMER_HOLD_MAX); bounded all the same. */
                process_hold(f, true);
                if (f->mode == AN_FRAMER_HUNT || f->mode == AN_FRAMER_PROBE) {
                    uint64_t next = f->hold_off + f->hold_len;
                    drop_unaligned(f);
                    f->aligned = false;
                    f->hold_off = next;
                }
            }
            break;
        }
        }
    }
}

/* Ends the current stretch of bytes: a gap or the end follows. */
static void close_stretch(an_framer *f)
{
    switch (f->mode) {
    case AN_FRAMER_SYNCED:
        flush_pending(f);
        return;
    case AN_FRAMER_IGNORED:
        return;
    case AN_FRAMER_HUNT:
    case AN_FRAMER_PROBE:
        process_hold(f, true);
        if (f->mode == AN_FRAMER_SYNCED)
            flush_pending(f);
        else if (f->mode != AN_FRAMER_IGNORED)
            drop_unaligned(f);
        return;
    }
}

void an_framer_gap(an_framer *f, uint64_t off, uint64_t n)
{
    if (!f->started)
        start(f, off, false);
    close_stretch(f);
    if (f->mode == AN_FRAMER_SYNCED)
        f->mode = AN_FRAMER_HUNT;
    f->aligned = false;
    f->skipped = 0;
    f->hold_len = 0;
    f->hold_off = off + n;
}

void an_framer_end(an_framer *f)
{
    if (!f->started)
        return;
    close_stretch(f);
    if (f->mode == AN_FRAMER_PROBE)
        give_up(f);
    hold_free(f);
}

void an_framer_confirm(an_framer *f)
{
    if (f->mode == AN_FRAMER_PROBE) {
        f->mode = AN_FRAMER_HUNT;
        if (f->started && f->aligned && f->crc != AN_CRC_AUTO)
            go_synced(f, 0, f->crc, false);
        else if (f->started)
            process_hold(f, false);
    } else if (f->mode == AN_FRAMER_IGNORED) {
        f->mode = AN_FRAMER_HUNT;
        f->aligned = false;
    }
}
