/* Public API: supernets and optimizers, the bilevel loop a caller writes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfnas.h"

enum { CLASSES = 4, C_IN = 3, HW = 16, BATCH = 16 };

static rfnas_ctx *make_ctx(uint64_t seed)
{
    rfnas_config *cfg;
    rfnas_ctx *ctx;
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_CTX_SEED, (int64_t)seed);
    rfnas_config_set_int(cfg, RFNAS_KEY_CTX_THREADS, 2);
    assert_int_equal(rfnas_ctx_create(&ctx, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    return ctx;
}

static rfnas_supernet *make_net(rfnas_ctx *ctx, const char *features)
{
    rfnas_space *space;
    rfnas_config *cfg;
    rfnas_supernet *net;
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    rfnas_config_create(&cfg);
    const char *settings[][2] = {{"net.features", features}, {"net.channels", "8"},
                                 {"net.cells", "1"},          {"net.classes", "4"},
                                 {"net.in_height", "16"},     {"net.in_width", "16"},
                                 {"net.max_batch", "16"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        assert_int_equal(rfnas_config_set_by_name(cfg, settings[i][0], settings[i][1]), RFNAS_OK);
    if (rfnas_supernet_create(&net, ctx, space, cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    rfnas_config_destroy(cfg);
    rfnas_space_destroy(space); /* the supernet copied it */
    return net;
}

/* A learnable task: each class is a fixed random template plus noise. */
static void make_batch(float *x, int32_t *y, int n, unsigned seed)
{
    static float templates[CLASSES][C_IN * HW * HW];
    static int ready;
    if (!ready) {
        srand(12345);
        for (int k = 0; k < CLASSES; k++)
            for (int i = 0; i < C_IN * HW * HW; i++)
                templates[k][i] = (float)rand() / (float)RAND_MAX * 2.0f - 1.0f;
        ready = 1;
    }
    srand(seed);
    for (int b = 0; b < n; b++) {
        y[b] = rand() % CLASSES;
        for (int i = 0; i < C_IN * HW * HW; i++)
            x[b * C_IN * HW * HW + i] =
                templates[y[b]][i] + 0.8f * ((float)rand() / (float)RAND_MAX - 0.5f);
    }
}

static void test_supernet__first_order_search_learns_and_is_deterministic(void **state)
{
    (void)state;
    const char *modes[2] = {"random", "learned"};
    for (int m = 0; m < 2; m++) {
        float alphas[2][6 * 5];
        double first_val = 0, last_val = 0;
        for (int run = 0; run < 2; run++) {
            rfnas_ctx *ctx = make_ctx(7);
            rfnas_supernet *net = make_net(ctx, modes[m]);
            rfnas_optimizer *w_opt, *a_opt;
            rfnas_config *acfg;
            rfnas_config_create(&acfg);
            rfnas_config_set_string(acfg, RFNAS_KEY_OPT_KIND, "adam");
            rfnas_config_set_double(acfg, RFNAS_KEY_OPT_LR, 3e-3); /* faster than DARTS's 3e-4 */
            assert_int_equal(rfnas_optimizer_create(&w_opt, net, RFNAS_GROUP_WEIGHTS, NULL),
                             RFNAS_OK);
            assert_int_equal(rfnas_optimizer_create(&a_opt, net, RFNAS_GROUP_ARCH, acfg),
                             RFNAS_OK);
            rfnas_config_destroy(acfg);
            float alpha0[30];
            assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_NORMAL, 0, alpha0, 30, NULL),
                             RFNAS_OK);
            static float x[BATCH * C_IN * HW * HW];
            int32_t y[BATCH];
            double val_loss[2] = {0, 0};
            for (int step = 0; step < 30; step++) {
                double loss;
                /* Arch step on a validation batch, then weights step on a train batch. */
                make_batch(x, y, BATCH, 1000u + (unsigned)step);
                assert_int_equal(rfnas_supernet_zero_grad(net, RFNAS_GROUP_ARCH), RFNAS_OK);
                assert_int_equal(rfnas_supernet_forward(net, x, y, BATCH, RFNAS_PHASE_ARCH, &loss,
                                                        NULL), RFNAS_OK);
                assert_int_equal(rfnas_supernet_backward(net), RFNAS_OK);
                assert_int_equal(rfnas_optimizer_step(a_opt, NULL), RFNAS_OK);
                if (step < 5)
                    val_loss[0] += loss / 5;
                if (step >= 25)
                    val_loss[1] += loss / 5;
                make_batch(x, y, BATCH, 5000u + (unsigned)step);
                assert_int_equal(rfnas_supernet_zero_grad(net, RFNAS_GROUP_WEIGHTS), RFNAS_OK);
                assert_int_equal(rfnas_supernet_forward(net, x, y, BATCH, RFNAS_PHASE_WEIGHTS,
                                                        &loss, NULL), RFNAS_OK);
                assert_int_equal(rfnas_supernet_backward(net), RFNAS_OK);
                double norm;
                assert_int_equal(rfnas_optimizer_step(w_opt, &norm), RFNAS_OK);
                assert_true(isfinite(norm) && norm > 0);
            }
            assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_NORMAL, 0, alphas[run], 30,
                                                   NULL), RFNAS_OK);
            double moved = 0;
            for (int i = 0; i < 30; i++)
                moved = fmax(moved, fabs(alphas[run][i] - alpha0[i]));
            print_message("%s features: validation loss %.3f -> %.3f, alphas moved by up to %.4f\n",
                          modes[m], val_loss[0], val_loss[1], moved);
            assert_true(val_loss[1] < val_loss[0]);
            assert_true(moved > 1e-3);
            first_val = val_loss[0];
            last_val = val_loss[1];
            rfnas_optimizer_destroy(w_opt);
            rfnas_optimizer_destroy(a_opt);
            rfnas_supernet_destroy(net);
            rfnas_ctx_destroy(ctx);
        }
        (void)first_val;
        (void)last_val;
        /* Same seed, same threads: the same bits. */
        assert_memory_equal(alphas[0], alphas[1], sizeof alphas[0]);
    }
}

static void test_supernet__state_errors_and_queries(void **state)
{
    (void)state;
    rfnas_ctx *ctx = make_ctx(1);
    rfnas_supernet *net = make_net(ctx, "random");
    static float x[BATCH * C_IN * HW * HW];
    int32_t y[BATCH];
    make_batch(x, y, BATCH, 3);
    assert_int_equal(rfnas_supernet_backward(net), RFNAS_E_STATE);
    assert_non_null(strstr(rfnas_error_last(), "forward"));
    float logits[BATCH * CLASSES];
    assert_int_equal(rfnas_supernet_logits(net, logits, BATCH * CLASSES, NULL), RFNAS_E_STATE);
    assert_int_equal(rfnas_supernet_forward(net, x, y, BATCH + 1, RFNAS_PHASE_EVAL, NULL, NULL),
                     RFNAS_E_INVALID);
    y[3] = CLASSES;
    assert_int_equal(rfnas_supernet_forward(net, x, y, BATCH, RFNAS_PHASE_EVAL, NULL, NULL),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "y[3]"));
    y[3] = 0;
    assert_int_equal(rfnas_supernet_forward(net, x, y, BATCH, (rfnas_phase)7, NULL, NULL),
                     RFNAS_E_INVALID);
    double loss;
    int64_t correct;
    assert_int_equal(rfnas_supernet_forward(net, x, y, 5, RFNAS_PHASE_EVAL, &loss, &correct),
                     RFNAS_OK);
    assert_true(loss > 0 && correct >= 0 && correct <= 5);
    /* An evaluation forward prepares no backward. */
    assert_int_equal(rfnas_supernet_backward(net), RFNAS_E_STATE);
    size_t n;
    assert_int_equal(rfnas_supernet_logits(net, logits, BATCH * CLASSES, &n), RFNAS_OK);
    assert_int_equal(n, 5 * CLASSES);
    assert_int_equal(rfnas_supernet_logits(net, logits, 3, &n), RFNAS_E_BUFSIZE);

    /* Parameters: names, groups, and the RF WEIGHTS group is the BN affine parameters. */
    int64_t count;
    assert_int_equal(rfnas_supernet_param_count(net, &count), RFNAS_OK);
    size_t weights_total = 0;
    int found_edge_name = 0;
    for (int64_t i = 0; i < count; i++) {
        const char *name;
        rfnas_group group;
        size_t size;
        assert_int_equal(rfnas_supernet_param_info(net, i, &name, &group, NULL, &size), RFNAS_OK);
        if (group == RFNAS_GROUP_WEIGHTS) {
            assert_true(strstr(name, ".bn.gamma") || strstr(name, ".bn.beta"));
            weights_total += size;
        }
        found_edge_name |= strcmp(name, "cells.0.edge.1->2.nor_conv_3x3.bn.gamma") == 0;
    }
    assert_true(found_edge_name);
    assert_int_equal(rfnas_supernet_param_info(net, count, NULL, NULL, NULL, NULL),
                     RFNAS_E_INVALID);
    float *values, *grads;
    assert_int_equal(rfnas_supernet_group_borrow(net, RFNAS_GROUP_WEIGHTS, &values, &grads, &n),
                     RFNAS_OK);
    assert_true(n >= weights_total);
    assert_int_equal(rfnas_supernet_group_borrow(net, (rfnas_group)9, &values, NULL, NULL),
                     RFNAS_E_INVALID);

    /* Alphas, softmaxed rows sum to one; the genotype is an NB201 string. */
    float soft[30];
    assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_NORMAL, 1, soft, 30, NULL), RFNAS_OK);
    for (int e = 0; e < 6; e++) {
        double s = 0;
        for (int k = 0; k < 5; k++)
            s += soft[e * 5 + k];
        assert_float_equal(s, 1.0, 1e-6);
    }
    assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_REDUCE, 1, soft, 30, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_NORMAL, 1, soft, 29, NULL),
                     RFNAS_E_BUFSIZE);
    rfnas_genotype *g;
    assert_int_equal(rfnas_supernet_genotype(&g, net), RFNAS_OK);
    char text[256];
    assert_int_equal(rfnas_genotype_format(g, text, sizeof text, NULL), RFNAS_OK);
    assert_true(text[0] == '|');
    rfnas_genotype_destroy(g);

    /* Optimizers: only trained groups; settings can change between steps. */
    rfnas_optimizer *opt;
    assert_int_equal(rfnas_optimizer_create(&opt, net, RFNAS_GROUP_FROZEN, NULL), RFNAS_E_INVALID);
    assert_null(opt);
    assert_int_equal(rfnas_optimizer_create(&opt, net, RFNAS_GROUP_WEIGHTS, NULL), RFNAS_OK);
    double lr;
    assert_int_equal(rfnas_optimizer_get_double(opt, RFNAS_KEY_OPT_LR, &lr), RFNAS_OK);
    assert_true(lr == 0.025);
    assert_int_equal(rfnas_schedule_cosine(0.025, 0.001, 49, 50, &lr), RFNAS_OK);
    assert_float_equal(lr, 0.001024, 1e-6);
    assert_int_equal(rfnas_schedule_cosine(0.025, 0.001, 50, 50, &lr), RFNAS_E_INVALID);
    assert_int_equal(rfnas_optimizer_set_double(opt, RFNAS_KEY_OPT_LR, 0.01), RFNAS_OK);
    assert_int_equal(rfnas_optimizer_set_double(opt, RFNAS_KEY_OPT_LR, -1), RFNAS_E_INVALID);
    assert_int_equal(rfnas_optimizer_set_double(opt, RFNAS_KEY_ITER_BATCH, 1), RFNAS_E_INVALID);
    /* A NaN gradient is refused and nothing moves. */
    float before = values[0];
    grads[0] = NAN;
    assert_int_equal(rfnas_optimizer_step(opt, NULL), RFNAS_E_FORMAT);
    assert_true(values[0] == before);
    /* Destroy order is free: the optimizer keeps the network alive. */
    rfnas_supernet_destroy(net);
    rfnas_ctx_destroy(ctx);
    grads[0] = 0;
    assert_int_equal(rfnas_optimizer_step(opt, NULL), RFNAS_OK);
    rfnas_optimizer_destroy(opt);
    rfnas_supernet_destroy(NULL);
    rfnas_optimizer_destroy(NULL);
}

static void test_supernet__bad_arguments(void **state)
{
    (void)state;
    rfnas_ctx *ctx = make_ctx(1);
    rfnas_space *space;
    rfnas_supernet *net = (rfnas_supernet *)(uintptr_t)1;
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_NET_IN_HEIGHT, 30); /* not a multiple of 4 */
    assert_int_equal(rfnas_supernet_create(&net, ctx, space, cfg), RFNAS_E_INVALID);
    assert_null(net);
    assert_non_null(strstr(rfnas_error_last(), "multiples of 4"));
    assert_int_equal(rfnas_supernet_create(&net, ctx, NULL, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_create(&net, NULL, space, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_create(&net, ctx, (rfnas_space *)(void *)cfg, NULL),
                     RFNAS_E_INVALID);
    rfnas_config_destroy(cfg);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* The DARTS space through the public API: two alpha matrices, a Genotype(...) text. */
static void test_supernet__darts_space(void **state)
{
    (void)state;
    rfnas_ctx *ctx = make_ctx(3);
    rfnas_space *space;
    rfnas_config *cfg;
    rfnas_supernet *net;
    assert_int_equal(rfnas_space_create(&space, "darts"), RFNAS_OK);
    rfnas_config_create(&cfg);
    const char *settings[][2] = {{"net.channels", "4"},  {"net.cells", "3"},
                                 {"net.classes", "4"},   {"net.in_height", "16"},
                                 {"net.in_width", "16"}, {"net.max_batch", "8"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        assert_int_equal(rfnas_config_set_by_name(cfg, settings[i][0], settings[i][1]), RFNAS_OK);
    if (rfnas_supernet_create(&net, ctx, space, cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    rfnas_config_destroy(cfg);
    static float x[8 * C_IN * HW * HW];
    int32_t y[8];
    make_batch(x, y, 8, 9);
    rfnas_optimizer *a_opt;
    rfnas_config_create(&cfg);
    rfnas_config_set_string(cfg, RFNAS_KEY_OPT_KIND, "adam");
    assert_int_equal(rfnas_optimizer_create(&a_opt, net, RFNAS_GROUP_ARCH, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    float before[14 * 8], after[14 * 8];
    assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_REDUCE, 0, before, 14 * 8, NULL),
                     RFNAS_OK);
    double loss;
    assert_int_equal(rfnas_supernet_zero_grad(net, RFNAS_GROUP_ARCH), RFNAS_OK);
    assert_int_equal(rfnas_supernet_forward(net, x, y, 8, RFNAS_PHASE_ARCH, &loss, NULL), RFNAS_OK);
    assert_int_equal(rfnas_supernet_backward(net), RFNAS_OK);
    assert_int_equal(rfnas_optimizer_step(a_opt, NULL), RFNAS_OK);
    assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_REDUCE, 0, after, 14 * 8, NULL),
                     RFNAS_OK);
    assert_memory_not_equal(before, after, sizeof before);
    rfnas_genotype *g;
    assert_int_equal(rfnas_supernet_genotype(&g, net), RFNAS_OK);
    char text[1024];
    assert_int_equal(rfnas_genotype_format(g, text, sizeof text, NULL), RFNAS_OK);
    assert_true(strncmp(text, "Genotype(normal=[", 17) == 0);
    int64_t none;
    assert_int_equal(rfnas_genotype_count(g, RFNAS_CELL_REDUCE, "none", &none), RFNAS_OK);
    assert_int_equal(none, 0); /* the DARTS rule never picks none */
    rfnas_genotype_destroy(g);
    rfnas_optimizer_destroy(a_opt);
    rfnas_supernet_destroy(net);
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
}

/* PC-DARTS through the public API (SPEC 3.3, 5.3, 7.2): settings by name,
 * the documented ARCH layout (alphas normal, alphas reduce, betas normal,
 * betas reduce), SPEC 5.3's beta test vector through rfnas_supernet_betas,
 * SPEC 7.7's PC-DARTS derivation vector through rfnas_supernet_genotype, an
 * arch step that moves the betas, and refusals. */
static rfnas_status make_pc_net(rfnas_supernet **net, rfnas_ctx *ctx, const char *space_name,
                                const char *channels, const char *k, const char *edge_norm)
{
    rfnas_space *space;
    rfnas_config *cfg;
    assert_int_equal(rfnas_space_create(&space, space_name), RFNAS_OK);
    rfnas_config_create(&cfg);
    const char *settings[][2] = {{"net.channels", channels},   {"net.cells", "3"},
                                 {"net.classes", "4"},         {"net.in_height", "16"},
                                 {"net.in_width", "16"},       {"net.max_batch", "8"},
                                 {"net.partial_channels", k}, {"net.edge_norm", edge_norm}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        assert_int_equal(rfnas_config_set_by_name(cfg, settings[i][0], settings[i][1]), RFNAS_OK);
    rfnas_status rc = rfnas_supernet_create(net, ctx, space, cfg);
    rfnas_config_destroy(cfg);
    rfnas_space_destroy(space);
    return rc;
}

static double round4(double v)
{
    return nearbyint(v * 1e4) / 1e4; /* half to even, as Python's round */
}

static void test_supernet__pcdarts(void **state)
{
    (void)state;
    rfnas_ctx *ctx = make_ctx(5);
    rfnas_supernet *net;
    if (make_pc_net(&net, ctx, "darts", "8", "4", "1") != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    /* The ARCH group: the four tensors in the documented order. */
    static const char *const arch_names[4] = {"arch.alpha_normal", "arch.alpha_reduce",
                                              "arch.beta_normal", "arch.beta_reduce"};
    size_t arch_off[4] = {0}, arch_size[4] = {0}, prev_end = 0;
    int64_t count;
    assert_int_equal(rfnas_supernet_param_count(net, &count), RFNAS_OK);
    int found = 0;
    for (int64_t i = 0; i < count; i++) {
        const char *name;
        rfnas_group group;
        size_t offset, size;
        assert_int_equal(rfnas_supernet_param_info(net, i, &name, &group, &offset, &size),
                         RFNAS_OK);
        if (group != RFNAS_GROUP_ARCH)
            continue;
        assert_true(found < 4);
        assert_string_equal(name, arch_names[found]);
        assert_true(offset >= prev_end);
        arch_off[found] = offset;
        arch_size[found] = size;
        prev_end = offset + size;
        found++;
    }
    assert_int_equal(found, 4);
    assert_true(arch_size[0] == 14 * 8 && arch_size[1] == 14 * 8);
    assert_true(arch_size[2] == 14 && arch_size[3] == 14);

    /* SPEC 5.3: beta -> softmax over each node's incoming edges. */
    static const float beta[14] = {1.0f,     0.6216f,  -0.2272f, -0.9041f, -0.8968f,
                                   -0.2108f, 0.6347f,  0.9999f,  0.6084f,  -0.2435f,
                                   -0.9111f, -0.8892f, -0.1943f, 0.6476f};
    static const double want[14] = {0.593487, 0.406513, 0.495024, 0.251566, 0.253409,
                                    0.111686, 0.260133, 0.374800, 0.253381, 0.180980,
                                    0.092832, 0.094887, 0.190107, 0.441195};
    float *arch;
    size_t n_arch;
    assert_int_equal(rfnas_supernet_group_borrow(net, RFNAS_GROUP_ARCH, &arch, NULL, &n_arch),
                     RFNAS_OK);
    assert_true(n_arch >= prev_end);
    memcpy(arch + arch_off[2], beta, sizeof beta);
    float got[14];
    size_t n = 0;
    assert_int_equal(rfnas_supernet_betas(net, RFNAS_CELL_NORMAL, 1, got, 14, &n), RFNAS_OK);
    assert_int_equal(n, 14);
    for (int e = 0; e < 14; e++)
        assert_float_equal(got[e], want[e], 2e-6);
    assert_int_equal(rfnas_supernet_betas(net, RFNAS_CELL_NORMAL, 0, got, 14, NULL), RFNAS_OK);
    assert_memory_equal(got, beta, sizeof beta);
    /* Bad arguments. */
    assert_int_equal(rfnas_supernet_betas(net, RFNAS_CELL_NORMAL, 1, NULL, 14, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_betas(net, RFNAS_CELL_NORMAL, 2, got, 14, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_betas(net, (rfnas_cell_type)7, 1, got, 14, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_betas(net, RFNAS_CELL_REDUCE, 1, got, 13, NULL),
                     RFNAS_E_BUFSIZE);
    assert_int_equal(rfnas_supernet_betas(NULL, RFNAS_CELL_REDUCE, 1, got, 14, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_betas(net, RFNAS_CELL_REDUCE, 1, got, 14, NULL), RFNAS_OK);
    assert_string_equal(rfnas_error_last(), "");

    /* SPEC 7.7 with betas (SPEC 7.2): node 3's two edges swap order. */
    for (int c = 0; c < 2; c++)
        for (int e = 0; e < 14; e++) {
            for (int k = 0; k < 8; k++)
                arch[arch_off[c] + (size_t)(e * 8 + k)] =
                    (float)round4(sin(1.3 * e + 0.7 * k) * (0.1 + 0.05 * k));
            arch[arch_off[2 + c] + (size_t)e] = (float)round4(cos(0.9 * e));
        }
    rfnas_genotype *g;
    assert_int_equal(rfnas_supernet_genotype(&g, net), RFNAS_OK);
    char text[1024];
    assert_int_equal(rfnas_genotype_format(g, text, sizeof text, NULL), RFNAS_OK);
    print_message("%s\n", text);
    assert_non_null(strstr(text, "normal=[('skip_connect', 0), ('max_pool_3x3', 1), "
                                 "('dil_conv_5x5', 0), ('dil_conv_3x3', 1), ('dil_conv_5x5', 2), "
                                 "('dil_conv_3x3', 3), ('sep_conv_5x5', 4), ('dil_conv_5x5', 3)]"));
    rfnas_genotype_destroy(g);

    /* An arch step moves the betas of both cell types; a weights step runs. */
    static float x[8 * C_IN * HW * HW];
    int32_t y[8];
    make_batch(x, y, 8, 4);
    rfnas_optimizer *a_opt;
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    rfnas_config_set_string(cfg, RFNAS_KEY_OPT_KIND, "adam");
    rfnas_config_set_double(cfg, RFNAS_KEY_OPT_LR, 6e-4); /* PC-DARTS (SPEC 6.4) */
    assert_int_equal(rfnas_optimizer_create(&a_opt, net, RFNAS_GROUP_ARCH, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    float before[2][14], after[2][14];
    for (int c = 0; c < 2; c++)
        assert_int_equal(rfnas_supernet_betas(net, (rfnas_cell_type)c, 0, before[c], 14, NULL),
                         RFNAS_OK);
    double loss;
    assert_int_equal(rfnas_supernet_zero_grad(net, RFNAS_GROUP_ARCH), RFNAS_OK);
    assert_int_equal(rfnas_supernet_forward(net, x, y, 8, RFNAS_PHASE_ARCH, &loss, NULL), RFNAS_OK);
    assert_true(isfinite(loss));
    assert_int_equal(rfnas_supernet_backward(net), RFNAS_OK);
    assert_int_equal(rfnas_optimizer_step(a_opt, NULL), RFNAS_OK);
    for (int c = 0; c < 2; c++) {
        assert_int_equal(rfnas_supernet_betas(net, (rfnas_cell_type)c, 0, after[c], 14, NULL),
                         RFNAS_OK);
        for (int e = 0; e < 14; e++)
            assert_true(before[c][e] != after[c][e]);
    }
    assert_int_equal(rfnas_supernet_forward(net, x, y, 8, RFNAS_PHASE_WEIGHTS, &loss, NULL),
                     RFNAS_OK);
    assert_int_equal(rfnas_supernet_backward(net), RFNAS_OK);
    rfnas_optimizer_destroy(a_opt);
    rfnas_supernet_destroy(net);

    /* Without edge normalisation there are no betas. */
    if (make_pc_net(&net, ctx, "darts", "8", "4", "0") != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    assert_int_equal(rfnas_supernet_betas(net, RFNAS_CELL_NORMAL, 1, got, 14, NULL),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "net.edge_norm"));
    rfnas_supernet_destroy(net);

    /* Refusals: K that does not divide C, an NB201 space, out-of-range settings. */
    net = (rfnas_supernet *)(uintptr_t)1;
    assert_int_equal(make_pc_net(&net, ctx, "darts", "6", "4", "1"), RFNAS_E_INVALID);
    assert_null(net);
    assert_non_null(strstr(rfnas_error_last(), "do not divide"));
    assert_int_equal(make_pc_net(&net, ctx, "nb201", "8", "4", "0"), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "DARTS-topology"));
    assert_int_equal(make_pc_net(&net, ctx, "nb201", "8", "1", "1"), RFNAS_E_INVALID);
    rfnas_config_create(&cfg);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_PARTIAL_CHANNELS, 0),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_PARTIAL_CHANNELS, 65),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_EDGE_NORM, 2), RFNAS_E_INVALID);
    rfnas_type type;
    double lo, hi;
    assert_int_equal(rfnas_key_bounds(RFNAS_KEY_NET_PARTIAL_CHANNELS, &type, &lo, &hi), RFNAS_OK);
    assert_true(type == RFNAS_TYPE_INT && lo == 1 && hi == 64);
    assert_int_equal(rfnas_key_bounds(RFNAS_KEY_NET_EDGE_NORM, &type, &lo, &hi), RFNAS_OK);
    assert_true(type == RFNAS_TYPE_INT && lo == 0 && hi == 1);
    rfnas_config_destroy(cfg);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supernet__first_order_search_learns_and_is_deterministic),
        cmocka_unit_test(test_supernet__state_errors_and_queries),
        cmocka_unit_test(test_supernet__bad_arguments),
        cmocka_unit_test(test_supernet__darts_space),
        cmocka_unit_test(test_supernet__pcdarts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
