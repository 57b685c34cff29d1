/* Shared helpers for the kernels/loops tests: seeded data, plain <-> blocked
 * conversions, double-precision comparisons, and a gradient checker built on
 * directional central differences of L = <r, f(x)> with f a double reference.
 *
 * Tolerances (relative unless stated), used by every test:
 * - forward vs the double reference: |got - ref| <= TL_FWD_ATOL + TL_FWD_RTOL*|ref|
 *   per element (float rounding of a few operations);
 * - directional derivative: |analytic - numeric| <= TL_GRAD_TOL * max(|a|, |n|)
 *   (+ 1e-12 absolute), with analytic = <J^T r, d> from the float backward and
 *   numeric = (L(x + eps d) - L(x - eps d)) / 2 eps in double, eps = 1e-4 for
 *   smooth or linear kernels and 1e-7 for ReLU and max, whose inputs are
 *   generated so that no kink lies within eps of x. */
#ifndef TL_H
#define TL_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/loops/blocked.h"

#define TL_FWD_ATOL 1e-6
#define TL_FWD_RTOL 1e-5
#define TL_GRAD_TOL 1e-4
#define TL_EPS 1e-4
#define TL_EPS_KINK 1e-7 /* for inputs from tl_fill_distinct: far below 1/n */

typedef struct tl_rng {
    uint64_t s;
} tl_rng;

double tl_uniform(tl_rng *r, double lo, double hi);
/* Uniform values in [lo, hi), rounded to float so the reference sees the kernel's input. */
void tl_fill(double *a, size_t n, tl_rng *r, double lo, double hi);
/* Values in [-1, 1] at least 1/n apart from each other and from 0 (so that a
 * step of TL_EPS_KINK crosses no ReLU or max kink). */
void tl_fill_distinct(double *a, size_t n, tl_rng *r);

double *tl_dalloc(size_t n);
float *tl_falloc(size_t n);
/* A float buffer filled with NaN, so that any element a kernel fails to write shows. */
float *tl_nan_alloc(size_t n);

size_t tl_plain(rfnas__blocked_shape s);
/* New blocked float tensor from a plain double one (padding zero). */
float *tl_to_blocked(const double *plain, rfnas__blocked_shape s);
/* New plain double tensor from a blocked float one. */
double *tl_from_blocked(const float *blk, rfnas__blocked_shape s);

double tl_dot(const double *a, const double *b, size_t n);
/* Elementwise forward check against the reference (fails the test with a message). */
void tl_assert_close(const double *ref, const double *got, size_t n, double atol, double rtol,
                     const char *what);

/* f: plain double reference, x (nx) -> y (ny). */
typedef void (*tl_fn)(const void *ctx, const double *x, double *y);
/* (L(x + eps d) - L(x - eps d)) / (2 eps), L = <r, f(.)>. */
double tl_fd(tl_fn f, const void *ctx, const double *x, const double *d, size_t nx,
             const double *r, size_t ny, double eps);
/* Relative disagreement |a - n| / max(|a|, |n|, 1e-12). */
double tl_rel(double analytic, double numeric);

/* A unary kernel on blocked tensors and its reference, for tl_check_unary. */
typedef struct tl_unary {
    const char *name;
    rfnas__blocked_shape xs, ys;
    const void *ctx;
    void (*fwd)(const void *ctx, float *y, const float *x);
    /* dx from dy; x and y are the forward's input and output. */
    void (*bwd)(const void *ctx, float *dx, const float *dy, const float *x, const float *y,
                int accum);
    tl_fn ref;
    /* Input generator: 0 = uniform [-1, 1], 1 = tl_fill_distinct. */
    int distinct;
    uint64_t seed;
} tl_unary;

/* Runs the forward check, three directional gradient checks, the padding checks
 * (outputs start as NaN), the accumulate path and a repeat for bit-identity.
 * Returns the worst directional disagreement; the caller asserts it is below
 * TL_GRAD_TOL (the control test asserts the opposite). */
double tl_check_unary(const tl_unary *u);

#endif
