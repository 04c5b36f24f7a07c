/* tamtam-node echo under hostile load (issue 8): a thousand concurrent
 * connections, slow-loris senders, clients that never read, bursts of
 * invalid frames of every size, connections that half-close or reset in
 * the middle of a frame, and UDP floods of garbage.
 *
 * Each group starts its own node, so the node's peak resident memory
 * (VmHWM of /proc/PID/status) is that load's peak; every group prints it
 * and asserts a cap on its growth over the idle node. A well-behaved
 * client (the probe) keeps a connection open through every load and must
 * be answered between the load's steps; after each load the node's
 * descriptors fall back to the idle count (no connection leaked).
 *
 * Expected echoes are frames built by the tests from the field layout with
 * the spec's bit-by-bit CRC (nodetest.c), never output of the node. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nodetest.h"

/* Concurrent connections of the connection test, and descriptors the test
 * process needs beyond them (stdio, the node's pipes, the probe, slack). */
#define NCONN 1000
#define FD_SLACK 64

struct bytes {
    uint8_t b[8200];
    size_t n;
};

/* Caps on the node's memory growth under each load, in KiB over the idle
 * node's resident size, for a plain build. Per connection the node holds
 * its state (about 8.5 KiB with the receiver's partial-frame buffer) and an
 * output buffer that starts at 16 KiB and grows to at most 128 KiB for a
 * client that does not read (reference/node/src/conn.h); each cap is about
 * twice what that design needs for its load, and far below what
 * buffering a flood would take. */
#define CAP_CONNS_KIB (32 * 1024)
#define CAP_LORIS_KIB (16 * 1024)
#define CAP_NEVER_READS_KIB (4 * 1024)
#define CAP_BURSTS_KIB (4 * 1024)
#define CAP_ABRUPT_KIB (8 * 1024)
#define CAP_UDP_KIB (4 * 1024)

/* The node is built with the same flags as this program. ASan's shadow
 * memory, redzones and quarantine take about 2-3 times the allocations,
 * TSan's shadow 5-10 times (their documentation's figures). */
#ifdef __has_feature
#define HAS_FEATURE(x) __has_feature(x)
#else
#define HAS_FEATURE(x) 0
#endif
#if defined(__SANITIZE_THREAD__) || HAS_FEATURE(thread_sanitizer)
#define MEMORY_SCALE 10
#elif defined(__SANITIZE_ADDRESS__) || HAS_FEATURE(address_sanitizer)
#define MEMORY_SCALE 3
#else
#define MEMORY_SCALE 1
#endif

/* ---- the node, its probe client and its figures ---- */

static struct nt_child node;
static unsigned node_port;
static int probe_fd = -1;
static unsigned probe_seq;
static long idle_rss_kib, idle_fds, peak_rss_kib;

/* VmHWM is kept from counters the kernel syncs lazily, so a VmRSS read at
 * a load's height can exceed it by a little: the peak is the larger. */
static void sample_rss(void)
{
    long rss = nt_status_kib(node.pid, "VmRSS");
    if (rss > peak_rss_kib)
        peak_rss_kib = rss;
}

static uint32_t rnd_state;

static uint32_t rnd(void)
{
    uint32_t x = rnd_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rnd_state = x;
}

/* The probe: a well-behaved client's round trip, which must complete
 * whatever else the node is going through. */
static void probe(void)
{
    uint8_t payload[8];
    for (int i = 0; i < 4; i++)
        payload[i] = (uint8_t)(probe_seq >> (24 - 8 * i));
    memcpy(payload + 4, "PROB", 4); // NOLINT(bugprone-not-null-terminated-result): 4 bytes of payload, not a string
    static struct bytes f, got;
    f.n = nt_frame(f.b, 1, 2, 2, 0x2, 0xA5, 0, payload, 8, 0x5A);
    nt_send(probe_fd, f.b, f.n, 0);
    nt_recv_exact(probe_fd, got.b, f.n);
    if (memcmp(got.b, f.b, f.n) != 0)
        fail_msg("probe %u: the echo differs from the frame sent", probe_seq);
    probe_seq++;
}

static char udp_url[256];

/* Starts the node with `args` (after "echo"), whose first listener is the
 * TCP one the probe and the stream loads use; with `udp`, the second is
 * UDP and its URL goes to udp_url. */
static int start_node(const char *const *args, bool udp)
{
    nt_start(&node, args);
    node_port = nt_url_port(nt_listening(&node));
    if (udp)
        snprintf(udp_url, sizeof udp_url, "%s", nt_listening(&node));
    probe_fd = nt_tcp_connect(node_port);
    probe();
    idle_rss_kib = nt_status_kib(node.pid, "VmRSS");
    idle_fds = nt_fd_count(node.pid);
    return 0;
}

static int setup_tcp(void **state)
{
    (void)state;
    static const char *const args[] = {"echo", "--listen",
                                       "tcp://127.0.0.1:0", NULL};
    return start_node(args, false);
}

static int setup_udp(void **state)
{
    (void)state;
    static const char *const args[] = {"echo", "--listen",
                                       "tcp://127.0.0.1:0", "--listen",
                                       "udp://127.0.0.1:0", NULL};
    return start_node(args, true);
}

static int stop_node(void **state)
{
    (void)state;
    close(probe_fd);
    int status = nt_stop(&node, SIGTERM);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* After a load: every connection it opened is gone from the node, the
 * probe is still answered, and the node's peak memory is reported and
 * checked. */
static void finish_load(const char *load, long cap_kib)
{
    if (!nt_fd_count_falls_to(node.pid, idle_fds))
        fail_msg("%s: the node still holds %ld descriptors, %ld when idle",
                 load, nt_fd_count(node.pid), idle_fds);
    probe();
    long peak = nt_status_kib(node.pid, "VmHWM");
    if (peak < peak_rss_kib)
        peak = peak_rss_kib;
    cap_kib *= MEMORY_SCALE;
    print_message("%s: node peak memory (VmHWM) %ld KiB, idle %ld KiB, "
                  "growth %ld KiB (cap %ld KiB); %u probe round trips\n",
                  load, peak, idle_rss_kib, peak - idle_rss_kib, cap_kib,
                  probe_seq);
    if (peak - idle_rss_kib > cap_kib)
        fail_msg("%s: node memory grew by %ld KiB (cap %ld KiB)", load,
                 peak - idle_rss_kib, cap_kib);
}

/* ---- frames ---- */

static size_t header_len(unsigned flags)
{
    return flags & 0x8 ? 5 : 3;
}

/* A valid frame of SizeId `size_id` with flags `flags` (0x1 big, 0x8 ext
 * among them) whose payload starts with `tag` (4 bytes) and `seq`, as much
 * of it as UsedLen holds; UsedLen is drawn at random up to the block. */
static void valid_frame(struct bytes *f, unsigned size_id, unsigned flags,
                        uint32_t tag, uint32_t seq)
{
    uint8_t payload[8192];
    unsigned block = nt_block_size(size_id, flags & 0x1);
    unsigned used = block ? rnd() % (block + 1) : 0;
    for (unsigned i = 0; i < used; i++)
        payload[i] = (uint8_t)(rnd() >> 24);
    for (unsigned i = 0; i < 4 && i < used; i++)
        payload[i] = (uint8_t)(tag >> (24 - 8 * i));
    for (unsigned i = 4; i < 8 && i < used; i++)
        payload[i] = (uint8_t)(seq >> (56 - 8 * i));
    f->n = nt_frame(f->b, rnd() % 16, rnd() % 16, size_id, flags,
                    seq & 0xFF, tag & 0xFFFF, payload, used,
                    (uint8_t)rnd());
}

static void random_valid_frame(struct bytes *f, uint32_t tag, uint32_t seq)
{
    valid_frame(f, rnd() % 16, rnd() % 16, tag, seq);
}

/* An invalid frame of SizeId `size_id`, flags `flags`: `crc` true for a
 * crc_mismatch (the integrity byte changed), false for
 * used_len_exceeds_block (UsedLen above the block, up to 0xFFFF). Either
 * is skipped by exactly its length (CF-12.3-a). */
static void invalid_frame(struct bytes *f, unsigned size_id, unsigned flags,
                          bool crc)
{
    valid_frame(f, size_id, flags, 0xBAD0BAD0, rnd());
    size_t h = header_len(flags);
    if (crc) {
        f->b[h] ^= (uint8_t)(1 + rnd() % 255);
    } else {
        unsigned block = nt_block_size(size_id, flags & 0x1);
        unsigned used = block + 1 + rnd() % (0xFFFFu - block);
        if (rnd() % 4 == 0)
            used = rnd() % 2 ? block + 1 : 0xFFFF;
        f->b[h + 1] = (uint8_t)(used >> 8);
        f->b[h + 2] = (uint8_t)used;
    }
}

/* Length of the valid frame at the start of p[0..n), or 0 when p does not
 * start with one (spec/core-frame.md 12.2, CRC-8/SMBUS). */
static size_t judge(const uint8_t *p, size_t n)
{
    if (!p || n < 2)
        return 0;
    size_t h = header_len(p[1]);
    if (n < h + 3)
        return 0;
    unsigned used = (unsigned)p[h + 1] << 8 | p[h + 2];
    unsigned block = nt_block_size(p[1] >> 4, p[1] & 0x1);
    if (used > block || n < h + 3 + block)
        return 0;
    uint8_t in[8200];
    memcpy(in, p, h);
    memcpy(in + h, p + h + 1, 2 + used);
    return nt_crc8_smbus(in, h + 2 + used) == p[h] ? h + 3 + block : 0;
}

/* ---- growable byte strings ---- */

struct buf {
    uint8_t *p;
    size_t n, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->cap - b->n < n) {
        b->cap = b->cap ? 2 * b->cap : 16384;
        while (b->cap - b->n < n)
            b->cap *= 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort(); /* out of memory in the test itself */
    }
    if (n) /* an empty add may meet a buffer not yet allocated */
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* ---- many peers at once ---- */

/* A client connection with a script: bytes to send (in random pieces of
 * 1..max_write bytes) and the exact bytes it must get back. */
struct peer {
    int fd;
    struct buf tx, want;
    size_t tx_at, got;
    size_t max_write;
    bool done;
};

static void set_nonblocking(int fd)
{
    assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
}

static void peer_send(struct peer *p, size_t i)
{
    size_t k = 1 + rnd() % p->max_write;
    if (k > p->tx.n - p->tx_at)
        k = p->tx.n - p->tx_at;
    ssize_t r = send(p->fd, p->tx.p + p->tx_at, k, MSG_NOSIGNAL);
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        fail_msg("peer %zu: send: %s", i, strerror(errno));
    if (r > 0)
        p->tx_at += (size_t)r;
}

static void peer_recv(struct peer *p, size_t i)
{
    static uint8_t in[65536];
    size_t k = p->want.n - p->got;
    if (k > sizeof in)
        k = sizeof in;
    ssize_t r = recv(p->fd, in, k, 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (r < 0)
        fail_msg("peer %zu: recv: %s", i, strerror(errno));
    if (r == 0)
        fail_msg("peer %zu: the node ended the connection after %zu of %zu "
                 "echo bytes",
                 i, p->got, p->want.n);
    for (ssize_t j = 0; j < r; j++)
        if (in[j] != p->want.p[p->got + (size_t)j])
            fail_msg("peer %zu: echo byte %zu is 0x%02x, expected 0x%02x", i,
                     p->got + (size_t)j, in[j],
                     p->want.p[p->got + (size_t)j]);
    p->got += (size_t)r;
}

/* Runs every peer's script at once (non-blocking sockets, one poll set)
 * until each has sent everything and got every expected byte; calls
 * `between` each time another `every` peers are done. Fails on a byte that
 * differs, a connection the node ends, or 20 s without progress. */
static void drive(struct peer *peers, size_t n, size_t every,
                  void (*between)(void))
{
    struct pollfd *pfd = calloc(n, sizeof *pfd);
    size_t *idx = calloc(n, sizeof *idx);
    assert_true(pfd && idx);
    size_t done = 0;
    for (size_t i = 0; i < n; i++)
        set_nonblocking(peers[i].fd);
    while (done < n) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            struct peer *p = &peers[i];
            if (p->done)
                continue;
            pfd[m].fd = p->fd;
            pfd[m].events = (short)((p->got < p->want.n ? POLLIN : 0) |
                                    (p->tx_at < p->tx.n ? POLLOUT : 0));
            idx[m++] = i;
        }
        int r = poll(pfd, m, NT_DEADLINE_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            fail_msg("no progress within %d ms: %zu of %zu peers done",
                     NT_DEADLINE_MS, done, n);
        assert_true(r > 0);
        for (size_t j = 0; j < m; j++) {
            struct peer *p = &peers[idx[j]];
            if (pfd[j].revents & POLLOUT)
                peer_send(p, idx[j]);
            if (pfd[j].revents & (POLLIN | POLLHUP | POLLERR))
                peer_recv(p, idx[j]);
            if (p->tx_at == p->tx.n && p->got == p->want.n) {
                p->done = true;
                if (++done % every == 0 && between)
                    between();
            }
        }
    }
    free(pfd);
    free(idx);
}

/* Ends each peer's sending side; the node must then send nothing more
 * (no echo of anything invalid, no duplicate) and end the connection. */
static void expect_clean_ends(struct peer *peers, size_t n)
{
    for (size_t i = 0; i < n; i++)
        shutdown(peers[i].fd, SHUT_WR);
    for (size_t i = 0; i < n; i++) {
        int fl = fcntl(peers[i].fd, F_GETFL);
        fcntl(peers[i].fd, F_SETFL, fl & ~O_NONBLOCK);
        uint8_t extra[64];
        long r = nt_recv_some(peers[i].fd, extra, sizeof extra);
        if (r != 0)
            fail_msg("peer %zu: %ld bytes after the last expected echo "
                     "instead of the end of the stream",
                     i, r);
    }
}

static void free_peers(struct peer *peers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (peers[i].fd >= 0)
            close(peers[i].fd);
        free(peers[i].tx.p);
        free(peers[i].want.p);
    }
    free(peers);
}

static void probe_between(void)
{
    probe();
}

/* ---- 1,000 concurrent connections ---- */

/* NCONN clients connect, each sends three bytes of its first frame (so the
 * node holds a partial frame for every one of them) and the probe is
 * answered with all of them open; then every client sends four frames of
 * sizes spread over every SizeId, BigMode and HasExt in random pieces and
 * gets them back in order, the probe being answered after every 100
 * clients served. */
static void test_conns_1000(void **state)
{
    (void)state;
    rnd_state = 0x1000C0DE;
    struct peer *peers = calloc(NCONN, sizeof *peers);
    assert_non_null(peers);
    for (size_t i = 0; i < NCONN; i++) {
        struct peer *p = &peers[i];
        p->fd = nt_tcp_connect(node_port);
        p->max_write = 1 + i % 2000;
        for (uint32_t j = 0; j < 4; j++) {
            struct bytes f;
            valid_frame(&f, (unsigned)(i * 7 + j * 5) % 16,
                        (unsigned)((i + j) & 1) | ((i >> 1) + j) % 2 << 3,
                        (uint32_t)i, j);
            buf_add(&p->tx, f.b, f.n);
            buf_add(&p->want, f.b, f.n);
        }
        nt_send(p->fd, p->tx.p, 3, 0);
        p->tx_at = 3;
    }
    /* The node accepts in batches between its other events, so the probe's
     * answer alone does not mean every connection is in yet (on a busy
     * machine the backlog may still hold hundreds): wait for the node to
     * hold them all, each accept restarting the deadline. */
    if (!nt_fd_count_rises_to(node.pid, idle_fds + NCONN))
        fail_msg("the node stopped accepting at %ld connections of %d",
                 nt_fd_count(node.pid) - idle_fds, NCONN);
    probe();
    long open = nt_fd_count(node.pid) - idle_fds;
    print_message("connections open in the node with the probe answered: "
                  "%ld\n",
                  open);
    if (open < NCONN)
        fail_msg("the node holds %ld connections, not %d", open, NCONN);
    drive(peers, NCONN, 100, probe_between);
    sample_rss();
    expect_clean_ends(peers, NCONN);
    free_peers(peers, NCONN);
    finish_load("node.hostile.conns_1000", CAP_CONNS_KIB);
}

/* ---- slow-loris senders ---- */

/* NLORIS connections, each holding a partial frame and adding one byte per
 * round: a third trickle the last 80 bytes of a largest frame, a third
 * trickle a 72-byte frame from its first byte, a third trickle a largest
 * frame that never completes. The probe is answered after every round;
 * the completed frames come back whole. */
static void test_slowloris(void **state)
{
    (void)state;
    enum { NLORIS = 300, ROUNDS = 80 };
    rnd_state = 0x510C0815;
    struct loris {
        int fd;
        struct bytes f;
        size_t at, stop;
    } *l = calloc(NLORIS, sizeof *l);
    assert_non_null(l);
    for (size_t i = 0; i < NLORIS; i++) {
        l[i].fd = nt_tcp_connect(node_port);
        switch (i % 3) {
        case 0:
            valid_frame(&l[i].f, 15, 0x9, (uint32_t)i, 0);
            l[i].at = l[i].f.n - ROUNDS;
            l[i].stop = l[i].f.n;
            break;
        case 1:
            valid_frame(&l[i].f, 2, 0x9, (uint32_t)i, 1);
            assert_int_equal(l[i].f.n, 72);
            l[i].stop = l[i].f.n;
            break;
        default:
            valid_frame(&l[i].f, 15, 0x1, (uint32_t)i, 2);
            l[i].at = l[i].f.n - ROUNDS - 10;
            l[i].stop = l[i].f.n - 10;
            break;
        }
        if (l[i].at)
            nt_send(l[i].fd, l[i].f.b, l[i].at, 0);
    }
    probe();
    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < NLORIS; i++)
            if (l[i].at < l[i].stop)
                nt_send(l[i].fd, l[i].f.b + l[i].at++, 1, 0);
        probe();
    }
    sample_rss();
    static uint8_t got[8200];
    for (size_t i = 0; i < NLORIS; i++) {
        if (l[i].stop == l[i].f.n) {
            nt_recv_exact(l[i].fd, got, l[i].f.n);
            if (memcmp(got, l[i].f.b, l[i].f.n) != 0)
                fail_msg("loris %zu: the echo differs from its frame", i);
        }
        /* The unfinished frames are dropped with their connection. */
        shutdown(l[i].fd, SHUT_WR);
        if (nt_recv_some(l[i].fd, got, sizeof got) != 0)
            fail_msg("loris %zu: bytes after its echo", i);
        close(l[i].fd);
    }
    free(l);
    finish_load("node.hostile.slowloris", CAP_LORIS_KIB);
}

/* ---- clients that never read ---- */

/* The flood frames: SizeId 15 BigMode (8198 bytes) carrying the flooder
 * and the sequence number, so order and completeness can be checked. */
static void flood_frame(uint32_t who, uint32_t seq, struct bytes *f)
{
    uint8_t payload[8];
    for (int i = 0; i < 4; i++) {
        payload[i] = (uint8_t)(who >> (24 - 8 * i));
        payload[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
    }
    f->n = nt_frame(f->b, 2, 0, 15, 0x1, 77, 0, payload, 8, 0);
}

/* NFLOOD clients send frames as fast as the node takes them and read
 * nothing. The node must stop reading them (their writes stall well below
 * what they could send), stay within its memory cap, answer the probe
 * meanwhile, and give every complete frame back in order once they read. */
static void test_never_reads(void **state)
{
    (void)state;
    enum { NFLOOD = 8 };
    const size_t flood_max = 48u << 20, stall_bound = 40u << 20;
    struct flooder {
        int fd;
        struct bytes f;
        uint32_t seq;
        size_t at, written;
    } *fl = calloc(NFLOOD, sizeof *fl);
    assert_non_null(fl);
    struct pollfd pfd[NFLOOD];
    for (uint32_t i = 0; i < NFLOOD; i++) {
        fl[i].fd = nt_tcp_connect(node_port);
        set_nonblocking(fl[i].fd);
        flood_frame(i, 0, &fl[i].f);
        pfd[i].fd = fl[i].fd;
        pfd[i].events = POLLOUT;
    }
    /* Until no flooder can write for a whole second: the node has stopped
     * reading every one of them (the wait only ends the flood; nothing is
     * asserted about time). A node descheduled for that second on a busy
     * machine only ends the flood early, with fewer bytes taken: the bound
     * below cannot fail for that, and every frame sent is still checked. */
    for (;;) {
        int r = poll(pfd, NFLOOD, 1000);
        if (r < 0 && errno == EINTR)
            continue;
        assert_true(r >= 0);
        if (r == 0)
            break;
        for (uint32_t i = 0; i < NFLOOD; i++) {
            struct flooder *x = &fl[i];
            if (!(pfd[i].revents & POLLOUT))
                continue;
            if (x->written >= flood_max)
                fail_msg("flooder %u: the node kept reading a client that "
                         "never reads (%zu bytes taken)",
                         i, x->written);
            ssize_t n = send(x->fd, x->f.b + x->at, x->f.n - x->at,
                             MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                fail_msg("flooder %u: send: %s", i, strerror(errno));
            if (n <= 0)
                continue;
            x->written += (size_t)n;
            x->at += (size_t)n;
            if (x->at == x->f.n) {
                flood_frame(i, ++x->seq, &x->f);
                x->at = 0;
            }
        }
    }
    size_t total = 0;
    for (uint32_t i = 0; i < NFLOOD; i++) {
        total += fl[i].written;
        if (fl[i].written >= stall_bound)
            fail_msg("flooder %u: %zu bytes taken before its writes stalled",
                     i, fl[i].written);
    }
    sample_rss();
    print_message("%d clients that never read: writes stalled after %zu "
                  "bytes in all\n",
                  NFLOOD, total);
    probe();

    static struct bytes want;
    static uint8_t got[8200];
    for (uint32_t i = 0; i < NFLOOD; i++) {
        int f = fcntl(fl[i].fd, F_GETFL);
        fcntl(fl[i].fd, F_SETFL, f & ~O_NONBLOCK);
        for (uint32_t s = 0; s < fl[i].seq; s++) {
            flood_frame(i, s, &want);
            nt_recv_exact(fl[i].fd, got, want.n);
            if (memcmp(got, want.b, want.n) != 0)
                fail_msg("flooder %u: echo %u of %u differs", i, s,
                         fl[i].seq);
        }
        close(fl[i].fd);
    }
    free(fl);
    finish_load("node.hostile.never_reads", CAP_NEVER_READS_KIB);
}

/* ---- bursts of invalid frames ---- */

/* Every invalid kind: SizeId 0..15 x BigMode x HasExt x {crc_mismatch,
 * used_len_exceeds_block}. */
enum { NKINDS = 16 * 2 * 2 * 2 };

static void kind_frame(struct bytes *f, unsigned kind)
{
    invalid_frame(f, kind % 16, (kind / 16 % 2) | (kind / 32 % 2) << 3,
                  kind / 64 != 0);
}

/* NBURST connections at once, each sending three rounds of: a burst of
 * every invalid kind in random order, then 32 valid frames each followed
 * by an invalid one, then six zero bytes (a valid frame under SMBUS,
 * CF-12.1-c) and `00 00 00 00 00 01` (an invalid one). Pieces of 1..16
 * bytes for two of them, 1..4000 for the others. Each must get exactly
 * its valid frames back, in order, and nothing else. */
static void test_invalid_bursts(void **state)
{
    (void)state;
    enum { NBURST = 16, ROUNDS = 3, PAIRS = 32 };
    rnd_state = 0xB0B5B0B5;
    static const uint8_t zeros[6], bad_zeros[6] = {0, 0, 0, 0, 0, 1};
    struct peer *peers = calloc(NBURST, sizeof *peers);
    assert_non_null(peers);
    size_t invalid_count = 0;
    for (size_t i = 0; i < NBURST; i++) {
        struct peer *p = &peers[i];
        p->fd = nt_tcp_connect(node_port);
        p->max_write = i < 2 ? 16 : 4000;
        uint32_t seq = 0;
        for (int r = 0; r < ROUNDS; r++) {
            unsigned order[NKINDS];
            for (unsigned k = 0; k < NKINDS; k++)
                order[k] = k;
            for (unsigned k = NKINDS - 1; k > 0; k--) {
                unsigned j = rnd() % (k + 1), t = order[k];
                order[k] = order[j];
                order[j] = t;
            }
            struct bytes f;
            for (unsigned k = 0; k < NKINDS; k++) {
                kind_frame(&f, order[k]);
                buf_add(&p->tx, f.b, f.n);
            }
            for (int k = 0; k < PAIRS; k++) {
                random_valid_frame(&f, (uint32_t)i, seq++);
                buf_add(&p->tx, f.b, f.n);
                buf_add(&p->want, f.b, f.n);
                kind_frame(&f, rnd() % NKINDS);
                buf_add(&p->tx, f.b, f.n);
            }
            buf_add(&p->tx, zeros, sizeof zeros);
            buf_add(&p->want, zeros, sizeof zeros);
            buf_add(&p->tx, bad_zeros, sizeof bad_zeros);
            invalid_count += NKINDS + PAIRS + 1;
        }
    }
    drive(peers, NBURST, 4, probe_between);
    expect_clean_ends(peers, NBURST);
    print_message("%zu invalid frames skipped, every valid frame echoed in "
                  "order\n",
                  invalid_count);
    free_peers(peers, NBURST);
    finish_load("node.hostile.invalid_bursts", CAP_BURSTS_KIB);
}

/* ---- half-closed and reset connections ---- */

static void reset_close(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* NABRUPT connections that end badly, six ways in turn, the probe answered
 * after every six:
 * 0. half a largest frame, then a reset;
 * 1. two frames and half of a third, then a half-close: both echoes come
 *    back, then the end of the stream (the partial frame is dropped);
 * 2. frames the client never reads until the node's output for it is
 *    full, then a reset (the node's unsent echoes meet a dead peer);
 * 3. half a frame, then a normal close without reading;
 * 4. a half-close before any byte: the node ends the stream at once;
 * 5. a reset before any byte. */
static void test_abrupt(void **state)
{
    (void)state;
    enum { NABRUPT = 600 };
    rnd_state = 0xAB0127ED;
    static struct bytes f[3];
    static uint8_t got[8200];
    static uint8_t flood[256 * 1024];
    size_t flood_n = 0;
    while (flood_n + 8200 <= sizeof flood) {
        random_valid_frame(&f[0], 2, (uint32_t)flood_n);
        memcpy(flood + flood_n, f[0].b, f[0].n);
        flood_n += f[0].n;
    }
    for (int i = 0; i < NABRUPT; i++) {
        int fd = nt_tcp_connect(node_port);
        switch (i % 6) {
        case 0:
            valid_frame(&f[0], 15, 0x9, (uint32_t)i, 0);
            nt_send(fd, f[0].b, 4100, 0);
            reset_close(fd);
            break;
        case 1:
            for (int k = 0; k < 3; k++)
                random_valid_frame(&f[k], (uint32_t)i, (uint32_t)k);
            nt_send(fd, f[0].b, f[0].n, 0);
            nt_send(fd, f[1].b, f[1].n, 0);
            nt_send(fd, f[2].b, f[2].n / 2, 0);
            shutdown(fd, SHUT_WR);
            for (int k = 0; k < 2; k++) {
                nt_recv_exact(fd, got, f[k].n);
                if (memcmp(got, f[k].b, f[k].n) != 0)
                    fail_msg("connection %d: echo %d differs", i, k);
            }
            if (nt_recv_some(fd, got, sizeof got) != 0)
                fail_msg("connection %d: bytes after its echoes", i);
            close(fd);
            break;
        case 2: {
            set_nonblocking(fd);
            size_t at = 0;
            while (at < flood_n) {
                ssize_t r = send(fd, flood + at, flood_n - at, MSG_NOSIGNAL);
                if (r <= 0)
                    break;
                at += (size_t)r;
            }
            reset_close(fd);
            break;
        }
        case 3:
            valid_frame(&f[0], 9, 0x0, (uint32_t)i, 0);
            nt_send(fd, f[0].b, f[0].n / 2, 0);
            close(fd);
            break;
        case 4:
            shutdown(fd, SHUT_WR);
            if (nt_recv_some(fd, got, sizeof got) != 0)
                fail_msg("connection %d: bytes for an empty stream", i);
            close(fd);
            break;
        default:
            reset_close(fd);
            break;
        }
        if (i % 6 == 5)
            probe();
    }
    finish_load("node.hostile.abrupt", CAP_ABRUPT_KIB);
}

/* ---- UDP floods ---- */

/* One hostile datagram: random bytes (mostly short, some up to the largest
 * UDP payload), a valid frame with one bit flipped, cut short, with bytes
 * after it, with UsedLen beyond its block or a wrong CRC, or a valid
 * frame. */
static void garbage_datagram(struct buf *d, uint32_t seq)
{
    static struct bytes f;
    d->n = 0;
    unsigned kind = rnd() % 16;
    if (kind < 5) {
        size_t n = kind < 4 ? rnd() % 65 : rnd() % 9001;
        if (rnd() % 64 == 0)
            n = 9000 + rnd() % (65507 - 9000 + 1);
        for (size_t i = 0; i < n; i++) {
            uint8_t b = (uint8_t)(rnd() >> 24);
            buf_add(d, &b, 1);
        }
        return;
    }
    random_valid_frame(&f, 0xDA7A6A4B, seq);
    switch (kind) {
    case 5:
    case 6:
        f.b[rnd() % f.n] ^= (uint8_t)(1u << rnd() % 8);
        break;
    case 7:
    case 8:
        f.n = rnd() % f.n;
        break;
    case 9: {
        uint8_t tail[64];
        size_t k = 1 + rnd() % sizeof tail;
        for (size_t i = 0; i < k; i++)
            tail[i] = (uint8_t)rnd();
        buf_add(d, f.b, f.n);
        buf_add(d, tail, k);
        return;
    }
    case 10:
    case 11:
        invalid_frame(&f, rnd() % 16, rnd() % 16, kind == 10);
        break;
    default:
        break;
    }
    buf_add(d, f.b, f.n);
}

/* Sends `d` and, when the independent judge calls it a frame, appends the
 * echo it must cause to `expect` (lengths in `lens`). */
static void send_judged(int fd, const struct buf *d, struct buf *expect,
                        struct buf *lens)
{
    ssize_t r = send(fd, d->p ? d->p : (const uint8_t *)"", d->n, 0);
    if (r < 0 && errno != ECONNREFUSED)
        fail_msg("send of a %zu-byte datagram: %s", d->n, strerror(errno));
    size_t n = judge(d->p, d->n);
    if (n) {
        buf_add(expect, d->p, n);
        buf_add(lens, &n, sizeof n);
    }
}

/* Garbage datagrams mixed with valid ones (over a third of the hostile
 * datagrams are frames the judge accepts: valid frames, bit flips in
 * padding, frames with bytes after them). First an unpaced flood, which overruns
 * the socket buffers: what comes back must be echoes of valid datagrams,
 * in order, with none invented. Then paced batches (at most 16 datagrams
 * and 96 KiB, then a marker frame whose echo is awaited, so no buffer
 * overruns): exactly the valid ones come back, in order. */
static void test_udp_flood(void **state)
{
    (void)state;
    enum { FLOOD = 10000, PACED = 5000, BATCH_DGRAMS = 16 };
    const size_t batch_bytes = 96 * 1024;
    rnd_state = 0x0DD6A4BA;
    int fd = nt_udp_socket(nt_url_port(udp_url));
    static uint8_t in[65536];
    struct buf d = {0}, expect = {0}, lens = {0};

    for (uint32_t i = 0; i < FLOOD; i++) {
        garbage_datagram(&d, i);
        send_judged(fd, &d, &expect, &lens);
    }
    /* Collect until the marker's echo arrives; the marker is resent after
     * each 200 ms without any echo, as the flood may have overrun the
     * node's socket buffer and dropped it. A resent marker may come back
     * too (on a busy machine 200 ms of silence is only a slow node): the
     * fence below clears those copies before the paced batches. */
    static struct bytes marker, fence;
    random_valid_frame(&marker, 0x3A4B3A4B, 0xFFFFFFFF);
    uint8_t fence_payload[8] = {'F', 'E', 'N', 'C', 'E', 0, 0, 1};
    fence.n = nt_frame(fence.b, 3, 4, 1, 0x0, 0xFE, 0, fence_payload,
                       sizeof fence_payload, 0);
    size_t nexp = lens.n / sizeof(size_t), matched = 0, exp_at = 0;
    const size_t *len = (const size_t *)lens.p;
    int tries = 0;
    for (;;) {
        nt_send(fd, marker.b, marker.n, 0);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        bool marked = false;
        while (!marked && poll(&pfd, 1, 200) > 0) {
            ssize_t r = recv(fd, in, sizeof in, 0);
            if (r < 0)
                continue;
            if ((size_t)r == marker.n && memcmp(in, marker.b, marker.n) == 0) {
                marked = true;
                break;
            }
            /* Must be the next expected echo or a later one. */
            size_t at = exp_at;
            size_t j = matched;
            while (j < nexp &&
                   !((size_t)r == len[j] && memcmp(in, expect.p + at, len[j]) == 0)) {
                at += len[j];
                j++;
            }
            if (j == nexp)
                fail_msg("flood: a %zd-byte datagram came back that is not "
                         "the echo of a valid datagram sent after the "
                         "previous one",
                         r);
            exp_at = at + len[j];
            matched = j + 1;
        }
        if (marked)
            break;
        /* Counts only windows with no echo at all: lack of progress. */
        if (++tries * 200 > NT_DEADLINE_MS)
            fail_msg("flood: the marker frame was never echoed");
    }
    if (tries > 0) {
        /* The node has read everything up to the marker; its buffer now
         * holds at most the resent markers, so the fence is not dropped.
         * Until its echo: only copies of the marker may come back. */
        nt_send(fd, fence.b, fence.n, 0);
        size_t copies = 0;
        for (;;) {
            long r = nt_recv_some(fd, in, sizeof in);
            if (r == (long)fence.n && memcmp(in, fence.b, fence.n) == 0)
                break;
            if (r != (long)marker.n || memcmp(in, marker.b, marker.n) != 0)
                fail_msg("flood: a %ld-byte datagram came back after the "
                         "marker's echo that is neither a resent marker "
                         "nor the fence",
                         r);
            if (++copies > (size_t)tries)
                fail_msg("flood: the marker came back %zu times, sent %d",
                         copies + 1, tries + 1);
        }
        print_message("flood: marker sent %d times, %zu resent copies "
                      "came back before the fence\n",
                      tries + 1, copies);
    }
    print_message("unpaced flood: %d datagrams, %zu of them valid, %zu "
                  "echoes came back\n",
                  FLOOD, nexp, matched);
    probe();

    size_t sent = 0, valid_total = 0;
    while (sent < PACED) {
        expect.n = lens.n = 0;
        size_t bytes = 0;
        for (int k = 0; k < BATCH_DGRAMS && sent < PACED; k++) {
            garbage_datagram(&d, (uint32_t)sent);
            if (k > 0 && bytes + d.n > batch_bytes)
                break;
            bytes += d.n;
            send_judged(fd, &d, &expect, &lens);
            sent++;
        }
        nt_send(fd, marker.b, marker.n, 0);
        size_t n = lens.n / sizeof(size_t), at = 0;
        len = (const size_t *)lens.p;
        valid_total += n;
        for (size_t j = 0; j <= n; j++) {
            long r = nt_recv_some(fd, in, sizeof in);
            const uint8_t *w = j < n ? expect.p + at : marker.b;
            size_t wn = j < n ? len[j] : marker.n;
            if ((size_t)r != wn || memcmp(in, w, wn) != 0)
                fail_msg("paced batch ending at datagram %zu: reply %zu of "
                         "%zu is %ld bytes, not the %zu-byte echo expected",
                         sent, j + 1, n + 1, r, wn);
            at += j < n ? len[j] : 0;
        }
    }
    print_message("paced: %d hostile datagrams, the %zu valid ones all "
                  "echoed in order, nothing else\n",
                  PACED, valid_total);
    close(fd);
    free(d.p);
    free(expect.p);
    free(lens.p);
    finish_load("node.hostile.udp_flood", CAP_UDP_KIB);
}

/* The test process holds NCONN sockets at once: raise its descriptor limit
 * (the node inherits it). Returns false when the hard limit is too low. */
static bool raise_nofile(void)
{
    struct rlimit rl;
    rlim_t want = NCONN + FD_SLACK;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return false;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur >= want)
        return true;
    fprintf(stderr,
            "node.hostile: needs %llu descriptors but the hard limit "
            "(RLIMIT_NOFILE) is %llu; raise it (ulimit -Hn %llu)\n",
            (unsigned long long)want, (unsigned long long)rl.rlim_max,
            (unsigned long long)want);
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s TAMTAM-NODE GROUP\n", argv[0]);
        return 2;
    }
    nt_node = argv[1];
    signal(SIGPIPE, SIG_IGN);
    static const struct {
        const char *group;
        struct CMUnitTest test;
        int (*setup)(void **);
    } groups[] = {
        {"conns_1000", cmocka_unit_test(test_conns_1000), setup_tcp},
        {"slowloris", cmocka_unit_test(test_slowloris), setup_tcp},
        {"never_reads", cmocka_unit_test(test_never_reads), setup_tcp},
        {"invalid_bursts", cmocka_unit_test(test_invalid_bursts), setup_tcp},
        {"abrupt", cmocka_unit_test(test_abrupt), setup_tcp},
        {"udp_flood", cmocka_unit_test(test_udp_flood), setup_udp},
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        if (strcmp(argv[2], groups[i].group) != 0)
            continue;
        if (!raise_nofile()) {
            /* Skipped (ctest's SKIP_RETURN_CODE) on a developer machine;
             * in CI the load must run. */
            const char *ci = getenv("CI");
            return ci && strcmp(ci, "true") == 0 ? 1 : 77;
        }
        char name[64];
        snprintf(name, sizeof name, "node.hostile.%s", groups[i].group);
        const struct CMUnitTest tests[] = {groups[i].test};
        return cmocka_run_group_tests_name(name, tests, groups[i].setup,
                                           stop_node);
    }
    fprintf(stderr, "unknown group %s\n", argv[2]);
    return 2;
}
