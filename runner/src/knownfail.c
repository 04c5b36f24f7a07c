/*
 * The known-failures file: one case id or glob per line, "# reason" after
 * it. A listed case that fails is an expected failure; a listed case that
 * passes fails the run, so the list cannot go stale silently.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define KF_LINE_MAX 4096

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int tr_kf_load(const char *path, tr_kf *kf, char *why, size_t whylen)
{
    memset(kf, 0, sizeof *kf);
    kf->path = path;
    FILE *f = fopen(path, "r");
    if (!f)
        return snprintf(why, whylen, "%s: %s", path, strerror(errno)), -1;
    char line[KF_LINE_MAX];
    size_t cap = 0;
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            fclose(f);
            return snprintf(why, whylen, "%s:%d: line too long", path, lineno),
                   -1;
        }
        char *hash = strchr(line, '#');
        char *reason = "";
        if (hash) {
            *hash = '\0';
            reason = trim(hash + 1);
        }
        char *glob = trim(line);
        if (!*glob)
            continue;
        if (strpbrk(glob, " \t")) {
            fclose(f);
            return snprintf(why, whylen,
                            "%s:%d: one case id or glob per line, then "
                            "\"# reason\"",
                            path, lineno),
                   -1;
        }
        if (kf->n == cap) {
            cap = cap ? cap * 2 : 16;
            tr_kf_line *l = realloc(kf->l, cap * sizeof *l);
            if (!l) {
                fclose(f);
                return snprintf(why, whylen, "out of memory"), -1;
            }
            kf->l = l;
        }
        kf->l[kf->n++] = (tr_kf_line){tr_xstrdup(glob), tr_xstrdup(reason),
                                      lineno, 0};
    }
    fclose(f);
    return 0;
}

static bool ran(const tr_case *c)
{
    return c->verdict != TR_NOT_RUN;
}

void tr_kf_apply(tr_kf *kf, tr_case *c)
{
    if (ran(c)) {
        for (size_t k = 0; k < kf->n; k++) {
            if (fnmatch(kf->l[k].glob, c->id, 0) != 0)
                continue;
            kf->l[k].matched++;
            c->kf = (int)k;
            if (c->verdict == TR_FAIL) {
                c->verdict = TR_EXPECTED_FAIL;
            } else if (c->verdict == TR_PASS) {
                c->verdict = TR_FAIL;
                c->fixed = true;
                free(c->detail);
                tr_buf b = {0};
                tr_buf_printf(&b,
                              "fixed: remove it from the list (%s:%d lists "
                              "it as \"%s\"); the case passes now",
                              kf->path, kf->l[k].lineno, kf->l[k].glob);
                c->detail = tr_buf_take(&b);
            }
            break;
        }
    }
}

/* The first line of a failure detail, short, for a "# reason". */
static void short_reason(const char *detail, char *out, size_t outlen)
{
    size_t n = detail ? strcspn(detail, "\n") : 0;
    if (n > 72)
        n = 72;
    snprintf(out, outlen, "%.*s", (int)n, detail ? detail : "");
}

void tr_kf_advise(const tr_kf *kf, const tr_cases *cs)
{
    size_t unexpected = 0, fixed = 0;
    for (size_t i = 0; i < cs->n; i++) {
        if (cs->c[i].verdict == TR_FAIL && !cs->c[i].fixed)
            unexpected++;
        if (cs->c[i].fixed)
            fixed++;
    }
    const char *path = kf && kf->path ? kf->path : "FILE";

    if (fixed && kf) {
        printf("\nLines to remove from %s (the cases they list pass now):\n",
               path);
        for (size_t k = 0; k < kf->n; k++) {
            bool any = false;
            for (size_t i = 0; i < cs->n && !any; i++)
                any = cs->c[i].fixed && cs->c[i].kf == (int)k;
            if (any)
                printf("%s%s%s\n", kf->l[k].glob, *kf->l[k].reason ? "  # " : "",
                       kf->l[k].reason);
        }
    }
    /* A glob that also covers cases still failing comes back as their ids. */
    bool header = false;
    for (size_t i = 0; kf && i < cs->n; i++) {
        const tr_case *c = &cs->c[i];
        if (c->verdict != TR_EXPECTED_FAIL || c->kf < 0)
            continue;
        bool line_fixed = false;
        for (size_t j = 0; j < cs->n && !line_fixed; j++)
            line_fixed = cs->c[j].fixed && cs->c[j].kf == c->kf;
        if (!line_fixed)
            continue;
        if (!header)
            printf("\nLines to add to %s (still failing, listed by a removed "
                   "glob):\n",
                   path);
        header = true;
        const tr_kf_line *l = &kf->l[c->kf];
        printf("%s%s%s\n", c->id, *l->reason ? "  # " : "", l->reason);
    }
    if (unexpected) {
        if (kf && kf->path)
            printf("\nLines to add to %s (to accept the new failures):\n",
                   path);
        else
            printf("\nTo accept these failures, list them in a file given "
                   "with --known-failures FILE:\n");
        for (size_t i = 0; i < cs->n; i++) {
            const tr_case *c = &cs->c[i];
            if (c->verdict != TR_FAIL || c->fixed)
                continue;
            char reason[96];
            short_reason(c->detail, reason, sizeof reason);
            printf("%s  # %s\n", c->id, reason);
        }
    }
    for (size_t k = 0; kf && k < kf->n; k++)
        if (!kf->l[k].matched)
            printf("note: %s:%d matches no case of this run: %s\n", path,
                   kf->l[k].lineno, kf->l[k].glob);
}

void tr_kf_free(tr_kf *kf)
{
    for (size_t k = 0; k < kf->n; k++) {
        free(kf->l[k].glob);
        free(kf->l[k].reason);
    }
    free(kf->l);
    memset(kf, 0, sizeof *kf);
}
