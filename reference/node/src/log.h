/* Diagnostics of tamtam-node: one line per message on stderr. */
#ifndef NODE_LOG_H
#define NODE_LOG_H

#include <stdbool.h>

/* Writes "tamtam-node: <message>\n" to stderr. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* As log_msg, only when verbose logging was switched on. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Switches log_verbose on or off. */
void log_set_verbose(bool on);

/* Returns whether log_verbose prints. */
bool log_is_verbose(void);

/* Counts one more occurrence in *count and returns true when the new count
 * is a power of two, so a flood of one event logs a few lines, not one per
 * occurrence. */
bool log_sparse(unsigned long *count);

/* Logs "out of memory" and exits with status 70 (EX_SOFTWARE). Returns `p`
 * when it is not NULL, so allocations read need(malloc(n)). */
void *need(void *p);

#endif
