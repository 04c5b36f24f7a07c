/* The stream receiver: events and pending bytes, independent of chunking.
 * CF-12.3-a, CF-12.3-b, CF-12.3-c. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct {
    int status;
    uint64_t offset;
    tt_frame f;
    uint8_t payload[TT_BLOCK_MAX];
} event;

typedef struct {
    event *ev;
    size_t n, cap;
    size_t pending;
} events;

static void record(events *out, const tt_stream_event *ev)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->ev = realloc(out->ev, out->cap * sizeof *out->ev);
        assert_non_null(out->ev);
    }
    event *e = &out->ev[out->n++];
    e->status = ev->status;
    e->offset = ev->offset;
    e->f = ev->frame;
    if (ev->frame.payload)
        memcpy(e->payload, ev->frame.payload, ev->frame.used_len);
}

/* Feeds `buf` in chunks whose sizes come from `chunk(i)`, each chunk from its
 * own exact-size heap copy so that ASan catches any read past it. */
static events run(const uint8_t *buf, size_t len, size_t (*chunk)(size_t, void *),
                  void *ctx)
{
    static tt_stream s;
    events out = {0};
    tt_stream_init(&s, TT_CRC_SMBUS);
    size_t pos = 0;
    for (size_t i = 0; pos < len; i++) {
        size_t n = chunk(i, ctx);
        if (n > len - pos)
            n = len - pos;
        uint8_t *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, buf + pos, n);
        const uint8_t *p = copy;
        size_t left = n;
        tt_stream_event ev;
        int r;
        while ((r = tt_stream_next(&s, &p, &left, &ev)) > 0) {
            /* The view holds the frame's bytes, from the chunk (whole
             * frames) or from the receiver's buffer (split frames). */
            assert_true(ev.offset + ev.frame.frame_len <= len);
            assert_memory_equal(ev.frame.bytes, buf + ev.offset,
                                ev.frame.frame_len);
            record(&out, &ev);
        }
        assert_int_equal(r, 0);
        assert_int_equal(left, 0);
        free(copy);
        pos += n;
    }
    out.pending = tt_stream_pending(&s);
    assert_true(out.pending < TT_FRAME_MAX);
    return out;
}

static void assert_same(const events *a, const events *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->pending, b->pending);
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        const event *x = &a->ev[i], *y = &b->ev[i];
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->offset, y->offset);
        assert_int_equal(x->f.cls, y->f.cls);
        assert_int_equal(x->f.direction, y->f.direction);
        assert_int_equal(x->f.size_id, y->f.size_id);
        assert_int_equal(x->f.has_ext, y->f.has_ext);
        assert_int_equal(x->f.big, y->f.big);
        assert_int_equal(x->f.channel, y->f.channel);
        assert_int_equal(x->f.dest, y->f.dest);
        assert_int_equal(x->f.crc, y->f.crc);
        assert_int_equal(x->f.used_len, y->f.used_len);
        assert_int_equal(x->f.frame_len, y->f.frame_len);
        assert_int_equal(x->f.payload != NULL, y->f.payload != NULL);
        if (x->f.payload)
            assert_memory_equal(x->payload, y->payload, x->f.used_len);
    }
}

static size_t whole(size_t i, void *ctx)
{
    (void)i;
    return *(size_t *)ctx;
}

static size_t one_byte(size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    return 1;
}

static size_t split_at(size_t i, void *ctx)
{
    const size_t *cut = ctx; /* cut[0]: first chunk, cut[1]: total */
    return i == 0 ? cut[0] : cut[1];
}

static size_t random_size(size_t i, void *ctx)
{
    (void)i;
    uint64_t r = tt_test_rand(ctx);
    return (size_t)(r % 4 == 0 ? r % 9000 : r % 40);
}

/* A literal stream with offsets from the spec: a valid frame, the all-zero
 * frame, a CRC mismatch, a UsedLen overflow, and 5 bytes of an incomplete
 * frame. */
static void literal_stream(void **state)
{
    (void)state;
    uint8_t buf[22 + 6 + 22 + 22 + 5] = {0x20, 0x10, 0x07, 0x10, 0x00, 0x03,
                                         0x01, 0x02, 0x03};
    memcpy(buf + 28, buf, 22);
    buf[28 + 8] ^= 0x80; /* payload bit: crc_mismatch */
    static const uint8_t overflow[8] = {0x10, 0x10, 0x01, 0x00, 0x00, 17};
    memcpy(buf + 50, overflow, sizeof overflow);
    memcpy(buf + 72, buf, 5);
    size_t len = sizeof buf;
    events ev = run(buf, len, whole, &len);
    assert_int_equal(ev.n, 4);
    assert_int_equal(ev.ev[0].status, 0);
    assert_int_equal(ev.ev[0].offset, 0);
    assert_int_equal(ev.ev[0].f.channel, 7);
    assert_int_equal(ev.ev[1].status, 0); /* CF-12.1-c */
    assert_int_equal(ev.ev[1].offset, 22);
    assert_int_equal(ev.ev[2].status, TT_ERR_CRC_MISMATCH); /* CF-12.3-a */
    assert_int_equal(ev.ev[2].offset, 28);
    assert_int_equal(ev.ev[3].status, TT_ERR_USED_LEN_EXCEEDS_BLOCK);
    assert_int_equal(ev.ev[3].offset, 50);
    assert_int_equal(ev.pending, 5); /* CF-12.3-b */
    free(ev.ev);
}

/* A stream of the given frames plus a partial tail, and the events found by
 * walking it frame by frame with tt_decode (CF-12.3-a, by definition). */
static uint8_t *build_stream(uint64_t *seed, int frames, size_t *len,
                             bool allow_big)
{
    uint8_t *buf = malloc((size_t)frames * TT_FRAME_MAX + TT_FRAME_MAX);
    static uint8_t payload[TT_BLOCK_MAX];
    assert_non_null(buf);
    size_t pos = 0;
    for (int i = 0; i < frames; i++) {
        uint64_t r = tt_test_rand(seed);
        tt_frame f = {
            .cls = (uint8_t)(r & 15),
            .direction = (uint8_t)(r >> 4 & 15),
            .size_id = (uint8_t)(allow_big ? r >> 8 & 15 : r >> 8 & 3),
            .big = r >> 12 & 1,
            .has_ext = r >> 13 & 1,
            .channel = (uint8_t)(r >> 16),
            .dest = (uint16_t)(r >> 24),
            .payload = payload,
        };
        unsigned block = tt_block_size(f.size_id, f.big);
        f.used_len = (uint16_t)(block ? (r >> 40) % (block + 1) : 0);
        tt_test_fill(seed, payload, f.used_len);
        int n = tt_encode(&f, TT_CRC_SMBUS, buf + pos, TT_FRAME_MAX);
        assert_true(n > 0);
        switch (r >> 56 & 7) {
        case 0: /* a covered byte flipped: crc_mismatch */
            buf[pos + (f.has_ext ? 6 : 4) + 1] ^= 0x01;
            break;
        case 1: /* UsedLen beyond the block */
            tt_put_u16be(buf + pos + (f.has_ext ? 6 : 4), (uint16_t)(block + 1));
            break;
        case 2: /* the all-zero frame */
            memset(buf + pos, 0, 6);
            n = 6;
            break;
        default:
            break;
        }
        pos += (size_t)n;
    }
    buf[pos++] = 0x20; /* a frame that never completes */
    buf[pos++] = 0x30;
    buf[pos++] = 0x01;
    *len = pos;
    return buf;
}

/* CF-12.3-c: whole, split at every byte, one byte at a time, random chunks:
 * the same events and pending count. */
static void split_everywhere(void **state)
{
    (void)state;
    uint64_t seed = 5;
    size_t len;
    uint8_t *buf = build_stream(&seed, 60, &len, false);
    events ref = run(buf, len, whole, &len);
    assert_true(ref.n == 60);
    assert_int_equal(ref.pending, 3);
    for (size_t cut = 0; cut <= len; cut++) {
        size_t c[2] = {cut, len};
        events e = run(buf, len, split_at, c);
        assert_same(&ref, &e);
        free(e.ev);
    }
    events e = run(buf, len, one_byte, NULL);
    assert_same(&ref, &e);
    free(e.ev);
    free(ref.ev);
    free(buf);
}

/* The same with frames up to the largest size, and a check that whole-buffer
 * events match a frame-by-frame walk with tt_decode. */
static void large_frames(void **state)
{
    (void)state;
    uint64_t seed = 6;
    size_t len;
    uint8_t *buf = build_stream(&seed, 40, &len, true);
    events ref = run(buf, len, whole, &len);
    size_t pos = 0;
    for (size_t i = 0; i < ref.n; i++) {
        tt_frame f;
        int flen = tt_frame_length(buf + pos, len - pos);
        int r = tt_decode(buf + pos, (size_t)flen, TT_CRC_SMBUS, &f);
        assert_int_equal(ref.ev[i].offset, pos);
        assert_int_equal(ref.ev[i].status, r < 0 ? r : 0);
        pos += (size_t)flen;
    }
    assert_int_equal(len - pos, ref.pending);
    events e = run(buf, len, one_byte, NULL);
    assert_same(&ref, &e);
    free(e.ev);
    for (int trial = 0; trial < 50; trial++) {
        uint64_t chunk_seed = (uint64_t)trial;
        e = run(buf, len, random_size, &chunk_seed);
        assert_same(&ref, &e);
        free(e.ev);
    }
    free(ref.ev);
    free(buf);
}

/* Memory is bounded by one largest frame; reset forgets held bytes. */
static void bounded_and_reset(void **state)
{
    (void)state;
    assert_true(sizeof(tt_stream) <= TT_FRAME_MAX + 64);
    static tt_stream s;
    tt_stream_init(&s, TT_CRC_SMBUS);
    static const uint8_t part[3] = {0x00, 0xF9, 0x00};
    const uint8_t *p = part;
    size_t n = sizeof part;
    tt_stream_event ev;
    assert_int_equal(tt_stream_next(&s, &p, &n, &ev), 0);
    assert_int_equal(tt_stream_pending(&s), 3);
    /* The held bytes and where they start, for a reader cut off here. */
    assert_int_equal(tt_stream_offset(&s), 0);
    assert_non_null(tt_stream_held(&s));
    assert_memory_equal(tt_stream_held(&s), part, 3);
    tt_stream_reset(&s, 1000);
    assert_int_equal(tt_stream_pending(&s), 0);
    assert_null(tt_stream_held(&s));
    assert_int_equal(tt_stream_offset(&s), 1000);
    static const uint8_t zero[6];
    p = zero;
    n = sizeof zero;
    assert_int_equal(tt_stream_next(&s, &p, &n, &ev), 1);
    assert_int_equal(ev.offset, 1000);
    assert_int_equal(ev.status, 0);
    assert_int_equal(tt_stream_offset(&s), 1006);
    assert_int_equal(tt_stream_next(NULL, &p, &n, &ev), TT_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_stream),
        cmocka_unit_test(split_everywhere),
        cmocka_unit_test(large_frames),
        cmocka_unit_test(bounded_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
