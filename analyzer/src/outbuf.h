/*
 * A buffered writer on a file descriptor: the analyzer's output can be
 * gigabytes of ndjson, so lines are assembled in one large buffer and
 * written with write(2) (EINTR and partial writes handled). Once a write
 * fails (EPIPE when the reader went away) the writer drops further output
 * and remembers the errno.
 */
#ifndef AN_OUTBUF_H
#define AN_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AN_OUTBUF_SIZE ((size_t)256 * 1024)

typedef struct an_outbuf {
    int fd;
    int error;    /* errno of the first failed write, 0 while fine */
    /* When set, each flush hands the buffered bytes here instead of
     * writing them to fd (the fuzz targets read the output this way). */
    void (*drain)(void *ctx, const char *p, size_t n);
    void *drain_ctx;
    size_t len;
    char buf[AN_OUTBUF_SIZE];
} an_outbuf;

/* Sets up a writer on `fd` (no drain). */
void an_outbuf_init(an_outbuf *o, int fd);

/* Writes out what is buffered. Returns 0, or the errno of a failed write. */
int an_outbuf_flush(an_outbuf *o);

/* Makes room for `n` bytes (n <= AN_OUTBUF_SIZE) and returns where they go;
 * the caller writes them and adds n to o->len. */
static inline char *an_outbuf_room(an_outbuf *o, size_t n)
{
    if (AN_OUTBUF_SIZE - o->len < n)
        an_outbuf_flush(o);
    return o->buf + o->len;
}

static inline void an_outbuf_putc(an_outbuf *o, char c)
{
    *an_outbuf_room(o, 1) = c;
    o->len++;
}

/* Appends `n` bytes (any length). */
void an_outbuf_write(an_outbuf *o, const char *s, size_t n);

static inline void an_outbuf_puts(an_outbuf *o, const char *s)
{
    an_outbuf_write(o, s, strlen(s));
}

/* Appends printf-formatted text (for the rare, human-readable lines). */
void an_outbuf_printf(an_outbuf *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
