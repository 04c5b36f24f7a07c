/*
 * Writing a set: core-frame.json and core-stream.json (one vector per line,
 * so that diffs and grep work on them), the .bin twins and the schemas.
 * Each file is written to a temporary name and renamed into place.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "ttj.h"
#include "vectors.h"

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "gen: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

/* Removes the .bin files of `dir`, so a renamed or dropped vector leaves no
 * stale twin behind. */
static int clear_bins(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "gen: cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    char path[4096];
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".bin") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0) {
            fprintf(stderr, "gen: cannot remove %s: %s\n", path,
                    strerror(errno));
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

/* Orders requirement IDs as the spec does: CF-2-b < CF-3.1-a < CF-12.2-a. */
static long req_key(const char *id)
{
    unsigned major = 0, minor = 0;
    char letter = 0;
    if (sscanf(id, "CF-%u.%u-%c", &major, &minor, &letter) != 3) {
        minor = 0;
        sscanf(id, "CF-%u-%c", &major, &letter);
    }
    return ((long)major * 100 + minor) * 128 + letter;
}

static int cmp_req(const void *a, const void *b)
{
    long x = req_key(*(char *const *)a), y = req_key(*(char *const *)b);
    return (x > y) - (x < y);
}

/* The space-separated IDs as a JSON array, each once, in spec order. */
static cJSON *requirements(const char *reqs)
{
    char buf[VEC_REQS_MAX], *save = NULL, *ids[32] = {NULL};
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", reqs);
    for (char *t = strtok_r(buf, " ", &save); t && n < 32;
         t = strtok_r(NULL, " ", &save)) {
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup |= strcmp(ids[i], t) == 0;
        if (!dup)
            ids[n++] = t;
    }
    qsort(ids, n, sizeof ids[0], cmp_req);
    return cJSON_CreateStringArray((const char *const *)ids, (int)n);
}

static cJSON *frame_vector(const fvec *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", f->id);
    cJSON_AddItemToObject(o, "requirements", requirements(f->reqs));
    cJSON_AddStringToObject(o, "description", f->desc);
    cJSON_AddItemToObject(o, "hex", ttj_hex_string(f->it.bytes, f->it.len));
    bool valid = f->it.expect == 0 && f->valid_under < 0;
    cJSON_AddStringToObject(o, "expect", valid ? "valid" : "invalid");
    if (!valid)
        cJSON_AddStringToObject(o, "error",
                                tt_error_name(f->valid_under >= 0
                                                  ? TT_ERR_CRC_MISMATCH
                                                  : f->it.expect));
    cJSON_AddStringToObject(o, "verdict",
                            item_is_info(&f->it) ? "info" : "must");
    if (f->valid_under >= 0)
        cJSON_AddStringToObject(o, "valid_under",
                                tt_crc_name((tt_crc)f->valid_under));
    if (f->it.expect == 0)
        cJSON_AddItemToObject(o, "frame", ttj_frame_to_json(&f->it.want));
    return o;
}

static cJSON *stream_vector(const svec *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", s->id);
    cJSON_AddItemToObject(o, "requirements", requirements(s->reqs));
    cJSON_AddStringToObject(o, "description", s->desc);
    cJSON_AddItemToObject(o, "hex", ttj_hex_string(s->bytes, s->len));
    cJSON *chunks = cJSON_AddArrayToObject(o, "chunks");
    for (size_t i = 0; chunks && i < s->nchunks; i++)
        cJSON_AddItemToArray(chunks, cJSON_CreateNumber((double)s->chunks[i]));
    cJSON *events = cJSON_AddArrayToObject(o, "events");
    bool info = false;
    size_t offset = 0;
    for (size_t i = 0; events && i < s->nframes; i++) {
        const item *it = &s->frames[i];
        cJSON *e = cJSON_CreateObject();
        if (it->expect == 0) {
            cJSON_AddItemToObject(e, "frame", ttj_frame_to_json(&it->want));
            info |= item_is_info(it);
        } else {
            cJSON_AddStringToObject(e, "error", tt_error_name(it->expect));
            cJSON_AddNumberToObject(e, "offset", (double)offset);
        }
        cJSON_AddItemToArray(events, e);
        offset += it->len;
    }
    cJSON_AddNumberToObject(o, "pending", (double)s->pending);
    cJSON_AddStringToObject(o, "verdict", info ? "info" : "must");
    return o;
}

static int write_json(const char *path, const char *suite, const vset *v,
                      bool streams)
{
    size_t n = streams ? v->ns : v->nf;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "suite", suite);
    cJSON_AddStringToObject(doc, "spec_version", "1.0");
    cJSON_AddStringToObject(doc, "crc", tt_crc_name(v->crc));
    cJSON_AddNumberToObject(doc, "count", (double)n);
    cJSON *vectors = cJSON_AddArrayToObject(doc, "vectors");
    for (size_t i = 0; vectors && i < n; i++)
        cJSON_AddItemToArray(vectors, streams ? stream_vector(&v->s[i])
                                              : frame_vector(&v->f[i]));
    int rc =
        cJSON_GetArraySize(doc) == 5 && (size_t)cJSON_GetArraySize(vectors) == n
            ? file_write_json_lines(path, doc, "vectors")
            : -1;
    if (rc != 0)
        fprintf(stderr, "gen: cannot write %s\n", path);
    cJSON_Delete(doc);
    return rc;
}

static int write_schema(const char *path, cJSON *schema)
{
    char *text = schema ? cJSON_Print(schema) : NULL;
    int rc = -1;
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n'; /* cJSON_Print leaves the terminator: reuse it */
        rc = file_write(path, text, n + 1);
    } else
        fprintf(stderr, "gen: out of memory building %s\n", path);
    cJSON_free(text);
    cJSON_Delete(schema);
    return rc;
}

int output_write(const vset *v, const char *dir)
{
    char path[4096], sub[4096];
    static const char *const subdirs[] = {"", "/core-frame", "/core-stream",
                                          "/schema"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(sub, sizeof sub, "%s%s", dir, subdirs[i]);
        if (make_dir(sub) != 0)
            return -1;
    }
    snprintf(sub, sizeof sub, "%s/core-frame", dir);
    if (clear_bins(sub) != 0)
        return -1;
    snprintf(sub, sizeof sub, "%s/core-stream", dir);
    if (clear_bins(sub) != 0)
        return -1;
    for (size_t i = 0; i < v->nf; i++) {
        snprintf(path, sizeof path, "%s/core-frame/%s.bin", dir, v->f[i].id);
        if (file_write(path, v->f[i].it.bytes, v->f[i].it.len) != 0)
            return -1;
    }
    for (size_t i = 0; i < v->ns; i++) {
        snprintf(path, sizeof path, "%s/core-stream/%s.bin", dir, v->s[i].id);
        if (file_write(path, v->s[i].bytes, v->s[i].len) != 0)
            return -1;
    }
    snprintf(path, sizeof path, "%s/core-frame.json", dir);
    if (write_json(path, "tamtam-core-frame", v, false) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/core-stream.json", dir);
    if (write_json(path, "tamtam-core-stream", v, true) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/schema/core-frame.schema.json", dir);
    if (write_schema(path, schema_core_frame()) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/schema/core-stream.schema.json", dir);
    return write_schema(path, schema_core_stream());
}
