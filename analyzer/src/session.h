/*
 * One analysis: a capture read packet by packet into the engine, every
 * event through --match, -c and -w to the report, then the closing lines.
 * tamtam-analyze is option parsing around it; the fuzz targets drive the
 * same code (fuzz/).
 */
#ifndef AN_SESSION_H
#define AN_SESSION_H

#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "match.h"
#include "outbuf.h"
#include "report.h"

#define AN_SESSION_MAX_MATCH 16

typedef struct an_session {
    an_report rep;      /* rep.out points at out */
    an_engine *eng;
    an_match *match[AN_SESSION_MAX_MATCH]; /* any may match; owned */
    int nmatch;
    pcap_dumper_t *dumper; /* -w, or NULL; not owned */
    uint64_t count;     /* -c: stop after this many frames (0: no limit) */
    uint64_t reported;  /* frames printed / written */
    an_sink sink;
    an_outbuf out;      /* last: everything before it is small */
} an_session;

/* Opens a pcap or pcapng capture from `fp` with microsecond timestamps,
 * gzip-compressed or not.
 * Returns the handle (which then owns fp), or NULL with libpcap's reason in
 * errbuf (fp is left open). */
pcap_t *an_session_open(FILE *fp, char errbuf[PCAP_ERRBUF_SIZE]);

/* Returns the link type of `pc` when the analyzer reads it, or -1 with the
 * sentence to print after "SOURCE: " in msg (msglen bytes). */
int an_session_link(pcap_t *pc, char *msg, size_t msglen);

/* Starts a session whose rep, out (initialised), match, dumper and count
 * are set. `cfg` must outlive the session. Returns false when out of
 * memory. */
bool an_session_start(an_session *s, const an_engine_cfg *cfg);

/* Reads `pc` (link type `dlt`) to its end, until -c is reached, the output
 * fails, or *interrupted is set; `live` flushes the output after each
 * packet. Returns 0, or 2 after a read error, described on `diag` (named
 * `src`) when diag is not NULL. */
int an_session_read(an_session *s, pcap_t *pc, int dlt, const char *src,
                    bool live, const volatile sig_atomic_t *interrupted,
                    FILE *diag);

/* Ends every connection (reported unless -c stopped the reading), writes
 * the closing lines and flushes the output. */
void an_session_end(an_session *s);

/* Frees the engine and the match expressions. */
void an_session_free(an_session *s);

#endif
