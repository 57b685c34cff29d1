/* ReLU, weighted sums (forward, backward with the alpha dot products), axpy and
 * zero against double references; directional derivatives; determinism of the
 * dot products across runs and thread counts (1, 2, 3). */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/loops/relu.h"
#include "kernels/loops/sum.h"
#include "tl.h"

static const int channels[] = {3, 4, 8, 16, 20, 32};

typedef struct shape_ctx {
    rfnas__blocked_shape s;
} shape_ctx;

static void ref_relu(const void *ctx, const double *x, double *y)
{
    const shape_ctx *c = ctx;
    for (size_t i = 0; i < tl_plain(c->s); i++)
        y[i] = x[i] > 0 ? x[i] : 0;
}
static void relu_fwd(const void *ctx, float *y, const float *x)
{
    const shape_ctx *c = ctx;
    rfnas__relu_fwd(y, x, rfnas__blocked_count(c->s));
}
static void relu_bwd_from_input(const void *ctx, float *dx, const float *dy, const float *x,
                                const float *y, int accum)
{
    const shape_ctx *c = ctx;
    (void)y;
    rfnas__relu_bwd(dx, dy, x, rfnas__blocked_count(c->s), accum);
}
static void relu_bwd_from_output(const void *ctx, float *dx, const float *dy, const float *x,
                                 const float *y, int accum)
{
    const shape_ctx *c = ctx;
    (void)x;
    rfnas__relu_bwd(dx, dy, y, rfnas__blocked_count(c->s), accum);
}

static void test_eltwise__relu(void **state)
{
    (void)state;
    uint64_t seed = 10;
    for (size_t ci = 0; ci < sizeof channels / sizeof *channels; ci++)
        for (int from_output = 0; from_output < 2; from_output++) {
            shape_ctx c = {rfnas__blocked_make(1 + (int)ci % 3, channels[ci], 5, 7)};
            tl_unary u = {"relu", c.s, c.s, &c, relu_fwd,
                          from_output ? relu_bwd_from_output : relu_bwd_from_input, ref_relu, 1,
                          seed++};
            assert_true(tl_check_unary(&u) <= TL_GRAD_TOL);
        }
    /* In place, and NaN kept as PyTorch does. */
    float v[16] = {-1.0f, 2.0f, NAN, 0.0f};
    rfnas__relu_fwd(v, v, 16);
    assert_true(v[0] == 0.0f && v[1] == 2.0f && isnan(v[2]) && v[3] == 0.0f);
}

/* Weighted sum of k inputs: checks forward (assign and accumulate), dx_k, g_k,
 * and the directional derivatives in x and in w. x[skip] is NULL when skip >= 0. */
static void check_weighted(rfnas__blocked_shape s, int k, int skip, uint64_t seed)
{
    tl_rng rng = {seed};
    const size_t np = tl_plain(s), nb = rfnas__blocked_count(s);
    double *x[RFNAS__SUM_MAX_K], *r = tl_dalloc(np), w[RFNAS__SUM_MAX_K];
    float *xb[RFNAS__SUM_MAX_K], wf[RFNAS__SUM_MAX_K], *dxb[RFNAS__SUM_MAX_K];
    for (int j = 0; j < k; j++) {
        x[j] = tl_dalloc(np);
        tl_fill(x[j], np, &rng, -1.0, 1.0);
        xb[j] = j == skip ? NULL : tl_to_blocked(x[j], s);
        w[j] = (double)(wf[j] = (float)tl_uniform(&rng, 0.0, 1.0));
        dxb[j] = tl_nan_alloc(nb);
    }
    tl_fill(r, np, &rng, -1.0, 1.0);

    double *ref = tl_dalloc(np);
    for (size_t i = 0; i < np; i++)
        for (int j = 0; j < k; j++)
            ref[i] += j == skip ? 0.0 : w[j] * x[j][i];
    float *out = tl_nan_alloc(nb);
    rfnas__sum_weighted(out, (const float *const *)xb, wf, k, nb, 0);
    assert_true(rfnas__blocked_pad_is_zero(out, s));
    double *got = tl_from_blocked(out, s);
    tl_assert_close(ref, got, np, TL_FWD_ATOL, TL_FWD_RTOL, "weighted sum");
    /* Accumulate onto r: out = r + sum. */
    float *acc = tl_to_blocked(r, s);
    rfnas__sum_weighted(acc, (const float *const *)xb, wf, k, nb, 1);
    double *gotacc = tl_from_blocked(acc, s);
    for (size_t i = 0; i < np; i++)
        gotacc[i] -= r[i];
    tl_assert_close(ref, gotacc, np, 1e-6, 1e-5, "weighted sum (accumulate)");

    /* Backward: dx_k = w_k r exactly (one rounding), g_k = <r, x_k>. */
    float *rb = tl_to_blocked(r, s);
    double g[RFNAS__SUM_MAX_K];
    rfnas__sum_weighted_bwd(dxb, g, rb, (const float *const *)xb, wf, k, nb, 0);
    for (int j = 0; j < k; j++) {
        assert_true(rfnas__blocked_pad_is_zero(dxb[j], s));
        double *dx = tl_from_blocked(dxb[j], s), *want = tl_dalloc(np);
        for (size_t i = 0; i < np; i++)
            want[i] = (double)(float)(wf[j] * (float)r[i]);
        tl_assert_close(want, dx, np, 0.0, 0.0, "weighted sum dx");
        double dot = j == skip ? 0.0 : tl_dot(r, x[j], np);
        if (tl_rel(g[j], dot) > 1e-12 && fabs(g[j] - dot) > 1e-12)
            fail_msg("g[%d] = %.17g, <r, x> = %.17g", j, g[j], dot);
        free(dx), free(want);
    }
    /* Directional derivative in w: L(w) = <r, sum w_k x_k> by central differences. */
    double dw[RFNAS__SUM_MAX_K], lp = 0.0, lm = 0.0, an = 0.0;
    for (int j = 0; j < k; j++) {
        dw[j] = tl_uniform(&rng, -1.0, 1.0);
        an += g[j] * dw[j];
    }
    for (size_t i = 0; i < np; i++) {
        double yp = 0.0, ym = 0.0;
        for (int j = 0; j < k; j++)
            if (j != skip) {
                yp += (w[j] + TL_EPS * dw[j]) * x[j][i];
                ym += (w[j] - TL_EPS * dw[j]) * x[j][i];
            }
        lp += r[i] * yp;
        lm += r[i] * ym;
    }
    assert_true(tl_rel(an, (lp - lm) / (2 * TL_EPS)) <= TL_GRAD_TOL);
    /* Accumulating dx and skipping g. */
    float *base = tl_to_blocked(r, s);
    float *dxa[RFNAS__SUM_MAX_K] = {0};
    dxa[0] = base;
    rfnas__sum_weighted_bwd(dxa, NULL, rb, (const float *const *)xb, wf, k, nb, 1);
    for (size_t i = 0; i < nb; i++)
        assert_true(base[i] == rb[i] + wf[0] * rb[i]);

    for (int j = 0; j < k; j++)
        free(x[j]), free(xb[j]), free(dxb[j]);
    free(r), free(ref), free(out), free(got), free(acc), free(gotacc), free(rb), free(base);
}

static void test_eltwise__weighted_sum(void **state)
{
    (void)state;
    uint64_t seed = 100;
    for (size_t ci = 0; ci < sizeof channels / sizeof *channels; ci++)
        for (int k = 1; k <= 8; k += 3)
            check_weighted(rfnas__blocked_make(1 + (int)ci % 3, channels[ci], 7, 5), k,
                           k > 1 ? 1 : -1, seed++);
}

static void test_eltwise__weighted_sum_production_shape(void **state)
{
    (void)state;
    check_weighted(rfnas__blocked_make(64, 16, 32, 32), 5, 0, 7);
}

/* Same bits on every run and for 1, 2 and 3 threads: the chunking depends on
 * the length only. Several lengths, including a ragged flat array. */
static void test_eltwise__dot_products_thread_independent(void **state)
{
    (void)state;
    const size_t lens[] = {64 * 16 * 32 * 32, 3 * 32 * 7 * 7, 100003};
    const int saved = omp_get_max_threads();
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        const size_t n = lens[li];
        tl_rng rng = {li + 1};
        float *x[4], *dout = tl_falloc(n), w[4] = {0.1f, 0.2f, 0.3f, 0.4f};
        for (int j = 0; j < 4; j++) {
            x[j] = tl_falloc(n);
            for (size_t i = 0; i < n; i++)
                x[j][i] = (float)tl_uniform(&rng, -1, 1);
        }
        for (size_t i = 0; i < n; i++)
            dout[i] = (float)tl_uniform(&rng, -1, 1);
        double g[3][4];
        float *dx[3][4];
        for (int t = 0; t < 3; t++) {
            for (int j = 0; j < 4; j++)
                dx[t][j] = tl_falloc(n);
            omp_set_num_threads(t + 1);
            rfnas__sum_weighted_bwd(dx[t], g[t], dout, (const float *const *)x, w, 4, n, 0);
        }
        omp_set_num_threads(saved);
        double again[4];
        rfnas__sum_weighted_bwd(dx[0], again, dout, (const float *const *)x, w, 4, n, 0);
        assert_memory_equal(again, g[0], sizeof again);
        for (int t = 1; t < 3; t++) {
            assert_memory_equal(g[t], g[0], sizeof g[0]);
            for (int j = 0; j < 4; j++)
                assert_memory_equal(dx[t][j], dx[0][j], n * sizeof(float));
        }
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 4; j++)
                free(dx[t][j]);
        for (int j = 0; j < 4; j++)
            free(x[j]);
        free(dout);
    }
}

static void test_eltwise__axpy_and_zero(void **state)
{
    (void)state;
    const size_t n = 3 * 32 * 5 * 5;
    float *y = tl_falloc(n), *x = tl_falloc(n), *y0 = tl_falloc(n);
    tl_rng rng = {5};
    for (size_t i = 0; i < n; i++) {
        y[i] = y0[i] = (float)tl_uniform(&rng, -1, 1);
        x[i] = (float)tl_uniform(&rng, -1, 1);
    }
    rfnas__sum_axpy(y, -0.75f, x, n);
    for (size_t i = 0; i < n; i++)
        assert_true(y[i] == y0[i] + -0.75f * x[i]);
    rfnas__sum_zero(y, n);
    for (size_t i = 0; i < n; i++)
        assert_true(y[i] == 0.0f);
    free(y), free(x), free(y0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eltwise__relu),
        cmocka_unit_test(test_eltwise__weighted_sum),
        cmocka_unit_test(test_eltwise__weighted_sum_production_shape),
        cmocka_unit_test(test_eltwise__dot_products_thread_independent),
        cmocka_unit_test(test_eltwise__axpy_and_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
