/* The bounded stream reassembler (spec section 8). Sans-I/O: the caller
 * feeds validated chunks with their arrival time and takes payloads. */
#include <stdlib.h>
#include <string.h>

#include "splinter/splinter.h"

/* A held chunk: seq in [base, base + SP_WINDOW), slot seq % SP_WINDOW. */
struct held {
    char *text; /* compact JSON of the payload; NULL when the slot is empty */
    size_t len;
    bool eof;
};

/* What is kept of a delivered chunk, to judge duplicates (SP-8-e/f): seq in
 * [base - SP_WINDOW, base), slot seq % SP_WINDOW. */
struct done {
    uint64_t hash; /* FNV-1a 64 of the compact JSON text */
    size_t len;
    bool eof, used;
};

struct ready {
    char *text;
    size_t len;
    struct ready *next;
};

struct stream {
    struct stream *next;
    char *from;
    char id[SP_ID_MAX + 1];
    sp_type type;
    sp_time deadline;
    uint64_t base; /* lowest seq not delivered */
    uint64_t eof_seq;
    bool eof_seen, complete, timed_out;
    size_t bytes; /* held + ready text */
    struct held held[SP_WINDOW];
    struct done done[SP_WINDOW];
    struct ready *head, *tail;
    size_t nready;
};

struct sp_reasm {
    sp_reasm_limits lim;
    struct stream *streams;
    size_t nstreams, bytes;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

sp_reasm *sp_reasm_new(const sp_reasm_limits *lim)
{
    sp_reasm *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (lim)
        r->lim = *lim;
    if (!r->lim.max_streams)
        r->lim.max_streams = SP_MAX_STREAMS;
    if (!r->lim.max_stream_bytes)
        r->lim.max_stream_bytes = SP_STREAM_BYTES_MAX;
    if (!r->lim.max_total_bytes)
        r->lim.max_total_bytes = SP_TOTAL_BYTES_MAX;
    if (!r->lim.timeout_ms)
        r->lim.timeout_ms = SP_STREAM_TIMEOUT_MS;
    return r;
}

static void drop_held(sp_reasm *r, struct stream *s)
{
    for (size_t i = 0; i < SP_WINDOW; i++)
        if (s->held[i].text) {
            s->bytes -= s->held[i].len;
            r->bytes -= s->held[i].len;
            free(s->held[i].text);
            s->held[i].text = NULL;
        }
}

static void free_stream(sp_reasm *r, struct stream *s)
{
    drop_held(r, s);
    while (s->head) {
        struct ready *n = s->head->next;
        r->bytes -= s->head->len;
        free(s->head->text);
        free(s->head);
        s->head = n;
    }
    free(s->from);
    free(s);
}

void sp_reasm_free(sp_reasm *r)
{
    if (!r)
        return;
    while (r->streams) {
        struct stream *n = r->streams->next;
        free_stream(r, r->streams);
        r->streams = n;
    }
    free(r);
}

/* SP-8-g / SP-8-i: incomplete streams past their deadline are given up
 * (held chunks freed; reported by sp_reasm_expire); complete ones whose
 * payloads were all taken are forgotten. */
static void sweep(sp_reasm *r, const sp_time *now)
{
    struct stream **pp = &r->streams;
    while (*pp) {
        struct stream *s = *pp;
        if (sp_time_cmp(now, &s->deadline) > 0) {
            if (s->complete && s->nready == 0) {
                *pp = s->next;
                free_stream(r, s);
                r->nstreams--;
                continue;
            }
            if (!s->complete && !s->timed_out) {
                s->timed_out = true;
                drop_held(r, s);
            }
        }
        pp = &s->next;
    }
}

static struct stream *find(const sp_reasm *r, const char *from, const char *id,
                           bool live_only)
{
    for (struct stream *s = r->streams; s; s = s->next)
        if ((!live_only || !s->timed_out) && strcmp(s->id, id) == 0 &&
            strcmp(s->from, from) == 0)
            return s;
    return NULL;
}

static void chunk_fault(sp_chunk_result *res, int fault, const char *req,
                        const char *detail)
{
    res->fault = fault;
    res->req = req;
    strncpy(res->detail, detail, sizeof res->detail - 1);
    res->detail[sizeof res->detail - 1] = '\0';
}

/* Moves every held chunk from base on into the ready queue (SP-8-c). */
static void advance(struct stream *s)
{
    for (;;) {
        struct held *h = &s->held[s->base % SP_WINDOW];
        if (!h->text)
            break;
        struct ready *rd = malloc(sizeof *rd);
        if (!rd)
            break; /* stays held; delivered on a later push */
        rd->text = h->text;
        rd->len = h->len;
        rd->next = NULL;
        if (s->tail)
            s->tail->next = rd;
        else
            s->head = rd;
        s->tail = rd;
        s->nready++;
        struct done *d = &s->done[s->base % SP_WINDOW];
        d->hash = fnv1a(h->text, h->len);
        d->len = h->len;
        d->eof = h->eof;
        d->used = true;
        h->text = NULL;
        s->base++;
    }
    if (s->eof_seen && s->base == s->eof_seq + 1)
        s->complete = true;
}

static int judge(sp_reasm *r, struct stream *s, const sp_envelope *env,
                 char *text, size_t len, sp_chunk_result *res)
{
    uint64_t seq = env->seq;
    if (env->type != s->type) {
        chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-a",
                    "the chunk's type differs from its stream's");
        return 0;
    }
    if (s->complete) {
        chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                    "the stream is already complete");
        return 0;
    }
    if (s->eof_seen && seq > s->eof_seq) {
        chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                    "chunk after the eof chunk");
        return 0;
    }
    if (env->eof && s->eof_seen && seq != s->eof_seq) {
        chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                    "a second eof:true at another seq");
        return 0;
    }
    if (seq < s->base) {
        const struct done *d = &s->done[seq % SP_WINDOW];
        if (s->base - seq > SP_WINDOW || !d->used) {
            chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                        "seq below the window, cannot be compared");
            return 0;
        }
        if (d->len == len && d->eof == env->eof &&
            d->hash == fnv1a(text, len)) {
            res->notes |= SP_NOTE_DUPLICATE_CHUNK;
            return 0;
        }
        chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                    "duplicate seq with a different payload or eof");
        return 0;
    }
    if (seq - s->base >= SP_WINDOW) {
        chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                    "seq past the window of 64");
        return 0;
    }
    struct held *h = &s->held[seq % SP_WINDOW];
    if (h->text) {
        if (h->len == len && h->eof == env->eof &&
            memcmp(h->text, text, len) == 0) {
            res->notes |= SP_NOTE_DUPLICATE_CHUNK;
            return 0;
        }
        chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                    "duplicate seq with a different payload or eof");
        return 0;
    }
    if (env->eof) {
        /* Everything held or delivered must lie at or below the eof seq. */
        bool above = false;
        for (size_t i = 0; i < SP_WINDOW && !above; i++) {
            uint64_t held_seq = s->base + i;
            if (held_seq > seq && s->held[held_seq % SP_WINDOW].text)
                above = true;
        }
        if (above) {
            chunk_fault(res, SP_FAULT_BAD_SCHEMA, "SP-8-f",
                        "eof:true below a seq already received");
            return 0;
        }
    }
    if (s->bytes + len > r->lim.max_stream_bytes ||
        r->bytes + len > r->lim.max_total_bytes) {
        chunk_fault(res, SP_FAULT_BACKPRESSURE, "SP-8-h",
                    "the reassembler's memory limit is reached");
        return 0;
    }
    h->text = text;
    h->len = len;
    h->eof = env->eof;
    s->bytes += len;
    r->bytes += len;
    if (env->eof) {
        s->eof_seen = true;
        s->eof_seq = seq;
    }
    advance(s);
    return 1; /* text is the stream's now */
}

int sp_reasm_push(sp_reasm *r, const sp_envelope *env, const sp_time *now,
                  sp_chunk_result *res)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!r || !env || !now || !res || !env->has_seq || !env->id ||
        !env->from || !env->has_ts || strlen(env->id) > SP_ID_MAX)
        return SP_ERR_INVALID_ARGUMENT;
    sweep(r, now);
    struct stream *s = find(r, env->from, env->id, true);
    bool fresh = !s;
    if (!s) {
        if (r->nstreams >= r->lim.max_streams) {
            chunk_fault(res, SP_FAULT_BACKPRESSURE, "SP-8-h",
                        "too many streams at once");
            return 0;
        }
        s = calloc(1, sizeof *s);
        if (!s)
            return SP_ERR_NO_MEMORY;
        s->from = strdup(env->from);
        if (!s->from) {
            free(s);
            return SP_ERR_NO_MEMORY;
        }
        memcpy(s->id, env->id, strlen(env->id) + 1); /* <= SP_ID_MAX */
        s->type = env->type;
        s->deadline = env->has_ttl ? sp_time_add_ms(&env->ts, env->ttl_ms)
                                   : sp_time_add_ms(now, r->lim.timeout_ms);
        s->next = r->streams;
        r->streams = s;
        r->nstreams++;
    }
    char *text = env->payload ? cJSON_PrintUnformatted(env->payload)
                              : strdup("null");
    if (!text)
        return SP_ERR_NO_MEMORY;
    if (!judge(r, s, env, text, strlen(text), res)) {
        free(text);
        if (fresh) { /* a refused first chunk opens no stream */
            r->streams = s->next;
            free_stream(r, s);
            r->nstreams--;
            return 0;
        }
    }
    res->ready = s->nready;
    res->complete = s->complete;
    return 0;
}

int sp_reasm_take(sp_reasm *r, const char *from, const char *id,
                  char **payload)
{
    if (!r || !from || !id || !payload)
        return SP_ERR_INVALID_ARGUMENT;
    struct stream *s = find(r, from, id, false);
    if (!s)
        return SP_ERR_NOT_FOUND;
    struct ready *rd = s->head;
    if (!rd)
        return 0;
    s->head = rd->next;
    if (!s->head)
        s->tail = NULL;
    s->nready--;
    s->bytes -= rd->len;
    r->bytes -= rd->len;
    *payload = rd->text;
    free(rd);
    return 1;
}

bool sp_reasm_complete(const sp_reasm *r, const char *from, const char *id)
{
    const struct stream *s = r && from && id ? find(r, from, id, false) : NULL;
    return s && s->complete;
}

int sp_reasm_expire(sp_reasm *r, const sp_time *now, sp_expired *x)
{
    if (!r || !now || !x)
        return SP_ERR_INVALID_ARGUMENT;
    memset(x, 0, sizeof *x);
    sweep(r, now);
    for (struct stream **pp = &r->streams; *pp; pp = &(*pp)->next) {
        struct stream *s = *pp;
        if (!s->timed_out)
            continue;
        memcpy(x->id, s->id, sizeof x->id);
        x->from = s->from;
        s->from = NULL;
        x->type = s->type;
        x->next_seq = s->base;
        x->eof_seen = s->eof_seen;
        *pp = s->next;
        free_stream(r, s);
        r->nstreams--;
        return 1;
    }
    return 0;
}

size_t sp_reasm_bytes(const sp_reasm *r)
{
    return r ? r->bytes : 0;
}

size_t sp_reasm_streams(const sp_reasm *r)
{
    return r ? r->nstreams : 0;
}
