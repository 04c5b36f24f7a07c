/*
 * Fuzz target: the shim's request handler (shim_handle_line), as the
 * session loop calls it. The input is split into lines at '\n' (a last
 * line without one counts, as in a session); each line is handled under
 * CRC-8/SMBUS with the responses collected in memory. Invariants, checked
 * for every line (abort on violation, so libFuzzer and the replay both
 * report it):
 * - exactly one response line comes back: '\n' last and nowhere else;
 * - it parses with cJSON as an object whose "ok" is a boolean;
 * - a refusal's "error" is a name of spec/harness.md section 4, and a
 *   bad_request carries a "detail" string;
 * - a success echoes the request's integer id and has its op's shape:
 *   hello its "ops", decode a "consumed" within the input and a frame
 *   object tamtam_json accepts, encode a "hex" that decodes as one valid
 *   frame, stream its events (frames or discards with their offsets) and a
 *   "pending" count below the largest frame; the splinter/1 ops their
 *   "envelope" or "payloads", "complete" and "faults", and their refusals
 *   a fault symbol with its code, or no_reply;
 * - memory stays linear in the line: the response is at most 16 times the
 *   line plus the hex of the largest frame (an encode answers a whole
 *   frame for a short request) plus 1 KiB, and the cJSON memory live at
 *   once at most 80 times the line plus 64 KiB (a tree takes up to ~40
 *   times its text, and an encode of an oversized payload duplicates the
 *   frame object).
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cjson_counting.h"
#include "shim.h"
#include "splinter/splinter.h"
#include "ttj.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define RESPONSE_FACTOR 16
#define RESPONSE_SLACK (2 * TT_FRAME_MAX + 1024)
#define CJSON_FACTOR 80
#define CJSON_SLACK (64 * 1024)

static void check(bool ok, const char *what, const char *response)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_shim_line: %s\nresponse: %.2000s\n", what,
            response ? response : "(none)");
    abort();
}

/* ---- the output interface: one growing buffer ---- */

struct response {
    char *p;
    size_t n, cap, limit;
};

static void put(void *ctx, const void *p, size_t n)
{
    struct response *r = ctx;
    check(r->n + n <= r->limit, "the response outgrows its bound", NULL);
    if (r->cap - r->n < n + 1) {
        size_t cap = r->cap ? 2 * r->cap : 4096;
        while (cap - r->n < n + 1)
            cap *= 2;
        r->p = realloc(r->p, cap);
        check(r->p != NULL, "out of memory in the harness", NULL);
        r->cap = cap;
    }
    memcpy(r->p + r->n, p, n);
    r->n += n;
    r->p[r->n] = '\0';
}

/* ---- the response's shape ---- */

static bool is_integer(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble == trunc(v->valuedouble);
}

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void check_frame_object(const cJSON *frame, const char *text)
{
    ttj_frame *tf = malloc(sizeof *tf);
    check(tf != NULL, "out of memory in the harness", NULL);
    check(ttj_frame_from_json(frame, true, tf, NULL) == 0,
          "a frame object tamtam_json rejects", text);
    free(tf);
}

static void check_stream(const cJSON *resp, const char *text)
{
    const cJSON *events = get(resp, "events"), *e;
    const cJSON *pending = get(resp, "pending");
    check(cJSON_IsArray(events), "stream: no \"events\" array", text);
    check(is_integer(pending) && pending->valuedouble >= 0 &&
              pending->valuedouble < TT_FRAME_MAX,
          "stream: \"pending\" not an integer 0..8199", text);
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *frame = get(e, "frame"), *error = get(e, "error");
        if (frame) {
            check(cJSON_GetArraySize(e) == 1, "stream: extra event members",
                  text);
            check_frame_object(frame, text);
            continue;
        }
        check(cJSON_IsString(error) &&
                  (strcmp(error->valuestring, "used_len_exceeds_block") == 0 ||
                   strcmp(error->valuestring, "crc_mismatch") == 0),
              "stream: an event neither a frame nor a discard", text);
        const cJSON *offset = get(e, "offset");
        check(is_integer(offset) && offset->valuedouble >= 0 &&
                  cJSON_GetArraySize(e) == 2,
              "stream: a discard without its offset", text);
    }
}

static void check_encode(const cJSON *resp, const char *text)
{
    const cJSON *hex = get(resp, "hex");
    check(cJSON_IsString(hex), "encode: no \"hex\" string", text);
    static uint8_t bytes[TT_FRAME_MAX];
    long n = ttj_hex_decode(hex->valuestring, bytes, sizeof bytes);
    check(n > 0, "encode: \"hex\" is not a frame's bytes", text);
    tt_frame f;
    check(tt_decode(bytes, (size_t)n, TT_CRC_SMBUS, &f) == n,
          "encode: the bytes are not exactly one valid frame", text);
}

static void check_success(const cJSON *resp, const char *line, size_t len,
                          const char *text)
{
    cJSON *rq = cJSON_ParseWithLength(line, len);
    const cJSON *rq_id = get(rq, "id"), *op = get(rq, "op");
    const cJSON *id = get(resp, "id");
    check(cJSON_IsObject(rq) && cJSON_IsString(op) && is_integer(rq_id),
          "success for a request without an integer id and a string op",
          text);
    check(is_integer(id) && id->valuedouble == rq_id->valuedouble,
          "success without the request's id", text);
    if (strcmp(op->valuestring, "hello") == 0) {
        check(cJSON_IsArray(get(resp, "ops")), "hello: no \"ops\"", text);
    } else if (strcmp(op->valuestring, "decode") == 0) {
        const cJSON *consumed = get(resp, "consumed");
        check(is_integer(consumed) && consumed->valuedouble >= TT_FRAME_MIN &&
                  consumed->valuedouble <= (double)len / 2,
              "decode: \"consumed\" not a frame length within the input",
              text);
        check_frame_object(get(resp, "frame"), text);
    } else if (strcmp(op->valuestring, "encode") == 0) {
        check_encode(resp, text);
    } else if (strcmp(op->valuestring, "splinter.validate") == 0 ||
               strcmp(op->valuestring, "splinter.fault") == 0) {
        check(cJSON_IsObject(get(resp, "envelope")),
              "splinter: no \"envelope\" object", text);
    } else if (strcmp(op->valuestring, "splinter.reassemble") == 0) {
        check(cJSON_IsArray(get(resp, "payloads")) &&
                  cJSON_IsBool(get(resp, "complete")) &&
                  cJSON_IsArray(get(resp, "faults")),
              "splinter.reassemble: not its shape", text);
    } else {
        check(strcmp(op->valuestring, "stream") == 0,
              "success for an op the shim does not implement", text);
        check_stream(resp, text);
    }
    cJSON_Delete(rq);
}

static void check_refusal(const cJSON *resp, const char *text)
{
    static const char *const names[] = {"truncated", "used_len_exceeds_block",
                                        "crc_mismatch", "unsupported",
                                        "bad_request"};
    const cJSON *error = get(resp, "error");
    check(cJSON_IsString(error), "a refusal without an \"error\" string",
          text);
    size_t i = 0;
    while (i < sizeof names / sizeof names[0] &&
           strcmp(names[i], error->valuestring) != 0)
        i++;
    /* splinter/1 ops refuse with a fault symbol and its code, or no_reply
     * (README.md, "Splinter ops"). */
    int code = sp_fault_from_symbol(error->valuestring);
    if (code) {
        const cJSON *fault = get(resp, "fault");
        check(is_integer(fault) && fault->valuedouble == code,
              "a fault symbol without its code", text);
    }
    check(i < sizeof names / sizeof names[0] || code ||
              strcmp(error->valuestring, "no_reply") == 0,
          "an error name not in spec/harness.md section 4", text);
    if (strcmp(error->valuestring, "bad_request") == 0)
        check(cJSON_IsString(get(resp, "detail")),
              "bad_request without a \"detail\"", text);
    const cJSON *id = get(resp, "id");
    check(!id || is_integer(id), "a non-integer id", text);
}

static void one_line(const char *line, size_t len, struct response *r)
{
    r->n = 0;
    r->limit = RESPONSE_FACTOR * len + RESPONSE_SLACK;
    fuzz_cjson_reset_peak();
    const struct shim_out out = {put, r};
    shim_handle_line(line, len, TT_CRC_SMBUS, &out);
    check(fuzz_cjson_peak() - fuzz_cjson_live() <=
              CJSON_FACTOR * len + CJSON_SLACK,
          "cJSON memory beyond 80 times the line", NULL);
    check(fuzz_cjson_live() == 0, "cJSON memory left allocated", NULL);

    check(r->n > 0 && r->p[r->n - 1] == '\n', "no response line", r->p);
    check(memchr(r->p, '\n', r->n - 1) == NULL, "more than one response line",
          r->p);
    cJSON *resp = cJSON_ParseWithLength(r->p, r->n);
    check(cJSON_IsObject(resp), "the response is not a JSON object", r->p);
    const cJSON *ok = get(resp, "ok");
    check(cJSON_IsBool(ok), "the response has no boolean \"ok\"", r->p);
    if (cJSON_IsTrue(ok))
        check_success(resp, line, len, r->p);
    else
        check_refusal(resp, r->p);
    cJSON_Delete(resp);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static bool hooked;
    if (!hooked) {
        fuzz_cjson_count();
        hooked = true;
    }
    struct response r = {0};
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        /* An exact-size copy, so reads past the line are caught. */
        /* len is 0 for an empty line (nl == p). */
        // cppcheck-suppress knownConditionTrueFalse
        char *line = malloc(len ? len : 1);
        check(line != NULL, "out of memory in the harness", NULL);
        memcpy(line, p, len);
        /* libsplinter's reassembler frees with free() the payload texts it
         * printed with cJSON, which breaks under this target's counting
         * cJSON hooks: splinter.reassemble is left out here (its own fuzz
         * target, reference/splinter/fuzz/fuzz_reasm.c, covers it). */
        if (!memmem(line, len, "reassemble", 10))
            one_line(line, len, &r);
        free(line);
        p += len + (nl ? 1 : 0);
    }
    free(r.p);
    return 0;
}
