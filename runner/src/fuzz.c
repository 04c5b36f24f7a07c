/*
 * tamtam-run fuzz: differential fuzzing. Each iteration makes one decode
 * input and one stream input from the seeded generator (mutate.c) and asks
 * every implementation; answers are grouped by equality (outcome, error
 * name, consumed, fields; events and pending). Any second group is a
 * finding: shrunk while the same implementations disagree the same way
 * (shrink.c), then written as a vector whose expectation is the reference's
 * answer (the first --impl) with two implementations, the majority's with
 * more (findings.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_FINDINGS 32   /* distinct disagreements kept per run */
#define SHRINK_BUDGET 600 /* candidates tried per finding */
#define SHRINK_BYTES (512u * 1024u) /* and their bytes (tr_shrink) */
#define SHRINK_BROKEN 24  /* broken answers (each may cost a timeout) */
#define DETAIL_HEX 256
#define EVENTS_SHOWN 6    /* stream events named in a description */
#define REQS_DECODE_CASE "CF-5.3-b,CF-12.2-a,CF-12.2-b,CF-12.2-c"
#define REQS_STREAM_CASE "CF-5.3-b,CF-12.3-a,CF-12.3-b,CF-12.3-c"

enum { OP_DECODE, OP_STREAM };
static const char *const op_names[] = {"decode", "stream"};

/* Requirement IDs a finding may name, in the spec's order. */
#define FINDING_REQS(X)                                                        \
    X(R_2A, "CF-2-a")                                                          \
    X(R_2B, "CF-2-b")                                                          \
    X(R_3_1A, "CF-3.1-a")                                                      \
    X(R_3_2A, "CF-3.2-a")                                                      \
    X(R_3_2B, "CF-3.2-b")                                                      \
    X(R_3_3A, "CF-3.3-a")                                                      \
    X(R_4A, "CF-4-a")                                                          \
    X(R_5_1A, "CF-5.1-a")                                                      \
    X(R_5_2A, "CF-5.2-a")                                                      \
    X(R_5_3A, "CF-5.3-a")                                                      \
    X(R_5_3B, "CF-5.3-b")                                                      \
    X(R_6A, "CF-6-a")                                                          \
    X(R_6B, "CF-6-b")                                                          \
    X(R_8A, "CF-8-a")                                                          \
    X(R_12_2A, "CF-12.2-a")                                                    \
    X(R_12_2B, "CF-12.2-b")                                                    \
    X(R_12_2C, "CF-12.2-c")                                                    \
    X(R_12_3A, "CF-12.3-a")                                                    \
    X(R_12_3B, "CF-12.3-b")                                                    \
    X(R_12_3C, "CF-12.3-c")

enum {
#define REQ_ENUM(id, name) id,
    FINDING_REQS(REQ_ENUM)
#undef REQ_ENUM
    NREQS,
    R_NONE = -1
};
static const char *const req_ids[] = {
#define REQ_NAME(id, name) name,
    FINDING_REQS(REQ_NAME)
#undef REQ_NAME
};

/* What a crashed, hung or protocol-breaking implementation "answered"; no
 * error name can be spelled so. */
#define BROKEN "(broken)"

typedef struct answers { /* every implementation's answer to one input */
    tr_reply *r;
    int *group;  /* per implementation; -1 when it took no part */
    size_t *rep; /* per group: its first implementation */
    size_t ngroups;
    int expect; /* the group the finding expects; -1 none */
    char sig[1024]; /* who disagrees with it and how; "" when all agree */
} answers;

typedef struct fuzzer {
    tr_multi m;
    tr_progress prog;
    tr_run run;
    tr_cases cases;
    tt_crc crc;
    tr_vectors v;
    bool *can[2];     /* per op, per implementation: in its hello */
    size_t takers[2]; /* per op: implementations that announce it */
    int op;           /* the op of the finding being shrunk */
    const char *target; /* its signature */
    size_t broken;      /* broken answers while shrinking it */
    bool stopped;     /* an implementation could not be restarted */
    size_t iteration;
    char **sigs; /* signatures already found */
    size_t nsigs, repeats, over; /* over: new ones past MAX_FINDINGS */
    cJSON *vectors[2]; /* the findings as vectors, per op */
    cJSON *report;     /* the findings for the JSON report */
    tr_buf text[2];    /* per op, for the terminal and JUnit */
    size_t found[2];
} fuzzer;

/* ---- Asking every implementation --------------------------------------------- */

static const char *label(const tr_reply *r)
{
    return r->kind == TR_ANS_OK      ? "ok"
           : r->kind == TR_ANS_ERROR ? r->error
                                     : BROKEN;
}

/* How `b` differs from `a` (NULL: it does not), in words stable enough to
 * recognise the same disagreement on a smaller input. */
static const char *differs(int op, const tr_reply *a, const tr_reply *b,
                           char *buf, size_t len)
{
    if (strcmp(label(a), label(b)))
        return "outcome";
    if (a->kind != TR_ANS_OK)
        return NULL;
    if (op == OP_DECODE) {
        if (a->consumed != b->consumed)
            return "consumed";
        const char *f = ttj_frame_diff(&a->frame.f, &b->frame.f, true);
        if (!f)
            return NULL;
        snprintf(buf, len, "field %s", f);
        return buf;
    }
    if (a->nevents != b->nevents)
        return "events";
    for (size_t k = 0; k < a->nevents; k++) {
        const char *e = tr_event_diff(&a->events[k], &b->events[k]);
        if (e) {
            snprintf(buf, len, "event: %s", e);
            return buf;
        }
    }
    return a->pending != b->pending ? "pending" : NULL;
}

static void answers_free(fuzzer *fz, answers *a)
{
    for (size_t i = 0; a->r && i < fz->m.nimpls; i++)
        tr_reply_free(&a->r[i]);
    free(a->r);
    free(a->group);
    free(a->rep);
    memset(a, 0, sizeof *a);
}

/* Groups equal answers; picks the expected group (the largest that is not
 * "broken", the earliest on a tie: with two implementations, the first
 * one's unless it broke); writes the signature. */
static void judge(fuzzer *fz, int op, answers *a)
{
    size_t n = fz->m.nimpls, *size = tr_xcalloc(n, sizeof *size);
    char buf[256];
    a->rep = tr_xcalloc(n, sizeof *a->rep);
    for (size_t i = 0; i < n; i++) {
        if (a->group[i] < 0)
            continue;
        size_t g = 0;
        while (g < a->ngroups &&
               differs(op, &a->r[a->rep[g]], &a->r[i], buf, sizeof buf))
            g++;
        if (g == a->ngroups)
            a->rep[a->ngroups++] = i;
        a->group[i] = (int)g;
        size[g]++;
    }
    a->expect = -1;
    for (size_t g = 0; g < a->ngroups; g++)
        if (a->r[a->rep[g]].kind != TR_ANS_BAD &&
            (a->expect < 0 || size[g] > size[a->expect]))
            a->expect = (int)g;
    free(size);
    a->sig[0] = '\0';
    if (a->ngroups < 2 || a->expect < 0)
        return;
    const tr_reply *want = &a->r[a->rep[a->expect]];
    size_t at = (size_t)snprintf(a->sig, sizeof a->sig, "%s|%s|",
                                 op_names[op], label(want));
    for (size_t i = 0; i < n && at < sizeof a->sig; i++)
        if (a->group[i] >= 0 && a->group[i] != a->expect)
            at += (size_t)snprintf(a->sig + at, sizeof a->sig - at, "%zu:%s;",
                                   i, differs(op, want, &a->r[i], buf,
                                              sizeof buf));
}

/* Asks every implementation that announces `op`. Returns 0, or -1 when one
 * could not be restarted (the run stops). */
static int ask(fuzzer *fz, int op, const tr_input *in, answers *a)
{
    size_t n = fz->m.nimpls;
    memset(a, 0, sizeof *a);
    a->r = tr_xcalloc(n, sizeof *a->r);
    a->group = tr_xcalloc(n, sizeof *a->group);
    cJSON *req = op == OP_DECODE
                     ? tr_decode_request(in->bytes, in->len)
                     : tr_stream_request(in->bytes, in->chunks, in->nchunks);
    for (size_t i = 0; i < n; i++) {
        a->group[i] = -1;
        if (!fz->can[op][i])
            continue;
        if (tr_impl_call(&fz->m.impls[i], &fz->prog, req,
                         op == OP_DECODE ? tr_reply_decode : tr_reply_stream,
                         &a->r[i])) {
            cJSON_Delete(req);
            fz->stopped = true;
            return -1;
        }
        if (a->r[i].kind != TR_ANS_UNSUPPORTED)
            a->group[i] = 0;
    }
    cJSON_Delete(req);
    judge(fz, op, a);
    return 0;
}

static bool still(void *ctx, const tr_input *in)
{
    fuzzer *fz = ctx;
    answers a;
    if (fz->stopped || fz->broken >= SHRINK_BROKEN)
        return false;
    bool same = ask(fz, fz->op, in, &a) == 0 && !strcmp(a.sig, fz->target);
    for (size_t i = 0; a.r && i < fz->m.nimpls; i++)
        fz->broken += a.group[i] >= 0 && a.r[i].kind == TR_ANS_BAD;
    answers_free(fz, &a);
    return same;
}

/* ---- Findings ------------------------------------------------------------------ */

static void need_label(bool *need, const char *l)
{
    static const struct {
        const char *label;
        int reqs[2];
    } map[] = {{"ok", {R_2A, R_NONE}},
               {"truncated", {R_2B, R_12_2B}},
               {"used_len_exceeds_block", {R_6B, R_NONE}},
               {"crc_mismatch", {R_5_2A, R_5_3A}},
               {BROKEN, {R_5_3B, R_NONE}}};
    for (size_t k = 0; k < sizeof map / sizeof *map; k++)
        if (!strcmp(map[k].label, l)) {
            need[map[k].reqs[0]] = true;
            if (map[k].reqs[1] != R_NONE)
                need[map[k].reqs[1]] = true;
            return;
        }
    need[R_12_2A] = true; /* an error name that is not pinned */
}

static void need_field(bool *need, const char *how)
{
    static const struct {
        const char *field;
        int req;
    } map[] = {{"class", R_3_1A},   {"direction", R_3_1A},
               {"size_id", R_3_2A}, {"big", R_3_2B},
               {"ack", R_3_2B},     {"priority", R_3_2B},
               {"ext", R_3_2B},     {"channel", R_3_3A},
               {"dest", R_4A},      {"crc", R_5_1A},
               {"used_len", R_6A},  {"payload", R_8A}};
    const char *f = strstr(how, "field ");
    for (size_t k = 0; f && k < sizeof map / sizeof *map; k++)
        if (!strcmp(f + 6, map[k].field))
            need[map[k].req] = true;
}

/* The requirements a finding is about: those of every answer given, of
 * the fields that differ, and of the check order or the stream rules. */
static cJSON *finding_reqs(int op, const answers *a, size_t n)
{
    bool need[NREQS] = {false};
    const tr_reply *want = &a->r[a->rep[a->expect]];
    char buf[256];
    size_t errors = 0;
    for (size_t g = 0; g < a->ngroups; g++) {
        const tr_reply *r = &a->r[a->rep[g]];
        need_label(need, label(r));
        errors += r->kind == TR_ANS_ERROR;
    }
    if (errors > 1)
        need[R_12_2B] = true; /* two errors: the check order decides */
    for (size_t i = 0; i < n; i++) {
        if (a->group[i] < 0 || a->group[i] == a->expect)
            continue;
        const char *how = differs(op, want, &a->r[i], buf, sizeof buf);
        if (!strcmp(how, "consumed"))
            need[R_12_2C] = true;
        if (!strcmp(how, "pending"))
            need[R_12_3B] = true;
        need_field(need, how);
    }
    if (op == OP_STREAM) {
        /* A stream answers no decode error: its events carry them. */
        need[R_2A] = need[R_2B] = need[R_12_2A] = need[R_12_2B] = false;
        need[R_12_3C] = true;
        for (size_t g = 0; g < a->ngroups; g++)
            for (size_t k = 0; k < a->r[a->rep[g]].nevents; k++) {
                int st = a->r[a->rep[g]].events[k].status;
                if (st) {
                    need[R_12_3A] = true;
                    need_label(need, tt_error_name(st));
                }
            }
    }
    cJSON *arr = cJSON_CreateArray();
    for (size_t k = 0; k < NREQS; k++)
        if (need[k])
            cJSON_AddItemToArray(arr, cJSON_CreateString(req_ids[k]));
    return arr;
}

/* One member of a frame object, as JSON text (shortened). */
static void member_text(const tt_frame *f, const char *field, char *out,
                        size_t len)
{
    cJSON *o = ttj_frame_to_json(f);
    char *t = cJSON_PrintUnformatted(
        cJSON_GetObjectItemCaseSensitive(o, field));
    snprintf(out, len, "%.40s%s", t ? t : "?", t && strlen(t) > 40 ? "..." : "");
    cJSON_free(t);
    cJSON_Delete(o);
}

/* What implementation i answered, in words, beside the expected answer. */
static void answer_text(tr_buf *b, int op, const tr_reply *want,
                        const tr_reply *r)
{
    char buf[256];
    if (r->kind == TR_ANS_BAD) {
        tr_buf_printf(b, "no valid answer (it crashed, hung or broke the "
                         "protocol)");
        return;
    }
    if (r->kind == TR_ANS_ERROR) {
        tr_buf_printf(b, "error %s", r->error);
        return;
    }
    const char *how = r == want ? NULL : differs(op, want, r, buf, sizeof buf);
    bool same_kind = how && strcmp(how, "outcome");
    if (op == OP_DECODE) {
        tr_buf_printf(b, "a valid frame");
        if (same_kind && !strcmp(how, "consumed"))
            tr_buf_printf(b, ", consumed %zu instead of %zu", r->consumed,
                          want->consumed);
        else if (same_kind) {
            char wv[64], gv[64];
            member_text(&want->frame.f, how + 6, wv, sizeof wv);
            member_text(&r->frame.f, how + 6, gv, sizeof gv);
            tr_buf_printf(b, " with \"%s\" %s instead of %s", how + 6, gv, wv);
        } else {
            tr_buf_printf(b, " (consumed %zu)", r->consumed);
        }
        return;
    }
    tr_buf_printf(b, "events [");
    for (size_t k = 0; k < r->nevents && k < EVENTS_SHOWN; k++) {
        const tr_event *e = &r->events[k];
        if (e->status)
            tr_buf_printf(b, "%s%s at %llu", k ? ", " : "",
                          tt_error_name(e->status),
                          (unsigned long long)e->offset);
        else
            tr_buf_printf(b, "%sframe", k ? ", " : "");
    }
    if (r->nevents > EVENTS_SHOWN)
        tr_buf_printf(b, ", ... %zu in all", r->nevents);
    tr_buf_printf(b, "], %zu bytes pending", r->pending);
    for (size_t k = 0; same_kind && k < r->nevents && k < want->nevents; k++)
        if (tr_event_diff(&want->events[k], &r->events[k])) {
            tr_buf_printf(b, " (event %zu: %s)", k,
                          tr_event_diff(&want->events[k], &r->events[k]));
            break;
        }
}

static char *describe(fuzzer *fz, int op, const answers *a, size_t from,
                      size_t to)
{
    tr_buf b = {0};
    size_t n = fz->m.nimpls;
    const tr_reply *want = &a->r[a->rep[a->expect]];
    tr_buf_printf(&b, "Differential fuzzing (seed %llu, iteration %zu; input "
                      "shrunk from %zu to %zu bytes): ",
                  (unsigned long long)fz->m.seed, fz->iteration, from, to);
    for (size_t k = 0; k < a->ngroups; k++) {
        /* The expected group first, then the others in order. */
        size_t g = k == 0 ? (size_t)a->expect
                          : k <= (size_t)a->expect ? k - 1 : k;
        size_t members = 0;
        for (size_t i = 0; i < n; i++)
            if (a->group[i] == (int)g)
                tr_buf_printf(&b, "%s%s", members++ ? ", " : "",
                              fz->m.impls[i].name);
        if (k == 0)
            tr_buf_printf(&b, " (%s)",
                          n == 2 && a->group[0] == (int)g ? "reference"
                          : members > 1                  ? "majority"
                                                         : "expected");
        tr_buf_printf(&b, " answer%s ", members > 1 ? "" : "s");
        answer_text(&b, op, want, &a->r[a->rep[g]]);
        tr_buf_printf(&b, "%s", k + 1 < a->ngroups ? "; " : ".");
    }
    return tr_buf_take(&b);
}

/* The finding as a vector of the pinned format, or NULL (with the reason
 * in `why`) when the expected answer is not one a vector can hold. */
static cJSON *as_vector(fuzzer *fz, int op, const answers *a,
                        const tr_input *in, const char *id, const char *desc,
                        char *why, size_t whylen)
{
    const tr_reply *want = &a->r[a->rep[a->expect]];
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "id", id);
    cJSON_AddItemToObject(v, "requirements",
                          finding_reqs(op, a, fz->m.nimpls));
    cJSON_AddStringToObject(v, "description", desc);
    cJSON_AddItemToObject(v, "hex", ttj_hex_string(in->bytes, in->len));
    if (op == OP_DECODE && want->kind == TR_ANS_OK) {
        cJSON_AddStringToObject(v, "expect", "valid");
        cJSON_AddStringToObject(v, "verdict", "must");
        cJSON_AddItemToObject(v, "frame", ttj_frame_to_json(&want->frame.f));
    } else if (op == OP_DECODE) {
        cJSON_AddStringToObject(v, "expect", "invalid");
        cJSON_AddStringToObject(v, "error", want->error);
        cJSON_AddStringToObject(v, "verdict", "must");
    } else {
        cJSON *ch = cJSON_AddArrayToObject(v, "chunks");
        for (size_t k = 0; k < in->nchunks; k++)
            cJSON_AddItemToArray(ch, cJSON_CreateNumber((double)in->chunks[k]));
        cJSON *ev = cJSON_AddArrayToObject(v, "events");
        for (size_t k = 0; want->kind == TR_ANS_OK && k < want->nevents; k++) {
            const tr_event *e = &want->events[k];
            cJSON *o = cJSON_CreateObject();
            if (e->status == 0) {
                cJSON_AddItemToObject(o, "frame", ttj_frame_to_json(&e->frame.f));
            } else {
                cJSON_AddStringToObject(o, "error", tt_error_name(e->status));
                cJSON_AddNumberToObject(o, "offset", (double)e->offset);
            }
            cJSON_AddItemToArray(ev, o);
        }
        cJSON_AddNumberToObject(v, "pending", (double)want->pending);
        cJSON_AddStringToObject(v, "verdict", "must");
    }
    /* The expected answer must make a vector the runner itself loads. */
    if ((op == OP_STREAM && want->kind != TR_ANS_OK) ||
        tr_vector_check(v, op == OP_STREAM, why, whylen)) {
        if (op == OP_STREAM && want->kind != TR_ANS_OK)
            snprintf(why, whylen, "the expected answer is error %s",
                     want->error);
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static void record(fuzzer *fz, int op, const answers *a, const tr_input *in,
                   size_t from)
{
    size_t n = fz->m.nimpls;
    char id[96], why[1024] = "";
    snprintf(id, sizeof id, "%s-fuzz-%llu-%zu", op == OP_DECODE ? "cf" : "cs",
             (unsigned long long)fz->m.seed, ++fz->found[op]);
    char *desc = describe(fz, op, a, from, in->len);
    cJSON *vec = as_vector(fz, op, a, in, id, desc, why, sizeof why);
    if (vec)
        cJSON_AddItemToArray(fz->vectors[op], vec);

    tr_buf *t = &fz->text[op];
    tr_buf_printf(t, "\n%s (iteration %zu): %s\n  Hex:    ", id, fz->iteration,
                  desc);
    tr_buf_hex(t, in->bytes, in->len, DETAIL_HEX);
    if (in->chunks) {
        tr_buf_printf(t, "\n  Chunks:");
        for (size_t k = 0; k < in->nchunks && k < 64; k++)
            tr_buf_printf(t, " %zu", in->chunks[k]);
        if (in->nchunks > 64)
            tr_buf_printf(t, " ...(%zu chunks)", in->nchunks);
    }
    for (size_t i = 0; i < n; i++)
        if (a->group[i] >= 0 && a->r[i].kind == TR_ANS_BAD)
            tr_buf_printf(t, "\n  %s: %s", fz->m.impls[i].name, a->r[i].why);
    if (!vec)
        tr_buf_printf(t, "\n  not written as a vector: %s", why);

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "vector", id);
    cJSON_AddStringToObject(o, "op", op_names[op]);
    cJSON_AddNumberToObject(o, "iteration", (double)fz->iteration);
    cJSON_AddStringToObject(o, "description", desc);
    cJSON_AddItemToObject(o, "hex", ttj_hex_string(in->bytes, in->len));
    cJSON_AddBoolToObject(o, "written", vec != NULL);
    cJSON_AddItemToArray(fz->report, o);
    free(desc);
}

/* One input through every implementation; a new disagreement is shrunk and
 * recorded. Returns 0, or -1 when the run must stop. */
static int probe(fuzzer *fz, int op, const tr_input *in)
{
    answers a;
    if (ask(fz, op, in, &a)) {
        answers_free(fz, &a);
        return -1;
    }
    bool seen = false;
    for (size_t k = 0; *a.sig && k < fz->nsigs; k++)
        seen |= !strcmp(fz->sigs[k], a.sig);
    if (!*a.sig || seen || fz->nsigs >= MAX_FINDINGS) {
        fz->repeats += seen;
        fz->over += *a.sig && !seen;
        answers_free(fz, &a);
        return 0;
    }
    fz->sigs = realloc(fz->sigs, (fz->nsigs + 1) * sizeof *fz->sigs);
    if (!fz->sigs) {
        fputs("tamtam-run: out of memory\n", stderr);
        exit(2);
    }
    char *sig = fz->sigs[fz->nsigs++] = tr_xstrdup(a.sig);
    answers_free(fz, &a);

    tr_input small = {0};
    small.bytes = tr_xmalloc(in->len ? in->len : 1);
    memcpy(small.bytes, in->bytes, in->len);
    small.len = in->len;
    if (in->chunks) {
        small.chunks = tr_xmalloc(in->nchunks * sizeof *small.chunks);
        memcpy(small.chunks, in->chunks, in->nchunks * sizeof *small.chunks);
        small.nchunks = in->nchunks;
    }
    fz->op = op;
    fz->target = sig;
    fz->broken = 0;
    tr_shrink(&small, fz->crc, still, fz, SHRINK_BUDGET, SHRINK_BYTES);
    int rc = fz->stopped ? -1 : ask(fz, op, &small, &a);
    if (rc == 0 && *a.sig)
        record(fz, op, &a, &small, in->len);
    else if (rc == 0)
        fprintf(stderr, "tamtam-run: a disagreement at iteration %zu did "
                        "not come back on the same input (an implementation "
                        "answers it differently each time)\n",
                fz->iteration);
    if (rc == 0)
        answers_free(fz, &a);
    tr_input_free(&small);
    return rc;
}

/* ---- Main ---------------------------------------------------------------------- */

static void finish_case(fuzzer *fz, int op, size_t inputs, int64_t t0)
{
    tr_case *c = &fz->cases.c[op];
    tr_buf d = {0};
    tr_verdict v = TR_PASS;
    if (fz->takers[op] < 2) {
        v = TR_UNSUPPORTED;
        tr_buf_printf(&d, "unsupported, not a failure: fewer than two "
                          "implementations announce %s",
                      op_names[op]);
    } else if (fz->found[op]) {
        v = TR_FAIL;
        tr_buf_printf(&d, "%zu disagreement%s:%s", fz->found[op],
                      fz->found[op] == 1 ? "" : "s", fz->text[op].s);
    } else {
        tr_buf_printf(&d, "%zu inputs, every implementation agreed", inputs);
    }
    tr_case_done(&fz->run, c, v, tr_buf_take(&d), t0);
}

static int write_json(fuzzer *fz, const char *path, size_t iterations,
                      cJSON *files)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "runner_version", TR_VERSION);
    cJSON_AddStringToObject(doc, "command", "fuzz");
    cJSON_AddNumberToObject(doc, "seed", (double)fz->m.seed);
    cJSON_AddNumberToObject(doc, "iterations", (double)iterations);
    cJSON_AddItemToObject(doc, "implementations", tr_multi_json(&fz->m));
    cJSON_AddItemToObject(doc, "summary", tr_summary_json(&fz->cases));
    cJSON *arr = cJSON_AddArrayToObject(doc, "cases");
    for (size_t i = 0; i < fz->cases.n; i++)
        if (fz->cases.c[i].verdict != TR_NOT_RUN)
            cJSON_AddItemToArray(arr, tr_case_json(&fz->cases.c[i]));
    cJSON_AddItemToObject(doc, "findings", cJSON_Duplicate(fz->report, true));
    cJSON_AddItemToObject(doc, "files", cJSON_Duplicate(files, true));
    return tr_write_doc(path, doc);
}

/* Quotes one word for a shell command line the user may paste. */
static void print_quoted(const char *s)
{
    fputc('\'', stdout);
    for (; *s; s++)
        fputs(*s == '\'' ? "'\\''" : (char[2]){*s, 0}, stdout);
    fputc('\'', stdout);
}

static size_t run_loop(fuzzer *fz, int64_t t0)
{
    uint32_t rng = tr_rand_seed(fz->m.seed);
    tr_input din = {.bytes = tr_xmalloc(TR_FUZZ_INPUT_MAX)}, sin;
    size_t it = 0;
    while (!fz->stopped &&
           (!fz->m.iterations || it < (size_t)fz->m.iterations) &&
           (!fz->m.seconds || tr_now_ms() - t0 < fz->m.seconds * 1000)) {
        fz->iteration = ++it;
        tr_fuzz_decode_input(&rng, &fz->v, fz->crc, &din);
        tr_fuzz_stream_input(&rng, &fz->v, fz->crc, &sin);
        if (fz->takers[OP_DECODE] >= 2)
            probe(fz, OP_DECODE, &din);
        if (fz->takers[OP_STREAM] >= 2 && !fz->stopped)
            probe(fz, OP_STREAM, &sin);
        tr_input_free(&sin);
        if (fz->prog.tty && (it % 25 == 0))
            printf("\r\033[K[iteration %zu] %zu findings", it,
                   fz->found[0] + fz->found[1]);
        fflush(stdout);
    }
    tr_input_free(&din);
    return it;
}

int tr_fuzz_main(int argc, char **argv)
{
    fuzzer fz;
    memset(&fz, 0, sizeof fz);
    if (tr_multi_parse(argc, argv, true, &fz.m)) {
        tr_multi_free(&fz.m);
        return 2;
    }
    if (!fz.m.seed_given)
        fz.m.seed = ((uint64_t)time(NULL) ^ (uint64_t)getpid() << 16) %
                    1000000000u;
    int64_t t0 = tr_now_ms();
    char why[1024];
    if (tr_vectors_load(fz.m.o.vectors, &fz.v, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: %s\n", why);
        tr_multi_free(&fz.m);
        return 2;
    }
    if (tr_multi_start(&fz.m, true, &fz.crc)) {
        tr_vectors_free(&fz.v);
        tr_multi_free(&fz.m);
        return 2;
    }
    tr_vectors_adapt(&fz.v, fz.crc);
    size_t n = fz.m.nimpls;
    for (int op = OP_DECODE; op <= OP_STREAM; op++) {
        fz.can[op] = tr_xcalloc(n, sizeof *fz.can[op]);
        for (size_t i = 0; i < n; i++) {
            fz.can[op][i] = tr_impl_has_op(&fz.m.impls[i], op_names[op]);
            fz.takers[op] += fz.can[op][i];
        }
        fz.vectors[op] = cJSON_CreateArray();
        tr_cases_add(&fz.cases, NULL, 0, 0, false,
                     op == OP_DECODE ? REQS_DECODE_CASE : REQS_STREAM_CASE,
                     "fuzz.%s", op_names[op]);
    }
    fz.report = cJSON_CreateArray();
    fz.prog = (tr_progress){.tty = isatty(1) == 1, .verbose = fz.m.o.verbose,
                            .total = 2};
    fz.run = (tr_run){.o = &fz.m.o, .progress = &fz.prog, .cases = &fz.cases};
    tr_multi_print(&fz.m);
    printf("seed %llu%s, %s %ld\n", (unsigned long long)fz.m.seed,
           fz.m.seed_given ? "" : " (from the clock)",
           fz.m.iterations ? "iterations" : "seconds",
           fz.m.iterations ? fz.m.iterations : fz.m.seconds);
    fflush(stdout);

    int64_t tl = tr_now_us();
    size_t iterations = run_loop(&fz, t0);
    tr_progress_end(&fz.prog);
    int rc = fz.stopped ? 2 : 0;
    if (rc == 0) {
        finish_case(&fz, OP_DECODE, iterations, tl);
        finish_case(&fz, OP_STREAM, iterations, tl);
    }
    size_t total = fz.found[0] + fz.found[1];
    cJSON *files = cJSON_CreateArray();
    if (rc == 0 && cJSON_GetArraySize(fz.report) &&
        (cJSON_GetArraySize(fz.vectors[0]) ||
         cJSON_GetArraySize(fz.vectors[1])) &&
        tr_findings_write(fz.m.out, fz.m.seed, fz.crc, fz.vectors[0],
                          fz.vectors[1], files))
        rc = 2;
    printf("\ntamtam-run fuzz: %zu iterations (seed %llu), %zu finding%s "
           "(%zu decode, %zu stream), %zu repeat%s of them (%.2f s)\n",
           iterations, (unsigned long long)fz.m.seed, total,
           total == 1 ? "" : "s", fz.found[0], fz.found[1], fz.repeats,
           fz.repeats == 1 ? "" : "s", (double)(tr_now_ms() - t0) / 1000.0);
    if (fz.over)
        printf("%zu more disagreements not kept: at most %d per run; fix "
               "these and run again\n",
               fz.over, MAX_FINDINGS);
    const cJSON *f;
    cJSON_ArrayForEach(f, files)
    {
        printf("findings: %s\n", f->valuestring);
    }
    if (cJSON_GetArraySize(files))
        printf("replay them: tamtam-run --vectors %s/fuzz-%llu --shim CMD\n",
               fz.m.out, (unsigned long long)fz.m.seed);
    printf("reproduce: tamtam-run fuzz");
    for (size_t i = 0; i < n; i++) {
        printf(" --impl %s=", fz.m.impls[i].name);
        print_quoted(fz.m.impls[i].cmd);
    }
    printf(" --vectors ");
    print_quoted(fz.m.o.vectors);
    printf(" --seed %llu --iterations %zu\n", (unsigned long long)fz.m.seed,
           iterations);
    if (rc == 2)
        fputs("tamtam-run: the fuzzer could not run to the end\n", stderr);
    if (fz.m.o.json && write_json(&fz, fz.m.o.json, iterations, files))
        rc = 2;
    if (fz.m.o.junit &&
        tr_write_junit(fz.m.o.junit, &fz.cases,
                       (double)(tr_now_ms() - t0)))
        rc = 2;
    if (rc == 0 && total)
        rc = 1;
    cJSON_Delete(files);
    for (int op = OP_DECODE; op <= OP_STREAM; op++) {
        free(fz.can[op]);
        cJSON_Delete(fz.vectors[op]);
        tr_buf_free(&fz.text[op]);
    }
    for (size_t k = 0; k < fz.nsigs; k++)
        free(fz.sigs[k]);
    free(fz.sigs);
    cJSON_Delete(fz.report);
    tr_cases_free(&fz.cases);
    tr_vectors_free(&fz.v);
    tr_multi_free(&fz.m);
    return rc;
}
