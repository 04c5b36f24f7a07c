/*
 * The toy vector set (toy-spec.md): a length-prefixed text frame that exists
 * only in the tests, to show a second protocol joining tamtam-vectors by
 * adding files. toy.json holds its vectors, schema/toy.schema.json their
 * schema; requirement IDs start with "TOY-".
 *
 * Like the Core Frame set, gen states the outcome the spec gives each
 * vector's bytes and refuses to write when its decoder disagrees; verify
 * re-decodes every vector and prints the coverage of toy-spec.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "jschema.h"
#include "ttj.h"
#include "vectors.h"

#define TOY_TEXT_MAX 255
#define TOY_JSON_CAP (1u << 20)
#define TOY_SCHEMA_REPORT_MAX 20

/* The toy's errors: X(name, code, wire name). */
#define TOY_ERRORS(X)                                                          \
    X(TOY_ERR_TRUNCATED, -1, "truncated")                                      \
    X(TOY_ERR_NOT_TEXT, -2, "not_text")

enum {
#define TOY_ENUM(name, code, wire) name = (code),
    TOY_ERRORS(TOY_ENUM)
#undef TOY_ENUM
};

/* The wire name of a toy error, or "valid" for n >= 0. */
static const char *toy_error_name(int n)
{
#define TOY_NAME(name, code, wire)                                             \
    if (n == (code))                                                           \
        return wire;
    TOY_ERRORS(TOY_NAME)
#undef TOY_NAME
    return n >= 0 ? "valid" : "unknown";
}

/* A toy error by wire name, or 0 when the name is none of them. */
static int toy_error_from_name(const char *s)
{
#define TOY_CODE(name, code, wire)                                             \
    if (!strcmp(s, wire))                                                      \
        return code;
    TOY_ERRORS(TOY_CODE)
#undef TOY_CODE
    return 0;
}

/* Decodes the frame at `buf` (TOY-1-a..c, TOY-2-a) and copies its text,
 * NUL-terminated, into `text` (TOY_TEXT_MAX + 1 chars). Returns the frame
 * length consumed, or TOY_ERR_TRUNCATED / TOY_ERR_NOT_TEXT. */
static int toy_decode(const uint8_t *buf, size_t len, char *text)
{
    if (len < 1 || len < 1u + buf[0])
        return TOY_ERR_TRUNCATED;
    for (size_t i = 0; i < buf[0]; i++) {
        if (buf[1 + i] < 0x20 || buf[1 + i] > 0x7E)
            return TOY_ERR_NOT_TEXT;
        text[i] = (char)buf[1 + i];
    }
    text[buf[0]] = '\0';
    return 1 + buf[0];
}

/* ---- gen ----------------------------------------------------------------- */

/* The cases: bytes as hex and the outcome the spec gives them. */
static const struct toy_case {
    const char *id, *reqs, *hex;
    int expect; /* 0: valid; else a toy error */
    const char *text, *desc;
} toy_cases[] = {
    {"toy-hello", "TOY-1-a TOY-1-b", "0568656c6c6f", 0, "hello",
     "Length 5 and the text hello: valid"},
    {"toy-empty-text", "TOY-1-a", "00", 0, "",
     "Length 0: a valid frame of one byte"},
    {"toy-trailing", "TOY-1-a", "026869ff00", 0, "hi",
     "The frame hi followed by two bytes that are not text: valid, 3 bytes "
     "consumed"},
    {"toy-printable-ends", "TOY-1-b", "02207e", 0, " ~",
     "Text bytes 20 and 7e, the ends of the printable range: valid"},
    {"toy-empty-buffer", "TOY-1-c", "", TOY_ERR_TRUNCATED, NULL,
     "No byte at all: truncated"},
    {"toy-cut", "TOY-1-c", "0568656c", TOY_ERR_TRUNCATED, NULL,
     "Length 5 but 3 text bytes: truncated"},
    {"toy-control-byte", "TOY-1-b", "02680a", TOY_ERR_NOT_TEXT, NULL,
     "Text byte 0a, a control character: not_text"},
    {"toy-high-byte", "TOY-1-b", "01ff", TOY_ERR_NOT_TEXT, NULL,
     "Text byte ff, above 7e: not_text"},
    {"toy-cut-not-text", "TOY-1-c TOY-2-a", "0400", TOY_ERR_TRUNCATED, NULL,
     "Length 4, one byte 00 that is not text: truncated, the length is "
     "checked first"},
};
static const size_t toy_ncases = sizeof toy_cases / sizeof toy_cases[0];

/* The schema of toy.json (draft 2020-12, the keywords jschema checks). */
static const char toy_schema_text[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
    "\"title\":\"toy.json: vectors of the toy text frame\","
    "\"type\":\"object\","
    "\"required\":[\"suite\",\"spec_version\",\"count\",\"vectors\"],"
    "\"additionalProperties\":false,"
    "\"properties\":{"
    "\"suite\":{\"const\":\"toy-text\"},"
    "\"spec_version\":{\"const\":\"1.0\"},"
    "\"count\":{\"type\":\"integer\",\"minimum\":0},"
    "\"vectors\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/vector\"}}},"
    "\"$defs\":{\"vector\":{\"type\":\"object\","
    "\"required\":[\"id\",\"requirements\",\"description\",\"hex\","
    "\"expect\"],"
    "\"additionalProperties\":false,"
    "\"properties\":{"
    "\"id\":{\"type\":\"string\",\"pattern\":\"^toy-[a-z0-9]+(-[a-z0-9]+)*$\"},"
    "\"requirements\":{\"type\":\"array\",\"minItems\":1,\"uniqueItems\":true,"
    "\"items\":{\"type\":\"string\",\"pattern\":\"^TOY-[0-9]+-[a-z]$\"}},"
    "\"description\":{\"type\":\"string\",\"minLength\":1},"
    "\"hex\":{\"type\":\"string\",\"pattern\":\"^([0-9a-f][0-9a-f])*$\"},"
    "\"expect\":{\"enum\":[\"valid\",\"invalid\"]},"
    "\"error\":{\"enum\":[\"truncated\",\"not_text\"]},"
    "\"text\":{\"type\":\"string\"}}}}}";

static cJSON *toy_vector(const struct toy_case *k)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", k->id);
    cJSON *reqs = cJSON_AddArrayToObject(o, "requirements");
    char buf[64], *save = NULL;
    snprintf(buf, sizeof buf, "%s", k->reqs);
    for (char *t = strtok_r(buf, " ", &save); t && reqs;
         t = strtok_r(NULL, " ", &save))
        cJSON_AddItemToArray(reqs, cJSON_CreateString(t));
    cJSON_AddStringToObject(o, "description", k->desc);
    cJSON_AddStringToObject(o, "hex", k->hex);
    cJSON_AddStringToObject(o, "expect", k->expect ? "invalid" : "valid");
    if (k->expect)
        cJSON_AddStringToObject(o, "error", toy_error_name(k->expect));
    else
        cJSON_AddStringToObject(o, "text", k->text);
    return o;
}

/* Decodes every case: the outcome must be the one the case states. Returns
 * the number of disagreements, each printed. */
static size_t toy_check_cases(void)
{
    size_t bad = 0;
    uint8_t bytes[TOY_TEXT_MAX + 8];
    char text[TOY_TEXT_MAX + 1];
    for (size_t i = 0; i < toy_ncases; i++) {
        const struct toy_case *k = &toy_cases[i];
        long n = ttj_hex_decode(k->hex, bytes, sizeof bytes);
        int r = n < 0 ? TOY_ERR_TRUNCATED : toy_decode(bytes, (size_t)n, text);
        bool ok = n >= 0 && (k->expect ? r == k->expect
                                       : r >= 0 && !strcmp(text, k->text));
        if (!ok) {
            fprintf(stderr, "gen: %s: the toy decoder says %s\n", k->id,
                    toy_error_name(r));
            bad++;
        }
    }
    return bad;
}

/* Writes DIR/toy.json and DIR/schema/toy.schema.json. */
static int toy_gen(const vec_opts *o, const char *dir)
{
    (void)o; /* no option applies to the toy */
    if (toy_check_cases() != 0) {
        fprintf(stderr, "gen: toy vectors disagree with their decoder; "
                        "nothing written\n");
        return -1;
    }
    char path[FILE_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/schema", dir);
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
        (mkdir(path, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "gen: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "suite", "toy-text");
    cJSON_AddStringToObject(doc, "spec_version", "1.0");
    cJSON_AddNumberToObject(doc, "count", (double)toy_ncases);
    cJSON *vectors = cJSON_AddArrayToObject(doc, "vectors");
    for (size_t i = 0; vectors && i < toy_ncases; i++)
        cJSON_AddItemToArray(vectors, toy_vector(&toy_cases[i]));
    snprintf(path, sizeof path, "%s/toy.json", dir);
    int rc = vectors && cJSON_GetArraySize(vectors) == (int)toy_ncases
                 ? file_write_json_lines(path, doc, "vectors")
                 : -1;
    cJSON_Delete(doc);
    cJSON *schema = rc == 0 ? cJSON_Parse(toy_schema_text) : NULL;
    char *text = schema ? cJSON_Print(schema) : NULL;
    cJSON_Delete(schema);
    if (rc == 0 && text) {
        size_t n = strlen(text);
        text[n] = '\n'; /* cJSON_Print leaves the terminator: reuse it */
        snprintf(path, sizeof path, "%s/schema/toy.schema.json", dir);
        rc = file_write(path, text, n + 1);
    } else
        rc = -1;
    cJSON_free(text);
    if (rc != 0) {
        fprintf(stderr, "gen: cannot write the toy set into %s\n", dir);
        return -1;
    }
    printf("%s: %zu toy vectors\n", dir, toy_ncases);
    return 0;
}

/* ---- verify -------------------------------------------------------------- */

typedef struct toy_verifier {
    const spec_ids *spec;
    size_t *cov; /* per requirement: vectors citing it */
    size_t problems;
} toy_verifier;

static void toy_fail(toy_verifier *tv, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void toy_fail(toy_verifier *tv, const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s: ", id);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    tv->problems++;
}

static const char *toy_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* DIR/name parsed, or NULL with a message. */
static cJSON *toy_load(const char *dir, const char *name)
{
    char path[FILE_PATH_MAX + 32];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = file_read(path, TOY_JSON_CAP, &len);
    cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
    if (!doc)
        fprintf(stderr, "verify: cannot read %s as JSON\n", path);
    free(text);
    return doc;
}

/* One vector: its citations, then its bytes through the toy decoder. */
static void toy_verify_vector(toy_verifier *tv, const cJSON *v, size_t i)
{
    char pos[48];
    snprintf(pos, sizeof pos, "toy.json vector #%zu", i);
    const char *id = toy_str(v, "id");
    if (!id || strncmp(id, "toy-", 4) != 0) {
        toy_fail(tv, pos, "\"id\" missing or not of the form toy-...");
        return;
    }
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(v, "requirements");
    const cJSON *r;
    if (!cJSON_IsArray(reqs) || cJSON_GetArraySize(reqs) == 0)
        toy_fail(tv, id, "no requirements cited");
    cJSON_ArrayForEach(r, reqs)
    {
        long k = cJSON_IsString(r) ? spec_ids_find(tv->spec, r->valuestring)
                                   : -1;
        if (k < 0)
            toy_fail(tv, id, "cites %s, which the spec does not define",
                     cJSON_IsString(r) ? r->valuestring : "a non-string");
        else
            tv->cov[k]++;
    }
    uint8_t bytes[TOY_TEXT_MAX + 8];
    char text[TOY_TEXT_MAX + 1];
    const char *hex = toy_str(v, "hex"), *expect = toy_str(v, "expect");
    long n = hex ? ttj_hex_decode(hex, bytes, sizeof bytes) : -1;
    if (n < 0) {
        toy_fail(tv, id, "\"hex\" missing, not hex, or too long");
        return;
    }
    int got = toy_decode(bytes, (size_t)n, text);
    if (expect && !strcmp(expect, "valid")) {
        const char *want = toy_str(v, "text");
        if (got < 0)
            toy_fail(tv, id, "expected valid, the toy decoder says %s",
                     toy_error_name(got));
        else if (!want || strcmp(want, text) != 0)
            toy_fail(tv, id, "text \"%s\" expected, the toy decoder reads "
                             "\"%s\"",
                     want ? want : "(missing)", text);
    } else if (expect && !strcmp(expect, "invalid")) {
        const char *error = toy_str(v, "error");
        int want = error ? toy_error_from_name(error) : 0;
        if (want == 0)
            toy_fail(tv, id, "\"error\" missing or not a toy error name");
        else if (got != want)
            toy_fail(tv, id, "expected %s, the toy decoder says %s", error,
                     toy_error_name(got));
    } else
        toy_fail(tv, id, "\"expect\" must be \"valid\" or \"invalid\"");
}

static int toy_verify(const vec_opts *o, const char *dir, const spec_ids *spec,
                      vec_report *rep)
{
    (void)o;
    memset(rep, 0, sizeof *rep);
    toy_verifier tv = {spec, calloc(spec->n ? spec->n : 1, sizeof(size_t)),
                       0};
    cJSON *doc = toy_load(dir, "toy.json");
    cJSON *schema = toy_load(dir, "schema/toy.schema.json");
    int rc = 2;
    if (tv.cov && doc && schema) {
        printf("toy.json against schema/toy.schema.json:\n");
        size_t bad = jschema_validate(schema, doc, stdout,
                                      TOY_SCHEMA_REPORT_MAX);
        if (bad)
            toy_fail(&tv, "toy.json", "%zu schema violations", bad);
        else
            printf("  valid\n");
        const cJSON *vectors = cJSON_GetObjectItemCaseSensitive(doc, "vectors");
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(doc, "count");
        const cJSON *arr = cJSON_IsArray(vectors) ? vectors : NULL;
        if (!arr)
            toy_fail(&tv, "toy.json", "\"vectors\" must be an array");
        size_t i = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, arr)
        {
            toy_verify_vector(&tv, v, i++);
            for (const cJSON *p = arr->child; p != v; p = p->next) {
                const char *a = toy_str(p, "id"), *b = toy_str(v, "id");
                if (a && b && !strcmp(a, b))
                    toy_fail(&tv, b, "id used more than once");
            }
        }
        if (!cJSON_IsNumber(count) || count->valuedouble != (double)i)
            toy_fail(&tv, "toy.json", "\"count\" differs from the %zu "
                                      "vectors",
                     i);
        printf("toy.json: %zu vectors\n", i);
        printf("\n%-12s %6s\n", "requirement", "total");
        for (size_t k = 0; k < spec->n; k++) {
            printf("%-12s %6zu%s\n", spec->id[k], tv.cov[k],
                   tv.cov[k] ? "" : "  <- cited by no vector");
            if (!tv.cov[k])
                toy_fail(&tv, spec->id[k], "cited by no vector");
            rep->covered += tv.cov[k] != 0;
        }
        if (tv.problems)
            printf("\nverify: FAILED, %zu problems\n", tv.problems);
        else
            printf("\nverify: OK, %zu toy vectors, all %zu requirements "
                   "covered\n",
                   i, spec->n);
        rep->vectors = i;
        rep->problems = tv.problems;
        rc = tv.problems ? 1 : 0;
    } else if (!tv.cov)
        fprintf(stderr, "verify: out of memory\n");
    cJSON_Delete(doc);
    cJSON_Delete(schema);
    free(tv.cov);
    return rc;
}

const vec_set vec_set_toy = {
    .name = "toy",
    .files = "toy.json",
    .schemas = "schema/toy.schema.json",
    .req_prefix = "TOY-",
    .spec = "vectors/tests/toy/toy-spec.md",
    .gen = toy_gen,
    .verify = toy_verify,
};
