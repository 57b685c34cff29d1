/* The production shape (DESIGN 7.8): NAS-Bench-201's first stage, batch 64,
 * 16 channels at 32x32, 3x3 stride 1 pad 1, forward and backward-data against
 * the double reference. oneDNN picks its kernels per shape, so the tiny shapes
 * of test_conv do not cover the blocked kernels that run in a real search.
 * Also pins what the design relies on: nChw16c activations and no reference
 * (naive) implementation. Tolerances: kref.h. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convcase.h"

static void test_conv_production__nb201_c16_3x3(void **state)
{
    (void)state;
    rfnas_ctx *ctx = kref_ctx(2);
    rfnas__conv_desc d = {64, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0}; /* frozen: RF mode */
    rfnas__conv *c = NULL;
    KREF_OK(rfnas__conv_create(&c, ctx, &d));
    assert_int_equal(rfnas__conv_src_md(c)->format_kind, dnnl_blocked);
    assert_int_equal(rfnas__conv_src_md(c)->format_desc.blocking.inner_nblks, 1);
    assert_int_equal(rfnas__conv_src_md(c)->format_desc.blocking.inner_blks[0], 16);
    assert_true(strncmp(rfnas__conv_impl(c, RFNAS__CONV_FWD), "ref", 3) != 0);
    assert_true(strncmp(rfnas__conv_impl(c, RFNAS__CONV_BWD_DATA), "ref", 3) != 0);
    /* Blocked end to end: the plan holds weights and scratchpad, no activation copies. */
    assert_true(rfnas__conv_plan_bytes(c) < 64 * 1024);
    rfnas__conv_destroy(c);

    convcase cc;
    convcase_run(&cc, ctx, &d, 64, 0);
    assert_true(cc.pad_ok);
    assert_true(kref_close("y vs double reference", cc.y, cc.y_ref, cc.y_mag, cc.ny,
                           KREF_CONV_RTOL, 1e-30) <= 1);
    assert_true(convcase_check_dx(&cc, cc.dx) <= 1);
    convcase_free(&cc);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_production__nb201_c16_3x3),
    };
    return cmocka_run_group_tests_name("conv_production", tests, NULL, NULL);
}
