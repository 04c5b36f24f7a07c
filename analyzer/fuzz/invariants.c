/* Invariants of the analyzer's fuzz targets (see invariants.h). */
#define _GNU_SOURCE /* memmem */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec_tamtam.h"
#include "invariants.h"

void fz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
    abort();
}

/* ASan's allocator interface, present in ASan builds (the fuzz build, the
 * sanitizer replay); weak, so that the plain replay links without it. */
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *)) __attribute__((weak));
size_t __sanitizer_get_allocated_size(const volatile void *p)
    __attribute__((weak));

/* This thread's allocations only: libFuzzer's other threads allocate when
 * they please, and a process-wide count would see them. */
static _Thread_local int64_t heap_mine;
static int heap_state; /* 0: not tried yet, 1: hooks in place, -1: no ASan */

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    heap_mine += (int64_t)n;
}

static void on_free(const volatile void *p)
{
    if (p) /* called before the block is released: its size is known */
        heap_mine -= (int64_t)__sanitizer_get_allocated_size(p);
}

bool fz_heap_tracked(void)
{
    if (!heap_state)
        heap_state = __sanitizer_install_malloc_and_free_hooks &&
                             __sanitizer_get_allocated_size &&
                             __sanitizer_install_malloc_and_free_hooks(
                                 on_malloc, on_free)
                         ? 1
                         : -1;
    return heap_state > 0;
}

int64_t fz_heap(void)
{
    return heap_mine;
}

/* ---- the output reader ---------------------------------------------------- */

static const char *const type_names[] = {
#define FZ__TYPE_NAME(id, name) name,
    FZ_TYPE_MAP(FZ__TYPE_NAME)
#undef FZ__TYPE_NAME
};

static uint64_t member_u64(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    FZ_CHECK(cJSON_IsNumber(v) && v->valuedouble >= 0, key);
    return (uint64_t)v->valuedouble;
}

static const char *member_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    FZ_CHECK(cJSON_IsString(v), key);
    return v->valuestring;
}

static const char *const status_keys[AN_ST_COUNT] = {
    "ok", "crc_mismatch", "used_len_exceeds_block", "truncated"};

/* A frame line: a known status, the pinned members, a payload of UsedLen
 * bytes when the frame is valid. */
static void check_frame(const cJSON *j)
{
    const char *st = member_str(j, "status");
    int known = 0;
    for (int i = 0; i < AN_ST_COUNT; i++)
        known |= !strcmp(st, status_keys[i]);
    FZ_CHECK(known, "frame status is one of the four names");
    FZ_CHECK(member_u64(j, "class") < 16, "class < 16");
    FZ_CHECK(member_u64(j, "direction") < 16, "direction < 16");
    FZ_CHECK(member_u64(j, "size_id") < 16, "size_id < 16");
    FZ_CHECK(member_u64(j, "channel") < 256, "channel < 256");
    FZ_CHECK(member_u64(j, "crc") < 256, "crc < 256");
    member_u64(j, "stream_offset");
    const char *pay = member_str(j, "payload");
    if (!strcmp(st, "ok"))
        FZ_CHECK(strlen(pay) == 2 * member_u64(j, "used_len"),
                 "a valid frame's payload has UsedLen bytes");
}

/* The text of member `key` (a string) in a line, as written by the
 * report (no escapes); NULL when absent. */
static const char *raw_str(const char *line, size_t len, const char *key,
                           size_t *n)
{
    char pat[32];
    int pn = snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = memmem(line, len, pat, (size_t)pn);
    if (!p)
        return NULL;
    p += pn;
    const char *q = memchr(p, '"', len - (size_t)(p - line));
    FZ_CHECK(q, "a string member ends");
    *n = (size_t)(q - p);
    return p;
}

static uint64_t raw_u64(const char *line, size_t len, const char *key)
{
    char pat[32];
    int pn = snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = memmem(line, len, pat, (size_t)pn);
    FZ_CHECK(p, key);
    p += pn;
    uint64_t v = 0;
    for (; p < line + len && *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    return v;
}

/* The stream position of flow "src>dst" of a line, or NULL when the table
 * is full (the flow is then not followed). */
static fz_stream_pos *stream_pos(fz_output *o, const char *line, size_t len)
{
    char key[sizeof o->pos[0].key];
    size_t n, sn, dn;
    const char *f = raw_str(line, len, "flow", &n);
    if (f) {
        FZ_CHECK(n < sizeof key, "a flow name fits");
        memcpy(key, f, n);
    } else {
        const char *s = raw_str(line, len, "src", &sn);
        const char *d = raw_str(line, len, "dst", &dn);
        FZ_CHECK(s && d && sn + dn + 1 < sizeof key, "src and dst");
        memcpy(key, s, sn);
        key[sn] = '>';
        memcpy(key + sn + 1, d, dn);
        n = sn + dn + 1;
    }
    key[n] = '\0';
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)key[i]) * 16777619u;
    for (unsigned i = 0; i < FZ_FLOWS; i++) {
        fz_stream_pos *p = &o->pos[(h + i) % FZ_FLOWS];
        if (!p->key[0]) {
            memcpy(p->key, key, n + 1);
            p->next = 0;
            return p;
        }
        if (!strcmp(p->key, key))
            return p;
    }
    return NULL;
}

/* Frames and gaps of a TCP flow come in stream order; its flow line ends
 * it (a new connection on the same addresses starts again at 0). */
static void check_order(fz_output *o, fz_type t, const char *line,
                        size_t len)
{
    if (t != FZ_T_FRAME && t != FZ_T_GAP && t != FZ_T_FLOW)
        return;
    size_t n;
    const char *proto = raw_str(line, len, "proto", &n);
    FZ_CHECK(proto, "proto");
    if (n != 3 || memcmp(proto, "tcp", 3))
        return;
    fz_stream_pos *p = stream_pos(o, line, len);
    if (!p)
        return;
    if (t == FZ_T_FLOW) {
        p->next = 0;
        return;
    }
    uint64_t off = raw_u64(line, len, "stream_offset");
    FZ_CHECK(off >= p->next, "frames and gaps of a flow in stream order");
    p->next = off + (t == FZ_T_GAP ? raw_u64(line, len, "bytes") : 1);
}

static void check_json_line(fz_output *o, const char *line, size_t len)
{
    static const char head[] = "{\"type\":\"";
    FZ_CHECK(len > sizeof head && !memcmp(line, head, sizeof head - 1),
             "a JSON line starts with its type");
    const char *name = line + sizeof head - 1;
    int t = 0;
    while (t < FZ_T_COUNT) {
        size_t n = strlen(type_names[t]);
        if (!strncmp(name, type_names[t], n) && name[n] == '"')
            break;
        t++;
    }
    FZ_CHECK(t < FZ_T_COUNT, "a known line type");
    size_t seen = o->nlines[t]++;
    o->before_last = o->last;
    o->last = (fz_type)t;
    check_order(o, (fz_type)t, line, len);
    /* Every flow line and closing line is parsed, the others a sample:
     * cJSON on every frame line would cost more than the analyzer. */
    bool all = t == FZ_T_FLOW || t == FZ_T_STATS || t == FZ_T_SUMMARY;
    if (!all && seen >= 8 && seen % 64)
        return;
    cJSON *j = cJSON_ParseWithLength(line, len);
    FZ_CHECK(j && cJSON_IsObject(j), "every JSON line parses");
    switch (t) {
    case FZ_T_FRAME:
        check_frame(j);
        break;
    case FZ_T_FLOW: {
        uint64_t sum = 0;
        for (int i = 0; i < AN_ST_COUNT; i++) {
            uint64_t n = member_u64(j, status_keys[i]);
            o->flows.status[i] += n;
            sum += n;
        }
        uint64_t frames = member_u64(j, "frames");
        FZ_CHECK(frames == sum, "flow: frames = the four status counts");
        o->flows.frames += frames;
        o->flows.gaps += member_u64(j, "gaps");
        o->flows.resyncs += member_u64(j, "resyncs");
        break;
    }
    case FZ_T_SUMMARY: {
        o->summary[0] = member_u64(j, "frames");
        for (int i = 0; i < AN_ST_COUNT; i++)
            o->summary[1 + i] = member_u64(j, status_keys[i]);
        o->summary_flows = member_u64(j, "flows");
        o->summary_gaps = member_u64(j, "gaps");
        o->summary_packets = member_u64(j, "packets");
        break;
    }
    case FZ_T_STATS:
        member_u64(j, "mem_peak");
        break;
    default:
        member_u64(j, "ts");
        break;
    }
    cJSON_Delete(j);
}

static void check_line(fz_output *o, const char *line, size_t len)
{
    if (o->json) {
        check_json_line(o, line, len);
        return;
    }
    /* Text and -V: printable ASCII only (the hex dumps print '.' for the
     * rest); a NUL or a control byte means a formatting slip. */
    for (size_t i = 0; i < len; i++)
        FZ_CHECK(line[i] >= 0x20 && line[i] < 0x7f, "printable text output");
    if (len >= 9 && !memcmp(line, "summary: ", 9))
        o->text_summary = true;
}

static void drain(void *ctx, const char *p, size_t n)
{
    fz_output *o = ctx;
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t part = nl ? (size_t)(nl - p) : n;
        FZ_CHECK(o->carry_len + part <= FZ_LINE_MAX, "output lines bounded");
        if (!nl) {
            memcpy(o->carry + o->carry_len, p, part);
            o->carry_len += part;
            return;
        }
        if (o->carry_len) {
            memcpy(o->carry + o->carry_len, p, part);
            check_line(o, o->carry, o->carry_len + part);
            o->carry_len = 0;
        } else {
            check_line(o, p, part);
        }
        p += part + 1;
        n -= part + 1;
    }
}

void fz_output_attach(fz_output *o, an_session *s, bool json)
{
    memset(o, 0, offsetof(fz_output, carry));
    o->json = json;
    s->out.drain = drain;
    s->out.drain_ctx = o;
}

void fz_output_check(const fz_output *o, const an_session *s, bool matching)
{
    const an_totals *t = an_engine_totals(s->eng);
    const an_counts *c = &t->c;
    FZ_CHECK(o->carry_len == 0, "the output ends with a whole line");
    uint64_t sum = 0;
    for (int i = 0; i < AN_ST_COUNT; i++)
        sum += c->status[i];
    FZ_CHECK(c->frames == sum, "frames = ok + crc_mismatch + "
                               "used_len_exceeds_block + truncated");
    if (!o->json) {
        FZ_CHECK(o->text_summary, "text output has a summary");
        return;
    }
    FZ_CHECK(o->last == FZ_T_SUMMARY && o->before_last == FZ_T_STATS,
             "stats then summary close the output");
    FZ_CHECK(o->nlines[FZ_T_SUMMARY] == 1 && o->nlines[FZ_T_STATS] == 1,
             "one stats and one summary line");
    FZ_CHECK(o->summary[0] == c->frames && o->summary_flows == t->flows &&
                 o->summary_gaps == c->gaps &&
                 o->summary_packets == t->packets,
             "the summary line says what the engine counted");
    for (int i = 0; i < AN_ST_COUNT; i++)
        FZ_CHECK(o->summary[1 + i] == c->status[i] &&
                     o->flows.status[i] == c->status[i],
                 "summary and flow lines: status counts");
    FZ_CHECK(o->nlines[FZ_T_FLOW] == t->flows, "one flow line per flow");
    FZ_CHECK(o->flows.frames == c->frames && o->flows.gaps == c->gaps,
             "the flow lines add up to the summary");
    if (s->rep.summary_only) {
        FZ_CHECK(o->nlines[FZ_T_FRAME] == 0 && o->nlines[FZ_T_GAP] == 0,
                 "--stats prints no events");
        return;
    }
    if (matching)
        FZ_CHECK(o->nlines[FZ_T_FRAME] <= c->frames,
                 "--match prints at most every frame");
    else
        FZ_CHECK(o->nlines[FZ_T_FRAME] == c->frames, "one line per frame");
    FZ_CHECK(o->nlines[FZ_T_GAP] == c->gaps, "one line per gap");
    FZ_CHECK(o->nlines[FZ_T_RESYNC] == o->flows.resyncs,
             "one line per resync");
}

/* ---- each TCP flow's bytes ------------------------------------------------ */

#define FOLLOW_SLOTS 4096u

static struct {
    an_sink orig;
    const an_engine_cfg *cfg;
    struct {
        const an_flow *fl;
        uint64_t frame_bytes;
    } slot[FOLLOW_SLOTS];
} follow;

static uint64_t *frame_bytes(const an_flow *fl)
{
    uintptr_t h = (uintptr_t)fl / sizeof(void *);
    for (unsigned i = 0; i < FOLLOW_SLOTS; i++) {
        unsigned k = (unsigned)((h + i) % FOLLOW_SLOTS);
        if (follow.slot[k].fl == fl || !follow.slot[k].fl) {
            follow.slot[k].fl = fl;
            return &follow.slot[k].frame_bytes;
        }
    }
    FZ_CHECK(0, "fewer flows than slots to follow them");
}

static bool followed(const an_flow *fl)
{
    const uint8_t *ports = follow.cfg->ports;
    uint16_t a = fl->conn->port[0], b = fl->conn->port[1];
    return fl->conn->proto == AN_PROTO_TCP &&
           ((ports[a >> 3] >> (a & 7)) & 1 || (ports[b >> 3] >> (b & 7)) & 1);
}

static void follow_frame(void *ctx, const an_flow *fl, uint64_t ts,
                         int status, uint64_t off, const tt_frame *f,
                         size_t len)
{
    if (followed(fl))
        *frame_bytes(fl) += len;
    follow.orig.frame(ctx, fl, ts, status, off, f, len);
}

static void follow_flow_end(void *ctx, const an_flow *fl, uint64_t ts,
                            an_end_reason why)
{
    const an_session *s = ctx;
    if (followed(fl)) {
        uint64_t *fb = frame_bytes(fl);
        if (!an_engine_stopped(s->eng))
            FZ_CHECK(fl->c.bytes == *fb + fl->c.unsynced_bytes,
                     "a flow's bytes are in its frames or unsynced");
        /* The slot is free again: a later connection may get this flow. */
        *fb = 0;
    }
    follow.orig.flow_end(ctx, fl, ts, why);
}

void fz_follow_flows(an_session *s, const an_engine_cfg *cfg)
{
    memset(&follow, 0, sizeof follow);
    follow.orig = s->sink;
    follow.cfg = cfg;
    /* With --stats alone the engine reports no frames; nothing to add. */
    if (!s->sink.frame)
        return;
    s->sink.frame = follow_frame;
    s->sink.flow_end = follow_flow_end;
}

/* ---- memory ------------------------------------------------------------- */

uint64_t fz_conn_bound(const an_engine_cfg *cfg, uint32_t caplen)
{
    /* The history ring starts at 1 KiB and doubles up to cfg->history. */
    uint64_t hist = cfg->history > 1024 ? cfg->history : 1024;
    uint64_t flow = cfg->ooo_bytes + hist + AN_FRAMER_HOLD_MAX +
                    sizeof(tt_stream) + 256 * sizeof(uint64_t);
    /* A held datagram: its bytes and a header under 128 bytes. */
    uint64_t held = (uint64_t)AN_UDP_HELD_MAX * (caplen + 128u);
    if (cfg->keep_packets)
        flow += cfg->keep_bytes;
    return sizeof(an_conn) + an_decoder_tamtam.state_size + 2 * flow + held;
}

void fz_check_mem(const an_engine *e, const an_engine_cfg *cfg,
                  uint32_t caplen)
{
    /* The table of connections grows with them; the spare receiver is
     * shared. */
    uint64_t flows = cfg->max_flows > 1024 ? cfg->max_flows : 1024;
    uint64_t table = 2 * flows * sizeof(void *) + sizeof(tt_stream);
    FZ_CHECK(an_engine_mem_used(e) <=
                 cfg->mem_cap + table + fz_conn_bound(cfg, caplen),
             "the engine's memory within --mem-cap and one connection");
}
