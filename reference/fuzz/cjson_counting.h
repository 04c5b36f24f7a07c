/* cJSON's allocations counted through its hooks, so that a fuzz target can
 * bound the memory a parse takes and see what it leaves allocated. */
#ifndef TT_FUZZ_CJSON_COUNTING_H
#define TT_FUZZ_CJSON_COUNTING_H

#include <stddef.h>

/* Routes cJSON's malloc and free through the counters; call once. */
void fuzz_cjson_count(void);

/* Bytes cJSON holds now, and the most it held since the last reset. */
size_t fuzz_cjson_live(void);
size_t fuzz_cjson_peak(void);

/* Starts a new peak measurement from what is held now. */
void fuzz_cjson_reset_peak(void);

#endif
