/* Signal handling of the long-running modes (echo node, shim listener).
 *
 * SIGINT, SIGTERM and SIGCHLD stay blocked except inside the one waiting call
 * of the event loop (epoll_pwait / ppoll with signals_wait_mask()), so a stop
 * request can never slip in between checking the flag and going to sleep. */
#ifndef NODE_SIGNALS_H
#define NODE_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Ignores SIGPIPE (a peer that went away shows up as EPIPE instead). */
void signals_ignore_pipe(void);

/* Installs the SIGINT/SIGTERM/SIGCHLD handlers and blocks the three signals.
 * Returns 0, or -1 with errno set. */
int signals_catch(void);

/* Returns the mask to pass to epoll_pwait / ppoll: the caller's mask with the
 * three signals unblocked. */
const sigset_t *signals_wait_mask(void);

/* Returns true once SIGINT or SIGTERM arrived. */
bool signals_stop_requested(void);

/* In a forked child: default SIGINT/SIGTERM/SIGCHLD handling, nothing
 * blocked (SIGPIPE stays ignored). */
void signals_reset_in_child(void);

#endif
