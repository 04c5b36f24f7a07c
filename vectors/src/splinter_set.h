/*
 * The Splinter envelope vector set (spec/splinter-envelope.md, IDs "SP-"):
 * splinter-envelope.json and splinter-stream.json, their schemas, .ndjson
 * twins and capture. Internal to tamtam-vectors; README "Splinter envelopes"
 * describes the files.
 *
 * Both files are built as cJSON documents straight from the tables of cases
 * (splinter_cases.c). The same checker (set_splinter.c) judges every vector
 * against libsplinter before gen writes anything and again when verify reads
 * the files back, so a vector never records what the library merely did.
 */
#ifndef TT_VECTORS_SPLINTER_SET_H
#define TT_VECTORS_SPLINTER_SET_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define SPV_ENV_FILE "splinter-envelope.json"
#define SPV_STREAM_FILE "splinter-stream.json"
#define SPV_ENV_SUITE "splinter-envelope"
#define SPV_STREAM_SUITE "splinter-stream"
/* The largest vector file verify reads (the set is about 6 MiB). */
#define SPV_FILE_CAP (64u << 20)

/* Builds the two documents ({"suite","spec_version","count","vectors"}) from
 * the tables of cases. Returns 0, or -1 with a message (out of memory, or a
 * case that cannot be built); *env and *streams are NULL then. */
int spv_build(cJSON **env, cJSON **streams);

/* The JSON Schema texts of the two files (draft 2020-12). */
extern const char spv_env_schema[];
extern const char spv_stream_schema[];

/* Writes the line or lines of a vector (members "line"/"line_hex" or
 * "lines") as ndjson, each followed by a LF, into a malloc'd buffer. Returns
 * it with its length in *len, or NULL when the members are missing, not of
 * their type, or memory runs out. */
char *spv_ndjson(const cJSON *v, size_t *len);

#endif
