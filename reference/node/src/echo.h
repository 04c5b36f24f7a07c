/* The wire-mode echo node of the Conformance Harness Protocol v1. */
#ifndef NODE_ECHO_H
#define NODE_ECHO_H

#include <stdbool.h>
#include <stddef.h>

#include "tamtam/tamtam.h"
#include "url.h"

/* Listens on each of the `n` URLs, prints one line "listening URL" per
 * listener on stdout (in the order given, with actual ports), and echoes
 * frames until SIGINT or SIGTERM:
 *  - tcp:// and unix://: each connection is a Core Frame stream; every valid
 *    frame is sent back byte for byte on that connection, invalid frames are
 *    skipped by their length and the connection stays open. At most
 *    `max_conns` connections are open at once; extra ones are closed on
 *    arrival.
 *  - udp://: each datagram is judged as one frame (tt_decode). A valid frame
 *    is sent back to the sender as one datagram of exactly the frame's
 *    bytes; bytes after the frame in the datagram are ignored (CF-12.2-c:
 *    they do not change the verdict on the frame). Invalid datagrams are
 *    dropped.
 * Returns 0 after a clean stop, 1 when a listener cannot be set up. */
int echo_run(const struct url *urls, size_t n, tt_crc crc, unsigned max_conns);

#endif
