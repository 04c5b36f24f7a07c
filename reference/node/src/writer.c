/* Buffered blocking output with EINTR and partial-write handling. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writer.h"

int fd_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t r = write(fd, c, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                /* An inherited non-blocking descriptor: wait until it
                 * drains rather than lose output. */
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                    return -1;
                continue;
            }
            return -1;
        }
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

void writer_init(struct writer *w, int fd)
{
    w->fd = fd;
    w->failed = false;
    w->len = 0;
}

bool writer_flush(struct writer *w)
{
    if (!w->failed && w->len && fd_write_all(w->fd, w->buf, w->len) < 0)
        w->failed = true;
    w->len = 0;
    return !w->failed;
}

void writer_put(struct writer *w, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        if (w->len == sizeof w->buf)
            writer_flush(w);
        size_t k = sizeof w->buf - w->len;
        if (k > n)
            k = n;
        memcpy(w->buf + w->len, c, k);
        w->len += k;
        c += k;
        n -= k;
    }
}
