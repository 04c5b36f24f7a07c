/*
 * A capture taken for real: tamtam-node echo listens on 127.0.0.1 (an
 * ephemeral port), libpcap captures the loopback interface while this test
 * sends known frames and reads the echoes, and the analyzer must report
 * exactly the frames sent, in both directions.
 *
 * argv: tamtam-analyze tamtam-node. Capturing needs privileges; without
 * them the test fails under CI=true and is skipped (with a message)
 * elsewhere.
 *
 * Nothing here depends on how fast the machine is. Traffic starts only once
 * the capture has provably seen a sentinel datagram (a capture that is set
 * up is not yet one that reads), and every wait is for a condition, with a
 * deadline that fires only when nothing has moved for many seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testkit.h"

static const char *node_bin;

/* Children still running; a failing test leaves through a longjmp, and the
 * teardown ends them so that nothing outlives the test (and holds ctest's
 * output pipe open). */
static pid_t children[2];

static void track(pid_t pid)
{
    for (int i = 0; i < 2; i++)
        if (!children[i]) {
            children[i] = pid;
            return;
        }
}

static void reap(pid_t pid, int sig)
{
    for (int i = 0; i < 2; i++)
        if (children[i] == pid) {
            kill(pid, sig);
            waitpid(pid, NULL, 0);
            children[i] = 0;
        }
}

typedef struct capture capture;
static capture *running; /* a capture thread to stop in the teardown */
static pthread_t running_th;
static void stop_capture(void);
static void sentinel_close(void);

static int end_children(void **state)
{
    (void)state;
    stop_capture();
    for (int i = 0; i < 2; i++)
        if (children[i])
            reap(children[i], SIGKILL);
    sentinel_close();
    return 0;
}

struct capture {
    pcap_t *p;
    pcap_dumper_t *d;
    uint16_t port;     /* the node's (TCP) */
    uint16_t sentinel; /* the sentinel receiver's (UDP) */
    atomic_int stop;
    atomic_int sentinel_seen, fin_from_client, fin_from_server;
    atomic_uint packets; /* read so far: the capture's progress */
    struct pcap_stat at_sentinel; /* drops are counted from here */
};

/* Writes what follows the first sentinel into the file, sentinels left
 * out, and notes FINs by direction: the test stops capturing once it has
 * seen both FINs (everything sent before them is then in the file). What
 * precedes the first sentinel is not the test's: until the filter is set,
 * the ring takes whatever else the machine sends over lo. */
static void on_packet(u_char *user, const struct pcap_pkthdr *h,
                      const u_char *b)
{
    capture *c = (capture *)user;
    atomic_fetch_add(&c->packets, 1);
    if (h->caplen >= 14 + 20 + 8 && b[12] == 0x08 && b[13] == 0x00 &&
        b[14 + 9] == 17) {
        const u_char *udp = b + 14 + (b[14] & 15) * 4;
        if ((size_t)(udp + 4 - b) <= h->caplen &&
            (uint16_t)(udp[2] << 8 | udp[3]) == c->sentinel) {
            if (!atomic_load(&c->sentinel_seen)) {
                /* In this thread: libpcap's handle is not shared. */
                if (pcap_stats(c->p, &c->at_sentinel) != 0)
                    memset(&c->at_sentinel, 0, sizeof c->at_sentinel);
                atomic_store(&c->sentinel_seen, 1);
            }
            return;
        }
    }
    if (!atomic_load(&c->sentinel_seen))
        return;
    pcap_dump((u_char *)c->d, h, b);
    if (h->caplen < 14 + 20 + 20 || b[12] != 0x08 || b[13] != 0x00)
        return;
    const u_char *ip = b + 14, *tcp = ip + (ip[0] & 15) * 4;
    if ((size_t)(tcp + 14 - b) > h->caplen || !(tcp[13] & 0x01))
        return;
    uint16_t sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
    if (sport == c->port)
        atomic_store(&c->fin_from_server, 1);
    else
        atomic_store(&c->fin_from_client, 1);
}

/* Blocking reads; stop_capture breaks the loop (libpcap wakes the poll). */
static void *capture_loop(void *arg)
{
    capture *c = arg;
    while (!atomic_load(&c->stop))
        if (pcap_dispatch(c->p, -1, on_packet, (u_char *)c) < 0)
            break;
    return NULL;
}

static void stop_capture(void)
{
    if (!running)
        return;
    atomic_store(&running->stop, 1);
    pcap_breakloop(running->p);
    pthread_join(running_th, NULL);
    running = NULL;
}

/* Starts the node; returns its pid and the port it printed. */
static pid_t start_node(uint16_t *port)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(node_bin, node_bin, "echo", "--listen", "tcp://127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    track(pid);
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char line[256];
    if (!fgets(line, sizeof line, in))
        fail_msg("tamtam-node printed nothing (is it %s?)", node_bin);
    unsigned p = 0;
    if (sscanf(line, "listening tcp://127.0.0.1:%u", &p) != 1 || !p)
        fail_msg("unexpected first line from tamtam-node: %s", line);
    fclose(in);
    *port = (uint16_t)p;
    return pid;
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
}

static void recv_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            fail_msg("the node closed, failed or went quiet (%s) with %zu "
                     "echo bytes missing",
                     r < 0 ? strerror(errno) : "closed", n);
        p += r;
        n -= (size_t)r;
    }
}

/* ---- waiting for conditions ----------------------------------------------
 * Every wait polls its condition every 10 ms (the interval only sets how
 * soon a met condition is noticed, never a verdict). It gives up when
 * STALL_S seconds pass without progress: load slows progress, only a hang
 * stops it. A wait with nothing to measure progress by (the sentinel)
 * counts from its start. */
#define STALL_S 30.0

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nap(void)
{
    struct timespec t = {0, 10 * 1000 * 1000};
    nanosleep(&t, NULL);
}

/* Until done(ctx): true; false after STALL_S seconds in which progress(ctx)
 * (a count that grows while the awaited work advances) did not move. */
static bool wait_for(bool (*done)(void *), uint64_t (*progress)(void *),
                     void *ctx)
{
    uint64_t last = progress(ctx);
    double since = now();
    while (!done(ctx)) {
        uint64_t p = progress(ctx);
        if (p != last) {
            last = p;
            since = now();
        } else if (now() - since > STALL_S) {
            return false;
        }
        nap();
    }
    return true;
}

/* ---- the sentinel ----------------------------------------------------------
 * A capture is running once it reports a packet sent after it was set up.
 * The sentinel is a UDP datagram to a socket of this test bound to a free
 * loopback port (so no ICMP answer comes back), inside the capture's
 * filter. It is sent again, at growing intervals (10 ms doubling to 0.5 s,
 * so a capture that starts late finds few copies queued and its ring does
 * not overflow), until the capture says it saw one. Any number of copies
 * may be reported: the in-process capture leaves them out of its file, the
 * analyzer's results are checked with them counted out. */
static int sentinel_rx = -1, sentinel_tx = -1;

/* A valid frame and one byte after it: the analyzer reports the byte in a
 * "trailing" line, which --match does not filter (see analyzer_on_interface). */
static uint8_t sentinel_dgram[23];

static uint16_t sentinel_open(void)
{
    memcpy(sentinel_dgram, EX1, sizeof EX1);
    sentinel_dgram[22] = 0x5e;
    sentinel_rx = socket(AF_INET, SOCK_DGRAM, 0);
    sentinel_tx = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(sentinel_rx >= 0 && sentinel_tx >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(sentinel_rx, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t l = sizeof sa;
    assert_int_equal(getsockname(sentinel_rx, (struct sockaddr *)&sa, &l), 0);
    return ntohs(sa.sin_port);
}

static void sentinel_close(void)
{
    if (sentinel_rx >= 0)
        close(sentinel_rx);
    if (sentinel_tx >= 0)
        close(sentinel_tx);
    sentinel_rx = sentinel_tx = -1;
}

/* Sends sentinels to `port` until seen(ctx). Nothing measures progress
 * before the first one is seen, so the deadline counts from the start: it
 * only fires when the capture never starts. */
static void await_sentinel(uint16_t port, bool (*seen)(void *), void *ctx,
                           const char *who)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    double start = now(), next = start, gap = 0.01;
    unsigned sent = 0;
    while (!seen(ctx)) {
        double t = now();
        if (t - start > STALL_S)
            fail_msg("%s reported none of %u sentinel datagrams in %.0f s",
                     who, sent, STALL_S);
        if (t >= next) {
            if (sendto(sentinel_tx, sentinel_dgram, sizeof sentinel_dgram, 0,
                       (struct sockaddr *)&sa, sizeof sa) !=
                (ssize_t)sizeof sentinel_dgram)
                fail_msg("sending a sentinel: %s", strerror(errno));
            sent++;
            gap = gap < 0.25 ? gap * 2 : 0.5;
            next = t + gap;
        }
        nap();
    }
}

/* One frame to send: its bytes and whether the node echoes it (valid). */
typedef struct item {
    uint8_t b[TT_FRAME_MAX];
    size_t n;
    bool valid;
} item;

/* The frames: the spec examples, small ones, a zero frame, the largest
 * frame, and two invalid ones the node must not echo. */
static item items[12];
static size_t nitems, total, expect_echo, echo_frames;

static void make_items(void)
{
    size_t ni = 0;
    memcpy(items[ni].b, EX1, 22), items[ni].n = 22, items[ni++].valid = true;
    memcpy(items[ni].b, EX2, 24), items[ni].n = 24, items[ni++].valid = true;
    memcpy(items[ni].b, EX1_BADCRC, 22), items[ni].n = 22, ni++;
    for (unsigned i = 0; i < 4; i++, ni++) {
        items[ni].n = small_frame(items[ni].b, 200 + i);
        items[ni].valid = true;
    }
    items[ni].n = 6, items[ni++].valid = true; /* six zero bytes */
    memcpy(items[ni].b, USED17, 22), items[ni].n = 22, ni++;
    static uint8_t big[TT_BLOCK_MAX];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    items[ni].n = cb_frame(items[ni].b, TT_FRAME_MAX, 4, 3, 15,
                           TT_FLAG_BIG | TT_FLAG_EXT | TT_FLAG_PRIORITY, 99,
                           0xBEEF, big, TT_BLOCK_MAX);
    items[ni++].valid = true;
    nitems = ni;
    total = expect_echo = echo_frames = 0;
    for (size_t i = 0; i < ni; i++) {
        total += items[i].n;
        expect_echo += items[i].valid ? items[i].n : 0;
        echo_frames += items[i].valid;
    }
}

/* Connects to the node, sends every item, reads every echo, closes both
 * ways. Returns the client's port. */
static uint16_t exchange(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    /* A node that stops answering fails the test instead of hanging it.
     * Per receive call, so it measures a stall (STALL_S), not the run. */
    struct timeval tv = {(time_t)STALL_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct sockaddr_in me;
    socklen_t ml = sizeof me;
    getsockname(fd, (struct sockaddr *)&me, &ml);
    for (size_t i = 0; i < nitems; i++)
        send_all(fd, items[i].b, items[i].n);
    static uint8_t echo[2 * TT_FRAME_MAX + 1024];
    recv_all(fd, echo, expect_echo);
    shutdown(fd, SHUT_WR);
    uint8_t extra;
    if (recv(fd, &extra, 1, 0) != 0) /* the node closes too */
        fail_msg("the node did not close after the client did");
    close(fd);
    return ntohs(me.sin_port);
}

/* The analyzer's --json output holds exactly the frames sent, both ways. */
static void check_frames(const an_result *r, uint16_t cport, uint16_t port)
{
    char client[32], server[32];
    snprintf(client, sizeof client, "127.0.0.1:%u", cport);
    snprintf(server, sizeof server, "127.0.0.1:%u", port);
    if (an_frames_from(r, client) != nitems)
        fail_msg("%zu frames from %s, %zu sent; the analyzer said:\n%s",
                 an_frames_from(r, client), client, nitems, r->out);
    size_t off = 0, eoff = 0, k = 0;
    for (size_t i = 0; i < nitems; i++) {
        tt_frame f;
        int rc = tt_decode(items[i].b, items[i].n, TT_CRC_SMBUS, &f);
        const cJSON *l = an_frame_from(r, client, i);
        assert_frame(l, rc < 0 ? tt_error_name(rc) : "ok", off);
        assert_int_equal(an_int(l, "channel"), f.channel);
        assert_int_equal(an_int(l, "class"), f.cls);
        if (items[i].valid) {
            const cJSON *e = an_frame_from(r, server, k++);
            assert_frame(e, "ok", eoff);
            eoff += items[i].n;
            assert_int_equal(an_int(e, "channel"), f.channel);
            assert_int_equal(an_int(e, "used_len"), f.used_len);
            assert_string_equal(an_str(e, "payload"), an_str(l, "payload"));
        }
        off += items[i].n;
    }
    assert_int_equal(an_frames_from(r, server), k);
    const cJSON *s = summary_of(r);
    assert_int_equal(an_int(s, "gaps"), 0);
    assert_int_equal(an_int(s, "crc_mismatch"), 1);
    assert_int_equal(an_int(s, "used_len_exceeds_block"), 1);
}

/* Opens lo for capturing with `filter` (when not NULL) set at once, or
 * fails (CI) / skips (elsewhere) saying why. */
static pcap_t *open_lo(const char *filter)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_create("lo", err);
    if (p) {
        /* As tamtam-analyze -i: the largest loopback packet, and a ring of
         * about 500 of them (one slot per packet in immediate mode), so a
         * capture thread that the machine's load keeps waiting drops none
         * of the few dozen packets of the test. */
        pcap_set_snaplen(p, 65535 + 64);
        pcap_set_immediate_mode(p, 1);
        /* Not a timing assumption: in immediate mode packets come as they
         * arrive; this only bounds each wait inside pcap_dispatch. */
        pcap_set_timeout(p, 20);
        pcap_set_buffer_size(p, 32 << 20);
        if (pcap_activate(p) < 0) {
            snprintf(err, sizeof err, "%s", pcap_geterr(p));
            pcap_close(p);
            p = NULL;
        }
    }
    if (p && filter) {
        struct bpf_program prog;
        assert_int_equal(pcap_compile(p, &prog, filter, 1,
                                      PCAP_NETMASK_UNKNOWN), 0);
        assert_int_equal(pcap_setfilter(p, &prog), 0);
        pcap_freecode(&prog);
    }
    if (!p) {
        const char *ci = getenv("CI");
        if (ci && !strcmp(ci, "true"))
            fail_msg("cannot capture on lo under CI: %s", err);
        fprintf(stderr, "skipping: cannot capture on lo (%s)\n", err);
        skip();
    }
    return p;
}

static bool flag_set(void *flag)
{
    return atomic_load((atomic_int *)flag) != 0;
}

static bool both_fins(void *arg)
{
    capture *c = arg;
    return atomic_load(&c->fin_from_client) &&
           atomic_load(&c->fin_from_server);
}

static uint64_t captured(void *arg)
{
    return atomic_load(&((capture *)arg)->packets);
}

/* libpcap in the test writes the capture; the analyzer reads the file. */
static void echo_capture(void **state)
{
    (void)state;
    static capture cap;
    memset(&cap, 0, sizeof cap);
    pcap_close(open_lo(NULL)); /* skip or fail early, with the reason */
    uint16_t port;
    pid_t node = start_node(&port);
    cap.port = port;
    cap.sentinel = sentinel_open();
    char filter[64];
    snprintf(filter, sizeof filter, "tcp port %u or udp port %u", port,
             cap.sentinel);
    cap.p = open_lo(filter);
    cap.d = pcap_dump_open(cap.p, an_path("live.pcap"));
    assert_non_null(cap.d);
    assert_int_equal(pthread_create(&running_th, NULL, capture_loop, &cap),
                     0);
    running = &cap;
    await_sentinel(cap.sentinel, flag_set, &cap.sentinel_seen,
                   "the capture on lo");

    make_items();
    uint16_t cport = exchange(port);
    /* Both FINs went out before exchange returned (the node closes after
     * the client's FIN, and the client read the node's): the capture only
     * has to read them. */
    if (!wait_for(both_fins, captured, &cap))
        fail_msg("the capture on lo did not report both FINs (client %d, "
                 "node %d) after %u packets",
                 atomic_load(&cap.fin_from_client),
                 atomic_load(&cap.fin_from_server),
                 atomic_load(&cap.packets));
    stop_capture();
    /* Drops from the ring before the sentinel were other programs' packets,
     * taken while the filter was not yet set. (ps_ifdrop is lo's own count,
     * of the whole machine's traffic, and the capture sees loopback packets
     * as they are sent, before lo could drop them.) */
    struct pcap_stat ps;
    if (pcap_stats(cap.p, &ps) == 0 && ps.ps_drop != cap.at_sentinel.ps_drop)
        fail_msg("the capture dropped %u packets of the test",
                 ps.ps_drop - cap.at_sentinel.ps_drop);
    pcap_dump_close(cap.d);
    pcap_close(cap.p);
    reap(node, SIGTERM);
    sentinel_close();

    /* The file holds the node's port only: the sentinels were left out. */
    char portarg[8];
    snprintf(portarg, sizeof portarg, "%u", port);
    an_result r;
    run_json(&r, an_path("live.pcap"), "--port", portarg, NULL, NULL);
    assert_int_equal(r.status, 0);
    check_frames(&r, cport, port);
    assert_int_equal(an_int(summary_of(&r), "bytes"),
                     (int64_t)(total + expect_echo));
    an_result_free(&r);
}

/* ---- tamtam-analyze -i lo ---------------------------------------------------
 * The analyzer's own capture is observed through its output, which it
 * flushes after every live packet. It listens on the node's port and on
 * the sentinel's (both in -f and --port), and selects TCP frames only
 * (--match proto=tcp): the sentinel's frame is then neither printed nor
 * counted by -c, so -c stays exactly the frames exchanged, while the byte
 * after it still comes out as a "trailing" line (events are not filtered
 * by --match). One such line means the capture is running. */
typedef struct live_an {
    pid_t pid;
    int status;
    bool exited;
    const char *out, *err; /* its stdout and stderr files */
} live_an;

static char *slurp_path(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    if (f) {
        size_t got;
        while ((got = fread(b + n, 1, cap - n - 1, f)) > 0) {
            n += got;
            if (cap - n - 1 == 0) {
                cap *= 2;
                char *nb = realloc(b, cap);
                if (!nb)
                    free(b);
                assert_non_null(nb);
                b = nb;
            }
        }
        fclose(f);
    }
    b[n] = '\0';
    return b;
}

/* Reaps the analyzer if it has ended. */
static bool an_exited(void *arg)
{
    live_an *a = arg;
    if (!a->exited && waitpid(a->pid, &a->status, WNOHANG) == a->pid) {
        a->exited = true;
        children[children[0] == a->pid ? 0 : 1] = 0;
    }
    return a->exited;
}

static uint64_t an_output_size(void *arg)
{
    struct stat st;
    return stat(((live_an *)arg)->out, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Complete "trailing" lines in the analyzer's output so far. */
static size_t trailing_lines(const live_an *a)
{
    char *b = slurp_path(a->out);
    size_t n = 0;
    for (char *l = b, *nl; (nl = strchr(l, '\n')); l = nl + 1) {
        *nl = '\0';
        cJSON *j = cJSON_Parse(l);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
        n += cJSON_IsString(t) && !strcmp(t->valuestring, "trailing");
        cJSON_Delete(j);
    }
    free(b);
    return n;
}

static bool an_saw_sentinel(void *arg)
{
    live_an *a = arg;
    if (an_exited(a)) {
        char *e = slurp_path(a->err);
        // NOLINTNEXTLINE(clang-analyzer-unix.Malloc): fail_msg ends the test (cmocka's longjmp); the text dies with it
        fail_msg("tamtam-analyze -i lo ended before capturing anything "
                 "(status %d): %s", a->status, e);
    }
    return trailing_lines(a) > 0;
}

/* The analyzer itself captures: -i lo -f FILTER -c N stops after exactly
 * the frames exchanged. */
static void analyzer_on_interface(void **state)
{
    (void)state;
    pcap_close(open_lo(NULL)); /* skip or fail early, with the reason */
    uint16_t port;
    pid_t node = start_node(&port);
    uint16_t sport = sentinel_open();
    make_items();
    char filter[64], portarg[8], sportarg[8], count[8];
    snprintf(filter, sizeof filter, "tcp port %u or udp port %u", port,
             sport);
    snprintf(portarg, sizeof portarg, "%u", port);
    snprintf(sportarg, sizeof sportarg, "%u", sport);
    snprintf(count, sizeof count, "%zu", nitems + echo_frames);
    live_an a = {.out = an_path("live-if.json"), .err = an_path("live-if.err")};
    a.pid = fork();
    assert_true(a.pid >= 0);
    if (a.pid == 0) {
        int o = open(a.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(a.err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0)
            _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        execl(an_bin, an_bin, "-i", "lo", "-f", filter, "--port", portarg,
              "--port", sportarg, "--match", "proto=tcp", "-c", count,
              "--json", (char *)NULL);
        _exit(127);
    }
    track(a.pid);
    /* Not "capturing on lo" on stderr: that is said once the capture is
     * set up, which is not yet reading. */
    await_sentinel(sport, an_saw_sentinel, &a, "tamtam-analyze -i lo");

    uint16_t cport = exchange(port);
    if (!wait_for(an_exited, an_output_size, &a)) {
        char *o = slurp_path(a.out), *e = slurp_path(a.err);
        // NOLINTNEXTLINE(clang-analyzer-unix.Malloc): fail_msg ends the test (cmocka's longjmp); the texts die with it
        fail_msg("tamtam-analyze -i lo -c %s did not stop after the frames; "
                 "it printed:\n%s\nand on stderr:\n%s",
                 count, o, e);
    }
    reap(node, SIGTERM);
    sentinel_close();
    assert_true(WIFEXITED(a.status));
    assert_int_equal(WEXITSTATUS(a.status), 0);
    an_result r = {0};
    an_parse_file(&r, a.out);
    check_frames(&r, cport, port);
    /* Every sentinel the analyzer read: one trailing byte each, to the
     * sentinel's port, and one frame in the summary, which counts every
     * frame (--match selects only what is printed and counted by -c). */
    char sdst[32];
    snprintf(sdst, sizeof sdst, "127.0.0.1:%u", sport);
    size_t ns = an_count(&r, "trailing");
    assert_true(ns >= 1);
    for (size_t i = 0; i < ns; i++) {
        const cJSON *t = an_nth(&r, "trailing", i);
        assert_string_equal(an_str(t, "proto"), "udp");
        assert_string_equal(an_str(t, "dst"), sdst);
        assert_int_equal(an_int(t, "bytes"), 1);
    }
    assert_int_equal(an_count(&r, "frame"), nitems + echo_frames);
    assert_int_equal(an_int(summary_of(&r), "frames"),
                     (int64_t)(nitems + echo_frames + ns));
    an_result_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(echo_capture, end_children),
        cmocka_unit_test_teardown(analyzer_on_interface, end_children),
    };
    if (argc < 3) {
        fprintf(stderr, "usage: %s tamtam-analyze tamtam-node\n", argv[0]);
        return 2;
    }
    an_bin = argv[1];
    node_bin = argv[2];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
