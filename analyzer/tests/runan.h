/*
 * Runs the tamtam-analyze binary under test and collects what it printed:
 * exit status, stdout, stderr and, for --json runs, every line parsed with
 * cJSON (a line that does not parse fails the test).
 */
#ifndef RUNAN_H
#define RUNAN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct an_result {
    int status; /* exit status, or 128 + signal */
    long maxrss_kib; /* the analyzer's peak resident memory (ru_maxrss) */
    char *out, *err;
    cJSON **line;
    size_t nlines;
} an_result;

/* Path of the binary; set from argv[1] by each test program. */
extern const char *an_bin;

/* Runs an_bin with `args` (NULL-terminated, without argv[0]); stdin from
 * `stdin_path` when not NULL. With `json`, parses every stdout line. */
void an_run(an_result *r, const char *const *args, const char *stdin_path,
            int json);
void an_result_free(an_result *r);

/* Prints "peak memory: WHAT: N KiB" (the README's hostile-input matrix
 * is read from these lines) and fails when the analyzer's peak resident
 * memory passed `cap_kib` (four times that under ASan, whose shadow memory
 * and quarantine are not the analyzer's). */
void an_check_peak(const an_result *r, const char *what, long cap_kib);

/* Fills r->out and r->line from a file of ndjson (r->status untouched). */
void an_parse_file(an_result *r, const char *path);

/* Number of lines with "type" == type, and the n-th of them (NULL if none). */
size_t an_count(const an_result *r, const char *type);
const cJSON *an_nth(const an_result *r, const char *type, size_t n);

/* The n-th "frame" line whose "src" is `src` (NULL if none), and how many
 * frame lines have that src. */
const cJSON *an_frame_from(const an_result *r, const char *src, size_t n);
size_t an_frames_from(const an_result *r, const char *src);

/* Member values; a missing member or a wrong type fails the test. */
int64_t an_int(const cJSON *o, const char *key);
const char *an_str(const cJSON *o, const char *key);
int an_bool(const cJSON *o, const char *key);

/* A fresh directory for a test's files, and a path inside it. */
const char *an_tmpdir(void);
const char *an_path(const char *name);

#endif
