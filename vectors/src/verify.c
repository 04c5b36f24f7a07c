/*
 * The Core Frame set's verifier (`verify DIR`): re-checks core-frame.json
 * and core-stream.json against libtamtam, their JSON Schemas
 * and the spec's requirement IDs, and prints the coverage table. Written to
 * survive any file content: every member is type-checked before use, so a
 * broken set yields FAIL lines, never a crash.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "jschema.h"
#include "ttj.h"
#include "vectors.h"

#define JSON_CAP (512u << 20) /* largest vector file read */
#define BIN_CAP (1u << 20)    /* largest vector, in bytes */
#define SCHEMA_REPORT_MAX 20

typedef struct verifier {
    const char *dir;
    const spec_ids *spec;
    size_t *cov[2]; /* per requirement: frame, stream vectors citing it */
    size_t problems;
    char **ids[2]; /* ids seen, per file, for duplicates and stray twins */
    size_t nids[2];
    uint8_t *buf;  /* decoded hex */
    ttj_frame *jf; /* a frame parsed from JSON */
} verifier;

static void fail(verifier *vf, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(verifier *vf, const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s: ", id);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    vf->problems++;
}

static const char *str_member(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A non-negative integer member, or -1. */
static double uint_member(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    return v->valuedouble;
}

static bool id_ok(const char *id, const char *prefix)
{
    size_t n = id ? strlen(id) : 0;
    if (n <= 3 || n >= VEC_ID_MAX || strncmp(id, prefix, 3) != 0)
        return false;
    return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Loads and parses DIR/name. */
static cJSON *load_json(const char *dir, const char *name)
{
    char path[FILE_PATH_MAX];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = file_read(path, JSON_CAP, &len);
    if (!text) {
        fprintf(stderr, "verify: cannot read %s\n", path);
        return NULL;
    }
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    if (!doc)
        fprintf(stderr, "verify: %s is not valid JSON (near byte %ld)\n", path,
                (long)(cJSON_GetErrorPtr() - text));
    free(text);
    return doc;
}

static void check_schema(verifier *vf, const cJSON *doc, const char *file,
                         const char *schema_name)
{
    cJSON *schema = load_json(vf->dir, schema_name);
    if (!schema) {
        fail(vf, file, "schema %s missing or unreadable", schema_name);
        return;
    }
    printf("%s against %s:\n", file, schema_name);
    size_t bad = jschema_validate(schema, doc, stdout, SCHEMA_REPORT_MAX);
    if (bad)
        fail(vf, file, "%zu schema violations (first %d listed above)", bad,
             SCHEMA_REPORT_MAX);
    else
        printf("  valid\n");
    cJSON_Delete(schema);
}

/* Counts each cited ID once; unknown IDs fail. */
static void cite(verifier *vf, int file, const char *id, const cJSON *reqs)
{
    if (!cJSON_IsArray(reqs) || cJSON_GetArraySize(reqs) == 0) {
        fail(vf, id, "no requirements cited");
        return;
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, reqs)
    {
        long k =
            cJSON_IsString(r) ? spec_ids_find(vf->spec, r->valuestring) : -1;
        if (k < 0) {
            fail(vf, id, "cites %s, which the spec does not define",
                 cJSON_IsString(r) ? r->valuestring : "a non-string");
            continue;
        }
        bool again = false;
        for (const cJSON *p = reqs->child; p != r; p = p->next)
            again |=
                cJSON_IsString(p) && !strcmp(p->valuestring, r->valuestring);
        if (again)
            fail(vf, id, "cites %s twice", r->valuestring);
        else
            vf->cov[file][k]++;
    }
}

static int remember_id(verifier *vf, int file, const char *id)
{
    char **ids = realloc(vf->ids[file], (vf->nids[file] + 1) * sizeof *ids);
    char *copy = strdup(id);
    if (!ids || !copy) {
        free(copy);
        if (ids)
            vf->ids[file] = ids;
        return -1;
    }
    vf->ids[file] = ids;
    ids[vf->nids[file]++] = copy;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Decodes "hex" and compares it with the .bin twin. Returns the length, or
 * -1 after a FAIL. */
static long bytes_of(verifier *vf, const cJSON *v, const char *id,
                     const char *sub)
{
    const char *hex = str_member(v, "hex");
    long n = hex ? ttj_hex_decode(hex, vf->buf, BIN_CAP) : -1;
    if (n < 0) {
        fail(vf, id, "\"hex\" missing, not hex, or longer than %u bytes",
             BIN_CAP);
        return -1;
    }
    char path[FILE_PATH_MAX];
    size_t len;
    snprintf(path, sizeof path, "%s/%s/%s.bin", vf->dir, sub, id);
    char *bin = file_read(path, BIN_CAP, &len);
    if (!bin)
        fail(vf, id, "binary twin %s missing or unreadable", path);
    else if (len != (size_t)n || memcmp(bin, vf->buf, len) != 0)
        fail(vf, id, "binary twin %s differs from \"hex\"", path);
    free(bin);
    return n;
}

/* Parses a frame object; NULL after a FAIL. */
static const tt_frame *json_frame(verifier *vf, const char *id,
                                  const cJSON *obj, const char *what)
{
    const char *why;
    if (ttj_frame_from_json(obj, true, vf->jf, &why) != 0) {
        fail(vf, id, "%s: %s", what, why);
        return NULL;
    }
    return &vf->jf->f;
}

/* What every vector of file 0 (frames) or 1 (streams) gets checked: its id,
 * its citations, its bytes and their twin. Returns the byte count (the bytes
 * in vf->buf) with *id set, or -1 when the vector cannot be checked further. */
static long check_common(verifier *vf, const cJSON *v, size_t i, int file,
                         const char **id)
{
    static const char *const names[2] = {"core-frame", "core-stream"};
    static const char *const prefix[2] = {"cf-", "cs-"};
    char pos[48];
    snprintf(pos, sizeof pos, "%s.json vector #%zu", names[file], i);
    *id = str_member(v, "id");
    if (!id_ok(*id, prefix[file])) {
        fail(vf, pos, "\"id\" missing or not of the form %s[a-z0-9-]+",
             prefix[file]);
        return -1;
    }
    if (remember_id(vf, file, *id) != 0) {
        fail(vf, *id, "out of memory");
        return -1;
    }
    cite(vf, file, *id, cJSON_GetObjectItemCaseSensitive(v, "requirements"));
    return bytes_of(vf, v, *id, names[file]);
}

static void verify_frame(verifier *vf, tt_crc crc, const cJSON *v, size_t i)
{
    const char *id;
    long n = check_common(vf, v, i, 0, &id);
    if (n < 0)
        return;
    const char *expect = str_member(v, "expect");
    const char *error = str_member(v, "error");
    const char *under = str_member(v, "valid_under");
    const cJSON *fobj = cJSON_GetObjectItemCaseSensitive(v, "frame");
    tt_frame got;
    int r = tt_decode(vf->buf, (size_t)n, crc, &got);

    if (expect && !strcmp(expect, "valid")) {
        if (under || error) {
            fail(vf, id,
                 "a valid vector has no \"error\" or "
                 "\"valid_under\"");
            return;
        }
        if (r < 0) {
            fail(vf, id, "expected valid, the reference decoder says %s",
                 tt_error_name(r));
            return;
        }
    } else if (expect && !strcmp(expect, "invalid")) {
        int want = error ? tt_error_from_name(error) : 0;
        if (want != TT_ERR_TRUNCATED && want != TT_ERR_CRC_MISMATCH &&
            want != TT_ERR_USED_LEN_EXCEEDS_BLOCK) {
            fail(vf, id, "\"error\" missing or not a pinned error name");
            return;
        }
        if (r != want) {
            fail(vf, id, "expected %s, the reference decoder says %s", error,
                 r > 0 ? "valid" : tt_error_name(r));
            return;
        }
        if (!under)
            return;
        int alt = tt_crc_from_name(under);
        if (alt < 0 || alt == (int)crc || want != TT_ERR_CRC_MISMATCH) {
            fail(vf, id,
                 "\"valid_under\" must name another variant, with "
                 "error crc_mismatch");
            return;
        }
        r = tt_decode(vf->buf, (size_t)n, (tt_crc)alt, &got);
        if (r < 0) {
            fail(vf, id, "not valid under %s: %s", under, tt_error_name(r));
            return;
        }
    } else {
        fail(vf, id, "\"expect\" must be \"valid\" or \"invalid\"");
        return;
    }
    const tt_frame *want = json_frame(vf, id, fobj, "\"frame\"");
    const char *field = want ? ttj_frame_diff(&got, want, true) : NULL;
    if (field)
        fail(vf, id, "frame.%s differs from the reference decoder's", field);
}

/* Holds the expected events of one stream vector while its bytes run. */
typedef struct expected {
    const cJSON *next;
    size_t seen;
} expected;

/* Compares one receiver event with the next expected one. */
static void match_event(verifier *vf, const char *id, expected *ex,
                        const tt_stream_event *ev, const char *how)
{
    const cJSON *e = ex->next;
    size_t k = ex->seen++;
    if (!e) {
        fail(vf, id, "%s: event %zu at offset %llu not expected", how, k,
             (unsigned long long)ev->offset);
        return;
    }
    ex->next = e->next;
    const cJSON *fobj = cJSON_GetObjectItemCaseSensitive(e, "frame");
    if (fobj) {
        if (ev->status != 0) {
            fail(vf, id,
                 "%s: event %zu expected a frame, the reference "
                 "receiver says %s at offset %llu",
                 how, k, tt_error_name(ev->status),
                 (unsigned long long)ev->offset);
            return;
        }
        const tt_frame *want = json_frame(vf, id, fobj, "event frame");
        const char *field =
            want ? ttj_frame_diff(&ev->frame, want, true) : NULL;
        if (field)
            fail(vf, id, "%s: event %zu: frame.%s differs", how, k, field);
        return;
    }
    const char *error = str_member(e, "error");
    double offset = uint_member(e, "offset");
    int want = error ? tt_error_from_name(error) : 0;
    if ((want != TT_ERR_CRC_MISMATCH &&
         want != TT_ERR_USED_LEN_EXCEEDS_BLOCK) ||
        offset < 0) {
        fail(vf, id,
             "event %zu is neither a frame nor a discard "
             "(crc_mismatch / used_len_exceeds_block) with an offset",
             k);
        return;
    }
    if (ev->status != want || (double)ev->offset != offset)
        fail(vf, id,
             "%s: event %zu expected %s at %.0f, the reference "
             "receiver says %s at %llu",
             how, k, error, offset,
             ev->status ? tt_error_name(ev->status) : "a frame",
             (unsigned long long)ev->offset);
}

/* Runs bytes through a tt_stream in the given chunks (NULL: one chunk) and
 * compares events and pending. */
static void run_stream(verifier *vf, tt_crc crc, const char *id,
                       const cJSON *events, const cJSON *chunks, size_t len,
                       double pending, const char *how)
{
    static tt_stream st;
    tt_stream_init(&st, crc);
    expected ex = {events->child, 0};
    const cJSON *c = chunks ? chunks->child : NULL;
    size_t pos = 0;
    while (pos < len) {
        size_t n = c ? (size_t)c->valuedouble : len;
        const uint8_t *p = vf->buf + pos;
        size_t left = n;
        pos += n;
        tt_stream_event ev;
        while (tt_stream_next(&st, &p, &left, &ev) > 0)
            match_event(vf, id, &ex, &ev, how);
        c = c ? c->next : NULL;
    }
    size_t want = (size_t)cJSON_GetArraySize(events);
    if (ex.seen < want)
        fail(vf, id,
             "%s: %zu events expected, the reference receiver gave "
             "%zu",
             how, want, ex.seen);
    if ((double)tt_stream_pending(&st) != pending)
        fail(vf, id,
             "%s: %.0f bytes pending expected, the reference "
             "receiver holds %zu",
             how, pending, tt_stream_pending(&st));
}

static void verify_stream(verifier *vf, tt_crc crc, const cJSON *v, size_t i)
{
    const char *id;
    long n = check_common(vf, v, i, 1, &id);
    if (n < 0)
        return;
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(v, "chunks");
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(v, "events");
    double pending = uint_member(v, "pending");
    if (!cJSON_IsArray(chunks) || !cJSON_IsArray(events) || pending < 0) {
        fail(vf, id, "\"chunks\", \"events\" and \"pending\" are required");
        return;
    }
    double sum = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, chunks)
    {
        double k = cJSON_IsNumber(c) ? c->valuedouble : 0;
        if (k < 1 || k != (double)(size_t)k || sum + k > (double)n) {
            fail(vf, id,
                 "chunks must be positive integers summing to the "
                 "%ld bytes",
                 n);
            return;
        }
        sum += k;
    }
    if (sum != (double)n) {
        fail(vf, id, "chunks sum to %.0f, the stream has %ld bytes", sum, n);
        return;
    }
    run_stream(vf, crc, id, events, chunks, (size_t)n, pending,
               "in its chunks");
    /* CF-12.3-c: the same events whatever the chunking. */
    run_stream(vf, crc, id, events, NULL, (size_t)n, pending, "in one chunk");
}

/* The envelope of one file, then each of its vectors. */
static void verify_file(verifier *vf, const cJSON *doc, int file,
                        const char *name, const char *suite, int want_crc)
{
    const char *s = str_member(doc, "suite");
    const char *ver = str_member(doc, "spec_version");
    const char *crc_name = str_member(doc, "crc");
    const cJSON *vectors = cJSON_GetObjectItemCaseSensitive(doc, "vectors");
    double count = uint_member(doc, "count");
    int crc = crc_name ? tt_crc_from_name(crc_name) : -1;
    if (!s || strcmp(s, suite) != 0)
        fail(vf, name, "\"suite\" must be \"%s\"", suite);
    if (!ver || strcmp(ver, "1.0") != 0)
        fail(vf, name, "\"spec_version\" must be \"1.0\"");
    if (crc < 0) {
        fail(vf, name, "\"crc\" must name a CRC-8 variant");
        return;
    }
    if (want_crc >= 0 && crc != want_crc)
        fail(vf, name, "made under %s, not the %s asked for", crc_name,
             tt_crc_name((tt_crc)want_crc));
    if (!cJSON_IsArray(vectors)) {
        fail(vf, name, "\"vectors\" must be an array");
        return;
    }
    if (count != (double)cJSON_GetArraySize(vectors))
        fail(vf, name, "\"count\" is %.0f but there are %d vectors", count,
             cJSON_GetArraySize(vectors));
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vectors)
    {
        if (file == 0)
            verify_frame(vf, (tt_crc)crc, v, i++);
        else
            verify_stream(vf, (tt_crc)crc, v, i++);
    }
    printf("%s: %d vectors under %s\n", name, cJSON_GetArraySize(vectors),
           crc_name);
}

/* Duplicate ids, and .bin files that belong to no vector. */
static void check_ids(verifier *vf, int file, const char *sub)
{
    if (vf->nids[file] > 1)
        qsort(vf->ids[file], vf->nids[file], sizeof(char *), cmp_str);
    for (size_t i = 1; i < vf->nids[file]; i++)
        if (!strcmp(vf->ids[file][i], vf->ids[file][i - 1]))
            fail(vf, vf->ids[file][i], "id used more than once");
    char path[FILE_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", vf->dir, sub);
    DIR *d = opendir(path);
    if (!d) {
        fail(vf, sub, "directory %s missing", path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char id[VEC_ID_MAX + 8];
        size_t n = strlen(e->d_name);
        snprintf(id, sizeof id, "%.*s", n > 4 ? (int)(n - 4) : 0, e->d_name);
        const char *key = id;
        if (n <= 4 || strcmp(e->d_name + n - 4, ".bin") != 0 ||
            vf->nids[file] == 0 ||
            !bsearch(&key, vf->ids[file], vf->nids[file], sizeof(char *),
                     cmp_str))
            fail(vf, sub, "%s belongs to no vector", e->d_name);
    }
    closedir(d);
}

/* Prints the table; returns how many requirements are cited. */
static size_t coverage(verifier *vf)
{
    size_t covered = 0;
    printf("\n%-12s %6s %6s %6s\n", "requirement", "frame", "stream", "total");
    for (size_t k = 0; k < vf->spec->n; k++) {
        size_t t = vf->cov[0][k] + vf->cov[1][k];
        printf("%-12s %6zu %6zu %6zu%s\n", vf->spec->id[k], vf->cov[0][k],
               vf->cov[1][k], t, t ? "" : "  <- cited by no vector");
        if (!t)
            fail(vf, vf->spec->id[k], "cited by no vector");
        covered += t != 0;
    }
    return covered;
}

int core_frame_verify(const vec_opts *o, const char *dir, const spec_ids *spec,
                      vec_report *r)
{
    verifier vf;
    memset(&vf, 0, sizeof vf);
    memset(r, 0, sizeof *r);
    vf.dir = dir;
    vf.spec = spec;
    vf.cov[0] = calloc(spec->n, sizeof(size_t));
    vf.cov[1] = calloc(spec->n, sizeof(size_t));
    vf.buf = malloc(BIN_CAP);
    vf.jf = malloc(sizeof *vf.jf);
    cJSON *frames = load_json(dir, "core-frame.json");
    cJSON *streams = load_json(dir, "core-stream.json");
    int rc = 2;
    if (vf.cov[0] && vf.cov[1] && vf.buf && vf.jf && frames && streams) {
        check_schema(&vf, frames, "core-frame.json",
                     "schema/core-frame.schema.json");
        check_schema(&vf, streams, "core-stream.json",
                     "schema/core-stream.schema.json");
        verify_file(&vf, frames, 0, "core-frame.json", "tamtam-core-frame",
                    o->crc);
        verify_file(&vf, streams, 1, "core-stream.json", "tamtam-core-stream",
                    o->crc);
        check_ids(&vf, 0, "core-frame");
        check_ids(&vf, 1, "core-stream");
        r->covered = coverage(&vf);
        if (vf.problems)
            printf("\nverify: FAILED, %zu problems\n", vf.problems);
        else
            printf("\nverify: OK, %zu frame and %zu stream vectors, all %zu "
                   "requirements covered\n",
                   vf.nids[0], vf.nids[1], spec->n);
        r->vectors = vf.nids[0] + vf.nids[1];
        r->problems = vf.problems;
        rc = vf.problems ? 1 : 0;
    } else if (!vf.cov[0] || !vf.cov[1] || !vf.buf || !vf.jf)
        fprintf(stderr, "verify: out of memory\n");
    cJSON_Delete(frames);
    cJSON_Delete(streams);
    for (int f = 0; f < 2; f++) {
        for (size_t i = 0; i < vf.nids[f]; i++)
            free(vf.ids[f][i]);
        free(vf.ids[f]);
        free(vf.cov[f]);
    }
    free(vf.buf);
    free(vf.jf);
    return rc;
}
