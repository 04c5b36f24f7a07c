/* Buffered, blocking output to a descriptor (a pipe or a socket), for the
 * shim's response lines. */
#ifndef NODE_WRITER_H
#define NODE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#define WRITER_BUF (64 * 1024)

struct writer {
    int fd;
    bool failed; /* a write failed; later output is dropped */
    size_t len;
    char buf[WRITER_BUF];
};

void writer_init(struct writer *w, int fd);

/* Appends `n` bytes, writing the buffer out whenever it fills. */
void writer_put(struct writer *w, const void *p, size_t n);

/* Writes out everything buffered. Returns true, or false once any write has
 * failed (the peer closed, or an I/O error). */
bool writer_flush(struct writer *w);

/* Writes all `n` bytes to `fd`, retrying on EINTR and partial writes and
 * waiting when the descriptor is non-blocking. Returns 0, or -1 with errno
 * set. */
int fd_write_all(int fd, const void *p, size_t n);

#endif
