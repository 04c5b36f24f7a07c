/* cJSON's allocations counted through its hooks (see cjson_counting.h). */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdlib.h>

#include "cjson_counting.h"

static size_t live, peak;

/* Each block carries its size in front, aligned for anything. */
union header {
    size_t size;
    // cppcheck-suppress unusedStructMember ; only aligns what follows
    max_align_t align;
};

static void *counting_malloc(size_t n)
{
    union header *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    live += n;
    if (live > peak)
        peak = live;
    return h + 1;
}

static void counting_free(void *p)
{
    if (!p)
        return;
    union header *h = (union header *)p - 1;
    live -= h->size;
    free(h);
}

void fuzz_cjson_count(void)
{
    cJSON_Hooks hooks = {counting_malloc, counting_free};
    cJSON_InitHooks(&hooks);
}

size_t fuzz_cjson_live(void)
{
    return live;
}

size_t fuzz_cjson_peak(void)
{
    return peak;
}

void fuzz_cjson_reset_peak(void)
{
    peak = live;
}
