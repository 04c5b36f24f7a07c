/*
 * libsplinter-ring: the Splinter shared-memory ring (spec/splinter-ring.md,
 * requirement IDs SR-...). A file (tmpfs, /dev/shm by default) mapped by every
 * party: a 4096-byte header (parameters, the writer cursor, a fixed table of
 * reader cursors) and a power-of-two number of slots, each holding one line
 * (an envelope of spec/splinter-envelope.md, carried opaque).
 *
 * Many writers and many readers, threads or processes. The fast path takes no
 * lock: a writer claims a sequence number with a compare-and-swap on the
 * writer cursor and publishes with a store-release of the slot's state word;
 * a reader loads that word with acquire.
 *
 * Every call returns 0 or a count on success and a negative code of
 * SR_ERROR_MAP on failure; the library never prints and keeps no global error.
 */
#ifndef SPLINTER_RING_H
#define SPLINTER_RING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Layout (SR-2, SR-3): every offset, little-endian ---------------------- */
#define SR_MAGIC "SPLRING\0"    /* 8 bytes at offset 0 (SR-2-a) */
#define SR_MAGIC_LEN 8u
#define SR_LAYOUT_VERSION 1u    /* SR-2-b */
#define SR_HEADER_SIZE 4096u    /* slots start here (SR-2-a) */
#define SR_READERS 16u          /* entries of the reader table (SR-2-d) */

#define SR_OFF_MAGIC 0u
#define SR_OFF_VERSION 8u       /* u32 layout version */
#define SR_OFF_HEADER_SIZE 12u  /* u32, 4096 */
#define SR_OFF_SLOT_COUNT 16u   /* u32, power of two */
#define SR_OFF_SLOT_SIZE 20u    /* u32, power of two, bytes incl. slot header */
#define SR_OFF_READER_COUNT 24u /* u32, 16 */
#define SR_OFF_STUCK_MS 28u     /* u32, stuck-claim bound */
#define SR_OFF_HEARTBEAT_MS 32u /* u32, reader heartbeat expiry */
#define SR_OFF_FLAGS 36u        /* u32, 0 */
#define SR_OFF_CREATED_NS 40u   /* u64, CLOCK_REALTIME at creation */
#define SR_OFF_FILE_SIZE 48u    /* u64, 4096 + count * size */
#define SR_OFF_CREATOR_PID 56u  /* u32 */
#define SR_OFF_WRITE_CURSOR 64u /* u64, next sequence number to claim */
#define SR_OFF_READERS 128u     /* reader table, SR_READERS * 64 bytes */
#define SR_READER_SIZE 64u

/* Inside a reader entry. */
#define SR_RD_OFF_OWNER 0u      /* u64: 0 free, else pid | generation << 32 */
#define SR_RD_OFF_CURSOR 8u     /* u64: next sequence this reader reads */
#define SR_RD_OFF_HEARTBEAT 16u /* u64: CLOCK_MONOTONIC ms of last sign of life */
#define SR_RD_OFF_LOST 24u      /* u64: messages reported lost to this reader */
#define SR_RD_OFF_DELIVERED 32u /* u64: lines delivered to this reader */

/* Inside a slot. */
#define SR_SLOT_OFF_STATE 0u    /* u64: seq << 2 | phase */
#define SR_SLOT_OFF_LENGTH 8u   /* u32: bytes of the line */
#define SR_SLOT_OFF_DATA 16u
#define SR_SLOT_HEADER 16u

/* Phases of a slot state word (SR-3-a). */
#define SR_PHASE_EMPTY 0u
#define SR_PHASE_CLAIMED 1u
#define SR_PHASE_READY 2u
#define SR_PHASE_SKIPPED 3u

/* Limits of the creation parameters (SR-2-c). */
#define SR_SLOT_COUNT_MIN 2u
#define SR_SLOT_COUNT_MAX 16777216u
#define SR_SLOT_SIZE_MIN 64u
#define SR_SLOT_SIZE_MAX 2097152u
#define SR_FILE_SIZE_MAX (1ull << 30)
#define SR_STUCK_MS_DEFAULT 1000u
#define SR_HEARTBEAT_MS_DEFAULT 3000u
#define SR_MS_MIN 10u
#define SR_MS_MAX 600000u

/* The Splinter fault a writer answers for a full ring (SP_FAULT_BACKPRESSURE
 * of splinter.h; a test keeps them equal). */
#define SR_FAULT_BACKPRESSURE 4100

/* ---- Errors -----------------------------------------------------------------
 * X(ID, value, name, description). BACKPRESSURE is -4100 so that its absolute
 * value is the Splinter fault the writer reports (SR-4-d).
 */
#define SR_ERROR_MAP(X)                                                        \
    X(INVALID_ARGUMENT, -1, "invalid_argument",                                \
      "an argument is NULL, out of range or of the wrong shape")               \
    X(NO_MEMORY, -2, "no_memory", "an allocation failed")                      \
    X(SYSTEM, -3, "system", "a system call failed (errno is kept in the handle)") \
    X(EXISTS, -4, "exists", "the ring file already exists")                    \
    X(NOT_FOUND, -5, "not_found", "no ring file at that path")                 \
    X(BAD_MAGIC, -6, "bad_magic", "the file does not start with the ring magic") \
    X(BAD_VERSION, -7, "bad_version", "the layout version is not 1")           \
    X(BAD_SIZE, -8, "bad_size",                                                \
      "the file size or a header parameter is out of range or inconsistent")   \
    X(BAD_PERMISSIONS, -9, "bad_permissions",                                  \
      "the file is not a regular file of ours with mode 0600")                 \
    X(TOO_LONG, -10, "too_long",                                               \
      "the line does not fit one slot: stream it in seq/eof chunks")           \
    X(BAD_LINE, -11, "bad_line", "the line is empty or holds a line feed")     \
    X(NO_READER_SLOT, -12, "no_reader_slot", "all 16 reader entries are taken") \
    X(ABANDONED, -13, "abandoned",                                             \
      "the claim outlived the stuck bound and readers skipped it")             \
    X(NO_SPACE, -14, "no_space", "the output buffer is smaller than a slot's line") \
    X(BACKPRESSURE, -4100, "backpressure",                                     \
      "the slowest live reader is a whole ring behind: fault 4100, retry later")

typedef enum sr_error {
#define SR__ERROR_ENUM(id, value, name, desc) SR_ERR_##id = (value),
    SR_ERROR_MAP(SR__ERROR_ENUM)
#undef SR__ERROR_ENUM
} sr_error;

/* Returns the snake_case name of error `err`, or NULL if unknown. */
const char *sr_error_name(int err);
/* Returns the one-line description of error `err`, or NULL if unknown. */
const char *sr_error_desc(int err);

/* Creation parameters (SR-2-c). Zero members take the defaults. */
typedef struct sr_params {
    uint32_t slot_count;   /* power of two, 2..2^24; default 1024 */
    uint32_t slot_size;    /* power of two, 64..2 MiB; default 512 */
    uint32_t stuck_ms;     /* 10..600000; default 1000 (SR-6-a) */
    uint32_t heartbeat_ms; /* 10..600000; default 3000 (SR-6-c) */
} sr_params;

typedef struct sr_ring sr_ring;     /* a mapping of a ring file */
typedef struct sr_reader sr_reader; /* one entry of the reader table */

/* What sr_read found (SR-7). */
enum sr_read_kind { SR_READ_EMPTY = 0, SR_READ_LINE = 1, SR_READ_LOSS = 2 };
enum sr_loss_cause { SR_LOSS_STUCK = 1, SR_LOSS_LAPPED = 2 };

typedef struct sr_record {
    uint64_t seq;  /* the line's sequence number, or the first one lost */
    uint64_t lost; /* SR_READ_LOSS: how many sequence numbers were lost */
    size_t len;    /* SR_READ_LINE: bytes copied into the buffer */
    int cause;     /* SR_READ_LOSS: enum sr_loss_cause */
} sr_record;

/* A snapshot of a ring for stat tools (never changes the ring). */
typedef struct sr_stat {
    sr_params params;
    uint64_t write_cursor;
    uint64_t created_ns;
    uint32_t creator_pid;
    unsigned readers; /* live entries (owner != 0) */
    struct {
        uint64_t owner, cursor, heartbeat_ms, lost, delivered;
    } reader[SR_READERS];
} sr_stat;

/* Creates the ring file at `path` (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600,
 * SR-8-a), sizes and initialises it, and maps it into *out. `p` may be NULL
 * for the defaults. Fails with EXISTS if the path exists, INVALID_ARGUMENT
 * for out-of-range parameters, SYSTEM otherwise (the file is removed again).
 * Close with sr_close. */
int sr_create(const char *path, const sr_params *p, sr_ring **out);

/* Opens and maps an existing ring, checking owner, mode 0600, regular file,
 * magic, layout version, parameters and size (SR-8-b) before trusting any of
 * it: a file that fails a check gets its code and is never mapped. */
int sr_open(const char *path, sr_ring **out);

/* Unmaps and frees `r` (NULL is fine). Readers of `r` must be closed first. */
void sr_close(sr_ring *r);

/* Removes the ring file at `path` (mappings stay valid until closed). */
int sr_unlink(const char *path);

/* The largest line one slot carries: slot_size - 16. */
size_t sr_line_max(const sr_ring *r);

/* The errno of the last SYSTEM error on `r` (0 if none). */
int sr_errno(const sr_ring *r);

/* Writes one line (no terminator, 1..sr_line_max bytes, no LF; SR-5) and
 * returns 0, or BACKPRESSURE when the slowest live reader is a whole ring
 * behind (SR-4-d; nothing was claimed, retry later), TOO_LONG / BAD_LINE for a
 * line that cannot be carried, ABANDONED when readers skipped this writer's
 * claim because it outlived the stuck bound (SR-6-b; the line is lost and was
 * reported lost to readers). Thread-safe; `*seq_out` (may be NULL) gets the
 * sequence number claimed. */
int sr_write(sr_ring *r, const void *line, size_t len, uint64_t *seq_out);

/* Takes a free reader entry (SR-7-a) starting at the current writer cursor
 * (messages written before it are not its), reaping expired entries first.
 * NO_READER_SLOT when all 16 are live. One thread per reader. */
int sr_reader_open(sr_ring *r, sr_reader **out);

/* Moves the reader to sequence `seq` (at most the writer cursor). A seq
 * older than the ring holds is reported lost as a lap by the next read. */
int sr_reader_seek(sr_reader *rd, uint64_t seq);

/* The oldest sequence number the ring may still hold:
 * write_cursor - slot_count, or 0. */
uint64_t sr_oldest(const sr_ring *r);

/* Frees the reader's entry and the handle (NULL is fine). */
void sr_reader_close(sr_reader *rd);

/* Reads the next record without blocking (SR-7): SR_READ_LINE with the line
 * copied into buf (cap must be at least sr_line_max, else NO_SPACE),
 * SR_READ_LOSS with the lost count and cause, or SR_READ_EMPTY. Refreshes the
 * heartbeat; a reader whose entry was reaped takes a new one and goes on from
 * where it was (then usually reports a lap). Never returns a half-written or
 * overwritten line. */
int sr_read(sr_reader *rd, void *buf, size_t cap, sr_record *rec);

/* Refreshes the heartbeat alone (a reader busy elsewhere). */
void sr_reader_heartbeat(sr_reader *rd);

/* The next sequence number the reader reads. */
uint64_t sr_reader_cursor(const sr_reader *rd);

/* Fills *st from the mapping without changing it. */
int sr_stat_get(const sr_ring *r, sr_stat *st);

/* Test hook (tests only): called by sr_write between the claim and the
 * publish, with the claimed sequence number. NULL by default. */
extern void (*sr_test_after_claim)(uint64_t seq);

#ifdef __cplusplus
}
#endif
#endif
