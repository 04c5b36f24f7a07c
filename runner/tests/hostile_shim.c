/*
 * A harness-protocol shim for the runner's tests: answers like a correct
 * implementation (over libtamtam) until request N after hello, then
 * misbehaves as MODE says.
 *
 *   hostile_shim MODE [N [MARKER]]
 *
 * MODE: ok, crash, hang, garbage, wrongid, hugeline, flood, close (exit
 * without answering), nohello, badhello, nounsupported (answers bad_request
 * to an unknown op), noencode (hello without "encode", "unsupported" to
 * stream), stderr (1 MiB on stderr first), restartfail (misbehaves like
 * crash, and every later start exits at once), endless (bytes without a
 * newline, forever), lines (10 million short garbage lines before its
 * answer), widejson (its answer with a member holding 7 million numbers,
 * 14 MB of JSON) and fullline (its answer with two members that bring the
 * line just below 16 MiB and its parse just below the runner's 48 MiB
 * estimate: 415,000 numbers and a string; the protocol allows it); these
 * two pad every decode answer from request N on; events answers every
 * stream from request N on with 132,000 discard events, as many as the
 * runner's estimate lets through; twolines answers a line that is not
 * JSON twice, in one write; lateline answers request N, then writes one
 * more line in a write of its own.
 * With MARKER, only the first process misbehaves: it creates the file
 * MARKER, and a process that finds it behaves (restartfail: refuses to
 * start).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttj.h"

static const char *mode;
static long nth = 1;

static void put(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    printf("%s\n", s);
    fflush(stdout);
    cJSON_free(s);
    cJSON_Delete(o);
}

static cJSON *reply(const cJSON *req, bool ok)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    cJSON_AddNumberToObject(o, "id", cJSON_IsNumber(id) ? id->valuedouble : 0);
    cJSON_AddBoolToObject(o, "ok", ok);
    return o;
}

static cJSON *error(const cJSON *req, const char *name)
{
    cJSON *o = reply(req, false);
    cJSON_AddStringToObject(o, "error", name);
    return o;
}

static cJSON *hello(const cJSON *req)
{
    cJSON *o = reply(req, true);
    cJSON_AddStringToObject(o, "impl", "hostile-shim");
    cJSON_AddStringToObject(o, "impl_version", "0");
    cJSON_AddStringToObject(o, "crc", "CRC-8/SMBUS");
    cJSON *ops = cJSON_AddArrayToObject(o, "ops");
    cJSON_AddItemToArray(ops, cJSON_CreateString("decode"));
    if (strcmp(mode, "noencode"))
        cJSON_AddItemToArray(ops, cJSON_CreateString("encode"));
    cJSON_AddItemToArray(ops, cJSON_CreateString("stream"));
    return o;
}

static cJSON *decode(const cJSON *req)
{
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(req, "hex");
    static uint8_t buf[1 << 16];
    long n = cJSON_IsString(hex) ? ttj_hex_decode(hex->valuestring, buf,
                                                  sizeof buf)
                                 : -1;
    if (n < 0)
        return error(req, "bad_request");
    tt_frame f;
    int r = tt_decode(buf, (size_t)n, TT_CRC_SMBUS, &f);
    if (r < 0)
        return error(req, tt_error_name(r));
    cJSON *o = reply(req, true);
    cJSON_AddNumberToObject(o, "consumed", r);
    cJSON_AddItemToObject(o, "frame", ttj_frame_to_json(&f));
    return o;
}

static cJSON *encode(const cJSON *req)
{
    static ttj_frame in;
    static uint8_t out[TT_FRAME_MAX];
    if (ttj_frame_from_json(cJSON_GetObjectItemCaseSensitive(req, "frame"),
                            false, &in, NULL))
        return error(req, "bad_request");
    int r = tt_encode(&in.f, TT_CRC_SMBUS, out, sizeof out);
    if (r < 0)
        return error(req, tt_error_name(r));
    cJSON *o = reply(req, true);
    cJSON_AddItemToObject(o, "hex", ttj_hex_string(out, (size_t)r));
    return o;
}

/* Writes `n` bytes of `pattern` (`plen` bytes, repeated). */
static void repeat(const char *pattern, size_t plen, long n)
{
    static char block[1 << 16];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = pattern[i % plen];
    for (long left = n; left > 0;) {
        /* Whole periods of the pattern per write. */
        size_t k = sizeof block - sizeof block % plen;
        if ((long)k > left)
            k = (size_t)left;
        if (fwrite(block, 1, k, stdout) != k)
            exit(1);
        left -= (long)k;
    }
}

/* events: a stream answer of `n` discard events. */
static void put_events(const cJSON *req, long n)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    static const char ev[] = ",{\"error\":\"crc_mismatch\",\"offset\":0}";
    printf("{\"id\":%.0f,\"ok\":true,\"events\":[%s",
           cJSON_IsNumber(id) ? id->valuedouble : 0, ev + 1);
    repeat(ev, sizeof ev - 1, (long)(sizeof ev - 1) * (n - 1));
    printf("],\"pending\":0}\n");
    fflush(stdout);
}

static cJSON *stream(const cJSON *req)
{
    if (!strcmp(mode, "noencode"))
        return error(req, "unsupported");
    static tt_stream s;
    static uint8_t buf[1 << 20]; /* a chunk may be a whole request */
    tt_stream_init(&s, TT_CRC_SMBUS);
    cJSON *o = reply(req, true);
    cJSON *events = cJSON_AddArrayToObject(o, "events");
    const cJSON *chunk;
    cJSON_ArrayForEach(chunk, cJSON_GetObjectItemCaseSensitive(req, "chunks"))
    {
        long n = cJSON_IsString(chunk)
                     ? ttj_hex_decode(chunk->valuestring, buf, sizeof buf)
                     : -1;
        if (n < 0) {
            cJSON_Delete(o);
            return error(req, "bad_request");
        }
        const uint8_t *p = buf;
        size_t left = (size_t)n;
        tt_stream_event ev;
        while (tt_stream_next(&s, &p, &left, &ev) > 0) {
            cJSON *e = cJSON_CreateObject();
            if (ev.status == 0) {
                cJSON_AddItemToObject(e, "frame", ttj_frame_to_json(&ev.frame));
            } else {
                cJSON_AddStringToObject(e, "error", tt_error_name(ev.status));
                cJSON_AddNumberToObject(e, "offset", (double)ev.offset);
            }
            cJSON_AddItemToArray(events, e);
        }
    }
    cJSON_AddNumberToObject(o, "pending", (double)tt_stream_pending(&s));
    return o;
}

/* The misbehaviour for request number N. Returns only for modes that then
 * carry on normally. */
static void misbehave(const cJSON *req)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    if (!strcmp(mode, "crash") || !strcmp(mode, "restartfail"))
        abort();
    if (!strcmp(mode, "hang"))
        for (;;)
            pause();
    if (!strcmp(mode, "close"))
        exit(0);
    if (!strcmp(mode, "garbage")) {
        printf("garbage \x01\xff not json\n");
        fflush(stdout);
    } else if (!strcmp(mode, "wrongid")) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id",
                                (cJSON_IsNumber(id) ? id->valuedouble : 0) + 1000);
        cJSON_AddBoolToObject(o, "ok", true);
        put(o);
    } else if (!strcmp(mode, "hugeline")) {
        /* 100 MB without a newline; SIGPIPE ends it when the reader quits. */
        static char block[1 << 20];
        memset(block, 'x', sizeof block);
        for (int i = 0; i < 100; i++)
            if (fwrite(block, 1, sizeof block, stdout) != sizeof block)
                exit(1);
        printf("\n");
        exit(0);
    } else if (!strcmp(mode, "flood")) {
        for (;;)
            if (printf("{\"id\":0,\"ok\":true}\n") < 0)
                exit(1);
    } else if (!strcmp(mode, "endless")) {
        static char block[1 << 16];
        memset(block, '{', sizeof block);
        for (;;)
            if (fwrite(block, 1, sizeof block, stdout) != sizeof block)
                exit(1);
    } else if (!strcmp(mode, "lines")) {
        for (long i = 0; i < 10000000; i++)
            if (fputs("x\n", stdout) < 0)
                exit(1);
    }
}

/* widejson and fullline: `o` printed with two more members, "x" an array
 * of `numbers` zeros and "y" a string of `chars` letters. */
static void put_padded(cJSON *o, long numbers, long chars)
{
    char *s = cJSON_PrintUnformatted(o);
    s[strlen(s) - 1] = '\0'; /* the closing brace */
    printf("%s,\"x\":[0", s);
    repeat(",0", 2, 2 * (numbers - 1));
    fputs("],\"y\":\"", stdout);
    repeat("abcdefghijklmnopqrstuvwxyz", 26, chars);
    printf("\"}\n");
    fflush(stdout);
    cJSON_free(s);
    cJSON_Delete(o);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: hostile_shim MODE [N [MARKER]]\n", stderr);
        return 2;
    }
    mode = argv[1];
    if (argc > 2)
        nth = atol(argv[2]);
    if (argc > 3) {
        if (access(argv[3], F_OK) == 0) {
            if (!strcmp(mode, "restartfail")) {
                fputs("hostile_shim: refusing to start again\n", stderr);
                return 3;
            }
            mode = "ok";
        }
        FILE *m = fopen(argv[3], "w");
        if (m)
            fclose(m);
    }
    if (!strcmp(mode, "stderr")) {
        static char block[4096];
        memset(block, 'e', sizeof block);
        for (int i = 0; i < 256; i++)
            fwrite(block, 1, sizeof block, stderr);
    }
    static char line[1 << 20];
    long count = -1; /* requests after hello */
    while (fgets(line, sizeof line, stdin)) {
        cJSON *req = cJSON_Parse(line);
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
        if (!cJSON_IsObject(req) || !cJSON_IsString(op)) {
            if (!strcmp(mode, "twolines")) /* both in one write */
                printf("{\"ok\":false,\"error\":\"bad_request\"}\n");
            put(error(req, "bad_request"));
            cJSON_Delete(req);
            continue;
        }
        if (!strcmp(op->valuestring, "hello")) {
            if (!strcmp(mode, "nohello"))
                for (;;)
                    pause();
            if (!strcmp(mode, "badhello")) {
                printf("{\"id\":1,\"ok\":true}\n");
                fflush(stdout);
            } else {
                put(hello(req));
            }
            count = 0;
            cJSON_Delete(req);
            continue;
        }
        if (++count == nth)
            misbehave(req);
        if (count >= nth && !strcmp(op->valuestring, "decode") &&
            !strcmp(mode, "widejson"))
            put_padded(decode(req), 7000000, 0);
        else if (count >= nth && !strcmp(op->valuestring, "decode") &&
                 !strcmp(mode, "fullline"))
            put_padded(decode(req), 415000, 15900000);
        else if (count >= nth && !strcmp(op->valuestring, "stream") &&
                 !strcmp(mode, "events"))
            put_events(req, 132000);
        else if (!strcmp(op->valuestring, "decode"))
            put(decode(req));
        else if (!strcmp(op->valuestring, "encode"))
            put(encode(req));
        else if (!strcmp(op->valuestring, "stream"))
            put(stream(req));
        else
            put(error(req, strcmp(mode, "nounsupported") ? "unsupported"
                                                         : "bad_request"));
        if (count == nth && !strcmp(mode, "lateline")) {
            printf("{\"id\":0,\"ok\":true}\n");
            fflush(stdout);
        }
        cJSON_Delete(req);
    }
    return 0;
}
