/* The reference Splinter service: one epoll loop over listeners and
 * connections, non-blocking sockets, level-triggered, as the echo node.
 *
 * Each loop turn has two phases. Read: every readable connection is read
 * once (at most SC_READ_MAX bytes) and each complete line is judged by
 * sp_validate; a fault is answered at once (sp_fault_reply), a valid line
 * that needs work (a query, a chunk of one, a heartbeat for this service)
 * joins the inbox, or gets 4100 when the inbox is full. Work: the inbox is
 * drained in arrival order. So the inbox holds the lines of one turn's
 * reads, and --inbox N bounds how many one turn may queue. Streams past
 * their deadline are reported (4200) on a tick while any is held. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accept.h"
#include "log.h"
#include "signals.h"
#include "sp_ops.h"
#include "splinter_node.h"

#define MAX_EVENTS 256
#define ACCEPT_BATCH 64
#define SC_READ_MAX (16 * 1024)  /* bytes read per connection per turn */
#define SC_OUT_CAP (64 * 1024)   /* unsent output above which reads stop */
/* Bytes of one line held before its LF: the line, and a CR (SP-2-f). */
#define SC_LINE_HOLD ((size_t)SP_LINE_MAX + 1)
#define SC_KEEP_BUF (64 * 1024)  /* input buffer kept when idle */
#define INBOX_BYTES_MAX (16u * 1024 * 1024) /* line bytes in the inbox */
#define CHUNKS_MAX 1024          /* most chunks a query may ask for */
#define TICK_MS 50               /* stream deadlines checked this often */
#define ALLOW_FILE_MAX (1024 * 1024)

enum kind { KIND_LISTENER, KIND_CONN };

struct listener {
    int kind; /* first member, as in struct sconn */
    int fd;
    const struct url *url;
    char name[160];
};

struct sconn {
    int kind;
    int fd;
    uint32_t events;
    bool peer_done;
    struct sconn *prev, *next;
    char *in;            /* held bytes of unfinished lines */
    size_t in_len, in_cap, scanned;
    bool skipping;       /* inside a line longer than SC_LINE_HOLD */
    char *out;           /* unsent output: out[out_off..out_len) */
    size_t out_off, out_len, out_cap;
    sp_reasm *reasm;     /* chunked queries, created on the first chunk */
    char peer[176];
};

struct item {
    struct sconn *c;
    sp_time arrival;
    size_t len;
    struct item *next;
    char line[]; /* the line with its LF */
};

struct service {
    int ep;
    const struct splinter_opts *o;
    size_t nconns;
    struct sconn *conns;
    struct listener *listeners;
    size_t nlisteners;
    struct item *head, *tail;
    size_t inbox_n, inbox_bytes;
    unsigned long refused, silent_faults, ignored;
};

/* ---- output ---- */

static void queue_out(struct sconn *c, const char *p, size_t n)
{
    if (c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_cap - c->out_len < n) {
        size_t cap = c->out_cap ? 2 * c->out_cap : SC_READ_MAX;
        while (cap - c->out_len < n)
            cap *= 2;
        c->out = need(realloc(c->out, cap));
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

/* Queues `text` and its LF, and frees it: every text sent is printed by
 * cJSON (here or inside libsplinter), so it is cJSON's to free. */
static void send_line(struct sconn *c, char *text)
{
    queue_out(c, text, strlen(text));
    queue_out(c, "\n", 1);
    cJSON_free(text);
}

static void count_silent(struct service *s, struct sconn *c, int fault,
                         const char *why)
{
    if (log_sparse(&s->silent_faults) || log_is_verbose())
        log_msg("%s: fault %d %s without a reply (%s); %lu so far",
                c->peer, fault, sp_fault_symbol(fault), why,
                s->silent_faults);
}

/* Answers `fault` to the line `line` (with its LF) through the library's
 * reply builder, or counts it when no reply is possible (SP-9.2-c/d). */
static void reply_fault(struct service *s, struct sconn *c, const char *line,
                        size_t len, int fault, const char *detail)
{
    sp_time now = node_sp_now();
    char *text;
    int r = sp_fault_reply(line, len, fault, detail && *detail ? detail : NULL,
                           s->o->name, &now, &text);
    if (r == SP_ERR_NO_MEMORY)
        need(NULL);
    if (r >= 0)
        send_line(c, text);
    else
        count_silent(s, c, fault, detail && *detail ? detail : "no id or "
                                                               "from");
}

static void reply_fault_to(struct service *s, struct sconn *c, const char *id,
                           const char *to, int fault, const char *detail)
{
    sp_time now = node_sp_now();
    char *text;
    int r = sp_error_envelope(id, to, fault, detail, s->o->name, &now, &text);
    if (r == SP_ERR_NO_MEMORY)
        need(NULL);
    if (r >= 0)
        send_line(c, text);
    else
        count_silent(s, c, fault, "cannot build the reply");
}

/* A new envelope {"id","ts","from","to","type"} in the member order of
 * the library's replies (SP-9.2-a); the caller adds the rest. */
static cJSON *envelope_new(struct service *s, const char *id, const char *to,
                           const char *type)
{
    char ts[40];
    sp_time now = node_sp_now();
    if (sp_time_format(&now, 3, ts, sizeof ts) < 0)
        snprintf(ts, sizeof ts, "1970-01-01T00:00:00.000Z");
    cJSON *e = need(cJSON_CreateObject());
    need(cJSON_AddStringToObject(e, "id", id));
    need(cJSON_AddStringToObject(e, "ts", ts));
    need(cJSON_AddStringToObject(e, "from", s->o->name));
    need(cJSON_AddStringToObject(e, "to", to));
    need(cJSON_AddStringToObject(e, "type", type));
    return e;
}

/* Prints `e` (deleted here); NULL when the line would pass SP_LINE_MAX. */
static char *envelope_text(cJSON *e)
{
    char *text = need(cJSON_PrintUnformatted(e));
    cJSON_Delete(e);
    if (strlen(text) > SP_LINE_MAX) {
        cJSON_free(text);
        return NULL;
    }
    return text;
}

static void announce(struct service *s, struct sconn *c)
{
    uint8_t rnd[10];
    char id[SP_UUID_LEN + 1], *text;
    sp_time now = node_sp_now();
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        memset(rnd, 0x5a, sizeof rnd); /* ids need not be secret */
    uint64_t ms = (uint64_t)now.sec * 1000u + now.nsec / 1000000u;
    sp_uuid7(ms, rnd, id);
    if (sp_announce(id, s->o->name, &now, &text) < 0)
        need(NULL);
    send_line(c, text);
}

/* ---- work ---- */

static bool for_us(struct service *s, const char *to)
{
    return strcmp(to, "echo") == 0 || strcmp(to, "*") == 0 ||
           strcmp(to, s->o->name) == 0;
}

static void add_trace(cJSON *e, const sp_envelope *env)
{
    if (env->trace)
        need(cJSON_AddStringToObject(e, "trace", env->trace));
}

/* Length of the longest prefix of `p` (n bytes) not longer than `max` that
 * ends on a UTF-8 character boundary. */
static size_t utf8_cut(const char *p, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* The response to a query whose payload asks for `n` chunks: the compact
 * text of the payload cut into `n` strings (the last ones may be empty),
 * chunk i carrying piece i (SP-8-b: seq 0.., eof on the last). */
static void respond_chunked(struct service *s, struct sconn *c,
                            const sp_envelope *env, const cJSON *payload,
                            unsigned n)
{
    char *text = need(cJSON_PrintUnformatted(payload));
    size_t len = strlen(text), at = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t want = (len - at + (n - i) - 1) / (n - i);
        size_t take = utf8_cut(text + at, len - at, want);
        if (take == 0 && want > 0)
            take = utf8_cut(text + at, len - at, want + 3);
        char save = text[at + take];
        text[at + take] = '\0';
        cJSON *e = envelope_new(s, env->id, env->from, "response");
        need(cJSON_AddNumberToObject(e, "seq", i));
        need(cJSON_AddBoolToObject(e, "eof", i + 1 == n));
        add_trace(e, env);
        need(cJSON_AddStringToObject(e, "payload", text + at));
        text[at + take] = save;
        at += take;
        char *line = envelope_text(e);
        if (!line) { /* a piece is at most 1 MiB / 1: cannot happen */
            reply_fault_to(s, c, env->id, env->from, SP_FAULT_INTERNAL_ERROR,
                           "a response chunk would be longer than 1 MiB");
            break;
        }
        send_line(c, line);
    }
    cJSON_free(text);
}

/* Echo: a response carrying `payload` (taken over), whole or in chunks when
 * it is an object whose "chunks" is a number. */
static void respond(struct service *s, struct sconn *c, const sp_envelope *env,
                    cJSON *payload)
{
    const cJSON *chunks =
        cJSON_IsObject(payload)
            ? cJSON_GetObjectItemCaseSensitive(payload, "chunks")
            : NULL;
    bool chunked = chunks && cJSON_IsNumber(chunks);
    double n = chunked ? chunks->valuedouble : 0;
    /* Numbers exactly as read (cJSON alone prints 15 digits); "chunks" is
     * read before, as a number. */
    cJSON *box = need(cJSON_CreateArray());
    cJSON_AddItemToArray(box, payload);
    node_exact_numbers(box);
    payload = cJSON_DetachItemFromArray(box, 0);
    cJSON_Delete(box);
    if (chunked) {
        if (!(n >= 1 && n <= CHUNKS_MAX) || n != (double)(unsigned)n)
            reply_fault_to(s, c, env->id, env->from, SP_FAULT_INTERNAL_ERROR,
                           "\"chunks\" must be an integer from 1 to 1024");
        else
            respond_chunked(s, c, env, payload, (unsigned)n);
        cJSON_Delete(payload);
        return;
    }
    cJSON *e = envelope_new(s, env->id, env->from, "response");
    add_trace(e, env);
    if (!cJSON_AddItemToObject(e, "payload", payload))
        need(NULL);
    char *line = envelope_text(e);
    if (line)
        send_line(c, line);
    else
        reply_fault_to(s, c, env->id, env->from, SP_FAULT_INTERNAL_ERROR,
                       "the response would be longer than 1 MiB; ask for "
                       "it in chunks");
}

static void report_expired(struct service *s, struct sconn *c,
                           const sp_time *now)
{
    sp_expired x;
    while (c->reasm && sp_reasm_expire(c->reasm, now, &x) > 0) {
        char detail[128];
        snprintf(detail, sizeof detail,
                 "chunk %llu%s still missing when the deadline passed",
                 (unsigned long long)x.next_seq,
                 x.eof_seen ? "" : " (or later, no eof yet)");
        reply_fault_to(s, c, x.id, x.from, SP_FAULT_STREAM_TIMEOUT, detail);
        free(x.from);
    }
}

/* A chunk of a query: held until its stream is complete, then answered
 * with the array of its payloads in seq order. */
static void work_chunk(struct service *s, struct sconn *c, sp_envelope *env,
                       const struct item *it)
{
    if (!c->reasm)
        c->reasm = need(sp_reasm_new(NULL));
    sp_chunk_result cr;
    if (sp_reasm_push(c->reasm, env, &it->arrival, &cr) == SP_ERR_NO_MEMORY)
        need(NULL);
    if (cr.fault) {
        reply_fault(s, c, it->line, it->len, cr.fault, cr.detail);
    } else if (cr.complete) {
        cJSON *all = need(cJSON_CreateArray());
        char *text;
        while (sp_reasm_take(c->reasm, env->from, env->id, &text) > 0) {
            cJSON_AddItemToArray(all, need(cJSON_Parse(text)));
            cJSON_free(text);
        }
        if (for_us(s, env->to)) {
            respond(s, c, env, all);
        } else {
            cJSON_Delete(all);
            reply_fault(s, c, it->line, it->len, SP_FAULT_INTERNAL_ERROR,
                        "this service answers queries to \"echo\" only");
        }
    }
    report_expired(s, c, &it->arrival);
}

static void work(struct service *s, struct item *it)
{
    struct sconn *c = it->c;
    sp_envelope env;
    sp_check chk;
    /* Judged again at its arrival time: the same verdict as when it was
     * queued; the inbox keeps text, not cJSON trees (up to ~40 times
     * larger). */
    int r = sp_validate(it->line, it->len, s->o->allow, &it->arrival, &env,
                        &chk);
    if (r == SP_ERR_NO_MEMORY)
        need(NULL);
    if (r != 0) {
        reply_fault(s, c, it->line, it->len,
                    r > 0 ? r : SP_FAULT_INTERNAL_ERROR, chk.detail);
    } else if (env.type == SP_TYPE_HEARTBEAT) {
        cJSON *e = envelope_new(s, env.id, env.from, "heartbeat");
        add_trace(e, &env);
        char *line = envelope_text(e);
        if (line)
            send_line(c, line);
        else /* a `from` of nearly 1 MiB */
            reply_fault_to(s, c, env.id, env.from, SP_FAULT_INTERNAL_ERROR,
                           "the heartbeat would be longer than 1 MiB");
    } else if (env.has_seq) {
        work_chunk(s, c, &env, it);
    } else if (!for_us(s, env.to)) {
        reply_fault(s, c, it->line, it->len, SP_FAULT_INTERNAL_ERROR,
                    "this service answers queries to \"echo\" only");
    } else {
        respond(s, c, &env,
                need(cJSON_DetachItemFromObjectCaseSensitive(env.root,
                                                             "payload")));
    }
    sp_envelope_free(&env);
}

static void drain_inbox(struct service *s)
{
    while (s->head) {
        struct item *it = s->head;
        s->head = it->next;
        if (!s->head)
            s->tail = NULL;
        s->inbox_n--;
        s->inbox_bytes -= it->len;
        work(s, it);
        free(it);
    }
}

/* ---- reading ---- */

/* Whether a valid envelope needs the work phase: queries (whole or
 * chunks) and heartbeats for this service. Everything else (responses,
 * events, errors, heartbeats for others, chunks of other types) is only
 * counted: this service asked for nothing and never answers errors. */
static bool needs_work(struct service *s, const sp_envelope *env)
{
    if (env->type == SP_TYPE_HEARTBEAT)
        return !env->has_seq && for_us(s, env->to);
    return env->type == SP_TYPE_QUERY;
}

static void judge_line(struct service *s, struct sconn *c, const char *line,
                       size_t len)
{
    sp_time now = node_sp_now();
    sp_envelope env;
    sp_check chk;
    int r = sp_validate(line, len, s->o->allow, &now, &env, &chk);
    if (r == SP_ERR_NO_MEMORY)
        need(NULL);
    if (r != 0) {
        reply_fault(s, c, line, len, r > 0 ? r : SP_FAULT_INTERNAL_ERROR,
                    chk.detail);
    } else if (!needs_work(s, &env)) {
        if (log_sparse(&s->ignored) && log_is_verbose())
            log_msg("%s: a %s for \"%s\" needs no answer; %lu so far",
                    c->peer, env.type_name, env.to, s->ignored);
    } else if (s->inbox_n >= s->o->inbox ||
               s->inbox_bytes + len > INBOX_BYTES_MAX) {
        char detail[96];
        snprintf(detail, sizeof detail, "the inbox is full (%zu lines, "
                 "--inbox %u)", s->inbox_n, s->o->inbox);
        reply_fault_to(s, c, env.id, env.from, SP_FAULT_BACKPRESSURE, detail);
    } else {
        struct item *it = need(malloc(sizeof *it + len));
        it->c = c;
        it->arrival = now;
        it->len = len;
        it->next = NULL;
        memcpy(it->line, line, len);
        if (s->tail)
            s->tail->next = it;
        else
            s->head = it;
        s->tail = it;
        s->inbox_n++;
        s->inbox_bytes += len;
    }
    sp_envelope_free(&env);
}

/* Cuts the held bytes into lines (each with its LF) and judges them; keeps
 * an unfinished line, or drops it once it is longer than a line may be
 * (SP-2-f: fault 1000, no id can be read, counted). */
static void take_lines(struct service *s, struct sconn *c)
{
    size_t start = 0;
    for (;;) {
        char *nl = memchr(c->in + start + c->scanned, '\n',
                          c->in_len - start - c->scanned);
        if (!nl)
            break;
        size_t end = (size_t)(nl - c->in) + 1;
        if (c->skipping)
            c->skipping = false;
        else
            judge_line(s, c, c->in + start, end - start);
        start = end;
        c->scanned = 0;
    }
    c->scanned = c->in_len - start;
    if (c->skipping) {
        start = c->in_len;
        c->scanned = 0;
    } else if (c->scanned > SC_LINE_HOLD) {
        count_silent(s, c, SP_FAULT_BAD_SCHEMA,
                     "a line longer than 1 MiB, skipped to its newline");
        c->skipping = true;
        start = c->in_len;
        c->scanned = 0;
    }
    if (start > 0) {
        memmove(c->in, c->in + start, c->in_len - start);
        c->in_len -= start;
    }
    if (c->in_len == 0 && c->in_cap > SC_KEEP_BUF) {
        free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    }
}

enum { SC_OPEN, SC_DONE };

static int sc_write(struct sconn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            log_verbose("%s: send: %s", c->peer, strerror(errno));
            return SC_DONE;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->out_len == 0 && c->out_cap > SC_OUT_CAP) {
        free(c->out);
        c->out = NULL;
        c->out_cap = 0;
    }
    return c->peer_done && c->out_len == 0 ? SC_DONE : SC_OPEN;
}

static int sc_read(struct service *s, struct sconn *c)
{
    if (c->in_cap - c->in_len < SC_READ_MAX) {
        size_t cap = c->in_cap ? 2 * c->in_cap : SC_READ_MAX;
        while (cap - c->in_len < SC_READ_MAX)
            cap *= 2;
        if (cap > SC_LINE_HOLD + SC_READ_MAX)
            cap = SC_LINE_HOLD + SC_READ_MAX;
        c->in = need(realloc(c->in, cap));
        c->in_cap = cap;
    }
    ssize_t n;
    do
        n = recv(c->fd, c->in + c->in_len, SC_READ_MAX, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return SC_OPEN;
        log_verbose("%s: recv: %s", c->peer, strerror(errno));
        return SC_DONE;
    }
    if (n == 0) {
        /* A last line without LF is not a line (SP-2-a): dropped. */
        c->peer_done = true;
        return SC_OPEN;
    }
    c->in_len += (size_t)n;
    take_lines(s, c);
    return SC_OPEN;
}

static bool wants_read(const struct sconn *c)
{
    return !c->peer_done && c->out_len - c->out_off < SC_OUT_CAP;
}

/* ---- connections ---- */

static void update_interest(struct service *s, struct sconn *c)
{
    uint32_t want = (wants_read(c) ? EPOLLIN : 0) |
                    (c->out_len > c->out_off ? EPOLLOUT : 0);
    if (want == c->events)
        return;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->events = want;
}

static void sconn_free(struct sconn *c)
{
    log_verbose("%s: closed", c->peer);
    close(c->fd);
    sp_reasm_free(c->reasm);
    free(c->in);
    free(c->out);
    free(c);
}

static void close_conn(struct service *s, struct sconn *c)
{
    /* Lines of this connection still in the inbox go with it. */
    struct item **pp = &s->head;
    s->tail = NULL;
    while (*pp) {
        struct item *it = *pp;
        if (it->c == c) {
            *pp = it->next;
            s->inbox_n--;
            s->inbox_bytes -= it->len;
            free(it);
        } else {
            s->tail = it;
            pp = &it->next;
        }
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    sconn_free(c);
}

static void on_listener(struct service *s, struct listener *l)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept_conn(l->fd, (struct sockaddr *)&ss, &len,
                             SOCK_NONBLOCK);
        if (fd < 0)
            return;
        if (s->nconns >= s->o->max_conns) {
            close(fd);
            if (log_sparse(&s->refused))
                log_msg("%lu connections refused so far (--max-conns %u)",
                        s->refused, s->o->max_conns);
            continue;
        }
        struct sconn *c = need(calloc(1, sizeof *c));
        c->kind = KIND_CONN;
        c->fd = fd;
        if (l->url->scheme == URL_TCP)
            url_format_addr(URL_TCP, &ss, len, c->peer, sizeof c->peer);
        else
            snprintf(c->peer, sizeof c->peer, "%s (fd %d)", l->name, fd);
        announce(s, c); /* SP-10-b, on every new connection */
        c->events = EPOLLIN | EPOLLOUT;
        struct epoll_event ev = {.events = c->events, .data.ptr = c};
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            log_msg("epoll_ctl: %s", strerror(errno));
            close(fd);
            free(c->out);
            free(c);
            continue;
        }
        c->next = s->conns;
        if (s->conns)
            s->conns->prev = c;
        s->conns = c;
        s->nconns++;
        log_verbose("%s: connected", c->peer);
    }
}

static void on_conn(struct service *s, struct sconn *c, uint32_t events)
{
    int st = SC_OPEN;
    if (events & EPOLLERR) {
        st = SC_DONE;
    } else {
        if ((events & (EPOLLIN | EPOLLHUP)) && wants_read(c))
            st = sc_read(s, c);
        if (st == SC_OPEN && (events & EPOLLOUT))
            st = sc_write(c);
        if (st == SC_OPEN && (events & EPOLLHUP) && !(events & EPOLLIN))
            st = SC_DONE; /* both directions gone */
    }
    if (st == SC_DONE)
        close_conn(s, c);
}

/* After the work phase: flush what each connection has, close the ones
 * that are finished, and register what each wants next. */
static void settle(struct service *s)
{
    struct sconn *c = s->conns;
    while (c) {
        struct sconn *next = c->next;
        int st = sc_write(c);
        if (st == SC_DONE)
            close_conn(s, c);
        else
            update_interest(s, c);
        c = next;
    }
}

static bool streams_held(const struct service *s)
{
    for (const struct sconn *c = s->conns; c; c = c->next)
        if (c->reasm && sp_reasm_streams(c->reasm) > 0)
            return true;
    return false;
}

static void tick(struct service *s)
{
    sp_time now = node_sp_now();
    for (struct sconn *c = s->conns; c; c = c->next)
        if (c->reasm && sp_reasm_streams(c->reasm) > 0)
            report_expired(s, c, &now);
}

/* ---- set-up ---- */

cJSON *splinter_load_allow(const char *path, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_cap, "--allow %s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = need(malloc(ALLOW_FILE_MAX + 1));
    size_t n = fread(text, 1, ALLOW_FILE_MAX + 1, f);
    fclose(f);
    cJSON *allow = n <= ALLOW_FILE_MAX ? cJSON_ParseWithLength(text, n) : NULL;
    free(text);
    if (!allow) {
        snprintf(why, why_cap, "--allow %s: not a JSON file of at most 1 MiB",
                 path);
        return NULL;
    }
    /* The library judges the shape (SP-6-c): try it on a valid line. */
    static const char probe[] = "{\"id\":\"x\",\"ts\":\"2000-01-01T00:00:00Z\","
                                "\"from\":\"x\",\"type\":\"heartbeat\"}";
    sp_envelope env;
    sp_check chk;
    int r = sp_validate(probe, sizeof probe - 1, allow, NULL, &env, &chk);
    sp_envelope_free(&env);
    if (r == SP_ERR_NO_MEMORY)
        need(NULL);
    if (r < 0) {
        snprintf(why, why_cap, "--allow %s: not an object of arrays of "
                 "recipient strings (spec/splinter-envelope.md SP-6-c)",
                 path);
        cJSON_Delete(allow);
        return NULL;
    }
    return allow;
}

static void raise_fd_limit(unsigned max_conns)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)max_conns + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
        log_msg("descriptor limit %llu is below --max-conns %u plus "
                "listeners; extra connections will be refused",
                (unsigned long long)rl.rlim_cur, max_conns);
}

static void shut_down(struct service *s)
{
    while (s->head) {
        struct item *it = s->head;
        s->head = it->next;
        free(it);
    }
    struct sconn *c = s->conns;
    while (c) {
        struct sconn *next = c->next;
        sconn_free(c);
        c = next;
    }
    for (size_t i = 0; i < s->nlisteners; i++) {
        struct listener *l = &s->listeners[i];
        if (l->fd < 0)
            continue;
        close(l->fd);
        if (l->url->scheme == URL_UNIX)
            unlink(l->url->path);
    }
    free(s->listeners);
    if (s->ep >= 0)
        close(s->ep);
    free(s);
}

static int open_listeners(struct service *s, const struct url *urls, size_t n)
{
    s->listeners = need(calloc(n, sizeof *s->listeners));
    for (size_t i = 0; i < n; i++) {
        struct listener *l = &s->listeners[i];
        const char *why;
        l->kind = KIND_LISTENER;
        l->fd = -1;
        l->url = &urls[i];
        s->nlisteners++;
        l->fd = url_listen(&urls[i], l->name, sizeof l->name, &why);
        if (l->fd < 0) {
            log_msg("%s: %s", why, strerror(errno));
            return -1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, l->fd, &ev) < 0) {
            log_msg("epoll_ctl: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

int splinter_run(const struct url *urls, size_t n,
                 const struct splinter_opts *o)
{
    struct service *s = need(calloc(1, sizeof *s));
    s->o = o;
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    if (s->ep < 0 || signals_catch() < 0) {
        log_msg("cannot set up the event loop: %s", strerror(errno));
        shut_down(s);
        return 1;
    }
    if (open_listeners(s, urls, n) < 0) {
        shut_down(s);
        return 1;
    }
    raise_fd_limit(o->max_conns);
    accept_reserve_init();
    for (size_t i = 0; i < s->nlisteners; i++)
        printf("listening %s\n", s->listeners[i].name);
    fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    while (!signals_stop_requested()) {
        int timeout = streams_held(s) ? TICK_MS : -1;
        int k = epoll_pwait(s->ep, evs, MAX_EVENTS, timeout,
                            signals_wait_mask());
        if (k < 0) {
            if (errno == EINTR)
                continue;
            log_msg("epoll_wait: %s", strerror(errno));
            break;
        }
        /* Read phase. Only the connection an event names is closed while
         * handling it, so later events never point at freed memory. */
        for (int i = 0; i < k; i++) {
            if (*(int *)evs[i].data.ptr == KIND_CONN)
                on_conn(s, evs[i].data.ptr, evs[i].events);
            else
                on_listener(s, evs[i].data.ptr);
        }
        drain_inbox(s); /* work phase */
        tick(s);
        settle(s);
    }
    shut_down(s);
    return 0;
}
