/* Seeded pseudo-random choices: one generator (xorshift32) for every
 * reproducible choice the runner makes, and random frames. */
#include <string.h>

#include "run.h"

uint32_t tr_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

uint32_t tr_rand_seed(uint64_t seed)
{
    /* splitmix64's finaliser: nearby seeds give unrelated states. */
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    uint32_t s = (uint32_t)(z ^ (z >> 32));
    return s ? s : 0x7A3A7A3Au; /* xorshift32 never leaves 0 */
}

uint32_t tr_rand_below(uint32_t *state, uint32_t n)
{
    return n ? tr_rand(state) % n : 0;
}

void tr_random_frame(uint32_t *rng, tt_frame *f, uint8_t *payload)
{
    memset(f, 0, sizeof *f);
    f->cls = (uint8_t)tr_rand_below(rng, 16);
    f->direction = (uint8_t)tr_rand_below(rng, 16);
    f->size_id = (uint8_t)tr_rand_below(rng, 16);
    uint32_t flags = tr_rand(rng);
    f->big = (flags & 3) == 0; /* one in four: BigMode doubles the block */
    f->ack = flags & 4;
    f->priority = flags & 8;
    f->has_ext = flags & 16;
    f->channel = (uint8_t)tr_rand_below(rng, 256);
    if (f->has_ext)
        f->dest = (uint16_t)tr_rand_below(rng, 65536);
    unsigned block = tt_block_size(f->size_id, f->big);
    /* The edges (empty, full block) as often as a quarter of the time. */
    switch (tr_rand_below(rng, 8)) {
    case 0: f->used_len = 0; break;
    case 1: f->used_len = (uint16_t)block; break;
    default: f->used_len = (uint16_t)tr_rand_below(rng, block + 1); break;
    }
    for (unsigned i = 0; i < f->used_len; i++)
        payload[i] = (uint8_t)tr_rand(rng);
    f->payload = payload;
}
