/* The analyzer's core: connections, reassembly routing, UDP, eviction. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* A UDP datagram held while the heuristic or --crc auto decides. */
typedef struct an_held {
    struct an_held *next;
    uint8_t dir;
    uint64_t ts_us;
    struct pcap_pkthdr h;
    uint32_t poff, plen, pcap; /* payload: offset in pkt, length, captured */
    uint8_t pkt[];
} an_held;

struct an_engine {
    const an_engine_cfg *cfg;
    const an_sink *sink;
    an_framer_cfg fcfg;
    an_reasm_limits rlim;
    an_conn **buckets;
    uint32_t nbuckets, nconns;
    an_conn *lru_head, *lru_tail; /* most recently used at the head */
    an_conn *last;                /* the previous packet's connection */
    uint64_t mem_used;
    an_totals t;
    uint64_t ts_us;
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

/* ---- counting ----------------------------------------------------------- */

static void count_channel(an_engine *e, an_flow *fl, uint8_t ch)
{
    if (fl->chan_all) {
        fl->chan_all[ch]++;
        return;
    }
    for (uint16_t i = 0; i < fl->nchan; i++) {
        if (fl->chan[i].channel == ch) {
            fl->chan[i].frames++;
            return;
        }
    }
    if (fl->nchan < AN_CHAN_SPARSE) {
        fl->chan[fl->nchan].channel = ch;
        fl->chan[fl->nchan].frames = 1;
        fl->nchan++;
        return;
    }
    fl->chan_all = calloc(256, sizeof *fl->chan_all);
    if (!fl->chan_all)
        return; /* out of memory: this flow's channel table stays partial */
    e->mem_used += 256 * sizeof *fl->chan_all;
    for (uint16_t i = 0; i < fl->nchan; i++)
        fl->chan_all[fl->chan[i].channel] = fl->chan[i].frames;
    fl->chan_all[ch]++;
}

/* The per-channel counts of a flow, as 256 counters. */
void an_flow_channels(const an_flow *fl, uint64_t out[256])
{
    if (fl->chan_all) {
        memcpy(out, fl->chan_all, 256 * sizeof *out);
        return;
    }
    memset(out, 0, 256 * sizeof *out);
    for (uint16_t i = 0; i < fl->nchan; i++)
        out[fl->chan[i].channel] = fl->chan[i].frames;
}

/* Counts one frame and hands it to the sink (unless -c already stopped). */
static void deliver_frame(an_engine *e, an_flow *fl, int status, uint64_t off,
                          const tt_frame *f, size_t len)
{
    if (e->stop)
        return;
    fl->c.frames++;
    fl->c.status[an_status_index(status)]++;
    fl->c.cls[f->cls & 15]++;
    count_channel(e, fl, f->channel);
    if (e->sink->frame)
        e->sink->frame(e->sink->ctx, fl, e->ts_us, status, off, f, len);
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

/* ---- reassembler and framer callbacks (ctx: the an_flow) ---------------- */

static void on_data(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
    an_flow *fl = ctx;
    fl->c.bytes += n;
    an_framer_data(&fl->framer, off, p, n);
}

static void on_gap(void *ctx, uint64_t off, uint64_t n, an_gap_reason why)
{
    an_flow *fl = ctx;
    an_engine *e = eng_of(fl);
    an_framer_gap(&fl->framer, off, n);
    if (!fl->conn->tamtam || e->stop)
        return;
    fl->c.gaps++;
    fl->c.gap_bytes += n;
    e->sink->gap(e->sink->ctx, fl, e->ts_us, off, n, why);
}

static void on_conflict(void *ctx, uint64_t off, uint64_t n)
{
    an_flow *fl = ctx;
    an_engine *e = eng_of(fl);
    if (!fl->conn->tamtam || e->stop)
        return;
    e->sink->conflict(e->sink->ctx, fl, e->ts_us, off, n);
}

static void on_frame(void *ctx, int status, uint64_t off, const tt_frame *f,
                     size_t len)
{
    an_flow *fl = ctx;
    deliver_frame(eng_of(fl), fl, status, off, f, len);
}

static void on_resync(void *ctx, uint64_t off, uint64_t skipped)
{
    an_flow *fl = ctx;
    an_engine *e = eng_of(fl);
    if (e->stop)
        return;
    fl->c.resyncs++;
    fl->c.unsynced_bytes += skipped;
    e->sink->resync(e->sink->ctx, fl, e->ts_us, off, skipped);
}

static void on_unsynced(void *ctx, uint64_t off, uint64_t n)
{
    an_flow *fl = ctx;
    an_engine *e = eng_of(fl);
    if (e->stop)
        return;
    fl->c.unsynced_bytes += n;
    e->sink->unsynced(e->sink->ctx, fl, e->ts_us, off, n);
}

static void on_crc(void *ctx, int crc)
{
    an_flow *fl = ctx;
    an_engine *e = eng_of(fl);
    fl->crc_seen = crc;
    if (!e->stop)
        e->sink->crc(e->sink->ctx, fl, e->ts_us, crc);
}

static void on_verdict(void *ctx, bool tamtam)
{
    an_flow *fl = ctx;
    an_conn *c = fl->conn;
    if (tamtam) {
        if (!c->tamtam) {
            c->tamtam = true;
            c->probing = false;
            an_framer_confirm(&c->flow[1 - fl->idx].framer);
        }
    } else {
        c->gave_up |= (uint8_t)(1u << fl->idx);
        if (c->gave_up == 3 && !c->tamtam)
            c->dismissed = true;
    }
}

static const an_reasm_ops reasm_ops = {on_data, on_gap, on_conflict};
static const an_framer_ops framer_ops = {on_frame, on_resync, on_unsynced,
                                         on_crc, on_verdict};

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

static bool port_listed(const an_engine *e, uint16_t port)
{
    return e->cfg->ports[port >> 3] & (1u << (port & 7));
}

/* Fills a fresh (zeroed) connection from its first packet. Flow 0 is the
 * packet's sender, or its receiver when the packet answers a SYN. */
static void conn_setup(an_engine *e, an_conn *c, const an_packet *p)
{
    bool swap = p->proto == AN_PROTO_TCP &&
                (p->tcp_flags & (AN_TCP_SYN | AN_TCP_ACK)) ==
                    (AN_TCP_SYN | AN_TCP_ACK);
    const uint8_t *a0 = swap ? p->dst : p->src, *a1 = swap ? p->src : p->dst;
    uint16_t p0 = swap ? p->dport : p->sport, p1 = swap ? p->sport : p->dport;
    c->state = AN_CONN_ACTIVE;
    c->tamtam = port_listed(e, p->sport) || port_listed(e, p->dport);
    c->probing = !c->tamtam;
    c->dismissed = false;
    c->gave_up = 0;
    c->udp_crc = e->cfg->crc;
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
        fl->crc_seen = e->cfg->crc;
        if (c->proto == AN_PROTO_TCP) {
            an_reasm_init(&fl->reasm, &e->rlim, &reasm_ops, fl);
            an_framer_init(&fl->framer, &e->fcfg, &framer_ops, fl,
                           c->probing);
        }
    }
}

static void held_free(an_engine *e, an_conn *c)
{
    while (c->held) {
        an_held *h = c->held;
        c->held = h->next;
        e->mem_used -= sizeof *h + h->h.caplen;
        free(h);
    }
    c->nheld = 0;
}

/* Frees every buffer of a connection; it stays in the table, DONE. */
static void conn_release(an_engine *e, an_conn *c)
{
    for (int d = 0; d < 2; d++) {
        an_flow *fl = &c->flow[d];
        if (c->proto == AN_PROTO_TCP) {
            an_reasm_free(&fl->reasm);
            an_framer_free(&fl->framer);
        }
        if (fl->chan_all)
            e->mem_used -= 256 * sizeof *fl->chan_all;
        free(fl->chan_all);
        fl->chan_all = NULL;
        fl->nchan = 0;
        an_pktlog_free(&fl->log, &e->mem_used);
    }
    held_free(e, c);
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

static void udp_settle(an_engine *e, an_conn *c, bool final);

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
 * frames reported; then one flow line per flow that carried TamTam, the
 * totals, and the buffers are freed. */
static void conn_finish(an_engine *e, an_conn *c, an_end_reason why,
                        bool flush)
{
    if (c->state == AN_CONN_DONE)
        return;
    if (flush) {
        if (c->proto == AN_PROTO_TCP) {
            for (int d = 0; d < 2; d++) {
                an_reasm_flush(&c->flow[d].reasm, gap_reason(why));
                an_framer_end(&c->flow[d].framer);
            }
        } else {
            udp_settle(e, c, true);
        }
    }
    if (c->tamtam) {
        for (int d = 0; d < 2; d++) {
            an_flow *fl = &c->flow[d];
            /* A direction that only acknowledged carried no TamTam. */
            if (!fl->c.bytes && !fl->c.frames && !fl->c.gaps)
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
            uint64_t ch[256];
            an_flow_channels(fl, ch);
            for (int i = 0; i < 256; i++)
                e->t.channel[i] += ch[i];
            if (fl->c.frames)
                e->t.crc_seen |= fl->crc_seen == AN_CRC_AUTO
                                     ? 1u << 31
                                     : 1u << fl->crc_seen;
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
    if (!c)
        return NULL;
    e->mem_used += sizeof *c;
    c->eng = e;
    memcpy(c->key, key, 40);
    c->hash = h;
    c->proto = p->proto;
    c->ipver = p->ipver;
    conn_setup(e, c, p);
    if (e->nconns >= e->nbuckets)
        table_grow(e);
    c->hnext = e->buckets[h & (e->nbuckets - 1)];
    e->buckets[h & (e->nbuckets - 1)] = c;
    lru_push_head(e, c);
    e->nconns++;
    e->t.connections++;
    return c;
}

/* The same addresses now carry a new connection. */
static void conn_restart(an_engine *e, an_conn *c, const an_packet *p)
{
    if (c->state == AN_CONN_ACTIVE)
        conn_finish(e, c, AN_END_RESTARTED, true);
    conn_setup(e, c, p);
    e->t.connections++;
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
        conn_finish(e, c, AN_END_RESET, true);
        return;
    }
    an_flow *fl = &c->flow[d];
    if (fl_syn == AN_TCP_SYN &&
        (c->flow[0].reasm.started || c->flow[1].reasm.started) &&
        !(fl->reasm.syn_seen && fl->reasm.isn == p->seq)) {
        conn_restart(e, c, p);
        d = flow_index(c, p);
        fl = &c->flow[d];
        fl->c.packets++;
        fl->c.first_us = fl->c.last_us = e->ts_us;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((p->tcp_flags & AN_TCP_SYN) && !fl->reasm.started)
            fl->framer.start_aligned = true;
        keep_packet(e, fl, p);
        if (an_reasm_segment(&fl->reasm, p->seq, p->tcp_flags, p->payload,
                             p->len, p->cap) == AN_REASM_OK)
            break;
        conn_restart(e, c, p);
        d = flow_index(c, p);
        fl = &c->flow[d];
        fl->c.packets++;
        fl->c.first_us = fl->c.last_us = e->ts_us;
    }
    if (p->tcp_flags & AN_TCP_ACK)
        an_reasm_ack(&c->flow[1 - d].reasm, p->ack);
    if (c->state != AN_CONN_ACTIVE)
        return;
    for (int i = 0; i < 2 && e->cfg->keep_packets; i++)
        an_pktlog_trim(&c->flow[i].log,
                       an_framer_needed_from(&c->flow[i].framer),
                       &e->mem_used);
    if (c->flow[0].reasm.closed && c->flow[1].reasm.closed)
        conn_finish(e, c, AN_END_CLOSED, true);
}

/* ---- UDP ---------------------------------------------------------------- */

static void udp_decode(an_engine *e, an_flow *fl, const uint8_t *p,
                       uint32_t len, uint32_t cap)
{
    tt_frame f;
    fl->c.bytes += len;
    int r = tt_decode(p, cap, (tt_crc)fl->conn->udp_crc, &f);
    size_t seen = r > 0 ? (size_t)r
                        : (f.frame_len && f.frame_len < cap ? f.frame_len : cap);
    deliver_frame(e, fl, r < 0 ? r : 0, 0, &f, seen);
    if (e->stop)
        return;
    if (cap < len) {
        fl->c.gaps++;
        fl->c.gap_bytes += len - cap;
        e->sink->gap(e->sink->ctx, fl, e->ts_us, cap, len - cap,
                     AN_GAP_SNAPLEN);
    }
    if (r != TT_ERR_TRUNCATED && f.frame_len && len > f.frame_len) {
        fl->c.trailing++;
        fl->c.trailing_bytes += len - f.frame_len;
        e->sink->trailing(e->sink->ctx, fl, e->ts_us, len - f.frame_len);
    }
}

static bool zero6(const uint8_t *p, uint32_t cap)
{
    return cap >= 6 && !(p[0] | p[1] | p[2] | p[3] | p[4] | p[5]);
}

/* Decides, over the held datagrams, whether the connection is TamTam
 * (heuristic) and which variant it uses (--crc auto); then decodes them. */
static void udp_settle(an_engine *e, an_conn *c, bool final)
{
    if (!c->held)
        return;
    unsigned strict[TT_CRC_COUNT] = {0}, valid[TT_CRC_COUNT] = {0};
    bool bad[TT_CRC_COUNT] = {false};
    unsigned nonzero = 0, run = e->cfg->run;
    int v0 = c->udp_crc == AN_CRC_AUTO ? 0 : c->udp_crc;
    int v1 = c->udp_crc == AN_CRC_AUTO ? TT_CRC_COUNT - 1 : c->udp_crc;
    for (an_held *h = c->held; h; h = h->next) {
        const uint8_t *p = h->pkt + h->poff;
        if (h->pcap == 6 && h->plen == 6 && zero6(p, 6))
            continue; /* a zero frame: valid, but proves nothing */
        nonzero++;
        for (int v = v0; v <= v1; v++) {
            tt_frame f;
            int r = tt_decode(p, h->pcap, (tt_crc)v, &f);
            valid[v] += r > 0;
            /* As evidence a datagram must be exactly one valid frame. */
            if (r > 0 && (uint32_t)r == h->plen)
                strict[v]++;
            else
                bad[v] = true;
        }
    }
    bool force = final || c->nheld >= AN_UDP_HELD_MAX;
    int pick = AN_CRC_AUTO;
    if (c->probing) {
        unsigned need = final ? 2 : run;
        bool any_hope = false;
        for (int v = v0; v <= v1 && pick == AN_CRC_AUTO; v++) {
            if (!bad[v] && strict[v] >= need)
                pick = v;
            any_hope |= !bad[v];
        }
        if (pick == AN_CRC_AUTO) {
            if (!any_hope || force) {
                c->dismissed = true;
                held_free(e, c);
            }
            return;
        }
        c->tamtam = true;
        c->probing = false;
    } else {
        int best = v0;
        for (int v = v0; v <= v1; v++)
            if (valid[v] > valid[best])
                best = v;
        if (valid[best] < run && nonzero < 2 * run && !force)
            return;
        pick = valid[best] ? best : AN_CRC_AUTO;
    }
    if (c->udp_crc == AN_CRC_AUTO) {
        c->udp_crc = pick == AN_CRC_AUTO ? TT_CRC_DEFAULT : pick;
        for (int d = 0; d < 2; d++) {
            c->flow[d].crc_seen = pick;
            if (c->flow[d].c.packets && !e->stop)
                e->sink->crc(e->sink->ctx, &c->flow[d], e->ts_us, pick);
        }
    }
    /* Decode the held datagrams as if they were arriving now. */
    const struct pcap_pkthdr *save_h = e->cur_h;
    const uint8_t *save_data = e->cur_data;
    uint64_t save_ts = e->ts_us;
    for (an_held *h = c->held; h; h = h->next) {
        e->cur_h = &h->h;
        e->cur_data = h->pkt;
        e->ts_us = h->ts_us;
        udp_decode(e, &c->flow[h->dir], h->pkt + h->poff, h->plen, h->pcap);
    }
    e->cur_h = save_h;
    e->cur_data = save_data;
    e->ts_us = save_ts;
    held_free(e, c);
}

static void udp_packet(an_engine *e, an_conn *c, int d, const an_packet *p)
{
    if (c->tamtam && c->udp_crc != AN_CRC_AUTO) {
        udp_decode(e, &c->flow[d], p->payload, p->len, p->cap);
        return;
    }
    const struct pcap_pkthdr *ph = e->cur_h;
    an_held *h = malloc(sizeof *h + ph->caplen);
    if (!h)
        return; /* out of memory: the datagram is not analysed */
    e->mem_used += sizeof *h + ph->caplen;
    h->next = NULL;
    h->dir = (uint8_t)d;
    h->ts_us = e->ts_us;
    h->h = *ph;
    h->poff = (uint32_t)(p->payload - e->cur_data);
    h->plen = p->len;
    h->pcap = p->cap;
    memcpy(h->pkt, e->cur_data, ph->caplen);
    an_held **pp = &c->held;
    while (*pp)
        pp = &(*pp)->next;
    *pp = h;
    c->nheld++;
    udp_settle(e, c, false);
}

/* ---- packets ------------------------------------------------------------ */

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
        return;
    }
    if (r != AN_PKT_OK)
        return;
    if (!e->cfg->heuristic && !port_listed(e, p.sport) &&
        !port_listed(e, p.dport))
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
            conn_restart(e, c, &p);
        } else {
            /* A final ACK is expected; data or a FIN after the end is not.
             * Connections the heuristic dismissed are not TamTam at all. */
            if (c->tamtam && (!tcp || p.len || (p.tcp_flags & AN_TCP_FIN)))
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
    if (p.cap < p.len && c->tamtam)
        e->t.snaplen_truncated++;
    if (tcp)
        tcp_packet(e, c, d, &p);
    else
        udp_packet(e, c, d, &p);
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
    e->fcfg.crc = cfg->crc;
    e->fcfg.run = cfg->run;
    e->fcfg.probe_limit = cfg->probe_limit;
    e->fcfg.mem_used = &e->mem_used;
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
    an_framer_cfg_free(&e->fcfg);
    free(e->buckets);
    free(e);
}
