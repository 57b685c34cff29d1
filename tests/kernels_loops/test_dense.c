/* Linear layer and softmax cross-entropy on plain arrays against double
 * references; gradients by directional central differences (tl.h). */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/loops/linear.h"
#include "kernels/loops/xent.h"
#include "tl.h"

static float *to_f(const double *a, size_t n)
{
    float *f = tl_falloc(n);
    for (size_t i = 0; i < n; i++)
        f[i] = (float)a[i];
    return f;
}

/* L(x, W, b) = <r, x W^T + b> in double. */
static double ref_linear_l(const double *x, const double *wt, const double *b, const double *r,
                           int n, int k, int m)
{
    double l = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            double s = b[j];
            for (int t = 0; t < k; t++)
                s += x[i * k + t] * wt[j * k + t];
            l += r[i * m + j] * s;
        }
    return l;
}

static void check_linear(int n, int k, int m, uint64_t seed)
{
    tl_rng rng = {seed};
    double *x = tl_dalloc((size_t)n * k), *wt = tl_dalloc((size_t)m * k), *b = tl_dalloc(m);
    double *r = tl_dalloc((size_t)n * m);
    tl_fill(x, (size_t)n * k, &rng, -1, 1);
    tl_fill(wt, (size_t)m * k, &rng, -1, 1);
    tl_fill(b, m, &rng, -1, 1);
    tl_fill(r, (size_t)n * m, &rng, -1, 1);
    float *xf = to_f(x, (size_t)n * k), *wf = to_f(wt, (size_t)m * k), *bf = to_f(b, m);
    float *rf = to_f(r, (size_t)n * m), *y = tl_falloc((size_t)n * m);
    rfnas__linear_fwd(y, xf, wf, bf, n, k, m);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            double s = b[j];
            for (int t = 0; t < k; t++)
                s += x[i * k + t] * wt[j * k + t];
            assert_true(fabs(y[i * m + j] - s) <= TL_FWD_ATOL + TL_FWD_RTOL * fabs(s));
        }
    float *dx = tl_falloc((size_t)n * k), *dw = tl_falloc((size_t)m * k), *db = tl_falloc(m);
    rfnas__linear_bwd_data(dx, rf, wf, n, k, m, 0);
    rfnas__linear_bwd_weights(dw, db, rf, xf, n, k, m, 0);
    /* One direction in (x, W, b) jointly. */
    double *dxd = tl_dalloc((size_t)n * k), *dwd = tl_dalloc((size_t)m * k), *dbd = tl_dalloc(m);
    tl_fill(dxd, (size_t)n * k, &rng, -1, 1);
    tl_fill(dwd, (size_t)m * k, &rng, -1, 1);
    tl_fill(dbd, m, &rng, -1, 1);
    double an = 0.0;
    for (size_t i = 0; i < (size_t)n * k; i++)
        an += dx[i] * dxd[i];
    for (size_t i = 0; i < (size_t)m * k; i++)
        an += dw[i] * dwd[i];
    for (int j = 0; j < m; j++)
        an += db[j] * dbd[j];
    double *xp = tl_dalloc((size_t)n * k), *wp = tl_dalloc((size_t)m * k), *bp = tl_dalloc(m);
    double l[2];
    for (int sgn = 0; sgn < 2; sgn++) {
        double e = sgn ? -TL_EPS : TL_EPS;
        for (size_t i = 0; i < (size_t)n * k; i++)
            xp[i] = x[i] + e * dxd[i];
        for (size_t i = 0; i < (size_t)m * k; i++)
            wp[i] = wt[i] + e * dwd[i];
        for (int j = 0; j < m; j++)
            bp[j] = b[j] + e * dbd[j];
        l[sgn] = ref_linear_l(xp, wp, bp, r, n, k, m);
    }
    double num = (l[0] - l[1]) / (2 * TL_EPS);
    if (tl_rel(an, num) > TL_GRAD_TOL)
        fail_msg("linear %dx%d->%d: analytic %.9g numeric %.9g", n, k, m, an, num);
    /* Accumulate paths add exactly what the plain ones write. */
    float *dx2 = tl_falloc((size_t)n * k), *dw2 = tl_falloc((size_t)m * k), *db2 = tl_falloc(m);
    memcpy(dx2, dx, (size_t)n * k * sizeof(float));
    memcpy(dw2, dw, (size_t)m * k * sizeof(float));
    memcpy(db2, db, (size_t)m * sizeof(float));
    rfnas__linear_bwd_data(dx2, rf, wf, n, k, m, 1);
    rfnas__linear_bwd_weights(dw2, db2, rf, xf, n, k, m, 1);
    for (size_t i = 0; i < (size_t)n * k; i++)
        assert_true(dx2[i] == dx[i] + dx[i]);
    for (size_t i = 0; i < (size_t)m * k; i++)
        assert_true(dw2[i] == dw[i] + dw[i]);
    for (int j = 0; j < m; j++)
        assert_true(db2[j] == db[j] + db[j]);
    /* Same bits with two threads. */
    const int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    rfnas__linear_bwd_weights(dw2, db2, rf, xf, n, k, m, 0);
    omp_set_num_threads(saved);
    assert_memory_equal(dw2, dw, (size_t)m * k * sizeof(float));
    free(x), free(wt), free(b), free(r), free(xf), free(wf), free(bf), free(rf), free(y);
    free(dx), free(dw), free(db), free(dxd), free(dwd), free(dbd), free(xp), free(wp), free(bp);
    free(dx2), free(dw2), free(db2);
}

static void test_dense__linear(void **state)
{
    (void)state;
    check_linear(1, 3, 2, 1);
    check_linear(3, 20, 10, 2);
    check_linear(64, 576, 10, 3); /* the DARTS classifier */
    check_linear(2, 768, 10, 4);  /* the aux head's classifier */
}

/* Double reference loss: mean of logsumexp - z[t]. */
static void ref_xent(const void *ctx, const double *z, double *loss)
{
    const int *nm = ctx; /* {n, m, targets...} */
    const int n = nm[0], m = nm[1];
    double tot = 0.0;
    for (int i = 0; i < n; i++) {
        double mx = -INFINITY, s = 0.0;
        for (int j = 0; j < m; j++)
            mx = fmax(mx, z[i * m + j]);
        for (int j = 0; j < m; j++)
            s += exp(z[i * m + j] - mx);
        tot += mx + log(s) - z[i * m + nm[2 + i]];
    }
    *loss = tot / n;
}

static void test_dense__cross_entropy(void **state)
{
    (void)state;
    const int shapes[][2] = {{1, 2}, {3, 10}, {64, 10}, {5, 100}};
    for (int t = 0; t < 4; t++) {
        const int n = shapes[t][0], m = shapes[t][1];
        tl_rng rng = {700 + (uint64_t)t};
        int *ctx = calloc((size_t)n + 2, sizeof(int));
        int32_t *tg = calloc((size_t)n, sizeof(int32_t));
        double *z = tl_dalloc((size_t)n * m), *d = tl_dalloc((size_t)n * m);
        tl_fill(z, (size_t)n * m, &rng, -4, 4);
        ctx[0] = n, ctx[1] = m;
        for (int i = 0; i < n; i++)
            ctx[2 + i] = tg[i] = (int32_t)(tl_uniform(&rng, 0, m));
        float *zf = to_f(z, (size_t)n * m), *g = tl_falloc((size_t)n * m);
        double loss, want;
        int correct;
        assert_int_equal(rfnas__xent_fwd_bwd(&loss, g, &correct, zf, tg, n, m, 1.0), RFNAS_OK);
        ref_xent(ctx, z, &want);
        assert_true(fabs(loss - want) <= 1e-12 * fabs(want) + 1e-12);
        int hits = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < m; j++)
                best = z[i * m + j] > z[i * m + best] ? j : best;
            hits += best == tg[i];
        }
        assert_int_equal(correct, hits);
        for (int rep = 0; rep < 3; rep++) {
            tl_fill(d, (size_t)n * m, &rng, -1, 1);
            double an = 0.0, one = 1.0;
            for (size_t i = 0; i < (size_t)n * m; i++)
                an += g[i] * d[i];
            double num = tl_fd(ref_xent, ctx, z, d, (size_t)n * m, &one, 1, TL_EPS);
            if (tl_rel(an, num) > TL_GRAD_TOL)
                fail_msg("cross-entropy %dx%d: analytic %.9g numeric %.9g", n, m, an, num);
        }
        /* Scaled gradient (aux head weight), in place. */
        assert_int_equal(rfnas__xent_fwd_bwd(&loss, zf, NULL, zf, tg, n, m, 0.4), RFNAS_OK);
        for (size_t i = 0; i < (size_t)n * m; i++)
            assert_true(fabs(zf[i] - 0.4f * g[i]) <= 1e-7);
        free(ctx), free(tg), free(z), free(d), free(zf), free(g);
    }
}

/* Stable for huge logits; ties in argmax go to the lowest index; bad targets refused. */
static void test_dense__cross_entropy_edges(void **state)
{
    (void)state;
    float z[6] = {1000.0f, 1000.0f, -1000.0f, 3.0f, 3.0f, 3.0f};
    int32_t t[2] = {1, 0};
    double loss;
    int correct;
    float g[6];
    assert_int_equal(rfnas__xent_fwd_bwd(&loss, g, &correct, z, t, 2, 3, 1.0), RFNAS_OK);
    assert_true(fabs(loss - (log(2.0) + log(3.0)) / 2) < 1e-12);
    assert_int_equal(correct, 1); /* row 0 picks index 0 (tie), target 1; row 1 picks 0 = target */
    assert_true(isfinite(g[0]) && fabs(g[0] - 0.25) < 1e-7 && fabs(g[1] + 0.25) < 1e-7);
    t[1] = 3;
    assert_int_equal(rfnas__xent_fwd_bwd(&loss, g, &correct, z, t, 2, 3, 1.0), RFNAS_E_INVALID);
    t[1] = -1;
    assert_int_equal(rfnas__xent_fwd_bwd(&loss, g, &correct, z, t, 2, 3, 1.0), RFNAS_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense__linear),
        cmocka_unit_test(test_dense__cross_entropy),
        cmocka_unit_test(test_dense__cross_entropy_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
