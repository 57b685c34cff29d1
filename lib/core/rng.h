/* Counter-based random numbers (Philox-4x32-10; Salmon et al., SC'11).
 *
 * A stream is a key (seed, purpose, stream id); a draw is a pure function of
 * the key and a 128-bit counter. Nothing is stateful, so a position to resume
 * from is just the counter the caller was at (DESIGN 7.6), and draws for
 * different samples can be made in any order or in parallel. */
#ifndef RFNAS_CORE_RNG_H
#define RFNAS_CORE_RNG_H

#include <stdint.h>

/* What a stream is for; part of the key so that purposes never share numbers. */
typedef enum rfnas__rng_purpose {
    RFNAS__RNG_INIT = 1,     /* weight initialisation */
    RFNAS__RNG_SHUFFLE = 2,  /* iterator order */
    RFNAS__RNG_AUGMENT = 3,  /* crop, flip, cutout */
    RFNAS__RNG_DROPPATH = 4, /* drop-path masks */
    RFNAS__RNG_NOISE = 5     /* the S4 noise op */
} rfnas__rng_purpose;

typedef struct rfnas__rng_key {
    uint32_t k[2];
} rfnas__rng_key;

/* Derives a key from the context seed, a purpose and a stream id. */
rfnas__rng_key rfnas__rng_make_key(uint64_t seed, rfnas__rng_purpose purpose, uint32_t stream);

/* Four independent 32-bit words for counter (c0, c1, c2, c3). */
void rfnas__rng_block(rfnas__rng_key key, uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                      uint32_t out[4]);

/* Uniform integer in [0, n) from a 32-bit word (multiply-shift; bias < n / 2^32). */
static inline uint32_t rfnas__rng_below(uint32_t word, uint32_t n)
{
    return (uint32_t)(((uint64_t)word * n) >> 32);
}

/* Uniform float in [0, 1) from a 32-bit word (24 significant bits). */
static inline float rfnas__rng_unit(uint32_t word)
{
    return (float)(word >> 8) * (1.0f / 16777216.0f);
}

#endif
