/* ReLU on blocked buffers, seen as flat arrays (ReLU maps the zero padding to zero). */
#ifndef RFNAS_KERNELS_LOOPS_RELU_H
#define RFNAS_KERNELS_LOOPS_RELU_H

#include <stddef.h>

/* y = max(x, 0), NaN propagated as PyTorch does; y may equal x. */
void rfnas__relu_fwd(float *y, const float *x, size_t len);

/* dx = (ref > 0) ? dy : 0, or dx += that when @p accum. @p ref is either the
 * forward input or the forward output: both have the same sign pattern, so the
 * graph keeps whichever it already holds. dx may equal dy when !accum. */
void rfnas__relu_bwd(float *dx, const float *dy, const float *ref, size_t len, int accum);

#endif
