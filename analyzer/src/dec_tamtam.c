/* The TamTam Core Frame decoder (see dec_tamtam.h and decoder.h). */
#include <stdlib.h>
#include <string.h>

#include "dec_tamtam.h"

/* Per-channel frame counts of a flow: a short list while the flow uses
 * few channels (most do), a full table once it uses more. */
#define CHAN_SPARSE 8

typedef struct chan_count {
    uint8_t channel;
    uint64_t frames;
} chan_count;

/* A UDP datagram held while the heuristic or --crc auto decides. */
typedef struct held {
    struct held *next;
    uint8_t dir;
    uint64_t ts_us;
    struct pcap_pkthdr h;
    uint32_t poff, plen, pcap; /* payload: offset in pkt, length, captured */
    uint8_t pkt[];
} held;

typedef struct dir_state {
    an_framer framer;   /* TCP */
    int crc_seen;       /* variant in use: tt_crc, or AN_CRC_AUTO unknown */
    chan_count chan[CHAN_SPARSE];
    uint16_t nchan;     /* entries of chan used */
    uint64_t *chan_all; /* 256 counters, once more channels appear */
} dir_state;

typedef struct conn_state {
    dir_state d[2];
    uint8_t gave_up;    /* probe verdicts "not TamTam", one bit per flow */
    int udp_crc;        /* UDP: variant settled for the connection, or AUTO */
    /* UDP under --heuristic or --crc auto: first datagrams held until the
     * connection (or the variant) is settled. */
    held *held;
    unsigned nheld;
} conn_state;

static conn_state *cs_of(const an_conn *c)
{
    return an_conn_dstate(c);
}

static dir_state *ds_of(const an_flow *fl)
{
    return &cs_of(fl->conn)->d[fl->idx];
}

/* ---- counting ----------------------------------------------------------- */

static void count_channel(an_flow *fl, uint8_t ch)
{
    dir_state *ds = ds_of(fl);
    if (ds->chan_all) {
        ds->chan_all[ch]++;
        return;
    }
    for (uint16_t i = 0; i < ds->nchan; i++) {
        if (ds->chan[i].channel == ch) {
            ds->chan[i].frames++;
            return;
        }
    }
    if (ds->nchan < CHAN_SPARSE) {
        ds->chan[ds->nchan].channel = ch;
        ds->chan[ds->nchan].frames = 1;
        ds->nchan++;
        return;
    }
    ds->chan_all = calloc(256, sizeof *ds->chan_all);
    if (!ds->chan_all) {
        /* Out of memory: the flow's table stays sparse and this frame is
         * not counted by channel; said in the totals. */
        an_conn_no_memory(fl->conn);
        return;
    }
    *an_conn_mem_counter(fl->conn) += 256 * sizeof *ds->chan_all;
    for (uint16_t i = 0; i < ds->nchan; i++)
        ds->chan_all[ds->chan[i].channel] = ds->chan[i].frames;
    ds->chan_all[ch]++;
}

void an_tamtam_flow_channels(const an_flow *fl, uint64_t out[256])
{
    const dir_state *ds = ds_of(fl);
    if (ds->chan_all) {
        memcpy(out, ds->chan_all, 256 * sizeof *out);
        return;
    }
    memset(out, 0, 256 * sizeof *out);
    for (uint16_t i = 0; i < ds->nchan; i++)
        out[ds->chan[i].channel] = ds->chan[i].frames;
}

int an_tamtam_flow_crc(const an_flow *fl)
{
    return ds_of(fl)->crc_seen;
}

/* Counts one frame and hands it to the sink (unless -c already stopped). */
static void deliver_frame(an_flow *fl, int status, uint64_t off,
                          const tt_frame *f, size_t len)
{
    if (an_conn_stopped(fl->conn))
        return;
    fl->c.frames++;
    fl->c.status[an_status_index(status)]++;
    fl->c.cls[f->cls & 15]++;
    count_channel(fl, f->channel);
    an_emit_frame(fl, status, off, f, len);
}

/* ---- framer callbacks (ctx: the an_flow) --------------------------------- */

static void on_frame(void *ctx, int status, uint64_t off, const tt_frame *f,
                     size_t len)
{
    deliver_frame(ctx, status, off, f, len);
}

static void on_resync(void *ctx, uint64_t off, uint64_t skipped)
{
    an_emit_resync(ctx, off, skipped);
}

static void on_unsynced(void *ctx, uint64_t off, uint64_t n)
{
    an_emit_unsynced(ctx, off, n);
}

static void on_crc(void *ctx, int crc)
{
    an_flow *fl = ctx;
    ds_of(fl)->crc_seen = crc;
    an_emit_crc(fl, crc);
}

static void on_verdict(void *ctx, bool tamtam)
{
    an_flow *fl = ctx;
    an_conn *c = fl->conn;
    conn_state *cs = cs_of(c);
    if (tamtam) {
        if (!c->claimed)
            an_framer_confirm(&cs->d[1 - fl->idx].framer);
    } else {
        cs->gave_up |= (uint8_t)(1u << fl->idx);
        if (cs->gave_up != 3)
            return; /* the other direction may still say yes */
    }
    an_conn_verdict(fl, tamtam);
}

static const an_framer_ops framer_ops = {on_frame, on_resync, on_unsynced,
                                         on_crc, on_verdict};

/* ---- the engine instance: the framers' shared configuration -------------- */

static void *tt_create(const an_engine_cfg *cfg, uint64_t *mem_used)
{
    an_framer_cfg *fc = calloc(1, sizeof *fc);
    if (!fc)
        return NULL;
    fc->crc = cfg->crc;
    fc->run = cfg->run;
    fc->probe_limit = cfg->probe_limit;
    fc->mem_used = mem_used;
    return fc;
}

static void tt_destroy(void *inst)
{
    if (!inst)
        return;
    an_framer_cfg_free(inst);
    free(inst);
}

/* ---- TCP ------------------------------------------------------------------ */

static void tt_open(an_conn *c, bool probing)
{
    conn_state *cs = cs_of(c);
    const an_engine_cfg *cfg = an_conn_cfg(c);
    cs->udp_crc = cfg->crc;
    for (int d = 0; d < 2; d++) {
        cs->d[d].crc_seen = cfg->crc;
        if (c->proto == AN_PROTO_TCP)
            an_framer_init(&cs->d[d].framer, an_conn_instance(c),
                           &framer_ops, &c->flow[d], probing);
    }
}

static void tt_stream_start(an_flow *fl)
{
    ds_of(fl)->framer.start_aligned = true;
}

static void tt_data(an_flow *fl, uint64_t off, const uint8_t *p, size_t n)
{
    an_framer_data(&ds_of(fl)->framer, off, p, n);
}

static void tt_gap(an_flow *fl, uint64_t off, uint64_t n)
{
    an_framer_gap(&ds_of(fl)->framer, off, n);
}

static uint64_t tt_needed_from(const an_flow *fl)
{
    return an_framer_needed_from(&ds_of(fl)->framer);
}

/* ---- UDP ------------------------------------------------------------------ */

static void udp_decode(an_flow *fl, const uint8_t *p, uint32_t len,
                       uint32_t cap)
{
    tt_frame f;
    fl->c.bytes += len;
    int r = tt_decode(p, cap, (tt_crc)cs_of(fl->conn)->udp_crc, &f);
    size_t seen = r > 0 ? (size_t)r
                        : (f.frame_len && f.frame_len < cap ? f.frame_len : cap);
    deliver_frame(fl, r < 0 ? r : 0, 0, &f, seen);
    if (an_conn_stopped(fl->conn))
        return;
    if (cap < len)
        an_emit_gap(fl, cap, len - cap, AN_GAP_SNAPLEN);
    if (r != TT_ERR_TRUNCATED && f.frame_len && len > f.frame_len)
        an_emit_trailing(fl, len - f.frame_len);
}

static void held_free(an_conn *c)
{
    conn_state *cs = cs_of(c);
    while (cs->held) {
        held *h = cs->held;
        cs->held = h->next;
        *an_conn_mem_counter(c) -= sizeof *h + h->h.caplen;
        free(h);
    }
    cs->nheld = 0;
}

static bool zero6(const uint8_t *p, uint32_t cap)
{
    return cap >= 6 && !(p[0] | p[1] | p[2] | p[3] | p[4] | p[5]);
}

/* Decides, over the held datagrams, whether the connection is TamTam
 * (heuristic) and which variant it uses (--crc auto); then decodes them.
 * The vote uses tt_decode, the one rule of what a frame is. */
static void udp_settle(an_conn *c, bool final)
{
    conn_state *cs = cs_of(c);
    if (!cs->held)
        return;
    unsigned strict[TT_CRC_COUNT] = {0}, valid[TT_CRC_COUNT] = {0};
    bool bad[TT_CRC_COUNT] = {false};
    unsigned nonzero = 0, run = an_conn_cfg(c)->run;
    int v0 = cs->udp_crc == AN_CRC_AUTO ? 0 : cs->udp_crc;
    int v1 = cs->udp_crc == AN_CRC_AUTO ? TT_CRC_COUNT - 1 : cs->udp_crc;
    for (held *h = cs->held; h; h = h->next) {
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
    bool force = final || cs->nheld >= AN_UDP_HELD_MAX;
    int pick = AN_CRC_AUTO;
    if (c->probing) {
        /* Recognition takes a whole run, at the end too (issue 19). */
        unsigned need = run;
        bool any_hope = false;
        for (int v = v0; v <= v1 && pick == AN_CRC_AUTO; v++) {
            if (!bad[v] && strict[v] >= need)
                pick = v;
            any_hope |= !bad[v];
        }
        if (pick == AN_CRC_AUTO) {
            if (!any_hope || force) {
                held_free(c);
                an_conn_verdict(&c->flow[0], false);
            }
            return;
        }
        an_conn_verdict(&c->flow[0], true);
    } else {
        int best = v0;
        for (int v = v0; v <= v1; v++)
            if (valid[v] > valid[best])
                best = v;
        if (valid[best] < run && nonzero < 2 * run && !force)
            return;
        pick = valid[best] ? best : AN_CRC_AUTO;
    }
    if (cs->udp_crc == AN_CRC_AUTO) {
        cs->udp_crc = pick == AN_CRC_AUTO ? TT_CRC_DEFAULT : pick;
        for (int d = 0; d < 2; d++) {
            cs->d[d].crc_seen = pick;
            if (c->flow[d].c.packets)
                an_emit_crc(&c->flow[d], pick);
        }
    }
    /* Decode the held datagrams as if they were arriving now. */
    an_current save = an_conn_current(c);
    for (held *h = cs->held; h; h = h->next) {
        an_conn_set_current(c, (an_current){&h->h, h->pkt, h->ts_us});
        udp_decode(&c->flow[h->dir], h->pkt + h->poff, h->plen, h->pcap);
    }
    an_conn_set_current(c, save);
    held_free(c);
}

static void tt_datagram(an_flow *fl, const uint8_t *p, uint32_t len,
                        uint32_t cap)
{
    an_conn *c = fl->conn;
    conn_state *cs = cs_of(c);
    if (c->claimed && cs->udp_crc != AN_CRC_AUTO) {
        udp_decode(fl, p, len, cap);
        return;
    }
    an_current cur = an_conn_current(c);
    held *h = malloc(sizeof *h + cur.h->caplen);
    if (!h) {
        an_conn_no_memory(c);
        return; /* the datagram is not analysed; said in the totals */
    }
    *an_conn_mem_counter(c) += sizeof *h + cur.h->caplen;
    h->next = NULL;
    h->dir = fl->idx;
    h->ts_us = cur.ts_us;
    h->h = *cur.h;
    h->poff = (uint32_t)(p - cur.data);
    h->plen = len;
    h->pcap = cap;
    memcpy(h->pkt, cur.data, cur.h->caplen);
    held **pp = &cs->held;
    while (*pp)
        pp = &(*pp)->next;
    *pp = h;
    cs->nheld++;
    udp_settle(c, false);
}

/* ---- the end -------------------------------------------------------------- */

static void tt_end(an_flow *fl)
{
    if (fl->conn->proto == AN_PROTO_TCP)
        an_framer_end(&ds_of(fl)->framer);
    else
        udp_settle(fl->conn, true); /* the first call settles both */
}

static void tt_account(const an_flow *fl, an_totals *t)
{
    uint64_t ch[256];
    an_tamtam_flow_channels(fl, ch);
    for (int i = 0; i < 256; i++)
        t->channel[i] += ch[i];
    int crc = ds_of(fl)->crc_seen;
    if (fl->c.frames)
        t->crc_seen |= crc == AN_CRC_AUTO ? 1u << 31 : 1u << crc;
}

static void tt_close(an_conn *c)
{
    conn_state *cs = cs_of(c);
    for (int d = 0; d < 2; d++) {
        dir_state *ds = &cs->d[d];
        if (c->proto == AN_PROTO_TCP)
            an_framer_free(&ds->framer);
        if (ds->chan_all)
            *an_conn_mem_counter(c) -= 256 * sizeof *ds->chan_all;
        free(ds->chan_all);
        ds->chan_all = NULL;
        ds->nchan = 0;
    }
    held_free(c);
}

/* The --match fields of TamTam frames are compiled in match.c (the hot
 * path); listed here so that the decoder table names them all. */
static const char *const tt_fields[] = {
    "status", "class", "direction", "size_id", "big", "ack", "priority",
    "ext", "channel", "dest", "crc", "used_len", NULL};

const an_decoder an_decoder_tamtam = {
    .name = "tamtam",
    .default_port = 4774,
    .heuristic = true,
    .state_size = sizeof(conn_state),
    .fields = tt_fields,
    .create = tt_create,
    .destroy = tt_destroy,
    .open = tt_open,
    .stream_start = tt_stream_start,
    .data = tt_data,
    .gap = tt_gap,
    .datagram = tt_datagram,
    .needed_from = tt_needed_from,
    .end = tt_end,
    .account = tt_account,
    .close = tt_close,
};
