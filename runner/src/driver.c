/*
 * The shim driver (spec/harness.md, codec mode): starts the shim, reads its
 * hello, runs the harness's own checks (unsupported, bad_request, end of
 * input) and, between them, the cases of every shim-mode suite through the
 * suite's request and judge functions. It knows no protocol: a suite runs
 * when the shim's hello lists the suite's protocol.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define UNKNOWN_OP "x-tamtam-runner-unknown-op"

/* Requirement IDs of spec/harness.md for the harness's own checks. */
#define HP_UNSUPPORTED "HP-3.7-a"
#define HP_BAD_REQUEST "HP-3.8-a"
#define HP_EOF "HP-2-e"

/* The harness's case kinds. */
typedef enum harness_kind {
    H_UNSUPPORTED, /* harness.unsupported */
    H_BAD_REQUEST, /* harness.bad_request */
    H_EOF          /* harness.eof */
} harness_kind;

/* The harness's checks belong to no protocol: an owner of its own. */
static const tr_suite harness_owner = {.name = "harness",
                                       .req_prefix = "HP-",
                                       .mode = TR_MODE_SHIM};

void tr_harness_cases_first(tr_cases *cs)
{
    tr_cases_add(cs, &harness_owner, H_UNSUPPORTED, 0, false, HP_UNSUPPORTED,
                 "harness.unsupported");
    tr_cases_add(cs, &harness_owner, H_BAD_REQUEST, 0, false, HP_BAD_REQUEST,
                 "harness.bad_request");
}

void tr_harness_cases_last(tr_cases *cs, bool process_shim)
{
    if (process_shim)
        tr_cases_add(cs, &harness_owner, H_EOF, 0, false, HP_EOF,
                     "harness.eof");
}

bool tr_hello_speaks(const cJSON *h, const char *protocol)
{
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(h, "protocols"), *p;
    if (!ps)
        return !strcmp(protocol, TR_CORE_PROTOCOL);
    cJSON_ArrayForEach(p, ps) if (cJSON_IsString(p) &&
                                  !strcmp(p->valuestring, protocol)) return true;
    return false;
}

/* ---- Running ------------------------------------------------------------------ */

typedef struct driver {
    tr_run *r;
    tr_shim shim;
} driver;

/* A failure: the message on a new line of the detail. */
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

static const char *resp_error(const cJSON *resp)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "error");
    return cJSON_IsString(e) ? e->valuestring : "";
}

/* One request/response. On a transport failure (the shim crashed, hung or
 * broke the protocol) returns -1 with the reason and the line sent in `d`. */
static int exchange(driver *x, cJSON *req, cJSON **resp, char **got,
                    tr_buf *d)
{
    char why[1024];
    char *sent = NULL;
    int r = tr_shim_exchange(&x->shim, x->r->progress, req, resp, &sent, got,
                             why, sizeof why);
    if (r) {
        fail(d, "%s", why);
        tr_buf_line(d, "Sent:", sent);
    }
    free(sent);
    return r;
}

static tr_verdict run_unsupported(driver *x, tr_buf *d)
{
    cJSON *req = cJSON_CreateObject(), *resp = NULL;
    char *got = NULL;
    cJSON_AddStringToObject(req, "op", UNKNOWN_OP);
    tr_verdict v = TR_FAIL;
    if (exchange(x, req, &resp, &got, d) == 0) {
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
        if (cJSON_IsFalse(ok) && !strcmp(resp_error(resp), "unsupported")) {
            v = TR_PASS;
        } else {
            fail(d, "Expected: {\"id\":N,\"ok\":false,\"error\":"
                    "\"unsupported\"} for op \"" UNKNOWN_OP "\"");
            tr_buf_line(d, "Actual:  ", got);
        }
    }
    cJSON_Delete(req);
    cJSON_Delete(resp);
    free(got);
    return v;
}

static tr_verdict run_bad_request(driver *x, tr_buf *d)
{
    static const char junk[] = "this line is not JSON {";
    char why[1024], *got = NULL;
    int64_t deadline = tr_now_ms() + x->r->o->timeout_ms;
    tr_verbose(x->r->progress, "  > %s\n", junk);
    size_t len = 0;
    if (tr_shim_raw(&x->shim, junk, deadline, &got, &len, why, sizeof why)) {
        fail(d, "%s", why);
        return TR_FAIL;
    }
    tr_verdict v = TR_PASS;
    tr_verbose(x->r->progress, "  < %s\n", got);
    /* Any id or none: the junk has none to echo (HP-3.8-a). */
    cJSON *resp = tr_reply_parse(got, len, -1, why, sizeof why);
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
    if (!resp || !cJSON_IsFalse(ok) || strcmp(resp_error(resp), "bad_request")) {
        fail(d, "Expected: {\"ok\":false,\"error\":\"bad_request\"} for a "
                "line that is not JSON");
        if (!resp)
            tr_buf_printf(d, "\n%s", why);
        tr_buf_line(d, "Actual:  ", got);
        v = TR_FAIL;
    }
    if (x->shim.len) {
        /* The rest would be taken for the next case's answer. */
        fail(d, "the shim wrote more than one line for one request");
        tr_shim_stop(&x->shim);
        v = TR_FAIL;
    }
    cJSON_Delete(resp);
    free(got);
    return v;
}

static tr_verdict run_eof(driver *x, tr_buf *d)
{
    char why[512];
    int st = tr_shim_finish(&x->shim, tr_now_ms() + x->r->o->timeout_ms, why,
                            sizeof why);
    if (st == -1) {
        fail(d, "%s", why);
        return TR_FAIL;
    }
    if (st > 0) {
        fail(d, "Expected: exit status 0 at the end of input\nActual:   %s %d",
             st > 128 ? "killed by signal" : "exit status",
             st > 128 ? st - 128 : st);
        return TR_FAIL;
    }
    return TR_PASS;
}

static tr_verdict run_harness_case(driver *x, const tr_case *c, tr_buf *d)
{
    switch ((harness_kind)c->kind) {
    case H_UNSUPPORTED: return run_unsupported(x, d);
    case H_BAD_REQUEST: return run_bad_request(x, d);
    case H_EOF: return run_eof(x, d);
    }
    return TR_FAIL;
}

/* A suite's case: its request, the exchange, its judge. A shim that broke
 * fails the case whatever the vector's level (section 8.2). */
static tr_verdict run_suite_case(driver *x, const tr_loaded *l,
                                 const tr_case *c, char **detail)
{
    tr_buf d = {0};
    if (!tr_hello_speaks(x->shim.hello, l->suite->protocol)) {
        tr_buf_printf(&d, "the shim's hello does not list protocol \"%s\"",
                      l->suite->protocol);
        *detail = tr_buf_take(&d);
        return TR_UNSUPPORTED;
    }
    char *unsupported = NULL;
    cJSON *req = l->suite->request(l->vectors, c, x->shim.hello, &unsupported);
    if (!req) {
        *detail = unsupported ? unsupported : tr_xstrdup("not offered");
        return TR_UNSUPPORTED;
    }
    cJSON *resp = NULL;
    char *got = NULL;
    tr_verdict v;
    if (exchange(x, req, &resp, &got, &d) == 0) {
        v = l->suite->judge(l->vectors, c, resp, got, detail);
        tr_buf_free(&d);
    } else {
        v = TR_FAIL;
        *detail = tr_buf_take(&d);
    }
    cJSON_Delete(req);
    cJSON_Delete(resp);
    free(got);
    return v;
}

/* The loaded suite that owns `c`, or NULL for the harness's cases (and
 * cases of suites not run in this mode). */
static const tr_loaded *owner(const tr_loaded *ls, size_t n, const tr_case *c)
{
    for (size_t i = 0; i < n; i++)
        if (ls[i].suite == c->suite)
            return &ls[i];
    return NULL;
}

int tr_shim_run(tr_run *r, const tr_loaded *ls, size_t n, cJSON **impl)
{
    driver x = {.r = r};
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
    for (size_t i = 0; i < n; i++) {
        if (ls[i].suite->mode != TR_MODE_SHIM ||
            !tr_hello_speaks(x.shim.hello, ls[i].suite->protocol))
            continue;
        if (ls[i].suite->prepare(ls[i].vectors, r->o, x.shim.hello)) {
            tr_shim_free(&x.shim);
            return 2;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < r->cases->n; i++) {
        tr_case *c = &r->cases->c[i];
        const tr_loaded *l = owner(ls, n, c);
        bool harness = c->suite == &harness_owner;
        if ((!harness && (!l || l->suite->mode != TR_MODE_SHIM)) ||
            !tr_selected(r->o, c->id))
            continue;
        if (tr_shim_ensure_up(&x.shim, r->progress)) {
            rc = 2;
            break;
        }
        tr_verbose(r->progress, "%s\n", c->id);
        int64_t t0 = tr_now_us();
        char *detail = NULL;
        tr_verdict v;
        if (harness) {
            tr_buf d = {0};
            v = run_harness_case(&x, c, &d);
            detail = tr_buf_take(&d);
        } else {
            v = run_suite_case(&x, l, c, &detail);
        }
        tr_case_done(r, c, v, detail, t0);
    }
    tr_shim_free(&x.shim);
    return rc;
}
