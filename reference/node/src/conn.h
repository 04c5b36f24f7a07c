/* One stream connection of the echo node (TCP or unix): a Core Frame stream
 * receiver in, echoed frames out.
 *
 * Memory per connection is bounded: the receiver holds at most one partial
 * frame (8199 bytes), and the output holds less than CONN_OUT_CAP +
 * CONN_READ_MAX + TT_FRAME_MAX bytes, because the connection is read only
 * while its unsent output is below CONN_OUT_CAP (backpressure: a client that
 * does not read its echoes is no longer read from) and one read echoes at
 * most the bytes it read plus the partial frame held before it. */
#ifndef NODE_CONN_H
#define NODE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tamtam/tamtam.h"

#define CONN_OUT_CAP (64 * 1024)
#define CONN_READ_MAX (16 * 1024)

enum conn_state { CONN_OPEN, CONN_DONE };

struct conn {
    int kind;           /* first member: the event loop's tag */
    int fd;
    uint32_t events;    /* the event loop's registered interest */
    bool peer_done;     /* the peer sent end of stream */
    struct conn *prev, *next;
    uint8_t *out;       /* unsent echoes: out[out_off..out_len) */
    size_t out_off, out_len, out_cap;
    uint64_t echoed, discarded;
    char peer[176];     /* the peer's address, for logs */
    tt_stream rx;
};

/* Returns a new connection for socket `fd` (non-blocking), judging frames
 * under `crc`; `peer` names it in logs. Never returns NULL (exits when out of
 * memory). */
struct conn *conn_new(int fd, tt_crc crc, const char *peer);

/* Closes the socket and frees the connection. */
void conn_free(struct conn *c);

/* Reads once into `scratch` (at most CONN_READ_MAX bytes of it), queues an
 * echo of every valid frame completed and discards invalid ones, then
 * writes what it can. Returns CONN_DONE when the connection is over (error,
 * or end of stream with nothing left to send), else CONN_OPEN. */
enum conn_state conn_read(struct conn *c, uint8_t *scratch, size_t cap);

/* Writes unsent echoes until done or the socket is full. Returns as
 * conn_read. */
enum conn_state conn_write(struct conn *c);

/* Whether the connection should be read now: the peer has not ended its
 * stream and the unsent output is below CONN_OUT_CAP. */
bool conn_wants_read(const struct conn *c);

/* Whether unsent output is waiting. */
bool conn_wants_write(const struct conn *c);

#endif
