/*
 * Output of the analyzer: one line per frame like tcpdump (default), a
 * field tree with offsets and hex dumps (-V), or pinned ndjson (--json);
 * with --stats only the flow lines and the summary, in either form. Every event of the engine has a form in each
 * mode; the JSON line types are listed in analyzer/README.md.
 */
#ifndef AN_REPORT_H
#define AN_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "outbuf.h"

typedef enum an_out_mode {
    AN_OUT_TEXT,
    AN_OUT_VERBOSE,
    AN_OUT_JSON,
} an_out_mode;

typedef struct an_report {
    an_outbuf *out;
    an_out_mode mode;
    bool summary_only; /* --stats: flow lines and the summary, no events */
    int crc;           /* configured variant, or AN_CRC_AUTO */
    uint64_t frame_no; /* frames printed so far (-V numbering) */
    uint64_t capture_dropped; /* live: packets the kernel dropped */
    /* The engine's decoders, for the summary's names (0: TamTam alone). */
    const an_decoder_use *decoders;
    unsigned ndecoders;
    const an_engine *eng; /* for the decoders' own totals; may be NULL */
} an_report;

void an_report_frame(an_report *r, const an_flow *fl, uint64_t ts_us,
                     int status, uint64_t off, const tt_frame *f, size_t len);
/* A record of a decoder other than TamTam (decoder.h). */
void an_report_record(an_report *r, const an_flow *fl, uint64_t ts_us,
                      const an_record *rec);
void an_report_gap(an_report *r, const an_flow *fl, uint64_t ts_us,
                   uint64_t off, uint64_t n, an_gap_reason why);
void an_report_resync(an_report *r, const an_flow *fl, uint64_t ts_us,
                      uint64_t off, uint64_t skipped);
void an_report_unsynced(an_report *r, const an_flow *fl, uint64_t ts_us,
                        uint64_t off, uint64_t n);
void an_report_conflict(an_report *r, const an_flow *fl, uint64_t ts_us,
                        uint64_t off, uint64_t n);
void an_report_trailing(an_report *r, const an_flow *fl, uint64_t ts_us,
                        uint64_t n);
void an_report_crc(an_report *r, const an_flow *fl, uint64_t ts_us, int crc);
void an_report_fragment(an_report *r, uint64_t ts_us, const an_packet *p);
void an_report_flow_end(an_report *r, const an_flow *fl, uint64_t ts_us,
                        an_end_reason why);

/* The closing lines: overall counts (text), or the "stats" line followed by
 * the pinned "summary" line (JSON). */
void an_report_summary(an_report *r, const an_totals *t);

/* Appends the pinned JSON frame line (with its newline) to `o`:
 * {"type":"frame","protocol":"tamtam","ts":…,"proto":…,"src":…,"dst":…,"stream_offset":…,
 *  "status":…, then the members of the pinned frame object in its order}.
 * Exposed for the test that holds it to ttj_frame_to_json. */
void an_json_frame(an_outbuf *o, uint64_t ts_us, const char *proto,
                   const char *src, const char *dst, uint64_t off, int status,
                   const tt_frame *f);

#endif
