/* Request handling of the codec shim: parse with cJSON, judge with
 * libtamtam, write the pinned frame object with ttj. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lines.h"
#include "log.h"
#include "shim.h"
#include "sp_ops.h"
#include "ttj.h"
#include "writer.h"

/* Every id is echoed; JSON numbers are doubles, so ids are the integers a
 * double holds exactly. */
#define ID_LIMIT 9007199254740991.0 /* 2^53 - 1 */

static void out_str(const struct shim_out *out, const char *s)
{
    out->put(out->ctx, s, strlen(s));
}

static void send_reply(const struct shim_out *out, cJSON *reply)
{
    char *text = need(cJSON_PrintUnformatted(reply));
    out_str(out, text);
    out_str(out, "\n");
    cJSON_free(text);
    cJSON_Delete(reply);
}

/* The id is written as raw digits so that large ids never come back in
 * exponent form. */
static void add_id(cJSON *reply, long long id)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%lld", id);
    need(cJSON_AddRawToObject(reply, "id", digits));
}

cJSON *shim_reply_new(const struct shim_request *rq, bool ok)
{
    cJSON *reply = need(cJSON_CreateObject());
    add_id(reply, rq->id);
    need(cJSON_AddBoolToObject(reply, "ok", ok));
    return reply;
}

void shim_reply_send(const struct shim_request *rq, cJSON *reply)
{
    send_reply(rq->out, reply);
}

static void reply_error(const struct shim_request *rq, const char *error)
{
    cJSON *reply = shim_reply_new(rq, false);
    need(cJSON_AddStringToObject(reply, "error", error));
    send_reply(rq->out, reply);
}

/* `id` is NULL when the request carried no readable id. */
static void reply_bad_request(const struct shim_out *out, const long long *id,
                              const char *detail)
{
    cJSON *reply = need(cJSON_CreateObject());
    if (id)
        add_id(reply, *id);
    need(cJSON_AddBoolToObject(reply, "ok", false));
    need(cJSON_AddStringToObject(reply, "error", "bad_request"));
    need(cJSON_AddStringToObject(reply, "detail", detail));
    send_reply(out, reply);
}

void shim_reply_bad_member(const struct shim_request *rq, const char *detail)
{
    reply_bad_request(rq->out, &rq->id, detail);
}

bool shim_get_integer(const cJSON *v, long long *out)
{
    if (!cJSON_IsNumber(v) || !(fabs(v->valuedouble) <= ID_LIMIT) ||
        v->valuedouble != trunc(v->valuedouble))
        return false;
    *out = (long long)v->valuedouble;
    return true;
}

static const char *error_name(int err)
{
    const char *name = tt_error_name(err);
    return name ? name : "invalid_argument";
}

/* Hex member `name` decoded into a new buffer (freed by the caller). Returns
 * the byte count, or -1 when the member is missing or not a hex string. */
static long get_hex(const cJSON *obj, const char *name, uint8_t **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!cJSON_IsString(v))
        return -1;
    size_t cap = strlen(v->valuestring) / 2;
    *out = need(malloc(cap ? cap : 1));
    long n = ttj_hex_decode(v->valuestring, *out, cap);
    if (n < 0) {
        free(*out);
        *out = NULL;
    }
    return n;
}

static void op_hello(const struct shim_request *rq);

static void op_decode(const struct shim_request *rq)
{
    uint8_t *bytes;
    long n = get_hex(rq->json, "hex", &bytes);
    if (n < 0) {
        shim_reply_bad_member(rq, "\"hex\" must be a string of hex digit pairs");
        return;
    }
    tt_frame f;
    int consumed = tt_decode(bytes, (size_t)n, rq->crc, &f);
    if (consumed < 0) {
        reply_error(rq, error_name(consumed));
    } else {
        cJSON *reply = shim_reply_new(rq, true);
        need(cJSON_AddNumberToObject(reply, "consumed", consumed));
        cJSON *frame = need(ttj_frame_to_json(&f));
        if (!cJSON_AddItemToObject(reply, "frame", frame))
            need(NULL);
        send_reply(rq->out, reply);
    }
    free(bytes);
}

/* True when the frame object is well-formed except that its payload is
 * longer than the largest block (8192 bytes): no block can hold it, so the
 * encoder refuses it with used_len_exceeds_block (CF-12.4-a) rather than
 * calling the request malformed. */
static bool payload_beyond_every_block(const cJSON *frame)
{
    uint8_t *bytes;
    long n = get_hex(frame, "payload", &bytes);
    free(bytes);
    if (n <= (long)TT_BLOCK_MAX)
        return false;
    long long used;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(frame, "used_len");
    if (u && (!shim_get_integer(u, &used) || used != n))
        return false;
    cJSON *rest = need(cJSON_Duplicate(frame, true));
    cJSON_DeleteItemFromObjectCaseSensitive(rest, "used_len");
    if (!cJSON_ReplaceItemInObjectCaseSensitive(
            rest, "payload", need(cJSON_CreateString(""))))
        need(NULL);
    ttj_frame *tf = need(malloc(sizeof *tf));
    bool ok = ttj_frame_from_json(rest, false, tf, NULL) == 0;
    free(tf);
    cJSON_Delete(rest);
    return ok;
}

static void op_encode(const struct shim_request *rq)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(rq->json, "frame");
    if (!cJSON_IsObject(obj)) {
        shim_reply_bad_member(rq, "\"frame\" must be a frame object");
        return;
    }
    ttj_frame *tf = need(malloc(sizeof *tf));
    const char *why;
    if (ttj_frame_from_json(obj, false, tf, &why) < 0) {
        if (payload_beyond_every_block(obj))
            reply_error(rq, error_name(TT_ERR_USED_LEN_EXCEEDS_BLOCK));
        else
            shim_reply_bad_member(rq, why);
        free(tf);
        return;
    }
    uint8_t out[TT_FRAME_MAX];
    int r = tt_encode(&tf->f, rq->crc, out, sizeof out);
    if (r < 0) {
        reply_error(rq, error_name(r));
    } else {
        cJSON *reply = shim_reply_new(rq, true);
        if (!cJSON_AddItemToObject(reply, "hex",
                                   need(ttj_hex_string(out, (size_t)r))))
            need(NULL);
        send_reply(rq->out, reply);
    }
    free(tf);
}

/* One event in the shape of vectors/core-stream.json: {"frame":{...}} or
 * {"error":"...","offset":N}. */
static void put_event(const struct shim_out *out, const tt_stream_event *ev)
{
    cJSON *e = need(cJSON_CreateObject());
    if (ev->status == 0) {
        if (!cJSON_AddItemToObject(e, "frame",
                                   need(ttj_frame_to_json(&ev->frame))))
            need(NULL);
    } else {
        need(cJSON_AddStringToObject(e, "error", error_name(ev->status)));
        need(cJSON_AddNumberToObject(e, "offset", (double)ev->offset));
    }
    char *text = need(cJSON_PrintUnformatted(e));
    out_str(out, text);
    cJSON_free(text);
    cJSON_Delete(e);
}

/* The events are written as they come, so a long stream never needs its
 * whole response in memory; every chunk is checked before the first byte
 * of the response goes out. */
static void op_stream(const struct shim_request *rq)
{
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(rq->json, "chunks");
    const cJSON *c;
    size_t total = 0;
    if (!cJSON_IsArray(chunks)) {
        shim_reply_bad_member(rq, "\"chunks\" must be an array of hex strings");
        return;
    }
    cJSON_ArrayForEach(c, chunks)
    {
        if (!cJSON_IsString(c)) {
            shim_reply_bad_member(rq, "every chunk must be a hex string");
            return;
        }
        total += strlen(c->valuestring) / 2;
    }
    uint8_t *bytes = need(malloc(total ? total : 1));
    size_t at = 0;
    cJSON_ArrayForEach(c, chunks)
    {
        long n = ttj_hex_decode(c->valuestring, bytes + at, total - at);
        if (n < 0) {
            free(bytes);
            shim_reply_bad_member(rq, "every chunk must be a string of hex digit "
                                 "pairs");
            return;
        }
        at += (size_t)n;
    }

    tt_stream *s = need(malloc(sizeof *s));
    tt_stream_init(s, rq->crc);
    char head[64];
    snprintf(head, sizeof head, "{\"id\":%lld,\"ok\":true,\"events\":[",
             rq->id);
    out_str(rq->out, head);
    bool first = true;
    size_t fed = 0;
    cJSON_ArrayForEach(c, chunks)
    {
        const uint8_t *p = bytes + fed;
        size_t left = strlen(c->valuestring) / 2;
        fed += left;
        tt_stream_event ev;
        while (tt_stream_next(s, &p, &left, &ev) > 0) {
            if (!first)
                out_str(rq->out, ",");
            first = false;
            put_event(rq->out, &ev);
        }
    }
    char tail[48];
    snprintf(tail, sizeof tail, "],\"pending\":%zu}\n", tt_stream_pending(s));
    out_str(rq->out, tail);
    free(s);
    free(bytes);
}

static const struct op {
    const char *name;
    void (*run)(const struct shim_request *rq);
} ops[] = {
    {"hello", op_hello},
    {"decode", op_decode},
    {"encode", op_encode},
    {"stream", op_stream},
    {"splinter.validate", sp_op_validate},
    {"splinter.reassemble", sp_op_reassemble},
    {"splinter.fault", sp_op_fault},
};

/* The protocols of hello's "protocols" (spec/harness.md HP-3.3-c). */
static const char *const protocols[] = {"tamtam-core/1", "splinter/1"};

static void op_hello(const struct shim_request *rq)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rq->json, "version");
    long long version = 1;
    if (v && !shim_get_integer(v, &version)) {
        shim_reply_bad_member(rq, "\"version\" must be an integer");
        return;
    }
    if (version != 1) {
        cJSON *reply = shim_reply_new(rq, false);
        need(cJSON_AddStringToObject(reply, "error", "unsupported"));
        need(cJSON_AddStringToObject(reply, "detail",
                                     "this shim speaks harness protocol "
                                     "version 1"));
        send_reply(rq->out, reply);
        return;
    }
    cJSON *reply = shim_reply_new(rq, true);
    need(cJSON_AddStringToObject(reply, "impl", SHIM_IMPL_NAME));
    need(cJSON_AddStringToObject(reply, "impl_version", TT_VERSION));
    need(cJSON_AddStringToObject(reply, "crc", tt_crc_name(rq->crc)));
    cJSON *protos = need(cJSON_AddArrayToObject(reply, "protocols"));
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++)
        cJSON_AddItemToArray(protos, need(cJSON_CreateString(protocols[i])));
    cJSON *names = need(cJSON_AddArrayToObject(reply, "ops"));
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].run != op_hello)
            cJSON_AddItemToArray(names, need(cJSON_CreateString(ops[i].name)));
    send_reply(rq->out, reply);
}

/* Whether a string of the (valid JSON) text holds the escape \u0000:
 * cJSON keeps strings NUL-terminated, so it would silently cut such a
 * string short ("01\u0000zz" would read as the hex "01"). */
static bool has_nul_escape(const char *p, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '"') {
            in_string = !in_string;
        } else if (in_string && p[i] == '\\') {
            if (i + 5 < len && p[i + 1] == 'u' &&
                memcmp(p + i + 2, "0000", 4) == 0)
                return true;
            i++;
        }
    }
    return false;
}

/* Parses the whole line as one JSON value, whitespace around it allowed;
 * NULL when it is not exactly that. */
static cJSON *parse_line(const char *line, size_t len)
{
    const char *end;
    cJSON *json = cJSON_ParseWithLengthOpts(line, len, &end, false);
    if (!json)
        return NULL;
    /* cJSON's whitespace: every byte up to the space. */
    while (end < line + len && (unsigned char)*end <= ' ')
        end++;
    if (end == line + len)
        return json;
    cJSON_Delete(json);
    return NULL;
}

void shim_handle_line(const char *line, size_t len, tt_crc crc,
                      const struct shim_out *out)
{
    if (memchr(line, '\0', len)) {
        reply_bad_request(out, NULL, "the line contains a NUL byte");
        return;
    }
    cJSON *json = parse_line(line, len);
    struct shim_request rq = {.json = json, .crc = crc, .out = out};
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(json, "op");
    if (!json) {
        reply_bad_request(out, NULL, "the line is not valid JSON");
    } else if (!cJSON_IsObject(json)) {
        reply_bad_request(out, NULL, "the request is not a JSON object");
    } else if (!id) {
        reply_bad_request(out, NULL, "the request has no \"id\"");
    } else if (!shim_get_integer(id, &rq.id)) {
        reply_bad_request(out, NULL, "\"id\" must be an integer");
    } else if (has_nul_escape(line, len)) {
        shim_reply_bad_member(&rq, "a string holds \\u0000, which this shim "
                              "cannot represent");
    } else if (!cJSON_IsString(op)) {
        shim_reply_bad_member(&rq, "\"op\" must be a string");
    } else {
        size_t i = 0;
        while (i < sizeof ops / sizeof ops[0] &&
               strcmp(ops[i].name, op->valuestring) != 0)
            i++;
        if (i < sizeof ops / sizeof ops[0])
            ops[i].run(&rq);
        else
            reply_error(&rq, "unsupported");
    }
    cJSON_Delete(json);
}

static void put_writer(void *ctx, const void *p, size_t n)
{
    writer_put(ctx, p, n);
}

int shim_run(int in_fd, int out_fd, tt_crc crc)
{
    struct line_reader lr;
    struct writer *w = need(malloc(sizeof *w));
    const struct shim_out out = {put_writer, w};
    line_reader_init(&lr, in_fd, SHIM_LINE_MAX);
    writer_init(w, out_fd);
    char too_long[96];
    snprintf(too_long, sizeof too_long,
             "the line is longer than %u bytes; skipped to its newline",
             SHIM_LINE_MAX);
    int status = 0;
    for (;;) {
        char *line;
        size_t len;
        enum line_status st = line_next(&lr, &line, &len);
        if (st == LINE_EOF)
            break;
        if (st == LINE_ERROR) {
            log_msg("shim: cannot read requests: %s", strerror(errno));
            status = 1;
            break;
        }
        if (st == LINE_TOO_LONG)
            reply_bad_request(&out, NULL, too_long);
        else
            shim_handle_line(line, len, crc, &out);
        if (!writer_flush(w)) {
            log_msg("shim: cannot write a response: %s", strerror(errno));
            status = 1;
            break;
        }
    }
    line_reader_free(&lr);
    free(w);
    return status;
}
