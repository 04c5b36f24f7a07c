/* Diagnostics go to stderr; stdout belongs to the protocol. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static bool verbose;

static void vlog(const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    /* One fprintf per message keeps lines whole when several processes
     * (shim sessions) share the stream. */
    fprintf(stderr, "tamtam-node: %s\n", line);
}

void log_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
    if (!verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void log_set_verbose(bool on)
{
    verbose = on;
}

bool log_is_verbose(void)
{
    return verbose;
}

bool log_sparse(unsigned long *count)
{
    unsigned long n = ++*count;
    return (n & (n - 1)) == 0;
}

void *need(void *p)
{
    if (!p) {
        log_msg("out of memory");
        exit(70);
    }
    return p;
}
