/* Echo of one stream connection: frames are cut by tt_stream (a discarded
 * frame is skipped by exactly its length, CF-12.3-a) and valid ones are sent
 * back byte for byte. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"

struct conn *conn_new(int fd, tt_crc crc, const char *peer)
{
    struct conn *c = need(calloc(1, sizeof *c));
    c->fd = fd;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    tt_stream_init(&c->rx, crc);
    return c;
}

void conn_free(struct conn *c)
{
    log_verbose("%s: closed; %llu frames echoed, %llu discarded", c->peer,
                (unsigned long long)c->echoed,
                (unsigned long long)c->discarded);
    close(c->fd);
    free(c->out);
    free(c);
}

bool conn_wants_read(const struct conn *c)
{
    return !c->peer_done && c->out_len - c->out_off < CONN_OUT_CAP;
}

bool conn_wants_write(const struct conn *c)
{
    return c->out_len > c->out_off;
}

static void queue(struct conn *c, const uint8_t *p, size_t n)
{
    if (c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_cap - c->out_len < n) {
        size_t cap = c->out_cap ? 2 * c->out_cap : CONN_READ_MAX;
        while (cap - c->out_len < n)
            cap *= 2;
        c->out = need(realloc(c->out, cap));
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

static void note_discard(struct conn *c, const tt_stream_event *ev)
{
    c->discarded++;
    log_verbose("%s: discarded a frame at offset %llu: %s", c->peer,
                (unsigned long long)ev->offset, tt_error_name(ev->status));
}

static enum conn_state fail(struct conn *c, const char *what)
{
    log_verbose("%s: %s: %s", c->peer, what, strerror(errno));
    return CONN_DONE;
}

enum conn_state conn_write(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return fail(c, "send");
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    return c->peer_done && c->out_len == 0 ? CONN_DONE : CONN_OPEN;
}

enum conn_state conn_read(struct conn *c, uint8_t *scratch, size_t cap)
{
    ssize_t n;
    do
        n = recv(c->fd, scratch, cap < CONN_READ_MAX ? cap : CONN_READ_MAX, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_OPEN
                                                       : fail(c, "recv");
    if (n == 0) {
        c->peer_done = true;
        if (tt_stream_pending(&c->rx))
            log_verbose("%s: stream ended inside a frame; %zu bytes dropped",
                        c->peer, tt_stream_pending(&c->rx));
        return conn_write(c);
    }

    const uint8_t *p = scratch;
    size_t left = (size_t)n;
    tt_stream_event ev;
    while (tt_stream_next(&c->rx, &p, &left, &ev) > 0) {
        if (ev.status != 0) {
            note_discard(c, &ev);
            continue;
        }
        queue(c, ev.frame.bytes, ev.frame.frame_len);
        c->echoed++;
    }
    return conn_write(c);
}
