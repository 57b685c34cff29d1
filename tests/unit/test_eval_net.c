/* Discrete networks of a genotype (net/darts_eval.c, net/nb201_eval.c):
 * parameter counts (SPEC 4.6 and an independent counter), shapes of SPEC 4.4,
 * whole-network gradients of every weight against central differences on a
 * tiny network whose cells hold every op of the DARTS catalogue (SepConv,
 * DilConv, FactorizedReduce, pools, identity) with drop-path on and the
 * auxiliary head, genotypes that leave states unread, and refusals. */
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

/* SPEC 7.6, verbatim. */
static const char darts_v1[] =
    "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])";
static const char darts_v2[] =
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";
static const char pc_darts_cifar[] =
    "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), "
    "('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), "
    "('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), "
    "('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))";

/* Every op of the DARTS list but none, at stride 1 (normal) and, in the
 * reduction cells, at stride 2 on the cell inputs (FactorizedReduce for skip). */
static const char all_ops[] =
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_5x5', 1), ('dil_conv_3x3', 0), "
    "('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('avg_pool_3x3', 3), ('skip_connect', 2), "
    "('sep_conv_3x3', 4)], normal_concat=[2, 3, 4, 5], reduce=[('skip_connect', 0), "
    "('max_pool_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_5x5', 2), ('sep_conv_5x5', 1), "
    "('skip_connect', 2), ('dil_conv_3x3', 0), ('sep_conv_3x3', 4)], reduce_concat=[2, 3, 4, 5])";

static rfnas_genotype *parse(const char *text)
{
    rfnas_genotype *g;
    if (rfnas_genotype_parse(&g, text, NULL) != RFNAS_OK)
        fail_msg("parse: %s", rfnas_error_last());
    return g;
}

static rfnas__net_config config(int64_t c, int64_t cells, int64_t hw, int64_t batch, int aux)
{
    rfnas__net_config cfg = {0};
    cfg.features = RFNAS__FEATURES_LEARNED;
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
    cfg.auxiliary = aux;
    cfg.aux_weight = 0.4;
    return cfg;
}

static void build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_genotype *g,
                  const rfnas__net_config *cfg)
{
    rfnas_status rc = g->topology == RFNAS_TOPOLOGY_NB201 ? rfnas__nb201_eval_build(net, ctx, g, cfg)
                                                          : rfnas__darts_eval_build(net, ctx, g, cfg);
    if (rc != RFNAS_OK)
        fail_msg("build: %s", rfnas_error_last());
}

/* Parameters (STATE excluded); every one must be in WEIGHTS. */
static size_t count_params(rfnas__net *net, const char *prefix)
{
    size_t total = 0;
    for (int i = 0; i < rfnas__graph_param_count(net->graph); i++) {
        const rfnas__param *p = rfnas__graph_param_info(net->graph, i);
        if (p->group == RFNAS__GROUP_STATE)
            continue;
        if (p->group != RFNAS__GROUP_WEIGHTS)
            fail_msg("%s is in group %d, not WEIGHTS", p->name, (int)p->group);
        if (prefix == NULL || strncmp(p->name, prefix, strlen(prefix)) == 0)
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

/* SPEC 4.6: DARTS_V2 at C=36, L=20, 10 classes: 3,349,342 without the
 * auxiliary head, which adds 476,426. DARTS_V1 and PC_DARTS_cifar are not in
 * SPEC 4.6; their counts come from an independent counter written from SPEC
 * 3.1 and 4.4 (per op at C channels: SepConv k 2(C k^2 + C^2 + 2C), DilConv
 * k C k^2 + C^2 + 2C, FactorizedReduce C_in C + 2C, ReLUConvBN C_in C + 2C,
 * pools and identity 0; stem 3 * 3C * 9 + 2 * 3C; classifier 4C_last * 10 +
 * 10), which also gives SPEC's DARTS_V2 figure; PC-DARTS's 3,634,678 is the
 * "3.6M" of its README (SPEC 9). */
static void test_eval_net__darts_parameter_counts(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        size_t total;
    } refs[] = {{"DARTS_V2", darts_v2, 3349342},
                {"DARTS_V1", darts_v1, 3169414},
                {"PC_DARTS_cifar", pc_darts_cifar, 3634678}};
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    for (size_t r = 0; r < sizeof refs / sizeof refs[0]; r++) {
        rfnas_genotype *g = parse(refs[r].text);
        for (int aux = 0; aux < 2; aux++) {
            rfnas__net net;
            rfnas__net_config cfg = config(36, 20, 32, 1, aux);
            build(&net, ctx, g, &cfg);
            const size_t total = count_params(&net, NULL), head = count_params(&net, "aux.");
            print_message("%-15s C=36 L=20 %s: %zu parameters (auxiliary head %zu)\n",
                          refs[r].name, aux ? "with auxiliary head   " : "without auxiliary head",
                          total, head);
            assert_int_equal(total - head, refs[r].total);
            assert_int_equal(head, aux ? 476426 : 0);
            size_t n;
            rfnas__graph_group_values(net.graph, RFNAS__GROUP_ARCH, &n);
            assert_int_equal(n, 0);
            rfnas__graph_group_values(net.graph, RFNAS__GROUP_FROZEN, &n);
            assert_int_equal(n, 0);
            if (aux && r == 0) {
                /* SPEC 4.4's shapes: reductions at cells 6 and 13, 576 x 8 x 8 there,
                 * the auxiliary head's 2 x 2 pooling and 768 x 1 x 1, head on 576. */
                const rfnas__tensor *t = out_of(&net, "cells.13");
                assert_true(t->c == 576 && t->h == 8 && t->w == 8);
                t = out_of(&net, "cells.6");
                assert_true(t->c == 288 && t->h == 16);
                t = out_of(&net, "cells.5");
                assert_true(t->c == 144 && t->h == 32);
                t = out_of(&net, "aux.pool");
                assert_true(t->c == 576 && t->h == 2 && t->w == 2);
                t = out_of(&net, "aux.2.bn");
                assert_true(t->c == 768 && t->h == 1 && t->w == 1);
                t = out_of(&net, "cells.19");
                assert_true(t->c == 576 && t->h == 8);
                assert_non_null(node_named(&net, "cells.14.preprocess0.concat")); /* FR */
                assert_true(net.has_aux && net.has_droppath && net.discrete);
            }
            rfnas__net_destroy(&net);
        }
        rfnas_genotype_destroy(g);
    }
    rfnas_ctx_destroy(ctx);
}

/* NAS-Bench-201 networks (C=16, N=5, 10 classes): SPEC 4.6 has no row for
 * them; the counts come from the same kind of independent counter: per cell
 * at C, nor_conv_k C^2 k^2 + 2C; residual blocks 16->32: 4,608 + 64 + 9,216 +
 * 64 + 512 and 32->64: 18,432 + 128 + 36,864 + 128 + 2,048; stem 432 + 32,
 * lastact 128, classifier 650. The all-3x3 cell gives 1,531,546 and the all-skip
 * cell 73,306: the largest and smallest NAS-Bench-201 models (1.53 and 0.07
 * MB as the benchmark lists them, from memory: [R]). */
static void test_eval_net__nb201_parameter_counts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t total;
    } refs[] = {
        {"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
         "nor_conv_3x3~2|",
         1531546},
        {"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|"
         "skip_connect~2|",
         73306},
        /* 5 nor_conv_3x3 per cell: 73,306 + 5 * 5 * (2,336 + 9,280 + 36,992). */
        {"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
         "nor_conv_3x3~2|",
         1288506},
        /* 1x1 convs, a pool and none: 73,306 + 5 * (2 (256 + 32) + ...) per stage. */
        {"|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|skip_connect~2|",
         73306 + 5 * 2 * ((256 + 32) + (1024 + 64) + (4096 + 128))},
    };
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    for (size_t r = 0; r < sizeof refs / sizeof refs[0]; r++) {
        rfnas_genotype *g = parse(refs[r].text);
        rfnas__net net;
        rfnas__net_config cfg = config(16, 5, 32, 2, 0);
        build(&net, ctx, g, &cfg);
        const size_t total = count_params(&net, NULL);
        print_message("%s: %zu parameters\n", refs[r].text, total);
        assert_int_equal(total, refs[r].total);
        assert_false(net.has_aux || net.has_droppath);
        rfnas__net_destroy(&net);
        rfnas_genotype_destroy(g);
    }
    rfnas_ctx_destroy(ctx);
}

/* ---- whole-network gradients ---- */

enum { B = 4, HW = 32 };

static float xs[B * 3 * HW * HW];
static const int32_t ys[B] = {3, 7, 0, 5};

/* The training loss: main + aux_weight * auxiliary, as the API reports it. */
static double loss_of(rfnas__net *net, rfnas__mode mode)
{
    net->labels = ys;
    memcpy(rfnas__graph_value_for(net->graph, mode, net->input), xs, sizeof xs);
    assert_int_equal(rfnas__graph_forward(net->graph, B, mode, 1), RFNAS_OK);
    double l = rfnas__graph_value(net->graph, net->loss)[0];
    if (net->has_aux)
        l += net->cfg.aux_weight * rfnas__graph_value(net->graph, net->aux_loss)[0];
    return l;
}

static double central(rfnas__net *net, float *v, size_t i, float h)
{
    const float keep = v[i];
    v[i] = keep + h;
    double up = loss_of(net, RFNAS__MODE_EVAL);
    v[i] = keep - h;
    double down = loss_of(net, RFNAS__MODE_EVAL);
    v[i] = keep;
    return (up - down) / (2.0 * (double)h);
}

static int agrees(double analytic, double numeric)
{
    return fabs(numeric - analytic) <= 1e-3 + 5e-2 * fabs(numeric);
}

/* What a parameter belongs to, for the coverage report. */
static const char *const kinds[] = {"stem",         "preprocess0",  "preprocess1",  "sep_conv_3x3",
                                    "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5", "skip_connect",
                                    "aux.1",        "aux.2",        "aux.classifier", "classifier"};
enum { KINDS = sizeof kinds / sizeof kinds[0] };

static int kind_of(const char *name)
{
    for (int k = 0; k < KINDS; k++)
        if (strstr(name, kinds[k]))
            return k;
    return -1;
}

/* Central differences (step 2e-3, tolerance 1e-3 + 5e-2 relative, as
 * test_darts.c, and its refinement at smaller steps near a ReLU or max-pool
 * kink) of every weight tensor of the WEIGHTS group (convolutions, BN gammas
 * and betas, both classifiers): its entry of largest analytic gradient, and
 * one more outside op blocks and BN. Drop-path is on at p = 0.25 on a fixed
 * counter, so that every forward draws the same masks. BN runs on batch
 * statistics in every forward, so repeated forwards see one function. A
 * control: the largest gradient checked, off by 20%, must fail. Returns the
 * number of entries checked. */
static int check_weights(rfnas__net *net, int *per_kind)
{
    size_t n;
    float *v = rfnas__graph_group_values(net->graph, RFNAS__GROUP_WEIGHTS, &n);
    rfnas__graph_zero_grad(net->graph, RFNAS__GROUP_WEIGHTS);
    loss_of(net, RFNAS__MODE_WEIGHTS);
    assert_int_equal(rfnas__graph_backward(net->graph), RFNAS_OK);
    size_t ng;
    const float *g0 = rfnas__graph_group_grads(net->graph, RFNAS__GROUP_WEIGHTS, &ng);
    float *grad = malloc(n * sizeof *grad);
    assert_non_null(grad);
    memcpy(grad, g0, n * sizeof *grad);
    int checked = 0, failed = 0, refined = 0, control = 0;
    double max_grad = 0;
    for (int p = 0; p < rfnas__graph_param_count(net->graph); p++) {
        const rfnas__param *info = rfnas__graph_param_info(net->graph, p);
        if (info->group != RFNAS__GROUP_WEIGHTS)
            continue;
        /* The entry of largest analytic gradient (a gradient wrongly zero or
         * small shows there against the numeric one, which is well above the
         * float noise of the loss, about 1e-3 in a derivative at this step),
         * and one fixed entry. */
        size_t top = info->offset;
        for (size_t k = info->offset; k < info->offset + info->size; k++)
            top = fabsf(grad[k]) > fabsf(grad[top]) ? k : top;
        /* Convolutions of the cells' op blocks (several per op) and BN
         * parameters (checked by the supernet tests too): the top entry only. */
        const int entries =
            strstr(info->name, ".bn.") || strstr(info->name, ".pair.") ? 1 : 2;
        for (int e = 0; e < entries; e++) {
            const size_t i = e == 0 ? top : info->offset + (info->size * 2) / 3;
            double numeric = central(net, v, i, 2e-3f);
            if (!agrees(grad[i], numeric)) {
                double fine = numeric;
                for (float h = 5e-4f; h > 1e-4f && !agrees(grad[i], fine); h /= 4)
                    fine = central(net, v, i, h);
                print_message("  %s[%zu] analytic %.6g numeric %.6g, at a finer step %.6g\n",
                              info->name, i - info->offset, grad[i], numeric, fine);
                refined++;
                failed += !agrees(grad[i], fine);
                numeric = fine;
            }
            if (fabs(numeric) > max_grad) {
                max_grad = fabs(numeric);
                control = agrees(1.2 * grad[i], numeric);
            }
            const int k = kind_of(info->name);
            if (k >= 0 && strstr(info->name, "conv.weight") != NULL)
                per_kind[k]++;
            if (k >= 0 && strstr(info->name, "classifier.weight") != NULL)
                per_kind[k]++;
            checked++;
        }
    }
    print_message("  %d entries checked (%d at a finer step), largest |gradient| %.3g\n", checked,
                  refined, max_grad);
    assert_true(max_grad > 1e-2); /* the check is not vacuous */
    assert_false(control);        /* and it catches a 20% error */
    assert_int_equal(failed, 0);
    assert_true(refined * 8 <= checked);
    free(grad);
    return checked;
}

/* C=4, L=3 (cell 0 normal, cells 1 and 2 reduce; cell 2 has a FactorizedReduce
 * preprocessing and carries the auxiliary head on its 8 x 8 output), 32 x 32
 * input, batch 4 (so that the auxiliary head's BN over 1 x 1 maps sees four
 * values per channel). */
static void test_eval_net__gradients_of_every_op_and_the_auxiliary_head(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        xs[i] = (float)sin(0.61 * (double)i) * 1.2f;
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    rfnas_genotype *g = parse(all_ops);
    rfnas__net net;
    rfnas__net_config cfg = config(4, 3, HW, B, 1);
    build(&net, ctx, g, &cfg);
    /* BN gammas and betas away from 1 and 0 so that their errors show. */
    for (int p = 0; p < rfnas__graph_param_count(net.graph); p++) {
        const rfnas__param *info = rfnas__graph_param_info(net.graph, p);
        float *v = rfnas__graph_param_value(net.graph, p);
        if (strstr(info->name, ".bn.") && info->group == RFNAS__GROUP_WEIGHTS)
            for (size_t k = 0; k < info->size; k++)
                v[k] += 0.2f * (float)sin(0.37 * (double)(info->offset + k));
    }
    net.droppath.p = 0.25f;
    net.droppath.counter = 3;
    int per_kind[KINDS] = {0};
    const int checked = check_weights(&net, per_kind);
    for (int k = 0; k < KINDS; k++) {
        print_message("  %-15s %d weight entries\n", kinds[k], per_kind[k]);
        assert_true(per_kind[k] >= 2);
    }
    assert_true(checked >= 100);
    /* FactorizedReduce in both places: the stride-2 skip and a preprocessing. */
    assert_non_null(node_named(&net, "cells.1.pair.0.skip_connect.concat"));
    assert_non_null(node_named(&net, "cells.2.preprocess0.concat"));
    rfnas__net_destroy(&net);
    rfnas_genotype_destroy(g);
    rfnas_ctx_destroy(ctx);
}

/* Drop-path: a training forward at one counter draws the same masks again
 * (the check above relies on it), another counter other masks, and an
 * evaluation forward none. */
static void test_eval_net__drop_path_follows_the_counter(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        xs[i] = (float)cos(0.3 * (double)i);
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    rfnas_genotype *g = parse(all_ops);
    rfnas__net net;
    rfnas__net_config cfg = config(4, 3, HW, B, 0);
    build(&net, ctx, g, &cfg);
    net.droppath.p = 0.5f;
    double l[4];
    const uint64_t counters[4] = {7, 8, 7, 7};
    for (int k = 0; k < 4; k++) {
        net.droppath.counter = counters[k];
        if (k == 3)
            net.droppath.p = 0.0f;
        l[k] = loss_of(&net, RFNAS__MODE_WEIGHTS);
    }
    print_message("losses at counters 7, 8, 7 (p = 0.5) and 7 (p = 0): %.9g %.9g %.9g %.9g\n",
                  l[0], l[1], l[2], l[3]);
    assert_true(l[0] == l[2]);
    assert_true(l[0] != l[1]);
    assert_true(l[3] != l[0]);
    /* Evaluation ignores drop-path whatever p is. */
    net.droppath.p = 0.5f;
    net.labels = ys;
    memcpy(rfnas__graph_value_for(net.graph, RFNAS__MODE_EVAL, net.input), xs, sizeof xs);
    assert_int_equal(rfnas__graph_forward(net.graph, B, RFNAS__MODE_EVAL, 0), RFNAS_OK);
    const double e1 = rfnas__graph_value(net.graph, net.loss)[0];
    net.droppath.p = 0.0f;
    /* The input's buffer is reused once the stem has read it: write it again. */
    memcpy(rfnas__graph_value_for(net.graph, RFNAS__MODE_EVAL, net.input), xs, sizeof xs);
    assert_int_equal(rfnas__graph_forward(net.graph, B, RFNAS__MODE_EVAL, 0), RFNAS_OK);
    assert_true(e1 == rfnas__graph_value(net.graph, net.loss)[0]);
    rfnas__net_destroy(&net);
    rfnas_genotype_destroy(g);
    rfnas_ctx_destroy(ctx);
}

/* A genotype may leave states unread: here normal cells never read state 0
 * (preprocess0 computed for nothing, as in PyTorch) and node 1 (state 3) is
 * neither read nor concatenated. The network builds with PyTorch's parameter
 * count, trains, and gives those weights a zero gradient. Concat [2, 4, 5]
 * makes normal cells output 3C channels. */
static void test_eval_net__unread_states_get_zero_gradients(void **state)
{
    (void)state;
    static const char text[] =
        "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 1), ('dil_conv_3x3', 2), "
        "('none', 1), ('sep_conv_3x3', 2), ('avg_pool_3x3', 1), ('skip_connect', 4), "
        "('sep_conv_3x3', 2)], normal_concat=[2, 4, 5], reduce=[('max_pool_3x3', 0), "
        "('sep_conv_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('none', 0), "
        "('skip_connect', 3), ('skip_connect', 4), ('avg_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        xs[i] = (float)cos(0.7 * (double)i);
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    rfnas_genotype *g = parse(text);
    rfnas__net net;
    rfnas__net_config cfg = config(4, 4, 16, B, 0);
    build(&net, ctx, g, &cfg);
    /* Independent count (see the DARTS counts above), C=4, L=4 (reductions at 1
     * and 2), normal cells of 3C outputs:
     * stem 324 + 24; cell 0 (C 4): RCB 12->4 56, RCB 12->4 56, 3 sep3 3 * 2(36+16+8)
     * 360, dil3 36+16+8 60: 532, out 12; cell 1 (reduce, C 8): RCB 12->8 112, RCB
     * 12->8 112, sep3 2(72+64+16) 304: 528, out 32; cell 2 (reduce, C 16): FR 12->16
     * 224, RCB 32->16 544, sep3 2(144+256+32) 864: 1632, out 64; cell 3 (normal,
     * C 16): FR 32->16 544, RCB 64->16 1056, 3 sep3 2592, dil3 432: 4624, out 48;
     * classifier 490. */
    const size_t expected = 324 + 24 + 532 + 528 + 1632 + 4624 + 490;
    assert_int_equal(count_params(&net, NULL), expected);
    assert_int_equal(out_of(&net, "cells.0")->c, 12);
    assert_int_equal(out_of(&net, "cells.3")->c, 48);
    size_t n;
    rfnas__graph_zero_grad(net.graph, RFNAS__GROUP_WEIGHTS);
    net.labels = ys;
    memcpy(rfnas__graph_value_for(net.graph, RFNAS__MODE_WEIGHTS, net.input), xs,
           (size_t)(B * 3 * 16 * 16) * sizeof(float));
    assert_int_equal(rfnas__graph_forward(net.graph, B, RFNAS__MODE_WEIGHTS, 1), RFNAS_OK);
    assert_true(isfinite(rfnas__graph_value(net.graph, net.loss)[0]));
    assert_int_equal(rfnas__graph_backward(net.graph), RFNAS_OK);
    rfnas__graph_group_grads(net.graph, RFNAS__GROUP_WEIGHTS, &n);
    int zero = 0, live = 0;
    for (int p = 0; p < rfnas__graph_param_count(net.graph); p++) {
        const rfnas__param *info = rfnas__graph_param_info(net.graph, p);
        if (info->group != RFNAS__GROUP_WEIGHTS)
            continue;
        const float *gr = rfnas__graph_param_grad(net.graph, p);
        double sum = 0;
        for (size_t k = 0; k < info->size; k++)
            sum += fabs(gr[k]);
        /* Normal cells: preprocess0 and node 1's dil_conv (pair 2) feed nothing. */
        const int dead = (strncmp(info->name, "cells.0.", 8) == 0 ||
                          strncmp(info->name, "cells.3.", 8) == 0) &&
                         (strstr(info->name, "preprocess0") || strstr(info->name, "pair.2."));
        if (dead) {
            assert_true(sum == 0.0);
            zero++;
        } else if (strstr(info->name, "conv.weight")) {
            if (sum == 0.0)
                fail_msg("%s has a zero gradient", info->name);
            live++;
        }
    }
    print_message("%d dead tensors with zero gradients, %d live convolutions with gradients\n",
                  zero, live);
    assert_true(zero >= 8 && live >= 10);
    rfnas__net_destroy(&net);
    rfnas_genotype_destroy(g);
    rfnas_ctx_destroy(ctx);
}

static void test_eval_net__refusals(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    rfnas__net net;
    /* The auxiliary head needs an 8x8 to 10x10 map at cell 2L/3. */
    rfnas_genotype *g = parse(darts_v2);
    rfnas__net_config cfg = config(4, 3, 16, 2, 1);
    assert_int_equal(rfnas__darts_eval_build(&net, ctx, g, &cfg), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "auxiliary head"));
    assert_null(net.graph);
    cfg = config(4, 3, 64, 2, 1);
    assert_int_equal(rfnas__darts_eval_build(&net, ctx, g, &cfg), RFNAS_E_INVALID);
    /* A DARTS genotype is not an NB201 network, and the reverse. */
    cfg = config(4, 1, 16, 2, 0);
    assert_int_equal(rfnas__nb201_eval_build(&net, ctx, g, &cfg), RFNAS_E_MISMATCH);
    rfnas_genotype_destroy(g);
    g = parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|none~2|");
    assert_int_equal(rfnas__darts_eval_build(&net, ctx, g, &cfg), RFNAS_E_MISMATCH);
    cfg.auxiliary = 1;
    assert_int_equal(rfnas__nb201_eval_build(&net, ctx, g, &cfg), RFNAS_E_INVALID);
    rfnas_genotype_destroy(g);
    /* A reduction cell cannot concatenate its inputs (twice its resolution). */
    g = parse("Genotype(normal=[('skip_connect', 0), ('skip_connect', 1), ('skip_connect', 0), "
              "('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1), ('skip_connect', 0), "
              "('skip_connect', 1)], normal_concat=[0, 1, 2, 3, 4, 5], reduce=[('skip_connect', 0), "
              "('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1), ('skip_connect', 0), "
              "('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[1, 2])");
    cfg = config(4, 3, 16, 2, 0);
    assert_int_equal(rfnas__darts_eval_build(&net, ctx, g, &cfg), RFNAS_E_MISMATCH);
    assert_non_null(strstr(rfnas_error_last(), "reduce_concat"));
    rfnas_genotype_destroy(g);
    /* An op the catalogue has but no cell implements. */
    g = parse("Genotype(normal=[('conv_7x1_1x7', 0), ('skip_connect', 1), ('skip_connect', 0), "
              "('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1), ('skip_connect', 0), "
              "('skip_connect', 1)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
              "('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1), ('skip_connect', 0), "
              "('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1)], "
              "reduce_concat=[2, 3, 4, 5])");
    assert_int_equal(rfnas__darts_eval_build(&net, ctx, g, &cfg), RFNAS_E_UNSUPPORTED);
    assert_null(net.graph);
    rfnas_genotype_destroy(g);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_net__darts_parameter_counts),
        cmocka_unit_test(test_eval_net__nb201_parameter_counts),
        cmocka_unit_test(test_eval_net__gradients_of_every_op_and_the_auxiliary_head),
        cmocka_unit_test(test_eval_net__drop_path_follows_the_counter),
        cmocka_unit_test(test_eval_net__unread_states_get_zero_gradients),
        cmocka_unit_test(test_eval_net__refusals),
    };
    if (getenv("TEST_FILTER"))
        cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
