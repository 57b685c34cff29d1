/* FactorizedReduce shift, strided zero, S4 noise, drop-path; and the layout
 * contract itself (offsets, reorders, padding). */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/loops/blocked.h"
#include "kernels/loops/droppath.h"
#include "kernels/loops/noise.h"
#include "kernels/loops/shift.h"
#include "kernels/loops/zero.h"
#include "tl.h"

static const int channels[] = {3, 4, 8, 16, 20, 32};

/* DESIGN 7.9's formula, element by element, and a round trip. */
static void test_misc__layout_contract(void **state)
{
    (void)state;
    rfnas__blocked_shape s = rfnas__blocked_make(2, 20, 3, 5);
    assert_int_equal(rfnas__blocked_cp(20), 32);
    assert_int_equal(rfnas__blocked_cb(16), 1);
    assert_int_equal(rfnas__blocked_count(s), 2u * 32 * 3 * 5);
    float *plain = tl_falloc(tl_plain(s)), *b = tl_nan_alloc(rfnas__blocked_count(s));
    float *back = tl_falloc(tl_plain(s));
    for (size_t i = 0; i < tl_plain(s); i++)
        plain[i] = (float)i + 1.0f;
    rfnas__blocked_from_nchw(b, plain, s);
    for (int n = 0; n < 2; n++)
        for (int c = 0; c < 32; c++)
            for (int h = 0; h < 3; h++)
                for (int w = 0; w < 5; w++) {
                    size_t off = ((((size_t)n * 2 + c / 16) * 3 + h) * 5 + w) * 16 + c % 16;
                    assert_int_equal(rfnas__blocked_offset(s, n, c, h, w), off);
                    float want = c < 20 ? plain[(((size_t)n * 20 + c) * 3 + h) * 5 + w] : 0.0f;
                    assert_true(b[off] == want);
                }
    assert_true(rfnas__blocked_pad_is_zero(b, s));
    rfnas__blocked_to_nchw(back, b, s);
    assert_memory_equal(back, plain, tl_plain(s) * sizeof(float));
    b[rfnas__blocked_offset(s, 1, 25, 2, 4)] = 1.0f;
    assert_false(rfnas__blocked_pad_is_zero(b, s));
    rfnas__blocked_zero_pad(b, s);
    assert_true(rfnas__blocked_pad_is_zero(b, s));
    free(plain), free(b), free(back);
}

typedef struct shape_ctx {
    rfnas__blocked_shape s;
} shape_ctx;

static void ref_shift(const void *ctx, const double *x, double *y)
{
    const rfnas__blocked_shape s = ((const shape_ctx *)ctx)->s;
    for (int nc = 0; nc < s.n * s.c; nc++)
        for (int h = 0; h < s.h; h++)
            for (int w = 0; w < s.w; w++)
                y[((size_t)nc * s.h + h) * s.w + w] =
                    h + 1 < s.h && w + 1 < s.w ? x[((size_t)nc * s.h + h + 1) * s.w + w + 1] : 0;
}
static void shift_fwd(const void *ctx, float *y, const float *x)
{
    rfnas__shift_fwd(y, x, ((const shape_ctx *)ctx)->s);
}
static void shift_bwd(const void *ctx, float *dx, const float *dy, const float *x, const float *y,
                      int accum)
{
    (void)x, (void)y;
    rfnas__shift_bwd(dx, dy, ((const shape_ctx *)ctx)->s, accum);
}

static void test_misc__shift(void **state)
{
    (void)state;
    const int sizes[][2] = {{5, 5}, {7, 7}, {6, 8}, {1, 3}};
    uint64_t seed = 800;
    for (size_t ci = 0; ci < sizeof channels / sizeof *channels; ci++)
        for (int si = 0; si < 4; si++) {
            shape_ctx c = {rfnas__blocked_make(1 + (int)ci % 3, channels[ci], sizes[si][0],
                                               sizes[si][1])};
            tl_unary u = {"shift", c.s, c.s, &c, shift_fwd, shift_bwd, ref_shift, 0, seed++};
            assert_true(tl_check_unary(&u) <= TL_GRAD_TOL);
        }
}

/* Zero op: shape ceil(H/s), every element (padding too) written; backward zero. */
static void test_misc__strided_zero(void **state)
{
    (void)state;
    assert_int_equal(rfnas__zero_out_size(7, 2), 4);
    assert_int_equal(rfnas__zero_out_size(8, 2), 4);
    assert_int_equal(rfnas__zero_out_size(5, 1), 5);
    rfnas__blocked_shape xs = rfnas__blocked_make(2, 20, 7, 5);
    rfnas__blocked_shape ys = rfnas__blocked_make(2, 20, 4, 3);
    float *y = tl_nan_alloc(rfnas__blocked_count(ys) + 1);
    rfnas__zero_fwd(y, xs, 2);
    for (size_t i = 0; i < rfnas__blocked_count(ys); i++)
        assert_true(y[i] == 0.0f);
    assert_true(isnan(y[rfnas__blocked_count(ys)])); /* nothing past the output */
    float *dx = tl_nan_alloc(rfnas__blocked_count(xs));
    rfnas__zero_bwd(dx, xs, 0);
    for (size_t i = 0; i < rfnas__blocked_count(xs); i++)
        assert_true(dx[i] == 0.0f);
    dx[3] = 5.0f;
    rfnas__zero_bwd(dx, xs, 1);
    assert_true(dx[3] == 5.0f);
    free(y), free(dx);
}

/* Noise: N(0,1) moments, padding zero, reproducible, new counter -> new noise,
 * independent of threads and of the blocked layout (same plain values). */
static void test_misc__noise(void **state)
{
    (void)state;
    rfnas__blocked_shape s = rfnas__blocked_make(3, 20, 33, 31); /* 61380 values */
    const size_t nb = rfnas__blocked_count(s), np = tl_plain(s);
    float *a = tl_nan_alloc(nb), *b = tl_nan_alloc(nb), *c = tl_nan_alloc(nb);
    rfnas__noise_fwd(a, s, 42, 7, 1000);
    assert_true(rfnas__blocked_pad_is_zero(a, s));
    double *v = tl_from_blocked(a, s), m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (size_t i = 0; i < np; i++) {
        m1 += v[i];
        m2 += v[i] * v[i];
        m3 += v[i] * v[i] * v[i];
        m4 += v[i] * v[i] * v[i] * v[i];
    }
    m1 /= np, m2 /= np, m3 /= np, m4 /= np;
    /* Bounds of about 5 standard errors at this n (var of x^k known for N(0,1)). */
    assert_true(fabs(m1) < 5 * sqrt(1.0 / np));
    assert_true(fabs(m2 - 1) < 5 * sqrt(2.0 / np));
    assert_true(fabs(m3) < 5 * sqrt(15.0 / np));
    assert_true(fabs(m4 - 3) < 5 * sqrt(96.0 / np));
    const int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    rfnas__noise_fwd(b, s, 42, 7, 1000);
    omp_set_num_threads(saved);
    assert_memory_equal(a, b, nb * sizeof(float));
    rfnas__noise_fwd(c, s, 42, 7, 1001);
    size_t same = 0;
    for (size_t i = 0; i < nb; i++)
        same += a[i] == c[i] && a[i] != 0.0f;
    assert_true(same < 10);
    rfnas__noise_fwd(c, s, 42, 8, 1000);
    assert_memory_not_equal(a, c, nb * sizeof(float));
    /* The same logical tensor with fewer channels shares its leading values: the
     * draw is keyed by the plain NCHW index, not by the layout. */
    rfnas__blocked_shape s1 = rfnas__blocked_make(1, 20, 33, 31);
    float *d = tl_nan_alloc(rfnas__blocked_count(s1));
    rfnas__noise_fwd(d, s1, 42, 7, 1000);
    assert_memory_equal(d, a, rfnas__blocked_count(s1) * sizeof(float));
    free(a), free(b), free(c), free(d), free(v);
}

static void test_misc__droppath(void **state)
{
    (void)state;
    /* The mask: kept fraction ~ keep, reproducible, counter-dependent. */
    enum { N = 20000 };
    uint8_t *k1 = malloc(N), *k2 = malloc(N);
    assert_int_equal(rfnas__droppath_mask(k1, N, 0.3f, 5, 1, 77), RFNAS_OK);
    assert_int_equal(rfnas__droppath_mask(k2, N, 0.3f, 5, 1, 77), RFNAS_OK);
    assert_memory_equal(k1, k2, N);
    int kept = 0;
    for (int i = 0; i < N; i++)
        kept += k1[i];
    assert_true(fabs(kept / (double)N - 0.7) < 5 * sqrt(0.21 / N));
    assert_int_equal(rfnas__droppath_mask(k2, N, 0.3f, 5, 1, 78), RFNAS_OK);
    assert_memory_not_equal(k1, k2, N);
    assert_int_equal(rfnas__droppath_mask(k2, N, 0.0f, 5, 1, 78), RFNAS_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(k2[i], 1);
    assert_int_equal(rfnas__droppath_mask(k2, 4, 1.0f, 5, 1, 78), RFNAS_E_INVALID);
    assert_int_equal(rfnas__droppath_mask(k2, 4, -0.1f, 5, 1, 78), RFNAS_E_INVALID);
    free(k1), free(k2);

    /* Apply: y = x / keep on kept samples, 0 else; backward the same mask (adjoint). */
    for (size_t ci = 0; ci < sizeof channels / sizeof *channels; ci++) {
        rfnas__blocked_shape s = rfnas__blocked_make(3, channels[ci], 5, 7);
        const size_t nb = rfnas__blocked_count(s), per = rfnas__blocked_sample(s);
        const float p = 0.4f;
        uint8_t keep[3] = {1, 0, 1};
        tl_rng rng = {900 + ci};
        double *x = tl_dalloc(tl_plain(s)), *r = tl_dalloc(tl_plain(s)), *d = tl_dalloc(tl_plain(s));
        tl_fill(x, tl_plain(s), &rng, -1, 1);
        tl_fill(r, tl_plain(s), &rng, -1, 1);
        tl_fill(d, tl_plain(s), &rng, -1, 1);
        float *xb = tl_to_blocked(x, s), *yb = tl_nan_alloc(nb), *rb = tl_to_blocked(r, s);
        float *db = tl_to_blocked(d, s), *dxb = tl_nan_alloc(nb);
        rfnas__droppath_fwd(yb, xb, keep, 3, per, p);
        assert_true(rfnas__blocked_pad_is_zero(yb, s));
        double *y = tl_from_blocked(yb, s);
        const size_t ps = tl_plain(s) / 3;
        for (size_t i = 0; i < tl_plain(s); i++) {
            double want = keep[i / ps] ? (double)((float)x[i] / (1.0f - p)) : 0.0;
            assert_true(y[i] == want);
        }
        rfnas__droppath_bwd(dxb, rb, keep, 3, per, p, 0);
        assert_true(rfnas__blocked_pad_is_zero(dxb, s));
        double *dx = tl_from_blocked(dxb, s);
        /* <r, J d> = <J^T r, d>, J d computed by the forward on d. */
        float *jd = tl_nan_alloc(nb);
        rfnas__droppath_fwd(jd, db, keep, 3, per, p);
        double *jdd = tl_from_blocked(jd, s);
        assert_true(tl_rel(tl_dot(r, jdd, tl_plain(s)), tl_dot(dx, d, tl_plain(s))) <= TL_GRAD_TOL);
        /* Accumulate adds. */
        rfnas__droppath_bwd(dxb, rb, keep, 3, per, p, 1);
        double *dx2 = tl_from_blocked(dxb, s);
        for (size_t i = 0; i < tl_plain(s); i++)
            assert_true(dx2[i] == (double)(float)(2.0 * dx[i]));
        /* In place. */
        rfnas__droppath_fwd(xb, xb, keep, 3, per, p);
        assert_memory_equal(xb, yb, nb * sizeof(float));
        free(x), free(r), free(d), free(xb), free(yb), free(rb), free(db), free(dxb), free(y);
        free(dx), free(jd), free(jdd), free(dx2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misc__layout_contract),
        cmocka_unit_test(test_misc__shift),
        cmocka_unit_test(test_misc__strided_zero),
        cmocka_unit_test(test_misc__noise),
        cmocka_unit_test(test_misc__droppath),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
