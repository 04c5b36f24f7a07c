/*
 * The wire suite: frames sent to an echo node (spec/harness.md, wire mode)
 * over TCP, a Unix socket or UDP, and the echoes decoded with libtamtam and
 * compared field by field with the vectors.
 */
#include <errno.h>
#include <poll.h>
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
#define SLOW_PIECES 5
#define SLOW_PAUSE_MS 100

#define REQ_ECHO "HP-5-a"
#define REQ_INVALID "HP-5-b,CF-12.3-a"
#define REQ_UDP "HP-5-c"
#define REQ_ORDER "HP-5-d,CF-12.3-c,CF-2-b"
#define REQ_LARGEST "HP-5-d,CF-7.2-a,CF-2-b"
#define REQ_SLOW "HP-5-a,CF-12.3-b"

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

void tr_wire_cases(const tr_vectors *v, tr_scheme scheme, tr_cases *cs)
{
    const char *s = tr_scheme_name(scheme);
    char reqs[1024];
    for (size_t i = 0; i < v->nf; i++) {
        const tr_fvec *fv = &v->f[i];
        if (!echo_vector(fv))
            continue;
        snprintf(reqs, sizeof reqs, "%s%s%s%s", fv->reqs, *fv->reqs ? "," : "",
                 REQ_ECHO, scheme == TR_UDP ? "," REQ_UDP : "");
        tr_cases_add(cs, TR_K_W_ECHO, i, fv->info, reqs, "wire.%s.echo.%s", s,
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
        tr_cases_add(cs, TR_K_W_INVALID, i, fv->info, reqs,
                     "wire.%s.invalid.%s", s, fv->id);
    }
    if (scheme != TR_UDP) {
        tr_cases_add(cs, TR_K_W_ONEBYTE, 0, false, REQ_ORDER, "wire.%s.onebyte",
                     s);
        tr_cases_add(cs, TR_K_W_SPLIT, 0, false, REQ_ORDER, "wire.%s.split", s);
        tr_cases_add(cs, TR_K_W_BATCH, 0, false, REQ_ORDER, "wire.%s.batch", s);
    }
    tr_cases_add(cs, TR_K_W_LARGEST, 0, false, REQ_LARGEST, "wire.%s.largest",
                 s);
    if (scheme != TR_UDP)
        tr_cases_add(cs, TR_K_W_SLOW, 0, false, REQ_SLOW, "wire.%s.slow", s);
}

/* ---- Frames to send ---------------------------------------------------------- */

typedef struct plan {
    uint8_t *bytes; /* everything to send, back to back */
    size_t len;
    tt_frame *want; /* the frames expected back, in order */
    size_t nwant;
    size_t want_len; /* their total length */
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
    f->crc = out[ext ? 5 : 3];
    return n < 0 ? 0 : (size_t)n;
}

/* The probe: a small valid frame that follows each invalid one. */
static size_t probe(tt_crc crc, uint8_t *out, tt_frame *f)
{
    static const uint8_t text[] = "tamtam-probe";
    return synth(crc, 1, false, false, sizeof text - 1, text, out, f);
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

static void plan_largest(plan *p, tt_crc crc)
{
    p->store = tr_xmalloc(TT_BLOCK_MAX);
    for (size_t k = 0; k < TT_BLOCK_MAX; k++)
        p->store[k] = (uint8_t)(k * 31 + 7);
    uint8_t *buf = tr_xmalloc(TT_FRAME_MAX);
    for (int i = 0; i < LARGEST_COUNT; i++) {
        tt_frame f;
        bool ext = i % 2 == 0;
        size_t n = synth(crc, 15, true, ext, ext ? 8192 : 8000, p->store, buf,
                         &f);
        plan_add(p, buf, n, &f);
    }
    free(buf);
}

/* ---- Stream exchange ------------------------------------------------------------ */

typedef struct wctx {
    tr_run *r;
    tr_vectors *v;
    tr_url url;
} wctx;

/* Sends p->bytes cut at `segs` (NULL: all at once) with `pause_ms` between
 * pieces, reading at the same time, until p->want_len bytes came back.
 * Returns 0, or -1 with the reason in `d`. */
static int stream_exchange(int fd, const plan *p, const size_t *segs,
                           size_t nsegs, int pause_ms, int64_t deadline,
                           uint8_t *rx, size_t *rxlen, tr_buf *d)
{
    size_t sent = 0, seg = 0, seg_left = segs ? segs[0] : p->len;
    int64_t next_write = 0;
    *rxlen = 0;
    while (sent < p->len || *rxlen < p->want_len) {
        int64_t now = tr_now_ms();
        bool can_write = sent < p->len && now >= next_write;
        struct pollfd pfd = {fd, (short)(POLLIN | (can_write ? POLLOUT : 0)),
                             0};
        int64_t until = deadline;
        if (sent < p->len && !can_write && next_write < until)
            until = next_write;
        if (now >= deadline) {
            tr_buf_printf(d, "timeout: %zu of %zu expected bytes came back "
                             "(%zu of %zu sent)",
                          *rxlen, p->want_len, sent, p->len);
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
            if (n > 0)
                *rxlen += (size_t)n;
            if (*rxlen > p->want_len) {
                tr_buf_printf(d, "more bytes came back than were expected "
                                 "(%zu)",
                              p->want_len);
                return -1;
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
                if (!seg_left && sent < p->len) {
                    seg++;
                    seg_left = segs && seg < nsegs ? segs[seg] : p->len - sent;
                    if (pause_ms)
                        next_write = tr_now_ms() + pause_ms;
                }
            }
        }
    }
    return 0;
}

/* Decodes what came back and compares it with the planned frames. */
static int check_echoes(const plan *p, tt_crc crc, const uint8_t *rx,
                        size_t rxlen, tr_buf *d)
{
    tt_stream *st = tr_xmalloc(sizeof *st);
    tt_stream_init(st, crc);
    const uint8_t *data = rx;
    size_t left = rxlen, k = 0;
    tt_stream_event ev;
    int bad = 0;
    while (!bad && tt_stream_next(st, &data, &left, &ev) > 0) {
        if (k >= p->nwant) {
            tr_buf_printf(d, "more frames came back than were sent");
            bad = -1;
        } else if (ev.status) {
            tr_buf_printf(d, "echo %zu (offset %llu) does not decode: %s", k,
                          (unsigned long long)ev.offset,
                          tt_error_name(ev.status));
            bad = -1;
        } else {
            const char *field = ttj_frame_diff(&p->want[k], &ev.frame, true);
            if (field) {
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
                bad = -1;
            }
        }
        k++;
    }
    if (!bad && (k != p->nwant || tt_stream_pending(st))) {
        tr_buf_printf(d, "%zu frames came back, %zu expected", k, p->nwant);
        bad = -1;
    }
    free(st);
    if (bad) {
        tr_buf_printf(d, "\nSent:     ");
        tr_buf_hex(d, p->bytes, p->len, DETAIL_HEX);
        tr_buf_printf(d, "\nReceived: ");
        tr_buf_hex(d, rx, rxlen, DETAIL_HEX);
    }
    return bad;
}

static int stream_case(wctx *x, const plan *p, const size_t *segs,
                       size_t nsegs, int pause_ms, tr_buf *d)
{
    int64_t deadline = tr_now_ms() + x->r->o->timeout_ms +
                       (int64_t)pause_ms * (int64_t)(nsegs ? nsegs : 1);
    char why[512];
    int fd = tr_connect(&x->url, deadline, why, sizeof why);
    if (fd < 0) {
        tr_buf_printf(d, "%s", why);
        return -1;
    }
    uint8_t *rx = tr_xmalloc(p->want_len + 1);
    size_t rxlen = 0;
    int r = stream_exchange(fd, p, segs, nsegs, pause_ms, deadline, rx, &rxlen,
                            d);
    tr_verbose(x->r->progress, "  sent %zu bytes, received %zu\n", p->len,
               rxlen);
    if (r == 0)
        r = check_echoes(p, x->v->crc, rx, rxlen, d);
    else if (rxlen) {
        tr_buf_printf(d, "\nReceived: ");
        tr_buf_hex(d, rx, rxlen, DETAIL_HEX);
    }
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
 * which must not come back) and checks each echo. */
static int udp_case(wctx *x, const plan *p, const uint8_t *first,
                    size_t first_len, tr_buf *d)
{
    int64_t deadline = tr_now_ms() + x->r->o->timeout_ms;
    char why[512];
    int fd = tr_connect(&x->url, deadline, why, sizeof why);
    if (fd < 0) {
        tr_buf_printf(d, "%s", why);
        return -1;
    }
    uint8_t *rx = tr_xmalloc(65536);
    int r = first ? udp_send(fd, first, first_len, d) : 0;
    size_t off = 0;
    for (size_t k = 0; r == 0 && k < p->nwant; k++) {
        size_t flen = (size_t)tt_encoded_length(&p->want[k]);
        r = udp_send(fd, p->bytes + off, flen, d);
        ssize_t n = r ? -1 : udp_recv(fd, rx, 65536, deadline, d);
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
    switch (c->kind) {
    case TR_K_W_ECHO: {
        const tr_fvec *fv = &x->v->f[c->vi];
        plan_add(&p, fv->bytes, tr_frame_len(fv->bytes, fv->len),
                 &fv->frame.f);
        r = udp ? udp_case(x, &p, NULL, 0, d) : stream_case(x, &p, NULL, 0, 0, d);
        break;
    }
    case TR_K_W_INVALID: {
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
    case TR_K_W_ONEBYTE:
    case TR_K_W_SPLIT:
    case TR_K_W_BATCH: {
        plan_all_valid(&p, x->v);
        size_t *segs = NULL, nsegs = 0;
        if (c->kind != TR_K_W_BATCH) {
            segs = tr_xmalloc((p.len ? p.len : 1) * sizeof *segs);
            uint32_t rnd = SPLIT_SEED;
            for (size_t done = 0; done < p.len; done += segs[nsegs++]) {
                size_t n = 1;
                if (c->kind == TR_K_W_SPLIT)
                    n = 1 + tr_rand(&rnd) % SPLIT_MAX;
                segs[nsegs] = n < p.len - done ? n : p.len - done;
            }
        }
        r = stream_case(x, &p, segs, nsegs, 0, d);
        free(segs);
        break;
    }
    case TR_K_W_LARGEST:
        plan_largest(&p, crc);
        r = udp ? udp_case(x, &p, NULL, 0, d) : stream_case(x, &p, NULL, 0, 0, d);
        break;
    default: { /* TR_K_W_SLOW */
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

/* Before the cases: the node must accept a connection (exit 2 otherwise). */
static int preflight(wctx *x)
{
    char why[512];
    int fd = tr_connect(&x->url, tr_now_ms() + x->r->o->timeout_ms, why,
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

int tr_wire_run(tr_run *r, tr_vectors *v)
{
    wctx x = {.r = r, .v = v};
    char why[512];
    if (tr_url_parse(r->o->node, &x.url, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: %s\n", why);
        return 2;
    }
    tr_vectors_adapt(v, r->o->crc >= 0 ? (tt_crc)r->o->crc : v->crc);
    if (preflight(&x))
        return 2;
    for (size_t i = 0; i < r->cases->n; i++) {
        tr_case *c = &r->cases->c[i];
        if (c->kind < TR_K_W_ECHO || !tr_selected(r->o, c->id))
            continue;
        tr_verbose(r->progress, "%s\n", c->id);
        int64_t t0 = tr_now_us();
        tr_buf d = {0};
        int res = run_wire_case(&x, c, &d);
        tr_verdict verdict = res ? TR_FAIL : TR_PASS;
        if (c->info) {
            char *t = tr_buf_take(&d);
            tr_buf_printf(&d, "%s%s", res ? "behaviour differs: " : "behaviour "
                                            "matches the vector", t);
            free(t);
            verdict = TR_INFO;
        }
        tr_case_done(r, c, verdict, tr_buf_take(&d), t0);
    }
    return 0;
}
