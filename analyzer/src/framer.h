/*
 * TamTam framing of one reassembled byte stream (one TCP direction), on top
 * of libtamtam's tt_stream: frame alignment, resynchronisation, the
 * heuristic and CRC variant detection.
 *
 * A direction is in one of four modes:
 *   SYNCED  frame boundaries known: bytes go through tt_stream, zero-copy
 *   HUNT    boundaries unknown (capture started mid-connection, or a gap cut
 *           the stream): bytes are held and scanned for an offset where a run
 *           of frames with valid CRCs begins (CF-12.3-a forbids a receiver to
 *           search byte by byte; an analyzer that lost alignment has no
 *           other way back). Decoding restarts there, via tt_stream_reset.
 *   PROBE   like HUNT, but the connection is not yet known to be TamTam
 *           (--heuristic on a port not in --port): nothing is reported until
 *           a run is found, and the direction gives up after a bounded scan.
 *   IGNORED a probe gave up; bytes are dropped.
 * With --crc auto a direction also holds its first bytes until the variant
 * its sender uses is known.
 *
 * A run is "evidence" only with frames that are not all-zero: under
 * CRC-8/SMBUS six zero bytes are a valid frame (CF-12.1-c), so zero runs
 * never establish alignment or recognise TamTam; after a realignment the
 * first frame reported is always a non-zero one.
 */
#ifndef AN_FRAMER_H
#define AN_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tamtam/tamtam.h"

#define AN_CRC_AUTO (-1)

/* Largest hold of a direction: a run of frames (run x 8200 bytes, plus zero
 * frames) and one segment after it always fit, so a decision is reached
 * before this. */
#define AN_FRAMER_HOLD_MAX ((size_t)256 * 1024)

/* Shared by every direction; the one mutable member is the spare receiver
 * that directions without a pending frame borrow. */
typedef struct an_framer_cfg {
    int crc;             /* a tt_crc, or AN_CRC_AUTO */
    unsigned run;        /* evidence frames needed to align / recognise */
    size_t probe_limit;  /* bytes a probe scans before giving up */
    uint64_t *mem_used;  /* shared allocation counter, or NULL */
    tt_stream *spare;    /* NULL at start; freed by an_framer_cfg_free */
} an_framer_cfg;

/* Frees the spare receiver of `cfg`. */
void an_framer_cfg_free(an_framer_cfg *cfg);

typedef struct an_framer_ops {
    /* One frame: status 0 (valid) or a tt_error; `f` holds every field the
     * bytes supplied (views valid during the call); `len` is the number of
     * stream bytes the frame occupies. */
    void (*frame)(void *ctx, int status, uint64_t off, const tt_frame *f,
                  size_t len);
    /* Decoding (re)starts at `off` after `skipped` bytes that were not
     * frames (midstream pickup, after a gap, or a probe that succeeded). */
    void (*resync)(void *ctx, uint64_t off, uint64_t skipped);
    /* `n` bytes from `off` were dropped without finding frame alignment. */
    void (*unsynced)(void *ctx, uint64_t off, uint64_t n);
    /* --crc auto settled: a tt_crc, or AN_CRC_AUTO when no variant fits. */
    void (*crc_detected)(void *ctx, int crc);
    /* PROBE ended: the stream is (true) or is not (false) TamTam. */
    void (*verdict)(void *ctx, bool tamtam);
} an_framer_ops;

typedef enum an_framer_mode {
    AN_FRAMER_SYNCED,
    AN_FRAMER_HUNT,
    AN_FRAMER_PROBE,
    AN_FRAMER_IGNORED,
} an_framer_mode;

typedef struct an_framer {
    an_framer_cfg *cfg;
    const an_framer_ops *ops;
    void *ctx;
    an_framer_mode mode;
    int crc;            /* the variant in use, or AN_CRC_AUTO while unknown */
    bool started;       /* a byte (or a gap) has arrived */
    bool start_aligned; /* set by the caller: offset 0 is a frame boundary */
    bool aligned;       /* hold[0] is a frame boundary */
    tt_stream *st;      /* only while a frame is pending (else shared) */
    uint64_t off;       /* SYNCED without st: offset of the next frame */
    uint8_t *hold;      /* HUNT / PROBE / CRC detection: bytes held */
    size_t hold_len, hold_cap;
    uint64_t hold_off;  /* stream offset of hold[0] */
    uint64_t skipped;   /* bytes dropped since alignment was lost */
    uint64_t probed;    /* PROBE: bytes scanned so far */
} an_framer;

/* Sets up a direction: PROBE when `probe`, else waiting for its first byte
 * (SYNCED when start_aligned is set by then, HUNT otherwise). `cfg` and
 * `ops` must outlive `f`. */
void an_framer_init(an_framer *f, an_framer_cfg *cfg,
                    const an_framer_ops *ops, void *ctx, bool probe);

/* Releases the buffers of `f`; pending bytes are dropped unreported. */
void an_framer_free(an_framer *f);

/* `n` stream bytes at offset `off` (which continues the previous call). */
void an_framer_data(an_framer *f, uint64_t off, const uint8_t *p, size_t n);

/* `n` bytes at `off` are lost: a pending frame is reported (truncated),
 * held bytes get a last chance to align, then alignment is lost. */
void an_framer_gap(an_framer *f, uint64_t off, uint64_t n);

/* End of the stream: as a gap, with nothing after it. */
void an_framer_end(an_framer *f);

/* The other direction of the connection proved it TamTam: a PROBE or
 * IGNORED direction continues as a known TamTam stream. */
void an_framer_confirm(an_framer *f);

/* The lowest stream offset whose bytes may still be reported in a frame
 * (UINT64_MAX when IGNORED); earlier bytes are done with. */
uint64_t an_framer_needed_from(const an_framer *f);

/* Looks for a run of frames in `buf` (len bytes) starting at `at`, under
 * `crc` (a tt_crc). With `aligned`, `at` is a known frame boundary and
 * all-zero frames may open the run; otherwise the run must open with a
 * non-zero frame. With `final`, no more bytes will come. Returns 1 when
 * `run` non-zero valid frames follow (or, final, the bytes end in a shorter
 * valid run as described in the README), 0 when more bytes are needed to
 * tell, -1 when not. Exposed for the unit tests. */
int an_framer_chain(const uint8_t *buf, size_t len, size_t at, tt_crc crc,
                    unsigned run, bool aligned, bool final);

#endif
