/* The mixed node's fused weighted sum (kernels/loops/mixed.h): identity and
 * on-the-fly 3x3 average pooling terms, against double references on plain
 * NCHW: the forward, every input gradient (with and without accumulation), the
 * weight gradients, a directional central difference of L = <r, y(x)> over all
 * inputs at once; a control proving the checks catch a wrong gradient; the
 * padding invariant; the same bits for 1, 2 and 3 threads at the production
 * shape. */
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

#include "kernels/loops/mixed.h"
#include "tl.h"

enum { NX = 3, NT = 6 };

/* Inputs 0..2 and six terms: input 0 as skip and pooled (one NB201 source
 * node), input 1 twice as itself (two slots reading one tensor), input 2
 * pooled, input 1 pooled. */
static const rfnas__mixed_term base_terms[NT] = {
    {0, RFNAS__MIXED_IDENT, 0}, {1, RFNAS__MIXED_IDENT, 0}, {0, RFNAS__MIXED_AVG3, 0},
    {2, RFNAS__MIXED_AVG3, 0},  {1, RFNAS__MIXED_IDENT, 0}, {1, RFNAS__MIXED_AVG3, 0}};

typedef struct mcase {
    rfnas__blocked_shape s;
    rfnas__mixed_term terms[NT];
} mcase;

/* Double reference of one term's op on a plain tensor. */
static void ref_op(rfnas__mixed_kind kind, const double *x, double *y, rfnas__blocked_shape s)
{
    const size_t hw = (size_t)s.h * (size_t)s.w;
    for (size_t nc = 0; nc < (size_t)s.n * (size_t)s.c; nc++)
        for (int i = 0; i < s.h; i++)
            for (int j = 0; j < s.w; j++) {
                const size_t o = nc * hw + (size_t)i * (size_t)s.w + (size_t)j;
                if (kind == RFNAS__MIXED_IDENT) {
                    y[o] = x[o];
                    continue;
                }
                double sum = 0;
                int cnt = 0;
                for (int h = i - 1; h <= i + 1; h++)
                    for (int w = j - 1; w <= j + 1; w++)
                        if (h >= 0 && h < s.h && w >= 0 && w < s.w) {
                            sum += x[nc * hw + (size_t)h * (size_t)s.w + (size_t)w];
                            cnt++;
                        }
                y[o] = sum / cnt;
            }
}

/* y = sum_t w_t op_t(x[src_t]); x is NX plain tensors back to back. */
static void ref_fwd(const void *ctx, const double *x, double *y)
{
    const mcase *mc = ctx;
    const size_t n = tl_plain(mc->s);
    double *tmp = tl_dalloc(n);
    memset(y, 0, n * sizeof *y);
    for (int t = 0; t < NT; t++) {
        ref_op(mc->terms[t].kind, x + (size_t)mc->terms[t].src * n, tmp, mc->s);
        for (size_t i = 0; i < n; i++)
            y[i] += mc->terms[t].w * tmp[i];
    }
    free(tmp);
}

/* One case: forward, gradients and dot products against the references.
 * @p wrong_g: the control; returns the largest relative error of g instead of
 * failing, with the reference of one pooled term taken as identity. */
static double check_case(rfnas__blocked_shape s, uint64_t seed, int wrong_g)
{
    tl_rng rng = {seed};
    mcase mc = {s, {{0}}};
    memcpy(mc.terms, base_terms, sizeof base_terms);
    for (int t = 0; t < NT; t++)
        mc.terms[t].w = (float)tl_uniform(&rng, 0.05, 0.5);
    const size_t n = tl_plain(s), nb = rfnas__blocked_count(s);
    double *x = tl_dalloc(NX * n), *r = tl_dalloc(n), *y = tl_dalloc(n);
    tl_fill(x, NX * n, &rng, -1, 1);
    tl_fill(r, n, &rng, -1, 1);
    float *xb[NX], *dx[NX];
    for (int i = 0; i < NX; i++)
        xb[i] = tl_to_blocked(x + (size_t)i * n, s);
    float *yb = tl_nan_alloc(nb), *rb = tl_to_blocked(r, s);

    rfnas__mixed_fwd(yb, (const float *const *)xb, mc.terms, NT, s);
    ref_fwd(&mc, x, y);
    double *got = tl_from_blocked(yb, s);
    tl_assert_close(y, got, n, TL_FWD_ATOL, TL_FWD_RTOL, "mixed forward");
    assert_true(rfnas__blocked_pad_is_zero(yb, s));

    /* Input 1 accumulates onto ones; the others are overwritten (start as NaN). */
    for (int i = 0; i < NX; i++) {
        dx[i] = tl_nan_alloc(nb);
        if (i == 1) {
            double *ones = tl_dalloc(n);
            for (size_t k = 0; k < n; k++)
                ones[k] = 1.0;
            free(dx[i]);
            dx[i] = tl_to_blocked(ones, s);
            free(ones);
        }
    }
    double g[NT];
    rfnas__mixed_bwd(dx, 1u << 1, g, rb, (const float *const *)xb, NX, mc.terms, NT, s);

    /* Weight gradients: g_t = <r, op_t(x_src)>. */
    double *tmp = tl_dalloc(n), worst = 0;
    for (int t = 0; t < NT; t++) {
        rfnas__mixed_kind kind = mc.terms[t].kind;
        if (wrong_g && t == 3)
            kind = RFNAS__MIXED_IDENT;
        ref_op(kind, x + (size_t)mc.terms[t].src * n, tmp, s);
        const double want = tl_dot(r, tmp, n), e = tl_rel(g[t], want);
        worst = e > worst ? e : worst;
        if (!wrong_g && fabs(g[t] - want) > 1e-9 + 1e-5 * fabs(want))
            fail_msg("g[%d]: %.9g, reference %.9g", t, g[t], want);
    }
    if (wrong_g)
        goto done;

    /* Input gradients: directional central difference of L = <r, y(x)> over
     * all inputs at once (exact up to rounding: y is linear in x). */
    double *d = tl_dalloc(NX * n), analytic = 0;
    tl_fill(d, NX * n, &rng, -1, 1);
    for (int i = 0; i < NX; i++) {
        double *dxp = tl_from_blocked(dx[i], s);
        assert_true(rfnas__blocked_pad_is_zero(dx[i], s));
        for (size_t k = 0; k < n; k++)
            analytic += (dxp[k] - (i == 1 ? 1.0 : 0.0)) * d[(size_t)i * n + k];
        free(dxp);
    }
    const double numeric = tl_fd(ref_fwd, &mc, x, d, NX * n, r, n, TL_EPS);
    if (tl_rel(analytic, numeric) > TL_GRAD_TOL)
        fail_msg("N%d C%d %dx%d: directional derivative %.9g, numeric %.9g", s.n, s.c, s.h, s.w,
                 analytic, numeric);
    free(d);
done:
    for (int i = 0; i < NX; i++) {
        free(xb[i]);
        free(dx[i]);
    }
    free(tmp);
    free(got);
    free(x);
    free(r);
    free(y);
    free(yb);
    free(rb);
    return worst;
}

static void test_mixed__matches_references(void **state)
{
    (void)state;
    /* Partial blocks (5, 20 channels), 1- and 2-pixel sides (every pixel on an
     * edge of the box), rectangles, more than one block. */
    static const int shapes[][4] = {{2, 5, 6, 6}, {3, 20, 5, 7}, {1, 16, 1, 1},
                                    {2, 3, 2, 3}, {1, 4, 1, 6},  {2, 32, 8, 8}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        check_case(rfnas__blocked_make(shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3]),
                   100 + i, 0);
}

static void test_mixed__production_shape(void **state)
{
    (void)state;
    check_case(rfnas__blocked_make(64, 16, 32, 32), 7, 0);
}

/* The weight-gradient check must be able to fail: with one pooled term's
 * reference taken as the identity, the error is far above the tolerance. */
static void test_mixed__control_a_wrong_gradient_is_detected(void **state)
{
    (void)state;
    const double e = check_case(rfnas__blocked_make(2, 5, 6, 6), 100, 1);
    assert_true(e > 1e-2);
}

/* Same bits on every run and for 1, 2 and 3 threads: the slab chunks depend
 * on the shape only. */
static void test_mixed__thread_independent(void **state)
{
    (void)state;
    const rfnas__blocked_shape s = rfnas__blocked_make(64, 16, 32, 32);
    const size_t nb = rfnas__blocked_count(s);
    tl_rng rng = {9};
    rfnas__mixed_term terms[NT];
    memcpy(terms, base_terms, sizeof terms);
    for (int t = 0; t < NT; t++)
        terms[t].w = (float)tl_uniform(&rng, 0.05, 0.5);
    float *x[NX], *dy = tl_falloc(nb);
    for (int i = 0; i < NX; i++) {
        x[i] = tl_falloc(nb);
        for (size_t k = 0; k < nb; k++)
            x[i][k] = (float)tl_uniform(&rng, -1, 1);
    }
    for (size_t k = 0; k < nb; k++)
        dy[k] = (float)tl_uniform(&rng, -1, 1);
    const int saved = omp_get_max_threads();
    float *y[3], *dx[3][NX];
    double g[3][NT];
    for (int t = 0; t < 3; t++) {
        omp_set_num_threads(t + 1);
        y[t] = tl_falloc(nb);
        for (int i = 0; i < NX; i++)
            dx[t][i] = tl_falloc(nb);
        rfnas__mixed_fwd(y[t], (const float *const *)x, terms, NT, s);
        rfnas__mixed_bwd(dx[t], 0, g[t], dy, (const float *const *)x, NX, terms, NT, s);
    }
    omp_set_num_threads(saved);
    for (int t = 1; t < 3; t++) {
        assert_memory_equal(y[t], y[0], nb * sizeof(float));
        assert_memory_equal(g[t], g[0], sizeof g[0]);
        for (int i = 0; i < NX; i++)
            assert_memory_equal(dx[t][i], dx[0][i], nb * sizeof(float));
    }
    for (int t = 0; t < 3; t++) {
        free(y[t]);
        for (int i = 0; i < NX; i++)
            free(dx[t][i]);
    }
    for (int i = 0; i < NX; i++)
        free(x[i]);
    free(dy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed__matches_references),
        cmocka_unit_test(test_mixed__production_shape),
        cmocka_unit_test(test_mixed__control_a_wrong_gradient_is_detected),
        cmocka_unit_test(test_mixed__thread_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
