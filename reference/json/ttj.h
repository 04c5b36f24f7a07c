/*
 * ttj: the pinned JSON forms of the suite (vectors, harness protocol,
 * analyzer) over cJSON: hex strings and the frame object
 *   {"class":int,"direction":int,"size_id":int,"big":bool,"ack":bool,
 *    "priority":bool,"ext":bool,"channel":int,"dest":int|null,"crc":int,
 *    "used_len":int,"payload":"hex of UsedLen bytes"}
 * and a field-by-field comparison of frames. Shared by every tool so the
 * form cannot drift between them.
 */
#ifndef TTJ_H
#define TTJ_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tamtam/tamtam.h"

/* Writes `len` bytes as lowercase hex plus a NUL into `out`, which must hold
 * 2*len+1 chars. Returns 2*len. */
size_t ttj_hex_encode(const uint8_t *in, size_t len, char *out);

/* Parses hex (either case, no separators) into `out`. Returns the byte count,
 * or -1 for an odd length or a non-hex character, -2 when more than `cap`
 * bytes would result. */
long ttj_hex_decode(const char *hex, uint8_t *out, size_t cap);

/* Returns a new cJSON string holding `len` bytes as hex, or NULL when out of
 * memory. */
cJSON *ttj_hex_string(const uint8_t *in, size_t len);

/* Returns a new frame object for `f` (dest null unless has_ext; payload the
 * used_len bytes at f->payload, "" when payload is NULL), or NULL when out of
 * memory. */
cJSON *ttj_frame_to_json(const tt_frame *f);

/* A frame parsed from JSON, with the storage its payload view points into. */
typedef struct ttj_frame {
    tt_frame f;
    uint8_t payload[TT_BLOCK_MAX];
} ttj_frame;

/* Parses a frame object into `out` (out->f.payload points at out->payload).
 * With `full`, "crc" and "used_len" are required (a decoded frame); without,
 * they may be absent (an encode request) and used_len comes from the
 * payload length. Every other field is required with its pinned type; "dest"
 * must be null when "ext" is false and an integer 0..65535 when true; the
 * used_len given must equal the payload length. Returns 0, or -1 with *why
 * (when why is not NULL) set to a static sentence naming the first
 * problem. Range checks against the block are left to the codec. */
int ttj_frame_from_json(const cJSON *obj, bool full, ttj_frame *out,
                        const char **why);

/* Compares the fields of two frames (dest only when both have ext; crc only
 * when `with_crc`; payload bytes up to used_len). Returns NULL when they
 * agree, else the pinned name of the first field that differs ("class",
 * "payload", ...). */
const char *ttj_frame_diff(const tt_frame *a, const tt_frame *b, bool with_crc);

#endif
