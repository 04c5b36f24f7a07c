/*
 * tamtam-vectors internals: the in-memory vector set the generator builds,
 * and the entry points of each subcommand.
 *
 * A vector is built from an intent: bytes (usually a frame encoded by
 * libtamtam, then mutated) and the outcome the spec says those bytes have.
 * The generator refuses to write a set in which libtamtam disagrees with an
 * intent, so a vector file never records what the codec happened to do.
 */
#ifndef TT_VECTORS_H
#define TT_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tamtam/tamtam.h"

#define VEC_ID_MAX 64
#define VEC_DESC_MAX 320
#define VEC_REQS_MAX 160

/* Bytes and the outcome the spec gives them when decoded as one buffer. */
typedef struct item {
    uint8_t *bytes; /* owned */
    size_t len;
    int expect;            /* 0: valid; else TT_ERR_TRUNCATED, ... */
    tt_frame want;         /* valid: the fields decoding must yield */
    uint8_t *want_payload; /* owned; want.payload points here */
    unsigned crc_off;      /* where the encoded frame's integrity byte sits
                              (tt_crc_offset), kept through mutations */
} item;

typedef struct fvec {
    char id[VEC_ID_MAX];
    char desc[VEC_DESC_MAX];
    char reqs[VEC_REQS_MAX]; /* requirement IDs, space separated */
    item it;
    int valid_under; /* a tt_crc the bytes are valid under, or -1 */
} fvec;

typedef struct svec {
    char id[VEC_ID_MAX];
    char desc[VEC_DESC_MAX];
    char reqs[VEC_REQS_MAX];
    uint8_t *bytes; /* owned: the frames back to back, then the tail */
    size_t len;
    item *frames; /* owned: each complete frame, in stream order */
    size_t nframes;
    size_t pending; /* bytes of the incomplete tail */
    size_t *chunks; /* owned: delivery sizes, summing to len */
    size_t nchunks;
} svec;

typedef struct vset {
    tt_crc crc;
    fvec *f;
    size_t nf, capf;
    svec *s;
    size_t ns, caps;
} vset;

/* ---- prng.c: deterministic randomness ----------------------------------- */
typedef struct prng {
    uint64_t state;
} prng;

/* splitmix64: returns the next 64-bit value. */
uint64_t prng_next(prng *r);
/* Returns a value in [0, n) (n > 0). */
uint32_t prng_below(prng *r, uint32_t n);
/* Fills `len` bytes. */
void prng_fill(prng *r, uint8_t *buf, size_t len);
/* A generator seeded from a string (FNV-1a), so that a vector's random
 * content depends on its id alone, never on its position in the set. */
prng prng_from_string(const char *s);

/* ---- items.c: building items ------------------------------------------------
 * Each bool function returns false (with a message on stderr) on failure:
 * out of memory, or a codec result that contradicts a value the spec states.
 */
/* The fields of a frame to encode; flags is a TT_FLAG_* mask, dest is kept
 * only with TT_FLAG_EXT. */
tt_frame item_fields(unsigned cls, unsigned dir, unsigned size_id,
                     unsigned flags, unsigned channel, unsigned dest,
                     unsigned used_len);
/* Header plus extension length of the frame `it` was encoded from: where
 * its integrity byte sits (tt_crc_offset of the encoded bytes, kept through
 * later cuts and flips). */
unsigned item_hdr_len(const item *it);
/* Encodes `f` under `crc` into a new valid item. The payload is `payload`,
 * or when NULL, bytes drawn from a generator seeded by `seed`. */
bool item_encode(tt_crc crc, const tt_frame *f, const uint8_t *payload,
                 const char *seed, item *out);
/* Worked example 1 (local) or 2 (roaming, `ext`) of spec 12.6 encoded under
 * `crc`; fails if its CRC differs from the spec's table (12.1). */
bool item_example(tt_crc crc, bool ext, item *out);
/* A deep copy. */
bool item_clone(const item *base, item *out);
/* Appends bytes after the frame (the intent stays). */
bool item_append(item *it, const uint8_t *tail, size_t n);
/* Mutations; each sets the new intent. */
void item_cut(item *it, size_t len, int expect);
void item_flip(item *it, size_t off, unsigned bit, int expect);
void item_set_used_len(item *it, unsigned used_len, int expect);
/* The field holding byte `off` of the frame `it` was encoded from:
 * "header", "ext", "crc", "usedlen", "payload" or "padding". */
const char *item_region(const item *it, size_t off);
/* The same region in words, for descriptions ("UsedLen field"). */
const char *item_region_words(const char *region);

/* ---- vset.c: building and releasing sets -------------------------------- */
void vset_init(vset *v, tt_crc crc);
void vset_free(vset *v);
/* Appends a frame vector taking ownership of `it`. Returns it, or NULL when
 * out of memory. */
fvec *vset_add_frame(vset *v, item *it, int valid_under, const char *reqs,
                     const char *id_fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Appends an empty stream vector with the given id (the caller fills it).
 * Returns it, or NULL when out of memory. */
svec *vset_add_stream(vset *v, const char *id_fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets a vector's description. */
void vec_describe(char *desc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void item_free(item *it);
/* Returns true when a valid item's frame uses an unassigned or reserved
 * Class or Direction (verdict "info", CF-3.1-b, CF-3.1-c). */
bool item_is_info(const item *it);

/* Checks every vector against libtamtam: each item's outcome under the set's
 * CRC (or valid_under) equals its intent, and every stream delivered in its
 * chunks yields exactly the intended events and pending count. Prints each
 * disagreement with the vector id. Returns the number of disagreements. */
size_t vset_check(const vset *v);

/* ---- cases_frame.c / cases_stream.c: the tables of cases ----------------- */
/* Each returns 0, or -1 (with a message on stderr) when a case could not be
 * built (out of memory, or a spec-stated value the codec contradicts). */
int cases_frame(vset *v);
int cases_stream(vset *v);

/* ---- output.c: the files --------------------------------------------------
 */
/* Writes core-frame.json, core-stream.json, the .bin twins and the schemas
 * into `dir` (created if missing). Returns 0, or -1 with a message. */
int output_write(const vset *v, const char *dir);

/* ---- schema_def.c: the JSON Schemas (draft 2020-12) -----------------------
 */
struct cJSON;
/* Return new schema documents, or NULL when out of memory. */
struct cJSON *schema_core_frame(void);
struct cJSON *schema_core_stream(void);

/* ---- spec_ids.c -----------------------------------------------------------
 */
typedef struct spec_ids {
    char (*id)[24];
    size_t n;
} spec_ids;
/* Reads the requirement IDs a spec file defines with `prefix` (its lines
 * matching ^- \*\*(PREFIX[0-9]+(\.[0-9]+)?-[a-z])\*\*; prefix "CF-" for the
 * Core Frame). Returns 0, or -1 with a message when the prefix is not
 * letters, digits and '-', the file cannot be read, holds no such ID, or
 * defines one twice. */
int spec_ids_load(const char *path, const char *prefix, spec_ids *out);
/* Returns the index of `id`, or -1. */
long spec_ids_find(const spec_ids *s, const char *id);
void spec_ids_free(spec_ids *s);

/* ---- vector sets: one per protocol ----------------------------------------
 * A set is the vector files of one protocol and how to make and check them.
 * A program's sets are listed in one table (sets.c, from the
 * vectors_sets.def CMake writes for it: see tt_vectors_program in
 * vectors/CMakeLists.txt); gen and verify walk it in order. A new protocol
 * is a file defining `const vec_set vec_set_NAME` plus NAME in the list.
 */
/* What the command line asked for; each set uses what applies to it. */
typedef struct vec_opts {
    int crc; /* a tt_crc given with --crc, or -1 (Core Frame only) */
} vec_opts;

/* What a set's verifier found, for the per-document coverage summary. */
typedef struct vec_report {
    size_t vectors;  /* vectors read from the set's files */
    size_t covered;  /* requirement IDs of the spec cited by a vector */
    size_t problems; /* FAIL lines printed */
} vec_report;

typedef struct vec_set {
    const char *name;       /* "core-frame"; also --spec NAME=FILE */
    const char *files;      /* its vector files in DIR, space separated */
    const char *schemas;    /* their JSON Schemas in DIR, space separated */
    const char *req_prefix; /* requirement ID prefix: "CF-" */
    const char *spec;       /* the spec it is covered against, relative to
                               the source tree (DIR/..): "spec/core-frame.md" */
    /* Writes the set into `dir` (created if missing) and prints one line.
     * Returns 0, or -1 with a message on stderr (nothing half written). */
    int (*gen)(const vec_opts *o, const char *dir);
    /* Checks the set in `dir` against `spec` (the IDs with req_prefix),
     * printing a "FAIL <id>: reason" line per problem and its coverage
     * table, and fills `r`. Returns 0 when the set is sound, 1 after FAIL
     * lines, 2 when its files cannot be read (message on stderr). */
    int (*verify)(const vec_opts *o, const char *dir, const spec_ids *spec,
                  vec_report *r);
} vec_set;

/* The Core Frame (core-frame.json, core-stream.json), set_core_frame.c. */
extern const vec_set vec_set_core_frame;

/* Splinter envelopes (splinter-envelope.json, splinter-stream.json),
 * set_splinter.c. */
extern const vec_set vec_set_splinter;

/* sets.c: the program's table, compiled into each program, not the library. */
extern const vec_set *const vec_sets[];
extern const size_t vec_nsets;

/* ---- commands -------------------------------------------------------------
 */
/* Each returns a process exit status. */
/* Runs every set's generator into `dir`, in table order; 1 at the first
 * that fails. */
int cmd_gen(const vec_set *const *sets, size_t nsets, const vec_opts *o,
            const char *dir);
/* Verifies every set of the table in `dir`, each under a heading, then
 * prints the coverage of each spec document. specs[i]: the spec file of
 * sets[i], or NULL for DIR/../<set spec>. Returns 0 when every set is sound,
 * 2 when a set or its spec cannot be read, else 1. */
int cmd_verify(const vec_set *const *sets, size_t nsets, const vec_opts *o,
               const char *dir, const char *const *specs);
/* The Core Frame set's verifier (verify.c; vec_set.verify contract). */
int core_frame_verify(const vec_opts *o, const char *dir, const spec_ids *spec,
                      vec_report *r);
/* Renders DIR's vectors as traffic: pcapng writes pcapng, else pcap. With
 * `index_path`, also writes the packet index (JSON). */
int cmd_pcap(const char *dir, const char *out, bool pcapng,
             const char *index_path);

/* One TCP connection of a capture: `len` bytes sent by the client from
 * `port`, the vector `id` of the vector file `file`. */
typedef struct capture_conn {
    const char *id, *file;
    uint16_t port;
    const uint8_t *bytes;
    size_t len;
} capture_conn;
/* Writes OUT as a pcap (libpcap) holding one TCP connection per entry of
 * `conns`, in order, to 10.0.0.2:`server_port` (handshake, the bytes in
 * segments of at most 1460, each acknowledged, FIN exchange; the core
 * capture's addresses and clock), and with `index_path` the packet index
 * (JSON, as pcap/core-index.json). Returns 0, or -1 with a message. */
int capture_tcp(const char *out, const char *index_path, uint16_t server_port,
                const capture_conn *conns, size_t n);

#endif
