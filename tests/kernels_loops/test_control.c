/* Controls: the gradient checker of tl.c must reject deliberately wrong
 * backward passes, or every passing gradient test would mean nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/loops/pool.h"
#include "kernels/loops/relu.h"
#include "tl.h"

typedef struct pc {
    rfnas__blocked_shape xs, ys;
} pc;

static void ref_avg3(const void *ctx, const double *x, double *y)
{
    const pc *c = ctx;
    const rfnas__blocked_shape s = c->xs;
    for (int nc = 0; nc < s.n * s.c; nc++)
        for (int i = 0; i < s.h; i++)
            for (int j = 0; j < s.w; j++) {
                double t = 0.0;
                int cnt = 0;
                for (int h = i - 1; h <= i + 1; h++)
                    for (int w = j - 1; w <= j + 1; w++)
                        if (h >= 0 && h < s.h && w >= 0 && w < s.w) {
                            t += x[((size_t)nc * s.h + h) * s.w + w];
                            cnt++;
                        }
                y[((size_t)nc * s.h + i) * s.w + j] = t / cnt;
            }
}

static void avg_fwd(const void *ctx, float *y, const float *x)
{
    const pc *c = ctx;
    assert_int_equal(rfnas__pool_avg_fwd(y, x, c->xs, 3, 1, 1), RFNAS_OK);
}

/* Right backward, for the baseline. */
static void avg_bwd(const void *ctx, float *dx, const float *dy, const float *x, const float *y,
                    int accum)
{
    const pc *c = ctx;
    (void)x, (void)y;
    assert_int_equal(rfnas__pool_avg_bwd(dx, dy, c->xs, 3, 1, 1, accum), RFNAS_OK);
}

/* Wrong: divides by 9 everywhere (count_include_pad=True's gradient), which
 * differs from the right one only at the border. */
static void avg_bwd_include_pad(const void *ctx, float *dx, const float *dy, const float *x,
                                const float *y, int accum)
{
    const pc *c = ctx;
    const rfnas__blocked_shape s = c->xs;
    (void)x, (void)y;
    const size_t n = rfnas__blocked_count(s);
    if (!accum)
        memset(dx, 0, n * sizeof(float));
    for (int nn = 0; nn < s.n; nn++)
        for (int ch = 0; ch < rfnas__blocked_cp(s.c); ch++)
            for (int i = 0; i < s.h; i++)
                for (int j = 0; j < s.w; j++) {
                    float g = dy[rfnas__blocked_offset(s, nn, ch, i, j)] / 9.0f;
                    for (int h = i - 1; h <= i + 1; h++)
                        for (int w = j - 1; w <= j + 1; w++)
                            if (h >= 0 && h < s.h && w >= 0 && w < s.w)
                                dx[rfnas__blocked_offset(s, nn, ch, h, w)] += g;
                }
}

/* Wrong: right except that one pixel's gradient is lost. */
static void avg_bwd_one_lost(const void *ctx, float *dx, const float *dy, const float *x,
                             const float *y, int accum)
{
    const pc *c = ctx;
    float *tmp = tl_falloc(rfnas__blocked_count(c->xs));
    avg_bwd(ctx, tmp, dy, x, y, 0);
    tmp[rfnas__blocked_offset(c->xs, 0, 1, 2, 3)] = 0.0f;
    for (size_t i = 0; i < rfnas__blocked_count(c->xs); i++)
        dx[i] = accum ? dx[i] + tmp[i] : tmp[i];
    free(tmp);
}

static double run(void (*bwd)(const void *, float *, const float *, const float *,
                              const float *, int))
{
    pc c = {rfnas__blocked_make(2, 3, 5, 7), rfnas__blocked_make(2, 3, 5, 7)};
    tl_unary u = {"control avg pool", c.xs, c.ys, &c, avg_fwd, bwd, ref_avg3, 0, 99};
    return tl_check_unary(&u);
}

static void test_control__right_gradient_passes(void **state)
{
    (void)state;
    assert_true(run(avg_bwd) <= TL_GRAD_TOL);
}

static void test_control__include_pad_gradient_fails(void **state)
{
    (void)state;
    double e = run(avg_bwd_include_pad);
    assert_true(e > TL_GRAD_TOL);
}

static void test_control__one_lost_pixel_fails(void **state)
{
    (void)state;
    double e = run(avg_bwd_one_lost);
    assert_true(e > TL_GRAD_TOL);
}

/* A ReLU backward that masks on x >= -0.5 instead of x > 0. */
static void ref_relu(const void *ctx, const double *x, double *y)
{
    const pc *c = ctx;
    for (size_t i = 0; i < tl_plain(c->xs); i++)
        y[i] = x[i] > 0 ? x[i] : 0;
}
static void relu_fwd(const void *ctx, float *y, const float *x)
{
    const pc *c = ctx;
    rfnas__relu_fwd(y, x, rfnas__blocked_count(c->xs));
}
static void relu_bwd_wrong(const void *ctx, float *dx, const float *dy, const float *x,
                           const float *y, int accum)
{
    const pc *c = ctx;
    (void)y;
    for (size_t i = 0; i < rfnas__blocked_count(c->xs); i++) {
        float g = x[i] >= -0.5f ? dy[i] : 0.0f;
        dx[i] = accum ? dx[i] + g : g;
    }
}

static void test_control__wrong_relu_mask_fails(void **state)
{
    (void)state;
    pc c = {rfnas__blocked_make(2, 16, 5, 5), rfnas__blocked_make(2, 16, 5, 5)};
    tl_unary u = {"control relu", c.xs, c.ys, &c, relu_fwd, relu_bwd_wrong, ref_relu, 1, 98};
    assert_true(tl_check_unary(&u) > TL_GRAD_TOL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control__right_gradient_passes),
        cmocka_unit_test(test_control__include_pad_gradient_fails),
        cmocka_unit_test(test_control__one_lost_pixel_fails),
        cmocka_unit_test(test_control__wrong_relu_mask_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
