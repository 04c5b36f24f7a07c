/*
 * What the analyzer's fuzz targets hold every run to, shared by both:
 * an output reader that takes the session's output buffer as it flushes
 * (so memory stays bounded however much is printed) and checks each line,
 * the closing checks of the counts, and the memory checks. A violated
 * invariant aborts with a message on stderr.
 */
#ifndef FZ_INVARIANTS_H
#define FZ_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* Longest output line accepted: the longest the report writes is a frame
 * line with 8 KiB of payload in hex (about 17 KiB). */
#define FZ_LINE_MAX ((size_t)64 * 1024)

/* JSON line types the report writes, X(ID, name). */
#define FZ_TYPE_MAP(X)                                                         \
    X(FRAME, "frame")                                                          \
    X(GAP, "gap")                                                              \
    X(RESYNC, "resync")                                                        \
    X(UNSYNCED, "unsynced")                                                    \
    X(CONFLICT, "conflict")                                                    \
    X(TRAILING, "trailing")                                                    \
    X(CRC, "crc")                                                              \
    X(FLOW, "flow")                                                            \
    X(FRAGMENT, "fragment")                                                    \
    X(STATS, "stats")                                                          \
    X(SUMMARY, "summary")

typedef enum fz_type {
#define FZ__TYPE_ENUM(id, name) FZ_T_##id,
    FZ_TYPE_MAP(FZ__TYPE_ENUM)
#undef FZ__TYPE_ENUM
    FZ_T_COUNT
} fz_type;

/* Sums of the members of every flow line (all are parsed). */
typedef struct fz_flow_sums {
    uint64_t frames, status[AN_ST_COUNT], gaps, resyncs;
} fz_flow_sums;

/* Where the next frame or gap of a TCP flow may start, by "src>dst". */
#define FZ_FLOWS 256
typedef struct fz_stream_pos {
    char key[104]; /* "" when free */
    uint64_t next;
} fz_stream_pos;

typedef struct fz_output {
    bool json;
    size_t nlines[FZ_T_COUNT]; /* JSON lines by type */
    bool text_summary; /* a text line "summary: ..." was seen */
    fz_flow_sums flows;
    uint64_t summary[AN_ST_COUNT + 1]; /* frames, then the four statuses */
    uint64_t summary_flows, summary_gaps, summary_packets;
    fz_type last, before_last;
    fz_stream_pos pos[FZ_FLOWS];
    size_t carry_len;
    char carry[FZ_LINE_MAX];
} fz_output;

/* Points the session's output buffer at `o` (reset): every flush is read
 * and checked. `json` is whether the session writes --json. */
void fz_output_attach(fz_output *o, an_session *s, bool json);

/* Each JSON line is checked as it comes: a known type, and a sample parsed
 * with cJSON (every flow and closing line); the frame and gap lines of each
 * TCP flow in stream order, none starting before the end of the gap or
 * the start of the frame before (until the flow's line ends it). Text is
 * printable ASCII.
 * After an_session_end: the output ended with a whole line; in JSON mode
 * the last two lines are stats and summary, the summary's status counts
 * add up and equal the engine's totals, and so do the counts of frame,
 * gap, resync and flow lines and the sums of the flow lines (frame lines
 * only as an upper bound with --match). */
void fz_output_check(const fz_output *o, const an_session *s, bool matching);

/* Follows every TCP flow of a connection on a listed port (TamTam from its
 * first packet, never probed): when it ends, after the holes were declared
 * lost, each byte it delivered is in a reported frame or in its unsynced
 * count (bytes = frame bytes + unsynced_bytes). Wraps the session's frame
 * and flow_end callbacks; call after an_session_start. Flows ended after
 * -c stopped the reading are not checked (their frames are not reported). */
void fz_follow_flows(an_session *s, const an_engine_cfg *cfg);

/* An upper bound of the bytes one connection may hold under `cfg`, when
 * its packets captured at most `caplen` bytes: both directions' buffers at
 * their caps (-w's kept packets included), the held UDP datagrams, the
 * connection itself. */
uint64_t fz_conn_bound(const an_engine_cfg *cfg, uint32_t caplen);

/* The engine's accounting within its cap (beyond it only by what the
 * connection of the last packet may hold, which is never evicted). */
void fz_check_mem(const an_engine *e, const an_engine_cfg *cfg,
                  uint32_t caplen);

/* Whether fz_heap counts: true when built with ASan, whose allocator hooks
 * it installs at the first call; without, the checks that use it are left
 * out and only the engine's own accounting is checked. */
bool fz_heap_tracked(void);

/* Bytes this thread allocated and has not freed since the hooks were put
 * in place (an offset: only differences mean something). */
int64_t fz_heap(void);

/* Aborts with `what` when `cond` is false. */
#define FZ_CHECK(cond, what)                                                   \
    do {                                                                       \
        if (!(cond))                                                           \
            fz_fail(what, __FILE__, __LINE__);                                 \
    } while (0)

void fz_fail(const char *what, const char *file, int line)
    __attribute__((noreturn));

#endif
