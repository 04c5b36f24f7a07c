/*
 * The decode, encode and stream requests (spec/harness.md 3.4-3.6), and
 * their responses read into plain structs, so the codec suite, the interop
 * matrix and the differential fuzzer ask the same way and judge the same
 * reading of a shim's answer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

char *tr_frame_text(const tt_frame *f)
{
    cJSON *o = ttj_frame_to_json(f);
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    char *r = tr_xstrdup(s ? s : "(out of memory)");
    cJSON_free(s);
    return r;
}

cJSON *tr_decode_request(const uint8_t *bytes, size_t len)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "op", "decode");
    cJSON_AddItemToObject(req, "hex", ttj_hex_string(bytes, len));
    return req;
}

cJSON *tr_encode_fields(const tt_frame *f)
{
    cJSON *fo = ttj_frame_to_json(f);
    cJSON_DeleteItemFromObjectCaseSensitive(fo, "crc");
    cJSON_DeleteItemFromObjectCaseSensitive(fo, "used_len");
    return fo;
}

cJSON *tr_encode_request(const tt_frame *f)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "op", "encode");
    cJSON_AddItemToObject(req, "frame", tr_encode_fields(f));
    return req;
}

cJSON *tr_stream_request(const uint8_t *bytes, const size_t *chunks,
                         size_t nchunks)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "op", "stream");
    cJSON *arr = cJSON_AddArrayToObject(req, "chunks");
    size_t at = 0;
    for (size_t k = 0; k < nchunks; k++) {
        cJSON_AddItemToArray(arr, ttj_hex_string(bytes + at, chunks[k]));
        at += chunks[k];
    }
    return req;
}

/* ---- Response lines -------------------------------------------------------- */

/* A short, safe quote of a peer's line for a failure reason. */
static void quote(const char *line, size_t len, char *out, size_t outlen)
{
    snprintf(out, outlen, "%.*s%s", (int)(len < 120 ? len : 120), line,
             len > 120 ? "..." : "");
    tr_sanitize(out);
}

/* One pass over the text before cJSON reads it: the cost estimate of
 * TR_REPLY_TREE_MAX (an upper bound: every value follows a '[', '{' or ','
 * or is the first, and glibc's malloc gives a 64-byte cJSON node 80 bytes
 * and a string of n bytes at most n + 32), and any \u0000 escape (a
 * backslash inside a string starts an escape unless it is itself
 * escaped). Whether the text is JSON is cJSON's to say. Returns NULL, or
 * what is wrong. */
static const char *prescan(const char *p, size_t len, size_t *values,
                           size_t *strings)
{
    bool in_str = false;
    *values = 1;
    *strings = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '"') {
                in_str = false;
            } else if (c == '\\') {
                if (len - i >= 6 && !memcmp(p + i + 1, "u0000", 5))
                    return "a string holds \\u0000";
                i++;
            }
        } else if (c == '"') {
            in_str = true;
            ++*strings;
        } else if (c == ',' || c == '[' || c == '{') {
            ++*values;
        }
    }
    return NULL;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A member name that appears twice in one object of `j` (recursively;
 * cJSON's nesting limit bounds the depth), or NULL. */
static const char *duplicate_name(const cJSON *j)
{
    for (; j; j = j->next) {
        size_t n = cJSON_IsObject(j) ? (size_t)cJSON_GetArraySize(j) : 0;
        if (n > 1) {
            /* Sorted, so a wide object costs n log n, not n^2. */
            const char **names = tr_xmalloc(n * sizeof *names);
            size_t k = 0;
            const cJSON *m;
            cJSON_ArrayForEach(m, j)
            {
                names[k++] = m->string;
            }
            qsort(names, n, sizeof *names, cmp_names);
            const char *dup = NULL;
            for (k = 1; k < n && !dup; k++)
                if (!strcmp(names[k - 1], names[k]))
                    dup = names[k];
            free(names);
            if (dup)
                return dup;
        }
        const char *d = duplicate_name(j->child);
        if (d)
            return d;
    }
    return NULL;
}

cJSON *tr_reply_parse(const char *line, size_t len, long id, char *why,
                      size_t whylen)
{
    char q[160];
    quote(line, len, q, sizeof q);
    const char *nul = memchr(line, '\0', len);
    if (nul) {
        snprintf(why, whylen, "response line holds a NUL byte at offset %zu: "
                              "%s",
                 (size_t)(nul - line), q);
        return NULL;
    }
    size_t values, strings;
    const char *wrong = prescan(line, len, &values, &strings);
    if (wrong) {
        snprintf(why, whylen, "response: %s: %s", wrong, q);
        return NULL;
    }
    if (80u * (uint64_t)values + 32u * (uint64_t)strings + len >
        TR_REPLY_TREE_MAX) {
        snprintf(why, whylen, "response would take more than %u MiB to "
                              "parse (%zu values, %zu strings in %zu "
                              "bytes): %s",
                 TR_REPLY_TREE_MAX >> 20, values, strings, len, q);
        return NULL;
    }
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, false);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        snprintf(why, whylen, "response is not a JSON object: %s", q);
        return NULL;
    }
    while (end < line + len && (*end == ' ' || *end == '\t' || *end == '\r'))
        end++;
    if (end < line + len) {
        cJSON_Delete(o);
        snprintf(why, whylen, "response has more than one JSON value: %s", q);
        return NULL;
    }
    const char *dup = duplicate_name(o);
    if (dup) {
        snprintf(why, whylen, "response has the member \"%.40s\" twice in "
                              "one object: %s",
                 dup, q);
        tr_sanitize(why);
        cJSON_Delete(o);
        return NULL;
    }
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(o, "id");
    if (id >= 0 && (!cJSON_IsNumber(rid) || rid->valuedouble != (double)id)) {
        if (cJSON_IsNumber(rid))
            snprintf(why, whylen, "response has id %.0f, expected %ld: %s",
                     rid->valuedouble, id, q);
        else
            snprintf(why, whylen, "response has no integer id (expected "
                                  "%ld): %s",
                     id, q);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int tr_hello_check(const cJSON *h, char *why, size_t whylen)
{
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(h, "ok");
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(h, "ops");
    const cJSON *crc = cJSON_GetObjectItemCaseSensitive(h, "crc");
    if (!cJSON_IsTrue(ok)) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(h, "error");
        snprintf(why, whylen, "hello: \"ok\" is not true (error: %.80s)",
                 cJSON_IsString(e) ? e->valuestring : "none");
        tr_sanitize(why);
        return -1;
    }
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(h, "impl")) ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(h, "impl_version")))
        return snprintf(why, whylen, "hello: \"impl\" and \"impl_version\" "
                                     "must be strings"),
               -1;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(h, "protocols"), *p;
    if (ps && !cJSON_IsArray(ps))
        return snprintf(why, whylen, "hello: \"protocols\" must be an "
                                     "array"),
               -1;
    cJSON_ArrayForEach(p, ps) if (!cJSON_IsString(p)) return snprintf(
        why, whylen, "hello: \"protocols\" must hold strings"),
        -1;
    /* "crc" belongs to the Core Frame: required of a shim that speaks it
     * (any shim without "protocols"), of no other. */
    if (tr_hello_speaks(h, TR_CORE_PROTOCOL) &&
        (!cJSON_IsString(crc) || tt_crc_from_name(crc->valuestring) < 0))
        return snprintf(why, whylen, "hello: \"crc\" must name a CRC-8 "
                                     "variant"),
               -1;
    const cJSON *op;
    if (!cJSON_IsArray(ops))
        return snprintf(why, whylen, "hello: \"ops\" must be an array"), -1;
    cJSON_ArrayForEach(op, ops) if (!cJSON_IsString(op)) return snprintf(
        why, whylen, "hello: \"ops\" must hold strings"),
        -1;
    return 0;
}

/* ---- The op's members --------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void bad(tr_reply *r,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    tr_sanitize(r->why);
    r->kind = TR_ANS_BAD;
}

/* A non-negative integer below 2^53, else -1. */
static double count_of(const cJSON *v)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) ||
        v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    return v->valuedouble;
}

/* "ok" and "error": sets kind; returns true when the op's own members are
 * to be read (ok:true). */
static bool read_ok(const cJSON *resp, tr_reply *r)
{
    memset(r, 0, sizeof *r);
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
    if (!cJSON_IsBool(ok)) {
        bad(r, "response has no boolean \"ok\"");
        return false;
    }
    if (cJSON_IsTrue(ok)) {
        r->kind = TR_ANS_OK;
        return true;
    }
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "error");
    if (!cJSON_IsString(e)) {
        bad(r, "response has \"ok\":false without an \"error\" string");
        return false;
    }
    snprintf(r->error, sizeof r->error, "%s", e->valuestring);
    tr_sanitize(r->error);
    r->kind = strcmp(e->valuestring, "unsupported") ? TR_ANS_ERROR
                                                     : TR_ANS_UNSUPPORTED;
    return false;
}

/* Reads a frame object into `out` (payload copied). Returns 0 or -1 with
 * the reason in r->why. */
static int read_frame(const cJSON *obj, ttj_frame *tmp, tr_frame *out,
                      tr_reply *r, const char *what)
{
    const char *why = NULL;
    if (ttj_frame_from_json(obj, true, tmp, &why)) {
        bad(r, "%s: %s", what, why);
        return -1;
    }
    tr_frame_copy(out, &tmp->f);
    return 0;
}

void tr_reply_decode(const cJSON *resp, tr_reply *r)
{
    if (!read_ok(resp, r))
        return;
    double consumed = count_of(cJSON_GetObjectItemCaseSensitive(resp,
                                                                "consumed"));
    if (consumed < 0) {
        bad(r, "response has no integer \"consumed\"");
        return;
    }
    r->consumed = (size_t)consumed;
    ttj_frame *tmp = tr_xmalloc(sizeof *tmp);
    if (read_frame(cJSON_GetObjectItemCaseSensitive(resp, "frame"), tmp,
                   &r->frame, r, "response \"frame\"") == 0)
        r->has_frame = true;
    free(tmp);
}

void tr_reply_encode(const cJSON *resp, tr_reply *r)
{
    if (!read_ok(resp, r))
        return;
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(resp, "hex");
    r->bytes = tr_xmalloc(TT_FRAME_MAX + 1);
    long n = cJSON_IsString(hex)
                 ? ttj_hex_decode(hex->valuestring, r->bytes, TT_FRAME_MAX + 1)
                 : -1;
    if (n < 0) {
        bad(r, "response \"hex\" is missing, not hex, or longer than any "
               "frame");
        return;
    }
    r->len = (size_t)n;
}

/* One event: {"frame":{...}} or {"error":NAME,"offset":N}. */
static int read_event(const cJSON *e, size_t k, ttj_frame *tmp, tr_event *ev,
                      tr_reply *r)
{
    if (!cJSON_IsObject(e)) {
        bad(r, "event %zu is not an object", k);
        return -1;
    }
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(e, "frame");
    if (fr) {
        char what[40];
        snprintf(what, sizeof what, "event %zu", k);
        return read_frame(fr, tmp, &ev->frame, r, what);
    }
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(e, "error");
    int status = cJSON_IsString(err) ? tt_error_from_name(err->valuestring)
                                     : 0;
    if (status != TT_ERR_CRC_MISMATCH &&
        status != TT_ERR_USED_LEN_EXCEEDS_BLOCK) {
        bad(r, "event %zu is neither a frame nor an error "
               "used_len_exceeds_block / crc_mismatch",
            k);
        return -1;
    }
    double off = count_of(cJSON_GetObjectItemCaseSensitive(e, "offset"));
    if (off < 0) {
        bad(r, "event %zu has no integer \"offset\"", k);
        return -1;
    }
    ev->status = status;
    ev->offset = (uint64_t)off;
    return 0;
}

void tr_reply_stream(const cJSON *resp, tr_reply *r)
{
    if (!read_ok(resp, r))
        return;
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(resp, "events");
    double pending = count_of(cJSON_GetObjectItemCaseSensitive(resp,
                                                               "pending"));
    if (!cJSON_IsArray(events) || pending < 0) {
        bad(r, "response needs an \"events\" array and a \"pending\" "
               "integer");
        return;
    }
    r->pending = (size_t)pending;
    r->events = tr_xcalloc((size_t)cJSON_GetArraySize(events),
                           sizeof *r->events);
    ttj_frame *tmp = tr_xmalloc(sizeof *tmp);
    const cJSON *e;
    cJSON_ArrayForEach(e, events)
    {
        if (read_event(e, r->nevents, tmp, &r->events[r->nevents], r))
            break;
        r->nevents++;
    }
    free(tmp);
}

void tr_reply_free(tr_reply *r)
{
    tr_frame_free(&r->frame);
    free(r->bytes);
    for (size_t k = 0; k < r->nevents; k++)
        tr_frame_free(&r->events[k].frame);
    free(r->events);
    memset(r, 0, sizeof *r);
}

const char *tr_event_diff(const tr_event *want, const tr_event *got)
{
    if (want->status == 0 && got->status != 0)
        return "expected a frame, got an error";
    if (want->status != 0 && got->status == 0)
        return "expected an error, got a frame";
    if (want->status == 0)
        return ttj_frame_diff(&want->frame.f, &got->frame.f, true)
                   ? "frame differs"
                   : NULL;
    if (want->status != got->status)
        return "wrong error name";
    if (want->offset != got->offset)
        return "wrong offset";
    return NULL;
}
