/* The case list: ids, requirements, verdicts, selection by --case. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

const char *tr_verdict_name(tr_verdict v)
{
    static const char *const names[] = {"PASS",        "FAIL",
                                        "INFO",        "UNSUPPORTED",
                                        "EXPECTED_FAIL", "NOT_RUN"};
    return names[v];
}

tr_case *tr_cases_add(tr_cases *cs, const struct tr_suite *suite, int kind,
                      size_t vi, bool info, const char *reqs,
                      const char *fmt, ...)
{
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 64;
        tr_case *c = realloc(cs->c, cs->cap * sizeof *c);
        if (!c) {
            fputs("tamtam-run: out of memory\n", stderr);
            exit(2);
        }
        cs->c = c;
    }
    tr_case *c = &cs->c[cs->n++];
    memset(c, 0, sizeof *c);
    char id[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(id, sizeof id, fmt, ap);
    va_end(ap);
    c->id = tr_xstrdup(id);
    c->reqs = tr_xstrdup(reqs);
    c->suite = suite;
    c->kind = kind;
    c->vi = vi;
    c->info = info;
    c->verdict = TR_NOT_RUN;
    c->kf = -1;
    return c;
}

void tr_cases_free(tr_cases *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->c[i].id);
        free(cs->c[i].reqs);
        free(cs->c[i].detail);
    }
    free(cs->c);
    memset(cs, 0, sizeof *cs);
}

bool tr_selected(const tr_opts *o, const char *id)
{
    if (!o->nglobs)
        return true;
    for (size_t i = 0; i < o->nglobs; i++)
        if (fnmatch(o->globs[i], id, 0) == 0)
            return true;
    return false;
}
