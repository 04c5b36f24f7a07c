/* Whole-file helpers. Writers go through PATH.tmp and rename, so a reader
 * never sees half a file. */
#ifndef TT_VECTORS_FILES_H
#define TT_VECTORS_FILES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define FILE_PATH_MAX 4096

/* Returns the NUL-terminated contents of `path` and its length in *len, or
 * NULL (errno set) when it cannot be read or is larger than `cap` bytes. */
char *file_read(const char *path, size_t cap, size_t *len);

/* Returns PATH.tmp (its name in `tmp`) opened for writing, or NULL with a
 * message. */
FILE *file_begin(const char *path, char *tmp, size_t tmpcap);

/* Closes `fp` and, when `ok`, renames `tmp` to `path`. Returns 0, or -1 with
 * a message (the temporary file removed). */
int file_commit(FILE *fp, const char *tmp, const char *path, bool ok);

/* Writes `len` bytes. Returns 0, or -1 with a message. */
int file_write(const char *path, const void *data, size_t len);

/* Writes the object `doc` with the members in order, the array member
 * `array_key` last, one array item per line (diff- and grep-friendly).
 * Returns 0, or -1 with a message. */
int file_write_json_lines(const char *path, const cJSON *doc,
                          const char *array_key);

#endif
