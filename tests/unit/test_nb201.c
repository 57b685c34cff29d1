/* The NAS-Bench-201 supernet graph: parameter counts of SPEC 4.6, and
 * whole-network gradients (BN parameters and alphas) against central
 * differences on a tiny configuration, in both feature modes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"

static rfnas__net_config config(rfnas__features f, int64_t c, int64_t n, int64_t hw, int64_t batch)
{
    rfnas__net_config cfg = {0};
    cfg.features = f;
    cfg.in_c = 3;
    cfg.in_h = cfg.in_w = hw;
    cfg.classes = 10;
    cfg.channels = c;
    cfg.cells = n;
    cfg.max_batch = batch;
    cfg.track_running_stats = 1;
    cfg.init = RFNAS__INIT_PYTORCH;
    cfg.seed = 1;
    return cfg;
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

static void test_nb201__parameter_counts_of_spec_4_6(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    rfnas__net net;
    rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 16, 5, 32, 2);
    if (rfnas__nb201_build(&net, ctx, space, &cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    /* RF: every BN affine, bias-free convs: 1,684,912 + 13,984 + 650. */
    assert_int_equal(count_params(&net, 0), 1699546);
    /* Trained in RF: exactly the BN gammas and betas (the classifier is frozen). */
    assert_int_equal(count_params(&net, 1), 13984);
    size_t arch;
    rfnas__graph_group_values(net.graph, RFNAS__GROUP_ARCH, &arch);
    assert_int_equal(arch, 30);
    rfnas__net_destroy(&net);
    cfg = config(RFNAS__FEATURES_LEARNED, 16, 5, 32, 2);
    if (rfnas__nb201_build(&net, ctx, space, &cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    /* DARTS-V1 with bias-free convs (DESIGN 7.13): 1,684,912 + 544 + 650. */
    assert_int_equal(count_params(&net, 0), 1686106);
    assert_int_equal(count_params(&net, 1), 1686106);
    rfnas__net_destroy(&net);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

enum { B = 2, HW = 8 };

static double loss_of(rfnas__net *net, rfnas__mode mode, const float *x, const int32_t *y)
{
    net->labels = y;
    memcpy(rfnas__graph_value_for(net->graph, mode, net->input), x,
           (size_t)(B * 3 * HW * HW) * sizeof *x);
    assert_int_equal(rfnas__graph_forward(net->graph, B, mode, 1), RFNAS_OK);
    return rfnas__graph_value(net->graph, net->loss)[0];
}

/* Central differences of the loss for a sample of the group's parameters. BN
 * running statistics change with every training forward, but training-mode
 * outputs do not read them, so repeated forwards see the same function. */
static void check_group(rfnas__net *net, rfnas__mode mode, rfnas__group group, float h)
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
    memcpy(grad, g, n * sizeof *grad);
    int checked = 0, failed = 0;
    double max_grad = 0;
    for (size_t i = 0; i < n; i += (n > 40 ? n / 40 : 1)) {
        const float keep = v[i];
        v[i] = keep + h;
        double up = loss_of(net, RFNAS__MODE_EVAL, x, y);
        v[i] = keep - h;
        double down = loss_of(net, RFNAS__MODE_EVAL, x, y);
        v[i] = keep;
        double numeric = (up - down) / (2.0 * h);
        max_grad = fmax(max_grad, fabs(numeric));
        if (fabs(numeric - grad[i]) > 1e-3 + 5e-2 * fabs(numeric)) {
            print_message("  [%zu] analytic %.6g numeric %.6g\n", i, grad[i], numeric);
            failed++;
        }
        checked++;
    }
    print_message("group %d: %d values checked, largest |gradient| %.3g\n", (int)group, checked,
                  max_grad);
    assert_true(max_grad > 1e-4); /* the check is not vacuous */
    assert_int_equal(failed, 0);
    free(grad);
}

static void test_nb201__whole_network_gradients(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    /* Both feature modes at C=4; and random features at C=16, where the
     * convolutions that share an input are merged (one per node and kernel,
     * read by the node sums through views). */
    /* The wider net crosses more ReLU kinks within a step of 2e-3 (its alpha
     * check then misses by up to 20%); 5e-4 stays inside the smooth region. */
    const struct {
        rfnas__features f;
        int64_t c;
        float h;
    } runs[] = {{RFNAS__FEATURES_RANDOM, 4, 2e-3f}, {RFNAS__FEATURES_LEARNED, 4, 2e-3f},
                {RFNAS__FEATURES_RANDOM, 16, 5e-4f}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        rfnas__net net;
        /* Training-mode BN everywhere: evaluation forwards must also use batch
         * statistics, so the tiny net keeps no running statistics in cells and
         * the FD forwards run in training mode (train = 1 below). */
        rfnas__net_config cfg = config(runs[r].f, runs[r].c, 1, HW, B);
        if (rfnas__nb201_build(&net, ctx, space, &cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
        /* Larger alphas make the softmax weights differ, so errors show. */
        size_t na;
        float *alpha = rfnas__graph_group_values(net.graph, RFNAS__GROUP_ARCH, &na);
        for (size_t i = 0; i < na; i++)
            alpha[i] = (float)sin(1.7 * (double)i);
        check_group(&net, RFNAS__MODE_WEIGHTS, RFNAS__GROUP_WEIGHTS, runs[r].h);
        check_group(&net, RFNAS__MODE_ARCH, RFNAS__GROUP_ARCH, runs[r].h);
        rfnas__net_destroy(&net);
    }
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* DESIGN 3: frozen convolutions keep nothing for backward, so the RF graph's
 * training plans need strictly less memory than the same network with trained
 * convolutions (plain DARTS). Production shape: C=16, N=5, batch 64, 32x32. */
static void test_nb201__frozen_convolutions_keep_less_memory(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    rfnas__net rf, learned;
    rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 16, 5, 32, 64);
    assert_int_equal(rfnas__nb201_build(&rf, ctx, space, &cfg), RFNAS_OK);
    cfg.features = RFNAS__FEATURES_LEARNED;
    assert_int_equal(rfnas__nb201_build(&learned, ctx, space, &cfg), RFNAS_OK);
    const double mib = 1024.0 * 1024.0;
    print_message("NB201 C=16 N=5 batch 64 arena plans (MiB):  eval %.1f | weights step: frozen "
                  "convs %.1f, trained convs %.1f | arch step: frozen %.1f, trained %.1f\n",
                  rfnas__graph_plan_bytes(rf.graph, RFNAS__MODE_EVAL) / mib,
                  rfnas__graph_plan_bytes(rf.graph, RFNAS__MODE_WEIGHTS) / mib,
                  rfnas__graph_plan_bytes(learned.graph, RFNAS__MODE_WEIGHTS) / mib,
                  rfnas__graph_plan_bytes(rf.graph, RFNAS__MODE_ARCH) / mib,
                  rfnas__graph_plan_bytes(learned.graph, RFNAS__MODE_ARCH) / mib);
    assert_true(rfnas__graph_plan_bytes(rf.graph, RFNAS__MODE_WEIGHTS) <
                rfnas__graph_plan_bytes(learned.graph, RFNAS__MODE_WEIGHTS));
    assert_true(rfnas__graph_plan_bytes(rf.graph, RFNAS__MODE_EVAL) <
                rfnas__graph_plan_bytes(rf.graph, RFNAS__MODE_WEIGHTS));
    rfnas__net_destroy(&rf);
    rfnas__net_destroy(&learned);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* One forward and backward of each group; returns the loss, gradients in @p grads. */
static double step(rfnas__net *net, rfnas__mode mode, rfnas__group group, float *grads)
{
    static float x[B * 3 * HW * HW];
    const int32_t y[B] = {1, 4};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)cos(0.3 * (double)i);
    rfnas__graph_zero_grad(net->graph, group);
    double l = loss_of(net, mode, x, y);
    assert_int_equal(rfnas__graph_backward(net->graph), RFNAS_OK);
    size_t n;
    const float *g = rfnas__graph_group_grads(net->graph, group, &n);
    memcpy(grads, g, n * sizeof *grads);
    return l;
}

static void test_nb201__same_seed_and_threads_give_identical_bits(void **state)
{
    (void)state;
    rfnas_space *space;
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    for (int threads = 1; threads <= 2; threads++) {
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
            rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 16, 2, HW, B);
            assert_int_equal(rfnas__nb201_build(&net, ctx, space, &cfg), RFNAS_OK);
            for (int k = 0; k < 2; k++) {
                rfnas__group group = k ? RFNAS__GROUP_ARCH : RFNAS__GROUP_WEIGHTS;
                rfnas__graph_group_grads(net.graph, group, &sizes[k]);
                g[run][k] = malloc(sizes[k] * sizeof(float));
                loss[run][k] = step(&net, k ? RFNAS__MODE_ARCH : RFNAS__MODE_WEIGHTS, group,
                                    g[run][k]);
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
    rfnas_space_destroy(space);
}

/* rfnas-bench's ablation rows (net/net.h) turn a technique of DESIGN 3 off;
 * they must build a different graph that computes the same function: the same
 * loss and the same gradients of both groups, up to the summation order the
 * per-edge sums change. */
static void test_nb201__ablations_compute_the_same_function(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_space *space;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    const unsigned variants[] = {0, RFNAS__ABLATE_SHARED_RELU, RFNAS__ABLATE_POOL_IN_SUM,
                                 RFNAS__ABLATE_NODE_SUM, RFNAS__ABLATE_MERGED_CONV,
                                 RFNAS__ABLATE_SHARED_RELU | RFNAS__ABLATE_POOL_IN_SUM |
                                     RFNAS__ABLATE_NODE_SUM | RFNAS__ABLATE_MERGED_CONV};
    enum { V = sizeof variants / sizeof variants[0] };
    float *g[V][2];
    double loss[V][2], eval_loss[V];
    size_t sizes[2];
    int nodes[V];
    for (int v = 0; v < V; v++) {
        rfnas__net_ablate = variants[v];
        rfnas__net net;
        rfnas__net_config cfg = config(RFNAS__FEATURES_RANDOM, 16, 2, HW, B);
        rfnas_status rc = rfnas__nb201_build(&net, ctx, space, &cfg);
        rfnas__net_ablate = 0;
        assert_int_equal(rc, RFNAS_OK);
        nodes[v] = rfnas__graph_node_count(net.graph);
        size_t na;
        float *alpha = rfnas__graph_group_values(net.graph, RFNAS__GROUP_ARCH, &na);
        for (size_t i = 0; i < na; i++)
            alpha[i] = (float)sin(1.3 * (double)i);
        for (int k = 0; k < 2; k++) {
            rfnas__group group = k ? RFNAS__GROUP_ARCH : RFNAS__GROUP_WEIGHTS;
            rfnas__graph_group_grads(net.graph, group, &sizes[k]);
            g[v][k] = malloc(sizes[k] * sizeof(float));
            loss[v][k] = step(&net, k ? RFNAS__MODE_ARCH : RFNAS__MODE_WEIGHTS, group, g[v][k]);
        }
        /* Evaluation mode reads the running statistics the two training
         * forwards updated (a merged BN gathers and scatters them). */
        static const int32_t y[B] = {2, 5};
        net.labels = y;
        float *x = rfnas__graph_value_for(net.graph, RFNAS__MODE_EVAL, net.input);
        for (size_t i = 0; i < (size_t)(B * 3 * HW * HW); i++)
            x[i] = (float)sin(0.7 * (double)i);
        if (rfnas__graph_forward(net.graph, B, RFNAS__MODE_EVAL, 0) != RFNAS_OK)
            fail_msg("%s", rfnas_error_last());
        eval_loss[v] = rfnas__graph_value(net.graph, net.loss)[0];
        rfnas__net_destroy(&net);
    }
    for (int v = 1; v < V; v++) {
        assert_true(nodes[v] > nodes[0]); /* each switch changes the graph */
        assert_true(fabs(eval_loss[v] - eval_loss[0]) <= 1e-6 * fabs(eval_loss[0]));
        for (int k = 0; k < 2; k++) {
            assert_true(fabs(loss[v][k] - loss[0][k]) <= 1e-6 * fabs(loss[0][k]));
            double max_ref = 0;
            for (size_t i = 0; i < sizes[k]; i++)
                max_ref = fmax(max_ref, fabs((double)g[0][k][i]));
            assert_true(max_ref > 1e-6);
            for (size_t i = 0; i < sizes[k]; i++)
                if (fabs((double)g[v][k][i] - (double)g[0][k][i]) > 1e-5 * max_ref)
                    fail_msg("variant %u group %d [%zu]: %.9g against %.9g", variants[v], k, i,
                             (double)g[v][k][i], (double)g[0][k][i]);
        }
    }
    for (int v = 0; v < V; v++)
        for (int k = 0; k < 2; k++)
            free(g[v][k]);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nb201__parameter_counts_of_spec_4_6),
        cmocka_unit_test(test_nb201__whole_network_gradients),
        cmocka_unit_test(test_nb201__frozen_convolutions_keep_less_memory),
        cmocka_unit_test(test_nb201__same_seed_and_threads_give_identical_bits),
        cmocka_unit_test(test_nb201__ablations_compute_the_same_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
