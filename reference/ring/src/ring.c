/* The Splinter ring (spec/splinter-ring.md). The layout structs below are
 * the file's bytes: every offset is checked against the header's SR_OFF_*
 * constants, which the spec writes down. */
#define _GNU_SOURCE
#include "splinter/ring.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ring layout is little-endian (SR-2-a); this host is not"
#endif

typedef _Atomic uint64_t au64;

struct sr_rd_entry {
    au64 owner, cursor, heartbeat, lost, delivered;
    uint8_t reserved[24]; // cppcheck-suppress unusedStructMember ; layout (SR-2-d)
};

struct sr_hdr {
    char magic[SR_MAGIC_LEN];
    uint32_t version, header_size, slot_count, slot_size, reader_count,
        stuck_ms, heartbeat_ms, flags;
    uint64_t created_ns, file_size;
    uint32_t creator_pid, reserved0;
    au64 write_cursor;
    uint8_t reserved1[56];
    struct sr_rd_entry readers[SR_READERS];
};

struct sr_slot {
    au64 state;
    uint32_t length;
    uint32_t reserved; // cppcheck-suppress unusedStructMember ; layout (SR-2-e)
    unsigned char data[];
};

/* Lock-free 8-byte atomics are what another process (or language) sees as
 * plain aligned little-endian words. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(sizeof(au64) == 8, "an atomic u64 is a plain word");
_Static_assert(_Alignof(au64) == 8, "an atomic u64 is 8-aligned");
_Static_assert(offsetof(struct sr_hdr, magic) == SR_OFF_MAGIC, "magic");
_Static_assert(offsetof(struct sr_hdr, version) == SR_OFF_VERSION, "version");
_Static_assert(offsetof(struct sr_hdr, header_size) == SR_OFF_HEADER_SIZE, "header_size");
_Static_assert(offsetof(struct sr_hdr, slot_count) == SR_OFF_SLOT_COUNT, "slot_count");
_Static_assert(offsetof(struct sr_hdr, slot_size) == SR_OFF_SLOT_SIZE, "slot_size");
_Static_assert(offsetof(struct sr_hdr, reader_count) == SR_OFF_READER_COUNT, "reader_count");
_Static_assert(offsetof(struct sr_hdr, stuck_ms) == SR_OFF_STUCK_MS, "stuck_ms");
_Static_assert(offsetof(struct sr_hdr, heartbeat_ms) == SR_OFF_HEARTBEAT_MS, "heartbeat_ms");
_Static_assert(offsetof(struct sr_hdr, flags) == SR_OFF_FLAGS, "flags");
_Static_assert(offsetof(struct sr_hdr, created_ns) == SR_OFF_CREATED_NS, "created_ns");
_Static_assert(offsetof(struct sr_hdr, file_size) == SR_OFF_FILE_SIZE, "file_size");
_Static_assert(offsetof(struct sr_hdr, creator_pid) == SR_OFF_CREATOR_PID, "creator_pid");
_Static_assert(offsetof(struct sr_hdr, write_cursor) == SR_OFF_WRITE_CURSOR, "write_cursor");
_Static_assert(offsetof(struct sr_hdr, readers) == SR_OFF_READERS, "readers");
_Static_assert(sizeof(struct sr_rd_entry) == SR_READER_SIZE, "reader entry size");
_Static_assert(offsetof(struct sr_rd_entry, owner) == SR_RD_OFF_OWNER, "owner");
_Static_assert(offsetof(struct sr_rd_entry, cursor) == SR_RD_OFF_CURSOR, "cursor");
_Static_assert(offsetof(struct sr_rd_entry, heartbeat) == SR_RD_OFF_HEARTBEAT, "heartbeat");
_Static_assert(offsetof(struct sr_rd_entry, lost) == SR_RD_OFF_LOST, "lost");
_Static_assert(offsetof(struct sr_rd_entry, delivered) == SR_RD_OFF_DELIVERED, "delivered");
_Static_assert(sizeof(struct sr_hdr) == SR_OFF_READERS + SR_READERS * SR_READER_SIZE,
               "header struct ends with the reader table");
_Static_assert(sizeof(struct sr_hdr) <= SR_HEADER_SIZE, "header fits its page");
_Static_assert(offsetof(struct sr_slot, state) == SR_SLOT_OFF_STATE, "slot state");
_Static_assert(offsetof(struct sr_slot, length) == SR_SLOT_OFF_LENGTH, "slot length");
_Static_assert(offsetof(struct sr_slot, data) == SR_SLOT_OFF_DATA, "slot data");

/* A cursor value no writer waits for: a reader entry being set up or closed. */
#define SR_CURSOR_NONE UINT64_MAX

struct sr_ring {
    unsigned char *base;
    size_t size;
    struct sr_hdr *h;
    uint64_t count, mask;
    uint32_t slot_size, stuck_ms, heartbeat_ms;
    au64 min_cache; /* a lower bound of the slowest live reader's cursor */
    _Atomic int err;
};

struct sr_reader {
    sr_ring *r;
    struct sr_rd_entry *e;
    uint64_t token, cursor;
    uint64_t stuck_seq, stuck_since; /* first sight of a claimed, unpublished slot */
    bool stuck_valid;
};

void (*sr_test_after_claim)(uint64_t seq);

static const struct {
    int code;
    const char *name, *desc;
} sr_errors[] = {
#define SR__ERROR_ROW(id, value, name, desc) {value, name, desc},
    SR_ERROR_MAP(SR__ERROR_ROW)
#undef SR__ERROR_ROW
};

const char *sr_error_name(int err) {
    for (size_t i = 0; i < sizeof sr_errors / sizeof sr_errors[0]; i++)
        if (sr_errors[i].code == err) return sr_errors[i].name;
    return NULL;
}

const char *sr_error_desc(int err) {
    for (size_t i = 0; i < sizeof sr_errors / sizeof sr_errors[0]; i++)
        if (sr_errors[i].code == err) return sr_errors[i].desc;
    return NULL;
}

/* CLOCK_MONOTONIC is one clock for every process of the machine (SR-6-c). */
static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool pow2_in(uint32_t v, uint32_t lo, uint32_t hi) {
    return v >= lo && v <= hi && (v & (v - 1u)) == 0;
}

static bool ms_ok(uint32_t v) { return v >= SR_MS_MIN && v <= SR_MS_MAX; }

static int params_fill(const sr_params *in, sr_params *out) {
    sr_params p = {1024u, 512u, SR_STUCK_MS_DEFAULT, SR_HEARTBEAT_MS_DEFAULT};
    if (in) {
        if (in->slot_count) p.slot_count = in->slot_count;
        if (in->slot_size) p.slot_size = in->slot_size;
        if (in->stuck_ms) p.stuck_ms = in->stuck_ms;
        if (in->heartbeat_ms) p.heartbeat_ms = in->heartbeat_ms;
    }
    if (!pow2_in(p.slot_count, SR_SLOT_COUNT_MIN, SR_SLOT_COUNT_MAX) ||
        !pow2_in(p.slot_size, SR_SLOT_SIZE_MIN, SR_SLOT_SIZE_MAX) || !ms_ok(p.stuck_ms) ||
        !ms_ok(p.heartbeat_ms) ||
        SR_HEADER_SIZE + (uint64_t)p.slot_count * p.slot_size > SR_FILE_SIZE_MAX)
        return SR_ERR_INVALID_ARGUMENT;
    *out = p;
    return 0;
}

static sr_ring *ring_new(unsigned char *base, size_t size) {
    sr_ring *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->base = base;
    r->size = size;
    r->h = (struct sr_hdr *)(void *)base;
    r->count = r->h->slot_count;
    r->mask = r->count - 1u;
    r->slot_size = r->h->slot_size;
    r->stuck_ms = r->h->stuck_ms;
    r->heartbeat_ms = r->h->heartbeat_ms;
    atomic_init(&r->min_cache, 0);
    atomic_init(&r->err, 0);
    return r;
}

static struct sr_slot *slot_at(const sr_ring *r, uint64_t seq) {
    return (struct sr_slot *)(void *)(r->base + SR_HEADER_SIZE +
                                      (size_t)(seq & r->mask) * r->slot_size);
}

int sr_create(const char *path, const sr_params *p, sr_ring **out) {
    sr_params q;
    if (!path || !out) return SR_ERR_INVALID_ARGUMENT;
    *out = NULL;
    int rc = params_fill(p, &q);
    if (rc) return rc;
    size_t size = SR_HEADER_SIZE + (size_t)q.slot_count * q.slot_size;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return errno == EEXIST ? SR_ERR_EXISTS : SR_ERR_SYSTEM;
    /* The umask may have taken bits away; 0600 is the rule (SR-8-a). */
    if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)size) != 0) goto fail;
    unsigned char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) goto fail;
    close(fd);
    struct sr_hdr *h = (struct sr_hdr *)(void *)base;
    h->version = SR_LAYOUT_VERSION;
    h->header_size = SR_HEADER_SIZE;
    h->slot_count = q.slot_count;
    h->slot_size = q.slot_size;
    h->reader_count = SR_READERS;
    h->stuck_ms = q.stuck_ms;
    h->heartbeat_ms = q.heartbeat_ms;
    h->flags = 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    h->created_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    h->file_size = size;
    h->creator_pid = (uint32_t)getpid();
    for (unsigned i = 0; i < SR_READERS; i++)
        atomic_store_explicit(&h->readers[i].cursor, SR_CURSOR_NONE, memory_order_relaxed);
    /* The magic last: an opener that sees it sees a whole header (SR-2-a). */
    atomic_thread_fence(memory_order_release);
    memcpy(h->magic, SR_MAGIC, SR_MAGIC_LEN);
    sr_ring *r = ring_new(base, size);
    if (!r) {
        munmap(base, size);
        unlink(path);
        return SR_ERR_NO_MEMORY;
    }
    *out = r;
    return 0;
fail:
    close(fd);
    unlink(path);
    return SR_ERR_SYSTEM;
}

/* The checks of SR-8-b on a header read from the file, before any mapping. */
static int header_check(const struct sr_hdr *h, uint64_t st_size) {
    if (memcmp(h->magic, SR_MAGIC, SR_MAGIC_LEN) != 0) return SR_ERR_BAD_MAGIC;
    if (h->version != SR_LAYOUT_VERSION) return SR_ERR_BAD_VERSION;
    if (h->header_size != SR_HEADER_SIZE || h->reader_count != SR_READERS ||
        !pow2_in(h->slot_count, SR_SLOT_COUNT_MIN, SR_SLOT_COUNT_MAX) ||
        !pow2_in(h->slot_size, SR_SLOT_SIZE_MIN, SR_SLOT_SIZE_MAX) || !ms_ok(h->stuck_ms) ||
        !ms_ok(h->heartbeat_ms))
        return SR_ERR_BAD_SIZE;
    uint64_t want = SR_HEADER_SIZE + (uint64_t)h->slot_count * h->slot_size;
    if (want > SR_FILE_SIZE_MAX || h->file_size != want || st_size != want)
        return SR_ERR_BAD_SIZE;
    return 0;
}

int sr_open(const char *path, sr_ring **out) {
    if (!path || !out) return SR_ERR_INVALID_ARGUMENT;
    *out = NULL;
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return SR_ERR_NOT_FOUND;
        /* ELOOP: a symbolic link; EISDIR: not a file (SR-8-b). */
        if (errno == ELOOP || errno == EACCES || errno == EISDIR) return SR_ERR_BAD_PERMISSIONS;
        return SR_ERR_SYSTEM;
    }
    struct stat st;
    int rc = 0;
    union {
        struct sr_hdr h;
        unsigned char raw[SR_HEADER_SIZE];
    } hb;
    if (fstat(fd, &st) != 0) {
        rc = SR_ERR_SYSTEM;
    } else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
               (st.st_mode & 07777) != 0600) {
        rc = SR_ERR_BAD_PERMISSIONS;
    } else if (st.st_size < (off_t)SR_HEADER_SIZE) {
        rc = st.st_size >= (off_t)SR_MAGIC_LEN ? SR_ERR_BAD_SIZE : SR_ERR_BAD_MAGIC;
        if (rc == SR_ERR_BAD_SIZE) {
            char m[SR_MAGIC_LEN];
            if (pread(fd, m, sizeof m, 0) != (ssize_t)sizeof m ||
                memcmp(m, SR_MAGIC, SR_MAGIC_LEN) != 0)
                rc = SR_ERR_BAD_MAGIC;
        }
    } else {
        rc = pread(fd, hb.raw, sizeof hb.raw, 0) != (ssize_t)sizeof hb.raw
                 ? SR_ERR_SYSTEM
                 : header_check(&hb.h, (uint64_t)st.st_size);
    }
    if (rc) {
        close(fd);
        return rc;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return SR_ERR_SYSTEM;
    /* The mapping is what counts from here: check it once more (a file
     * changed between the read and the map gets the same codes). */
    rc = header_check((const struct sr_hdr *)(void *)base, size);
    if (rc) {
        munmap(base, size);
        return rc;
    }
    atomic_thread_fence(memory_order_acquire);
    sr_ring *r = ring_new(base, size);
    if (!r) {
        munmap(base, size);
        return SR_ERR_NO_MEMORY;
    }
    *out = r;
    return 0;
}

void sr_close(sr_ring *r) {
    if (!r) return;
    munmap(r->base, r->size);
    free(r);
}

int sr_unlink(const char *path) {
    if (!path) return SR_ERR_INVALID_ARGUMENT;
    if (unlink(path) != 0) return errno == ENOENT ? SR_ERR_NOT_FOUND : SR_ERR_SYSTEM;
    return 0;
}

size_t sr_line_max(const sr_ring *r) { return r ? r->slot_size - SR_SLOT_HEADER : 0; }

int sr_errno(const sr_ring *r) { return r ? atomic_load(&r->err) : 0; }

/* A reader whose heartbeat is older than heartbeat_ms is dead (SR-6-c): its
 * entry is freed, unless it changed owner or beat meanwhile. */
static bool reap_if_expired(const sr_ring *r, struct sr_rd_entry *e, uint64_t owner,
                            uint64_t now) {
    uint64_t hb = atomic_load_explicit(&e->heartbeat, memory_order_acquire);
    if (hb > now || now - hb <= r->heartbeat_ms) return false;
    /* Only the owner word: a free entry's cursor is ignored anyway, and a
     * cursor store here could land on a reader that took the entry since. */
    uint64_t expect = owner;
    atomic_compare_exchange_strong_explicit(&e->owner, &expect, 0, memory_order_acq_rel,
                                            memory_order_relaxed);
    return true;
}

/* The slowest live reader's cursor, or `wc` when there is none (SR-4-d). */
static uint64_t slowest_reader(const sr_ring *r, uint64_t wc) {
    uint64_t now = mono_ms(), m = wc;
    for (unsigned i = 0; i < SR_READERS; i++) {
        struct sr_rd_entry *e = &r->h->readers[i];
        uint64_t owner = atomic_load_explicit(&e->owner, memory_order_acquire);
        if (owner == 0 || reap_if_expired(r, e, owner, now)) continue;
        uint64_t c = atomic_load_explicit(&e->cursor, memory_order_acquire);
        if (c != SR_CURSOR_NONE && c < m) m = c;
    }
    return m;
}

int sr_write(sr_ring *r, const void *line, size_t len, uint64_t *seq_out) {
    if (!r || (!line && len)) return SR_ERR_INVALID_ARGUMENT;
    if (len > sr_line_max(r)) return SR_ERR_TOO_LONG;
    if (len == 0 || memchr(line, '\n', len)) return SR_ERR_BAD_LINE;
    struct sr_hdr *h = r->h;
    /* Claim (SR-4-a): a CAS on the writer cursor, only while the slot it
     * names has been read by every live reader (SR-4-d). */
    uint64_t wc = atomic_load_explicit(&h->write_cursor, memory_order_relaxed);
    for (;;) {
        /* Acquire/release on the cache too: a thread trusting another's
         * minimum must also see the reads behind those readers' cursors. */
        uint64_t m = atomic_load_explicit(&r->min_cache, memory_order_acquire);
        if (m > wc || wc - m >= r->count) {
            m = slowest_reader(r, wc);
            atomic_store_explicit(&r->min_cache, m, memory_order_release);
            if (wc - m >= r->count) return SR_ERR_BACKPRESSURE;
        }
        if (atomic_compare_exchange_weak_explicit(&h->write_cursor, &wc, wc + 1,
                                                  memory_order_acq_rel, memory_order_relaxed))
            break;
    }
    uint64_t seq = wc;
    if (seq_out) *seq_out = seq;
    struct sr_slot *s = slot_at(r, seq);
    /* Mark the slot ours (SR-4-b) unless readers already skipped this
     * sequence number as stuck (SR-6-b): the state word only grows. */
    const uint64_t claimed = seq << 2 | SR_PHASE_CLAIMED;
    uint64_t w = atomic_load_explicit(&s->state, memory_order_relaxed);
    do {
        if (w >= claimed) return SR_ERR_ABANDONED;
    } while (!atomic_compare_exchange_weak_explicit(&s->state, &w, claimed,
                                                    memory_order_acquire,
                                                    memory_order_relaxed));
    if (sr_test_after_claim) sr_test_after_claim(seq);
    s->length = (uint32_t)len;
    memcpy(s->data, line, len);
    /* Publish (SR-4-c): the bytes before the word, by release. */
    uint64_t expect = claimed;
    if (!atomic_compare_exchange_strong_explicit(&s->state, &expect,
                                                 seq << 2 | SR_PHASE_READY,
                                                 memory_order_release, memory_order_relaxed))
        return SR_ERR_ABANDONED;
    return 0;
}

static void advance(sr_reader *rd, uint64_t to, uint64_t lost, bool delivered);

static uint64_t new_token(void) {
    static _Atomic uint32_t gen;
    uint32_t g = atomic_fetch_add(&gen, 1u) + 1u;
    return (uint64_t)(uint32_t)getpid() | (uint64_t)g << 32;
}

/* Takes a free entry for `rd` with cursor `cursor` (SR-7-a). */
static int attach(sr_reader *rd, uint64_t cursor, bool at_writer) {
    sr_ring *r = rd->r;
    uint64_t now = mono_ms();
    for (unsigned i = 0; i < SR_READERS; i++) {
        struct sr_rd_entry *e = &r->h->readers[i];
        uint64_t owner = atomic_load_explicit(&e->owner, memory_order_acquire);
        if (owner != 0 && !reap_if_expired(r, e, owner, now)) continue;
        /* The heartbeat before the owner, so no writer reaps us at once. */
        atomic_store_explicit(&e->heartbeat, now, memory_order_release);
        uint64_t expect = 0;
        if (!atomic_compare_exchange_strong_explicit(&e->owner, &expect, rd->token,
                                                     memory_order_acq_rel,
                                                     memory_order_relaxed))
            continue;
        if (at_writer)
            cursor = atomic_load_explicit(&r->h->write_cursor, memory_order_acquire);
        atomic_store_explicit(&e->cursor, cursor, memory_order_release);
        atomic_store_explicit(&e->lost, 0, memory_order_relaxed);
        atomic_store_explicit(&e->delivered, 0, memory_order_relaxed);
        /* Writers may have cached a higher minimum: this one counts now. */
        atomic_store_explicit(&r->min_cache, 0, memory_order_relaxed);
        rd->e = e;
        rd->cursor = cursor;
        return 0;
    }
    return SR_ERR_NO_READER_SLOT;
}

int sr_reader_open(sr_ring *r, sr_reader **out) {
    if (!r || !out) return SR_ERR_INVALID_ARGUMENT;
    *out = NULL;
    sr_reader *rd = calloc(1, sizeof *rd);
    if (!rd) return SR_ERR_NO_MEMORY;
    rd->r = r;
    rd->token = new_token();
    int rc = attach(rd, 0, true);
    if (rc) {
        free(rd);
        return rc;
    }
    *out = rd;
    return 0;
}

void sr_reader_close(sr_reader *rd) {
    if (!rd) return;
    if (rd->e) {
        uint64_t expect = rd->token;
        atomic_store_explicit(&rd->e->cursor, SR_CURSOR_NONE, memory_order_release);
        atomic_compare_exchange_strong_explicit(&rd->e->owner, &expect, 0,
                                                memory_order_acq_rel, memory_order_relaxed);
    }
    free(rd);
}

void sr_reader_heartbeat(sr_reader *rd) {
    if (rd && rd->e) atomic_store_explicit(&rd->e->heartbeat, mono_ms(), memory_order_release);
}

int sr_reader_seek(sr_reader *rd, uint64_t seq) {
    if (!rd) return SR_ERR_INVALID_ARGUMENT;
    uint64_t wc = atomic_load_explicit(&rd->r->h->write_cursor, memory_order_acquire);
    if (seq > wc) return SR_ERR_INVALID_ARGUMENT;
    if (!rd->e) { /* lost its entry and found no free one: the next read retries */
        rd->cursor = seq;
        return 0;
    }
    advance(rd, seq, 0, false);
    return 0;
}

uint64_t sr_oldest(const sr_ring *r) {
    if (!r) return 0;
    uint64_t wc = atomic_load_explicit(&r->h->write_cursor, memory_order_acquire);
    return wc >= r->count ? wc - r->count : 0;
}

uint64_t sr_reader_cursor(const sr_reader *rd) { return rd ? rd->cursor : 0; }

static void advance(sr_reader *rd, uint64_t to, uint64_t lost, bool delivered) {
    rd->cursor = to;
    rd->stuck_valid = false;
    if (lost) atomic_fetch_add_explicit(&rd->e->lost, lost, memory_order_relaxed);
    if (delivered) atomic_fetch_add_explicit(&rd->e->delivered, 1, memory_order_relaxed);
    /* Release: the copy of the line is done before a writer may reuse it. */
    atomic_store_explicit(&rd->e->cursor, to, memory_order_release);
}

static int loss(sr_reader *rd, sr_record *rec, uint64_t to, int cause) {
    rec->seq = rd->cursor;
    rec->lost = to - rd->cursor;
    rec->cause = cause;
    advance(rd, to, rec->lost, false);
    return SR_READ_LOSS;
}

int sr_read(sr_reader *rd, void *buf, size_t cap, sr_record *rec) {
    if (!rd || !buf || !rec) return SR_ERR_INVALID_ARGUMENT;
    sr_ring *r = rd->r;
    if (cap < sr_line_max(r)) return SR_ERR_NO_SPACE;
    memset(rec, 0, sizeof *rec);
    uint64_t now = mono_ms();
    /* Reaped meanwhile (SR-6-c): take an entry again, from where we were
     * (also after a failed attempt, when rd->e is NULL). */
    if (!rd->e || atomic_load_explicit(&rd->e->owner, memory_order_acquire) != rd->token) {
        rd->e = NULL;
        int rc = attach(rd, rd->cursor, false);
        if (rc) return rc;
    }
    atomic_store_explicit(&rd->e->heartbeat, now, memory_order_release);
    for (;;) {
        const uint64_t c = rd->cursor;
        struct sr_slot *s = slot_at(r, c);
        uint64_t w = atomic_load_explicit(&s->state, memory_order_acquire);
        uint64_t ws = w >> 2;
        unsigned ph = (unsigned)(w & 3u);
        if (ws > c) {
            /* Lapped (SR-6-d): the oldest sequence still in the ring is
             * write_cursor - slot_count; everything before it is lost. */
            uint64_t wc = atomic_load_explicit(&r->h->write_cursor, memory_order_acquire);
            uint64_t to = wc >= r->count ? wc - r->count : 0;
            if (to <= c) to = c + 1;
            return loss(rd, rec, to, SR_LOSS_LAPPED);
        }
        if (ws == c && ph == SR_PHASE_READY) {
            uint32_t len = s->length;
            if (len > sr_line_max(r)) len = 0; /* only a lapping writer; rechecked below */
            memcpy(buf, s->data, len);
            /* Still the same publish after the copy? Otherwise it was
             * overwritten under us and the next turn reports the lap. */
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&s->state, memory_order_relaxed) != w) continue;
            rec->seq = c;
            rec->len = len;
            advance(rd, c + 1, 0, true);
            return SR_READ_LINE;
        }
        if (ws == c && ph == SR_PHASE_SKIPPED) return loss(rd, rec, c + 1, SR_LOSS_STUCK);
        /* Not published yet. Nothing claimed: empty. Claimed: wait at most
         * stuck_ms from our first sight of it, then skip it (SR-6-b). */
        uint64_t wc = atomic_load_explicit(&r->h->write_cursor, memory_order_acquire);
        if (wc <= c) {
            rd->stuck_valid = false;
            return SR_READ_EMPTY;
        }
        if (!rd->stuck_valid || rd->stuck_seq != c) {
            rd->stuck_valid = true;
            rd->stuck_seq = c;
            rd->stuck_since = now;
            return SR_READ_EMPTY;
        }
        if (now - rd->stuck_since <= r->stuck_ms) return SR_READ_EMPTY;
        if (atomic_compare_exchange_strong_explicit(&s->state, &w, c << 2 | SR_PHASE_SKIPPED,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire))
            return loss(rd, rec, c + 1, SR_LOSS_STUCK);
        /* The word changed under us: published, skipped by another reader,
         * or lapped. Look again. */
    }
}

int sr_stat_get(const sr_ring *r, sr_stat *st) {
    if (!r || !st) return SR_ERR_INVALID_ARGUMENT;
    memset(st, 0, sizeof *st);
    const struct sr_hdr *h = r->h;
    st->params.slot_count = h->slot_count;
    st->params.slot_size = h->slot_size;
    st->params.stuck_ms = h->stuck_ms;
    st->params.heartbeat_ms = h->heartbeat_ms;
    st->created_ns = h->created_ns;
    st->creator_pid = h->creator_pid;
    st->write_cursor = atomic_load_explicit(&r->h->write_cursor, memory_order_acquire);
    for (unsigned i = 0; i < SR_READERS; i++) {
        struct sr_rd_entry *e = &r->h->readers[i];
        st->reader[i].owner = atomic_load_explicit(&e->owner, memory_order_acquire);
        st->reader[i].cursor = atomic_load_explicit(&e->cursor, memory_order_acquire);
        st->reader[i].heartbeat_ms = atomic_load_explicit(&e->heartbeat, memory_order_relaxed);
        st->reader[i].lost = atomic_load_explicit(&e->lost, memory_order_relaxed);
        st->reader[i].delivered = atomic_load_explicit(&e->delivered, memory_order_relaxed);
        if (st->reader[i].owner) st->readers++;
    }
    return 0;
}
