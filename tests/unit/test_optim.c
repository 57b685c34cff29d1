/* Optimizer arithmetic against hand-computed values and a double-precision
 * reference of PyTorch's update rules (SPEC 2.7). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "optim/optim.h"

static void test_optim__sgd_by_hand(void **state)
{
    (void)state;
    rfnas__sgd opt = {0.1f, 0.9f, 0.01f, 0};
    float w = 1.0f, g = 0.5f, v = 123.0f; /* v's old content must be ignored on step 1 */
    int64_t step = 0;
    rfnas__sgd_step(&opt, &w, &g, &v, 1, &step);
    assert_float_equal(v, 0.51, 1e-7);
    assert_float_equal(w, 0.949, 1e-7);
    rfnas__sgd_step(&opt, &w, &g, &v, 1, &step);
    assert_float_equal(v, 0.96849, 1e-6);
    assert_float_equal(w, 0.852151, 1e-6);
    assert_int_equal(step, 2);

    opt.nesterov = 1; /* first step: g + mu * v = 0.51 + 0.459 */
    w = 1.0f, step = 0;
    rfnas__sgd_step(&opt, &w, &g, &v, 1, &step);
    assert_float_equal(w, 1.0 - 0.1 * 0.969, 1e-7);

    rfnas__sgd plain = {0.5f, 0.0f, 0.0f, 0};
    w = 2.0f, step = 0;
    rfnas__sgd_step(&plain, &w, &g, NULL, 1, &step); /* no momentum: no velocity needed */
    assert_float_equal(w, 1.75, 0);
}

static void test_optim__adam_by_hand(void **state)
{
    (void)state;
    rfnas__adam opt = {0.1f, 0.9f, 0.999f, 1e-8f, 0.0f};
    float w = 1.0f, g = 0.5f, m = 0.0f, v = 0.0f;
    int64_t step = 0;
    rfnas__adam_step(&opt, &w, &g, &m, &v, 1, &step);
    /* m = 0.05, v = 0.00025; the bias-corrected first step moves by lr exactly. */
    assert_float_equal(m, 0.05, 1e-7); /* float arithmetic: (1 - 0.9f) is 0.10000002 */
    assert_float_equal(v, 0.00025, 1e-8);
    assert_float_equal(w, 0.9, 1e-6);
    assert_int_equal(step, 1);
    /* With weight decay the decay joins the gradient before the moments. */
    rfnas__adam wd = {0.1f, 0.9f, 0.999f, 1e-8f, 1.0f};
    w = 1.0f, m = 0.0f, v = 0.0f, step = 0;
    rfnas__adam_step(&wd, &w, &g, &m, &v, 1, &step);
    assert_float_equal(m, 0.15, 1e-7);
}

/* PyTorch's rules in double, for several steps on random data. */
static void test_optim__many_steps_match_a_double_reference(void **state)
{
    (void)state;
    enum { N = 1000, STEPS = 25 };
    static float w[N], g[N], vel[N], w2[N], m[N], v[N];
    static double rw[N], rvel[N], rw2[N], rm[N], rv[N];
    srand(7);
    for (int i = 0; i < N; i++) {
        w[i] = w2[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        rw[i] = rw2[i] = w[i];
    }
    const rfnas__sgd sgd = {0.025f, 0.9f, 3e-4f, 1};
    const rfnas__adam adam = {3e-4f, 0.5f, 0.999f, 1e-8f, 1e-3f};
    int64_t s1 = 0, s2 = 0;
    for (int t = 1; t <= STEPS; t++) {
        for (int i = 0; i < N; i++)
            g[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        rfnas__sgd_step(&sgd, w, g, vel, N, &s1);
        rfnas__adam_step(&adam, w2, g, m, v, N, &s2);
        for (int i = 0; i < N; i++) {
            double gg = g[i] + 3e-4 * rw[i];
            rvel[i] = t == 1 ? gg : 0.9 * rvel[i] + gg;
            rw[i] -= 0.025 * (gg + 0.9 * rvel[i]);
            double ga = g[i] + 1e-3 * rw2[i];
            rm[i] = 0.5 * rm[i] + 0.5 * ga;
            rv[i] = 0.999 * rv[i] + 0.001 * ga * ga;
            double mhat = rm[i] / (1 - pow(0.5, t)), vhat = rv[i] / (1 - pow(0.999, t));
            rw2[i] -= 3e-4 * mhat / (sqrt(vhat) + 1e-8);
        }
    }
    for (int i = 0; i < N; i++) {
        assert_float_equal(w[i], rw[i], 2e-6);
        assert_float_equal(w2[i], rw2[i], 2e-6);
    }
    assert_int_equal(s1, STEPS);
    assert_int_equal(s2, STEPS);
}

static void test_optim__clip_and_norm(void **state)
{
    (void)state;
    float g[2] = {3.0f, 4.0f};
    assert_float_equal(rfnas__clip_grad_norm(g, 2, 10.0), 5.0, 0);
    assert_float_equal(g[0], 3.0, 0); /* under the limit: untouched */
    assert_float_equal(rfnas__clip_grad_norm(g, 2, 1.0), 5.0, 0);
    assert_float_equal(g[0], 0.6, 1e-6);
    assert_float_equal(g[1], 0.8, 1e-6);
    /* A long vector: the chunked sum equals a plain double sum closely. */
    enum { N = 100003 };
    float *big = malloc(N * sizeof *big);
    double want = 0;
    for (int i = 0; i < N; i++) {
        big[i] = (float)((i % 17) - 8) * 0.125f;
        want += (double)big[i] * big[i];
    }
    assert_float_equal(rfnas__grad_norm(big, N), sqrt(want), 1e-9);
    free(big);
}

static void test_optim__cosine_schedule(void **state)
{
    (void)state;
    /* DARTS search: lr0 0.025, eta_min 0.001, 50 epochs (SPEC 2.7). */
    assert_float_equal(rfnas__cosine_lr(0.025, 0.001, 0, 50), 0.025, 1e-15);
    assert_float_equal(rfnas__cosine_lr(0.025, 0.001, 49, 50), 0.001024, 1e-6);
    assert_float_equal(rfnas__cosine_lr(0.025, 0.001, 25, 50), 0.013, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optim__sgd_by_hand),
        cmocka_unit_test(test_optim__adam_by_hand),
        cmocka_unit_test(test_optim__many_steps_match_a_double_reference),
        cmocka_unit_test(test_optim__clip_and_norm),
        cmocka_unit_test(test_optim__cosine_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
