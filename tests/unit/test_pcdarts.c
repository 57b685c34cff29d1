/* PC-DARTS in the DARTS supernet (SPEC 3.3, 4.3, 5.3): the channel-shuffle
 * test vectors of SPEC 3.3 through the kernel and the join node, SPEC 4.6's
 * parameter counts, the shapes of the partial channels, whole-network
 * gradients (WEIGHTS and ARCH, alphas and every beta) against central
 * differences through partial channels, bypass pooling and shuffle in both
 * feature modes, refusals of shapes that cannot work, and determinism. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/loops/blocked.h"
#include "kernels/loops/chan.h"
#include "net/net.h"
#include "net/nodes.h"

static rfnas__net_config config(rfnas__features f, int64_t c, int64_t cells, int64_t hw,
                                int64_t batch, int64_t k, int edge_norm)
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
    cfg.partial_channels = k;
    cfg.edge_norm = edge_norm;
    cfg.seed = 1;
    return cfg;
}

static void build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                  const rfnas__net_config *cfg)
{
    if (rfnas__darts_build(net, ctx, space, cfg) != RFNAS_OK)
        fail_msg("darts build: %s", rfnas_error_last());
}

/* ---- SPEC 3.3 channel shuffle ---- */

static const int perm16_4[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};
static const int perm8_2[8] = {0, 4, 1, 5, 2, 6, 3, 7};

/* Channel c of every pixel holds c + 100 * pixel; after the shuffle output
 * channel o must hold perm[o] + 100 * pixel, and padding lanes stay zero. */
static void check_kernel(int c, int groups, const int *perm)
{
    enum { N = 2, H = 2, W = 3 };
    const rfnas__blocked_shape s = rfnas__blocked_make(N, c, H, W);
    const size_t len = rfnas__blocked_count(s);
    float *x = calloc(len, sizeof *x), *y = calloc(len, sizeof *y), *back = calloc(len, sizeof *y);
    assert_true(x && y && back);
    for (int n = 0; n < N; n++)
        for (int ch = 0; ch < c; ch++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++)
                    x[rfnas__blocked_offset(s, n, ch, h, w)] = (float)(ch + 100 * (h * W + w));
    assert_int_equal(rfnas__chan_shuffle(y, x, s, groups, 0), RFNAS_OK);
    for (int n = 0; n < N; n++)
        for (int o = 0; o < c; o++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++)
                    assert_true(y[rfnas__blocked_offset(s, n, o, h, w)] ==
                                (float)(perm[o] + 100 * (h * W + w)));
    /* The adjoint is the inverse permutation. */
    assert_int_equal(rfnas__chan_shuffle_bwd(back, y, s, groups, 0), RFNAS_OK);
    assert_memory_equal(back, x, len * sizeof *x);
    free(x);
    free(y);
    free(back);
}

/* The join node as the supernet uses it: processed part first C/G channels,
 * bypass the rest, concatenated and shuffled with G groups. */
static void check_join_node(int c, int groups, const int *perm)
{
    rfnas_ctx *ctx;
    rfnas__graph *g;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas__graph_create(&g, ctx, 1), RFNAS_OK);
    const int x = rfnas__graph_tensor(g, c, 1, 1, RFNAS__LAYOUT_BLOCKED16);
    assert_int_equal(rfnas__graph_mark_input(g, x), RFNAS_OK);
    const int a = rfnas__node_slice(g, "part", x, 0, c / groups);
    const int b = rfnas__node_slice(g, "bypass", x, c / groups, c - c / groups);
    const int y = rfnas__node_shuffle_join(g, "join", a, b, groups);
    assert_true(a >= 0 && b >= 0 && y >= 0);
    assert_int_equal(rfnas__graph_mark_output(g, y), RFNAS_OK);
    assert_int_equal(rfnas__graph_finalize(g), RFNAS_OK);
    float *in = rfnas__graph_value_for(g, RFNAS__MODE_EVAL, x);
    for (int ch = 0; ch < c; ch++)
        in[ch] = (float)ch; /* 1 sample, 1x1: lane ch of block ch/16 is float ch */
    assert_int_equal(rfnas__graph_forward(g, 1, RFNAS__MODE_EVAL, 0), RFNAS_OK);
    const float *out = rfnas__graph_value(g, y);
    char line[128] = "";
    for (int o = 0; o < c; o++) {
        assert_true(out[o] == (float)perm[o]);
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s%d", o ? "," : "",
                 (int)out[o]);
    }
    print_message("C=%d, G=%d: perm = %s\n", c, groups, line);
    rfnas__graph_destroy(g);
    rfnas_ctx_destroy(ctx);
}

static void test_pcdarts__shuffle_vectors_of_spec_3_3(void **state)
{
    (void)state;
    check_kernel(16, 4, perm16_4);
    check_kernel(8, 2, perm8_2);
    check_join_node(16, 4, perm16_4);
    check_join_node(8, 2, perm8_2);
    /* Groups that do not divide the channels are refused. */
    assert_int_equal(rfnas__chan_shuffle(NULL, NULL, rfnas__blocked_make(1, 6, 1, 1), 4, 0),
                     RFNAS_E_INVALID);
}

/* ---- SPEC 4.6 parameter counts and the shapes ---- */

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

static const rfnas__node *node_named(rfnas__net *net, const char *name)
{
    for (int i = 0; i < rfnas__graph_node_count(net->graph); i++) {
        const rfnas__node *n = rfnas__graph_node_at(net->graph, i);
        if (strcmp(n->name, name) == 0)
            return n;
    }
    fail_msg("no node %s", name);
    return NULL;
}

static const rfnas__tensor *out_of(rfnas__net *net, const char *name)
{
    return rfnas__graph_tensor_info(net->graph, node_named(net, name)->out[0]);
}

static void test_pcdarts__parameter_counts_of_spec_4_6(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "darts"), RFNAS_OK);
    rfnas__net net;
    /* PC-DARTS C16 L8 K4 (edge normalisation adds only ARCH values). */
    rfnas__net_config cfg = config(RFNAS__FEATURES_LEARNED, 16, 8, 32, 2, 4, 1);
    build(&net, ctx, space, &cfg);
    print_message("PC-DARTS learned: %zu parameters (SPEC 4.6: 299,578)\n", count_params(&net, 0));
    assert_int_equal(count_params(&net, 0), 299578);
    assert_int_equal(count_params(&net, 1), 299578);
    /* ARCH: alphas normal, alphas reduce, betas normal, betas reduce, in that order. */
    const int arch[4] = {net.alpha[0], net.alpha[1], net.beta[0], net.beta[1]};
    const size_t sizes[4] = {14 * 8, 14 * 8, 14, 14};
    size_t prev_end = 0;
    for (int i = 0; i < 4; i++) {
        const rfnas__param *p = rfnas__graph_param_info(net.graph, arch[i]);
        assert_non_null(p);
        assert_int_equal(p->group, RFNAS__GROUP_ARCH);
        assert_int_equal(p->size, sizes[i]);
        assert_true(p->offset >= prev_end);
        prev_end = p->offset + p->size;
    }
    assert_string_equal(rfnas__graph_param_info(net.graph, net.beta[0])->name, "arch.beta_normal");
    assert_string_equal(rfnas__graph_param_info(net.graph, net.beta[1])->name, "arch.beta_reduce");
    /* Shapes: the ops of cell 0 see 4 of 16 channels, of cell 2 (reduce) 8 of
     * 32, whose bypass is pooled to 16x16; node outputs have every channel. */
    assert_int_equal(out_of(&net, "cells.0.state.0.part")->c, 4);
    assert_int_equal(out_of(&net, "cells.0.state.0.bypass")->c, 12);
    assert_int_equal(out_of(&net, "cells.0.node.3.ops")->c, 4);
    assert_int_equal(out_of(&net, "cells.2.state.1.part")->c, 8);
    const rfnas__tensor *pooled = out_of(&net, "cells.2.state.1.bypass.pool");
    assert_true(pooled->c == 24 && pooled->h == 16 && pooled->w == 16);
    const rfnas__tensor *node = out_of(&net, "cells.2.node.0");
    assert_true(node->c == 32 && node->h == 16);
    assert_int_equal(out_of(&net, "cells.7")->c, 256);
    rfnas__net_destroy(&net);

    cfg.features = RFNAS__FEATURES_RANDOM;
    build(&net, ctx, space, &cfg);
    print_message("RF-PCDARTS: %zu parameters, %zu trained (SPEC 4.6: 319,162 and 19,680)\n",
                  count_params(&net, 0), count_params(&net, 1));
    assert_int_equal(count_params(&net, 0), 319162);
    assert_int_equal(count_params(&net, 1), 19680);
    rfnas__net_destroy(&net);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* ---- whole-network gradients ---- */

enum { B = 2, HW = 8 };

static double loss_of(rfnas__net *net, rfnas__mode mode, const float *x, const int32_t *y)
{
    net->labels = y;
    rfnas__node_noise_set_counter(net->graph, 5);
    memcpy(rfnas__graph_value_for(net->graph, mode, net->input), x,
           (size_t)(B * 3 * HW * HW) * sizeof *x);
    assert_int_equal(rfnas__graph_forward(net->graph, B, mode, 1), RFNAS_OK);
    return rfnas__graph_value(net->graph, net->loss)[0];
}

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

/* The checked entries of a group: a sample of 40 across it, and in ARCH
 * every beta (they sit after the alphas: @p first_beta .. end). */
static int picked(size_t i, size_t n, size_t first_beta)
{
    return i % (n > 40 ? n / 40 : 1) == 0 || i >= first_beta;
}

/* As test_darts.c's check (step 2e-3, tolerance 1e-3 + 5e-2 relative, finer
 * steps near a kink for at most one entry in eight), plus a control that a
 * gradient scaled by 1.2 fails at the largest entry. */
static void check_group(rfnas__net *net, rfnas__mode mode, rfnas__group group, size_t first_beta)
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
    int checked = 0, failed = 0, refined = 0, betas = 0;
    double max_grad = 0, max_beta = 0, control = 0;
    for (size_t i = 0; i < n; i++) {
        if (!picked(i, n, first_beta))
            continue;
        double numeric = central(net, v, i, 2e-3f, x, y);
        if (!agrees(grad[i], numeric)) {
            double fine = numeric;
            for (float h = 5e-4f; h > 1e-4f && !agrees(grad[i], fine); h /= 4)
                fine = central(net, v, i, h, x, y);
            print_message("  [%zu] analytic %.6g numeric %.6g, at a finer step %.6g\n", i, grad[i],
                          numeric, fine);
            refined++;
            failed += !agrees(grad[i], fine);
            numeric = fine;
        }
        if (fabs(numeric) > max_grad) {
            max_grad = fabs(numeric);
            control = agrees(1.2 * grad[i], numeric); /* a 20% error must not pass */
        }
        if (i >= first_beta) {
            betas++;
            max_beta = fabs(numeric) > max_beta ? fabs(numeric) : max_beta;
        }
        checked++;
    }
    print_message("  group %d: %d values checked (%d betas, largest |dbeta| %.3g; %d at the "
                  "finer step), largest |gradient| %.3g\n",
                  (int)group, checked, betas, max_beta, refined, max_grad);
    assert_true(checked >= 20);
    assert_true(max_grad > 1e-2);
    if (betas)
        assert_true(max_beta > 1e-3); /* the beta checks are not vacuous either */
    assert_false(control);
    assert_int_equal(failed, 0);
    assert_true(refined * 8 <= checked);
    free(grad);
}

/* Tiny PC-DARTS: C channels, L=3 (cell 0 normal at C channels, cells 1 and 2
 * reduce at 2C and 4C, cell 2 with a FactorizedReduce preprocessing); with
 * C=8 and K=4 the ops see 2, 4 and 8 channels (slices inside one 16-channel
 * block) and reduction skip_connects are FactorizedReduce(4) and (8); 8x8
 * input, batch 2. */
static void gradients_of(const char *name, int64_t c, int64_t k, int edge_norm, int weights_too,
                         int modes)
{
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, name), RFNAS_OK);
    for (int f = 0; f < 2; f++) {
        if (!(modes >> f & 1)) /* bit 0 random, bit 1 learned */
            continue;
        print_message("space %s, C=%lld, K=%lld, edge norm %d, %s features\n", name, (long long)c,
                      (long long)k, edge_norm, f ? "learned" : "random");
        rfnas__net net;
        rfnas__net_config cfg = config((rfnas__features)f, c, 3, HW, B, k, edge_norm);
        build(&net, ctx, space, &cfg);
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
        const size_t first_beta =
            edge_norm ? rfnas__graph_param_info(net.graph, net.beta[0])->offset : (size_t)-1;
        if (weights_too)
            check_group(&net, RFNAS__MODE_WEIGHTS, RFNAS__GROUP_WEIGHTS, (size_t)-1);
        check_group(&net, RFNAS__MODE_ARCH, RFNAS__GROUP_ARCH, first_beta);
        rfnas__net_destroy(&net);
    }
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

static void test_pcdarts__whole_network_gradients_darts(void **state)
{
    (void)state;
    gradients_of("darts", 8, 4, 1, 1, 3);
}

/* Partial channels alone (learned), and edge normalisation alone (random; plain
 * DARTS edges, whose WEIGHTS path test_darts.c checks already: ARCH only). */
static void test_pcdarts__whole_network_gradients_parts(void **state)
{
    (void)state;
    gradients_of("darts", 4, 2, 0, 1, 2);
    gradients_of("darts", 4, 1, 1, 0, 1);
}

/* S3 (none on every edge: its bypass still flows; learned) and S4 (noise of
 * C/K channels; random), at C=4 K=4: single-channel slices in cell 0. */
static void test_pcdarts__whole_network_gradients_s3_s4(void **state)
{
    (void)state;
    gradients_of("s3", 4, 4, 1, 1, 2);
    gradients_of("s4", 4, 4, 1, 1, 1);
}

/* ---- refusals ---- */

static void refused(const rfnas_space *space, int64_t c, int64_t cells, int64_t k,
                    const char *words)
{
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    rfnas__net net;
    rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, c, cells, HW, B, k, 1);
    assert_int_equal(rfnas__darts_build(&net, ctx, space, &cfg), RFNAS_E_INVALID);
    assert_null(net.graph);
    print_message("C=%lld, %lld cells, K=%lld: %s\n", (long long)c, (long long)cells, (long long)k,
                  rfnas_error_last());
    assert_non_null(strstr(rfnas_error_last(), words));
    rfnas_ctx_destroy(ctx);
}

static void test_pcdarts__refuses_shapes_that_cannot_work(void **state)
{
    (void)state;
    rfnas_space *darts, *no_skip;
    assert_int_equal(rfnas_space_create(&darts, "darts"), RFNAS_OK);
    static const char *const ops[] = {"sep_conv_3x3", "max_pool_3x3"};
    assert_int_equal(rfnas_space_create_custom(&no_skip, RFNAS_TOPOLOGY_DARTS, ops, 2), RFNAS_OK);
    refused(darts, 6, 3, 4, "do not divide the 6 channels of cell 0");
    refused(darts, 16, 8, 3, "do not divide");
    /* 2 cells, both reductions: cell 0 has 6 channels, C/K = 1 with K = 6. */
    refused(darts, 3, 2, 6, "FactorizedReduce of C/K channels");
    /* Without skip_connect there is no FactorizedReduce of C/K: the same shape builds and runs. */
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    rfnas__net net;
    rfnas__net_config cfg = config(RFNAS__FEATURES_LEARNED, 3, 2, HW, B, 6, 1);
    build(&net, ctx, no_skip, &cfg);
    static float x[B * 3 * HW * HW];
    const int32_t y[B] = {1, 2};
    const double l = loss_of(&net, RFNAS__MODE_ARCH, x, y);
    assert_true(isfinite(l));
    assert_int_equal(rfnas__graph_backward(net.graph), RFNAS_OK);
    rfnas__net_destroy(&net);
    rfnas_ctx_destroy(ctx);
    rfnas_space_destroy(no_skip);
    rfnas_space_destroy(darts);
}

/* ---- determinism ---- */

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

/* Same seed, same threads: identical loss and gradient bits in both modes. */
static void test_pcdarts__same_seed_gives_identical_bits(void **state)
{
    (void)state;
    rfnas_space *space;
    assert_int_equal(rfnas_space_create(&space, "darts"), RFNAS_OK);
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
                rfnas__net_config cfg = config((rfnas__features)f, 8, 3, HW, B, 4, 1);
                build(&net, ctx, space, &cfg);
                for (int k = 0; k < 2; k++) {
                    rfnas__group group = k ? RFNAS__GROUP_ARCH : RFNAS__GROUP_WEIGHTS;
                    rfnas__graph_group_grads(net.graph, group, &sizes[k]);
                    g[run][k] = malloc(sizes[k] * sizeof(float));
                    assert_non_null(g[run][k]);
                    loss[run][k] =
                        step(&net, k ? RFNAS__MODE_ARCH : RFNAS__MODE_WEIGHTS, group, g[run][k]);
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

/* Without arguments every test runs; "fast" or "gradients" runs one half
 * (meson registers the halves as two tests, each with its own timeout: the
 * finite-difference checks take minutes on a loaded machine). */
int main(int argc, char **argv)
{
    const struct CMUnitTest fast[] = {
        cmocka_unit_test(test_pcdarts__shuffle_vectors_of_spec_3_3),
        cmocka_unit_test(test_pcdarts__parameter_counts_of_spec_4_6),
        cmocka_unit_test(test_pcdarts__refuses_shapes_that_cannot_work),
        cmocka_unit_test(test_pcdarts__same_seed_gives_identical_bits),
        cmocka_unit_test(test_pcdarts__whole_network_gradients_darts),
    };
    const struct CMUnitTest gradients[] = {
        cmocka_unit_test(test_pcdarts__whole_network_gradients_parts),
        cmocka_unit_test(test_pcdarts__whole_network_gradients_s3_s4),
    };
    if (getenv("TEST_FILTER"))
        cmocka_set_test_filter(getenv("TEST_FILTER"));
    const char *part = argc > 1 ? argv[1] : "";
    int failed = 0;
    if (strcmp(part, "gradients") != 0)
        failed += cmocka_run_group_tests_name("pcdarts", fast, NULL, NULL);
    if (strcmp(part, "fast") != 0)
        failed += cmocka_run_group_tests_name("pcdarts gradients", gradients, NULL, NULL);
    return failed;
}
