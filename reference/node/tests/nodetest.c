/* Child processes and sockets with deadlines, for the tamtam-node tests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nodetest.h"

const char *nt_node;
unsigned nt_child_nofile;

/* Children still running, killed by nt_teardown when a test failed. */
static pid_t running[64];

static void track(pid_t pid, bool add)
{
    for (size_t i = 0; i < sizeof running / sizeof running[0]; i++) {
        if (add ? running[i] == 0 : running[i] == pid) {
            running[i] = add ? pid : 0;
            return;
        }
    }
}

int nt_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof running / sizeof running[0]; i++) {
        if (running[i]) {
            kill(running[i], SIGKILL);
            waitpid(running[i], NULL, 0);
            running[i] = 0;
        }
    }
    return 0;
}

long long nt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every wait on a descriptor: the deadline restarts with each event, so it
 * measures lack of progress, not how long a load takes. */
static void wait_ready(int fd, short events)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int r;
    do
        r = poll(&pfd, 1, NT_DEADLINE_MS);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        fail_msg("no progress on fd %d within %d ms", fd, NT_DEADLINE_MS);
    assert_true(r > 0);
}

void nt_start(struct nt_child *c, const char *const *args)
{
    int in[2], out[2];
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    size_t n = 0;
    while (args[n])
        n++;
    const char **argv = calloc(n + 2, sizeof *argv);
    assert_non_null(argv);
    argv[0] = nt_node;
    memcpy(argv + 1, args, n * sizeof *argv);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A test process that dies takes its node with it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (nt_child_nofile) {
            struct rlimit rl = {nt_child_nofile, nt_child_nofile};
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        dup2(in[0], 0);
        dup2(out[1], 1);
        execv(nt_node, (char *const *)argv);
        _exit(127);
    }
    track(pid, true);
    free(argv);
    close(in[0]);
    close(out[1]);
    memset(c, 0, sizeof *c);
    c->pid = pid;
    c->in = in[1];
    c->out = out[0];
}

char *nt_read_line(struct nt_child *c)
{
    for (;;) {
        char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
        if (nl) {
            static char *line;
            *nl = '\0';
            free(line);
            line = strdup(c->buf);
            assert_non_null(line);
            size_t used = (size_t)(nl - c->buf) + 1;
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
            return line;
        }
        if (c->cap - c->len < 65536) {
            c->cap = c->cap ? 2 * c->cap : 131072;
            c->buf = realloc(c->buf, c->cap);
            assert_non_null(c->buf);
        }
        wait_ready(c->out, POLLIN);
        ssize_t r = read(c->out, c->buf + c->len, c->cap - c->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            fail_msg("the node's output ended (read %zd)", r);
        c->len += (size_t)r;
    }
}

void nt_write(struct nt_child *c, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        wait_ready(c->in, POLLOUT);
        ssize_t r = write(c->in, s, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            fail_msg("writing to the node: %s", strerror(errno));
        s += r;
        n -= (size_t)r;
    }
}

void nt_close_in(struct nt_child *c)
{
    if (c->in >= 0)
        close(c->in);
    c->in = -1;
}

/* A descriptor that becomes readable when process `pid` exits (Linux 5.3),
 * or -1 where pidfd_open is missing or filtered. */
static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}

int nt_wait(struct nt_child *c)
{
    int status = 0;
    int pfd = pidfd_of(c->pid);
    long long deadline = nt_now_ms() + NT_DEADLINE_MS;
    for (;;) {
        pid_t r = waitpid(c->pid, &status, WNOHANG);
        if (r == c->pid) {
            track(c->pid, false);
            break;
        }
        long long left = deadline - nt_now_ms();
        if (left <= 0) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, &status, 0);
            track(c->pid, false);
            if (pfd >= 0)
                close(pfd);
            fail_msg("the node did not exit within %d ms", NT_DEADLINE_MS);
        }
        if (pfd >= 0) {
            /* Wakes at the exit itself. */
            struct pollfd p = {.fd = pfd, .events = POLLIN};
            poll(&p, 1, (int)left);
        } else {
            /* No pidfd: look again in 10 ms; the deadline above still
             * counts real time, so only a node that never exits fails. */
            struct timespec tick = {0, 10 * 1000 * 1000};
            nanosleep(&tick, NULL);
        }
    }
    if (pfd >= 0)
        close(pfd);
    nt_close_in(c);
    close(c->out);
    free(c->buf);
    c->buf = NULL;
    return status;
}

int nt_stop(struct nt_child *c, int sig)
{
    kill(c->pid, sig);
    return nt_wait(c);
}

const char *nt_listening(struct nt_child *c)
{
    static char url[256];
    char *line = nt_read_line(c);
    if (strncmp(line, "listening ", 10) != 0)
        fail_msg("expected a 'listening URL' line, got '%s'", line);
    snprintf(url, sizeof url, "%s", line + 10);
    return url;
}

unsigned nt_url_port(const char *url)
{
    const char *colon = strrchr(url, ':');
    assert_non_null(colon);
    return (unsigned)strtoul(colon + 1, NULL, 10);
}

static int connect_to(int domain, int type, const struct sockaddr *sa,
                      socklen_t len)
{
    int fd = socket(domain, type | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    if (connect(fd, sa, len) < 0)
        fail_msg("connect: %s", strerror(errno));
    return fd;
}

static struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sin;
}

int nt_tcp_connect(unsigned port)
{
    struct sockaddr_in sin = loopback(port);
    int fd = connect_to(AF_INET, SOCK_STREAM, (struct sockaddr *)&sin,
                        sizeof sin);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int nt_udp_socket(unsigned port)
{
    struct sockaddr_in sin = loopback(port);
    return connect_to(AF_INET, SOCK_DGRAM, (struct sockaddr *)&sin,
                      sizeof sin);
}

int nt_unix_connect(const char *path)
{
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    return connect_to(AF_UNIX, SOCK_STREAM, (struct sockaddr *)&sun,
                      sizeof sun);
}

void nt_send(int fd, const void *p, size_t n, size_t per_write)
{
    const uint8_t *b = p;
    while (n > 0) {
        size_t k = per_write && per_write < n ? per_write : n;
        wait_ready(fd, POLLOUT);
        ssize_t r = send(fd, b, k, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            fail_msg("send: %s", strerror(errno));
        b += r;
        n -= (size_t)r;
    }
}

long nt_recv_some(int fd, void *p, size_t cap)
{
    for (;;) {
        wait_ready(fd, POLLIN);
        ssize_t r = recv(fd, p, cap, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == ECONNRESET || errno == ECONNREFUSED))
            return -1;
        if (r < 0)
            fail_msg("recv: %s", strerror(errno));
        return (long)r;
    }
}

void nt_recv_exact(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    size_t got = 0;
    while (got < n) {
        long r = nt_recv_some(fd, b + got, n - got);
        if (r <= 0)
            fail_msg("connection ended after %zu of %zu bytes", got, n);
        got += (size_t)r;
    }
}

bool nt_peer_closes(int fd)
{
    uint8_t b;
    return nt_recv_some(fd, &b, 1) <= 0;
}

bool nt_answered_eventually(unsigned port, const void *p, size_t n)
{
    /* Polling: the node frees the slot when it sees the close, and nothing
     * tells the test when that is. The deadline is real time and generous,
     * so only a slot that is never freed fails. */
    struct timespec tick = {0, 20 * 1000 * 1000};
    long long deadline = nt_now_ms() + NT_DEADLINE_MS;
    for (;;) {
        int fd = nt_tcp_connect(port);
        nt_send(fd, p, n, 0);
        uint8_t b;
        bool answered = nt_recv_some(fd, &b, 1) == 1;
        close(fd);
        if (answered)
            return true;
        if (nt_now_ms() >= deadline)
            return false;
        nanosleep(&tick, NULL);
    }
}

uint8_t nt_crc8_smbus(const uint8_t *p, size_t n)
{
    uint8_t c = 0x00;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c & 0x80) ? (uint8_t)((c << 1) ^ 0x07) : (uint8_t)(c << 1);
    }
    return c;
}

unsigned nt_block_size(unsigned size_id, bool big)
{
    static const unsigned table[16] = {0,   16,  32,   64,   96,   128,
                                       192, 256, 384,  512,  768,  1024,
                                       1536, 2048, 3072, 4096};
    return table[size_id] * (big ? 2 : 1);
}

size_t nt_frame(uint8_t *out, unsigned cls, unsigned dir, unsigned size_id,
                unsigned flags, unsigned channel, unsigned dest,
                const uint8_t *payload, unsigned used_len, uint8_t pad)
{
    size_t h = 0;
    out[h++] = (uint8_t)(cls << 4 | dir);
    out[h++] = (uint8_t)(size_id << 4 | flags);
    out[h++] = (uint8_t)channel;
    if (flags & 0x8) {
        out[h++] = (uint8_t)(dest >> 8);
        out[h++] = (uint8_t)dest;
    }
    size_t crc_at = h++;
    out[h++] = (uint8_t)(used_len >> 8);
    out[h++] = (uint8_t)used_len;
    memcpy(out + h, payload, used_len);
    unsigned block = nt_block_size(size_id, flags & 0x1);
    memset(out + h + used_len, pad, block - used_len);
    /* CRC input: header (+ extension), then UsedLen and payload. */
    uint8_t in[8200];
    memcpy(in, out, crc_at);
    memcpy(in + crc_at, out + crc_at + 1, 2 + used_len);
    out[crc_at] = nt_crc8_smbus(in, crc_at + 2 + used_len);
    return h + block;
}

char *nt_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[2 * n] = '\0';
    return s;
}

size_t nt_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

const char *nt_tmpdir(void)
{
    static char dir[256];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tamtam-node-test-XXXXXX",
             base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    return dir;
}

long nt_status_kib(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t flen = strlen(field);
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, flen) == 0 && line[flen] == ':' &&
            sscanf(line + flen + 1, "%ld kB", &kib) == 1)
            break;
    fclose(f);
    if (kib <= 0)
        fail_msg("no %s in %s", field, path);
    return kib;
}

long nt_fd_count(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    assert_non_null(d);
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Polls /proc every 10 ms until `pid` holds `target` descriptors or fewer
 * (`down`) or more (!`down`): the kernel has no event for another
 * process's descriptor count. Each step toward the target restarts the
 * deadline, so a slow but moving node passes and only a stuck one fails. */
static bool fd_count_moves_to(pid_t pid, long target, bool down)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    long best = nt_fd_count(pid);
    long long since = nt_now_ms();
    while (down ? best > target : best < target) {
        if (nt_now_ms() - since >= NT_DEADLINE_MS)
            return false;
        nanosleep(&tick, NULL);
        long now = nt_fd_count(pid);
        if (down ? now < best : now > best) {
            best = now;
            since = nt_now_ms();
        }
    }
    return true;
}

bool nt_fd_count_falls_to(pid_t pid, long target)
{
    return fd_count_moves_to(pid, target, true);
}

bool nt_fd_count_rises_to(pid_t pid, long target)
{
    return fd_count_moves_to(pid, target, false);
}
