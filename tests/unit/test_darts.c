/* The DARTS search supernet graph: parameter counts of SPEC 4.6, the shape
 * trace of SPEC 4.1, whole-network gradients (WEIGHTS and ARCH groups) against
 * central differences on tiny configurations of the darts, s1 and s4 spaces in
 * both feature modes, reproducible S4 noise, and determinism. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"
#include "net/nodes.h"

static rfnas__net_config config(rfnas__features f, int64_t c, int64_t cells, int64_t hw,
                                int64_t batch)
{
    rfnas__net_config cfg = {0};
    cfg.features = f;
    cfg.in_c = 3;
    cfg.in_h = cfg.in_w = hw;
    cfg.classes = 10;
    cfg.channels = c;
    cfg.cells = cells;
    cfg.stem_multiplier = 3;
    cfg.max_batch = batch;
    cfg.track_running_stats = 1;
    cfg.init = RFNAS__INIT_PYTORCH;
    cfg.seed = 1;
    return cfg;
}

static void build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                  const rfnas__net_config *cfg)
{
    if (rfnas__darts_build(net, ctx, space, cfg) != RFNAS_OK)
        fail_msg("darts build: %s", rfnas_error_last());
}

static size_t count_params(rfnas__net *net, int trainable_only)
{
    size_t total = 0;
    for (int i = 0; i < rfnas__graph_param_count(net->graph); i++) {
        const rfnas__param *p = rfnas__graph_param_info(net->graph, i);
        if (p->group == RFNAS__GROUP_ARCH || p->group == RFNAS__GROUP_STATE)
            continue;
        if (trainable_only && p->group != RFNAS__GROUP_WEIGHTS)
            continue;
        total += p->size;
    }
    return total;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* The node named @p name, or NULL. */
static const rfnas__node *node_named(rfnas__net *net, const char *name)
{
    for (int i = 0; i < rfnas__graph_node_count(net->graph); i++) {
        const rfnas__node *n = rfnas__graph_node_at(net->graph, i);
        if (strcmp(n->name, name) == 0)
            return n;
    }
    return NULL;
}

static const rfnas__tensor *out_of(rfnas__net *net, const char *name)
{
    const rfnas__node *n = node_named(net, name);
    if (n == NULL)
        fail_msg("no node %s", name);
    return rfnas__graph_tensor_info(net->graph, n->out[0]);
}

static void test_darts__parameter_counts_of_spec_4_6(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "darts"), RFNAS_OK);
    rfnas__net net;
    rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 16, 8, 32, 2);
    build(&net, ctx, space, &cfg);
    /* RF: every BN affine (pooling BNs included): 1,927,952 + 74,592 + 2,570. */
    assert_int_equal(count_params(&net, 0), 2005114);
    assert_int_equal(count_params(&net, 1), 74592);
    /* The WEIGHTS group is exactly the BN gammas and betas. */
    int bn_params = 0;
    for (int i = 0; i < rfnas__graph_param_count(net.graph); i++) {
        const rfnas__param *p = rfnas__graph_param_info(net.graph, i);
        const int is_bn = ends_with(p->name, ".bn.gamma") || ends_with(p->name, ".bn.beta");
        if (is_bn != (p->group == RFNAS__GROUP_WEIGHTS))
            fail_msg("%s is in group %d", p->name, (int)p->group);
        bn_params += is_bn;
    }
    /* stem + per normal cell 2 + 14 * 8 (pools 2, sep 4, dil 2), reduce + 8 FR edges: x2 each. */
    assert_int_equal(bn_params, 2 * (1 + 6 * (2 + 14 * 8) + 2 * (2 + 14 * 8 + 8)));
    size_t arch;
    rfnas__graph_group_values(net.graph, RFNAS__GROUP_ARCH, &arch);
    assert_true(arch >= 2 * 14 * 8); /* two 14 x 8 matrices (rows may be aligned) */
    assert_int_equal(rfnas__graph_param_info(net.graph, net.alpha[0])->size, 14 * 8);
    assert_int_equal(rfnas__graph_param_info(net.graph, net.alpha[1])->size, 14 * 8);
    rfnas__net_destroy(&net);

    cfg.features = RFNAS__FEATURES_LEARNED;
    build(&net, ctx, space, &cfg);
    /* DARTS: 1,927,952 conv weights + 96 (stem BN) + 2,570 (linear), all trained. */
    assert_int_equal(count_params(&net, 0), 1930618);
    assert_int_equal(count_params(&net, 1), 1930618);
    rfnas__net_destroy(&net);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* SPEC 4.1's table for C=16, L=8, 32x32: the stem, each cell's preprocessing
 * (kind and channels) and output. */
static void test_darts__shape_trace_of_spec_4_1(void **state)
{
    (void)state;
    static const struct {
        int reduce, fr, node_c, out_c, out_hw;
    } table[8] = {
        {0, 0, 16, 64, 32},  {0, 0, 16, 64, 32},  {1, 0, 32, 128, 16}, {0, 1, 32, 128, 16},
        {0, 0, 32, 128, 16}, {1, 0, 64, 256, 8},  {0, 1, 64, 256, 8},  {0, 0, 64, 256, 8},
    };
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "darts"), RFNAS_OK);
    rfnas__net net;
    rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 16, 8, 32, 2);
    build(&net, ctx, space, &cfg);
    const rfnas__tensor *t = out_of(&net, "stem.bn");
    print_message("stem: 3x32x32 -> %lldx%lldx%lld\n", (long long)t->c, (long long)t->h,
                  (long long)t->w);
    assert_true(t->c == 48 && t->h == 32 && t->w == 32);
    for (int i = 0; i < 8; i++) {
        char name[64];
        snprintf(name, sizeof name, "cells.%d.preprocess0.concat", i);
        const int fr = node_named(&net, name) != NULL;
        snprintf(name, sizeof name, "cells.%d.preprocess0.bn", i);
        const rfnas__tensor *p0 = out_of(&net, name);
        snprintf(name, sizeof name, "cells.%d.preprocess1.bn", i);
        const rfnas__tensor *p1 = out_of(&net, name);
        snprintf(name, sizeof name, "cells.%d.node.0", i);
        const rfnas__tensor *n0 = out_of(&net, name);
        snprintf(name, sizeof name, "cells.%d", i);
        const rfnas__tensor *o = out_of(&net, name);
        print_message("cell %d %-6s preprocess0 %-3s %3lldx%2lld^2  preprocess1 RCB %3lldx%2lld^2  "
                      "node C %3lld  out %3lldx%2lld^2\n",
                      i, table[i].reduce ? "reduce" : "normal", fr ? "FR" : "RCB",
                      (long long)p0->c, (long long)p0->h, (long long)p1->c, (long long)p1->h,
                      (long long)n0->c, (long long)o->c, (long long)o->h);
        assert_int_equal(fr, table[i].fr);
        const int in_hw = table[i].reduce ? table[i].out_hw * 2 : table[i].out_hw;
        assert_true(p0->c == table[i].node_c && p0->h == in_hw && p0->w == in_hw);
        assert_true(p1->c == table[i].node_c && p1->h == in_hw && p1->w == in_hw);
        assert_true(n0->c == table[i].node_c && n0->h == table[i].out_hw);
        assert_true(o->c == table[i].out_c && o->h == table[i].out_hw && o->w == table[i].out_hw);
        /* The mixed node of node 3 sums 5 edges of 8 ops less the 5 "none". */
        snprintf(name, sizeof name, "cells.%d.node.3", i);
        assert_int_equal(node_named(&net, name)->n_in, 5 * 7);
    }
    t = rfnas__graph_tensor_info(net.graph, net.logits);
    print_message("head: GAP -> Linear(256 -> %lld)\n", (long long)t->c);
    assert_int_equal(t->c, 10);
    assert_int_equal(rfnas__graph_param_info(net.graph, 0)->size, 14 * 8);
    rfnas__net_destroy(&net);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

enum { B = 2, HW = 8 };

static double loss_of(rfnas__net *net, rfnas__mode mode, const float *x, const int32_t *y)
{
    net->labels = y;
    /* S4: every forward of a check draws the same noise. */
    rfnas__node_noise_set_counter(net->graph, 5);
    memcpy(rfnas__graph_value_for(net->graph, mode, net->input), x,
           (size_t)(B * 3 * HW * HW) * sizeof *x);
    assert_int_equal(rfnas__graph_forward(net->graph, B, mode, 1), RFNAS_OK);
    return rfnas__graph_value(net->graph, net->loss)[0];
}

/* Central difference of the loss in parameter @p v[i] with step @p h. */
static double central(rfnas__net *net, float *v, size_t i, float h, const float *x,
                      const int32_t *y)
{
    const float keep = v[i];
    v[i] = keep + h;
    double up = loss_of(net, RFNAS__MODE_EVAL, x, y);
    v[i] = keep - h;
    double down = loss_of(net, RFNAS__MODE_EVAL, x, y);
    v[i] = keep;
    return (up - down) / (2.0 * (double)h);
}

static int agrees(double analytic, double numeric)
{
    return fabs(numeric - analytic) <= 1e-3 + 5e-2 * fabs(numeric);
}

/* Central differences of the loss for a sample of the group's parameters (as
 * test_nb201.c: step 2e-3, tolerance 1e-3 + 5e-2 relative). Every forward runs
 * BN in training mode (batch statistics), so repeated forwards see the same
 * function.
 *
 * The tiny net's last cell normalises 2x2 maps of 2 samples (8 values per
 * channel) and has max pools and ReLUs everywhere: a 2e-3 step sometimes
 * crosses a kink, and the two one-sided differences then disagree. Measured on
 * such entries, the central difference converges to the analytic value as
 * the step shrinks (a stem weight of the learned net: -0.617, -0.007, 0.167,
 * 0.235, 0.248 for steps 2e-3 down to 1.25e-4 against 0.249), so an entry that
 * fails at 2e-3 is checked again at 5e-4 and then 1.25e-4 (the float rounding
 * of the loss, about 1e-3 in the derivative there, is still within the
 * tolerance); at most one entry in eight may need that. */
static void check_group(rfnas__net *net, rfnas__mode mode, rfnas__group group)
{
    static float x[B * 3 * HW * HW];
    const int32_t y[B] = {3, 7};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)sin(0.61 * (double)i) * 1.2f;
    size_t n;
    float *v = rfnas__graph_group_values(net->graph, group, &n);
    rfnas__graph_zero_grad(net->graph, group);
    loss_of(net, mode, x, y);
    assert_int_equal(rfnas__graph_backward(net->graph), RFNAS_OK);
    size_t ng;
    const float *g = rfnas__graph_group_grads(net->graph, group, &ng);
    float *grad = malloc(n * sizeof *grad);
    assert_non_null(grad);
    memcpy(grad, g, n * sizeof *grad);
    int checked = 0, failed = 0, refined = 0;
    double max_grad = 0, control = 0;
    for (size_t i = 0; i < n; i += (n > 40 ? n / 40 : 1)) {
        double numeric = central(net, v, i, 2e-3f, x, y);
        if (!agrees(grad[i], numeric)) {
            /* Near a kink: smaller steps (see above). */
            double fine = numeric;
            for (float h = 5e-4f; h > 1e-4f && !agrees(grad[i], fine); h /= 4)
                fine = central(net, v, i, h, x, y);
            print_message("  [%zu] analytic %.6g numeric %.6g, at a finer step %.6g\n", i,
                          grad[i], numeric, fine);
            refined++;
            failed += !agrees(grad[i], fine);
            numeric = fine;
        }
        if (fabs(numeric) > max_grad) {
            max_grad = fabs(numeric);
            control = agrees(1.2 * grad[i], numeric); /* a 20% error must not pass */
        }
        checked++;
    }
    print_message("  group %d: %d values checked (%d at the finer step), largest |gradient| "
                  "%.3g\n",
                  (int)group, checked, refined, max_grad);
    assert_true(checked >= 20);
    assert_true(max_grad > 1e-2); /* the check is not vacuous */
    assert_false(control);
    assert_int_equal(failed, 0);
    assert_true(refined * 8 <= checked);
    free(grad);
}

/* Tiny configuration: C=4, L=3 (cell 0 normal, cells 1 and 2 reduce, cell 2
 * with a FactorizedReduce preprocessing), 8x8 input, batch 2. */
static void gradients_of_space(const char *name)
{
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, name), RFNAS_OK);
    for (int f = 0; f < 2; f++) {
        print_message("space %s, %s features\n", name, f ? "learned" : "random");
        rfnas__net net;
        rfnas__net_config cfg = config((rfnas__features)f, 4, 3, HW, B);
        build(&net, ctx, space, &cfg);
        /* Larger alphas make the softmax weights differ, so errors show; BN
         * gammas and betas away from 1 and 0 make RF differ from learned. */
        if (f == RFNAS__FEATURES_RANDOM) {
            size_t nw;
            float *w = rfnas__graph_group_values(net.graph, RFNAS__GROUP_WEIGHTS, &nw);
            for (size_t i = 0; i < nw; i++)
                w[i] += 0.2f * (float)sin(0.37 * (double)i);
        }
        size_t na;
        float *alpha = rfnas__graph_group_values(net.graph, RFNAS__GROUP_ARCH, &na);
        for (size_t i = 0; i < na; i++)
            alpha[i] = (float)sin(1.7 * (double)i);
        check_group(&net, RFNAS__MODE_WEIGHTS, RFNAS__GROUP_WEIGHTS);
        check_group(&net, RFNAS__MODE_ARCH, RFNAS__GROUP_ARCH);
        rfnas__net_destroy(&net);
    }
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

static void test_darts__whole_network_gradients_darts(void **state)
{
    (void)state;
    gradients_of_space("darts");
}

static void test_darts__whole_network_gradients_s1(void **state)
{
    (void)state;
    gradients_of_space("s1");
}

static void test_darts__whole_network_gradients_s4(void **state)
{
    (void)state;
    gradients_of_space("s4");
}

/* S2 and S3 (with none, excluded from compute but kept in the softmax) complete
 * the whole-network checks of every standard DARTS-topology space. */
static void test_darts__whole_network_gradients_s2_s3(void **state)
{
    (void)state;
    gradients_of_space("s2");
    gradients_of_space("s3");
}

/* S4 noise: fresh at every forward, the same again at the same counter. */
static void test_darts__noise_is_fresh_per_forward_and_reproducible(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "s4"), RFNAS_OK);
    rfnas__net net;
    rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 4, 3, HW, B);
    build(&net, ctx, space, &cfg);
    static float x[B * 3 * HW * HW];
    const int32_t y[B] = {0, 9};
    net.labels = y;
    double loss[3];
    uint64_t counter;
    assert_int_equal(rfnas__node_noise_counter(net.graph, &counter), 1);
    assert_true(counter == 0);
    for (int k = 0; k < 3; k++) {
        if (k == 2)
            rfnas__node_noise_set_counter(net.graph, 0);
        memcpy(rfnas__graph_value_for(net.graph, RFNAS__MODE_EVAL, net.input), x, sizeof x);
        assert_int_equal(rfnas__graph_forward(net.graph, B, RFNAS__MODE_EVAL, 0), RFNAS_OK);
        loss[k] = rfnas__graph_value(net.graph, net.loss)[0];
    }
    assert_int_equal(rfnas__node_noise_counter(net.graph, &counter), 1);
    assert_true(counter == 1);
    assert_true(loss[0] != loss[1]); /* the input is zero: only the noise varies */
    assert_true(loss[0] == loss[2]);
    rfnas__net_destroy(&net);
    /* A space without noise has no counter. */
    rfnas_space_destroy(space);
    assert_int_equal(rfnas_space_create(&space, "s2"), RFNAS_OK);
    build(&net, ctx, space, &cfg);
    assert_int_equal(rfnas__node_noise_counter(net.graph, &counter), 0);
    rfnas__net_destroy(&net);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* One forward and backward of a group; returns the loss, gradients in @p grads. */
static double step(rfnas__net *net, rfnas__mode mode, rfnas__group group, float *grads)
{
    static float x[B * 3 * HW * HW];
    const int32_t y[B] = {1, 4};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)cos(0.3 * (double)i);
    rfnas__graph_zero_grad(net->graph, group);
    net->labels = y;
    memcpy(rfnas__graph_value_for(net->graph, mode, net->input), x, sizeof x);
    assert_int_equal(rfnas__graph_forward(net->graph, B, mode, 1), RFNAS_OK);
    double l = rfnas__graph_value(net->graph, net->loss)[0];
    assert_int_equal(rfnas__graph_backward(net->graph), RFNAS_OK);
    size_t n;
    const float *g = rfnas__graph_group_grads(net->graph, group, &n);
    memcpy(grads, g, n * sizeof *grads);
    return l;
}

/* Every standard space and custom ones build, run a step of each group and give
 * a finite loss: s2, s3 (none with stride), a custom list with ops of the
 * catalogue outside the DARTS list, and a {none, noise} space whose nodes see
 * no cell input, which is refused as it would leave the previous cell's
 * output unread. */
static void test_darts__other_spaces_build_and_run(void **state)
{
    (void)state;
    static const char *const custom[] = {"none",         "skip_connect",  "sep_conv_7x7",
                                         "nor_conv_3x3", "nor_conv_1x1",  "noise",
                                         "avg_pool_3x3", "max_pool_3x3"};
    static const char *const blind[] = {"none", "noise"};
    static const char *const knight[] = {"skip_connect", "conv_7x1_1x7"};
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    for (int sp = 0; sp < 5; sp++) {
        rfnas_space *space;
        if (sp < 2)
            assert_int_equal(rfnas_space_create(&space, sp ? "s3" : "s2"), RFNAS_OK);
        else if (sp == 2)
            assert_int_equal(rfnas_space_create_custom(&space, RFNAS_TOPOLOGY_DARTS, custom, 8),
                             RFNAS_OK);
        else
            assert_int_equal(rfnas_space_create_custom(&space, RFNAS_TOPOLOGY_DARTS,
                                                       sp == 3 ? blind : knight, 2),
                             RFNAS_OK);
        for (int f = 0; f < 2; f++) {
            rfnas__net net;
            rfnas__net_config cfg = config((rfnas__features)f, 4, 3, HW, B);
            rfnas_status rc = rfnas__darts_build(&net, ctx, space, &cfg);
            if (sp >= 3) {
                assert_int_equal(rc, RFNAS_E_UNSUPPORTED);
                assert_null(net.graph);
                continue;
            }
            if (rc != RFNAS_OK)
                fail_msg("space %d: %s", sp, rfnas_error_last());
            const size_t n = 1024 * 1024;
            float *g = malloc(n * sizeof *g);
            assert_non_null(g);
            for (int k = 0; k < 2; k++) {
                size_t size;
                rfnas__graph_group_grads(net.graph, k ? RFNAS__GROUP_ARCH : RFNAS__GROUP_WEIGHTS,
                                         &size);
                assert_true(size <= n);
                double l = step(&net, k ? RFNAS__MODE_ARCH : RFNAS__MODE_WEIGHTS,
                                k ? RFNAS__GROUP_ARCH : RFNAS__GROUP_WEIGHTS, g);
                assert_true(isfinite(l) && l > 0);
            }
            free(g);
            rfnas__net_destroy(&net);
        }
        rfnas_space_destroy(space);
    }
    rfnas_ctx_destroy(ctx);
}

static void test_darts__refuses_other_topologies(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    rfnas__net net;
    rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 4, 3, HW, B);
    assert_int_equal(rfnas__darts_build(&net, ctx, space, &cfg), RFNAS_E_MISMATCH);
    assert_null(net.graph);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* Same seed, same threads: identical loss and gradient bits, in both modes,
 * for the darts space and s4 (whose noise follows the seed and the counter). */
static void test_darts__same_seed_gives_identical_bits(void **state)
{
    (void)state;
    static const char *const spaces[] = {"darts", "s4"};
    for (int sp = 0; sp < 2; sp++) {
        rfnas_space *space;
        assert_int_equal(rfnas_space_create(&space, spaces[sp]), RFNAS_OK);
        for (int threads = 1; threads <= 2; threads++) {
            for (int f = 0; f < 2; f++) {
                float *g[2][2];
                double loss[2][2];
                size_t sizes[2];
                for (int run = 0; run < 2; run++) {
                    rfnas_config *c;
                    rfnas_ctx *ctx;
                    rfnas_config_create(&c);
                    rfnas_config_set_int(c, RFNAS_KEY_CTX_THREADS, threads);
                    rfnas_config_set_int(c, RFNAS_KEY_CTX_SEED, 11);
                    assert_int_equal(rfnas_ctx_create(&ctx, c), RFNAS_OK);
                    rfnas_config_destroy(c);
                    rfnas__net net;
                    rfnas__net_config cfg = config((rfnas__features)f, 8, 3, HW, B);
                    build(&net, ctx, space, &cfg);
                    for (int k = 0; k < 2; k++) {
                        rfnas__group group = k ? RFNAS__GROUP_ARCH : RFNAS__GROUP_WEIGHTS;
                        rfnas__graph_group_grads(net.graph, group, &sizes[k]);
                        g[run][k] = malloc(sizes[k] * sizeof(float));
                        assert_non_null(g[run][k]);
                        loss[run][k] = step(&net, k ? RFNAS__MODE_ARCH : RFNAS__MODE_WEIGHTS,
                                            group, g[run][k]);
                    }
                    rfnas__net_destroy(&net);
                    rfnas_ctx_destroy(ctx);
                }
                for (int k = 0; k < 2; k++) {
                    assert_true(loss[0][k] == loss[1][k]);
                    assert_memory_equal(g[0][k], g[1][k], sizes[k] * sizeof(float));
                    free(g[0][k]);
                    free(g[1][k]);
                }
            }
        }
        rfnas_space_destroy(space);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_darts__parameter_counts_of_spec_4_6),
        cmocka_unit_test(test_darts__shape_trace_of_spec_4_1),
        cmocka_unit_test(test_darts__whole_network_gradients_darts),
        cmocka_unit_test(test_darts__whole_network_gradients_s1),
        cmocka_unit_test(test_darts__whole_network_gradients_s4),
        cmocka_unit_test(test_darts__whole_network_gradients_s2_s3),
        cmocka_unit_test(test_darts__noise_is_fresh_per_forward_and_reproducible),
        cmocka_unit_test(test_darts__other_spaces_build_and_run),
        cmocka_unit_test(test_darts__refuses_other_topologies),
        cmocka_unit_test(test_darts__same_seed_gives_identical_bits),
    };
    /* TEST_FILTER=<pattern> runs a subset while working on one part. */
    if (getenv("TEST_FILTER"))
        cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
