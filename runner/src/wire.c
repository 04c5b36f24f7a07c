/*
 * The core wire suite (protocol "tamtam-core/1", node mode): frames sent to
 * an echo node (spec/harness.md, wire mode) over TCP, a Unix socket or UDP,
 * and the echoes decoded with libtamtam and compared field by field with the
 * vectors.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run.h"

#define DETAIL_HEX 256
#define SPLIT_SEED 0x7A3A7A3Au /* the random-split case is deterministic */
#define SPLIT_MAX 700          /* largest write of the random-split case */
#define LARGEST_COUNT 8
/* Bytes of each frame the onebyte case writes singly: the longest header,
 * extension, CRC and UsedLen (8) and the first payload byte. */
#define ONEBYTE_HEAD 9
#define SLOW_PIECES 5
#define SLOW_PAUSE_MS 100

#define REQ_ECHO "HP-5-a"
#define REQ_INVALID "HP-5-b,CF-12.3-a"
#define REQ_UDP "HP-5-c"
#define REQ_ORDER "HP-5-d,CF-12.3-c,CF-2-b"
#define REQ_LARGEST "HP-5-d,CF-7.2-a,CF-2-b"
#define REQ_SLOW "HP-5-a,CF-12.3-b"

/* The suite's case kinds. */
typedef enum wire_kind {
    W_ECHO,
    W_INVALID,
    W_ONEBYTE,
    W_SPLIT,
    W_BATCH,
    W_LARGEST,
    W_SLOW
} wire_kind;

/* A frame vector the wire suite sends as it is: valid, and not a CRC-variant
 * vector (whose validity depends on the implementation's variant). */
static bool echo_vector(const tr_fvec *fv)
{
    return fv->valid && !fv->valid_under;
}

/* The bytes of an invalid vector as a stream receiver sees a frame: cut or
 * zero-filled to the length its first two bytes give (CF-12.3-b). Returns
 * a new buffer with *len set, or NULL when the vector is not a complete
 * invalid frame on a stream (truncated, or shorter than two bytes). */
static uint8_t *stream_invalid(const tr_fvec *fv, tt_crc crc, size_t *len)
{
    if (fv->valid || fv->valid_under || fv->error == TT_ERR_TRUNCATED)
        return NULL;
    size_t flen = tr_frame_len(fv->bytes, fv->len);
    if (!flen)
        return NULL;
    uint8_t *b = tr_xcalloc(flen, 1);
    memcpy(b, fv->bytes, fv->len < flen ? fv->len : flen);
    tt_frame f;
    if (tt_decode(b, flen, crc, &f) >= 0) {
        free(b);
        return NULL;
    }
    *len = flen;
    return b;
}

static void wire_cases(const tr_suite *me, const void *vectors,
                       const tr_suite_env *env, tr_cases *cs)
{
    const tr_vectors *v = vectors;
    tr_scheme scheme = env->scheme;
    const char *s = tr_scheme_name(scheme);
    char reqs[1024];
    for (size_t i = 0; i < v->nf; i++) {
        const tr_fvec *fv = &v->f[i];
        if (!echo_vector(fv))
            continue;
        snprintf(reqs, sizeof reqs, "%s%s%s%s", fv->reqs, *fv->reqs ? "," : "",
                 REQ_ECHO, scheme == TR_UDP ? "," REQ_UDP : "");
        tr_cases_add(cs, me, W_ECHO, i, fv->info, reqs, "wire.%s.echo.%s", s,
                     fv->id);
    }
    for (size_t i = 0; i < v->nf; i++) {
        const tr_fvec *fv = &v->f[i];
        size_t n;
        uint8_t *b = NULL;
        if (scheme == TR_UDP ? fv->valid || fv->valid_under
                             : !(b = stream_invalid(fv, v->crc, &n)))
            continue;
        free(b);
        snprintf(reqs, sizeof reqs, "%s%s%s", fv->reqs, *fv->reqs ? "," : "",
                 scheme == TR_UDP ? "HP-5-b," REQ_UDP : REQ_INVALID);
        tr_cases_add(cs, me, W_INVALID, i, fv->info, reqs,
                     "wire.%s.invalid.%s", s, fv->id);
    }
    if (scheme != TR_UDP) {
        tr_cases_add(cs, me, W_ONEBYTE, 0, false, REQ_ORDER, "wire.%s.onebyte",
                     s);
        tr_cases_add(cs, me, W_SPLIT, 0, false, REQ_ORDER, "wire.%s.split", s);
        tr_cases_add(cs, me, W_BATCH, 0, false, REQ_ORDER, "wire.%s.batch", s);
    }
    tr_cases_add(cs, me, W_LARGEST, 0, false, REQ_LARGEST, "wire.%s.largest",
                 s);
    if (scheme != TR_UDP)
        tr_cases_add(cs, me, W_SLOW, 0, false, REQ_SLOW, "wire.%s.slow", s);
}

/* ---- Frames to send ---------------------------------------------------------- */

typedef struct plan {
    uint8_t *bytes; /* everything to send, back to back */
    size_t len;
    tt_frame *want; /* the frames expected back, in order */
    size_t nwant;
    size_t want_len; /* their total length */
    bool probe;      /* the last wanted frame is a probe (plan_probe) */
    uint8_t *store;  /* payload storage for synthesized frames */
} plan;

static void plan_free(plan *p)
{
    free(p->bytes);
    free(p->want);
    free(p->store);
    memset(p, 0, sizeof *p);
}

static void plan_add(plan *p, const uint8_t *b, size_t n, const tt_frame *f)
{
    p->bytes = realloc(p->bytes, (p->len + n) ? p->len + n : 1);
    p->want = realloc(p->want, (p->nwant + 1) * sizeof *p->want);
    if (!p->bytes || !p->want) {
        fputs("tamtam-run: out of memory\n", stderr);
        exit(2);
    }
    memcpy(p->bytes + p->len, b, n);
    p->len += n;
    if (f) {
        p->want[p->nwant++] = *f;
        p->want_len += n;
    }
}

/* Encodes a synthesized frame with libtamtam into `out`. Returns its
 * length. */
static size_t synth(tt_crc crc, unsigned size_id, bool big, bool ext,
                    uint16_t used, const uint8_t *payload, uint8_t *out,
                    tt_frame *f)
{
    memset(f, 0, sizeof *f);
    f->cls = 2;
    f->direction = 1;
    f->size_id = (uint8_t)size_id;
    f->big = big;
    f->has_ext = ext;
    f->dest = ext ? 0xBEEF : 0;
    f->channel = 0xAB;
    f->used_len = used;
    f->payload = payload;
    int n = tt_encode(f, crc, out, TT_FRAME_MAX);
    f->crc = out[tt_crc_offset(out, TT_FRAME_MAX)];
    return n < 0 ? 0 : (size_t)n;
}

/* The probe: a small valid frame that follows each invalid one. */
static size_t probe(tt_crc crc, uint8_t *out, tt_frame *f)
{
    static const uint8_t text[] = "tamtam-probe";
    return synth(crc, 1, false, false, sizeof text - 1, text, out, f);
}

/* Appends the probe after the planned frames: once its echo is back, every
 * echo before it is known to be missing or present, without a timeout. */
static void plan_probe(plan *p, tt_crc crc)
{
    uint8_t b[64];
    tt_frame f;
    size_t n = probe(crc, b, &f);
    plan_add(p, b, n, &f);
    p->probe = true;
}

/* Every valid, must-level vector frame, back to back. */
static void plan_all_valid(plan *p, const tr_vectors *v)
{
    for (size_t i = 0; i < v->nf; i++) {
        const tr_fvec *fv = &v->f[i];
        if (echo_vector(fv) && !fv->info)
            plan_add(p, fv->bytes, tr_frame_len(fv->bytes, fv->len),
                     &fv->frame.f);
    }
}

/* `count` frames of the largest size, roaming and local in turn. */
static void plan_largest(plan *p, tt_crc crc, int count)
{
    p->store = tr_xmalloc(TT_BLOCK_MAX);
    for (size_t k = 0; k < TT_BLOCK_MAX; k++)
        p->store[k] = (uint8_t)(k * 31 + 7);
    uint8_t *buf = tr_xmalloc(TT_FRAME_MAX);
    for (int i = 0; i < count; i++) {
        tt_frame f;
        bool ext = i % 2 == 0;
        size_t n = synth(crc, 15, true, ext, ext ? 8192 : 8000, p->store, buf,
                         &f);
        plan_add(p, buf, n, &f);
    }
    free(buf);
}

/* The writes of the onebyte case: of each of the first `nsmall` planned
 * frames, the first ONEBYTE_HEAD bytes one per write (every split point of
 * either header form, the CRC and UsedLen, and the first payload byte),
 * the rest of the block but its last byte in one write, and the last byte
 * alone (so each frame boundary falls between two one-byte writes); every
 * frame after them (the largest frame) wholly one byte per write. Returns
 * the number of writes in `segs` (room for p->len). */
static size_t onebyte_segments(const plan *p, size_t nsmall, size_t *segs)
{
    size_t n = 0;
    for (size_t k = 0; k < p->nwant; k++) {
        size_t flen = (size_t)tt_encoded_length(&p->want[k]);
        size_t head = k < nsmall && flen > ONEBYTE_HEAD ? ONEBYTE_HEAD : flen;
        for (size_t i = 0; i < head; i++)
            segs[n++] = 1;
        if (flen - head > 1)
            segs[n++] = flen - head - 1;
        if (flen > head)
            segs[n++] = 1;
    }
    return n;
}

/* ---- Stream exchange ------------------------------------------------------------ */

typedef struct wctx {
    tr_run *r;
    tr_vectors *v;
    tr_url url;
} wctx;

/* ---- Judging echoes as they arrive ----------------------------------------------- */

/* Decodes the echoes as their bytes arrive and compares each with the
 * planned frame, so a wrong echo fails the case at once; with a probe after
 * the frames, a frame the node dropped fails as soon as the probe comes back
 * in its place, instead of waiting out the timeout. */
typedef struct echo_judge {
    tt_stream st;
    size_t k; /* echoes judged */
} echo_judge;

/* Feeds `len` received bytes. Returns 0, or -1 with the reason in `d` at
 * the first echo that is not the planned one. */
static int judge_feed(echo_judge *j, const plan *p, const uint8_t *data,
                      size_t len, tr_buf *d)
{
    tt_stream_event ev;
    while (tt_stream_next(&j->st, &data, &len, &ev) > 0) {
        size_t k = j->k++;
        if (k >= p->nwant) {
            tr_buf_printf(d, "more frames came back than were sent");
            return -1;
        }
        if (ev.status) {
            tr_buf_printf(d, "echo %zu (offset %llu) does not decode: %s", k,
                          (unsigned long long)ev.offset,
                          tt_error_name(ev.status));
            return -1;
        }
        const char *field = ttj_frame_diff(&p->want[k], &ev.frame, true);
        if (!field)
            continue;
        if (p->probe && k + 1 < p->nwant &&
            !ttj_frame_diff(&p->want[p->nwant - 1], &ev.frame, true))
            tr_buf_printf(d, "echo %zu is the probe sent after the frames: "
                             "frame %zu did not come back (dropped?)\n",
                          k, k);
        cJSON *a = ttj_frame_to_json(&p->want[k]);
        cJSON *b = ttj_frame_to_json(&ev.frame);
        char *sa = cJSON_PrintUnformatted(a);
        char *sb = cJSON_PrintUnformatted(b);
        tr_buf_printf(d, "echo %zu: field \"%s\" differs\nExpected: "
                         "%.600s\nActual:   %.600s",
                      k, field, sa ? sa : "", sb ? sb : "");
        cJSON_free(sa);
        cJSON_free(sb);
        cJSON_Delete(a);
        cJSON_Delete(b);
        return -1;
    }
    return 0;
}

/* Sends p->bytes cut at `segs` (NULL: all at once) with `pause_ms` between
 * pieces, reading at the same time, until p->want_len bytes came back.
 * The deadline is about lack of progress (HP-7-a): it moves `idle_ms`
 * past every byte sent or received, and past the end of a planned pause,
 * so a long case on a slow machine is never cut short while bytes flow.
 * Returns 0, or -1 with the reason in `d`. */
static int stream_exchange(int fd, const plan *p, const size_t *segs,
                           size_t nsegs, int pause_ms, int idle_ms,
                           echo_judge *j, uint8_t *rx, size_t *rxlen,
                           tr_buf *d)
{
    size_t sent = 0, seg = 0, seg_left = segs ? segs[0] : p->len;
    int64_t next_write = 0, progress = tr_now_ms();
    *rxlen = 0;
    while (sent < p->len || j->k < p->nwant) {
        int64_t now = tr_now_ms();
        bool can_write = sent < p->len && now >= next_write;
        struct pollfd pfd = {fd, (short)(POLLIN | (can_write ? POLLOUT : 0)),
                             0};
        int64_t deadline =
            (next_write > progress ? next_write : progress) + idle_ms;
        int64_t until = deadline;
        if (sent < p->len && !can_write && next_write < until)
            until = next_write;
        if (now >= deadline) {
            tr_buf_printf(d, "timeout: nothing moved for %d ms; %zu of %zu "
                             "expected bytes came back (%zu of %zu sent)",
                          idle_ms, *rxlen, p->want_len, sent, p->len);
            return -1;
        }
        int r = poll(&pfd, 1, (int)(until - now));
        if (r < 0 && errno != EINTR) {
            tr_buf_printf(d, "poll: %s", strerror(errno));
            return -1;
        }
        if (r <= 0)
            continue;
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, rx + *rxlen, p->want_len + 1 - *rxlen, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                tr_buf_printf(d, "%s after %zu of %zu expected bytes came "
                                 "back (%zu of %zu sent)",
                              n == 0 ? "the node closed the connection"
                                     : errno == ECONNRESET
                                           ? "the node reset the connection"
                                           : strerror(errno),
                              *rxlen, p->want_len, sent, p->len);
                return -1;
            }
            if (*rxlen + (size_t)(n > 0 ? n : 0) > p->want_len) {
                *rxlen += (size_t)n;
                tr_buf_printf(d, "more bytes came back than were expected "
                                 "(%zu)",
                              p->want_len);
                return -1;
            }
            if (n > 0) {
                if (judge_feed(j, p, rx + *rxlen, (size_t)n, d)) {
                    *rxlen += (size_t)n;
                    return -1;
                }
                *rxlen += (size_t)n;
                progress = tr_now_ms();
            }
        }
        if (can_write && (pfd.revents & POLLOUT)) {
            ssize_t n = send(fd, p->bytes + sent, seg_left, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                tr_buf_printf(d, "send failed after %zu of %zu bytes: %s",
                              sent, p->len, strerror(errno));
                return -1;
            }
            if (n > 0) {
                sent += (size_t)n;
                seg_left -= (size_t)n;
                progress = tr_now_ms();
                if (!seg_left && sent < p->len) {
                    seg++;
                    seg_left = segs && seg < nsegs ? segs[seg] : p->len - sent;
                    if (pause_ms)
                        next_write = progress + pause_ms;
                }
            }
        }
    }
    return 0;
}

static int stream_case(wctx *x, const plan *p, const size_t *segs,
                       size_t nsegs, int pause_ms, tr_buf *d)
{
    char why[512];
    int fd = tr_connect(&x->url, tr_now_ms() + x->r->o->timeout_ms, why,
                        sizeof why);
    if (fd < 0) {
        tr_buf_printf(d, "%s", why);
        return -1;
    }
    uint8_t *rx = tr_xmalloc(p->want_len + 1);
    size_t rxlen = 0;
    echo_judge *j = tr_xmalloc(sizeof *j);
    tt_stream_init(&j->st, x->v->crc);
    j->k = 0;
    int r = stream_exchange(fd, p, segs, nsegs, pause_ms, x->r->o->timeout_ms,
                            j, rx, &rxlen, d);
    tr_verbose(x->r->progress, "  sent %zu bytes, received %zu\n", p->len,
               rxlen);
    if (r) {
        tr_buf_printf(d, "\nSent:     ");
        tr_buf_hex(d, p->bytes, p->len, DETAIL_HEX);
        tr_buf_printf(d, "\nReceived: ");
        tr_buf_hex(d, rx, rxlen, DETAIL_HEX);
    }
    free(j);
    free(rx);
    close(fd);
    return r;
}

/* ---- UDP exchange --------------------------------------------------------------- */

/* Waits for one datagram. Returns its length, or -1 with the reason. */
static ssize_t udp_recv(int fd, uint8_t *buf, size_t cap, int64_t deadline,
                        tr_buf *d)
{
    for (;;) {
        int64_t left = deadline - tr_now_ms();
        if (left <= 0) {
            tr_buf_printf(d, "timeout: no datagram came back");
            return -1;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, (int)left) <= 0)
            continue;
        ssize_t n = recv(fd, buf, cap, 0);
        if (n >= 0)
            return n;
        if (errno != EAGAIN && errno != EINTR) {
            tr_buf_printf(d, "recv: %s", errno == ECONNREFUSED
                                             ? "the node is not listening "
                                               "(port unreachable)"
                                             : strerror(errno));
            return -1;
        }
    }
}

static int udp_send(int fd, const uint8_t *b, size_t n, tr_buf *d)
{
    if (send(fd, b, n, MSG_NOSIGNAL) == (ssize_t)n)
        return 0;
    tr_buf_printf(d, "send: %s", strerror(errno));
    return -1;
}

/* Sends each planned frame in its own datagram (after `first`, when given,
 * which must not come back), all before reading, then checks the echoes in
 * order; a frame the node dropped fails as soon as the probe after it comes
 * back in its place. Each datagram waited for has its own deadline (lack of
 * progress, not the time of the whole case). */
static int udp_case(wctx *x, const plan *p, const uint8_t *first,
                    size_t first_len, tr_buf *d)
{
    char why[512];
    int fd = tr_connect(&x->url, tr_now_ms() + x->r->o->timeout_ms, why,
                        sizeof why);
    if (fd < 0) {
        tr_buf_printf(d, "%s", why);
        return -1;
    }
    int r = first ? udp_send(fd, first, first_len, d) : 0;
    for (size_t k = 0, off = 0; r == 0 && k < p->nwant; k++) {
        size_t flen = (size_t)tt_encoded_length(&p->want[k]);
        r = udp_send(fd, p->bytes + off, flen, d);
        off += flen;
    }
    uint8_t *rx = tr_xmalloc(65536);
    size_t off = 0;
    for (size_t k = 0; r == 0 && k < p->nwant; k++) {
        size_t flen = (size_t)tt_encoded_length(&p->want[k]);
        ssize_t n = udp_recv(fd, rx, 65536, tr_now_ms() + x->r->o->timeout_ms,
                             d);
        if (n < 0) {
            r = -1;
            break;
        }
        tt_frame got;
        int dr = tt_decode(rx, (size_t)n, x->v->crc, &got);
        const char *field = dr >= 0 ? ttj_frame_diff(&p->want[k], &got, true)
                                    : NULL;
        if (dr < 0 || field || (size_t)dr != (size_t)n) {
            if (dr < 0)
                tr_buf_printf(d, "datagram %zu does not decode: %s", k,
                              tt_error_name(dr));
            else if (field)
                tr_buf_printf(d, "datagram %zu: field \"%s\" differs", k,
                              field);
            else
                tr_buf_printf(d, "datagram %zu holds %zd bytes, the frame %d",
                              k, n, dr);
            if (first && k == 0 && (size_t)n == first_len &&
                !memcmp(rx, first, first_len))
                tr_buf_printf(d, " (the invalid frame came back)");
            else if (field && p->probe && k + 1 < p->nwant &&
                     !ttj_frame_diff(&p->want[p->nwant - 1], &got, true))
                tr_buf_printf(d, " (it is the probe sent after the frames: "
                                 "frame %zu did not come back)",
                              k);
            tr_buf_printf(d, "\nSent:     ");
            tr_buf_hex(d, p->bytes + off, flen, DETAIL_HEX);
            tr_buf_printf(d, "\nReceived: ");
            tr_buf_hex(d, rx, (size_t)n, DETAIL_HEX);
            r = -1;
        }
        off += flen;
    }
    free(rx);
    close(fd);
    return r;
}

/* ---- Cases --------------------------------------------------------------------- */

static int run_wire_case(wctx *x, tr_case *c, tr_buf *d)
{
    bool udp = x->url.scheme == TR_UDP;
    tt_crc crc = x->v->crc;
    plan p = {0};
    uint8_t pbuf[64];
    tt_frame pf;
    int r = 0;
    switch ((wire_kind)c->kind) {
    case W_ECHO: {
        const tr_fvec *fv = &x->v->f[c->vi];
        plan_add(&p, fv->bytes, tr_frame_len(fv->bytes, fv->len),
                 &fv->frame.f);
        plan_probe(&p, crc);
        r = udp ? udp_case(x, &p, NULL, 0, d) : stream_case(x, &p, NULL, 0, 0, d);
        break;
    }
    case W_INVALID: {
        const tr_fvec *fv = &x->v->f[c->vi];
        size_t plen = probe(crc, pbuf, &pf);
        if (udp) {
            plan_add(&p, pbuf, plen, &pf);
            r = udp_case(x, &p, fv->bytes, fv->len, d);
        } else {
            size_t n = 0;
            uint8_t *inv = stream_invalid(fv, crc, &n);
            if (inv)
                plan_add(&p, inv, n, NULL);
            free(inv);
            plan_add(&p, pbuf, plen, &pf);
            r = stream_case(x, &p, NULL, 0, 0, d);
            if (r)
                tr_buf_printf(d, "\n(the invalid frame of %zu bytes was "
                                 "followed by a %zu-byte probe; only the "
                                 "probe may come back)",
                              n, plen);
        }
        break;
    }
    case W_ONEBYTE: {
        plan_all_valid(&p, x->v);
        size_t nframes = p.nwant;
        plan_largest(&p, crc, 1);
        plan_probe(&p, crc);
        size_t *segs = tr_xmalloc((p.len ? p.len : 1) * sizeof *segs);
        size_t nsegs = onebyte_segments(&p, nframes, segs);
        r = stream_case(x, &p, segs, nsegs, 0, d);
        free(segs);
        break;
    }
    case W_SPLIT:
    case W_BATCH: {
        plan_all_valid(&p, x->v);
        plan_probe(&p, crc);
        size_t *segs = NULL, nsegs = 0;
        if (c->kind == W_SPLIT) {
            segs = tr_xmalloc((p.len ? p.len : 1) * sizeof *segs);
            uint32_t rnd = SPLIT_SEED;
            for (size_t done = 0; done < p.len; done += segs[nsegs++]) {
                size_t n = 1 + tr_rand(&rnd) % SPLIT_MAX;
                segs[nsegs] = n < p.len - done ? n : p.len - done;
            }
        }
        r = stream_case(x, &p, segs, nsegs, 0, d);
        free(segs);
        break;
    }
    case W_LARGEST:
        plan_largest(&p, crc, LARGEST_COUNT);
        plan_probe(&p, crc);
        r = udp ? udp_case(x, &p, NULL, 0, d) : stream_case(x, &p, NULL, 0, 0, d);
        break;
    case W_SLOW: {
        size_t plen = probe(crc, pbuf, &pf);
        plan_add(&p, pbuf, plen, &pf);
        size_t segs[SLOW_PIECES];
        size_t piece = plen / SLOW_PIECES;
        for (int k = 0; k < SLOW_PIECES; k++)
            segs[k] = k < SLOW_PIECES - 1 ? piece : plen - piece * k;
        r = stream_case(x, &p, segs, SLOW_PIECES, SLOW_PAUSE_MS, d);
        break;
    }
    }
    plan_free(&p);
    return r;
}

/* Before the cases: the node must accept a connection (exit 2 otherwise),
 * within the start-up allowance: a node that is still starting is not
 * judged on the time a case may take. */
static int preflight(wctx *x)
{
    char why[512];
    int fd = tr_connect(&x->url, tr_now_ms() + x->r->o->start_timeout_ms, why,
                        sizeof why);
    if (fd < 0) {
        fprintf(stderr, "tamtam-run: the node could not be reached: %s\n", why);
        return -1;
    }
    int r = 0;
    if (x->url.scheme == TR_UDP) {
        /* UDP has no connection: one probe tells whether anyone listens. */
        uint8_t pbuf[64], rx[TT_FRAME_MAX];
        tt_frame pf;
        size_t plen = probe(x->v->crc, pbuf, &pf);
        tr_buf d = {0};
        if (udp_send(fd, pbuf, plen, &d) == 0 &&
            udp_recv(fd, rx, sizeof rx, tr_now_ms() + x->r->o->timeout_ms,
                     &d) < 0 &&
            strstr(d.s ? d.s : "", "not listening")) {
            fprintf(stderr, "tamtam-run: the node could not be reached: %s\n",
                    d.s);
            r = -1;
        }
        tr_buf_free(&d);
    }
    close(fd);
    return r;
}

/* Records the verdict of a finished wire case (`res` from run_wire_case,
 * the detail in `d`, which it takes). */
static void wire_done(tr_run *r, tr_case *c, int res, tr_buf *d, int64_t t0)
{
    tr_verdict verdict = res ? TR_FAIL : TR_PASS;
    if (c->info) {
        char *t = tr_buf_take(d);
        tr_buf_printf(d, "%s%s", res ? "behaviour differs: " : "behaviour "
                                       "matches the vector", t);
        free(t);
        verdict = TR_INFO;
    }
    tr_case_done(r, c, verdict, tr_buf_take(d), t0);
}

/* The slow case on its own thread: only run_wire_case, which touches
 * nothing shared but the read-only vectors and options. */
typedef struct slow_job {
    wctx *x;
    tr_case *c;
    pthread_t thread;
    int64_t t0, took_us;
    int res;
    tr_buf d;
} slow_job;

static void *slow_main(void *arg)
{
    slow_job *j = arg;
    j->res = run_wire_case(j->x, j->c, &j->d);
    j->took_us = tr_now_us() - j->t0;
    return NULL;
}

static int wire_run(tr_run *r, void *vectors)
{
    tr_vectors *v = vectors;
    wctx x = {.r = r, .v = v};
    char why[512];
    if (tr_url_parse(r->o->node, &x.url, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: %s\n", why);
        return 2;
    }
    tr_vectors_adapt(v, r->o->crc >= 0 ? (tt_crc)r->o->crc : v->crc);
    if (preflight(&x))
        return 2;
    /* The slow case spends most of its time in planned pauses: it runs on
     * its own connection beside the others (a node serves many at once,
     * HP-5-d), so the suite does not wait for it. */
    slow_job slow = {.x = &x};
    for (size_t i = 0; i < r->cases->n; i++) {
        tr_case *c = &r->cases->c[i];
        if (c->suite == &tr_core_wire_suite && c->kind == W_SLOW &&
            tr_selected(r->o, c->id)) {
            slow.c = c;
            slow.t0 = tr_now_us();
            if (pthread_create(&slow.thread, NULL, slow_main, &slow)) {
                fputs("tamtam-run: cannot start a thread\n", stderr);
                return 2;
            }
            break;
        }
    }
    for (size_t i = 0; i < r->cases->n; i++) {
        tr_case *c = &r->cases->c[i];
        if (c->suite != &tr_core_wire_suite || c == slow.c ||
            !tr_selected(r->o, c->id))
            continue;
        tr_verbose(r->progress, "%s\n", c->id);
        int64_t t0 = tr_now_us();
        tr_buf d = {0};
        int res = run_wire_case(&x, c, &d);
        wire_done(r, c, res, &d, t0);
    }
    if (slow.c) {
        pthread_join(slow.thread, NULL);
        /* Its duration is its own, not the time until the join. */
        wire_done(r, slow.c, slow.res, &slow.d, tr_now_us() - slow.took_us);
    }
    return 0;
}

const tr_suite tr_core_wire_suite = {
    .name = "core wire",
    .protocol = TR_CORE_PROTOCOL,
    .req_prefix = "CF-",
    .mode = TR_MODE_NODE,
    .load = tr_core_vectors_load,
    .free = tr_core_vectors_free,
    .cases = wire_cases,
    .run = wire_run,
};
