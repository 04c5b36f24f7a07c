/* accept(2) for event loops, including when descriptors run out. */
#ifndef NODE_ACCEPT_H
#define NODE_ACCEPT_H

#include <sys/socket.h>

/* Sets aside one descriptor so that connections can still be taken off the
 * backlog and closed when the process runs out (EMFILE). Call once. */
void accept_reserve_init(void);

/* Accepts one connection on listening socket `lfd` with accept4 `flags`
 * (SOCK_CLOEXEC is always added). `addr`/`addrlen` may be NULL. On EMFILE
 * or ENFILE, connections waiting in the backlog are accepted and closed at
 * once (so a level-triggered loop does not spin) and -1 is returned with
 * errno EMFILE. Returns the new descriptor, or -1 with errno set (EAGAIN
 * when no connection is waiting). */
int accept_conn(int lfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

#endif
