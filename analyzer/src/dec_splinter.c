/*
 * The Splinter envelope decoder (spec/splinter-envelope.md): ndjson over TCP,
 * default port 4775. One record per line, judged by libsplinter's validator
 * (sp_validate: the one place the rules and their order live) with the
 * capture time as the arrival time (TTL, SP-5.1-a); chunks go through a
 * per-direction sp_reasm, so reassembly faults (conflicting duplicates,
 * chunks after eof, past the window) and stream timeouts (4200, on capture
 * time) are reported as the receiver would see them. A response or error
 * to a query of the other direction carries the latency in microseconds.
 *
 * Record: {"type":"envelope","protocol":"splinter",...,"status":"ok" or the
 * fault symbol,"envelope_type","id","from","to","seq","eof","ttl_ms",
 * "fault","symbol","requirement","detail","notes","stream_complete",
 * "error_code","latency_us"}; a timed-out stream gives a record of type
 * "stream_timeout". Not judged here: allow-lists (a capture does not say
 * them) and backpressure (the receiver's inbox is not on the wire).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "splinter/splinter.h"

#define AN_SPLINTER_PORT 4775

/* Queries waiting for their response, per connection: a bounded table
 * (the oldest is forgotten), so latency never costs unbounded memory. */
#define PENDING_MAX 64
/* Reassembly held per direction: smaller than a service's own limits, as an
 * analyzer follows thousands of connections (SP-8-h's are per receiver). */
#define REASM_STREAMS 64
#define REASM_TOTAL (4u << 20)

typedef struct dir_state {
    char *line;        /* the line being collected, without its newline */
    size_t len, cap;   /* cap grows up to SP_LINE_MAX + 1 */
    uint64_t start;    /* stream offset of line[0] */
    bool started;      /* start is known */
    bool overlong;     /* more than SP_LINE_MAX bytes: skipping to '\n' */
    bool lost;         /* a gap cut the line: skipping to the next '\n' */
    uint64_t skipped;  /* bytes skipped since lost */
    sp_reasm *reasm;   /* created at the first chunk */
    size_t reasm_mem;  /* what it was counted for in the engine */
} dir_state;

typedef struct pending {
    char id[SP_ID_MAX + 1];
    uint8_t dir;
    uint64_t ts_us;
} pending;

typedef struct conn_state {
    dir_state d[2];
    pending q[PENDING_MAX];
    unsigned nq, next; /* entries used; the next to overwrite when full */
} conn_state;

/* Totals by envelope type and fault, for the summary. */
typedef struct totals {
    uint64_t by_type[SP_TYPE_HEARTBEAT + 1];
    uint64_t by_fault[8]; /* index: fault_slot */
    uint64_t timeouts;
} totals;

static const int fault_codes[] = {
#define X__CODE(sym, code, rec, desc) code,
    SP_FAULT_MAP(X__CODE)
#undef X__CODE
};
#define NFAULTS (sizeof fault_codes / sizeof *fault_codes)

static int fault_slot(int code)
{
    for (unsigned i = 0; i < NFAULTS; i++)
        if (fault_codes[i] == code)
            return (int)i;
    return -1;
}

static conn_state *cs_of(const an_conn *c)
{
    return an_conn_dstate(c);
}

static dir_state *ds_of(const an_flow *fl)
{
    return &cs_of(fl->conn)->d[fl->idx];
}

static sp_time time_of(uint64_t ts_us)
{
    return (sp_time){(int64_t)(ts_us / 1000000u),
                     (uint32_t)(ts_us % 1000000u) * 1000u};
}

/* ---- instance ------------------------------------------------------------- */

static void *spl_create(const an_engine_cfg *cfg, uint64_t *mem_used)
{
    (void)cfg;
    (void)mem_used;
    return calloc(1, sizeof(totals));
}

static void spl_destroy(void *inst)
{
    free(inst);
}

/* By type and by fault, as JSON members for the summary. */
static void spl_summary(const void *inst, char *out, size_t cap)
{
    const totals *t = inst;
    size_t n = 0;
    out[0] = '\0';
    if (!t)
        return;
    n += (size_t)snprintf(out + n, cap - n, "\"by_type\":{");
    bool first = true;
    for (int i = SP_TYPE_QUERY; i <= SP_TYPE_HEARTBEAT && n < cap; i++) {
        if (!t->by_type[i])
            continue;
        n += (size_t)snprintf(out + n, cap - n, "%s\"%s\":%llu",
                              first ? "" : ",", sp_type_name((sp_type)i),
                              (unsigned long long)t->by_type[i]);
        first = false;
    }
    if (n < cap)
        n += (size_t)snprintf(out + n, cap - n, "},\"by_fault\":{");
    first = true;
    for (unsigned i = 0; i < NFAULTS && n < cap; i++) {
        if (!t->by_fault[i])
            continue;
        n += (size_t)snprintf(out + n, cap - n, "%s\"%s\":%llu",
                              first ? "" : ",", sp_fault_symbol(fault_codes[i]),
                              (unsigned long long)t->by_fault[i]);
        first = false;
    }
    if (n < cap)
        snprintf(out + n, cap - n, "}");
}

/* ---- records --------------------------------------------------------------- */

static an_value str_or_null(const char *s)
{
    return s ? (an_value){AN_V_STR, 0, s} : (an_value){AN_V_NULL, 0, NULL};
}

static an_value int_or_null(bool has, int64_t v)
{
    return has ? (an_value){AN_V_INT, v, NULL}
               : (an_value){AN_V_NULL, 0, NULL};
}

/* The latency of a response or error to a pending query of the other
 * direction (its entry is removed), or -1. */
static int64_t latency(an_flow *fl, const sp_envelope *env, uint64_t ts_us)
{
    conn_state *cs = cs_of(fl->conn);
    if (!env->id || (env->type != SP_TYPE_RESPONSE && env->type != SP_TYPE_ERROR))
        return -1;
    for (unsigned i = 0; i < cs->nq; i++) {
        pending *q = &cs->q[i];
        if (q->dir != fl->idx && !strcmp(q->id, env->id)) {
            int64_t l = ts_us >= q->ts_us ? (int64_t)(ts_us - q->ts_us) : 0;
            cs->q[i] = cs->q[--cs->nq];
            return l;
        }
    }
    return -1;
}

static void remember_query(an_flow *fl, const sp_envelope *env,
                           uint64_t ts_us)
{
    conn_state *cs = cs_of(fl->conn);
    if (env->type != SP_TYPE_QUERY || !env->id)
        return;
    /* A chunked query is answered after its last chunk; its first chunk's
     * time is kept (the one already there). */
    for (unsigned i = 0; i < cs->nq; i++)
        if (cs->q[i].dir == fl->idx && !strcmp(cs->q[i].id, env->id))
            return;
    unsigned at = cs->nq < PENDING_MAX ? cs->nq++ : cs->next++ % PENDING_MAX;
    snprintf(cs->q[at].id, sizeof cs->q[at].id, "%s", env->id);
    cs->q[at].dir = fl->idx;
    cs->q[at].ts_us = ts_us;
}

/* Keeps the engine's count of the reassembler's memory current. */
static void count_reasm(an_flow *fl, dir_state *ds)
{
    size_t now = ds->reasm ? sizeof(void *) * 64 +
                                 sp_reasm_bytes(ds->reasm) +
                                 sp_reasm_streams(ds->reasm) * 3700u
                           : 0;
    uint64_t *mem = an_conn_mem_counter(fl->conn);
    *mem = *mem - ds->reasm_mem + now;
    ds->reasm_mem = now;
}

/* Streams of this direction whose deadline passed by `ts_us`. */
static void expire(an_flow *fl, dir_state *ds, uint64_t ts_us)
{
    if (!ds->reasm)
        return;
    sp_time now = time_of(ts_us);
    sp_expired x;
    totals *t = an_conn_instance(fl->conn);
    while (sp_reasm_expire(ds->reasm, &now, &x) > 0) {
        char next[24];
        snprintf(next, sizeof next, "%llu", (unsigned long long)x.next_seq);
        an_rfield f[5] = {
            {"id", {AN_V_STR, 0, x.id}},
            {"from", str_or_null(x.from)},
            {"fault", {AN_V_INT, SP_FAULT_STREAM_TIMEOUT, NULL}},
            {"symbol", {AN_V_STR, 0, sp_fault_symbol(SP_FAULT_STREAM_TIMEOUT)}},
            {"next_seq", {AN_V_INT, (int64_t)x.next_seq, NULL}},
        };
        an_record r = {.type = "stream_timeout",
                       .ok = false,
                       .status = sp_fault_symbol(SP_FAULT_STREAM_TIMEOUT),
                       .off = ds->start,
                       .len = 0,
                       .fields = f,
                       .nfields = 5};
        if (t) {
            t->timeouts++;
            t->by_fault[fault_slot(SP_FAULT_STREAM_TIMEOUT)]++;
        }
        an_emit_record(fl, &r);
        free(x.from);
    }
    count_reasm(fl, ds);
}

/* A chunk of a valid envelope: through the reassembler. Returns its fault
 * (0 when taken) and sets *complete; *chk gets the reassembler's verdict. */
static int push_chunk(an_flow *fl, dir_state *ds, const sp_envelope *env,
                      uint64_t ts_us, sp_check *chk, bool *complete)
{
    *complete = false;
    if (!ds->reasm) {
        sp_reasm_limits lim = {REASM_STREAMS, SP_STREAM_BYTES_MAX,
                               REASM_TOTAL, 0};
        ds->reasm = sp_reasm_new(&lim);
        if (!ds->reasm) {
            an_conn_no_memory(fl->conn);
            return 0;
        }
    }
    sp_time now = time_of(ts_us);
    sp_chunk_result res;
    if (sp_reasm_push(ds->reasm, env, &now, &res) < 0) {
        an_conn_no_memory(fl->conn);
        return 0;
    }
    /* The analyzer is not the consumer: delivered payloads are dropped. */
    char *p;
    while (sp_reasm_take(ds->reasm, env->from, env->id, &p) > 0)
        free(p);
    *complete = res.complete;
    chk->notes |= res.notes;
    if (res.fault) {
        chk->fault = res.fault;
        chk->req = res.req;
        snprintf(chk->detail, sizeof chk->detail, "%s", res.detail);
    }
    count_reasm(fl, ds);
    return res.fault;
}

static void notes_text(unsigned notes, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned bit = 1; bit && n < cap; bit <<= 1) {
        const char *name = (notes & bit) ? sp_note_name(bit) : NULL;
        if (name)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "",
                                  name);
    }
}

/* One complete line (without its newline) at stream offset `off`, `wire`
 * bytes on the wire with the newline. */
static void line_record(an_flow *fl, const char *line, size_t len,
                        uint64_t off, size_t wire, bool overlong)
{
    dir_state *ds = ds_of(fl);
    uint64_t ts_us = an_conn_current(fl->conn).ts_us;
    totals *t = an_conn_instance(fl->conn);
    expire(fl, ds, ts_us);
    sp_time now = time_of(ts_us);
    sp_envelope env;
    sp_check chk;
    int rc;
    if (overlong) {
        /* Over SP_LINE_MAX: judged without being held (SP-2-f). */
        memset(&env, 0, sizeof env);
        memset(&chk, 0, sizeof chk);
        rc = chk.fault = SP_FAULT_BAD_SCHEMA;
        chk.req = "SP-2-f";
        snprintf(chk.detail, sizeof chk.detail,
                 "the line is longer than %u bytes", SP_LINE_MAX);
    } else {
        rc = sp_validate(line, len, NULL, &now, &env, &chk);
    }
    if (rc < 0) {
        an_conn_no_memory(fl->conn);
        return;
    }
    bool complete = false;
    if (!chk.fault && env.has_seq)
        push_chunk(fl, ds, &env, ts_us, &chk, &complete);
    int64_t lat = chk.fault ? -1 : latency(fl, &env, ts_us);
    if (!chk.fault)
        remember_query(fl, &env, ts_us);
    char notes[128];
    notes_text(chk.notes, notes, sizeof notes);
    const char *symbol = chk.fault ? sp_fault_symbol(chk.fault) : NULL;
    an_rfield f[15] = {
        {"envelope_type", str_or_null(env.type_name)},
        {"id", str_or_null(env.id)},
        {"from", str_or_null(env.from)},
        {"to", str_or_null(env.from ? env.to : NULL)},
        {"seq", int_or_null(env.has_seq, env.seq)},
        {"eof", env.has_seq ? (an_value){AN_V_BOOL, env.eof, NULL}
                            : (an_value){AN_V_NULL, 0, NULL}},
        {"ttl_ms", int_or_null(env.has_ttl, (int64_t)env.ttl_ms)},
        {"fault", int_or_null(chk.fault != 0, chk.fault)},
        {"symbol", str_or_null(symbol)},
        {"requirement", str_or_null(chk.req)},
        {"detail", str_or_null(chk.fault ? chk.detail : NULL)},
        {"notes", str_or_null(notes[0] ? notes : NULL)},
        {"stream_complete", env.has_seq && !chk.fault
                                ? (an_value){AN_V_BOOL, complete, NULL}
                                : (an_value){AN_V_NULL, 0, NULL}},
        {"error_code", int_or_null(env.error_code >= 0 && env.type ==
                                       SP_TYPE_ERROR,
                                   env.error_code)},
        {"latency_us", int_or_null(lat >= 0, lat)},
    };
    an_record r = {.type = "envelope",
                   .ok = chk.fault == 0,
                   .status = symbol ? symbol : "ok",
                   .off = off,
                   .len = wire,
                   .fields = f,
                   .nfields = 15};
    if (t) {
        if (env.type != SP_TYPE_UNKNOWN)
            t->by_type[env.type]++;
        int slot = chk.fault ? fault_slot(chk.fault) : -1;
        if (slot >= 0)
            t->by_fault[slot]++;
    }
    an_emit_record(fl, &r);
    sp_envelope_free(&env);
}

/* A line cut by a gap or the end: what there is, reported as cut. */
static void cut_record(an_flow *fl, dir_state *ds, const char *why)
{
    an_rfield f[1] = {{"reason", {AN_V_STR, 0, why}}};
    an_record r = {.type = "envelope",
                   .ok = false,
                   .status = "truncated",
                   .off = ds->start,
                   .len = ds->len,
                   .fields = f,
                   .nfields = 1};
    an_emit_record(fl, &r);
    ds->start += ds->len;
    ds->len = 0;
}

/* ---- hooks ----------------------------------------------------------------- */

static void spl_open(an_conn *c, bool probing)
{
    (void)c;
    (void)probing;
}

static void spl_stream_start(an_flow *fl)
{
    (void)fl;
}

static bool line_append(an_flow *fl, dir_state *ds, const uint8_t *p,
                        size_t n)
{
    if (ds->len + n > ds->cap) {
        size_t cap = ds->cap ? ds->cap : 1024;
        while (cap < ds->len + n)
            cap *= 2;
        if (cap > SP_LINE_MAX)
            cap = SP_LINE_MAX;
        char *nb = realloc(ds->line, cap);
        if (!nb) {
            an_conn_no_memory(fl->conn);
            return false;
        }
        *an_conn_mem_counter(fl->conn) += cap - ds->cap;
        ds->line = nb;
        ds->cap = cap;
    }
    memcpy(ds->line + ds->len, p, n);
    ds->len += n;
    return true;
}

static void spl_data(an_flow *fl, uint64_t off, const uint8_t *p, size_t n)
{
    dir_state *ds = ds_of(fl);
    if (!ds->started) {
        ds->start = off;
        ds->started = true;
    }
    while (n) {
        const uint8_t *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (ds->lost) {
            /* After a gap: the next line starts after the next newline. */
            ds->skipped += take + (nl != NULL);
            if (nl) {
                ds->lost = false;
                an_emit_resync(fl, off + take + 1, ds->skipped);
                ds->skipped = 0;
                ds->start = off + take + 1;
            }
        } else if (ds->overlong || ds->len + take > SP_LINE_MAX) {
            if (!ds->overlong) {
                ds->overlong = true;
                *an_conn_mem_counter(fl->conn) -= ds->cap;
                free(ds->line);
                ds->line = NULL;
                ds->cap = 0;
            }
            ds->len += take; /* counted, not held */
            if (nl) {
                size_t wire = ds->len + 1;
                line_record(fl, NULL, 0, ds->start, wire, true);
                ds->overlong = false;
                ds->start += wire;
                ds->len = 0;
            }
        } else if (nl) {
            const char *line = (const char *)p;
            size_t len = take, wire = ds->len + take + 1;
            if (ds->len) { /* the line began in earlier bytes */
                if (!line_append(fl, ds, p, take)) {
                    ds->lost = true;
                    ds->len = 0;
                    p += take + 1;
                    n -= take + 1;
                    off += take + 1;
                    continue;
                }
                line = ds->line;
                len = ds->len;
            }
            line_record(fl, line, len, ds->start, wire, false);
            ds->start += wire;
            ds->len = 0;
        } else if (!line_append(fl, ds, p, take)) {
            ds->lost = true;
            ds->len = 0;
        }
        p += take + (nl != NULL);
        off += take + (nl != NULL);
        n -= take + (nl != NULL);
    }
}

static void spl_gap(an_flow *fl, uint64_t off, uint64_t n)
{
    dir_state *ds = ds_of(fl);
    if (ds->len && !ds->lost)
        cut_record(fl, ds, "gap");
    ds->overlong = false;
    ds->len = 0;
    ds->lost = true;
    ds->start = off + n;
    ds->started = true;
}

static void spl_datagram(an_flow *fl, const uint8_t *p, uint32_t len,
                         uint32_t cap)
{
    /* Not Splinter's transport; a datagram is read as lines, its last one
     * ending with the datagram. */
    dir_state *ds = ds_of(fl);
    fl->c.bytes += len;
    ds->start = 0;
    ds->started = true;
    ds->lost = false;
    ds->len = 0;
    spl_data(fl, 0, p, cap);
    /* spl_data fills ds through fl: the line left without a newline. */
    // cppcheck-suppress knownConditionTrueFalse
    if (ds->len && !ds->overlong && !ds->lost) {
        line_record(fl, ds->line, ds->len, ds->start, ds->len, false);
        ds->len = 0;
    }
    if (cap < len)
        an_emit_gap(fl, cap, len - cap, AN_GAP_SNAPLEN);
}

static uint64_t spl_needed_from(const an_flow *fl)
{
    return ds_of(fl)->start;
}

static void spl_end(an_flow *fl)
{
    dir_state *ds = ds_of(fl);
    if (ds->len && !ds->lost)
        cut_record(fl, ds, "end");
    ds->len = 0;
    /* Streams still open when the capture or connection ends are not
     * judged: their deadline is after what the capture shows. */
}

static void spl_close(an_conn *c)
{
    conn_state *cs = cs_of(c);
    for (int d = 0; d < 2; d++) {
        dir_state *ds = &cs->d[d];
        *an_conn_mem_counter(c) -= ds->cap + ds->reasm_mem;
        free(ds->line);
        sp_reasm_free(ds->reasm);
        memset(ds, 0, sizeof *ds);
    }
}

static const char *const spl_fields[] = {
    "envelope_type", "id",     "from",        "to",     "seq",
    "eof",           "ttl_ms", "fault",       "symbol", "requirement",
    "detail",        "notes",  "stream_complete", "error_code",
    "latency_us",    "reason", "next_seq",    NULL};

const an_decoder an_decoder_splinter = {
    .name = "splinter",
    .default_port = AN_SPLINTER_PORT,
    .state_size = sizeof(conn_state),
    .fields = spl_fields,
    .create = spl_create,
    .destroy = spl_destroy,
    .open = spl_open,
    .stream_start = spl_stream_start,
    .data = spl_data,
    .gap = spl_gap,
    .datagram = spl_datagram,
    .needed_from = spl_needed_from,
    .end = spl_end,
    .close = spl_close,
    .summary = spl_summary,
};
