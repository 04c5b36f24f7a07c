/* tamtam-node splinter: the reference Splinter service over TCP and unix
 * sockets (spec/splinter-envelope.md; behaviour in README.md, "Splinter
 * service"). */
#ifndef NODE_SPLINTER_NODE_H
#define NODE_SPLINTER_NODE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "url.h"

#define SPLINTER_DEFAULT_URL "tcp://127.0.0.1:4775"
#define SPLINTER_DEFAULT_INBOX 1024u

struct splinter_opts {
    const cJSON *allow; /* SP-6-c allow-list, or NULL: everything allowed */
    unsigned inbox;     /* --inbox: judged lines waiting for work, at most */
    const char *name;   /* the service's `from` */
    unsigned max_conns;
};

/* Reads the allow-list JSON file `path` (at most 1 MiB) and checks its
 * shape with libsplinter. Returns the parsed object (the caller deletes
 * it), or NULL with `why` filled. */
cJSON *splinter_load_allow(const char *path, char *why, size_t why_cap);

/* Listens on each of the `n` URLs (tcp:// or unix://), prints one line
 * "listening URL" per listener on stdout (in the order given, with actual
 * ports) and serves Splinter envelopes until SIGINT or SIGTERM. Returns 0
 * after a clean stop, 1 when a listener cannot be set up. */
int splinter_run(const struct url *urls, size_t n,
                 const struct splinter_opts *o);

#endif
