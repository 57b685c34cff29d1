/* Convolution kernel: forward, backward-data and backward-weights of every
 * configuration the search spaces use (kernel 1/3/5/7, stride 1/2, dilation 2,
 * depthwise, grouped, non-square, the stem), each against a double reference
 * and by directional central differences; plus the frozen-weight contract and
 * argument errors. Shapes are tiny and channel counts are mixed (multiples of
 * 16 run oneDNN's blocked kernels, odd counts exercise padding channels and the
 * plan's fallback layouts). Tolerances: kref.h. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convcase.h"
#include "error.h"

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

/* name, n, ic, ih, iw, oc, kh, kw, stride, pad_h, pad_w, dilation, groups, flags */
typedef struct conv_case {
    const char *name;
    rfnas__conv_desc d;
} conv_case;

#define C(nm, n, ic, ih, iw, oc, kh, kw, s, ph, pw, dil, g)                                        \
    {nm, {n, ic, ih, iw, oc, kh, kw, s, ph, pw, dil, g, 1, 0, 0}}

static const conv_case cases[] = {
    C("k1_s1", 2, 5, 6, 6, 7, 1, 1, 1, 0, 0, 1, 1),
    C("k1_s1_c16_pc4", 2, 4, 6, 5, 4, 1, 1, 1, 0, 0, 1, 1), /* PC-DARTS K=4 slice of 16 */
    C("k1_s2_factorized_reduce", 2, 16, 8, 8, 8, 1, 1, 2, 0, 0, 1, 1),
    C("k1_s2_factorized_reduce_odd", 2, 6, 7, 7, 3, 1, 1, 2, 0, 0, 1, 1),
    C("k3_s1", 2, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1),
    C("k3_s1_odd_channels", 2, 3, 5, 6, 5, 3, 3, 1, 1, 1, 1, 1),
    C("k3_s1_two_blocks", 2, 32, 5, 5, 48, 3, 3, 1, 1, 1, 1, 1),
    C("k3_s2", 2, 8, 7, 7, 16, 3, 3, 2, 1, 1, 1, 1),
    C("k3_s2_res_16_32", 2, 16, 8, 8, 32, 3, 3, 2, 1, 1, 1, 1),
    C("k5_s1", 2, 6, 7, 7, 6, 5, 5, 1, 2, 2, 1, 1),
    C("k5_s2", 2, 16, 8, 8, 16, 5, 5, 2, 2, 2, 1, 1),
    C("k7_s1", 1, 4, 9, 9, 5, 7, 7, 1, 3, 3, 1, 1),
    C("k7_s2", 2, 5, 9, 9, 7, 7, 7, 2, 3, 3, 1, 1),
    C("k7_s2_c16", 1, 16, 10, 10, 16, 7, 7, 2, 3, 3, 1, 1),
    C("dil2_k3", 2, 8, 8, 8, 8, 3, 3, 1, 2, 2, 2, 1),
    C("dil2_k5_s2", 2, 6, 9, 9, 5, 5, 5, 2, 4, 4, 2, 1),
    C("dw_k3_s1", 2, 16, 7, 7, 16, 3, 3, 1, 1, 1, 1, 16),
    C("dw_k3_s2_odd", 2, 5, 8, 8, 5, 3, 3, 2, 1, 1, 1, 5),
    C("dw_k5_s1", 2, 16, 7, 7, 16, 5, 5, 1, 2, 2, 1, 16),
    C("dw_k5_s2", 2, 8, 8, 8, 8, 5, 5, 2, 2, 2, 1, 8),
    C("dw_k7_s1", 1, 16, 9, 9, 16, 7, 7, 1, 3, 3, 1, 16),
    C("dw_dil2_k3_s1", 2, 16, 8, 8, 16, 3, 3, 1, 2, 2, 2, 16), /* DARTS dil_conv_3x3 */
    C("dw_dil2_k3_s2", 2, 16, 8, 8, 16, 3, 3, 2, 2, 2, 2, 16),
    C("dw_dil2_k5_s1", 2, 16, 9, 9, 16, 5, 5, 1, 4, 4, 2, 16), /* DARTS dil_conv_5x5 */
    C("dw_dil2_k5_s2_odd", 2, 6, 9, 9, 6, 5, 5, 2, 4, 4, 2, 6),
    C("groups2", 2, 8, 6, 6, 6, 3, 3, 1, 1, 1, 1, 2),
    C("groups4_4ch", 2, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 4),
    C("groups4_s2_k5", 2, 8, 8, 8, 12, 5, 5, 2, 2, 2, 1, 4),
    C("k1x7", 2, 16, 7, 7, 16, 1, 7, 1, 0, 3, 1, 1), /* DARTS conv_7x1_1x7 halves */
    C("k7x1_s2", 2, 16, 7, 7, 16, 7, 1, 2, 3, 0, 1, 1),
    {"stem_plain_src_no_bwd_data", {2, 3, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"stem_frozen_forward_only", {2, 3, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 0, 1, 1}},
    {"frozen_k3", {2, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0}},
    {"frozen_dw_dil2_k5", {2, 16, 9, 9, 16, 5, 5, 1, 4, 4, 2, 16, 0, 0, 0}},
};

static void test_conv__case(void **state)
{
    const conv_case *k = *state;
    print_message("%s\n", k->name);
    convcase cc;
    convcase_run(&cc, ctx, &k->d, 1000 + (uint64_t)(k - cases), 0);
    assert_true(cc.pad_ok);
    assert_true(kref_close("y vs double reference", cc.y, cc.y_ref, cc.y_mag, cc.ny,
                           KREF_CONV_RTOL, 1e-30) <= 1);
    if (cc.dx) {
        assert_true(convcase_check_dx(&cc, cc.dx) <= 1);
        assert_true(convcase_fd_dx(&cc, cc.dx) <= 1);
    }
    if (cc.dw) {
        assert_true(cc.accumulate_ok);
        assert_true(convcase_check_dw(&cc, cc.dw) <= 1);
        assert_true(convcase_fd_dw(&cc, cc.dw) <= 1);
    }
    convcase_free(&cc);
}

/* A frozen convolution's backward reads only the output gradient: the input
 * buffer can be gone (here: overwritten) and dx is unchanged. */
static void test_conv__frozen_needs_no_input(void **state)
{
    (void)state;
    rfnas__conv_desc d = {2, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0};
    rfnas__conv *c = NULL;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_OK);
    assert_null(rfnas__conv_impl(c, RFNAS__CONV_BWD_WEIGHTS));
    size_t nx = kref_blocked_count(2, 16, 6, 6), nw = rfnas__conv_weights_count(c);
    float *x = kref_falloc(nx), *y = kref_falloc(nx), *dy = kref_falloc(nx);
    float *dx1 = kref_falloc(nx), *dx2 = kref_falloc(nx), *w = kref_falloc(nw);
    for (size_t i = 0; i < nx; i++) {
        x[i] = (float)((i * 7 % 13) / 13.0 - 0.5);
        dy[i] = (float)((i * 5 % 11) / 11.0 - 0.5);
    }
    for (size_t i = 0; i < nw; i++)
        w[i] = (float)((i * 3 % 17) / 17.0 - 0.5);
    assert_int_equal(rfnas__conv_set_weights(c, w), RFNAS_OK);
    assert_int_equal(rfnas__conv_forward(c, x, y), RFNAS_OK);
    assert_int_equal(rfnas__conv_backward_data(c, dy, dx1), RFNAS_OK);
    kref_poison(x, nx, NAN);
    assert_int_equal(rfnas__conv_forward(c, dy, y), RFNAS_OK); /* reuse, other data */
    assert_int_equal(rfnas__conv_backward_data(c, dy, dx2), RFNAS_OK);
    assert_memory_equal(dx1, dx2, nx * sizeof *dx1);
    assert_int_equal(rfnas__conv_backward_weights(c, x, dy, w, 0), RFNAS_E_STATE);
    assert_true(strlen(rfnas_error_last()) > 0);
    rfnas__conv_destroy(c);
    free(x);
    free(y);
    free(dy);
    free(dx1);
    free(dx2);
    free(w);
}

/* Frozen weights, once reordered, are the plan's own copy: changing the caller's
 * array changes nothing until set_weights is called again. */
static void test_conv__weights_are_copied(void **state)
{
    (void)state;
    rfnas__conv_desc d = {1, 16, 4, 4, 16, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0};
    rfnas__conv *c = NULL;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_OK);
    size_t nx = kref_blocked_count(1, 16, 4, 4), nw = rfnas__conv_weights_count(c);
    float *x = kref_falloc(nx), *y1 = kref_falloc(nx), *y2 = kref_falloc(nx);
    float *w = kref_falloc(nw);
    for (size_t i = 0; i < nx; i++)
        x[i] = (float)i / (float)nx;
    for (size_t i = 0; i < nw; i++)
        w[i] = (float)(i % 5) - 2.0f;
    assert_int_equal(rfnas__conv_forward(c, x, y1), RFNAS_E_STATE); /* no weights yet */
    assert_int_equal(rfnas__conv_set_weights(c, w), RFNAS_OK);
    assert_int_equal(rfnas__conv_forward(c, x, y1), RFNAS_OK);
    for (size_t i = 0; i < nw; i++)
        w[i] = 0;
    assert_int_equal(rfnas__conv_forward(c, x, y2), RFNAS_OK);
    assert_memory_equal(y1, y2, nx * sizeof *y1);
    assert_int_equal(rfnas__conv_set_weights(c, w), RFNAS_OK);
    assert_int_equal(rfnas__conv_forward(c, x, y2), RFNAS_OK);
    for (size_t i = 0; i < nx; i++)
        assert_true(y2[i] == 0.0f);
    rfnas__conv_destroy(c);
    free(x);
    free(y1);
    free(y2);
    free(w);
}

static void test_conv__invalid(void **state)
{
    (void)state;
    rfnas__conv *c = (rfnas__conv *)1;
    rfnas__conv_desc ok = {2, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0};
    rfnas__conv_desc d = ok;
    d.groups = 3;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_E_INVALID);
    assert_null(c);
    assert_non_null(strstr(rfnas_error_last(), "groups"));
    d = ok;
    d.kh = d.kw = 9;
    d.pad_h = d.pad_w = 0;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_E_INVALID);
    d = ok;
    d.stride = 0;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_E_INVALID);
    d = ok;
    d.n = 0;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_E_INVALID);
    /* Forward only (the RF stem): created, and both backwards refuse. */
    d = ok;
    d.trainable = 0;
    d.no_bwd_data = 1;
    KREF_OK(rfnas__conv_create(&c, ctx, &d));
    assert_null(rfnas__conv_impl(c, RFNAS__CONV_BWD_DATA));
    assert_null(rfnas__conv_impl(c, RFNAS__CONV_BWD_WEIGHTS));
    float one = 0;
    assert_int_equal(rfnas__conv_backward_data(c, &one, &one), RFNAS_E_STATE);
    assert_int_equal(rfnas__conv_backward_weights(c, &one, &one, &one, 0), RFNAS_E_STATE);
    rfnas__conv_destroy(c);
    assert_int_equal(rfnas__conv_create(NULL, ctx, &ok), RFNAS_E_INVALID);
    assert_int_equal(rfnas__conv_create(&c, NULL, &ok), RFNAS_E_INVALID);
    rfnas__conv_destroy(NULL);
    assert_int_equal(rfnas__conv_out_size(32, 1, 2, 0, 1), 16);
    assert_int_equal(rfnas__conv_out_size(7, 5, 2, 4, 2), 4);
    assert_int_equal(rfnas__conv_out_size(2, 5, 1, 0, 1), 0);
}

int main(void)
{
    enum { N = sizeof cases / sizeof cases[0] };
    struct CMUnitTest tests[N + 3];
    for (size_t i = 0; i < N; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_conv__case, (void *)&cases[i]);
        t.name = cases[i].name;
        tests[i] = t;
    }
    struct CMUnitTest extra[3] = {
        cmocka_unit_test(test_conv__frozen_needs_no_input),
        cmocka_unit_test(test_conv__weights_are_copied),
        cmocka_unit_test(test_conv__invalid),
    };
    memcpy(tests + N, extra, sizeof extra);
    return cmocka_run_group_tests_name("conv", tests, setup, teardown);
}
