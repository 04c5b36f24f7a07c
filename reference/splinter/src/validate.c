/* The envelope validator (spec sections 2 to 7). JSON is parsed by cJSON;
 * this file adds what cJSON does not check: UTF-8 validity, the exact JSON
 * text rules (whitespace, control characters, number grammar), escaped NULs,
 * depth, duplicate names, and integers read from their digits. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "splinter/splinter.h"

/* cJSON copies a number into a 64-byte buffer; longer ones are refused
 * here so that the rule is ours, not an accident (SP-2-c). */
#define NUMBER_MAX 63u

static void fail(sp_check *chk, int fault, const char *req, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

static void fail(sp_check *chk, int fault, const char *req, const char *fmt,
                 ...)
{
    va_list ap;
    chk->fault = fault;
    chk->req = req;
    chk->notes = 0; /* notes go with valid envelopes only (SP-9.3) */
    va_start(ap, fmt);
    vsnprintf(chk->detail, sizeof chk->detail, fmt, ap);
    va_end(ap);
}

/* ---- UTF-8 (SP-2-b) ------------------------------------------------------ */

/* Returns the offset of the first byte that is not part of valid UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * len when all is valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            n = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong below U+0800 */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates U+D800..U+DFFF */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong below U+10000 */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else
            return i; /* C0, C1 (overlong), F5..FF, stray continuation */
        if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n;
    }
    return len;
}

/* ---- Text scan (SP-2-a, SP-2-c, SP-2-e, SP-2-g, SP-2-h) -------------------
 * One pass over the text, not a parser: it tracks strings and bracket depth
 * and checks what cJSON lets through. Returns true when nothing was found;
 * otherwise fills chk. Structure errors it does not see are cJSON's. */

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of a number token at s (JSON grammar), or 0 when the text there
 * is not one. */
static size_t number_len(const unsigned char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0')
        i++;
    else if (i < len && s[i] >= '1' && s[i] <= '9')
        while (i < len && is_digit(s[i]))
            i++;
    else
        return 0;
    if (i < len && s[i] == '.') {
        size_t d = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d)
            return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d)
            return 0;
    }
    /* A number is followed by a delimiter, never by more number text. */
    if (i < len && (is_digit(s[i]) || s[i] == '.' || s[i] == 'e' ||
                    s[i] == 'E' || s[i] == '+' || s[i] == '-'))
        return 0;
    return i;
}

/* Skips the string whose opening quote is at s[*i]; returns 0 when fine, or
 * 1 for a control character / bad escape / no closing quote, 2 for an
 * escaped NUL. *i ends after the closing quote (or at the problem). */
static int skip_string(const unsigned char *s, size_t len, size_t *i)
{
    size_t p = *i + 1;
    while (p < len) {
        unsigned char c = s[p];
        if (c == '"') {
            *i = p + 1;
            return 0;
        }
        if (c < 0x20) {
            *i = p;
            return 1;
        }
        if (c != '\\') {
            p++;
            continue;
        }
        if (p + 1 >= len) {
            *i = p;
            return 1;
        }
        unsigned char e = s[p + 1];
        if (e == 'u') {
            if (len - p < 6 || !is_hex(s[p + 2]) || !is_hex(s[p + 3]) ||
                !is_hex(s[p + 4]) || !is_hex(s[p + 5])) {
                *i = p;
                return 1;
            }
            if (memcmp(s + p + 2, "0000", 4) == 0) {
                *i = p;
                return 2;
            }
            p += 6;
        } else if (strchr("\"\\/bfnrt", e) && e) {
            p += 2;
        } else {
            *i = p;
            return 1;
        }
    }
    *i = p;
    return 1;
}

/* Length of the literal true, false or null at s, or 0. */
static size_t literal_len(const unsigned char *s, size_t len)
{
    static const char *const literals[] = {"true", "false", "null"};
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(literals[k]);
        if (len >= n && memcmp(s, literals[k], n) == 0)
            return n;
    }
    return 0;
}

static bool scan_text(const unsigned char *s, size_t len, sp_check *chk)
{
    size_t i = 0;
    while (i < len && is_ws(s[i]))
        i++;
    if (i == len) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-h", "the line holds no JSON value");
        return false;
    }
    if (s[i] != '{') {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-h",
             "the line is not a JSON object (byte %zu is 0x%02x)", i, s[i]);
        return false;
    }
    unsigned depth = 0;
    bool closed = false; /* the envelope object has ended */
    while (i < len) {
        unsigned char c = s[i];
        if (closed && !is_ws(c)) {
            fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-a",
                 "byte %zu (0x%02x) follows the envelope object", i, c);
            return false;
        }
        if (c == '{' || c == '[') {
            if (++depth > SP_DEPTH_MAX) {
                fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-e",
                     "nesting deeper than %u at byte %zu", SP_DEPTH_MAX, i);
                return false;
            }
            i++;
        } else if (c == '}' || c == ']') {
            closed = --depth == 0;
            i++;
        } else if (c == '"') {
            int r = skip_string(s, len, &i);
            if (r == 2) {
                fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-g",
                     "escaped NUL (\\u0000) in a string at byte %zu", i);
                return false;
            }
            if (r == 1) {
                fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-c",
                     "bad string at byte %zu (control character, bad escape "
                     "or no closing quote)", i);
                return false;
            }
        } else if (c == '-' || is_digit(c)) {
            size_t n = number_len(s + i, len - i);
            if (n == 0 || n > NUMBER_MAX) {
                fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-c",
                     n ? "number at byte %zu is longer than 63 characters"
                       : "malformed number at byte %zu", i);
                return false;
            }
            i += n;
        } else if (is_ws(c) || c == ',' || c == ':') {
            i++;
        } else if (literal_len(s + i, len - i)) {
            i += literal_len(s + i, len - i);
        } else {
            fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-c",
                 "byte %zu (0x%02x) is not JSON here", i, c);
            return false;
        }
    }
    return true;
}

/* ---- Tree checks ------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Returns 1 and sets *dup when an object at or under `item` has two members
 * of one name (SP-2-d), 0 when none, SP_ERR_NO_MEMORY. */
static int find_duplicate(const cJSON *item, const char **dup)
{
    if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
        return 0;
    if (cJSON_IsObject(item)) {
        size_t n = 0;
        for (const cJSON *c = item->child; c; c = c->next)
            n++;
        if (n > 1) {
            const char **names = malloc(n * sizeof *names);
            if (!names)
                return SP_ERR_NO_MEMORY;
            size_t k = 0;
            for (const cJSON *c = item->child; c; c = c->next)
                names[k++] = c->string ? c->string : "";
            qsort(names, n, sizeof *names, cmp_names);
            for (k = 1; k < n; k++)
                if (strcmp(names[k - 1], names[k]) == 0) {
                    *dup = names[k];
                    free(names);
                    return 1;
                }
            free(names);
        }
    }
    for (const cJSON *c = item->child; c; c = c->next) {
        int r = find_duplicate(c, dup);
        if (r)
            return r;
    }
    return 0;
}

/* Pre-order index of number item `target` among the number items of the
 * tree at `item`; cJSON keeps document order, so it is also the index of the
 * target's number token in the text. Returns true when found. */
static bool number_index(const cJSON *item, const cJSON *target, size_t *n)
{
    if (item == target)
        return true;
    if (cJSON_IsNumber(item))
        (*n)++;
    for (const cJSON *c = item->child; c; c = c->next)
        if (number_index(c, target, n))
            return true;
    return false;
}

/* The k-th number token of the text (strings skipped). */
static bool number_token(const unsigned char *s, size_t len, size_t k,
                         size_t *start, size_t *n)
{
    size_t i = 0, count = 0;
    while (i < len) {
        if (s[i] == '"') {
            if (skip_string(s, len, &i))
                return false;
        } else if (s[i] == '-' || is_digit(s[i])) {
            size_t l = number_len(s + i, len - i);
            if (l == 0)
                return false;
            if (count++ == k) {
                *start = i;
                *n = l;
                return true;
            }
            i += l;
        } else {
            i++;
        }
    }
    return false;
}

/* Reads number item `item` of the tree `root` as an SP-3.4-a integer:
 * digits only, at most `max`. Returns true with *v set. */
static bool read_integer(const unsigned char *s, size_t len, const cJSON *root,
                         const cJSON *item, uint64_t max, uint64_t *v)
{
    size_t k = 0, start, n;
    if (!cJSON_IsNumber(item) || !number_index(root, item, &k) ||
        !number_token(s, len, k, &start, &n))
        return false;
    uint64_t x = 0;
    for (size_t i = start; i < start + n; i++) {
        if (!is_digit(s[i]))
            return false;
        if (x > (max - (uint64_t)(s[i] - '0')) / 10)
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return true;
}

static const char *const known_members[] = {
    "id", "ts", "from", "to", "type", "payload", "ttl_ms", "trace", "seq", "eof",
};

bool sp_member_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof known_members / sizeof *known_members;
         i++)
        if (strcmp(name, known_members[i]) == 0)
            return true;
    return false;
}

static bool allow_shape_ok(const cJSON *allow)
{
    if (!cJSON_IsObject(allow))
        return false;
    for (const cJSON *s = allow->child; s; s = s->next) {
        if (!cJSON_IsArray(s))
            return false;
        for (const cJSON *r = s->child; r; r = r->next)
            if (!cJSON_IsString(r))
                return false;
    }
    return true;
}

static bool allowed(const cJSON *allow, const char *from, const char *to)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(allow, from);
    for (const cJSON *r = list ? list->child : NULL; r; r = r->next)
        if (strcmp(r->valuestring, to) == 0)
            return true;
    return false;
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* Stage 1, members (SP-3). Returns true when the envelope is well formed. */
static bool check_members(const unsigned char *s, size_t len, sp_envelope *env,
                          sp_check *chk)
{
    const cJSON *root = env->root, *m;
    static const char *const required[] = {"id", "ts", "from", "type"};
    for (size_t i = 0; i < 4; i++)
        if (!member(root, required[i])) {
            fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.1-a",
                 "required member \"%s\" is missing", required[i]);
            return false;
        }
    m = member(root, "id");
    if (!cJSON_IsString(m) || !m->valuestring[0] ||
        strlen(m->valuestring) > SP_ID_MAX) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.1-b",
             "\"id\" must be a string of 1 to %u bytes", SP_ID_MAX);
        return false;
    }
    env->id = m->valuestring;
    m = member(root, "ts");
    if (!cJSON_IsString(m) ||
        sp_time_parse(m->valuestring, strlen(m->valuestring), &env->ts) < 0) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.1-d",
             "\"ts\" must be an RFC 3339 UTC date-time (SP-5)");
        return false;
    }
    env->has_ts = true;
    m = member(root, "from");
    if (!cJSON_IsString(m) || !m->valuestring[0]) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.1-e",
             "\"from\" must be a non-empty string");
        return false;
    }
    env->from = m->valuestring;
    m = member(root, "to");
    if (m && (!cJSON_IsString(m) || !m->valuestring[0])) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.2-a",
             "\"to\" must be a non-empty string");
        return false;
    }
    env->to_present = m != NULL;
    env->to = m ? m->valuestring : "*";
    m = member(root, "type");
    if (!cJSON_IsString(m)) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.1-f", "\"type\" must be a string");
        return false;
    }
    env->type_name = m->valuestring;
    m = member(root, "ttl_ms");
    if (m) {
        if (!read_integer(s, len, root, m, SP_TTL_MAX, &env->ttl_ms)) {
            fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.2-b",
                 "\"ttl_ms\" must be an integer 0..2^53-1 written as digits");
            return false;
        }
        env->has_ttl = true;
    }
    m = member(root, "trace");
    if (m) {
        if (!cJSON_IsString(m)) {
            fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.2-c",
                 "\"trace\" must be a string");
            return false;
        }
        env->trace = m->valuestring;
    }
    const cJSON *seq = member(root, "seq"), *eof = member(root, "eof");
    uint64_t v = 0;
    if (seq && !read_integer(s, len, root, seq, SP_SEQ_MAX, &v)) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.2-d",
             "\"seq\" must be an integer 0..2^32-1 written as digits");
        return false;
    }
    if (eof && !cJSON_IsBool(eof)) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.2-d",
             "\"eof\" must be true or false");
        return false;
    }
    if (!seq != !eof) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-3.2-e",
             "\"seq\" and \"eof\" must appear together");
        return false;
    }
    if (seq) {
        env->has_seq = true;
        env->seq = (uint32_t)v;
        env->eof = cJSON_IsTrue(eof);
    }
    return true;
}

/* Stage 3 (SP-4-b, SP-4-d, SP-4-e). */
static bool check_payload(const unsigned char *s, size_t len, sp_envelope *env,
                          sp_check *chk)
{
    env->payload = member(env->root, "payload");
    if (!env->payload) {
        if (env->type == SP_TYPE_HEARTBEAT)
            return true;
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-4-b",
             "a \"%s\" envelope must carry \"payload\"", env->type_name);
        return false;
    }
    if (env->type != SP_TYPE_ERROR)
        return true;
    const cJSON *p = env->payload;
    const cJSON *code = member(p, "code"), *sym = member(p, "symbol"),
                *det = member(p, "detail");
    uint64_t v = 0;
    if (!cJSON_IsObject(p) || !code ||
        !read_integer(s, len, env->root, code, SP_CODE_MAX, &v) ||
        !cJSON_IsString(sym) || (det && !cJSON_IsString(det))) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-4-d",
             "an error payload must be an object with integer \"code\", "
             "string \"symbol\" and optional string \"detail\"");
        return false;
    }
    const char *want = sp_fault_symbol((int)v);
    if (want && strcmp(want, sym->valuestring) != 0) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-4-e",
             "code %d has symbol \"%s\", not \"%.40s\"", (int)v, want,
             sym->valuestring);
        return false;
    }
    if (!want)
        chk->notes |= SP_NOTE_UNKNOWN_FAULT_CODE;
    env->error_code = (int64_t)v;
    env->error_symbol = sym->valuestring;
    env->error_detail = det ? det->valuestring : NULL;
    return true;
}

static sp_type type_from_name(const char *name)
{
    for (int t = SP_TYPE_QUERY; t <= SP_TYPE_HEARTBEAT; t++)
        if (strcmp(name, sp_type_name((sp_type)t)) == 0)
            return (sp_type)t;
    return SP_TYPE_UNKNOWN;
}

int sp_validate(const char *line, size_t len, const cJSON *allow,
                const sp_time *now, sp_envelope *env, sp_check *chk)
{
    if (env)
        memset(env, 0, sizeof *env);
    if (chk)
        memset(chk, 0, sizeof *chk);
    if (!env || !chk || (!line && len) || (allow && !allow_shape_ok(allow)))
        return SP_ERR_INVALID_ARGUMENT;
    env->error_code = -1;
    const unsigned char *s = (const unsigned char *)line;
    if (len && s[len - 1] == '\n') {
        len--;
        if (len && s[len - 1] == '\r')
            len--;
    }

    /* Stage 1: the line (SP-2), then the members (SP-3, SP-5). */
    if (len > SP_LINE_MAX) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-f",
             "the line is %zu bytes, more than %u", len, SP_LINE_MAX);
        return chk->fault;
    }
    size_t bad = utf8_invalid_at(s, len);
    if (bad < len) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-b",
             "invalid UTF-8 at byte %zu (0x%02x)", bad, s[bad]);
        return chk->fault;
    }
    if (!scan_text(s, len, chk))
        return chk->fault;
    const char *end = NULL;
    env->root = cJSON_ParseWithLengthOpts(line, len, &end, false);
    if (!env->root) {
        /* cJSON reports a failed allocation like bad JSON; the text scan
         * passed, so a failure on a short line is very likely the JSON. */
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-c", "not valid JSON near byte %zu",
             end && end >= line ? (size_t)(end - line) : (size_t)0);
        return chk->fault;
    }
    for (size_t i = end ? (size_t)(end - line) : len; i < len; i++)
        if (!is_ws(s[i])) {
            fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-a",
                 "byte %zu follows the envelope object", i);
            return chk->fault;
        }
    if (!cJSON_IsObject(env->root)) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-h", "the line is not an object");
        return chk->fault;
    }
    const char *dup = NULL;
    int r = find_duplicate(env->root, &dup);
    if (r < 0) {
        sp_envelope_free(env);
        memset(chk, 0, sizeof *chk);
        return r;
    }
    if (r) {
        fail(chk, SP_FAULT_BAD_SCHEMA, "SP-2-d",
             "member name \"%.60s\" appears twice in one object", dup);
        return chk->fault;
    }
    if (!check_members(s, len, env, chk))
        return chk->fault;

    /* Stage 2: the type (SP-4-a). */
    env->type = type_from_name(env->type_name);
    if (env->type == SP_TYPE_UNKNOWN) {
        fail(chk, SP_FAULT_UNKNOWN_TYPE, "SP-4-a", "unknown type \"%.60s\"",
             env->type_name);
        return chk->fault;
    }

    /* Stage 3: the type's payload. */
    if (!check_payload(s, len, env, chk))
        return chk->fault;

    /* Stage 4: authorization (SP-6-b). */
    if (allow && !allowed(allow, env->from, env->to)) {
        fail(chk, SP_FAULT_NOT_AUTHORIZED, "SP-6-b",
             "\"%.50s\" may not address \"%.50s\"", env->from, env->to);
        return chk->fault;
    }

    /* Stage 5: time to live (SP-5.1-a): late only when strictly after. */
    if (now && env->has_ttl) {
        sp_time deadline = sp_time_add_ms(&env->ts, env->ttl_ms);
        if (sp_time_cmp(now, &deadline) > 0) {
            fail(chk, SP_FAULT_TTL_EXPIRED, "SP-5.1-a",
                 "arrived after ts + ttl_ms (%llu ms)",
                 (unsigned long long)env->ttl_ms);
            return chk->fault;
        }
    }

    /* Info notes (SP-9.3). */
    if (sp_uuid_version(env->id, strlen(env->id)) != 7)
        chk->notes |= SP_NOTE_ID_NOT_UUIDV7;
    for (const cJSON *c = env->root->child; c; c = c->next)
        if (!sp_member_known(c->string))
            chk->notes |= SP_NOTE_UNKNOWN_MEMBER;
    return 0;
}

void sp_envelope_free(sp_envelope *env)
{
    if (!env)
        return;
    cJSON_Delete(env->root);
    memset(env, 0, sizeof *env);
    env->error_code = -1;
}
