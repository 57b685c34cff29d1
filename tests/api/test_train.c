/* Public API: training a found architecture from scratch, as a caller
 * writes it (docs/evaluation.md): a network from a genotype, SGD over its
 * WEIGHTS group, drop-path set per epoch, evaluation; learning, bit-identical
 * reruns, drop-path reproducibility through its counter, and every refusal. */
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

enum { CLASSES = 4, C_IN = 3, HW = 32, BATCH = 16, SAMPLES = 64 };

static const char genotype_text[] =
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
    "('dil_conv_3x3', 1), ('max_pool_3x3', 1), ('skip_connect', 2), ('sep_conv_5x5', 0), "
    "('avg_pool_3x3', 3)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('skip_connect', 1), ('sep_conv_3x3', 2), ('dil_conv_5x5', 0), ('skip_connect', 2), "
    "('avg_pool_3x3', 1), ('skip_connect', 3), ('sep_conv_3x3', 4)], reduce_concat=[2, 3, 4, 5])";

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

/* A tiny DARTS evaluation network: C=4, 3 cells (reductions at 1 and 2), the
 * auxiliary head on cell 2's 8x8 output. */
static rfnas_config *net_config(int auxiliary)
{
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    const char *settings[][2] = {{"net.channels", "4"},      {"net.cells", "3"},
                                 {"net.classes", "4"},       {"net.in_height", "32"},
                                 {"net.in_width", "32"},     {"net.max_batch", "16"},
                                 {"net.auxiliary", "0"},     {"net.auxiliary_weight", "0.4"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        assert_int_equal(rfnas_config_set_by_name(cfg, settings[i][0], settings[i][1]), RFNAS_OK);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_AUXILIARY, auxiliary), RFNAS_OK);
    return cfg;
}

static rfnas_supernet *make_net(rfnas_ctx *ctx, const char *text, int auxiliary)
{
    rfnas_genotype *g;
    rfnas_supernet *net;
    assert_int_equal(rfnas_genotype_parse(&g, text, NULL), RFNAS_OK);
    rfnas_config *cfg = net_config(auxiliary);
    if (rfnas_supernet_create_from_genotype(&net, ctx, g, cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    assert_string_equal(rfnas_error_last(), "");
    rfnas_config_destroy(cfg);
    rfnas_genotype_destroy(g); /* the network copied it */
    return net;
}

/* A learnable task: each class is a fixed random template plus noise. */
static float data_x[SAMPLES * C_IN * HW * HW];
static int32_t data_y[SAMPLES];

static void make_data(void)
{
    static float templates[CLASSES][C_IN * HW * HW];
    uint64_t s = 12345;
    for (int k = 0; k < CLASSES; k++)
        for (int i = 0; i < C_IN * HW * HW; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            templates[k][i] = (float)(s >> 40) / (float)(1 << 24) * 2.0f - 1.0f;
        }
    for (int n = 0; n < SAMPLES; n++) {
        data_y[n] = n % CLASSES;
        for (int i = 0; i < C_IN * HW * HW; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            const float noise = (float)(s >> 40) / (float)(1 << 24) * 2.0f - 1.0f;
            data_x[(size_t)n * C_IN * HW * HW + (size_t)i] = templates[data_y[n]][i] + noise;
        }
    }
}

/* Mean evaluation loss over the data set, and the correct count. */
static double evaluate(rfnas_supernet *net, int64_t *correct)
{
    double total = 0;
    *correct = 0;
    for (int b = 0; b < SAMPLES / BATCH; b++) {
        double l;
        int64_t c;
        assert_int_equal(rfnas_supernet_forward(net, data_x + (size_t)b * BATCH * C_IN * HW * HW,
                                                data_y + b * BATCH, BATCH, RFNAS_PHASE_EVAL, &l,
                                                &c),
                         RFNAS_OK);
        total += l;
        *correct += c;
    }
    return total / (SAMPLES / BATCH);
}

/* The loop of docs/evaluation.md: per epoch, the cosine learning rate and
 * the linear drop-path ramp (SPEC 8.1: p_max * e / epochs); per batch,
 * zero_grad, forward (WEIGHTS), backward, SGD step. Records the training
 * losses; returns the network's final WEIGHTS values in @p weights. */
enum { EPOCHS = 6 };

static void train(uint64_t seed, int epochs, double *losses, float **weights, size_t *count,
                  double *before, double *after, int64_t *correct_after)
{
    make_data();
    rfnas_ctx *ctx = make_ctx(seed);
    rfnas_supernet *net = make_net(ctx, genotype_text, 1);
    rfnas_optimizer *opt;
    rfnas_config *ocfg;
    rfnas_config_create(&ocfg);
    rfnas_config_set_double(ocfg, RFNAS_KEY_OPT_LR, 0.05);
    rfnas_config_set_double(ocfg, RFNAS_KEY_OPT_WEIGHT_DECAY, 3e-4);
    rfnas_config_set_double(ocfg, RFNAS_KEY_OPT_GRAD_CLIP, 5.0);
    assert_int_equal(rfnas_optimizer_create(&opt, net, RFNAS_GROUP_WEIGHTS, ocfg), RFNAS_OK);
    rfnas_config_destroy(ocfg);
    int64_t correct;
    *before = evaluate(net, &correct);
    int step = 0;
    for (int e = 0; e < epochs; e++) {
        double lr, p = 0.2 * e / EPOCHS;
        assert_int_equal(rfnas_schedule_cosine(0.05, 0.0, e, EPOCHS, &lr), RFNAS_OK);
        assert_int_equal(rfnas_optimizer_set_double(opt, RFNAS_KEY_OPT_LR, lr), RFNAS_OK);
        assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, p), RFNAS_OK);
        for (int b = 0; b < SAMPLES / BATCH; b++) {
            assert_int_equal(rfnas_supernet_zero_grad(net, RFNAS_GROUP_WEIGHTS), RFNAS_OK);
            assert_int_equal(
                rfnas_supernet_forward(net, data_x + (size_t)b * BATCH * C_IN * HW * HW,
                                       data_y + b * BATCH, BATCH, RFNAS_PHASE_WEIGHTS,
                                       &losses[step++], NULL),
                RFNAS_OK);
            assert_int_equal(rfnas_supernet_backward(net), RFNAS_OK);
            assert_int_equal(rfnas_optimizer_step(opt, NULL), RFNAS_OK);
        }
    }
    int64_t counter;
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_DROP_PATH_COUNTER, &counter),
                     RFNAS_OK);
    assert_int_equal(counter, step); /* one per training forward, none per evaluation */
    *after = evaluate(net, correct_after);
    float *values;
    assert_int_equal(rfnas_supernet_group_borrow(net, RFNAS_GROUP_WEIGHTS, &values, NULL, count),
                     RFNAS_OK);
    *weights = malloc(*count * sizeof **weights);
    assert_non_null(*weights);
    memcpy(*weights, values, *count * sizeof **weights);
    rfnas_optimizer_destroy(opt);
    rfnas_supernet_destroy(net);
    rfnas_ctx_destroy(ctx);
}

static void test_train__a_genotype_learns_and_training_is_deterministic(void **state)
{
    (void)state;
    enum { STEPS = EPOCHS * SAMPLES / BATCH };
    double losses[2][STEPS], before[2], after[2];
    float *w[2];
    size_t n[2];
    int64_t correct[2];
    for (int run = 0; run < 2; run++)
        train(7, EPOCHS, losses[run], &w[run], &n[run], &before[run], &after[run], &correct[run]);
    print_message("training loss (main + 0.4 aux) by step:");
    for (int s = 0; s < STEPS; s++)
        print_message(" %.3f", losses[0][s]);
    print_message("\nevaluation loss %.4f -> %.4f, accuracy %lld/%d after %d epochs\n", before[0],
                  after[0], (long long)correct[0], SAMPLES, EPOCHS);
    assert_true(after[0] < 0.8 * before[0]);
    assert_true(correct[0] >= SAMPLES / 2); /* chance is a quarter */
    /* Same seed, same threads: the same bits, drop-path included. */
    assert_memory_equal(losses[0], losses[1], sizeof losses[0]);
    assert_true(after[0] == after[1]);
    assert_int_equal(n[0], n[1]);
    assert_memory_equal(w[0], w[1], n[0] * sizeof(float));
    free(w[0]);
    free(w[1]);
    /* Another seed: other initial weights (one epoch shows it). */
    double l3[STEPS], b3, a3;
    float *w3;
    size_t n3;
    int64_t c3;
    train(8, 1, l3, &w3, &n3, &b3, &a3, &c3);
    assert_true(l3[0] != losses[0][0]);
    free(w3);
}

/* Drop-path reproducibility for resume: a training forward at a counter
 * draws the same masks again after the counter is set back; evaluation
 * neither drops nor advances the counter; at p = 0 the counter still
 * advances (it counts training forwards), but nothing is drawn. */
static void test_train__drop_path_counter_resumes_exactly(void **state)
{
    (void)state;
    make_data();
    rfnas_ctx *ctx = make_ctx(3);
    rfnas_supernet *net = make_net(ctx, genotype_text, 0);
    int64_t v;
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_DROP_PATH_COUNTER, &v), RFNAS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, 0.4), RFNAS_OK);
    double p;
    assert_int_equal(rfnas_supernet_get_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, &p), RFNAS_OK);
    assert_true(p == 0.4);
    double l[3], e[2];
    float logits[2][BATCH * CLASSES];
    assert_int_equal(rfnas_supernet_set_int(net, RFNAS_KEY_NET_DROP_PATH_COUNTER, 41), RFNAS_OK);
    for (int k = 0; k < 3; k++) {
        if (k == 2)
            assert_int_equal(rfnas_supernet_set_int(net, RFNAS_KEY_NET_DROP_PATH_COUNTER, 41),
                             RFNAS_OK);
        assert_int_equal(rfnas_supernet_forward(net, data_x, data_y, BATCH, RFNAS_PHASE_WEIGHTS,
                                                &l[k], NULL),
                         RFNAS_OK);
        if (k != 1)
            assert_int_equal(
                rfnas_supernet_logits(net, logits[k / 2], BATCH * CLASSES, NULL), RFNAS_OK);
    }
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_DROP_PATH_COUNTER, &v), RFNAS_OK);
    assert_int_equal(v, 42);
    print_message("losses at counters 41, 42, 41: %.9g %.9g %.9g\n", l[0], l[1], l[2]);
    assert_true(l[0] == l[2]);
    assert_memory_equal(logits[0], logits[1], sizeof logits[0]);
    assert_true(l[0] != l[1]);
    /* Evaluation: no masks (p does not matter) and no counter step. */
    for (int k = 0; k < 2; k++) {
        assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, k ? 0.0 : 0.4),
                         RFNAS_OK);
        assert_int_equal(
            rfnas_supernet_forward(net, data_x, data_y, BATCH, RFNAS_PHASE_EVAL, &e[k], NULL),
            RFNAS_OK);
    }
    assert_true(e[0] == e[1]);
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_DROP_PATH_COUNTER, &v), RFNAS_OK);
    assert_int_equal(v, 42);
    /* The counter given at creation is where the draws start. */
    rfnas_genotype *g;
    assert_int_equal(rfnas_genotype_parse(&g, genotype_text, NULL), RFNAS_OK);
    rfnas_config *cfg = net_config(0);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_DROP_PATH_COUNTER, 41), RFNAS_OK);
    assert_int_equal(rfnas_config_set_double(cfg, RFNAS_KEY_NET_DROP_PATH_PROB, 0.4), RFNAS_OK);
    rfnas_supernet *twin;
    assert_int_equal(rfnas_supernet_create_from_genotype(&twin, ctx, g, cfg), RFNAS_OK);
    double t;
    assert_int_equal(
        rfnas_supernet_forward(twin, data_x, data_y, BATCH, RFNAS_PHASE_WEIGHTS, &t, NULL),
        RFNAS_OK);
    assert_true(t == l[0]); /* same seed, same weights, same masks */
    rfnas_supernet_destroy(twin);
    rfnas_config_destroy(cfg);
    rfnas_genotype_destroy(g);
    rfnas_supernet_destroy(net);
    rfnas_ctx_destroy(ctx);
}

/* The auxiliary head: its loss joins the training loss only. */
static void test_train__auxiliary_loss_counts_in_training_only(void **state)
{
    (void)state;
    make_data();
    double l[2][2];
    for (int aux = 0; aux < 2; aux++) {
        rfnas_ctx *ctx = make_ctx(5);
        rfnas_supernet *net = make_net(ctx, genotype_text, aux);
        int64_t has;
        double w;
        assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_AUXILIARY, &has), RFNAS_OK);
        assert_int_equal(has, aux);
        assert_int_equal(rfnas_supernet_get_double(net, RFNAS_KEY_NET_AUXILIARY_WEIGHT, &w),
                         RFNAS_OK);
        assert_true(w == (aux ? 0.4 : 0.0));
        assert_int_equal(rfnas_supernet_forward(net, data_x, data_y, BATCH, RFNAS_PHASE_WEIGHTS,
                                                &l[aux][0], NULL),
                         RFNAS_OK);
        assert_int_equal(rfnas_supernet_forward(net, data_x, data_y, BATCH, RFNAS_PHASE_EVAL,
                                                &l[aux][1], NULL),
                         RFNAS_OK);
        rfnas_supernet_destroy(net);
        rfnas_ctx_destroy(ctx);
    }
    print_message("training loss without / with the auxiliary head: %.6f / %.6f; evaluation "
                  "%.6f / %.6f\n",
                  l[0][0], l[1][0], l[0][1], l[1][1]);
    /* Parameters are named and seeded per name: the main path is the same
     * network in both, so the main loss is too; the auxiliary term adds about
     * 0.4 ln 4 at initialisation. */
    assert_true(l[1][0] > l[0][0] + 0.3 && l[1][0] < l[0][0] + 0.8);
    assert_true(l[1][1] == l[0][1]);
}

/* NAS-Bench-201 arch strings build their network and train a step. */
static void test_train__nb201_network_trains(void **state)
{
    (void)state;
    make_data();
    rfnas_ctx *ctx = make_ctx(1);
    rfnas_genotype *g;
    assert_int_equal(rfnas_genotype_parse(&g,
                                          "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_"
                                          "connect~0|nor_conv_1x1~1|none~2|",
                                          NULL),
                     RFNAS_OK);
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    assert_int_equal(rfnas_config_set_by_name(cfg, "net.channels", "8"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "net.cells", "1"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "net.classes", "4"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "net.max_batch", "16"), RFNAS_OK);
    rfnas_supernet *net;
    if (rfnas_supernet_create_from_genotype(&net, ctx, g, cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    rfnas_optimizer *opt;
    assert_int_equal(rfnas_optimizer_create(&opt, net, RFNAS_GROUP_WEIGHTS, NULL), RFNAS_OK);
    double first = 0, last = 0;
    for (int s = 0; s < 12; s++) {
        double l;
        assert_int_equal(rfnas_supernet_zero_grad(net, RFNAS_GROUP_WEIGHTS), RFNAS_OK);
        assert_int_equal(rfnas_supernet_forward(net, data_x + (size_t)(s % 4) * BATCH * C_IN * HW * HW,
                                                data_y + (s % 4) * BATCH, BATCH,
                                                RFNAS_PHASE_WEIGHTS, &l, NULL),
                         RFNAS_OK);
        assert_int_equal(rfnas_supernet_backward(net), RFNAS_OK);
        assert_int_equal(rfnas_optimizer_step(opt, NULL), RFNAS_OK);
        first = s < 4 ? first + l / 4 : first;
        last = s >= 8 ? last + l / 4 : last;
    }
    print_message("NB201 network: mean loss of the first 4 steps %.4f, of the last 4 %.4f\n",
                  first, last);
    assert_true(last < first);
    /* No drop-path here: only 0 is accepted. */
    assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, 0.0), RFNAS_OK);
    assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, 0.1),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "no drop-path"));
    assert_int_equal(rfnas_supernet_set_int(net, RFNAS_KEY_NET_NOISE_COUNTER, 3), RFNAS_E_INVALID);
    /* An auxiliary head on an NB201 network is refused. */
    rfnas_supernet *bad = (rfnas_supernet *)&bad;
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_AUXILIARY, 1), RFNAS_OK);
    assert_int_equal(rfnas_supernet_create_from_genotype(&bad, ctx, g, cfg), RFNAS_E_INVALID);
    assert_null(bad);
    assert_non_null(strstr(rfnas_error_last(), "auxiliary"));
    rfnas_optimizer_destroy(opt);
    rfnas_supernet_destroy(net); /* the optimizer was its last holder too: any order */
    rfnas_config_destroy(cfg);
    rfnas_genotype_destroy(g);
    rfnas_ctx_destroy(ctx);
}

/* RobustDARTS S4 can select its noise op: a genotype holding it draws fresh
 * noise at every forward, at a counter the caller can read and set back. */
static void test_train__noise_op_counter_resumes_exactly(void **state)
{
    (void)state;
    static const char text[] =
        "Genotype(normal=[('noise', 0), ('sep_conv_3x3', 1), ('noise', 2), ('sep_conv_3x3', 1), "
        "('sep_conv_3x3', 0), ('noise', 3), ('sep_conv_3x3', 4), ('noise', 1)], "
        "normal_concat=[2, 3, 4, 5], reduce=[('noise', 0), ('sep_conv_3x3', 1), ('noise', 2), "
        "('sep_conv_3x3', 0), ('noise', 1), ('sep_conv_3x3', 3), ('noise', 4), "
        "('sep_conv_3x3', 2)], reduce_concat=[2, 3, 4, 5])";
    make_data();
    rfnas_ctx *ctx = make_ctx(4);
    rfnas_supernet *net = make_net(ctx, text, 0);
    double l[3];
    int64_t v;
    for (int k = 0; k < 3; k++) {
        if (k == 2)
            assert_int_equal(rfnas_supernet_set_int(net, RFNAS_KEY_NET_NOISE_COUNTER, 0), RFNAS_OK);
        assert_int_equal(
            rfnas_supernet_forward(net, data_x, data_y, BATCH, RFNAS_PHASE_EVAL, &l[k], NULL),
            RFNAS_OK);
    }
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_NOISE_COUNTER, &v), RFNAS_OK);
    assert_int_equal(v, 1);
    print_message("evaluation losses at noise counters 0, 1, 0: %.9g %.9g %.9g\n", l[0], l[1],
                  l[2]);
    assert_true(l[0] == l[2]);
    assert_true(l[0] != l[1]);
    rfnas_supernet_destroy(net);
    rfnas_ctx_destroy(ctx);
}

static void test_train__refusals_and_queries(void **state)
{
    (void)state;
    make_data();
    rfnas_ctx *ctx = make_ctx(2);
    rfnas_genotype *g;
    assert_int_equal(rfnas_genotype_parse(&g, genotype_text, NULL), RFNAS_OK);
    rfnas_supernet *net = (rfnas_supernet *)&net;
    /* Arguments. */
    assert_int_equal(rfnas_supernet_create_from_genotype(NULL, ctx, g, NULL), RFNAS_E_INVALID);
    assert_true(strlen(rfnas_error_last()) > 0);
    assert_int_equal(rfnas_supernet_create_from_genotype(&net, NULL, g, NULL), RFNAS_E_INVALID);
    assert_null(net);
    assert_int_equal(rfnas_supernet_create_from_genotype(&net, ctx, NULL, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_create_from_genotype(&net, ctx, (const rfnas_genotype *)ctx,
                                                         NULL),
                     RFNAS_E_INVALID); /* a handle of the wrong type */
    /* Random features are for supernets. */
    rfnas_config *cfg = net_config(0);
    assert_int_equal(rfnas_config_set_string(cfg, RFNAS_KEY_NET_FEATURES, "random"), RFNAS_OK);
    assert_int_equal(rfnas_supernet_create_from_genotype(&net, ctx, g, cfg), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "net.features"));
    assert_int_equal(rfnas_config_set_string(cfg, RFNAS_KEY_NET_FEATURES, "learned"), RFNAS_OK);
    /* The auxiliary head cannot read a 4x4 map (16x16 input). */
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_AUXILIARY, 1), RFNAS_OK);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_IN_HEIGHT, 16), RFNAS_OK);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_NET_IN_WIDTH, 16), RFNAS_OK);
    assert_int_equal(rfnas_supernet_create_from_genotype(&net, ctx, g, cfg), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "8x8"));
    assert_int_equal(rfnas_config_set_double(cfg, RFNAS_KEY_NET_DROP_PATH_PROB, 1.0),
                     RFNAS_E_INVALID); /* [0, 1) */
    rfnas_config_destroy(cfg);

    net = make_net(ctx, genotype_text, 1);
    /* No architecture: ARCH forwards and alphas are refused, ARCH is empty. */
    double l;
    assert_int_equal(rfnas_supernet_forward(net, data_x, data_y, BATCH, RFNAS_PHASE_ARCH, &l, NULL),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "RFNAS_PHASE_WEIGHTS"));
    float buf[256];
    assert_int_equal(rfnas_supernet_alphas(net, RFNAS_CELL_NORMAL, 0, buf, 256, NULL),
                     RFNAS_E_INVALID);
    size_t n;
    float *values;
    assert_int_equal(rfnas_supernet_group_borrow(net, RFNAS_GROUP_ARCH, &values, NULL, &n),
                     RFNAS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(rfnas_supernet_group_borrow(net, RFNAS_GROUP_FROZEN, &values, NULL, &n),
                     RFNAS_OK);
    assert_int_equal(n, 0);
    /* Every named parameter is in WEIGHTS or STATE. */
    int64_t count;
    assert_int_equal(rfnas_supernet_param_count(net, &count), RFNAS_OK);
    for (int64_t i = 0; i < count; i++) {
        rfnas_group grp;
        const char *name;
        assert_int_equal(rfnas_supernet_param_info(net, i, &name, &grp, NULL, NULL), RFNAS_OK);
        assert_true(grp == RFNAS_GROUP_WEIGHTS || grp == RFNAS_GROUP_STATE);
    }
    /* The genotype it was built from. */
    rfnas_genotype *back;
    char a[1024], b[1024];
    assert_int_equal(rfnas_supernet_genotype(&back, net), RFNAS_OK);
    assert_int_equal(rfnas_genotype_format(back, a, sizeof a, NULL), RFNAS_OK);
    assert_int_equal(rfnas_genotype_format(g, b, sizeof b, NULL), RFNAS_OK);
    assert_string_equal(a, b);
    rfnas_genotype_destroy(back);
    /* Settings: keys, bounds, types. */
    int64_t v;
    double d;
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_CELLS, &v), RFNAS_OK);
    assert_int_equal(v, 3);
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_CHANNELS, &v), RFNAS_OK);
    assert_int_equal(v, 4);
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_NOISE_COUNTER, &v), RFNAS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_OPT_LR, &v), RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_get_int(net, RFNAS_KEY_NET_CELLS, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_get_double(NULL, RFNAS_KEY_NET_DROP_PATH_PROB, &d),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, 1.0),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, NAN),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_DROP_PATH_PROB, -0.1),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_set_double(net, RFNAS_KEY_NET_AUXILIARY_WEIGHT, 1.0),
                     RFNAS_E_INVALID); /* fixed at creation */
    assert_int_equal(rfnas_supernet_set_int(net, RFNAS_KEY_NET_DROP_PATH_COUNTER, -1),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_set_int(net, RFNAS_KEY_NET_CELLS, 4), RFNAS_E_INVALID);
    assert_int_equal(rfnas_supernet_set_int(net, RFNAS_KEY_NET_NOISE_COUNTER, 0), RFNAS_OK);
    assert_string_equal(rfnas_error_last(), "");
    /* A search supernet has no drop-path; its counters read 0. */
    rfnas_space *space;
    rfnas_supernet *super;
    assert_int_equal(rfnas_space_create(&space, "nb201"), RFNAS_OK);
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_NET_CELLS, 1);
    rfnas_config_set_int(cfg, RFNAS_KEY_NET_CHANNELS, 4);
    assert_int_equal(rfnas_supernet_create(&super, ctx, space, cfg), RFNAS_OK);
    assert_int_equal(rfnas_supernet_get_int(super, RFNAS_KEY_NET_DROP_PATH_COUNTER, &v), RFNAS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rfnas_supernet_set_double(super, RFNAS_KEY_NET_DROP_PATH_PROB, 0.2),
                     RFNAS_E_INVALID);
    rfnas_supernet_destroy(super);
    rfnas_config_destroy(cfg);
    rfnas_space_destroy(space);
    rfnas_supernet_destroy(net);
    rfnas_supernet_destroy(NULL);
    rfnas_genotype_destroy(g);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train__a_genotype_learns_and_training_is_deterministic),
        cmocka_unit_test(test_train__drop_path_counter_resumes_exactly),
        cmocka_unit_test(test_train__auxiliary_loss_counts_in_training_only),
        cmocka_unit_test(test_train__nb201_network_trains),
        cmocka_unit_test(test_train__noise_op_counter_resumes_exactly),
        cmocka_unit_test(test_train__refusals_and_queries),
    };
    if (getenv("TEST_FILTER"))
        cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
