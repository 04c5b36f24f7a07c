/*
 * The protocol-seam test of the analyzer (issue 11): tamtam-analyze-toy is
 * tamtam-analyze with the toy decoder (toy_decoder.c) added to its decoder
 * table by toy.cmake alone. One capture holds a TamTam connection, a toy
 * connection and a toy datagram; the --json output carries both protocols
 * side by side, --match selects on either decoder's fields, and the plain
 * tamtam-analyze (argv[2]) knows nothing of the toy.
 */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>

#include "testkit.h"

static const char *plain_bin; /* tamtam-analyze without the toy */

static cb_ep toy_client(void)
{
    return cb_v4("10.0.0.1", 50001);
}

static cb_ep toy_server(void)
{
    return cb_v4("10.0.0.2", 7000);
}

/* A valid TamTam frame on channel 9 carrying `msg` (n bytes): a message of
 * the toy layer. */
static size_t layer_frame(uint8_t out[38], const char *msg, size_t n)
{
    return cb_frame(out, 38, 2, 0, 2, 0, 9, 0, msg, n);
}

/* TamTam: EX1 and EX2 from the client, then two toy-layer messages in
 * channel-9 frames ("hey", and one whose length byte lies). Toy over TCP:
 * "hello", "abc", then
 * a message of 9 bytes cut after 2 by the end of the connection. Toy over
 * UDP: "hi". */
static const char *both_capture(void)
{
    const char *path = an_path("both.pcap");
    cb_file f;
    cb_conn tt, toy;
    cb_open(&f, path, DLT_EN10MB, 65535);
    cb_conn_open(&tt, &f, client_ep(), server_ep(), 1000, 90000);
    cb_conn_send(&tt, 0, EX1, 22);
    cb_conn_send(&tt, 0, EX2, 24);
    uint8_t lf[38];
    size_t ln = layer_frame(lf, "\x03hey", 4);
    assert_int_equal(ln, 38);
    cb_conn_send(&tt, 1, lf, ln);
    cb_conn_send(&tt, 1, lf, layer_frame(lf, "\x07liar", 5));
    cb_conn_close(&tt);
    cb_conn_open(&toy, &f, toy_client(), toy_server(), 5000, 70000);
    cb_conn_send(&toy, 0, "\x05hello\x03" "ab", 9);
    cb_conn_send(&toy, 0, "c\x09xy", 4);
    cb_conn_close(&toy);
    cb_ep uc = cb_v4("10.0.0.3", 40000), us = toy_server();
    cb_udp(&f, toy.ts + 100, &uc, &us, "\x02hi", 3, NULL);
    cb_close(&f);
    return path;
}

/* The n-th line of `type` whose "protocol" is `protocol`. */
static const cJSON *nth_of(const an_result *r, const char *type,
                           const char *protocol, size_t n)
{
    for (size_t i = 0; i < an_count(r, type); i++) {
        const cJSON *l = an_nth(r, type, i);
        if (!strcmp(an_str(l, "protocol"), protocol) && n-- == 0)
            return l;
    }
    return NULL;
}

static size_t count_of(const an_result *r, const char *type,
                       const char *protocol)
{
    size_t n = 0;
    while (nth_of(r, type, protocol, n))
        n++;
    return n;
}

static void assert_message(const cJSON *l, uint64_t off, int length,
                           const char *text, const char *status)
{
    assert_non_null(l);
    assert_int_equal(an_int(l, "stream_offset"), off);
    assert_int_equal(an_int(l, "length"), length);
    assert_string_equal(an_str(l, "text"), text);
    assert_string_equal(an_str(l, "status"), status);
}

static void side_by_side(void **state)
{
    (void)state;
    an_result r;
    run_json(&r, both_capture(), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    /* TamTam frames, unchanged, marked with their protocol. */
    assert_int_equal(count_of(&r, "frame", "tamtam"), 4);
    assert_frame(nth_of(&r, "frame", "tamtam", 1), "ok", 22);
    assert_int_equal(an_int(nth_of(&r, "frame", "tamtam", 1), "dest"),
                     0x1234);
    /* Toy messages, from the toy decoder and from the layer above the
     * TamTam frames. */
    assert_int_equal(an_count(&r, "message"), 6);
    assert_int_equal(count_of(&r, "message", "toyframes"), 2);
    const cJSON *lm = nth_of(&r, "message", "toyframes", 0);
    assert_message(lm, 0, 3, "hey", "ok");
    assert_string_equal(an_str(lm, "src"), SERVER);
    assert_int_equal(an_int(lm, "channel"), 9);
    assert_message(nth_of(&r, "message", "toyframes", 1), 38, 7, "liar",
                   "bad_length");
    assert_message(nth_of(&r, "message", "toy", 0), 0, 5, "hello", "ok");
    assert_message(nth_of(&r, "message", "toy", 1), 6, 3, "abc", "ok");
    assert_message(nth_of(&r, "message", "toy", 2), 10, 9, "xy",
                   "truncated");
    const cJSON *u = nth_of(&r, "message", "toy", 3);
    assert_message(u, 0, 2, "hi", "ok");
    assert_string_equal(an_str(u, "proto"), "udp");
    /* Flow lines in each protocol's form. */
    const cJSON *tf = nth_of(&r, "flow", "tamtam", 0);
    assert_non_null(tf);
    assert_int_equal(an_int(tf, "frames"), 2);
    assert_int_equal(count_of(&r, "flow", "tamtam"), 2);
    const cJSON *yf = nth_of(&r, "flow", "toy", 0);
    assert_non_null(yf);
    assert_string_equal(an_str(yf, "src"), "10.0.0.1:50001");
    assert_int_equal(an_int(yf, "records"), 3);
    assert_int_equal(an_int(yf, "ok"), 2);
    assert_int_equal(an_int(yf, "invalid"), 1);
    assert_int_equal(an_int(yf, "bytes"), 13);
    assert_int_equal(count_of(&r, "flow", "toy"), 2);
    /* The totals per protocol. */
    const cJSON *st = an_nth(&r, "stats", 0);
    const cJSON *bp = cJSON_GetObjectItemCaseSensitive(st, "by_protocol");
    assert_int_equal(an_int(cJSON_GetObjectItem(bp, "tamtam"), "flows"), 2);
    assert_int_equal(an_int(cJSON_GetObjectItem(bp, "tamtam"), "records"),
                     4);
    assert_int_equal(an_int(cJSON_GetObjectItem(bp, "toyframes"), "records"),
                     2);
    assert_int_equal(an_int(cJSON_GetObjectItem(bp, "toy"), "flows"), 2);
    assert_int_equal(an_int(cJSON_GetObjectItem(bp, "toy"), "records"), 4);
    an_result_free(&r);
}

static void match_any_decoder(void **state)
{
    (void)state;
    const char *cap = both_capture();
    an_result r;
    run_json(&r, cap, "--match", "protocol=toy && text=hello", NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_count(&r, "message"), 1);
    assert_int_equal(an_count(&r, "frame"), 0);
    an_result_free(&r);
    /* A TamTam field: the toy decoder's records do not have it; the
     * layer's records have a channel of their own. */
    run_json(&r, cap, "--match", "channel=7", NULL, NULL);
    assert_int_equal(an_count(&r, "frame"), 2);
    assert_int_equal(an_count(&r, "message"), 0);
    an_result_free(&r);
    run_json(&r, cap, "--match", "channel=9", NULL, NULL);
    assert_int_equal(an_count(&r, "frame"), 2);
    assert_int_equal(count_of(&r, "message", "toyframes"), 2);
    assert_int_equal(an_count(&r, "message"), 2);
    an_result_free(&r);
    /* != holds for what a record does not have. */
    run_json(&r, cap, "--match", "length>=3 && text!=abc", NULL, NULL);
    assert_int_equal(an_count(&r, "message"), 4); /* hello, xy, hey, liar */
    assert_int_equal(an_count(&r, "frame"), 0);
    an_result_free(&r);
    run_json(&r, cap, "--match", "status=invalid", NULL, NULL);
    assert_int_equal(an_count(&r, "message"), 2); /* xy, liar */
    assert_int_equal(an_count(&r, "frame"), 0);
    an_result_free(&r);
    run_json(&r, cap, "--match", "protocol!=toy", NULL, NULL);
    assert_int_equal(count_of(&r, "message", "toy"), 0);
    assert_int_equal(count_of(&r, "message", "toyframes"), 2);
    assert_int_equal(an_count(&r, "frame"), 4);
    an_result_free(&r);
}

static void ports_and_status(void **state)
{
    (void)state;
    const char *cap = both_capture();
    an_result r;
    /* The toy moved to another port: its traffic is nobody's. */
    run_json(&r, cap, "--port", "toy=7001", NULL, NULL);
    assert_int_equal(count_of(&r, "message", "toy"), 0);
    assert_int_equal(an_count(&r, "frame"), 4);
    an_result_free(&r);
    /* --port N is still TamTam's: the toy keeps its default port. */
    run_json(&r, cap, "--port", "4774", NULL, NULL);
    assert_int_equal(count_of(&r, "message", "toy"), 4);
    an_result_free(&r);
    /* A layer takes no port. */
    const char *layer[] = {"--port", "toyframes=9", cap, NULL};
    an_run(&r, layer, NULL, 0);
    assert_int_equal(r.status, 2);
    an_result_free(&r);
    const char *bad[] = {"--port", "nope=1", cap, NULL};
    an_run(&r, bad, NULL, 0);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no decoder of that name (one of tamtam, "
                                  "splinter, toy)"));
    an_result_free(&r);
    /* An invalid toy record fails --fail-on-error. */
    const char *fail[] = {"--stats", "--fail-on-error", cap, NULL};
    an_run(&r, fail, NULL, 0);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "by protocol: tamtam 2 flows, 4 records; "
                                  "splinter 0 flows, 0 records; toy 2 flows, "
                                  "4 records; toyframes 2 flows, 2 records"));
    an_result_free(&r);
    /* The text form names the protocol on every line. */
    const char *text[] = {cap, NULL};
    an_run(&r, text, NULL, 0);
    assert_non_null(strstr(r.out, " > 10.0.0.2:7000 toy @0 message length=5 "
                                  "text=hello len=6 ok\n"));
    assert_non_null(strstr(r.out, " > 10.0.0.2:4774 tamtam @0 Data/Request"));
    an_result_free(&r);
}

/* The plain analyzer: the toy is no decoder of its. */
static void plain_knows_no_toy(void **state)
{
    (void)state;
    const char *cap = both_capture();
    const char *saved = an_bin;
    an_bin = plain_bin;
    an_result r;
    run_json(&r, cap, NULL, NULL, NULL, NULL);
    assert_int_equal(an_count(&r, "message"), 0);
    assert_int_equal(an_count(&r, "frame"), 4);
    an_result_free(&r);
    const char *m[] = {"--match", "text=hello", cap, NULL};
    an_run(&r, m, NULL, 0);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown field"));
    an_result_free(&r);
    an_bin = saved;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TOY-ANALYZER PLAIN-ANALYZER\n", argv[0]);
        return 2;
    }
    an_bin = argv[1];
    plain_bin = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(side_by_side),
        cmocka_unit_test(match_any_decoder),
        cmocka_unit_test(ports_and_status),
        cmocka_unit_test(plain_knows_no_toy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
