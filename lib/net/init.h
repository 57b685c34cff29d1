/* Seeded parameter initialisation (SPEC 2.6, 5.1).
 *
 * Every parameter draws from its own counter-based stream, keyed by the
 * context seed and a hash of the parameter's name, element i from counter i:
 * the values do not depend on the order in which a network is built, on the
 * thread count, or on which other parameters exist. */
#ifndef RFNAS_NET_INIT_H
#define RFNAS_NET_INIT_H

#include <stddef.h>
#include <stdint.h>

typedef enum rfnas__init {
    RFNAS__INIT_PYTORCH = 0,        /* U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default */
    RFNAS__INIT_KAIMING_NORMAL = 1  /* N(0, 2/fan_in): Kaiming normal, ReLU gain (the peer's) */
} rfnas__init;

/* Fills @p n weights of a layer with fan-in @p fan_in. */
void rfnas__init_weights(float *w, size_t n, size_t fan_in, rfnas__init scheme, uint64_t seed,
                         const char *name);
/* Fills @p n values with scale * N(0, 1) (architecture parameters: scale 1e-3). */
void rfnas__init_normal(float *w, size_t n, double scale, uint64_t seed, const char *name);
/* Fills @p n values with U(-bound, bound). */
void rfnas__init_uniform(float *w, size_t n, double bound, uint64_t seed, const char *name);

#endif
