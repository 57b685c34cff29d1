/* The DARTS search supernet (SPEC 4.1, 3.1, 3.4, 5.1; quark0/darts
 * cnn/model_search.py) as a graph, for the "darts" space, RobustDARTS S1-S4
 * and custom spaces of DARTS topology:
 *
 *   stem: conv 3x3 (in -> stem_multiplier * C) -> BN (affine, tracked)
 *   cells 0..L-1, reductions at floor(L/3) and floor(2L/3) (channels double there):
 *     preprocess0: FactorizedReduce if the previous cell reduced, else ReLU-conv1x1-BN
 *     preprocess1: ReLU-conv1x1-BN
 *     node n = 0..3: sum over states j < n + 2 of the mixed edge (row n(n+3)/2 + j),
 *                    stride 2 on edges from the two inputs of a reduction cell
 *     output: concat of nodes 0..3 (4 C_cell channels)
 *   head: global average pool -> linear -> cross-entropy
 *
 * Normal and reduction cells have an alpha matrix each (14 x ops). Every sum
 * into a node is one mixed node (DESIGN 3), zero ops skipped. ReLU of a state
 * is computed once and read by every conv op on its outgoing edges (and ReLU
 * of a cell output once for the two preprocessings that read it).
 *
 * PC-DARTS (SPEC 3.3, 4.3, 5.3) with K = cfg->partial_channels > 1: every
 * edge's ops see only the first C/K channels of its state, the other C - C/K
 * bypass them (max-pooled 2x2 on stride-2 edges), and the edge's output is
 * channel_shuffle(concat(ops, bypass), K). Shuffle and concat are linear and
 * the same for every edge into a node, so a node is built as
 *   shuffle_join(sum_e beta_e sum_k w_ek op_ek(x_a), sum_e beta_e x_b'(e))
 * (beta_e = 1 without edge normalisation): two sums, one join per node, and
 * the slices of a state made once for all its outgoing edges. With edge
 * normalisation (cfg->edge_norm) the betas (one per edge row, "arch.beta_*",
 * after the alphas in ARCH) weigh each edge, softmaxed over a node's edges.
 *
 * Feature modes (SPEC 1.2): random features freeze every convolution (and, by
 * default, the classifier) and make every BN affine, in WEIGHTS; learned
 * features train the convolutions, and BN inside cells is not affine. "Every
 * BN" includes the BN that search cells put after pooling ops: SPEC 3.1 builds
 * it affine=False for DARTS only because every in-cell BN is, and SPEC 1.2
 * switches in-cell BN to affine; SPEC 4.6's RF count (74,592 BN parameters)
 * includes the pooling BNs' gammas and betas, which fixes the choice. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/builder.h"
#include "net/darts_blocks.h"

/* The in-cell BN of the feature mode. */
static int cell_bn(rfnas__netb *b, const char *prefix, int x)
{
    return rfnas__netb_bn(b, prefix, x, b->affine, b->track);
}

/* ReLU of @p x, made on first use and remembered in *@p r. */
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

/* FactorizedReduce (SPEC 3.1) of an already rectified input: 1x1 stride-2
 * convs of x and of x shifted by one pixel, C_out/2 and C_out - C_out/2
 * channels (AutoDL's split; DARTS's for even C_out), concatenated, then BN. */
static int factorized_reduce(rfnas__netb *b, const char *prefix, int relu_x, int64_t cout)
{
    if (b->rc != RFNAS_OK)
        return -1;
    if (cout < 2) {
        b->rc = rfnas__error(RFNAS_E_INVALID,
                             "darts supernet: %s: FactorizedReduce needs 2 or "
                             "more output channels",
                             prefix);
        return -1;
    }
    char p[128];
    int halves[2];
    halves[0] = rfnas__netb_conv(b, sub(p, sizeof p, prefix, "1"), relu_x, cout / 2, 1, 2, 0, 1, 1);
    int shifted = b->rc == RFNAS_OK
                      ? rfnas__netb_check(
                            b, rfnas__node_shift(b->g, sub(p, sizeof p, prefix, "shift"), relu_x))
                      : -1;
    halves[1] =
        rfnas__netb_conv(b, sub(p, sizeof p, prefix, "2"), shifted, cout - cout / 2, 1, 2, 0, 1, 1);
    int cat = b->rc == RFNAS_OK
                  ? rfnas__netb_check(
                        b, rfnas__node_concat(b->g, sub(p, sizeof p, prefix, "concat"), halves, 2))
                  : -1;
    return cell_bn(b, prefix, cat);
}

/* SepConv (SPEC 3.1): the separable block twice, only the first strided. */
static int sep_conv(rfnas__netb *b, const char *prefix, int relu_x, int k, int stride)
{
    const int64_t c = b->rc == RFNAS_OK && relu_x >= 0 ? rfnas__netb_channels(b, relu_x) : 0;
    char p[128], q[128];
    int x = relu_x;
    for (int half = 1; half <= 2; half++) {
        rfnas__netb_name(p, sizeof p, "%s.%d", prefix, half);
        if (half == 2)
            x = rfnas__netb_relu(b, p, x);
        x = rfnas__netb_conv(b, sub(q, sizeof q, p, "dw"), x, c, k, half == 1 ? stride : 1, k / 2,
                             1, (int)c);
        x = rfnas__netb_conv(b, sub(q, sizeof q, p, "pw"), x, c, 1, 1, 0, 1, 1);
        x = cell_bn(b, p, x);
    }
    return x;
}

/* DilConv (SPEC 3.1): depthwise k x k dilation 2 -> pointwise -> BN. */
static int dil_conv(rfnas__netb *b, const char *prefix, int relu_x, int k, int stride)
{
    const int64_t c = b->rc == RFNAS_OK && relu_x >= 0 ? rfnas__netb_channels(b, relu_x) : 0;
    char q[128];
    int x =
        rfnas__netb_conv(b, sub(q, sizeof q, prefix, "dw"), relu_x, c, k, stride, k - 1, 2, (int)c);
    x = rfnas__netb_conv(b, sub(q, sizeof q, prefix, "pw"), x, c, 1, 1, 0, 1, 1);
    return cell_bn(b, prefix, x);
}

/* Whether an op reads its edge's input (noise only takes its shape). */
static int reads_input(rfnas__op op)
{
    return op != RFNAS__OP_NONE && op != RFNAS__OP_NOISE;
}

/* One candidate op on an edge from @p state (its ReLU made on demand in *@p r;
 * -1 for ops that do not read it) into a node of c x oh x ow. Returns the op's
 * output tensor, or -1 for "none" or a failure. */
static int edge_op(rfnas__netb *b, const char *prefix, rfnas__op op, int state, int *r,
                   const char *relu_prefix, int stride, int64_t c, int64_t oh, int64_t ow,
                   uint32_t noise_stream)
{
    if (b->rc != RFNAS_OK || (state < 0 && reads_input(op)))
        return -1;
    switch (op) {
    case RFNAS__OP_NONE: return -1; /* zero: kept in the softmax, skipped in compute */
    case RFNAS__OP_MAX_POOL_3X3:
    case RFNAS__OP_AVG_POOL_3X3: {
        /* Search cells follow pooling with a BN (SPEC 3.1), affine as every in-cell BN. */
        const rfnas__pool_kind kind =
            op == RFNAS__OP_MAX_POOL_3X3 ? RFNAS__POOL_MAX : RFNAS__POOL_AVG;
        char p[128];
        int y = rfnas__netb_check(
            b, rfnas__node_pool(b->g, sub(p, sizeof p, prefix, "pool"), state, kind, 3, stride, 1));
        return cell_bn(b, prefix, y);
    }
    case RFNAS__OP_SKIP_CONNECT:
        return stride == 1 ? state
                           : factorized_reduce(b, prefix, relu_once(b, r, relu_prefix, state), c);
    case RFNAS__OP_SEP_CONV_3X3:
    case RFNAS__OP_SEP_CONV_5X5:
    case RFNAS__OP_SEP_CONV_7X7: {
        const int k = op == RFNAS__OP_SEP_CONV_3X3 ? 3 : op == RFNAS__OP_SEP_CONV_5X5 ? 5 : 7;
        return sep_conv(b, prefix, relu_once(b, r, relu_prefix, state), k, stride);
    }
    case RFNAS__OP_DIL_CONV_3X3:
    case RFNAS__OP_DIL_CONV_5X5:
        return dil_conv(b, prefix, relu_once(b, r, relu_prefix, state),
                        op == RFNAS__OP_DIL_CONV_3X3 ? 3 : 5, stride);
    case RFNAS__OP_NOR_CONV_1X1:
    case RFNAS__OP_NOR_CONV_3X3:
    case RFNAS__OP_NOR_CONV_7X7: {
        /* AutoDL's ReLUConvBN, strided like the DARTS ops. */
        const int k = op == RFNAS__OP_NOR_CONV_1X1 ? 1 : op == RFNAS__OP_NOR_CONV_3X3 ? 3 : 7;
        return cell_bn(b, prefix,
                       rfnas__netb_conv(b, prefix, relu_once(b, r, relu_prefix, state), c, k,
                                        stride, k / 2, 1, 1));
    }
    case RFNAS__OP_NOISE:
        return rfnas__netb_check(
            b, rfnas__node_noise(b->g, prefix, c, oh, ow, b->cfg->seed, noise_stream));
    default:
        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                             "darts supernet: op %s is not available in DARTS cells",
                             rfnas__op_info_of(op)->name);
        return -1;
    }
}

/* The inputs of a cell: the two previous outputs, their ReLUs (made on demand
 * and handed on, so the next cell reuses the ReLU of the output they share),
 * and the preprocessed states, built when an op first reads them. */
typedef struct cell_inputs {
    int cell;
    int64_t c;
    int reduction_prev;
    int s[2];
    int *r[2];
    int pre[2];
} cell_inputs;

static int preprocessed(rfnas__netb *b, cell_inputs *in, int j)
{
    if (in->pre[j] >= 0 || b->rc != RFNAS_OK)
        return in->pre[j];
    char p[128];
    rfnas__netb_name(p, sizeof p, "cells.%d.preprocess%d", in->cell, j);
    if (in->s[0] == in->s[1]) /* the first cell reads the stem output twice: one ReLU */
        *in->r[j] = *in->r[1 - j];
    const int rx = relu_once(b, in->r[j], p, in->s[j]);
    if (j == 0 && in->reduction_prev)
        in->pre[j] = factorized_reduce(b, p, rx, in->c);
    else
        in->pre[j] = cell_bn(b, p, rfnas__netb_conv(b, p, rx, in->c, 1, 1, 0, 1, 1));
    return in->pre[j];
}

/* PC-DARTS: the processed part (first c/K channels) and the bypassed rest of
 * a state, each made once per state for all its outgoing edges. */
typedef struct pc_parts {
    int a[2 + RFNAS__DARTS_NODES];  /* processed slice, -1 until an op reads it */
    int bp[2 + RFNAS__DARTS_NODES]; /* bypass (pooled on stride-2 edges), -1 until made */
} pc_parts;

static int pc_part(rfnas__netb *b, pc_parts *pc, int cell, int j, int state, int64_t cp)
{
    if (pc->a[j] < 0 && b->rc == RFNAS_OK && state >= 0) {
        char p[128];
        rfnas__netb_name(p, sizeof p, "cells.%d.state.%d.part", cell, j);
        pc->a[j] = rfnas__netb_check(b, rfnas__node_slice(b->g, p, state, 0, cp));
    }
    return pc->a[j];
}

static int pc_bypass(rfnas__netb *b, pc_parts *pc, int cell, int j, int state, int64_t c,
                     int64_t cp, int stride)
{
    if (pc->bp[j] >= 0 || b->rc != RFNAS_OK || state < 0)
        return pc->bp[j];
    char p[128], q[128];
    rfnas__netb_name(p, sizeof p, "cells.%d.state.%d.bypass", cell, j);
    int x = rfnas__netb_check(b, rfnas__node_slice(b->g, p, state, cp, c - cp));
    /* A stride-2 edge's ops halve the map: the bypass follows by a 2x2 max pool (SPEC 3.3). */
    if (stride == 2 && b->rc == RFNAS_OK)
        x = rfnas__netb_check(
            b, rfnas__node_pool(b->g, sub(q, sizeof q, p, "pool"), x, RFNAS__POOL_MAX, 2, 2, 0));
    pc->bp[j] = x;
    return x;
}

/* A DARTS search cell at c channels on inputs s0, s1 (ReLUs in *r0, *r1),
 * its mixed nodes weighed by @p alpha and, when >= 0, the betas @p beta.
 * Returns the cell output. */
static int search_cell(rfnas__netb *b, int cell, int s0, int *r0, int s1, int *r1, int64_t c,
                       int reduction, int reduction_prev, int alpha, int beta)
{
    if (b->rc != RFNAS_OK)
        return -1;
    const rfnas_space *space = b->space;
    const int type = reduction ? RFNAS_CELL_REDUCE : RFNAS_CELL_NORMAL;
    const int cols = space->ops_per_edge;
    const rfnas__tensor *t1 = rfnas__graph_tensor_info(b->g, s1);
    const int64_t oh = reduction ? (t1->h + 1) / 2 : t1->h,
                  ow = reduction ? (t1->w + 1) / 2 : t1->w;
    cell_inputs in = {.cell = cell,
                      .c = c,
                      .reduction_prev = reduction_prev,
                      .s = {s0, s1},
                      .r = {r0, r1},
                      .pre = {-1, -1}};
    char p[128], rp[128];
    int states[2 + RFNAS__DARTS_NODES] = {-1, -1, -1, -1, -1, -1};
    int relus[2 + RFNAS__DARTS_NODES] = {-1, -1, -1, -1, -1, -1};
    const int64_t K = b->cfg->partial_channels;
    const int partial = K > 1;
    const int64_t cp = partial ? c / K : c; /* channels through the ops */
    pc_parts pc;
    for (int j = 0; j < 2 + RFNAS__DARTS_NODES; j++)
        pc.a[j] = pc.bp[j] = -1;

    for (int n = 0; n < RFNAS__DARTS_NODES && b->rc == RFNAS_OK; n++) {
        const int target = n + 2, edges = n + 2;
        int ops[(2 + RFNAS__DARTS_NODES) * RFNAS__MAX_OPS], rows[2 + RFNAS__DARTS_NODES];
        int bypass[2 + RFNAS__DARTS_NODES] = {-1, -1, -1, -1, -1, -1};
        int any = 0;
        for (int j = 0; j < edges; j++) {
            const int e = rfnas__edge_index(RFNAS_TOPOLOGY_DARTS, target, j);
            const int stride = reduction && j < 2 ? 2 : 1;
            rows[j] = e;
            /* PC-DARTS: the bypass reads the state whatever the ops are. */
            if (j < 2 && partial)
                states[j] = preprocessed(b, &in, j);
            if (partial)
                bypass[j] = pc_bypass(b, &pc, cell, j, states[j], c, cp, stride);
            rfnas__netb_name(rp, sizeof rp,
                             partial ? "cells.%d.state.%d.part" : "cells.%d.state.%d", cell, j);
            for (int k = 0; k < cols; k++) {
                const rfnas__op op = (rfnas__op)space->ops[type][e][k];
                if (j < 2 && reads_input(op))
                    states[j] = preprocessed(b, &in, j);
                const int x = partial && reads_input(op) ? pc_part(b, &pc, cell, j, states[j], cp)
                                                         : states[j];
                rfnas__netb_name(p, sizeof p, "cells.%d.edge.%d->%d.%s", cell, j, target,
                                 rfnas__op_info_of(op)->name);
                ops[j * cols + k] = edge_op(b, p, op, x, &relus[j], rp, stride, cp, oh, ow,
                                            (uint32_t)(cell * RFNAS__MAX_EDGES + e));
                any |= ops[j * cols + k] >= 0;
            }
        }
        if (b->rc != RFNAS_OK)
            return -1;
        if (!any) {
            /* Every candidate is "none": a zero tensor gives the node its shape
             * (and a zero gradient to the alphas, as the softmax wants). */
            rfnas__netb_name(p, sizeof p, "cells.%d.node.%d.zero", cell, n);
            ops[0] = rfnas__netb_check(b, rfnas__node_zero(b->g, p, cp, oh, ow));
        }
        rfnas__netb_name(p, sizeof p, partial ? "cells.%d.node.%d.ops" : "cells.%d.node.%d", cell,
                         n);
        states[target] = b->rc == RFNAS_OK
                             ? rfnas__netb_check(b, rfnas__node_mixed(b->g, p, ops, rows, edges,
                                                                      cols, alpha, beta))
                             : -1;
        if (partial && b->rc == RFNAS_OK) {
            /* The bypassed channels of every edge, summed (weighed by the betas). */
            rfnas__netb_name(p, sizeof p, "cells.%d.node.%d.bypass", cell, n);
            const int sum_b = rfnas__netb_check(
                b, beta >= 0 ? rfnas__node_mixed(b->g, p, bypass, rows, edges, 1, -1, beta)
                             : rfnas__node_add(b->g, p, bypass, edges));
            rfnas__netb_name(p, sizeof p, "cells.%d.node.%d", cell, n);
            states[target] = b->rc == RFNAS_OK
                                 ? rfnas__netb_check(b, rfnas__node_shuffle_join(
                                                            b->g, p, states[target], sum_b, (int)K))
                                 : -1;
        }
    }
    if (b->rc != RFNAS_OK)
        return -1;
    /* A cell that never reads its previous cell's output would leave that
     * output (or the stem) without a consumer, and the graph runs the backward
     * of every node with trained parameters, gradient or not. */
    if (in.pre[1] < 0) {
        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                             "darts supernet: in space %s, %s cells never read their previous "
                             "cell's output (every op on edges from input 1 is none or noise)",
                             space->name, reduction ? "reduction" : "normal");
        return -1;
    }
    rfnas__netb_name(p, sizeof p, "cells.%d", cell);
    return rfnas__netb_check(b, rfnas__node_concat(b->g, p, states + 2, RFNAS__DARTS_NODES));
}

static void build(rfnas__netb *b, rfnas__net *net)
{
    const rfnas__net_config *cfg = b->cfg;
    const rfnas_space *space = b->space;
    const size_t alpha_size = (size_t)(space->edges * space->ops_per_edge);

    net->input = rfnas__netb_check(
        b, rfnas__graph_tensor(b->g, cfg->in_c, cfg->in_h, cfg->in_w, RFNAS__LAYOUT_PLAIN));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_input(b->g, net->input));
    net->alpha[0] = rfnas__netb_param(b, "arch.alpha_normal", RFNAS__GROUP_ARCH, alpha_size);
    net->alpha[1] = rfnas__netb_param(b, "arch.alpha_reduce", RFNAS__GROUP_ARCH, alpha_size);
    /* Betas after both alphas: the ARCH layout the public header documents. */
    if (cfg->edge_norm) {
        net->beta[0] =
            rfnas__netb_param(b, "arch.beta_normal", RFNAS__GROUP_ARCH, (size_t)space->edges);
        net->beta[1] =
            rfnas__netb_param(b, "arch.beta_reduce", RFNAS__GROUP_ARCH, (size_t)space->edges);
    }

    /* The stem BN is affine in both modes (PyTorch's default, SPEC 4.1) and tracked. */
    const int64_t stem_c = cfg->stem_multiplier * cfg->channels;
    int stem = rfnas__netb_conv(b, "stem", net->input, stem_c, 3, 1, 1, 1, 1);
    int s1 = rfnas__netb_bn(b, "stem", stem, 1, 1);
    int s0 = s1, r0 = -1, r1 = -1;
    int64_t c = cfg->channels;
    int reduction_prev = 0;
    const int64_t red_a = cfg->cells / 3, red_b = 2 * cfg->cells / 3;
    for (int64_t i = 0; i < cfg->cells && b->rc == RFNAS_OK; i++) {
        const int reduction = i == red_a || i == red_b;
        if (reduction)
            c *= 2;
        int out = search_cell(b, (int)i, s0, &r0, s1, &r1, c, reduction, reduction_prev,
                              net->alpha[reduction ? 1 : 0], net->beta[reduction ? 1 : 0]);
        /* (s0, s1) <- (s1, out); s1's ReLU, if made, serves the next preprocess0. */
        s0 = s1;
        r0 = r1;
        s1 = out;
        r1 = -1;
        reduction_prev = reduction;
    }
    rfnas__netb_head(b, net, s1);
}

/* PC-DARTS shapes (SPEC 3.3, 13): K must divide every cell's channels, and a
 * stride-2 skip_connect is a FactorizedReduce of C/K channels, which needs
 * C/K even (two halves of C/K/2). Refused here, before anything is built. */
static rfnas_status check_partial(const rfnas_space *space, const rfnas__net_config *cfg)
{
    const int64_t K = cfg->partial_channels;
    if (K < 0 || K > 64 || cfg->edge_norm < 0 || cfg->edge_norm > 1)
        return rfnas__error(RFNAS_E_INVALID,
                            "darts supernet: partial channels %lld (0..64) or edge "
                            "normalisation %d (0|1) out of range",
                            (long long)K, cfg->edge_norm);
    if (K <= 1)
        return RFNAS_OK;
    int reduce_fr = 0; /* a skip_connect on an edge from a reduction cell's inputs */
    for (int n = 0; n < RFNAS__DARTS_NODES; n++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < space->ops_per_edge; k++)
                reduce_fr |=
                    space->ops[RFNAS_CELL_REDUCE][rfnas__edge_index(RFNAS_TOPOLOGY_DARTS, n + 2, j)]
                              [k] == RFNAS__OP_SKIP_CONNECT;
    int64_t c = cfg->channels;
    const int64_t red_a = cfg->cells / 3, red_b = 2 * cfg->cells / 3;
    for (int64_t i = 0; i < cfg->cells; i++) {
        const int reduction = i == red_a || i == red_b;
        if (reduction)
            c *= 2;
        if (c % K != 0)
            return rfnas__error(RFNAS_E_INVALID,
                                "darts supernet: partial channels K=%lld do not divide the %lld "
                                "channels of cell %lld (C must be divisible by K in every cell)",
                                (long long)K, (long long)c, (long long)i);
        if (reduction && reduce_fr && (c / K) % 2 != 0)
            return rfnas__error(RFNAS_E_INVALID,
                                "darts supernet: reduction cell %lld has %lld channels, C/K=%lld "
                                "with K=%lld is odd, and its stride-2 skip_connect is a "
                                "FactorizedReduce of C/K channels, which needs them even",
                                (long long)i, (long long)c, (long long)(c / K), (long long)K);
    }
    return RFNAS_OK;
}

rfnas_status rfnas__darts_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                                const rfnas__net_config *cfg)
{
    memset(net, 0, sizeof *net);
    net->cfg = *cfg;
    net->alpha[0] = net->alpha[1] = net->beta[0] = net->beta[1] = -1;
    if (space->topology != RFNAS_TOPOLOGY_DARTS || space->edges != RFNAS__MAX_EDGES)
        return rfnas__error(RFNAS_E_MISMATCH, "darts supernet: space %s is not a DARTS space",
                            space->name);
    if (cfg->channels < 1 || cfg->cells < 1 || cfg->classes < 2 || cfg->in_c < 1 || cfg->in_h < 1 ||
        cfg->in_w < 1 || cfg->stem_multiplier < 1 || cfg->max_batch < 1)
        return rfnas__error(RFNAS_E_INVALID,
                            "darts supernet: bad channels, cells, classes, stem multiplier, "
                            "batch or input");
    if (cfg->cells > 4096 || cfg->channels > (1 << 20))
        return rfnas__error(RFNAS_E_INVALID,
                            "darts supernet: %lld cells of %lld channels is "
                            "beyond any use",
                            (long long)cfg->cells, (long long)cfg->channels);
    RFNAS__TRY(check_partial(space, cfg));
    /* At most 4 convolutions per op (SepConv), 3 per cell's preprocessing,
     * then the stem and the classifier. */
    rfnas__netb bb, *b = &bb;
    rfnas__netb_begin(b, net, ctx, space, cfg,
                      (int)cfg->cells * (RFNAS__MAX_EDGES * space->ops_per_edge * 4 + 3) + 2);
    if (b->rc == RFNAS_OK)
        build(b, net);
    return rfnas__netb_end(b, net);
}

/* ---- the op blocks, for the discrete network of a genotype (darts_eval.c) ----
 * Thin entry points rather than a separate file, so that the search and the
 * evaluation networks build SepConv, DilConv and FactorizedReduce from one
 * definition. Their BN follows b->affine and b->track. */

int rfnas__darts_sep_conv(rfnas__netb *b, const char *prefix, int relu_x, int k, int stride)
{
    return sep_conv(b, prefix, relu_x, k, stride);
}

int rfnas__darts_dil_conv(rfnas__netb *b, const char *prefix, int relu_x, int k, int stride)
{
    return dil_conv(b, prefix, relu_x, k, stride);
}

int rfnas__darts_factorized_reduce(rfnas__netb *b, const char *prefix, int relu_x, int64_t cout)
{
    return factorized_reduce(b, prefix, relu_x, cout);
}
