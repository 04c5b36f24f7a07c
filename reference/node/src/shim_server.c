/* The shim over TCP (or a unix socket): one process per connection, so each
 * session is independent and a session that dies takes nothing else with
 * it. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accept.h"
#include "log.h"
#include "shim.h"
#include "signals.h"

struct sessions {
    pid_t *pids;
    size_t count, cap;
};

static void reap(struct sessions *s)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (size_t i = 0; i < s->count; i++) {
            if (s->pids[i] == pid) {
                s->pids[i] = s->pids[--s->count];
                break;
            }
        }
        if (WIFSIGNALED(status))
            log_msg("shim session %ld ended by signal %d", (long)pid,
                    WTERMSIG(status));
    }
}

static void serve_session(int fd, int lfd, struct sessions *s, tt_crc crc)
{
    signals_reset_in_child();
    close(lfd);
    free(s->pids);
    int status = shim_run(fd, fd, crc);
    close(fd);
    exit(status);
}

int shim_serve(const struct url *u, tt_crc crc, unsigned max_conns)
{
    if (signals_catch() < 0) {
        log_msg("cannot set up signal handling: %s", strerror(errno));
        return 1;
    }
    char bound[160];
    const char *why;
    int lfd = url_listen(u, bound, sizeof bound, &why);
    if (lfd < 0) {
        log_msg("shim: %s: %s", why, strerror(errno));
        return 1;
    }
    printf("listening %s\n", bound);
    fflush(stdout);
    accept_reserve_init();

    struct sessions s = {.pids = need(calloc(max_conns, sizeof(pid_t))),
                         .cap = max_conns};
    unsigned long refused = 0;
    while (!signals_stop_requested()) {
        reap(&s);
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        if (ppoll(&pfd, 1, NULL, signals_wait_mask()) < 0) {
            if (errno == EINTR)
                continue;
            log_msg("shim: poll: %s", strerror(errno));
            break;
        }
        /* Sessions use blocking I/O: each has its process to itself. */
        int fd = accept_conn(lfd, NULL, NULL, 0);
        if (fd < 0)
            continue;
        if (s.count == s.cap) {
            close(fd);
            if (log_sparse(&refused))
                log_msg("shim: %lu connections refused so far "
                        "(--max-conns %u)",
                        refused, max_conns);
            continue;
        }
        pid_t pid = fork();
        if (pid == 0)
            serve_session(fd, lfd, &s, crc);
        if (pid < 0)
            log_msg("shim: cannot start a session: %s", strerror(errno));
        else
            s.pids[s.count++] = pid;
        close(fd);
    }

    for (size_t i = 0; i < s.count; i++)
        kill(s.pids[i], SIGTERM);
    for (size_t i = 0; i < s.count; i++)
        waitpid(s.pids[i], NULL, 0);
    free(s.pids);
    close(lfd);
    if (u->scheme == URL_UNIX)
        unlink(u->path);
    return 0;
}
