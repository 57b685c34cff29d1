/* Sums on blocked buffers seen as flat arrays: the DARTS mixed edge's weighted
 * sum with its backward (input gradients and alpha dot products in one pass),
 * scaled add, zero fill. All map zero padding to zero. */
#ifndef RFNAS_KERNELS_LOOPS_SUM_H
#define RFNAS_KERNELS_LOOPS_SUM_H

#include <stddef.h>

/* Most inputs one weighted sum takes: the largest op list (DARTS, 8) with room. */
#define RFNAS__SUM_MAX_K 16

/* out = sum_k w[k] * x[k] (or out += that when @p accum), k in [0, K), K <= RFNAS__SUM_MAX_K.
 * A NULL x[k] is skipped (an op known to be zero, such as "none"). The terms are
 * added in k order, so the result does not depend on the thread count. */
void rfnas__sum_weighted(float *out, const float *const *x, const float *w, int k, size_t len,
                         int accum);

/* Backward of rfnas__sum_weighted, in one pass over @p dout:
 * - dx[k] = w[k] * dout (or += when @p accum); a NULL dx (or dx[k]) skips it;
 * - g[k] = <dout, x[k]> in double (the gradient w.r.t. w[k]); a NULL g skips them all;
 *   a NULL x[k] (a zero op) gives g[k] = 0.
 * The dot products use a partition of [0, len) into chunks that depends on len
 * only, double accumulators per chunk and lane, and a sum of chunks in order:
 * g is bit-identical for any thread count. */
void rfnas__sum_weighted_bwd(float *const *dx, double *g, const float *dout,
                             const float *const *x, const float *w, int k, size_t len,
                             int accum);

/* y += a * x. */
void rfnas__sum_axpy(float *y, float a, const float *x, size_t len);

/* y = 0. */
void rfnas__sum_zero(float *y, size_t len);

#endif
