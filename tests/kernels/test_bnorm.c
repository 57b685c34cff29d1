/* Batch normalisation kernel (SPEC 2.2): training mode (batch statistics,
 * PyTorch running-statistics update) and evaluation mode (running statistics),
 * with and without affine; forward against a double reference, backward (dx,
 * dgamma, dbeta) against the double reference and by directional central
 * differences of <dy, BN(x)>. Channel counts 5, 16 and 20 cover one padded
 * block, one full block and a full block plus a padded one. Tolerances: kref.h. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/bnorm.h"
#include "kref.h"

static rfnas_ctx *ctx;

static int setup(void **state)
{
    (void)state;
    ctx = kref_ctx(1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rfnas_ctx_destroy(ctx);
    return 0;
}

typedef struct bn_case {
    const char *name;
    rfnas__bnorm_desc d;
    int train;
} bn_case;

static const bn_case cases[] = {
    {"train_affine_c5", {2, 5, 4, 3, 1}, 1},   {"train_plain_c5", {2, 5, 4, 3, 0}, 1},
    {"train_affine_c16", {3, 16, 5, 5, 1}, 1}, {"train_plain_c16", {3, 16, 5, 5, 0}, 1},
    {"train_affine_c20", {2, 20, 3, 3, 1}, 1}, {"train_plain_c20", {2, 20, 3, 3, 0}, 1},
    {"eval_affine_c5", {2, 5, 4, 3, 1}, 0},    {"eval_plain_c5", {2, 5, 4, 3, 0}, 0},
    {"eval_affine_c20", {2, 20, 3, 3, 1}, 0},  {"eval_plain_c16", {3, 16, 5, 5, 0}, 0},
};

/* BN as a function of x, gamma or beta (the others fixed), for the FD checks. */
typedef struct fd_ctx {
    kref_bn s;
    const double *x;
    int wrt; /* 0 x, 1 gamma, 2 beta */
} fd_ctx;

static void f_bn(const void *p, const double *v, double *y)
{
    const fd_ctx *f = p;
    kref_bn s = f->s;
    const double *x = f->x;
    if (f->wrt == 0)
        x = v;
    else if (f->wrt == 1)
        s.gamma = v;
    else
        s.beta = v;
    kref_bn_fwd(&s, x, y, NULL, NULL);
}

static void test_bnorm__case(void **state)
{
    const bn_case *k = *state;
    const rfnas__bnorm_desc *d = &k->d;
    print_message("%s\n", k->name);
    rfnas__bnorm *b = NULL;
    assert_int_equal(rfnas__bnorm_create(&b, ctx, d), RFNAS_OK);
    print_message("  impl fwd %s | bwd %s\n", rfnas__bnorm_impl(b, 0, k->train),
                  rfnas__bnorm_impl(b, 1, k->train));
    const size_t n = (size_t)(d->n * d->c * d->h * d->w), nb = kref_blocked_count(d->n, d->c, d->h, d->w);
    const size_t c = (size_t)d->c;
    assert_int_equal(dnnl_memory_desc_get_size(rfnas__bnorm_data_md(b)), nb * sizeof(float));

    kref_rng rng = {77 + (uint64_t)(k - cases)};
    double *x = kref_dalloc(n), *dy = kref_dalloc(n), *g = kref_dalloc(c), *be = kref_dalloc(c);
    double *rm = kref_dalloc(c), *rv = kref_dalloc(c);
    kref_fill(x, n, &rng, -1, 1);
    for (size_t i = 0; i < n; i++) /* per-channel offsets and scales, as real activations */
        x[i] = (double)(float)(x[i] * (1 + (double)(i / (size_t)(d->h * d->w) % c) * 0.25) +
                               0.1 * (double)(i / (size_t)(d->h * d->w) % c));
    kref_fill(dy, n, &rng, -1, 1);
    kref_fill(g, c, &rng, 0.5, 1.5);
    kref_fill(be, c, &rng, -0.5, 0.5);
    kref_fill(rm, c, &rng, -0.2, 0.2);
    kref_fill(rv, c, &rng, 0.5, 2.0);

    float *fx = kref_falloc(nb), *fy = kref_falloc(nb), *fdy = kref_falloc(nb), *fdx = kref_falloc(nb);
    float *fg = kref_falloc(c), *fb = kref_falloc(c), *fm = kref_falloc(c), *fv = kref_falloc(c);
    float *frm = kref_falloc(c), *frv = kref_falloc(c), *fdg = kref_falloc(c), *fdb = kref_falloc(c);
    kref_to_blocked(fx, x, d->n, d->c, d->h, d->w);
    kref_to_blocked(fdy, dy, d->n, d->c, d->h, d->w);
    kref_d2f(fg, g, c);
    kref_d2f(fb, be, c);
    kref_d2f(frm, rm, c);
    kref_d2f(frv, rv, c);
    const float *pg = d->affine ? fg : NULL, *pb = d->affine ? fb : NULL;

    kref_bn s = {d->n, d->c, d->h, d->w, RFNAS__BN_EPS, d->affine ? g : NULL,
                 d->affine ? be : NULL, NULL, NULL};
    double *y_ref = kref_dalloc(n), *mean = kref_dalloc(c), *var = kref_dalloc(c);
    double *y = kref_dalloc(n), *mag = kref_dalloc(n), *tmp = kref_dalloc(n);
    kref_poison(fy, nb, NAN);
    if (k->train) {
        assert_int_equal(rfnas__bnorm_forward_train(b, fx, fy, pg, pb, fm, fv, frm, frv), RFNAS_OK);
        kref_bn_fwd(&s, x, y_ref, mean, var);
        /* Batch statistics, and the running ones updated as PyTorch does. */
        const double m = (double)(d->n * d->h * d->w);
        for (size_t i = 0; i < c; i++) {
            assert_true(fabs(fm[i] - mean[i]) <= 1e-6 * (1 + fabs(mean[i])));
            assert_true(fabs(fv[i] - var[i]) <= 1e-5 * var[i]);
            double em = 0.9 * rm[i] + 0.1 * mean[i], ev = 0.9 * rv[i] + 0.1 * var[i] * m / (m - 1);
            assert_true(fabs(frm[i] - em) <= 1e-6 * (1 + fabs(em)));
            assert_true(fabs(frv[i] - ev) <= 1e-6 * ev);
        }
    } else {
        assert_int_equal(rfnas__bnorm_forward_eval(b, fx, fy, pg, pb, frm, frv), RFNAS_OK);
        s.mean = rm;
        s.var = rv;
        kref_bn_fwd(&s, x, y_ref, NULL, NULL);
        kref_d2f(fm, rm, c); /* backward uses the running statistics */
        kref_d2f(fv, rv, c);
    }
    assert_true(kref_pad_zero(fy, d->n, d->c, d->h, d->w));
    kref_from_blocked(y, fy, d->n, d->c, d->h, d->w);
    /* Magnitude of y = gamma (x - mu) / sigma + beta: its terms' sizes. */
    for (size_t i = 0; i < n; i++) {
        size_t ch = i / (size_t)(d->h * d->w) % c;
        double mu = s.mean ? rm[ch] : mean[ch], v = s.var ? rv[ch] : var[ch];
        mag[i] = (d->affine ? fabs(g[ch]) : 1) * (fabs(x[i]) + fabs(mu)) / sqrt(v + RFNAS__BN_EPS) +
                 (d->affine ? fabs(be[ch]) : 0);
    }
    assert_true(kref_close("y vs double reference", y, y_ref, mag, n, KREF_BN_RTOL, 1e-30) <= 1);

    /* Backward. dgamma and dbeta start as garbage to prove they are written. */
    kref_poison(fdx, nb, NAN);
    kref_poison(fdg, c, NAN);
    kref_poison(fdb, c, NAN);
    KREF_OK(rfnas__bnorm_backward(b, k->train, fx, fdy, fm, fv, pg, fdx, d->affine ? fdg : NULL,
                                  d->affine ? fdb : NULL, 0));
    assert_true(kref_pad_zero(fdx, d->n, d->c, d->h, d->w));
    double *dx = kref_dalloc(n), *dx_ref = kref_dalloc(n), *dx_mag = kref_dalloc(n);
    double *dg = kref_dalloc(c), *dg_ref = kref_dalloc(c), *dg_mag = kref_dalloc(c);
    double *db = kref_dalloc(c), *db_ref = kref_dalloc(c), *db_mag = kref_dalloc(c);
    kref_from_blocked(dx, fdx, d->n, d->c, d->h, d->w);
    kref_bn_bwd(&s, x, dy, dx_ref, dx_mag, dg_ref, dg_mag, db_ref, db_mag);
    assert_true(kref_close("dx vs double reference", dx, dx_ref, dx_mag, n, KREF_BN_RTOL, 1e-30) <=
                1);
    fd_ctx f = {s, x, 0};
    assert_true(kref_directional("dx: central differences", f_bn, &f, x, n, dy, n, dx, 3, 5) <= 1);
    if (d->affine) {
        kref_f2d(dg, fdg, c);
        kref_f2d(db, fdb, c);
        assert_true(kref_close("dgamma vs double reference", dg, dg_ref, dg_mag, c, KREF_BN_RTOL,
                               1e-30) <= 1);
        assert_true(kref_close("dbeta vs double reference", db, db_ref, db_mag, c, KREF_BN_RTOL,
                               1e-30) <= 1);
        f.wrt = 1;
        assert_true(kref_directional("dgamma: central differences", f_bn, &f, g, c, dy, n, dg, 3,
                                     6) <= 1);
        f.wrt = 2;
        assert_true(kref_directional("dbeta: central differences", f_bn, &f, be, c, dy, n, db, 3,
                                     7) <= 1);
        /* Accumulation adds exactly what an overwrite writes. */
        assert_int_equal(rfnas__bnorm_backward(b, k->train, fx, fdy, fm, fv, pg, fdx, fdg, fdb, 1),
                         RFNAS_OK);
        for (size_t i = 0; i < c; i++) {
            assert_true(fdg[i] == (float)(2 * dg[i]));
            assert_true(fdb[i] == (float)(2 * db[i]));
        }
        /* Either gradient may be skipped. */
        assert_int_equal(rfnas__bnorm_backward(b, k->train, fx, fdy, fm, fv, pg, fdx, NULL, fdb, 0),
                         RFNAS_OK);
        assert_true(fdb[0] == (float)db[0]);
        /* Affine without gamma is an error, not a crash. */
        assert_int_equal(rfnas__bnorm_backward(b, k->train, fx, fdy, fm, fv, NULL, fdx, fdg, fdb, 0),
                         RFNAS_E_INVALID);
    }

    rfnas__bnorm_destroy(b);
    double *dall[] = {x, dy, g, be, rm, rv, y_ref, mean, var, y, mag, tmp, dx, dx_ref, dx_mag,
                      dg, dg_ref, dg_mag, db, db_ref, db_mag};
    for (size_t i = 0; i < sizeof dall / sizeof dall[0]; i++)
        free(dall[i]);
    float *fall[] = {fx, fy, fdy, fdx, fg, fb, fm, fv, frm, frv, fdg, fdb};
    for (size_t i = 0; i < sizeof fall / sizeof fall[0]; i++)
        free(fall[i]);
}

/* Without running statistics (NB201's track_running_stats=False) nothing is updated. */
static void test_bnorm__no_running_stats(void **state)
{
    (void)state;
    rfnas__bnorm_desc d = {2, 16, 2, 2, 0};
    rfnas__bnorm *b = NULL;
    assert_int_equal(rfnas__bnorm_create(&b, ctx, &d), RFNAS_OK);
    size_t nb = kref_blocked_count(2, 16, 2, 2);
    float *x = kref_falloc(nb), *y = kref_falloc(nb), m[16], v[16];
    for (size_t i = 0; i < nb; i++)
        x[i] = (float)(i % 7);
    assert_int_equal(rfnas__bnorm_forward_train(b, x, y, NULL, NULL, m, v, NULL, NULL), RFNAS_OK);
    rfnas__bnorm_destroy(b);
    /* One value per channel: the unbiased variance is undefined, as in PyTorch. */
    rfnas__bnorm_desc one = {1, 16, 1, 1, 0};
    assert_int_equal(rfnas__bnorm_create(&b, ctx, &one), RFNAS_OK);
    float rm[16] = {0}, rv[16] = {0};
    assert_int_equal(rfnas__bnorm_forward_train(b, x, y, NULL, NULL, m, v, rm, rv), RFNAS_E_INVALID);
    rfnas__bnorm_destroy(b);
    rfnas__bnorm_desc bad = {0, 16, 1, 1, 0};
    assert_int_equal(rfnas__bnorm_create(&b, ctx, &bad), RFNAS_E_INVALID);
    assert_null(b);
    rfnas__bnorm_destroy(NULL);
    free(x);
    free(y);
}

int main(void)
{
    enum { N = sizeof cases / sizeof cases[0] };
    struct CMUnitTest tests[N + 1];
    for (size_t i = 0; i < N; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_bnorm__case, (void *)&cases[i]);
        t.name = cases[i].name;
        tests[i] = t;
    }
    struct CMUnitTest extra = cmocka_unit_test(test_bnorm__no_running_stats);
    tests[N] = extra;
    return cmocka_run_group_tests_name("bnorm", tests, setup, teardown);
}
