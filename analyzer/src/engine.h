/*
 * The analyzer's core: packets in, protocol events out. Owns the flow table
 * (connections by address pair, both directions in one entry), the memory
 * budget and eviction, TCP reassembly, and the routing of each connection's
 * bytes and datagrams to the decoder that claimed it (decoder.h). Decoders
 * report through the emitters below; reporting goes through report.h.
 *
 * Vocabulary: a *connection* is one TCP connection or one UDP address pair;
 * a *flow* is one direction of a connection (src > dst). Counts, flow lines
 * and the "flows" total are per flow.
 */
#ifndef AN_ENGINE_H
#define AN_ENGINE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "decoder.h"
#include "extract.h"
#include "framer.h"
#include "ip_reasm.h"
#include "packet.h"
#include "tcp_reasm.h"

/* Status index of a frame in the counters. */
enum { AN_ST_OK, AN_ST_CRC, AN_ST_USED_LEN, AN_ST_TRUNCATED, AN_ST_COUNT };

/* Returns the counter index of a frame status (0 or a tt_error). */
int an_status_index(int status);

/* Counts of a flow. frames, status and cls are the TamTam decoder's;
 * records and bad are those of every other decoder. */
typedef struct an_counts {
    uint64_t frames, status[AN_ST_COUNT], cls[16];
    uint64_t records, bad;   /* records of other decoders, not ok */
    uint64_t packets;        /* packets of this flow (TCP incl. pure ACKs) */
    uint64_t bytes;          /* stream bytes (TCP) / datagram payload (UDP) */
    uint64_t gaps, gap_bytes;
    uint64_t retrans_segs, retrans_bytes, overlap_segs;
    uint64_t conflict_segs, conflict_bytes;
    uint64_t resyncs, unsynced_bytes;
    uint64_t trailing, trailing_bytes; /* UDP bytes after the frame */
    uint64_t first_us, last_us;        /* capture time span, microseconds */
} an_counts;

/* How a connection ended. X(ID, name) */
#define AN_END_MAP(X)                                                          \
    X(CLOSED, "closed")       /* FIN both ways, everything delivered */       \
    X(RESET, "reset")         /* RST */                                       \
    X(EVICTED, "evicted")     /* connection or memory cap */                  \
    X(EOF, "eof")             /* end of the input (or -c reached) */          \
    X(RESTARTED, "restarted") /* a new connection on the same addresses */

typedef enum an_end_reason {
#define AN__END_ENUM(id, name) AN_END_##id,
    AN_END_MAP(AN__END_ENUM)
#undef AN__END_ENUM
    AN_END_COUNT
} an_end_reason;

/* Returns the name of an end reason ("closed", ...). */
const char *an_end_reason_name(an_end_reason r);

struct an_engine;
struct an_conn;

typedef struct an_flow {
    struct an_conn *conn;
    uint8_t idx;        /* 0: the direction first seen (or the SYN's) */
    an_reasm reasm;     /* TCP */
    an_counts c;
    an_pktlog log;      /* -w: packets of frames not yet complete */
} an_flow;

/* Decoders (and layers) an engine takes at most. */
#define AN_DECODERS_MAX 8

typedef enum an_conn_state {
    AN_CONN_ACTIVE,
    AN_CONN_DONE,     /* reported and emptied; kept to absorb late packets */
} an_conn_state;

typedef struct an_conn {
    struct an_conn *hnext;              /* hash chain */
    struct an_conn *lru_prev, *lru_next; /* most recent at the head */
    struct an_engine *eng;
    uint8_t key[40];  /* ipver, proto, (addr, port) lower, (addr, port)
                         higher, two zero bytes */
    uint8_t src0[18]; /* (addr, port) of flow 0's source */
    uint32_t hash;
    uint8_t proto, ipver;
    an_conn_state state;
    bool claimed;     /* on a decoder's port, or recognised by probing */
    bool probing;     /* --heuristic decision pending */
    bool dismissed;   /* the probe said no: emptied after the packet */
    uint8_t dec_idx;  /* index of dec in the engine's decoder list */
    const an_decoder *dec; /* NULL when no decoder took it */
    void *dstate;     /* the decoder's state_size bytes */
    /* Layers above the decoder: their state by index in the engine's
     * decoder list (NULL for the others). */
    void *lstate[AN_DECODERS_MAX];
    char ep[2][48];   /* "addr:port" of flow 0's source and destination */
    uint16_t port[2]; /* flow 0's source and destination ports */
    an_flow flow[2];
} an_conn;


typedef struct an_engine_cfg {
    int crc;                 /* tt_crc or AN_CRC_AUTO */
    bool heuristic;
    /* The decoders and their ports; with ndecoders 0, the TamTam decoder
     * alone on `ports` (a bitmap of 65536 bits). */
    const an_decoder_use *decoders;
    unsigned ndecoders;
    const uint8_t *ports;
    uint32_t max_flows;      /* connections in the table */
    uint64_t mem_cap;        /* bytes of buffers over all connections */
    size_t ooo_bytes;        /* per flow out-of-order cap */
    uint32_t ooo_segs;
    size_t history;          /* per flow bytes kept to check overlaps */
    unsigned run;            /* frames needed to align or recognise */
    size_t probe_limit;      /* bytes a heuristic probe scans per flow */
    bool keep_packets;       /* -w: keep packets for an_engine_extract */
    uint64_t keep_bytes;     /* -w: bytes of packets kept per flow */
} an_engine_cfg;

/* Everything the engine reports, one callback per event. `ts_us` is the
 * capture time of the packet being processed, in microseconds. */
typedef struct an_sink {
    void *ctx;
    /* A frame (already counted); `len` stream bytes from `off`. NULL when
     * frames are only counted. */
    void (*frame)(void *ctx, const an_flow *fl, uint64_t ts_us, int status,
                  uint64_t off, const tt_frame *f, size_t len);
    /* A record of any other decoder (already counted); NULL when records
     * are only counted. */
    void (*record)(void *ctx, const an_flow *fl, uint64_t ts_us,
                   const an_record *r);
    void (*gap)(void *ctx, const an_flow *fl, uint64_t ts_us, uint64_t off,
                uint64_t n, an_gap_reason why);
    void (*resync)(void *ctx, const an_flow *fl, uint64_t ts_us,
                   uint64_t off, uint64_t skipped);
    void (*unsynced)(void *ctx, const an_flow *fl, uint64_t ts_us,
                     uint64_t off, uint64_t n);
    void (*conflict)(void *ctx, const an_flow *fl, uint64_t ts_us,
                     uint64_t off, uint64_t n);
    void (*trailing)(void *ctx, const an_flow *fl, uint64_t ts_us,
                     uint64_t n);
    void (*crc)(void *ctx, const an_flow *fl, uint64_t ts_us, int crc);
    void (*fragment)(void *ctx, uint64_t ts_us, const an_packet *p);
    void (*flow_end)(void *ctx, const an_flow *fl, uint64_t ts_us,
                     an_end_reason why);
} an_sink;

/* Totals over the whole input. */
typedef struct an_totals {
    an_counts c;                 /* sums of every flow */
    uint64_t channel[256];
    uint64_t packets, packet_bytes;   /* read from the input */
    uint64_t pkt_result[AN_PKT_COUNT]; /* parse outcomes; FRAGMENT counts
                                          the fragments not reassembled */
    uint64_t snaplen_truncated;  /* TamTam packets cut by the snaplen */
    uint64_t flows;              /* flows that carried TamTam */
    uint64_t connections;
    uint64_t evicted;            /* connections evicted */
    uint64_t late_packets;       /* packets for finished connections */
    uint64_t heuristic_rejected; /* connections the heuristic dismissed */
    uint32_t crc_seen;           /* bit per variant in use; bit 31 unknown */
    uint64_t mem_peak;
    uint64_t keep_missed;        /* -w: packets not kept (keep_bytes full) */
    uint64_t no_memory;          /* connections or datagrams not analysed
                                    for want of memory */
    an_ipfrag_counts ipfrag;     /* IP fragment reassembly */
    struct {
        uint64_t flows, units;   /* units: frames or records */
    } by_decoder[AN_DECODERS_MAX];
} an_totals;

typedef struct an_engine an_engine;

/* Creates an engine. `cfg` and `sink` must outlive it. Returns NULL when
 * out of memory. */
an_engine *an_engine_new(const an_engine_cfg *cfg, const an_sink *sink);

/* One captured packet of link type `dlt`. The packet (header and bytes)
 * is available to the sink callbacks through an_engine_packet_ref. */
void an_engine_packet(an_engine *e, int dlt, const struct pcap_pkthdr *h,
                      const uint8_t *data);

/* Set by a sink that wants reading to stop (-c); checked by the caller. */
void an_engine_stop(an_engine *e);
bool an_engine_stopped(const an_engine *e);

/* Ends every connection with `why` (AN_END_EOF at the end of the input):
 * holes declared lost, pending frames reported, flow lines written. With
 * `flush` false (after -c), nothing further is reported. */
void an_engine_finish(an_engine *e, bool flush);

/* Totals so far. */
const an_totals *an_engine_totals(const an_engine *e);

/* Bytes the engine counts against cfg->mem_cap now: the connection table,
 * the connections and every buffer they hold. */
uint64_t an_engine_mem_used(const an_engine *e);

/* Writes to `d` the captured packets that carried bytes [off, off+len) of
 * flow `fl` (for UDP: the datagram being decoded), each packet once. Only
 * with cfg->keep_packets; to be called from the sink's frame callback. */
void an_engine_extract(an_engine *e, const an_flow *fl, uint64_t off,
                       size_t len, pcap_dumper_t *d);

/* The instance decoder `i` of the engine's list got from its create(), or
 * NULL. */
const void *an_engine_instance(const an_engine *e, unsigned i);

/* Frees the engine and every connection (without reporting). */
void an_engine_free(an_engine *e);

/* The source and destination "addr:port" of a flow, and its protocol
 * ("tcp" / "udp"). */
const char *an_flow_src(const an_flow *fl);
const char *an_flow_dst(const an_flow *fl);
const char *an_flow_proto(const an_flow *fl);

/* The protocol of a flow: its decoder's name ("tamtam"). */
const char *an_flow_protocol(const an_flow *fl);

/* ---- for decoders ---------------------------------------------------------
 * The emitters count an event on the flow and hand it to the sink; after -c
 * stopped the reading they do nothing. */

/* The decoder state of a connection, and the instance its decoder's
 * create() returned. */
void *an_conn_dstate(const an_conn *c);
void *an_conn_instance(const an_conn *c);
/* The engine's memory counter (bytes against --mem-cap). */
uint64_t *an_conn_mem_counter(an_conn *c);
/* The engine's configuration. */
const an_engine_cfg *an_conn_cfg(const an_conn *c);
/* A probed connection is (true) or is not (false) the decoder's protocol;
 * `fl` is the direction that told. Yes claims it (its events are reported
 * from then on); no dismisses it (emptied after the packet). */
void an_conn_verdict(an_flow *fl, bool yes);
/* Something of the connection was not analysed for want of memory
 * (counted in the totals' no_memory). */
void an_conn_no_memory(an_conn *c);

void an_emit_frame(an_flow *fl, int status, uint64_t off, const tt_frame *f,
                   size_t len);
void an_emit_record(an_flow *fl, const an_record *r);
void an_emit_resync(an_flow *fl, uint64_t off, uint64_t skipped);
void an_emit_unsynced(an_flow *fl, uint64_t off, uint64_t n);
void an_emit_crc(an_flow *fl, int crc);
/* UDP: `n` bytes after the datagram's message, or a datagram cut by the
 * snaplen (`n` bytes missing at `off`). */
void an_emit_trailing(an_flow *fl, uint64_t n);
void an_emit_gap(an_flow *fl, uint64_t off, uint64_t n, an_gap_reason why);
/* Whether the sink stopped the reading (-c). */
bool an_conn_stopped(const an_conn *c);

/* The packet being processed (for a decoder that holds packets and decodes
 * them later: it sets each held one as current meanwhile, so that -w and
 * the timestamps are those of that packet). */
typedef struct an_current {
    const struct pcap_pkthdr *h;
    const uint8_t *data;
    uint64_t ts_us;
} an_current;
an_current an_conn_current(const an_conn *c);
void an_conn_set_current(an_conn *c, an_current cur);

#endif
