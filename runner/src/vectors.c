/* Loading the vector set (the formats pinned in vectors/README.md and the
 * brief) and adapting its expectations to another CRC-8 variant. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"

/* Both set by CMake on tamtam_run_core, for this file and main.c's usage. */
#ifndef TR_VECTORS_DIR
#error "TR_VECTORS_DIR (the source tree's vector set) must be defined"
#endif
#ifndef TR_VECTORS_INSTALL_DIR
#error "TR_VECTORS_INSTALL_DIR (the installed vector set) must be defined"
#endif

#define VECTOR_FILE_CAP (256u * 1024u * 1024u)

static bool has_vectors(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/core-frame.json", dir);
    return stat(path, &st) == 0;
}

const char *tr_default_vectors(void)
{
    return has_vectors(TR_VECTORS_DIR) || !has_vectors(TR_VECTORS_INSTALL_DIR)
               ? TR_VECTORS_DIR
               : TR_VECTORS_INSTALL_DIR;
}

size_t tr_frame_len(const uint8_t *bytes, size_t len)
{
    int n = tt_frame_length(bytes, len);
    return n < 0 ? 0 : (size_t)n;
}

void tr_frame_copy(tr_frame *dst, const tt_frame *src)
{
    dst->f = *src;
    dst->payload = tr_xmalloc(src->used_len ? src->used_len : 1);
    if (src->used_len)
        memcpy(dst->payload, src->payload, src->used_len);
    dst->f.payload = dst->payload;
    /* The copy owns its payload only: no view into the source's buffer. */
    dst->f.bytes = NULL;
    dst->f.padding = NULL;
    dst->f.padding_len = 0;
}

void tr_frame_free(tr_frame *f)
{
    free(f->payload);
    f->payload = NULL;
}

/* Error context: which file and vector a complaint is about. */
typedef struct ctx {
    const char *file;
    size_t index;
    const char *id;
    char *why;
    size_t whylen;
} ctx;

__attribute__((format(printf, 2, 3))) static int fail(ctx *c, const char *fmt,
                                                      ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->id)
        snprintf(c->why, c->whylen, "%s: vector %zu (%s): %s", c->file,
                 c->index, c->id, msg);
    else
        snprintf(c->why, c->whylen, "%s: %s", c->file, msg);
    return -1;
}

static cJSON *read_json(const char *path, ctx *c)
{
    char why[256];
    cJSON *doc = tr_read_json(path, VECTOR_FILE_CAP, why, sizeof why);
    if (!doc)
        fail(c, "%s", why);
    return doc;
}

static const char *get_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A non-negative integer below 2^53; -1 when absent or not one. */
static double get_count(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
        v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    return v->valuedouble;
}

/* Case ids embed vector ids, so ids are kept to a safe alphabet. */
static bool id_ok(const char *id)
{
    if (!*id || strlen(id) > 128)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
              *p == '.'))
            return false;
    return true;
}

static char *join_reqs(const cJSON *arr, ctx *c)
{
    if (!cJSON_IsArray(arr)) {
        fail(c, "\"requirements\" must be an array of strings");
        return NULL;
    }
    tr_buf b = {0};
    const cJSON *r;
    cJSON_ArrayForEach(r, arr)
    {
        if (!cJSON_IsString(r) || !*r->valuestring ||
            strchr(r->valuestring, ',')) {
            tr_buf_free(&b);
            fail(c, "\"requirements\" must hold requirement IDs");
            return NULL;
        }
        tr_buf_printf(&b, "%s%s", b.len ? "," : "", r->valuestring);
    }
    return tr_buf_take(&b);
}

/* Parses the members every vector has: id, requirements, hex, verdict. */
static int common(const cJSON *o, ctx *c, char **id, char **reqs, bool *info,
                  uint8_t **bytes, size_t *len)
{
    if (!cJSON_IsObject(o))
        return fail(c, "not an object");
    const char *s = get_str(o, "id");
    if (!s || !id_ok(s))
        return fail(c, "\"id\" must be a string of letters, digits, '-', "
                       "'_' and '.'");
    c->id = s;
    if (!get_str(o, "description"))
        return fail(c, "\"description\" must be a string");
    *reqs = join_reqs(cJSON_GetObjectItemCaseSensitive(o, "requirements"), c);
    if (!*reqs)
        return -1;
    const char *verdict = get_str(o, "verdict");
    if (!verdict || (strcmp(verdict, "must") && strcmp(verdict, "info"))) {
        free(*reqs);
        return fail(c, "\"verdict\" must be \"must\" or \"info\"");
    }
    *info = strcmp(verdict, "info") == 0;
    const char *hex = get_str(o, "hex");
    if (!hex) {
        free(*reqs);
        return fail(c, "\"hex\" must be a string");
    }
    size_t cap = strlen(hex) / 2;
    *bytes = tr_xmalloc(cap);
    long n = ttj_hex_decode(hex, *bytes, cap);
    if (n < 0) {
        free(*reqs);
        free(*bytes);
        return fail(c, "\"hex\" is not valid hex");
    }
    *len = (size_t)n;
    *id = tr_xstrdup(s);
    return 0;
}

static int frame_member(const cJSON *o, ctx *c, tr_frame *out)
{
    ttj_frame *tmp = tr_xmalloc(sizeof *tmp);
    const char *why = NULL;
    int r = ttj_frame_from_json(cJSON_GetObjectItemCaseSensitive(o, "frame"),
                                true, tmp, &why);
    if (r == 0)
        tr_frame_copy(out, &tmp->f);
    free(tmp);
    return r == 0 ? 0 : fail(c, "\"frame\": %s", why);
}

static int error_member(const cJSON *o, const char *key, ctx *c, bool stream)
{
    const char *e = get_str(o, key);
    int err = e ? tt_error_from_name(e) : 0;
    if (err != TT_ERR_CRC_MISMATCH && err != TT_ERR_USED_LEN_EXCEEDS_BLOCK &&
        (stream || err != TT_ERR_TRUNCATED))
        return fail(c, "\"%s\" must be one of the pinned error names", key);
    return err;
}

static int check_header(const cJSON *doc, const char *suite, ctx *c,
                        tt_crc *crc, const cJSON **arr)
{
    if (!cJSON_IsObject(doc))
        return fail(c, "top level is not an object");
    const char *s = get_str(doc, "suite");
    if (!s || strcmp(s, suite))
        return fail(c, "\"suite\" must be \"%s\"", suite);
    if (!get_str(doc, "spec_version"))
        return fail(c, "\"spec_version\" must be a string");
    const char *name = get_str(doc, "crc");
    int k = name ? tt_crc_from_name(name) : -1;
    if (k < 0)
        return fail(c, "\"crc\" must name a CRC-8 variant");
    *crc = (tt_crc)k;
    *arr = cJSON_GetObjectItemCaseSensitive(doc, "vectors");
    if (!cJSON_IsArray(*arr))
        return fail(c, "\"vectors\" must be an array");
    double count = get_count(doc, "count");
    if (count != (double)cJSON_GetArraySize(*arr))
        return fail(c, "\"count\" must equal the number of vectors (%d)",
                    cJSON_GetArraySize(*arr));
    return 0;
}

static int load_frames(const cJSON *arr, tr_vectors *v, ctx *c)
{
    v->f = tr_xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *v->f);
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        tr_fvec *fv = &v->f[v->nf];
        c->index = v->nf;
        c->id = NULL;
        if (common(o, c, &fv->id, &fv->reqs, &fv->info, &fv->bytes,
                   &fv->len))
            return -1;
        v->nf++;
        const char *expect = get_str(o, "expect");
        if (!expect || (strcmp(expect, "valid") && strcmp(expect, "invalid")))
            return fail(c, "\"expect\" must be \"valid\" or \"invalid\"");
        fv->valid = strcmp(expect, "valid") == 0;
        const char *under = get_str(o, "valid_under");
        if (under) {
            int k = tt_crc_from_name(under);
            if (k < 0)
                return fail(c, "\"valid_under\" must name a CRC-8 variant");
            fv->valid_under = tt_crc_name((tt_crc)k);
        }
        if (fv->valid || under) {
            if (frame_member(o, c, &fv->frame))
                return -1;
            size_t flen = tr_frame_len(fv->bytes, fv->len);
            if (flen == 0 || flen > fv->len)
                return fail(c, "\"hex\" is shorter than the frame it holds");
        }
        if (!fv->valid) {
            fv->error = error_member(o, "error", c, false);
            if (fv->error >= 0)
                return -1;
            if (under && fv->error != TT_ERR_CRC_MISMATCH)
                return fail(c, "a \"valid_under\" vector must expect "
                               "crc_mismatch");
        } else if (cJSON_GetObjectItemCaseSensitive(o, "error")) {
            return fail(c, "a valid vector has no \"error\"");
        }
    }
    return 0;
}

/* A stream event's frame length, from its fields (CF-2-b). */
static size_t event_len(const tr_frame *f)
{
    return 6u + (f->f.has_ext ? 2u : 0u) + tt_block_size(f->f.size_id, f->f.big);
}

static int load_stream_one(const cJSON *o, tr_svec *sv, ctx *c)
{
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(o, "chunks");
    if (!cJSON_IsArray(chunks))
        return fail(c, "\"chunks\" must be an array");
    sv->chunks = tr_xcalloc((size_t)cJSON_GetArraySize(chunks), sizeof(size_t));
    size_t sum = 0;
    const cJSON *ch;
    cJSON_ArrayForEach(ch, chunks)
    {
        if (!cJSON_IsNumber(ch) || ch->valuedouble < 1 ||
            ch->valuedouble > (double)sv->len ||
            ch->valuedouble != (double)(size_t)ch->valuedouble)
            return fail(c, "\"chunks\" must hold positive integers");
        sv->chunks[sv->nchunks++] = (size_t)ch->valuedouble;
        sum += (size_t)ch->valuedouble;
    }
    if (sum != sv->len)
        return fail(c, "\"chunks\" sum to %zu, the stream has %zu bytes", sum,
                    sv->len);

    const cJSON *events = cJSON_GetObjectItemCaseSensitive(o, "events");
    if (!cJSON_IsArray(events))
        return fail(c, "\"events\" must be an array");
    sv->events = tr_xcalloc((size_t)cJSON_GetArraySize(events),
                            sizeof *sv->events);
    uint64_t at = 0; /* events cover the stream back to back from offset 0 */
    const cJSON *e;
    cJSON_ArrayForEach(e, events)
    {
        tr_event *ev = &sv->events[sv->nevents];
        if (!cJSON_IsObject(e))
            return fail(c, "event %zu is not an object", sv->nevents);
        ev->offset = at;
        if (cJSON_GetObjectItemCaseSensitive(e, "frame")) {
            if (frame_member(e, c, &ev->frame))
                return -1;
            sv->nevents++;
        } else {
            ev->status = error_member(e, "error", c, true);
            if (ev->status >= 0)
                return -1;
            sv->nevents++;
            if (get_count(e, "offset") != (double)at)
                return fail(c, "event %zu: \"offset\" must be %llu (the "
                               "end of the previous frame)",
                            sv->nevents - 1, (unsigned long long)at);
        }
        size_t flen = at < sv->len ? tr_frame_len(sv->bytes + at,
                                                  sv->len - (size_t)at)
                                   : 0;
        if (ev->status == 0 && flen != event_len(&ev->frame))
            return fail(c, "event %zu: frame length differs from the bytes",
                        sv->nevents - 1);
        if (flen == 0 || at + flen > sv->len)
            return fail(c, "event %zu lies outside the stream",
                        sv->nevents - 1);
        at += flen;
    }
    double pending = get_count(o, "pending");
    if (pending < 0 || (uint64_t)pending != sv->len - at)
        return fail(c, "\"pending\" must be %llu (bytes after the last "
                       "event)",
                    (unsigned long long)(sv->len - at));
    sv->pending = (size_t)pending;
    return 0;
}

static int load_streams(const cJSON *arr, tr_vectors *v, ctx *c)
{
    v->s = tr_xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *v->s);
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        tr_svec *sv = &v->s[v->ns];
        c->index = v->ns;
        c->id = NULL;
        if (common(o, c, &sv->id, &sv->reqs, &sv->info, &sv->bytes, &sv->len))
            return -1;
        v->ns++;
        if (load_stream_one(o, sv, c))
            return -1;
    }
    return 0;
}

static int unique_ids(tr_vectors *v, ctx *c)
{
    for (size_t i = 0; i < v->nf; i++)
        for (size_t j = i + 1; j < v->nf; j++)
            if (!strcmp(v->f[i].id, v->f[j].id)) {
                c->id = NULL;
                return fail(c, "vector id \"%s\" is used twice", v->f[i].id);
            }
    for (size_t i = 0; i < v->ns; i++)
        for (size_t j = i + 1; j < v->ns; j++)
            if (!strcmp(v->s[i].id, v->s[j].id)) {
                c->id = NULL;
                return fail(c, "vector id \"%s\" is used twice", v->s[i].id);
            }
    return 0;
}

int tr_vector_check(const cJSON *vector, bool stream, char *why,
                    size_t whylen)
{
    ctx c = {.file = stream ? "core-stream.json" : "core-frame.json",
             .why = why,
             .whylen = whylen};
    tr_vectors v;
    memset(&v, 0, sizeof v);
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_Duplicate(vector, true));
    int r = stream ? load_streams(arr, &v, &c) : load_frames(arr, &v, &c);
    cJSON_Delete(arr);
    tr_vectors_free(&v);
    return r;
}

int tr_vectors_load(const char *dir, tr_vectors *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    char path[4096];
    ctx c = {.why = why, .whylen = whylen};
    tt_crc scrc = TT_CRC_SMBUS;
    const cJSON *arr = NULL;

    snprintf(path, sizeof path, "%s/core-frame.json", dir);
    c.file = path;
    cJSON *doc = read_json(path, &c);
    int r = !doc || check_header(doc, "tamtam-core-frame", &c, &out->crc, &arr)
                ? -1
                : load_frames(arr, out, &c);
    cJSON_Delete(doc);
    if (r)
        return -1;

    snprintf(path, sizeof path, "%s/core-stream.json", dir);
    c.id = NULL;
    doc = read_json(path, &c);
    r = !doc || check_header(doc, "tamtam-core-stream", &c, &scrc, &arr)
            ? -1
            : load_streams(arr, out, &c);
    cJSON_Delete(doc);
    if (r)
        return -1;
    if (scrc != out->crc) {
        c.id = NULL;
        return fail(&c, "\"crc\" differs from core-frame.json's");
    }
    c.file = dir;
    return unique_ids(out, &c);
}

/* Moves the integrity byte of the frame at `p` from variant `from` to `to`,
 * keeping its distance from the right value. Returns the new byte, or -1
 * when the frame is incomplete or its UsedLen exceeds the block. */
static int patch_crc(uint8_t *p, size_t len, tt_crc from, tt_crc to)
{
    size_t flen = tr_frame_len(p, len);
    int was = tt_frame_crc(p, len, from), now = tt_frame_crc(p, len, to);
    if (flen == 0 || flen > len || was < 0 || now < 0)
        return -1;
    int at = tt_crc_offset(p, len);
    p[at] = (uint8_t)(p[at] ^ was ^ now);
    return p[at];
}

void tr_vectors_adapt(tr_vectors *v, tt_crc crc)
{
    if (crc == v->crc)
        return;
    for (size_t i = 0; i < v->nf; i++) {
        tr_fvec *fv = &v->f[i];
        tt_crc from = v->crc;
        if (fv->valid_under) {
            from = (tt_crc)tt_crc_from_name(fv->valid_under);
            fv->valid = true;
        }
        int b = patch_crc(fv->bytes, fv->len, from, crc);
        if (fv->valid && b >= 0)
            fv->frame.f.crc = (uint8_t)b;
    }
    for (size_t i = 0; i < v->ns; i++) {
        tr_svec *sv = &v->s[i];
        for (size_t k = 0; k < sv->nevents; k++) {
            tr_event *ev = &sv->events[k];
            int b = patch_crc(sv->bytes + ev->offset,
                              sv->len - (size_t)ev->offset, v->crc, crc);
            if (ev->status == 0 && b >= 0)
                ev->frame.f.crc = (uint8_t)b;
        }
    }
    v->crc = crc;
}

void tr_vectors_free(tr_vectors *v)
{
    for (size_t i = 0; i < v->nf; i++) {
        free(v->f[i].id);
        free(v->f[i].reqs);
        free(v->f[i].bytes);
        tr_frame_free(&v->f[i].frame);
    }
    for (size_t i = 0; i < v->ns; i++) {
        tr_svec *sv = &v->s[i];
        free(sv->id);
        free(sv->reqs);
        free(sv->bytes);
        free(sv->chunks);
        for (size_t k = 0; k < sv->nevents; k++)
            tr_frame_free(&sv->events[k].frame);
        free(sv->events);
    }
    free(v->f);
    free(v->s);
    memset(v, 0, sizeof *v);
}
