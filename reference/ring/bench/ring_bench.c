/* Splinter ring against a Unix socketpair (SOCK_SEQPACKET), same run, same
 * traffic: 128-byte lines, 1 writer -> 1 reader and 4 writers -> 1 reader.
 * Throughput: every writer sends as fast as the transport takes (the ring's
 * writers retry on 4100). Latency: paced, each writer sends its next line
 * once the reader has its previous one; the reader takes the send time from
 * the line. The ring reader polls (it spins, as a ring reader does); the
 * socket reader blocks in recv. A program, not a test: `make bench-ring`.
 *
 *   sr_ring_bench [messages]   (per throughput run, split among the
 *                               writers; default 200000) */
#define _GNU_SOURCE
#include "splinter/ring.h"

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE 128
#define LAT_MSGS 5000u /* per writer, paced */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef enum { T_RING, T_SOCK } transport;

typedef struct {
    transport t;
    sr_ring *ring;
    int fds[2];
    unsigned writers;
    uint64_t per_writer;
    int paced;
    _Atomic uint64_t got[4]; /* lines the reader has from each writer */
    uint64_t *lat;           /* ns, one per line (paced runs) */
    uint64_t nlat;
    int failed;
} bench;

typedef struct {
    bench *b;
    unsigned w;
} warg;

/* "T<16 hex digits of send time> W<writer>" then filler up to 128 bytes. */
static void fill_line(char *line, unsigned w) {
    char head[32];
    int n = snprintf(head, sizeof head, "T%016" PRIx64 " W%u ", now_ns(), w);
    memcpy(line, head, (size_t)n);
}

static void *writer(void *arg) {
    warg *a = arg;
    bench *b = a->b;
    char line[LINE];
    memset(line, 'x', sizeof line);
    for (uint64_t k = 0; k < b->per_writer; k++) {
        if (b->paced)
            while (atomic_load_explicit(&b->got[a->w], memory_order_acquire) < k) sched_yield();
        fill_line(line, a->w);
        if (b->t == T_RING) {
            int rc;
            while ((rc = sr_write(b->ring, line, LINE, NULL)) == SR_ERR_BACKPRESSURE)
                sched_yield();
            if (rc) {
                fprintf(stderr, "sr_ring_bench: write: %s\n", sr_error_name(rc));
                b->failed = 1;
                return NULL;
            }
        } else if (send(b->fds[0], line, LINE, 0) != LINE) {
            perror("sr_ring_bench: send");
            b->failed = 1;
            return NULL;
        }
    }
    return NULL;
}

static void take(bench *b, const char *line) {
    uint64_t t = strtoull(line + 1, NULL, 16), now = now_ns();
    unsigned w = (unsigned)(line[19] - '0');
    if (w >= b->writers) {
        b->failed = 1;
        return;
    }
    if (b->paced && b->nlat < b->writers * b->per_writer) b->lat[b->nlat++] = now - t;
    atomic_fetch_add_explicit(&b->got[w], 1, memory_order_release);
}

/* Reads every line of the run; `rd` was attached before any writer ran. */
static void reader(bench *b, sr_reader *rd) {
    uint64_t total = b->writers * b->per_writer, n = 0;
    static char buf[65536];
    while (n < total && !b->failed) {
        if (b->t == T_RING) {
            sr_record rec;
            int rc = sr_read(rd, buf, sizeof buf, &rec);
            if (rc == SR_READ_LINE) {
                take(b, buf);
                n++;
            } else if (rc != SR_READ_EMPTY) {
                fprintf(stderr, "sr_ring_bench: read returned %d\n", rc);
                b->failed = 1;
            }
        } else {
            ssize_t k = recv(b->fds[1], buf, sizeof buf, 0);
            if (k != LINE) {
                perror("sr_ring_bench: recv");
                b->failed = 1;
                break;
            }
            take(b, buf);
            n++;
        }
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double rate, median_us, p99_us;
} result;

static int run(transport t, unsigned writers, uint64_t per_writer, int paced, result *res) {
    bench *b = calloc(1, sizeof *b);
    if (!b) return -1;
    b->t = t;
    b->writers = writers;
    b->per_writer = per_writer;
    b->paced = paced;
    b->lat = paced ? calloc(writers * per_writer, sizeof *b->lat) : NULL;
    char path[96];
    snprintf(path, sizeof path, "/dev/shm/sr-bench-%ld", (long)getpid());
    int rc = 0;
    if (t == T_RING) {
        sr_params p = {4096, 256, 0, 0};
        unlink(path);
        rc = sr_create(path, &p, &b->ring);
        if (rc == 0) sr_unlink(path); /* the mapping stays: nothing left behind */
    } else {
        rc = socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b->fds);
    }
    if (rc || (paced && !b->lat)) {
        fprintf(stderr, "sr_ring_bench: set-up failed\n");
        free(b->lat);
        free(b);
        return -1;
    }
    sr_reader *rd = NULL;
    if (t == T_RING && sr_reader_open(b->ring, &rd) != 0) b->failed = 1;
    pthread_t th[4];
    warg args[4];
    unsigned started = 0;
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < writers && !b->failed; i++) {
        args[i].b = b;
        args[i].w = i;
        if (pthread_create(&th[i], NULL, writer, &args[i]) != 0) {
            b->failed = 1;
            break;
        }
        started++;
    }
    if (!b->failed) reader(b, rd);
    for (unsigned i = 0; i < started; i++) pthread_join(th[i], NULL);
    sr_reader_close(rd);
    uint64_t el = now_ns() - t0;
    res->rate = (double)(writers * per_writer) * 1e9 / (double)el;
    res->median_us = res->p99_us = 0;
    if (paced && b->nlat) {
        qsort(b->lat, b->nlat, sizeof *b->lat, cmp_u64);
        uint64_t mid = b->nlat / 2, p99 = b->nlat * 99 / 100;
        res->median_us = (double)b->lat[mid] / 1000.0;
        res->p99_us = (double)b->lat[p99] / 1000.0;
    }
    int failed = b->failed;
    if (t == T_RING) sr_close(b->ring);
    else {
        close(b->fds[0]);
        close(b->fds[1]);
    }
    free(b->lat);
    free(b);
    return failed ? -1 : 0;
}

static void print(const char *name, const result *thr, const result *lat) {
    printf("%-12s %12.0f msgs/s   latency median %8.2f us   p99 %8.2f us\n", name, thr->rate,
           lat->median_us, lat->p99_us);
}

int main(int argc, char **argv) {
    uint64_t per = 200000;
    if (argc > 2 || (argc == 2 && (per = strtoull(argv[1], NULL, 10)) == 0)) {
        fprintf(stderr, "usage: sr_ring_bench [messages]\n");
        return 2;
    }
    const unsigned ws[2] = {1, 4};
    printf("128-byte lines; throughput: %" PRIu64 " lines per run; latency: %u paced lines "
           "per writer\n",
           per, LAT_MSGS);
    for (int i = 0; i < 2; i++) {
        result rt, rl, st, sl;
        if (run(T_RING, ws[i], per / ws[i], 0, &rt) || run(T_RING, ws[i], LAT_MSGS, 1, &rl) ||
            run(T_SOCK, ws[i], per / ws[i], 0, &st) || run(T_SOCK, ws[i], LAT_MSGS, 1, &sl)) {
            fprintf(stderr, "sr_ring_bench: a run failed\n");
            return 1;
        }
        char name[32];
        snprintf(name, sizeof name, "ring %u->1", ws[i]);
        print(name, &rt, &rl);
        snprintf(name, sizeof name, "unix %u->1", ws[i]);
        print(name, &st, &sl);
        printf("ratio %u->1  ring/unix messages/s %.1fx   unix/ring p99 latency %.1fx\n\n", ws[i],
               rt.rate / st.rate, sl.p99_us / (rl.p99_us > 0 ? rl.p99_us : 1e-9));
    }
    return 0;
}
