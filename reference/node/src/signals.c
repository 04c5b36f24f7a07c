/* SIGINT/SIGTERM end the loop cleanly; SIGCHLD only wakes it (shim listener
 * reaps its sessions). */
#include <string.h>

#include "signals.h"

static volatile sig_atomic_t stop_requested;
static sigset_t wait_mask;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void on_child(int sig)
{
    (void)sig;
}

void signals_ignore_pipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}

int signals_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the waiting call must return EINTR. */
    sa.sa_handler = on_stop;
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    sa.sa_handler = on_child;
    sa.sa_flags = SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) < 0)
        return -1;

    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &block, &wait_mask) < 0)
        return -1;
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
    sigdelset(&wait_mask, SIGCHLD);
    return 0;
}

const sigset_t *signals_wait_mask(void)
{
    return &wait_mask;
}

bool signals_stop_requested(void)
{
    return stop_requested != 0;
}

void signals_reset_in_child(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_SETMASK, &wait_mask, NULL);
}
