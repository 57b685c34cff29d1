/* The FactorizedReduce one-pixel shift (SPEC 3.1): y = x[:, :, 1:, 1:] padded
 * back with zeros at the right and bottom, so y keeps H x W and a 1x1 stride-2
 * convolution of y samples x at (2i+1, 2j+1). This is AutoDL's form; for even H
 * and W it equals DARTS's crop, and for odd sizes it keeps both halves of the
 * reduce at the same ceil(H/2) output size. */
#ifndef RFNAS_KERNELS_LOOPS_SHIFT_H
#define RFNAS_KERNELS_LOOPS_SHIFT_H

#include "kernels/loops/blocked.h"

/* y[n, c, h, w] = x[n, c, h+1, w+1] inside, 0 on the last row and column.
 * y and x do not overlap. */
void rfnas__shift_fwd(float *y, const float *x, rfnas__blocked_shape s);

/* Adjoint: dx[h, w] = dy[h-1, w-1], 0 on the first row and column (or += when
 * @p accum, leaving the first row and column alone). */
void rfnas__shift_bwd(float *dx, const float *dy, rfnas__blocked_shape s, int accum);

#endif
