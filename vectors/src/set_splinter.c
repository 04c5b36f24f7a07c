/*
 * The Splinter vector set: splinter-envelope.json and splinter-stream.json
 * with their schemas, .ndjson twins and pcap/splinter.pcap, covered against
 * spec/splinter-envelope.md (requirement IDs "SP-").
 *
 * One checker judges a vector against libsplinter: gen runs it on every
 * vector built from the tables before writing anything, verify on every
 * vector read back. An envelope vector is one sp_validate call; a stream
 * vector is sp_validate + sp_reasm_push per line (arriving at its own ts),
 * the payloads taken as they become ready, then sp_reasm_expire at `now`.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "jschema.h"
#include "splinter/splinter.h"
#include "splinter_set.h"
#include "ttj.h"
#include "vectors.h"

#define SPV_PORT 4775
#define SPV_ENV_PORT_BASE 37010u /* + index in splinter-envelope.json */
#define SPV_ENV_PORT_LAST 41169u
#define SPV_STREAM_PORT_BASE 61000u /* + index in splinter-stream.json */
#define SPV_STREAM_PORT_LAST 65535u
#define SPV_SCHEMA_REPORT_MAX 20
#define SPV_TWIN_DIR_ENV "splinter-envelope"
#define SPV_TWIN_DIR_STREAM "splinter-stream"

/* Where problems go and what verify counts. */
typedef struct judge {
    const char *prefix; /* "FAIL " (verify, stdout) or "gen: " (stderr) */
    FILE *fp;
    size_t problems;
    const spec_ids *spec; /* NULL: citations not checked (gen) */
    size_t *cov;          /* per spec ID: vectors citing it */
} judge;

static void problem(judge *j, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(judge *j, const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(j->fp, "%s%s: ", j->prefix, id);
    vfprintf(j->fp, fmt, ap);
    fputc('\n', j->fp);
    va_end(ap);
    j->problems++;
}

/* JSON equality (objects by member name, numbers by value). cJSON_Compare
 * compares objects both ways at every level, which is exponential in the
 * depth: a depth-64 payload would never finish. Objects here never hold a
 * name twice (SP-2-d), so equal sizes plus one direction suffice. */
static bool json_equal(const cJSON *a, const cJSON *b)
{
    if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
        return false;
    switch (a->type & 0xFF) {
    case cJSON_False:
    case cJSON_True:
    case cJSON_NULL:
        return true;
    case cJSON_Number:
        return a->valuedouble == b->valuedouble;
    case cJSON_String:
    case cJSON_Raw:
        return a->valuestring && b->valuestring &&
               strcmp(a->valuestring, b->valuestring) == 0;
    case cJSON_Array: {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!json_equal(x, y))
                return false;
        return !x && !y;
    }
    case cJSON_Object: {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return false;
        for (const cJSON *x = a->child; x; x = x->next)
            if (!x->string ||
                !json_equal(x, cJSON_GetObjectItemCaseSensitive(b, x->string)))
                return false;
        return true;
    }
    case cJSON_Invalid:
        return false;
    }
    return false;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A line's bytes: "line" (a view) or "line_hex" (decoded into *owned).
 * Returns the bytes with *len, or NULL when neither is usable. */
static const char *line_bytes(const cJSON *v, size_t *len, char **owned)
{
    *owned = NULL;
    const char *line = str_of(v, "line"), *hex = str_of(v, "line_hex");
    if (line && !hex) {
        *len = strlen(line);
        return line;
    }
    if (!hex || line)
        return NULL;
    size_t cap = strlen(hex) / 2 + 1;
    *owned = malloc(cap);
    long n = *owned ? ttj_hex_decode(hex, (uint8_t *)*owned, cap) : -1;
    if (n < 0) {
        free(*owned);
        *owned = NULL;
        return NULL;
    }
    *len = (size_t)n;
    return *owned;
}

char *spv_ndjson(const cJSON *v, size_t *len)
{
    const cJSON *lines = get(v, "lines");
    size_t total = 0, n = 0;
    char *owned = NULL;
    const char *one = NULL;
    const cJSON *l;
    if (cJSON_IsArray(lines)) {
        cJSON_ArrayForEach(l, lines)
        {
            if (!cJSON_IsString(l))
                return NULL;
            total += strlen(l->valuestring) + 1;
        }
    } else {
        one = line_bytes(v, &n, &owned);
        if (!one)
            return NULL;
        total = n + 1;
    }
    char *out = malloc(total ? total : 1), *p = out;
    if (out && one) {
        memcpy(p, one, n);
        p[n] = '\n';
    } else if (out) {
        cJSON_ArrayForEach(l, lines)
        {
            size_t k = strlen(l->valuestring);
            memcpy(p, l->valuestring, k);
            p[k] = '\n';
            p += k + 1;
        }
    }
    free(owned);
    *len = total;
    return out;
}

/* The vector's citations against the spec (verify only). */
static void cite(judge *j, const cJSON *v, const char *id)
{
    if (!j->spec)
        return;
    const cJSON *reqs = get(v, "requirements"), *r;
    if (!cJSON_IsArray(reqs) || cJSON_GetArraySize(reqs) == 0)
        problem(j, id, "no requirements cited");
    cJSON_ArrayForEach(r, reqs)
    {
        long k = cJSON_IsString(r) ? spec_ids_find(j->spec, r->valuestring)
                                   : -1;
        if (k < 0)
            problem(j, id, "cites %s, which the spec does not define",
                    cJSON_IsString(r) ? r->valuestring : "a non-string");
        else
            j->cov[k]++;
    }
}

/* `now` of a vector, or false with a problem. */
static bool now_of(judge *j, const cJSON *v, const char *id, sp_time *now)
{
    const char *s = str_of(v, "now");
    if (s && sp_time_parse(s, strlen(s), now) == 0)
        return true;
    problem(j, id, "\"now\" missing or not an SP-5 time");
    return false;
}

/* The note names of `bits` in table order, as a JSON array. */
static cJSON *note_names(unsigned bits)
{
    static const unsigned order[] = {SP_NOTE_ID_NOT_UUIDV7,
                                     SP_NOTE_UNKNOWN_FAULT_CODE,
                                     SP_NOTE_UNKNOWN_MEMBER};
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < sizeof order / sizeof *order; i++)
        if (bits & order[i])
            cJSON_AddItemToArray(a, cJSON_CreateString(sp_note_name(order[i])));
    return a;
}

/* Compares a fault the library reports with the vector's code, symbol and
 * (when `rule` is not NULL) rule members of `f`. */
static void same_fault(judge *j, const char *id, const char *what,
                       const cJSON *f, int code, const char *rule)
{
    const cJSON *want = get(f, "fault");
    const char *symbol = str_of(f, "symbol"), *wrule = str_of(f, "rule");
    if (!cJSON_IsNumber(want) || want->valuedouble != code)
        problem(j, id, "%s: fault %s expected, libsplinter says %d (%s)", what,
                cJSON_IsNumber(want) ? "as written" : "(missing)", code,
                rule ? rule : "valid");
    else if (!symbol || !sp_fault_symbol(code) ||
             strcmp(symbol, sp_fault_symbol(code)) != 0)
        problem(j, id, "%s: symbol %s is not the symbol of %d", what,
                symbol ? symbol : "(missing)", code);
    else if (rule && (!wrule || strcmp(wrule, rule) != 0))
        problem(j, id, "%s: rule %s expected, libsplinter reports %s", what,
                wrule ? wrule : "(missing)", rule);
}

static void check_envelope(judge *j, const cJSON *v, const char *id)
{
    size_t len = 0;
    char *owned = NULL;
    const char *bytes = line_bytes(v, &len, &owned);
    sp_time now;
    if (!bytes) {
        problem(j, id, "exactly one of \"line\" and \"line_hex\" (hex) "
                       "is required");
        return;
    }
    if (!now_of(j, v, id, &now)) {
        free(owned);
        return;
    }
    const cJSON *allow = get(v, "allow");
    sp_envelope env;
    sp_check chk;
    int r = sp_validate(bytes, len, allow, &now, &env, &chk);
    const char *expect = str_of(v, "expect");
    if (r < 0)
        problem(j, id, "libsplinter cannot judge it: %s%s", sp_error_name(r),
                allow ? " (is \"allow\" of the SP-6-c form?)" : "");
    else if (expect && !strcmp(expect, "valid")) {
        cJSON *notes = note_names(chk.notes);
        if (r != 0)
            problem(j, id, "valid expected, libsplinter says %d (%s: %s)", r,
                    chk.req, chk.detail);
        else if (!json_equal(get(v, "envelope"), env.root))
            problem(j, id, "\"envelope\" differs from the line as parsed");
        else if (!notes || !json_equal(get(v, "notes"), notes))
            problem(j, id, "\"notes\" differ from libsplinter's");
        cJSON_Delete(notes);
    } else if (expect && !strcmp(expect, "fault"))
        same_fault(j, id, "the line", v, r, chk.req);
    else
        problem(j, id, "\"expect\" must be \"valid\" or \"fault\"");
    sp_envelope_free(&env);
    free(owned);
}

/* What libsplinter makes of a stream vector's lines. */
typedef struct stream_run {
    cJSON *payloads, *faults, *notes;
    bool complete, timeout;
    int err; /* a library error (negative), or 0 */
    const char *bad; /* a line that is valid but not a chunk, or NULL */
} stream_run;

static void add_fault(cJSON *faults, size_t i, int code, const char *rule)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "index", (double)i);
    cJSON_AddNumberToObject(f, "fault", code);
    cJSON_AddStringToObject(f, "symbol",
                            sp_fault_symbol(code) ? sp_fault_symbol(code) : "?");
    cJSON_AddStringToObject(f, "rule", rule ? rule : "?");
    cJSON_AddItemToArray(faults, f);
}

static void run_stream(const cJSON *lines, const sp_time *now, stream_run *out)
{
    memset(out, 0, sizeof *out);
    out->payloads = cJSON_CreateArray();
    out->faults = cJSON_CreateArray();
    out->notes = cJSON_CreateArray();
    sp_reasm *r = sp_reasm_new(NULL);
    char from[256] = "", id[SP_ID_MAX + 1] = "";
    bool keyed = false;
    size_t i = 0;
    const cJSON *l;
    if (!r || !out->payloads || !out->faults || !out->notes) {
        out->err = SP_ERR_NO_MEMORY;
        sp_reasm_free(r);
        return;
    }
    cJSON_ArrayForEach(l, lines)
    {
        size_t at = i++;
        sp_envelope env;
        sp_check chk;
        /* No TTL check: each line arrives at its own ts (README). */
        int v = sp_validate(l->valuestring, strlen(l->valuestring), NULL, NULL,
                            &env, &chk);
        if (v < 0) {
            out->err = v;
            break;
        }
        if (v > 0) {
            add_fault(out->faults, at, v, chk.req);
            sp_envelope_free(&env);
            continue;
        }
        if (!env.has_seq || strlen(env.from) >= sizeof from) {
            out->bad = l->valuestring;
            sp_envelope_free(&env);
            continue;
        }
        sp_chunk_result cr;
        int p = sp_reasm_push(r, &env, &env.ts, &cr);
        if (p < 0)
            out->err = p;
        else if (cr.fault)
            add_fault(out->faults, at, cr.fault, cr.req);
        else if (cr.notes & SP_NOTE_DUPLICATE_CHUNK) {
            cJSON *n = cJSON_CreateObject();
            cJSON_AddNumberToObject(n, "index", (double)at);
            cJSON_AddStringToObject(n, "note",
                                    sp_note_name(SP_NOTE_DUPLICATE_CHUNK));
            cJSON_AddItemToArray(out->notes, n);
        }
        if (!keyed) {
            snprintf(from, sizeof from, "%s", env.from);
            snprintf(id, sizeof id, "%s", env.id);
            keyed = true;
        }
        char *text;
        while (sp_reasm_take(r, env.from, env.id, &text) > 0) {
            cJSON *pl = cJSON_Parse(text);
            if (!pl)
                out->err = SP_ERR_NO_MEMORY;
            else
                cJSON_AddItemToArray(out->payloads, pl);
            free(text);
        }
        sp_envelope_free(&env);
    }
    out->complete = keyed && sp_reasm_complete(r, from, id);
    sp_expired x;
    while (sp_reasm_expire(r, now, &x) > 0) {
        out->timeout = true;
        free(x.from);
    }
    if (out->timeout)
        out->complete = false;
    sp_reasm_free(r);
}

static void check_stream(judge *j, const cJSON *v, const char *id)
{
    const cJSON *lines = get(v, "lines"), *l;
    sp_time now;
    bool ok = cJSON_IsArray(lines) && cJSON_GetArraySize(lines) > 0;
    for (l = ok ? lines->child : NULL; l; l = l->next)
        ok = ok && cJSON_IsString(l);
    if (!ok) {
        problem(j, id, "\"lines\" must be a non-empty array of strings");
        return;
    }
    if (!now_of(j, v, id, &now))
        return;
    stream_run got;
    run_stream(lines, &now, &got);
    const char *expect = str_of(v, "expect");
    const cJSON *complete = get(v, "complete");
    if (got.err)
        problem(j, id, "libsplinter fails: %s", sp_error_name(got.err));
    else if (got.bad)
        problem(j, id, "a valid line is not a chunk (no seq/eof)");
    else if (!json_equal(get(v, "payloads"), got.payloads))
        problem(j, id, "\"payloads\" differ from what libsplinter delivers");
    else if (!cJSON_IsBool(complete) ||
             cJSON_IsTrue(complete) != got.complete)
        problem(j, id, "\"complete\" differs: libsplinter says %s",
                got.complete ? "true" : "false");
    else if (!json_equal(get(v, "faults"), got.faults)) {
        char *text = cJSON_PrintUnformatted(got.faults);
        problem(j, id, "\"faults\" differ: libsplinter says %s",
                text ? text : "?");
        cJSON_free(text);
    } else if (!json_equal(get(v, "notes"), got.notes))
        problem(j, id, "\"notes\" differ from libsplinter's");
    else if (!expect || (strcmp(expect, "ok") && strcmp(expect, "fault")))
        problem(j, id, "\"expect\" must be \"ok\" or \"fault\"");
    else if (!strcmp(expect, "fault") != got.timeout)
        problem(j, id, "the stream %s according to libsplinter",
                got.timeout ? "times out (4200)" : "does not time out");
    else if (got.timeout)
        same_fault(j, id, "the stream", v, SP_FAULT_STREAM_TIMEOUT, NULL);
    cJSON_Delete(got.payloads);
    cJSON_Delete(got.faults);
    cJSON_Delete(got.notes);
}

/* Checks every vector of one document, its count and unique ids. */
static void check_doc(judge *j, const cJSON *doc, const char *file,
                      bool streams)
{
    const cJSON *vectors = get(doc, "vectors"), *count = get(doc, "count");
    if (!cJSON_IsArray(vectors)) {
        problem(j, file, "\"vectors\" must be an array");
        return;
    }
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vectors)
    {
        char pos[64];
        snprintf(pos, sizeof pos, "%s vector #%zu", file, i++);
        const char *id = str_of(v, "id");
        if (!id || strlen(id) >= VEC_ID_MAX) {
            problem(j, pos, "\"id\" missing or too long");
            continue;
        }
        for (const cJSON *p = vectors->child; p != v; p = p->next) {
            const char *other = str_of(p, "id");
            if (other && !strcmp(other, id))
                problem(j, id, "id used more than once");
        }
        cite(j, v, id);
        if (streams)
            check_stream(j, v, id);
        else
            check_envelope(j, v, id);
    }
    if (!cJSON_IsNumber(count) || count->valuedouble != (double)i)
        problem(j, file, "\"count\" differs from the %zu vectors", i);
}

/* ---- gen ----------------------------------------------------------------- */

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "gen: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

/* Removes DIR's *.ndjson files, so a dropped vector leaves no stale twin. */
static int clear_twins(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "gen: cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    char path[FILE_PATH_MAX + 256];
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 8 || strcmp(e->d_name + n - 7, ".ndjson") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (remove(path) != 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

static int write_twins(const cJSON *doc, const char *dir, const char *sub)
{
    char path[FILE_PATH_MAX + 2 * VEC_ID_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    if (make_dir(path) != 0 || clear_twins(path) != 0)
        return -1;
    const cJSON *v;
    cJSON_ArrayForEach(v, get(doc, "vectors"))
    {
        size_t len;
        char *text = spv_ndjson(v, &len);
        snprintf(path, sizeof path, "%s/%s/%s.ndjson", dir, sub,
                 str_of(v, "id"));
        int rc = text ? file_write(path, text, len) : -1;
        free(text);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int write_schema(const char *text, const char *path)
{
    cJSON *schema = cJSON_Parse(text);
    char *out = schema ? cJSON_Print(schema) : NULL;
    cJSON_Delete(schema);
    int rc = -1;
    if (out) {
        size_t n = strlen(out);
        out[n] = '\n'; /* cJSON_Print leaves the terminator: reuse it */
        rc = file_write(path, out, n + 1);
    }
    cJSON_free(out);
    return rc;
}

/* The capture: one TCP connection per vector carrying its ndjson twin. */
static int write_capture(const cJSON *env, const cJSON *streams,
                         const char *dir)
{
    size_t ne = (size_t)cJSON_GetArraySize(get(env, "vectors"));
    size_t ns = (size_t)cJSON_GetArraySize(get(streams, "vectors"));
    if (ne > SPV_ENV_PORT_LAST - SPV_ENV_PORT_BASE + 1 ||
        ns > SPV_STREAM_PORT_LAST - SPV_STREAM_PORT_BASE + 1) {
        fprintf(stderr, "gen: too many Splinter vectors for the port plan\n");
        return -1;
    }
    capture_conn *c = calloc(ne + ns + 1, sizeof *c);
    int rc = c ? 0 : -1;
    size_t k = 0;
    for (int f = 0; rc == 0 && f < 2; f++) {
        const cJSON *v;
        size_t i = 0;
        cJSON_ArrayForEach(v, get(f ? streams : env, "vectors"))
        {
            size_t len;
            char *text = spv_ndjson(v, &len);
            if (!text) {
                rc = -1;
                break;
            }
            c[k++] = (capture_conn){
                .id = str_of(v, "id"),
                .file = f ? SPV_STREAM_FILE : SPV_ENV_FILE,
                .port = (uint16_t)((f ? SPV_STREAM_PORT_BASE
                                      : SPV_ENV_PORT_BASE) +
                                   i++),
                .bytes = (const uint8_t *)text,
                .len = len};
        }
    }
    char out[FILE_PATH_MAX + 32], index[FILE_PATH_MAX + 32];
    snprintf(out, sizeof out, "%s/pcap", dir);
    if (rc == 0)
        rc = make_dir(out);
    snprintf(out, sizeof out, "%s/pcap/splinter.pcap", dir);
    snprintf(index, sizeof index, "%s/pcap/splinter-index.json", dir);
    if (rc == 0)
        rc = capture_tcp(out, index, SPV_PORT, c, k);
    for (size_t i = 0; i < k; i++)
        free((void *)c[i].bytes);
    free(c);
    return rc;
}

static int splinter_gen(const vec_opts *o, const char *dir)
{
    (void)o; /* --crc is the Core Frame's */
    cJSON *env, *streams;
    if (spv_build(&env, &streams) != 0)
        return -1;
    /* Check what the files will hold: the documents printed and read back
     * (a number cJSON would print inexactly shows up here). */
    judge j = {"gen: ", stderr, 0, NULL, NULL};
    for (int f = 0; f < 2; f++) {
        char *text = cJSON_PrintUnformatted(f ? streams : env);
        cJSON *back = text ? cJSON_Parse(text) : NULL;
        cJSON_free(text);
        if (!back)
            j.problems++;
        else
            check_doc(&j, back, f ? SPV_STREAM_FILE : SPV_ENV_FILE, f == 1);
        cJSON_Delete(back);
    }
    int rc = -1;
    char path[FILE_PATH_MAX + 64];
    if (j.problems) {
        fprintf(stderr,
                "gen: %zu Splinter vectors disagree with libsplinter; "
                "nothing written\n",
                j.problems);
        goto done;
    }
    snprintf(path, sizeof path, "%s/schema", dir);
    if (make_dir(dir) != 0 || make_dir(path) != 0)
        goto done;
    snprintf(path, sizeof path, "%s/%s", dir, SPV_ENV_FILE);
    if (file_write_json_lines(path, env, "vectors") != 0)
        goto done;
    snprintf(path, sizeof path, "%s/%s", dir, SPV_STREAM_FILE);
    if (file_write_json_lines(path, streams, "vectors") != 0)
        goto done;
    snprintf(path, sizeof path, "%s/schema/splinter-envelope.schema.json", dir);
    if (write_schema(spv_env_schema, path) != 0)
        goto done;
    snprintf(path, sizeof path, "%s/schema/splinter-stream.schema.json", dir);
    if (write_schema(spv_stream_schema, path) != 0)
        goto done;
    if (write_twins(env, dir, SPV_TWIN_DIR_ENV) != 0 ||
        write_twins(streams, dir, SPV_TWIN_DIR_STREAM) != 0 ||
        write_capture(env, streams, dir) != 0)
        goto done;
    printf("%s: %d Splinter envelope vectors, %d stream vectors\n", dir,
           cJSON_GetArraySize(get(env, "vectors")),
           cJSON_GetArraySize(get(streams, "vectors")));
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "gen: cannot write the Splinter set into %s\n", dir);
    cJSON_Delete(env);
    cJSON_Delete(streams);
    return rc;
}

/* ---- verify -------------------------------------------------------------- */

static cJSON *load(const char *dir, const char *name)
{
    char path[FILE_PATH_MAX + 64];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = file_read(path, SPV_FILE_CAP, &len);
    cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
    if (!doc)
        fprintf(stderr, "verify: cannot read %s as JSON\n", path);
    free(text);
    return doc;
}

/* Each vector's twin holds its ndjson; no twin without a vector. */
static void check_twins(judge *j, const cJSON *doc, const char *dir,
                        const char *sub)
{
    char path[FILE_PATH_MAX + 2 * VEC_ID_MAX];
    const cJSON *v, *vectors = get(doc, "vectors");
    cJSON_ArrayForEach(v, vectors)
    {
        const char *id = str_of(v, "id");
        size_t want_len, len;
        char *want = id ? spv_ndjson(v, &want_len) : NULL;
        if (!want)
            continue; /* reported by the vector's own check */
        snprintf(path, sizeof path, "%s/%s/%s.ndjson", dir, sub, id);
        char *got = file_read(path, SPV_FILE_CAP, &len);
        if (!got)
            problem(j, id, "twin %s/%s.ndjson missing", sub, id);
        else if (len != want_len || memcmp(got, want, len) != 0)
            problem(j, id, "twin %s/%s.ndjson differs from the vector's "
                           "line(s)",
                    sub, id);
        free(got);
        free(want);
    }
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    if (!d) {
        problem(j, sub, "cannot open the twin directory");
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        bool known = false;
        cJSON_ArrayForEach(v, vectors)
        {
            const char *id = str_of(v, "id");
            if (id && n == strlen(id) + 7 && !strncmp(e->d_name, id, n - 7) &&
                !strcmp(e->d_name + n - 7, ".ndjson"))
                known = true;
        }
        if (!known)
            problem(j, e->d_name, "a file in %s/ that is no vector's twin", sub);
    }
    closedir(d);
}

static void check_schema(judge *j, const cJSON *schema, const cJSON *doc,
                         const char *file, const char *schema_file)
{
    printf("%s against %s:\n", file, schema_file);
    size_t bad = jschema_validate(schema, doc, stdout, SPV_SCHEMA_REPORT_MAX);
    if (bad)
        problem(j, file, "%zu schema violations", bad);
    else
        printf("  valid\n");
}

static int splinter_verify(const vec_opts *o, const char *dir,
                           const spec_ids *spec, vec_report *rep)
{
    (void)o;
    memset(rep, 0, sizeof *rep);
    judge j = {"FAIL ", stdout, 0, spec,
               calloc(spec->n ? spec->n : 1, sizeof(size_t))};
    cJSON *env = load(dir, SPV_ENV_FILE), *streams = load(dir, SPV_STREAM_FILE);
    cJSON *es = load(dir, "schema/splinter-envelope.schema.json");
    cJSON *ss = load(dir, "schema/splinter-stream.schema.json");
    int rc = 2;
    if (j.cov && env && streams && es && ss) {
        check_schema(&j, es, env, SPV_ENV_FILE,
                     "schema/splinter-envelope.schema.json");
        check_schema(&j, ss, streams, SPV_STREAM_FILE,
                     "schema/splinter-stream.schema.json");
        check_doc(&j, env, SPV_ENV_FILE, false);
        check_doc(&j, streams, SPV_STREAM_FILE, true);
        check_twins(&j, env, dir, SPV_TWIN_DIR_ENV);
        check_twins(&j, streams, dir, SPV_TWIN_DIR_STREAM);
        int ne = cJSON_GetArraySize(get(env, "vectors"));
        int ns = cJSON_GetArraySize(get(streams, "vectors"));
        printf("%s: %d vectors, %s: %d vectors\n", SPV_ENV_FILE, ne,
               SPV_STREAM_FILE, ns);
        printf("\n%-12s %6s\n", "requirement", "total");
        for (size_t k = 0; k < spec->n; k++) {
            printf("%-12s %6zu%s\n", spec->id[k], j.cov[k],
                   j.cov[k] ? "" : "  <- cited by no vector");
            if (!j.cov[k])
                problem(&j, spec->id[k], "cited by no vector");
            rep->covered += j.cov[k] != 0;
        }
        if (j.problems)
            printf("\nverify: FAILED, %zu problems\n", j.problems);
        else
            printf("\nverify: OK, %d Splinter vectors, all %zu requirements "
                   "covered\n",
                   ne + ns, spec->n);
        rep->vectors = (size_t)ne + (size_t)ns;
        rep->problems = j.problems;
        rc = j.problems ? 1 : 0;
    } else if (!j.cov)
        fprintf(stderr, "verify: out of memory\n");
    cJSON_Delete(env);
    cJSON_Delete(streams);
    cJSON_Delete(es);
    cJSON_Delete(ss);
    free(j.cov);
    return rc;
}

const vec_set vec_set_splinter = {
    .name = "splinter",
    .files = SPV_ENV_FILE " " SPV_STREAM_FILE,
    .schemas = "schema/splinter-envelope.schema.json "
               "schema/splinter-stream.schema.json",
    .req_prefix = "SP-",
    .spec = "spec/splinter-envelope.md",
    .gen = splinter_gen,
    .verify = splinter_verify,
};
