/* IPv4 / IPv6 fragment reassembly (see ip_reasm.h). */
#include <stdlib.h>
#include <string.h>

#include "ip_reasm.h"

/* One received fragment's bytes, kept as they came. */
typedef struct frag {
    struct frag *next; /* by offset */
    uint32_t off, len;
    uint8_t data[];
} frag;

typedef struct dgram {
    struct dgram *next, *prev; /* by first arrival, oldest first */
    uint8_t ipver, proto;
    uint8_t src[16], dst[16];
    uint32_t id;
    uint64_t first_us;
    uint32_t end;      /* from the last fragment; 0 while unknown */
    bool bad;          /* a fragment could not be kept: never completes */
    an_packet first;   /* addresses of the datagram, for the result */
    uint32_t nfrags;   /* fragments taken into it */
    frag *frags;
    size_t bytes;      /* held in frags, with their headers */
} dgram;

struct an_ipfrag {
    uint64_t *mem;
    size_t budget;     /* fragment bytes held at most */
    dgram *head, *tail;
    uint32_t count;
    size_t bytes;
    an_ipfrag_counts c;
    uint8_t *out;      /* the last reassembled payload, until the next call */
    size_t out_len;
};

an_ipfrag *an_ipfrag_new(uint64_t *mem_used, size_t budget)
{
    an_ipfrag *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->mem = mem_used;
    r->budget = budget < AN_IPFRAG_MAX_BYTES ? budget : AN_IPFRAG_MAX_BYTES;
    *r->mem += sizeof *r;
    return r;
}

static void out_free(an_ipfrag *r)
{
    *r->mem -= r->out_len;
    free(r->out);
    r->out = NULL;
    r->out_len = 0;
}

static void unlink_dgram(an_ipfrag *r, dgram *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        r->head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        r->tail = d->prev;
    r->count--;
}

static void drop(an_ipfrag *r, dgram *d)
{
    unlink_dgram(r, d);
    for (frag *f = d->frags, *n; f; f = n) {
        n = f->next;
        free(f);
    }
    r->bytes -= d->bytes;
    *r->mem -= d->bytes + sizeof *d;
    free(d);
}

static void give_up(an_ipfrag *r, dgram *d)
{
    r->c.incomplete++;
    drop(r, d);
}

void an_ipfrag_free(an_ipfrag *r)
{
    if (!r)
        return;
    while (r->head)
        drop(r, r->head);
    out_free(r);
    *r->mem -= sizeof *r;
    free(r);
}

/* clang-analyzer loses drop()'s unlinking across the call and takes the
 * freed head for the next one (as in engine.c's eviction): the loops that
 * give up the oldest datagram are marked. */
void an_ipfrag_expire(an_ipfrag *r, uint64_t ts_us)
{
    // NOLINTBEGIN(clang-analyzer-unix.Malloc)
    while (r->head && (ts_us == UINT64_MAX ||
                       r->head->first_us + AN_IPFRAG_TIMEOUT_US < ts_us))
        give_up(r, r->head);
    // NOLINTEND(clang-analyzer-unix.Malloc)
}

const an_ipfrag_counts *an_ipfrag_counts_of(const an_ipfrag *r)
{
    return &r->c;
}

static bool same_key(const dgram *d, const an_packet *p)
{
    return d->ipver == p->ipver && d->proto == p->proto && d->id == p->frag_id &&
           !memcmp(d->src, p->src, 16) && !memcmp(d->dst, p->dst, 16);
}

/* Inserts [off, off+len) keeping the first copy of every byte: only the
 * parts no fragment holds yet are stored. Returns false when out of
 * memory. */
static bool insert(an_ipfrag *r, dgram *d, uint32_t off, const uint8_t *p,
                   uint32_t len)
{
    frag **pp = &d->frags;
    uint32_t end = off + len;
    bool overlapped = false;
    while (off < end) {
        while (*pp && (*pp)->off + (*pp)->len <= off)
            pp = &(*pp)->next;
        frag *at = *pp;
        if (at && at->off <= off) {
            /* Held already: compare, keep the first copy. */
            uint32_t stop = at->off + at->len < end ? at->off + at->len : end;
            overlapped = true;
            if (memcmp(at->data + (off - at->off), p, stop - off))
                r->c.conflicts++;
            p += stop - off;
            off = stop;
            continue;
        }
        uint32_t stop = at && at->off < end ? at->off : end;
        size_t sz = sizeof(frag) + (stop - off);
        frag *n = malloc(sz);
        if (!n)
            return false;
        n->off = off;
        n->len = stop - off;
        memcpy(n->data, p, n->len);
        n->next = at;
        *pp = n;
        pp = &n->next;
        d->bytes += sz;
        r->bytes += sz;
        *r->mem += sz;
        p += n->len;
        off = stop;
    }
    if (overlapped)
        r->c.overlaps++;
    return true;
}

static bool complete(const dgram *d)
{
    if (!d->end || d->bad)
        return false;
    uint32_t have = 0;
    for (const frag *f = d->frags; f; f = f->next) {
        if (f->off > have)
            return false;
        if (f->off + f->len > have)
            have = f->off + f->len;
    }
    return have >= d->end;
}

int an_ipfrag_add(an_ipfrag *r, const an_packet *p, uint64_t ts_us,
                  an_packet *out, an_pkt_result *res)
{
    out_free(r);
    an_ipfrag_expire(r, ts_us);
    r->c.fragments++;
    dgram *d = r->head;
    while (d && !same_key(d, p))
        d = d->next;
    if (!d) {
        // NOLINTBEGIN(clang-analyzer-unix.Malloc): see an_ipfrag_expire
        while (r->count >= AN_IPFRAG_MAX_DATAGRAMS && r->head)
            give_up(r, r->head);
        // NOLINTEND(clang-analyzer-unix.Malloc)
        d = calloc(1, sizeof *d);
        if (!d)
            return 0;
        *r->mem += sizeof *d;
        d->ipver = p->ipver;
        d->proto = p->proto;
        memcpy(d->src, p->src, 16);
        memcpy(d->dst, p->dst, 16);
        d->id = p->frag_id;
        d->first_us = ts_us;
        d->first = *p;
        d->prev = r->tail;
        if (r->tail)
            r->tail->next = d;
        else
            r->head = d;
        r->tail = d;
        r->count++;
    }
    uint64_t fend = (uint64_t)p->frag_offset + p->len;
    if (fend > AN_IPFRAG_MAX_LEN || p->cap < p->len) {
        /* Past any datagram's length, or cut by the snap length: this
         * datagram cannot be rebuilt. */
        r->c.invalid++;
        d->bad = true;
        return 0;
    }
    if (!p->frag_more) {
        if (d->end && d->end != fend)
            d->bad = true; /* two different ends */
        d->end = (uint32_t)fend;
    }
    /* Keep the overall cap: the oldest other datagrams go first. */
    // NOLINTBEGIN(clang-analyzer-unix.Malloc): see an_ipfrag_expire
    while (r->bytes + p->len + 64 > r->budget && r->head && r->head != d)
        give_up(r, r->head);
    // NOLINTEND(clang-analyzer-unix.Malloc)
    if (r->bytes + p->len + 64 > r->budget ||
        !insert(r, d, p->frag_offset, p->payload, p->len)) {
        d->bad = true;
        return 0;
    }
    d->nfrags++;
    if (!complete(d))
        return 0;
    r->out = malloc(d->end);
    if (!r->out) {
        give_up(r, d);
        return 0;
    }
    r->out_len = d->end;
    *r->mem += r->out_len;
    for (const frag *f = d->frags; f; f = f->next)
        if (f->off < d->end)
            memcpy(r->out + f->off, f->data,
                   f->off + f->len <= d->end ? f->len : d->end - f->off);
    *out = d->first;
    out->frag_offset = 0;
    out->frag_more = false;
    uint32_t total = d->end;
    r->c.used += d->nfrags;
    drop(r, d);
    r->c.reassembled++;
    *res = an_packet_parse_l4(r->out, total, total, out);
    return 1;
}
