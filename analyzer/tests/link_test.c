/* End-to-end tests of what lies under TCP and UDP: link types, VLAN tags,
 * IPv6 extension headers, IPv4 fragments, Ethernet padding, and UDP. */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>

#include "testkit.h"

/* Writes a connection with four frames from the client and one back, on
 * link type `dlt`, over IPv4 or IPv6, with per-packet options `o`. */
static void four_and_one(const char *name, int dlt, int ipver,
                         const cb_opts *o)
{
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path(name), dlt, 65535);
    cb_ep cl = ipver == 4 ? client_ep() : cb_v6("2001:db8::1", 50000);
    cb_ep sv = ipver == 4 ? server_ep() : cb_v6("2001:db8::2", 4774);
    cb_conn_open_with(&c, &f, cl, sv, 1000, 2000, o);
    uint8_t fr[22];
    for (int i = 0; i < 4; i++) {
        small_frame(fr, 10 + (unsigned)i);
        cb_conn_send(&c, 0, fr, 22);
    }
    cb_conn_send(&c, 1, EX2, 24);
    cb_conn_close(&c);
    cb_close(&f);
}

/* Checks the output of four_and_one. */
static void check_four_and_one(const char *name, const char *cl,
                               const char *sv)
{
    an_result r;
    run_json(&r, an_path(name), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, cl), 4);
    for (int i = 0; i < 4; i++) {
        const cJSON *l = an_frame_from(&r, cl, (size_t)i);
        assert_frame(l, "ok", 22 * i);
        assert_int_equal(an_int(l, "channel"), 10 + i);
        assert_string_equal(an_str(l, "dst"), sv);
    }
    assert_int_equal(an_frames_from(&r, sv), 1);
    assert_int_equal(an_int(an_frame_from(&r, sv, 0), "dest"), 0x1234);
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "frames"), 5);
    assert_int_equal(an_int(s, "ok"), 5);
    assert_int_equal(an_int(s, "flows"), 2);
    assert_int_equal(an_int(s, "gaps"), 0);
    const cJSON *st = an_nth(&r, "stats", 0);
    const cJSON *na = cJSON_GetObjectItem(st, "not_analysed");
    assert_int_equal(an_int(na, "malformed"), 0);
    assert_int_equal(an_int(na, "not_ip"), 0);
    an_result_free(&r);
}

static void vlan(void **state)
{
    (void)state;
    cb_opts o = {.vlan_tags = 1};
    four_and_one("vlan.pcap", DLT_EN10MB, 4, &o);
    check_four_and_one("vlan.pcap", CLIENT, SERVER);
}

static void qinq(void **state)
{
    (void)state;
    cb_opts o = {.vlan_tags = 2};
    four_and_one("qinq.pcap", DLT_EN10MB, 6, &o);
    check_four_and_one("qinq.pcap", "[2001:db8::1]:50000",
                       "[2001:db8::2]:4774");
}

static void ipv6_extension_headers(void **state)
{
    (void)state;
    cb_opts o = {.v6_ext = 3};
    four_and_one("v6ext.pcap", DLT_EN10MB, 6, &o);
    check_four_and_one("v6ext.pcap", "[2001:db8::1]:50000",
                       "[2001:db8::2]:4774");
}

static void linux_cooked_v1(void **state)
{
    (void)state;
    four_and_one("sll.pcap", DLT_LINUX_SLL, 4, NULL);
    check_four_and_one("sll.pcap", CLIENT, SERVER);
}

static void linux_cooked_v2(void **state)
{
    (void)state;
    four_and_one("sll2.pcap", DLT_LINUX_SLL2, 6, NULL);
    check_four_and_one("sll2.pcap", "[2001:db8::1]:50000",
                       "[2001:db8::2]:4774");
}

static void bsd_loopback(void **state)
{
    (void)state;
    four_and_one("null4.pcap", DLT_NULL, 4, NULL);
    check_four_and_one("null4.pcap", CLIENT, SERVER);
    four_and_one("null6.pcap", DLT_NULL, 6, NULL);
    check_four_and_one("null6.pcap", "[2001:db8::1]:50000",
                       "[2001:db8::2]:4774");
    four_and_one("loop.pcap", DLT_LOOP, 6, NULL);
    check_four_and_one("loop.pcap", "[2001:db8::1]:50000",
                       "[2001:db8::2]:4774");
}

static void raw_ip(void **state)
{
    (void)state;
    four_and_one("raw4.pcap", DLT_RAW, 4, NULL);
    check_four_and_one("raw4.pcap", CLIENT, SERVER);
    four_and_one("raw6.pcap", DLT_RAW, 6, NULL);
    check_four_and_one("raw6.pcap", "[2001:db8::1]:50000",
                       "[2001:db8::2]:4774");
    four_and_one("ipv4.pcap", DLT_IPV4, 4, NULL);
    check_four_and_one("ipv4.pcap", CLIENT, SERVER);
}

/* A segment sent as IPv4 fragments: each fragment reported, the segment
 * reassembled and decoded in its place (issue 19). */
static void ipv4_fragments(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("frag.pcap"), DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, client_ep(), server_ep(), 1000, 2000);
    uint8_t fr[6][22];
    for (int i = 0; i < 6; i++)
        small_frame(fr[i], 40 + (unsigned)i);
    cb_conn_send(&c, 0, fr[0], 22);
    cb_tcp_fragmented(&f, c.ts + 50, &c.ep[0], &c.ep[1], 1000 + 1 + 22,
                      2000 + 1, CB_ACK, fr[1], 22, 16);
    c.sent[0] = 44;
    for (int i = 2; i < 6; i++)
        cb_conn_send(&c, 0, fr[i], 22);
    cb_conn_ack(&c, 1, c.sent[0]);
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("frag.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_count(&r, "fragment"), 3);
    static const int offs[3] = {0, 16, 32}, bytes[3] = {16, 16, 10};
    for (int i = 0; i < 3; i++) {
        const cJSON *g = an_nth(&r, "fragment", (size_t)i);
        assert_int_equal(an_int(g, "ip"), 4);
        assert_string_equal(an_str(g, "proto"), "tcp");
        assert_string_equal(an_str(g, "src"), "10.0.0.1");
        assert_string_equal(an_str(g, "dst"), "10.0.0.2");
        assert_int_equal(an_int(g, "offset"), offs[i]);
        assert_int_equal(an_int(g, "bytes"), bytes[i]);
        assert_int_equal(an_bool(g, "more"), i < 2);
    }
    assert_int_equal(an_frames_from(&r, CLIENT), 6);
    for (int i = 0; i < 6; i++)
        assert_frame(an_frame_from(&r, CLIENT, (size_t)i), "ok", 22 * i);
    assert_int_equal(an_int(an_frame_from(&r, CLIENT, 1), "channel"), 41);
    assert_int_equal(an_count(&r, "gap"), 0);
    const cJSON *st = an_nth(&r, "stats", 0);
    const cJSON *na = cJSON_GetObjectItem(st, "not_analysed");
    assert_int_equal(an_int(na, "fragment"), 0);
    const cJSON *ip = cJSON_GetObjectItem(st, "ip_fragments");
    assert_int_equal(an_int(ip, "fragments"), 3);
    assert_int_equal(an_int(ip, "reassembled"), 1);
    an_result_free(&r);
}

/* A largest frame (8200 bytes) over UDP, as it travels: in IP fragments.
 * In order, reversed, over IPv6; a copy that differs (first copy kept,
 * counted); a fragment missing (given up at the end, counted). */
static void udp_fragments(void **state)
{
    (void)state;
    static uint8_t big[8200], payload[8192];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 1);
    size_t n = cb_frame(big, sizeof big, 2, 0, 15, TT_FLAG_BIG, 3, 0,
                        payload, 8192);
    assert_int_equal(n, 8198);
    cb_file f;
    cb_open(&f, an_path("udpfrag.pcap"), DLT_EN10MB, 65535);
    cb_ep a = client_ep(), b = server_ep();
    cb_ep a6 = cb_v6("fd00::1", 50000), b6 = cb_v6("fd00::2", 4774);
    uint64_t t = 1700000000000000ull;
    /* 8206 UDP bytes in 1480-byte fragments: 6 of them. */
    cb_udp_fragmented(&f, t, &a, &b, big, n, 1480, NULL, 0, 0);
    static const unsigned rev[6] = {5, 4, 3, 2, 1, 0};
    cb_udp_fragmented(&f, t + 100, &a, &b, big, n, 1480, rev, 6, 0);
    cb_udp_fragmented(&f, t + 200, &a6, &b6, big, n, 1480, NULL, 0, 0);
    static const unsigned dup[7] = {0, 2, 2, 1, 3, 4, 5};
    cb_udp_fragmented(&f, t + 300, &a, &b, big, n, 1480, dup, 7, 0x55);
    static const unsigned hole[5] = {0, 1, 2, 3, 5};
    cb_udp_fragmented(&f, t + 400, &a, &b, big, n, 1480, hole, 5, 0);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("udpfrag.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_count(&r, "frame"), 4);
    for (size_t i = 0; i < 4; i++) {
        const cJSON *l = an_nth(&r, "frame", i);
        assert_string_equal(an_str(l, "proto"), "udp");
        /* The differing copy came second: the first copy is kept. */
        assert_string_equal(an_str(l, "status"), "ok");
        assert_int_equal(an_int(l, "used_len"), 8192);
    }
    assert_string_equal(an_str(an_nth(&r, "frame", 2), "src"),
                        "[fd00::1]:50000");
    const cJSON *st = an_nth(&r, "stats", 0);
    const cJSON *ip = cJSON_GetObjectItem(st, "ip_fragments");
    assert_int_equal(an_int(ip, "fragments"), 6 + 6 + 6 + 7 + 5);
    assert_int_equal(an_int(ip, "reassembled"), 4);
    assert_int_equal(an_int(ip, "incomplete"), 1);
    assert_int_equal(an_int(ip, "overlaps"), 1);
    assert_int_equal(an_int(ip, "conflicts"), 1);
    const cJSON *na = cJSON_GetObjectItem(st, "not_analysed");
    assert_int_equal(an_int(na, "fragment"), 5);
    an_result_free(&r);
}

/* Ethernet pads frames below 60 bytes with zeros, and six zero bytes are
 * a valid frame: lengths come from the IP header, so no phantom frames
 * and no trailing bytes appear. */
static void ethernet_padding(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("pad.pcap"), DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, client_ep(), server_ep(), 1000, 2000);
    cb_conn_send(&c, 0, EX1, 2);      /* 56-byte packet, 4 bytes padding */
    cb_conn_ack(&c, 1, 2);            /* 54-byte ACK, 6 bytes padding */
    cb_conn_send(&c, 0, EX1 + 2, 20);
    cb_conn_ack(&c, 1, 22);
    cb_conn_close(&c);
    uint8_t tiny[6];
    assert_int_equal(cb_frame(tiny, 6, 1, 1, 0, 0, 5, 0, NULL, 0), 6);
    cb_ep a = cb_v4("10.0.0.1", 50001), b = server_ep();
    cb_udp(&f, c.ts + 100, &a, &b, tiny, 6, NULL); /* 48 bytes + 12 zeros */
    static const uint8_t zeros[6];
    cb_udp(&f, c.ts + 200, &a, &b, zeros, 6, NULL); /* a real zero frame */
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("pad.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 1);
    const cJSON *l = an_frame_from(&r, CLIENT, 0);
    assert_frame(l, "ok", 0);
    assert_string_equal(an_str(l, "payload"), "010203");
    assert_int_equal(an_frames_from(&r, SERVER), 0);
    assert_int_equal(an_frames_from(&r, "10.0.0.1:50001"), 2);
    l = an_frame_from(&r, "10.0.0.1:50001", 0);
    assert_frame(l, "ok", 0);
    assert_int_equal(an_int(l, "class"), 1);
    assert_int_equal(an_int(l, "channel"), 5);
    l = an_frame_from(&r, "10.0.0.1:50001", 1);
    assert_frame(l, "ok", 0);
    assert_int_equal(an_int(l, "class"), 0);
    assert_int_equal(an_count(&r, "trailing"), 0);
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "frames"), 3);
    assert_int_equal(an_int(s, "bytes"), 22 + 6 + 6);
    an_result_free(&r);
}

/* UDP: one frame per datagram; every status; extra bytes reported; a
 * datagram cut by the snap length reported as a gap. */
static void udp(void **state)
{
    (void)state;
    cb_file f;
    cb_open(&f, an_path("udp.pcap"), DLT_EN10MB, 65535);
    cb_ep a = client_ep(), b = server_ep();
    cb_ep a6 = cb_v6("2001:db8::1", 50000), b6 = cb_v6("2001:db8::2", 4774);
    uint8_t plus[25];
    memcpy(plus, EX1, 22);
    static const uint8_t extra[3] = {0xAA, 0xBB, 0xCC};
    memcpy(plus + 22, extra, sizeof extra);
    uint64_t ts = 1700000000000000ull;
    cb_udp(&f, ts += 10, &a, &b, EX1, 22, NULL);
    cb_udp(&f, ts += 10, &a, &b, plus, 25, NULL);
    cb_udp(&f, ts += 10, &a, &b, EX1, 10, NULL);
    cb_udp(&f, ts += 10, &a, &b, USED17, 22, NULL);
    cb_udp(&f, ts += 10, &a, &b, EX1_BADCRC, 22, NULL);
    cb_udp(&f, ts += 10, &a, &b, NULL, 0, NULL);
    cb_udp(&f, ts += 10, &b, &a, EX2, 24, NULL);
    cb_udp(&f, ts += 10, &a6, &b6, EX2, 24, NULL);
    cb_opts cut = {.cut = 60}; /* 64 bytes on the wire, 4 not captured */
    cb_udp(&f, ts + 10, &a, &b, EX1, 22, &cut);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("udp.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 7);
    static const char *const want[7] = {
        "ok", "ok", "truncated", "used_len_exceeds_block", "crc_mismatch",
        "truncated", "truncated"};
    for (int i = 0; i < 7; i++) {
        const cJSON *l = an_frame_from(&r, CLIENT, (size_t)i);
        assert_frame(l, want[i], 0);
        assert_string_equal(an_str(l, "proto"), "udp");
    }
    assert_int_equal(an_int(an_frame_from(&r, CLIENT, 2), "used_len"), 3);
    assert_int_equal(an_count(&r, "trailing"), 1);
    assert_int_equal(an_int(an_nth(&r, "trailing", 0), "bytes"), 3);
    assert_int_equal(an_frames_from(&r, SERVER), 1);
    assert_frame(an_frame_from(&r, SERVER, 0), "ok", 0);
    assert_int_equal(an_frames_from(&r, "[2001:db8::1]:50000"), 1);
    const cJSON *g = an_nth(&r, "gap", 0);
    assert_int_equal(an_int(g, "bytes"), 4);
    assert_string_equal(an_str(g, "reason"), "snaplen");
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "frames"), 9);
    assert_int_equal(an_int(s, "ok"), 4);
    assert_int_equal(an_int(s, "truncated"), 3);
    assert_int_equal(an_int(s, "crc_mismatch"), 1);
    assert_int_equal(an_int(s, "used_len_exceeds_block"), 1);
    assert_int_equal(an_int(s, "flows"), 3);
    an_result_free(&r);
}

/* Broken headers are counted as malformed, never read past. */
/* An IPv6 jumbogram (RFC 2675, IPv6 BIG TCP): payload length 0 and a
 * hop-by-hop Jumbo Payload option with the real length. One TCP segment
 * of 70,400 bytes (3,200 frames) after a handshake-less start at a SYN. */
static void ipv6_jumbogram(void **state)
{
    (void)state;
    enum { NFR = 3200, DATA = NFR * 22, HBH = 8, TCPH = 20 };
    uint32_t jumbo = HBH + TCPH + DATA;
    size_t n = 14 + 40 + jumbo;
    uint8_t *pkt = calloc(1, n);
    assert_non_null(pkt);
    uint8_t *e = pkt, *ip = pkt + 14, *h = ip + 40, *t = h + HBH;
    e[12] = 0x86, e[13] = 0xDD;
    ip[0] = 0x60;
    ip[6] = 0;   /* next: hop-by-hop; payload length 0 */
    ip[7] = 64;
    ip[8 + 15] = 1; /* ::1 */
    ip[24 + 15] = 2; /* ::2 */
    h[0] = 6;    /* next: TCP */
    h[1] = 0;    /* 8 bytes */
    h[2] = 0xC2, h[3] = 4;
    h[4] = (uint8_t)(jumbo >> 24), h[5] = (uint8_t)(jumbo >> 16);
    h[6] = (uint8_t)(jumbo >> 8), h[7] = (uint8_t)jumbo;
    t[0] = 0xC3, t[1] = 0x50; /* 50000 */
    t[2] = 0x12, t[3] = 0xA6; /* 4774 */
    t[7] = 1;                 /* seq 1 */
    t[12] = 5 << 4;
    t[13] = CB_ACK | CB_PSH;
    for (int i = 0; i < NFR; i++)
        small_frame(t + TCPH + 22 * i, (unsigned)i % 200);
    cb_file f;
    cb_open(&f, an_path("jumbo.pcap"), DLT_EN10MB, 262144);
    cb_raw(&f, 1, pkt, n);
    cb_close(&f);
    free(pkt);
    an_result r;
    run_json(&r, an_path("jumbo.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    const cJSON *st = an_nth(&r, "stats", 0);
    const cJSON *na = cJSON_GetObjectItemCaseSensitive(st, "not_analysed");
    assert_int_equal(an_int(na, "malformed"), 0);
    /* Picked up mid-connection: alignment is found, then every frame. */
    assert_int_equal(an_count(&r, "frame"), NFR);
    assert_int_equal(an_int(summary_of(&r), "bytes"), DATA);
    an_result_free(&r);
}

static void malformed_headers(void **state)
{
    (void)state;
    cb_file f;
    cb_open(&f, an_path("malformed.pcap"), DLT_EN10MB, 65535);
    static const uint8_t eth_only[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
                                         0x08, 0x00};
    uint8_t short_ihl[34];
    memcpy(short_ihl, eth_only, 14);
    memset(short_ihl + 14, 0, 20);
    short_ihl[14] = 0x44; /* IHL 4 */
    uint8_t arp[42] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x06};
    cb_raw(&f, 1, eth_only, sizeof eth_only);
    cb_raw(&f, 2, short_ihl, sizeof short_ihl);
    cb_raw(&f, 3, arp, sizeof arp);
    cb_raw(&f, 4, eth_only, 5);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("malformed.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    const cJSON *st = an_nth(&r, "stats", 0);
    const cJSON *na = cJSON_GetObjectItem(st, "not_analysed");
    assert_int_equal(an_int(na, "malformed"), 3);
    assert_int_equal(an_int(na, "not_ip"), 1);
    assert_int_equal(an_int(na, "fragment"), 0);
    assert_int_equal(an_int(summary_of(&r), "packets"), 4);
    assert_int_equal(an_int(summary_of(&r), "frames"), 0);
    an_result_free(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(vlan),
    cmocka_unit_test(qinq),
    cmocka_unit_test(ipv6_extension_headers),
    cmocka_unit_test(linux_cooked_v1),
    cmocka_unit_test(linux_cooked_v2),
    cmocka_unit_test(bsd_loopback),
    cmocka_unit_test(raw_ip),
    cmocka_unit_test(ipv4_fragments),
    cmocka_unit_test(udp_fragments),
    cmocka_unit_test(ethernet_padding),
    cmocka_unit_test(udp),
    cmocka_unit_test(ipv6_jumbogram),
    cmocka_unit_test(malformed_headers),
};

TESTKIT_MAIN(tests)
