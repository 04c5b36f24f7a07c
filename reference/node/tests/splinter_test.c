/* tamtam-node splinter (the Splinter service) over TCP and unix sockets,
 * under hostile loads, and the shim's splinter/1 ops. Expected envelopes
 * are written here from spec/splinter-envelope.md (member order of SP-9.2-a,
 * fault codes of 9.1, the announcement of SP-10-b), never from libsplinter.
 * Every wait is nodetest's no-progress deadline; nothing sleeps. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "nodetest.h"

#define MIB 1048576u

/* The node is built with the same flags as this program: memory caps
 * scale as in hostile_test.c (ASan about 3 times, TSan 10). */
#ifdef __has_feature
#define HAS_FEATURE(x) __has_feature(x)
#else
#define HAS_FEATURE(x) 0
#endif
#if defined(__SANITIZE_THREAD__) || HAS_FEATURE(thread_sanitizer)
#define MEMORY_SCALE 10
#elif defined(__SANITIZE_ADDRESS__) || HAS_FEATURE(address_sanitizer)
#define MEMORY_SCALE 3
#define UNDER_ASAN 1
#else
#define MEMORY_SCALE 1
#endif

static struct nt_child node;
static char node_url[256];
static char sock_dir[256], sock_path[300];
static int (*open_conn)(void);

/* ---- reading lines from a socket ---- */

struct rd {
    int fd;
    char *buf;
    size_t len, cap;
};

/* The next line (without LF), malloc'd; fails at end of stream. */
static char *rd_line(struct rd *r)
{
    for (;;) {
        char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - r->buf);
            char *l = malloc(n + 1);
            assert_non_null(l);
            memcpy(l, r->buf, n);
            l[n] = '\0';
            memmove(r->buf, nl + 1, r->len - n - 1);
            r->len -= n + 1;
            return l;
        }
        if (r->cap - r->len < 65536) {
            r->cap = r->cap ? 2 * r->cap : 131072;
            r->buf = realloc(r->buf, r->cap);
            assert_non_null(r->buf);
        }
        long k = nt_recv_some(r->fd, r->buf + r->len, r->cap - r->len);
        if (k <= 0)
            fail_msg("the service ended the connection (%ld)", k);
        r->len += (size_t)k;
    }
}

static cJSON *rd_json(struct rd *r)
{
    char *l = rd_line(r);
    cJSON *j = cJSON_Parse(l);
    if (!cJSON_IsObject(j))
        fail_msg("not a JSON object: %.300s", l);
    free(l);
    return j;
}

static void rd_close(struct rd *r)
{
    close(r->fd);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* Appends `s` to the string in `buf` (cap bytes); fails when it does not
 * fit. */
static void append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    assert_true(n + strlen(s) < cap);
    memmove(buf + n, s, strlen(s) + 1);
}

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void expect_str(const cJSON *o, const char *name, const char *want)
{
    const cJSON *v = get(o, name);
    if (!cJSON_IsString(v))
        fail_msg("member \"%s\" is not a string", name);
    assert_string_equal(v->valuestring, want);
}

/* SP-5-f: YYYY-MM-DDThh:mm:ss.fffZ */
static void expect_writer_ts(const cJSON *o)
{
    const cJSON *v = get(o, "ts");
    assert_true(cJSON_IsString(v));
    const char *t = v->valuestring;
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    assert_int_equal(strlen(t), strlen(shape));
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd')
            assert_true(t[i] >= '0' && t[i] <= '9');
        else
            assert_int_equal(t[i], shape[i]);
}

/* The names of `o`'s members, in order, joined by commas. */
static void expect_members(const cJSON *o, const char *want)
{
    char got[256] = "";
    const cJSON *m;
    cJSON_ArrayForEach(m, o)
    {
        if (*got)
            append(got, sizeof got, ",");
        append(got, sizeof got, m->string);
    }
    assert_string_equal(got, want);
}

/* A fault reply of SP-9.2-a to (id, to) with `code`. */
static void expect_fault(const cJSON *e, const char *id, const char *to,
                         int code, const char *symbol)
{
    expect_members(e, "id,ts,from,to,type,payload");
    expect_str(e, "id", id);
    expect_writer_ts(e);
    expect_str(e, "from", "tamtam-node");
    expect_str(e, "to", to);
    expect_str(e, "type", "error");
    const cJSON *p = get(e, "payload");
    expect_members(p, "code,symbol,detail");
    assert_int_equal(get(p, "code")->valueint, code);
    expect_str(p, "symbol", symbol);
}

/* ---- envelopes ---- */

static void ts_now(char *out, size_t cap, long long plus_ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    long long ms = (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000 + plus_ms;
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, cap - n, ".%03dZ", (int)(ms % 1000));
}

/* {"id":ID,"ts":now,"from":FROM,"type":TYPE<rest>} with LF; rest is
 * either "" or starts with a comma. */
static char *env_line(const char *id, const char *from, const char *type,
                      const char *rest)
{
    char ts[64], *l;
    ts_now(ts, sizeof ts, 0);
    assert_true(asprintf(&l,
                         "{\"id\":\"%s\",\"ts\":\"%s\",\"from\":\"%s\","
                         "\"type\":\"%s\"%s}\n",
                         id, ts, from, type, rest) > 0);
    return l;
}

static void send_str(int fd, const char *s)
{
    nt_send(fd, s, strlen(s), 0);
}

static void send_env(int fd, const char *id, const char *from,
                     const char *type, const char *rest)
{
    char *l = env_line(id, from, type, rest);
    send_str(fd, l);
    free(l);
}

/* ---- the node ---- */

static int start_node(const char *const *args)
{
    nt_start(&node, args);
    snprintf(node_url, sizeof node_url, "%s", nt_listening(&node));
    return 0;
}

static int stop_node(void **state)
{
    (void)state;
    int status = nt_stop(&node, SIGTERM);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int tcp_conn(void)
{
    return nt_tcp_connect(nt_url_port(node_url));
}

static int unix_conn(void)
{
    return nt_unix_connect(sock_path);
}

/* SP-10-b: the first line of every connection. */
static void expect_announcement(struct rd *r)
{
    cJSON *a = rd_json(r);
    expect_members(a, "id,ts,from,to,type,payload");
    const char *id = get(a, "id")->valuestring;
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[14], '7'); /* a UUIDv7 (SP-3.1-c) */
    expect_writer_ts(a);
    expect_str(a, "from", "tamtam-node");
    expect_str(a, "to", "*");
    expect_str(a, "type", "event");
    char *p = cJSON_PrintUnformatted(get(a, "payload"));
    assert_string_equal(p, "{\"splinter\":{\"versions\":[\"1.0\"]}}");
    free(p);
    cJSON_Delete(a);
}

static void conn_open(struct rd *r)
{
    memset(r, 0, sizeof *r);
    r->fd = open_conn();
    expect_announcement(r);
}

/* A heartbeat round trip: the connection still works, and nothing was
 * answered before it (the reply is the next line). */
static void probe(struct rd *r, const char *id)
{
    send_env(r->fd, id, "cli", "heartbeat", "");
    cJSON *h = rd_json(r);
    expect_members(h, "id,ts,from,to,type");
    expect_str(h, "id", id);
    expect_str(h, "to", "cli");
    expect_str(h, "type", "heartbeat");
    cJSON_Delete(h);
}

static int setup_tcp(void **state)
{
    (void)state;
    const char *args[] = {"splinter", "--listen", "tcp://127.0.0.1:0", NULL};
    open_conn = tcp_conn;
    return start_node(args);
}

static int setup_unix(void **state)
{
    (void)state;
    snprintf(sock_dir, sizeof sock_dir, "%s", nt_tmpdir());
    snprintf(sock_path, sizeof sock_path, "%s/sp.sock", sock_dir);
    char url[320];
    snprintf(url, sizeof url, "unix://%s", sock_path);
    const char *args[] = {"splinter", "--listen", url, NULL};
    open_conn = unix_conn;
    start_node(args);
    assert_string_equal(node_url, url);
    return 0;
}

static int teardown_unix(void **state)
{
    int r = stop_node(state);
    return r == 0 && rmdir(sock_dir) == 0 ? 0 : -1;
}

/* ---- service tests (tcp and unix) ---- */

static void test_announce_heartbeat(void **state)
{
    (void)state;
    struct rd a, b;
    conn_open(&a);
    conn_open(&b); /* every connection gets its own announcement */
    probe(&a, "hb-1");
    probe(&b, "hb-2");
    /* A heartbeat to someone else is not this service's (SP-4-f). */
    send_env(a.fd, "hb-other", "cli", "heartbeat", ",\"to\":\"somebody\"");
    probe(&a, "hb-3");
    rd_close(&a);
    rd_close(&b);
}

static void test_echo(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    static const char payload[] =
        "{\"q\":[1,2.5,\"\xc3\xa9t\xc3\xa9\",null,true,{\"x\":{}}],\"n\":-7,"
        "\"big\":9007199254740991,\"f\":0.30000000000000004}";
    char rest[256];
    snprintf(rest, sizeof rest, ",\"to\":\"echo\",\"trace\":\"t-1\","
             "\"payload\":%s,\"extra\":1", payload);
    send_env(r.fd, "q-1", "cli", "query", rest);
    cJSON *e = rd_json(&r);
    expect_members(e, "id,ts,from,to,type,trace,payload");
    expect_str(e, "id", "q-1");
    expect_writer_ts(e);
    expect_str(e, "from", "tamtam-node");
    expect_str(e, "to", "cli");
    expect_str(e, "type", "response");
    expect_str(e, "trace", "t-1");
    cJSON *want = cJSON_Parse(payload);
    assert_true(cJSON_Compare(get(e, "payload"), want, true));
    cJSON_Delete(want);
    /* exactly: cJSON's own printing would give 9.00719925474099e+15 */
    assert_true(get(get(e, "payload"), "big")->valuedouble ==
                9007199254740991.0);
    assert_true(get(get(e, "payload"), "f")->valuedouble ==
                0.30000000000000004);
    cJSON_Delete(e);
    rd_close(&r);
}

/* The query's payload comes back cut into `n` string chunks. */
static void expect_chunked(struct rd *r, const char *id, const char *payload,
                           int n)
{
    char *joined = calloc(1, strlen(payload) * 2 + 1);
    assert_non_null(joined);
    for (int i = 0; i < n; i++) {
        cJSON *c = rd_json(r);
        expect_members(c, "id,ts,from,to,type,seq,eof,payload");
        expect_str(c, "id", id);
        expect_str(c, "type", "response");
        assert_int_equal(get(c, "seq")->valueint, i);
        assert_int_equal(cJSON_IsTrue(get(c, "eof")), i == n - 1);
        assert_true(cJSON_IsString(get(c, "payload")));
        append(joined, strlen(payload) * 2 + 1, get(c, "payload")->valuestring);
        cJSON_Delete(c);
    }
    cJSON *got = cJSON_Parse(joined), *want = cJSON_Parse(payload);
    assert_true(cJSON_Compare(got, want, true));
    cJSON_Delete(got);
    cJSON_Delete(want);
    free(joined);
}

static void test_chunked_response(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    static const char *const payloads[] = {
        "{\"chunks\":3,\"text\":\"h\xc3\xa9llo \xf0\x9f\x98\x80 world\"}",
        "{\"chunks\":1}",
        "{\"chunks\":40,\"a\":\"xy\"}", /* more chunks than bytes */
    };
    static const int counts[] = {3, 1, 40};
    for (int i = 0; i < 3; i++) {
        char rest[256], id[16];
        snprintf(rest, sizeof rest, ",\"to\":\"echo\",\"payload\":%s",
                 payloads[i]);
        snprintf(id, sizeof id, "cr-%d", i);
        send_env(r.fd, id, "cli", "query", rest);
        expect_chunked(&r, id, payloads[i], counts[i]);
    }
    /* chunks out of 1..1024: 5000 INTERNAL_ERROR */
    send_env(r.fd, "cr-bad", "cli", "query",
             ",\"to\":\"echo\",\"payload\":{\"chunks\":0}");
    cJSON *f = rd_json(&r);
    expect_fault(f, "cr-bad", "cli", 5000, "INTERNAL_ERROR");
    cJSON_Delete(f);
    rd_close(&r);
}

static char *chunk(const char *id, unsigned seq, bool eof, const char *payload,
                   const char *more)
{
    char rest[512];
    snprintf(rest, sizeof rest,
             ",\"to\":\"echo\",\"seq\":%u,\"eof\":%s,\"payload\":%s%s", seq,
             eof ? "true" : "false", payload, more);
    return env_line(id, "cli", "query", rest);
}

static void test_chunked_query(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    /* in order, then reordered with an identical duplicate (dropped) */
    static const unsigned orders[2][4] = {{0, 1, 2, 3}, {2, 0, 2, 1}};
    static const char *const parts[] = {"\"A\"", "{\"b\":1}", "[3]"};
    for (int k = 0; k < 2; k++) {
        char id[16];
        snprintf(id, sizeof id, "cq-%d", k);
        for (int i = 0; i < (k ? 4 : 3); i++) {
            unsigned s = orders[k][i];
            char *l = chunk(id, s, s == 2, parts[s], "");
            send_str(r.fd, l);
            free(l);
        }
        cJSON *e = rd_json(&r);
        expect_str(e, "id", id);
        expect_str(e, "type", "response");
        char *p = cJSON_PrintUnformatted(get(e, "payload"));
        assert_string_equal(p, "[\"A\",{\"b\":1},[3]]");
        free(p);
        cJSON_Delete(e);
    }
    /* SP-8-f: a conflicting duplicate is 1000 for that chunk; the stream
     * goes on and completes. */
    char *l = chunk("cq-dup", 0, false, "1", "");
    send_str(r.fd, l);
    free(l);
    l = chunk("cq-dup", 0, false, "2", "");
    send_str(r.fd, l);
    free(l);
    cJSON *f = rd_json(&r);
    expect_fault(f, "cq-dup", "cli", 1000, "BAD_SCHEMA");
    cJSON_Delete(f);
    l = chunk("cq-dup", 1, true, "3", "");
    send_str(r.fd, l);
    free(l);
    cJSON *e = rd_json(&r);
    char *p = cJSON_PrintUnformatted(get(e, "payload"));
    assert_string_equal(p, "[1,3]");
    free(p);
    cJSON_Delete(e);
    rd_close(&r);
}

/* SP-8-g with the real clock: a gap until the deadline (ts + ttl_ms) is
 * 4200 to the stream's from and id, unprompted. */
static void test_stream_timeout(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    char *l = chunk("st-1", 1, true, "\"late\"", ",\"ttl_ms\":300");
    send_str(r.fd, l);
    free(l);
    cJSON *f = rd_json(&r);
    expect_fault(f, "st-1", "cli", 4200, "STREAM_TIMEOUT");
    cJSON_Delete(f);
    probe(&r, "st-probe");
    rd_close(&r);
}

/* Each fault cause, and the order of checks (SP-7-a). */
static void test_faults(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    static const struct {
        const char *line;
        int code;
        const char *symbol;
    } cases[] = {
        /* 1000: missing ts */
        {"{\"id\":\"f1\",\"from\":\"cli\",\"type\":\"query\",\"payload\":1}",
         1000, "BAD_SCHEMA"},
        /* 1000: an impossible date */
        {"{\"id\":\"f2\",\"ts\":\"2023-02-29T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"query\",\"payload\":1}", 1000, "BAD_SCHEMA"},
        /* 3000 */
        {"{\"id\":\"f3\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"ping\",\"payload\":1}", 3000, "UNKNOWN_TYPE"},
        /* order: unknown type without payload is 3000, not 1000 */
        {"{\"id\":\"f4\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"ping\"}", 3000, "UNKNOWN_TYPE"},
        /* order: a bad ts beats an unknown type */
        {"{\"id\":\"f5\",\"ts\":\"2023-01-01 00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"ping\"}", 1000, "BAD_SCHEMA"},
        /* 1000 after the type: a query without payload */
        {"{\"id\":\"f6\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"query\",\"to\":\"echo\"}", 1000, "BAD_SCHEMA"},
        /* 1001: ts + ttl_ms long past */
        {"{\"id\":\"f7\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"query\",\"to\":\"echo\",\"ttl_ms\":1000,\"payload\":1}",
         1001, "TTL_EXPIRED"},
        /* order: a missing payload beats an expired ttl */
        {"{\"id\":\"f8\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"query\",\"ttl_ms\":1}", 1000, "BAD_SCHEMA"},
        /* 1000: seq without eof, CR LF terminator */
        {"{\"id\":\"f9\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"query\",\"seq\":0,\"payload\":1}\r", 1000, "BAD_SCHEMA"},
        /* 5000: a query to a recipient this service does not serve */
        {"{\"id\":\"f10\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"type\":\"query\",\"to\":\"nobody\",\"payload\":1}", 5000,
         "INTERNAL_ERROR"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        send_str(r.fd, cases[i].line);
        send_str(r.fd, "\n");
        cJSON *f = rd_json(&r);
        char id[8];
        snprintf(id, sizeof id, "f%zu", i + 1);
        expect_fault(f, id, "cli", cases[i].code, cases[i].symbol);
        cJSON_Delete(f);
    }
    /* No reply possible (SP-9.2-c/d): counted, and the next line is
     * answered as if nothing happened. */
    static const char *const silent[] = {
        "garbage",
        "",
        "{\"id\":\"s1\",\"ts\":\"2023-01-01T00:00:00Z\",\"type\":\"query\"}",
        "{\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\",\"type\":\"x\"}",
        "{\"id\":\"s2\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
        "\"type\":\"error\",\"payload\":{\"code\":1000,\"symbol\":\"NOPE\"}}",
        "{\"id\":\"s3\",\"id\":\"s3\",\"ts\":\"2023-01-01T00:00:00Z\","
        "\"from\":\"cli\",\"type\":\"query\",\"payload\":1}",
        "{\"id\":\"s4\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
        "\"type\":\"event\",\"payload\":1}", /* valid: needs no answer */
    };
    for (size_t i = 0; i < sizeof silent / sizeof silent[0]; i++) {
        send_str(r.fd, silent[i]);
        send_str(r.fd, "\n");
        char id[16];
        snprintf(id, sizeof id, "after-%zu", i);
        probe(&r, id);
    }
    rd_close(&r);
}

/* SP-2-f: a line of exactly 1 MiB is judged; 1 MiB + 1 is 1000 without a
 * reply (no id can be read), and the connection goes on. */
static void test_long_lines(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    static const char head[] = "{\"id\":\"big\",\"ts\":\"2023-01-01T00:00:00Z\","
                               "\"from\":\"cli\",\"type\":\"heartbeat\","
                               "\"pad\":\"";
    size_t n = MIB + 1;
    char *l = malloc(n + 3);
    assert_non_null(l);
    memcpy(l, head, sizeof head - 1); // NOLINT(bugprone-not-null-terminated-result): a line, not a string
    memset(l + sizeof head - 1, 'x', n - (sizeof head - 1) - 2);
    memcpy(l + n - 2, "\"}", 2); // NOLINT(bugprone-not-null-terminated-result): the line's end
    l[n] = '\n';
    /* 1 MiB + 1: silently dropped */
    nt_send(r.fd, l, n + 1, 0);
    probe(&r, "after-1MiB+1");
    /* exactly 1 MiB (one pad byte fewer), CR LF: answered */
    memmove(l + n - 3, l + n - 2, 2);
    l[n - 1] = '\r';
    l[n] = '\n';
    nt_send(r.fd, l, n + 1, 0);
    cJSON *h = rd_json(&r);
    expect_str(h, "id", "big");
    expect_str(h, "type", "heartbeat");
    cJSON_Delete(h);
    /* 3 MiB without a newline, then one: skipped, never held whole */
    memset(l, 'y', n);
    for (int i = 0; i < 3; i++)
        nt_send(r.fd, l, n, 0);
    send_str(r.fd, "\n");
    probe(&r, "after-3MiB");
    free(l);
    rd_close(&r);
}

/* One byte per write, and many lines in one write. */
static void test_splits(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    char *l = env_line("one-byte", "cli", "query",
                       ",\"to\":\"echo\",\"payload\":\"slow\"");
    nt_send(r.fd, l, strlen(l), 1);
    free(l);
    cJSON *e = rd_json(&r);
    expect_str(e, "id", "one-byte");
    expect_str(e, "payload", "slow");
    cJSON_Delete(e);

    enum { N = 200 };
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    for (int i = 0; i < N; i++) {
        char id[16], rest[64];
        snprintf(id, sizeof id, "m-%d", i);
        snprintf(rest, sizeof rest, ",\"to\":\"echo\",\"payload\":%d", i);
        l = env_line(id, "cli", i % 2 ? "query" : "heartbeat", rest);
        fputs(l, m);
        free(l);
    }
    fclose(m);
    nt_send(r.fd, all, len, 0);
    free(all);
    bool seen[N] = {false};
    for (int i = 0; i < N; i++) {
        cJSON *a = rd_json(&r);
        int k = atoi(get(a, "id")->valuestring + 2);
        assert_true(k >= 0 && k < N && !seen[k]);
        seen[k] = true;
        expect_str(a, "type", k % 2 ? "response" : "heartbeat");
        cJSON_Delete(a);
    }
    rd_close(&r);
}

/* ---- groups with their own node ---- */

static char allow_path[300];

static int setup_allow(void **state)
{
    (void)state;
    snprintf(sock_dir, sizeof sock_dir, "%s", nt_tmpdir());
    snprintf(allow_path, sizeof allow_path, "%s/allow.json", sock_dir);
    FILE *f = fopen(allow_path, "w");
    assert_non_null(f);
    fputs("{\"cli\":[\"echo\",\"*\"],\"other\":[\"x\"]}", f);
    fclose(f);
    const char *args[] = {"splinter", "--listen", "tcp://127.0.0.1:0",
                          "--allow", allow_path, "--inbox", "4", NULL};
    open_conn = tcp_conn;
    return start_node(args);
}

static int teardown_allow(void **state)
{
    int r = stop_node(state);
    unlink(allow_path);
    return r == 0 && rmdir(sock_dir) == 0 ? 0 : -1;
}

/* SP-6-b with --allow; 2000 is judged after 1000 and before 1001. */
static void test_allow(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    probe(&r, "allowed-broadcast"); /* to absent = "*", in cli's list */
    send_env(r.fd, "a1", "cli", "query", ",\"to\":\"echo\",\"payload\":1");
    cJSON *e = rd_json(&r);
    expect_str(e, "type", "response");
    cJSON_Delete(e);
    static const struct {
        const char *line;
        int code;
    } cases[] = {
        {"{\"id\":\"a2\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"to\":\"elsewhere\",\"type\":\"query\",\"payload\":1}", 2000},
        /* a sender without an entry addresses no one, heartbeats too */
        {"{\"id\":\"a3\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"stranger\","
         "\"type\":\"heartbeat\"}", 2000},
        /* "*" is not a wildcard: "other" may address "x" only */
        {"{\"id\":\"a4\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"other\","
         "\"type\":\"heartbeat\"}", 2000},
        /* 2000 beats 1001 */
        {"{\"id\":\"a5\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"to\":\"y\",\"ttl_ms\":1,\"type\":\"query\",\"payload\":1}", 2000},
        /* a missing payload (1000) beats 2000 */
        {"{\"id\":\"a6\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"to\":\"y\",\"type\":\"query\"}", 1000},
        /* 3000 beats 2000 */
        {"{\"id\":\"a7\",\"ts\":\"2023-01-01T00:00:00Z\",\"from\":\"cli\","
         "\"to\":\"y\",\"type\":\"nope\",\"payload\":1}", 3000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        send_str(r.fd, cases[i].line);
        send_str(r.fd, "\n");
        cJSON *f = rd_json(&r);
        const char *from =
            strstr(cases[i].line, "stranger") ? "stranger"
            : strstr(cases[i].line, "\"other\"") ? "other" : "cli";
        char id[8];
        snprintf(id, sizeof id, "a%zu", i + 2);
        expect_fault(f, id, from, cases[i].code,
                     cases[i].code == 2000   ? "NOT_AUTHORIZED"
                     : cases[i].code == 1000 ? "BAD_SCHEMA"
                                             : "UNKNOWN_TYPE");
        cJSON_Delete(f);
    }
    rd_close(&r);
}

/* --inbox 4: a burst of 40 heartbeats in one write gets an answer for
 * every one, a heartbeat or 4100 BACKPRESSURE, never both, nothing lost;
 * the first four fit. */
static void test_inbox_full(void **state)
{
    (void)state;
    struct rd r;
    conn_open(&r);
    enum { N = 40 };
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "in-%d", i);
        char *l = env_line(id, "cli", "heartbeat", "");
        fputs(l, m);
        free(l);
    }
    fclose(m);
    assert_true(len < 8192); /* one segment, one read of the node */
    nt_send(r.fd, all, len, 0);
    free(all);
    bool seen[N] = {false};
    int busy = 0;
    for (int i = 0; i < N; i++) {
        cJSON *a = rd_json(&r);
        int k = atoi(get(a, "id")->valuestring + 3);
        assert_true(k >= 0 && k < N && !seen[k]);
        seen[k] = true;
        if (strcmp(get(a, "type")->valuestring, "error") == 0) {
            char id[16];
            snprintf(id, sizeof id, "in-%d", k);
            expect_fault(a, id, "cli", 4100, "BACKPRESSURE");
            assert_true(k >= 4);
            busy++;
        } else {
            expect_str(a, "type", "heartbeat");
        }
        cJSON_Delete(a);
    }
    assert_true(busy > 0);
    probe(&r, "after-burst");
    rd_close(&r);
}

/* ---- hostile loads ---- */

static int setup_load(void **state)
{
    (void)state;
    nt_child_nofile = 1100;
#ifdef UNDER_ASAN
    /* ASan keeps freed blocks in a quarantine of 256 MiB by default: the
     * resident memory would measure it, not the node. A 16 MiB one keeps
     * the caps meaningful (three times the plain build's, as below). */
    static char opts[1024];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(opts, sizeof opts, "%s%squarantine_size_mb=16", old ? old : "",
             old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
#endif
    const char *args[] = {"splinter", "--listen", "tcp://127.0.0.1:0", NULL};
    open_conn = tcp_conn;
    return start_node(args);
}

static long growth_cap_kib(long plain)
{
    return plain * MEMORY_SCALE;
}

/* 500 connections at once, each announced and answered; then a third
 * of them hold partial lines that grow a byte at a time while a probe is
 * answered; all vanish and the node's descriptors fall back. */
static void test_many_and_slow(void **state)
{
    (void)state;
    enum { N = 500, ROUNDS = 40 };
    long idle_fds = nt_fd_count(node.pid);
    struct rd *c = calloc(N, sizeof *c);
    assert_non_null(c);
    for (int i = 0; i < N; i++)
        conn_open(&c[i]);
    struct rd p;
    conn_open(&p);
    char *line = env_line("slow", "cli", "heartbeat", "");
    size_t len = strlen(line);
    for (int k = 0; k < ROUNDS && (size_t)k < len - 1; k++) {
        for (int i = 0; i < N; i += 3)
            nt_send(c[i].fd, line + k, 1, 0);
        char id[16];
        snprintf(id, sizeof id, "p-%d", k);
        probe(&p, id);
    }
    for (int i = 0; i < N; i += 3) {
        nt_send(c[i].fd, line + ROUNDS, len - ROUNDS, 0);
        cJSON *h = rd_json(&c[i]);
        expect_str(h, "id", "slow");
        cJSON_Delete(h);
    }
    free(line);
    for (int i = 0; i < N; i++)
        rd_close(&c[i]);
    free(c);
    rd_close(&p);
    assert_true(nt_fd_count_falls_to(node.pid, idle_fds));
}

/* 300 connections ending badly, three ways in turn: reset mid-line;
 * 64 KB of queries sent, answers never read, then reset; close mid-line.
 * A probe is answered after every three and no descriptor is left. */
static void test_abrupt(void **state)
{
    (void)state;
    long idle_fds = nt_fd_count(node.pid);
    struct rd p;
    conn_open(&p);
    char *q = env_line("ab", "cli", "query",
                       ",\"to\":\"echo\",\"payload\":\"0123456789\"");
    size_t qlen = strlen(q);
    char *burst = malloc(64 * 1024 + qlen);
    assert_non_null(burst);
    size_t blen = 0;
    while (blen < 64 * 1024) {
        memcpy(burst + blen, q, qlen); // NOLINT(bugprone-not-null-terminated-result): lines
        blen += qlen;
    }
    for (int i = 0; i < 300; i++) {
        struct rd c;
        conn_open(&c);
        if (i % 3 == 1)
            nt_send(c.fd, burst, blen, 0);
        nt_send(c.fd, q, qlen / 2, 0);
        if (i % 3 != 2) {
            struct linger lg = {1, 0}; /* close sends a reset */
            setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        rd_close(&c);
        if (i % 3 == 2) {
            char id[16];
            snprintf(id, sizeof id, "ab-%d", i);
            probe(&p, id);
        }
    }
    free(burst);
    free(q);
    rd_close(&p);
    assert_true(nt_fd_count_falls_to(node.pid, idle_fds));
}

/* Clients that send queries and never read: the node stops reading them
 * (their writes stall), its memory stays bounded, another client is
 * answered meanwhile; once they read, every query has its response. */
static void test_never_reads(void **state)
{
    (void)state;
    enum { N = 4 };
    long before = nt_status_kib(node.pid, "VmRSS");
    struct rd c[N];
    for (int i = 0; i < N; i++)
        conn_open(&c[i]);
    char pad[2001];
    memset(pad, 'z', 2000);
    pad[2000] = '\0';
    char rest[2100];
    snprintf(rest, sizeof rest, ",\"to\":\"echo\",\"payload\":\"%s\"", pad);
    char *l = env_line("nr", "cli", "query", rest);
    size_t len = strlen(l);
    long sent[N] = {0};
    for (int i = 0; i < N; i++) {
        /* Write until the kernel's buffers and the node's cap are full:
         * a send that stays blocked for 300 ms of the node's idleness. */
        size_t off = 0;
        for (;;) {
            struct pollfd pf = {c[i].fd, POLLOUT, 0};
            if (poll(&pf, 1, 300) == 0)
                break;
            ssize_t k = send(c[i].fd, l + off, len - off, MSG_DONTWAIT);
            if (k < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            assert_true(k > 0);
            off += (size_t)k;
            if (off == len) {
                off = 0;
                sent[i]++;
            }
            assert_true(sent[i] < 40000); /* ~80 MB: never stalled */
        }
        /* finish the line in flight so every line is whole */
        if (off) {
            nt_send(c[i].fd, l + off, len - off, 0);
            sent[i]++;
        }
    }
    long after = nt_status_kib(node.pid, "VmRSS");
    printf("# splinter node: %ld KiB resident before, %ld with %d clients "
           "not reading (%ld queries each)\n", before, after, N, sent[0]);
    assert_true(after - before < growth_cap_kib(16 * 1024));
    struct rd p;
    conn_open(&p);
    probe(&p, "meanwhile");
    rd_close(&p);
    for (int i = 0; i < N; i++) {
        for (long k = 0; k < sent[i]; k++) {
            cJSON *e = rd_json(&c[i]);
            expect_str(e, "type", "response");
            cJSON_Delete(e);
        }
        rd_close(&c[i]);
    }
    free(l);
}

/* 32 clients each hold a partial line of 1 MiB; the node holds at most
 * a line's worth per connection and answers them all once it ends. */
static void test_big_partial_lines(void **state)
{
    (void)state;
    enum { N = 32 };
    long before = nt_status_kib(node.pid, "VmHWM");
    static const char head[] = "{\"id\":\"bp\",\"ts\":\"2023-01-01T00:00:00Z\","
                               "\"from\":\"cli\",\"type\":\"heartbeat\","
                               "\"pad\":\"";
    size_t n = MIB - 200;
    char *l = malloc(n);
    assert_non_null(l);
    memcpy(l, head, sizeof head - 1); // NOLINT(bugprone-not-null-terminated-result): a line, not a string
    memset(l + sizeof head - 1, 'x', n - (sizeof head - 1));
    struct rd c[N];
    for (int i = 0; i < N; i++) {
        conn_open(&c[i]);
        nt_send(c[i].fd, l, n, 0);
    }
    struct rd p;
    conn_open(&p);
    probe(&p, "bp-probe");
    for (int i = 0; i < N; i++) {
        send_str(c[i].fd, "\"}\n");
        cJSON *h = rd_json(&c[i]);
        expect_str(h, "id", "bp");
        cJSON_Delete(h);
        rd_close(&c[i]);
    }
    long after = nt_status_kib(node.pid, "VmHWM");
    printf("# splinter node: peak %ld KiB before, %ld after 32 partial "
           "lines of 1 MiB\n", before, after);
    /* about 1 MiB + 16 KiB each, plus one judged line's cJSON tree */
    assert_true(after - before < growth_cap_kib(64 * 1024));
    rd_close(&p);
    free(l);
}

/* ---- shim ops (stdio) ---- */

static cJSON *ask(const char *line)
{
    nt_write(&node, line, strlen(line));
    nt_write(&node, "\n", 1);
    cJSON *r = cJSON_Parse(nt_read_line(&node));
    assert_true(cJSON_IsObject(r));
    return r;
}

static int setup_shim(void **state)
{
    (void)state;
    const char *args[] = {"shim", NULL};
    nt_start(&node, args);
    return 0;
}

static int teardown_shim(void **state)
{
    (void)state;
    nt_close_in(&node);
    int status = nt_wait(&node);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void expect_refusal(const cJSON *r, const char *error, int fault)
{
    assert_false(cJSON_IsTrue(get(r, "ok")));
    expect_str(r, "error", error);
    if (fault)
        assert_int_equal(get(r, "fault")->valueint, fault);
}

static void test_shim_validate(void **state)
{
    (void)state;
    /* valid: the envelope as parsed, unknown members kept, notes */
    cJSON *r = ask("{\"id\":1,\"op\":\"splinter.validate\",\"line\":"
                   "\"{\\\"id\\\":\\\"x\\\",\\\"ts\\\":\\\"2024-02-29T23:59:60"
                   "Z\\\",\\\"from\\\":\\\"a\\\",\\\"type\\\":\\\"event\\\","
                   "\\\"payload\\\":[1],\\\"Zz\\\":{\\\"k\\\":null}}\"}");
    assert_true(cJSON_IsTrue(get(r, "ok")));
    char *p = cJSON_PrintUnformatted(get(r, "envelope"));
    assert_string_equal(p, "{\"id\":\"x\",\"ts\":\"2024-02-29T23:59:60Z\","
                           "\"from\":\"a\",\"type\":\"event\",\"payload\":"
                           "[1],\"Zz\":{\"k\":null}}");
    free(p);
    p = cJSON_PrintUnformatted(get(r, "notes"));
    assert_string_equal(p, "[\"id_not_uuidv7\",\"unknown_member\"]");
    free(p);
    cJSON_Delete(r);
    /* TTL: equal is on time, a millisecond later is 1001 */
    static const char ttl[] =
        "{\"id\":%d,\"op\":\"splinter.validate\",\"now\":\"%s\",\"line\":"
        "\"{\\\"id\\\":\\\"x\\\",\\\"ts\\\":\\\"2024-01-01T00:00:00Z\\\","
        "\\\"from\\\":\\\"a\\\",\\\"type\\\":\\\"heartbeat\\\","
        "\\\"ttl_ms\\\":1000}\"}";
    char line[512];
    snprintf(line, sizeof line, ttl, 2, "2024-01-01T00:00:01Z");
    r = ask(line);
    assert_true(cJSON_IsTrue(get(r, "ok")));
    cJSON_Delete(r);
    snprintf(line, sizeof line, ttl, 3, "2024-01-01T00:00:01.001Z");
    r = ask(line);
    expect_refusal(r, "TTL_EXPIRED", 1001);
    expect_str(r, "req", "SP-5.1-a");
    cJSON_Delete(r);
    /* allow: 2000; unknown type; bad JSON */
    r = ask("{\"id\":4,\"op\":\"splinter.validate\",\"allow\":{\"a\":[\"b\"]},"
            "\"line\":\"{\\\"id\\\":\\\"x\\\",\\\"ts\\\":\\\"2024-01-01T00:00"
            ":00Z\\\",\\\"from\\\":\\\"a\\\",\\\"to\\\":\\\"c\\\",\\\"type\\\""
            ":\\\"query\\\",\\\"payload\\\":1}\"}");
    expect_refusal(r, "NOT_AUTHORIZED", 2000);
    cJSON_Delete(r);
    r = ask("{\"id\":5,\"op\":\"splinter.validate\",\"line\":\"{\\\"id\\\":"
            "\\\"x\\\",\\\"ts\\\":\\\"2024-01-01T00:00:00Z\\\",\\\"from\\\":"
            "\\\"a\\\",\\\"type\\\":\\\"Query\\\"}\"}");
    expect_refusal(r, "UNKNOWN_TYPE", 3000);
    cJSON_Delete(r);
    r = ask("{\"id\":6,\"op\":\"splinter.validate\",\"line\":\"{\\\"id\\\":1"
            ",}\"}");
    expect_refusal(r, "BAD_SCHEMA", 1000);
    assert_true(cJSON_IsString(get(r, "req")));
    cJSON_Delete(r);
    /* line_hex: a raw NUL byte after the object (SP-2-a) is 1000; the
     * same bytes without it are valid; numbers come back exactly */
    static const char obj_hex[] =
        "7b226964223a2278222c227473223a22323032342d30312d30315430303a3030"
        "3a30305a222c2266726f6d223a2261222c2274797065223a226865617274626561"
        "74222c2274746c5f6d73223a393030373139393235343734303939317d";
    char hexrq[600];
    snprintf(hexrq, sizeof hexrq, "{\"id\":10,\"op\":\"splinter.validate\","
             "\"line_hex\":\"%s00\"}", obj_hex);
    r = ask(hexrq);
    expect_refusal(r, "BAD_SCHEMA", 1000);
    cJSON_Delete(r);
    snprintf(hexrq, sizeof hexrq, "{\"id\":11,\"op\":\"splinter.validate\","
             "\"line_hex\":\"%s\"}", obj_hex);
    r = ask(hexrq);
    assert_true(cJSON_IsTrue(get(r, "ok")));
    /* read from exact digits; 9.00719925474099e+15 would be ...990 */
    assert_true(get(get(r, "envelope"), "ttl_ms")->valuedouble ==
                9007199254740991.0);
    cJSON_Delete(r);
    static const char *const bad_hex[] = {
        "{\"id\":12,\"op\":\"splinter.validate\",\"line_hex\":\"7b7\"}",
        "{\"id\":13,\"op\":\"splinter.validate\",\"line_hex\":\"zz\"}",
        ("{\"id\":14,\"op\":\"splinter.validate\",\"line_hex\":\"7b7d\","
         "\"line\":\"{}\"}"),
        "{\"id\":15,\"op\":\"splinter.validate\"}",
    };
    for (int i = 0; i < 4; i++) {
        r = ask(bad_hex[i]);
        expect_refusal(r, "bad_request", 0);
        cJSON_Delete(r);
    }
    /* request errors */
    r = ask("{\"id\":7,\"op\":\"splinter.validate\",\"line\":\"{}\","
            "\"allow\":{\"a\":\"b\"}}");
    expect_refusal(r, "bad_request", 0);
    cJSON_Delete(r);
    r = ask("{\"id\":8,\"op\":\"splinter.validate\",\"line\":3}");
    expect_refusal(r, "bad_request", 0);
    cJSON_Delete(r);
    r = ask("{\"id\":9,\"op\":\"splinter.validate\",\"line\":\"{}\","
            "\"now\":\"2024-01-01T00:00:00+01:00\"}");
    expect_refusal(r, "bad_request", 0);
    cJSON_Delete(r);
}

/* A chunk line for the reassemble requests: JSON text of a JSON string. */
static void add_chunk(char *buf, size_t cap, const char *ts, unsigned seq,
                      bool eof, const char *payload, const char *more)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n,
             "%s\"{\\\"id\\\":\\\"s\\\",\\\"ts\\\":\\\"%s\\\",\\\"from\\\":"
             "\\\"a\\\",\\\"type\\\":\\\"query\\\",\\\"seq\\\":%u,\\\"eof\\\":"
             "%s,\\\"payload\\\":%s%s}\"",
             buf[n - 1] == '[' ? "" : ",", ts, seq, eof ? "true" : "false",
             payload, more);
}

static void test_shim_reassemble(void **state)
{
    (void)state;
    static const char t0[] = "2024-01-01T00:00:00Z";
    char rq[4096];
    /* reordered with an identical duplicate and a conflicting one */
    snprintf(rq, sizeof rq, "{\"id\":1,\"op\":\"splinter.reassemble\","
             "\"now\":\"%s\",\"lines\":[", t0);
    add_chunk(rq, sizeof rq, t0, 2, true, "\\\"c\\\"", "");
    add_chunk(rq, sizeof rq, t0, 0, false, "\\\"a\\\"", "");
    add_chunk(rq, sizeof rq, t0, 2, true, "\\\"c\\\"", "");
    add_chunk(rq, sizeof rq, t0, 2, true, "\\\"X\\\"", "");
    add_chunk(rq, sizeof rq, t0, 1, false, "\\\"b\\\"", "");
    append(rq, sizeof rq, "]}");
    cJSON *r = ask(rq);
    assert_true(cJSON_IsTrue(get(r, "ok")));
    assert_true(cJSON_IsTrue(get(r, "complete")));
    char *p = cJSON_PrintUnformatted(get(r, "payloads"));
    assert_string_equal(p, "[\"a\",\"b\",\"c\"]");
    free(p);
    p = cJSON_PrintUnformatted(get(r, "faults"));
    assert_string_equal(p, "[{\"index\":3,\"fault\":1000}]");
    free(p);
    p = cJSON_PrintUnformatted(get(r, "notes"));
    assert_string_equal(p, "[{\"index\":2,\"note\":\"duplicate_chunk\"}]");
    free(p);
    cJSON_Delete(r);
    /* a gap, deadline not passed: incomplete; passed: STREAM_TIMEOUT */
    static const char *const nows[] = {"2024-01-01T00:00:30Z",
                                       "2024-01-01T00:00:30.000000001Z"};
    for (int k = 0; k < 2; k++) {
        snprintf(rq, sizeof rq, "{\"id\":%d,\"op\":\"splinter.reassemble\","
                 "\"now\":\"%s\",\"lines\":[", 2 + k, nows[k]);
        add_chunk(rq, sizeof rq, t0, 0, false, "1", "");
        add_chunk(rq, sizeof rq, t0, 2, true, "3", "");
        append(rq, sizeof rq, "]}");
        r = ask(rq);
        if (k == 0) {
            assert_true(cJSON_IsTrue(get(r, "ok")));
            assert_false(cJSON_IsTrue(get(r, "complete")));
            p = cJSON_PrintUnformatted(get(r, "payloads"));
            assert_string_equal(p, "[1]");
            free(p);
        } else {
            expect_refusal(r, "STREAM_TIMEOUT", 4200);
        }
        cJSON_Delete(r);
    }
    /* ttl_ms sets the deadline: ts + 100 ms */
    snprintf(rq, sizeof rq, "{\"id\":4,\"op\":\"splinter.reassemble\","
             "\"now\":\"2024-01-01T00:00:00.101Z\",\"lines\":[");
    add_chunk(rq, sizeof rq, t0, 1, true, "1", ",\\\"ttl_ms\\\":100");
    append(rq, sizeof rq, "]}");
    r = ask(rq);
    expect_refusal(r, "STREAM_TIMEOUT", 4200);
    cJSON_Delete(r);
    /* a whole message is not a chunk */
    r = ask("{\"id\":5,\"op\":\"splinter.reassemble\",\"now\":\"2024-01-01T"
            "00:00:00Z\",\"lines\":[\"{\\\"id\\\":\\\"x\\\",\\\"ts\\\":\\\""
            "2024-01-01T00:00:00Z\\\",\\\"from\\\":\\\"a\\\",\\\"type\\\":"
            "\\\"heartbeat\\\"}\"]}");
    expect_refusal(r, "bad_request", 0);
    cJSON_Delete(r);
}

static void test_shim_fault(void **state)
{
    (void)state;
    cJSON *r = ask("{\"id\":1,\"op\":\"splinter.fault\",\"fault\":4100,"
                   "\"detail\":\"full\",\"now\":\"2024-01-01T00:00:00.1239Z\","
                   "\"trigger\":\"{\\\"id\\\":\\\"q\\\",\\\"from\\\":\\\"c\\\""
                   ",\\\"type\\\":\\\"bogus\\\"}\"}");
    assert_true(cJSON_IsTrue(get(r, "ok")));
    static const char want[] =
        "{\"id\":\"q\",\"ts\":\"2024-01-01T00:00:00.123Z\",\"from\":"
        "\"tamtam-node\",\"to\":\"c\",\"type\":\"error\",\"payload\":"
        "{\"code\":4100,\"symbol\":\"BACKPRESSURE\",\"detail\":\"full\"}}";
    char *p = cJSON_PrintUnformatted(get(r, "envelope"));
    assert_string_equal(p, want);
    free(p);
    expect_str(r, "line", want);
    cJSON_Delete(r);
    /* no detail: the table's description */
    r = ask("{\"id\":2,\"op\":\"splinter.fault\",\"fault\":2000,"
            "\"trigger\":\"{\\\"id\\\":\\\"q\\\",\\\"from\\\":\\\"c\\\"}\"}");
    assert_true(cJSON_IsTrue(get(r, "ok")));
    expect_writer_ts(get(r, "envelope"));
    expect_str(get(get(r, "envelope"), "payload"), "detail",
               "The sender may not address the recipient named in to.");
    cJSON_Delete(r);
    /* no reply possible: no from; an error envelope */
    static const char *const none[] = {
        "{\"id\":3,\"op\":\"splinter.fault\",\"fault\":1000,"
        "\"trigger\":\"{\\\"id\\\":\\\"q\\\"}\"}",
        "{\"id\":4,\"op\":\"splinter.fault\",\"fault\":1000,"
        "\"trigger\":\"{\\\"id\\\":\\\"q\\\",\\\"from\\\":\\\"c\\\","
        "\\\"type\\\":\\\"error\\\"}\"}",
        "{\"id\":5,\"op\":\"splinter.fault\",\"fault\":1000,"
        "\"trigger\":\"not json\"}",
    };
    for (int i = 0; i < 3; i++) {
        r = ask(none[i]);
        expect_refusal(r, "no_reply", 0);
        cJSON_Delete(r);
    }
    /* a code outside the table */
    r = ask("{\"id\":6,\"op\":\"splinter.fault\",\"fault\":4101,"
            "\"trigger\":\"{}\"}");
    expect_refusal(r, "bad_request", 0);
    cJSON_Delete(r);
}

/* ---- command line ---- */

static void test_command_line(void **state)
{
    (void)state;
    static const char *const bad[][6] = {
        {"splinter", "--listen", "udp://127.0.0.1:0", NULL},
        {"splinter", "--inbox", "0", NULL},
        {"splinter", "--allow", "/nonexistent/allow.json", NULL},
        {"echo", "--inbox", "3", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nt_child c;
        nt_start(&c, bad[i]);
        int st = nt_wait(&c);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 2);
    }
    /* an allow-list of the wrong shape */
    char path[300];
    snprintf(path, sizeof path, "%s/bad.json", nt_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"a\":\"b\"}", f);
    fclose(f);
    const char *args[] = {"splinter", "--allow", path, NULL};
    struct nt_child c;
    nt_start(&c, args);
    int st = nt_wait(&c);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 2);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s TAMTAM-NODE GROUP\n", argv[0]);
        return 2;
    }
    nt_node = argv[1];
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest service[] = {
        cmocka_unit_test(test_announce_heartbeat),
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_chunked_response),
        cmocka_unit_test(test_chunked_query),
        cmocka_unit_test(test_stream_timeout),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_splits),
    };
    const struct CMUnitTest allow[] = {
        cmocka_unit_test(test_allow),
        cmocka_unit_test(test_inbox_full),
    };
    const struct CMUnitTest load[] = {
        cmocka_unit_test(test_many_and_slow),
        cmocka_unit_test(test_abrupt),
        cmocka_unit_test(test_never_reads),
        cmocka_unit_test(test_big_partial_lines),
    };
    const struct CMUnitTest shim[] = {
        cmocka_unit_test(test_shim_validate),
        cmocka_unit_test(test_shim_reassemble),
        cmocka_unit_test(test_shim_fault),
    };
    const struct CMUnitTest cli[] = {
        cmocka_unit_test_teardown(test_command_line, nt_teardown),
    };
    const char *g = argv[2];
    if (strcmp(g, "tcp") == 0)
        return cmocka_run_group_tests_name("node.splinter_tcp", service,
                                           setup_tcp, stop_node);
    if (strcmp(g, "unix") == 0)
        return cmocka_run_group_tests_name("node.splinter_unix", service,
                                           setup_unix, teardown_unix);
    if (strcmp(g, "allow") == 0)
        return cmocka_run_group_tests_name("node.splinter_allow", allow,
                                           setup_allow, teardown_allow);
    if (strcmp(g, "load") == 0)
        return cmocka_run_group_tests_name("node.splinter_load", load,
                                           setup_load, stop_node);
    if (strcmp(g, "shim") == 0)
        return cmocka_run_group_tests_name("node.splinter_shim", shim,
                                           setup_shim, teardown_shim);
    if (strcmp(g, "cli") == 0)
        return cmocka_run_group_tests_name("node.splinter_cli", cli, NULL,
                                           NULL);
    fprintf(stderr, "unknown group %s\n", g);
    return 2;
}
