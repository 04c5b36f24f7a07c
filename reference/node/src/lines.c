/* Capped line reader: the buffer grows to at most the cap plus one read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "log.h"

#define LINE_READ_CHUNK (64 * 1024)

void line_reader_init(struct line_reader *lr, int fd, size_t max)
{
    memset(lr, 0, sizeof *lr);
    lr->fd = fd;
    lr->max = max;
}

void line_reader_free(struct line_reader *lr)
{
    free(lr->buf);
    lr->buf = NULL;
}

/* Makes room for one read after the held bytes. At most `max` bytes are
 * held when this runs (more would be an over-long line, which is dropped),
 * so the buffer never exceeds max plus one read. */
static void make_room(struct line_reader *lr)
{
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, lr->len - lr->start);
        lr->len -= lr->start;
        lr->start = 0;
    }
    if (lr->cap - lr->len >= LINE_READ_CHUNK)
        return;
    size_t cap = 2 * lr->cap;
    if (cap < lr->len + LINE_READ_CHUNK)
        cap = lr->len + LINE_READ_CHUNK;
    if (cap > lr->max + LINE_READ_CHUNK)
        cap = lr->max + LINE_READ_CHUNK;
    lr->buf = need(realloc(lr->buf, cap));
    lr->cap = cap;
}

static ssize_t fill(struct line_reader *lr)
{
    make_room(lr);
    for (;;) {
        ssize_t r = read(lr->fd, lr->buf + lr->len, lr->cap - lr->len);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

enum line_status line_next(struct line_reader *lr, char **line, size_t *len)
{
    for (;;) {
        size_t unscanned = lr->len - lr->start - lr->scanned;
        char *nl = unscanned ? memchr(lr->buf + lr->start + lr->scanned, '\n',
                                      unscanned)
                             : NULL;
        if (nl) {
            size_t n = (size_t)(nl - (lr->buf + lr->start));
            char *l = lr->buf + lr->start;
            lr->start += n + 1;
            lr->scanned = 0;
            if (lr->skipping) {
                lr->skipping = false;
                continue;
            }
            if (n > lr->max)
                return LINE_TOO_LONG;
            *nl = '\0';
            *line = l;
            *len = n;
            return LINE_OK;
        }
        lr->scanned = lr->len - lr->start;
        if (lr->skipping) {
            lr->start = lr->len;
            lr->scanned = 0;
        } else if (lr->scanned > lr->max) {
            lr->skipping = true;
            lr->start = lr->len;
            lr->scanned = 0;
            return LINE_TOO_LONG;
        }
        if (lr->eof) {
            if (lr->len == lr->start || lr->skipping)
                return LINE_EOF;
            /* The last line lacks its newline: still a request. */
            make_room(lr);
            size_t n = lr->len - lr->start;
            lr->buf[lr->start + n] = '\0';
            *line = lr->buf + lr->start;
            *len = n;
            lr->start = lr->len;
            lr->scanned = 0;
            return LINE_OK;
        }
        ssize_t r = fill(lr);
        if (r < 0)
            return LINE_ERROR;
        if (r == 0)
            lr->eof = true;
        lr->len += (size_t)r;
    }
}
