/*
 * The stream cases of the Splinter set (spec section 8): lines of one
 * stream in arrival order and what the spec says the receiver does with
 * them. Each line arrives at its own ts; `now` is the receiver's clock
 * after the last line (README, "splinter-stream.json").
 *
 * A case lists its chunks (seq, eof, payload, ts offset, ttl_ms, type, or a
 * raw line) and its outcome: which lines' payloads are delivered in which
 * order, complete or not, the chunk faults with their rules, the lines
 * dropped as identical duplicates, and whether the stream times out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "splinter/splinter.h"
#include "splinter_set.h"
#include "vectors.h"

#define U7S "01890a5d-ac96-7c4b-8cce-b302099a8058"
#define T0_SEC 1767225600 /* 2026-01-01T00:00:00Z */
#define LINES_MAX 72
#define CHUNK_LINE_MAX 512
#define BIG_PAYLOAD 1048000u /* bytes of one large chunk's payload text */

/* A chunk of the case. ttl NULL: no ttl_ms. payload NULL: {"part":seq};
 * NOPAY: no payload member. raw: the whole line instead. */
typedef struct ck {
    long seq;
    const char *eof; /* "true" / "false" */
    long ts_ms;
    const char *ttl, *payload, *type, *raw;
} ck;

static const char nopay_mark[] = "(none)";
#define NOPAY nopay_mark

/* The outcome: deliver = indices of lines whose payloads are delivered, in
 * order ("0 2 1"); faults = "INDEX:CODE:RULE ..."; dups = indices of the
 * identical duplicates; now_ms = now after T0 in ms, plus now_ns. */
typedef struct outcome {
    const char *deliver;
    bool complete;
    const char *faults, *dups;
    long now_ms;
    long now_ns;
    bool timeout;
} outcome;

static cJSON *g_vectors;
static size_t *g_failed;

static void fail_case(const char *id, const char *why)
{
    fprintf(stderr, "gen: cannot build %s: %s\n", id, why);
    (*g_failed)++;
}

/* Writes the line of chunk `c` into `out` (cap bytes); payload text into
 * *payload (a view of c->payload or of `pbuf`), NULL when none. */
static int chunk_line(const ck *c, char *out, size_t cap, char *pbuf,
                      size_t pcap, const char **payload)
{
    if (c->raw) {
        *payload = NULL;
        return snprintf(out, cap, "%s", c->raw);
    }
    if (c->payload == NOPAY)
        *payload = NULL;
    else if (c->payload)
        *payload = c->payload;
    else {
        snprintf(pbuf, pcap, "{\"part\":%ld}", c->seq);
        *payload = pbuf;
    }
    sp_time t = {T0_SEC + c->ts_ms / 1000, (uint32_t)(c->ts_ms % 1000) * 1000000u};
    char ts[40];
    if (sp_time_format(&t, 3, ts, sizeof ts) < 0)
        return -1;
    char ttl[48] = "";
    if (c->ttl)
        snprintf(ttl, sizeof ttl, ",\"ttl_ms\":%s", c->ttl);
    char pay[CHUNK_LINE_MAX / 2] = "";
    if (*payload && strlen(*payload) < sizeof pay - 16)
        snprintf(pay, sizeof pay, ",\"payload\":%s", *payload);
    else if (*payload)
        return -1;
    return snprintf(out, cap,
                    "{\"id\":\"" U7S "\",\"ts\":\"%s\",\"from\":\"chat\","
                    "\"to\":\"rag_server\",\"type\":\"%s\"%s,\"seq\":%ld,"
                    "\"eof\":%s%s}",
                    ts, c->type ? c->type : "query", ttl, c->seq,
                    c->eof ? c->eof : "false", pay);
}

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

/* Adds a vector of pre-built lines; payloads[i] is line i's payload text
 * (NULL: none). */
static void add_lines(const char *id, const char *reqs, const char *desc,
                      char *const *lines, char *const *payloads, size_t n,
                      const outcome *o)
{
    cJSON *v = cJSON_CreateObject();
    bool ok = v && cJSON_AddStringToObject(v, "id", id);
    cJSON *r = ok ? reqs_array(reqs) : NULL;
    ok = ok && r && cJSON_AddItemToObject(v, "requirements", r);
    ok = ok && cJSON_AddStringToObject(v, "description", desc);
    cJSON *ls = ok ? cJSON_AddArrayToObject(v, "lines") : NULL;
    for (size_t i = 0; ls && i < n; i++)
        ok = ok && cJSON_AddItemToArray(ls, cJSON_CreateString(lines[i]));
    sp_time now = {T0_SEC + o->now_ms / 1000,
                   (uint32_t)(o->now_ms % 1000) * 1000000u + (uint32_t)o->now_ns};
    char nowtext[40];
    ok = ok && ls && sp_time_format(&now, 9, nowtext, sizeof nowtext) > 0 &&
         cJSON_AddStringToObject(v, "now", nowtext);
    ok = ok && cJSON_AddStringToObject(v, "expect", o->timeout ? "fault" : "ok");
    cJSON *pl = ok ? cJSON_AddArrayToObject(v, "payloads") : NULL;
    ok = pl != NULL;
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", o->deliver ? o->deliver : "");
    for (char *t = strtok_r(buf, " ", &save); ok && t;
         t = strtok_r(NULL, " ", &save)) {
        size_t k = (size_t)strtoul(t, NULL, 10);
        cJSON *p = k < n && payloads[k] ? cJSON_Parse(payloads[k]) : NULL;
        ok = p && cJSON_AddItemToArray(pl, p);
    }
    ok = ok && cJSON_AddBoolToObject(v, "complete", o->complete);
    cJSON *fs = ok ? cJSON_AddArrayToObject(v, "faults") : NULL;
    ok = fs != NULL;
    snprintf(buf, sizeof buf, "%s", o->faults ? o->faults : "");
    save = NULL;
    for (char *t = strtok_r(buf, " ", &save); ok && t;
         t = strtok_r(NULL, " ", &save)) {
        unsigned long idx = 0;
        int code = 0;
        char rule[24];
        cJSON *f = cJSON_CreateObject();
        ok = f && sscanf(t, "%lu:%d:%23s", &idx, &code, rule) == 3 &&
             sp_fault_symbol(code) &&
             cJSON_AddNumberToObject(f, "index", (double)idx) &&
             cJSON_AddNumberToObject(f, "fault", code) &&
             cJSON_AddStringToObject(f, "symbol", sp_fault_symbol(code)) &&
             cJSON_AddStringToObject(f, "rule", rule) &&
             cJSON_AddItemToArray(fs, f);
        if (!ok)
            cJSON_Delete(f);
    }
    cJSON *ns = ok ? cJSON_AddArrayToObject(v, "notes") : NULL;
    ok = ns != NULL;
    snprintf(buf, sizeof buf, "%s", o->dups ? o->dups : "");
    save = NULL;
    for (char *t = strtok_r(buf, " ", &save); ok && t;
         t = strtok_r(NULL, " ", &save)) {
        cJSON *x = cJSON_CreateObject();
        ok = x &&
             cJSON_AddNumberToObject(x, "index", (double)strtoul(t, NULL, 10)) &&
             cJSON_AddStringToObject(x, "note",
                                     sp_note_name(SP_NOTE_DUPLICATE_CHUNK)) &&
             cJSON_AddItemToArray(ns, x);
        if (!ok)
            cJSON_Delete(x);
    }
    if (ok && o->timeout)
        ok = cJSON_AddNumberToObject(v, "fault", SP_FAULT_STREAM_TIMEOUT) &&
             cJSON_AddStringToObject(v, "symbol",
                                     sp_fault_symbol(SP_FAULT_STREAM_TIMEOUT));
    if (ok && cJSON_AddItemToArray(g_vectors, v))
        return;
    cJSON_Delete(v);
    fail_case(id, "out of memory or a malformed outcome");
}

/* Adds a vector from chunk specs. */
static void add_stream(const char *id, const char *reqs, const char *desc,
                       const ck *c, size_t n, const outcome *o)
{
    static char lines[LINES_MAX][CHUNK_LINE_MAX], pbufs[LINES_MAX][64];
    char *lp[LINES_MAX], *pp[LINES_MAX];
    if (n > LINES_MAX) {
        fail_case(id, "too many lines");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *payload = NULL;
        int len = chunk_line(&c[i], lines[i], CHUNK_LINE_MAX, pbufs[i],
                             sizeof pbufs[i], &payload);
        if (len < 0 || len >= CHUNK_LINE_MAX) {
            fail_case(id, "a line does not fit");
            return;
        }
        lp[i] = lines[i];
        pp[i] = (char *)payload; /* read only */
    }
    add_lines(id, reqs, desc, lp, pp, n, o);
}

#define STREAM(id, reqs, desc, out, ...)                                        \
    do {                                                                       \
        const ck c_[] = {__VA_ARGS__};                                         \
        const outcome o_ = out;                                                \
        add_stream(id, reqs, desc, c_, sizeof c_ / sizeof *c_, &o_);           \
    } while (0)

/* The chunks 0..n-1 in the order `order` (n <= LINES_MAX), the last eof. */
static void window_case(const char *id, const char *reqs, const char *desc,
                        const long *order, size_t n, const outcome *o)
{
    ck c[LINES_MAX];
    for (size_t i = 0; i < n; i++)
        c[i] = (ck){.seq = order[i],
                    .eof = order[i] == (long)n - 1 ? "true" : "false",
                    .ts_ms = (long)i};
    add_stream(id, reqs, desc, c, n, o);
}

static void cases_window(void)
{
    long order[LINES_MAX];
    char deliver[LINES_MAX * 4];
    size_t d = 0;
    /* 63 first (the window's last seq), then 0..62. */
    order[0] = 63;
    for (long i = 0; i < 63; i++)
        order[i + 1] = i;
    for (size_t i = 1; i <= 63; i++)
        d += (size_t)snprintf(deliver + d, sizeof deliver - d, "%zu ", i);
    snprintf(deliver + d, sizeof deliver - d, "0");
    window_case("ss-window-edge-63", "SP-8-d SP-8-c",
                "64 chunks, seq 63 (base + 63) first, then 0 to 62: held, "
                "all delivered in order, complete",
                order, 64, &(outcome){.deliver = deliver, .complete = true,
                                      .now_ms = 1000});
    /* 71 chunks in order, then seq 2 again: below base - 64. */
    ck c[LINES_MAX];
    d = 0;
    for (long i = 0; i < 70; i++) {
        c[i] = (ck){.seq = i, .eof = "false", .ts_ms = i};
        d += (size_t)snprintf(deliver + d, sizeof deliver - d, "%ld ", i);
    }
    c[70] = (ck){.seq = 2, .eof = "false", .ts_ms = 70};
    c[71] = (ck){.seq = 6, .eof = "false", .ts_ms = 71};
    add_stream("ss-below-window", "SP-8-f SP-8-e",
               "70 chunks in order (base 70), then seq 2 (below base - 64: "
               "can no longer be compared, 1000) and seq 6 (delivered 64 "
               "seqs ago, still comparable: identical duplicate)",
               c, 72,
               &(outcome){.deliver = deliver, .complete = false,
                          .faults = "70:1000:SP-8-f", .dups = "71",
                          .now_ms = 1000});
}

/* Four chunks of about 1 MiB each held (seq 1..4, seq 0 missing) fill the
 * 4 MiB per stream limit but for 2304 bytes; the fifth gets 4100 (SP-8-h).
 * Nothing is delivered, so the file holds each large payload once. */
static void case_memory(void)
{
    static const char *const id = "ss-memory-limit-4100";
    enum { N = 5 };
    char *lines[N] = {0}, *pays[N] = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < N; i++) {
        long seq = (long)i + 1;
        pays[i] = malloc(BIG_PAYLOAD + 1);
        lines[i] = malloc(BIG_PAYLOAD + CHUNK_LINE_MAX);
        ok = pays[i] && lines[i];
        if (!ok)
            break;
        pays[i][0] = '"';
        memset(pays[i] + 1, (int)('a' + i), BIG_PAYLOAD - 2);
        pays[i][BIG_PAYLOAD - 1] = '"';
        pays[i][BIG_PAYLOAD] = '\0';
        char ts[40];
        sp_time t = {T0_SEC, (uint32_t)i * 1000000u};
        ok = sp_time_format(&t, 3, ts, sizeof ts) > 0;
        snprintf(lines[i], BIG_PAYLOAD + CHUNK_LINE_MAX,
                 "{\"id\":\"" U7S "\",\"ts\":\"%s\",\"from\":\"chat\","
                 "\"type\":\"query\",\"seq\":%ld,\"eof\":%s,\"payload\":%s}",
                 ts, seq, seq == N ? "true" : "false", pays[i]);
    }
    if (ok)
        add_lines(id, "SP-8-h SP-2-f",
                  "Seq 1 to 4 with payloads of 1 048 000 bytes are held (seq "
                  "0 missing): 4 192 000 bytes; seq 5 would pass the 4 MiB "
                  "per stream limit: 4100, not stored",
                  lines, pays, N,
                  &(outcome){.deliver = "", .complete = false,
                             .faults = "4:4100:SP-8-h", .now_ms = 1000});
    else
        fail_case(id, "out of memory");
    for (size_t i = 0; i < N; i++) {
        free(lines[i]);
        free(pays[i]);
    }
}

void spv_cases_streams(cJSON *vectors, size_t *failed);

void spv_cases_streams(cJSON *vectors, size_t *failed)
{
    g_vectors = vectors;
    g_failed = failed;
    const char *one = "SP-8-b SP-8-c";
    STREAM("ss-one-chunk", one, "One chunk, seq 0 eof true: delivered, complete",
           ((outcome){.deliver = "0", .complete = true, .now_ms = 1000}),
           {.seq = 0, .eof = "true"});
    STREAM("ss-in-order-3", "SP-8-a SP-8-b SP-8-c",
           "Seq 0, 1, 2 (eof) in order: three payloads, complete",
           ((outcome){.deliver = "0 1 2", .complete = true, .now_ms = 1000}),
           {.seq = 0}, {.seq = 1, .ts_ms = 1}, {.seq = 2, .eof = "true", .ts_ms = 2});
    STREAM("ss-reordered-2-0-1", "SP-8-c SP-8-d",
           "Seq 2 (eof), 0, 1: 2 is held, 0 delivered, then 1 and 2",
           ((outcome){.deliver = "1 2 0", .complete = true, .now_ms = 1000}),
           {.seq = 2, .eof = "true"}, {.seq = 0, .ts_ms = 1}, {.seq = 1, .ts_ms = 2});
    STREAM("ss-reordered-reverse-5", "SP-8-c SP-8-d",
           "Seq 4 (eof), 3, 2, 1, 0: all held until 0, then 0 to 4",
           ((outcome){.deliver = "4 3 2 1 0", .complete = true, .now_ms = 1000}),
           {.seq = 4, .eof = "true"}, {.seq = 3, .ts_ms = 1}, {.seq = 2, .ts_ms = 2},
           {.seq = 1, .ts_ms = 3}, {.seq = 0, .ts_ms = 4});
    STREAM("ss-reordered-pairs", "SP-8-c SP-8-d",
           "Seq 1, 0, 3 (eof), 2: delivered 0 1 2 3",
           ((outcome){.deliver = "1 0 3 2", .complete = true, .now_ms = 1000}),
           {.seq = 1}, {.seq = 0, .ts_ms = 1}, {.seq = 3, .eof = "true", .ts_ms = 2},
           {.seq = 2, .ts_ms = 3});
    STREAM("ss-past-window", "SP-8-d SP-8-f",
           "Base 0: seq 64 is past the window (1000, not stored); 63 is held; "
           "then 0 delivers 0",
           ((outcome){.deliver = "2", .complete = false,
                      .faults = "0:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 64}, {.seq = 63, .ts_ms = 1}, {.seq = 0, .ts_ms = 2});
    STREAM("ss-past-window-after-base", "SP-8-d SP-8-f",
           "After 0 and 1 (base 2), seq 65 is inside the window and held, "
           "seq 66 is past it: 1000",
           ((outcome){.deliver = "0 1", .complete = false,
                      .faults = "3:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 0}, {.seq = 1, .ts_ms = 1}, {.seq = 65, .ts_ms = 2},
           {.seq = 66, .ts_ms = 3});
    STREAM("ss-gap", "SP-8-c SP-8-d",
           "Seq 0, 2 (eof): 0 delivered, 2 held behind the gap at 1, not "
           "complete (deadline not reached)",
           ((outcome){.deliver = "0", .complete = false, .now_ms = 1000}),
           {.seq = 0}, {.seq = 2, .eof = "true", .ts_ms = 1});
    STREAM("ss-gap-filled", "SP-8-c",
           "Seq 0, 2 (eof), 1: the gap is filled, 1 and 2 delivered",
           ((outcome){.deliver = "0 2 1", .complete = true, .now_ms = 1000}),
           {.seq = 0}, {.seq = 2, .eof = "true", .ts_ms = 1}, {.seq = 1, .ts_ms = 2});
    STREAM("ss-no-start", "SP-8-c",
           "Seq 1 and 2 (eof) without 0: nothing delivered",
           ((outcome){.deliver = "", .complete = false, .now_ms = 1000}),
           {.seq = 1}, {.seq = 2, .eof = "true", .ts_ms = 1});
    STREAM("ss-dup-identical-delivered", "SP-8-e SP-9.3-a",
           "Seq 0, 0 again (identical), 1 (eof): the duplicate is dropped "
           "with the note duplicate_chunk",
           ((outcome){.deliver = "0 2", .complete = true, .dups = "1",
                      .now_ms = 1000}),
           {.seq = 0}, {.seq = 0, .ts_ms = 1}, {.seq = 1, .eof = "true", .ts_ms = 2});
    STREAM("ss-dup-identical-held", "SP-8-e",
           "Seq 2 (eof), 2 again (identical, held), 0, 1: dropped once, "
           "delivered once",
           ((outcome){.deliver = "2 3 0", .complete = true, .dups = "1",
                      .now_ms = 1000}),
           {.seq = 2, .eof = "true"}, {.seq = 2, .eof = "true", .ts_ms = 1},
           {.seq = 0, .ts_ms = 2}, {.seq = 1, .ts_ms = 3});
    STREAM("ss-dup-identical-other-ts", "SP-8-e",
           "Seq 0, then seq 0 with the same payload but another ts and a "
           "ttl_ms: identical (only payload and eof compare)",
           ((outcome){.deliver = "0", .complete = false, .dups = "1",
                      .now_ms = 1000}),
           {.seq = 0}, {.seq = 0, .ts_ms = 500, .ttl = "60000"});
    STREAM("ss-dup-identical-spacing", "SP-8-e",
           "Seq 0 with payload {\"a\":[1,2]}, then the same written with "
           "spaces: identical (compared as compact JSON)",
           ((outcome){.deliver = "0", .complete = false, .dups = "1",
                      .now_ms = 1000}),
           {.seq = 0, .payload = "{\"a\":[1,2]}"},
           {.seq = 0, .payload = "{ \"a\" : [ 1 , 2 ] }", .ts_ms = 1});
    STREAM("ss-dup-conflict-payload", "SP-8-f",
           "Seq 0, then seq 0 with another payload: 1000 for the second, "
           "the first stays delivered",
           ((outcome){.deliver = "0", .complete = false,
                      .faults = "1:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 0}, {.seq = 0, .payload = "{\"part\":99}", .ts_ms = 1});
    STREAM("ss-dup-conflict-held", "SP-8-f",
           "Seq 1 held, then seq 1 with another payload: 1000; then 0 and "
           "2 (eof): the first seq 1 is delivered",
           ((outcome){.deliver = "2 0 3", .complete = true,
                      .faults = "1:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 1}, {.seq = 1, .payload = "\"other\"", .ts_ms = 1},
           {.seq = 0, .ts_ms = 2}, {.seq = 2, .eof = "true", .ts_ms = 3});
    STREAM("ss-dup-conflict-eof", "SP-8-f",
           "Seq 0 eof false, then seq 0 eof true with the same payload: "
           "1000 (eof differs)",
           ((outcome){.deliver = "0", .complete = false,
                      .faults = "1:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 0}, {.seq = 0, .eof = "true", .ts_ms = 1});
    STREAM("ss-dup-conflict-member-order", "SP-8-f SP-8-e",
           "Seq 0 with {\"a\":1,\"b\":2}, then with {\"b\":2,\"a\":1}: "
           "member order counts, 1000",
           ((outcome){.deliver = "0", .complete = false,
                      .faults = "1:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 0, .payload = "{\"a\":1,\"b\":2}"},
           {.seq = 0, .payload = "{\"b\":2,\"a\":1}", .ts_ms = 1});
    STREAM("ss-after-eof-complete", "SP-8-f SP-8-i",
           "Seq 0, 1 (eof), then 2: the stream is complete, 1000 for 2",
           ((outcome){.deliver = "0 1", .complete = true,
                      .faults = "2:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 0}, {.seq = 1, .eof = "true", .ts_ms = 1}, {.seq = 2, .ts_ms = 2});
    STREAM("ss-after-eof-incomplete", "SP-8-f",
           "Seq 2 (eof) held, then 3: a chunk after eof, 1000",
           ((outcome){.deliver = "", .complete = false,
                      .faults = "1:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 2, .eof = "true"}, {.seq = 3, .ts_ms = 1});
    STREAM("ss-second-eof", "SP-8-f",
           "Seq 3 (eof) held, then seq 2 with eof true: a second eof at "
           "another seq, 1000",
           ((outcome){.deliver = "", .complete = false,
                      .faults = "1:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 3, .eof = "true"}, {.seq = 2, .eof = "true", .ts_ms = 1});
    STREAM("ss-eof-below-held", "SP-8-f",
           "Seq 3 held, then seq 1 with eof true below it: 1000 for the eof",
           ((outcome){.deliver = "", .complete = false,
                      .faults = "1:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 3}, {.seq = 1, .eof = "true", .ts_ms = 1});
    STREAM("ss-complete-late-dup", "SP-8-i SP-8-f",
           "A one-chunk stream, then the same chunk again before the "
           "deadline: the stream is remembered as complete, 1000",
           ((outcome){.deliver = "0", .complete = true,
                      .faults = "1:1000:SP-8-f", .now_ms = 20000}),
           {.seq = 0, .eof = "true"}, {.seq = 0, .eof = "true", .ts_ms = 10000});
    STREAM("ss-complete-forgotten", "SP-8-i SP-8-g",
           "A one-chunk stream (deadline ts + 30 s), then a chunk with the "
           "same id 31 s later: the old stream is forgotten, a new one opens "
           "and completes",
           ((outcome){.deliver = "0 1", .complete = true, .now_ms = 32000}),
           {.seq = 0, .eof = "true"},
           {.seq = 0, .eof = "true", .payload = "\"again\"", .ts_ms = 31000});
    STREAM("ss-type-change", "SP-8-a",
           "Seq 0 query, seq 1 event: another type, 1000; seq 1 query (eof) "
           "then completes",
           ((outcome){.deliver = "0 2", .complete = true,
                      .faults = "1:1000:SP-8-a", .now_ms = 1000}),
           {.seq = 0}, {.seq = 1, .type = "event", .ts_ms = 1},
           {.seq = 1, .eof = "true", .ts_ms = 2});
    STREAM("ss-bad-line-between", "SP-8-c SP-9.2-e SP-2-c",
           "Seq 0, a line that is not JSON, seq 1 (eof): 1000 for the bad "
           "line, the stream goes on",
           ((outcome){.deliver = "0 2", .complete = true,
                      .faults = "1:1000:SP-2-c", .now_ms = 1000}),
           {.seq = 0}, {.raw = "{\"id\":\"" U7S "\",\"seq\":"},
           {.seq = 1, .eof = "true", .ts_ms = 2});
    STREAM("ss-unknown-type-chunk", "SP-4-a SP-8-c",
           "Seq 0 (eof) of type stream: 3000 for the line, nothing delivered",
           ((outcome){.deliver = "", .complete = false,
                      .faults = "0:3000:SP-4-a", .now_ms = 1000}),
           {.seq = 0, .eof = "true", .type = "stream"});
    STREAM("ss-heartbeat-chunks", "SP-4-c SP-8-c",
           "Heartbeat chunks with payloads {\"part\":0} and {\"part\":1}: "
           "delivered like any type",
           ((outcome){.deliver = "0 1", .complete = true, .now_ms = 1000}),
           {.seq = 0, .type = "heartbeat"},
           {.seq = 1, .eof = "true", .type = "heartbeat", .ts_ms = 1});
    STREAM("ss-seq-max", "SP-3.2-d SP-8-d",
           "A first chunk with seq 2^32 - 1: past the window of base 0, 1000",
           ((outcome){.deliver = "", .complete = false,
                      .faults = "0:1000:SP-8-f", .now_ms = 1000}),
           {.seq = 4294967295L, .eof = "true"});

    /* Deadlines (SP-8-g). */
    STREAM("ss-timeout-ttl-gap", "SP-8-g SP-5.1-a",
           "ttl_ms 1000; seq 0 and 2 (eof), 1 missing; now 1 ns after ts + "
           "ttl_ms: 4200, seq 0 was delivered",
           ((outcome){.deliver = "0", .complete = false, .now_ms = 1000,
                      .now_ns = 1, .timeout = true}),
           {.seq = 0, .ttl = "1000"}, {.seq = 2, .eof = "true", .ttl = "1000",
                                       .ts_ms = 10});
    STREAM("ss-timeout-ttl-equal", "SP-8-g SP-5.1-a",
           "The same with now exactly at ts + ttl_ms: on time, no 4200",
           ((outcome){.deliver = "0", .complete = false, .now_ms = 1000}),
           {.seq = 0, .ttl = "1000"}, {.seq = 2, .eof = "true", .ttl = "1000",
                                       .ts_ms = 10});
    STREAM("ss-timeout-ttl-no-eof", "SP-8-g",
           "ttl_ms 500; seq 0 and 1, no eof yet; now 600 ms: 4200",
           ((outcome){.deliver = "0 1", .complete = false, .now_ms = 600,
                      .timeout = true}),
           {.seq = 0, .ttl = "500"}, {.seq = 1, .ttl = "500", .ts_ms = 1});
    STREAM("ss-timeout-ttl-first-arrival", "SP-8-g",
           "The first chunk to arrive (seq 1, ttl_ms 100) fixes the "
           "deadline; seq 0 then carries ttl_ms 60000: now 200 ms, 4200",
           ((outcome){.deliver = "1 0", .complete = false, .now_ms = 200,
                      .timeout = true}),
           {.seq = 1, .ttl = "100"}, {.seq = 0, .ttl = "60000", .ts_ms = 50});
    STREAM("ss-timeout-no-ttl", "SP-8-g",
           "No ttl_ms: the deadline is arrival + 30 000 ms; seq 0 only; now "
           "30 s + 1 ns after its ts: 4200",
           ((outcome){.deliver = "0", .complete = false, .now_ms = 30000,
                      .now_ns = 1, .timeout = true}),
           {.seq = 0});
    STREAM("ss-timeout-no-ttl-equal", "SP-8-g",
           "No ttl_ms, now exactly 30 000 ms after the first arrival: on "
           "time",
           ((outcome){.deliver = "0", .complete = false, .now_ms = 30000}),
           {.seq = 0});
    STREAM("ss-timeout-no-ttl-held", "SP-8-g",
           "No ttl_ms; seq 1 and 2 (eof) held, 0 never comes; now 31 s: 4200, "
           "nothing delivered",
           ((outcome){.deliver = "", .complete = false, .now_ms = 31000,
                      .timeout = true}),
           {.seq = 1}, {.seq = 2, .eof = "true", .ts_ms = 1});
    STREAM("ss-complete-past-deadline", "SP-8-g SP-8-i",
           "ttl_ms 100, all chunks in time, now long after the deadline: "
           "complete streams never time out",
           ((outcome){.deliver = "0 1", .complete = true, .now_ms = 60000}),
           {.seq = 0, .ttl = "100"}, {.seq = 1, .eof = "true", .ttl = "100",
                                      .ts_ms = 1});
    cases_window();
    case_memory();
}
