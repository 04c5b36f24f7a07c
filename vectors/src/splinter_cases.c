/*
 * The tables of cases of the Splinter set: each case is a line (or the lines
 * of a stream) and the verdict spec/splinter-envelope.md gives it, written
 * here by hand from the spec. set_splinter.c runs every case through
 * libsplinter before anything is written; a disagreement stops gen.
 *
 * Times: T0 is 2026-01-01T00:00:00Z; lines carry ts "T0 + n ms" with three
 * fraction digits (SP-5-f form) unless a case is about the ts itself.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "splinter/splinter.h"
#include "splinter_set.h"
#include "ttj.h"
#include "vectors.h"

#define U7 "01890a5d-ac96-774b-bcce-b302099a8057" /* a UUIDv7 */
#define U7S "01890a5d-ac96-7c4b-8cce-b302099a8058" /* the streams' id */
#define TS0 "2026-01-01T00:00:00.000Z"
#define NOW1 "2026-01-01T00:00:01Z" /* the default arrival time */
#define LINE_SMALL_MAX 4096
#define STREAM_LINES_MAX 80
#define HUGE_LINE_MAX (SP_LINE_MAX + 64)

/* What the builders add to; `failed` counts cases that could not be built. */
static struct {
    cJSON *env, *streams; /* the "vectors" arrays */
    size_t failed;
} B;

/* ---- lines from members ----------------------------------------------------
 * A line is assembled from raw JSON texts of its members, in the order id,
 * ts, from, to, type, ttl_ms, trace, seq, eof, payload, then `extra` (raw
 * member text). NULL takes the default (id U7, ts TS0, from "chat", to
 * "rag_server", type "query", payload {"q":"hi"}; no ttl_ms, trace, seq,
 * eof); OMIT leaves a member out.
 */
static const char omit_mark[] = "(omit)";
#define OMIT omit_mark

typedef struct mem {
    const char *id, *ts, *from, *to, *type, *ttl, *trace, *seq, *eof, *payload,
        *extra;
} mem;

/* Returns the line of `m` in one of a few rotating static buffers (so a
 * case can build two lines at once). */
static const char *line_of(const mem *m)
{
    static char bufs[4][LINE_SMALL_MAX];
    static unsigned next;
    char *b = bufs[next++ % 4];
    const char *name[] = {"id",     "ts",    "from", "to",  "type",
                          "ttl_ms", "trace", "seq",  "eof", "payload"};
    static const char id[] = "\"" U7 "\"", ts[] = "\"" TS0 "\"";
    const char *def[] = {id,   ts,   "\"chat\"", "\"rag_server\"",
                         "\"query\"", NULL, NULL, NULL,
                         NULL, "{\"q\":\"hi\"}"};
    const char *val[] = {m->id,  m->ts,    m->from, m->to,  m->type,
                         m->ttl, m->trace, m->seq,  m->eof, m->payload};
    size_t n = 0;
    b[n++] = '{';
    for (size_t i = 0; i < sizeof name / sizeof *name && n < LINE_SMALL_MAX;
         i++) {
        const char *v = val[i] ? val[i] : def[i];
        if (!v || v == OMIT)
            continue;
        n += (size_t)snprintf(b + n, LINE_SMALL_MAX - n, "%s\"%s\":%s",
                              n > 1 ? "," : "", name[i], v);
    }
    if (m->extra && n < LINE_SMALL_MAX)
        n += (size_t)snprintf(b + n, LINE_SMALL_MAX - n, "%s%s",
                              n > 1 ? "," : "", m->extra);
    if (n + 1 >= LINE_SMALL_MAX) {
        /* Every table line is far shorter: a longer one is a table bug. */
        fprintf(stderr, "gen: a case's line is longer than %d bytes\n",
                LINE_SMALL_MAX - 2);
        B.failed++;
        b[0] = '\0';
        return b;
    }
    snprintf(b + n, LINE_SMALL_MAX - n, "}");
    return b;
}
#define L(...) line_of(&(mem){__VA_ARGS__})

/* ---- envelope vectors -------------------------------------------------------
 */
static cJSON *reqs_array(const char *reqs)
{
    cJSON *a = cJSON_CreateArray();
    char buf[VEC_REQS_MAX], *save = NULL;
    snprintf(buf, sizeof buf, "%s", reqs);
    for (char *t = strtok_r(buf, " ", &save); t && a;
         t = strtok_r(NULL, " ", &save))
        cJSON_AddItemToArray(a, cJSON_CreateString(t));
    return a;
}

/* `when` (any SP-5 form) written with nine fraction digits. */
static cJSON *time9(const char *when)
{
    sp_time t;
    char buf[40];
    if (sp_time_parse(when, strlen(when), &t) != 0 ||
        sp_time_format(&t, 9, buf, sizeof buf) < 0)
        return NULL;
    return cJSON_CreateString(buf);
}

/* True when `len` bytes are UTF-8 (RFC 3629) without a NUL byte, that is,
 * text a JSON string can carry and a C string can hold. This only chooses
 * between "line" and "line_hex"; the verdict on the line is libsplinter's. */
static bool is_text(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
                              : (c & 0xF0) == 0xE0 ? 3
                              : (c & 0xF8) == 0xF0 ? 4
                                                   : 0;
        if (c == 0 || n == 0 || i + n > len)
            return false;
        unsigned long cp = n == 1 ? c : c & (0x7Fu >> n);
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

/* Sets "line" or "line_hex" of `o` to the bytes. Returns false when out of
 * memory. */
static bool put_line(cJSON *o, const char *bytes, size_t len)
{
    if (is_text((const unsigned char *)bytes, len)) {
        char *text = malloc(len + 1);
        if (!text)
            return false;
        memcpy(text, bytes, len);
        text[len] = '\0';
        bool ok = cJSON_AddStringToObject(o, "line", text) != NULL;
        free(text);
        return ok;
    }
    char *hex = malloc(2 * len + 1);
    if (!hex)
        return false;
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)bytes[i]);
    hex[2 * len] = '\0';
    bool ok = cJSON_AddStringToObject(o, "line_hex", hex) != NULL;
    free(hex);
    return ok;
}

/* cJSON prints numbers with 15 significant digits when it judges that
 * close enough, so 9007199254740991 (the largest ttl_ms) would be written
 * 9.00719925474099e+15, another value. Integers from 1e15 to 2^53, exact in
 * a double, are written with all their digits instead. Returns false when
 * out of memory. */
static bool exact_numbers(cJSON *parent)
{
    for (cJSON *c = parent->child; c; c = c->next) {
        if (cJSON_IsNumber(c) && fabs(c->valuedouble) >= 1e15 &&
            fabs(c->valuedouble) <= 9007199254740992.0 &&
            c->valuedouble == floor(c->valuedouble)) {
            char digits[32];
            snprintf(digits, sizeof digits, "%.0f", c->valuedouble);
            cJSON *raw = cJSON_CreateRaw(digits);
            /* ViaPointer keeps no member name: copy it first. */
            if (raw && c->string) {
                raw->string = malloc(strlen(c->string) + 1);
                if (raw->string)
                    memcpy(raw->string, c->string, strlen(c->string) + 1);
            }
            if (!raw || (c->string && !raw->string) ||
                !cJSON_ReplaceItemViaPointer(parent, c, raw)) {
                cJSON_Delete(raw);
                return false;
            }
            c = raw;
        } else if ((cJSON_IsArray(c) || cJSON_IsObject(c)) &&
                   !exact_numbers(c))
            return false;
    }
    return true;
}

/* One envelope vector: `len` bytes of `bytes`, arriving at `now` (NULL:
 * NOW1), with the allow-list `allow` (JSON text or NULL), and the verdict
 * the spec gives: fault 0 with the note bits `notes`, or the fault and the
 * rule libsplinter reports. A valid vector's "envelope" is the line's
 * object parsed by cJSON. */
static void add_env_bytes(const char *id, const char *reqs, int fault,
                          const char *rule, unsigned notes, const char *bytes,
                          size_t len, const char *now, const char *allow,
                          const char *desc)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;
    ok = ok && cJSON_AddStringToObject(o, "id", id);
    cJSON *r = ok ? reqs_array(reqs) : NULL;
    ok = ok && r && cJSON_AddItemToObject(o, "requirements", r);
    ok = ok && cJSON_AddStringToObject(o, "description", desc);
    ok = ok && put_line(o, bytes, len);
    cJSON *t = ok ? time9(now ? now : NOW1) : NULL;
    ok = ok && t && cJSON_AddItemToObject(o, "now", t);
    if (ok && allow) {
        cJSON *a = cJSON_Parse(allow);
        ok = a && cJSON_AddItemToObject(o, "allow", a);
    }
    if (ok && fault == 0) {
        ok = cJSON_AddStringToObject(o, "expect", "valid") != NULL;
        cJSON *e = ok ? cJSON_ParseWithLength(bytes, len) : NULL;
        ok = e && exact_numbers(e) && cJSON_AddItemToObject(o, "envelope", e);
        if (e && !ok)
            cJSON_Delete(e);
        cJSON *n = ok ? cJSON_AddArrayToObject(o, "notes") : NULL;
        ok = n != NULL;
        static const unsigned order[] = {SP_NOTE_ID_NOT_UUIDV7,
                                         SP_NOTE_UNKNOWN_FAULT_CODE,
                                         SP_NOTE_UNKNOWN_MEMBER};
        for (size_t i = 0; ok && i < sizeof order / sizeof *order; i++)
            if (notes & order[i])
                ok = cJSON_AddItemToArray(
                    n, cJSON_CreateString(sp_note_name(order[i])));
    } else if (ok) {
        ok = cJSON_AddStringToObject(o, "expect", "fault") &&
             cJSON_AddNumberToObject(o, "fault", fault) &&
             sp_fault_symbol(fault) &&
             cJSON_AddStringToObject(o, "symbol", sp_fault_symbol(fault)) &&
             cJSON_AddStringToObject(o, "rule", rule ? rule : "?");
    }
    if (ok && cJSON_AddItemToArray(B.env, o))
        return;
    fprintf(stderr, "gen: cannot build %s\n", id);
    cJSON_Delete(o);
    B.failed++;
}

static void add_env(const char *id, const char *reqs, int fault,
                    const char *rule, unsigned notes, const char *line,
                    const char *now, const char *allow, const char *desc)
{
    add_env_bytes(id, reqs, fault, rule, notes, line, strlen(line), now, allow,
                  desc);
}

/* The common forms: valid without notes; a fault at the default time. */
#define VALID(id, reqs, line, desc) add_env(id, reqs, 0, NULL, 0, line, NULL, NULL, desc)
#define VALIDN(id, reqs, notes, line, desc)                                    \
    add_env(id, reqs, 0, NULL, notes, line, NULL, NULL, desc)
#define FAULT(id, reqs, fault, rule, line, desc)                               \
    add_env(id, reqs, fault, rule, 0, line, NULL, NULL, desc)
#define BAD(id, reqs, rule, line, desc) FAULT(id, reqs, 1000, rule, line, desc)

enum {
    N_UUID = SP_NOTE_ID_NOT_UUIDV7,
    N_CODE = SP_NOTE_UNKNOWN_FAULT_CODE,
    N_MEMBER = SP_NOTE_UNKNOWN_MEMBER,
};

/* ---- SP-2: lines -------------------------------------------------------- */
static void cases_lines(void)
{
    const char *ok = L(0);
    char b[LINE_SMALL_MAX + 16];
    VALID("se-valid-minimal", "SP-2-a SP-3.1-a SP-4-b SP-9.3-a", ok,
          "A query with id, ts, from, to, type and payload: valid");
    snprintf(b, sizeof b, " \t %s \t ", ok);
    VALID("se-line-whitespace-around", "SP-2-a", b,
          "Spaces and tabs before and after the object: valid");
    snprintf(b, sizeof b, "%s\r", ok);
    VALID("se-line-crlf", "SP-2-a", b,
          "A line ending in CR LF: the CR belongs to the terminator (or is "
          "JSON whitespace): valid");
    snprintf(b, sizeof b, "\r%s", ok);
    VALID("se-line-cr-before", "SP-2-a", b,
          "A CR before the object is JSON whitespace: valid");
    snprintf(b, sizeof b, "\xEF\xBB\xBF%s", ok);
    BAD("se-line-bom", "SP-2-a SP-7-b", "SP-2-h", b,
        "A UTF-8 byte order mark before the object: 1000");
    snprintf(b, sizeof b, "%s%s", ok, ok);
    BAD("se-line-two-objects", "SP-2-a", "SP-2-a", b,
        "Two envelope objects on one line: 1000");
    snprintf(b, sizeof b, "%s x", ok);
    BAD("se-line-trailing-text", "SP-2-a", "SP-2-a", b,
        "A letter after the object: 1000");
    snprintf(b, sizeof b, "%s\x01", ok);
    BAD("se-line-trailing-control", "SP-2-a", "SP-2-a", b,
        "A control byte 01 after the object: 1000");
    snprintf(b, sizeof b, "\x0c%s", ok);
    BAD("se-line-formfeed-before", "SP-2-a SP-7-b", "SP-2-h", b,
        "A form feed (not JSON whitespace) before the object: 1000");
    size_t n = strlen(ok);
    memcpy(b, ok, n);
    b[n] = '\0';
    add_env_bytes("se-line-trailing-nul", "SP-2-a", 1000, "SP-2-a", 0, b,
                  n + 1, NULL, NULL,
                  "A raw NUL byte after the object: 1000 (line_hex)");
    BAD("se-line-empty", "SP-2-h", "SP-2-h", "",
        "An empty line: not an envelope, 1000");
    BAD("se-line-only-whitespace", "SP-2-h", "SP-2-h", " \t ",
        "A line of spaces and a tab: 1000");
    BAD("se-line-array", "SP-2-h", "SP-2-h", "[{\"id\":\"x\"}]",
        "A top-level array: 1000");
    BAD("se-line-string", "SP-2-h", "SP-2-h", "\"hello\"",
        "A top-level string: 1000");
    BAD("se-line-number", "SP-2-h", "SP-2-h", "42", "A top-level number: 1000");
    BAD("se-line-null", "SP-2-h", "SP-2-h", "null", "A top-level null: 1000");
    BAD("se-line-true", "SP-2-h", "SP-2-h", "true", "A top-level true: 1000");
    BAD("se-line-truncated", "SP-2-c", "SP-2-c", "{\"id\":\"" U7 "\",\"ts\"",
        "An object cut short: 1000");
}

/* ---- SP-2-b: UTF-8 ------------------------------------------------------ */
static void cases_utf8(void)
{
    static const struct {
        const char *name, *bytes, *what;
    } bad[] = {
        {"stray-continuation", "\x80", "a stray continuation byte 80"},
        {"truncated-2", "\xC3", "a two-byte sequence without its second byte"},
        {"truncated-3", "\xE2\x82", "a three-byte sequence cut after two"},
        {"truncated-4", "\xF0\x9F\x98", "a four-byte sequence cut after three"},
        {"overlong-2-slash", "\xC0\xAF", "'/' as an overlong two-byte form"},
        {"overlong-3-slash", "\xE0\x80\xAF", "'/' as an overlong three-byte form"},
        {"overlong-4-slash", "\xF0\x80\x80\xAF",
         "'/' as an overlong four-byte form"},
        {"overlong-nul", "\xC0\x80", "NUL as an overlong two-byte form (C0 80)"},
        {"overlong-3-max", "\xE0\x9F\xBF", "U+07FF as an overlong three-byte form"},
        {"surrogate-high", "\xED\xA0\x80", "U+D800 encoded (a surrogate)"},
        {"surrogate-low", "\xED\xBF\xBF", "U+DFFF encoded (a surrogate)"},
        {"surrogate-pair", "\xED\xA0\xBD\xED\xB8\x80",
         "a surrogate pair encoded as two three-byte sequences (CESU-8)"},
        {"above-max", "\xF4\x90\x80\x80", "U+110000, above U+10FFFF"},
        {"byte-fe", "\xFE", "the byte FE"},
        {"byte-ff", "\xFF", "the byte FF"},
        {"five-byte", "\xF8\x88\x80\x80\x80", "a five-byte sequence"},
    };
    char id[VEC_ID_MAX], desc[VEC_DESC_MAX], p[64];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(p, sizeof p, "\"a%sb\"", bad[i].bytes);
        snprintf(id, sizeof id, "se-utf8-%s", bad[i].name);
        snprintf(desc, sizeof desc,
                 "The payload string holds %s: invalid UTF-8, 1000",
                 bad[i].what);
        BAD(id, "SP-2-b", "SP-2-b", L(.payload = p), desc);
    }
    BAD("se-utf8-in-member-name", "SP-2-b", "SP-2-b",
        L(.extra = "\"x\xC0\xAF\":1"),
        "An unknown member's name holds an overlong '/': 1000");
    BAD("se-utf8-in-id", "SP-2-b", "SP-2-b", L(.id = "\"ab\xFF\""),
        "The id holds the byte FF: 1000 (no reply possible)");
    VALID("se-utf8-multibyte", "SP-2-b",
          L(.payload = "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\""),
          "The payload holds U+00E9, U+20AC, U+1F600 and U+10FFFF as UTF-8: "
          "valid");
    VALID("se-utf8-escaped-pair", "SP-2-b",
          L(.payload = "\"\\uD83D\\uDE00\""),
          "An escaped surrogate pair (U+1F600): valid");
    BAD("se-utf8-escaped-lone-high", "SP-2-b", "SP-2-c",
        L(.payload = "\"\\uD83Dx\""),
        "A lone escaped high surrogate: 1000");
    BAD("se-utf8-escaped-lone-low", "SP-2-b", "SP-2-c",
        L(.payload = "\"\\uDE00\""), "A lone escaped low surrogate: 1000");
    BAD("se-utf8-escaped-reversed", "SP-2-b", "SP-2-c",
        L(.payload = "\"\\uDE00\\uD83D\""),
        "An escaped low surrogate followed by a high one: 1000");
}

/* ---- SP-2-c: strict JSON ---------------------------------------------- */
static void cases_json(void)
{
    static const struct {
        const char *name, *extra, *what;
    } bad[] = {
        {"comment-block", "\"n\":1/* c */", "a /* */ comment"},
        {"comment-line", "\"n\":1//c", "a // comment"},
        {"single-quotes", "'n':1", "a member name in single quotes"},
        {"leading-zero", "\"n\":01", "the number 01"},
        {"plus", "\"n\":+1", "the number +1"},
        {"dot-end", "\"n\":1.", "the number 1."},
        {"dot-start", "\"n\":.5", "the number .5"},
        {"nan", "\"n\":NaN", "NaN"},
        {"infinity", "\"n\":Infinity", "Infinity"},
        {"minus-infinity", "\"n\":-Infinity", "-Infinity"},
        {"hex-number", "\"n\":0x10", "the number 0x10"},
        {"raw-tab", "\"n\":\"a\tb\"", "a raw tab inside a string"},
        {"raw-control-1f", "\"n\":\"a\x1f" "b\"", "a raw byte 1F inside a string"},
        {"raw-newline-escape-missing", "\"n\":\"a\rb\"",
         "a raw CR inside a string"},
        {"bad-escape", "\"n\":\"a\\xb\"", "the escape \\x"},
        {"short-unicode-escape", "\"n\":\"\\u12\"", "the escape \\u12"},
        {"upper-u-escape", "\"n\":\"\\U0041\"", "the escape \\U0041"},
        {"unquoted-name", "n:1", "an unquoted member name"},
        {"true-upper", "\"n\":True", "True"},
        {"missing-value", "\"n\":", "a member without a value"},
        {"exponent-empty", "\"n\":1e", "the number 1e"},
        {"number-64-chars",
         "\"n\":1234567890123456789012345678901234567890123456789012345678901234",
         "a number of 64 digits (more than 63 characters)"},
    };
    char id[VEC_ID_MAX], desc[VEC_DESC_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(id, sizeof id, "se-json-%s", bad[i].name);
        snprintf(desc, sizeof desc,
                 "An unknown member with %s: not RFC 8259 JSON, 1000",
                 bad[i].what);
        BAD(id, "SP-2-c", "SP-2-c", L(.extra = bad[i].extra), desc);
    }
    BAD("se-json-trailing-comma-object", "SP-2-c", "SP-2-c",
        "{\"id\":\"" U7 "\",\"ts\":\"" TS0
        "\",\"from\":\"chat\",\"type\":\"query\",\"payload\":1,}",
        "A comma after the last member: 1000");
    BAD("se-json-trailing-comma-array", "SP-2-c", "SP-2-c",
        L(.payload = "[1,2,]"), "A comma after the last array item: 1000");
    VALIDN("se-json-number-63-chars", "SP-2-c", N_MEMBER,
           L(.extra = "\"n\":123456789012345678901234567890123456789012345678"
                      "901234567890123"),
           "An unknown member holding a number of 63 digits: valid (the "
           "limit is more than 63)");
    VALIDN("se-json-escapes", "SP-2-c", 0,
           L(.payload = "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\""),
           "A payload string using every escape RFC 8259 lists: valid");
    VALIDN("se-json-numbers", "SP-2-c", 0,
           L(.payload = "[0,-0,1.5,-2e10,3E-2,1e+2,0.000001]"),
           "A payload of numbers in every RFC 8259 form: valid");
}

/* ---- SP-2-d, SP-2-e, SP-2-f, SP-2-g -------------------------------------- */
static void cases_dup_depth_nul(void)
{
    char b[LINE_SMALL_MAX];
    snprintf(b, sizeof b, "{\"id\":\"" U7 "\",\"ts\":\"" TS0
                          "\",\"from\":\"chat\",\"type\":\"query\","
                          "\"payload\":1,\"id\":\"" U7 "\"}");
    BAD("se-dup-top-same", "SP-2-d", "SP-2-d", b,
        "The member id twice with the same value: 1000");
    snprintf(b, sizeof b, "{\"id\":\"" U7 "\",\"ts\":\"" TS0
                          "\",\"from\":\"chat\",\"type\":\"query\","
                          "\"type\":\"event\",\"payload\":1}");
    BAD("se-dup-top-type", "SP-2-d", "SP-2-d", b,
        "The member type twice with different values: 1000");
    BAD("se-dup-top-unknown", "SP-2-d", "SP-2-d", L(.extra = "\"x\":1,\"x\":1"),
        "An unknown member twice: 1000");
    BAD("se-dup-escaped-name", "SP-2-d", "SP-2-d",
        L(.extra = "\"a\":1,\"\\u0061\":2"),
        "Members \"a\" and \"\\u0061\": the same name after unescaping, 1000");
    BAD("se-dup-nested", "SP-2-d", "SP-2-d", L(.payload = "{\"a\":1,\"a\":2}"),
        "A payload object with the member a twice: 1000");
    BAD("se-dup-deep", "SP-2-d", "SP-2-d",
        L(.payload = "{\"x\":[{\"y\":{\"k\":1,\"z\":0,\"k\":1}}]}"),
        "A duplicate four levels down, inside an array: 1000");
    BAD("se-dup-error-payload", "SP-2-d", "SP-2-d",
        L(.type = "\"error\"", .payload = "{\"code\":1000,\"symbol\":"
                                          "\"BAD_SCHEMA\",\"code\":1000}"),
        "An error payload with code twice: 1000");
    VALID("se-dup-sibling-objects", "SP-2-d",
          L(.payload = "{\"x\":{\"a\":1},\"y\":{\"a\":1},\"z\":[{\"a\":1},"
                       "{\"a\":2}]}"),
          "The same name in sibling objects is no duplicate: valid");

    /* Depth: the envelope is 1, the payload array 2, ... */
    for (int depth = 64; depth <= 65; depth++) {
        for (int obj = 0; obj < 2; obj++) {
            char p[LINE_SMALL_MAX];
            size_t n = 0;
            int levels = depth - 1; /* containers inside the envelope */
            for (int i = 0; i < levels; i++)
                n += (size_t)snprintf(p + n, sizeof p - n, "%s",
                                      obj ? "{\"a\":" : "[");
            n += (size_t)snprintf(p + n, sizeof p - n, "0");
            for (int i = 0; i < levels; i++)
                n += (size_t)snprintf(p + n, sizeof p - n, "%s",
                                      obj ? "}" : "]");
            char id[VEC_ID_MAX], desc[VEC_DESC_MAX];
            snprintf(id, sizeof id, "se-depth-%d-%s", depth,
                     obj ? "objects" : "arrays");
            snprintf(desc, sizeof desc,
                     "The payload nests %d %s, the innermost at depth %d: %s",
                     levels, obj ? "objects" : "arrays", depth,
                     depth == 64 ? "valid" : "1000");
            if (depth == 64)
                VALID(id, "SP-2-e", L(.payload = p), desc);
            else
                BAD(id, "SP-2-e", "SP-2-e", L(.payload = p), desc);
        }
    }

    BAD("se-nul-escaped-payload", "SP-2-g", "SP-2-g",
        L(.payload = "\"a\\u0000b\""), "\\u0000 inside the payload string: 1000");
    BAD("se-nul-escaped-id", "SP-2-g SP-9.2-c", "SP-2-g",
        L(.id = "\"ab\\u0000cd\""),
        "\\u0000 inside the id, which would cut it short in C: 1000, no "
        "reply possible");
    BAD("se-nul-escaped-name", "SP-2-g", "SP-2-g", L(.extra = "\"a\\u0000\":1"),
        "\\u0000 inside a member name: 1000");
    VALID("se-nul-escaped-0001", "SP-2-g", L(.payload = "\"a\\u0001b\""),
          "\\u0001 is fine: valid");
    const char *ok = L(.payload = "\"ab\"");
    size_t n = strlen(ok);
    char raw[LINE_SMALL_MAX];
    memcpy(raw, ok, n);
    raw[n - 4] = '\0'; /* "a\0" inside the payload string */
    add_env_bytes("se-nul-raw-in-string", "SP-2-c SP-2-g", 1000, "SP-2-c", 0,
                  raw, n, NULL, NULL,
                  "A raw NUL byte inside the payload string: a control "
                  "character in a string, 1000 (line_hex)");
}

/* A line of exactly `len` bytes: a query whose payload string pads it. */
static void long_line(const char *id, size_t len, int fault, const char *desc)
{
    const char *head = L(.payload = "\"\"");
    size_t h = strlen(head);
    char *b = len >= h ? malloc(len + 1) : NULL;
    if (!b) {
        B.failed++;
        return;
    }
    memcpy(b, head, h - 2);         /* up to the payload's opening quote */
    memset(b + h - 2, 'x', len - h); /* the padding */
    memcpy(b + len - 2, "\"}", 2);
    b[len] = '\0';
    add_env_bytes(id, "SP-2-f", fault, fault ? "SP-2-f" : NULL, 0, b, len, NULL,
                  NULL, desc);
    free(b);
}

/* ---- SP-3: members ------------------------------------------------------ */
static void cases_members(void)
{
    static const char *const req[] = {"id", "ts", "from", "type"};
    char id[VEC_ID_MAX], desc[VEC_DESC_MAX];
    for (size_t i = 0; i < 4; i++) {
        mem m = {0};
        const char **slot[] = {&m.id, &m.ts, &m.from, &m.type};
        *slot[i] = OMIT;
        snprintf(id, sizeof id, "se-missing-%s", req[i]);
        snprintf(desc, sizeof desc, "No member %s: 1000", req[i]);
        BAD(id, i == 0 || i == 2 ? "SP-3.1-a SP-9.2-c" : "SP-3.1-a",
            "SP-3.1-a", line_of(&m), desc);
    }
    BAD("se-missing-all", "SP-3.1-a", "SP-3.1-a", "{}",
        "The empty object: 1000");
    BAD("se-case-id-upper", "SP-3.3-b SP-3.1-a", "SP-3.1-a",
        L(.id = OMIT, .extra = "\"ID\":\"" U7 "\""),
        "ID instead of id: an unknown member, and id is missing: 1000");
    BAD("se-case-type-upper", "SP-3.3-b SP-3.1-a", "SP-3.1-a",
        L(.type = OMIT, .extra = "\"Type\":\"query\""),
        "Type instead of type: 1000");
    VALIDN("se-case-unknown-upper", "SP-3.3-b SP-3.3-a", N_MEMBER,
           L(.extra = "\"ID\":\"other\""),
           "ID beside id is an unknown member, kept: valid with the note "
           "unknown_member");

    /* Wrong JSON types and forms, member by member: NAME=VALUE|... */
    static const struct {
        const char *member, *reqs, *rule, *vals;
    } wrong[] = {
        {"id", "SP-3.1-b SP-9.2-c", "SP-3.1-b",
         "number=1|true=true|null=null|object={}|array=[]|empty=\"\""},
        {"ts", "SP-3.1-d", "SP-3.1-d",
         "number=1767225600|true=true|null=null|object={}|array=[]|"
         "empty=\"\""},
        {"from", "SP-3.1-e SP-9.2-c", "SP-3.1-e",
         "number=1|true=true|null=null|object={}|array=[]|empty=\"\""},
        {"to", "SP-3.2-a", "SP-3.2-a",
         "number=1|true=true|null=null|object={}|array=[\"*\"]|"
         "empty=\"\""},
        {"type", "SP-3.1-f", "SP-3.1-f",
         "number=1|true=true|null=null|object={}|array=[\"query\"]"},
        {"ttl", "SP-3.2-b SP-3.4-a", "SP-3.2-b",
         "string=\"5000\"|true=true|null=null|object={}|array=[]|"
         "fraction=5000.0|exponent=5e3|exponent-upper=5E3|minus-one=-1|"
         "minus-zero=-0|half=1.5|two-pow-53=9007199254740992|"
         "two-pow-64=18446744073709551616"},
        {"trace", "SP-3.2-c", "SP-3.2-c",
         "number=1|true=true|null=null|object={}|array=[]"},
        {"seq", "SP-3.2-d SP-3.4-a", "SP-3.2-d",
         "string=\"0\"|true=true|null=null|object={}|array=[]|"
         "fraction=0.0|exponent=1e0|minus-one=-1|minus-zero=-0|"
         "two-pow-32=4294967296"},
        {"eof", "SP-3.2-d", "SP-3.2-d",
         "string=\"true\"|one=1|zero=0|null=null|object={}|array=[]"},
    };
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        char vals[256], *save = NULL;
        snprintf(vals, sizeof vals, "%s", wrong[i].vals);
        for (char *nv = strtok_r(vals, "|", &save); nv;
             nv = strtok_r(NULL, "|", &save)) {
            char *v = strchr(nv, '=');
            if (!v) {
                B.failed++;
                continue;
            }
            *v++ = '\0';
            const char *w = wrong[i].member;
            mem m = {0};
            if (!strcmp(w, "seq") || !strcmp(w, "eof")) {
                m.seq = "0";
                m.eof = "true";
            }
            const char **slot = !strcmp(w, "id")     ? &m.id
                                : !strcmp(w, "ts")   ? &m.ts
                                : !strcmp(w, "from") ? &m.from
                                : !strcmp(w, "to")   ? &m.to
                                : !strcmp(w, "type") ? &m.type
                                : !strcmp(w, "ttl")  ? &m.ttl
                                : !strcmp(w, "trace") ? &m.trace
                                : !strcmp(w, "seq")   ? &m.seq
                                                      : &m.eof;
            *slot = v;
            snprintf(id, sizeof id, "se-%s-%s", w, nv);
            snprintf(desc, sizeof desc, "%s is %s: 1000",
                     !strcmp(w, "ttl") ? "ttl_ms" : w, v);
            BAD(id, wrong[i].reqs, wrong[i].rule, line_of(&m), desc);
        }
    }

    /* id length and forms. */
    char idv[200];
    memset(idv + 1, 'a', 128);
    idv[0] = '"';
    idv[129] = '"';
    idv[130] = '\0';
    VALIDN("se-id-128-bytes", "SP-3.1-b SP-3.1-c", N_UUID, L(.id = idv),
           "An id of 128 bytes: valid (not a UUIDv7: note)");
    memcpy(idv + 1, "aa", 2);
    idv[129] = 'a';
    idv[130] = '"';
    idv[131] = '\0';
    BAD("se-id-129-bytes", "SP-3.1-b SP-9.2-c", "SP-3.1-b", L(.id = idv),
        "An id of 129 bytes: 1000");
    /* 64 two-byte characters: 64 characters, 128 bytes. */
    char *p = idv;
    *p++ = '"';
    for (int i = 0; i < 64; i++) {
        *p++ = '\xC3';
        *p++ = '\xA9';
    }
    *p++ = '"';
    *p = '\0';
    VALIDN("se-id-128-bytes-64-chars", "SP-3.1-b", N_UUID, L(.id = idv),
           "An id of 64 two-byte characters (128 bytes): valid");
    memcpy(p - 1, "a\"", 3);
    BAD("se-id-129-bytes-65-chars", "SP-3.1-b", "SP-3.1-b", L(.id = idv),
        "An id of 65 characters, 129 bytes: 1000 (bytes count, not "
        "characters)");
    VALIDN("se-id-one-byte", "SP-3.1-b SP-3.1-c", N_UUID, L(.id = "\"x\""),
           "An id of one byte: valid, note id_not_uuidv7");
    VALID("se-uuid-v7-lower", "SP-3.1-c", L(.id = "\"" U7 "\""),
          "A UUIDv7 in lower case: valid, no note");
    VALID("se-uuid-v7-upper", "SP-3.1-c",
          L(.id = "\"01890A5D-AC96-774B-BCCE-B302099A8057\""),
          "A UUIDv7 in upper case: valid, no note");
    VALIDN("se-uuid-v4", "SP-3.1-c", N_UUID,
           L(.id = "\"f47ac10b-58cc-4372-a567-0e02b2c3d479\""),
           "A UUIDv4: valid, note id_not_uuidv7");
    VALIDN("se-uuid-v1", "SP-3.1-c", N_UUID,
           L(.id = "\"c232ab00-9414-11ec-b3c8-9f6bdeced846\""),
           "A UUIDv1: valid, note id_not_uuidv7");
    VALIDN("se-uuid-v7-variant-c", "SP-3.1-c", N_UUID,
           L(.id = "\"01890a5d-ac96-774b-ccce-b302099a8057\""),
           "Version nibble 7 but variant bits 110 (Microsoft): valid, note "
           "id_not_uuidv7");
    VALIDN("se-uuid-nil", "SP-3.1-c", N_UUID,
           L(.id = "\"00000000-0000-0000-0000-000000000000\""),
           "The nil UUID: valid, note id_not_uuidv7");
    VALIDN("se-uuid-no-hyphens", "SP-3.1-c", N_UUID,
           L(.id = "\"01890a5dac96774bbcceb302099a8057\""),
           "A UUIDv7's 32 hex digits without hyphens: valid, note");
    VALIDN("se-uuid-braces", "SP-3.1-c", N_UUID,
           L(.id = "\"{01890a5d-ac96-774b-bcce-b302099a8057}\""),
           "A UUIDv7 in braces: valid, note");
    VALIDN("se-uuid-not-uuid", "SP-3.1-c SP-9.3-a", N_UUID,
           L(.id = "\"msg-42\""), "The id msg-42: valid, note id_not_uuidv7");

    /* Optional members present and absent. */
    VALID("se-to-absent", "SP-3.2-a", L(.to = OMIT),
          "No to: valid, broadcast (the envelope keeps no to)");
    VALID("se-to-star", "SP-3.2-a", L(.to = "\"*\""), "to \"*\": valid");
    VALID("se-ttl-max", "SP-3.2-b SP-3.4-a", L(.ttl = "9007199254740991"),
          "ttl_ms 2^53 - 1, the largest: valid");
    VALID("se-trace-empty", "SP-3.2-c", L(.trace = "\"\""),
          "An empty trace: valid");
    VALID("se-trace", "SP-3.2-c", L(.trace = "\"span-1\""), "trace: valid");
    VALID("se-seq-zero-eof", "SP-3.2-d SP-3.2-e SP-8-b",
          L(.seq = "0", .eof = "true"),
          "seq 0 with eof true: a one-chunk stream, valid");
    VALID("se-seq-max", "SP-3.2-d SP-3.4-a", L(.seq = "4294967295", .eof = "false"),
          "seq 2^32 - 1, the largest: valid");
    BAD("se-seq-without-eof", "SP-3.2-e", "SP-3.2-e", L(.seq = "0"),
        "seq without eof: 1000");
    BAD("se-eof-without-seq", "SP-3.2-e", "SP-3.2-e", L(.eof = "true"),
        "eof without seq: 1000");
    VALIDN("se-unknown-members-kept", "SP-3.3-a SP-10-d SP-9.3-a", N_MEMBER,
           L(.extra = "\"priority\":5,\"meta\":{\"k\":[1,{\"x\":null}]}"),
           "Two unknown members, a number and an object: kept in the "
           "envelope, note unknown_member, valid");
}

/* ---- SP-5: ts ----------------------------------------------------------- */
static void cases_ts(void)
{
    static const struct {
        const char *name, *ts, *reqs, *rule; /* rule NULL: valid */
        const char *what;
    } t[] = {
        {"no-fraction", "2026-01-01T00:00:00Z", "SP-5-a SP-5-c", NULL, "no fraction"},
        {"fraction-1", "2026-01-01T00:00:00.1Z", "SP-5-c", NULL, "1 fraction digit"},
        {"fraction-2", "2026-01-01T00:00:00.12Z", "SP-5-c", NULL, "2 fraction digits"},
        {"fraction-3", "2026-01-01T00:00:00.123Z", "SP-5-c SP-5-f", NULL, "3 fraction digits"},
        {"fraction-4", "2026-01-01T00:00:00.1234Z", "SP-5-c", NULL, "4 fraction digits"},
        {"fraction-5", "2026-01-01T00:00:00.12345Z", "SP-5-c", NULL, "5 fraction digits"},
        {"fraction-6", "2026-01-01T00:00:00.123456Z", "SP-5-c", NULL, "6 fraction digits"},
        {"fraction-7", "2026-01-01T00:00:00.1234567Z", "SP-5-c", NULL, "7 fraction digits"},
        {"fraction-8", "2026-01-01T00:00:00.12345678Z", "SP-5-c", NULL, "8 fraction digits"},
        {"fraction-9", "2026-01-01T00:00:00.123456789Z", "SP-5-c", NULL, "9 fraction digits"},
        {"fraction-10", "2026-01-01T00:00:00.1234567890Z", "SP-5-c", "SP-3.1-d", "10 fraction digits"},
        {"fraction-dot-only", "2026-01-01T00:00:00.Z", "SP-5-c", "SP-3.1-d", "a dot without digits"},
        {"fraction-comma", "2026-01-01T00:00:00,5Z", "SP-5-a", "SP-3.1-d", "a comma before the fraction"},
        {"z-lower", "2026-01-01T00:00:00.000z", "SP-5-b", NULL, "the offset z"},
        {"t-lower", "2026-01-01t00:00:00.000Z", "SP-5-a", NULL, "the separator t"},
        {"t-and-z-lower", "2026-01-01t00:00:00z", "SP-5-a SP-5-b", NULL, "t and z"},
        {"plus-zero", "2026-01-01T00:00:00.000+00:00", "SP-5-b", NULL, "the offset +00:00"},
        {"minus-zero", "2026-01-01T00:00:00.000-00:00", "SP-5-b", "SP-3.1-d", "the offset -00:00 (unknown offset)"},
        {"plus-one", "2026-01-01T01:00:00.000+01:00", "SP-5-b", "SP-3.1-d", "the offset +01:00"},
        {"minus-five", "2025-12-31T19:00:00.000-05:00", "SP-5-b", "SP-3.1-d", "the offset -05:00"},
        {"plus-zero-compact", "2026-01-01T00:00:00.000+0000", "SP-5-b", "SP-3.1-d", "the offset +0000"},
        {"plus-zero-short", "2026-01-01T00:00:00.000+00", "SP-5-b", "SP-3.1-d", "the offset +00"},
        {"no-offset", "2026-01-01T00:00:00.000", "SP-5-b", "SP-3.1-d", "no offset"},
        {"utc-word", "2026-01-01T00:00:00.000UTC", "SP-5-b", "SP-3.1-d", "the offset UTC"},
        {"space-separator", "2026-01-01 00:00:00.000Z", "SP-5-a", "SP-3.1-d", "a space instead of T"},
        {"date-only", "2026-01-01", "SP-5-a", "SP-3.1-d", "a date only"},
        {"short-year", "26-01-01T00:00:00Z", "SP-5-a", "SP-3.1-d", "a two-digit year"},
        {"one-digit-month", "2026-1-01T00:00:00Z", "SP-5-a", "SP-3.1-d", "a one-digit month"},
        {"five-digit-year", "12026-01-01T00:00:00Z", "SP-5-a SP-5-d", "SP-3.1-d", "a five-digit year"},
        {"no-seconds", "2026-01-01T00:00Z", "SP-5-a", "SP-3.1-d", "no seconds"},
        {"epoch-number-text", "1767225600", "SP-5-a", "SP-3.1-d", "seconds since the epoch as text"},
        {"whitespace", " 2026-01-01T00:00:00Z", "SP-5-a", "SP-3.1-d", "a leading space"},
        {"year-0000", "0000-01-01T00:00:00Z", "SP-5-d", NULL, "year 0000"},
        {"year-9999", "9999-12-31T23:59:59.999999999Z", "SP-5-d", NULL, "the last instant of year 9999"},
        {"month-00", "2026-00-01T00:00:00Z", "SP-5-d", "SP-3.1-d", "month 00"},
        {"month-13", "2026-13-01T00:00:00Z", "SP-5-d", "SP-3.1-d", "month 13"},
        {"day-00", "2026-01-00T00:00:00Z", "SP-5-d", "SP-3.1-d", "day 00"},
        {"day-32", "2026-01-32T00:00:00Z", "SP-5-d", "SP-3.1-d", "January 32"},
        {"apr-31", "2026-04-31T00:00:00Z", "SP-5-d", "SP-3.1-d", "April 31"},
        {"apr-30", "2026-04-30T00:00:00Z", "SP-5-d", NULL, "April 30"},
        {"dec-31", "2026-12-31T00:00:00Z", "SP-5-d", NULL, "December 31"},
        {"feb-29-2024", "2024-02-29T12:00:00Z", "SP-5-d", NULL, "Feb 29 of 2024 (leap year)"},
        {"feb-29-2023", "2023-02-29T12:00:00Z", "SP-5-d", "SP-3.1-d", "Feb 29 of 2023 (not a leap year)"},
        {"feb-29-2000", "2000-02-29T12:00:00Z", "SP-5-d", NULL, "Feb 29 of 2000 (divisible by 400: leap)"},
        {"feb-29-1900", "1900-02-29T12:00:00Z", "SP-5-d", "SP-3.1-d", "Feb 29 of 1900 (divisible by 100: not leap)"},
        {"feb-30-2024", "2024-02-30T12:00:00Z", "SP-5-d", "SP-3.1-d", "Feb 30 of a leap year"},
        {"feb-28-2023", "2023-02-28T23:59:59Z", "SP-5-d", NULL, "Feb 28 of 2023"},
        {"hour-24", "2026-01-01T24:00:00Z", "SP-5-d", "SP-3.1-d", "hour 24"},
        {"minute-60", "2026-01-01T00:60:00Z", "SP-5-d", "SP-3.1-d", "minute 60"},
        {"second-61", "2026-01-01T23:59:61Z", "SP-5-d SP-5-e", "SP-3.1-d", "second 61"},
        {"second-60-end-of-day", "2026-12-31T23:59:60Z", "SP-5-e", NULL, "second 60 at 23:59:60"},
        {"second-60-any-date", "2026-03-15T23:59:60.5Z", "SP-5-e", NULL, "second 60 at 23:59 of a day without a leap second"},
        {"second-60-23-58", "2026-12-31T23:58:60Z", "SP-5-e", "SP-3.1-d", "second 60 at 23:58"},
        {"second-60-noon", "2026-06-30T12:59:60Z", "SP-5-e", "SP-3.1-d", "second 60 at 12:59"},
        {"full-width-digit", "2026-01-01T00:00:0\xEF\xBC\x90Z", "SP-5-a", "SP-3.1-d", "a full-width digit zero"},
    };
    char id[VEC_ID_MAX], desc[VEC_DESC_MAX], v[96];
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        snprintf(v, sizeof v, "\"%s\"", t[i].ts);
        snprintf(id, sizeof id, "se-ts-%s", t[i].name);
        char reqs[VEC_REQS_MAX];
        snprintf(reqs, sizeof reqs, "SP-3.1-d %s", t[i].reqs);
        snprintf(desc, sizeof desc, "ts %s, %s: %s", t[i].ts, t[i].what,
                 t[i].rule ? "1000" : "valid");
        if (t[i].rule)
            BAD(id, reqs, t[i].rule, L(.ts = v), desc);
        else
            VALID(id, reqs, L(.ts = v), desc);
    }
}

/* ---- SP-4: types and payloads ------------------------------------------ */
static void cases_types(void)
{
    static const char *const types[] = {"query", "response", "event", "error",
                                        "heartbeat"};
    char id[VEC_ID_MAX], desc[VEC_DESC_MAX], v[64];
    for (size_t i = 0; i < 5; i++) {
        snprintf(v, sizeof v, "\"%s\"", types[i]);
        snprintf(id, sizeof id, "se-valid-%s", types[i]);
        snprintf(desc, sizeof desc, "A %s envelope: valid", types[i]);
        const char *p = i == 3 ? "{\"code\":3000,\"symbol\":\"UNKNOWN_TYPE\","
                                 "\"detail\":\"no such type\"}"
                               : NULL;
        VALID(id, i == 4 ? "SP-4-a SP-4-c SP-4-f" : "SP-4-a",
              L(.type = v, .payload = p), desc);
    }
    VALID("se-heartbeat-no-payload", "SP-4-c SP-4-f",
          L(.type = "\"heartbeat\"", .payload = OMIT),
          "A heartbeat without payload: valid");
    VALID("se-heartbeat-payload-null", "SP-4-c",
          L(.type = "\"heartbeat\"", .payload = "null"),
          "A heartbeat with payload null: valid");
    static const struct {
        const char *name, *type, *what;
    } unknown[] = {
        {"upper", "\"QUERY\"", "QUERY (types are case-sensitive)"},
        {"capital", "\"Query\"", "Query"},
        {"space", "\"query \"", "query with a trailing space"},
        {"empty", "\"\"", "the empty string"},
        {"command", "\"command\"", "command"},
        {"stream", "\"stream\"", "stream"},
    };
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        snprintf(id, sizeof id, "se-type-%s", unknown[i].name);
        snprintf(desc, sizeof desc, "type %s: 3000", unknown[i].what);
        FAULT(id, "SP-4-a", 3000, "SP-4-a", L(.type = unknown[i].type), desc);
    }
    for (size_t i = 0; i < 4; i++) {
        snprintf(v, sizeof v, "\"%s\"", types[i]);
        snprintf(id, sizeof id, "se-payload-missing-%s", types[i]);
        snprintf(desc, sizeof desc, "A %s without payload: 1000", types[i]);
        BAD(id, "SP-4-b", "SP-4-b", L(.type = v, .payload = OMIT), desc);
    }
    static const struct {
        const char *name, *payload;
    } any[] = {{"null", "null"},  {"false", "false"}, {"number", "-1.5e3"},
               {"string", "\"\""}, {"array", "[]"},   {"object", "{}"}};
    for (size_t i = 0; i < sizeof any / sizeof *any; i++) {
        snprintf(id, sizeof id, "se-payload-%s", any[i].name);
        snprintf(desc, sizeof desc, "A query whose payload is %s: valid",
                 any[i].payload);
        VALID(id, "SP-4-b", L(.payload = any[i].payload), desc);
    }

    /* error payloads (SP-4-d, SP-4-e). */
#define ERR(p) L(.type = "\"error\"", .to = "\"chat\"", .from = "\"rag_server\"", .payload = (p))
    VALID("se-error-full", "SP-4-d SP-4-e SP-9.2-a SP-5-f",
          ERR("{\"code\":1000,\"symbol\":\"BAD_SCHEMA\",\"detail\":\"bad ts\"}"),
          "A fault reply as SP-9.2-a writes it: valid");
    VALID("se-error-no-detail", "SP-4-d",
          ERR("{\"code\":2000,\"symbol\":\"NOT_AUTHORIZED\"}"),
          "An error payload without detail: valid");
    VALIDN("se-error-extra-member", "SP-4-d SP-3.3-a", 0,
           ERR("{\"code\":1001,\"symbol\":\"TTL_EXPIRED\",\"detail\":\"\","
               "\"retry_ms\":10}"),
           "An error payload with an extra member: kept, valid (no note: "
           "the note is about envelope members)");
    static const struct {
        int code;
        const char *symbol;
    } table[] = {{1000, "BAD_SCHEMA"},    {1001, "TTL_EXPIRED"},
                 {2000, "NOT_AUTHORIZED"}, {3000, "UNKNOWN_TYPE"},
                 {4100, "BACKPRESSURE"},  {4200, "STREAM_TIMEOUT"},
                 {5000, "INTERNAL_ERROR"}};
    char p[160];
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        snprintf(p, sizeof p, "{\"code\":%d,\"symbol\":\"%s\",\"detail\":\"d\"}",
                 table[i].code, table[i].symbol);
        snprintf(id, sizeof id, "se-error-code-%d", table[i].code);
        snprintf(desc, sizeof desc,
                 "An error envelope carrying fault %d %s of the table: valid",
                 table[i].code, table[i].symbol);
        VALID(id,
              table[i].code == 4100 || table[i].code == 5000
                  ? "SP-4-e SP-9.1-a SP-9.1-b SP-9.1-c"
                  : "SP-4-e SP-9.1-a SP-9.1-b",
              ERR(p), desc);
        snprintf(p, sizeof p, "{\"code\":%d,\"symbol\":\"%s\"}", table[i].code,
                 table[(i + 1) % 7].symbol);
        snprintf(id, sizeof id, "se-error-code-%d-wrong-symbol", table[i].code);
        snprintf(desc, sizeof desc,
                 "Fault %d with the symbol %s of another code: 1000",
                 table[i].code, table[(i + 1) % 7].symbol);
        BAD(id, "SP-4-e SP-9.1-a SP-9.2-d", "SP-4-e", ERR(p), desc);
    }
    BAD("se-error-symbol-lower", "SP-4-e SP-9.1-a", "SP-4-e",
        ERR("{\"code\":1000,\"symbol\":\"bad_schema\"}"),
        "Fault 1000 with the symbol in lower case: 1000");
    VALIDN("se-error-unknown-code", "SP-4-e SP-9.3-a", N_CODE,
           ERR("{\"code\":1234,\"symbol\":\"ANYTHING\"}"),
           "Code 1234, in no table: valid, note unknown_fault_code");
    VALIDN("se-error-code-zero", "SP-4-d SP-4-e", N_CODE,
           ERR("{\"code\":0,\"symbol\":\"\"}"),
           "Code 0 with an empty symbol: valid, note unknown_fault_code");
    VALIDN("se-error-code-max", "SP-4-d SP-3.4-a", N_CODE,
           ERR("{\"code\":2147483647,\"symbol\":\"X\"}"),
           "Code 2^31 - 1, the largest: valid, note unknown_fault_code");
    static const struct {
        const char *name, *payload, *what;
    } bad[] = {
        {"code-too-big", "{\"code\":2147483648,\"symbol\":\"X\"}", "code 2^31"},
        {"code-negative", "{\"code\":-1,\"symbol\":\"X\"}", "code -1"},
        {"code-fraction", "{\"code\":1000.0,\"symbol\":\"BAD_SCHEMA\"}", "code 1000.0"},
        {"code-exponent", "{\"code\":1e3,\"symbol\":\"BAD_SCHEMA\"}", "code 1e3"},
        {"code-string", "{\"code\":\"1000\",\"symbol\":\"BAD_SCHEMA\"}", "code \"1000\""},
        {"code-null", "{\"code\":null,\"symbol\":\"BAD_SCHEMA\"}", "code null"},
        {"code-missing", "{\"symbol\":\"BAD_SCHEMA\"}", "no code"},
        {"symbol-missing", "{\"code\":1000}", "no symbol"},
        {"symbol-number", "{\"code\":1000,\"symbol\":1000}", "symbol 1000"},
        {"symbol-null", "{\"code\":1000,\"symbol\":null}", "symbol null"},
        {"detail-number", "{\"code\":1000,\"symbol\":\"BAD_SCHEMA\",\"detail\":5}", "detail 5"},
        {"detail-null", "{\"code\":1000,\"symbol\":\"BAD_SCHEMA\",\"detail\":null}", "detail null"},
        {"payload-string", "\"BAD_SCHEMA\"", "a string payload"},
        {"payload-array", "[1000,\"BAD_SCHEMA\"]", "an array payload"},
        {"payload-null", "null", "payload null"},
        {"payload-empty", "{}", "an empty object"},
        {"payload-missing", OMIT, "no payload"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(id, sizeof id, "se-error-%s", bad[i].name);
        snprintf(desc, sizeof desc,
                 "An error envelope with %s: 1000 (never answered)",
                 bad[i].what);
        BAD(id,
            !strncmp(bad[i].name, "code-", 5) && strcmp(bad[i].name, "code-missing")
                ? "SP-4-d SP-3.4-a SP-9.2-d"
                : "SP-4-d SP-9.2-d",
            !strcmp(bad[i].name, "payload-missing") ? "SP-4-b" : "SP-4-d",
            ERR(bad[i].payload), desc);
    }
#undef ERR
}

/* ---- SP-6: allow-lists ----------------------------------------------------
 */
static void cases_allow(void)
{
    const char *list = "{\"chat\":[\"rag_server\",\"*\"],\"bot\":[]}";
    const char *nostar = "{\"chat\":[\"rag_server\"]}";
    add_env("se-allow-listed", "SP-6-a SP-6-b SP-6-c", 0, NULL, 0, L(0), NULL,
            list, "chat may address rag_server: valid");
    add_env("se-allow-not-listed", "SP-6-b SP-6-c", 2000, "SP-6-b", 0,
            L(.to = "\"db\""), NULL, list,
            "chat addresses db, not in its list: 2000");
    add_env("se-allow-no-entry", "SP-6-b", 2000, "SP-6-b", 0,
            L(.from = "\"stranger\""), NULL, list,
            "A sender without an entry may address no one: 2000");
    add_env("se-allow-empty-list", "SP-6-b", 2000, "SP-6-b", 0,
            L(.from = "\"bot\""), NULL, list,
            "A sender with an empty list: 2000");
    add_env("se-allow-empty-object", "SP-6-b SP-6-c", 2000, "SP-6-b", 0, L(0),
            NULL, "{}", "The allow-list {} allows nothing: 2000");
    add_env("se-allow-star-broadcast", "SP-6-b SP-3.2-a", 0, NULL, 0,
            L(.to = "\"*\""), NULL, list,
            "to \"*\" with \"*\" in the list: valid");
    add_env("se-allow-absent-to-star", "SP-6-b SP-3.2-a", 0, NULL, 0,
            L(.to = OMIT), NULL, list,
            "No to (broadcast) with \"*\" in the list: valid");
    add_env("se-allow-absent-to-no-star", "SP-6-b SP-3.2-a", 2000, "SP-6-b", 0,
            L(.to = OMIT), NULL, nostar,
            "No to (broadcast) and no \"*\" in the list: 2000");
    add_env("se-allow-star-not-wildcard", "SP-6-b", 2000, "SP-6-b", 0,
            L(.to = "\"db\""), NULL, "{\"chat\":[\"*\"]}",
            "\"*\" in the list allows broadcast only, not db: 2000");
    add_env("se-allow-case", "SP-6-b", 2000, "SP-6-b", 0,
            L(.to = "\"RAG_SERVER\""), NULL, nostar,
            "RAG_SERVER is not rag_server (exact match): 2000");
    add_env("se-allow-heartbeat", "SP-6-b SP-4-c", 2000, "SP-6-b", 0,
            L(.type = "\"heartbeat\"", .to = "\"db\"", .payload = OMIT), NULL,
            nostar, "The rule applies to heartbeats too: 2000");
    add_env("se-allow-error", "SP-6-b SP-9.2-d", 2000, "SP-6-b", 0,
            L(.type = "\"error\"", .to = "\"db\"",
              .payload = "{\"code\":5000,\"symbol\":\"INTERNAL_ERROR\"}"),
            NULL, nostar, "An error envelope to db: 2000 (never answered)");
    add_env("se-allow-none", "SP-6-a", 0, NULL, 0, L(.to = "\"db\""), NULL,
            NULL, "Without an allow-list everything is allowed: valid");
}

/* ---- SP-5.1: TTL ------------------------------------------------------------
 */
static void cases_ttl(void)
{
    const char *l1000 = L(.ttl = "1000");
    add_env("se-ttl-on-time", "SP-5.1-a", 0, NULL, 0, l1000,
            "2026-01-01T00:00:00.5Z", NULL,
            "ttl_ms 1000, arrival 500 ms after ts: valid");
    add_env("se-ttl-equal", "SP-5.1-a", 0, NULL, 0, l1000,
            "2026-01-01T00:00:01Z", NULL,
            "Arrival exactly at ts + ttl_ms: on time, valid");
    add_env("se-ttl-late-1ns", "SP-5.1-a", 1001, "SP-5.1-a", 0, l1000,
            "2026-01-01T00:00:01.000000001Z", NULL,
            "Arrival one nanosecond after ts + ttl_ms: 1001");
    add_env("se-ttl-late-1s", "SP-5.1-a", 1001, "SP-5.1-a", 0, l1000,
            "2026-01-01T00:00:02Z", NULL, "Arrival one second late: 1001");
    add_env("se-ttl-zero-equal", "SP-5.1-a SP-3.2-b", 0, NULL, 0,
            L(.ttl = "0"), "2026-01-01T00:00:00Z", NULL,
            "ttl_ms 0 arriving exactly at ts: valid");
    add_env("se-ttl-zero-late", "SP-5.1-a SP-3.2-b", 1001, "SP-5.1-a", 0,
            L(.ttl = "0"), "2026-01-01T00:00:00.000000001Z", NULL,
            "ttl_ms 0 arriving 1 ns after ts: 1001");
    const char *nano = L(.ts = "\"2026-01-01T00:00:00.123456789Z\"", .ttl = "1");
    add_env("se-ttl-nanos-equal", "SP-5.1-a SP-5-c", 0, NULL, 0, nano,
            "2026-01-01T00:00:00.124456789Z", NULL,
            "ts with nine fraction digits, ttl_ms 1, arrival at ts + 1 ms to "
            "the nanosecond: valid");
    add_env("se-ttl-nanos-late", "SP-5.1-a SP-5-c", 1001, "SP-5.1-a", 0, nano,
            "2026-01-01T00:00:00.12445679Z", NULL,
            "The same, arrival 1 ns later: 1001 (times compare to the "
            "nanosecond)");
    const char *leap = L(.ts = "\"2026-12-31T23:59:60.5Z\"", .ttl = "500");
    add_env("se-ttl-leap-second-equal", "SP-5-e SP-5.1-a", 0, NULL, 0, leap,
            "2027-01-01T00:00:01Z", NULL,
            "ts 23:59:60.5 is 00:00:00.5 of the next day; ttl_ms 500, "
            "arrival 00:00:01: on time, valid");
    add_env("se-ttl-leap-second-late", "SP-5-e SP-5.1-a", 1001, "SP-5.1-a", 0,
            leap, "2027-01-01T00:00:01.000000001Z", NULL,
            "The same, arrival 1 ns later: 1001");
    add_env("se-ttl-absent-years-later", "SP-5.1-b", 0, NULL, 0, L(0),
            "2099-01-01T00:00:00Z", NULL,
            "No ttl_ms, arrival 73 years after ts: never expires, valid");
    add_env("se-ttl-future-ts", "SP-5.1-b SP-5.1-a", 0, NULL, 0, l1000,
            "2025-12-31T23:00:00Z", NULL,
            "ts an hour after the arrival (clock skew): valid");
    add_env("se-ttl-max-late", "SP-5.1-a", 0, NULL, 0,
            L(.ttl = "9007199254740991"), "2099-01-01T00:00:00Z", NULL,
            "ttl_ms 2^53 - 1 (about 285 000 years): valid in 2099");
    add_env("se-ttl-heartbeat", "SP-5.1-a SP-4-c", 1001, "SP-5.1-a", 0,
            L(.type = "\"heartbeat\"", .payload = OMIT, .ttl = "10"),
            "2026-01-01T00:00:00.011Z", NULL,
            "A heartbeat 1 ms past its ttl_ms: 1001");
}

/* ---- SP-7: order of checks ------------------------------------------------
 */
static void cases_order(void)
{
    const char *list = "{\"chat\":[\"rag_server\"]}";
    add_env("se-order-schema-before-type", "SP-7-a SP-9.2-b", 1000, "SP-3.1-d",
            0, L(.ts = "\"yesterday\"", .type = "\"nope\""), NULL, NULL,
            "A bad ts and an unknown type: 1000 (stage 1 first); id and from "
            "are readable, so it is answered");
    add_env("se-order-type-before-payload", "SP-7-a SP-4-b", 3000, "SP-4-a", 0,
            L(.type = "\"nope\"", .payload = OMIT), NULL, NULL,
            "An unknown type without payload: 3000 (stage 2 before 3)");
    add_env("se-order-type-before-allow", "SP-7-a", 3000, "SP-4-a", 0,
            L(.type = "\"nope\"", .to = "\"db\""), NULL, list,
            "An unknown type to a recipient outside the list: 3000");
    add_env("se-order-type-before-ttl", "SP-7-a", 3000, "SP-4-a", 0,
            L(.type = "\"nope\"", .ttl = "0"), "2026-01-02T00:00:00Z", NULL,
            "An unknown type, expired: 3000");
    add_env("se-order-payload-before-allow", "SP-7-a SP-4-d", 1000, "SP-4-d",
            0, L(.type = "\"error\"", .to = "\"db\"", .payload = "{}"), NULL,
            list, "An error payload without code to db, not allowed: 1000 "
                  "(stage 3 before 4)");
    add_env("se-order-payload-before-ttl", "SP-7-a SP-4-b", 1000, "SP-4-b", 0,
            L(.payload = OMIT, .ttl = "0"), "2026-01-02T00:00:00Z", NULL,
            "A query without payload, expired: 1000 (stage 3 before 5)");
    add_env("se-order-allow-before-ttl", "SP-7-a SP-6-b SP-5.1-a", 2000,
            "SP-6-b", 0, L(.to = "\"db\"", .ttl = "0"), "2026-01-02T00:00:00Z",
            list, "Not allowed and expired: 2000 (stage 4 before 5)");
    add_env("se-order-ttl-last", "SP-7-a SP-5.1-a", 1001, "SP-5.1-a", 0,
            L(.ttl = "0"), "2026-01-02T00:00:00Z", list,
            "Allowed, expired: 1001");
    add_env("se-order-bad-ttl-type-unknown", "SP-7-a SP-3.2-b", 1000,
            "SP-3.2-b", 0, L(.type = "\"nope\"", .ttl = "-5"), NULL, NULL,
            "ttl_ms -5 and an unknown type: 1000 (members before the type)");
    add_env("se-order-dup-before-members", "SP-7-b SP-2-d", 1000, "SP-2-d", 0,
            "{\"id\":1,\"id\":2}", NULL, NULL,
            "A duplicate and bad members: SP-2-d reported (SP-7-b)");
    add_env("se-order-utf8-before-json", "SP-7-b SP-2-b", 1000, "SP-2-b", 0,
            "{\"id\":\"\xFF\",", NULL, NULL,
            "Invalid UTF-8 in broken JSON: SP-2-b reported (SP-7-b)");
    add_env("se-order-id-before-ts", "SP-7-b SP-9.2-c", 1000, "SP-3.1-b", 0,
            L(.id = "\"\"", .ts = "\"x\""), NULL, NULL,
            "An empty id and a bad ts: SP-3.1-b reported; no id, no reply");
}

/* ---- SP-10 and replies -------------------------------------------------- */
static void cases_misc(void)
{
    VALID("se-announce", "SP-10-a SP-10-b SP-10-c SP-4-a",
          L(.from = "\"rag_server\"", .to = "\"*\"", .type = "\"event\"",
            .payload = "{\"splinter\":{\"versions\":[\"1.0\"]}}"),
          "The version announcement of SP-10-b: a valid event");
    VALID("se-announce-no-to", "SP-10-b SP-10-c SP-3.2-a",
          L(.from = "\"rag_server\"", .to = OMIT, .type = "\"event\"",
            .payload = "{\"splinter\":{\"versions\":[\"1.1\",\"1.0\"],"
                       "\"future\":true}}"),
          "An announcement without to, of versions 1.1 and 1.0 and with a "
          "member a 1.0 reader ignores: a valid event");
    BAD("se-reply-readable-bad-ts", "SP-9.2-b SP-9.2-e", "SP-3.1-d",
        L(.ts = "\"2026-02-30T00:00:00Z\""),
        "Feb 30 in ts, id and from readable: 1000, answered to chat with "
        "the trigger's id");
    BAD("se-reply-bad-to", "SP-9.2-b", "SP-3.2-a", L(.to = "\"\""),
        "An empty to, id and from readable: 1000, answered");
}

int spv_build(cJSON **env, cJSON **streams);

/* The streams live in splinter_streams.c. */
void spv_cases_streams(cJSON *vectors, size_t *failed);

int spv_build(cJSON **env, cJSON **streams)
{
    *env = *streams = NULL;
    memset(&B, 0, sizeof B);
    cJSON *e = cJSON_CreateObject(), *s = cJSON_CreateObject();
    B.env = cJSON_CreateArray();
    B.streams = cJSON_CreateArray();
    if (!e || !s || !B.env || !B.streams) {
        cJSON_Delete(e);
        cJSON_Delete(s);
        cJSON_Delete(B.env);
        cJSON_Delete(B.streams);
        fprintf(stderr, "gen: out of memory\n");
        return -1;
    }
    cases_lines();
    cases_utf8();
    cases_json();
    cases_dup_depth_nul();
    long_line("se-long-1mib", SP_LINE_MAX, 0,
              "A line of exactly 1 048 576 bytes (a payload string pads it): "
              "valid");
    long_line("se-long-1mib-plus-1", SP_LINE_MAX + 1, 1000,
              "A line of 1 048 577 bytes: 1000, no reply possible");
    cases_members();
    cases_ts();
    cases_types();
    cases_allow();
    cases_ttl();
    cases_order();
    cases_misc();
    spv_cases_streams(B.streams, &B.failed);
    cJSON_AddStringToObject(e, "suite", SPV_ENV_SUITE);
    cJSON_AddStringToObject(e, "spec_version", SP_VERSION);
    cJSON_AddNumberToObject(e, "count", cJSON_GetArraySize(B.env));
    cJSON_AddItemToObject(e, "vectors", B.env);
    cJSON_AddStringToObject(s, "suite", SPV_STREAM_SUITE);
    cJSON_AddStringToObject(s, "spec_version", SP_VERSION);
    cJSON_AddNumberToObject(s, "count", cJSON_GetArraySize(B.streams));
    cJSON_AddItemToObject(s, "vectors", B.streams);
    if (B.failed || cJSON_GetArraySize(e) != 4 || cJSON_GetArraySize(s) != 4) {
        fprintf(stderr, "gen: %zu Splinter cases could not be built\n",
                B.failed);
        cJSON_Delete(e);
        cJSON_Delete(s);
        return -1;
    }
    *env = e;
    *streams = s;
    return 0;
}
