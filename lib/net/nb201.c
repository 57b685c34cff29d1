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
#include <stdio.h>
#include <string.h>

#include "kernels/loops/mixed.h"
#include "net/builder.h"

unsigned rfnas__net_ablate = 0;

static int conv(rfnas__netb *b, const char *prefix, int x, int64_t cout, int k, int stride, int pad)
{
    return rfnas__netb_conv(b, prefix, x, cout, k, stride, pad, 1, 1);
}

/* ReLU -> conv -> BN, the ReLU given already applied (shared per node). */
static int conv_bn(rfnas__netb *b, const char *prefix, int relu_x, int64_t cout, int k, int stride,
                   int pad, int affine, int track)
{
    return rfnas__netb_bn(b, prefix, conv(b, prefix, relu_x, cout, k, stride, pad), affine, track);
}

/* A conv op's kernel size, or 0 for any other op. */
static int conv_kernel(rfnas__op op)
{
    return op == RFNAS__OP_NOR_CONV_1X1 ? 1 : op == RFNAS__OP_NOR_CONV_3X3 ? 3
                                          : op == RFNAS__OP_NOR_CONV_7X7 ? 7
                                                                         : 0;
}

/* A search cell's parameters and op outputs, slot [i][j][k] for op k of edge
 * i <- j (DESIGN 3, "work that PyTorch repeats is done once"). */
typedef struct cell_build {
    int cell, cols;
    int64_t c;
    int weight[4][3][RFNAS__MAX_OPS];
    rfnas__netb_bn_params bn[4][3][RFNAS__MAX_OPS];
    int out[4][3][RFNAS__MAX_OPS];
    int pooled[4][3][RFNAS__MAX_OPS];
} cell_build;

static void op_prefix(char *buf, size_t size, const cell_build *cb, int i, int j, rfnas__op op)
{
    rfnas__netb_name(buf, size, "cells.%d.edge.%d->%d.%s", cb->cell, j, i,
                     rfnas__op_info_of(op)->name);
}

/* The convolutions of kernel @p ks on the edges leaving node j, given
 * ReLU(node j) @p relu: one merged convolution and BN (then a view per edge)
 * when @p merge and several edges have one, else a convolution and a BN each.
 * With @p relu -1 (the shared-relu ablation) every convolution gets its own
 * ReLU of @p node, and nothing is merged. */
static void conv_ops_from(rfnas__netb *b, cell_build *cb, const rfnas_space *space, int j,
                          int node, int relu, int ks, int merge)
{
    int ti[3 * RFNAS__MAX_OPS], tk[3 * RFNAS__MAX_OPS], n = 0;
    for (int i = j + 1; i <= 3; i++) {
        const int e = rfnas__edge_index(RFNAS_TOPOLOGY_NB201, i, j);
        for (int k = 0; k < cb->cols; k++)
            if (conv_kernel((rfnas__op)space->ops[0][e][k]) == ks) {
                ti[n] = i;
                tk[n++] = k;
            }
    }
    char name[128];
    if (n >= 2 && merge && relu >= 0 && n <= RFNAS__NODE_MAX_PARAMS / 4) {
        int w[3], gamma[3], beta[3], rm[3], rv[3];
        for (int t = 0; t < n; t++) {
            const rfnas__netb_bn_params *p = &cb->bn[ti[t]][j][tk[t]];
            w[t] = cb->weight[ti[t]][j][tk[t]];
            gamma[t] = p->gamma;
            beta[t] = p->beta;
            rm[t] = p->run_mean;
            rv[t] = p->run_var;
        }
        const rfnas__netb_bn_params *p0 = &cb->bn[ti[0]][j][tk[0]];
        rfnas__netb_name(name, sizeof name, "cells.%d.node.%d.conv%dx%d.merged", cb->cell, j, ks,
                         ks);
        int y = rfnas__netb_check(
            b, rfnas__node_conv_merged(b->g, name, relu, cb->c, ks, ks / 2, w, n));
        if (b->rc != RFNAS_OK)
            return;
        rfnas__netb_name(name, sizeof name, "cells.%d.node.%d.conv%dx%d.merged.bn", cb->cell, j,
                         ks, ks);
        y = rfnas__netb_check(
            b, rfnas__node_bn_merged(b->g, name, y, p0->gamma >= 0 ? gamma : NULL,
                                     p0->beta >= 0 ? beta : NULL,
                                     p0->run_mean >= 0 ? rm : NULL,
                                     p0->run_var >= 0 ? rv : NULL, n));
        for (int t = 0; t < n && b->rc == RFNAS_OK; t++)
            cb->out[ti[t]][j][tk[t]] =
                rfnas__netb_check(b, rfnas__graph_view(b->g, y, t * cb->c, cb->c));
        return;
    }
    for (int t = 0; t < n && b->rc == RFNAS_OK; t++) {
        const int i = ti[t], k = tk[t];
        const rfnas__op op =
            (rfnas__op)space->ops[0][rfnas__edge_index(RFNAS_TOPOLOGY_NB201, i, j)][k];
        op_prefix(name, sizeof name, cb, i, j, op);
        const int x = relu >= 0 ? relu : rfnas__netb_relu(b, name, node);
        char full[160];
        rfnas__netb_name(full, sizeof full, "%s.conv", name);
        int y = b->rc == RFNAS_OK ? rfnas__netb_check(b, rfnas__node_conv(b->g, full, x, cb->c, ks,
                                                                          1, ks / 2, 1, 1,
                                                                          cb->weight[i][j][k]))
                                  : -1;
        if (b->rc != RFNAS_OK)
            return;
        const rfnas__netb_bn_params *p = &cb->bn[i][j][k];
        rfnas__netb_name(full, sizeof full, "%s.bn", name);
        cb->out[i][j][k] = rfnas__netb_check(
            b, rfnas__node_bn(b->g, full, y, p->gamma, p->beta, p->run_mean, p->run_var));
    }
}

/* The ReLU every conv op applies to node j, computed once (DESIGN 3). */
static int relu_of(rfnas__netb *b, const cell_build *cb, int node, int j)
{
    char name[64];
    rfnas__netb_name(name, sizeof name, "cells.%d.node.%d", cb->cell, j);
    return rfnas__netb_relu(b, name, node);
}

static int search_cell(rfnas__netb *b, int cell, int x, int alpha, const rfnas_space *space)
{
    if (b->rc != RFNAS_OK)
        return -1;
    cell_build cbb, *cb = &cbb;
    memset(cb, 0, sizeof *cb);
    cb->cell = cell;
    cb->cols = space->ops_per_edge;
    cb->c = rfnas__graph_tensor_info(b->g, x)->c;
    const int cols = cb->cols;
    /* avg_pool_3x3 is computed inside the node sums (rfnas__node_mixed_pooled):
     * no pooled tensor is written, kept or differentiated. */
    const int pool_on_the_fly = rfnas__graph_tensor_info(b->g, x)->w <= RFNAS__MIXED_MAX_W &&
                                !(rfnas__net_ablate & RFNAS__ABLATE_POOL_IN_SUM);
    const int share_relu = !(rfnas__net_ablate & RFNAS__ABLATE_SHARED_RELU);
    /* Merged convolutions gather their weights once: frozen (random features)
     * only; each edge's slice is whole 16-channel blocks (rfnas__graph_view). */
    const int merge = share_relu && !(rfnas__net_ablate & RFNAS__ABLATE_MERGED_CONV) &&
                      b->cfg->features == RFNAS__FEATURES_RANDOM && cb->c % 16 == 0;

    /* Parameters first, edge by edge in the order of the space: the group
     * arrays (checkpoints, optimizer state) do not depend on how the ops are
     * grouped into nodes below. */
    for (int i = 1; i <= 3 && b->rc == RFNAS_OK; i++)
        for (int j = 0; j < i; j++) {
            const int e = rfnas__edge_index(RFNAS_TOPOLOGY_NB201, i, j);
            for (int k = 0; k < cols && b->rc == RFNAS_OK; k++) {
                const rfnas__op op = (rfnas__op)space->ops[0][e][k];
                cb->out[i][j][k] = -1;
                const int ks = conv_kernel(op);
                if (!ks)
                    continue;
                char prefix[128];
                op_prefix(prefix, sizeof prefix, cb, i, j, op);
                cb->weight[i][j][k] = rfnas__netb_conv_weight(b, prefix, cb->c, cb->c, ks, 1);
                cb->bn[i][j][k] = rfnas__netb_bn_params_of(b, prefix, cb->c, b->affine, b->track);
            }
        }

    int nodes[4] = {x, -1, -1, -1};
    for (int j = 0; j < 3 && b->rc == RFNAS_OK; j++) {
        /* The conv ops leaving node j, then node j + 1, whose edges are all built. */
        static const int kernels[3] = {1, 3, 7};
        int has_conv = 0;
        for (int i = j + 1; i <= 3; i++)
            for (int k = 0; k < cols; k++)
                has_conv |= conv_kernel(
                    (rfnas__op)space->ops[0][rfnas__edge_index(RFNAS_TOPOLOGY_NB201, i, j)][k]);
        const int relu = share_relu && has_conv ? relu_of(b, cb, nodes[j], j) : -1;
        for (int q = 0; q < 3 && b->rc == RFNAS_OK && has_conv; q++)
            conv_ops_from(b, cb, space, j, nodes[j], relu, kernels[q], merge);
        const int i = j + 1;
        int ops[3 * RFNAS__MAX_OPS], pooled[3 * RFNAS__MAX_OPS] = {0}, rows[3];
        for (int jj = 0; jj < i && b->rc == RFNAS_OK; jj++) {
            const int e = rfnas__edge_index(RFNAS_TOPOLOGY_NB201, i, jj);
            rows[jj] = e;
            for (int k = 0; k < cols; k++) {
                const rfnas__op op = (rfnas__op)space->ops[0][e][k];
                char prefix[128];
                op_prefix(prefix, sizeof prefix, cb, i, jj, op);
                int out = -1;
                switch (op) {
                case RFNAS__OP_NONE: break; /* zero: kept in the softmax, skipped in compute */
                case RFNAS__OP_SKIP_CONNECT: out = nodes[jj]; break;
                case RFNAS__OP_AVG_POOL_3X3:
                    if (pool_on_the_fly) {
                        out = nodes[jj];
                        pooled[jj * cols + k] = 1;
                    } else {
                        out = rfnas__netb_check(b, rfnas__node_pool(b->g, prefix, nodes[jj],
                                                                     RFNAS__POOL_AVG, 3, 1, 1));
                    }
                    break;
                case RFNAS__OP_MAX_POOL_3X3:
                    out = rfnas__netb_check(
                        b, rfnas__node_pool(b->g, prefix, nodes[jj], RFNAS__POOL_MAX, 3, 1, 1));
                    break;
                case RFNAS__OP_NOR_CONV_1X1:
                case RFNAS__OP_NOR_CONV_3X3:
                case RFNAS__OP_NOR_CONV_7X7: out = cb->out[i][jj][k]; break;
                default:
                    if (b->rc == RFNAS_OK)
                        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                                             "nb201 supernet: op %s is not available in "
                                             "NAS-Bench-201 cells",
                                             rfnas__op_info_of(op)->name);
                }
                ops[jj * cols + k] = out;
            }
        }
        if (b->rc != RFNAS_OK)
            return -1;
        char name[64];
        snprintf(name, sizeof name, "cells.%d.node.%d", cell, i);
        if (!(rfnas__net_ablate & RFNAS__ABLATE_NODE_SUM) || i == 1) {
            nodes[i] = rfnas__netb_check(
                b, rfnas__node_mixed_pooled(b->g, name, ops, pooled, rows, i, cols, alpha, -1));
        } else { /* ablation: each edge's weighted sum stored, then the node's add */
            int edge_out[3];
            for (int jj = 0; jj < i && b->rc == RFNAS_OK; jj++) {
                char en[80];
                snprintf(en, sizeof en, "%s.edge.%d", name, jj);
                edge_out[jj] = rfnas__netb_check(
                    b, rfnas__node_mixed_pooled(b->g, en, &ops[jj * cols], &pooled[jj * cols],
                                                &rows[jj], 1, cols, alpha, -1));
            }
            if (b->rc != RFNAS_OK)
                return -1;
            nodes[i] = rfnas__netb_check(b, rfnas__node_add(b->g, name, edge_out, i));
        }
    }
    return b->rc == RFNAS_OK ? nodes[3] : -1;
}

/* ResNet basic block, stride 2 (SPEC 3.2): a = ReLU-conv3x3/2-BN-ReLU-conv3x3-BN;
 * shortcut = avgpool 2x2/2 -> conv 1x1; out = a + shortcut. BN affine, tracked. */
static int res_block(rfnas__netb *b, int index, int x, int64_t cout)
{
    if (b->rc != RFNAS_OK)
        return -1;
    char p[64];
    snprintf(p, sizeof p, "reduce.%d.a", index);
    int a = conv_bn(b, p, rfnas__netb_relu(b, p, x), cout, 3, 2, 1, 1, 1);
    snprintf(p, sizeof p, "reduce.%d.b", index);
    a = conv_bn(b, p, rfnas__netb_relu(b, p, a), cout, 3, 1, 1, 1, 1);
    snprintf(p, sizeof p, "reduce.%d.shortcut", index);
    int s = b->rc == RFNAS_OK
                ? rfnas__netb_check(b, rfnas__node_pool(b->g, p, x, RFNAS__POOL_AVG, 2, 2, 0))
                : -1;
    s = conv(b, p, s, cout, 1, 1, 0);
    if (b->rc != RFNAS_OK)
        return -1;
    snprintf(p, sizeof p, "reduce.%d", index);
    const int in[2] = {a, s};
    return rfnas__netb_check(b, rfnas__node_add(b->g, p, in, 2));
}

rfnas_status rfnas__nb201_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                                const rfnas__net_config *cfg)
{
    memset(net, 0, sizeof *net);
    net->cfg = *cfg;
    net->alpha[0] = net->alpha[1] = net->beta[0] = net->beta[1] = -1;
    if (space->topology != RFNAS_TOPOLOGY_NB201)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "nb201 supernet: space %s is not a NAS-Bench-201 space", space->name);
    if (cfg->channels < 1 || cfg->cells < 1 || cfg->classes < 2 || cfg->in_c < 1 || cfg->in_h < 4 ||
        cfg->in_w < 4)
        return rfnas__error(RFNAS_E_INVALID,
                            "nb201 supernet: bad channels, cells, classes or input");
    rfnas__netb bb, *b = &bb;
    /* At most one convolution per op of every edge, 3 per residual block, stem, classifier. */
    const int max_weights = (int)(3 * cfg->cells * 6 * space->ops_per_edge + 3 * 3 + 2);
    rfnas__netb_begin(b, net, ctx, space, cfg, max_weights);

    if (b->rc == RFNAS_OK)
        net->input = rfnas__netb_check(
            b, rfnas__graph_tensor(b->g, cfg->in_c, cfg->in_h, cfg->in_w, RFNAS__LAYOUT_PLAIN));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_input(b->g, net->input));
    net->alpha[0] = rfnas__netb_param(b, "arch.alpha", RFNAS__GROUP_ARCH,
                                      (size_t)(space->edges * space->ops_per_edge));
    /* Stem, residual blocks and the last BN are affine and tracked in both modes (SPEC 4.2). */
    int x = rfnas__netb_bn(b, "stem", conv(b, "stem", net->input, cfg->channels, 3, 1, 1), 1, 1);
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
    rfnas__netb_head(b, net, rfnas__netb_relu(b, "lastact", rfnas__netb_bn(b, "lastact", x, 1, 1)));
    return rfnas__netb_end(b, net);
}

void rfnas__net_destroy(rfnas__net *net)
{
    rfnas__graph_destroy(net->graph);
    net->graph = NULL;
}
