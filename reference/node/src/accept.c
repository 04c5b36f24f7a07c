/* The spare-descriptor technique (as libuv and libev use) against a
 * listener that stays readable while accept keeps failing with EMFILE. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "accept.h"
#include "log.h"

/* Connections closed per call, so a flood cannot hold the loop. */
#define SHED_MAX 1024

static int reserve_fd = -1;

void accept_reserve_init(void)
{
    if (reserve_fd < 0)
        reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void shed_backlog(int lfd)
{
    static unsigned long shed;
    for (int i = 0; i < SHED_MAX && reserve_fd >= 0; i++) {
        close(reserve_fd);
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            close(fd);
        reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        if (log_sparse(&shed))
            log_msg("out of file descriptors: %lu connections closed "
                    "unserved so far",
                    shed);
    }
}

int accept_conn(int lfd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
    socklen_t cap = addrlen ? *addrlen : 0;
    for (;;) {
        if (addrlen)
            *addrlen = cap;
        int fd = accept4(lfd, addr, addrlen, flags | SOCK_CLOEXEC);
        if (fd >= 0)
            return fd;
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE) {
            shed_backlog(lfd);
            errno = EMFILE;
        }
        return -1;
    }
}
