/* The "none" op with stride (SPEC 3.1): zeros of shape ceil(H/s) x ceil(W/s),
 * as PyTorch's x[:, :, ::s, ::s].mul(0.) (NaN inputs aside: the graph never
 * reads x for it). Its gradient to the input is zero. */
#ifndef RFNAS_KERNELS_LOOPS_ZERO_H
#define RFNAS_KERNELS_LOOPS_ZERO_H

#include "kernels/loops/blocked.h"

/* ceil(in / stride), the size of x[::stride]. */
int rfnas__zero_out_size(int in, int stride);

/* y (N, C, ceil(H/s), ceil(W/s)) = 0, for x of shape @p xs. */
void rfnas__zero_fwd(float *y, rfnas__blocked_shape xs, int stride);

/* dx (shape @p xs) = 0, or nothing at all when @p accum (adding zero). Also the
 * backward of the S4 noise op. */
void rfnas__zero_bwd(float *dx, rfnas__blocked_shape xs, int accum);

#endif
