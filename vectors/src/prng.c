/* splitmix64 and FNV-1a: the same numbers on every machine and compiler, so
 * the generated vectors are byte-identical everywhere. */
#include "vectors.h"

uint64_t prng_next(prng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t prng_below(prng *r, uint32_t n)
{
    /* Modulo bias is irrelevant for test data; determinism is what counts. */
    return (uint32_t)(prng_next(r) % n);
}

void prng_fill(prng *r, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)prng_next(r);
}

prng prng_from_string(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001B3ull;
    return (prng){h};
}
