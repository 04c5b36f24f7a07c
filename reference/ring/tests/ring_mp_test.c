/* Many writers and readers on one ring, as threads or as processes, with a
 * writer killed between claim and publish or a reader killed mid-run. Every
 * message is accounted for by every live reader: delivered, or reported lost
 * by the rules (SR-6-b, SR-6-d), never duplicated, never torn.
 *
 *   sr_ring_mp_test threads|procs|kill-writer|kill-reader
 *
 * Prints: written, claimed, and per reader delivered, reported lost,
 * duplicated = 0, torn = 0. Waits are bounded by lack of progress. */
#define _GNU_SOURCE
#include "check.h"
#include "splinter/ring.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#define LINE_LEN 128
#define NO_PROGRESS_MS 30000u

static unsigned n_writers = 4, n_readers = 3, n_msgs = 20000;
static const char *ring_path;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void nap_us(long us) {
    struct timespec ts = {0, us * 1000L};
    nanosleep(&ts, NULL);
}

static uint32_t fnv1a(const char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

/* 128 bytes: "w=WWW k=KKKKKKKK " + filler + "#" + FNV-1a of what precedes. */
static void make_line(char *out, unsigned w, unsigned k) {
    int n = snprintf(out, LINE_LEN + 1, "w=%03u k=%08u ", w, k);
    char fill = (char)('a' + (w * 7u + k) % 26u);
    memset(out + n, fill, (size_t)(LINE_LEN - 9 - n));
    snprintf(out + LINE_LEN - 9, 10, "#%08x", fnv1a(out, LINE_LEN - 9));
}

/* 1 with *w, *k set for a whole line, 0 for a torn or foreign one. */
static int parse_line(const char *p, size_t len, unsigned *w, unsigned *k) {
    char copy[LINE_LEN + 1];
    if (len != LINE_LEN) return 0;
    memcpy(copy, p, LINE_LEN);
    copy[LINE_LEN] = 0;
    if (sscanf(copy, "w=%3u k=%8u ", w, k) != 2 || *w >= n_writers || *k >= n_msgs) return 0;
    char want[LINE_LEN + 1];
    make_line(want, *w, *k);
    return memcmp(want, copy, LINE_LEN) == 0;
}

typedef struct {
    uint64_t delivered, lost, dup, torn, lost_stuck, lost_lapped;
    int stalled; /* gave up after NO_PROGRESS_MS without progress */
} reader_result;

typedef struct {
    uint64_t written, abandoned;
    int stalled;
} writer_result;

/* Writes messages k = 0..n_msgs-1 of writer `w`; a refused claim
 * (BACKPRESSURE) is retried, an ABANDONED one written again. */
static writer_result writer_run(sr_ring *r, unsigned w) {
    writer_result res = {0, 0, 0};
    char line[LINE_LEN + 1];
    for (unsigned k = 0; k < n_msgs; k++) {
        make_line(line, w, k);
        uint64_t last = now_ms();
        for (;;) {
            int rc = sr_write(r, line, LINE_LEN, NULL);
            if (rc == 0) break;
            if (rc == SR_ERR_ABANDONED) {
                res.abandoned++;
                last = now_ms();
                continue;
            }
            if (rc != SR_ERR_BACKPRESSURE || now_ms() - last > NO_PROGRESS_MS) {
                fprintf(stderr, "writer %u: %s\n", w, sr_error_name(rc));
                res.stalled = 1;
                return res;
            }
            nap_us(20);
        }
        res.written++;
    }
    return res;
}

/* What a child process sends back: one write, under PIPE_BUF. */
struct wmsg {
    unsigned who;
    writer_result res;
};
struct rmsg {
    unsigned who;
    reader_result res;
};

typedef uint64_t (*target_fn)(void);

/* Reads until its cursor reaches the target (the final writer cursor, known
 * once the writers are done), checking each line. */
static reader_result reader_run(sr_reader *rd, target_fn target, unsigned stop_after,
                                void (*at_stop)(void)) {
    reader_result res = {0};
    size_t nbits = (size_t)n_writers * n_msgs;
    unsigned char *seen = calloc(nbits / 8 + 1, 1);
    char *buf = malloc(1 << 16);
    if (!seen || !buf) abort();
    uint64_t last = now_ms(), goal = UINT64_MAX;
    for (;;) {
        if (goal != UINT64_MAX && sr_reader_cursor(rd) >= goal) break;
        sr_record rec;
        int rc = sr_read(rd, buf, 1 << 16, &rec);
        if (rc == SR_READ_LINE) {
            unsigned w, k;
            if (!parse_line(buf, rec.len, &w, &k)) {
                res.torn++;
            } else {
                size_t bit = (size_t)w * n_msgs + k;
                if (seen[bit / 8] & (1u << (bit % 8))) res.dup++;
                seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
                res.delivered++;
            }
            last = now_ms();
            if (stop_after && res.delivered == stop_after) at_stop();
        } else if (rc == SR_READ_LOSS) {
            res.lost += rec.lost;
            if (rec.cause == SR_LOSS_STUCK) res.lost_stuck += rec.lost;
            else res.lost_lapped += rec.lost;
            last = now_ms();
        } else if (rc == SR_READ_EMPTY) {
            if (goal == UINT64_MAX) goal = target();
            if (now_ms() - last > NO_PROGRESS_MS) {
                res.stalled = 1;
                break;
            }
            nap_us(10);
        } else {
            fprintf(stderr, "reader: %s\n", sr_error_name(rc));
            res.stalled = 1;
            break;
        }
    }
    free(seen);
    free(buf);
    return res;
}

/* ---- threads ------------------------------------------------------------ */
static sr_ring *shared_ring;
static _Atomic uint64_t thread_target = UINT64_MAX;
static uint64_t target_threads(void) { return atomic_load(&thread_target); }

struct wt {
    pthread_t t;
    unsigned w;
    writer_result res;
};
struct rt {
    pthread_t t;
    sr_reader *rd;
    reader_result res;
};

static void *writer_thread(void *arg) {
    struct wt *x = arg;
    x->res = writer_run(shared_ring, x->w);
    return NULL;
}
static void *reader_thread(void *arg) {
    struct rt *x = arg;
    x->res = reader_run(x->rd, target_threads, 0, NULL);
    return NULL;
}

/* ---- processes ------------------------------------------------------------ */
static int target_fd = -1;
static uint64_t target_pipe(void) {
    uint64_t v;
    struct pollfd p = {target_fd, POLLIN, 0};
    if (poll(&p, 1, 0) == 1 && read(target_fd, &v, sizeof v) == (ssize_t)sizeof v) return v;
    return UINT64_MAX;
}

static int notify_fd = -1;
static void notify_and_hang(void) {
    char c = 'x';
    if (write(notify_fd, &c, 1) != 1) _exit(3);
    for (;;) pause();
}
static void hook_hang(uint64_t seq) {
    (void)seq;
    notify_and_hang();
}

/* Waits (bounded) for one byte on fd. */
static int wait_byte(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    char c;
    return poll(&p, 1, (int)NO_PROGRESS_MS) == 1 && read(fd, &c, 1) == 1 ? 0 : -1;
}

static void write_all(int fd, const void *p, size_t n) {
    if (write(fd, p, n) != (ssize_t)n) _exit(3);
}
static int read_all(int fd, void *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)p + got, n - got);
        if (k <= 0) return -1;
        got += (size_t)k;
    }
    return 0;
}

static int report(uint64_t written, uint64_t claimed, const reader_result *rr, unsigned n,
                  uint64_t want_lost) {
    printf("written %" PRIu64 ", claimed %" PRIu64 "\n", written, claimed);
    for (unsigned i = 0; i < n; i++) {
        printf("reader %u: delivered %" PRIu64 ", reported lost %" PRIu64
               " (stuck %" PRIu64 ", lapped %" PRIu64 "), duplicated = %" PRIu64
               ", torn = %" PRIu64 "%s\n",
               i, rr[i].delivered, rr[i].lost, rr[i].lost_stuck, rr[i].lost_lapped, rr[i].dup,
               rr[i].torn, rr[i].stalled ? " STALLED" : "");
        CHECK_EQ(rr[i].stalled, 0);
        CHECK_EQ(rr[i].dup, 0);
        CHECK_EQ(rr[i].torn, 0);
        CHECK_EQ(rr[i].delivered, written);
        CHECK_EQ(rr[i].delivered + rr[i].lost, claimed);
        CHECK_EQ(rr[i].lost, claimed - written);
        CHECK(rr[i].lost >= want_lost);
        CHECK_EQ(rr[i].lost_lapped, 0);
    }
    return 0;
}

static int run_threads(void) {
    sr_params p = {256, 256, 2000, 10000};
    CHECK_EQ(sr_create(ring_path, &p, &shared_ring), 0);
    if (!shared_ring) return 1;
    struct rt rts[8];
    struct wt wts[8];
    for (unsigned i = 0; i < n_readers; i++) {
        CHECK_EQ(sr_reader_open(shared_ring, &rts[i].rd), 0);
        pthread_create(&rts[i].t, NULL, reader_thread, &rts[i]);
    }
    for (unsigned i = 0; i < n_writers; i++) {
        wts[i].w = i;
        pthread_create(&wts[i].t, NULL, writer_thread, &wts[i]);
    }
    uint64_t written = 0;
    for (unsigned i = 0; i < n_writers; i++) {
        pthread_join(wts[i].t, NULL);
        CHECK_EQ(wts[i].res.stalled, 0);
        written += wts[i].res.written;
    }
    sr_stat st;
    sr_stat_get(shared_ring, &st);
    atomic_store(&thread_target, st.write_cursor);
    reader_result rr[8] = {{0}};
    for (unsigned i = 0; i < n_readers; i++) {
        pthread_join(rts[i].t, NULL);
        rr[i] = rts[i].res;
        sr_reader_close(rts[i].rd);
    }
    report(written, st.write_cursor, rr, n_readers, 0);
    sr_close(shared_ring);
    return 0;
}

static int run_procs(int kill_writer, int kill_reader) {
    sr_params p = {256, 256, kill_writer ? 300 : 2000, kill_reader ? 3000 : 10000};
    sr_ring *r;
    CHECK_EQ(sr_create(ring_path, &p, &r), 0);
    if (!r) return 1;
    int ready[2], results[2], note[2], tpipes[8][2] = {{0}};
    if (pipe(ready) || pipe(results) || pipe(note)) abort();
    pid_t readers[8] = {0}, writers[8] = {0}, victim = -1;
    unsigned nr = n_readers + (kill_reader ? 1u : 0u);
    for (unsigned i = 0; i < nr; i++) {
        if (pipe(tpipes[i])) abort();
        pid_t pid = fork();
        if (pid == 0) {
            sr_ring *cr;
            sr_reader *rd;
            if (sr_open(ring_path, &cr) || sr_reader_open(cr, &rd)) _exit(3);
            write_all(ready[1], "r", 1);
            target_fd = tpipes[i][0];
            notify_fd = note[1];
            int victim_here = kill_reader && i == n_readers;
            reader_result res = reader_run(rd, target_pipe, victim_here ? 10 : 0,
                                           notify_and_hang);
            struct rmsg m = {i, res};
            write_all(results[1], &m, sizeof m); /* one write: atomic in a pipe */
            _exit(0);
        }
        readers[i] = pid;
        CHECK_EQ(wait_byte(ready[0]), 0);
    }
    unsigned nw = n_writers + (kill_writer ? 1u : 0u);
    for (unsigned i = 0; i < nw; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            sr_ring *cr;
            if (sr_open(ring_path, &cr)) _exit(3);
            if (i == n_writers) {
                /* The victim: stops inside its first write, between the
                 * claim and the publish, until it is killed. */
                notify_fd = note[1];
                sr_test_after_claim = hook_hang;
                uint64_t t0 = now_ms();
                while (sr_write(cr, "never", 5, NULL) == SR_ERR_BACKPRESSURE &&
                       now_ms() - t0 < NO_PROGRESS_MS)
                    nap_us(20);
                _exit(4);
            }
            writer_result res = writer_run(cr, i);
            struct wmsg m = {i, res};
            write_all(results[1], &m, sizeof m);
            _exit(0);
        }
        writers[i] = pid;
    }
    if (kill_writer) {
        CHECK_EQ(wait_byte(note[0]), 0);
        victim = writers[n_writers];
    }
    if (kill_reader) {
        CHECK_EQ(wait_byte(note[0]), 0);
        victim = readers[n_readers];
    }
    if (victim > 0) {
        kill(victim, SIGKILL);
        waitpid(victim, NULL, 0);
        printf("killed %s pid %ld\n", kill_writer ? "writer" : "reader", (long)victim);
    }
    uint64_t written = 0;
    for (unsigned i = 0; i < n_writers; i++) {
        struct wmsg m = {0, {0, 0, 1}};
        CHECK_EQ(read_all(results[0], &m, sizeof m), 0);
        CHECK(m.who < n_writers);
        CHECK_EQ(m.res.stalled, 0);
        written += m.res.written;
    }
    for (unsigned i = 0; i < n_writers; i++) waitpid(writers[i], NULL, 0);
    sr_stat st;
    sr_stat_get(r, &st);
    for (unsigned i = 0; i < n_readers; i++)
        write_all(tpipes[i][1], &st.write_cursor, sizeof st.write_cursor);
    reader_result rr[8];
    for (unsigned i = 0; i < n_readers; i++) rr[i] = (reader_result){.stalled = 1};
    for (unsigned i = 0; i < n_readers; i++) {
        struct rmsg m = {UINT32_MAX, {0}};
        CHECK_EQ(read_all(results[0], &m, sizeof m), 0);
        if (m.who < n_readers) rr[m.who] = m.res;
    }
    for (unsigned i = 0; i < n_readers; i++) {
        int status = -1;
        waitpid(readers[i], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    report(written, st.write_cursor, rr, n_readers, kill_writer ? 1 : 0);
    if (kill_writer) CHECK_EQ(st.write_cursor - written, 1);
    if (kill_reader) {
        /* The dead reader's entry was reaped (writers could not have
         * finished otherwise), and no entry names it. */
        for (unsigned i = 0; i < SR_READERS; i++)
            CHECK(st.reader[i].owner == 0 ||
                  (pid_t)(st.reader[i].owner & 0xffffffffu) != victim);
    }
    sr_close(r);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s threads|procs|kill-writer|kill-reader\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    const char *msgs = getenv("SR_TEST_MSGS");
    if (msgs && atoi(msgs) > 0) n_msgs = (unsigned)atoi(msgs);
    ring_path = check_ring_path(mode);
    if (!strcmp(mode, "threads")) run_threads();
    else if (!strcmp(mode, "procs")) run_procs(0, 0);
    else if (!strcmp(mode, "kill-writer")) run_procs(1, 0);
    else if (!strcmp(mode, "kill-reader")) run_procs(0, 1);
    else return 2;
    return check_report(mode);
}
