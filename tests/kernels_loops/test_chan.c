/* Channel slice, concat and the PC-DARTS shuffle (SPEC 3.3) against plain
 * references, the SPEC test vectors, and adjoints by directional derivatives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/loops/chan.h"
#include "tl.h"

typedef struct slice_case {
    rfnas__blocked_shape xs, ys;
    int c0, k, groups;
} slice_case;

static void ref_slice(const void *ctx, const double *x, double *y)
{
    const slice_case *c = ctx;
    const size_t hw = (size_t)c->xs.h * c->xs.w;
    for (int n = 0; n < c->xs.n; n++)
        for (int o = 0; o < c->k; o++)
            memcpy(y + ((size_t)n * c->k + o) * hw, x + ((size_t)n * c->xs.c + c->c0 + o) * hw,
                   hw * sizeof(double));
}
static void slice_fwd(const void *ctx, float *y, const float *x)
{
    const slice_case *c = ctx;
    assert_int_equal(rfnas__chan_slice(y, x, c->xs, c->c0, c->k, 0), RFNAS_OK);
}
static void slice_bwd(const void *ctx, float *dx, const float *dy, const float *x, const float *y,
                      int accum)
{
    const slice_case *c = ctx;
    (void)x, (void)y;
    assert_int_equal(rfnas__chan_slice_bwd(dx, dy, c->xs, c->c0, c->k, accum), RFNAS_OK);
}

static void test_chan__slice(void **state)
{
    (void)state;
    /* (C, c0, k): slices inside one block (PC-DARTS C/4 and C/8), across blocks,
     * block-aligned, and the last channels of a partial block. */
    static const int cases[][3] = {{16, 0, 4}, {16, 4, 4}, {16, 12, 4}, {32, 8, 8},
                                   {32, 0, 8}, {20, 14, 6}, {32, 16, 16}, {3, 1, 2},
                                   {8, 0, 4},  {20, 16, 4}, {4, 0, 4},  {32, 4, 28}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const int n = 1 + (int)i % 3;
        slice_case c = {rfnas__blocked_make(n, cases[i][0], 5, 7),
                        rfnas__blocked_make(n, cases[i][2], 5, 7), cases[i][1], cases[i][2], 0};
        tl_unary u = {"slice", c.xs, c.ys, &c, slice_fwd, slice_bwd, ref_slice, 0, 400 + i};
        assert_true(tl_check_unary(&u) <= TL_GRAD_TOL);
    }
    float x[16] = {0}, y[16];
    rfnas__blocked_shape s = rfnas__blocked_make(1, 8, 1, 1);
    assert_int_equal(rfnas__chan_slice(y, x, s, 6, 4, 0), RFNAS_E_INVALID);
}

static int perm_of(int o, int c, int g)
{
    return (o % g) * (c / g) + o / g;
}

static void ref_shuffle(const void *ctx, const double *x, double *y)
{
    const slice_case *c = ctx;
    const size_t hw = (size_t)c->xs.h * c->xs.w;
    for (int n = 0; n < c->xs.n; n++)
        for (int o = 0; o < c->xs.c; o++)
            memcpy(y + ((size_t)n * c->xs.c + o) * hw,
                   x + ((size_t)n * c->xs.c + perm_of(o, c->xs.c, c->groups)) * hw,
                   hw * sizeof(double));
}
static void shuffle_fwd(const void *ctx, float *y, const float *x)
{
    const slice_case *c = ctx;
    assert_int_equal(rfnas__chan_shuffle(y, x, c->xs, c->groups, 0), RFNAS_OK);
}
static void shuffle_bwd(const void *ctx, float *dx, const float *dy, const float *x,
                        const float *y, int accum)
{
    const slice_case *c = ctx;
    (void)x, (void)y;
    assert_int_equal(rfnas__chan_shuffle_bwd(dx, dy, c->xs, c->groups, accum), RFNAS_OK);
}

/* SPEC 3.3's vectors, read back through the kernel on a tensor whose channel c holds c. */
static void test_chan__shuffle_vectors(void **state)
{
    (void)state;
    static const int p16[] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};
    static const int p8[] = {0, 4, 1, 5, 2, 6, 3, 7};
    const struct {
        int c, g;
        const int *perm;
    } v[] = {{16, 4, p16}, {8, 2, p8}};
    for (int t = 0; t < 2; t++) {
        rfnas__blocked_shape s = rfnas__blocked_make(1, v[t].c, 1, 1);
        float x[16] = {0}, y[16];
        for (int c = 0; c < v[t].c; c++)
            x[c] = (float)c;
        assert_int_equal(rfnas__chan_shuffle(y, x, s, v[t].g, 0), RFNAS_OK);
        for (int o = 0; o < v[t].c; o++)
            assert_true(y[o] == (float)v[t].perm[o]);
        for (int o = v[t].c; o < 16; o++)
            assert_true(y[o] == 0.0f);
        /* The backward undoes it. */
        float back[16];
        assert_int_equal(rfnas__chan_shuffle_bwd(back, y, s, v[t].g, 0), RFNAS_OK);
        assert_memory_equal(back, x, sizeof x);
    }
    rfnas__blocked_shape s = rfnas__blocked_make(1, 10, 1, 1);
    float x[16] = {0}, y[16];
    assert_int_equal(rfnas__chan_shuffle(y, x, s, 4, 0), RFNAS_E_INVALID);
}

static void test_chan__shuffle(void **state)
{
    (void)state;
    static const int cases[][2] = {{16, 4}, {8, 2}, {32, 4}, {20, 4}, {4, 2}, {3, 3}, {32, 2},
                                   {64, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const int n = 1 + (int)i % 3;
        slice_case c = {rfnas__blocked_make(n, cases[i][0], 7, 5),
                        rfnas__blocked_make(n, cases[i][0], 7, 5), 0, 0, cases[i][1]};
        tl_unary u = {"shuffle", c.xs, c.ys, &c, shuffle_fwd, shuffle_bwd, ref_shuffle, 0,
                      500 + i};
        assert_true(tl_check_unary(&u) <= TL_GRAD_TOL);
    }
}

/* Concat of 2-4 inputs with odd channel counts; forward exact, backward by the adjoint. */
static void test_chan__concat(void **state)
{
    (void)state;
    static const int sets[][4] = {{4, 12, 0, 0}, {3, 20, 0, 0}, {16, 16, 16, 16}, {8, 4, 20, 3},
                                  {12, 4, 0, 0}};
    for (size_t t = 0; t < sizeof sets / sizeof *sets; t++) {
        int count = 0, total = 0, c[4];
        for (int i = 0; i < 4 && sets[t][i]; i++)
            total += c[count++] = sets[t][i];
        const int n = 1 + (int)t % 3, h = 5, w = 7;
        const rfnas__blocked_shape ys = rfnas__blocked_make(n, total, h, w);
        const size_t hw = (size_t)h * w;
        tl_rng rng = {600 + t};
        double *x[4], *yref = tl_dalloc(tl_plain(ys)), *r = tl_dalloc(tl_plain(ys));
        float *xb[4], *dxb[4];
        int c0 = 0;
        for (int i = 0; i < count; i++) {
            rfnas__blocked_shape s = rfnas__blocked_make(n, c[i], h, w);
            x[i] = tl_dalloc(tl_plain(s));
            tl_fill(x[i], tl_plain(s), &rng, -1, 1);
            xb[i] = tl_to_blocked(x[i], s);
            dxb[i] = tl_nan_alloc(rfnas__blocked_count(s));
            for (int nn = 0; nn < n; nn++)
                memcpy(yref + ((size_t)nn * total + c0) * hw, x[i] + (size_t)nn * c[i] * hw,
                       (size_t)c[i] * hw * sizeof(double));
            c0 += c[i];
        }
        float *yb = tl_nan_alloc(rfnas__blocked_count(ys));
        assert_int_equal(rfnas__chan_concat(yb, (const float *const *)xb, c, count, ys, 0),
                         RFNAS_OK);
        assert_true(rfnas__blocked_pad_is_zero(yb, ys));
        double *y = tl_from_blocked(yb, ys);
        tl_assert_close(yref, y, tl_plain(ys), 0, 0, "concat");
        /* Adjoint: <r, concat(d)> = sum_i <concat_bwd(r)_i, d_i>. */
        tl_fill(r, tl_plain(ys), &rng, -1, 1);
        float *rb = tl_to_blocked(r, ys);
        assert_int_equal(rfnas__chan_concat_bwd(dxb, c, count, rb, ys, 0), RFNAS_OK);
        double lhs = 0.0, rhs = 0.0;
        double *d = tl_dalloc(tl_plain(ys));
        tl_fill(d, tl_plain(ys), &rng, -1, 1);
        lhs = tl_dot(r, d, tl_plain(ys));
        c0 = 0;
        for (int i = 0; i < count; i++) {
            rfnas__blocked_shape s = rfnas__blocked_make(n, c[i], h, w);
            assert_true(rfnas__blocked_pad_is_zero(dxb[i], s));
            double *dx = tl_from_blocked(dxb[i], s);
            for (int nn = 0; nn < n; nn++)
                for (size_t j = 0; j < (size_t)c[i] * hw; j++)
                    rhs += dx[(size_t)nn * c[i] * hw + j] * d[((size_t)nn * total + c0) * hw + j];
            c0 += c[i];
            free(dx);
        }
        assert_true(tl_rel(lhs, rhs) <= TL_GRAD_TOL);
        /* Accumulate path: concat onto y adds. */
        assert_int_equal(rfnas__chan_concat(yb, (const float *const *)xb, c, count, ys, 1),
                         RFNAS_OK);
        double *y2 = tl_from_blocked(yb, ys);
        for (size_t j = 0; j < tl_plain(ys); j++)
            assert_true(y2[j] == (double)(float)(2.0 * yref[j]));
        for (int i = 0; i < count; i++)
            free(x[i]), free(xb[i]), free(dxb[i]);
        free(yref), free(r), free(yb), free(y), free(rb), free(d), free(y2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chan__slice),
        cmocka_unit_test(test_chan__shuffle_vectors),
        cmocka_unit_test(test_chan__shuffle),
        cmocka_unit_test(test_chan__concat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
