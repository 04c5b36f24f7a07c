/* tamtam-node echo: the wire mode of the Conformance Harness Protocol v1
 * (spec/harness.md section 5) over TCP, UDP and unix sockets, under load,
 * and its lifecycle. Frames come from spec/core-frame.md section 12 or are
 * built from the field layout with the spec's own CRC code. */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nodetest.h"

#define PAD13 "00000000000000000000000000"
#define EX1 "201007100003010203" PAD13
#define EX2 "2018071234070003010203" PAD13
#define EX3 "000000000000"

struct bytes {
    uint8_t b[8200];
    size_t n;
};

static struct bytes unhex(const char *hex)
{
    struct bytes x;
    x.n = nt_unhex(hex, x.b, sizeof x.b);
    return x;
}

/* The frames every echo test sends. */
enum { NVALID = 7, NINVALID = 6 };
static struct bytes valid[NVALID], invalid[NINVALID];

static void make_frames(void)
{
    valid[0] = unhex(EX1);
    valid[1] = unhex(EX2);
    valid[2] = unhex(EX3);
    /* Non-zero padding: echoed byte for byte. */
    valid[3] = unhex("201007100003010203" "ffeeddccbbaa99887766554433");
    uint8_t payload[8192];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    valid[4].n = nt_frame(valid[4].b, 0xF, 0xE, 3, 0xF, 255, 0xBEEF, payload,
                          50, 0xAA);
    /* The largest frames: 8200 bytes roaming, 8198 local. */
    valid[5].n = nt_frame(valid[5].b, 2, 1, 15, 0x9, 9, 0x0102, payload,
                          8192, 0);
    valid[6].n = nt_frame(valid[6].b, 4, 2, 15, 0x1, 1, 0, payload, 100,
                          0x55);
    assert_int_equal(valid[5].n, 8200);
    assert_int_equal(valid[6].n, 8198);

    /* crc_mismatch: integrity byte 0x11 (12.2 table). */
    invalid[0] = unhex("201007110003010203" PAD13);
    /* crc_mismatch: payload byte changed. */
    invalid[1] = unhex("20100710000301ff03" PAD13);
    /* used_len_exceeds_block with its whole 22-byte length. */
    invalid[2] = unhex("201007000011" "00000000000000000000000000000000");
    /* used_len_exceeds_block, SizeId 0. */
    invalid[3] = unhex("000000000001");
    /* The largest frame with a wrong CRC: 8200 bytes to skip exactly. */
    invalid[4] = valid[5];
    invalid[4].b[5] ^= 0x01;
    /* crc_mismatch under SMBUS for six bytes: CRC byte 0x01. */
    invalid[5] = unhex("000000010000");
}

/* ---- one node per group ---- */

static struct nt_child node;
static char node_url[256];
static char sock_dir[256], sock_path[300];

static int start_node(const char *const *args)
{
    make_frames();
    nt_start(&node, args);
    snprintf(node_url, sizeof node_url, "%s", nt_listening(&node));
    return 0;
}

static int stop_node(void **state)
{
    (void)state;
    int status = nt_stop(&node, SIGTERM);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int (*open_conn)(void);

static int tcp_conn(void)
{
    return nt_tcp_connect(nt_url_port(node_url));
}

static int unix_conn(void)
{
    return nt_unix_connect(sock_path);
}

static int setup_tcp(void **state)
{
    (void)state;
    const char *args[] = {"echo", "--listen", "tcp://127.0.0.1:0", NULL};
    open_conn = tcp_conn;
    return start_node(args);
}

static int setup_unix(void **state)
{
    (void)state;
    snprintf(sock_dir, sizeof sock_dir, "%s", nt_tmpdir());
    snprintf(sock_path, sizeof sock_path, "%s/node.sock", sock_dir);
    char url[320];
    snprintf(url, sizeof url, "unix://%s", sock_path);
    const char *args[] = {"echo", "--listen", url, NULL};
    open_conn = unix_conn;
    start_node(args);
    assert_string_equal(node_url, url);
    return 0;
}

static int teardown_unix(void **state)
{
    int r = stop_node(state);
    /* The node removes its socket on a clean stop: the directory is empty. */
    return r == 0 && rmdir(sock_dir) == 0 ? 0 : -1;
}

static int setup_udp(void **state)
{
    (void)state;
    const char *args[] = {"echo", "--listen", "udp://127.0.0.1:0", NULL};
    return start_node(args);
}

static void expect_echo(int fd, const struct bytes *sent)
{
    static uint8_t got[sizeof sent->b];
    nt_recv_exact(fd, got, sent->n);
    assert_memory_equal(got, sent->b, sent->n);
}

/* ---- stream transports (TCP and unix share these) ---- */

/* HP-5-a: each valid frame comes back byte for byte. */
static void test_stream_echo(void **state)
{
    (void)state;
    int fd = open_conn();
    for (int i = 0; i < NVALID; i++) {
        nt_send(fd, valid[i].b, valid[i].n, 0);
        expect_echo(fd, &valid[i]);
    }
    close(fd);
}

/* HP-5-b: an invalid frame is skipped by exactly its length, nothing comes
 * back for it, the connection stays open, the probe after it is echoed. */
static void test_stream_invalid_then_probe(void **state)
{
    (void)state;
    int fd = open_conn();
    for (int i = 0; i < NINVALID; i++) {
        nt_send(fd, invalid[i].b, invalid[i].n, 0);
        nt_send(fd, valid[1].b, valid[1].n, 0);
        expect_echo(fd, &valid[1]);
    }
    /* A burst of invalid frames, then every valid one. */
    for (int k = 0; k < 50; k++)
        for (int i = 0; i < NINVALID; i++)
            nt_send(fd, invalid[i].b, invalid[i].n, 0);
    for (int i = 0; i < NVALID; i++)
        nt_send(fd, valid[i].b, valid[i].n, 0);
    for (int i = 0; i < NVALID; i++)
        expect_echo(fd, &valid[i]);
    close(fd);
}

/* All the frames, valid and invalid interleaved, as one byte string. */
static uint8_t *mixed_stream(size_t *len, struct bytes *expect)
{
    uint8_t *all = malloc(NVALID * 8200 + NINVALID * 8200);
    assert_non_null(all);
    size_t n = 0;
    expect->n = 0;
    for (int i = 0; i < NVALID; i++) {
        if (i < NINVALID) {
            memcpy(all + n, invalid[i].b, invalid[i].n);
            n += invalid[i].n;
        }
        memcpy(all + n, valid[i].b, valid[i].n);
        n += valid[i].n;
    }
    *len = n;
    return all;
}

static void expect_all_valid(int fd)
{
    for (int i = 0; i < NVALID; i++)
        expect_echo(fd, &valid[i]);
}

/* Frames split anywhere: one byte per write, seeded random writes of
 * 1..700 bytes, and everything in one write. */
static void test_stream_splits(void **state)
{
    (void)state;
    struct bytes unused;
    size_t n;
    uint8_t *all = mixed_stream(&n, &unused);

    int fd = open_conn();
    nt_send(fd, all, n, 1);
    expect_all_valid(fd);

    uint32_t x = 0x7A3A7A3A;
    for (size_t at = 0; at < n;) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        size_t k = 1 + x % 700;
        if (k > n - at)
            k = n - at;
        nt_send(fd, all + at, k, 0);
        at += k;
    }
    expect_all_valid(fd);

    nt_send(fd, all, n, 0);
    expect_all_valid(fd);
    close(fd);
    free(all);
}

/* Eight largest frames back to back in one write (65.6 KB). */
static void test_stream_largest(void **state)
{
    (void)state;
    static struct bytes big[8];
    uint8_t payload[8192];
    static uint8_t all[8 * 8200];
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        for (size_t j = 0; j < sizeof payload; j++)
            payload[j] = (uint8_t)(i * 31 + j);
        big[i].n = nt_frame(big[i].b, 2, 0, 15, i % 2 ? 0x9 : 0x1, i,
                            0x1000 + (unsigned)i, payload, 8192 - i, 0);
        memcpy(all + n, big[i].b, big[i].n);
        n += big[i].n;
    }
    int fd = open_conn();
    nt_send(fd, all, n, 0);
    for (int i = 0; i < 8; i++)
        expect_echo(fd, &big[i]);
    close(fd);
}

/* A client that ends its sending side gets every echo, then the end of the
 * stream. */
static void test_stream_half_close(void **state)
{
    (void)state;
    int fd = open_conn();
    for (int i = 0; i < NVALID; i++)
        nt_send(fd, valid[i].b, valid[i].n, 0);
    /* A partial frame at the end is dropped (HP-5-b). */
    nt_send(fd, valid[0].b, 10, 0);
    shutdown(fd, SHUT_WR);
    expect_all_valid(fd);
    uint8_t b;
    assert_int_equal(nt_recv_some(fd, &b, 1), 0);
    close(fd);
}

/* Connections that vanish mid-frame or reset do not disturb the node. */
static void test_stream_abrupt_clients(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        int fd = open_conn();
        nt_send(fd, valid[5].b, 4000, 0);
        if (i % 2) {
            /* An abortive close (RST on TCP). */
            struct linger lg = {1, 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(fd);
    }
    int fd = open_conn();
    nt_send(fd, valid[0].b, valid[0].n, 0);
    expect_echo(fd, &valid[0]);
    close(fd);
}

/* ---- UDP (HP-5-c) ---- */

static long recv_datagram(int fd, uint8_t *buf, size_t cap)
{
    long n = nt_recv_some(fd, buf, cap);
    assert_true(n >= 0);
    return n;
}

static void test_udp_echo(void **state)
{
    (void)state;
    static uint8_t got[65536];
    int fd = nt_udp_socket(nt_url_port(node_url));
    for (int i = 0; i < NVALID; i++) {
        nt_send(fd, valid[i].b, valid[i].n, 0);
        long n = recv_datagram(fd, got, sizeof got);
        assert_int_equal(n, valid[i].n);
        assert_memory_equal(got, valid[i].b, valid[i].n);
    }
    close(fd);
}

static void expect_probe_only(int fd)
{
    static uint8_t got[65536];
    nt_send(fd, valid[1].b, valid[1].n, 0);
    long n = recv_datagram(fd, got, sizeof got);
    assert_int_equal(n, valid[1].n);
    assert_memory_equal(got, valid[1].b, valid[1].n);
}

static void test_udp_invalid_then_probe(void **state)
{
    (void)state;
    int fd = nt_udp_socket(nt_url_port(node_url));
    for (int i = 0; i < NINVALID; i++) {
        nt_send(fd, invalid[i].b, invalid[i].n, 0);
        expect_probe_only(fd);
    }
    /* Incomplete datagrams: empty, one byte, example 1 without its last
     * byte, a roaming header without its block. */
    send(fd, "", 0, 0);
    expect_probe_only(fd);
    nt_send(fd, valid[0].b, 1, 0);
    expect_probe_only(fd);
    nt_send(fd, valid[0].b, valid[0].n - 1, 0);
    expect_probe_only(fd);
    nt_send(fd, valid[1].b, 8, 0);
    expect_probe_only(fd);
    close(fd);
}

/* One frame per datagram: bytes after the frame are not part of it
 * (CF-12.2-c), and the echo is the frame's length exactly. */
static void test_udp_trailing_bytes(void **state)
{
    (void)state;
    static uint8_t got[65536];
    int fd = nt_udp_socket(nt_url_port(node_url));
    struct bytes d = unhex(EX1 "aabb");
    nt_send(fd, d.b, d.n, 0);
    assert_int_equal(recv_datagram(fd, got, sizeof got), 22);
    assert_memory_equal(got, valid[0].b, 22);
    /* Two frames in one datagram: the first is the datagram's frame. */
    d = unhex(EX3 EX1);
    nt_send(fd, d.b, d.n, 0);
    assert_int_equal(recv_datagram(fd, got, sizeof got), 6);
    assert_memory_equal(got, valid[2].b, 6);
    close(fd);
}

/* ---- load (issue 8: the node keeps serving everyone) ---- */

/* 64 clients at once, their frames sent one byte at a time round-robin
 * (64 slow senders interleaved), each gets exactly its own frame back. */
static void test_many_clients(void **state)
{
    (void)state;
    enum { N = 64 };
    int fds[N];
    static struct bytes f[N];
    for (int i = 0; i < N; i++) {
        uint8_t payload[4] = {0xC0, 0xFF, 0xEE, (uint8_t)i};
        f[i].n = nt_frame(f[i].b, 2, 0, 1, 0, (unsigned)i, 0, payload, 4, 0);
        fds[i] = open_conn();
    }
    for (size_t k = 0; k < f[0].n; k++)
        for (int i = 0; i < N; i++)
            nt_send(fds[i], f[i].b + k, 1, 0);
    for (int i = 0; i < N; i++) {
        expect_echo(fds[i], &f[i]);
        close(fds[i]);
    }
}

/* The flood frames: SizeId 15 BigMode (8198 bytes), the sequence number as
 * payload, so order and completeness can be checked on the way back. */
static void flood_frame(uint64_t seq, struct bytes *f)
{
    uint8_t payload[8];
    for (int i = 0; i < 8; i++)
        payload[i] = (uint8_t)(seq >> (56 - 8 * i));
    f->n = nt_frame(f->b, 2, 0, 15, 0x1, 77, 0, payload, 8, 0);
}

/* A client that sends without ever reading its echoes: the node must stop
 * reading it (bounded buffering, the writes stall), keep serving another
 * client meanwhile, and lose nothing once the client reads again. */
static void test_client_never_reads(void **state)
{
    (void)state;
    const size_t flood_max = 256u << 20, bound = 96u << 20;
    int probe = open_conn();
    nt_send(probe, valid[0].b, valid[0].n, 0);
    expect_echo(probe, &valid[0]);
    long rss_before = nt_status_kib(node.pid, "VmRSS");

    int fd = open_conn();
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    static struct bytes f;
    uint64_t seq = 0;
    size_t at = 0, written = 0;
    flood_frame(seq, &f);
    while (written < flood_max) {
        ssize_t r = send(fd, f.b + at, f.n - at, MSG_NOSIGNAL);
        if (r > 0) {
            written += (size_t)r;
            at += (size_t)r;
            if (at == f.n) {
                flood_frame(++seq, &f);
                at = 0;
            }
            continue;
        }
        assert_true(r < 0 && (errno == EAGAIN || errno == EINTR));
        /* No room for a whole second: the node has stopped reading. On a
         * busy machine a descheduled node may end the flood early too,
         * which only lowers `written`: the bound cannot fail for that. */
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, 1000) == 0)
            break;
    }
    if (written >= bound)
        fail_msg("the node kept reading a client that never reads: %zu "
                 "bytes accepted",
                 written);
    long rss_after = nt_status_kib(node.pid, "VmRSS");
    print_message("stalled after %zu bytes; node memory grew %ld KiB\n",
                  written, rss_after - rss_before);
    if (rss_after - rss_before > 32 * 1024)
        fail_msg("node memory grew by %ld KiB for one stalled client",
                 rss_after - rss_before);

    /* Meanwhile another client is served. */
    nt_send(probe, valid[1].b, valid[1].n, 0);
    expect_echo(probe, &valid[1]);
    close(probe);

    /* Every complete frame comes back, in order (the one cut short by the
     * stall stays pending). */
    static struct bytes want;
    static uint8_t got[8200];
    for (uint64_t s = 0; s < seq; s++) {
        flood_frame(s, &want);
        nt_recv_exact(fd, got, want.n);
        if (memcmp(got, want.b, want.n) != 0)
            fail_msg("echo %llu of %llu differs", (unsigned long long)s,
                     (unsigned long long)seq);
    }
    close(fd);
}

/* ---- lifecycle: each test runs its own node ---- */

static void expect_exit(struct nt_child *c, int code)
{
    int status = nt_wait(c);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), code);
}

static void test_max_conns(void **state)
{
    (void)state;
    make_frames();
    const char *args[] = {"echo", "--listen", "tcp://127.0.0.1:0",
                          "--max-conns", "4", NULL};
    nt_start(&node, args);
    unsigned port = nt_url_port(nt_listening(&node));
    int fds[4];
    for (int i = 0; i < 4; i++) {
        fds[i] = nt_tcp_connect(port);
        nt_send(fds[i], valid[0].b, valid[0].n, 0);
        expect_echo(fds[i], &valid[0]);
    }
    int extra = nt_tcp_connect(port);
    assert_true(nt_peer_closes(extra));
    close(extra);
    for (int i = 1; i < 4; i++) {
        nt_send(fds[i], valid[2].b, valid[2].n, 0);
        expect_echo(fds[i], &valid[2]);
    }
    /* A closed connection frees its slot. */
    close(fds[0]);
    assert_true(nt_answered_eventually(port, valid[2].b, valid[2].n));
    for (int i = 1; i < 4; i++)
        close(fds[i]);
    kill(node.pid, SIGINT);
    expect_exit(&node, 0);
}

/* A unix socket path and its URL in a fresh private directory. */
static const char *unix_url(char *path, size_t path_cap, char *url,
                            size_t url_cap)
{
    const char *dir = nt_tmpdir();
    snprintf(path, path_cap, "%s/s", dir);
    snprintf(url, url_cap, "unix://%s", path);
    return dir;
}

/* Several listeners in one node: one "listening" line each, in order. */
static void test_several_listeners(void **state)
{
    (void)state;
    make_frames();
    char path[300], url[320];
    const char *dir = unix_url(path, sizeof path, url, sizeof url);
    const char *args[] = {"echo", "--listen", "udp://127.0.0.1:0",
                          "--listen", url, "--listen", "tcp://:0", NULL};
    nt_start(&node, args);
    char udp_url[256], tcp_url[256];
    snprintf(udp_url, sizeof udp_url, "%s", nt_listening(&node));
    assert_string_equal(nt_listening(&node), url);
    snprintf(tcp_url, sizeof tcp_url, "%s", nt_listening(&node));
    assert_memory_equal(udp_url, "udp://127.0.0.1:", 16);
    /* The host defaults to loopback. */
    assert_memory_equal(tcp_url, "tcp://127.0.0.1:", 16);

    int u = nt_udp_socket(nt_url_port(udp_url));
    int x = nt_unix_connect(path);
    int t = nt_tcp_connect(nt_url_port(tcp_url));
    uint8_t got[64];
    nt_send(u, valid[0].b, valid[0].n, 0);
    assert_int_equal(recv_datagram(u, got, sizeof got), valid[0].n);
    nt_send(x, valid[1].b, valid[1].n, 0);
    expect_echo(x, &valid[1]);
    nt_send(t, valid[2].b, valid[2].n, 0);
    expect_echo(t, &valid[2]);
    close(u);
    close(x);
    close(t);
    kill(node.pid, SIGTERM);
    expect_exit(&node, 0);
    /* The socket file is gone after a clean stop. */
    struct stat st;
    assert_int_equal(lstat(path, &st), -1);
    assert_int_equal(rmdir(dir), 0);
}

/* A unix socket file left by a dead process is taken over; one a live
 * node listens on is not. */
static void test_unix_socket_reuse(void **state)
{
    (void)state;
    make_frames();
    char path[300], url[320];
    const char *dir = unix_url(path, sizeof path, url, sizeof url);
    int stale = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    assert_true(strlen(path) < sizeof sun.sun_path);
    memcpy(sun.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(stale, (struct sockaddr *)&sun, sizeof sun), 0);
    close(stale);

    const char *args[] = {"echo", "--listen", url, NULL};
    nt_start(&node, args);
    assert_string_equal(nt_listening(&node), url);
    struct nt_child second;
    nt_start(&second, args);
    expect_exit(&second, 1);
    int fd = nt_unix_connect(path);
    nt_send(fd, valid[0].b, valid[0].n, 0);
    expect_echo(fd, &valid[0]);
    close(fd);
    kill(node.pid, SIGTERM);
    expect_exit(&node, 0);
    assert_int_equal(rmdir(dir), 0);
}

/* Out of descriptors (EMFILE): connections beyond the limit are closed at
 * once rather than left waiting in the backlog, and the connections already
 * open are still served. */
static void test_out_of_descriptors(void **state)
{
    (void)state;
    make_frames();
    enum { N = 80 };
    const char *args[] = {"echo", "--listen", "tcp://127.0.0.1:0", NULL};
    nt_child_nofile = 32;
    nt_start(&node, args);
    nt_child_nofile = 0;
    unsigned port = nt_url_port(nt_listening(&node));
    int fds[N], served = 0, first = -1;
    for (int i = 0; i < N; i++) {
        fds[i] = nt_tcp_connect(port);
        nt_send(fds[i], valid[0].b, valid[0].n, 0);
    }
    for (int i = 0; i < N; i++) {
        uint8_t got[22];
        long n = nt_recv_some(fds[i], got, sizeof got);
        if (n > 0) {
            if (n < 22)
                nt_recv_exact(fds[i], got + n, 22 - (size_t)n);
            assert_memory_equal(got, valid[0].b, 22);
            if (first < 0)
                first = i;
            served++;
        }
    }
    assert_true(served > 0 && served < N);
    nt_send(fds[first], valid[1].b, valid[1].n, 0);
    expect_echo(fds[first], &valid[1]);
    for (int i = 0; i < N; i++)
        close(fds[i]);
    kill(node.pid, SIGTERM);
    expect_exit(&node, 0);
}

/* --crc selects the variant frames are judged under (CF-12.1-b). */
static void test_crc_variant(void **state)
{
    (void)state;
    make_frames();
    const char *args[] = {"echo", "--listen", "tcp://127.0.0.1:0", "--crc",
                          "crc-8/rohc", NULL};
    nt_start(&node, args);
    int fd = nt_tcp_connect(nt_url_port(nt_listening(&node)));
    /* Example 1 carries 0x16 under ROHC (12.1 table); the SMBUS form is a
     * crc_mismatch there. */
    struct bytes rohc = unhex("201007160003010203" PAD13);
    nt_send(fd, valid[0].b, valid[0].n, 0);
    nt_send(fd, rohc.b, rohc.n, 0);
    expect_echo(fd, &rohc);
    close(fd);
    kill(node.pid, SIGTERM);
    expect_exit(&node, 0);
}

static void test_bad_command_lines(void **state)
{
    (void)state;
    static const char *const bad[][5] = {
        {"echo", "--listen", "http://127.0.0.1:80", NULL},
        {"echo", "--listen", "tcp://127.0.0.1:70000", NULL},
        {"echo", "--listen", "tcp://::1:5", NULL},
        {"echo", "--crc", "CRC-32", NULL},
        {"echo", "--max-conns", "0", NULL},
        {"echo", "extra", NULL},
        {"fly", NULL},
        {"shim", "--listen", "udp://127.0.0.1:0", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nt_child c;
        nt_start(&c, (const char *const *)bad[i]);
        expect_exit(&c, 2);
    }
    /* A port another socket holds: the node cannot listen, status 1. */
    int busy = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(busy, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(listen(busy, 1), 0);
    socklen_t len = sizeof sin;
    getsockname(busy, (struct sockaddr *)&sin, &len);
    char url[64];
    snprintf(url, sizeof url, "tcp://127.0.0.1:%u", ntohs(sin.sin_port));
    const char *args[] = {"echo", "--listen", url, NULL};
    struct nt_child c;
    nt_start(&c, args);
    expect_exit(&c, 1);
    close(busy);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s TAMTAM-NODE GROUP\n", argv[0]);
        return 2;
    }
    nt_node = argv[1];
    const struct CMUnitTest stream_tests[] = {
        cmocka_unit_test(test_stream_echo),
        cmocka_unit_test(test_stream_invalid_then_probe),
        cmocka_unit_test(test_stream_splits),
        cmocka_unit_test(test_stream_largest),
        cmocka_unit_test(test_stream_half_close),
        cmocka_unit_test(test_stream_abrupt_clients),
    };
    const struct CMUnitTest udp_tests[] = {
        cmocka_unit_test(test_udp_echo),
        cmocka_unit_test(test_udp_invalid_then_probe),
        cmocka_unit_test(test_udp_trailing_bytes),
    };
    const struct CMUnitTest load_tests[] = {
        cmocka_unit_test(test_many_clients),
        cmocka_unit_test(test_client_never_reads),
    };
    const struct CMUnitTest lifecycle_tests[] = {
        cmocka_unit_test_teardown(test_max_conns, nt_teardown),
        cmocka_unit_test_teardown(test_several_listeners, nt_teardown),
        cmocka_unit_test_teardown(test_unix_socket_reuse, nt_teardown),
        cmocka_unit_test_teardown(test_out_of_descriptors, nt_teardown),
        cmocka_unit_test_teardown(test_crc_variant, nt_teardown),
        cmocka_unit_test_teardown(test_bad_command_lines, nt_teardown),
    };
    const char *g = argv[2];
    if (strcmp(g, "tcp") == 0)
        return cmocka_run_group_tests_name("node.echo_tcp", stream_tests,
                                           setup_tcp, stop_node);
    if (strcmp(g, "unix") == 0)
        return cmocka_run_group_tests_name("node.echo_unix", stream_tests,
                                           setup_unix, teardown_unix);
    if (strcmp(g, "udp") == 0)
        return cmocka_run_group_tests_name("node.echo_udp", udp_tests,
                                           setup_udp, stop_node);
    if (strcmp(g, "load") == 0)
        return cmocka_run_group_tests_name("node.echo_load", load_tests,
                                           setup_tcp, stop_node);
    if (strcmp(g, "lifecycle") == 0)
        return cmocka_run_group_tests_name("node.echo_lifecycle",
                                           lifecycle_tests, NULL, NULL);
    fprintf(stderr, "unknown group %s\n", g);
    return 2;
}
