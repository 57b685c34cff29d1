/* Shared helpers for the oneDNN kernel tests (conv, bnorm): seeded data, plain
 * NCHW <-> nChw16c written out by hand (so the tests do not trust the library's
 * own reorders), double-precision references, and the gradient checkers.
 *
 * Checkers and their tolerances (stated once, used by every test):
 * - kref_close: per element |got - ref| <= rtol * mag + atol, where mag is the
 *   sum of the magnitudes of the terms that make up the element (for a
 *   convolution, the same sum with |w| and |x|): float rounding of a sum of K
 *   terms is bounded by a small multiple of eps_f32 * mag, whatever cancels.
 * - kref_directional: a finite-difference check. With L(x) = <r, f(x)> in
 *   double for the double reference f, numeric = (L(x + h v) - L(x - h v)) / 2h
 *   and analytic = <g, v> for the library's float gradient g and a direction v
 *   with entries +-[0.5, 1]. Passes when |analytic - numeric| <= tol * ||g o v||_2
 *   (the size of a sum of independent per-element float errors).
 * Both return the worst ratio error/allowed (<= 1 passes) so that the control
 * test can assert that a wrong gradient fails them. */
#ifndef KREF_H
#define KREF_H

#include <stddef.h>
#include <stdint.h>

#include "rfnas.h"

/* Asserts success, printing the library's error text when it is not. */
#define KREF_OK(expr)                                                                              \
    do {                                                                                           \
        rfnas_status kref_rc_ = (expr);                                                            \
        if (kref_rc_ != RFNAS_OK)                                                                  \
            print_message("%s: %s\n", #expr, rfnas_error_last());                                  \
        assert_int_equal(kref_rc_, RFNAS_OK);                                                      \
    } while (0)

/* Tolerances; see above. */
#define KREF_CONV_RTOL 1e-5 /* conv forward, dx, dW vs the double reference (x mag) */
#define KREF_BN_RTOL 1e-5   /* BN y, dx, dgamma, dbeta vs the double reference (x mag) */
#define KREF_DIR_TOL 1e-5   /* directional derivative (x ||g o v||_2) */
#define KREF_FD_H 1e-4      /* central-difference step (double) */

typedef struct kref_rng {
    uint64_t s;
} kref_rng;

double kref_uniform(kref_rng *r, double lo, double hi);
/* Uniform in [lo, hi), each value rounded to float so both sides see the same input. */
void kref_fill(double *a, size_t n, kref_rng *r, double lo, double hi);
/* A direction for kref_directional: +-U[0.5, 1). */
void kref_direction(double *v, size_t n, kref_rng *r);

double *kref_dalloc(size_t n); /* zeroed; fails the test on OOM */
float *kref_falloc(size_t n);  /* zeroed */

/* nChw16c helpers: floats of a blocked tensor (channels padded to 16). */
size_t kref_blocked_count(int64_t n, int64_t c, int64_t h, int64_t w);
/* plain double -> blocked float (padding zero). */
void kref_to_blocked(float *dst, const double *src, int64_t n, int64_t c, int64_t h, int64_t w);
/* blocked float -> plain double. */
void kref_from_blocked(double *dst, const float *src, int64_t n, int64_t c, int64_t h, int64_t w);
/* Fills a whole blocked buffer (padding included) with @p v, to see what a kernel writes. */
void kref_poison(float *buf, size_t count, float v);
/* 1 if every padding channel is +0 or -0. */
int kref_pad_zero(const float *b, int64_t n, int64_t c, int64_t h, int64_t w);

void kref_f2d(double *dst, const float *src, size_t n);
void kref_d2f(float *dst, const double *src, size_t n);
double kref_dot(const double *a, const double *b, size_t n);

/* Worst |got - ref| / (rtol * mag + atol) over n elements; prints it with @p what. */
double kref_close(const char *what, const double *got, const double *ref, const double *mag,
                  size_t n, double rtol, double atol);

/* f: x (nx) -> y (ny) in double. */
typedef void (*kref_fn)(const void *ctx, const double *x, double *y);

/* Worst ratio of the directional check over @p ndir random directions (see above). */
double kref_directional(const char *what, kref_fn f, const void *ctx, const double *x, size_t nx,
                        const double *r, size_t ny, const double *g, int ndir, uint64_t seed);

/* ---- double references ---- */

typedef struct kref_conv {
    int64_t n, ic, ih, iw, oc, oh, ow, kh, kw, stride, pad_h, pad_w, dil, groups;
} kref_conv;

/* y = conv(x, w) and mag = conv(|x|, |w|). */
void kref_conv_fwd(const kref_conv *s, const double *x, const double *w, double *y, double *mag);
/* dx = conv^T(dy, w) and its magnitude. */
void kref_conv_bwd_data(const kref_conv *s, const double *dy, const double *w, double *dx,
                        double *mag);
/* dw = sum x * dy and its magnitude. */
void kref_conv_bwd_weights(const kref_conv *s, const double *x, const double *dy, double *dw,
                           double *mag);

typedef struct kref_bn {
    int64_t n, c, h, w;
    double eps;
    const double *gamma, *beta; /* NULL: 1 and 0 */
    const double *mean, *var;   /* eval mode: the running statistics; NULL: batch statistics */
} kref_bn;

/* y = BN(x); mean and var (biased) out when non-NULL (training mode). */
void kref_bn_fwd(const kref_bn *s, const double *x, double *y, double *mean, double *var);
/* SPEC 2.2 backward (training mode) or dy * gamma / sqrt(var + eps) (eval mode),
 * with per-element magnitudes; dgamma, dbeta and their magnitudes when non-NULL. */
void kref_bn_bwd(const kref_bn *s, const double *x, const double *dy, double *dx, double *dx_mag,
                 double *dgamma, double *dgamma_mag, double *dbeta, double *dbeta_mag);

/* A context with @p threads threads (fails the test otherwise). */
rfnas_ctx *kref_ctx(int threads);

#endif
