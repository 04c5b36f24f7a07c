/* The analyzer's core: connections, reassembly, routing to decoders,
 * eviction. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

struct an_engine {
    const an_engine_cfg *cfg;
    const an_sink *sink;
    an_decoder_use uses[AN_DECODERS_MAX];
    void *inst[AN_DECODERS_MAX]; /* what each decoder's create() returned */
    unsigned nuses;
    an_reasm_limits rlim;
    an_ipfrag *frags;  /* created at the first fragment */
    an_conn **buckets;
    uint32_t nbuckets, nconns;
    an_conn *lru_head, *lru_tail; /* most recently used at the head */
    an_conn *last;                /* the previous packet's connection */
    uint64_t mem_used;
    an_totals t;
    uint64_t ts_us;
    int cur_layer; /* index of the layer being fed, or -1 */
    const struct pcap_pkthdr *cur_h;
    const uint8_t *cur_data;
    bool stop;
};

const char *an_end_reason_name(an_end_reason r)
{
    static const char *const names[] = {
#define AN__END_NAME(id, name) name,
        AN_END_MAP(AN__END_NAME)
#undef AN__END_NAME
    };
    return (unsigned)r < AN_END_COUNT ? names[r] : "?";
}

int an_status_index(int status)
{
    switch (status) {
    case 0:
        return AN_ST_OK;
    case TT_ERR_CRC_MISMATCH:
        return AN_ST_CRC;
    case TT_ERR_USED_LEN_EXCEEDS_BLOCK:
        return AN_ST_USED_LEN;
    default:
        return AN_ST_TRUNCATED;
    }
}

const char *an_flow_src(const an_flow *fl)
{
    return fl->conn->ep[fl->idx];
}

const char *an_flow_dst(const an_flow *fl)
{
    return fl->conn->ep[1 - fl->idx];
}

const char *an_flow_proto(const an_flow *fl)
{
    return fl->conn->proto == AN_PROTO_TCP ? "tcp" : "udp";
}

static an_engine *eng_of(const an_flow *fl)
{
    return fl->conn->eng;
}

const char *an_flow_protocol(const an_flow *fl)
{
    return fl->conn->dec ? fl->conn->dec->name : "-";
}

/* ---- for decoders ------------------------------------------------------- */

void *an_conn_dstate(const an_conn *c)
{
    return c->dstate;
}

void *an_conn_instance(const an_conn *c)
{
    return c->eng->inst[c->dec_idx];
}

uint64_t *an_conn_mem_counter(an_conn *c)
{
    return &c->eng->mem_used;
}

const an_engine_cfg *an_conn_cfg(const an_conn *c)
{
    return c->eng->cfg;
}

bool an_conn_stopped(const an_conn *c)
{
    return c->eng->stop;
}

void an_conn_no_memory(an_conn *c)
{
    c->eng->t.no_memory++;
}

void an_conn_verdict(an_flow *fl, bool yes)
{
    an_conn *c = fl->conn;
    if (c->claimed)
        return;
    if (yes) {
        c->claimed = true;
        c->probing = false;
    } else {
        c->dismissed = true;
    }
}

an_current an_conn_current(const an_conn *c)
{
    const an_engine *e = c->eng;
    return (an_current){e->cur_h, e->cur_data, e->ts_us};
}

void an_conn_set_current(an_conn *c, an_current cur)
{
    an_engine *e = c->eng;
    e->cur_h = cur.h;
    e->cur_data = cur.data;
    e->ts_us = cur.ts_us;
}

void an_emit_frame(an_flow *fl, int status, uint64_t off, const tt_frame *f,
                   size_t len)
{
    an_engine *e = eng_of(fl);
    an_conn *c = fl->conn;
    if (e->stop)
        return;
    if (e->sink->frame)
        e->sink->frame(e->sink->ctx, fl, e->ts_us, status, off, f, len);
    /* The layers above the decoder, in the table's order. */
    for (unsigned i = 0; i < e->nuses && !e->stop; i++) {
        if (!c->lstate[i])
            continue;
        e->cur_layer = (int)i;
        e->uses[i].dec->frame(fl, c->lstate[i], status, off, f);
        e->cur_layer = -1;
    }
}

void an_emit_record(an_flow *fl, const an_record *r)
{
    an_engine *e = eng_of(fl);
    if (e->stop)
        return;
    an_record rec = *r;
    if (e->cur_layer >= 0) {
        /* A layer's record: counted under the layer, not in the flow's
         * bytes-level counts. */
        rec.protocol = e->uses[e->cur_layer].dec->name;
        e->t.by_decoder[e->cur_layer].units++;
        e->t.c.records++;
        e->t.c.bad += !r->ok;
    } else {
        rec.protocol = fl->conn->dec->name;
        fl->c.records++;
        fl->c.bad += !r->ok;
    }
    if (e->sink->record)
        e->sink->record(e->sink->ctx, fl, e->ts_us, &rec);
}

void an_emit_resync(an_flow *fl, uint64_t off, uint64_t skipped)
{
    an_engine *e = eng_of(fl);
    if (e->stop)
        return;
    fl->c.resyncs++;
    fl->c.unsynced_bytes += skipped;
    e->sink->resync(e->sink->ctx, fl, e->ts_us, off, skipped);
}

void an_emit_unsynced(an_flow *fl, uint64_t off, uint64_t n)
{
    an_engine *e = eng_of(fl);
    if (e->stop)
        return;
    fl->c.unsynced_bytes += n;
    e->sink->unsynced(e->sink->ctx, fl, e->ts_us, off, n);
}

void an_emit_crc(an_flow *fl, int crc)
{
    an_engine *e = eng_of(fl);
    if (!e->stop)
        e->sink->crc(e->sink->ctx, fl, e->ts_us, crc);
}

void an_emit_trailing(an_flow *fl, uint64_t n)
{
    an_engine *e = eng_of(fl);
    if (e->stop)
        return;
    fl->c.trailing++;
    fl->c.trailing_bytes += n;
    e->sink->trailing(e->sink->ctx, fl, e->ts_us, n);
}

void an_emit_gap(an_flow *fl, uint64_t off, uint64_t n, an_gap_reason why)
{
    an_engine *e = eng_of(fl);
    if (e->stop)
        return;
    fl->c.gaps++;
    fl->c.gap_bytes += n;
    e->sink->gap(e->sink->ctx, fl, e->ts_us, off, n, why);
}

static void add_counts(an_counts *t, const an_counts *c)
{
    if (c->packets) {
        if (!t->packets || c->first_us < t->first_us)
            t->first_us = c->first_us;
        if (c->last_us > t->last_us)
            t->last_us = c->last_us;
    }
    t->frames += c->frames;
    for (int i = 0; i < AN_ST_COUNT; i++)
        t->status[i] += c->status[i];
    for (int i = 0; i < 16; i++)
        t->cls[i] += c->cls[i];
    t->records += c->records;
    t->bad += c->bad;
    t->packets += c->packets;
    t->bytes += c->bytes;
    t->gaps += c->gaps;
    t->gap_bytes += c->gap_bytes;
    t->retrans_segs += c->retrans_segs;
    t->retrans_bytes += c->retrans_bytes;
    t->overlap_segs += c->overlap_segs;
    t->conflict_segs += c->conflict_segs;
    t->conflict_bytes += c->conflict_bytes;
    t->resyncs += c->resyncs;
    t->unsynced_bytes += c->unsynced_bytes;
    t->trailing += c->trailing;
    t->trailing_bytes += c->trailing_bytes;
}

/* ---- reassembler callbacks (ctx: the an_flow) ---------------------------- */

static void on_data(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
    an_flow *fl = ctx;
    fl->c.bytes += n;
    fl->conn->dec->data(fl, off, p, n);
}

static void on_gap(void *ctx, uint64_t off, uint64_t n, an_gap_reason why)
{
    an_flow *fl = ctx;
    fl->conn->dec->gap(fl, off, n);
    if (fl->conn->claimed)
        an_emit_gap(fl, off, n, why);
}

static void on_conflict(void *ctx, uint64_t off, uint64_t n)
{
    an_flow *fl = ctx;
    an_engine *e = eng_of(fl);
    if (!fl->conn->claimed || e->stop)
        return;
    e->sink->conflict(e->sink->ctx, fl, e->ts_us, off, n);
}

static const an_reasm_ops reasm_ops = {on_data, on_gap, on_conflict};

/* ---- connections -------------------------------------------------------- */

static void format_ep(char *out, size_t cap, uint8_t ipver,
                      const uint8_t *addr, uint16_t port)
{
    char a[INET6_ADDRSTRLEN];
    inet_ntop(ipver == 4 ? AF_INET : AF_INET6, addr, a, sizeof a);
    snprintf(out, cap, ipver == 4 ? "%s:%u" : "[%s]:%u", a, port);
}

static void ep_bytes(uint8_t out[18], const uint8_t *addr, uint16_t port)
{
    memcpy(out, addr, 16);
    out[16] = (uint8_t)(port >> 8);
    out[17] = (uint8_t)port;
}

static bool in_ports(const uint8_t *ports, uint16_t port)
{
    return ports && (ports[port >> 3] & (1u << (port & 7)));
}

/* The index of the first decoder claiming `port`, or -1. */
static int port_decoder(const an_engine *e, uint16_t port)
{
    for (unsigned i = 0; i < e->nuses; i++)
        if (!e->uses[i].dec->above && in_ports(e->uses[i].ports, port))
            return (int)i;
    return -1;
}

/* The decoder of a new connection: by port, the source's first (the
 * table's order decides between decoders), or the first with a heuristic
 * (probing). Returns -1 when none takes it. */
static int pick_decoder(const an_engine *e, const an_packet *p, bool *probing)
{
    int a = port_decoder(e, p->sport), b = port_decoder(e, p->dport);
    *probing = false;
    if (a >= 0 || b >= 0)
        return a < 0 ? b : b < 0 ? a : a < b ? a : b;
    if (!e->cfg->heuristic)
        return -1;
    for (unsigned i = 0; i < e->nuses; i++) {
        if (!e->uses[i].dec->above && e->uses[i].dec->heuristic) {
            *probing = true;
            return (int)i;
        }
    }
    return -1;
}

/* Fills a fresh (zeroed) connection from its first packet. Flow 0 is the
 * packet's sender, or its receiver when the packet answers a SYN. Returns
 * false when no decoder takes it or its state cannot be allocated (counted
 * in no_memory). */
static bool conn_setup(an_engine *e, an_conn *c, const an_packet *p)
{
    bool swap = p->proto == AN_PROTO_TCP &&
                (p->tcp_flags & (AN_TCP_SYN | AN_TCP_ACK)) ==
                    (AN_TCP_SYN | AN_TCP_ACK);
    const uint8_t *a0 = swap ? p->dst : p->src, *a1 = swap ? p->src : p->dst;
    uint16_t p0 = swap ? p->dport : p->sport, p1 = swap ? p->sport : p->dport;
    bool probing;
    int di = pick_decoder(e, p, &probing);
    c->state = AN_CONN_DONE;
    c->dec = NULL;
    c->dstate = NULL;
    if (di < 0)
        return false;
    const an_decoder *dec = e->uses[di].dec;
    c->dstate = calloc(1, dec->state_size ? dec->state_size : 1);
    if (!c->dstate) {
        e->t.no_memory++;
        return false;
    }
    e->mem_used += dec->state_size;
    c->dec = dec;
    c->dec_idx = (uint8_t)di;
    c->state = AN_CONN_ACTIVE;
    c->claimed = !probing;
    c->probing = probing;
    c->dismissed = false;
    ep_bytes(c->src0, a0, p0);
    c->port[0] = p0;
    c->port[1] = p1;
    format_ep(c->ep[0], sizeof c->ep[0], c->ipver, a0, p0);
    format_ep(c->ep[1], sizeof c->ep[1], c->ipver, a1, p1);
    for (int d = 0; d < 2; d++) {
        an_flow *fl = &c->flow[d];
        memset(fl, 0, sizeof *fl);
        fl->conn = c;
        fl->idx = (uint8_t)d;
        if (c->proto == AN_PROTO_TCP)
            an_reasm_init(&fl->reasm, &e->rlim, &reasm_ops, fl);
    }
    for (unsigned i = 0; i < e->nuses; i++) {
        const an_decoder *l = e->uses[i].dec;
        c->lstate[i] = NULL;
        if (!l->above || strcmp(l->above, dec->name))
            continue;
        c->lstate[i] = calloc(1, l->state_size ? l->state_size : 1);
        if (!c->lstate[i])
            e->t.no_memory++; /* this layer sees nothing of the connection */
        else
            e->mem_used += l->state_size;
    }
    dec->open(c, probing);
    return true;
}

/* Frees every buffer of a connection; it stays in the table, DONE. */
static void conn_release(an_engine *e, an_conn *c)
{
    for (unsigned i = 0; i < e->nuses; i++) {
        if (!c->lstate[i])
            continue;
        e->uses[i].dec->layer_close(c, c->lstate[i]);
        e->mem_used -= e->uses[i].dec->state_size;
        free(c->lstate[i]);
        c->lstate[i] = NULL;
    }
    if (c->dec) {
        c->dec->close(c);
        e->mem_used -= c->dec->state_size;
    }
    free(c->dstate);
    c->dstate = NULL;
    for (int d = 0; d < 2; d++) {
        an_flow *fl = &c->flow[d];
        if (c->proto == AN_PROTO_TCP)
            an_reasm_free(&fl->reasm);
        an_pktlog_free(&fl->log, &e->mem_used);
    }
    c->state = AN_CONN_DONE;
}

static void lru_unlink(an_engine *e, an_conn *c)
{
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        e->lru_head = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        e->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
}

static void lru_push_head(an_engine *e, an_conn *c)
{
    c->lru_next = e->lru_head;
    c->lru_prev = NULL;
    if (e->lru_head)
        e->lru_head->lru_prev = c;
    else
        e->lru_tail = c;
    e->lru_head = c;
}

static void lru_push_tail(an_engine *e, an_conn *c)
{
    c->lru_prev = e->lru_tail;
    c->lru_next = NULL;
    if (e->lru_tail)
        e->lru_tail->lru_next = c;
    else
        e->lru_head = c;
    e->lru_tail = c;
}

static an_gap_reason gap_reason(an_end_reason why)
{
    switch (why) {
    case AN_END_RESET:
        return AN_GAP_RST;
    case AN_END_EVICTED:
        return AN_GAP_EVICTED;
    case AN_END_RESTARTED:
        return AN_GAP_RESTART;
    default:
        return AN_GAP_EOF;
    }
}

/* Ends a connection: with `flush`, holes are declared lost and pending
 * records reported; then one flow line per flow that carried the protocol,
 * the totals, and the buffers are freed. */
static void conn_finish(an_engine *e, an_conn *c, an_end_reason why,
                        bool flush)
{
    if (c->state == AN_CONN_DONE)
        return;
    if (flush) {
        for (int d = 0; d < 2; d++) {
            if (c->proto == AN_PROTO_TCP)
                an_reasm_flush(&c->flow[d].reasm, gap_reason(why));
            c->dec->end(&c->flow[d]);
        }
        for (unsigned i = 0; i < e->nuses; i++) {
            if (!c->lstate[i])
                continue;
            e->cur_layer = (int)i;
            for (int d = 0; d < 2 && !e->stop; d++)
                e->uses[i].dec->layer_end(&c->flow[d], c->lstate[i]);
            e->cur_layer = -1;
        }
    }
    if (c->claimed) {
        for (int d = 0; d < 2; d++) {
            an_flow *fl = &c->flow[d];
            /* A direction that only acknowledged carried no protocol. */
            if (!fl->c.bytes && !fl->c.frames && !fl->c.records &&
                !fl->c.gaps)
                continue;
            if (c->proto == AN_PROTO_TCP) {
                fl->c.retrans_segs = fl->reasm.retrans_segs;
                fl->c.retrans_bytes = fl->reasm.retrans_bytes;
                fl->c.overlap_segs = fl->reasm.overlap_segs;
                fl->c.conflict_segs = fl->reasm.conflict_segs;
                fl->c.conflict_bytes = fl->reasm.conflict_bytes;
            }
            e->sink->flow_end(e->sink->ctx, fl, e->ts_us, why);
            add_counts(&e->t.c, &fl->c);
            if (c->dec->account)
                c->dec->account(fl, &e->t);
            e->t.by_decoder[c->dec_idx].flows++;
            e->t.by_decoder[c->dec_idx].units += fl->c.frames + fl->c.records;
            for (unsigned i = 0; i < e->nuses; i++)
                e->t.by_decoder[i].flows += c->lstate[i] != NULL;
            e->t.flows++;
        }
    } else if (c->probing || c->dismissed) {
        e->t.heuristic_rejected++;
    }
    conn_release(e, c);
    /* Finished connections are evicted first. */
    lru_unlink(e, c);
    lru_push_tail(e, c);
}

static void conn_remove(an_engine *e, an_conn *c)
{
    an_conn **pp = &e->buckets[c->hash & (e->nbuckets - 1)];
    while (*pp != c)
        pp = &(*pp)->hnext;
    *pp = c->hnext;
    lru_unlink(e, c);
    if (e->last == c)
        e->last = NULL;
    e->nconns--;
    e->mem_used -= sizeof *c;
    free(c);
}

/* Evicts the least recently used connection other than `keep`. Returns
 * false when there is none. */
static bool evict_one(an_engine *e, const an_conn *keep)
{
    an_conn *c = e->lru_tail;
    if (!c || c == keep)
        return false;
    /* clang-analyzer loses the LRU unlinking in conn_remove across calls
     * and takes the freed tail for the next one. */
    // NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
    if (c->state == AN_CONN_ACTIVE) {
        e->t.evicted++;
        conn_finish(e, c, AN_END_EVICTED, true);
    }
    conn_remove(e, c);
    return true;
}

/* Five 64-bit words of key, multiplied and folded. */
static uint32_t key_hash(const uint8_t key[40])
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 40; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    return (uint32_t)h;
}

static void make_key(const an_packet *p, uint8_t key[40])
{
    uint8_t a[18], b[18];
    ep_bytes(a, p->src, p->sport);
    ep_bytes(b, p->dst, p->dport);
    key[0] = p->ipver;
    key[1] = p->proto;
    bool lo = memcmp(a, b, 18) <= 0;
    memcpy(key + 2, lo ? a : b, 18);
    memcpy(key + 20, lo ? b : a, 18);
    key[38] = key[39] = 0;
}

static void table_grow(an_engine *e)
{
    uint32_t n = e->nbuckets * 2;
    an_conn **nb = calloc(n, sizeof(an_conn *));
    if (!nb)
        return; /* longer chains, still correct */
    for (uint32_t i = 0; i < e->nbuckets; i++) {
        an_conn *c = e->buckets[i];
        while (c) {
            an_conn *next = c->hnext;
            c->hnext = nb[c->hash & (n - 1)];
            nb[c->hash & (n - 1)] = c;
            c = next;
        }
    }
    e->mem_used += (uint64_t)(n - e->nbuckets) * sizeof(an_conn *);
    free(e->buckets);
    e->buckets = nb;
    e->nbuckets = n;
}

static an_conn *conn_lookup(an_engine *e, const uint8_t key[40], uint32_t h)
{
    for (an_conn *c = e->buckets[h & (e->nbuckets - 1)]; c; c = c->hnext)
        if (c->hash == h && !memcmp(c->key, key, 40))
            return c;
    return NULL;
}

static an_conn *conn_new(an_engine *e, const uint8_t key[40], uint32_t h,
                         const an_packet *p)
{
    while (e->nconns >= e->cfg->max_flows && evict_one(e, NULL))
        ;
    an_conn *c = calloc(1, sizeof *c);
    if (!c) {
        e->t.no_memory++;
        return NULL;
    }
    c->eng = e;
    memcpy(c->key, key, 40);
    c->hash = h;
    c->proto = p->proto;
    c->ipver = p->ipver;
    if (!conn_setup(e, c, p)) {
        free(c);
        return NULL;
    }
    e->mem_used += sizeof *c;
    if (e->nconns >= e->nbuckets)
        table_grow(e);
    c->hnext = e->buckets[h & (e->nbuckets - 1)];
    e->buckets[h & (e->nbuckets - 1)] = c;
    lru_push_head(e, c);
    e->nconns++;
    e->t.connections++;
    return c;
}

/* The same addresses now carry a new connection. Returns false when it
 * cannot be set up (no memory): the connection stays finished. */
static bool conn_restart(an_engine *e, an_conn *c, const an_packet *p)
{
    if (c->state == AN_CONN_ACTIVE)
        conn_finish(e, c, AN_END_RESTARTED, true);
    if (!conn_setup(e, c, p))
        return false;
    e->t.connections++;
    return true;
}

static int flow_index(const an_conn *c, const an_packet *p)
{
    uint8_t a[18];
    ep_bytes(a, p->src, p->sport);
    return memcmp(a, c->src0, 18) == 0 ? 0 : 1;
}

/* ---- TCP ---------------------------------------------------------------- */

static void keep_packet(an_engine *e, an_flow *fl, const an_packet *p)
{
    if (!e->cfg->keep_packets || p->cap == 0)
        return;
    int64_t off = an_reasm_offset(&fl->reasm, p->seq, p->tcp_flags);
    int64_t end = off + (int64_t)p->cap;
    if (end <= 0)
        return;
    if (!an_pktlog_add(&fl->log, off > 0 ? (uint64_t)off : 0, (uint64_t)end,
                       e->cur_h, e->cur_data, e->cfg->keep_bytes,
                       &e->mem_used))
        e->t.keep_missed++;
}

static void tcp_packet(an_engine *e, an_conn *c, int d, const an_packet *p)
{
    uint8_t fl_syn = p->tcp_flags & (AN_TCP_SYN | AN_TCP_ACK);
    if (p->tcp_flags & AN_TCP_RST) {
        /* Data on a RST is the sender's last bytes: analysed before the
         * connection ends (issue 19). */
        if (p->len) {
            an_flow *rf = &c->flow[d];
            keep_packet(e, rf, p);
            an_reasm_segment(&rf->reasm, p->seq,
                             (uint8_t)(p->tcp_flags & ~AN_TCP_RST),
                             p->payload, p->len, p->cap);
        }
        conn_finish(e, c, AN_END_RESET, true);
        return;
    }
    an_flow *fl = &c->flow[d];
    if (fl_syn == AN_TCP_SYN &&
        (c->flow[0].reasm.started || c->flow[1].reasm.started) &&
        !(fl->reasm.syn_seen && fl->reasm.isn == p->seq)) {
        if (!conn_restart(e, c, p))
            return;
        d = flow_index(c, p);
        fl = &c->flow[d];
        fl->c.packets++;
        fl->c.first_us = fl->c.last_us = e->ts_us;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((p->tcp_flags & AN_TCP_SYN) && !fl->reasm.started)
            c->dec->stream_start(fl);
        keep_packet(e, fl, p);
        if (an_reasm_segment(&fl->reasm, p->seq, p->tcp_flags, p->payload,
                             p->len, p->cap) == AN_REASM_OK)
            break;
        if (!conn_restart(e, c, p))
            return;
        d = flow_index(c, p);
        fl = &c->flow[d];
        fl->c.packets++;
        fl->c.first_us = fl->c.last_us = e->ts_us;
    }
    if (p->tcp_flags & AN_TCP_ACK)
        an_reasm_ack(&c->flow[1 - d].reasm, p->ack);
    if (c->state != AN_CONN_ACTIVE)
        return;
    for (int i = 0; i < 2 && e->cfg->keep_packets && c->dec->needed_from;
         i++)
        an_pktlog_trim(&c->flow[i].log, c->dec->needed_from(&c->flow[i]),
                       &e->mem_used);
    if (c->flow[0].reasm.closed && c->flow[1].reasm.closed)
        conn_finish(e, c, AN_END_CLOSED, true);
}

/* ---- packets ------------------------------------------------------------ */

/* Takes fragment *p. Returns true when it completed its datagram: *p is
 * then the whole segment (its payload in the reassembler until the next
 * fragment) and *r its parse outcome. -w writes the packet of the last
 * fragment for it. */
static bool reassemble(an_engine *e, an_packet *p, an_pkt_result *r)
{
    if (!e->frags) {
        e->frags = an_ipfrag_new(&e->mem_used, (size_t)(e->cfg->mem_cap / 2));
        if (!e->frags) {
            e->t.no_memory++;
            return false;
        }
    }
    an_packet whole;
    uint64_t used = an_ipfrag_counts_of(e->frags)->used;
    int done = an_ipfrag_add(e->frags, p, e->ts_us, &whole, r);
    const an_ipfrag_counts *fc = an_ipfrag_counts_of(e->frags);
    e->t.ipfrag = *fc;
    /* Fragments that became a datagram are analysed: not counted as
     * left aside. */
    e->t.pkt_result[AN_PKT_FRAGMENT] -= fc->used - used;
    if (!done)
        return false;
    e->t.pkt_result[*r]++;
    *p = whole;
    return true;
}

void an_engine_packet(an_engine *e, int dlt, const struct pcap_pkthdr *h,
                      const uint8_t *data)
{
    an_packet p;
    e->t.packets++;
    e->t.packet_bytes += h->len;
    e->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
    e->cur_h = h;
    e->cur_data = data;
    an_pkt_result r = an_packet_parse(dlt, data, h->caplen, &p);
    e->t.pkt_result[r]++;
    if (r == AN_PKT_FRAGMENT &&
        (p.proto == AN_PROTO_TCP || p.proto == AN_PROTO_UDP)) {
        if (!e->stop)
            e->sink->fragment(e->sink->ctx, e->ts_us, &p);
        if (!reassemble(e, &p, &r))
            return;
    }
    if (r != AN_PKT_OK)
        return;
    if (!e->cfg->heuristic && port_decoder(e, p.sport) < 0 &&
        port_decoder(e, p.dport) < 0)
        return;
    uint8_t key[40];
    make_key(&p, key);
    /* Consecutive packets mostly belong to one connection. */
    an_conn *c = e->last;
    uint32_t hash = 0;
    if (!c || memcmp(c->key, key, 40)) {
        hash = key_hash(key);
        c = conn_lookup(e, key, hash);
    }
    bool tcp = p.proto == AN_PROTO_TCP;
    if (!c) {
        /* Only a SYN or data opens a connection (not a stray ACK or RST). */
        if (tcp && !(p.tcp_flags & AN_TCP_SYN) && p.len == 0)
            return;
        c = conn_new(e, key, hash, &p);
        if (!c)
            return;
    } else if (c->state == AN_CONN_DONE) {
        if (tcp && (p.tcp_flags & (AN_TCP_SYN | AN_TCP_ACK)) == AN_TCP_SYN) {
            if (!conn_restart(e, c, &p))
                return;
        } else {
            /* A final ACK is expected; data or a FIN after the end is not.
             * Connections the heuristic dismissed are not TamTam at all. */
            if (c->claimed && (!tcp || p.len || (p.tcp_flags & AN_TCP_FIN)))
                e->t.late_packets++;
            return;
        }
    }
    e->last = c;
    int d = flow_index(c, &p);
    an_flow *fl = &c->flow[d];
    if (!fl->c.packets)
        fl->c.first_us = e->ts_us;
    fl->c.packets++;
    fl->c.last_us = e->ts_us;
    if (p.cap < p.len && c->claimed)
        e->t.snaplen_truncated++;
    if (tcp)
        tcp_packet(e, c, d, &p);
    else
        c->dec->datagram(fl, p.payload, p.len, p.cap);
    if (c->dismissed && c->state == AN_CONN_ACTIVE)
        conn_finish(e, c, AN_END_EOF, false);
    if (c->state == AN_CONN_ACTIVE && e->lru_head != c) {
        lru_unlink(e, c);
        lru_push_head(e, c);
    }
    while (e->mem_used > e->cfg->mem_cap && evict_one(e, c))
        ;
    if (e->mem_used > e->t.mem_peak)
        e->t.mem_peak = e->mem_used;
}

/* ---- engine ------------------------------------------------------------- */

an_engine *an_engine_new(const an_engine_cfg *cfg, const an_sink *sink)
{
    an_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = cfg;
    e->sink = sink;
    e->nbuckets = 1024;
    e->buckets = calloc(e->nbuckets, sizeof(an_conn *));
    if (!e->buckets) {
        free(e);
        return NULL;
    }
    e->mem_used = e->nbuckets * sizeof(an_conn *);
    e->cur_layer = -1;
    if (cfg->ndecoders) {
        e->nuses = cfg->ndecoders < AN_DECODERS_MAX ? cfg->ndecoders
                                                    : AN_DECODERS_MAX;
        memcpy(e->uses, cfg->decoders, e->nuses * sizeof *e->uses);
    } else {
        e->uses[0] = (an_decoder_use){&an_decoder_tamtam, cfg->ports};
        e->nuses = 1;
    }
    for (unsigned i = 0; i < e->nuses; i++) {
        const an_decoder *dec = e->uses[i].dec;
        if (dec->create && !(e->inst[i] = dec->create(cfg, &e->mem_used))) {
            an_engine_free(e);
            return NULL;
        }
    }
    e->rlim.max_bytes = cfg->ooo_bytes;
    e->rlim.max_segs = cfg->ooo_segs;
    e->rlim.history = cfg->history;
    e->rlim.mem_used = &e->mem_used;
    return e;
}

void an_engine_stop(an_engine *e)
{
    e->stop = true;
}

bool an_engine_stopped(const an_engine *e)
{
    return e->stop;
}

void an_engine_finish(an_engine *e, bool flush)
{
    if (e->frags) {
        an_ipfrag_expire(e->frags, UINT64_MAX);
        e->t.ipfrag = *an_ipfrag_counts_of(e->frags);
    }
    /* Least recently used first. conn_finish moves a connection to the
     * tail, behind this walk. */
    an_conn *prev;
    for (an_conn *c = e->lru_tail; c; c = prev) {
        prev = c->lru_prev;
        if (c->state == AN_CONN_ACTIVE)
            conn_finish(e, c, AN_END_EOF, flush);
    }
}

const an_totals *an_engine_totals(const an_engine *e)
{
    return &e->t;
}

const void *an_engine_instance(const an_engine *e, unsigned i)
{
    return i < e->nuses ? e->inst[i] : NULL;
}

uint64_t an_engine_mem_used(const an_engine *e)
{
    return e->mem_used;
}

void an_engine_extract(an_engine *e, const an_flow *fl, uint64_t off,
                       size_t len, pcap_dumper_t *d)
{
    if (fl->conn->proto == AN_PROTO_UDP)
        pcap_dump((u_char *)d, e->cur_h, e->cur_data);
    else /* the log is the engine's; the sink only sees flows as const */
        an_pktlog_write((an_pktlog *)&fl->log, off, len, d);
}

void an_engine_free(an_engine *e)
{
    if (!e)
        return;
    an_conn *next;
    for (an_conn *c = e->lru_head; c; c = next) {
        next = c->lru_next;
        if (c->state == AN_CONN_ACTIVE)
            conn_release(e, c);
        free(c);
    }
    for (unsigned i = 0; i < e->nuses; i++)
        if (e->uses[i].dec->destroy)
            e->uses[i].dec->destroy(e->inst[i]);
    an_ipfrag_free(e->frags);
    free(e->buckets);
    free(e);
}
