/* Unit tests of the TCP reassembler (src/tcp_reasm.c) through its API:
 * every event it emits is recorded and compared with the byte stream the
 * segments were cut from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_reasm.h"

#define SYN 0x02
#define FIN 0x01

typedef struct ev {
    char kind; /* 'd' data, 'g' gap, 'c' conflict */
    uint64_t off, n;
    int why;
} ev;

typedef struct rec {
    ev e[4096];
    int n;
    uint8_t stream[1 << 16]; /* delivered bytes at their offsets */
} rec;

static void on_data(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
    rec *r = ctx;
    assert_true(off + n <= sizeof r->stream);
    memcpy(r->stream + off, p, n);
    assert_true(r->n < 4096);
    r->e[r->n++] = (ev){'d', off, n, 0};
}

static void on_gap(void *ctx, uint64_t off, uint64_t n, an_gap_reason why)
{
    rec *r = ctx;
    assert_true(r->n < 4096);
    r->e[r->n++] = (ev){'g', off, n, (int)why};
}

static void on_conflict(void *ctx, uint64_t off, uint64_t n)
{
    rec *r = ctx;
    assert_true(r->n < 4096);
    r->e[r->n++] = (ev){'c', off, n, 0};
}

static const an_reasm_ops ops = {on_data, on_gap, on_conflict};

typedef struct fixture {
    an_reasm_limits lim;
    uint64_t mem;
    an_reasm r;
    rec rec;
    uint8_t src[1 << 16]; /* the stream the segments are cut from */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->lim = (an_reasm_limits){1 << 20, 64, 4096, &f->mem};
    an_reasm_init(&f->r, &f->lim, &ops, &f->rec);
    for (size_t i = 0; i < sizeof f->src; i++)
        f->src[i] = (uint8_t)(i * 131 + (i >> 8) + 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    an_reasm_free(&f->r);
    assert_int_equal(f->mem, 0); /* every allocation accounted and freed */
    free(f);
    return 0;
}

#define ISN 1000u
/* Segment of stream bytes [off, off+len), all captured. */
static an_reasm_result seg(fixture *f, uint32_t off, uint32_t len)
{
    return an_reasm_segment(&f->r, ISN + 1 + off, 0x10, f->src + off, len,
                            len);
}

static void syn(fixture *f)
{
    assert_int_equal(an_reasm_segment(&f->r, ISN, SYN, NULL, 0, 0),
                     AN_REASM_OK);
}

/* The delivered bytes are the source bytes over [0, upto). */
static void assert_stream(fixture *f, uint64_t upto)
{
    assert_int_equal(f->r.next, upto);
    assert_memory_equal(f->rec.stream, f->src, (size_t)upto);
}

static void in_order(void **state)
{
    fixture *f = *state;
    syn(f);
    assert_int_equal(seg(f, 0, 100), AN_REASM_OK);
    assert_int_equal(seg(f, 100, 50), AN_REASM_OK);
    assert_stream(f, 150);
    assert_int_equal(f->rec.n, 2);
    assert_int_equal(f->rec.e[1].off, 100);
    assert_int_equal(f->r.ooo_bytes, 0); /* never buffered */
    assert_int_equal(f->r.data_segs, 2);
}

static void out_of_order(void **state)
{
    fixture *f = *state;
    syn(f);
    seg(f, 200, 100);
    seg(f, 100, 100);
    assert_int_equal(f->rec.n, 0);
    assert_true(f->r.ooo_bytes > 0);
    seg(f, 0, 100);
    assert_stream(f, 300);
    assert_int_equal(f->r.ooo_bytes, 0);
    assert_int_equal(f->r.ooo_segs, 0);
    assert_int_equal(f->r.retrans_segs + f->r.overlap_segs, 0);
}

/* Zero-length segments (ACKs, window updates) are never duplicates. */
static void zero_length_not_duplicate(void **state)
{
    fixture *f = *state;
    syn(f);
    seg(f, 0, 10);
    for (int i = 0; i < 5; i++)
        assert_int_equal(seg(f, 10, 0), AN_REASM_OK);
    assert_int_equal(f->r.retrans_segs, 0);
    assert_int_equal(f->r.data_segs, 1);
    seg(f, 0, 10);
    assert_int_equal(f->r.retrans_segs, 1);
    assert_int_equal(f->r.retrans_bytes, 10);
}

static void conflicts(void **state)
{
    fixture *f = *state;
    syn(f);
    seg(f, 0, 40);
    uint8_t alt[40];
    memcpy(alt, f->src + 20, 40);
    alt[5] ^= 1; /* offset 25, delivered */
    alt[30] ^= 1; /* offset 50, new: not a conflict */
    an_reasm_segment(&f->r, ISN + 1 + 20, 0x10, alt, 40, 40);
    uint8_t new50 = alt[30];
    assert_int_equal(f->rec.stream[50], new50); /* new bytes are taken */
    assert_int_equal(f->rec.stream[25], f->src[25]); /* the first copy */
    assert_int_equal(f->r.conflict_segs, 1);
    assert_int_equal(f->r.conflict_bytes, 1);
    assert_int_equal(f->r.overlap_segs, 1);
    ev *c = &f->rec.e[f->rec.n - 1];
    assert_int_equal(c->kind, 'c');
    assert_int_equal(c->off, 25);
    assert_int_equal(c->n, 1);
    /* Against buffered data: the first copy stays. */
    seg(f, 100, 20);
    memcpy(alt, f->src + 90, 40);
    alt[15] ^= 0xFF; /* offset 105, buffered */
    alt[16] ^= 0xFF;
    an_reasm_segment(&f->r, ISN + 1 + 90, 0x10, alt, 40, 40);
    assert_int_equal(f->r.conflict_segs, 2);
    c = &f->rec.e[f->rec.n - 1];
    assert_int_equal(c->kind, 'c');
    assert_int_equal(c->off, 105);
    assert_int_equal(c->n, 2);
    seg(f, 60, 30);
    assert_int_equal(f->r.next, 130);
    assert_memory_equal(f->rec.stream + 100, f->src + 100, 20);
}

/* A hole is declared lost only when the peer's ACK passes it. */
static void ack_declares_hole(void **state)
{
    fixture *f = *state;
    syn(f);
    seg(f, 0, 10);
    seg(f, 30, 10);
    seg(f, 60, 10);
    an_reasm_ack(&f->r, ISN + 1 + 10); /* not past the hole */
    assert_int_equal(f->r.gaps, 0);
    an_reasm_ack(&f->r, ISN + 1 + 65); /* past both holes */
    assert_int_equal(f->r.gaps, 2);
    assert_int_equal(f->r.gap_bytes, 40);
    /* data 0..10, gap 10..30, data 30..40, gap 40..60, data 60..70 */
    static const ev want[5] = {{'d', 0, 10, 0},
                               {'g', 10, 20, AN_GAP_ACK},
                               {'d', 30, 10, 0},
                               {'g', 40, 20, AN_GAP_ACK},
                               {'d', 60, 10, 0}};
    assert_int_equal(f->rec.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(f->rec.e[i].kind, want[i].kind);
        assert_int_equal(f->rec.e[i].off, want[i].off);
        assert_int_equal(f->rec.e[i].n, want[i].n);
        assert_int_equal(f->rec.e[i].why, want[i].why);
    }
    /* Acked data never seen at all is a gap too. */
    an_reasm_ack(&f->r, ISN + 1 + 100);
    assert_int_equal(f->r.gap_bytes, 70);
    assert_int_equal(f->r.next, 100);
}

/* Bytes the snaplen cut off are a gap at once, never data. */
static void snaplen(void **state)
{
    fixture *f = *state;
    syn(f);
    an_reasm_segment(&f->r, ISN + 1, 0x10, f->src, 100, 30);
    assert_int_equal(f->rec.n, 2);
    assert_int_equal(f->rec.e[0].kind, 'd');
    assert_int_equal(f->rec.e[0].n, 30);
    assert_int_equal(f->rec.e[1].kind, 'g');
    assert_int_equal(f->rec.e[1].off, 30);
    assert_int_equal(f->rec.e[1].n, 70);
    assert_int_equal(f->rec.e[1].why, AN_GAP_SNAPLEN);
    /* Out of order: the cut part waits as a marker and is a gap in turn. */
    an_reasm_segment(&f->r, ISN + 1 + 200, 0x10, f->src + 200, 50, 20);
    seg(f, 100, 100);
    assert_int_equal(f->r.next, 250);
    ev *g = &f->rec.e[f->rec.n - 1];
    assert_int_equal(g->kind, 'g');
    assert_int_equal(g->off, 220);
    assert_int_equal(g->n, 30);
    assert_int_equal(g->why, AN_GAP_SNAPLEN);
}

static void wraparound(void **state)
{
    fixture *f = *state;
    uint32_t isn = 0xFFFFFFF0u;
    an_reasm_segment(&f->r, isn, SYN, NULL, 0, 0);
    for (uint32_t off = 0; off < 4000; off += 100)
        an_reasm_segment(&f->r, isn + 1 + off, 0x10, f->src + off, 100, 100);
    assert_stream(f, 4000);
    assert_int_equal(f->r.gaps, 0);
    an_reasm_ack(&f->r, isn + 1 + 4000);
    assert_int_equal(f->r.gaps, 0);
}

static void new_flow(void **state)
{
    fixture *f = *state;
    syn(f);
    assert_int_equal(an_reasm_segment(&f->r, ISN, SYN, NULL, 0, 0),
                     AN_REASM_OK); /* the same SYN again */
    seg(f, 0, 10);
    assert_int_equal(an_reasm_segment(&f->r, 777, SYN, NULL, 0, 0),
                     AN_REASM_NEW_FLOW);
    /* A jump of more than 1 GiB, either way. */
    assert_int_equal(an_reasm_segment(&f->r, ISN + 1 + (1u << 30) + 100,
                                      0x10, f->src, 10, 10),
                     AN_REASM_NEW_FLOW);
    assert_int_equal(an_reasm_segment(&f->r, ISN + 1 - (1u << 30) - 100,
                                      0x10, f->src, 10, 10),
                     AN_REASM_NEW_FLOW);
    assert_int_equal(f->r.next, 10); /* nothing consumed */
}

static void fin_and_after(void **state)
{
    fixture *f = *state;
    syn(f);
    an_reasm_segment(&f->r, ISN + 1 + 10, 0x10 | FIN, f->src + 10, 10, 10);
    assert_false(f->r.closed);
    seg(f, 0, 10);
    assert_true(f->r.closed);
    assert_stream(f, 20);
    seg(f, 15, 20); /* 5 retransmitted, 15 beyond the FIN */
    assert_int_equal(f->r.after_fin, 15);
    assert_int_equal(f->r.next, 20);
}

static void midstream_before_start(void **state)
{
    fixture *f = *state;
    seg(f, 500, 10); /* anchors offset 0 at stream byte 500 */
    assert_false(f->r.syn_seen);
    an_reasm_segment(&f->r, ISN + 1 + 490, 0x10, f->src + 490, 25, 25);
    assert_int_equal(f->r.before_start, 10);
    assert_int_equal(f->r.overlap_segs, 1);
    assert_int_equal(f->r.next, 15);
    assert_memory_equal(f->rec.stream, f->src + 500, 15);
}

static void flush(void **state)
{
    fixture *f = *state;
    syn(f);
    seg(f, 0, 10);
    seg(f, 20, 10);
    an_reasm_segment(&f->r, ISN + 1 + 40, 0x10, f->src + 40, 30, 0);
    an_reasm_flush(&f->r, AN_GAP_EOF);
    assert_int_equal(f->r.next, 70);
    assert_int_equal(f->r.gap_bytes, 10 + 10 + 30);
    ev *g = &f->rec.e[1];
    assert_int_equal(g->kind, 'g');
    assert_int_equal(g->why, AN_GAP_EOF);
}

/* Over the segment cap the oldest hole is given up, and memory stays
 * bounded; the counter returns to zero (checked in teardown). */
static void caps(void **state)
{
    fixture *f = *state;
    syn(f);
    for (uint32_t i = 1; i <= 200; i++)
        seg(f, i * 20, 10); /* 200 holes */
    assert_true(f->r.ooo_segs <= 64);
    assert_true(f->r.gaps >= 200 - 64);
    for (int i = 0; i < f->rec.n; i++)
        if (f->rec.e[i].kind == 'g')
            assert_int_equal(f->rec.e[i].why, AN_GAP_CAP);
    assert_true(f->mem > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(zero_length_not_duplicate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(ack_declares_hole, setup, teardown),
        cmocka_unit_test_setup_teardown(snaplen, setup, teardown),
        cmocka_unit_test_setup_teardown(wraparound, setup, teardown),
        cmocka_unit_test_setup_teardown(new_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(fin_and_after, setup, teardown),
        cmocka_unit_test_setup_teardown(midstream_before_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(flush, setup, teardown),
        cmocka_unit_test_setup_teardown(caps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
