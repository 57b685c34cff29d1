/* Pooling kernels against double references on plain NCHW: average (3x3 s1/s2
 * p1, 2x2 s2, 5x5 s3), max (3x3 s1/s2 p1, 2x2 s2), global average; gradients
 * by directional central differences (tolerances in tl.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/loops/pool.h"
#include "tl.h"

typedef struct pool_case {
    int k, stride, pad;
    rfnas__blocked_shape xs, ys;
    uint8_t *argmax; /* max pool: written by the forward, read by the backward */
} pool_case;

static void ref_avg(const void *ctx, const double *x, double *y)
{
    const pool_case *pc = ctx;
    const rfnas__blocked_shape xs = pc->xs, ys = pc->ys;
    for (int nc = 0; nc < xs.n * xs.c; nc++)
        for (int i = 0; i < ys.h; i++)
            for (int j = 0; j < ys.w; j++) {
                double s = 0.0;
                int cnt = 0;
                for (int a = 0; a < pc->k; a++)
                    for (int b = 0; b < pc->k; b++) {
                        int h = i * pc->stride - pc->pad + a, w = j * pc->stride - pc->pad + b;
                        if (h < 0 || h >= xs.h || w < 0 || w >= xs.w)
                            continue;
                        s += x[((size_t)nc * xs.h + h) * xs.w + w];
                        cnt++;
                    }
                y[((size_t)nc * ys.h + i) * ys.w + j] = s / cnt;
            }
}

static void ref_max(const void *ctx, const double *x, double *y)
{
    const pool_case *pc = ctx;
    const rfnas__blocked_shape xs = pc->xs, ys = pc->ys;
    for (int nc = 0; nc < xs.n * xs.c; nc++)
        for (int i = 0; i < ys.h; i++)
            for (int j = 0; j < ys.w; j++) {
                double m = -INFINITY;
                for (int a = 0; a < pc->k; a++)
                    for (int b = 0; b < pc->k; b++) {
                        int h = i * pc->stride - pc->pad + a, w = j * pc->stride - pc->pad + b;
                        if (h < 0 || h >= xs.h || w < 0 || w >= xs.w)
                            continue;
                        m = fmax(m, x[((size_t)nc * xs.h + h) * xs.w + w]);
                    }
                y[((size_t)nc * ys.h + i) * ys.w + j] = m;
            }
}

static void avg_fwd(const void *ctx, float *y, const float *x)
{
    const pool_case *pc = ctx;
    assert_int_equal(rfnas__pool_avg_fwd(y, x, pc->xs, pc->k, pc->stride, pc->pad), RFNAS_OK);
}

static void avg_bwd(const void *ctx, float *dx, const float *dy, const float *x, const float *y,
                    int accum)
{
    const pool_case *pc = ctx;
    (void)x, (void)y;
    assert_int_equal(rfnas__pool_avg_bwd(dx, dy, pc->xs, pc->k, pc->stride, pc->pad, accum),
                     RFNAS_OK);
}

static void max_fwd(const void *ctx, float *y, const float *x)
{
    const pool_case *pc = ctx;
    assert_int_equal(rfnas__pool_max_fwd(y, pc->argmax, x, pc->xs, pc->k, pc->stride, pc->pad),
                     RFNAS_OK);
}

static void max_bwd(const void *ctx, float *dx, const float *dy, const float *x, const float *y,
                    int accum)
{
    const pool_case *pc = ctx;
    (void)x, (void)y;
    assert_int_equal(
        rfnas__pool_max_bwd(dx, dy, pc->argmax, pc->xs, pc->k, pc->stride, pc->pad, accum),
        RFNAS_OK);
}

static pool_case make_case(int n, int c, int h, int w, int k, int s, int p)
{
    pool_case pc = {k, s, p, rfnas__blocked_make(n, c, h, w),
                    rfnas__blocked_make(n, c, rfnas__pool_out_size(h, k, s, p),
                                        rfnas__pool_out_size(w, k, s, p)),
                    NULL};
    return pc;
}

static const int channels[] = {3, 4, 8, 16, 20, 32};
/* 1 and 2 pixel sides put every pixel on an edge of the 3x3 box (pool_avg.c fast path). */
static const int sizes[][2] = {{5, 5}, {7, 7}, {5, 7}, {8, 8}, {1, 1}, {2, 3}, {1, 6}};

static void run_configs(const int (*cfg)[3], int ncfg, int is_max)
{
    uint64_t seed = is_max ? 1000 : 2000;
    for (int f = 0; f < ncfg; f++)
        for (size_t ci = 0; ci < sizeof channels / sizeof *channels; ci++)
            for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
                const int n = 1 + (int)((ci + si) % 3);
                pool_case pc = make_case(n, channels[ci], sizes[si][0], sizes[si][1], cfg[f][0],
                                         cfg[f][1], cfg[f][2]);
                if (pc.ys.h < 1 || pc.ys.w < 1)
                    continue;
                pc.argmax = calloc(rfnas__blocked_count(pc.ys), 1);
                assert_non_null(pc.argmax);
                char name[96];
                snprintf(name, sizeof name, "%s pool k%d s%d p%d N%d C%d %dx%d",
                         is_max ? "max" : "avg", pc.k, pc.stride, pc.pad, n, channels[ci],
                         sizes[si][0], sizes[si][1]);
                tl_unary u = {name, pc.xs, pc.ys, &pc, is_max ? max_fwd : avg_fwd,
                              is_max ? max_bwd : avg_bwd, is_max ? ref_max : ref_avg, is_max,
                              seed++};
                double e = tl_check_unary(&u);
                if (e > TL_GRAD_TOL)
                    fail_msg("%s: directional derivative off by %.3g (tolerance %.1g)", name, e,
                             TL_GRAD_TOL);
                free(pc.argmax);
            }
}

static void test_pool__avg_configs(void **state)
{
    (void)state;
    static const int cfg[][3] = {{3, 1, 1}, {3, 2, 1}, {2, 2, 0}, {5, 3, 0}};
    run_configs(cfg, 4, 0);
}

static void test_pool__max_configs(void **state)
{
    (void)state;
    static const int cfg[][3] = {{3, 1, 1}, {3, 2, 1}, {2, 2, 0}};
    run_configs(cfg, 3, 1);
}

/* The NB201 stage-1 shape (N=64, C=16, 32x32) for the 3x3 stride-1 pool. */
static void test_pool__avg_production_shape(void **state)
{
    (void)state;
    pool_case pc = make_case(64, 16, 32, 32, 3, 1, 1);
    tl_unary u = {"avg pool 3x3 N64 C16 32x32", pc.xs, pc.ys, &pc, avg_fwd, avg_bwd, ref_avg,
                  0, 77};
    double e = tl_check_unary(&u);
    assert_true(e <= TL_GRAD_TOL);
}

/* Divisors at a corner, an edge and inside, by hand on a constant image. */
static void test_pool__avg_divisor_by_hand(void **state)
{
    (void)state;
    rfnas__blocked_shape s = rfnas__blocked_make(1, 1, 3, 3);
    float x[9 * 16] = {0}, y[9 * 16];
    for (int i = 0; i < 9; i++)
        x[i * 16] = (float)(i + 1); /* 1..9 row-major */
    assert_int_equal(rfnas__pool_avg_fwd(y, x, s, 3, 1, 1), RFNAS_OK);
    assert_true(y[0 * 16] == (1 + 2 + 4 + 5) / 4.0f);
    assert_true(y[1 * 16] == (1 + 2 + 3 + 4 + 5 + 6) / 6.0f);
    assert_true(y[4 * 16] == 45 / 9.0f);
}

/* Ties go to the first maximum in row-major window order, as in PyTorch; padding never wins. */
static void test_pool__max_ties_and_padding(void **state)
{
    (void)state;
    rfnas__blocked_shape s = rfnas__blocked_make(1, 1, 3, 3);
    float x[9 * 16] = {0}, y[9 * 16], dy[9 * 16] = {0}, dx[9 * 16];
    uint8_t am[9 * 16];
    for (int i = 0; i < 9; i++)
        x[i * 16] = -5.0f; /* all negative: a padding zero would win if it were counted */
    x[1 * 16] = x[3 * 16] = -1.0f; /* tie inside the top-left window at (0,1) and (1,0) */
    assert_int_equal(rfnas__pool_max_fwd(y, am, x, s, 3, 1, 1), RFNAS_OK);
    assert_true(y[0] == -1.0f);
    dy[0] = 1.0f;
    assert_int_equal(rfnas__pool_max_bwd(dx, dy, am, s, 3, 1, 1, 0), RFNAS_OK);
    assert_true(dx[1 * 16] == 1.0f); /* (0,1) comes first in row-major order */
    assert_true(dx[3 * 16] == 0.0f);
    /* Bottom-right window: max is -1 at (1,0)? no: its window is rows 1-2, cols 1-2, all -5. */
    assert_true(y[8 * 16] == -5.0f);
}

static void test_pool__max_nan_wins_as_in_pytorch(void **state)
{
    (void)state;
    /* PyTorch's max pool propagates NaN: a NaN in a window is its maximum
     * and its argmax, whatever comes before or after it (every lane, so the
     * vector path is checked in each position). */
    rfnas__blocked_shape s = rfnas__blocked_make(1, 16, 3, 3);
    float x[9 * 16], y[9 * 16], dy[9 * 16] = {0}, dx[9 * 16];
    uint8_t am[9 * 16];
    for (int i = 0; i < 9 * 16; i++)
        x[i] = (float)(i % 7);
    for (int l = 0; l < 16; l++)
        x[(l % 9) * 16 + l] = NAN; /* lane l: NaN at pixel l % 9 */
    assert_int_equal(rfnas__pool_max_fwd(y, am, x, s, 3, 1, 1), RFNAS_OK);
    for (int l = 0; l < 16; l++) {
        /* the centre window (1,1) sees every pixel */
        assert_true(isnan(y[4 * 16 + l]));
        dy[4 * 16 + l] = 1.0f;
    }
    assert_int_equal(rfnas__pool_max_bwd(dx, dy, am, s, 3, 1, 1, 0), RFNAS_OK);
    for (int l = 0; l < 16; l++)
        for (int p = 0; p < 9; p++)
            assert_true(dx[p * 16 + l] == (p == l % 9 ? 1.0f : 0.0f));
}

static void test_pool__invalid_windows(void **state)
{
    (void)state;
    rfnas__blocked_shape s = rfnas__blocked_make(1, 3, 4, 4);
    float x[4 * 4 * 16] = {0}, y[4 * 4 * 16];
    assert_int_equal(rfnas__pool_avg_fwd(y, x, s, 3, 1, 2), RFNAS_E_INVALID);
    assert_int_equal(rfnas__pool_max_fwd(y, NULL, x, s, 0, 1, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas__pool_avg_fwd(y, x, s, 5, 3, 0), RFNAS_E_MISMATCH);
}

/* Global average pooling writes plain (N, C); wrapped here as a blocked (N, C, 1, 1). */
typedef struct gap_case {
    rfnas__blocked_shape xs, ys;
} gap_case;

static void ref_gap(const void *ctx, const double *x, double *y)
{
    const gap_case *g = ctx;
    const size_t hw = (size_t)g->xs.h * g->xs.w;
    for (size_t i = 0; i < (size_t)g->xs.n * g->xs.c; i++) {
        double s = 0.0;
        for (size_t p = 0; p < hw; p++)
            s += x[i * hw + p];
        y[i] = s / (double)hw;
    }
}

static void gap_fwd(const void *ctx, float *y, const float *x)
{
    const gap_case *g = ctx;
    float *plain = tl_falloc((size_t)g->xs.n * g->xs.c);
    rfnas__pool_gap_fwd(plain, x, g->xs);
    rfnas__blocked_from_nchw(y, plain, g->ys);
    free(plain);
}

static void gap_bwd(const void *ctx, float *dx, const float *dy, const float *x, const float *y,
                    int accum)
{
    const gap_case *g = ctx;
    (void)x, (void)y;
    float *plain = tl_falloc((size_t)g->xs.n * g->xs.c);
    rfnas__blocked_to_nchw(plain, dy, g->ys);
    rfnas__pool_gap_bwd(dx, plain, g->xs, accum);
    free(plain);
}

static void test_pool__global_average(void **state)
{
    (void)state;
    uint64_t seed = 3000;
    for (size_t ci = 0; ci < sizeof channels / sizeof *channels; ci++)
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            const int n = 1 + (int)((ci + si) % 3);
            gap_case g = {rfnas__blocked_make(n, channels[ci], sizes[si][0], sizes[si][1]),
                          rfnas__blocked_make(n, channels[ci], 1, 1)};
            tl_unary u = {"global average pool", g.xs, g.ys, &g, gap_fwd, gap_bwd, ref_gap, 0,
                          seed++};
            assert_true(tl_check_unary(&u) <= TL_GRAD_TOL);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool__avg_configs),
        cmocka_unit_test(test_pool__max_configs),
        cmocka_unit_test(test_pool__avg_production_shape),
        cmocka_unit_test(test_pool__avg_divisor_by_hand),
        cmocka_unit_test(test_pool__max_ties_and_padding),
        cmocka_unit_test(test_pool__max_nan_wins_as_in_pytorch),
        cmocka_unit_test(test_pool__invalid_windows),
        cmocka_unit_test(test_pool__global_average),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
