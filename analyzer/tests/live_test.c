/*
 * A capture taken for real: tamtam-node echo listens on 127.0.0.1 (an
 * ephemeral port), libpcap captures the loopback interface while this test
 * sends known frames and reads the echoes, and the analyzer must report
 * exactly the frames sent, in both directions.
 *
 * argv: tamtam-analyze tamtam-node. Capturing needs privileges; without
 * them the test fails under CI=true and is skipped (with a message)
 * elsewhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
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

static int end_children(void **state)
{
    (void)state;
    stop_capture();
    for (int i = 0; i < 2; i++)
        if (children[i])
            reap(children[i], SIGKILL);
    return 0;
}

struct capture {
    pcap_t *p;
    pcap_dumper_t *d;
    uint16_t port;
    volatile int stop;
    volatile int syn_seen, fin_from_client, fin_from_server;
};

/* Records FINs by direction: the test stops capturing once it has seen
 * its own FIN (everything sent before it is then in the file). */
static void on_packet(u_char *user, const struct pcap_pkthdr *h,
                      const u_char *b)
{
    capture *c = (capture *)user;
    pcap_dump((u_char *)c->d, h, b);
    if (h->caplen < 14 + 20 + 20 || b[12] != 0x08 || b[13] != 0x00)
        return;
    const u_char *ip = b + 14, *tcp = ip + (ip[0] & 15) * 4;
    if ((size_t)(tcp + 14 - b) > h->caplen)
        return;
    if (tcp[13] & 0x02)
        c->syn_seen = 1;
    if (!(tcp[13] & 0x01))
        return;
    uint16_t sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
    if (sport == c->port)
        c->fin_from_server = 1;
    else
        c->fin_from_client = 1;
}

/* Blocking reads; stop_capture breaks the loop (libpcap wakes the poll). */
static void *capture_loop(void *arg)
{
    capture *c = arg;
    while (!c->stop)
        if (pcap_dispatch(c->p, -1, on_packet, (u_char *)c) < 0)
            break;
    return NULL;
}

static void stop_capture(void)
{
    if (!running)
        return;
    running->stop = 1;
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


static void wait_until(const volatile int *flag, int seconds)
{
    struct timespec t = {0, 10 * 1000 * 1000};
    for (int i = 0; i < seconds * 100 && !*flag; i++)
        nanosleep(&t, NULL);
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
 * ways. With `syn_seen`, waits for the capture to see the SYN first.
 * Returns the client's port. */
static uint16_t exchange(uint16_t port, const volatile int *syn_seen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    /* A node that stops answering fails the test instead of hanging it. */
    struct timeval tv = {20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    if (syn_seen) { /* data only once the capture is seen to be running */
        wait_until(syn_seen, 10);
        if (!*syn_seen)
            fail_msg("the capture on lo did not see the connection's SYN");
    }
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

/* Opens lo for capturing, or fails (CI) / skips (elsewhere) saying why. */
static pcap_t *open_lo(void)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_create("lo", err);
    if (p) {
        pcap_set_snaplen(p, 262144);
        pcap_set_immediate_mode(p, 1);
        pcap_set_timeout(p, 20);
        pcap_set_buffer_size(p, 8 << 20);
        if (pcap_activate(p) < 0) {
            snprintf(err, sizeof err, "%s", pcap_geterr(p));
            pcap_close(p);
            p = NULL;
        }
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

/* libpcap in the test writes the capture; the analyzer reads the file. */
static void echo_capture(void **state)
{
    (void)state;
    static capture cap;
    memset(&cap, 0, sizeof cap);
    cap.p = open_lo();
    uint16_t port;
    pid_t node = start_node(&port);
    cap.port = port;
    char filter[64];
    snprintf(filter, sizeof filter, "tcp port %u", port);
    struct bpf_program prog;
    assert_int_equal(pcap_compile(cap.p, &prog, filter, 1,
                                  PCAP_NETMASK_UNKNOWN), 0);
    assert_int_equal(pcap_setfilter(cap.p, &prog), 0);
    pcap_freecode(&prog);
    cap.d = pcap_dump_open(cap.p, an_path("live.pcap"));
    assert_non_null(cap.d);
    assert_int_equal(pthread_create(&running_th, NULL, capture_loop, &cap),
                     0);
    running = &cap;

    make_items();
    uint16_t cport = exchange(port, &cap.syn_seen);
    wait_until(&cap.fin_from_client, 10);
    wait_until(&cap.fin_from_server, 10);
    stop_capture();
    struct pcap_stat ps;
    if (pcap_stats(cap.p, &ps) == 0 && (ps.ps_drop || ps.ps_ifdrop))
        fail_msg("the capture dropped %u + %u packets", ps.ps_drop,
                 ps.ps_ifdrop);
    pcap_dump_close(cap.d);
    pcap_close(cap.p);
    reap(node, SIGTERM);
    assert_true(cap.fin_from_client);

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

/* The analyzer itself captures: -i lo -f FILTER -c N stops after exactly
 * the frames exchanged. */
static void analyzer_on_interface(void **state)
{
    (void)state;
    pcap_close(open_lo()); /* skip or fail early, with the reason */
    uint16_t port;
    pid_t node = start_node(&port);
    make_items();
    char filter[64], portarg[8], count[8];
    snprintf(filter, sizeof filter, "tcp port %u", port);
    snprintf(portarg, sizeof portarg, "%u", port);
    snprintf(count, sizeof count, "%zu", nitems + echo_frames);
    const char *outp = an_path("live-if.json");
    int errp[2];
    assert_int_equal(pipe(errp), 0);
    pid_t an = fork();
    assert_true(an >= 0);
    if (an == 0) {
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(errp[1], 2);
        close(errp[0]);
        execl(an_bin, an_bin, "-i", "lo", "-f", filter, "--port", portarg,
              "-c", count, "--json", (char *)NULL);
        _exit(127);
    }
    track(an);
    close(errp[1]);
    /* Traffic only once the analyzer says it is capturing. */
    FILE *err = fdopen(errp[0], "r");
    char line[512];
    if (!fgets(line, sizeof line, err) || !strstr(line, "capturing on lo"))
        fail_msg("tamtam-analyze -i lo did not start: %s", line);
    uint16_t cport = exchange(port, NULL);
    int st = 0;
    pid_t done = 0;
    struct timespec t = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 2000 && !done; i++) {
        done = waitpid(an, &st, WNOHANG);
        if (!done)
            nanosleep(&t, NULL);
    }
    if (!done)
        fail_msg("tamtam-analyze -i lo -c %s did not stop after the frames",
                 count);
    children[children[0] == an ? 0 : 1] = 0; /* reaped by waitpid */
    fclose(err);
    reap(node, SIGTERM);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    an_result r = {0};
    an_parse_file(&r, outp);
    check_frames(&r, cport, port);
    assert_int_equal(an_int(summary_of(&r), "frames"),
                     (int64_t)(nitems + echo_frames));
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
