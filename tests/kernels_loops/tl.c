/* Shared helpers for the kernels/loops tests. */
#include "tl.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static uint64_t next(tl_rng *r)
{
    /* splitmix64: tiny, seeded, good enough for test data. */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double tl_uniform(tl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * (double)(next(r) >> 11) * (1.0 / 9007199254740992.0);
}

void tl_fill(double *a, size_t n, tl_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (double)(float)tl_uniform(r, lo, hi);
}

void tl_fill_distinct(double *a, size_t n, tl_rng *r)
{
    /* Magnitudes k/n for a random permutation k of 1..n, random signs: any two
     * values differ by at least 1/n, and so does every value from 0. */
    size_t *k = calloc(n ? n : 1, sizeof(size_t));
    assert_non_null(k);
    for (size_t i = 0; i < n; i++)
        k[i] = i + 1;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next(r) % i), t = k[i - 1];
        k[i - 1] = k[j];
        k[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        double v = (double)k[i] / (double)n;
        a[i] = (double)(float)((next(r) & 1) ? v : -v);
    }
    free(k);
}

double *tl_dalloc(size_t n)
{
    double *p = calloc(n ? n : 1, sizeof(double));
    assert_non_null(p);
    return p;
}

float *tl_falloc(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    assert_non_null(p);
    return p;
}

float *tl_nan_alloc(size_t n)
{
    float *p = tl_falloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
    return p;
}

size_t tl_plain(rfnas__blocked_shape s)
{
    return (size_t)s.n * (size_t)s.c * (size_t)s.h * (size_t)s.w;
}

float *tl_to_blocked(const double *plain, rfnas__blocked_shape s)
{
    const size_t n = tl_plain(s);
    float *tmp = tl_falloc(n), *b = tl_nan_alloc(rfnas__blocked_count(s));
    for (size_t i = 0; i < n; i++)
        tmp[i] = (float)plain[i];
    rfnas__blocked_from_nchw(b, tmp, s);
    free(tmp);
    return b;
}

double *tl_from_blocked(const float *blk, rfnas__blocked_shape s)
{
    const size_t n = tl_plain(s);
    float *tmp = tl_falloc(n);
    double *d = tl_dalloc(n);
    rfnas__blocked_to_nchw(tmp, blk, s);
    for (size_t i = 0; i < n; i++)
        d[i] = tmp[i];
    free(tmp);
    return d;
}

double tl_dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

void tl_assert_close(const double *ref, const double *got, size_t n, double atol, double rtol,
                     const char *what)
{
    for (size_t i = 0; i < n; i++) {
        double err = fabs(got[i] - ref[i]);
        if (!(err <= atol + rtol * fabs(ref[i])))
            fail_msg("%s: element %zu: got %.9g, reference %.9g", what, i, got[i], ref[i]);
    }
}

double tl_fd(tl_fn f, const void *ctx, const double *x, const double *d, size_t nx,
             const double *r, size_t ny, double eps)
{
    double *xp = tl_dalloc(nx), *y = tl_dalloc(ny);
    for (size_t i = 0; i < nx; i++)
        xp[i] = x[i] + eps * d[i];
    f(ctx, xp, y);
    double lp = tl_dot(r, y, ny);
    for (size_t i = 0; i < nx; i++)
        xp[i] = x[i] - eps * d[i];
    f(ctx, xp, y);
    double lm = tl_dot(r, y, ny);
    free(xp);
    free(y);
    return (lp - lm) / (2.0 * eps);
}

double tl_rel(double analytic, double numeric)
{
    double m = fmax(fmax(fabs(analytic), fabs(numeric)), 1e-12);
    return fabs(analytic - numeric) / m;
}

double tl_check_unary(const tl_unary *u)
{
    tl_rng rng = {u->seed};
    const size_t nx = tl_plain(u->xs), ny = tl_plain(u->ys);
    const size_t bx = rfnas__blocked_count(u->xs), by = rfnas__blocked_count(u->ys);
    double *x = tl_dalloc(nx), *r = tl_dalloc(ny), *d = tl_dalloc(nx), *yref = tl_dalloc(ny);
    if (u->distinct)
        tl_fill_distinct(x, nx, &rng);
    else
        tl_fill(x, nx, &rng, -1.0, 1.0);
    tl_fill(r, ny, &rng, -1.0, 1.0);

    /* Forward against the reference; padding lanes of the NaN-filled output must become 0. */
    float *xb = tl_to_blocked(x, u->xs), *yb = tl_nan_alloc(by);
    u->fwd(u->ctx, yb, xb);
    char what[160];
    snprintf(what, sizeof what, "%s forward", u->name);
    if (!rfnas__blocked_pad_is_zero(yb, u->ys))
        fail_msg("%s: padding channels not zero", what);
    double *y = tl_from_blocked(yb, u->ys);
    u->ref(u->ctx, x, yref);
    tl_assert_close(yref, y, ny, TL_FWD_ATOL, TL_FWD_RTOL, what);

    /* Backward into a NaN-filled buffer. */
    float *rb = tl_to_blocked(r, u->ys), *dxb = tl_nan_alloc(bx);
    u->bwd(u->ctx, dxb, rb, xb, yb, 0);
    if (!rfnas__blocked_pad_is_zero(dxb, u->xs))
        fail_msg("%s backward: padding channels not zero", u->name);
    double *dx = tl_from_blocked(dxb, u->xs);
    double worst = 0.0;
    for (int t = 0; t < 3; t++) {
        tl_fill(d, nx, &rng, -1.0, 1.0);
        double a = tl_dot(dx, d, nx);
        double num = tl_fd(u->ref, u->ctx, x, d, nx, r, ny, u->distinct ? TL_EPS_KINK : TL_EPS);
        double e = tl_rel(a, num);
        if (e > worst)
            worst = e;
    }

    /* Accumulate: dx2 = base + backward; padding stays zero. */
    double *base = tl_dalloc(nx);
    tl_fill(base, nx, &rng, -1.0, 1.0);
    float *acc = tl_to_blocked(base, u->xs);
    u->bwd(u->ctx, acc, rb, xb, yb, 1);
    if (!rfnas__blocked_pad_is_zero(acc, u->xs))
        fail_msg("%s backward (accumulate): padding channels not zero", u->name);
    double *acc_d = tl_from_blocked(acc, u->xs);
    for (size_t i = 0; i < nx; i++)
        acc_d[i] -= base[i];
    snprintf(what, sizeof what, "%s backward (accumulate)", u->name);
    tl_assert_close(dx, acc_d, nx, 1e-6, 1e-5, what);

    /* A second run gives the same bits. */
    float *y2 = tl_nan_alloc(by), *dx2 = tl_nan_alloc(bx);
    u->fwd(u->ctx, y2, xb);
    u->bwd(u->ctx, dx2, rb, xb, y2, 0);
    if (memcmp(y2, yb, by * sizeof(float)) || memcmp(dx2, dxb, bx * sizeof(float)))
        fail_msg("%s: a second run differs", u->name);

    free(x), free(r), free(d), free(yref), free(xb), free(yb), free(y), free(rb), free(dxb);
    free(dx), free(base), free(acc), free(acc_d), free(y2), free(dx2);
    return worst;
}
