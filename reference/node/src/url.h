/* Listen addresses of tamtam-node: tcp://HOST:PORT, udp://HOST:PORT and
 * unix:///path. HOST may be a name, an IPv4 address or a bracketed IPv6
 * address; it defaults to 127.0.0.1 and PORT to 4774 (the TamTam port). */
#ifndef NODE_URL_H
#define NODE_URL_H

#include <stddef.h>
#include <sys/un.h>

#define URL_DEFAULT_HOST "127.0.0.1"
#define URL_DEFAULT_PORT "4774"

enum url_scheme { URL_TCP, URL_UDP, URL_UNIX };

struct url {
    enum url_scheme scheme;
    char host[256];                            /* tcp, udp */
    char port[6];                              /* tcp, udp: "0".."65535" */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unix */
};

/* Parses `text` into `u`. Returns 0, or -1 with *why set to a static
 * sentence naming the problem. */
int url_parse(const char *text, struct url *u, const char **why);

/* Creates a non-blocking, close-on-exec socket bound to `u` (listening, for
 * tcp and unix). A unix path left behind by a dead process is replaced; one
 * a live process listens on is not. Writes the bound address as a URL (with
 * the actual port when PORT was 0) into `bound`. Returns the descriptor, or
 * -1 with *why set to a static sentence (errno tells the rest). */
int url_listen(const struct url *u, char *bound, size_t bound_cap,
               const char **why);

/* Writes the numeric address of a socket as "tcp://1.2.3.4:5",
 * "udp://[::1]:5" or "unix:///path" into `out`. `scheme` names the
 * transport; a unix address without a path (an unbound client) is written
 * as "unix://". Returns `out`. */
char *url_format_addr(enum url_scheme scheme, const void *sockaddr,
                      unsigned addrlen, char *out, size_t cap);

#endif
