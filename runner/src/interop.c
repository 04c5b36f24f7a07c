/*
 * tamtam-run interop: the encoder x decoder matrix. Every implementation
 * encodes every frame (the vector set's valid frames, then seeded random
 * ones); every implementation, itself included, decodes every encoder's
 * bytes one frame per decode request, and again as a chunked stream; the
 * fields must survive. A cell counts frames; its first failing frames are
 * kept with their bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

#define FAILURES_KEPT 5          /* failing frames listed per cell */
#define DETAIL_HEX 256           /* bytes of hex in a cell's text detail */
#define FRAME_TEXT 240           /* chars of a frame object in it */
#define BATCH_MAX (96u * 1024u)  /* bytes per stream request (HP-2-f) */
#define BROKEN_IN_A_ROW 3        /* then a shim is asked no more in a cell */
#define REQS_DECODE "CF-2-a,CF-12.2-c,CF-12.4-a"
#define REQS_STREAM "CF-12.3-b,CF-12.3-c,CF-12.4-a"

enum { OP_DECODE, OP_STREAM };
static const char *const op_names[] = {"decode", "stream"};

typedef struct xframe { /* a frame every implementation encodes */
    char source[160];   /* the vector id, or "random-N" */
    tr_frame fr;        /* the fields (crc unused) */
} xframe;

typedef struct encoded { /* one encoder's answer for one frame */
    tr_answer kind;      /* TR_ANS_OK: bytes; else no bytes */
    uint8_t *bytes;
    size_t len;
    char *why; /* why there are no bytes */
} encoded;

typedef struct batch { /* one stream request */
    size_t *idx; /* frames, in stream order */
    size_t n;
    size_t *chunks;
    size_t nchunks;
    size_t len;
} batch;

typedef struct cell {
    size_t ci; /* its case */
    int op;
    size_t e, d;
    size_t pass, fail, unsupported;
    bool enc_unsupported; /* the encoder said unsupported (else the decoder) */
    cJSON *failures; /* the first FAILURES_KEPT */
    tr_buf text;     /* the same, for the terminal and JUnit */
} cell;

typedef struct interop {
    tr_multi m;
    tr_progress prog;
    tr_run run;
    tr_cases cases;
    xframe *fr;
    size_t nfr, nvec;
    encoded *enc; /* the current encoder's answers, one per frame */
    batch *b;
    size_t nb;
    cell *cells;
    size_t ncells;
} interop;

/* ---- Frames ------------------------------------------------------------------ */

static void load_frames(interop *x, const tr_vectors *v)
{
    x->fr = tr_xcalloc(v->nf + (size_t)x->m.random, sizeof *x->fr);
    for (size_t i = 0; i < v->nf; i++) {
        const tr_fvec *fv = &v->f[i];
        if (!fv->valid || fv->valid_under)
            continue;
        xframe *xf = &x->fr[x->nfr++];
        snprintf(xf->source, sizeof xf->source, "%s", fv->id);
        tr_frame_copy(&xf->fr, &fv->frame.f);
    }
    x->nvec = x->nfr;
    uint32_t rng = tr_rand_seed(x->m.seed);
    uint8_t *payload = tr_xmalloc(TT_BLOCK_MAX);
    for (long k = 1; k <= x->m.random; k++) {
        xframe *xf = &x->fr[x->nfr++];
        snprintf(xf->source, sizeof xf->source, "random-%ld", k);
        tt_frame f;
        tr_random_frame(&rng, &f, payload);
        tr_frame_copy(&xf->fr, &f);
    }
    free(payload);
}

/* The fields a decoder must give back for frame i of this encoder: the
 * frame's, with the integrity byte the encoder wrote. */
static tt_frame wanted(const xframe *xf, const encoded *en)
{
    tt_frame w = xf->fr.f;
    int at = tt_crc_offset(en->bytes, en->len);
    w.crc = at >= 0 && en->len > (size_t)at ? en->bytes[at] : 0;
    return w;
}

/* ---- Encoding ---------------------------------------------------------------- */

static int encode_all(interop *x, size_t e)
{
    tr_impl *im = &x->m.impls[e];
    bool can = tr_impl_has_op(im, "encode");
    size_t broke = 0; /* broken answers in a row: a hanging shim costs a
                       * timeout per request, so it is not asked forever */
    for (size_t i = 0; i < x->nfr; i++) {
        encoded *en = &x->enc[i];
        memset(en, 0, sizeof *en);
        if (!can) {
            en->kind = TR_ANS_UNSUPPORTED;
            continue;
        }
        if (broke >= BROKEN_IN_A_ROW) {
            en->kind = TR_ANS_BAD;
            tr_buf why = {0};
            tr_buf_printf(&why, "not asked: encoder %s broke on %d requests "
                                "in a row",
                          im->name, BROKEN_IN_A_ROW);
            en->why = tr_buf_take(&why);
            continue;
        }
        cJSON *req = tr_encode_request(&x->fr[i].fr.f);
        tr_reply r;
        int rc = tr_impl_call(im, &x->prog, req, tr_reply_encode, &r);
        cJSON_Delete(req);
        if (rc)
            return -1;
        en->kind = r.kind;
        tr_buf why = {0};
        if (r.kind == TR_ANS_OK) {
            en->bytes = r.bytes;
            en->len = r.len;
            r.bytes = NULL;
        } else if (r.kind == TR_ANS_ERROR) {
            tr_buf_printf(&why, "encoder %s refused it: error %s", im->name,
                          r.error);
        } else if (r.kind == TR_ANS_BAD) {
            tr_buf_printf(&why, "encoder %s: %s", im->name, r.why);
        }
        broke = r.kind == TR_ANS_BAD ? broke + 1 : 0;
        en->why = why.s ? tr_buf_take(&why) : NULL;
        tr_reply_free(&r);
    }
    return 0;
}

static void free_encoded(interop *x)
{
    for (size_t i = 0; i < x->nfr; i++) {
        free(x->enc[i].bytes);
        free(x->enc[i].why);
    }
    for (size_t k = 0; k < x->nb; k++) {
        free(x->b[k].idx);
        free(x->b[k].chunks);
    }
    free(x->b);
    x->b = NULL;
    x->nb = 0;
}

/* The encoder's frames in stream requests, each cut into chunks by the
 * seeded splitter: the largest chunk is chosen per request, from one byte
 * to the whole request. */
static void make_batches(interop *x, size_t e)
{
    static const size_t chunk_max[] = {1, 3, 16, 100, 700, 4096, 9000, 0};
    uint32_t rng = tr_rand_seed(x->m.seed ^ ((uint64_t)(e + 1) << 53));
    x->b = tr_xcalloc(x->nfr ? x->nfr : 1, sizeof *x->b);
    size_t i = 0;
    for (;;) {
        while (i < x->nfr && x->enc[i].kind != TR_ANS_OK)
            i++;
        if (i >= x->nfr)
            break;
        size_t max = chunk_max[tr_rand_below(&rng, 8)];
        /* Small chunks, short requests: HP-2-f's 1 MiB line holds them. */
        size_t limit = max && max < 100 ? 1024u * max : BATCH_MAX;
        batch *b = &x->b[x->nb++];
        b->idx = tr_xmalloc(x->nfr * sizeof *b->idx);
        do {
            b->idx[b->n++] = i;
            b->len += x->enc[i].len;
            for (i++; i < x->nfr && x->enc[i].kind != TR_ANS_OK; i++)
                ;
        } while (i < x->nfr && b->len + x->enc[i].len <= limit);
        b->chunks = tr_xmalloc((b->len ? b->len : 1) * sizeof *b->chunks);
        for (size_t at = 0; at < b->len; at += b->chunks[b->nchunks++]) {
            size_t n = max ? 1 + tr_rand_below(&rng, (uint32_t)max) : b->len;
            b->chunks[b->nchunks] = n < b->len - at ? n : b->len - at;
        }
    }
}

/* ---- Cells ------------------------------------------------------------------- */

static void cell_fail(interop *x, cell *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Counts a failing frame; the first few are kept with their bytes. */
static void cell_fail(interop *x, cell *c, size_t i, const char *fmt, ...)
{
    c->fail++;
    if (cJSON_GetArraySize(c->failures) >= FAILURES_KEPT)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tr_sanitize(msg);
    const encoded *en = &x->enc[i];
    cJSON *o = cJSON_CreateObject();
    cJSON *fo = tr_encode_fields(&x->fr[i].fr.f);
    char *fields = cJSON_PrintUnformatted(fo);
    cJSON_AddStringToObject(o, "source", x->fr[i].source);
    cJSON_AddItemToObject(o, "frame", fo);
    if (en->kind == TR_ANS_OK)
        cJSON_AddItemToObject(o, "hex", ttj_hex_string(en->bytes, en->len));
    else
        cJSON_AddNullToObject(o, "hex");
    cJSON_AddStringToObject(o, "detail", msg);
    cJSON_AddItemToArray(c->failures, o);

    /* The fields as sent to the encoder (no crc, no used_len). */
    tr_buf_printf(&c->text, "\n%s: %s\n  Frame: %.*s%s", x->fr[i].source,
                  msg, FRAME_TEXT, fields ? fields : "",
                  fields && strlen(fields) > FRAME_TEXT ? "..." : "");
    cJSON_free(fields);
    if (en->kind == TR_ANS_OK) {
        tr_buf_printf(&c->text, "\n  Hex:   ");
        tr_buf_hex(&c->text, en->bytes, en->len, DETAIL_HEX);
    }
}

/* A frame without bytes from the encoder: unsupported, or a failure in
 * every cell of the encoder's row. Returns true when it was one. */
static bool no_bytes(interop *x, cell *c, size_t i)
{
    const encoded *en = &x->enc[i];
    if (en->kind == TR_ANS_OK)
        return false;
    if (en->kind == TR_ANS_UNSUPPORTED) {
        c->unsupported++;
        c->enc_unsupported = true;
    } else
        cell_fail(x, c, i, "%s", en->why);
    return true;
}

static void frame_differs(interop *x, cell *c, size_t i, const char *field,
                          const tt_frame *want, const tt_frame *got,
                          const char *where)
{
    char *w = tr_frame_text(want), *g = tr_frame_text(got);
    cell_fail(x, c, i, "%sfield \"%s\" differs\n  Expected: %.*s%s\n  "
                       "Actual:   %.*s%s",
              where, field, FRAME_TEXT, w, strlen(w) > FRAME_TEXT ? "..." : "",
              FRAME_TEXT, g, strlen(g) > FRAME_TEXT ? "..." : "");
    free(w);
    free(g);
}

static int run_decode(interop *x, cell *c)
{
    tr_impl *dec = &x->m.impls[c->d];
    bool can = tr_impl_has_op(dec, "decode");
    size_t broke = 0;
    for (size_t i = 0; i < x->nfr; i++) {
        if (no_bytes(x, c, i))
            continue;
        if (!can) {
            c->unsupported++;
            continue;
        }
        if (broke >= BROKEN_IN_A_ROW) {
            cell_fail(x, c, i, "not asked: decoder %s broke on %d requests "
                               "in a row",
                      dec->name, BROKEN_IN_A_ROW);
            continue;
        }
        const encoded *en = &x->enc[i];
        cJSON *req = tr_decode_request(en->bytes, en->len);
        tr_reply r;
        int rc = tr_impl_call(dec, &x->prog, req, tr_reply_decode, &r);
        cJSON_Delete(req);
        if (rc)
            return -1;
        tt_frame want = wanted(&x->fr[i], en);
        const char *field = NULL;
        if (r.kind == TR_ANS_UNSUPPORTED)
            c->unsupported++;
        else if (r.kind == TR_ANS_BAD)
            cell_fail(x, c, i, "decoder %s: %s", dec->name, r.why);
        else if (r.kind == TR_ANS_ERROR)
            cell_fail(x, c, i, "Expected: the frame\n  Actual:   error %s",
                      r.error);
        else if (r.consumed != en->len)
            cell_fail(x, c, i, "Expected: consumed %zu\n  Actual:   consumed "
                               "%zu",
                      en->len, r.consumed);
        else if ((field = ttj_frame_diff(&want, &r.frame.f, true)))
            frame_differs(x, c, i, field, &want, &r.frame.f, "");
        else
            c->pass++;
        broke = r.kind == TR_ANS_BAD ? broke + 1 : 0;
        tr_reply_free(&r);
    }
    return 0;
}

/* Judges one stream answer: frame k of the batch passes when the events up
 * to and including its own are right; extra events or bytes left pending
 * after the last frame fail the last frame. */
static void judge_batch(interop *x, cell *c, const batch *b, const tr_reply *r)
{
    char where[160];
    size_t k = 0;
    for (; k < b->n && k < r->nevents; k++) {
        size_t i = b->idx[k];
        const tr_event *ev = &r->events[k];
        tt_frame want = wanted(&x->fr[i], &x->enc[i]);
        snprintf(where, sizeof where, "event %zu of a stream of %zu frames "
                                      "(%zu bytes in %zu chunks): ",
                 k, b->n, b->len, b->nchunks);
        if (ev->status) {
            cell_fail(x, c, i, "%sExpected: the frame\n  Actual:   error %s "
                               "at offset %llu",
                      where, tt_error_name(ev->status),
                      (unsigned long long)ev->offset);
            break;
        }
        const char *field = ttj_frame_diff(&want, &ev->frame.f, true);
        if (field) {
            frame_differs(x, c, i, field, &want, &ev->frame.f, where);
            break;
        }
        c->pass++;
    }
    if (k < b->n && k == r->nevents)
        cell_fail(x, c, b->idx[k], "a stream of %zu frames (%zu bytes in %zu "
                                   "chunks) gave only %zu events, %zu bytes "
                                   "pending",
                  b->n, b->len, b->nchunks, r->nevents, r->pending);
    else if (k == b->n && (r->nevents > b->n || r->pending)) {
        c->pass--;
        cell_fail(x, c, b->idx[b->n - 1], "after the last of %zu frames: %zu "
                                          "more events, %zu bytes pending "
                                          "(expected none)",
                  b->n, r->nevents - b->n, r->pending);
    }
    if (k < b->n)
        c->fail += b->n - k - 1; /* the rest of the stream is lost */
}

static int run_stream(interop *x, cell *c)
{
    tr_impl *dec = &x->m.impls[c->d];
    bool can = tr_impl_has_op(dec, "stream");
    for (size_t i = 0; i < x->nfr; i++)
        if (!no_bytes(x, c, i) && !can)
            c->unsupported++;
    size_t broke = 0;
    for (size_t k = 0; can && k < x->nb; k++) {
        const batch *b = &x->b[k];
        if (broke >= BROKEN_IN_A_ROW) {
            cell_fail(x, c, b->idx[0], "not asked: decoder %s broke on %d "
                                       "requests in a row",
                      dec->name, BROKEN_IN_A_ROW);
            c->fail += b->n - 1;
            continue;
        }
        uint8_t *bytes = tr_xmalloc(b->len);
        for (size_t j = 0, at = 0; j < b->n; j++) {
            const encoded *en = &x->enc[b->idx[j]];
            memcpy(bytes + at, en->bytes, en->len);
            at += en->len;
        }
        cJSON *req = tr_stream_request(bytes, b->chunks, b->nchunks);
        free(bytes);
        tr_reply r;
        int rc = tr_impl_call(dec, &x->prog, req, tr_reply_stream, &r);
        cJSON_Delete(req);
        if (rc)
            return -1;
        if (r.kind == TR_ANS_UNSUPPORTED) {
            c->unsupported += b->n;
        } else if (r.kind == TR_ANS_OK) {
            judge_batch(x, c, b, &r);
        } else {
            cell_fail(x, c, b->idx[0], "a stream of %zu frames (%zu bytes in "
                                       "%zu chunks): %s%s",
                      b->n, b->len, b->nchunks,
                      r.kind == TR_ANS_ERROR ? "error " : "",
                      r.kind == TR_ANS_ERROR ? r.error : r.why);
            c->fail += b->n - 1;
        }
        broke = r.kind == TR_ANS_BAD ? broke + 1 : 0;
        tr_reply_free(&r);
    }
    return 0;
}

static void finish_cell(interop *x, cell *c, int64_t t0)
{
    tr_case *tc = &x->cases.c[c->ci];
    size_t total = c->pass + c->fail + c->unsupported;
    tr_verdict v = c->fail ? TR_FAIL : c->pass ? TR_PASS : TR_UNSUPPORTED;
    tr_buf d = {0};
    if (v == TR_FAIL)
        tr_buf_printf(&d, "%zu of %zu frames failed; the first:", c->fail,
                      total);
    else if (v == TR_UNSUPPORTED)
        tr_buf_printf(&d, "unsupported, not a failure: %s %s answered "
                          "unsupported to %s (or its hello lacks the op)",
                      c->enc_unsupported ? "encoder" : "decoder",
                      x->m.impls[c->enc_unsupported ? c->e : c->d].name,
                      c->enc_unsupported ? "encode" : op_names[c->op]);
    else if (c->unsupported)
        tr_buf_printf(&d, "%zu frames passed, %zu unsupported", c->pass,
                      c->unsupported);
    if (c->text.s)
        tr_buf_printf(&d, "%s", c->text.s);
    tr_case_done(&x->run, tc, v, tr_buf_take(&d), t0);
}

/* ---- Output ------------------------------------------------------------------ */

static void cell_label(const cell *c, char *out, size_t len)
{
    size_t total = c->pass + c->fail + c->unsupported;
    if (c->fail)
        snprintf(out, len, "%zu/%zu FAIL", c->pass, total);
    else if (!c->pass)
        snprintf(out, len, "UNSUPPORTED");
    else if (c->unsupported)
        snprintf(out, len, "%zu/%zu (%zu unsupp.)", c->pass, total,
                 c->unsupported);
    else
        snprintf(out, len, "%zu/%zu", c->pass, total);
}

static void print_matrix(const interop *x, int op)
{
    size_t n = x->m.nimpls, w0 = strlen("encoder \\ decoder"), w = 8;
    char label[64];
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(x->m.impls[i].name);
        w0 = l > w0 ? l : w0;
        w = l > w ? l : w;
    }
    for (size_t k = 0; k < x->ncells; k++) {
        cell_label(&x->cells[k], label, sizeof label);
        w = strlen(label) > w ? strlen(label) : w;
    }
    printf("\n%s: encoder rows x decoder columns, frames passed/total\n",
           op_names[op]);
    printf("%-*s", (int)w0, "encoder \\ decoder");
    for (size_t d = 0; d < n; d++)
        printf("  %-*s", d + 1 < n ? (int)w : 0, x->m.impls[d].name);
    printf("\n");
    for (size_t e = 0; e < n; e++) {
        printf("%-*s", (int)w0, x->m.impls[e].name);
        for (size_t k = 0; k < x->ncells; k++) {
            const cell *c = &x->cells[k];
            if (c->op != op || c->e != e)
                continue;
            cell_label(c, label, sizeof label);
            printf("  %-*s", c->d + 1 < n ? (int)w : 0, label);
        }
        printf("\n");
    }
}

static int write_json(const interop *x, const char *path)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "runner_version", TR_VERSION);
    cJSON_AddStringToObject(doc, "command", "interop");
    cJSON_AddNumberToObject(doc, "seed", (double)x->m.seed);
    cJSON *fr = cJSON_AddObjectToObject(doc, "frames");
    cJSON_AddNumberToObject(fr, "vectors", (double)x->nvec);
    cJSON_AddNumberToObject(fr, "random", (double)(x->nfr - x->nvec));
    cJSON_AddItemToObject(doc, "implementations", tr_multi_json(&x->m));
    cJSON_AddItemToObject(doc, "summary", tr_summary_json(&x->cases));
    cJSON *arr = cJSON_AddArrayToObject(doc, "matrix");
    for (size_t k = 0; k < x->ncells; k++) {
        const cell *c = &x->cells[k];
        const tr_case *tc = &x->cases.c[c->ci];
        if (tc->verdict == TR_NOT_RUN)
            continue;
        cJSON *o = tr_case_json(tc);
        cJSON_AddStringToObject(o, "op", op_names[c->op]);
        cJSON_AddStringToObject(o, "encoder", x->m.impls[c->e].name);
        cJSON_AddStringToObject(o, "decoder", x->m.impls[c->d].name);
        cJSON_AddNumberToObject(o, "pass", (double)c->pass);
        cJSON_AddNumberToObject(o, "fail", (double)c->fail);
        cJSON_AddNumberToObject(o, "unsupported", (double)c->unsupported);
        cJSON_AddNumberToObject(o, "total",
                                (double)(c->pass + c->fail + c->unsupported));
        cJSON_AddItemToObject(o, "failures",
                              cJSON_Duplicate(c->failures, true));
        cJSON_AddItemToArray(arr, o);
    }
    return tr_write_doc(path, doc);
}

/* ---- Main ---------------------------------------------------------------------- */

static void add_cells(interop *x)
{
    size_t n = x->m.nimpls;
    x->cells = tr_xcalloc(2 * n * n, sizeof *x->cells);
    for (size_t e = 0; e < n; e++)
        for (size_t d = 0; d < n; d++)
            for (int op = OP_DECODE; op <= OP_STREAM; op++) {
                cell *c = &x->cells[x->ncells++];
                c->op = op;
                c->e = e;
                c->d = d;
                c->ci = x->cases.n;
                c->failures = cJSON_CreateArray();
                tr_cases_add(&x->cases, NULL, 0, 0, false,
                             op == OP_DECODE ? REQS_DECODE : REQS_STREAM,
                             "interop.%s.%s.%s", op_names[op],
                             x->m.impls[e].name, x->m.impls[d].name);
            }
}

static int run_all(interop *x)
{
    x->enc = tr_xcalloc(x->nfr, sizeof *x->enc);
    size_t k = 0;
    for (size_t e = 0; e < x->m.nimpls; e++) {
        int rc = encode_all(x, e);
        if (rc == 0)
            make_batches(x, e);
        for (size_t d = 0; rc == 0 && d < x->m.nimpls; d++)
            for (int op = OP_DECODE; rc == 0 && op <= OP_STREAM; op++, k++) {
                cell *c = &x->cells[k];
                tr_verbose(&x->prog, "%s\n", x->cases.c[c->ci].id);
                int64_t t0 = tr_now_us();
                rc = op == OP_DECODE ? run_decode(x, c) : run_stream(x, c);
                if (rc == 0)
                    finish_cell(x, c, t0);
            }
        free_encoded(x);
        if (rc)
            return -1;
    }
    return 0;
}

int tr_interop_main(int argc, char **argv)
{
    interop x;
    memset(&x, 0, sizeof x);
    if (tr_multi_parse(argc, argv, false, &x.m)) {
        tr_multi_free(&x.m);
        return 2;
    }
    int64_t t0 = tr_now_ms();
    char why[1024];
    tr_vectors v;
    if (tr_vectors_load(x.m.o.vectors, &v, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: %s\n", why);
        tr_multi_free(&x.m);
        return 2;
    }
    load_frames(&x, &v);
    tr_vectors_free(&v);
    int rc = 0;
    tt_crc crc;
    if (!x.nfr) {
        fputs("tamtam-run: no frames to exchange (no valid vector and "
              "--random 0)\n",
              stderr);
        rc = 2;
    } else if (tr_multi_start(&x.m, false, &crc)) {
        rc = 2;
    }
    x.prog = (tr_progress){.tty = isatty(1) == 1, .verbose = x.m.o.verbose};
    x.run = (tr_run){.o = &x.m.o, .progress = &x.prog, .cases = &x.cases};
    if (rc == 0) {
        tr_multi_print(&x.m);
        printf("frames: %zu valid vectors + %zu random (seed %llu), each "
               "encoded by every implementation\n",
               x.nvec, x.nfr - x.nvec, (unsigned long long)x.m.seed);
        fflush(stdout);
        add_cells(&x);
        x.prog.total = x.ncells;
        if (run_all(&x))
            rc = 2;
        tr_progress_end(&x.prog);
        print_matrix(&x, OP_DECODE);
        print_matrix(&x, OP_STREAM);
        tr_summary s;
        tr_summarize(&x.cases, &s);
        printf("\ntamtam-run interop: %zu cells passed, %zu failed, %zu "
               "unsupported (%.2f s)\n",
               s.pass, s.fail, s.unsupported,
               (double)(tr_now_ms() - t0) / 1000.0);
        if (s.unsupported)
            printf("UNSUPPORTED cells are not failures: an implementation "
                   "answered unsupported to that op.\n");
        if (x.m.o.json && write_json(&x, x.m.o.json))
            rc = 2;
        if (x.m.o.junit &&
            tr_write_junit(x.m.o.junit, &x.cases,
                           (double)(tr_now_ms() - t0)))
            rc = 2;
        if (rc == 0 && s.fail)
            rc = 1;
    }
    for (size_t k = 0; k < x.ncells; k++) {
        cJSON_Delete(x.cells[k].failures);
        tr_buf_free(&x.cells[k].text);
    }
    free(x.cells);
    for (size_t i = 0; i < x.nfr; i++)
        tr_frame_free(&x.fr[i].fr);
    free(x.fr);
    free(x.enc);
    tr_cases_free(&x.cases);
    tr_multi_free(&x.m);
    return rc;
}
