/* Pooling on nChw16c tensors, PyTorch semantics (SPEC 2.3), floor output size.
 *
 * Average pooling never counts padding (count_include_pad=False): the divisor
 * is the number of real pixels under the window. Configurations in use: 3x3
 * stride 1/2 pad 1 (cell op), 2x2 stride 2 pad 0 (NB201 shortcut), 5x5 stride 3
 * pad 0 (DARTS aux head). Max pooling: padding never wins; ties go to the first
 * maximum in row-major window order; NaN wins as in PyTorch. Used: 3x3 stride
 * 1/2 pad 1, 2x2 stride 2 pad 0 (PC-DARTS bypass).
 *
 * Max pool backward uses a saved argmax, not a recomputation: one byte per
 * output element (the window position), written by the forward, against
 * keeping the whole input (four bytes per input element, s^2 as many pixels)
 * and re-running the comparisons; the backward is then a plain scatter.
 *
 * Global average pooling writes a plain (N, C) array: its only consumer is
 * the classifier (a linear layer on plain rows), so no reorder is needed. */
#ifndef RFNAS_KERNELS_LOOPS_POOL_H
#define RFNAS_KERNELS_LOOPS_POOL_H

#include <stdint.h>

#include "rfnas.h"

#include "kernels/loops/blocked.h"

/* PyTorch's output size floor((in + 2p - k)/s) + 1, or -1 if the window does
 * not fit. */
int rfnas__pool_out_size(int in, int k, int stride, int pad);

/* Checks k in [1, 15], stride >= 1, 0 <= pad <= k/2 (PyTorch's rule, and it
 * keeps at least one real pixel in every window) and an output of >= 1 pixel. */
rfnas_status rfnas__pool_check(rfnas__blocked_shape x, int k, int stride, int pad);

/* y (N, C, OH, OW) = average pool of x (shape @p xs). */
rfnas_status rfnas__pool_avg_fwd(float *y, const float *x, rfnas__blocked_shape xs, int k,
                                 int stride, int pad);
/* dx (shape @p xs) = adjoint of the average pool applied to dy (or += when @p accum). */
rfnas_status rfnas__pool_avg_bwd(float *dx, const float *dy, rfnas__blocked_shape xs, int k,
                                 int stride, int pad, int accum);

/* y = max pool of x; @p argmax (blocked like y, one byte per element, may be
 * NULL in evaluation) receives each maximum's row-major window position. */
rfnas_status rfnas__pool_max_fwd(float *y, uint8_t *argmax, const float *x,
                                 rfnas__blocked_shape xs, int k, int stride, int pad);
/* dx (shape @p xs) = dy scattered to the saved argmax (or += when @p accum). */
rfnas_status rfnas__pool_max_bwd(float *dx, const float *dy, const uint8_t *argmax,
                                 rfnas__blocked_shape xs, int k, int stride, int pad, int accum);

/* y[n*C + c] = mean over H x W of x (plain (N, C) output, see above). */
void rfnas__pool_gap_fwd(float *y, const float *x, rfnas__blocked_shape xs);
/* dx[n, c, h, w] = dy[n*C + c] / (H*W) (or += when @p accum); padding stays zero. */
void rfnas__pool_gap_bwd(float *dx, const float *dy, rfnas__blocked_shape xs, int accum);

#endif
