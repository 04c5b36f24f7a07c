/*
 * The seam between the transport (link, IP, TCP reassembly, UDP) and the
 * protocols. A decoder claims a connection, is fed each direction's bytes
 * (TCP) or datagrams (UDP), reports what it finds through the engine's
 * emitters (engine.h) and is told when the connection ends. The TamTam Core
 * Frame decoder (dec_tamtam.c) is the first; a protocol is added as one
 * file defining an `an_decoder` plus its name in the DECODERS list of
 * `tamtam_analyze_executable` (analyzer/CMakeLists.txt), which generates
 * the table the program passes to the engine.
 *
 * Claiming, in this order: a port given for the decoder (`--port NAME=N`,
 * or its default port when none is given for it), the first decoder of the
 * table whose ports match (preference), and with --heuristic the first
 * decoder of the table that has one (`heuristic`): it is opened `probing`
 * and says yes or no with an_conn_verdict. Nothing is reported for a
 * connection while it is probed.
 *
 * A layer above a decoder (the message layer over TamTam frames) is an
 * an_decoder too, with `above` naming the decoder it sits on: it claims no
 * connection itself; on every connection of that decoder it gets its own
 * state (`state_size`, passed to its hooks) and is fed each frame through
 * `frame`, then `end` per direction and `close`. Its records carry its own
 * name as their protocol and count in the totals under it.
 *
 * State: the engine allocates `state_size` zeroed bytes per connection for
 * the decoder (an_conn_dstate) and counts them against --mem-cap; whatever a
 * decoder allocates beyond that it adds to *an_conn_mem_counter and
 * subtracts when freed, so eviction sees it.
 */
#ifndef AN_DECODER_H
#define AN_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tamtam/tamtam.h"

struct an_conn;
struct an_flow;
struct an_engine_cfg;
struct an_totals;

/* A value of a record field. */
typedef enum an_vkind { AN_V_NULL, AN_V_INT, AN_V_BOOL, AN_V_STR } an_vkind;

typedef struct an_value {
    an_vkind kind;
    int64_t i;     /* AN_V_INT, AN_V_BOOL (0 / 1) */
    const char *s; /* AN_V_STR: NUL-terminated, valid during the emit call */
} an_value;

typedef struct an_rfield {
    const char *name; /* one of the decoder's `fields` */
    an_value v;
} an_rfield;

/* One decoded unit of a protocol (a message, a line, a frame). Written as
 * a JSON line {"type":TYPE,"protocol":NAME,"ts",...,"stream_offset":OFF,
 * "status":STATUS, FIELDS...} and a text line; --match sees its fields. */
typedef struct an_record {
    const char *type;   /* e.g. "message" */
    bool ok;            /* valid by its protocol's rules */
    const char *status; /* "ok", or the name of what is wrong */
    uint64_t off;       /* stream offset (TCP), 0 for a datagram */
    size_t len;         /* bytes it occupies */
    const an_rfield *fields;
    unsigned nfields;     /* the report writes the first 32; strings are
                             cut at 1024 bytes (report.c) */
    const char *protocol; /* set by the engine: the emitting decoder's name */
} an_record;

typedef struct an_decoder {
    const char *name;          /* the records' "protocol"; --port NAME=N */
    const char *above;         /* a layer: the decoder it is fed by */
    uint16_t default_port;     /* TCP and UDP; 0: none */
    bool heuristic;            /* may probe connections on no port */
    size_t state_size;         /* per connection, zeroed before open */
    const char *const *fields; /* NULL-terminated names for --match */
    /* Per engine (may be NULL): returns an instance for the hooks
     * (an_conn_instance), or NULL when out of memory. */
    void *(*create)(const struct an_engine_cfg *cfg, uint64_t *mem_used);
    void (*destroy)(void *inst);
    /* A new connection; `probing` as above. */
    void (*open)(struct an_conn *c, bool probing);
    /* TCP: the direction's bytes start at its SYN (offset 0 begins a
     * message) rather than mid-stream. */
    void (*stream_start)(struct an_flow *fl);
    /* TCP: `n` stream bytes at `off`, continuing the previous call. */
    void (*data)(struct an_flow *fl, uint64_t off, const uint8_t *p,
                 size_t n);
    /* TCP: `n` bytes at `off` are lost. */
    void (*gap)(struct an_flow *fl, uint64_t off, uint64_t n);
    /* UDP: one datagram of `len` bytes, `cap` of them captured. */
    void (*datagram)(struct an_flow *fl, const uint8_t *p, uint32_t len,
                     uint32_t cap);
    /* TCP: the lowest stream offset a record may still cover (for -w);
     * UINT64_MAX when none. NULL: the reassembler's delivered offset. */
    uint64_t (*needed_from)(const struct an_flow *fl);
    /* The direction ends (end of stream, reset, eviction): pending bytes
     * are reported. Called for both directions, before the flow lines. */
    void (*end)(struct an_flow *fl);
    /* Adds a finished flow's protocol-specific counts to the totals (may
     * be NULL). */
    void (*account)(const struct an_flow *fl, struct an_totals *t);
    /* Releases what the connection's state holds (not the state itself). */
    void (*close)(struct an_conn *c);
    /* A layer (`above` set): one frame of the decoder below, then the end
     * of each direction and the release of its state `st`. The frame's
     * views are valid during the call. */
    void (*frame)(struct an_flow *fl, void *st, int status, uint64_t off,
                  const tt_frame *f);
    void (*layer_end)(struct an_flow *fl, void *st);
    void (*layer_close)(struct an_conn *c, void *st);
    /* Optional: writes the decoder's own totals (its create() instance) as
     * JSON members, NUL-terminated in `out` (cap bytes), for its entry of
     * the summary's by_protocol. */
    void (*summary)(const void *inst, char *out, size_t cap);
} an_decoder;

/* A decoder and the ports it claims (bitmap of 65536 bits, or NULL for
 * none), as the engine is given them. */
typedef struct an_decoder_use {
    const an_decoder *dec;
    const uint8_t *ports;
} an_decoder_use;

/* The TamTam Core Frame decoder (dec_tamtam.c). */
extern const an_decoder an_decoder_tamtam;

/* The table of a program (generated from its DECODERS list), ending with
 * NULL. */
extern const an_decoder *const an_decoders[];

#endif
