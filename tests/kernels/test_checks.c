/* The checks themselves: a CONTROL that proves the gradient checkers of kref.h
 * fail on deliberately wrong gradients (so a passing kernel test means
 * something), and determinism: two runs with the same inputs and thread count
 * give bit-identical outputs and gradients (DESIGN 3), on one plan and on
 * fresh plans in a second context. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convcase.h"
#include "kernels/bnorm.h"

static const rfnas__conv_desc conv3 = {2, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0};
static const rfnas__conv_desc fr = {2, 16, 8, 8, 8, 1, 1, 2, 0, 0, 1, 1, 1, 0, 0};

static double *dup(const double *a, size_t n)
{
    double *b = kref_dalloc(n);
    memcpy(b, a, n * sizeof *a);
    return b;
}

static size_t argmax_abs(const double *a, size_t n)
{
    size_t k = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs(a[i]) > fabs(a[k]))
            k = i;
    return k;
}

/* One weight-gradient element off by 1% of the largest: both checks fail. */
static void test_checks__control_one_element(void **state)
{
    (void)state;
    rfnas_ctx *ctx = kref_ctx(1);
    const rfnas__conv_desc *ds[2] = {&conv3, &fr}; /* 3x3, and the FactorizedReduce 1x1 s2 */
    for (int k = 0; k < 2; k++) {
        convcase cc;
        convcase_run(&cc, ctx, ds[k], 9 + (uint64_t)k, 0);
        print_message(" correct dW:\n");
        assert_true(convcase_check_dw(&cc, cc.dw) <= 1);
        assert_true(convcase_fd_dw(&cc, cc.dw) <= 1);
        double *bad = dup(cc.dw, cc.nw);
        size_t j = (cc.nw * 2) / 3;
        bad[j] += 0.01 * fabs(cc.dw[argmax_abs(cc.dw, cc.nw)]);
        print_message(" dW with element %zu off by 1%% of max|dW| (must FAIL):\n", j);
        assert_true(convcase_check_dw(&cc, bad) > 1);
        assert_true(convcase_fd_dw(&cc, bad) > 1);
        free(bad);
        convcase_free(&cc);
    }
    rfnas_ctx_destroy(ctx);
}

/* The whole input gradient 0.1% too large (a wrong scale factor): both fail. */
static void test_checks__control_scaled(void **state)
{
    (void)state;
    rfnas_ctx *ctx = kref_ctx(1);
    convcase cc;
    convcase_run(&cc, ctx, &conv3, 11, 0);
    double *bad = dup(cc.dx, cc.nx);
    for (size_t i = 0; i < cc.nx; i++)
        bad[i] *= 1.001;
    print_message(" dx scaled by 1.001 (must FAIL):\n");
    assert_true(convcase_check_dx(&cc, bad) > 1);
    assert_true(convcase_fd_dx(&cc, bad) > 1);
    free(bad);
    convcase_free(&cc);
    rfnas_ctx_destroy(ctx);
}

typedef struct bn_fd {
    kref_bn s;
} bn_fd;

static void f_bn(const void *p, const double *x, double *y)
{
    kref_bn_fwd(&((const bn_fd *)p)->s, x, y, NULL, NULL);
}

/* A classic BN bug: treating the batch statistics as constants in training
 * mode (dx = gamma dy / sigma). Both checks must reject it. */
static void test_checks__control_bn_stats_as_constants(void **state)
{
    (void)state;
    enum { N = 2, C = 3, H = 4, W = 4, M = N * C * H * W };
    kref_rng rng = {5};
    double x[M], dy[M], g[C] = {1.2, 0.7, 1.0}, mean[C], var[C], y[M];
    double dx[M], mag[M], wrong[M], wmag[M];
    kref_fill(x, M, &rng, -1, 2);
    kref_fill(dy, M, &rng, -1, 1);
    bn_fd f = {{N, C, H, W, RFNAS__BN_EPS, g, NULL, NULL, NULL}};
    kref_bn_fwd(&f.s, x, y, mean, var);
    kref_bn_bwd(&f.s, x, dy, dx, mag, NULL, NULL, NULL, NULL);
    kref_bn s_const = f.s;
    s_const.mean = mean;
    s_const.var = var;
    kref_bn_bwd(&s_const, x, dy, wrong, wmag, NULL, NULL, NULL, NULL);
    print_message(" correct dx:\n");
    assert_true(kref_directional("dx: central differences", f_bn, &f, x, M, dy, M, dx, 3, 1) <= 1);
    print_message(" dx with the statistics held constant (must FAIL):\n");
    assert_true(kref_close("dx vs double reference", wrong, dx, mag, M, KREF_BN_RTOL, 1e-30) > 1);
    assert_true(kref_directional("dx: central differences", f_bn, &f, x, M, dy, M, wrong, 3, 1) > 1);
}

static void assert_same(const double *a, const double *b, size_t n, const char *what)
{
    if (memcmp(a, b, n * sizeof *a) != 0)
        fail_msg("%s differs between two runs", what);
}

/* Convolutions (blocked jit, and a gemm fallback) on 2 threads: bit-identical
 * across runs and across contexts. */
static void test_checks__determinism_conv(void **state)
{
    (void)state;
    rfnas_ctx *a = kref_ctx(2), *b = kref_ctx(2);
    const rfnas__conv_desc ds[3] = {
        {8, 32, 8, 8, 32, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0},
        {8, 16, 9, 9, 16, 5, 5, 2, 4, 4, 2, 16, 1, 0, 0}, /* dw dilated: gemm backward */
        {8, 16, 8, 8, 8, 1, 1, 2, 0, 0, 1, 1, 1, 0, 0},
    };
    for (int k = 0; k < 3; k++) {
        convcase r1, r2;
        convcase_run(&r1, a, &ds[k], 3, 1);
        convcase_run(&r2, k % 2 ? b : a, &ds[k], 3, 1);
        assert_same(r1.y, r2.y, r1.ny, "conv y");
        assert_same(r1.dx, r2.dx, r1.nx, "conv dx");
        assert_same(r1.dw, r2.dw, r1.nw, "conv dW");
        convcase_free(&r1);
        convcase_free(&r2);
    }
    rfnas_ctx_destroy(a);
    rfnas_ctx_destroy(b);
}

/* BN forward and backward on 2 threads, run twice on one plan and once on a
 * plan in another context: every output bit-identical. */
static void test_checks__determinism_bnorm(void **state)
{
    (void)state;
    rfnas_ctx *ctxs[2] = {kref_ctx(2), kref_ctx(2)};
    rfnas__bnorm_desc d = {16, 32, 8, 8, 1};
    const size_t nb = kref_blocked_count(16, 32, 8, 8), c = 32;
    kref_rng rng = {8};
    double *xd = kref_dalloc(nb);
    float *x = kref_falloc(nb), *dy = kref_falloc(nb), g[32], be[32];
    kref_fill(xd, nb, &rng, -1, 1);
    kref_d2f(x, xd, nb);
    kref_fill(xd, nb, &rng, -1, 1);
    kref_d2f(dy, xd, nb);
    for (size_t i = 0; i < c; i++) {
        g[i] = 1.0f + 0.01f * (float)i;
        be[i] = 0.1f * (float)i;
    }
    float *out[3][3]; /* y, dx, (mean var rm rv dg db) per run */
    for (int run = 0; run < 3; run++) {
        rfnas__bnorm *b = NULL;
        KREF_OK(rfnas__bnorm_create(&b, ctxs[run == 2], &d));
        out[run][0] = kref_falloc(nb);
        out[run][1] = kref_falloc(nb);
        float *s = out[run][2] = kref_falloc(6 * c);
        for (size_t i = 0; i < c; i++)
            s[3 * c + i] = 1.0f; /* running var starts at 1 */
        for (int again = 0; again < 2; again++) { /* same plan twice: state must not leak */
            KREF_OK(rfnas__bnorm_forward_train(b, x, out[run][0], g, be, s, s + c, s + 2 * c,
                                               s + 3 * c));
            KREF_OK(rfnas__bnorm_backward(b, 1, x, dy, s, s + c, g, out[run][1], s + 4 * c,
                                          s + 5 * c, 0));
        }
        rfnas__bnorm_destroy(b);
    }
    for (int run = 1; run < 3; run++) {
        assert_memory_equal(out[0][0], out[run][0], nb * sizeof(float));
        assert_memory_equal(out[0][1], out[run][1], nb * sizeof(float));
        assert_memory_equal(out[0][2], out[run][2], 6 * c * sizeof(float));
    }
    for (int run = 0; run < 3; run++)
        for (int k = 0; k < 3; k++)
            free(out[run][k]);
    free(xd);
    free(x);
    free(dy);
    rfnas_ctx_destroy(ctxs[0]);
    rfnas_ctx_destroy(ctxs[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks__control_one_element),
        cmocka_unit_test(test_checks__control_scaled),
        cmocka_unit_test(test_checks__control_bn_stats_as_constants),
        cmocka_unit_test(test_checks__determinism_conv),
        cmocka_unit_test(test_checks__determinism_bnorm),
    };
    return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
