/* The DARTS evaluation network of a genotype (SPEC 4.4; quark0/darts
 * cnn/model.py NetworkCIFAR, AuxiliaryHeadCIFAR) as a graph:
 *
 *   stem: conv 3x3 (in -> stem_multiplier * C) -> BN
 *   cells 0..L-1, reductions at floor(L/3) and floor(2L/3) (channels double there):
 *     preprocess0: FactorizedReduce if the previous cell reduced, else ReLU-conv1x1-BN
 *     preprocess1: ReLU-conv1x1-BN
 *     node n = 0..3: op_a(state[in_a]) + op_b(state[in_b]), the genotype's two
 *                    pairs; stride 2 on pairs reading states 0 and 1 of a
 *                    reduction cell; drop-path on every op but the identity
 *     output: concat of the states the genotype's concat lists
 *   auxiliary head (optional) on cell floor(2L/3)'s output:
 *     ReLU -> avg pool 5x5/3 -> conv 1x1 (-> 128) -> BN -> ReLU -> conv 2x2
 *     (-> 768) -> BN -> ReLU -> linear -> cross-entropy weighted aux_weight
 *   head: global average pool -> linear -> cross-entropy
 *
 * Every BN is affine and tracked (unless net.track_running_stats is 0), and
 * pooling ops have no BN after them (the search cells' one is search-only).
 * All weights are in WEIGHTS. Like PyTorch, the preprocessings exist even if
 * no op reads them, and a node outside the concat is still computed; such
 * tensors get a sink (zero gradient), so parameter counts match PyTorch's.
 *
 * PyTorch's auxiliary head starts with an in-place ReLU of the cell output it
 * reads; every later reader of that output (the next two cells'
 * preprocessings) applies a ReLU first, so the one ReLU node here serves all
 * three. The auxiliary head also runs in evaluation forwards (it is small);
 * its loss is counted only in training. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "net/darts_blocks.h"
#include "net/discrete.h"

static int relu_once(rfnas__netb *b, int *r, const char *prefix, int x)
{
    if (*r < 0)
        *r = rfnas__netb_relu(b, prefix, x);
    return *r;
}

static const char *sub(char *buf, size_t size, const char *prefix, const char *tail)
{
    rfnas__netb_name(buf, size, "%s.%s", prefix, tail);
    return buf;
}

/* One op of a pair reading @p state (ReLU made on demand in *@p r) into a
 * node of c x oh x ow. *@p droppable says whether drop-path applies (every op
 * but the identity). Returns the op's output. */
static int pair_op(rfnas__netb *b, const char *prefix, rfnas__op op, int state, int *r,
                   const char *relu_prefix, int stride, int64_t c, int64_t oh, int64_t ow,
                   uint32_t noise_stream, int *droppable)
{
    *droppable = 1;
    if (b->rc != RFNAS_OK)
        return -1;
    char p[128];
    switch (op) {
    case RFNAS__OP_NONE: /* PyTorch's Zero: x[:, :, ::s, ::s] * 0 */
        return rfnas__netb_check(b, rfnas__node_zero(b->g, prefix, c, oh, ow));
    case RFNAS__OP_MAX_POOL_3X3:
    case RFNAS__OP_AVG_POOL_3X3:
        return rfnas__netb_check(
            b, rfnas__node_pool(b->g, sub(p, sizeof p, prefix, "pool"), state,
                                op == RFNAS__OP_MAX_POOL_3X3 ? RFNAS__POOL_MAX : RFNAS__POOL_AVG,
                                3, stride, 1));
    case RFNAS__OP_SKIP_CONNECT:
        if (stride == 1) {
            *droppable = 0; /* NetworkCIFAR skips drop-path for Identity only */
            return state;
        }
        return rfnas__darts_factorized_reduce(b, prefix, relu_once(b, r, relu_prefix, state), c);
    case RFNAS__OP_SEP_CONV_3X3:
    case RFNAS__OP_SEP_CONV_5X5:
    case RFNAS__OP_SEP_CONV_7X7: {
        const int k = op == RFNAS__OP_SEP_CONV_3X3 ? 3 : op == RFNAS__OP_SEP_CONV_5X5 ? 5 : 7;
        return rfnas__darts_sep_conv(b, prefix, relu_once(b, r, relu_prefix, state), k, stride);
    }
    case RFNAS__OP_DIL_CONV_3X3:
    case RFNAS__OP_DIL_CONV_5X5:
        return rfnas__darts_dil_conv(b, prefix, relu_once(b, r, relu_prefix, state),
                                     op == RFNAS__OP_DIL_CONV_3X3 ? 3 : 5, stride);
    case RFNAS__OP_NOR_CONV_1X1:
    case RFNAS__OP_NOR_CONV_3X3:
    case RFNAS__OP_NOR_CONV_7X7: {
        const int k = op == RFNAS__OP_NOR_CONV_1X1 ? 1 : op == RFNAS__OP_NOR_CONV_3X3 ? 3 : 7;
        return rfnas__netb_bn(b, prefix,
                              rfnas__netb_conv(b, prefix, relu_once(b, r, relu_prefix, state), c,
                                               k, stride, k / 2, 1, 1),
                              1, b->track);
    }
    case RFNAS__OP_NOISE: /* RobustDARTS S4: fresh N(0, 1) at every forward */
        return rfnas__netb_check(
            b, rfnas__node_noise(b->g, prefix, c, oh, ow, b->cfg->seed, noise_stream));
    default:
        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                             "darts evaluation network: op %s is not available in DARTS cells",
                             rfnas__op_info_of(op)->name);
        return -1;
    }
}

/* Cell @p cell of type @p type at c channels on inputs s0, s1 (their ReLUs in
 * *r0, *r1, shared with the neighbouring cells). Returns the cell output. */
static int eval_cell(rfnas__netb *b, rfnas__net *net, const rfnas_genotype *g, int cell, int s0,
                     int *r0, int s1, int *r1, int64_t c, int reduction, int reduction_prev)
{
    if (b->rc != RFNAS_OK)
        return -1;
    const int type = reduction ? RFNAS_CELL_REDUCE : RFNAS_CELL_NORMAL;
    const rfnas__tensor *t1 = rfnas__graph_tensor_info(b->g, s1);
    const int64_t oh = reduction ? (t1->h + 1) / 2 : t1->h,
                  ow = reduction ? (t1->w + 1) / 2 : t1->w;
    char p[128], rp[128];
    int states[RFNAS__MAX_STATES], relus[RFNAS__MAX_STATES];
    for (int k = 0; k < RFNAS__MAX_STATES; k++)
        states[k] = relus[k] = -1;

    rfnas__netb_name(p, sizeof p, "cells.%d.preprocess0", cell);
    const int x0 = relu_once(b, r0, p, s0);
    states[0] = reduction_prev
                    ? rfnas__darts_factorized_reduce(b, p, x0, c)
                    : rfnas__netb_bn(b, p, rfnas__netb_conv(b, p, x0, c, 1, 1, 0, 1, 1), 1, b->track);
    rfnas__netb_name(p, sizeof p, "cells.%d.preprocess1", cell);
    states[1] = rfnas__netb_bn(
        b, p, rfnas__netb_conv(b, p, relu_once(b, r1, p, s1), c, 1, 1, 0, 1, 1), 1, b->track);

    for (int n = 0; n < RFNAS__DARTS_NODES && b->rc == RFNAS_OK; n++) {
        int outs[2], droppable[2];
        for (int k = 0; k < 2; k++) {
            const int pair = 2 * n + k;
            const rfnas__pair *pr = &g->cell[type][pair];
            const rfnas__op op = (rfnas__op)pr->op;
            const int j = pr->source, stride = reduction && j < 2 ? 2 : 1;
            rfnas__netb_name(rp, sizeof rp, "cells.%d.state.%d", cell, j);
            rfnas__netb_name(p, sizeof p, "cells.%d.pair.%d.%s", cell, pair,
                             rfnas__op_info_of(op)->name);
            outs[k] = pair_op(b, p, op, states[j], &relus[j], rp, stride, c, oh, ow,
                              (uint32_t)(cell * RFNAS__MAX_PAIRS + pair), &droppable[k]);
        }
        if (b->rc != RFNAS_OK)
            return -1;
        rfnas__netb_name(p, sizeof p, "cells.%d.node.%d", cell, n);
        states[n + 2] = rfnas__netb_check(
            b, rfnas__node_droppath_sum(b->g, p, outs, droppable, 2, &net->droppath,
                                        (uint32_t)((cell * RFNAS__DARTS_NODES + n) * 2)));
    }
    if (b->rc != RFNAS_OK)
        return -1;
    int cat[RFNAS__MAX_STATES];
    for (int k = 0; k < g->concat_len[type]; k++) {
        const int s = g->concat[type][k];
        /* A reduction cell's inputs have twice its nodes' resolution. */
        if (reduction && s < 2) {
            b->rc = rfnas__error(RFNAS_E_MISMATCH,
                                 "darts evaluation network: reduce_concat lists state %d, a cell "
                                 "input at twice the resolution of the reduction cell's nodes",
                                 s);
            return -1;
        }
        cat[k] = states[s];
    }
    rfnas__netb_name(p, sizeof p, "cells.%d", cell);
    return rfnas__netb_check(b, rfnas__node_concat(b->g, p, cat, g->concat_len[type]));
}

/* The auxiliary head on @p x (ReLU in *@p r, shared with the next cells).
 * PyTorch's Linear(768, classes) needs the 2x2 convolution to leave 1 x 1,
 * so the pooling must give 2 x 2: an 8 x 8 to 10 x 10 map (32 x 32 inputs
 * give 8 x 8 there). */
static void aux_head(rfnas__netb *b, rfnas__net *net, int cell, int x, int *r)
{
    if (b->rc != RFNAS_OK)
        return;
    const rfnas__tensor *t = rfnas__graph_tensor_info(b->g, x);
    if (t->h < 8 || t->h > 10 || t->w < 8 || t->w > 10) {
        b->rc = rfnas__error(RFNAS_E_INVALID,
                             "darts evaluation network: the auxiliary head needs an 8x8 to 10x10 "
                             "map at cell %d (32x32 inputs give 8x8); this input gives %lldx%lld",
                             cell, (long long)t->h, (long long)t->w);
        return;
    }
    const rfnas__net_config *cfg = b->cfg;
    char p[64];
    rfnas__netb_name(p, sizeof p, "cells.%d.out", cell);
    int y = rfnas__netb_check(b, rfnas__node_pool(b->g, "aux.pool", relu_once(b, r, p, x),
                                                  RFNAS__POOL_AVG, 5, 3, 0));
    y = rfnas__netb_bn(b, "aux.1", rfnas__netb_conv(b, "aux.1", y, 128, 1, 1, 0, 1, 1), 1,
                       b->track);
    y = rfnas__netb_relu(b, "aux.1", y);
    y = rfnas__netb_bn(b, "aux.2", rfnas__netb_conv(b, "aux.2", y, 768, 2, 1, 0, 1, 1), 1,
                       b->track);
    y = rfnas__netb_relu(b, "aux.2", y);
    /* 768 x 1 x 1: global average pooling is the flattening, exactly. */
    y = b->rc == RFNAS_OK ? rfnas__netb_check(b, rfnas__node_gap(b->g, "aux.gap", y)) : -1;
    const int w = rfnas__netb_param(b, "aux.classifier.weight", RFNAS__GROUP_WEIGHTS,
                                    (size_t)(cfg->classes * 768));
    const int bias =
        rfnas__netb_param(b, "aux.classifier.bias", RFNAS__GROUP_WEIGHTS, (size_t)cfg->classes);
    if (b->rc != RFNAS_OK)
        return;
    net->aux_logits = rfnas__netb_check(
        b, rfnas__node_linear(b->g, "aux.classifier", y, (int)cfg->classes, w, bias));
    if (b->rc == RFNAS_OK)
        net->aux_loss = rfnas__netb_check(
            b, rfnas__node_xent(b->g, "aux.loss", net->aux_logits, &net->labels, cfg->aux_weight));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_output(b->g, net->aux_logits));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_output(b->g, net->aux_loss));
    net->has_aux = b->rc == RFNAS_OK;
}

/* The auxiliary classifier is not among the builder's weights (the builder
 * knows one classifier): initialised here as PyTorch's Linear, after the
 * graph's arrays exist. */
static void init_aux_classifier(rfnas__net *net)
{
    const rfnas__net_config *cfg = &net->cfg;
    for (int i = 0; i < rfnas__graph_param_count(net->graph); i++) {
        const rfnas__param *p = rfnas__graph_param_info(net->graph, i);
        float *v = rfnas__graph_param_value(net->graph, i);
        if (strcmp(p->name, "aux.classifier.weight") == 0)
            rfnas__init_weights(v, p->size, 768, cfg->init, cfg->seed, p->name);
        else if (strcmp(p->name, "aux.classifier.bias") == 0 && cfg->init == RFNAS__INIT_PYTORCH)
            rfnas__init_uniform(v, p->size, 1.0 / sqrt(768.0), cfg->seed, p->name);
    }
}

static rfnas_status check_genotype(const rfnas_genotype *g)
{
    if (g->topology != RFNAS_TOPOLOGY_DARTS || g->cell_types != 2 || g->pairs != 8)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "darts evaluation network: the genotype is not a DARTS genotype");
    for (int c = 0; c < 2; c++) {
        for (int k = 0; k < 8; k++) {
            const rfnas__pair *p = &g->cell[c][k];
            /* Pairs come node by node, two each (SPEC 7.5): pair k feeds state k/2 + 2. */
            if (p->target != k / 2 + 2 || p->source >= p->target)
                return rfnas__error(RFNAS_E_MISMATCH,
                                    "darts evaluation network: %s cell pair %d feeds state %d "
                                    "from state %d; pairs must come two per node, in node order, "
                                    "each reading an earlier state",
                                    c ? "reduce" : "normal", k, p->target, p->source);
        }
        if (g->concat_len[c] < 1 || g->concat_len[c] > RFNAS__MAX_STATES)
            return rfnas__error(RFNAS_E_MISMATCH,
                                "darts evaluation network: the %s cell concatenates %d states",
                                c ? "reduce" : "normal", g->concat_len[c]);
    }
    return RFNAS_OK;
}

static void build(rfnas__netb *b, rfnas__net *net, const rfnas_genotype *g)
{
    const rfnas__net_config *cfg = b->cfg;
    net->input = rfnas__netb_check(
        b, rfnas__graph_tensor(b->g, cfg->in_c, cfg->in_h, cfg->in_w, RFNAS__LAYOUT_PLAIN));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_input(b->g, net->input));
    const int64_t stem_c = cfg->stem_multiplier * cfg->channels;
    int s1 = rfnas__netb_bn(b, "stem", rfnas__netb_conv(b, "stem", net->input, stem_c, 3, 1, 1, 1, 1),
                            1, b->track);
    int s0 = s1, r0 = -1, r1 = -1;
    int64_t c = cfg->channels;
    int reduction_prev = 0;
    const int64_t red_a = cfg->cells / 3, red_b = 2 * cfg->cells / 3;
    for (int64_t i = 0; i < cfg->cells && b->rc == RFNAS_OK; i++) {
        const int reduction = i == red_a || i == red_b;
        if (reduction)
            c *= 2;
        /* The first cell reads the stem output twice: one ReLU serves both. */
        int *rp0 = s0 == s1 ? &r1 : &r0;
        int out = eval_cell(b, net, g, (int)i, s0, rp0, s1, &r1, c, reduction, reduction_prev);
        int r_out = -1;
        if (cfg->auxiliary && i == red_b)
            aux_head(b, net, (int)i, out, &r_out);
        s0 = s1;
        r0 = r1;
        s1 = out;
        r1 = r_out;
        reduction_prev = reduction;
    }
    const int keep[3] = {s1, net->has_aux ? net->aux_logits : -1, net->has_aux ? net->aux_loss : -1};
    rfnas__discrete_sink_unread(b, keep, 3);
    rfnas__netb_head(b, net, s1);
    if (b->rc == RFNAS_OK && net->has_aux)
        init_aux_classifier(net);
}

rfnas_status rfnas__darts_eval_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_genotype *g,
                                     const rfnas__net_config *cfg)
{
    static const char what[] = "darts evaluation network";
    rfnas__netb bb, *b = &bb;
    /* At most 4 convolutions per op (SepConv), 3 per cell's preprocessing;
     * the stem, the two auxiliary convolutions and the classifier. */
    rfnas__discrete_begin(b, net, ctx, cfg, (int)cfg->cells * (8 * 4 + 3) + 4, what);
    if (b->rc == RFNAS_OK)
        b->rc = check_genotype(g);
    if (b->rc == RFNAS_OK) {
        net->has_droppath = 1;
        build(b, net, g);
    }
    return rfnas__netb_end(b, net);
}
