/* TCP reassembly of one direction (see tcp_reasm.h for the rules). The
 * in-order case, by far the most common, delivers straight from the packet
 * without a copy; only out-of-order data is copied into the sorted list. */
#include <stdlib.h>
#include <string.h>

#include "tcp_reasm.h"

/* A jump larger than this, either way, is a different connection. TCP's
 * largest window (2^30 with window scaling) bounds any legitimate one. */
#define JUMP ((int64_t)1 << 30)

/* An out-of-order piece: data, or a "lost" marker for bytes the snaplen cut
 * off (never filled in: the gap is reported when delivery reaches it). */
struct an_reasm_seg {
    an_reasm_seg *prev, *next;
    uint64_t off;
    uint32_t len;
    bool lost;
    uint8_t data[];
};

const char *an_gap_reason_name(an_gap_reason why)
{
    static const char *const names[] = {
#define AN__GAP_NAME(id, name) name,
        AN_GAP_MAP(AN__GAP_NAME)
#undef AN__GAP_NAME
    };
    return (unsigned)why < AN_GAP_COUNT ? names[why] : "?";
}

static void mem_add(an_reasm *r, size_t n)
{
    if (r->lim->mem_used)
        *r->lim->mem_used += n;
}

static void mem_sub(an_reasm *r, size_t n)
{
    if (r->lim->mem_used)
        *r->lim->mem_used -= n;
}

void an_reasm_init(an_reasm *r, const an_reasm_limits *lim,
                   const an_reasm_ops *ops, void *ctx)
{
    memset(r, 0, sizeof *r);
    r->lim = lim;
    r->ops = ops;
    r->ctx = ctx;
}

/* Unlinks the first piece and accounts for it; the caller frees it. */
static an_reasm_seg *seg_pop(an_reasm *r)
{
    an_reasm_seg *g = r->head;
    size_t sz = sizeof *g + (g->lost ? 0 : g->len);
    r->head = g->next;
    if (r->head)
        r->head->prev = NULL;
    else
        r->tail = NULL;
    r->ooo_bytes -= sz;
    r->ooo_segs--;
    mem_sub(r, sz);
    return g;
}

void an_reasm_free(an_reasm *r)
{
    while (r->head)
        free(seg_pop(r));
    if (r->hist) {
        mem_sub(r, r->hist_cap);
        free(r->hist);
    }
    r->hist = NULL;
    r->hist_cap = r->hist_len = 0;
}

/* The 64-bit offset nearest to `next` whose low 32 bits match `seq`. */
static int64_t unwrap(const an_reasm *r, uint32_t seq)
{
    uint32_t d = seq - r->base;
    return (int64_t)r->next + (int32_t)(d - (uint32_t)r->next);
}

int64_t an_reasm_offset(const an_reasm *r, uint32_t seq, uint8_t flags)
{
    if (!r->started)
        return 0;
    return unwrap(r, seq + ((flags & 0x02u) ? 1u : 0u));
}

/* ---- history ring: byte at offset o lives at hist[o & (hist_cap - 1)] --- */

static void ring_copy_in(uint8_t *ring, size_t cap, uint64_t off,
                         const uint8_t *p, size_t n)
{
    size_t at = (size_t)(off & (cap - 1));
    size_t first = cap - at < n ? cap - at : n;
    memcpy(ring + at, p, first);
    memcpy(ring, p + first, n - first);
}

static void hist_append(an_reasm *r, const uint8_t *p, size_t n)
{
    size_t want = r->lim->history;
    if (want == 0)
        return;
    if (r->hist_cap < want && r->hist_len + n > r->hist_cap) {
        size_t ncap = r->hist_cap ? r->hist_cap : 1024;
        while (ncap < want && ncap < r->hist_len + n)
            ncap *= 2;
        uint8_t *nb = malloc(ncap);
        if (nb) {
            /* Re-place the kept bytes at their offsets in the larger ring. */
            for (uint64_t o = r->next - r->hist_len; o < r->next; o++)
                nb[o & (ncap - 1)] = r->hist[o & (r->hist_cap - 1)];
            if (r->hist) {
                mem_sub(r, r->hist_cap);
                free(r->hist);
            }
            mem_add(r, ncap);
            r->hist = nb;
            r->hist_cap = ncap;
        }
    }
    if (r->hist_cap == 0)
        return;
    if (n >= r->hist_cap) {
        ring_copy_in(r->hist, r->hist_cap, r->next + n - r->hist_cap,
                     p + n - r->hist_cap, r->hist_cap);
        r->hist_len = r->hist_cap;
    } else {
        ring_copy_in(r->hist, r->hist_cap, r->next, p, n);
        r->hist_len = r->hist_len + n < r->hist_cap ? r->hist_len + n
                                                    : r->hist_cap;
    }
}

/* Compares `n` bytes at `p` with delivered offsets [off, off+n) as far as
 * the history still holds them; adds differing bytes to *differ and
 * records the first differing offset. */
static void hist_compare(const an_reasm *r, uint64_t off, const uint8_t *p,
                         uint64_t n, uint64_t *differ, uint64_t *first)
{
    uint64_t lo = r->next - r->hist_len;
    for (uint64_t i = off < lo ? lo - off : 0; i < n; i++) {
        if (r->hist[(off + i) & (r->hist_cap - 1)] != p[i]) {
            if (*differ == 0)
                *first = off + i;
            ++*differ;
        }
    }
}

/* ---- delivery ----------------------------------------------------------- */

static void deliver(an_reasm *r, const uint8_t *p, size_t n)
{
    uint64_t off = r->next;
    hist_append(r, p, n);
    r->next += n;
    r->ops->data(r->ctx, off, p, n);
}

static void lose(an_reasm *r, uint64_t n, an_gap_reason why)
{
    uint64_t off = r->next;
    r->gaps++;
    r->gap_bytes += n;
    r->hist_len = 0;
    r->next += n;
    r->ops->gap(r->ctx, off, n, why);
}

static void check_fin(an_reasm *r)
{
    if (r->fin_seen && r->next >= r->fin_off)
        r->closed = true;
}

/* Delivers the buffered pieces that now continue the stream. */
static void drain(an_reasm *r)
{
    while (r->head && r->head->off <= r->next) {
        an_reasm_seg *g = seg_pop(r);
        uint64_t end = g->off + g->len;
        if (end > r->next) {
            if (g->lost)
                lose(r, end - r->next, AN_GAP_SNAPLEN);
            else
                deliver(r, g->data + (r->next - g->off),
                        (size_t)(end - r->next));
        }
        free(g);
    }
    check_fin(r);
}

/* Links a new piece [off, off+n) (data at p, or a lost marker when p is
 * NULL) before `at` (at the tail when `at` is NULL). Returns false when out
 * of memory (the bytes then stay a hole, declared lost later). */
static bool seg_add(an_reasm *r, an_reasm_seg *at, uint64_t off,
                    const uint8_t *p, uint64_t n)
{
    size_t sz = sizeof(an_reasm_seg) + (p ? (size_t)n : 0);
    an_reasm_seg *g = malloc(sz);
    if (!g)
        return false;
    g->off = off;
    g->len = (uint32_t)n;
    g->lost = p == NULL;
    if (p)
        memcpy(g->data, p, (size_t)n);
    g->next = at;
    g->prev = at ? at->prev : r->tail;
    if (g->prev)
        g->prev->next = g;
    else
        r->head = g;
    if (at)
        at->prev = g;
    else
        r->tail = g;
    r->ooo_bytes += sz;
    r->ooo_segs++;
    mem_add(r, sz);
    return true;
}

/* Adds [s, s+n) to the out-of-order list, keeping every byte already held
 * (first copy wins). Counts the bytes already held in *covered and those
 * that differ from the held copy in *differ. */
static void insert(an_reasm *r, uint64_t s, const uint8_t *p, uint64_t n,
                   uint64_t *covered, uint64_t *differ, uint64_t *first)
{
    uint64_t e = s + n, cur = s;
    /* The first piece ending after s; searched from the tail, where
     * reordered data usually lands. */
    an_reasm_seg *g = r->tail;
    if (g && g->off + g->len <= s)
        g = NULL;
    while (g && g->prev && g->prev->off + g->prev->len > s)
        g = g->prev;
    while (cur < e) {
        if (!g || g->off >= e) {
            seg_add(r, g, cur, p ? p + (cur - s) : NULL, e - cur);
            break;
        }
        if (g->off > cur) {
            seg_add(r, g, cur, p ? p + (cur - s) : NULL, g->off - cur);
            cur = g->off;
        }
        uint64_t oe = g->off + g->len < e ? g->off + g->len : e;
        *covered += oe - cur;
        if (p && !g->lost) {
            for (uint64_t o = cur; o < oe; o++) {
                if (g->data[o - g->off] != p[o - s]) {
                    if (*differ == 0)
                        *first = o;
                    ++*differ;
                }
            }
        }
        cur = oe;
        g = g->next;
    }
}

/* Over a cap: give up the oldest hole and deliver what follows it. */
static void enforce_caps(an_reasm *r)
{
    while (r->head && (r->ooo_bytes > r->lim->max_bytes ||
                       r->ooo_segs > r->lim->max_segs)) {
        if (r->head->off > r->next)
            lose(r, r->head->off - r->next, AN_GAP_CAP);
        drain(r);
    }
}

an_reasm_result an_reasm_segment(an_reasm *r, uint32_t seq, uint8_t flags,
                                 const uint8_t *data, uint32_t len,
                                 uint32_t cap)
{
    if (cap > len)
        cap = len;
    if (flags & 0x02u) { /* SYN */
        if (!r->started) {
            r->started = r->syn_seen = true;
            r->isn = seq;
            r->base = seq + 1;
        } else if (!r->syn_seen || seq != r->isn) {
            return AN_REASM_NEW_FLOW;
        }
        seq++; /* the SYN occupies one sequence number */
    } else if (!r->started) {
        if (len == 0 && !(flags & 0x01u))
            return AN_REASM_OK; /* nothing to anchor the stream on */
        r->started = true;
        r->base = seq;
    }
    int64_t rel = unwrap(r, seq);
    int64_t nxt = (int64_t)r->next;
    if (rel > nxt + JUMP || rel + (int64_t)len < nxt - JUMP)
        return AN_REASM_NEW_FLOW;
    if (len == 0 && !(flags & 0x01u))
        return AN_REASM_OK; /* zero-length: an ACK, never a duplicate */
    if (len)
        r->data_segs++;

    int64_t e = rel + (int64_t)len;
    if ((flags & 0x01u) && !r->fin_seen && e >= 0) { /* FIN */
        r->fin_seen = true;
        r->fin_off = (uint64_t)e;
        if (r->fin_off > r->high)
            r->high = r->fin_off;
    }
    if (e <= 0) {
        r->before_start += len;
        check_fin(r);
        return AN_REASM_OK;
    }
    const uint8_t *p = data;
    uint64_t s = 0, ue = (uint64_t)e;
    uint64_t ce = rel + (int64_t)cap > 0 ? (uint64_t)(rel + (int64_t)cap) : 0;
    if (rel < 0) {
        r->before_start += (uint64_t)-rel;
        p += (uint64_t)-rel < cap ? (uint64_t)-rel : cap;
    } else {
        s = (uint64_t)rel;
    }
    if (r->fin_seen && ue > r->fin_off) {
        uint64_t lim = s > r->fin_off ? s : r->fin_off;
        r->after_fin += ue - lim;
        ue = lim;
    }
    if (ce > ue)
        ce = ue;
    if (ce < s)
        ce = s;
    if (ue > r->high)
        r->high = ue;

    uint64_t total = ue - s, covered = 0, differ = 0, first = 0;
    if (s < r->next) { /* already delivered: compare with the history */
        uint64_t de = ue < r->next ? ue : r->next;
        uint64_t dc = ce < de ? ce : de;
        covered += de - s;
        if (dc > s)
            hist_compare(r, s, p, dc - s, &differ, &first);
        p += dc > s ? dc - s : 0;
        s = de;
        if (ce < s)
            ce = s;
    }
    if (s < ue) {
        if (s == r->next && !r->head) {
            if (ce > s)
                deliver(r, p, (size_t)(ce - s));
            if (ue > ce)
                lose(r, ue - ce, AN_GAP_SNAPLEN);
        } else {
            if (ce > s)
                insert(r, s, p, ce - s, &covered, &differ, &first);
            if (ue > ce)
                insert(r, ce, NULL, ue - ce, &covered, &differ, &first);
            drain(r);
            enforce_caps(r);
        }
    }
    if (total > 0 && covered == total) {
        r->retrans_segs++;
        r->retrans_bytes += total;
    } else if (covered > 0) {
        r->overlap_segs++;
    }
    if (differ) {
        r->conflict_segs++;
        r->conflict_bytes += differ;
        r->ops->conflict(r->ctx, first, differ);
    }
    check_fin(r);
    return AN_REASM_OK;
}

void an_reasm_ack(an_reasm *r, uint32_t ack)
{
    if (!r->started || r->closed)
        return;
    int64_t a = unwrap(r, ack);
    if (a <= (int64_t)r->next || a > (int64_t)r->next + JUMP)
        return;
    uint64_t ua = (uint64_t)a;
    if (r->fin_seen && ua > r->fin_off)
        ua = r->fin_off; /* the FIN's own sequence number is not data */
    if (ua > r->high)
        r->high = ua;
    while (r->next < ua) {
        if (!r->head || r->head->off > r->next) {
            uint64_t upto = r->head && r->head->off < ua ? r->head->off : ua;
            lose(r, upto - r->next, AN_GAP_ACK);
        }
        drain(r);
    }
    check_fin(r);
}

void an_reasm_flush(an_reasm *r, an_gap_reason why)
{
    if (!r->started)
        return;
    while (r->head) {
        if (r->head->off > r->next)
            lose(r, r->head->off - r->next, why);
        drain(r);
    }
    if (r->high > r->next)
        lose(r, r->high - r->next, why);
    check_fin(r);
}
