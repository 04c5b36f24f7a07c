/*
 * tamtam-run fuzz: interfaces between its parts (private to the runner):
 * the inputs it makes (mutate.c), how it shrinks them (shrink.c) and how it
 * writes its findings as a vector set (findings.c).
 */
#ifndef TR_FUZZ_H
#define TR_FUZZ_H

#include "run.h"

#define TR_FUZZ_INPUT_MAX (16u * 1024u)  /* bytes of one decode input */
#define TR_FUZZ_STREAM_MAX (64u * 1024u) /* bytes of one stream input */

/* One input: bytes for a decode request, or bytes and the sizes of the
 * chunks they are delivered in for a stream request (chunks sum to len). */
typedef struct tr_input {
    uint8_t *bytes;
    size_t len;
    size_t *chunks; /* NULL for a decode input */
    size_t nchunks;
} tr_input;

void tr_input_free(tr_input *in);

/* ---- Inputs (mutate.c) ---------------------------------------------------- */

/* A decode input from the generator: a vector mutated (bit flips, byte
 * sets, truncations, extensions, splices with another vector, UsedLen set
 * to the block, the block + 1, 0xFFFF..., SizeId and flag edits, the
 * integrity byte recomputed under `crc` or not), a random frame so mutated,
 * or random bytes. Writes into in->bytes (TR_FUZZ_INPUT_MAX bytes, caller
 * allocated) and sets in->len. */
void tr_fuzz_decode_input(uint32_t *rng, const tr_vectors *v, tt_crc crc,
                          tr_input *in);

/* True when `b` holds a whole frame (UsedLen within the block) whose
 * integrity byte is right under `crc`. */
bool tr_fuzz_crc_right(const uint8_t *b, size_t len, tt_crc crc);
/* Recomputes the integrity byte of such a frame under `crc` (anything else
 * is left as it is): mutated fields then reach the decoders' field checks
 * instead of stopping at crc_mismatch. */
void tr_fuzz_fix_crc(uint8_t *b, size_t len, tt_crc crc);

/* A stream input: one to three pieces (decode inputs, vectors as they are)
 * back to back, cut into chunks of random sizes. Allocates in->bytes and
 * in->chunks. */
void tr_fuzz_stream_input(uint32_t *rng, const tr_vectors *v, tt_crc crc,
                          tr_input *in);

/* ---- Shrinking (shrink.c) --------------------------------------------------- */

/* Whether `in` still shows the disagreement being shrunk. */
typedef bool (*tr_still_fn)(void *ctx, const tr_input *in);

/* Delta debugging: replaces *in with a smaller input for which `still`
 * holds, trying at most `budget` candidates whose sizes (bytes, and 4 per
 * chunk, plus 64) add up to at most `bytes`, so big inputs are tried
 * fewer times: frame-aware edits of each frame (bytes past a decode input's
 * frame dropped, a stream's frame dropped; UsedLen 0 or halved; a smaller
 * SizeId; BigMode or HasExt cleared; each cut to the frame length it gives,
 * its integrity byte kept right under `crc` when it was), ranges of bytes
 * removed (halving down to single bytes), chunks merged (stream inputs),
 * then bytes set to zero. Returns the number of candidates tried. */
size_t tr_shrink(tr_input *in, tt_crc crc, tr_still_fn still, void *ctx,
                 size_t budget, size_t bytes);

/* ---- Findings (findings.c) ---------------------------------------------------- */

/* Writes the findings as a vector set in DIR/fuzz-SEED/: core-frame.json
 * (the vector objects of `frames`), core-stream.json (of `streams`), the
 * .bin twins in core-frame/ and core-stream/ (stale twins of the same seed
 * removed), then loads the set back with the runner's vector loader. Prints
 * the paths. Returns 0, or -1 with a message on stderr. */
int tr_findings_write(const char *dir, uint64_t seed, tt_crc crc,
                      const cJSON *frames, const cJSON *streams,
                      cJSON *paths);

#endif
