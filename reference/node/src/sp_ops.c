/* The splinter/1 harness ops: every verdict is libsplinter's (sp_validate,
 * sp_reasm_*, sp_fault_reply); this file only reads requests and writes
 * responses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ttj.h"
#include "sp_ops.h"

sp_time node_sp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sp_time t = {(int64_t)ts.tv_sec, (uint32_t)ts.tv_nsec};
    return t;
}

void node_exact_numbers(cJSON *v)
{
    for (cJSON *c = v ? v->child : NULL; c; c = c->next) {
        if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
            node_exact_numbers(c);
            continue;
        }
        if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
            continue;
        char digits[40];
        double d = c->valuedouble;
        if (d == trunc(d) && fabs(d) <= 9007199254740992.0)
            snprintf(digits, sizeof digits, "%.0f", d);
        else
            snprintf(digits, sizeof digits, "%.17g", d);
        /* The item stays in place (its name and links); only its kind and
         * text change, the text allocated by cJSON. */
        cJSON *raw = need(cJSON_CreateRaw(digits));
        c->valuestring = raw->valuestring;
        raw->valuestring = NULL;
        cJSON_Delete(raw);
        c->type = (c->type & ~0xFF) | cJSON_Raw;
    }
}

static const cJSON *member(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* Reads the optional (`required` false) RFC 3339 member "now". Returns 1
 * with *t set, 0 when absent and optional, -1 after answering bad_request. */
static int get_now(const struct shim_request *rq, bool required, sp_time *t)
{
    const cJSON *v = member(rq->json, "now");
    if (!v && !required)
        return 0;
    if (!v || !cJSON_IsString(v) ||
        sp_time_parse(v->valuestring, strlen(v->valuestring), t) < 0) {
        shim_reply_bad_member(rq, "\"now\" must be an RFC 3339 UTC time "
                                  "(spec/splinter-envelope.md section 5)");
        return -1;
    }
    return 1;
}

/* The names of the SP_NOTE_* bits of `notes`, in table order. */
static void add_note_names(cJSON *arr, unsigned notes)
{
#define SP__NOTE_NAME(id, bit, name, req)                                      \
    if (notes & (bit))                                                         \
        cJSON_AddItemToArray(arr, need(cJSON_CreateString(name)));
    SP_NOTE_MAP(SP__NOTE_NAME)
#undef SP__NOTE_NAME
}

/* {"id":N,"ok":false,"error":SYMBOL,"fault":CODE[,"req":ID][,"detail":D]} */
static cJSON *fault_reply(const struct shim_request *rq, int fault,
                          const char *req, const char *detail)
{
    cJSON *reply = shim_reply_new(rq, false);
    need(cJSON_AddStringToObject(reply, "error", sp_fault_symbol(fault)));
    need(cJSON_AddNumberToObject(reply, "fault", fault));
    if (req)
        need(cJSON_AddStringToObject(reply, "req", req));
    if (detail && *detail)
        need(cJSON_AddStringToObject(reply, "detail", detail));
    return reply;
}

void sp_op_validate(const struct shim_request *rq)
{
    const cJSON *line = member(rq->json, "line");
    const cJSON *hex = member(rq->json, "line_hex");
    if (!line == !hex || (line && !cJSON_IsString(line)) ||
        (hex && !cJSON_IsString(hex))) {
        shim_reply_bad_member(rq, "exactly one of \"line\" (a string) and "
                                  "\"line_hex\" (hex digit pairs) is "
                                  "required");
        return;
    }
    /* line_hex: the bytes a JSON string cannot carry (invalid UTF-8, a
     * NUL byte), as lower- or upper-case hex pairs. */
    char *bytes = NULL;
    size_t len = 0;
    if (hex) {
        size_t cap = strlen(hex->valuestring) / 2;
        bytes = need(malloc(cap ? cap : 1));
        long n = ttj_hex_decode(hex->valuestring, (uint8_t *)bytes, cap);
        if (n < 0) {
            free(bytes);
            shim_reply_bad_member(rq, "\"line_hex\" must be a string of hex "
                                      "digit pairs");
            return;
        }
        len = (size_t)n;
    } else {
        len = strlen(line->valuestring);
    }
    const char *text = hex ? bytes : line->valuestring;
    sp_time now;
    int has_now = get_now(rq, false, &now);
    if (has_now < 0) {
        free(bytes);
        return;
    }
    const cJSON *allow = member(rq->json, "allow");
    if (cJSON_IsNull(allow))
        allow = NULL;
    sp_envelope env;
    sp_check chk;
    int r = sp_validate(text, len, allow, has_now ? &now : NULL, &env, &chk);
    free(bytes);
    if (r == SP_ERR_NO_MEMORY)
        need(NULL);
    if (r < 0) {
        shim_reply_bad_member(rq, "\"allow\" must be an object whose members "
                                  "are arrays of strings (SP-6-c)");
        return;
    }
    cJSON *reply;
    if (r > 0) {
        reply = fault_reply(rq, r, chk.req, chk.detail);
    } else {
        reply = shim_reply_new(rq, true);
        /* The parsed tree moves into the response: no copy of a line that
         * may be 1 MiB. */
        cJSON *root = env.root;
        env.root = NULL;
        node_exact_numbers(root);
        if (!cJSON_AddItemToObject(reply, "envelope", root))
            need(NULL);
        add_note_names(need(cJSON_AddArrayToObject(reply, "notes")),
                       chk.notes);
    }
    sp_envelope_free(&env);
    shim_reply_send(rq, reply);
}

/* The streams a reassemble request opened, by (from, id). */
struct keys {
    char **from, **id;
    size_t n;
};

static void keys_add(struct keys *k, const char *from, const char *id)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->from[i], from) == 0 && strcmp(k->id[i], id) == 0)
            return;
    k->from[k->n] = need(strdup(from));
    k->id[k->n] = need(strdup(id));
    k->n++;
}

static void keys_free(struct keys *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->from[i]);
        free(k->id[i]);
    }
    free(k->from);
    free(k->id);
}

static void add_index_entry(cJSON *arr, int index, const char *name,
                            cJSON *value)
{
    cJSON *e = need(cJSON_CreateObject());
    need(cJSON_AddNumberToObject(e, "index", index));
    if (!cJSON_AddItemToObject(e, name, value))
        need(NULL);
    cJSON_AddItemToArray(arr, e);
}

/* Takes every payload of stream (from, id) ready for delivery. */
static void take_ready(sp_reasm *r, const char *from, const char *id,
                       cJSON *payloads)
{
    char *text;
    while (sp_reasm_take(r, from, id, &text) > 0) {
        cJSON *v = need(cJSON_Parse(text));
        cJSON *box = need(cJSON_CreateArray());
        cJSON_AddItemToArray(box, v);
        node_exact_numbers(box);
        v = cJSON_DetachItemFromArray(box, 0);
        cJSON_Delete(box);
        /* libsplinter prints payloads with cJSON: cJSON's allocator (the
         * fuzz target counts cJSON's memory through hooks). */
        cJSON_free(text);
        cJSON_AddItemToArray(payloads, v);
    }
}

/* Reports whether any stream's deadline passed before `at` (and forgets
 * those streams). */
static bool expired(sp_reasm *r, const sp_time *at)
{
    bool any = false;
    sp_expired x;
    while (sp_reasm_expire(r, at, &x) > 0) {
        free(x.from);
        any = true;
    }
    return any;
}

void sp_op_reassemble(const struct shim_request *rq)
{
    const cJSON *lines = member(rq->json, "lines"), *l;
    if (!cJSON_IsArray(lines)) {
        shim_reply_bad_member(rq, "\"lines\" must be an array of strings");
        return;
    }
    cJSON_ArrayForEach(l, lines)
    {
        if (!cJSON_IsString(l)) {
            shim_reply_bad_member(rq, "every line must be a string");
            return;
        }
    }
    sp_time now;
    if (get_now(rq, true, &now) < 0)
        return;

    size_t n = (size_t)cJSON_GetArraySize(lines);
    struct keys k = {need(calloc(n + 1, sizeof(char *))),
                     need(calloc(n + 1, sizeof(char *))), 0};
    sp_reasm *r = need(sp_reasm_new(NULL));
    cJSON *payloads = need(cJSON_CreateArray());
    cJSON *faults = need(cJSON_CreateArray());
    cJSON *notes = need(cJSON_CreateArray());
    bool timed_out = false;
    int bad_line = -1, index = 0;
    cJSON_ArrayForEach(l, lines)
    {
        sp_envelope env;
        sp_check chk;
        /* Each line arrives at its own ts, so its TTL (1001) cannot
         * expire; time is judged by the streams' deadlines against each
         * arrival and against "now". */
        int v = sp_validate(l->valuestring, strlen(l->valuestring), NULL,
                            NULL, &env, &chk);
        if (v == SP_ERR_NO_MEMORY)
            need(NULL);
        if (v > 0) {
            add_index_entry(faults, index, "fault", need(cJSON_CreateNumber(v)));
        } else if (v == 0 && !env.has_seq) {
            bad_line = index;
        } else if (v == 0) {
            sp_chunk_result cr;
            if (sp_reasm_push(r, &env, &env.ts, &cr) == SP_ERR_NO_MEMORY)
                need(NULL);
            if (cr.fault)
                add_index_entry(faults, index, "fault",
                                need(cJSON_CreateNumber(cr.fault)));
            if (cr.notes & SP_NOTE_DUPLICATE_CHUNK)
                add_index_entry(notes, index, "note",
                                need(cJSON_CreateString("duplicate_chunk")));
            if (!cr.fault)
                keys_add(&k, env.from, env.id);
            take_ready(r, env.from, env.id, payloads);
            timed_out |= expired(r, &env.ts);
        }
        sp_envelope_free(&env);
        if (bad_line >= 0)
            break;
        index++;
    }
    bool complete = k.n > 0;
    for (size_t i = 0; i < k.n; i++)
        complete &= sp_reasm_complete(r, k.from[i], k.id[i]);
    timed_out |= expired(r, &now);
    sp_reasm_free(r);
    keys_free(&k);

    cJSON *reply;
    if (bad_line >= 0) {
        char why[96];
        snprintf(why, sizeof why,
                 "lines[%d] is a valid envelope but not a chunk (no seq/eof)",
                 bad_line);
        shim_reply_bad_member(rq, why);
        cJSON_Delete(payloads);
        cJSON_Delete(faults);
        cJSON_Delete(notes);
        return;
    }
    if (timed_out) {
        reply = fault_reply(rq, SP_FAULT_STREAM_TIMEOUT, "SP-8-g", NULL);
        cJSON_Delete(notes);
    } else {
        reply = shim_reply_new(rq, true);
        need(cJSON_AddBoolToObject(reply, "complete", complete));
        if (!cJSON_AddItemToObject(reply, "notes", notes))
            need(NULL);
    }
    /* Delivered payloads and per-line faults stay part of the answer on a
     * timeout too (SP-8-g: delivered payloads stay delivered). */
    if (!cJSON_AddItemToObject(reply, "payloads", payloads) ||
        !cJSON_AddItemToObject(reply, "faults", faults))
        need(NULL);
    shim_reply_send(rq, reply);
}

void sp_op_fault(const struct shim_request *rq)
{
    const cJSON *trigger = member(rq->json, "trigger");
    const cJSON *detail = member(rq->json, "detail");
    long long code;
    if (!cJSON_IsString(trigger)) {
        shim_reply_bad_member(rq, "\"trigger\" must be a string");
        return;
    }
    if (!shim_get_integer(member(rq->json, "fault"), &code) ||
        code < 0 || code > 99999 || !sp_fault_symbol((int)code)) {
        shim_reply_bad_member(rq, "\"fault\" must be a code of the fault "
                                  "table (spec/splinter-envelope.md 9.1)");
        return;
    }
    if (detail && !cJSON_IsString(detail)) {
        shim_reply_bad_member(rq, "\"detail\" must be a string");
        return;
    }
    sp_time now;
    int has_now = get_now(rq, false, &now);
    if (has_now < 0)
        return;
    if (!has_now)
        now = node_sp_now();
    char *text = NULL;
    int r = sp_fault_reply(trigger->valuestring, strlen(trigger->valuestring),
                           (int)code, detail ? detail->valuestring : NULL,
                           SP_SERVICE_NAME, &now, &text);
    if (r == SP_ERR_NO_MEMORY)
        need(NULL);
    cJSON *reply;
    if (r == SP_ERR_NO_REPLY) {
        reply = shim_reply_new(rq, false);
        need(cJSON_AddStringToObject(reply, "error", "no_reply"));
        need(cJSON_AddStringToObject(
            reply, "detail",
            "no reply is possible: the trigger's id or from cannot be read, "
            "or it is an error envelope (SP-9.2-c, SP-9.2-d)"));
    } else if (r < 0) {
        shim_reply_bad_member(rq, "\"now\" cannot be written as a ts "
                                  "(years 0000 to 9999)");
        return;
    } else {
        reply = shim_reply_new(rq, true);
        if (!cJSON_AddItemToObject(reply, "envelope", need(cJSON_Parse(text))))
            need(NULL);
        need(cJSON_AddStringToObject(reply, "line", text));
    }
    cJSON_free(text); /* printed by cJSON inside sp_fault_reply */
    shim_reply_send(rq, reply);
}
