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
/* Header plus extension length of `f`: where its integrity byte sits. */
unsigned item_hdr_len(const tt_frame *f);
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
/* The field holding byte `off` of frame `f`: "header", "ext", "crc",
 * "usedlen", "payload" or "padding". */
const char *item_region(const tt_frame *f, size_t off);
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
/* Reads the requirement IDs defined in a spec file (lines matching
 * ^- \*\*(CF-[0-9]+(\.[0-9]+)?-[a-z])\*\*). Returns 0, or -1 with a message
 * when the file cannot be read, holds no ID, or defines one twice. */
int spec_ids_load(const char *path, spec_ids *out);
/* Returns the index of `id`, or -1. */
long spec_ids_find(const spec_ids *s, const char *id);
void spec_ids_free(spec_ids *s);

/* ---- commands -------------------------------------------------------------
 */
/* Each returns a process exit status. */
int cmd_gen(tt_crc crc, const char *dir);
/* want_crc: a tt_crc the set must be made under, or -1. */
int cmd_verify(const char *dir, const char *spec_path, int want_crc);
/* Renders DIR's vectors as traffic: pcapng writes pcapng, else pcap. With
 * `index_path`, also writes the packet index (JSON). */
int cmd_pcap(const char *dir, const char *out, bool pcapng,
             const char *index_path);

#endif
