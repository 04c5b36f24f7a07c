/* URLs of the harness (tcp://, udp://, unix://) and connecting with a
 * deadline. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "run.h"

const char *tr_scheme_name(tr_scheme s)
{
    return s == TR_TCP ? "tcp" : s == TR_UDP ? "udp" : "unix";
}

int tr_url_parse(const char *url, tr_url *u, char *why, size_t whylen)
{
    memset(u, 0, sizeof *u);
    const char *rest;
    if (!strncmp(url, "tcp://", 6))
        u->scheme = TR_TCP, rest = url + 6;
    else if (!strncmp(url, "udp://", 6))
        u->scheme = TR_UDP, rest = url + 6;
    else if (!strncmp(url, "unix://", 7))
        u->scheme = TR_UNIX, rest = url + 7;
    else
        return snprintf(why, whylen,
                        "%s: URL must start with tcp://, udp:// or unix://",
                        url),
               -1;
    if (u->scheme == TR_UNIX) {
        if (!*rest || strlen(rest) >= sizeof u->path)
            return snprintf(why, whylen, "%s: bad socket path", url), -1;
        snprintf(u->path, sizeof u->path, "%s", rest);
        return 0;
    }
    const char *colon;
    size_t hlen;
    if (*rest == '[') {
        const char *end = strchr(rest, ']');
        if (!end || end[1] != ':')
            return snprintf(why, whylen, "%s: expected [ADDRESS]:PORT", url),
                   -1;
        hlen = (size_t)(end - rest - 1);
        rest++;
        colon = end + 1;
    } else {
        colon = strrchr(rest, ':');
        if (!colon)
            return snprintf(why, whylen, "%s: expected HOST:PORT", url), -1;
        hlen = (size_t)(colon - rest);
    }
    if (!hlen || hlen >= sizeof u->host || !colon[1] ||
        strlen(colon + 1) >= sizeof u->port ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return snprintf(why, whylen, "%s: expected HOST:PORT", url), -1;
    memcpy(u->host, rest, hlen);
    snprintf(u->port, sizeof u->port, "%s", colon + 1);
    return 0;
}

/* Waits for a non-blocking connect to finish. Returns 0 or an errno. */
static int finish_connect(int fd, int64_t deadline)
{
    struct pollfd p = {fd, POLLOUT, 0};
    for (;;) {
        int64_t left = deadline - tr_now_ms();
        int r = poll(&p, 1, left > 0 ? (int)left : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0 ? ETIMEDOUT : errno;
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
        return err;
    }
}

static int open_connect(int family, int type, const struct sockaddr *sa,
                        socklen_t salen, int64_t deadline)
{
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int err = 0;
    if (connect(fd, sa, salen) != 0) {
        err = errno;
        if (err == EINPROGRESS || err == EAGAIN)
            err = finish_connect(fd, deadline);
    }
    if (err) {
        close(fd);
        return -err;
    }
    if (family != AF_UNIX && type == SOCK_STREAM) {
        /* Small writes must leave as written (one-byte and split cases). */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

int tr_connect(const tr_url *u, int64_t deadline, char *why, size_t whylen)
{
    if (u->scheme == TR_UNIX) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        snprintf(sun.sun_path, sizeof sun.sun_path, "%s", u->path);
        int fd = open_connect(AF_UNIX, SOCK_STREAM, (struct sockaddr *)&sun,
                              sizeof sun, deadline);
        if (fd < 0)
            snprintf(why, whylen, "connect unix://%s: %s", u->path,
                     strerror(-fd));
        return fd < 0 ? -1 : fd;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = u->scheme == TR_UDP ? SOCK_DGRAM : SOCK_STREAM;
    int gai = getaddrinfo(u->host, u->port, &hints, &res);
    if (gai)
        return snprintf(why, whylen, "%s: %s", u->host, gai_strerror(gai)), -1;
    int fd = -EADDRNOTAVAIL;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = open_connect(a->ai_family, a->ai_socktype, a->ai_addr,
                          a->ai_addrlen, deadline);
        if (fd >= 0)
            break;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(why, whylen, "connect %s://%s:%s: %s",
                 tr_scheme_name(u->scheme), u->host, u->port, strerror(-fd));
    return fd < 0 ? -1 : fd;
}
