/*
 * The codec suite: every vector through the shim's decode, encode and stream
 * ops (spec/harness.md), plus the harness's own checks (unsupported,
 * bad_request, end of input).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define DETAIL_HEX 256     /* bytes of hex shown in a failure detail */
#define DETAIL_LINE 600    /* chars of a peer's line shown in a detail */
#define UNKNOWN_OP "x-tamtam-runner-unknown-op"

/* Requirement IDs of spec/harness.md for the harness's own checks. */
#define HP_UNSUPPORTED "HP-3.7-a"
#define HP_BAD_REQUEST "HP-3.8-a"
#define HP_EOF "HP-2-e"
#define CF_ENCODE "CF-12.4-a"

static void add_encode_refusals(const tr_vectors *v, tr_cases *cs);

/* A vector's requirements plus the encoder's duties, each named once. */
static char *encode_reqs(const char *reqs)
{
    tr_buf b = {0};
    tr_buf_printf(&b, ",%s,", reqs);
    bool has = strstr(b.s, "," CF_ENCODE ",") != NULL;
    tr_buf_free(&b);
    tr_buf_printf(&b, "%s%s%s", reqs, has || !*reqs ? "" : ",",
                  has ? "" : CF_ENCODE);
    return tr_buf_take(&b);
}

void tr_codec_cases(const tr_vectors *v, tr_cases *cs, bool process_shim)
{
    tr_cases_add(cs, TR_K_UNSUPPORTED, 0, false, HP_UNSUPPORTED,
                 "harness.unsupported");
    tr_cases_add(cs, TR_K_BAD_REQUEST, 0, false, HP_BAD_REQUEST,
                 "harness.bad_request");
    for (size_t i = 0; i < v->nf; i++)
        tr_cases_add(cs, TR_K_DECODE, i, v->f[i].info, v->f[i].reqs,
                     "codec.decode.%s", v->f[i].id);
    for (size_t i = 0; i < v->nf; i++) {
        const tr_fvec *fv = &v->f[i];
        if (!fv->valid || fv->valid_under)
            continue;
        char *reqs = encode_reqs(fv->reqs);
        tr_cases_add(cs, TR_K_ENCODE, i, fv->info, reqs, "codec.encode.%s",
                     fv->id);
        free(reqs);
    }
    add_encode_refusals(v, cs);
    for (size_t i = 0; i < v->ns; i++)
        tr_cases_add(cs, TR_K_STREAM, i, v->s[i].info, v->s[i].reqs,
                     "codec.stream.%s", v->s[i].id);
    if (process_shim)
        tr_cases_add(cs, TR_K_EOF, 0, false, HP_EOF, "harness.eof");
}

/* The fields of a used_len_exceeds_block vector, for an encode request the
 * encoder must refuse (CF-12.4-a). Returns false when the vector cannot
 * make one (a payload longer than any block cannot be sent as a frame
 * object). */
static bool refusal_fields(const tr_fvec *fv, tt_frame *f)
{
    if (fv->valid || fv->error != TT_ERR_USED_LEN_EXCEEDS_BLOCK)
        return false;
    int r = tt_decode(fv->bytes, fv->len, TT_CRC_SMBUS, f);
    return r == TT_ERR_USED_LEN_EXCEEDS_BLOCK && f->used_len <= TT_BLOCK_MAX;
}

static void add_encode_refusals(const tr_vectors *v, tr_cases *cs)
{
    for (size_t i = 0; i < v->nf; i++) {
        tt_frame f;
        if (!refusal_fields(&v->f[i], &f))
            continue;
        char *reqs = encode_reqs(v->f[i].reqs);
        tr_cases_add(cs, TR_K_ENCODE_REFUSE, i, v->f[i].info, reqs,
                     "codec.encode.%s", v->f[i].id);
        free(reqs);
    }
}

/* ---- Helpers for expectations and details -------------------------------- */

static void line_field(tr_buf *d, const char *label, const char *line)
{
    if (!line)
        return;
    size_t n = strlen(line);
    tr_buf_printf(d, "\n%s %.*s%s", label, DETAIL_LINE, line,
                  n > DETAIL_LINE ? "..." : "");
}

static bool is_op_announced(const cJSON *hello, const char *op)
{
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(hello, "ops"), *o;
    cJSON_ArrayForEach(o, ops) if (cJSON_IsString(o) &&
                                   !strcmp(o->valuestring, op)) return true;
    return false;
}

/* The outcome of one exchange, before the vector's level is applied. */
typedef struct outcome {
    tr_verdict v; /* PASS, FAIL or UNSUPPORTED */
    bool transport; /* the peer broke (crash, hang, garbage): FAIL always */
    tr_buf d;
} outcome;

__attribute__((format(printf, 2, 3))) static void fail(outcome *o,
                                                       const char *fmt, ...)
{
    va_list ap;
    o->v = TR_FAIL;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tr_buf_printf(&o->d, "%s%s", o->d.len ? "\n" : "", msg);
}

/* Settles the outcome of a response that is not an answer to judge: a
 * protocol violation (FAIL) or "unsupported". Returns true when it did. */
static bool settled(outcome *o, const tr_reply *r)
{
    if (r->kind == TR_ANS_BAD) {
        fail(o, "%s", r->why);
        return true;
    }
    if (r->kind == TR_ANS_UNSUPPORTED) {
        o->v = TR_UNSUPPORTED;
        tr_buf_printf(&o->d, "the shim answered unsupported");
        return true;
    }
    return false;
}

static const char *resp_error(const cJSON *resp)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "error");
    return cJSON_IsString(e) ? e->valuestring : "";
}

/* ---- Decode ------------------------------------------------------------------ */

static void judge_decode(outcome *o, const tr_fvec *fv, const cJSON *resp)
{
    tr_reply r;
    tr_reply_decode(resp, &r);
    bool ok = r.kind == TR_ANS_OK;
    if (settled(o, &r)) {
        /* settled */
    } else if (!fv->valid) {
        const char *want = tt_error_name(fv->error);
        if (ok)
            fail(o, "Expected: error %s\nActual:   accepted as a valid frame",
                 want);
        else if (strcmp(r.error, want))
            fail(o, "Expected: error %s\nActual:   error %s", want, r.error);
    } else {
        size_t flen = tr_frame_len(fv->bytes, fv->len);
        const char *field = NULL;
        if (!ok) {
            fail(o, "Expected: valid frame, %zu bytes consumed\nActual:   "
                    "error %s",
                 flen, r.error);
        } else if (r.consumed != flen) {
            fail(o, "Expected: consumed %zu\nActual:   consumed %zu", flen,
                 r.consumed);
        } else if ((field = ttj_frame_diff(&fv->frame.f, &r.frame.f, true))) {
            char *e = tr_frame_text(&fv->frame.f), *g = tr_frame_text(&r.frame.f);
            fail(o, "field \"%s\" differs\nExpected: %s\nActual:   %s", field,
                 e, g);
            free(e);
            free(g);
        }
    }
    tr_reply_free(&r);
}

/* ---- Encode ------------------------------------------------------------------ */

static void judge_encode(outcome *o, const tr_fvec *fv, const cJSON *resp)
{
    tr_reply r;
    tr_reply_encode(resp, &r);
    if (settled(o, &r)) {
        tr_reply_free(&r);
        return;
    }
    size_t flen = tr_frame_len(fv->bytes, fv->len);
    /* The vector's bytes with the padding zeroed (CF-8-b). */
    uint8_t *want = tr_xmalloc(flen);
    memcpy(want, fv->bytes, flen);
    size_t pay_end = flen - tt_block_size(fv->frame.f.size_id, fv->frame.f.big) +
                     fv->frame.f.used_len;
    memset(want + pay_end, 0, flen - pay_end);
    if (r.kind == TR_ANS_ERROR) {
        fail(o, "Expected: ");
        tr_buf_hex(&o->d, want, flen, DETAIL_HEX);
        tr_buf_printf(&o->d, "\nActual:   error %s", r.error);
    } else if (r.len != flen || memcmp(r.bytes, want, flen)) {
        size_t at = 0;
        while (at < flen && at < r.len && r.bytes[at] == want[at])
            at++;
        fail(o, "Expected: ");
        tr_buf_hex(&o->d, want, flen, DETAIL_HEX);
        tr_buf_printf(&o->d, "\nActual:   ");
        tr_buf_hex(&o->d, r.bytes, r.len, DETAIL_HEX);
        tr_buf_printf(&o->d, "\nfirst difference at byte %zu (%zu bytes "
                             "expected, %zu received)",
                      at, flen, r.len);
    }
    free(want);
    tr_reply_free(&r);
}

static void judge_refusal(outcome *o, const cJSON *resp)
{
    tr_reply r;
    tr_reply_encode(resp, &r);
    if (!settled(o, &r)) {
        if (r.kind == TR_ANS_OK)
            fail(o, "Expected: error used_len_exceeds_block\nActual:   "
                    "encoded a frame whose UsedLen exceeds its block");
        else if (strcmp(r.error, "used_len_exceeds_block"))
            fail(o, "Expected: error used_len_exceeds_block\nActual:   "
                    "error %s",
                 r.error);
    }
    tr_reply_free(&r);
}

/* ---- Stream ------------------------------------------------------------------ */

static char *expected_events(const tr_svec *sv)
{
    tr_buf b = {0};
    tr_buf_printf(&b, "[");
    for (size_t k = 0; k < sv->nevents; k++) {
        const tr_event *e = &sv->events[k];
        if (e->status == 0) {
            char *t = tr_frame_text(&e->frame.f);
            tr_buf_printf(&b, "%s{\"frame\":%s}", k ? "," : "", t);
            free(t);
        } else {
            tr_buf_printf(&b, "%s{\"error\":\"%s\",\"offset\":%llu}",
                          k ? "," : "", tt_error_name(e->status),
                          (unsigned long long)e->offset);
        }
    }
    tr_buf_printf(&b, "], pending %zu", sv->pending);
    return tr_buf_take(&b);
}

static void judge_stream(outcome *o, const tr_svec *sv, const cJSON *resp,
                         const char *got_line)
{
    tr_reply r;
    tr_reply_stream(resp, &r);
    const char *what = NULL;
    size_t k = 0;
    if (r.kind == TR_ANS_BAD && r.nevents < sv->nevents &&
        !strncmp(r.why, "event ", 6)) {
        /* A malformed event: reported at its place in the stream. */
        k = r.nevents;
        what = "malformed";
    } else if (settled(o, &r)) {
        tr_reply_free(&r);
        return;
    } else if (r.kind == TR_ANS_ERROR) {
        fail(o, "Expected: events\nActual:   error %s", r.error);
        tr_reply_free(&r);
        return;
    }
    for (; !what && k < r.nevents; k++) {
        if (k >= sv->nevents)
            what = "more events than expected";
        else
            what = tr_event_diff(&sv->events[k], &r.events[k]);
        if (what)
            break;
    }
    if (!what && r.nevents < sv->nevents)
        what = "fewer events than expected";
    if (what) {
        char *want = expected_events(sv);
        if (r.kind == TR_ANS_BAD)
            fail(o, "%s (%zu events expected)\nExpected: %.*s", r.why,
                 sv->nevents, DETAIL_LINE, want);
        else
            fail(o, "event %zu: %s (%zu events expected, %zu received)\n"
                    "Expected: %.*s",
                 k, what, sv->nevents, r.nevents, DETAIL_LINE, want);
        line_field(&o->d, "Actual:  ", got_line);
        free(want);
    } else if (r.pending != sv->pending) {
        fail(o, "Expected: pending %zu\nActual:   pending %zu", sv->pending,
             r.pending);
    }
    tr_reply_free(&r);
}

/* ---- Running ----------------------------------------------------------------- */

typedef struct codec_ctx {
    tr_run *r;
    tr_shim shim;
    tr_vectors *v;
} codec_ctx;

/* One request/response. Fills `o` on a transport failure and returns -1. */
static int exchange(codec_ctx *x, cJSON *req, cJSON **resp, char **got,
                    outcome *o)
{
    char why[1024];
    char *sent = NULL;
    int r = tr_shim_exchange(&x->shim, x->r->progress, req, resp, &sent, got,
                             why, sizeof why);
    if (r) {
        fail(o, "%s", why);
        o->transport = true;
        line_field(&o->d, "Sent:", sent);
    }
    free(sent);
    return r;
}

static void run_harness_case(codec_ctx *x, tr_case *c, outcome *o)
{
    cJSON *resp = NULL;
    char *got = NULL;
    if (c->kind == TR_K_UNSUPPORTED) {
        cJSON *req = cJSON_CreateObject();
        cJSON_AddStringToObject(req, "op", UNKNOWN_OP);
        if (exchange(x, req, &resp, &got, o) == 0) {
            const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
            if (!cJSON_IsFalse(ok) || strcmp(resp_error(resp), "unsupported")) {
                fail(o, "Expected: {\"id\":N,\"ok\":false,\"error\":"
                        "\"unsupported\"} for op \"" UNKNOWN_OP "\"");
                line_field(&o->d, "Actual:  ", got);
            }
        }
        cJSON_Delete(req);
    } else if (c->kind == TR_K_BAD_REQUEST) {
        static const char junk[] = "this line is not JSON {";
        char why[1024];
        int64_t deadline = tr_now_ms() + x->r->o->timeout_ms;
        tr_verbose(x->r->progress, "  > %s\n", junk);
        size_t len = 0;
        if (tr_shim_raw(&x->shim, junk, deadline, &got, &len, why,
                        sizeof why)) {
            fail(o, "%s", why);
            o->transport = true;
        } else {
            tr_verbose(x->r->progress, "  < %s\n", got);
            /* Any id or none: the junk has none to echo (HP-3.8-a). */
            resp = tr_reply_parse(got, len, -1, why, sizeof why);
            const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
            if (!resp || !cJSON_IsFalse(ok) ||
                strcmp(resp_error(resp), "bad_request")) {
                fail(o, "Expected: {\"ok\":false,\"error\":\"bad_request\"} "
                        "for a line that is not JSON");
                if (!resp)
                    tr_buf_printf(&o->d, "\n%s", why);
                line_field(&o->d, "Actual:  ", got);
            }
            if (x->shim.len) {
                /* The rest would be taken for the next case's answer. */
                fail(o, "the shim wrote more than one line for one request");
                o->transport = true;
                tr_shim_stop(&x->shim);
            }
        }
    } else { /* TR_K_EOF */
        char why[512];
        int st = tr_shim_finish(&x->shim,
                                tr_now_ms() + x->r->o->timeout_ms, why,
                                sizeof why);
        if (st == -1)
            fail(o, "%s", why);
        else if (st > 0)
            fail(o, "Expected: exit status 0 at the end of input\nActual:   "
                    "%s %d",
                 st > 128 ? "killed by signal" : "exit status",
                 st > 128 ? st - 128 : st);
    }
    cJSON_Delete(resp);
    free(got);
}

/* The verdict of a finished outcome: a vector of level info records the
 * behaviour instead of judging it, unless the shim broke (section 8.2).
 * Hands the detail over in *detail. */
static tr_verdict settle(const tr_case *c, outcome *o, char **detail)
{
    tr_verdict verdict = o->v;
    if (c->info && !o->transport && verdict != TR_UNSUPPORTED) {
        if (verdict == TR_PASS) {
            tr_buf_printf(&o->d, "behaviour matches the vector");
        } else {
            char *d = tr_buf_take(&o->d);
            tr_buf_printf(&o->d, "behaviour differs from the vector: %s", d);
            free(d);
        }
        verdict = TR_INFO;
    }
    *detail = tr_buf_take(&o->d);
    return verdict;
}

/* "Bytes:", the vector's bytes, under a failure that is not the shim's
 * breaking. */
static void add_bytes(outcome *o, const uint8_t *bytes, size_t len)
{
    if (o->v == TR_FAIL && !o->transport) {
        tr_buf_printf(&o->d, "\nBytes:    ");
        tr_buf_hex(&o->d, bytes, len, DETAIL_HEX);
    }
}

tr_verdict tr_codec_judge(const tr_vectors *v, const tr_case *c,
                          const cJSON *resp, const char *got, char **detail)
{
    outcome o = {.v = TR_PASS};
    if (c->kind == TR_K_STREAM) {
        const tr_svec *sv = &v->s[c->vi];
        judge_stream(&o, sv, resp, got);
        add_bytes(&o, sv->bytes, sv->len);
        return settle(c, &o, detail);
    }
    const tr_fvec *fv = &v->f[c->vi];
    switch (c->kind) {
    case TR_K_DECODE: judge_decode(&o, fv, resp); break;
    case TR_K_ENCODE: judge_encode(&o, fv, resp); break;
    default: judge_refusal(&o, resp); break;
    }
    if (o.v == TR_FAIL)
        line_field(&o.d, "Received:", got);
    add_bytes(&o, fv->bytes, fv->len);
    return settle(c, &o, detail);
}

static tr_verdict run_codec_case(codec_ctx *x, tr_case *c, char **detail)
{
    const char *op = c->kind == TR_K_DECODE   ? "decode"
                     : c->kind == TR_K_STREAM ? "stream"
                                              : "encode";
    outcome o = {.v = TR_PASS};
    if (!is_op_announced(x->shim.hello, op)) {
        o.v = TR_UNSUPPORTED;
        tr_buf_printf(&o.d, "op \"%s\" is not among the ops of hello", op);
        return settle(c, &o, detail);
    }
    cJSON *req;
    const tr_fvec *fv = c->kind == TR_K_STREAM ? NULL : &x->v->f[c->vi];
    const tr_svec *sv = c->kind == TR_K_STREAM ? &x->v->s[c->vi] : NULL;
    tt_frame refuse = {0}; /* refusal_fields fills it for these cases */
    uint8_t *refuse_payload = NULL;
    switch (c->kind) {
    case TR_K_DECODE: req = tr_decode_request(fv->bytes, fv->len); break;
    case TR_K_ENCODE: req = tr_encode_request(&fv->frame.f); break;
    case TR_K_ENCODE_REFUSE:
        refusal_fields(fv, &refuse);
        /* Payload: the bytes the vector has, then zeros, UsedLen in all. */
        refuse_payload = tr_xcalloc(refuse.used_len + 1u, 1);
        {
            size_t start = refuse.has_ext ? 8 : 6;
            size_t have = fv->len > start ? fv->len - start : 0;
            memcpy(refuse_payload, fv->bytes + start,
                   have < refuse.used_len ? have : refuse.used_len);
        }
        refuse.payload = refuse_payload;
        req = tr_encode_request(&refuse);
        break;
    default:
        req = tr_stream_request(sv->bytes, sv->chunks, sv->nchunks);
        break;
    }
    cJSON *resp = NULL;
    char *got = NULL;
    tr_verdict verdict;
    if (exchange(x, req, &resp, &got, &o) == 0)
        verdict = tr_codec_judge(x->v, c, resp, got, detail);
    else
        verdict = settle(c, &o, detail);
    free(refuse_payload);
    cJSON_Delete(req);
    cJSON_Delete(resp);
    free(got);
    return verdict;
}

int tr_codec_run(tr_run *r, tr_vectors *v, cJSON **impl)
{
    codec_ctx x = {.r = r, .v = v};
    tr_shim_init(&x.shim, r->o);
    char why[1024];
    if (tr_shim_start(&x.shim, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: the shim could not run: %s\n", why);
        tr_shim_free(&x.shim);
        return 2;
    }
    *impl = cJSON_Duplicate(x.shim.hello, true);
    cJSON_DeleteItemFromObjectCaseSensitive(*impl, "id");
    cJSON_DeleteItemFromObjectCaseSensitive(*impl, "ok");
    const char *crcname =
        cJSON_GetObjectItemCaseSensitive(x.shim.hello, "crc")->valuestring;
    tt_crc crc = (tt_crc)tt_crc_from_name(crcname);
    if (r->o->crc >= 0 && (tt_crc)r->o->crc != crc) {
        fprintf(stderr,
                "tamtam-run: the shim uses %s but --crc asked for %s\n",
                tt_crc_name(crc), tt_crc_name((tt_crc)r->o->crc));
        tr_shim_free(&x.shim);
        return 2;
    }
    if (crc != v->crc)
        printf("note: the shim uses %s; vectors adapted from %s (integrity "
               "bytes recomputed)\n",
               tt_crc_name(crc), tt_crc_name(v->crc));
    tr_vectors_adapt(v, crc);

    int rc = 0;
    for (size_t i = 0; i < r->cases->n; i++) {
        tr_case *c = &r->cases->c[i];
        if (c->kind > TR_K_STREAM || !tr_selected(r->o, c->id))
            continue;
        if (tr_shim_ensure_up(&x.shim, r->progress)) {
            rc = 2;
            break;
        }
        tr_verbose(r->progress, "%s\n", c->id);
        int64_t t0 = tr_now_us();
        tr_verdict verdict;
        char *detail;
        if (c->kind <= TR_K_EOF) {
            outcome o = {.v = TR_PASS};
            run_harness_case(&x, c, &o);
            verdict = settle(c, &o, &detail);
        } else {
            verdict = run_codec_case(&x, c, &detail);
        }
        tr_case_done(r, c, verdict, detail, t0);
    }
    tr_shim_free(&x.shim);
    return rc;
}
