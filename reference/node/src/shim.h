/* The codec shim of the Conformance Harness Protocol v1 (spec/harness.md):
 * newline-delimited JSON requests in, one response line per request, in
 * order, flushed after each. */
#ifndef NODE_SHIM_H
#define NODE_SHIM_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "tamtam/tamtam.h"
#include "url.h"

#define SHIM_IMPL_NAME "tamtam-node"

/* Longest request line accepted, without its newline: eight times the
 * 1 MiB every shim must accept (spec/harness.md HP-2-f). The largest
 * request of the vector set is a splinter.reassemble of 5.2 MB (a stream
 * that must fill the 4 MiB per-stream limit, SP-8-h). Longer lines are
 * answered bad_request and skipped. The cap also bounds the parse: a cJSON
 * tree takes up to about 40 times its text (an array of empty strings), so
 * a capped line costs at most about 340 MB. */
#define SHIM_LINE_MAX (8u * 1024 * 1024)

/* Where responses go: `put` appends `n` bytes of a response (a response
 * line arrives in one or more calls, its '\n' last). */
struct shim_out {
    void (*put)(void *ctx, const void *p, size_t n);
    void *ctx;
};

/* One request being answered, as handed to an op. */
struct shim_request {
    const cJSON *json; /* the request object */
    long long id;      /* its integer id */
    tt_crc crc;
    const struct shim_out *out;
};

/* For the ops of each protocol (sp_ops.c): a response object holding `id`
 * and `ok`, to which the op adds its members. Never NULL (exits when out of
 * memory). */
cJSON *shim_reply_new(const struct shim_request *rq, bool ok);

/* Writes `reply` as one compact line with its '\n' and frees it. */
void shim_reply_send(const struct shim_request *rq, cJSON *reply);

/* Answers bad_request with the request's id and `detail`. */
void shim_reply_bad_member(const struct shim_request *rq, const char *detail);

/* True with *out set when `v` is a number holding an integer of magnitude
 * below 2^53. */
bool shim_get_integer(const cJSON *v, long long *out);

/* Handles one request: `line` holds `len` bytes, the line without its
 * newline (any bytes; nothing after them is read). Writes exactly one
 * response line, '\n' included, to `out`: the op's answer, or bad_request
 * for a line that is not one JSON object of the protocol (a NUL byte, a
 * string with \u0000, trailing text, a missing or malformed id, op or
 * member). Exits with status 70 when memory runs out (need()). */
void shim_handle_line(const char *line, size_t len, tt_crc crc,
                      const struct shim_out *out);

/* Serves one session: reads requests from `in_fd` until end of input,
 * writes the responses to `out_fd`. Returns 0 at end of input, 1 when reading
 * or writing failed (the peer went away). */
int shim_run(int in_fd, int out_fd, tt_crc crc);

/* Listens on `u` (tcp:// or unix://), prints "listening URL" on stdout and
 * serves each accepted connection as an independent session in its own
 * process, at most `max_conns` at once (extra connections are closed at
 * once). Runs until SIGINT or SIGTERM. Returns 0, or 1 when it cannot
 * listen. */
int shim_serve(const struct url *u, tt_crc crc, unsigned max_conns);

#endif
