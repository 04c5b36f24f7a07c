/* tamtam-run report: reads a JSON report this runner wrote (a suite run,
 * interop or fuzz; spec/harness.md 8.5, 8.8, 8.9) and prints its summary as
 * text or Markdown, or just the failing case ids, for CI scripts (ci/gate.sh)
 * that must not parse JSON themselves. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* Reports of the full vector suite are a few MiB; this leaves room. */
#define REPORT_FILE_CAP (256u * 1024u * 1024u)
/* Failing cases the text summary lists; --failing lists all. */
#define REPORT_MAX_LISTED 50

typedef enum { KIND_SUITE, KIND_INTEROP, KIND_FUZZ } kind;

typedef struct out {
    bool md;
} out;

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *str_or(const cJSON *o, const char *key, const char *dflt)
{
    const char *s = str(o, key);
    return s ? s : dflt;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool is_fail(const cJSON *c)
{
    const char *v = str(c, "verdict");
    return v && !strcmp(v, tr_verdict_name(TR_FAIL));
}

/* Text for one summary line or Markdown cell: whitespace runs as one space,
 * at most `max` bytes (then "…"), '|' escaped in Markdown. */
static void put_text(const out *o, const char *s, size_t max)
{
    size_t n = 0;
    bool space = false;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    for (; *s && n < max; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = true;
            continue;
        }
        if (space)
            putchar(' ');
        space = false;
        if (o->md && *s == '|')
            putchar('\\');
        putchar(*s);
        n++;
    }
    if (*s)
        fputs("…", stdout);
}

/* Hex up to 32 bytes, then "… (N bytes)". */
static void put_hex(const char *h)
{
    size_t n = strlen(h);
    if (n > 64)
        printf("%.64s… (%zu bytes)", h, n / 2);
    else
        fputs(h, stdout);
}

static void print_counts(const out *o, const cJSON *doc, const char *unit)
{
    static const char *const keys[] = {"pass", "fail", "info", "unsupported",
                                       "expected_fail"};
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    if (!cJSON_IsObject(sum))
        return;
    if (o->md)
        printf("%c%s:", unit[0] - 'a' + 'A', unit + 1);
    else
        printf("%s:    ", unit);
    const char *sep = " ";
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(sum, keys[i]);
        if (cJSON_IsNumber(v)) {
            printf("%s%s %.0f", sep, keys[i], v->valuedouble);
            sep = ", ";
        }
    }
    fputs(o->md ? "\n\n" : "\n", stdout);
}

static void print_failing(const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) if (is_fail(c) && str(c, "id"))
        printf("%s\n", str(c, "id"));
}

static void summary_suite(const out *o, const cJSON *cases)
{
    size_t total = 0, shown = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) total += is_fail(c) && str(c, "id");
    if (!total)
        return;
    if (o->md)
        fputs("| Failing case |\n|---|\n", stdout);
    else
        fputs("failing:\n", stdout);
    cJSON_ArrayForEach(c, cases)
    {
        if (!is_fail(c) || !str(c, "id") || shown == REPORT_MAX_LISTED)
            continue;
        shown++;
        printf(o->md ? "| `%s` |\n" : "  %s\n", str(c, "id"));
    }
    if (total > shown)
        printf(o->md ? "| … and %zu more |\n" : "  … and %zu more\n",
               total - shown);
    if (o->md)
        putchar('\n');
}

/* Whether `s` is one of the `n` strings of `list`. */
static bool listed(const char **list, size_t n, const char *s)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(list[k], s))
            return true;
    return false;
}

/* The implementation names: the "implementations" member, else the
 * encoders in cell order. Returns how many (at most `max`; more are named
 * as left out on stdout). */
static size_t impl_names(const cJSON *doc, const cJSON *cells,
                         const char **names, size_t max)
{
    size_t n = 0;
    bool left = false;
    const cJSON *i;
    cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(doc,
                                                           "implementations"))
    {
        if (str(i, "name") && n < max)
            names[n++] = str(i, "name");
        else if (str(i, "name"))
            left = true;
    }
    if (!n) {
        cJSON_ArrayForEach(i, cells)
        {
            const char *e = str(i, "encoder");
            if (e && !listed(names, n, e) && n < max)
                names[n++] = e;
            else if (e && !listed(names, n, e))
                left = true;
        }
    }
    if (left)
        printf("(only the first %zu implementations are shown here; the "
               "report has them all)\n",
               max);
    return n;
}

/* The matrix cell of `op`, `enc` x `dec` as "passed/total [FAIL]". */
static void cell_text(const cJSON *cells, const char *op, const char *enc,
                      const char *dec, bool md, char *buf, size_t len)
{
    snprintf(buf, len, "-");
    const cJSON *c;
    cJSON_ArrayForEach(c, cells)
    {
        if (strcmp(str_or(c, "op", ""), op) ||
            strcmp(str_or(c, "encoder", ""), enc) ||
            strcmp(str_or(c, "decoder", ""), dec))
            continue;
        const char *v = str_or(c, "verdict", "");
        if (!strcmp(v, tr_verdict_name(TR_UNSUPPORTED)))
            snprintf(buf, len, "unsupported");
        else
            snprintf(buf, len, "%.0f/%.0f%s", num(c, "pass"), num(c, "total"),
                     is_fail(c) ? (md ? " **FAIL**" : " FAIL") : "");
        return;
    }
}

#define MAX_IMPLS 64

static void summary_interop(const out *o, const cJSON *doc)
{
    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(doc, "matrix");
    const char *names[MAX_IMPLS];
    size_t n = impl_names(doc, cells, names, MAX_IMPLS);
    const char *ops[8];
    size_t nops = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cells)
    {
        const char *op = str(c, "op");
        if (op && !listed(ops, nops, op) && nops < sizeof ops / sizeof *ops)
            ops[nops++] = op;
    }
    const char *corner = "encoder \\ decoder";
    char t[64];
    for (size_t p = 0; p < nops; p++) {
        printf(o->md ? "**%s**: encoder rows × decoder columns, frames "
                       "passed/total\n\n| %s |"
                     : "%s: encoder rows x decoder columns, frames "
                       "passed/total\n  %s",
               ops[p], corner);
        /* Text columns as wide as their widest entry. */
        size_t w0 = strlen(corner), w[MAX_IMPLS];
        for (size_t r = 0; r < n; r++)
            if (strlen(names[r]) > w0)
                w0 = strlen(names[r]);
        for (size_t k = 0; k < n; k++) {
            w[k] = strlen(names[k]);
            for (size_t r = 0; r < n; r++) {
                cell_text(cells, ops[p], names[r], names[k], false, t,
                          sizeof t);
                if (strlen(t) > w[k])
                    w[k] = strlen(t);
            }
            if (o->md)
                printf(" %s |", names[k]);
            else if (k + 1 < n)
                printf("  %-*s", (int)w[k], names[k]);
            else
                printf("  %s", names[k]);
        }
        if (o->md) {
            fputs("\n|---|", stdout);
            for (size_t k = 0; k < n; k++)
                fputs("---|", stdout);
        }
        putchar('\n');
        for (size_t r = 0; r < n; r++) {
            if (o->md)
                printf("| %s |", names[r]);
            else
                printf("  %-*s", (int)w0, names[r]);
            for (size_t k = 0; k < n; k++) {
                cell_text(cells, ops[p], names[r], names[k], o->md, t,
                          sizeof t);
                if (o->md)
                    printf(" %s |", t);
                else if (k + 1 < n)
                    printf("  %-*s", (int)w[k], t);
                else
                    printf("  %s", t);
            }
            putchar('\n');
        }
        if (o->md)
            putchar('\n');
    }
    size_t nf = 0;
    cJSON_ArrayForEach(c, cells)
    {
        if (!is_fail(c))
            continue;
        if (!nf++)
            fputs(o->md ? "| Failing cell | Frames failed | First failing "
                          "frame |\n|---|---|---|\n"
                        : "failing cells (interop.OP.ENCODER.DECODER):\n",
                  stdout);
        const cJSON *first = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(c, "failures"), 0);
        const char *hex = str(first, "hex");
        printf(o->md ? "| `%s` | %.0f of %.0f | `%s`: "
                     : "  %s: %.0f of %.0f frames failed, the first: %s\n",
               str_or(c, "id", "?"), num(c, "fail"), num(c, "total"),
               str_or(first, "source", "?"));
        if (o->md) {
            put_text(o, str_or(first, "detail", ""), 200);
            if (hex) {
                fputs("<br>bytes `", stdout);
                put_hex(hex);
                putchar('`');
            }
            fputs(" |\n", stdout);
            continue;
        }
        if (*str_or(first, "detail", "")) {
            fputs("      ", stdout);
            put_text(o, str(first, "detail"), 200);
            putchar('\n');
        }
        if (hex) {
            fputs("      bytes: ", stdout);
            put_hex(hex);
            putchar('\n');
        }
    }
    if (nf && o->md)
        putchar('\n');
}

static void summary_fuzz(const out *o, const cJSON *doc)
{
    const char *names[MAX_IMPLS];
    size_t n = impl_names(doc, NULL, names, MAX_IMPLS);
    printf(o->md ? "Seed %.0f, %.0f iterations" : "run:       seed %.0f, "
                                                  "%.0f iterations",
           num(doc, "seed"), num(doc, "iterations"));
    /* Two implementations: the first is the reference; more: the majority. */
    if (n == 2)
        printf(", %s (reference) against %s", names[0], names[1]);
    else if (n > 2) {
        fputs(", majority of", stdout);
        for (size_t i = 0; i < n; i++)
            printf(" %s", names[i]);
    }
    fputs(o->md ? ".\n\n" : "\n", stdout);

    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(doc, "findings");
    size_t nf = (size_t)cJSON_GetArraySize(findings);
    if (!nf) {
        fputs(o->md ? "No finding.\n\n" : "findings:  none\n", stdout);
        return;
    }
    if (o->md)
        printf("%zu finding%s:\n\n| Vector | Op | Iteration | Disagreement "
               "| Bytes |\n|---|---|---|---|---|\n",
               nf, nf > 1 ? "s" : "");
    else {
        size_t dec = 0, str_ = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, findings)
        {
            dec += !strcmp(str_or(f, "op", ""), "decode");
            str_ += !strcmp(str_or(f, "op", ""), "stream");
        }
        printf("findings:  %zu (", nf);
        if (dec)
            printf("decode %zu%s", dec, str_ ? ", " : "");
        if (str_)
            printf("stream %zu", str_);
        fputs(")\n", stdout);
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, findings)
    {
        const char *note = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
                               f, "written"))
                               ? " (not written: no vector can hold the "
                                 "expected answer)"
                               : "";
        if (o->md)
            printf("| `%s`%s | %s | %.0f | ", str_or(f, "vector", "?"), note,
                   str_or(f, "op", "?"), num(f, "iteration"));
        else
            printf("  %s  %s, iteration %.0f%s\n      ",
                   str_or(f, "vector", "?"), str_or(f, "op", "?"),
                   num(f, "iteration"), note);
        put_text(o, str_or(f, "description", ""), 1000);
        fputs(o->md ? " | `" : "\n      bytes: ", stdout);
        put_hex(str_or(f, "hex", ""));
        fputs(o->md ? "` |\n" : "\n", stdout);
    }
    if (o->md)
        putchar('\n');
    const cJSON *file;
    size_t k = 0;
    cJSON_ArrayForEach(file, cJSON_GetObjectItemCaseSensitive(doc, "files"))
    {
        if (!cJSON_IsString(file))
            continue;
        if (o->md)
            printf("File: `%s`<br>\n", file->valuestring);
        else
            printf("%s %s\n", k ? "          " : "files:    ",
                   file->valuestring);
        k++;
    }
    if (k && o->md)
        putchar('\n');
}

static void usage(FILE *f)
{
    fputs("usage: tamtam-run report [--format text|markdown] [--failing] "
          "FILE.json\n"
          "Prints the summary of a JSON report of tamtam-run (a suite run, "
          "interop or\n"
          "fuzz): the counts, the failing cases, the interop matrix, the "
          "fuzz findings.\n"
          "  --format F   text (default) or markdown\n"
          "  --failing    only the ids of the failing cases, one a line\n"
          "Exit status: 0 the report was read, 2 it could not be read or "
          "is not a\n"
          "tamtam-run report.\n",
          f);
}

int tr_report_main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"format", required_argument, 0, 'f'},
        {"failing", no_argument, 0, 'F'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    out o = {0};
    bool failing = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "markdown"))
                o.md = true;
            else if (strcmp(optarg, "text")) {
                fprintf(stderr, "tamtam-run report: --format text or "
                                "markdown (got \"%s\")\n",
                        optarg);
                return 2;
            }
            break;
        case 'F': failing = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    const char *path = argv[optind];
    char why[256];
    cJSON *doc = tr_read_json(path, REPORT_FILE_CAP, why, sizeof why);
    if (!doc) {
        fprintf(stderr, "tamtam-run report: %s: %s\n", path, why);
        return 2;
    }
    const char *cmd = str(doc, "command");
    kind k = KIND_SUITE;
    const char *list = "cases";
    if (cmd && !strcmp(cmd, "interop")) {
        k = KIND_INTEROP;
        list = "matrix";
    } else if (cmd && !strcmp(cmd, "fuzz"))
        k = KIND_FUZZ;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(doc, list);
    if (!cJSON_IsObject(doc) || (cmd && k == KIND_SUITE) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "summary")) ||
        !cJSON_IsArray(cases)) {
        fprintf(stderr,
                "tamtam-run report: %s: not a tamtam-run report (wants an "
                "object with \"summary\" and \"%s\"%s%s%s)\n",
                path, list, cmd ? "; unknown command \"" : "", cmd ? cmd : "",
                cmd ? "\"" : "");
        cJSON_Delete(doc);
        return 2;
    }
    if (failing)
        print_failing(cases);
    else {
        print_counts(&o, doc, k == KIND_INTEROP ? "cells" : "cases");
        if (k == KIND_SUITE)
            summary_suite(&o, cases);
        else if (k == KIND_INTEROP)
            summary_interop(&o, doc);
        else
            summary_fuzz(&o, doc);
    }
    cJSON_Delete(doc);
    if (fflush(stdout) != 0) {
        perror("tamtam-run report: stdout");
        return 2;
    }
    return 0;
}
