/* Helpers and double references for the oneDNN kernel tests (see kref.h). */
#include "kref.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* splitmix64: tiny, seedable, and the same on every platform. */
static uint64_t next(kref_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double kref_uniform(kref_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * (double)(next(r) >> 11) * (1.0 / 9007199254740992.0);
}

void kref_fill(double *a, size_t n, kref_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (double)(float)kref_uniform(r, lo, hi);
}

void kref_direction(double *v, size_t n, kref_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        double m = kref_uniform(r, 0.5, 1.0);
        v[i] = (next(r) & 1) ? m : -m;
    }
}

double *kref_dalloc(size_t n)
{
    double *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

float *kref_falloc(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

size_t kref_blocked_count(int64_t n, int64_t c, int64_t h, int64_t w)
{
    return (size_t)(n * ((c + 15) / 16 * 16) * h * w);
}

static size_t boff(int64_t c, int64_t h, int64_t w, int64_t in, int64_t ic, int64_t ih, int64_t iw)
{
    int64_t cb = (c + 15) / 16;
    return (size_t)((((in * cb + ic / 16) * h + ih) * w + iw) * 16 + ic % 16);
}

void kref_to_blocked(float *dst, const double *src, int64_t n, int64_t c, int64_t h, int64_t w)
{
    memset(dst, 0, kref_blocked_count(n, c, h, w) * sizeof *dst);
    for (int64_t a = 0; a < n; a++)
        for (int64_t b = 0; b < c; b++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++)
                    dst[boff(c, h, w, a, b, y, x)] = (float)src[((a * c + b) * h + y) * w + x];
}

void kref_from_blocked(double *dst, const float *src, int64_t n, int64_t c, int64_t h, int64_t w)
{
    for (int64_t a = 0; a < n; a++)
        for (int64_t b = 0; b < c; b++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++)
                    dst[((a * c + b) * h + y) * w + x] = src[boff(c, h, w, a, b, y, x)];
}

void kref_poison(float *buf, size_t count, float v)
{
    for (size_t i = 0; i < count; i++)
        buf[i] = v;
}

int kref_pad_zero(const float *b, int64_t n, int64_t c, int64_t h, int64_t w)
{
    int64_t cp = (c + 15) / 16 * 16;
    for (int64_t a = 0; a < n; a++)
        for (int64_t k = c; k < cp; k++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++)
                    if (b[boff(c, h, w, a, k, y, x)] != 0.0f)
                        return 0;
    return 1;
}

void kref_f2d(double *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

void kref_d2f(float *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (float)src[i];
}

double kref_dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

double kref_close(const char *what, const double *got, const double *ref, const double *mag,
                  size_t n, double rtol, double atol)
{
    double worst = 0, err_at = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double err = fabs(got[i] - ref[i]);
        double ratio = err / (rtol * mag[i] + atol);
        if (!(ratio <= worst)) { /* also catches NaN */
            worst = isnan(ratio) ? INFINITY : ratio;
            at = i;
            err_at = err;
        }
    }
    print_message("  %-44s worst %.3g of allowed (at %zu: err %.3g, mag %.3g)\n", what, worst, at,
                  err_at, n ? mag[at] : 0.0);
    return worst;
}

double kref_directional(const char *what, kref_fn f, const void *ctx, const double *x, size_t nx,
                        const double *r, size_t ny, const double *g, int ndir, uint64_t seed)
{
    kref_rng rng = {seed};
    double *v = kref_dalloc(nx), *xp = kref_dalloc(nx), *y = kref_dalloc(ny);
    double worst = 0;
    for (int k = 0; k < ndir; k++) {
        kref_direction(v, nx, &rng);
        for (size_t i = 0; i < nx; i++)
            xp[i] = x[i] + KREF_FD_H * v[i];
        f(ctx, xp, y);
        double lp = kref_dot(r, y, ny);
        for (size_t i = 0; i < nx; i++)
            xp[i] = x[i] - KREF_FD_H * v[i];
        f(ctx, xp, y);
        double lm = kref_dot(r, y, ny);
        double numeric = (lp - lm) / (2 * KREF_FD_H), analytic = 0, norm = 0;
        for (size_t i = 0; i < nx; i++) {
            analytic += g[i] * v[i];
            norm += g[i] * v[i] * g[i] * v[i];
        }
        double ratio = fabs(analytic - numeric) / (KREF_DIR_TOL * sqrt(norm) + 1e-300);
        if (!(ratio <= worst))
            worst = isnan(ratio) ? INFINITY : ratio;
    }
    print_message("  %-44s worst %.3g of allowed (%d directions)\n", what, worst, ndir);
    free(v);
    free(xp);
    free(y);
    return worst;
}

/* ---- convolution: one loop nest visits every (output, tap) pair once ---- */

enum { FWD, BWD_DATA, BWD_WEIGHTS };

static void conv_ref(const kref_conv *s, int mode, const double *a, const double *b, double *out,
                     double *mag)
{
    const int64_t icg = s->ic / s->groups, ocg = s->oc / s->groups;
    size_t nout = mode == FWD        ? (size_t)(s->n * s->oc * s->oh * s->ow)
                  : mode == BWD_DATA ? (size_t)(s->n * s->ic * s->ih * s->iw)
                                     : (size_t)(s->oc * icg * s->kh * s->kw);
    memset(out, 0, nout * sizeof *out);
    memset(mag, 0, nout * sizeof *mag);
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t o = 0; o < s->oc; o++) {
            const int64_t g = o / ocg;
            for (int64_t oy = 0; oy < s->oh; oy++)
                for (int64_t ox = 0; ox < s->ow; ox++) {
                    const size_t yi = (size_t)(((n * s->oc + o) * s->oh + oy) * s->ow + ox);
                    for (int64_t cl = 0; cl < icg; cl++) {
                        const int64_t ci = g * icg + cl;
                        for (int64_t ky = 0; ky < s->kh; ky++) {
                            const int64_t iy = oy * s->stride - s->pad_h + ky * s->dil;
                            if (iy < 0 || iy >= s->ih)
                                continue;
                            for (int64_t kx = 0; kx < s->kw; kx++) {
                                const int64_t ix = ox * s->stride - s->pad_w + kx * s->dil;
                                if (ix < 0 || ix >= s->iw)
                                    continue;
                                const size_t xi =
                                    (size_t)(((n * s->ic + ci) * s->ih + iy) * s->iw + ix);
                                const size_t wi = (size_t)(((o * icg + cl) * s->kh + ky) * s->kw + kx);
                                double p, q;
                                size_t at;
                                if (mode == FWD) { /* a = x, b = w */
                                    p = a[xi], q = b[wi], at = yi;
                                } else if (mode == BWD_DATA) { /* a = dy, b = w */
                                    p = a[yi], q = b[wi], at = xi;
                                } else { /* a = x, b = dy */
                                    p = a[xi], q = b[yi], at = wi;
                                }
                                out[at] += p * q;
                                mag[at] += fabs(p * q);
                            }
                        }
                    }
                }
        }
}

void kref_conv_fwd(const kref_conv *s, const double *x, const double *w, double *y, double *mag)
{
    conv_ref(s, FWD, x, w, y, mag);
}

void kref_conv_bwd_data(const kref_conv *s, const double *dy, const double *w, double *dx,
                        double *mag)
{
    conv_ref(s, BWD_DATA, dy, w, dx, mag);
}

void kref_conv_bwd_weights(const kref_conv *s, const double *x, const double *dy, double *dw,
                           double *mag)
{
    conv_ref(s, BWD_WEIGHTS, x, dy, dw, mag);
}

/* ---- batch normalisation ---- */

static size_t bn_at(const kref_bn *s, int64_t n, int64_t c, int64_t i)
{
    return (size_t)((n * s->c + c) * s->h * s->w + i);
}

/* Per-channel statistics: the running ones in eval mode, else the batch's. */
static void bn_stats(const kref_bn *s, const double *x, int64_t c, double *mu, double *var)
{
    if (s->mean) {
        *mu = s->mean[c];
        *var = s->var[c];
        return;
    }
    const int64_t hw = s->h * s->w;
    const double m = (double)(s->n * hw);
    double sum = 0, sq = 0;
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t i = 0; i < hw; i++)
            sum += x[bn_at(s, n, c, i)];
    *mu = sum / m;
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t i = 0; i < hw; i++) {
            double d = x[bn_at(s, n, c, i)] - *mu;
            sq += d * d;
        }
    *var = sq / m;
}

void kref_bn_fwd(const kref_bn *s, const double *x, double *y, double *mean, double *var)
{
    const int64_t hw = s->h * s->w;
    for (int64_t c = 0; c < s->c; c++) {
        double mu, v;
        bn_stats(s, x, c, &mu, &v);
        if (mean)
            mean[c] = mu;
        if (var)
            var[c] = v;
        const double inv = 1.0 / sqrt(v + s->eps);
        const double g = s->gamma ? s->gamma[c] : 1.0, b = s->beta ? s->beta[c] : 0.0;
        for (int64_t n = 0; n < s->n; n++)
            for (int64_t i = 0; i < hw; i++) {
                size_t k = bn_at(s, n, c, i);
                y[k] = g * (x[k] - mu) * inv + b;
            }
    }
}

void kref_bn_bwd(const kref_bn *s, const double *x, const double *dy, double *dx, double *dx_mag,
                 double *dgamma, double *dgamma_mag, double *dbeta, double *dbeta_mag)
{
    const int64_t hw = s->h * s->w;
    const double m = (double)(s->n * hw);
    for (int64_t c = 0; c < s->c; c++) {
        double mu, v;
        bn_stats(s, x, c, &mu, &v);
        const double inv = 1.0 / sqrt(v + s->eps), g = s->gamma ? s->gamma[c] : 1.0;
        double sdy = 0, sdyx = 0, ady = 0, adyx = 0;
        for (int64_t n = 0; n < s->n; n++)
            for (int64_t i = 0; i < hw; i++) {
                size_t k = bn_at(s, n, c, i);
                double xh = (x[k] - mu) * inv;
                sdy += dy[k];
                sdyx += dy[k] * xh;
                ady += fabs(dy[k]);
                adyx += fabs(dy[k] * xh);
            }
        if (dgamma) {
            dgamma[c] = sdyx;
            dgamma_mag[c] = adyx;
        }
        if (dbeta) {
            dbeta[c] = sdy;
            dbeta_mag[c] = ady;
        }
        for (int64_t n = 0; n < s->n; n++)
            for (int64_t i = 0; i < hw; i++) {
                size_t k = bn_at(s, n, c, i);
                double xh = (x[k] - mu) * inv;
                if (s->mean) { /* eval: statistics are constants */
                    dx[k] = g * inv * dy[k];
                    dx_mag[k] = fabs(dx[k]);
                } else {
                    dx[k] = g * inv / m * (m * dy[k] - sdy - xh * sdyx);
                    dx_mag[k] = fabs(g) * inv / m * (m * fabs(dy[k]) + ady + fabs(xh) * adyx);
                }
            }
    }
}

rfnas_ctx *kref_ctx(int threads)
{
    rfnas_config *cfg = NULL;
    rfnas_ctx *ctx = NULL;
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_CTX_THREADS, threads), RFNAS_OK);
    assert_int_equal(rfnas_ctx_create(&ctx, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    return ctx;
}
