#include "init.h"

#include <math.h>

#include "rng.h"

/* FNV-1a: a stable 32-bit stream id from a parameter name. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* A uniform double in (0, 1) from two 32-bit words (53 bits, never 0). */
static double unit_open(uint32_t hi, uint32_t lo)
{
    uint64_t bits = ((uint64_t)hi << 21) ^ (lo >> 11);
    return ((double)(bits & ((1ull << 53) - 1)) + 0.5) / 9007199254740992.0;
}

void rfnas__init_uniform(float *w, size_t n, double bound, uint64_t seed, const char *name)
{
    rfnas__rng_key key = rfnas__rng_make_key(seed, RFNAS__RNG_INIT, name_hash(name));
    for (size_t i = 0; i < n; i++) {
        uint32_t r[4];
        rfnas__rng_block(key, (uint32_t)i, (uint32_t)((uint64_t)i >> 32), 0, 0, r);
        w[i] = (float)((2.0 * unit_open(r[0], r[1]) - 1.0) * bound);
    }
}

void rfnas__init_normal(float *w, size_t n, double scale, uint64_t seed, const char *name)
{
    rfnas__rng_key key = rfnas__rng_make_key(seed, RFNAS__RNG_INIT, name_hash(name));
    for (size_t i = 0; i < n; i++) {
        /* Box-Muller, one value per counter so element i never depends on n. */
        uint32_t r[4];
        rfnas__rng_block(key, (uint32_t)i, (uint32_t)((uint64_t)i >> 32), 1, 0, r);
        double u1 = unit_open(r[0], r[1]), u2 = unit_open(r[2], r[3]);
        w[i] = (float)(scale * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
    }
}

void rfnas__init_weights(float *w, size_t n, size_t fan_in, rfnas__init scheme, uint64_t seed,
                         const char *name)
{
    if (scheme == RFNAS__INIT_KAIMING_NORMAL)
        rfnas__init_normal(w, n, sqrt(2.0 / (double)fan_in), seed, name);
    else
        rfnas__init_uniform(w, n, 1.0 / sqrt((double)fan_in), seed, name);
}
