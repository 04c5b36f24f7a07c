/*
 * The Splinter wire suite (protocol "splinter/1", node mode): envelopes sent
 * to a Splinter service over TCP or a Unix socket (--splinter URL,
 * spec/harness.md section 10.3), its answers read line by line and judged
 * with libsplinter (every line it sends must be a valid envelope) and the
 * rules of spec/splinter-envelope.md. Each case has its own connection and
 * begins with the service's version announcement. Deadlines measure lack
 * of progress (HP-7-a); absence is shown by a heartbeat probe (HP-7-c).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "splinter/splinter.h"

#define ME "tamtam-run"              /* the suite's `from` */
#define STRANGER "tamtam-run-stranger" /* a sender no allow-list names */
#define ECHO "echo"                   /* the service's echo recipient */
#define LINE_CAP (4u * 1024u * 1024u) /* longest line read from a service */
#define INBOX_CAP (64u * 1024u * 1024u) /* bytes read and not yet judged */
#define BATCH_N 200                   /* queries in one write */
#define FLOOD_N 5000                  /* queries of the flood */
#define CHUNK_TTL_MS 60000            /* streams that must complete */
#define TIMEOUT_TTL_MS 500            /* streams that must time out */

/* The suite's case kinds. */
typedef enum sw_kind {
    SW_ANNOUNCE,
    SW_HEARTBEAT,
    SW_ECHO,
    SW_F1000,
    SW_F3000,
    SW_F2000,
    SW_F1001,
    SW_NO_ID,
    SW_ERROR_UNANSWERED,
    SW_ORDER_TYPE,
    SW_ORDER_TTL,
    SW_CHUNKED_IN,
    SW_CHUNKED_OUT,
    SW_REORDERED,
    SW_DUPLICATE,
    SW_TIMEOUT,
    SW_GAP,
    SW_ONEBYTE,
    SW_BATCH,
    SW_LINE_MAX,
    SW_LINE_OVERLONG,
    SW_FLOOD,
    SW_KINDS
} sw_kind;

static const struct {
    const char *name, *reqs;
} sw_cases_table[SW_KINDS] = {
    [SW_ANNOUNCE] = {"announce", "SP-10-b,SP-10-c,HP-10.3-b"},
    [SW_HEARTBEAT] = {"heartbeat", "SP-4-f,HP-10.3-c"},
    [SW_ECHO] = {"echo", "HP-10.3-d,SP-4-b"},
    [SW_F1000] = {"fault.1000", "SP-3.2-b,SP-9.2-a,SP-9.2-b"},
    [SW_F3000] = {"fault.3000", "SP-4-a,SP-9.2-a"},
    [SW_F2000] = {"fault.2000", "SP-6-b,SP-9.2-a,HP-10.3-e"},
    [SW_F1001] = {"fault.1001", "SP-5.1-a,SP-9.2-a"},
    [SW_NO_ID] = {"fault.no_reply", "SP-9.2-c,SP-9.2-e"},
    [SW_ERROR_UNANSWERED] = {"fault.error_unanswered", "SP-9.2-d,SP-4-e"},
    [SW_ORDER_TYPE] = {"order.type_before_payload", "SP-7-a,SP-4-b"},
    [SW_ORDER_TTL] = {"order.payload_before_ttl", "SP-7-a,SP-5.1-a"},
    [SW_CHUNKED_IN] = {"chunked.in", "SP-8-b,SP-8-c,HP-10.3-d"},
    [SW_CHUNKED_OUT] = {"chunked.out", "SP-8-b,HP-10.3-d"},
    [SW_REORDERED] = {"chunked.reordered", "SP-8-c,SP-8-d"},
    [SW_DUPLICATE] = {"chunked.duplicate", "SP-8-c,SP-8-e"},
    [SW_TIMEOUT] = {"stream.timeout", "SP-8-g"},
    [SW_GAP] = {"stream.gap", "SP-8-c,SP-8-g"},
    [SW_ONEBYTE] = {"onebyte", "SP-2-a,HP-10.3-f"},
    [SW_BATCH] = {"batch", "SP-2-a,HP-10.3-f"},
    [SW_LINE_MAX] = {"line.max", "SP-2-f"},
    [SW_LINE_OVERLONG] = {"line.overlong", "SP-2-f,SP-9.2-c,SP-9.2-e"},
    [SW_FLOOD] = {"flood", "SP-9.1-c,HP-10.3-g"},
};

typedef struct sw_ctx {
    tr_url url;
    int timeout_ms;
    unsigned serial; /* makes the ids of a run distinct */
} sw_ctx;

/* One connection: the bytes read and not yet taken as lines. */
typedef struct sw_conn {
    int fd;
    char *buf;
    size_t len, cap;
    char service[256]; /* the announcement's `from` */
    char *announce;    /* its line */
    char *taken;       /* the line next_line handed out last */
} sw_conn;

static void sw_conn_close(sw_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    free(c->announce);
    free(c->taken);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* ---- Detail helpers ------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void fail(tr_buf *d,
                                                       const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tr_buf_printf(d, "%s%s", d->len ? "\n" : "", msg);
}

/* ---- Lines to send ---------------------------------------------------------- */

/* The real time `offset_ms` from now, in the writer form (SP-5-f). */
static void ts_now(char out[40], int64_t offset_ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    sp_time s = {(int64_t)t.tv_sec, (uint32_t)t.tv_nsec};
    if (offset_ms >= 0) {
        s = sp_time_add_ms(&s, (uint64_t)offset_ms);
    } else {
        s.sec -= (-offset_ms) / 1000 + 1;
        s = sp_time_add_ms(&s, (uint64_t)(1000 - (-offset_ms) % 1000));
    }
    if (sp_time_format(&s, 3, out, 40) < 0)
        snprintf(out, 40, "1970-01-01T00:00:00.000Z");
}

/* A fresh id of this run ("tr-<pid>-<serial>-<tag>"). */
static void new_id(sw_ctx *x, const char *tag, char out[96])
{
    snprintf(out, 96, "tr-%ld-%u-%s", (long)getpid(), ++x->serial, tag);
}

/* An envelope line with '\n' (caller frees). `extra` is inserted before
 * the payload (",\"ttl_ms\":5"); payload NULL leaves it out. */
static char *env_line(const char *id, const char *ts, const char *from,
                      const char *to, const char *type, const char *extra,
                      const char *payload)
{
    tr_buf b = {0};
    tr_buf_printf(&b, "{\"id\":\"%s\",\"ts\":\"%s\",\"from\":\"%s\"", id, ts,
                  from);
    if (to)
        tr_buf_printf(&b, ",\"to\":\"%s\"", to);
    tr_buf_printf(&b, ",\"type\":\"%s\"%s", type, extra ? extra : "");
    if (payload)
        tr_buf_printf(&b, ",\"payload\":%s", payload);
    tr_buf_printf(&b, "}\n");
    return tr_buf_take(&b);
}

/* ---- I/O with progress deadlines (HP-7-a) ----------------------------------- */

/* Reads what is there into the buffer. Returns 1 when bytes came, 0 when
 * none (EAGAIN), -1 with the reason on EOF or error. */
static int read_some(sw_conn *c, tr_buf *d)
{
    if (c->len >= INBOX_CAP) {
        fail(d, "the service sent more than %u bytes that were not asked "
                "for", INBOX_CAP);
        return -1;
    }
    if (c->cap - c->len < 65536) {
        c->cap = c->cap ? c->cap * 2 : 131072;
        c->buf = realloc(c->buf, c->cap);
        if (!c->buf)
            exit(2);
    }
    ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
    if (n > 0) {
        c->len += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    fail(d, "the service %s the connection", n == 0 ? "closed" : "reset");
    return -1;
}

/* Writes `len` bytes in writes of at most `piece` bytes each (0: as large
 * as the socket takes), reading what the service sends meanwhile so
 * neither side can block the other. Returns 0, or -1 with the reason. */
static int send_bytes(sw_ctx *x, sw_conn *c, const char *p, size_t len,
                      size_t piece, tr_buf *d)
{
    size_t off = 0;
    int64_t deadline = tr_now_ms() + x->timeout_ms;
    while (off < len) {
        struct pollfd pf = {c->fd, POLLIN | POLLOUT, 0};
        int64_t left = deadline - tr_now_ms();
        if (left <= 0) {
            fail(d, "timeout: nothing moved for %d ms (%zu of %zu bytes "
                    "written)", x->timeout_ms, off, len);
            return -1;
        }
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno != EINTR)
            return fail(d, "poll: %s", strerror(errno)), -1;
        if (r <= 0)
            continue;
        if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
            int g = read_some(c, d);
            if (g < 0)
                return -1;
            if (g > 0)
                deadline = tr_now_ms() + x->timeout_ms;
        }
        if (pf.revents & POLLOUT) {
            size_t n = len - off;
            if (piece && n > piece)
                n = piece;
            ssize_t w = write(c->fd, p + off, n);
            if (w > 0) {
                off += (size_t)w;
                deadline = tr_now_ms() + x->timeout_ms;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                return fail(d, "write: %s (%zu of %zu bytes written)",
                            strerror(errno), off, len), -1;
            }
        }
    }
    return 0;
}

/* The next line from the service (without its terminator; *line is valid
 * until the next call), waiting `extra_ms` more than the progress timeout
 * (a timer the service runs). Returns 0, or -1 with the reason. */
static int next_line(sw_ctx *x, sw_conn *c, int extra_ms, char **line,
                     size_t *len, tr_buf *d)
{
    free(c->taken);
    c->taken = NULL;
    int64_t deadline = tr_now_ms() + x->timeout_ms + extra_ms;
    for (;;) {
        char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - c->buf);
            char *taken = c->taken = tr_xmalloc(n + 1);
            memcpy(taken, c->buf, n);
            taken[n] = '\0';
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            *line = taken;
            *len = n;
            return 0;
        }
        if (c->len > LINE_CAP) {
            fail(d, "a line of the service is longer than %u bytes",
                 LINE_CAP);
            return -1;
        }
        struct pollfd pf = {c->fd, POLLIN, 0};
        int64_t left = deadline - tr_now_ms();
        if (left <= 0) {
            fail(d, "timeout: nothing moved for %d ms", x->timeout_ms);
            if (c->len)
                tr_buf_printf(d, " (%zu bytes of a line came)", c->len);
            return -1;
        }
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno != EINTR)
            return fail(d, "poll: %s", strerror(errno)), -1;
        if (r > 0) {
            int g = read_some(c, d);
            if (g < 0)
                return -1;
            if (g > 0)
                deadline = tr_now_ms() + x->timeout_ms + extra_ms;
        }
    }
}

/* The next envelope from the service, validated by libsplinter: whatever
 * a service sends must itself be a valid envelope. */
static int next_env(sw_ctx *x, sw_conn *c, int extra_ms, sp_envelope *env,
                    char **line, tr_buf *d)
{
    size_t len;
    memset(env, 0, sizeof *env);
    if (next_line(x, c, extra_ms, line, &len, d))
        return -1;
    sp_check chk;
    int r = sp_validate(*line, len, NULL, NULL, env, &chk);
    /* A valid envelope has id, from, to (SP-3.2-a) and a type name. */
    if (r == 0 && (!env->id || !env->from || !env->to || !env->type_name))
        r = SP_FAULT_INTERNAL_ERROR;
    if (r != 0) {
        fail(d, "%s: the service sent a line that is no valid envelope "
                "(fault %d: %s)", chk.req ? chk.req : "SP-2-a", r, chk.detail);
        tr_buf_line(d, "Received:", *line);
        sp_envelope_free(env);
        return -1;
    }
    return 0;
}

/* Connects and reads the version announcement (SP-10-b), which every
 * case needs first. Returns 0, or -1 with the reason. */
static int sw_open(sw_ctx *x, sw_conn *c, tr_buf *d)
{
    char why[512];
    memset(c, 0, sizeof *c);
    c->fd = tr_connect(&x->url, tr_now_ms() + x->timeout_ms, why, sizeof why);
    if (c->fd < 0) {
        fail(d, "%s", why);
        return -1;
    }
    sp_envelope env;
    char *line;
    if (next_env(x, c, 0, &env, &line, d)) {
        fail(d, "SP-10-b: expected the version announcement first");
        return -1;
    }
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(env.payload, "splinter");
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(sp, "versions"), *v;
    bool has10 = false;
    cJSON_ArrayForEach(v, vs) has10 |=
        cJSON_IsString(v) && !strcmp(v->valuestring, SP_VERSION);
    int rc = 0;
    if (env.type != SP_TYPE_EVENT || strcmp(env.to, "*") ||
        !cJSON_IsArray(vs) || !has10) {
        fail(d, "SP-10-b: expected first an event to \"*\" whose payload is "
                "{\"splinter\":{\"versions\":[\"1.0\"]}}");
        tr_buf_line(d, "Received:", line);
        rc = -1;
    } else {
        snprintf(c->service, sizeof c->service, "%s", env.from);
        c->announce = tr_xstrdup(line);
    }
    sp_envelope_free(&env);
    return rc;
}

/* ---- Expectations ------------------------------------------------------------- */

/* Reads the next envelope and requires a fault reply (SP-9.2-a) with `code`
 * to the trigger `id` sent by `from`. */
static int expect_fault(sw_ctx *x, sw_conn *c, int extra_ms, const char *id,
                        const char *from, int code, const char *req,
                        tr_buf *d)
{
    sp_envelope env;
    char *line;
    if (next_env(x, c, extra_ms, &env, &line, d)) {
        fail(d, "%s: expected fault %d %s", req, code, sp_fault_symbol(code));
        return -1;
    }
    int rc = 0;
    if (env.type != SP_TYPE_ERROR || env.error_code != code) {
        fail(d, "%s: expected fault %d %s, actual %s%s", req, code,
             sp_fault_symbol(code), env.type_name,
             env.type == SP_TYPE_ERROR ? " with another code" : "");
        rc = -1;
    } else {
        static const char *const order[] = {"id",   "ts",   "from",
                                            "to",   "type", "payload"};
        const cJSON *m = env.root->child;
        for (size_t i = 0; i < 6 && rc == 0; i++, m = m ? m->next : NULL)
            if (!m || strcmp(m->string, order[i]))
                rc = -1;
        if (rc || m) {
            fail(d, "SP-9.2-a: a fault reply has the members id, ts, from, "
                    "to, type, payload in this order and no other");
            rc = -1;
        } else if (strcmp(env.id, id) || strcmp(env.to, from)) {
            fail(d, "SP-9.2-b: the fault reply's id and to are the "
                    "trigger's id (\"%s\") and from (\"%s\")", id, from);
            rc = -1;
        } else if (!env.error_detail) {
            fail(d, "SP-9.2-a: the fault reply's payload has a detail");
            rc = -1;
        }
    }
    if (rc)
        tr_buf_line(d, "Received:", line);
    sp_envelope_free(&env);
    return rc;
}

/* Sends a heartbeat probe and requires the heartbeat answer as the next
 * line: nothing the service sent before it is allowed (HP-7-c). */
static int probe(sw_ctx *x, sw_conn *c, const char *req_none, tr_buf *d)
{
    char id[96], ts[40];
    new_id(x, "probe", id);
    ts_now(ts, 0);
    char *l = env_line(id, ts, ME, NULL, "heartbeat", NULL, NULL);
    int rc = send_bytes(x, c, l, strlen(l), 0, d);
    free(l);
    if (rc)
        return -1;
    sp_envelope env;
    char *line;
    if (next_env(x, c, 0, &env, &line, d)) {
        fail(d, "SP-4-f: expected the heartbeat answering the heartbeat "
                "probe (SP-9.2-e: a fault never ends the connection)");
        return -1;
    }
    if (env.type != SP_TYPE_HEARTBEAT || strcmp(env.to, ME)) {
        fail(d, "%s: expected nothing before the answer to the heartbeat "
                "probe", req_none);
        tr_buf_line(d, "Received:", line);
        rc = -1;
    }
    sp_envelope_free(&env);
    return rc;
}

/* Reads the response to a query of `ME` and compares its payload with
 * `want` (JSON text; NULL: any). */
static int expect_response(sw_ctx *x, sw_conn *c, const char *want,
                           const char *req, tr_buf *d)
{
    sp_envelope env;
    char *line;
    if (next_env(x, c, 0, &env, &line, d)) {
        fail(d, "%s: expected a response", req);
        return -1;
    }
    int rc = 0;
    if (env.type != SP_TYPE_RESPONSE || strcmp(env.to, ME)) {
        fail(d, "%s: expected a response to \"" ME "\", actual %s to \"%s\"",
             req, env.type_name, env.to);
        rc = -1;
    } else if (want) {
        cJSON *w = cJSON_Parse(want);
        if (!tr_json_equal(w, env.payload)) {
            fail(d, "%s: expected the response's payload %.300s", req, want);
            rc = -1;
        }
        cJSON_Delete(w);
    }
    if (rc)
        tr_buf_line(d, "Received:", line);
    sp_envelope_free(&env);
    return rc;
}

/* ---- Cases ---------------------------------------------------------------------- */

/* Sends `l` (which it frees). */
static int send_line(sw_ctx *x, sw_conn *c, char *l, tr_buf *d)
{
    int rc = send_bytes(x, c, l, strlen(l), 0, d);
    free(l);
    return rc;
}

/* A chunk of a query stream to the echo recipient. */
static char *chunk(const char *id, unsigned seq, bool eof, int ttl_ms,
                   const char *payload)
{
    char ts[40], extra[96];
    ts_now(ts, 0);
    snprintf(extra, sizeof extra, ",\"ttl_ms\":%d,\"seq\":%u,\"eof\":%s",
             ttl_ms, seq, eof ? "true" : "false");
    return env_line(id, ts, ME, ECHO, "query", extra, payload);
}

/* A query stream of chunk payloads {"part":K} sent in `order` (seqs);
 * the echo answer's payload is the array of the payloads in seq order
 * (HP-10.3-d), `nparts` of them. */
static int stream_case(sw_ctx *x, sw_conn *c, const unsigned *order, size_t n,
                       unsigned last, const char *req, tr_buf *d)
{
    char id[96], p[64];
    new_id(x, "stream", id);
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof p, "{\"part\":%u}", order[i]);
        if (send_line(x, c, chunk(id, order[i], order[i] == last,
                                  CHUNK_TTL_MS, p), d))
            return -1;
    }
    tr_buf want = {0};
    tr_buf_printf(&want, "[");
    for (unsigned k = 0; k <= last; k++)
        tr_buf_printf(&want, "%s{\"part\":%u}", k ? "," : "", k);
    tr_buf_printf(&want, "]");
    int rc = expect_response(x, c, want.s, req, d);
    tr_buf_free(&want);
    return rc ? -1 : probe(x, c, req, d);
}

/* A heartbeat padded with an unknown member to exactly `len` bytes
 * (without its newline). */
static char *padded_heartbeat(sw_ctx *x, size_t len)
{
    char id[96], ts[40];
    new_id(x, "long", id);
    ts_now(ts, 0);
    char head[256];
    int h = snprintf(head, sizeof head,
                     "{\"id\":\"%s\",\"ts\":\"%s\",\"from\":\"" ME
                     "\",\"type\":\"heartbeat\",\"pad\":\"",
                     id, ts);
    char *l = tr_xmalloc(len + 2);
    memcpy(l, head, (size_t)h);
    memset(l + h, 'x', len - (size_t)h - 2);
    memcpy(l + len - 2, "\"}\n", 4);
    return l;
}

/* Queries {"n":K} for K in [0, n), answered each by a response with the
 * same payload or fault 4100 with its id; `allow_4100` false: responses
 * only. Checks every query is answered exactly once. */
static int many_queries(sw_ctx *x, sw_conn *c, size_t n, bool allow_4100,
                        const char *req, tr_buf *d)
{
    tr_buf all = {0};
    char tag[32], ts[40];
    char (*ids)[96] = tr_xcalloc(n, sizeof *ids);
    ts_now(ts, 0);
    for (size_t k = 0; k < n; k++) {
        snprintf(tag, sizeof tag, "q%zu", k);
        new_id(x, tag, ids[k]);
        char p[48];
        snprintf(p, sizeof p, "{\"n\":%zu}", k);
        char *l = env_line(ids[k], ts, ME, ECHO, "query", NULL, p);
        tr_buf_printf(&all, "%s", l);
        free(l);
    }
    int rc = send_bytes(x, c, all.s, all.len, 0, d);
    tr_buf_free(&all);
    unsigned char *seen = tr_xcalloc(n, 1);
    size_t answered = 0, faults = 0;
    while (rc == 0 && answered < n) {
        sp_envelope env;
        char *line;
        if (next_env(x, c, 0, &env, &line, d)) {
            fail(d, "%s: %zu of %zu queries answered: every query gets a "
                    "response%s", req, answered, n,
                 allow_4100 ? " or fault 4100" : "");
            rc = -1;
            break;
        }
        const cJSON *nv = cJSON_GetObjectItemCaseSensitive(env.payload, "n");
        long k = -1;
        if (env.type == SP_TYPE_RESPONSE && cJSON_IsNumber(nv) &&
            nv->valuedouble >= 0 && nv->valuedouble < (double)n)
            k = (long)nv->valuedouble;
        if (allow_4100 && env.type == SP_TYPE_ERROR &&
            env.error_code == SP_FAULT_BACKPRESSURE &&
            sscanf(env.id, "tr-%*d-%*u-q%ld", &k) == 1 && k >= 0 &&
            (size_t)k < n && !strcmp(env.id, ids[k])) {
            faults++;
        } else if (k < 0 || strcmp(env.to, ME)) {
            fail(d, "%s: expected a response%s to \"" ME "\" for one of the "
                    "queries", req, allow_4100 ? " or fault 4100" : "");
            tr_buf_line(d, "Received:", line);
            rc = -1;
        }
        if (rc == 0 && seen[k]++) {
            fail(d, "%s: query %ld answered twice", req, k);
            tr_buf_line(d, "Received:", line);
            rc = -1;
        }
        answered++;
        sp_envelope_free(&env);
    }
    free(seen);
    free(ids);
    return rc;
}

static int run_case(sw_ctx *x, const tr_case *tc, tr_buf *d,
                    bool *unsupported)
{
    sw_conn c;
    if (sw_open(x, &c, d)) {
        sw_conn_close(&c);
        return -1;
    }
    const char *req = tc->reqs;
    char id[96], ts[40], old[40];
    new_id(x, "case", id);
    ts_now(ts, 0);
    ts_now(old, -60000);
    int rc = 0;
    switch ((sw_kind)tc->kind) {
    case SW_ANNOUNCE: break; /* sw_open judged it */
    case SW_HEARTBEAT: rc = probe(x, &c, "SP-4-f", d); break;
    case SW_ECHO:
        rc = send_line(x, &c, env_line(id, ts, ME, ECHO, "query", NULL,
                                       "{\"text\":\"hello\",\"n\":[1,2,3]}"),
                       d);
        if (!rc)
            rc = expect_response(x, &c, "{\"text\":\"hello\",\"n\":[1,2,3]}",
                                 "HP-10.3-d", d);
        break;
    case SW_F1000:
        rc = send_line(x, &c, env_line(id, ts, ME, ECHO, "query",
                                       ",\"ttl_ms\":\"soon\"", "{}"), d) ||
             expect_fault(x, &c, 0, id, ME, 1000, "SP-3.2-b", d);
        break;
    case SW_F3000:
        rc = send_line(x, &c, env_line(id, ts, ME, ECHO, "gossip", NULL, "{}"),
                       d) ||
             expect_fault(x, &c, 0, id, ME, 3000, "SP-4-a", d);
        break;
    case SW_F2000: {
        rc = send_line(x, &c, env_line(id, ts, STRANGER, ECHO, "query", NULL,
                                       "{}"), d);
        sp_envelope env;
        char *line;
        if (!rc && next_env(x, &c, 0, &env, &line, d) == 0) {
            if (env.type == SP_TYPE_RESPONSE) {
                /* No allow-list: everything is allowed (SP-6-a). */
                *unsupported = true;
                fail(d, "the service has no allow-list (it answered a sender "
                        "without an entry): start it with --allow "
                        "runner/splinter-allow.json (HP-10.3-e)");
            } else if (env.type != SP_TYPE_ERROR || env.error_code != 2000 ||
                       strcmp(env.id, id) || strcmp(env.to, STRANGER)) {
                fail(d, "SP-6-b: expected fault 2000 NOT_AUTHORIZED to \"%s\" "
                        "for id \"%s\"", STRANGER, id);
                tr_buf_line(d, "Received:", line);
                rc = -1;
            }
            sp_envelope_free(&env);
        } else {
            rc = -1;
        }
        break;
    }
    case SW_F1001:
        rc = send_line(x, &c, env_line(id, old, ME, ECHO, "query",
                                       ",\"ttl_ms\":1000", "{}"), d) ||
             expect_fault(x, &c, 0, id, ME, 1001, "SP-5.1-a", d);
        break;
    case SW_NO_ID:
        rc = send_bytes(x, &c, "this is not an envelope\n", 24, 0, d) ||
             send_line(x, &c, env_line(id, ts, ME, ECHO, "query", NULL, NULL),
                       d);
        /* The second line has an id: its fault 1000 (no payload) comes,
         * the first has none (SP-9.2-c). */
        if (!rc)
            rc = expect_fault(x, &c, 0, id, ME, 1000, "SP-9.2-c", d) ||
                 probe(x, &c, "SP-9.2-c", d);
        break;
    case SW_ERROR_UNANSWERED:
        rc = send_line(x, &c, env_line(id, ts, ME, NULL, "error", NULL,
                                       "{\"code\":1000,\"symbol\":\"WRONG\"}"),
                       d) ||
             probe(x, &c, "SP-9.2-d", d);
        break;
    case SW_ORDER_TYPE:
        /* Unknown type and no payload: stage 2 (3000) before stage 3. */
        rc = send_line(x, &c, env_line(id, ts, ME, ECHO, "gossip", NULL, NULL),
                       d) ||
             expect_fault(x, &c, 0, id, ME, 3000, "SP-7-a", d);
        break;
    case SW_ORDER_TTL:
        /* No payload and expired: stage 3 (1000) before stage 5 (1001). */
        rc = send_line(x, &c, env_line(id, old, ME, ECHO, "query",
                                       ",\"ttl_ms\":1000", NULL), d) ||
             expect_fault(x, &c, 0, id, ME, 1000, "SP-7-a", d);
        break;
    case SW_CHUNKED_IN: {
        static const unsigned o[] = {0, 1, 2};
        rc = stream_case(x, &c, o, 3, 2, "SP-8-c", d);
        break;
    }
    case SW_REORDERED: {
        static const unsigned o[] = {2, 0, 3, 1};
        rc = stream_case(x, &c, o, 4, 3, "SP-8-d", d);
        break;
    }
    case SW_DUPLICATE: {
        static const unsigned o[] = {0, 0, 1, 1, 2};
        rc = stream_case(x, &c, o, 5, 2, "SP-8-e", d);
        break;
    }
    case SW_CHUNKED_OUT: {
        rc = send_line(x, &c, env_line(id, ts, ME, ECHO, "query", NULL,
                                       "{\"chunks\":3,\"text\":\"abc\"}"), d);
        char sid[SP_ID_MAX + 1] = ""; /* the response stream's id */
        for (unsigned k = 0; k < 3 && !rc; k++) {
            sp_envelope env;
            char *line;
            if (next_env(x, &c, 0, &env, &line, d)) {
                fail(d, "SP-8-b: expected chunk %u of 3 of the response", k);
                rc = -1;
                break;
            }
            if (k == 0)
                snprintf(sid, sizeof sid, "%s", env.id);
            if (env.type != SP_TYPE_RESPONSE || !env.has_seq ||
                env.seq != k || env.eof != (k == 2) || strcmp(env.id, sid) ||
                strcmp(env.to, ME)) {
                fail(d, "SP-8-b: expected response chunk seq %u eof %s "
                        "(one id, to \"" ME "\")", k, k == 2 ? "true" : "false");
                tr_buf_line(d, "Received:", line);
                rc = -1;
            }
            sp_envelope_free(&env);
        }
        if (!rc)
            rc = probe(x, &c, "SP-8-b", d);
        break;
    }
    case SW_TIMEOUT:
        rc = send_line(x, &c, chunk(id, 0, false, TIMEOUT_TTL_MS, "{}"), d) ||
             expect_fault(x, &c, TIMEOUT_TTL_MS, id, ME, 4200, "SP-8-g", d);
        break;
    case SW_GAP:
        rc = send_line(x, &c, chunk(id, 0, false, TIMEOUT_TTL_MS, "{}"), d) ||
             send_line(x, &c, chunk(id, 2, true, TIMEOUT_TTL_MS, "{}"), d) ||
             expect_fault(x, &c, TIMEOUT_TTL_MS, id, ME, 4200, "SP-8-c", d);
        break;
    case SW_ONEBYTE: {
        char *l = env_line(id, ts, ME, ECHO, "query", NULL, "{\"one\":1}");
        rc = send_bytes(x, &c, l, strlen(l), 1, d) ||
             expect_response(x, &c, "{\"one\":1}", "SP-2-a", d);
        free(l);
        break;
    }
    case SW_BATCH: rc = many_queries(x, &c, BATCH_N, true, "SP-2-a", d); break;
    case SW_LINE_MAX: {
        char *l = padded_heartbeat(x, SP_LINE_MAX);
        rc = send_bytes(x, &c, l, SP_LINE_MAX + 1, 0, d);
        free(l);
        sp_envelope env;
        char *line;
        if (!rc && next_env(x, &c, 0, &env, &line, d) == 0) {
            if (env.type != SP_TYPE_HEARTBEAT) {
                fail(d, "SP-2-f: a line of exactly 1048576 bytes is judged "
                        "normally: expected the heartbeat's answer");
                tr_buf_line(d, "Received:", line);
                rc = -1;
            }
            sp_envelope_free(&env);
        } else {
            rc = -1;
        }
        break;
    }
    case SW_LINE_OVERLONG: {
        char *l = padded_heartbeat(x, SP_LINE_MAX + 1);
        rc = send_bytes(x, &c, l, SP_LINE_MAX + 2, 0, d) ||
             probe(x, &c, "SP-2-f", d);
        free(l);
        break;
    }
    case SW_FLOOD: rc = many_queries(x, &c, FLOOD_N, true, "SP-9.1-c", d);
        break;
    case SW_KINDS: break;
    }
    (void)req;
    sw_conn_close(&c);
    return rc ? -1 : 0;
}

/* ---- The suite -------------------------------------------------------------------- */

static void *sw_load(const char *dir, char *why, size_t whylen)
{
    (void)dir;
    (void)why;
    (void)whylen;
    /* The wire suite builds its own traffic: nothing to load. */
    return tr_xcalloc(1, 1);
}

static void sw_free(void *vectors)
{
    free(vectors);
}

static void sw_cases(const tr_suite *self, const void *vectors,
                     const tr_suite_env *env, tr_cases *cs)
{
    (void)vectors;
    for (int k = 0; k < SW_KINDS; k++)
        tr_cases_add(cs, self, k, 0, false, sw_cases_table[k].reqs,
                     "splinter.wire.%s.%s", tr_scheme_name(env->scheme),
                     sw_cases_table[k].name);
}

extern const tr_suite tr_splinter_wire_suite;

static int sw_run(tr_run *r, void *vectors)
{
    (void)vectors;
    sw_ctx x = {.timeout_ms = r->o->timeout_ms};
    char why[512];
    const char *url = tr_suite_url(r->o, &tr_splinter_wire_suite);
    if (tr_url_parse(url, &x.url, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: --splinter %s\n", why);
        return 2;
    }
    if (x.url.scheme == TR_UDP) {
        fputs("tamtam-run: --splinter takes tcp:// or unix:// (Splinter "
              "lines need a byte stream)\n", stderr);
        return 2;
    }
    /* The service must accept a connection within the start-up allowance
     * (HP-7-b); otherwise the harness cannot run. */
    int fd = tr_connect(&x.url, tr_now_ms() + r->o->start_timeout_ms, why,
                        sizeof why);
    if (fd < 0) {
        fprintf(stderr, "tamtam-run: the Splinter service could not be "
                        "reached: %s\n", why);
        return 2;
    }
    close(fd);
    for (size_t i = 0; i < r->cases->n; i++) {
        tr_case *c = &r->cases->c[i];
        if (c->suite != &tr_splinter_wire_suite || !tr_selected(r->o, c->id))
            continue;
        tr_verbose(r->progress, "%s\n", c->id);
        int64_t t0 = tr_now_us();
        tr_buf d = {0};
        bool unsupported = false;
        int res = run_case(&x, c, &d, &unsupported);
        tr_case_done(r, c, unsupported ? TR_UNSUPPORTED
                           : res       ? TR_FAIL
                                       : TR_PASS,
                     tr_buf_take(&d), t0);
    }
    return 0;
}

const tr_suite tr_splinter_wire_suite = {
    .name = "splinter wire",
    .protocol = "splinter/1",
    .req_prefix = "SP-",
    .mode = TR_MODE_NODE,
    .option = "splinter",
    .load = sw_load,
    .free = sw_free,
    .cases = sw_cases,
    .run = sw_run,
};
