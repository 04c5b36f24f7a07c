/* End-to-end TCP tests: captures written by the test, analysed by the
 * binary, every count and field checked from its --json output. */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>

#include "testkit.h"

#define T0 1700000000000000ull /* cb_conn's first timestamp, minus 100 us */

static void new_conn(cb_file *f, cb_conn *c, const char *name)
{
    cb_open(f, an_path(name), DLT_EN10MB, 65535);
    cb_conn_open(c, f, client_ep(), server_ep(), 1000, 90000);
}

/* Frames split and joined across segments, both directions, all statuses
 * but truncated; exact offsets, fields and times. */
static void in_order(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "in_order.pcap");
    uint8_t d[38], payload[10] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    size_t dl = cb_frame(d, sizeof d, 3, 2, 2, TT_FLAG_ACK | TT_FLAG_PRIORITY,
                         200, 0, payload, 10);
    assert_int_equal(dl, 38);
    uint8_t bc[46];
    memcpy(bc, EX2, 24);
    memcpy(bc + 24, EX1_BADCRC, 22);
    uint8_t tail[28 + 5];
    memcpy(tail, d + 10, 28);
    memcpy(tail + 28, USED17, 5);
    cb_conn_send(&c, 0, EX1, 22);      /* ts +400 */
    cb_conn_send(&c, 0, bc, 46);       /* +500: two frames in one segment */
    cb_conn_send(&c, 0, d, 10);        /* +600: first 10 bytes of D */
    cb_conn_send(&c, 0, tail, 33);     /* +700: rest of D, start of E */
    cb_conn_send(&c, 0, USED17 + 5, 17); /* +800: rest of E */
    cb_conn_send(&c, 1, EX1, 22);      /* +900: the server answers */
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("in_order.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 5);
    assert_int_equal(an_frames_from(&r, SERVER), 1);

    const cJSON *l = an_frame_from(&r, CLIENT, 0);
    assert_frame(l, "ok", 0);
    assert_ts(l, T0 + 400);
    assert_string_equal(an_str(l, "proto"), "tcp");
    assert_string_equal(an_str(l, "dst"), SERVER);
    assert_int_equal(an_int(l, "class"), 2);
    assert_int_equal(an_int(l, "channel"), 7);
    assert_int_equal(an_int(l, "crc"), 0x10);
    assert_int_equal(an_int(l, "used_len"), 3);
    assert_string_equal(an_str(l, "payload"), "010203");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(l, "dest")));

    l = an_frame_from(&r, CLIENT, 1);
    assert_frame(l, "ok", 22);
    assert_true(an_bool(l, "ext"));
    assert_int_equal(an_int(l, "dest"), 0x1234);
    assert_int_equal(an_int(l, "crc"), 0x07);

    l = an_frame_from(&r, CLIENT, 2);
    assert_frame(l, "crc_mismatch", 46);
    assert_int_equal(an_int(l, "crc"), 0x11);
    assert_string_equal(an_str(l, "payload"), "010203");

    l = an_frame_from(&r, CLIENT, 3);
    assert_frame(l, "ok", 68);
    assert_ts(l, T0 + 700); /* completed by the fourth data segment */
    assert_int_equal(an_int(l, "class"), 3);
    assert_int_equal(an_int(l, "direction"), 2);
    assert_int_equal(an_int(l, "size_id"), 2);
    assert_true(an_bool(l, "ack"));
    assert_true(an_bool(l, "priority"));
    assert_false(an_bool(l, "big"));
    assert_int_equal(an_int(l, "channel"), 200);
    assert_string_equal(an_str(l, "payload"), "09080706050403020100");

    l = an_frame_from(&r, CLIENT, 4);
    assert_frame(l, "used_len_exceeds_block", 106);
    assert_int_equal(an_int(l, "used_len"), 17);
    assert_string_equal(an_str(l, "payload"), "");

    assert_frame(an_frame_from(&r, SERVER, 0), "ok", 0);

    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "frames"), 6);
    assert_int_equal(an_int(s, "ok"), 4);
    assert_int_equal(an_int(s, "crc_mismatch"), 1);
    assert_int_equal(an_int(s, "used_len_exceeds_block"), 1);
    assert_int_equal(an_int(s, "truncated"), 0);
    assert_int_equal(an_int(s, "flows"), 2);
    assert_int_equal(an_int(s, "gaps"), 0);
    assert_int_equal(an_int(s, "packets"), (int64_t)f.packets);
    assert_int_equal(an_int(s, "bytes"), 128 + 22);

    assert_int_equal(an_count(&r, "flow"), 2);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_string_equal(an_str(fl, "end"), "closed");
    assert_string_equal(an_str(fl, "crc"), "CRC-8/SMBUS");
    assert_int_equal(an_count(&r, "gap") + an_count(&r, "resync") +
                         an_count(&r, "conflict"),
                     0);
    an_result_free(&r);
}

/* Segments captured out of order come out in stream order. */
static void reordered(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "reordered.pcap");
    uint8_t fr[5][22];
    for (int i = 0; i < 5; i++)
        small_frame(fr[i], 10 + (unsigned)i);
    static const int order[5] = {0, 2, 1, 4, 3};
    for (int i = 0; i < 5; i++)
        cb_conn_seg(&c, 0, (uint32_t)(22 * order[i]), fr[order[i]], 22, 0);
    c.sent[0] = 110;
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("reordered.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *l = an_frame_from(&r, CLIENT, (size_t)i);
        assert_frame(l, "ok", 22 * i);
        assert_int_equal(an_int(l, "channel"), 10 + i);
    }
    /* Frame 1 waits for segment 1, the third packet written. */
    assert_ts(an_frame_from(&r, CLIENT, 1), T0 + 600);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_int_equal(an_int(fl, "retransmissions"), 0);
    assert_int_equal(an_int(fl, "gaps"), 0);
    assert_int_equal(an_int(summary_of(&r), "gaps"), 0);
    an_result_free(&r);
}

/* Exact duplicates and late retransmissions are counted, not decoded
 * twice; zero-length segments are not duplicates. */
static void retransmitted(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "retrans.pcap");
    uint8_t fr[3][22];
    for (int i = 0; i < 3; i++)
        small_frame(fr[i], (unsigned)i + 1);
    cb_conn_seg(&c, 0, 0, fr[0], 22, 0);
    cb_conn_seg(&c, 0, 22, fr[1], 22, 0);
    cb_conn_seg(&c, 0, 22, fr[1], 22, 0); /* duplicate */
    cb_conn_ack(&c, 1, 44);
    cb_conn_ack(&c, 1, 44); /* duplicate ACK: zero-length */
    cb_conn_seg(&c, 0, 44, fr[2], 22, 0);
    cb_conn_seg(&c, 0, 0, fr[0], 22, 0); /* late retransmission */
    c.sent[0] = 66;
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("retrans.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 3);
    for (int i = 0; i < 3; i++)
        assert_frame(an_frame_from(&r, CLIENT, (size_t)i), "ok", 22 * i);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_string_equal(an_str(fl, "src"), CLIENT);
    assert_int_equal(an_int(fl, "retransmissions"), 2);
    assert_int_equal(an_int(fl, "retransmitted_bytes"), 44);
    assert_int_equal(an_int(fl, "overlaps"), 0);
    assert_int_equal(an_int(fl, "conflicts"), 0);
    assert_int_equal(an_int(fl, "bytes"), 66);
    an_result_free(&r);
}

/* Overlapping segments that agree: decoded once, counted as overlaps. */
static void overlap_consistent(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "overlap_ok.pcap");
    uint8_t data[66];
    for (int i = 0; i < 3; i++)
        small_frame(data + 22 * i, 40 + (unsigned)i);
    cb_conn_seg(&c, 0, 0, data, 30, 0);
    cb_conn_seg(&c, 0, 20, data + 20, 30, 0);  /* 10 bytes overlap */
    cb_conn_seg(&c, 0, 60, data + 60, 6, 0);   /* out of order */
    cb_conn_seg(&c, 0, 45, data + 45, 21, 0);  /* overlaps both sides */
    c.sent[0] = 66;
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("overlap_ok.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 3);
    for (int i = 0; i < 3; i++)
        assert_frame(an_frame_from(&r, CLIENT, (size_t)i), "ok", 22 * i);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_int_equal(an_int(fl, "overlaps"), 2);
    assert_int_equal(an_int(fl, "conflicts"), 0);
    assert_int_equal(an_int(fl, "retransmissions"), 0);
    assert_int_equal(an_count(&r, "conflict"), 0);
    an_result_free(&r);
}

/* Overlaps that disagree, with delivered and with buffered data: the first
 * copy wins and each conflict is reported with its offset and size. */
static void overlap_conflicting(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "overlap_bad.pcap");
    uint8_t data[88], alt[88];
    for (int i = 0; i < 4; i++)
        small_frame(data + 22 * i, 60 + (unsigned)i);
    memcpy(alt, data, sizeof alt);
    for (int i = 10; i < 22; i++)
        alt[i] ^= 0xFF; /* 12 bytes of frame 0 */
    for (int i = 70; i < 73; i++)
        alt[i] ^= 0x5A; /* 3 bytes of frame 3 */
    cb_conn_seg(&c, 0, 0, data, 22, 0);
    cb_conn_seg(&c, 0, 10, alt + 10, 34, 0);  /* differs from delivered */
    cb_conn_seg(&c, 0, 66, data + 66, 22, 0); /* buffered (44..66 missing) */
    cb_conn_seg(&c, 0, 44, alt + 44, 44, 0);  /* differs from buffered */
    c.sent[0] = 88;
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("overlap_bad.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 4);
    for (int i = 0; i < 4; i++) {
        const cJSON *l = an_frame_from(&r, CLIENT, (size_t)i);
        assert_frame(l, "ok", 22 * i);
        assert_int_equal(an_int(l, "channel"), 60 + i);
    }
    assert_int_equal(an_count(&r, "conflict"), 2);
    const cJSON *k = an_nth(&r, "conflict", 0);
    assert_int_equal(an_int(k, "stream_offset"), 10);
    assert_int_equal(an_int(k, "bytes"), 12);
    assert_string_equal(an_str(k, "flow"), CLIENT ">" SERVER);
    k = an_nth(&r, "conflict", 1);
    assert_int_equal(an_int(k, "stream_offset"), 70);
    assert_int_equal(an_int(k, "bytes"), 3);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_int_equal(an_int(fl, "conflicts"), 2);
    assert_int_equal(an_int(fl, "conflict_bytes"), 15);
    assert_int_equal(an_int(fl, "overlaps"), 2);
    an_result_free(&r);
}

/* A lost segment: declared lost once the peer's ACK passes it, reported
 * with its size; decoding resumes on the next run of frames. */
static void gap_acked(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "gap.pcap");
    uint8_t fr[8][22];
    for (int i = 0; i < 8; i++) {
        small_frame(fr[i], 20 + (unsigned)i);
        if (i != 2)
            cb_conn_seg(&c, 0, 22u * (unsigned)i, fr[i], 22, 0);
    }
    c.sent[0] = 176;
    cb_conn_ack(&c, 1, 176); /* ts +1100 */
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("gap.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 7);
    assert_frame(an_frame_from(&r, CLIENT, 0), "ok", 0);
    assert_frame(an_frame_from(&r, CLIENT, 1), "ok", 22);
    for (int i = 2; i < 7; i++)
        assert_frame(an_frame_from(&r, CLIENT, (size_t)i), "ok", 22 * (i + 1));
    assert_int_equal(an_count(&r, "gap"), 1);
    const cJSON *g = an_nth(&r, "gap", 0);
    assert_int_equal(an_int(g, "stream_offset"), 44);
    assert_int_equal(an_int(g, "bytes"), 22);
    assert_string_equal(an_str(g, "reason"), "ack");
    assert_ts(g, T0 + 1100);
    const cJSON *rs = an_nth(&r, "resync", 0);
    assert_int_equal(an_int(rs, "stream_offset"), 66);
    assert_int_equal(an_int(rs, "skipped"), 0);
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "gaps"), 1);
    assert_int_equal(an_int(s, "frames"), 7);
    assert_int_equal(an_int(s, "truncated"), 0);
    an_result_free(&r);
}

/* A gap inside a frame: the frame is reported truncated with the bytes
 * seen, the rest of it is skipped when decoding realigns. */
static void gap_mid_frame(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "gap_mid.pcap");
    uint8_t fr[9][22];
    for (int i = 0; i < 9; i++)
        small_frame(fr[i], 30 + (unsigned)i);
    cb_conn_seg(&c, 0, 0, fr[0], 22, 0);
    cb_conn_seg(&c, 0, 22, fr[1], 11, 0);   /* first half of frame 1 */
    /* [33, 44) never captured; then frame 2 from its 5th byte on */
    cb_conn_seg(&c, 0, 48, fr[2] + 4, 18, 0);
    for (int i = 3; i < 9; i++)
        cb_conn_seg(&c, 0, 22u * (unsigned)i, fr[i], 22, 0);
    cb_conn_ack(&c, 1, 22 * 9);
    c.sent[0] = 22 * 9;
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("gap_mid.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 8);
    assert_frame(an_frame_from(&r, CLIENT, 0), "ok", 0);
    const cJSON *t = an_frame_from(&r, CLIENT, 1);
    assert_frame(t, "truncated", 22);
    assert_int_equal(an_int(t, "channel"), 31);
    assert_int_equal(an_int(t, "used_len"), 1);
    for (int i = 2; i < 8; i++)
        assert_frame(an_frame_from(&r, CLIENT, (size_t)i), "ok",
                     22 * (i + 1));
    const cJSON *g = an_nth(&r, "gap", 0);
    assert_int_equal(an_int(g, "stream_offset"), 33);
    assert_int_equal(an_int(g, "bytes"), 15);
    const cJSON *rs = an_nth(&r, "resync", 0);
    assert_int_equal(an_int(rs, "stream_offset"), 66);
    assert_int_equal(an_int(rs, "skipped"), 18); /* the rest of frame 2 */
    assert_int_equal(an_int(summary_of(&r), "truncated"), 1);
    an_result_free(&r);
}

/* No ACK ever passes the hole: it is declared at the end of the capture,
 * and the one frame after it is still recovered. */
static void gap_at_eof(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "gap_eof.pcap");
    uint8_t fr[3][22];
    for (int i = 0; i < 3; i++)
        small_frame(fr[i], 50 + (unsigned)i);
    cb_conn_seg(&c, 0, 0, fr[0], 22, 0);
    cb_conn_seg(&c, 0, 44, fr[2], 22, 0);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("gap_eof.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 2);
    assert_frame(an_frame_from(&r, CLIENT, 0), "ok", 0);
    assert_frame(an_frame_from(&r, CLIENT, 1), "ok", 44);
    const cJSON *g = an_nth(&r, "gap", 0);
    assert_int_equal(an_int(g, "stream_offset"), 22);
    assert_int_equal(an_int(g, "bytes"), 22);
    assert_string_equal(an_str(g, "reason"), "eof");
    assert_string_equal(an_str(an_nth(&r, "flow", 0), "end"), "eof");
    an_result_free(&r);
}

/* The capture starts inside a connection, inside a frame. */
static void midstream(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("midstream.pcap"), DLT_EN10MB, 65535);
    cb_conn_init(&c, &f, client_ep(), server_ep(), 777777, 888888);
    uint8_t fr[6][22], first[10 + 22];
    for (int i = 0; i < 6; i++)
        small_frame(fr[i], 70 + (unsigned)i);
    memcpy(first, fr[0] + 12, 10); /* the last 10 bytes of a frame */
    memcpy(first + 10, fr[1], 22);
    cb_conn_seg(&c, 0, 5000, first, 32, 3000);
    for (int i = 2; i < 6; i++)
        cb_conn_seg(&c, 0, 5000u + 10 + 22u * (unsigned)(i - 1), fr[i], 22,
                    3000);
    /* The server's direction starts on a frame boundary. */
    for (int i = 0; i < 4; i++)
        cb_conn_seg(&c, 1, 3000u + 22u * (unsigned)i, fr[i], 22, 5120);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("midstream.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *l = an_frame_from(&r, CLIENT, (size_t)i);
        assert_frame(l, "ok", 10 + 22 * i);
        assert_int_equal(an_int(l, "channel"), 71 + i);
    }
    assert_int_equal(an_frames_from(&r, SERVER), 4);
    assert_int_equal(an_count(&r, "resync"), 2);
    const cJSON *rs = an_nth(&r, "resync", 0);
    assert_string_equal(an_str(rs, "src"), CLIENT);
    assert_int_equal(an_int(rs, "stream_offset"), 10);
    assert_int_equal(an_int(rs, "skipped"), 10);
    rs = an_nth(&r, "resync", 1);
    assert_int_equal(an_int(rs, "stream_offset"), 0);
    assert_int_equal(an_int(rs, "skipped"), 0);
    assert_int_equal(an_int(summary_of(&r), "gaps"), 0);
    an_result_free(&r);
}

/* Sequence numbers wrap past 2^32 inside the stream. */
static void seq_wrap(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("wrap.pcap"), DLT_EN10MB, 65535);
    cb_conn_open(&c, &f, client_ep(), server_ep(), 0xFFFFFF80u, 0xFFFFFFF0u);
    uint8_t fr[22];
    for (int i = 0; i < 12; i++) {
        small_frame(fr, 90 + (unsigned)i);
        cb_conn_send(&c, 0, fr, 22);
        cb_conn_send(&c, 1, fr, 22);
    }
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("wrap.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 12);
    assert_int_equal(an_frames_from(&r, SERVER), 12);
    for (int i = 0; i < 12; i++) {
        assert_frame(an_frame_from(&r, CLIENT, (size_t)i), "ok", 22 * i);
        assert_frame(an_frame_from(&r, SERVER, (size_t)i), "ok", 22 * i);
    }
    const cJSON *s = summary_of(&r);
    assert_int_equal(an_int(s, "gaps"), 0);
    assert_int_equal(an_int(s, "bytes"), 2 * 12 * 22);
    assert_string_equal(an_str(an_nth(&r, "flow", 0), "end"), "closed");
    an_result_free(&r);
}

/* The same addresses reused: by a new SYN with another ISN, and by a jump
 * of more than 1 GiB; each starts a new connection. */
static void syn_reuse_and_jump(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "reuse.pcap");
    uint8_t fr[22];
    small_frame(fr, 1);
    cb_conn_send(&c, 0, fr, 22);
    /* A new connection on the same ports, the old one never closed. */
    cb_conn_open(&c, &f, client_ep(), server_ep(), 5000000, 6000000);
    small_frame(fr, 2);
    cb_conn_send(&c, 0, fr, 22);
    cb_conn_send(&c, 0, fr, 22);
    /* A jump of 2^31 - 1000 bytes: another connection again. */
    for (int i = 0; i < 4; i++) {
        small_frame(fr, 3);
        cb_conn_seg(&c, 0, 0x7FFFFC18u + 22u * (unsigned)i, fr, 22, 0);
    }
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("reuse.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 1 + 2 + 4);
    assert_frame(an_frame_from(&r, CLIENT, 0), "ok", 0);
    assert_frame(an_frame_from(&r, CLIENT, 1), "ok", 0);
    assert_frame(an_frame_from(&r, CLIENT, 2), "ok", 22);
    assert_int_equal(an_int(an_frame_from(&r, CLIENT, 2), "channel"), 2);
    for (int i = 0; i < 4; i++)
        assert_frame(an_frame_from(&r, CLIENT, 3 + (size_t)i), "ok", 22 * i);
    assert_int_equal(an_count(&r, "flow"), 3);
    assert_string_equal(an_str(an_nth(&r, "flow", 0), "end"), "restarted");
    assert_int_equal(an_int(an_nth(&r, "flow", 0), "frames"), 1);
    assert_string_equal(an_str(an_nth(&r, "flow", 1), "end"), "restarted");
    assert_int_equal(an_int(an_nth(&r, "flow", 1), "frames"), 2);
    assert_string_equal(an_str(an_nth(&r, "flow", 2), "end"), "eof");
    assert_int_equal(an_int(an_nth(&r, "stats", 0), "connections"), 3);
    assert_int_equal(an_int(summary_of(&r), "flows"), 3);
    an_result_free(&r);
}

/* RST with a hole outstanding: the hole is lost at once, the flow ends. */
static void reset(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "rst.pcap");
    uint8_t fr[22];
    small_frame(fr, 5);
    cb_conn_seg(&c, 0, 0, fr, 22, 0);
    cb_conn_seg(&c, 0, 44, fr, 22, 0);
    cb_tcp(&f, c.ts + 100, &c.ep[1], &c.ep[0], 90001, 1023, CB_RST, NULL, 0,
           NULL);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("rst.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 2);
    const cJSON *g = an_nth(&r, "gap", 0);
    assert_int_equal(an_int(g, "stream_offset"), 22);
    assert_string_equal(an_str(g, "reason"), "rst");
    assert_string_equal(an_str(an_nth(&r, "flow", 0), "end"), "reset");
    an_result_free(&r);
}

/* Data carried on the RST itself is analysed before the flow ends: here
 * the last frame of the flow (issue 19). */
static void reset_with_data(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    new_conn(&f, &c, "rst_data.pcap");
    uint8_t fr[22];
    small_frame(fr, 5);
    cb_conn_send(&c, 0, fr, 22);
    small_frame(fr, 6);
    cb_tcp(&f, c.ts + 100, &c.ep[0], &c.ep[1], 1001 + 22, 90001,
           CB_RST | CB_ACK, fr, 22, NULL);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("rst_data.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 2);
    const cJSON *l = an_frame_from(&r, CLIENT, 1);
    assert_frame(l, "ok", 22);
    assert_int_equal(an_int(l, "channel"), 6);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_string_equal(an_str(fl, "end"), "reset");
    assert_int_equal(an_int(fl, "bytes"), 44);
    assert_int_equal(an_count(&r, "gap"), 0);
    an_result_free(&r);
}

/* The capture's snap length cuts a segment: the missing bytes are a gap,
 * the frame they cut is truncated, nothing is zero-filled. */
static void snaplen_cut(void **state)
{
    (void)state;
    cb_file f;
    cb_conn c;
    cb_open(&f, an_path("snap.pcap"), DLT_EN10MB, 128);
    cb_conn_open(&c, &f, client_ep(), server_ep(), 1000, 90000);
    uint8_t five[110], fr[22];
    for (int i = 0; i < 5; i++)
        small_frame(five + 22 * i, 100 + (unsigned)i);
    cb_conn_send(&c, 0, five, 110); /* 54 + 110 bytes: 74 captured */
    for (int i = 0; i < 4; i++) {
        small_frame(fr, 110 + (unsigned)i);
        cb_conn_send(&c, 0, fr, 22);
    }
    cb_conn_close(&c);
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("snap.pcap"), NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_frames_from(&r, CLIENT), 3 + 1 + 4);
    for (int i = 0; i < 3; i++)
        assert_frame(an_frame_from(&r, CLIENT, (size_t)i), "ok", 22 * i);
    assert_frame(an_frame_from(&r, CLIENT, 3), "truncated", 66);
    const cJSON *g = an_nth(&r, "gap", 0);
    assert_int_equal(an_int(g, "stream_offset"), 74);
    assert_int_equal(an_int(g, "bytes"), 36);
    assert_string_equal(an_str(g, "reason"), "snaplen");
    for (int i = 0; i < 4; i++)
        assert_frame(an_frame_from(&r, CLIENT, 4 + (size_t)i), "ok",
                     110 + 22 * i);
    assert_int_equal(an_int(an_nth(&r, "stats", 0), "snaplen_truncated"), 1);
    an_result_free(&r);
}

/* More connections than --max-flows: the least recently used is evicted
 * with a report. */
static void eviction(void **state)
{
    (void)state;
    cb_file f;
    cb_open(&f, an_path("evict.pcap"), DLT_EN10MB, 65535);
    cb_conn c[3];
    uint8_t fr[22];
    for (int i = 0; i < 3; i++) {
        cb_conn_open(&c[i], &f, cb_v4("10.0.0.1", (uint16_t)(51000 + i)),
                     server_ep(), 1000, 2000);
        small_frame(fr, (unsigned)i);
        cb_conn_send(&c[i], 0, fr, 22);
    }
    cb_close(&f);

    an_result r;
    run_json(&r, an_path("evict.pcap"), "--max-flows", "2", NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(an_count(&r, "frame"), 3);
    assert_int_equal(an_count(&r, "flow"), 3);
    const cJSON *fl = an_nth(&r, "flow", 0);
    assert_string_equal(an_str(fl, "src"), "10.0.0.1:51000");
    assert_string_equal(an_str(fl, "end"), "evicted");
    assert_int_equal(an_int(an_nth(&r, "stats", 0), "evicted"), 1);
    an_result_free(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(in_order),
    cmocka_unit_test(reordered),
    cmocka_unit_test(retransmitted),
    cmocka_unit_test(overlap_consistent),
    cmocka_unit_test(overlap_conflicting),
    cmocka_unit_test(gap_acked),
    cmocka_unit_test(gap_mid_frame),
    cmocka_unit_test(gap_at_eof),
    cmocka_unit_test(midstream),
    cmocka_unit_test(seq_wrap),
    cmocka_unit_test(syn_reuse_and_jump),
    cmocka_unit_test(reset),
    cmocka_unit_test(reset_with_data),
    cmocka_unit_test(snaplen_cut),
    cmocka_unit_test(eviction),
};

TESTKIT_MAIN(tests)
