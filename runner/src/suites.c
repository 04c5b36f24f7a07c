/*
 * The table of suites of one tamtam-run executable. suites.def, generated
 * by tamtam_run_executable() in runner/CMakeLists.txt from the executable's
 * list, holds one TR_SUITE(symbol) line per suite: a new protocol is its
 * suite's files plus its symbol in that list.
 */
#include <stddef.h>

#include "run.h"

#define TR_SUITE(sym) extern const tr_suite sym;
#include "suites.def"
#undef TR_SUITE

#define TR_SUITE(sym) &(sym),
const tr_suite *const tr_suites[] = {
#include "suites.def"
    NULL};
#undef TR_SUITE

const char *tr_suite_url(const tr_opts *o, const tr_suite *s)
{
    if (!s->option)
        return o->node;
    /* The table is NULL-terminated; urls has TR_MAX_SUITES entries. */
    for (size_t i = 0; tr_suites[i]; i++)
        if (tr_suites[i] == s)
            return i < TR_MAX_SUITES ? o->urls[i] : NULL;
    return NULL;
}
