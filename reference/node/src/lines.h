/* Newline-delimited input with a cap on the line length: a line longer
 * than the cap is reported once and skipped up to its newline, never
 * buffered whole. */
#ifndef NODE_LINES_H
#define NODE_LINES_H

#include <stdbool.h>
#include <stddef.h>

enum line_status {
    LINE_OK,       /* *line holds one line, without its '\n', NUL-terminated */
    LINE_TOO_LONG, /* a line exceeded the cap; the rest of it is skipped */
    LINE_EOF,      /* end of input */
    LINE_ERROR     /* read failed (errno set) */
};

struct line_reader {
    int fd;
    size_t max;      /* longest line accepted, in bytes without '\n' */
    char *buf;
    size_t cap;      /* allocated size of buf */
    size_t start;    /* first byte of the current line */
    size_t len;      /* bytes held in buf */
    size_t scanned;  /* bytes from start already searched for '\n' */
    bool skipping;   /* inside an over-long line */
    bool eof;
};

/* Prepares `lr` to read lines of at most `max` bytes from `fd`. */
void line_reader_init(struct line_reader *lr, int fd, size_t max);

/* Frees the buffer. */
void line_reader_free(struct line_reader *lr);

/* Reads the next line. A last line without '\n' is returned as a line.
 * Returns a line_status; with LINE_OK, *line and *len describe the line,
 * valid until the next call. */
enum line_status line_next(struct line_reader *lr, char **line, size_t *len);

#endif
