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

#include "net/net.h"
#include "net/nodes.h"

typedef struct builder {
    rfnas__graph *g;
    const rfnas__net_config *cfg;
    const rfnas_space *space;
    rfnas_status rc;
    int affine; /* in-cell BN (preprocessing and ops) */
    int track;  /* in-cell BN keeps running statistics */
    /* Weights to initialise after finalize, with their fan-in. */
    int *weight;
    size_t *fan_in;
    int n_weights, cap_weights;
} builder;

/* snprintf for names. Names are short (at most about 60 of their 128 bytes:
 * "cells.19.edge.4->5.sep_conv_3x3.2.dw.conv.weight"), but the compiler cannot
 * prove it for nested prefixes; through vsnprintf it does not try. */
static void name_fmt(char *buf, size_t size, const char *fmt, ...) RFNAS__PRINTF(3, 4);
static void name_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static void remember_weight(builder *b, int param, size_t fan_in)
{
    if (b->n_weights == b->cap_weights) { /* the capacity is an upper bound: a bug if reached */
        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED, "darts supernet: more than %d weight tensors",
                             b->cap_weights);
        return;
    }
    b->weight[b->n_weights] = param;
    b->fan_in[b->n_weights++] = fan_in;
}

/* Records the first failure; later calls become no-ops that return -1. */
static int check(builder *b, int id)
{
    if (id < 0 && b->rc == RFNAS_OK)
        b->rc = (rfnas_status)id;
    return id;
}

static int param(builder *b, const char *name, rfnas__group group, size_t size)
{
    if (b->rc != RFNAS_OK)
        return -1;
    return check(b, rfnas__graph_param(b->g, name, group, size));
}

static int64_t channels_of(const builder *b, int x)
{
    return rfnas__graph_tensor_info(b->g, x)->c;
}

/* Bias-free convolution "<prefix>.conv" with weight "<prefix>.conv.weight". */
static int conv(builder *b, const char *prefix, int x, int64_t cout, int k, int stride, int pad,
                int dilation, int groups)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    const rfnas__group group =
        b->cfg->features == RFNAS__FEATURES_RANDOM ? RFNAS__GROUP_FROZEN : RFNAS__GROUP_WEIGHTS;
    char name[128];
    name_fmt(name, sizeof name, "%s.conv.weight", prefix);
    const size_t fan_in = (size_t)(channels_of(b, x) / groups * k * k);
    int w = param(b, name, group, (size_t)cout * fan_in);
    if (w < 0)
        return -1;
    remember_weight(b, w, fan_in);
    name_fmt(name, sizeof name, "%s.conv", prefix);
    return b->rc == RFNAS_OK ? check(b, rfnas__node_conv(b->g, name, x, cout, k, stride, pad,
                                                         dilation, groups, w))
                             : -1;
}

/* BN "<prefix>.bn", affine parameters in WEIGHTS (or none), running statistics if tracked. */
static int bn(builder *b, const char *prefix, int x, int affine, int track)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    const int64_t c = channels_of(b, x);
    char name[128];
    int gamma = -1, beta = -1, rm = -1, rv = -1;
    if (affine) {
        name_fmt(name, sizeof name, "%s.bn.gamma", prefix);
        gamma = param(b, name, RFNAS__GROUP_WEIGHTS, (size_t)c);
        name_fmt(name, sizeof name, "%s.bn.beta", prefix);
        beta = param(b, name, RFNAS__GROUP_WEIGHTS, (size_t)c);
    }
    if (track) {
        name_fmt(name, sizeof name, "%s.bn.running_mean", prefix);
        rm = param(b, name, RFNAS__GROUP_STATE, (size_t)c);
        name_fmt(name, sizeof name, "%s.bn.running_var", prefix);
        rv = param(b, name, RFNAS__GROUP_STATE, (size_t)c);
    }
    if (b->rc != RFNAS_OK)
        return -1;
    name_fmt(name, sizeof name, "%s.bn", prefix);
    return check(b, rfnas__node_bn(b->g, name, x, gamma, beta, rm, rv));
}

/* The in-cell BN of the feature mode. */
static int cell_bn(builder *b, const char *prefix, int x)
{
    return bn(b, prefix, x, b->affine, b->track);
}

static int relu(builder *b, const char *prefix, int x)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    char name[128];
    name_fmt(name, sizeof name, "%s.relu", prefix);
    return check(b, rfnas__node_relu(b->g, name, x));
}

/* ReLU of @p x, made on first use and remembered in *@p r. */
static int relu_once(builder *b, int *r, const char *prefix, int x)
{
    if (*r < 0)
        *r = relu(b, prefix, x);
    return *r;
}

static const char *sub(char *buf, size_t size, const char *prefix, const char *tail)
{
    name_fmt(buf, size, "%s.%s", prefix, tail);
    return buf;
}

/* FactorizedReduce (SPEC 3.1) of an already rectified input: 1x1 stride-2
 * convs of x and of x shifted by one pixel, C_out/2 and C_out - C_out/2
 * channels (AutoDL's split; DARTS's for even C_out), concatenated, then BN. */
static int factorized_reduce(builder *b, const char *prefix, int relu_x, int64_t cout)
{
    if (b->rc != RFNAS_OK)
        return -1;
    if (cout < 2) {
        b->rc = rfnas__error(RFNAS_E_INVALID, "darts supernet: %s: FactorizedReduce needs 2 or "
                             "more output channels", prefix);
        return -1;
    }
    char p[128];
    int halves[2];
    halves[0] = conv(b, sub(p, sizeof p, prefix, "1"), relu_x, cout / 2, 1, 2, 0, 1, 1);
    int shifted = b->rc == RFNAS_OK
                      ? check(b, rfnas__node_shift(b->g, sub(p, sizeof p, prefix, "shift"), relu_x))
                      : -1;
    halves[1] = conv(b, sub(p, sizeof p, prefix, "2"), shifted, cout - cout / 2, 1, 2, 0, 1, 1);
    int cat = b->rc == RFNAS_OK
                  ? check(b, rfnas__node_concat(b->g, sub(p, sizeof p, prefix, "concat"), halves, 2))
                  : -1;
    return cell_bn(b, prefix, cat);
}

/* SepConv (SPEC 3.1): the separable block twice, only the first strided. */
static int sep_conv(builder *b, const char *prefix, int relu_x, int k, int stride)
{
    const int64_t c = b->rc == RFNAS_OK && relu_x >= 0 ? channels_of(b, relu_x) : 0;
    char p[128], q[128];
    int x = relu_x;
    for (int half = 1; half <= 2; half++) {
        name_fmt(p, sizeof p, "%s.%d", prefix, half);
        if (half == 2)
            x = relu(b, p, x);
        x = conv(b, sub(q, sizeof q, p, "dw"), x, c, k, half == 1 ? stride : 1, k / 2, 1, (int)c);
        x = conv(b, sub(q, sizeof q, p, "pw"), x, c, 1, 1, 0, 1, 1);
        x = cell_bn(b, p, x);
    }
    return x;
}

/* DilConv (SPEC 3.1): depthwise k x k dilation 2 -> pointwise -> BN. */
static int dil_conv(builder *b, const char *prefix, int relu_x, int k, int stride)
{
    const int64_t c = b->rc == RFNAS_OK && relu_x >= 0 ? channels_of(b, relu_x) : 0;
    char q[128];
    int x = conv(b, sub(q, sizeof q, prefix, "dw"), relu_x, c, k, stride, k - 1, 2, (int)c);
    x = conv(b, sub(q, sizeof q, prefix, "pw"), x, c, 1, 1, 0, 1, 1);
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
static int edge_op(builder *b, const char *prefix, rfnas__op op, int state, int *r,
                   const char *relu_prefix, int stride, int64_t c, int64_t oh, int64_t ow,
                   uint32_t noise_stream)
{
    if (b->rc != RFNAS_OK || (state < 0 && reads_input(op)))
        return -1;
    switch (op) {
    case RFNAS__OP_NONE:
        return -1; /* zero: kept in the softmax, skipped in compute */
    case RFNAS__OP_MAX_POOL_3X3:
    case RFNAS__OP_AVG_POOL_3X3: {
        /* Search cells follow pooling with a BN (SPEC 3.1), affine as every in-cell BN. */
        const rfnas__pool_kind kind =
            op == RFNAS__OP_MAX_POOL_3X3 ? RFNAS__POOL_MAX : RFNAS__POOL_AVG;
        char p[128];
        int y = check(b, rfnas__node_pool(b->g, sub(p, sizeof p, prefix, "pool"), state, kind, 3,
                                          stride, 1));
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
        return cell_bn(b, prefix, conv(b, prefix, relu_once(b, r, relu_prefix, state), c, k,
                                       stride, k / 2, 1, 1));
    }
    case RFNAS__OP_NOISE:
        return check(b, rfnas__node_noise(b->g, prefix, c, oh, ow, b->cfg->seed, noise_stream));
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

static int preprocessed(builder *b, cell_inputs *in, int j)
{
    if (in->pre[j] >= 0 || b->rc != RFNAS_OK)
        return in->pre[j];
    char p[128];
    name_fmt(p, sizeof p, "cells.%d.preprocess%d", in->cell, j);
    if (in->s[0] == in->s[1]) /* the first cell reads the stem output twice: one ReLU */
        *in->r[j] = *in->r[1 - j];
    const int rx = relu_once(b, in->r[j], p, in->s[j]);
    if (j == 0 && in->reduction_prev)
        in->pre[j] = factorized_reduce(b, p, rx, in->c);
    else
        in->pre[j] = cell_bn(b, p, conv(b, p, rx, in->c, 1, 1, 0, 1, 1));
    return in->pre[j];
}

/* A DARTS search cell at c channels on inputs s0, s1 (ReLUs in *r0, *r1).
 * Returns the cell output. */
static int search_cell(builder *b, int cell, int s0, int *r0, int s1, int *r1, int64_t c,
                       int reduction, int reduction_prev, int alpha)
{
    if (b->rc != RFNAS_OK)
        return -1;
    const rfnas_space *space = b->space;
    const int type = reduction ? RFNAS_CELL_REDUCE : RFNAS_CELL_NORMAL;
    const int cols = space->ops_per_edge;
    const rfnas__tensor *t1 = rfnas__graph_tensor_info(b->g, s1);
    const int64_t oh = reduction ? (t1->h + 1) / 2 : t1->h, ow = reduction ? (t1->w + 1) / 2 : t1->w;
    cell_inputs in = {.cell = cell, .c = c, .reduction_prev = reduction_prev, .s = {s0, s1},
                      .r = {r0, r1}, .pre = {-1, -1}};
    char p[128], rp[128];
    int states[2 + RFNAS__DARTS_NODES] = {-1, -1, -1, -1, -1, -1};
    int relus[2 + RFNAS__DARTS_NODES] = {-1, -1, -1, -1, -1, -1};

    for (int n = 0; n < RFNAS__DARTS_NODES && b->rc == RFNAS_OK; n++) {
        const int target = n + 2, edges = n + 2;
        int ops[(2 + RFNAS__DARTS_NODES) * RFNAS__MAX_OPS], rows[2 + RFNAS__DARTS_NODES];
        int any = 0;
        for (int j = 0; j < edges; j++) {
            const int e = rfnas__edge_index(RFNAS_TOPOLOGY_DARTS, target, j);
            const int stride = reduction && j < 2 ? 2 : 1;
            rows[j] = e;
            name_fmt(rp, sizeof rp, "cells.%d.state.%d", cell, j);
            for (int k = 0; k < cols; k++) {
                const rfnas__op op = (rfnas__op)space->ops[type][e][k];
                if (j < 2 && reads_input(op))
                    states[j] = preprocessed(b, &in, j);
                name_fmt(p, sizeof p, "cells.%d.edge.%d->%d.%s", cell, j, target,
                         rfnas__op_info_of(op)->name);
                ops[j * cols + k] = edge_op(b, p, op, states[j], &relus[j], rp, stride, c, oh, ow,
                                            (uint32_t)(cell * RFNAS__MAX_EDGES + e));
                any |= ops[j * cols + k] >= 0;
            }
        }
        if (b->rc != RFNAS_OK)
            return -1;
        if (!any) {
            /* Every candidate is "none": a zero tensor gives the node its shape
             * (and a zero gradient to the alphas, as the softmax wants). */
            name_fmt(p, sizeof p, "cells.%d.node.%d.zero", cell, n);
            ops[0] = check(b, rfnas__node_zero(b->g, p, c, oh, ow));
        }
        name_fmt(p, sizeof p, "cells.%d.node.%d", cell, n);
        states[target] = b->rc == RFNAS_OK ? check(b, rfnas__node_mixed(b->g, p, ops, rows, edges,
                                                                         cols, alpha, -1))
                                           : -1;
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
    name_fmt(p, sizeof p, "cells.%d", cell);
    return check(b, rfnas__node_concat(b->g, p, states + 2, RFNAS__DARTS_NODES));
}

/* Fills every parameter with its initial value (SPEC 2.6, 5.1), as the NB201
 * builder does: weights from their fan-in, BN gamma 1 and beta 0, running
 * mean 0 and variance 1, alphas 1e-3 N(0, 1), the classifier's bias
 * U(+-1/sqrt(fan_in)) (zero under Kaiming initialisation). Values are keyed by
 * parameter name, so the two builders agree on the scheme. */
static void initialise(builder *b, rfnas__net *net, int classifier_weight)
{
    rfnas__graph *g = net->graph;
    const rfnas__net_config *cfg = &net->cfg;
    for (int i = 0; i < rfnas__graph_param_count(g); i++) {
        const rfnas__param *p = rfnas__graph_param_info(g, i);
        float *v = rfnas__graph_param_value(g, i);
        const char *tail = strrchr(p->name, '.');
        tail = tail ? tail + 1 : p->name;
        const float fill = strcmp(tail, "gamma") == 0 || strcmp(tail, "running_var") == 0 ? 1.0f
                                                                                            : 0.0f;
        for (size_t k = 0; k < p->size; k++)
            v[k] = fill;
        if (p->group == RFNAS__GROUP_ARCH)
            rfnas__init_normal(v, p->size, 1e-3, cfg->seed, p->name);
    }
    for (int k = 0; k < b->n_weights; k++) {
        const rfnas__param *p = rfnas__graph_param_info(g, b->weight[k]);
        rfnas__init_weights(rfnas__graph_param_value(g, b->weight[k]), p->size, b->fan_in[k],
                            cfg->init, cfg->seed, p->name);
        if (b->weight[k] == classifier_weight && cfg->init == RFNAS__INIT_PYTORCH) {
            const int bias = classifier_weight + 1; /* created right after the weight */
            const rfnas__param *pb = rfnas__graph_param_info(g, bias);
            rfnas__init_uniform(rfnas__graph_param_value(g, bias), pb->size,
                                1.0 / sqrt((double)b->fan_in[k]), cfg->seed, pb->name);
        }
    }
}

static void build(builder *b, rfnas__net *net)
{
    const rfnas__net_config *cfg = b->cfg;
    const rfnas_space *space = b->space;
    const int rf = cfg->features == RFNAS__FEATURES_RANDOM;
    const size_t alpha_size = (size_t)(space->edges * space->ops_per_edge);

    net->input = check(b, rfnas__graph_tensor(b->g, cfg->in_c, cfg->in_h, cfg->in_w,
                                              RFNAS__LAYOUT_PLAIN));
    if (b->rc == RFNAS_OK)
        check(b, rfnas__graph_mark_input(b->g, net->input));
    net->alpha[0] = param(b, "arch.alpha_normal", RFNAS__GROUP_ARCH, alpha_size);
    net->alpha[1] = param(b, "arch.alpha_reduce", RFNAS__GROUP_ARCH, alpha_size);

    /* The stem BN is affine in both modes (PyTorch's default, SPEC 4.1) and tracked. */
    const int64_t stem_c = cfg->stem_multiplier * cfg->channels;
    int s1 = bn(b, "stem", conv(b, "stem", net->input, stem_c, 3, 1, 1, 1, 1), 1, 1);
    int s0 = s1, r0 = -1, r1 = -1;
    int64_t c = cfg->channels;
    int reduction_prev = 0;
    const int64_t red_a = cfg->cells / 3, red_b = 2 * cfg->cells / 3;
    for (int64_t i = 0; i < cfg->cells && b->rc == RFNAS_OK; i++) {
        const int reduction = i == red_a || i == red_b;
        if (reduction)
            c *= 2;
        int out = search_cell(b, (int)i, s0, &r0, s1, &r1, c, reduction, reduction_prev,
                              net->alpha[reduction ? 1 : 0]);
        /* (s0, s1) <- (s1, out); s1's ReLU, if made, serves the next preprocess0. */
        s0 = s1;
        r0 = r1;
        s1 = out;
        r1 = -1;
        reduction_prev = reduction;
    }
    const int64_t c_last = b->rc == RFNAS_OK ? channels_of(b, s1) : 0;
    int pooled = b->rc == RFNAS_OK ? check(b, rfnas__node_gap(b->g, "gap", s1)) : -1;
    const rfnas__group head =
        rf && !cfg->train_classifier ? RFNAS__GROUP_FROZEN : RFNAS__GROUP_WEIGHTS;
    int w = param(b, "classifier.weight", head, (size_t)(cfg->classes * c_last));
    int bias = param(b, "classifier.bias", head, (size_t)cfg->classes);
    if (b->rc == RFNAS_OK)
        remember_weight(b, w, (size_t)c_last);
    net->logits = b->rc == RFNAS_OK
                      ? check(b, rfnas__node_linear(b->g, "classifier", pooled, (int)cfg->classes,
                                                    w, bias))
                      : -1;
    net->loss = b->rc == RFNAS_OK
                    ? check(b, rfnas__node_xent(b->g, "loss", net->logits, &net->labels, 1.0))
                    : -1;
    if (b->rc == RFNAS_OK)
        check(b, rfnas__graph_mark_output(b->g, net->logits));
    if (b->rc == RFNAS_OK)
        check(b, rfnas__graph_mark_output(b->g, net->loss));
    if (b->rc == RFNAS_OK)
        check(b, rfnas__graph_finalize(b->g));
    if (b->rc == RFNAS_OK)
        initialise(b, net, w);
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
    if (cfg->channels < 1 || cfg->cells < 1 || cfg->classes < 2 || cfg->in_c < 1 ||
        cfg->in_h < 1 || cfg->in_w < 1 || cfg->stem_multiplier < 1 || cfg->max_batch < 1)
        return rfnas__error(RFNAS_E_INVALID,
                            "darts supernet: bad channels, cells, classes, stem multiplier, "
                            "batch or input");
    if (cfg->cells > 4096 || cfg->channels > (1 << 20))
        return rfnas__error(RFNAS_E_INVALID, "darts supernet: %lld cells of %lld channels is "
                            "beyond any use", (long long)cfg->cells, (long long)cfg->channels);
    RFNAS__TRY(rfnas__graph_create(&net->graph, ctx, cfg->max_batch));
    builder *b = rfnas__calloc(ctx, 1, sizeof *b);
    /* At most 4 convolutions per op (SepConv), 3 per cell's preprocessing,
     * then the stem and the classifier. */
    const int cap = (int)cfg->cells * (RFNAS__MAX_EDGES * space->ops_per_edge * 4 + 3) + 2;
    int *weight = rfnas__calloc(ctx, (size_t)cap, sizeof *weight);
    size_t *fan_in = rfnas__calloc(ctx, (size_t)cap, sizeof *fan_in);
    rfnas_status rc;
    if (b == NULL || weight == NULL || fan_in == NULL) {
        rc = RFNAS__NOMEM("darts supernet builder");
    } else {
        *b = (builder){.g = net->graph, .cfg = &net->cfg, .space = space, .rc = RFNAS_OK,
                       .affine = cfg->features == RFNAS__FEATURES_RANDOM,
                       .track = cfg->track_running_stats, .weight = weight, .fan_in = fan_in,
                       .cap_weights = cap};
        build(b, net);
        rc = b->rc;
    }
    rfnas__free(ctx, fan_in);
    rfnas__free(ctx, weight);
    rfnas__free(ctx, b);
    if (rc != RFNAS_OK) {
        rfnas__net_destroy(net);
        return rc;
    }
    return RFNAS_OK;
}
