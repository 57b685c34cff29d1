/* The DARTS mixed node's weighted sum with its cheap ops computed on the fly
 * (DESIGN 3 "memory-bound work is fused by hand", 7.1): every term is either
 * an input as it is (skip_connect, or an op output such as conv-BN) or the
 * 3x3 average pooling (stride 1, pad 1, padding not counted) of an input,
 * which is never materialised. The backward computes, in one pass over
 * (sample, channel block) slabs, every input gradient (identity and pooling
 * adjoint terms together, ReLU-free) and the dot products that give the
 * weight gradients.
 *
 * All tensors are nChw16c of the shape @p s; the pooled terms need
 * s.w <= RFNAS__MIXED_MAX_W. */
#ifndef RFNAS_KERNELS_LOOPS_MIXED_H
#define RFNAS_KERNELS_LOOPS_MIXED_H

#include <stdint.h>

#include "kernels/loops/blocked.h"

/* Most terms one call takes (the graph's most inputs per node). */
#define RFNAS__MIXED_MAX 48
/* Widest image the pooled terms handle (row buffers on the stack). */
#define RFNAS__MIXED_MAX_W 256

typedef enum rfnas__mixed_kind {
    RFNAS__MIXED_IDENT = 0, /* the input itself */
    RFNAS__MIXED_AVG3 = 1   /* avg pool 3x3, stride 1, pad 1, count_include_pad=False */
} rfnas__mixed_kind;

/* One term: w * op(x[src]). Several terms may read one input. */
typedef struct rfnas__mixed_term {
    int src;
    rfnas__mixed_kind kind;
    float w;
} rfnas__mixed_term;

/* y = sum_t w_t op_t(x[src_t]) over the @p n terms in order (the same
 * arithmetic as pooling into a buffer and then rfnas__sum_weighted). */
void rfnas__mixed_fwd(float *y, const float *const *x, const rfnas__mixed_term *terms, int n,
                      rfnas__blocked_shape s);
/* The same where input i (and its gradient, in the backward) is a channel
 * slice of a wider tensor: its samples are @p x_cbs[i] channel blocks apart
 * (x[i] points at the slice's first block; NULL @p x_cbs: every input is
 * dense, s.c / 16 blocks per sample). y and dy are always dense. */
void rfnas__mixed_fwd_strided(float *y, const float *const *x, const int *x_cbs,
                              const rfnas__mixed_term *terms, int n, rfnas__blocked_shape s);

/* Backward: for every input i with dx[i] != NULL, dx[i] = sum over its terms
 * of w_t op_t^T(dy) (added to dx[i] when bit i of @p accum is set); when g is
 * not NULL, g[t] = <dy, op_t(x[src_t])> for every term (computed as
 * <op_t^T(dy), x[src_t]>). The dot products use double accumulators per lane
 * and a partition into chunks of slabs that depends on the shape only: g is
 * bit-identical for any thread count. */
void rfnas__mixed_bwd(float *const *dx, uint64_t accum, double *g, const float *dy,
                      const float *const *x, int n_x, const rfnas__mixed_term *terms, int n,
                      rfnas__blocked_shape s);
void rfnas__mixed_bwd_strided(float *const *dx, uint64_t accum, double *g, const float *dy,
                              const float *const *x, const int *x_cbs, int n_x,
                              const rfnas__mixed_term *terms, int n, rfnas__blocked_shape s);

#endif
