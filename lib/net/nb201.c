/* The NAS-Bench-201 search supernet (SPEC 4.2, 3.2; DARTS-V1's TinyNetworkDarts)
 * as a graph:
 *
 *   stem: conv 3x3 (in -> C) -> BN
 *   stage s = 0, 1, 2: (s > 0: residual block C_s/2 -> C_s, stride 2), N search cells at C_s
 *   head: BN -> ReLU -> global average pool -> linear -> cross-entropy
 *
 * A search cell has nodes 0..3 (0 is its input); node i sums, over j < i, the
 * mixed edge i <- j: softmax(alpha[row]) weighting none, skip_connect,
 * nor_conv_1x1, nor_conv_3x3, avg_pool_3x3 (or a custom list of those). The
 * ReLU that every conv op applies to node j is computed once per node, and
 * the whole sum into node i is one mixed node (DESIGN 3). All cells share one
 * alpha matrix. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "net/net.h"
#include "net/nodes.h"

enum { MAX_WEIGHTS = 1024 };

typedef struct builder {
    rfnas__graph *g;
    const rfnas__net_config *cfg;
    rfnas_status rc;
    /* Weights to initialise after finalize, with their fan-in. */
    int weight[MAX_WEIGHTS];
    size_t fan_in[MAX_WEIGHTS];
    int n_weights;
} builder;

static void remember_weight(builder *b, int param, size_t fan_in)
{
    if (b->n_weights == MAX_WEIGHTS) {
        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED, "supernet: more than %d weight tensors",
                             MAX_WEIGHTS);
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

static rfnas__group conv_group(const builder *b)
{
    return b->cfg->features == RFNAS__FEATURES_RANDOM ? RFNAS__GROUP_FROZEN : RFNAS__GROUP_WEIGHTS;
}

static int param(builder *b, const char *name, rfnas__group group, size_t size)
{
    if (b->rc != RFNAS_OK)
        return -1;
    return check(b, rfnas__graph_param(b->g, name, group, size));
}

static int conv(builder *b, const char *prefix, int x, int64_t cout, int k, int stride, int pad)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    const rfnas__tensor *t = rfnas__graph_tensor_info(b->g, x);
    char name[128];
    snprintf(name, sizeof name, "%s.conv.weight", prefix);
    size_t fan_in = (size_t)(t->c * k * k);
    int w = param(b, name, conv_group(b), (size_t)cout * fan_in);
    if (w < 0)
        return -1;
    remember_weight(b, w, fan_in);
    snprintf(name, sizeof name, "%s.conv", prefix);
    return check(b, rfnas__node_conv(b->g, name, x, cout, k, stride, pad, 1, 1, w));
}

/* BN with affine parameters trained in WEIGHTS (or none), running statistics if tracked. */
static int bn(builder *b, const char *prefix, int x, int affine, int track)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    const int64_t c = rfnas__graph_tensor_info(b->g, x)->c;
    char name[128];
    int gamma = -1, beta = -1, rm = -1, rv = -1;
    if (affine) {
        snprintf(name, sizeof name, "%s.bn.gamma", prefix);
        gamma = param(b, name, RFNAS__GROUP_WEIGHTS, (size_t)c);
        snprintf(name, sizeof name, "%s.bn.beta", prefix);
        beta = param(b, name, RFNAS__GROUP_WEIGHTS, (size_t)c);
    }
    if (track) {
        snprintf(name, sizeof name, "%s.bn.running_mean", prefix);
        rm = param(b, name, RFNAS__GROUP_STATE, (size_t)c);
        snprintf(name, sizeof name, "%s.bn.running_var", prefix);
        rv = param(b, name, RFNAS__GROUP_STATE, (size_t)c);
    }
    if (b->rc != RFNAS_OK)
        return -1;
    snprintf(name, sizeof name, "%s.bn", prefix);
    return check(b, rfnas__node_bn(b->g, name, x, gamma, beta, rm, rv));
}

static int relu(builder *b, const char *prefix, int x)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    char name[128];
    snprintf(name, sizeof name, "%s.relu", prefix);
    return check(b, rfnas__node_relu(b->g, name, x));
}

/* ReLU -> conv -> BN, the ReLU given already applied (shared per node). */
static int conv_bn(builder *b, const char *prefix, int relu_x, int64_t cout, int k, int stride,
                   int pad, int affine, int track)
{
    return bn(b, prefix, conv(b, prefix, relu_x, cout, k, stride, pad), affine, track);
}

static int search_cell(builder *b, int cell, int x, int alpha, const rfnas_space *space)
{
    if (b->rc != RFNAS_OK)
        return -1;
    const int rf = b->cfg->features == RFNAS__FEATURES_RANDOM;
    const int track = b->cfg->track_running_stats;
    const int64_t c = rfnas__graph_tensor_info(b->g, x)->c;
    int nodes[4] = {x, -1, -1, -1};
    int relus[4] = {-1, -1, -1, -1};
    const int cols = space->ops_per_edge;
    for (int i = 1; i <= 3 && b->rc == RFNAS_OK; i++) {
        int ops[3 * RFNAS__MAX_OPS], rows[3];
        for (int j = 0; j < i; j++) {
            const int e = rfnas__edge_index(RFNAS_TOPOLOGY_NB201, i, j);
            rows[j] = e;
            for (int k = 0; k < cols; k++) {
                const rfnas__op op = (rfnas__op)space->ops[0][e][k];
                char prefix[128];
                snprintf(prefix, sizeof prefix, "cells.%d.edge.%d->%d.%s", cell, j, i,
                         rfnas__op_info_of(op)->name);
                int out = -1;
                switch (op) {
                case RFNAS__OP_NONE:
                    break; /* zero: kept in the softmax, skipped in compute */
                case RFNAS__OP_SKIP_CONNECT:
                    out = nodes[j];
                    break;
                case RFNAS__OP_AVG_POOL_3X3:
                    out = check(b, rfnas__node_pool(b->g, prefix, nodes[j], RFNAS__POOL_AVG, 3, 1,
                                                    1));
                    break;
                case RFNAS__OP_MAX_POOL_3X3:
                    out = check(b, rfnas__node_pool(b->g, prefix, nodes[j], RFNAS__POOL_MAX, 3, 1,
                                                    1));
                    break;
                case RFNAS__OP_NOR_CONV_1X1:
                case RFNAS__OP_NOR_CONV_3X3:
                case RFNAS__OP_NOR_CONV_7X7: {
                    if (relus[j] < 0) {
                        char rp[64];
                        snprintf(rp, sizeof rp, "cells.%d.node.%d", cell, j);
                        relus[j] = relu(b, rp, nodes[j]);
                    }
                    const int ks = op == RFNAS__OP_NOR_CONV_1X1 ? 1
                                   : op == RFNAS__OP_NOR_CONV_3X3 ? 3 : 7;
                    out = conv_bn(b, prefix, relus[j], c, ks, 1, ks / 2, rf, track);
                    break;
                }
                default:
                    if (b->rc == RFNAS_OK)
                        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                                             "nb201 supernet: op %s is not available in "
                                             "NAS-Bench-201 cells",
                                             rfnas__op_info_of(op)->name);
                }
                ops[j * cols + k] = out;
            }
        }
        if (b->rc != RFNAS_OK)
            return -1;
        char name[64];
        snprintf(name, sizeof name, "cells.%d.node.%d", cell, i);
        nodes[i] = check(b, rfnas__node_mixed(b->g, name, ops, rows, i, cols, alpha, -1));
    }
    return nodes[3];
}

/* ResNet basic block, stride 2 (SPEC 3.2): a = ReLU-conv3x3/2-BN-ReLU-conv3x3-BN;
 * shortcut = avgpool 2x2/2 -> conv 1x1; out = a + shortcut. BN affine, tracked. */
static int res_block(builder *b, int index, int x, int64_t cout)
{
    if (b->rc != RFNAS_OK)
        return -1;
    char p[64];
    snprintf(p, sizeof p, "reduce.%d.a", index);
    int a = conv_bn(b, p, relu(b, p, x), cout, 3, 2, 1, 1, 1);
    snprintf(p, sizeof p, "reduce.%d.b", index);
    a = conv_bn(b, p, relu(b, p, a), cout, 3, 1, 1, 1, 1);
    snprintf(p, sizeof p, "reduce.%d.shortcut", index);
    int s = b->rc == RFNAS_OK
                ? check(b, rfnas__node_pool(b->g, p, x, RFNAS__POOL_AVG, 2, 2, 0))
                : -1;
    s = conv(b, p, s, cout, 1, 1, 0);
    if (b->rc != RFNAS_OK)
        return -1;
    snprintf(p, sizeof p, "reduce.%d", index);
    const int in[2] = {a, s};
    return check(b, rfnas__node_add(b->g, p, in, 2));
}

/* Fills every parameter with its initial value (SPEC 2.6, 5.2): weights from
 * their fan-in, BN gamma 1 and beta 0, running mean 0 and variance 1, alphas
 * 1e-3 N(0, 1), the classifier's bias U(+-1/sqrt(fan_in)) (zero under Kaiming
 * initialisation, as the peer does). */
static void initialise(builder *b, rfnas__net *net)
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
        if (strncmp(p->name, "arch.", 5) == 0)
            rfnas__init_normal(v, p->size, 1e-3, cfg->seed, p->name);
    }
    for (int k = 0; k < b->n_weights; k++) {
        const rfnas__param *p = rfnas__graph_param_info(g, b->weight[k]);
        float *v = rfnas__graph_param_value(g, b->weight[k]);
        rfnas__init_weights(v, p->size, b->fan_in[k], cfg->init, cfg->seed, p->name);
        if (strcmp(p->name, "classifier.weight") == 0 && cfg->init == RFNAS__INIT_PYTORCH) {
            int bias = b->weight[k] + 1; /* created right after the weight */
            const rfnas__param *pb = rfnas__graph_param_info(g, bias);
            rfnas__init_uniform(rfnas__graph_param_value(g, bias), pb->size,
                                1.0 / sqrt((double)b->fan_in[k]), cfg->seed, pb->name);
        }
    }
}

rfnas_status rfnas__nb201_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                                const rfnas__net_config *cfg)
{
    memset(net, 0, sizeof *net);
    net->cfg = *cfg;
    net->alpha[0] = net->alpha[1] = net->beta[0] = net->beta[1] = -1;
    if (space->topology != RFNAS_TOPOLOGY_NB201)
        return rfnas__error(RFNAS_E_MISMATCH, "nb201 supernet: space %s is not a NAS-Bench-201 space",
                            space->name);
    if (cfg->channels < 1 || cfg->cells < 1 || cfg->classes < 2 || cfg->in_c < 1 ||
        cfg->in_h < 4 || cfg->in_w < 4)
        return rfnas__error(RFNAS_E_INVALID, "nb201 supernet: bad channels, cells, classes or input");
    RFNAS__TRY(rfnas__graph_create(&net->graph, ctx, cfg->max_batch));
    builder *b = rfnas__calloc(ctx, 1, sizeof *b);
    if (b == NULL) {
        rfnas__net_destroy(net);
        return RFNAS__NOMEM("supernet builder");
    }
    b->g = net->graph;
    b->cfg = &net->cfg;
    const int rf = cfg->features == RFNAS__FEATURES_RANDOM;

    net->input = check(b, rfnas__graph_tensor(b->g, cfg->in_c, cfg->in_h, cfg->in_w,
                                              RFNAS__LAYOUT_PLAIN));
    if (b->rc == RFNAS_OK)
        check(b, rfnas__graph_mark_input(b->g, net->input));
    net->alpha[0] = param(b, "arch.alpha", RFNAS__GROUP_ARCH,
                          (size_t)(space->edges * space->ops_per_edge));
    int x = bn(b, "stem", conv(b, "stem", net->input, cfg->channels, 3, 1, 1), 1, 1);
    int64_t c = cfg->channels;
    int cell = 0;
    for (int stage = 0; stage < 3; stage++) {
        if (stage > 0) {
            c *= 2;
            x = res_block(b, stage, x, c);
        }
        for (int64_t k = 0; k < cfg->cells; k++)
            x = search_cell(b, cell++, x, net->alpha[0], space);
    }
    x = relu(b, "lastact", bn(b, "lastact", x, 1, 1));
    int pooled = b->rc == RFNAS_OK ? check(b, rfnas__node_gap(b->g, "gap", x)) : -1;
    rfnas__group head = rf && !cfg->train_classifier ? RFNAS__GROUP_FROZEN : RFNAS__GROUP_WEIGHTS;
    int w = param(b, "classifier.weight", head, (size_t)(cfg->classes * c));
    int bias = param(b, "classifier.bias", head, (size_t)cfg->classes);
    if (b->rc == RFNAS_OK)
        remember_weight(b, w, (size_t)c);
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
        initialise(b, net);
    rfnas_status rc = b->rc;
    rfnas__free(ctx, b);
    if (rc != RFNAS_OK) {
        rfnas__net_destroy(net);
        return rc;
    }
    return RFNAS_OK;
}

void rfnas__net_destroy(rfnas__net *net)
{
    rfnas__graph_destroy(net->graph);
    net->graph = NULL;
}
