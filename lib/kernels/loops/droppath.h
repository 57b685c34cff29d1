/* Drop-path (SPEC 4.4, RobustDARTS 3.4): each sample of an op output is kept
 * with probability keep = 1 - p and then divided by keep, or zeroed.
 *
 * The mask is drawn once per forward from Philox under the key (seed,
 * RFNAS__RNG_DROPPATH, stream) at a caller-given counter: sample i keeps if
 * the unit float of word i%4 of block (i/4, 0, counter) is below keep. The
 * caller keeps the mask for the backward, which applies the same one. */
#ifndef RFNAS_KERNELS_LOOPS_DROPPATH_H
#define RFNAS_KERNELS_LOOPS_DROPPATH_H

#include <stddef.h>
#include <stdint.h>

#include "rfnas.h"

/* keep[i] = 1 or 0 for the @p n samples; RFNAS_E_INVALID unless 0 <= p < 1. */
rfnas_status rfnas__droppath_mask(uint8_t *keep, int n, float p, uint64_t seed, uint32_t stream,
                                  uint64_t counter);

/* y = keep[i] ? x / (1 - p) : 0 per sample of @p per_sample floats (a blocked
 * sample is contiguous); y may equal x. */
void rfnas__droppath_fwd(float *y, const float *x, const uint8_t *keep, int n, size_t per_sample,
                         float p);

/* dx = keep[i] ? dy / (1 - p) : 0 (or += when @p accum); dx may equal dy when !accum. */
void rfnas__droppath_bwd(float *dx, const float *dy, const uint8_t *keep, int n,
                         size_t per_sample, float p, int accum);

#endif
