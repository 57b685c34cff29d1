/* The S4 "noise" op (SPEC 3.4): fresh i.i.d. N(0, 1) values of the output
 * shape, independent of the input (its gradient is zero: rfnas__zero_bwd).
 *
 * Reproducible: logical element e (plain NCHW index) takes normal e%4 of
 * Philox block (e/4 as 64 bits, counter as 64 bits) under the key (seed,
 * RFNAS__RNG_NOISE, stream); each block's four words make two Box-Muller
 * pairs. The values depend only on (seed, stream, counter, N, C, H, W), never
 * on threads or layout; a caller gives each draw its own counter (for example
 * the step number) and stores it to resume. */
#ifndef RFNAS_KERNELS_LOOPS_NOISE_H
#define RFNAS_KERNELS_LOOPS_NOISE_H

#include <stdint.h>

#include "kernels/loops/blocked.h"

/* y (shape @p ys) = N(0, 1) noise; padding channels zero. */
void rfnas__noise_fwd(float *y, rfnas__blocked_shape ys, uint64_t seed, uint32_t stream,
                      uint64_t counter);

#endif
