/*
 * Hostile captures (issue 8, analyzer part): very many tiny connections, a
 * gap after every segment, a long stream without one valid frame (random,
 * and built to be costly to hunt through), tens of thousands of
 * out-of-order holes, a retransmitted unfinished frame under -w. Each must finish with bounded memory (the engine's own count, and
 * the process's peak, printed for the README) and exact counts, or
 * explicit reports of what was given up. Sizes are chosen to run in
 * seconds under ASan too; AN_HOSTILE_SCALE=N multiplies them (N=10: the
 * issue's million connections) and AN_HOSTILE_ONLY=NAME picks one case
 * (see the README for the long runs).
 */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>

#include "testkit.h"

static uint32_t scale(void)
{
    const char *s = getenv("AN_HOSTILE_SCALE");
    long n = s ? strtol(s, NULL, 10) : 1;
    return n >= 1 && n <= 1000 ? (uint32_t)n : 1;
}

/* "what" with the scale, for the peak memory line. */
static const char *label(const char *what)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%s (scale %u)", what, scale());
    return buf;
}

/* 100 000 connections of one frame each through a table of 1000: every
 * connection is counted, the evicted ones reported, memory stays small. */
static void many_tiny_flows(void **state)
{
    (void)state;
    enum { TABLE = 1000 };
    const uint32_t N = 100000 * scale();
    cb_file f;
    cb_open(&f, an_path("tiny.pcap"), DLT_EN10MB, 65535);
    uint8_t fr[22];
    small_frame(fr, 1);
    cb_ep sv = server_ep();
    for (uint32_t i = 0; i < N; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255,
                 i & 255);
        cb_ep cl = cb_v4(a, (uint16_t)(1024 + i % 60000));
        uint64_t ts = 1700000000000000ull + i;
        cb_tcp(&f, ts, &cl, &sv, 1000, 0, CB_SYN, NULL, 0, NULL);
        cb_tcp(&f, ts, &cl, &sv, 1001, 1, CB_ACK, fr, 22, NULL);
    }
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("tiny.pcap"), "--stats", "--max-flows", "1000",
             NULL);
    assert_int_equal(r.status, 0);
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "frames"), N);
    assert_int_equal(an_int(s, "ok"), N);
    assert_int_equal(an_int(s, "flows"), N);
    const cJSON *st = an_nth(&r, "stats", 0);
    assert_int_equal(an_int(st, "connections"), N);
    assert_int_equal(an_int(st, "evicted"), N - TABLE);
    assert_int_equal(an_count(&r, "flow"), N);
    /* Bounded by the table, not by the capture: well under 64 MB. */
    assert_true(an_int(st, "mem_peak") < (64 << 20));
    an_check_peak(&r, label("hostile: connections through a 1000-entry table"),
                  16 * 1024);
    an_result_free(&r);
}

/* Every second segment lost, the peer acknowledging everything: each hole
 * is reported, and decoding realigns on the five frames after each. */
static void gap_every_segment(void **state)
{
    (void)state;
    const uint32_t SEGS = 4000 * scale();
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("gaps.pcap"), DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, client_ep(), server_ep(), 1, 2);
    uint8_t seg[110];
    for (uint32_t i = 0; i < SEGS; i++) {
        for (int k = 0; k < 5; k++)
            small_frame(seg + 22 * k, (unsigned)(i + (uint32_t)k) & 255);
        if (i % 2 == 0)
            cb_conn_seg(&c, 0, 110 * i, seg, 110, 0);
        else
            cb_conn_ack(&c, 1, 110 * (i + 1)); /* passes the lost one */
    }
    c.sent[0] = 110 * SEGS;
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("gaps.pcap"), "--stats", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "frames"), 5 * SEGS / 2);
    assert_int_equal(an_int(s, "ok"), 5 * SEGS / 2);
    assert_int_equal(an_int(s, "gaps"), SEGS / 2);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_int_equal(an_int(fl, "gap_bytes"), 110 * SEGS / 2);
    assert_int_equal(an_int(fl, "resyncs"), SEGS / 2 - 1);
    assert_int_equal(an_int(fl, "unsynced_bytes"), 0);
    an_check_peak(&r, label("hostile: a gap after every segment"), 16 * 1024);
    an_result_free(&r);
}

/* A connection picked up midstream that never carries a valid frame:
 * every byte is reported as unsynced, none as a frame. */
static void no_valid_frame(void **state)
{
    (void)state;
    enum { MSS = 1448 };
    const uint32_t SEGS = 6000 * scale();
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("noise.pcap"), DLT_EN10MB, 65535);
    cb_conn_init(&c, &f, client_ep(), server_ep(), 1, 2);
    static uint8_t noise[MSS];
    uint64_t x = 0x853C49E6748FEA9Bull;
    for (uint32_t i = 0; i < SEGS; i++) {
        for (size_t k = 0; k < MSS; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            noise[k] = (uint8_t)x;
        }
        cb_conn_send(&c, 0, noise, MSS);
    }
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("noise.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_int(summary_of(&r), "frames"), 0);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_int_equal(an_int(fl, "bytes"), (int64_t)SEGS * MSS);
    assert_int_equal(an_int(fl, "unsynced_bytes"), (int64_t)SEGS * MSS);
    assert_true(an_int(an_nth(&r, "stats", 0), "mem_peak") < (8 << 20));
    an_check_peak(&r, label("hostile: one flow without a valid frame"),
                  16 * 1024);
    an_result_free(&r);
}

/* Noise built to be as costly as any to hunt through: "10 f1" repeated, so
 * every other offset opens an 8 KiB frame (SizeId 15 in BigMode, UsedLen
 * 0x10f1 within its block) whose CRC must be computed to be refused, under
 * each of the eight variants with --crc auto. Nothing is a frame; every
 * byte is reported unsynced; memory stays that of one hold. */
static void crafted_noise(void **state)
{
    (void)state;
    enum { MSS = 1448 };
    const uint32_t SEGS = 16 * scale();
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("crafted.pcap"), DLT_EN10MB, 65535);
    cb_conn_init(&c, &f, client_ep(), server_ep(), 1, 2);
    static uint8_t seg[MSS];
    for (size_t k = 0; k < MSS; k += 2) {
        seg[k] = 0x10;
        seg[k + 1] = 0xF1;
    }
    for (uint32_t i = 0; i < SEGS; i++)
        cb_conn_send(&c, 0, seg, MSS);
    cb_close(&f);

    const char *modes[2][2] = {{"--crc", "smbus"}, {"--crc", "auto"}};
    for (int m = 0; m < 2; m++) {
        an_result r;
        run_json(&r, an_path("crafted.pcap"), "--stats", modes[m][0],
                 modes[m][1], NULL);
        assert_int_equal(r.status, 0);
        assert_int_equal(an_int(summary_of(&r), "frames"), 0);
        const cJSON *fl = an_nth(&r, "flow", 0);
        assert_int_equal(an_int(fl, "bytes"), (int64_t)SEGS * MSS);
        assert_int_equal(an_int(fl, "unsynced_bytes"), (int64_t)SEGS * MSS);
        assert_true(an_int(an_nth(&r, "stats", 0), "mem_peak") < (1 << 20));
        an_check_peak(&r, label(m ? "hostile: crafted noise, --crc auto"
                                  : "hostile: crafted noise"),
                      16 * 1024);
        an_result_free(&r);
    }
}

/* 20 000 holes in one direction, no ACK ever: the out-of-order buffer
 * gives up its oldest holes at its cap (4096 pieces), the rest at the end;
 * every byte is either decoded or reported lost. */
static void many_holes(void **state)
{
    (void)state;
    const uint32_t HOLES = 20000 * scale();
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("holes.pcap"), DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, client_ep(), server_ep(), 1, 2);
    uint8_t fr[22];
    for (uint32_t i = 1; i <= HOLES; i++) {
        small_frame(fr, i & 255);
        cb_conn_seg(&c, 0, 44 * i, fr, 22, 0); /* [44i, 44i+22), hole before */
    }
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("holes.pcap"), "--stats", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_int_equal(an_int(fl, "gaps"), HOLES);
    assert_int_equal(an_int(fl, "gap_bytes"), 22 * HOLES + 22);
    assert_int_equal(an_int(fl, "bytes"), 22 * HOLES);
    assert_int_equal(an_int(fl, "frames") * 22 + an_int(fl, "unsynced_bytes"),
                     22 * HOLES);
    assert_true(an_int(an_nth(&r, "stats", 0), "mem_peak") < (32 << 20));
    an_check_peak(&r, label("hostile: out-of-order holes, never acknowledged"),
                  16 * 1024);
    an_result_free(&r);
}

/* -w with an 8 KiB frame whose first segment is retransmitted 16 000 times
 * (23 MB) before the rest comes: the copies kept for the unfinished frame
 * stop at 12 MiB, the rest are counted and said to be missing, and the
 * segments that complete the frame are kept and written; the frame is
 * decoded. Before the cap, each copy was kept: memory grew with the
 * capture (found by fuzz_packets). */
static void write_retransmissions(void **state)
{
    (void)state;
    const uint32_t COPIES = 16000 * scale();
    static uint8_t big[8200];
    static uint8_t pay[8192];
    for (size_t i = 0; i < sizeof pay; i++)
        pay[i] = (uint8_t)(i * 7 + 1);
    /* SizeId 15 in BigMode: an 8 KiB block, the payload filling it. */
    size_t n = cb_frame(big, sizeof big, 2, 0, 15, TT_FLAG_BIG, 5, 0, pay,
                        8192);
    assert_int_equal(n, 8198);
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("wflood.pcap"), DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, client_ep(), server_ep(), 1, 2);
    for (uint32_t i = 0; i < COPIES; i++)
        cb_conn_seg(&c, 0, 0, big, 1448, 0);
    for (uint32_t off = 1448; off < n; off += 1448)
        cb_conn_seg(&c, 0, off, big + off, n - off < 1448 ? n - off : 1448,
                    0);
    c.sent[0] = (uint32_t)n;
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    const char *args[] = {"--json", "--stats", "-w", an_path("wout.pcap"),
                          an_path("wflood.pcap"), NULL};
    an_run(&r, args, NULL, 1);
    assert_int_equal(r.status, 0);
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "frames"), 1);
    assert_int_equal(an_int(s, "ok"), 1);
    assert_non_null(strstr(r.err, "packets not kept"));
    assert_true(an_int(an_nth(&r, "stats", 0), "mem_peak") < (17 << 20));
    /* The written file: copies of the first segment, then the five
     * segments after it (TCP sequence number past the first's). */
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *w = pcap_open_offline(an_path("wout.pcap"), err);
    assert_non_null(w);
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned copies = 0, rest = 0;
    while (pcap_next_ex(w, &h, &d) == 1) {
        assert_true(h->caplen >= 54);
        uint32_t seq = (uint32_t)d[38] << 24 | (uint32_t)d[39] << 16 |
                       (uint32_t)d[40] << 8 | d[41];
        if (seq == 2) /* ISN 1: the first byte */
            copies++;
        else
            rest++;
    }
    pcap_close(w);
    assert_int_equal(rest, 5);
    assert_true(copies > 1000 && copies < COPIES);
    an_check_peak(&r, label("hostile: -w, an unfinished frame retransmitted"),
                  32 * 1024);
    an_result_free(&r);
}
/* IP fragment floods (issue 19): 20,000 datagrams whose last fragment never
 * comes, each 60 KB long on paper, and teardrop-style overlaps. Memory stays
 * within the reassembler's budget, every datagram is counted. */
static void fragment_flood(void **state)
{
    (void)state;
    enum { N = 20000 };
    cb_file f;
    cb_open(&f, an_path("fragflood.pcap"), DLT_EN10MB, 65535);
    cb_ep a = client_ep(), b = server_ep();
    static uint8_t data[1480 * 3 - 8]; /* 3 fragments of UDP bytes */
    memset(data, 0x5A, sizeof data);
    static const unsigned first_two[2] = {0, 1};
    for (uint32_t i = 0; i < N; i++)
        cb_udp_fragmented(&f, 1700000000000000ull + 10u * i, &a, &b, data,
                          sizeof data, 1480, first_two, 2, 0);
    /* Teardrop: the same fragments again and again, differing. */
    static const unsigned tear[8] = {1, 0, 1, 0, 1, 0, 1, 2};
    cb_udp_fragmented(&f, 1700000001000000ull, &a, &b, data, sizeof data,
                      1480, tear, 8, 0x11);
    cb_close(&f);
    an_result r;
    run_json(&r, an_path("fragflood.pcap"), "--stats", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    const cJSON *ip = cJSON_GetObjectItem(an_nth(&r, "stats", 0),
                                          "ip_fragments");
    assert_int_equal(an_int(ip, "fragments"), 2 * N + 8);
    assert_int_equal(an_int(ip, "incomplete"), N);
    assert_int_equal(an_int(ip, "reassembled"), 1);
    assert_int_equal(an_int(ip, "overlaps"), 5);
    assert_int_equal(an_int(ip, "conflicts"), 5);
    an_check_peak(&r, label("hostile: 20,000 unfinished fragmented datagrams"),
                  32 * 1024);
    an_result_free(&r);
}


static const struct CMUnitTest tests[] = {
    cmocka_unit_test(many_tiny_flows),
    cmocka_unit_test(gap_every_segment),
    cmocka_unit_test(no_valid_frame),
    cmocka_unit_test(crafted_noise),
    cmocka_unit_test(many_holes),
    cmocka_unit_test(write_retransmissions),
    cmocka_unit_test(fragment_flood),
};

/* As TESTKIT_MAIN, and AN_HOSTILE_ONLY=PATTERN runs only the matching
 * tests (cmocka's filter: the long runs of the README take one case at a
 * scale of its own). */
int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-tamtam-analyze\n", argv[0]);
        return 2;
    }
    an_bin = argv[1];
    const char *only = getenv("AN_HOSTILE_ONLY");
    if (only)
        cmocka_set_test_filter(only);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
