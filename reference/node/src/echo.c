/* The echo node's event loop: one epoll set over every listener and
 * connection, non-blocking sockets, level-triggered. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accept.h"
#include "conn.h"
#include "echo.h"
#include "log.h"
#include "signals.h"

#define MAX_EVENTS 256
#define ACCEPT_BATCH 64   /* connections taken per wakeup, for fairness */
#define DGRAM_BATCH 64    /* datagrams taken per wakeup */
#define DGRAM_MAX 65536   /* larger than any UDP payload */

enum kind { KIND_LISTENER, KIND_DGRAM, KIND_CONN };

struct listener {
    int kind; /* first member, as in struct conn */
    int fd;
    const struct url *url;
    char name[160];
};

struct echo {
    int ep;
    tt_crc crc;
    unsigned max_conns;
    size_t nconns;
    unsigned long refused;
    struct conn *conns;
    struct listener *listeners;
    size_t nlisteners;
    uint8_t scratch[DGRAM_MAX];
};

static void update_interest(struct echo *e, struct conn *c)
{
    uint32_t want = (conn_wants_read(c) ? EPOLLIN : 0) |
                    (conn_wants_write(c) ? EPOLLOUT : 0);
    if (want == c->events)
        return;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    if (epoll_ctl(e->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->events = want;
}

static void close_conn(struct echo *e, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        e->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    e->nconns--;
    conn_free(c);
}

static void on_conn(struct echo *e, struct conn *c, uint32_t events)
{
    enum conn_state st = CONN_OPEN;
    if (events & (EPOLLERR | EPOLLHUP)) {
        st = CONN_DONE;
    } else {
        if ((events & EPOLLIN) && conn_wants_read(c))
            st = conn_read(c, e->scratch, sizeof e->scratch);
        if (st == CONN_OPEN && (events & EPOLLOUT))
            st = conn_write(c);
    }
    if (st == CONN_DONE)
        close_conn(e, c);
    else
        update_interest(e, c);
}

static void refuse(struct echo *e, int fd)
{
    close(fd);
    if (log_sparse(&e->refused))
        log_msg("%lu connections refused so far (--max-conns %u)", e->refused,
                e->max_conns);
}

static void on_listener(struct echo *e, struct listener *l)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept_conn(l->fd, (struct sockaddr *)&ss, &len,
                             SOCK_NONBLOCK);
        if (fd < 0)
            return;
        if (e->nconns >= e->max_conns) {
            refuse(e, fd);
            continue;
        }
        char peer[sizeof ((struct conn *)0)->peer];
        if (l->url->scheme == URL_TCP) {
            int one = 1;
            /* Echoes are small and latency-bound: no Nagle delay. */
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            url_format_addr(URL_TCP, &ss, len, peer, sizeof peer);
        } else {
            snprintf(peer, sizeof peer, "%s (fd %d)", l->name, fd);
        }
        struct conn *c = conn_new(fd, e->crc, peer);
        c->kind = KIND_CONN;
        c->events = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(e->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            log_msg("epoll_ctl: %s", strerror(errno));
            conn_free(c);
            continue;
        }
        c->next = e->conns;
        if (e->conns)
            e->conns->prev = c;
        e->conns = c;
        e->nconns++;
        log_verbose("%s: connected", c->peer);
    }
}

static void on_dgram(struct echo *e, struct listener *l)
{
    for (int i = 0; i < DGRAM_BATCH; i++) {
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(l->fd, e->scratch, sizeof e->scratch, 0,
                             (struct sockaddr *)&from, &flen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log_verbose("%s: recvfrom: %s", l->name, strerror(errno));
            return;
        }
        tt_frame f;
        int r = tt_decode(e->scratch, (size_t)n, e->crc, &f);
        if (r < 0) {
            log_verbose("%s: dropped a datagram of %zd bytes: %s", l->name, n,
                        tt_error_name(r));
            continue;
        }
        if (r < n)
            log_verbose("%s: ignored %zd bytes after the frame", l->name,
                        n - r);
        /* UDP keeps no queue: a reply the socket cannot take now is lost,
         * as any datagram may be. */
        if (sendto(l->fd, e->scratch, (size_t)r, MSG_NOSIGNAL,
                   (struct sockaddr *)&from, flen) < 0)
            log_verbose("%s: sendto: %s", l->name, strerror(errno));
    }
}

/* Every connection needs a descriptor: lift the soft limit toward the
 * hard one when --max-conns asks for more. */
static void raise_fd_limit(unsigned max_conns)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)max_conns + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
        log_msg("descriptor limit %llu is below --max-conns %u plus "
                "listeners; extra connections will be refused",
                (unsigned long long)rl.rlim_cur, max_conns);
}

static void shut_down(struct echo *e)
{
    while (e->conns)
        close_conn(e, e->conns);
    for (size_t i = 0; i < e->nlisteners; i++) {
        struct listener *l = &e->listeners[i];
        if (l->fd < 0)
            continue;
        close(l->fd);
        if (l->url->scheme == URL_UNIX)
            unlink(l->url->path);
    }
    free(e->listeners);
    if (e->ep >= 0)
        close(e->ep);
    free(e);
}

static int open_listeners(struct echo *e, const struct url *urls, size_t n)
{
    e->listeners = need(calloc(n, sizeof *e->listeners));
    for (size_t i = 0; i < n; i++) {
        struct listener *l = &e->listeners[i];
        const char *why;
        l->fd = -1;
        l->url = &urls[i];
        e->nlisteners++;
        l->fd = url_listen(&urls[i], l->name, sizeof l->name, &why);
        if (l->fd < 0) {
            log_msg("%s: %s", why, strerror(errno));
            return -1;
        }
        l->kind = urls[i].scheme == URL_UDP ? KIND_DGRAM : KIND_LISTENER;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
        if (epoll_ctl(e->ep, EPOLL_CTL_ADD, l->fd, &ev) < 0) {
            log_msg("epoll_ctl: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

int echo_run(const struct url *urls, size_t n, tt_crc crc, unsigned max_conns)
{
    struct echo *e = need(calloc(1, sizeof *e));
    e->crc = crc;
    e->max_conns = max_conns;
    e->ep = epoll_create1(EPOLL_CLOEXEC);
    if (e->ep < 0 || signals_catch() < 0) {
        log_msg("cannot set up the event loop: %s", strerror(errno));
        shut_down(e);
        return 1;
    }
    if (open_listeners(e, urls, n) < 0) {
        shut_down(e);
        return 1;
    }
    raise_fd_limit(max_conns);
    accept_reserve_init();
    for (size_t i = 0; i < e->nlisteners; i++)
        printf("listening %s\n", e->listeners[i].name);
    fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    while (!signals_stop_requested()) {
        int k = epoll_pwait(e->ep, evs, MAX_EVENTS, -1, signals_wait_mask());
        if (k < 0) {
            if (errno == EINTR)
                continue;
            log_msg("epoll_wait: %s", strerror(errno));
            break;
        }
        /* Only the connection an event names is ever closed while handling
         * it, so later events of the batch never point at freed memory. */
        for (int i = 0; i < k; i++) {
            int kind = *(int *)evs[i].data.ptr;
            if (kind == KIND_CONN)
                on_conn(e, evs[i].data.ptr, evs[i].events);
            else if (kind == KIND_LISTENER)
                on_listener(e, evs[i].data.ptr);
            else
                on_dgram(e, evs[i].data.ptr);
        }
    }
    shut_down(e);
    return 0;
}
