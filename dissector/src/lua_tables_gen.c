/*
 * Generator of the Lua tables in dissector/tamtam.lua that must match
 * libtamtam: Class and Direction names, the CRC-8 variant catalogue and the
 * pinned error names. It reads nothing but the X-macro tables of tamtam.h,
 * so the plugin cannot drift from the reference codec.
 *
 * tamtam.lua is committed (users download one file); its generated part sits
 * between a BEGIN_MARK line and an END_MARK line.
 *
 *   lua_tables_gen                 print the generated block
 *   lua_tables_gen splice IN OUT   write IN with its block regenerated to OUT
 *                                  (OUT may be IN)
 *   lua_tables_gen check IN        exit 1 when IN's block is not current
 *
 * Exit status: 0 success, 1 check found a stale block, 2 usage or I/O error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tamtam/tamtam.h"

#define BEGIN_MARK "-- BEGIN GENERATED TABLES"
#define END_MARK "-- END GENERATED TABLES"
/* tamtam.lua is tens of kilobytes; anything this large is not it. */
#define LUA_FILE_CAP (1u << 20)

/* A growable text buffer, capped at LUA_FILE_CAP. */
typedef struct {
    char *p;
    size_t len, cap;
} text;

static int text_add(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > LUA_FILE_CAP)
        return -1;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            return -1;
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
    return 0;
}

static int text_printf(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int text_printf(text *t, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return text_add(t, line, (size_t)n);
}

/* Every string in the tables is plain ASCII without quotes or backslashes;
 * refuse anything else rather than escape it, so the Lua stays readable. */
static int lua_safe(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7E || *s == '"' || *s == '\\')
            return 0;
    return 1;
}

/* The generated block, marker lines included, each line ending in '\n'. */
static int gen_block(text *t)
{
    int rc = 0;
    rc |= text_printf(t, "%s (dissector/src/lua_tables_gen.c from "
                         "reference/include/tamtam/tamtam.h).\n",
                      BEGIN_MARK);
    rc |= text_printf(t, "-- Do not edit: change tamtam.h, then run "
                         "`cmake --build BUILD --target dissector-regen`.\n");
    rc |= text_printf(t, "local TT_VERSION = \"%s\"\n", TT_VERSION);

    /* Only the values tamtam.h names; the rest are unassigned. */
#define NIBBLE_ROW(v, id, name)                                                \
    rc |= lua_safe(name) ? 0 : -1;                                             \
    rc |= text_printf(t, "    [0x%X] = { id = \"%s\", name = \"%s\" },\n",     \
                      (unsigned)(v), #id, name);
    rc |= text_printf(t, "-- X(value, ID, name) of TT_CLASS_MAP\n"
                         "local TT_CLASS = {\n");
    TT_CLASS_MAP(NIBBLE_ROW)
    rc |= text_printf(t, "}\n-- X(value, ID, name) of TT_DIRECTION_MAP\n"
                         "local TT_DIRECTION = {\n");
    TT_DIRECTION_MAP(NIBBLE_ROW)
#undef NIBBLE_ROW
    rc |= text_printf(t, "}\n");

    rc |= text_printf(t, "-- X(ID, name, poly, init, refin, refout, xorout, "
                         "check) of TT_CRC_MAP, in enum order\n"
                         "local TT_CRC = {\n");
#define CRC_ROW(id, name, poly, init, refin, refout, xorout, check)            \
    rc |= lua_safe(name) ? 0 : -1;                                             \
    rc |= text_printf(t,                                                       \
                      "    { id = \"%s\", name = \"%s\", poly = 0x%02X, "      \
                      "init = 0x%02X, refin = %s, refout = %s, "               \
                      "xorout = 0x%02X, check = 0x%02X },\n",                  \
                      #id, name, (unsigned)(poly), (unsigned)(init),           \
                      (refin) ? "true" : "false", (refout) ? "true" : "false", \
                      (unsigned)(xorout), (unsigned)(check));
    TT_CRC_MAP(CRC_ROW)
#undef CRC_ROW
    rc |= text_printf(t, "}\n");
    rc |= text_printf(t, "local TT_CRC_DEFAULT = %d -- index into TT_CRC\n",
                      (int)TT_CRC_DEFAULT + 1);

    rc |= text_printf(t, "-- X(ID, value, name, desc) of TT_ERROR_MAP\n"
                         "local TT_ERROR = {\n");
#define ERROR_ROW(id, value, name, desc)                                       \
    rc |= (lua_safe(name) && lua_safe(desc)) ? 0 : -1;                         \
    rc |= text_printf(t, "    %s = { name = \"%s\", desc = \"%s\" },\n", #id,  \
                      name, desc);
    TT_ERROR_MAP(ERROR_ROW)
#undef ERROR_ROW
    rc |= text_printf(t, "}\n");
    rc |= text_printf(t, "%s\n", END_MARK);
    return rc ? -1 : 0;
}

static int read_file(const char *path, text *t)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "lua_tables_gen: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char buf[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (text_add(t, buf, n) < 0) {
            fprintf(stderr, "lua_tables_gen: %s: larger than %u bytes\n",
                    path, LUA_FILE_CAP);
            rc = -1;
            break;
        }
    if (ferror(f)) {
        fprintf(stderr, "lua_tables_gen: %s: read error\n", path);
        rc = -1;
    }
    fclose(f);
    /* An empty file still needs a terminated buffer to search. */
    if (rc == 0 && t->len == 0)
        rc = text_add(t, "", 0);
    return rc;
}

/* Finds the line that starts with `mark` in s; returns its offset or -1. */
static long find_line(const char *s, const char *mark, size_t from)
{
    for (const char *p = s + from; (p = strstr(p, mark)) != NULL; p++)
        if (p == s || p[-1] == '\n')
            return (long)(p - s);
    return -1;
}

/* Builds `out` = `in` with the block between the marker lines replaced by
 * `block`. Returns 0, or -1 (message printed) when the markers are missing,
 * repeated or out of order. */
static int splice(const char *path, const text *in, const text *block,
                  text *out)
{
    long b = find_line(in->p, BEGIN_MARK, 0);
    long e = b < 0 ? -1 : find_line(in->p, END_MARK, (size_t)b);
    if (b < 0 || e < 0 || find_line(in->p, BEGIN_MARK, (size_t)b + 1) >= 0 ||
        find_line(in->p, END_MARK, (size_t)e + 1) >= 0) {
        fprintf(stderr,
                "lua_tables_gen: %s: needs exactly one \"%s\" line followed "
                "by one \"%s\" line\n",
                path, BEGIN_MARK, END_MARK);
        return -1;
    }
    const char *nl = strchr(in->p + e, '\n');
    size_t tail = nl ? (size_t)(nl - in->p) + 1 : in->len;
    if (text_add(out, in->p, (size_t)b) < 0 ||
        text_add(out, block->p, block->len) < 0 ||
        text_add(out, in->p + tail, in->len - tail) < 0) {
        fprintf(stderr, "lua_tables_gen: out of memory\n");
        return -1;
    }
    return 0;
}

/* Writes t to path through a temporary file and rename, so a failed run
 * never leaves a half-written plugin. */
static int write_file(const char *path, const text *t)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        fprintf(stderr, "lua_tables_gen: %s: path too long\n", path);
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "lua_tables_gen: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    int ok = fwrite(t->p, 1, t->len, f) == t->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "lua_tables_gen: cannot write %s: %s\n", path,
                strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* Reports the first line where a and b differ, for a readable failure. */
static void report_first_difference(const char *path, const text *a,
                                    const text *b)
{
    size_t i = 0, line = 1, start = 0;
    while (i < a->len && i < b->len && a->p[i] == b->p[i]) {
        if (a->p[i] == '\n') {
            line++;
            start = i + 1;
        }
        i++;
    }
    int la = (int)strcspn(a->p + start, "\n");
    int lb = (int)strcspn(b->p + start, "\n");
    fprintf(stderr,
            "lua_tables_gen: %s: generated tables are stale at line %zu\n"
            "  file:      %.*s\n  generated: %.*s\n"
            "Run `cmake --build BUILD --target dissector-regen` and commit "
            "dissector/tamtam.lua.\n",
            path, line, la, a->p + start, lb, b->p + start);
}

int main(int argc, char **argv)
{
    text block = {0}, in = {0}, out = {0};
    int rc = 2;
    if (gen_block(&block) < 0) {
        fprintf(stderr, "lua_tables_gen: a tamtam.h string is not plain "
                        "ASCII, or out of memory\n");
        goto done;
    }
    if (argc == 1) {
        rc = fwrite(block.p, 1, block.len, stdout) == block.len ? 0 : 2;
    } else if (argc == 4 && strcmp(argv[1], "splice") == 0) {
        if (read_file(argv[2], &in) == 0 &&
            splice(argv[2], &in, &block, &out) == 0 &&
            write_file(argv[3], &out) == 0)
            rc = 0;
    } else if (argc == 3 && strcmp(argv[1], "check") == 0) {
        if (read_file(argv[2], &in) == 0 &&
            splice(argv[2], &in, &block, &out) == 0) {
            rc = in.len == out.len && memcmp(in.p, out.p, in.len) == 0 ? 0 : 1;
            if (rc)
                report_first_difference(argv[2], &in, &out);
        }
    } else {
        fprintf(stderr, "usage: %s [splice IN OUT | check IN]\n", argv[0]);
    }
done:
    free(block.p);
    free(in.p);
    free(out.p);
    return rc;
}
