/* End-to-end tests of the Splinter decoder (dec_splinter.c): captures of
 * ndjson envelopes over TCP port 4775 written by the test, analysed by the
 * binary, every record checked from its --json output. The verdicts are
 * libsplinter's; what is checked here is that the decoder feeds it the right
 * lines at the right times and reports what it says. */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>

#include "testkit.h"

/* 1700000000 s, the capture's first second, as RFC 3339. */
#define TS0 "2023-11-14T22:13:20Z"
/* A line one byte over the 1 MiB cap (SP-2-f). */
#define SP_BIG ((size_t)1048577)

static cb_ep sp_client(void)
{
    return cb_v4("10.0.0.1", 50100);
}

static cb_ep sp_server(void)
{
    return cb_v4("10.0.0.2", 4775);
}

static void send_str(cb_conn *c, int side, const char *s)
{
    cb_conn_send(c, side, s, strlen(s));
}

static const cJSON *env_n(const an_result *r, size_t n)
{
    const cJSON *l = an_nth(r, "envelope", n);
    assert_non_null(l);
    assert_string_equal(an_str(l, "protocol"), "splinter");
    return l;
}

static bool is_null(const cJSON *l, const char *key)
{
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(l, key));
}

#define Q1 "{\"id\":\"q1\",\"ts\":\"" TS0 "\",\"from\":\"cli\",\"to\":\"echo\"," \
           "\"type\":\"query\",\"payload\":{\"n\":1}}\n"
#define R1 "{\"id\":\"q1\",\"ts\":\"" TS0 "\",\"from\":\"echo\",\"to\":\"cli\"," \
           "\"type\":\"response\",\"payload\":{\"n\":1}}\n"

static void envelopes(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    const char *path = an_path("splinter.pcap");
    cb_open(&f, path, DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, sp_client(), sp_server(), 1000, 90000);
    /* 0: a query split over three segments. */
    const char *q = Q1;
    cb_conn_send(&c, 0, q, 10);
    cb_conn_send(&c, 0, q + 10, 30);
    cb_conn_send(&c, 0, q + 40, strlen(q) - 40);
    /* 1: its response, 300 us after the query's last segment. */
    c.ts += 200;
    send_str(&c, 1, R1);
    /* 2..4: three lines in one segment: a heartbeat without payload, not
     * JSON, an unknown type. */
    send_str(&c, 0,
             "{\"id\":\"h\",\"ts\":\"" TS0 "\",\"from\":\"cli\","
             "\"type\":\"heartbeat\"}\r\n"
             "not json\n"
             "{\"id\":\"u\",\"ts\":\"" TS0 "\",\"from\":\"cli\","
             "\"type\":\"gossip\",\"payload\":1}\n");
    /* 5: expired: ts one second earlier, ttl 500 ms. */
    send_str(&c, 0,
             "{\"id\":\"t\",\"ts\":\"2023-11-14T22:13:19Z\",\"from\":\"cli\","
             "\"type\":\"event\",\"payload\":1,\"ttl_ms\":500}\n");
    /* 6..8: chunks: seq 0, a conflicting seq 0, then seq 1 with eof. */
    send_str(&c, 0,
             "{\"id\":\"s\",\"ts\":\"" TS0 "\",\"from\":\"cli\","
             "\"type\":\"event\",\"payload\":\"a\",\"seq\":0,\"eof\":false}\n"
             "{\"id\":\"s\",\"ts\":\"" TS0 "\",\"from\":\"cli\","
             "\"type\":\"event\",\"payload\":\"b\",\"seq\":0,\"eof\":false}\n"
             "{\"id\":\"s\",\"ts\":\"" TS0 "\",\"from\":\"cli\","
             "\"type\":\"event\",\"payload\":\"c\",\"seq\":1,\"eof\":true}\n");
    /* 9: a line over 1 MiB, then 10: a good line, still read. */
    size_t big = SP_BIG;
    char *longline = malloc(big + 1);
    assert_non_null(longline);
    memset(longline, 'x', big);
    longline[big] = '\n';
    for (size_t at = 0; at < big + 1; at += 60000)
        cb_conn_send(&c, 0, longline + at,
                     big + 1 - at < 60000 ? big + 1 - at : 60000);
    free(longline);
    send_str(&c, 0,
             "{\"id\":\"after\",\"ts\":\"" TS0 "\",\"from\":\"cli\","
             "\"type\":\"event\",\"payload\":null}\n");
    /* 11: a stream that never ends: one chunk with ttl 100 ms, then a line
     * two seconds later, when the deadline has passed. */
    send_str(&c, 0,
             "{\"id\":\"slow\",\"ts\":\"" TS0 "\",\"from\":\"cli\","
             "\"type\":\"event\",\"payload\":1,\"ttl_ms\":100,\"seq\":0,"
             "\"eof\":false}\n");
    c.ts += 2000000;
    send_str(&c, 0,
             "{\"id\":\"late\",\"ts\":\"2023-11-14T22:13:22Z\",\"from\":\"cli\","
             "\"type\":\"event\",\"payload\":1}\n");
    /* 13: a line cut by the end of the connection. */
    send_str(&c, 0, "{\"id\":\"cut\"");
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, path, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_count(&r, "frame"), 0);
    assert_int_equal(an_count(&r, "envelope"), 14);

    const cJSON *l = env_n(&r, 0);
    assert_string_equal(an_str(l, "status"), "ok");
    assert_string_equal(an_str(l, "envelope_type"), "query");
    assert_string_equal(an_str(l, "id"), "q1");
    assert_string_equal(an_str(l, "to"), "echo");
    assert_int_equal(an_int(l, "stream_offset"), 0);
    assert_int_equal(an_int(l, "len"), strlen(Q1));
    assert_true(is_null(l, "fault") && is_null(l, "seq"));
    l = env_n(&r, 1);
    assert_string_equal(an_str(l, "envelope_type"), "response");
    assert_string_equal(an_str(l, "src"), "10.0.0.2:4775");
    assert_int_equal(an_int(l, "latency_us"), 300);
    l = env_n(&r, 2);
    assert_string_equal(an_str(l, "status"), "ok");
    assert_string_equal(an_str(l, "envelope_type"), "heartbeat");
    assert_string_equal(an_str(l, "to"), "*");
    l = env_n(&r, 3);
    assert_string_equal(an_str(l, "status"), "BAD_SCHEMA");
    assert_int_equal(an_int(l, "fault"), 1000);
    assert_true(strncmp(an_str(l, "requirement"), "SP-", 3) == 0);
    l = env_n(&r, 4);
    assert_int_equal(an_int(l, "fault"), 3000);
    assert_string_equal(an_str(l, "symbol"), "UNKNOWN_TYPE");
    l = env_n(&r, 5);
    assert_int_equal(an_int(l, "fault"), 1001);
    l = env_n(&r, 6);
    assert_string_equal(an_str(l, "status"), "ok");
    assert_false(an_bool(l, "stream_complete"));
    l = env_n(&r, 7);
    assert_int_equal(an_int(l, "fault"), 1000); /* conflicting duplicate */
    l = env_n(&r, 8);
    assert_string_equal(an_str(l, "status"), "ok");
    assert_true(an_bool(l, "stream_complete"));
    l = env_n(&r, 9);
    assert_int_equal(an_int(l, "fault"), 1000);
    assert_string_equal(an_str(l, "requirement"), "SP-2-f");
    assert_int_equal(an_int(l, "len"), SP_BIG + 1);
    l = env_n(&r, 10);
    assert_string_equal(an_str(l, "id"), "after");
    assert_string_equal(an_str(l, "status"), "ok");
    assert_string_equal(an_str(env_n(&r, 11), "id"), "slow");
    /* The stream timed out before the next line was judged. */
    const cJSON *to = an_nth(&r, "stream_timeout", 0);
    assert_non_null(to);
    assert_string_equal(an_str(to, "id"), "slow");
    assert_int_equal(an_int(to, "fault"), 4200);
    assert_string_equal(an_str(env_n(&r, 12), "id"), "late");
    l = env_n(&r, 13);
    assert_string_equal(an_str(l, "status"), "truncated");
    assert_string_equal(an_str(l, "reason"), "end");

    const cJSON *st = an_nth(&r, "stats", 0);
    const cJSON *sp = cJSON_GetObjectItem(
        cJSON_GetObjectItemCaseSensitive(st, "by_protocol"), "splinter");
    assert_non_null(sp);
    const cJSON *bf = cJSON_GetObjectItemCaseSensitive(sp, "by_fault");
    assert_int_equal(an_int(bf, "BAD_SCHEMA"), 3);
    assert_int_equal(an_int(bf, "STREAM_TIMEOUT"), 1);
    const cJSON *bt = cJSON_GetObjectItemCaseSensitive(sp, "by_type");
    assert_int_equal(an_int(bt, "query"), 1);
    assert_int_equal(an_int(bt, "event"), 7);
    an_result_free(&r);

    /* --match on the decoder's fields, --fail-on-error on its faults. */
    run_json(&r, path, "--match", "envelope_type=event && fault=null", NULL,
             NULL);
    assert_int_equal(an_count(&r, "envelope"), 5); /* s0, s1, after, slow, late */
    an_result_free(&r);
    const char *fail[] = {"--stats", "--fail-on-error", path, NULL};
    an_run(&r, fail, NULL, 0);
    assert_int_equal(r.status, 1);
    an_result_free(&r);
}

/* A gap in the middle of a line: that line is reported cut, the bytes up
 * to the next newline skipped (a resync), and the lines after it read. */
static void gap(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    const char *path = an_path("splinter-gap.pcap");
    cb_open(&f, path, DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, sp_client(), sp_server(), 1000, 90000);
    const char *q = Q1;
    size_t n = strlen(q);
    cb_conn_send(&c, 0, q, n);              /* line 0 whole */
    cb_conn_send(&c, 0, q, 20);             /* line 1: its start ... */
    c.sent[0] += 10;                        /* ... 10 bytes never captured */
    cb_conn_send(&c, 0, q + 30, n - 30);    /* ... its end */
    cb_conn_send(&c, 0, q, n);              /* line 2 whole */
    cb_conn_close(&c);
    cb_close(&f);
    an_result r;
    run_json(&r, path, NULL, NULL, NULL, NULL);
    assert_int_equal(an_count(&r, "gap"), 1);
    assert_int_equal(an_count(&r, "envelope"), 3);
    assert_string_equal(an_str(env_n(&r, 0), "status"), "ok");
    const cJSON *cut = env_n(&r, 1);
    assert_string_equal(an_str(cut, "status"), "truncated");
    assert_string_equal(an_str(cut, "reason"), "gap");
    assert_int_equal(an_int(cut, "stream_offset"), n);
    const cJSON *rs = an_nth(&r, "resync", 0);
    assert_non_null(rs);
    assert_int_equal(an_int(rs, "stream_offset"), 2 * n);
    const cJSON *last = env_n(&r, 2);
    assert_string_equal(an_str(last, "status"), "ok");
    assert_int_equal(an_int(last, "stream_offset"), 2 * n);
    an_result_free(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-tamtam-analyze\n", argv[0]);
        return 2;
    }
    an_bin = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(envelopes),
        cmocka_unit_test(gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
