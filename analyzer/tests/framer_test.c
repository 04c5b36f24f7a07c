/* Unit tests of the framer (src/framer.c): alignment, resynchronisation,
 * the heuristic and CRC detection, on byte streams built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framer.h"

typedef struct ev {
    char kind; /* f frame, r resync, u unsynced, c crc, v verdict */
    int status;
    uint64_t off, n;
    uint8_t channel;
} ev;

typedef struct rec {
    ev e[512];
    int n;
} rec;

static void add(rec *r, ev e)
{
    assert_true(r->n < 512);
    r->e[r->n++] = e;
}

static void on_frame(void *ctx, int status, uint64_t off, const tt_frame *f,
                     size_t len)
{
    add(ctx, (ev){'f', status, off, len, f->channel});
}

static void on_resync(void *ctx, uint64_t off, uint64_t skipped)
{
    add(ctx, (ev){'r', 0, off, skipped, 0});
}

static void on_unsynced(void *ctx, uint64_t off, uint64_t n)
{
    add(ctx, (ev){'u', 0, off, n, 0});
}

static void on_crc(void *ctx, int crc)
{
    add(ctx, (ev){'c', crc, 0, 0, 0});
}

static void on_verdict(void *ctx, bool yes)
{
    add(ctx, (ev){'v', yes, 0, 0, 0});
}

static const an_framer_ops ops = {on_frame, on_resync, on_unsynced, on_crc,
                                  on_verdict};

typedef struct fixture {
    uint64_t mem;
    an_framer_cfg cfg;
    an_framer f;
    rec rec;
} fixture;

static fixture *fx(int crc, bool probe, bool aligned)
{
    fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->cfg = (an_framer_cfg){crc, 4, 65536, &x->mem, NULL};
    an_framer_init(&x->f, &x->cfg, &ops, &x->rec, probe);
    x->f.start_aligned = aligned;
    return x;
}

static void fx_free(fixture *x)
{
    an_framer_free(&x->f);
    an_framer_cfg_free(&x->cfg);
    assert_int_equal(x->mem, 0);
    free(x);
}

/* A 22-byte valid frame on channel ch (one payload byte). */
static size_t frame(uint8_t *out, unsigned ch, tt_crc crc)
{
    uint8_t pay = (uint8_t)(ch + 1);
    tt_frame f = {.cls = 3, .size_id = 1, .channel = (uint8_t)ch,
                  .used_len = 1, .payload = &pay};
    int n = tt_encode(&f, crc, out, 64);
    assert_int_equal(n, 22);
    return 22;
}

static void feed(fixture *x, uint64_t off, const uint8_t *p, size_t n,
                 size_t chunk)
{
    for (size_t at = 0; at < n; at += chunk)
        an_framer_data(&x->f, off + at, p + at, n - at < chunk ? n - at
                                                                 : chunk);
}

static void chain_rules(void **state)
{
    (void)state;
    uint8_t b[200] = {0};
    /* All zeros: valid frames, never a run on their own. */
    assert_int_equal(an_framer_chain(b, 200, 0, TT_CRC_SMBUS, 4, false,
                                     false), -1);
    assert_int_equal(an_framer_chain(b, 200, 0, TT_CRC_SMBUS, 4, true,
                                     true), -1);
    /* Zeros then four frames: only from a known boundary. */
    for (int i = 0; i < 4; i++)
        frame(b + 12 + 22 * i, (unsigned)i, TT_CRC_SMBUS);
    assert_int_equal(an_framer_chain(b, 100, 0, TT_CRC_SMBUS, 4, true,
                                     false), 1);
    assert_int_equal(an_framer_chain(b, 100, 0, TT_CRC_SMBUS, 4, false,
                                     false), -1);
    assert_int_equal(an_framer_chain(b, 100, 12, TT_CRC_SMBUS, 4, false,
                                     false), 1);
    /* Three frames and more to come: undecided; final: a run. */
    assert_int_equal(an_framer_chain(b, 78, 12, TT_CRC_SMBUS, 4, false,
                                     false), 0);
    assert_int_equal(an_framer_chain(b, 78, 12, TT_CRC_SMBUS, 4, false,
                                     true), 1);
    /* Final: one frame exactly to the end is enough; one frame and a
     * partial one is not; two and a partial one are. */
    assert_int_equal(an_framer_chain(b, 34, 12, TT_CRC_SMBUS, 4, false,
                                     true), 1);
    assert_int_equal(an_framer_chain(b, 40, 12, TT_CRC_SMBUS, 4, false,
                                     true), -1);
    assert_int_equal(an_framer_chain(b, 60, 12, TT_CRC_SMBUS, 4, false,
                                     true), 1);
    /* A bad frame breaks the run; another variant rejects all. */
    b[12 + 22 + 3] ^= 1;
    assert_int_equal(an_framer_chain(b, 100, 12, TT_CRC_SMBUS, 4, false,
                                     false), -1);
    b[12 + 22 + 3] ^= 1;
    assert_int_equal(an_framer_chain(b, 100, 12, TT_CRC_ROHC, 4, false,
                                     false), -1);
}

/* CF-12.3-c: the events do not depend on how the stream is chunked; the
 * stream is the example of spec 12.3. */
static void spec_stream_example(void **state)
{
    (void)state;
    uint8_t s[52] = {0};
    static const uint8_t bad[9] = {0x20, 0x10, 0x07, 0x11, 0x00, 0x03,
                                   1, 2, 3};
    static const uint8_t good[9] = {0x20, 0x10, 0x07, 0x10, 0x00, 0x03,
                                    1, 2, 3};
    memcpy(s + 6, bad, 9);
    memcpy(s + 28, good, 9);
    s[50] = 0x20;
    s[51] = 0x10;
    static const size_t chunks[3] = {52, 1, 7};
    for (int c = 0; c < 3; c++) {
        fixture *x = fx(TT_CRC_SMBUS, false, true);
        feed(x, 0, s, 52, chunks[c]);
        an_framer_end(&x->f);
        static const ev want[4] = {{'f', 0, 0, 6, 0},
                                   {'f', TT_ERR_CRC_MISMATCH, 6, 22, 7},
                                   {'f', 0, 28, 22, 7},
                                   {'f', TT_ERR_TRUNCATED, 50, 2, 0}};
        assert_int_equal(x->rec.n, 4);
        for (int i = 0; i < 4; i++) {
            assert_int_equal(x->rec.e[i].kind, want[i].kind);
            assert_int_equal(x->rec.e[i].status, want[i].status);
            assert_int_equal(x->rec.e[i].off, want[i].off);
            assert_int_equal(x->rec.e[i].n, want[i].n);
            assert_int_equal(x->rec.e[i].channel, want[i].channel);
        }
        fx_free(x);
    }
}

/* Midstream: junk, then frames; decoding starts at the first frame of the
 * run and says how much it skipped. */
static void hunt_after_junk(void **state)
{
    (void)state;
    uint8_t s[300];
    for (int i = 0; i < 37; i++)
        s[i] = (uint8_t)(0xC3 ^ (i * 29));
    for (int i = 0; i < 6; i++)
        frame(s + 37 + 22 * i, 50 + (unsigned)i, TT_CRC_SMBUS);
    fixture *x = fx(TT_CRC_SMBUS, false, false);
    feed(x, 1000, s, 37 + 132, 5);
    an_framer_end(&x->f);
    assert_int_equal(x->rec.n, 7);
    assert_int_equal(x->rec.e[0].kind, 'r');
    assert_int_equal(x->rec.e[0].off, 1037);
    assert_int_equal(x->rec.e[0].n, 37);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(x->rec.e[1 + i].kind, 'f');
        assert_int_equal(x->rec.e[1 + i].status, 0);
        assert_int_equal(x->rec.e[1 + i].off, 1037 + 22u * (unsigned)i);
        assert_int_equal(x->rec.e[1 + i].channel, 50 + i);
    }
    fx_free(x);
}

/* After a gap, zeros (the padding of the frame the gap cut) are skipped:
 * the first frame after a realignment is a non-zero one. */
static void gap_then_zeros(void **state)
{
    (void)state;
    uint8_t s[200] = {0}, cut[22];
    fixture *x = fx(TT_CRC_SMBUS, false, true);
    frame(cut, 1, TT_CRC_SMBUS);
    feed(x, 0, cut, 10, 10); /* a frame cut after 10 bytes */
    an_framer_gap(&x->f, 10, 30);
    for (int i = 0; i < 4; i++)
        frame(s + 24 + 22 * i, 10 + (unsigned)i, TT_CRC_SMBUS);
    feed(x, 40, s, 24 + 88, 64); /* 24 zeros, then four frames */
    assert_int_equal(x->rec.n, 6);
    assert_int_equal(x->rec.e[0].kind, 'f');
    assert_int_equal(x->rec.e[0].status, TT_ERR_TRUNCATED);
    assert_int_equal(x->rec.e[0].n, 10);
    assert_int_equal(x->rec.e[1].kind, 'r');
    assert_int_equal(x->rec.e[1].off, 64);
    assert_int_equal(x->rec.e[1].n, 24);
    for (int i = 0; i < 4; i++)
        assert_int_equal(x->rec.e[2 + i].off, 64 + 22u * (unsigned)i);
    fx_free(x);
}

/* A stream that never aligns: reported as unsynced at the end. */
static void never_aligns(void **state)
{
    (void)state;
    uint8_t s[5000];
    uint64_t v = 1;
    for (size_t i = 0; i < sizeof s; i++) {
        v = v * 6364136223846793005ull + 1442695040888963407ull;
        s[i] = (uint8_t)(v >> 56);
    }
    fixture *x = fx(TT_CRC_SMBUS, false, false);
    feed(x, 0, s, sizeof s, 1460);
    an_framer_end(&x->f);
    int frames = 0;
    uint64_t unsynced = 0;
    for (int i = 0; i < x->rec.n; i++) {
        frames += x->rec.e[i].kind == 'f';
        if (x->rec.e[i].kind == 'u')
            unsynced += x->rec.e[i].n;
        if (x->rec.e[i].kind == 'r')
            unsynced += x->rec.e[i].n;
    }
    assert_int_equal(frames, 0);
    assert_int_equal(unsynced, sizeof s);
    fx_free(x);
}

/* The heuristic: frames make a verdict of yes; zeros and noise a no. */
static void probe(void **state)
{
    (void)state;
    uint8_t s[2000] = {0};
    fixture *x = fx(TT_CRC_SMBUS, true, true);
    feed(x, 0, s, 1200, 100); /* 200 zero frames */
    an_framer_end(&x->f);
    assert_int_equal(x->rec.n, 1);
    assert_int_equal(x->rec.e[0].kind, 'v');
    assert_int_equal(x->rec.e[0].status, 0);
    fx_free(x);

    for (int i = 0; i < 5; i++)
        frame(s + 22 * i, (unsigned)i, TT_CRC_SMBUS);
    x = fx(TT_CRC_SMBUS, true, true);
    feed(x, 0, s, 110, 110);
    assert_int_equal(x->rec.e[0].kind, 'v');
    assert_int_equal(x->rec.e[0].status, 1);
    assert_int_equal(x->rec.n, 6);
    fx_free(x);
}

/* --crc auto on a known boundary: the variant under which the frames are
 * valid is reported, then the frames. */
static void crc_vote(void **state)
{
    (void)state;
    static const tt_crc variants[3] = {TT_CRC_MAXIM_DOW, TT_CRC_CDMA2000,
                                       TT_CRC_SMBUS};
    for (int v = 0; v < 3; v++) {
        uint8_t s[22 * 6];
        for (int i = 0; i < 6; i++)
            frame(s + 22 * i, 100 + (unsigned)i, variants[v]);
        fixture *x = fx(AN_CRC_AUTO, false, true);
        feed(x, 0, s, sizeof s, 7);
        an_framer_end(&x->f);
        assert_int_equal(x->rec.e[0].kind, 'c');
        assert_int_equal(x->rec.e[0].status, variants[v]);
        assert_int_equal(x->rec.n, 7);
        for (int i = 1; i < 7; i++)
            assert_int_equal(x->rec.e[i].status, 0);
        fx_free(x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain_rules),
        cmocka_unit_test(spec_stream_example),
        cmocka_unit_test(hunt_after_junk),
        cmocka_unit_test(gap_then_zeros),
        cmocka_unit_test(never_aligns),
        cmocka_unit_test(probe),
        cmocka_unit_test(crc_vote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
