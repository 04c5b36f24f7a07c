/* Buffered fd writer (see outbuf.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "outbuf.h"

void an_outbuf_init(an_outbuf *o, int fd)
{
    o->fd = fd;
    o->error = 0;
    o->drain = NULL;
    o->drain_ctx = NULL;
    o->len = 0;
}

int an_outbuf_flush(an_outbuf *o)
{
    if (o->drain) {
        if (o->len)
            o->drain(o->drain_ctx, o->buf, o->len);
        o->len = 0;
        return 0;
    }
    size_t done = 0;
    while (done < o->len && !o->error) {
        ssize_t w = write(o->fd, o->buf + done, o->len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->error = w < 0 ? errno : EIO;
        else
            done += (size_t)w;
    }
    o->len = 0;
    return o->error;
}

void an_outbuf_write(an_outbuf *o, const char *s, size_t n)
{
    while (n > 0) {
        size_t room = AN_OUTBUF_SIZE - o->len;
        if (room == 0) {
            an_outbuf_flush(o);
            room = AN_OUTBUF_SIZE;
        }
        size_t take = n < room ? n : room;
        memcpy(o->buf + o->len, s, take);
        o->len += take;
        s += take;
        n -= take;
    }
}

void an_outbuf_printf(an_outbuf *o, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        an_outbuf_write(o, line, (size_t)n < sizeof line ? (size_t)n
                                                          : sizeof line - 1);
}
