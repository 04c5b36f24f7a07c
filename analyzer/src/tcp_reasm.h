/*
 * TCP reassembly of one direction of a connection: segments in, the byte
 * stream out, in order, each byte once, with every byte that was not seen
 * reported as a gap of known size. Knows nothing about TamTam.
 *
 * Sequence numbers are unwrapped to 64-bit stream offsets (offset 0 is the
 * byte after the SYN, or the first byte seen when the capture starts in the
 * middle of a connection). Out-of-order data waits in a sorted list bounded
 * in bytes and segments; the first copy of a byte wins, and a later copy that
 * differs is a conflict (compared against the buffered data, or against the
 * most recent delivered bytes kept in a small history ring). A hole is never
 * zero-filled: it is declared lost when the peer's ACK passes it, when the
 * buffer cap is hit, or on flush (RST, end of capture, eviction). Bytes that
 * the capture's snaplen cut off are a gap at once.
 */
#ifndef AN_TCP_REASM_H
#define AN_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why bytes were declared lost. X(ID, name) */
#define AN_GAP_MAP(X)                                                          \
    X(ACK, "ack")         /* the peer acknowledged bytes the capture lacks */ \
    X(SNAPLEN, "snaplen") /* cut off by the capture's snap length */          \
    X(CAP, "cap")         /* out-of-order buffer full: oldest hole given up */ \
    X(RST, "rst")         /* connection reset with holes outstanding */        \
    X(EOF, "eof")         /* end of the capture with holes outstanding */      \
    X(EVICTED, "evicted") /* flow evicted (flow or memory cap) */              \
    X(RESTART, "restart") /* a new connection replaced this one */

typedef enum an_gap_reason {
#define AN__GAP_ENUM(id, name) AN_GAP_##id,
    AN_GAP_MAP(AN__GAP_ENUM)
#undef AN__GAP_ENUM
    AN_GAP_COUNT
} an_gap_reason;

/* Returns the name of a gap reason ("ack"), or "?" when unknown. */
const char *an_gap_reason_name(an_gap_reason why);

/* Where the reassembled stream goes. Called synchronously from the calls
 * below; offsets are stream offsets. */
typedef struct an_reasm_ops {
    /* n > 0 in-order bytes at offset off (views valid during the call). */
    void (*data)(void *ctx, uint64_t off, const uint8_t *p, size_t n);
    /* n > 0 bytes at offset off are lost. */
    void (*gap)(void *ctx, uint64_t off, uint64_t n, an_gap_reason why);
    /* A segment carried n bytes, from offset off, that differ from the copy
     * seen first (which is the one delivered). */
    void (*conflict)(void *ctx, uint64_t off, uint64_t n);
} an_reasm_ops;

typedef struct an_reasm_limits {
    size_t max_bytes;   /* out-of-order bytes (data + bookkeeping) */
    uint32_t max_segs;  /* out-of-order segments */
    size_t history;     /* delivered bytes kept for comparison (power of 2) */
    uint64_t *mem_used; /* shared counter of all bytes allocated, or NULL */
} an_reasm_limits;

typedef struct an_reasm_seg an_reasm_seg;

typedef struct an_reasm {
    const an_reasm_ops *ops;
    void *ctx;
    const an_reasm_limits *lim;
    uint32_t base;    /* sequence number of stream offset 0 */
    uint32_t isn;     /* the SYN's sequence number, when syn_seen */
    bool started;     /* base is known */
    bool syn_seen;    /* started from a SYN (offset 0 is a stream start) */
    bool fin_seen;
    bool closed;      /* every byte up to the FIN delivered */
    uint64_t next;    /* offset of the next byte to deliver */
    uint64_t high;    /* one past the highest offset known to exist */
    uint64_t fin_off; /* offset of the FIN, when fin_seen */
    an_reasm_seg *head, *tail; /* out-of-order data, sorted, disjoint */
    size_t ooo_bytes;
    uint32_t ooo_segs;
    uint8_t *hist;    /* ring of the last delivered bytes, ending at next */
    size_t hist_cap, hist_len;

    /* Counters (read by the caller). */
    uint64_t data_segs;      /* segments carrying payload */
    uint64_t retrans_segs;   /* segments whose every byte was seen before */
    uint64_t retrans_bytes;
    uint64_t overlap_segs;   /* segments partly new, partly seen before */
    uint64_t conflict_segs;  /* segments with bytes differing from the first copy */
    uint64_t conflict_bytes;
    uint64_t gaps, gap_bytes;
    uint64_t before_start;   /* bytes before offset 0 (midstream pickup) */
    uint64_t after_fin;      /* bytes beyond the FIN */
} an_reasm;

typedef enum an_reasm_result {
    AN_REASM_OK = 0,
    AN_REASM_NEW_FLOW = 1, /* a SYN with another ISN, or a jump of over 1 GiB:
                              nothing was consumed; start a new connection */
} an_reasm_result;

/* Sets up an empty direction. `lim` and `ops` must outlive `r`. */
void an_reasm_init(an_reasm *r, const an_reasm_limits *lim,
                   const an_reasm_ops *ops, void *ctx);

/* Releases every buffer held by `r` (nothing is delivered). */
void an_reasm_free(an_reasm *r);

/* Feeds one segment: sequence number, TCP flags (AN_TCP_*), payload of
 * `len` bytes per the IP header of which the first `cap` were captured.
 * Zero-length segments only anchor a SYN or a FIN; they are never counted
 * as duplicates. Returns AN_REASM_OK, or AN_REASM_NEW_FLOW (see above). */
an_reasm_result an_reasm_segment(an_reasm *r, uint32_t seq, uint8_t flags,
                                 const uint8_t *data, uint32_t len,
                                 uint32_t cap);

/* The peer acknowledged everything before sequence number `ack`: holes
 * below it are declared lost (AN_GAP_ACK) and what follows is delivered. */
void an_reasm_ack(an_reasm *r, uint32_t ack);

/* Declares every hole up to the highest offset known lost with reason `why`
 * and delivers all buffered data. */
void an_reasm_flush(an_reasm *r, an_gap_reason why);

/* The stream offset where the payload of a segment with sequence number
 * `seq` and flags `flags` starts (past the SYN's own sequence number); 0
 * while the stream is not anchored yet (the segment would anchor it). */
int64_t an_reasm_offset(const an_reasm *r, uint32_t seq, uint8_t flags);

#endif
