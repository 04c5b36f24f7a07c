/* The JSON Schema subset validator (see jschema.h). */
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

#define PATH_MAX_LEN 512
#define REF_DEPTH_MAX 32 /* a $ref cycle ends here instead of recursing */
#define REGEX_CACHE 16

typedef struct run {
    const cJSON *root;
    FILE *report;
    size_t max_report, reported;
    int quiet; /* >0 inside oneOf alternatives: count, do not print */
    struct {
        const cJSON *node;
        regex_t re;
        bool ok;
    } regex[REGEX_CACHE];
    size_t nregex;
} run;

static size_t check(run *r, const cJSON *schema, const cJSON *inst, char *path,
                    int depth);

static size_t problem(run *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static size_t problem(run *r, const char *path, const char *fmt, ...)
{
    if (!r->quiet && r->report && r->reported < r->max_report) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(r->report, "%s: ", *path ? path : "(root)");
        vfprintf(r->report, fmt, ap);
        fputc('\n', r->report);
        va_end(ap);
        r->reported++;
    }
    return 1;
}

static bool is_integer(const cJSON *v)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
           floor(v->valuedouble) == v->valuedouble;
}

static bool type_is(const cJSON *v, const char *t)
{
    if (!strcmp(t, "object"))
        return cJSON_IsObject(v);
    if (!strcmp(t, "array"))
        return cJSON_IsArray(v);
    if (!strcmp(t, "string"))
        return cJSON_IsString(v);
    if (!strcmp(t, "integer"))
        return is_integer(v);
    if (!strcmp(t, "number"))
        return cJSON_IsNumber(v);
    if (!strcmp(t, "boolean"))
        return cJSON_IsBool(v);
    if (!strcmp(t, "null"))
        return cJSON_IsNull(v);
    return false;
}

/* Appends "/key" (JSON Pointer escaped) to path; returns the old length. */
static size_t path_push(char *path, const char *key)
{
    size_t n = strlen(path), at = n;
    if (at + 1 < PATH_MAX_LEN)
        path[at++] = '/';
    for (; *key && at + 2 < PATH_MAX_LEN; key++) {
        if (*key == '~' || *key == '/') {
            path[at++] = '~';
            path[at++] = *key == '~' ? '0' : '1';
        } else
            path[at++] = *key;
    }
    path[at] = '\0';
    return n;
}

static size_t path_push_index(char *path, int i)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", i);
    return path_push(path, buf);
}

/* Resolves "#/a/b" in the root document. */
static const cJSON *resolve(const run *r, const char *ref)
{
    if (ref[0] != '#')
        return NULL;
    const cJSON *node = r->root;
    const char *p = ref + 1;
    while (node && *p == '/') {
        char key[128];
        size_t k = 0;
        for (p++; *p && *p != '/' && k + 1 < sizeof key; p++) {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                key[k++] = p[1] == '0' ? '~' : '/';
                p++;
            } else
                key[k++] = *p;
        }
        key[k] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, key);
    }
    return *p ? NULL : node;
}

/* Returns 1 when `s` matches the pattern `node`, 0 when not, -1 when the
 * pattern does not compile. Compiled patterns are kept (a vector file holds
 * thousands of hex strings against one pattern). */
static int matches(run *r, const cJSON *node, const char *s)
{
    const int flags = REG_EXTENDED | REG_NOSUB;
    for (size_t i = 0; i < r->nregex; i++)
        if (r->regex[i].node == node)
            return r->regex[i].ok ? regexec(&r->regex[i].re, s, 0, NULL, 0) == 0
                                  : -1;
    if (r->nregex == REGEX_CACHE) {
        regex_t re;
        if (regcomp(&re, node->valuestring, flags) != 0)
            return -1;
        int m = regexec(&re, s, 0, NULL, 0) == 0;
        regfree(&re);
        return m;
    }
    size_t i = r->nregex++;
    r->regex[i].node = node;
    r->regex[i].ok = regcomp(&r->regex[i].re, node->valuestring, flags) == 0;
    return r->regex[i].ok ? regexec(&r->regex[i].re, s, 0, NULL, 0) == 0 : -1;
}

static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool in_properties(const cJSON *props, const char *key)
{
    return props && cJSON_GetObjectItemCaseSensitive(props, key) != NULL;
}

static size_t check_keyword(run *r, const cJSON *schema, const cJSON *kw,
                            const cJSON *inst, char *path, int depth)
{
    const char *k = kw->string;
    size_t bad = 0;
    if (!strcmp(k, "$schema") || !strcmp(k, "$id") || !strcmp(k, "$defs") ||
        !strcmp(k, "title") || !strcmp(k, "description") ||
        !strcmp(k, "$comment"))
        return 0;
    if (!strcmp(k, "$ref")) {
        const cJSON *target =
            cJSON_IsString(kw) ? resolve(r, kw->valuestring) : NULL;
        if (!target)
            return problem(r, path, "schema: unresolvable $ref");
        if (depth >= REF_DEPTH_MAX)
            return problem(r, path, "schema: $ref nested too deeply");
        return check(r, target, inst, path, depth + 1);
    }
    if (!strcmp(k, "type")) {
        if (cJSON_IsString(kw))
            return type_is(inst, kw->valuestring)
                       ? 0
                       : problem(r, path, "not of type %s", kw->valuestring);
        const cJSON *t;
        cJSON_ArrayForEach(t, kw) if (cJSON_IsString(t) &&
                                      type_is(inst, t->valuestring)) return 0;
        return problem(r, path, "not of any allowed type");
    }
    if (!strcmp(k, "const"))
        return cJSON_Compare(kw, inst, true)
                   ? 0
                   : problem(r, path, "differs from the required constant");
    if (!strcmp(k, "enum")) {
        const cJSON *e;
        cJSON_ArrayForEach(e, kw) if (cJSON_Compare(e, inst, true)) return 0;
        return problem(r, path, "not one of the allowed values");
    }
    if (!strcmp(k, "oneOf")) {
        int matched = 0, alternatives = 0;
        const cJSON *alt;
        r->quiet++;
        cJSON_ArrayForEach(alt, kw)
        {
            alternatives++;
            matched += check(r, alt, inst, path, depth + 1) == 0;
        }
        r->quiet--;
        return matched == 1 ? 0
                            : problem(r, path,
                                      "matches %d of the %d oneOf "
                                      "alternatives (exactly 1 required)",
                                      matched, alternatives);
    }
    if (!strcmp(k, "required")) {
        if (!cJSON_IsObject(inst))
            return 0;
        const cJSON *name;
        cJSON_ArrayForEach(name, kw)
        {
            if (cJSON_IsString(name) &&
                !cJSON_GetObjectItemCaseSensitive(inst, name->valuestring))
                bad += problem(r, path, "member \"%s\" is required",
                               name->valuestring);
        }
        return bad;
    }
    if (!strcmp(k, "properties")) {
        if (!cJSON_IsObject(inst))
            return 0;
        const cJSON *m;
        cJSON_ArrayForEach(m, inst)
        {
            const cJSON *sub = cJSON_GetObjectItemCaseSensitive(kw, m->string);
            if (!sub)
                continue;
            size_t n = path_push(path, m->string);
            bad += check(r, sub, m, path, depth + 1);
            path[n] = '\0';
        }
        return bad;
    }
    if (!strcmp(k, "additionalProperties")) {
        if (!cJSON_IsObject(inst))
            return 0;
        const cJSON *props =
            cJSON_GetObjectItemCaseSensitive(schema, "properties");
        const cJSON *m;
        cJSON_ArrayForEach(m, inst)
        {
            if (in_properties(props, m->string))
                continue;
            size_t n = path_push(path, m->string);
            if (cJSON_IsFalse(kw))
                bad += problem(r, path, "member not allowed here");
            else
                bad += check(r, kw, m, path, depth + 1);
            path[n] = '\0';
        }
        return bad;
    }
    if (!strcmp(k, "items")) {
        if (!cJSON_IsArray(inst))
            return 0;
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, inst)
        {
            size_t n = path_push_index(path, i++);
            bad += check(r, kw, e, path, depth + 1);
            path[n] = '\0';
        }
        return bad;
    }
    if (!strcmp(k, "minItems"))
        return !cJSON_IsArray(inst) ||
                       cJSON_GetArraySize(inst) >= kw->valuedouble
                   ? 0
                   : problem(r, path, "fewer than %g items", kw->valuedouble);
    if (!strcmp(k, "uniqueItems")) {
        if (!cJSON_IsArray(inst) || !cJSON_IsTrue(kw))
            return 0;
        for (const cJSON *a = inst->child; a; a = a->next)
            for (const cJSON *b = a->next; b; b = b->next)
                if (cJSON_Compare(a, b, true))
                    return problem(r, path, "items are not unique");
        return 0;
    }
    if (!strcmp(k, "minimum"))
        return !cJSON_IsNumber(inst) || inst->valuedouble >= kw->valuedouble
                   ? 0
                   : problem(r, path, "%g is below the minimum %g",
                             inst->valuedouble, kw->valuedouble);
    if (!strcmp(k, "maximum"))
        return !cJSON_IsNumber(inst) || inst->valuedouble <= kw->valuedouble
                   ? 0
                   : problem(r, path, "%g is above the maximum %g",
                             inst->valuedouble, kw->valuedouble);
    if (!strcmp(k, "minLength"))
        return !cJSON_IsString(inst) ||
                       utf8_length(inst->valuestring) >= kw->valuedouble
                   ? 0
                   : problem(r, path, "shorter than %g characters",
                             kw->valuedouble);
    if (!strcmp(k, "pattern")) {
        if (!cJSON_IsString(inst))
            return 0;
        int m = cJSON_IsString(kw) ? matches(r, kw, inst->valuestring) : -1;
        if (m < 0)
            return problem(r, path, "schema: pattern does not compile");
        return m ? 0
                 : problem(r, path, "does not match the pattern %s",
                           kw->valuestring);
    }
    return problem(r, path, "schema: unsupported keyword \"%s\"", k);
}

static size_t check(run *r, const cJSON *schema, const cJSON *inst, char *path,
                    int depth)
{
    if (cJSON_IsTrue(schema))
        return 0;
    if (cJSON_IsFalse(schema))
        return problem(r, path, "not allowed here");
    if (!cJSON_IsObject(schema))
        return problem(r, path,
                       "schema: a schema must be an object or a "
                       "boolean");
    if (depth > REF_DEPTH_MAX * 4)
        return problem(r, path, "schema: nested too deeply");
    size_t bad = 0;
    const cJSON *kw;
    cJSON_ArrayForEach(kw, schema) bad +=
        check_keyword(r, schema, kw, inst, path, depth);
    return bad;
}

size_t jschema_validate(const cJSON *schema, const cJSON *doc, FILE *report,
                        size_t max_report)
{
    run r;
    memset(&r, 0, sizeof r);
    r.root = schema;
    r.report = report;
    r.max_report = max_report;
    char path[PATH_MAX_LEN] = "";
    size_t bad = check(&r, schema, doc, path, 0);
    for (size_t i = 0; i < r.nregex; i++)
        if (r.regex[i].ok)
            regfree(&r.regex[i].re);
    return bad;
}
