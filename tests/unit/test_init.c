/* Parameter initialisation: distributions, determinism, independence of order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/init.h"

enum { N = 200000 };

static void moments(const float *w, size_t n, double *mean, double *var, double *lo, double *hi)
{
    double s = 0, s2 = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        s += w[i];
        s2 += (double)w[i] * w[i];
        *lo = w[i] < *lo ? w[i] : *lo;
        *hi = w[i] > *hi ? w[i] : *hi;
    }
    *mean = s / (double)n;
    *var = s2 / (double)n - *mean * *mean;
}

static void test_init__pytorch_default_is_uniform_in_one_over_sqrt_fan_in(void **state)
{
    (void)state;
    static float w[N];
    rfnas__init_weights(w, N, 9, RFNAS__INIT_PYTORCH, 1, "cells.0.dw3x3.weight"); /* bound 1/3 */
    double mean, var, lo, hi;
    moments(w, N, &mean, &var, &lo, &hi);
    assert_true(lo >= -1.0 / 3.0 && hi <= 1.0 / 3.0);
    assert_true(lo < -0.333 && hi > 0.333);
    assert_float_equal(mean, 0.0, 0.003);
    assert_float_equal(var, (1.0 / 9.0) / 3.0, 0.001); /* (2b)^2 / 12 */
}

static void test_init__kaiming_normal_and_alpha_scale(void **state)
{
    (void)state;
    static float w[N];
    double mean, var, lo, hi;
    rfnas__init_weights(w, N, 144, RFNAS__INIT_KAIMING_NORMAL, 1, "stem.conv.weight");
    moments(w, N, &mean, &var, &lo, &hi);
    assert_float_equal(mean, 0.0, 0.001);
    assert_float_equal(var, 2.0 / 144.0, 2.0 / 144.0 * 0.02);
    rfnas__init_normal(w, N, 1e-3, 1, "arch.alpha");
    moments(w, N, &mean, &var, &lo, &hi);
    assert_float_equal(sqrt(var), 1e-3, 2e-5);
}

static void test_init__streams_depend_on_seed_and_name_only(void **state)
{
    (void)state;
    float a[64], b[128], c[64], d[64];
    rfnas__init_uniform(a, 64, 1.0, 5, "p");
    rfnas__init_uniform(b, 128, 1.0, 5, "p"); /* a longer array starts the same */
    rfnas__init_uniform(c, 64, 1.0, 6, "p");
    rfnas__init_uniform(d, 64, 1.0, 5, "q");
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    assert_memory_not_equal(a, d, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init__pytorch_default_is_uniform_in_one_over_sqrt_fan_in),
        cmocka_unit_test(test_init__kaiming_normal_and_alpha_scale),
        cmocka_unit_test(test_init__streams_depend_on_seed_and_name_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
