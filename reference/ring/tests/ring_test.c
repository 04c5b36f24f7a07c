/* Unit tests of spec/splinter-ring.md, one function per rule, named by its
 * SR- ID (ring.requirements_covered checks every ID is named here or in the
 * other tests). Single process; the stuck and heartbeat rules wait for
 * conditions on small bounds (ctest label timing). */
#define _GNU_SOURCE
#include "check.h"
#include "splinter/ring.h"
#include "splinter/splinter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

/* ---- a raw view of the file: the spec's offsets, not the library's ------- */
typedef struct {
    unsigned char *p;
    size_t size;
} raw_t;

static raw_t raw_map(const char *path) {
    raw_t r = {NULL, 0};
    int fd = open(path, O_RDWR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) abort();
    r.size = (size_t)st.st_size;
    r.p = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (r.p == MAP_FAILED) abort();
    return r;
}

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static _Atomic uint64_t *word(raw_t r, size_t off) {
    return (_Atomic uint64_t *)(void *)(r.p + off);
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char buf[1 << 16];

/* Reads until something other than EMPTY comes, for at most `bound_ms`. */
static int read_wait(sr_reader *rd, sr_record *rec, uint64_t bound_ms) {
    uint64_t t0 = now_ms();
    for (;;) {
        int rc = sr_read(rd, buf, sizeof buf, rec);
        if (rc != SR_READ_EMPTY || now_ms() - t0 > bound_ms) return rc;
        pause_ms(1);
    }
}

static sr_ring *mk(const char *tag, uint32_t count, uint32_t size, uint32_t stuck,
                   uint32_t hb, const char **path) {
    sr_params p = {count, size, stuck, hb};
    sr_ring *r = NULL;
    *path = check_ring_path(tag);
    if (sr_create(*path, &p, &r) != 0) abort();
    return r;
}

/* SR-2-a SR-2-d SR-2-e SR-2-f SR-3-a: every offset of the header, a reader
 * entry and two slots, read from the file's bytes. */
static void test_layout(void) {
    const char *path;
    sr_ring *r = mk("layout", 8, 128, 250, 700, &path);
    raw_t w = raw_map(path);
    CHECK_EQ(w.size, 4096 + 8 * 128);
    CHECK(memcmp(w.p, "SPLRING\0", 8) == 0);
    CHECK_EQ(le32(w.p + 8), 1);
    CHECK_EQ(le32(w.p + 12), 4096);
    CHECK_EQ(le32(w.p + 16), 8);
    CHECK_EQ(le32(w.p + 20), 128);
    CHECK_EQ(le32(w.p + 24), 16);
    CHECK_EQ(le32(w.p + 28), 250);
    CHECK_EQ(le32(w.p + 32), 700);
    CHECK_EQ(le32(w.p + 36), 0);
    CHECK(le64(w.p + 40) > 1600000000ull * 1000000000ull);
    CHECK_EQ(le64(w.p + 48), 4096 + 8 * 128);
    CHECK_EQ(le32(w.p + 56), getpid());
    CHECK_EQ(le64(w.p + 64), 0);
    /* SR-7-c: free entries hold the "no cursor" value. */
    for (int i = 0; i < 16; i++) {
        CHECK_EQ(le64(w.p + 128 + 64 * i), 0);
        CHECK(le64(w.p + 128 + 64 * i + 8) == UINT64_MAX);
    }
    sr_reader *rd;
    CHECK_EQ(sr_reader_open(r, &rd), 0);
    CHECK_EQ(le64(w.p + 128) & 0xffffffffu, getpid());
    CHECK(le64(w.p + 128) >> 32 != 0);
    CHECK_EQ(le64(w.p + 136), 0);
    uint64_t hb = le64(w.p + 144), t = now_ms();
    CHECK(hb <= t && t - hb < 5000);
    CHECK_EQ(sr_write(r, "abc", 3, NULL), 0);
    CHECK_EQ(sr_write(r, "{\"x\":1}", 7, NULL), 0);
    CHECK_EQ(le64(w.p + 64), 2);
    CHECK_EQ(le64(w.p + 4096), 2u); /* seq 0, ready */
    CHECK_EQ(le32(w.p + 4096 + 8), 3);
    CHECK(memcmp(w.p + 4096 + 16, "abc", 3) == 0);
    CHECK_EQ(le64(w.p + 4096 + 128), 1u << 2 | 2u);
    CHECK_EQ(le32(w.p + 4096 + 128 + 8), 7);
    CHECK(memcmp(w.p + 4096 + 128 + 16, "{\"x\":1}", 7) == 0);
    sr_record rec;
    CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK_EQ(le64(w.p + 136), 1);     /* cursor */
    CHECK_EQ(le64(w.p + 128 + 32), 1); /* delivered */
    CHECK_EQ(sr_line_max(r), 112);
    sr_reader_close(rd);
    CHECK_EQ(le64(w.p + 128), 0);
    CHECK(le64(w.p + 136) == UINT64_MAX);
    munmap(w.p, w.size);
    sr_close(r);
}

/* SR-2-c: the parameters' ranges and defaults. */
static void test_params(void) {
    const sr_params bad[] = {
        {3, 64, 100, 100},        {1, 64, 100, 100},      {1u << 25, 64, 100, 100},
        {4, 32, 100, 100},        {4, 96, 100, 100},      {4, 1u << 22, 100, 100},
        {4, 64, 5, 100},          {4, 64, 100, 600001},   {1u << 20, 4096, 100, 100},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sr_ring *r = NULL;
        const char *path = check_ring_path("params");
        CHECK_EQ(sr_create(path, &bad[i], &r), SR_ERR_INVALID_ARGUMENT);
        CHECK(r == NULL);
        CHECK(access(path, F_OK) != 0);
    }
    const char *path = check_ring_path("defaults");
    sr_ring *r;
    CHECK_EQ(sr_create(path, NULL, &r), 0);
    sr_stat st;
    sr_stat_get(r, &st);
    CHECK_EQ(st.params.slot_count, 1024);
    CHECK_EQ(st.params.slot_size, 512);
    CHECK_EQ(st.params.stuck_ms, 1000);
    CHECK_EQ(st.params.heartbeat_ms, 3000);
    sr_close(r);
}

static void patch32(const char *path, off_t off, uint32_t v) {
    int fd = open(path, O_RDWR);
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    if (fd < 0 || pwrite(fd, b, 4, off) != 4) abort();
    close(fd);
}

/* SR-8-a SR-8-b SR-2-b: creation is exclusive and 0600; every wrong file
 * gets its own error and is never mapped. */
static void test_open_checks(void) {
    const char *path;
    mode_t old = umask(0);
    sr_ring *r = mk("sec", 4, 64, 100, 100, &path);
    umask(old);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 07777, 0600);
    sr_ring *r2 = NULL;
    CHECK_EQ(sr_create(path, NULL, &r2), SR_ERR_EXISTS);
    CHECK_EQ(sr_open(path, &r2), 0);
    sr_close(r2);
    sr_close(r);

    /* A symbolic link to a good ring is refused (O_NOFOLLOW), and
     * creating through one too. */
    const char *link = check_ring_path("link");
    CHECK_EQ(symlink(path, link), 0);
    CHECK_EQ(sr_open(link, &r2), SR_ERR_BAD_PERMISSIONS);
    CHECK_EQ(sr_create(link, NULL, &r2), SR_ERR_EXISTS);

    CHECK_EQ(chmod(path, 0644), 0);
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_PERMISSIONS);
    CHECK_EQ(chmod(path, 0600), 0);

    patch32(path, 8, 2);
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_VERSION);
    patch32(path, 8, 1);
    patch32(path, 16, 8); /* slot count no longer matches the size */
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_SIZE);
    patch32(path, 16, 3); /* not a power of two */
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_SIZE);
    patch32(path, 16, 4);
    patch32(path, 28, 0); /* stuck bound out of range */
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_SIZE);
    patch32(path, 28, 100);
    CHECK_EQ(sr_open(path, &r2), 0);
    sr_close(r2);
    patch32(path, 0, 0x4c505358); /* "XSPL" */
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_MAGIC);
    patch32(path, 0, 0x524c5053); /* "SPLR" again */
    CHECK_EQ(sr_open(path, &r2), 0);
    sr_close(r2);
    /* Any byte of the header's first 64 set to any of a few values: an
     * error code or a good open, never a crash (ASan/UBSan builds run this). */
    static const unsigned char vals[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xff};
    int fd = open(path, O_RDWR);
    CHECK(fd >= 0);
    for (off_t off = 0; off < 64 && fd >= 0; off++) {
        unsigned char orig;
        if (pread(fd, &orig, 1, off) != 1) abort();
        for (size_t v = 0; v < sizeof vals; v++) {
            if (pwrite(fd, &vals[v], 1, off) != 1) abort();
            r2 = NULL;
            int rc = sr_open(path, &r2);
            CHECK(rc == 0 || sr_error_name(rc) != NULL);
            CHECK((rc == 0) == (r2 != NULL));
            sr_close(r2);
        }
        if (pwrite(fd, &orig, 1, off) != 1) abort();
    }
    if (fd >= 0) close(fd);
    r2 = NULL;
    CHECK_EQ(truncate(path, 4096 + 64), 0);
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_SIZE);
    CHECK_EQ(truncate(path, 100), 0);
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_SIZE);
    CHECK_EQ(truncate(path, 0), 0);
    CHECK_EQ(sr_open(path, &r2), SR_ERR_BAD_MAGIC);
    CHECK_EQ(sr_open("/dev/shm", &r2), SR_ERR_BAD_PERMISSIONS);
    CHECK_EQ(sr_open("/dev/shm/sr-test-no-such-ring", &r2), SR_ERR_NOT_FOUND);
    CHECK_EQ(sr_unlink(path), 0);
    CHECK_EQ(sr_unlink(path), SR_ERR_NOT_FOUND);
    CHECK(r2 == NULL);
}

/* SR-4-a SR-4-c SR-7-b: lines come out in order, whole, over many laps;
 * the state word carries the sequence number. */
static void test_write_read_wrap(void) {
    const char *path;
    sr_ring *r = mk("wrap", 4, 64, 100, 5000, &path);
    raw_t w = raw_map(path);
    sr_reader *rd;
    CHECK_EQ(sr_reader_open(r, &rd), 0);
    sr_record rec;
    CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_EMPTY);
    uint64_t next = 0;
    for (int lap = 0; lap < 10; lap++) {
        for (int i = 0; i < 3; i++) {
            char line[32];
            int n = snprintf(line, sizeof line, "{\"n\":%d}", lap * 3 + i);
            uint64_t seq = 99;
            CHECK_EQ(sr_write(r, line, (size_t)n, &seq), 0);
            CHECK_EQ(seq, lap * 3 + i);
            CHECK_EQ(le64(w.p + 4096 + (seq % 4) * 64), seq << 2 | 2u);
        }
        for (int i = 0; i < 3; i++) {
            char want[32];
            int n = snprintf(want, sizeof want, "{\"n\":%d}", lap * 3 + i);
            CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_LINE);
            CHECK_EQ(rec.seq, next);
            CHECK_EQ(rec.len, n);
            CHECK(memcmp(buf, want, (size_t)n) == 0);
            next++;
        }
        CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_EMPTY);
    }
    CHECK_EQ(sr_read(rd, buf, 10, &rec), SR_ERR_NO_SPACE);
    sr_reader_close(rd);
    munmap(w.p, w.size);
    sr_close(r);
}

/* SR-4-d: the slowest live reader a whole ring behind is 4100 to the
 * writer, and nothing is claimed; no live reader, never full. */
static void test_full(void) {
    CHECK_EQ(SR_FAULT_BACKPRESSURE, SP_FAULT_BACKPRESSURE);
    CHECK_EQ(-SR_ERR_BACKPRESSURE, SP_FAULT_BACKPRESSURE);
    const char *path;
    sr_ring *r = mk("full", 4, 64, 100, 60000, &path);
    for (int i = 0; i < 9; i++) CHECK_EQ(sr_write(r, "x", 1, NULL), 0);
    sr_reader *fast, *slow;
    CHECK_EQ(sr_reader_open(r, &slow), 0);
    CHECK_EQ(sr_reader_open(r, &fast), 0);
    for (int i = 0; i < 4; i++) CHECK_EQ(sr_write(r, "y", 1, NULL), 0);
    CHECK_EQ(sr_write(r, "z", 1, NULL), SR_ERR_BACKPRESSURE);
    sr_stat st;
    sr_stat_get(r, &st);
    CHECK_EQ(st.write_cursor, 13);
    sr_record rec;
    for (int i = 0; i < 4; i++) CHECK_EQ(sr_read(fast, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK_EQ(sr_write(r, "z", 1, NULL), SR_ERR_BACKPRESSURE); /* slow still behind */
    CHECK_EQ(sr_read(slow, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK_EQ(rec.seq, 9);
    CHECK_EQ(sr_write(r, "z", 1, NULL), 0);
    CHECK_EQ(sr_write(r, "z", 1, NULL), SR_ERR_BACKPRESSURE);
    sr_reader_close(slow); /* a closed reader holds nobody back */
    CHECK_EQ(sr_write(r, "z", 1, NULL), 0);
    sr_reader_close(fast);
    sr_close(r);
}

/* SR-5-a: one line per slot, 1..line_max bytes, no LF; nothing claimed
 * for a refused line. */
static void test_lines(void) {
    const char *path;
    sr_ring *r = mk("lines", 4, 64, 100, 5000, &path);
    char line[64];
    memset(line, 'a', sizeof line);
    CHECK_EQ(sr_write(r, line, 49, NULL), SR_ERR_TOO_LONG);
    CHECK_EQ(sr_write(r, line, 0, NULL), SR_ERR_BAD_LINE);
    CHECK_EQ(sr_write(r, "a\nb", 3, NULL), SR_ERR_BAD_LINE);
    sr_stat st;
    sr_stat_get(r, &st);
    CHECK_EQ(st.write_cursor, 0);
    sr_reader *rd;
    CHECK_EQ(sr_reader_open(r, &rd), 0);
    CHECK_EQ(sr_write(r, line, 48, NULL), 0);
    sr_record rec;
    CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK_EQ(rec.len, 48);
    sr_reader_close(rd);
    sr_close(r);
}

/* A writer that died between claim and publish, written by hand into the
 * file as the spec says a claim looks. */
static void raw_dead_claim(raw_t w, uint32_t slot_size, uint32_t count) {
    uint64_t seq = atomic_fetch_add(word(w, 64), 1);
    atomic_store(word(w, 4096 + (seq % count) * slot_size), seq << 2 | 1u);
}

static sr_reader *hook_reader;
static int hook_result;
static void hook_read_until_loss(uint64_t seq) {
    (void)seq;
    sr_record rec;
    hook_result = read_wait(hook_reader, &rec, 5000);
    if (hook_result == SR_READ_LOSS && rec.cause != SR_LOSS_STUCK) hook_result = -999;
}

/* SR-6-a SR-6-b: a claim left unpublished longer than stuck_ms is skipped
 * by the first reader to wait that long, reported lost by every reader, and
 * a writer coming back after it gets ABANDONED. */
static void test_stuck(void) {
    const char *path;
    sr_ring *r = mk("stuck", 4, 64, 50, 60000, &path);
    raw_t w = raw_map(path);
    sr_reader *a, *b;
    CHECK_EQ(sr_reader_open(r, &a), 0);
    CHECK_EQ(sr_reader_open(r, &b), 0);
    raw_dead_claim(w, 64, 4);
    CHECK_EQ(sr_write(r, "after", 5, NULL), 0);
    sr_record rec;
    uint64_t t0 = now_ms();
    CHECK_EQ(sr_read(a, buf, sizeof buf, &rec), SR_READ_EMPTY);
    CHECK_EQ(read_wait(a, &rec, 5000), SR_READ_LOSS);
    CHECK(now_ms() - t0 >= 50);
    CHECK_EQ(rec.cause, SR_LOSS_STUCK);
    CHECK_EQ(rec.seq, 0);
    CHECK_EQ(rec.lost, 1);
    CHECK_EQ(le64(w.p + 4096), 3u); /* seq 0, skipped */
    CHECK_EQ(sr_read(a, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK_EQ(rec.seq, 1);
    /* b finds the slot already skipped: lost at once, no second wait. */
    CHECK_EQ(sr_read(b, buf, sizeof buf, &rec), SR_READ_LOSS);
    CHECK_EQ(rec.cause, SR_LOSS_STUCK);
    CHECK_EQ(sr_read(b, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK(memcmp(buf, "after", 5) == 0);

    /* A live writer held between claim and publish past the bound. */
    hook_reader = a;
    sr_test_after_claim = hook_read_until_loss;
    CHECK_EQ(sr_write(r, "late", 4, NULL), SR_ERR_ABANDONED);
    sr_test_after_claim = NULL;
    CHECK_EQ(hook_result, SR_READ_LOSS);
    CHECK_EQ(sr_read(b, buf, sizeof buf, &rec), SR_READ_LOSS);
    CHECK_EQ(sr_read(a, buf, sizeof buf, &rec), SR_READ_EMPTY);
    CHECK_EQ(sr_write(r, "next", 4, NULL), 0);
    CHECK_EQ(sr_read(a, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK(memcmp(buf, "next", 4) == 0);

    /* SR-4-b: a claim whose slot was skipped before the writer marked it. */
    uint64_t seq = atomic_load(word(w, 64));
    atomic_store(word(w, 4096 + (seq % 4) * 64), seq << 2 | 3u);
    CHECK_EQ(sr_write(r, "gone", 4, NULL), SR_ERR_ABANDONED);
    CHECK_EQ(sr_read(a, buf, sizeof buf, &rec), SR_READ_LOSS);
    CHECK_EQ(rec.seq, seq);
    sr_reader_close(a);
    sr_reader_close(b);
    munmap(w.p, w.size);
    sr_close(r);
}

static sr_reader *peek_reader;
static int peek_result;
static void hook_peek(uint64_t seq) {
    (void)seq;
    sr_record rec;
    peek_result = sr_read(peek_reader, buf, sizeof buf, &rec);
}

/* SR-6-e: between claim and publish a reader sees nothing of the line. */
static void test_no_half_written(void) {
    const char *path;
    sr_ring *r = mk("half", 4, 64, 5000, 60000, &path);
    CHECK_EQ(sr_reader_open(r, &peek_reader), 0);
    sr_test_after_claim = hook_peek;
    peek_result = 12345;
    CHECK_EQ(sr_write(r, "whole", 5, NULL), 0);
    sr_test_after_claim = NULL;
    CHECK_EQ(peek_result, SR_READ_EMPTY);
    sr_record rec;
    CHECK_EQ(sr_read(peek_reader, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK(rec.len == 5 && memcmp(buf, "whole", 5) == 0);
    sr_reader_close(peek_reader);
    sr_close(r);
}

/* SR-6-c SR-6-d: a reader that stops beating is reaped, so writers go on;
 * when it comes back it takes an entry again and reports the lap. */
static void test_reap_and_lap(void) {
    const char *path;
    sr_ring *r = mk("reap", 4, 64, 100, 40, &path);
    sr_reader *rd;
    CHECK_EQ(sr_reader_open(r, &rd), 0);
    for (int i = 0; i < 4; i++) CHECK_EQ(sr_write(r, "a", 1, NULL), 0);
    uint64_t t0 = now_ms();
    int rc;
    while ((rc = sr_write(r, "b", 1, NULL)) == SR_ERR_BACKPRESSURE && now_ms() - t0 < 5000)
        pause_ms(1);
    CHECK_EQ(rc, 0);
    CHECK(now_ms() - t0 >= 40);
    sr_stat st;
    sr_stat_get(r, &st);
    CHECK_EQ(st.readers, 0);
    for (int i = 0; i < 5; i++) CHECK_EQ(sr_write(r, "c", 1, NULL), 0); /* wc = 10 */
    sr_record rec;
    CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_LOSS);
    CHECK_EQ(rec.cause, SR_LOSS_LAPPED);
    CHECK_EQ(rec.seq, 0);
    CHECK_EQ(rec.lost, 6);
    for (uint64_t s = 6; s < 10; s++) {
        CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_LINE);
        CHECK_EQ(rec.seq, s);
    }
    CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_EMPTY);
    sr_stat_get(r, &st);
    CHECK_EQ(st.readers, 1);
    unsigned i = 0;
    while (i < SR_READERS && !st.reader[i].owner) i++;
    CHECK(i < SR_READERS && st.reader[i].lost == 6 && st.reader[i].delivered == 4);
    /* A seek into the past is a lap too. */
    CHECK_EQ(sr_reader_seek(rd, 1), 0);
    CHECK_EQ(sr_read(rd, buf, sizeof buf, &rec), SR_READ_LOSS);
    CHECK_EQ(rec.lost, 5);
    CHECK_EQ(sr_reader_seek(rd, 11), SR_ERR_INVALID_ARGUMENT);
    sr_reader_close(rd);
    sr_close(r);
}

/* SR-6-c: a reaped reader that finds every entry taken says so, and takes
 * one again once one is free. */
static void test_reattach_when_full(void) {
    const char *path;
    sr_ring *r = mk("reattach", 4, 64, 100, 30, &path);
    sr_reader *gone, *rd[SR_READERS];
    CHECK_EQ(sr_reader_open(r, &gone), 0);
    CHECK_EQ(sr_write(r, "a", 1, NULL), 0);
    uint64_t t0 = now_ms();
    while (now_ms() - t0 <= 60) pause_ms(5); /* the heartbeat expires (30 ms) */
    for (unsigned i = 0; i < SR_READERS; i++) CHECK_EQ(sr_reader_open(r, &rd[i]), 0);
    sr_record rec;
    CHECK_EQ(sr_read(gone, buf, sizeof buf, &rec), SR_ERR_NO_READER_SLOT);
    CHECK_EQ(sr_read(gone, buf, sizeof buf, &rec), SR_ERR_NO_READER_SLOT);
    sr_reader_close(rd[0]);
    CHECK_EQ(sr_read(gone, buf, sizeof buf, &rec), SR_READ_LINE);
    CHECK_EQ(rec.seq, 0);
    for (unsigned i = 1; i < SR_READERS; i++) sr_reader_close(rd[i]);
    sr_reader_close(gone);
    sr_close(r);
}

/* SR-7-a SR-7-c: 16 entries; a new reader starts at the writer cursor. */
static void test_attach(void) {
    const char *path;
    sr_ring *r = mk("attach", 4, 64, 100, 60000, &path);
    CHECK_EQ(sr_write(r, "old", 3, NULL), 0);
    sr_reader *rd[SR_READERS + 1];
    for (unsigned i = 0; i < SR_READERS; i++) CHECK_EQ(sr_reader_open(r, &rd[i]), 0);
    CHECK_EQ(sr_reader_open(r, &rd[SR_READERS]), SR_ERR_NO_READER_SLOT);
    sr_record rec;
    CHECK_EQ(sr_read(rd[3], buf, sizeof buf, &rec), SR_READ_EMPTY);
    CHECK_EQ(sr_reader_cursor(rd[3]), 1);
    sr_reader_close(rd[3]);
    CHECK_EQ(sr_reader_open(r, &rd[3]), 0);
    for (unsigned i = 0; i < SR_READERS; i++) sr_reader_close(rd[i]);
    sr_stat st;
    sr_stat_get(r, &st);
    CHECK_EQ(st.readers, 0);
    sr_close(r);
}

static void test_error_table(void) {
    const int codes[] = {
#define ROW(id, value, name, desc) value,
        SR_ERROR_MAP(ROW)
#undef ROW
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK(codes[i] < 0);
        CHECK(sr_error_name(codes[i]) != NULL && sr_error_desc(codes[i]) != NULL);
        for (size_t j = 0; j < i; j++) CHECK(codes[i] != codes[j]);
    }
    CHECK(sr_error_name(0) == NULL);
    CHECK(strcmp(sr_error_name(SR_ERR_BACKPRESSURE), "backpressure") == 0);
}

int main(void) {
    test_layout();
    test_params();
    test_open_checks();
    test_write_read_wrap();
    test_full();
    test_lines();
    test_stuck();
    test_no_half_written();
    test_reap_and_lap();
    test_attach();
    test_reattach_when_full();
    test_error_table();
    return check_report("ring_test");
}
