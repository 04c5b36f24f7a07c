/* Clock, capped string buffers, sanitising and allocation for the runner. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"

int64_t tr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tr_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void tr_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void *tr_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("tamtam-run: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

void *tr_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("tamtam-run: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

char *tr_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(tr_xmalloc(n), s, n);
}

static bool buf_reserve(tr_buf *b, size_t extra)
{
    if (b->len + extra + 1 > TR_BUF_MAX)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    if (cap > TR_BUF_MAX)
        cap = TR_BUF_MAX;
    char *s = realloc(b->s, cap);
    if (!s) {
        fputs("tamtam-run: out of memory\n", stderr);
        exit(2);
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void tr_buf_printf(tr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (!buf_reserve(b, (size_t)n)) {
        if (b->len + 4 < TR_BUF_MAX && buf_reserve(b, 3)) {
            memcpy(b->s + b->len, "...", 4);
            b->len += 3;
        }
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tr_buf_hex(tr_buf *b, const uint8_t *p, size_t len, size_t max_bytes)
{
    bool cut = len > max_bytes;
    size_t n = cut ? max_bytes : len;
    if (!buf_reserve(b, 2 * n))
        return;
    ttj_hex_encode(p, n, b->s + b->len);
    b->len += 2 * n;
    if (cut)
        tr_buf_printf(b, "...(%zu bytes)", len);
}

char *tr_buf_take(tr_buf *b)
{
    char *s = b->s ? b->s : tr_xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void tr_buf_free(tr_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

void tr_sanitize(char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7E))
            *s = '?';
    }
}

void tr_sanitize_json(cJSON *j)
{
    for (; j; j = j->next) {
        if (cJSON_IsString(j) && j->valuestring)
            tr_sanitize(j->valuestring);
        if (j->string)
            tr_sanitize(j->string);
        tr_sanitize_json(j->child);
    }
}

int tr_opt_number(const char *opt, const char *arg, double min, double max,
                  double *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (*arg < '0' || *arg > '9' || *end || errno || (double)v < min ||
        (double)v > max) {
        fprintf(stderr, "tamtam-run: %s takes %.0f..%.0f\n", opt, min, max);
        return -1;
    }
    *out = (double)v;
    return 0;
}

int tr_opt_crc(const char *arg)
{
    int crc = tt_crc_from_name(arg);
    if (crc < 0)
        fprintf(stderr, "tamtam-run: unknown CRC-8 variant \"%s\" (try "
                        "CRC-8/SMBUS, rohc, ...)\n",
                arg);
    return crc;
}

int tr_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    /* fclose releases the stream whatever it returns: called once. */
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "tamtam-run: cannot write %s: %s\n", path,
                strerror(errno));
    return ok ? 0 : -1;
}

cJSON *tr_read_json(const char *path, size_t max, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = tr_xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= max) {
                fclose(f);
                free(text);
                snprintf(why, whylen, "larger than %zu MiB", max >> 20);
                return NULL;
            }
            cap *= 2;
            char *t = realloc(text, cap);
            if (!t) {
                fclose(f);
                free(text);
                snprintf(why, whylen, "out of memory");
                return NULL;
            }
            text = t;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    bool err = ferror(f);
    fclose(f);
    text[len] = '\0';
    if (err) {
        free(text);
        snprintf(why, whylen, "read error");
        return NULL;
    }
    /* The terminating NUL is part of the length, so bytes after the
     * document (but whitespace) are an error. */
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, NULL, true);
    if (!doc) {
        const char *at = cJSON_GetErrorPtr();
        snprintf(why, whylen, "not valid JSON (near byte %ld)",
                 at && at >= text && at <= text + len ? (long)(at - text)
                                                      : -1L);
    }
    free(text);
    return doc;
}

void tr_buf_line(tr_buf *d, const char *label, const char *line)
{
    if (!line)
        return;
    size_t n = strlen(line);
    tr_buf_printf(d, "\n%s %.*s%s", label, TR_DETAIL_LINE, line,
                  n > TR_DETAIL_LINE ? "..." : "");
}

bool tr_json_equal(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    switch (a->type & 0xFF) {
    case cJSON_False:
    case cJSON_True:
    case cJSON_NULL: return true;
    case cJSON_Number: return a->valuedouble == b->valuedouble;
    case cJSON_String:
    case cJSON_Raw: return !strcmp(a->valuestring, b->valuestring);
    case cJSON_Array:
        for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
            if (!tr_json_equal(a, b))
                return false;
        return !a && !b;
    case cJSON_Object: {
        /* Same number of members, each of a found once by name in b: one
         * descent per member (cJSON_Compare descends twice per level,
         * 2^depth steps on 64 nested objects). */
        int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
        if (na != nb)
            return false;
        const cJSON *m;
        cJSON_ArrayForEach(m, a)
        {
            if (!m->string ||
                !tr_json_equal(m, cJSON_GetObjectItemCaseSensitive(b,
                                                                  m->string)))
                return false;
        }
        return true;
    }
    default: return false;
    }
}
