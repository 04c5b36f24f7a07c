/*
 * `gen` and `verify` over a table of vector sets: each set in turn, then,
 * for verify, the coverage of each spec document, one line per set.
 */
#include <stdio.h>
#include <stdlib.h>

#include "files.h"
#include "vectors.h"

int cmd_gen(const vec_set *const *sets, size_t nsets, const vec_opts *o,
            const char *dir)
{
    for (size_t i = 0; i < nsets; i++)
        if (sets[i]->gen(o, dir) != 0)
            return 1;
    return 0;
}

/* What verify learnt of one set, for the summary. */
typedef struct set_result {
    char spec[FILE_PATH_MAX]; /* the spec file read */
    size_t nids;              /* requirement IDs it defines */
    vec_report r;
    int status; /* the set's exit status */
} set_result;

/* One set, under its heading: its spec's IDs, then its verifier. */
static void verify_set(const vec_set *set, const vec_opts *o, const char *dir,
                       set_result *res)
{
    spec_ids ids;
    printf("== %s: %s against %s ==\n", set->name, set->files, res->spec);
    if (spec_ids_load(res->spec, set->req_prefix, &ids) != 0) {
        res->status = 2;
        return;
    }
    res->nids = ids.n;
    res->status = set->verify(o, dir, &ids, &res->r);
    spec_ids_free(&ids);
}

int cmd_verify(const vec_set *const *sets, size_t nsets, const vec_opts *o,
               const char *dir, const char *const *specs)
{
    set_result *res = calloc(nsets ? nsets : 1, sizeof *res);
    if (!res) {
        fprintf(stderr, "verify: out of memory\n");
        return 2;
    }
    int status = 0;
    for (size_t i = 0; i < nsets; i++) {
        if (specs[i])
            snprintf(res[i].spec, sizeof res[i].spec, "%s", specs[i]);
        else
            snprintf(res[i].spec, sizeof res[i].spec, "%s/../%s", dir,
                     sets[i]->spec);
        if (i > 0)
            putchar('\n');
        verify_set(sets[i], o, dir, &res[i]);
        status = res[i].status > status ? res[i].status : status;
    }
    printf("\ncoverage by spec document:\n");
    for (size_t i = 0; i < nsets; i++) {
        const set_result *x = &res[i];
        if (x->status == 2)
            printf("  %-12s %-6s not verified: its files or %s could not "
                   "be read\n",
                   sets[i]->name, sets[i]->req_prefix, x->spec);
        else
            printf("  %-12s %-6s %zu of %zu requirements cited by %zu "
                   "vectors, %zu problems (%s)\n",
                   sets[i]->name, sets[i]->req_prefix, x->r.covered, x->nids,
                   x->r.vectors, x->r.problems, x->spec);
    }
    free(res);
    return status;
}
