/* bf16 convolutions (issue 6): forward and backward-data of a plan created
 * with desc.bf16, against the double reference, at the NB201 shapes (batch 64
 * for the first stage, the shape that dominates a step) and at odd shapes
 * (channels that are not a multiple of 16, stride 2, non-square inputs).
 *
 * Tolerance: bf16 rounds x and w (or dy and w) to 8 significant bits, a
 * relative error of at most 2^-9 each, so each product is off by at most
 * about 2^-8 of its magnitude; with f32 accumulation and, when oneDNN only
 * offers a bf16 output, one more rounding of the result, every element stays
 * within 1e-2 of the sum of its terms' magnitudes (kref_close's mag). A
 * control checks that the result is NOT within the fp32 tolerance: the plan
 * really computes in bf16. Reruns give the same bits. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convcase.h"

#define BF16_RTOL 1e-2

/* n, ic, ih, iw, oc, kh, kw, stride, pad_h, pad_w, dilation, groups, trainable,
 * no_bwd_data, src_plain, bf16 */
static const rfnas__conv_desc cases[] = {
    {64, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0, 1}, /* NB201 stage 1, 3x3 */
    {8, 16, 32, 32, 16, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1},  /* stage 1, 1x1 */
    {8, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0, 1},  /* stage 2 */
    {8, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0, 1},    /* stage 3 */
    {8, 64, 8, 8, 64, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1},
    {8, 16, 32, 32, 32, 3, 3, 2, 1, 1, 1, 1, 0, 0, 0, 1},  /* residual block 16 -> 32 */
    {3, 24, 7, 9, 40, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0, 1},   /* padded channels, odd sizes */
    {2, 20, 11, 10, 8, 1, 1, 2, 0, 0, 1, 1, 0, 0, 0, 1},  /* 1x1 stride 2 on odd input */
    {2, 5, 9, 9, 7, 5, 5, 1, 2, 2, 2, 1, 0, 0, 0, 1},     /* dilated 5x5, tiny channels */
};

static void check_case(rfnas_ctx *ctx, const rfnas__conv_desc *d, uint64_t seed)
{
    print_message("case n%lld ic%lld %lldx%lld oc%lld k%lld s%lld d%lld\n", (long long)d->n,
                  (long long)d->ic, (long long)d->ih, (long long)d->iw, (long long)d->oc,
                  (long long)d->kh, (long long)d->stride, (long long)d->dilation);
    convcase cc;
    convcase_run(&cc, ctx, d, seed, 0);
    assert_true(cc.pad_ok);
    assert_true(kref_close("bf16 y", cc.y, cc.y_ref, cc.y_mag, cc.ny, BF16_RTOL, 1e-30) <= 1);
    assert_true(kref_close("bf16 dx", cc.dx, cc.dx_ref, cc.dx_mag, cc.nx, BF16_RTOL, 1e-30) <=
                1);
    /* The control: bf16 rounding shows well above the fp32 tolerance. */
    assert_true(kref_close("bf16 y at fp32 tolerance", cc.y, cc.y_ref, cc.y_mag, cc.ny,
                           KREF_CONV_RTOL, 1e-30) > 1);
    convcase_free(&cc);
}

static void test_conv_bf16__shapes(void **state)
{
    (void)state;
    rfnas_ctx *ctx = kref_ctx(2);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(ctx, &cases[i], 100 + i);
    rfnas_ctx_destroy(ctx);
}

/* On AMX the plan must actually use the AMX kernels; elsewhere it still
 * works (emulated, slow: callers choose bf16 only with rfnas__conv_bf16_fast()). */
static void test_conv_bf16__impl(void **state)
{
    (void)state;
    rfnas_ctx *ctx = kref_ctx(2);
    rfnas__conv *c = NULL;
    KREF_OK(rfnas__conv_create(&c, ctx, &cases[0]));
    const char *f = rfnas__conv_impl(c, RFNAS__CONV_FWD);
    const char *b = rfnas__conv_impl(c, RFNAS__CONV_BWD_DATA);
    print_message("bf16 fast: %d, fwd %s, bwd_data %s\n", rfnas__conv_bf16_fast(), f, b);
    assert_true(strncmp(f, "ref", 3) != 0);
    assert_true(strncmp(b, "ref", 3) != 0);
    if (rfnas__conv_bf16_fast()) {
        assert_non_null(strstr(f, "amx"));
        assert_non_null(strstr(b, "amx"));
    }
    rfnas__conv_destroy(c);
    rfnas_ctx_destroy(ctx);
}

/* Same seed, same plan shape: the same bits. */
static void test_conv_bf16__deterministic(void **state)
{
    (void)state;
    rfnas_ctx *ctx = kref_ctx(2);
    convcase a, b;
    convcase_run(&a, ctx, &cases[2], 7, 1);
    convcase_run(&b, ctx, &cases[2], 7, 1);
    assert_memory_equal(a.y, b.y, a.ny * sizeof *a.y);
    assert_memory_equal(a.dx, b.dx, a.nx * sizeof *a.dx);
    convcase_free(&a);
    convcase_free(&b);
    rfnas_ctx_destroy(ctx);
}

/* bf16 is refused where it does not apply: trained weights (their gradient
 * stays fp32), grouped convolutions, a plain (image) input. */
static void test_conv_bf16__refused(void **state)
{
    (void)state;
    rfnas_ctx *ctx = kref_ctx(1);
    rfnas__conv *c = NULL;
    rfnas__conv_desc d = cases[2];
    d.trainable = 1;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_E_INVALID);
    d = cases[2];
    d.groups = 32;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_E_INVALID);
    d = cases[2];
    d.src_plain = 1;
    assert_int_equal(rfnas__conv_create(&c, ctx, &d), RFNAS_E_INVALID);
    assert_null(c);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_bf16__shapes),
        cmocka_unit_test(test_conv_bf16__impl),
        cmocka_unit_test(test_conv_bf16__deterministic),
        cmocka_unit_test(test_conv_bf16__refused),
    };
    return cmocka_run_group_tests_name("conv_bf16", tests, NULL, NULL);
}
