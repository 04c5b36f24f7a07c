/* Listen URLs: parsing, binding, and printing addresses back as URLs. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "url.h"

#define LISTEN_BACKLOG 1024

static const char *const scheme_prefix[] = {
    [URL_TCP] = "tcp://", [URL_UDP] = "udp://", [URL_UNIX] = "unix://"};

static int parse_port(const char *s, size_t n, char *out)
{
    if (n == 0 || n > 5)
        return -1;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > 65535)
        return -1;
    snprintf(out, 6, "%lu", v);
    return 0;
}

static int parse_host_port(const char *s, struct url *u, const char **why)
{
    const char *host = s, *host_end, *port = NULL;
    if (*s == '[') {
        host = s + 1;
        host_end = strchr(host, ']');
        if (!host_end)
            return *why = "IPv6 address lacks its closing ']'", -1;
        if (host_end[1] == ':')
            port = host_end + 2;
        else if (host_end[1] != '\0')
            return *why = "expected ':PORT' after ']'", -1;
    } else {
        host_end = strchr(s, ':');
        if (host_end) {
            port = host_end + 1;
            if (strchr(port, ':'))
                return *why = "an IPv6 address must be written in brackets",
                       -1;
        } else {
            host_end = s + strlen(s);
        }
    }
    size_t hlen = (size_t)(host_end - host);
    if (hlen >= sizeof u->host)
        return *why = "host name too long", -1;
    if (hlen == 0) {
        strcpy(u->host, URL_DEFAULT_HOST);
    } else {
        memcpy(u->host, host, hlen);
        u->host[hlen] = '\0';
    }
    if (!port) {
        strcpy(u->port, URL_DEFAULT_PORT);
    } else if (parse_port(port, strlen(port), u->port) < 0) {
        return *why = "PORT must be a number 0..65535", -1;
    }
    return 0;
}

int url_parse(const char *text, struct url *u, const char **why)
{
    static const char *unused;
    if (!why)
        why = &unused;
    memset(u, 0, sizeof *u);
    for (int k = URL_TCP; k <= URL_UNIX; k++) {
        size_t n = strlen(scheme_prefix[k]);
        if (strncmp(text, scheme_prefix[k], n) != 0)
            continue;
        u->scheme = (enum url_scheme)k;
        const char *rest = text + n;
        if (k != URL_UNIX)
            return parse_host_port(rest, u, why);
        if (*rest == '\0')
            return *why = "unix:// needs a path", -1;
        size_t len = strlen(rest);
        if (len >= sizeof u->path)
            return *why = "unix socket path too long", -1;
        memcpy(u->path, rest, len + 1);
        return 0;
    }
    return *why = "expected tcp://HOST:PORT, udp://HOST:PORT or unix:///path",
           -1;
}

char *url_format_addr(enum url_scheme scheme, const void *sockaddr,
                      unsigned addrlen, char *out, size_t cap)
{
    const struct sockaddr *sa = sockaddr;
    if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = sockaddr;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t n = addrlen > off ? addrlen - off : 0;
        n = strnlen(un->sun_path, n < sizeof un->sun_path ? n : sizeof un->sun_path);
        snprintf(out, cap, "unix://%.*s", (int)n, un->sun_path);
        return out;
    }
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo(sa, addrlen, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, cap, "%s?", scheme_prefix[scheme]);
        return out;
    }
    if (sa->sa_family == AF_INET6)
        snprintf(out, cap, "%s[%s]:%s", scheme_prefix[scheme], host, port);
    else
        snprintf(out, cap, "%s%s:%s", scheme_prefix[scheme], host, port);
    return out;
}

static void describe_bound(const struct url *u, int fd, char *bound, size_t cap)
{
    struct sockaddr_storage ss = {0};
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        snprintf(bound, cap, "%s?", scheme_prefix[u->scheme]);
        return;
    }
    url_format_addr(u->scheme, &ss, len, bound, cap);
}

/* True when nobody accepts on the unix socket at `path`: a leftover of a
 * process that died without removing it. */
static bool unix_path_is_stale(const struct sockaddr_un *sun)
{
    struct stat st;
    if (lstat(sun->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
        return false;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    int r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
    int err = errno;
    close(fd);
    return r < 0 && err == ECONNREFUSED;
}

static int listen_unix(const struct url *u, const char **why)
{
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    /* u->path is sized like sun_path and NUL-terminated by url_parse. */
    memcpy(sun.sun_path, u->path, sizeof sun.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return *why = "cannot create a unix socket", -1;
    int r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
    if (r < 0 && errno == EADDRINUSE && unix_path_is_stale(&sun)) {
        unlink(sun.sun_path);
        r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
    }
    if (r < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return *why = "cannot bind the unix socket path", -1;
    }
    if (listen(fd, LISTEN_BACKLOG) < 0) {
        int err = errno;
        close(fd);
        unlink(sun.sun_path);
        errno = err;
        return *why = "cannot listen on the unix socket", -1;
    }
    return fd;
}

static int listen_inet(const struct url *u, const char **why)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = u->scheme == URL_UDP ? SOCK_DGRAM : SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(u->host, u->port, &hints, &res) != 0) {
        errno = EINVAL;
        return *why = "cannot resolve the host", -1;
    }
    int fd = -1, err = 0;
    *why = "cannot bind the address";
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family,
                    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        if (u->scheme == URL_TCP)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
            (u->scheme == URL_TCP && listen(fd, LISTEN_BACKLOG) < 0)) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        errno = err;
    return fd;
}

int url_listen(const struct url *u, char *bound, size_t bound_cap,
               const char **why)
{
    static const char *unused;
    if (!why)
        why = &unused;
    int fd = u->scheme == URL_UNIX ? listen_unix(u, why) : listen_inet(u, why);
    if (fd >= 0)
        describe_bound(u, fd, bound, bound_cap);
    return fd;
}
