/*
 * The core codec suite (protocol "tamtam-core/1"): every Core Frame vector
 * through the shim's decode, encode and stream ops (spec/harness.md). The
 * harness's own checks and the shim itself are the driver's (driver.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define DETAIL_HEX 256     /* bytes of hex shown in a failure detail */
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

void tr_codec_cases(const tr_vectors *v, tr_cases *cs)
{
    const tr_suite *me = &tr_core_codec_suite;
    for (size_t i = 0; i < v->nf; i++)
        tr_cases_add(cs, me, TR_CODEC_DECODE, i, v->f[i].info, v->f[i].reqs,
                     "codec.decode.%s", v->f[i].id);
    for (size_t i = 0; i < v->nf; i++) {
        const tr_fvec *fv = &v->f[i];
        if (!fv->valid || fv->valid_under)
            continue;
        char *reqs = encode_reqs(fv->reqs);
        tr_cases_add(cs, me, TR_CODEC_ENCODE, i, fv->info, reqs,
                     "codec.encode.%s", fv->id);
        free(reqs);
    }
    add_encode_refusals(v, cs);
    for (size_t i = 0; i < v->ns; i++)
        tr_cases_add(cs, me, TR_CODEC_STREAM, i, v->s[i].info, v->s[i].reqs,
                     "codec.stream.%s", v->s[i].id);
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
        tr_cases_add(cs, &tr_core_codec_suite, TR_CODEC_ENCODE_REFUSE, i,
                     v->f[i].info, reqs, "codec.encode.%s", v->f[i].id);
        free(reqs);
    }
}

/* ---- Helpers for expectations and details -------------------------------- */


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
                 sv->nevents, TR_DETAIL_LINE, want);
        else
            fail(o, "event %zu: %s (%zu events expected, %zu received)\n"
                    "Expected: %.*s",
                 k, what, sv->nevents, r.nevents, TR_DETAIL_LINE, want);
        tr_buf_line(&o->d, "Actual:  ", got_line);
        free(want);
    } else if (r.pending != sv->pending) {
        fail(o, "Expected: pending %zu\nActual:   pending %zu", sv->pending,
             r.pending);
    }
    tr_reply_free(&r);
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
    if (c->kind == TR_CODEC_STREAM) {
        const tr_svec *sv = &v->s[c->vi];
        judge_stream(&o, sv, resp, got);
        add_bytes(&o, sv->bytes, sv->len);
        return settle(c, &o, detail);
    }
    const tr_fvec *fv = &v->f[c->vi];
    switch ((tr_codec_kind)c->kind) {
    case TR_CODEC_DECODE: judge_decode(&o, fv, resp); break;
    case TR_CODEC_ENCODE: judge_encode(&o, fv, resp); break;
    case TR_CODEC_ENCODE_REFUSE: judge_refusal(&o, resp); break;
    case TR_CODEC_STREAM: break; /* judged above */
    }
    if (o.v == TR_FAIL)
        tr_buf_line(&o.d, "Received:", got);
    add_bytes(&o, fv->bytes, fv->len);
    return settle(c, &o, detail);
}

/* ---- The suite ----------------------------------------------------------------- */

static const char *codec_op(tr_codec_kind k)
{
    switch (k) {
    case TR_CODEC_DECODE: return "decode";
    case TR_CODEC_ENCODE:
    case TR_CODEC_ENCODE_REFUSE: return "encode";
    case TR_CODEC_STREAM: return "stream";
    }
    return "?";
}

/* The request of an encode refusal case: the vector's fields, its payload
 * the bytes the vector has, then zeros, UsedLen in all. */
static cJSON *refusal_request(const tr_fvec *fv)
{
    tt_frame refuse = {0};
    refusal_fields(fv, &refuse);
    uint8_t *payload = tr_xcalloc(refuse.used_len + 1u, 1);
    int at = tt_crc_offset(fv->bytes, fv->len);
    size_t start = (size_t)(at < 0 ? 0 : at) + 3; /* the block */
    size_t have = fv->len > start ? fv->len - start : 0;
    memcpy(payload, fv->bytes + start,
           have < refuse.used_len ? have : refuse.used_len);
    refuse.payload = payload;
    cJSON *req = tr_encode_request(&refuse);
    free(payload);
    return req;
}

static cJSON *codec_request(const void *vectors, const tr_case *c,
                            const cJSON *hello, char **unsupported)
{
    const tr_vectors *v = vectors;
    tr_codec_kind k = (tr_codec_kind)c->kind;
    const char *op = codec_op(k);
    if (!is_op_announced(hello, op)) {
        tr_buf b = {0};
        tr_buf_printf(&b, "op \"%s\" is not among the ops of hello", op);
        *unsupported = tr_buf_take(&b);
        return NULL;
    }
    const tr_fvec *fv = &v->f[c->vi];
    switch (k) {
    case TR_CODEC_DECODE: return tr_decode_request(fv->bytes, fv->len);
    case TR_CODEC_ENCODE: return tr_encode_request(&fv->frame.f);
    case TR_CODEC_ENCODE_REFUSE: return refusal_request(fv);
    case TR_CODEC_STREAM: {
        const tr_svec *sv = &v->s[c->vi];
        return tr_stream_request(sv->bytes, sv->chunks, sv->nchunks);
    }
    }
    return NULL;
}

static tr_verdict codec_judge(const void *vectors, const tr_case *c,
                              const cJSON *resp, const char *got,
                              char **detail)
{
    return tr_codec_judge(vectors, c, resp, got, detail);
}

/* The CRC the shim names in hello is the one the vectors are adapted to
 * (HP-6); --crc must agree with it. */
static int codec_prepare(void *vectors, const tr_opts *o, const cJSON *hello)
{
    tr_vectors *v = vectors;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(hello, "crc");
    int crc = cJSON_IsString(name) ? tt_crc_from_name(name->valuestring) : -1;
    if (crc < 0) {
        fputs("tamtam-run: hello: \"crc\" must name a CRC-8 variant (the "
              "shim speaks " TR_CORE_PROTOCOL ")\n",
              stderr);
        return 2;
    }
    if (o->crc >= 0 && o->crc != crc) {
        fprintf(stderr,
                "tamtam-run: the shim uses %s but --crc asked for %s\n",
                tt_crc_name((tt_crc)crc), tt_crc_name((tt_crc)o->crc));
        return 2;
    }
    if ((tt_crc)crc != v->crc)
        printf("note: the shim uses %s; vectors adapted from %s (integrity "
               "bytes recomputed)\n",
               tt_crc_name((tt_crc)crc), tt_crc_name(v->crc));
    tr_vectors_adapt(v, (tt_crc)crc);
    return 0;
}

void *tr_core_vectors_load(const char *dir, char *why, size_t whylen)
{
    tr_vectors *v = tr_xcalloc(1, sizeof *v);
    if (tr_vectors_load(dir, v, why, whylen)) {
        free(v);
        return NULL;
    }
    return v;
}

void tr_core_vectors_free(void *vectors)
{
    if (vectors)
        tr_vectors_free(vectors);
    free(vectors);
}

static void codec_suite_cases(const tr_suite *self, const void *vectors,
                              const tr_suite_env *env, tr_cases *cs)
{
    (void)self;
    (void)env;
    tr_codec_cases(vectors, cs);
}

const tr_suite tr_core_codec_suite = {
    .name = "core codec",
    .protocol = TR_CORE_PROTOCOL,
    .req_prefix = "CF-",
    .mode = TR_MODE_SHIM,
    .load = tr_core_vectors_load,
    .free = tr_core_vectors_free,
    .cases = codec_suite_cases,
    .prepare = codec_prepare,
    .request = codec_request,
    .judge = codec_judge,
};
