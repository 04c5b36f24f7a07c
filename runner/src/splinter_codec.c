/*
 * The Splinter codec suite (protocol "splinter/1", shim mode): every vector
 * of vectors/splinter-envelope.json goes to the shim's splinter.validate,
 * every vector of splinter-stream.json to splinter.reassemble, and every
 * envelope vector whose trigger allows a reply to splinter.fault
 * (spec/harness.md section 10). Answers are judged member by member; a
 * failure names the SP- requirement behind the vector. Expected fault
 * replies are libsplinter's (sp_fault_reply), never re-derived here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"
#include "splinter/splinter.h"

#define SP_PROTOCOL "splinter/1"
/* The vector files are at most a few MiB; a line is at most 1 MiB. */
#define SP_VECTOR_FILE_MAX (64u * 1024u * 1024u)
/* The service name the fault cases give libsplinter: the shim's own
 * name is its business, so `from` is judged as any non-empty string. */
#define SP_ANY_SERVICE "tamtam-run"
#define SP_FAULT_DETAIL "tamtam-run fault detail"
#define HP_FAULT_OP "HP-10.2-c"
/* The longest request line a splinter/1 shim must accept (HP-10.2-e):
 * the stream memory-limit vectors need more than 4 MiB of lines in one
 * reassemble request (5.2 MB in spec version 1.0). */
#define SP_REQUEST_MAX (8u * 1024u * 1024u)

/* The suite's case kinds. */
typedef enum sc_kind {
    SC_VALIDATE,   /* splinter.validate of an envelope vector */
    SC_REASSEMBLE, /* splinter.reassemble of a stream vector */
    SC_FAULT       /* splinter.fault with an envelope vector's line */
} sc_kind;

typedef struct sc_vec {
    cJSON *v;      /* the vector object (owned by the document) */
    char *reqs;    /* requirements joined by ',' */
    char *line;    /* the line's bytes (line, or line_hex decoded) */
    size_t len;
    bool hex;      /* given as line_hex */
    int fault;     /* expected fault, 0 when valid / ok */
} sc_vec;

typedef struct sc_set {
    cJSON *env_doc, *stream_doc;
    sc_vec *e, *s;
    size_t ne, ns;
    bool missing; /* no Splinter vector files in the directory */
    char dir[4096];
} sc_set;

static void sc_free(void *vectors)
{
    sc_set *s = vectors;
    if (!s)
        return;
    for (size_t i = 0; i < s->ne; i++) {
        free(s->e[i].reqs);
        free(s->e[i].line);
    }
    for (size_t i = 0; i < s->ns; i++)
        free(s->s[i].reqs);
    free(s->e);
    free(s->s);
    cJSON_Delete(s->env_doc);
    cJSON_Delete(s->stream_doc);
    free(s);
}

static const cJSON *member(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *str_member(const cJSON *o, const char *name)
{
    const cJSON *m = member(o, name);
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads the common members of vector `o` (index i of `file`) into `out`.
 * Returns 0, or -1 with the reason. */
static int read_vector(const cJSON *o, const char *file, size_t i, bool env,
                       sc_vec *out, char *why, size_t whylen)
{
    const char *id = str_member(o, "id"), *expect = str_member(o, "expect");
    const cJSON *reqs = member(o, "requirements"), *r;
    if (!id || !cJSON_IsArray(reqs) || !expect || !str_member(o, "now"))
        return snprintf(why, whylen, "%s: vector %zu needs id, requirements, "
                                     "expect and now", file, i), -1;
    tr_buf b = {0};
    cJSON_ArrayForEach(r, reqs)
    {
        if (!cJSON_IsString(r) || strncmp(r->valuestring, "SP-", 3)) {
            tr_buf_free(&b);
            return snprintf(why, whylen, "%s: vector %s: requirements must "
                                         "be SP- IDs", file, id), -1;
        }
        tr_buf_printf(&b, "%s%s", b.len ? "," : "", r->valuestring);
    }
    out->reqs = tr_buf_take(&b);
    out->v = (cJSON *)o;
    const cJSON *f = member(o, "fault");
    if (!strcmp(expect, "fault")) {
        if (!cJSON_IsNumber(f) || !sp_fault_symbol(f->valueint))
            return snprintf(why, whylen, "%s: vector %s: a fault vector needs "
                                         "a fault code of the table", file, id),
                   -1;
        out->fault = f->valueint;
    } else if (strcmp(expect, env ? "valid" : "ok")) {
        return snprintf(why, whylen, "%s: vector %s: unknown expect \"%s\"",
                        file, id, expect), -1;
    }
    if (!env)
        return 0;
    const char *line = str_member(o, "line"), *hex = str_member(o, "line_hex");
    if (!line == !hex)
        return snprintf(why, whylen, "%s: vector %s needs line or line_hex",
                        file, id), -1;
    if (line) {
        out->len = strlen(line);
        out->line = tr_xstrdup(line);
        return 0;
    }
    size_t n = strlen(hex);
    if (n % 2)
        return snprintf(why, whylen, "%s: vector %s: odd line_hex", file, id),
               -1;
    out->line = tr_xmalloc(n / 2 + 1);
    for (size_t k = 0; k < n / 2; k++) {
        int hi = hexval(hex[2 * k]), lo = hexval(hex[2 * k + 1]);
        if (hi < 0 || lo < 0)
            return snprintf(why, whylen, "%s: vector %s: line_hex is not "
                                         "lower-case hex", file, id), -1;
        out->line[k] = (char)(hi << 4 | lo);
    }
    out->line[n / 2] = '\0';
    out->len = n / 2;
    out->hex = true;
    return 0;
}

/* Loads one vector file into *doc and its vectors into *vs / *n. A file
 * that does not exist gives *missing and no vectors. */
static int load_file(const char *dir, const char *name, const char *suite,
                     bool env, cJSON **doc, sc_vec **vs, size_t *n,
                     bool *missing, char *why, size_t whylen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (stat(path, &st) != 0) {
        *missing = true;
        return 0;
    }
    if (!(*doc = tr_read_json(path, SP_VECTOR_FILE_MAX, why, whylen)))
        return -1;
    const char *su = str_member(*doc, "suite");
    const cJSON *arr = member(*doc, "vectors"), *o;
    if (!su || strcmp(su, suite) || !cJSON_IsArray(arr))
        return snprintf(why, whylen, "%s: not a %s vector file (suite, "
                                     "vectors)", path, suite), -1;
    *vs = tr_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **vs);
    cJSON_ArrayForEach(o, arr)
    {
        if (read_vector(o, path, *n, env, &(*vs)[*n], why, whylen)) {
            (*n)++; /* freed with the others */
            return -1;
        }
        (*n)++;
    }
    return 0;
}

static void *sc_load(const char *dir, char *why, size_t whylen)
{
    sc_set *s = tr_xcalloc(1, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (load_file(dir, "splinter-envelope.json", "splinter-envelope", true,
                  &s->env_doc, &s->e, &s->ne, &s->missing, why, whylen) ||
        load_file(dir, "splinter-stream.json", "splinter-stream", false,
                  &s->stream_doc, &s->s, &s->ns, &s->missing, why, whylen)) {
        sc_free(s);
        return NULL;
    }
    return s;
}

/* True when the line of envelope vector `e` allows a fault reply, as
 * libsplinter judges it. */
static bool fault_case(const sc_vec *e)
{
    sp_time now = {0, 0};
    char *text = NULL;
    int r = sp_fault_reply(e->line, e->len, SP_FAULT_BAD_SCHEMA, NULL,
                           SP_ANY_SERVICE, &now, &text);
    free(text);
    return r > 0;
}

static void sc_cases(const tr_suite *self, const void *vectors,
                     const tr_suite_env *env, tr_cases *cs)
{
    (void)env;
    const sc_set *s = vectors;
    for (size_t i = 0; i < s->ne; i++)
        tr_cases_add(cs, self, SC_VALIDATE, i, false, s->e[i].reqs,
                     "splinter.codec.validate.%s",
                     str_member(s->e[i].v, "id"));
    for (size_t i = 0; i < s->ns; i++)
        tr_cases_add(cs, self, SC_REASSEMBLE, i, false, s->s[i].reqs,
                     "splinter.codec.reassemble.%s",
                     str_member(s->s[i].v, "id"));
    for (size_t i = 0; i < s->ne; i++)
        if (s->e[i].fault && fault_case(&s->e[i]))
            tr_cases_add(cs, self, SC_FAULT, i, false,
                         "SP-9.2-a,SP-9.2-b," HP_FAULT_OP,
                         "splinter.codec.fault.%s",
                         str_member(s->e[i].v, "id"));
}

static int sc_prepare(void *vectors, const tr_opts *o, const cJSON *hello)
{
    (void)o;
    (void)hello;
    const sc_set *s = vectors;
    if (s->missing)
        fprintf(stderr, "tamtam-run: note: %s has no splinter-envelope.json "
                        "or splinter-stream.json: the Splinter codec suite "
                        "runs what is there\n", s->dir);
    return 0;
}

/* The vector's `now` member, copied into a request. */
static void add_copy(cJSON *req, const cJSON *v, const char *name)
{
    const cJSON *m = member(v, name);
    if (m)
        cJSON_AddItemToObject(req, name, cJSON_Duplicate(m, true));
}

/* Hex of `len` bytes (caller frees). */
static char *to_hex(const char *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *h = tr_xmalloc(2 * len + 1);
    for (size_t i = 0; i < len; i++) {
        h[2 * i] = digits[(unsigned char)p[i] >> 4];
        h[2 * i + 1] = digits[(unsigned char)p[i] & 15];
    }
    h[2 * len] = '\0';
    return h;
}

static cJSON *sc_request(const void *vectors, const tr_case *c,
                         const cJSON *hello, char **unsupported)
{
    (void)hello;
    const sc_set *s = vectors;
    cJSON *req = cJSON_CreateObject();
    switch ((sc_kind)c->kind) {
    case SC_VALIDATE: {
        const sc_vec *e = &s->e[c->vi];
        cJSON_AddStringToObject(req, "op", "splinter.validate");
        if (e->hex) {
            /* Bytes a JSON string cannot carry (invalid UTF-8, NUL). */
            char *h = to_hex(e->line, e->len);
            cJSON_AddStringToObject(req, "line_hex", h);
            free(h);
        } else {
            cJSON_AddStringToObject(req, "line", e->line);
        }
        add_copy(req, e->v, "now");
        add_copy(req, e->v, "allow");
        break;
    }
    case SC_REASSEMBLE:
        cJSON_AddStringToObject(req, "op", "splinter.reassemble");
        add_copy(req, s->s[c->vi].v, "lines");
        add_copy(req, s->s[c->vi].v, "now");
        break;
    case SC_FAULT: {
        const sc_vec *e = &s->e[c->vi];
        cJSON_AddStringToObject(req, "op", "splinter.fault");
        cJSON_AddStringToObject(req, "trigger", e->line);
        cJSON_AddNumberToObject(req, "fault", e->fault);
        cJSON_AddStringToObject(req, "detail", SP_FAULT_DETAIL);
        break;
    }
    }
    /* Requests past what a shim must read are not sent (HP-10.2-e): only
     * large ones are measured. */
    size_t rough = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, member(req, "lines")) rough +=
        cJSON_IsString(l) ? strlen(l->valuestring) : 0;
    const char *one = str_member(req, "line") ? str_member(req, "line")
                                              : str_member(req, "trigger");
    rough += one ? strlen(one) : 0;
    char *text = rough > SP_REQUEST_MAX / 8 ? cJSON_PrintUnformatted(req)
                                            : NULL;
    size_t len = text ? strlen(text) : 0;
    free(text);
    if (len > SP_REQUEST_MAX) {
        tr_buf b = {0};
        tr_buf_printf(&b, "the request would be %zu bytes, more than the "
                          "%u a splinter/1 shim must accept (HP-10.2-e)",
                      len, SP_REQUEST_MAX);
        *unsupported = tr_buf_take(&b);
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

/* ---- Judging ----------------------------------------------------------------- */

/* A value as compact JSON text for a detail (caller frees). */
static char *text_of(const cJSON *v)
{
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    return t ? t : tr_xstrdup("(absent)");
}

/* Appends "REQ: WHAT: expected X, actual Y" to `d`. */
static void diff_line(tr_buf *d, const char *req, const char *what,
                      const cJSON *want, const cJSON *got)
{
    if (want && got && cJSON_IsNumber(want) && cJSON_IsNumber(got)) {
        /* cJSON writes 15 digits: 2^53 - 1 and 2^53 - 2 would look alike. */
        tr_buf_printf(d, "%s%s: %s: expected %.17g, actual %.17g",
                      d->len ? "\n" : "", req, what, want->valuedouble,
                      got->valuedouble);
        return;
    }
    char *w = text_of(want), *g = text_of(got);
    tr_buf_printf(d, "%s%s: %s: expected %.300s, actual %.300s",
                  d->len ? "\n" : "", req, what, w, g);
    free(w);
    free(g);
}

/* Compares object `want` with `got` member by member (member order not
 * counted), adding one line per difference. Returns the number of them. */
static int compare_members(tr_buf *d, const char *req, const char *what,
                           const cJSON *want, const cJSON *got)
{
    if (!cJSON_IsObject(got)) {
        diff_line(d, req, what, want, got);
        return 1;
    }
    int n = 0;
    const cJSON *m;
    char label[256];
    cJSON_ArrayForEach(m, want)
    {
        const cJSON *g = member(got, m->string);
        if (!g || !tr_json_equal(m, g)) {
            snprintf(label, sizeof label, "%s member \"%.100s\"", what,
                     m->string);
            diff_line(d, req, label, m, g);
            n++;
        }
    }
    cJSON_ArrayForEach(m, got)
    {
        if (!member(want, m->string)) {
            snprintf(label, sizeof label, "%s member \"%.100s\" (not in the "
                                          "vector)", what, m->string);
            diff_line(d, req, label, NULL, m);
            n++;
        }
    }
    return n;
}

/* The SP- requirement a failure names: the vector's `rule`, else its
 * requirements. */
static const char *rule_of(const sc_vec *x)
{
    const char *r = str_member(x->v, "rule");
    return r ? r : x->reqs;
}

/* A fault answer {"ok":false,"error":SYMBOL,"fault":CODE}. */
static bool is_fault(const cJSON *resp, int fault)
{
    const cJSON *f = member(resp, "fault");
    const char *e = str_member(resp, "error");
    return cJSON_IsFalse(member(resp, "ok")) && cJSON_IsNumber(f) &&
           f->valuedouble == fault && e && !strcmp(e, sp_fault_symbol(fault));
}

static void expect_fault(tr_buf *d, const char *req, int fault,
                         const cJSON *resp)
{
    const cJSON *f = member(resp, "fault");
    const char *e = str_member(resp, "error");
    char code[32] = "(no code)";
    if (cJSON_IsNumber(f))
        snprintf(code, sizeof code, "%.0f", f->valuedouble);
    if (cJSON_IsTrue(member(resp, "ok")))
        tr_buf_printf(d, "%s%s: expected fault %d %s, actual ok (no fault)",
                      d->len ? "\n" : "", req, fault, sp_fault_symbol(fault));
    else
        tr_buf_printf(d, "%s%s: expected fault %d %s, actual fault %s %.80s",
                      d->len ? "\n" : "", req, fault, sp_fault_symbol(fault),
                      code, e ? e : "(no error)");
}

/* Note names of a validate answer, or of the vector, as one sorted-free
 * comparable text: the notes are a set. */
static bool same_notes(const cJSON *want, const cJSON *got)
{
    if (!cJSON_IsArray(got))
        return cJSON_GetArraySize(want) == 0;
    if (cJSON_GetArraySize(want) != cJSON_GetArraySize(got))
        return false;
    const cJSON *w, *g;
    cJSON_ArrayForEach(w, want)
    {
        bool found = false;
        cJSON_ArrayForEach(g, got) found |= tr_json_equal(w, g);
        if (!found)
            return false;
    }
    return true;
}

static tr_verdict judge_validate(const sc_vec *e, const cJSON *resp,
                                 tr_buf *d)
{
    const char *err = str_member(resp, "error");
    if (e->hex && err && (!strcmp(err, "bad_request") ||
                          !strcmp(err, "unsupported"))) {
        tr_buf_printf(d, "the shim does not take \"line_hex\" (HP-10.2-a): "
                         "a line JSON text cannot carry");
        return TR_UNSUPPORTED;
    }
    if (e->fault) {
        if (is_fault(resp, e->fault))
            return TR_PASS;
        expect_fault(d, rule_of(e), e->fault, resp);
        return TR_FAIL;
    }
    if (!cJSON_IsTrue(member(resp, "ok"))) {
        tr_buf_printf(d, "%s: expected a valid envelope, actual fault %s",
                      e->reqs, err ? err : "(no error member)");
        return TR_FAIL;
    }
    if (compare_members(d, e->reqs, "envelope", member(e->v, "envelope"),
                        member(resp, "envelope")))
        return TR_FAIL;
    /* Info notes never pass or fail (SP-9.3-a): a difference is recorded. */
    if (!same_notes(member(e->v, "notes"), member(resp, "notes"))) {
        diff_line(d, "SP-9.3-a", "notes (info)", member(e->v, "notes"),
                  member(resp, "notes"));
        return TR_INFO;
    }
    return TR_PASS;
}

/* The per-line faults of a reassemble answer against the vector's. */
static int compare_faults(tr_buf *d, const sc_vec *x, const cJSON *want,
                          const cJSON *got)
{
    int n = 0;
    int nw = cJSON_GetArraySize(want), ng = cJSON_GetArraySize(got);
    if (!cJSON_IsArray(got)) {
        diff_line(d, rule_of(x), "faults", want, got);
        return 1;
    }
    for (int i = 0; i < (nw > ng ? nw : ng); i++) {
        const cJSON *w = cJSON_GetArrayItem(want, i);
        const cJSON *g = cJSON_GetArrayItem(got, i);
        const char *req = w && str_member(w, "rule") ? str_member(w, "rule")
                                                      : x->reqs;
        if (!w || !g ||
            !tr_json_equal(member(w, "index"), member(g, "index")) ||
            !tr_json_equal(member(w, "fault"), member(g, "fault"))) {
            char label[64];
            snprintf(label, sizeof label, "faults[%d] (index, fault)", i);
            diff_line(d, req, label, w, g);
            n++;
        }
    }
    return n;
}

static tr_verdict judge_reassemble(const sc_vec *x, const cJSON *resp,
                                   tr_buf *d)
{
    int bad = 0;
    if (x->fault) {
        if (!is_fault(resp, x->fault)) {
            expect_fault(d, x->reqs, x->fault, resp);
            bad++;
        }
    } else {
        if (!cJSON_IsTrue(member(resp, "ok"))) {
            const char *err = str_member(resp, "error");
            tr_buf_printf(d, "%s: expected ok, actual %s", x->reqs,
                          err ? err : "(no error member)");
            return TR_FAIL;
        }
        if (!tr_json_equal(member(x->v, "complete"),
                           member(resp, "complete"))) {
            diff_line(d, x->reqs, "complete", member(x->v, "complete"),
                      member(resp, "complete"));
            bad++;
        }
    }
    const cJSON *wp = member(x->v, "payloads"), *gp = member(resp, "payloads");
    if (!cJSON_IsArray(gp) || !tr_json_equal(wp, gp)) {
        diff_line(d, x->reqs, "payloads (in delivery order)", wp, gp);
        bad++;
    }
    bad += compare_faults(d, x, member(x->v, "faults"), member(resp, "faults"));
    return bad ? TR_FAIL : TR_PASS;
}

/* The fault reply of the fault op, judged member by member against the
 * one libsplinter builds (SP-9.2-a): same members in the same order; ts
 * and from are the shim's own, so only their form is judged. */
static tr_verdict judge_fault(const sc_vec *e, const cJSON *resp, tr_buf *d)
{
    sp_time now = {0, 0};
    char *text = NULL;
    int r = sp_fault_reply(e->line, e->len, e->fault, SP_FAULT_DETAIL,
                           SP_ANY_SERVICE, &now, &text);
    if (r < 0) { /* the case exists only when a reply is possible */
        tr_buf_printf(d, "libsplinter built no reply (%s)", sp_error_name(r));
        return TR_FAIL;
    }
    cJSON *want = cJSON_Parse(text);
    free(text);
    const cJSON *got = member(resp, "envelope");
    if (!cJSON_IsTrue(member(resp, "ok")) || !cJSON_IsObject(got)) {
        const char *err = str_member(resp, "error");
        tr_buf_printf(d, "SP-9.2-b: expected an error envelope, actual %s",
                      err ? err : "no \"envelope\" object");
        cJSON_Delete(want);
        return TR_FAIL;
    }
    int bad = 0;
    const cJSON *w = want ? want->child : NULL, *g = got->child;
    for (; w || g; w = w ? w->next : NULL, g = g ? g->next : NULL) {
        if (!w || !g || strcmp(w->string, g->string)) {
            tr_buf_printf(d, "%sSP-9.2-a: members in the order id, ts, "
                             "from, to, type, payload, and no other: "
                             "expected \"%s\", actual \"%.60s\"",
                          d->len ? "\n" : "", w ? w->string : "(none)",
                          g ? g->string : "(none)");
            bad++;
            break;
        }
        const char *name = w->string;
        if (!strcmp(name, "ts")) {
            if (!cJSON_IsString(g) || strlen(g->valuestring) != 24 ||
                sp_time_parse(g->valuestring, 24, &now) < 0) {
                diff_line(d, "SP-5-f", "ts (YYYY-MM-DDThh:mm:ss.fffZ)", NULL,
                          g);
                bad++;
            }
        } else if (!strcmp(name, "from")) {
            if (!cJSON_IsString(g) || !*g->valuestring) {
                diff_line(d, "SP-9.2-a", "from (the service's name)", NULL, g);
                bad++;
            }
        } else if (!strcmp(name, "payload") && cJSON_IsObject(g)) {
            /* Its members in the pinned order too. */
            char *wt = text_of(w), *gt = text_of(g);
            if (strcmp(wt, gt)) {
                diff_line(d, "SP-9.2-a", "payload {code, symbol, detail}", w,
                          g);
                bad++;
            }
            free(wt);
            free(gt);
        } else if (!tr_json_equal(w, g)) {
            diff_line(d, !strcmp(name, "id") || !strcmp(name, "to")
                             ? "SP-9.2-b"
                             : "SP-9.2-a",
                      name, w, g);
            bad++;
        }
    }
    cJSON_Delete(want);
    return bad ? TR_FAIL : TR_PASS;
}

static tr_verdict sc_judge(const void *vectors, const tr_case *c,
                           const cJSON *resp, const char *got, char **detail)
{
    const sc_set *s = vectors;
    tr_buf d = {0};
    tr_verdict v = TR_FAIL;
    switch ((sc_kind)c->kind) {
    case SC_VALIDATE: v = judge_validate(&s->e[c->vi], resp, &d); break;
    case SC_REASSEMBLE: v = judge_reassemble(&s->s[c->vi], resp, &d); break;
    case SC_FAULT: v = judge_fault(&s->e[c->vi], resp, &d); break;
    }
    if (v != TR_PASS)
        tr_buf_line(&d, "Actual:  ", got);
    *detail = tr_buf_take(&d);
    return v;
}

const tr_suite tr_splinter_codec_suite = {
    .name = "splinter codec",
    .protocol = SP_PROTOCOL,
    .req_prefix = "SP-",
    .mode = TR_MODE_SHIM,
    .load = sc_load,
    .free = sc_free,
    .cases = sc_cases,
    .prepare = sc_prepare,
    .request = sc_request,
    .judge = sc_judge,
};
