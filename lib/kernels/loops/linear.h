/* Inner product (PyTorch Linear, SPEC 2.5) on plain row-major arrays:
 * x (N, K), weight (M, K) as PyTorch stores it, bias (M), y (N, M).
 *
 * Our own loops rather than dnnl_sgemm: the shapes in this library are tiny
 * (the classifier, 64 x 576 -> 10; the aux head, 768 -> 10), so a GEMM brings
 * nothing, while loops in which each output is one dot product in a fixed
 * order, accumulated in double, give the same bits for any thread count. */
#ifndef RFNAS_KERNELS_LOOPS_LINEAR_H
#define RFNAS_KERNELS_LOOPS_LINEAR_H

/* y = x W^T + b (b may be NULL: no bias). */
void rfnas__linear_fwd(float *y, const float *x, const float *weight, const float *bias, int n,
                       int k, int m);

/* dx = dy W (or += when @p accum). */
void rfnas__linear_bwd_data(float *dx, const float *dy, const float *weight, int n, int k, int m,
                            int accum);

/* dW = dy^T x and db = column sums of dy (or += when @p accum); a NULL dweight
 * or dbias skips it. */
void rfnas__linear_bwd_weights(float *dweight, float *dbias, const float *dy, const float *x,
                               int n, int k, int m, int accum);

#endif
