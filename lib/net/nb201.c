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

static int search_cell(rfnas__netb *b, int cell, int x, int alpha, const rfnas_space *space)
{
    if (b->rc != RFNAS_OK)
        return -1;
    const int64_t c = rfnas__graph_tensor_info(b->g, x)->c;
    /* avg_pool_3x3 is computed inside the node sums (rfnas__node_mixed_pooled):
     * no pooled tensor is written, kept or differentiated. */
    const int pool_on_the_fly = rfnas__graph_tensor_info(b->g, x)->w <= RFNAS__MIXED_MAX_W &&
                                !(rfnas__net_ablate & RFNAS__ABLATE_POOL_IN_SUM);
    const int share_relu = !(rfnas__net_ablate & RFNAS__ABLATE_SHARED_RELU);
    int nodes[4] = {x, -1, -1, -1};
    int relus[4] = {-1, -1, -1, -1};
    const int cols = space->ops_per_edge;
    for (int i = 1; i <= 3 && b->rc == RFNAS_OK; i++) {
        int ops[3 * RFNAS__MAX_OPS], pooled[3 * RFNAS__MAX_OPS] = {0}, rows[3];
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
                case RFNAS__OP_NONE: break; /* zero: kept in the softmax, skipped in compute */
                case RFNAS__OP_SKIP_CONNECT: out = nodes[j]; break;
                case RFNAS__OP_AVG_POOL_3X3:
                    if (pool_on_the_fly) {
                        out = nodes[j];
                        pooled[j * cols + k] = 1;
                    } else {
                        out = rfnas__netb_check(b, rfnas__node_pool(b->g, prefix, nodes[j],
                                                                     RFNAS__POOL_AVG, 3, 1, 1));
                    }
                    break;
                case RFNAS__OP_MAX_POOL_3X3:
                    out = rfnas__netb_check(
                        b, rfnas__node_pool(b->g, prefix, nodes[j], RFNAS__POOL_MAX, 3, 1, 1));
                    break;
                case RFNAS__OP_NOR_CONV_1X1:
                case RFNAS__OP_NOR_CONV_3X3:
                case RFNAS__OP_NOR_CONV_7X7: {
                    if (relus[j] < 0 || !share_relu) {
                        char rp[128];
                        if (share_relu)
                            snprintf(rp, sizeof rp, "cells.%d.node.%d", cell, j);
                        else
                            snprintf(rp, sizeof rp, "%s", prefix);
                        relus[j] = rfnas__netb_relu(b, rp, nodes[j]);
                    }
                    const int ks = op == RFNAS__OP_NOR_CONV_1X1   ? 1
                                   : op == RFNAS__OP_NOR_CONV_3X3 ? 3
                                                                  : 7;
                    out = conv_bn(b, prefix, relus[j], c, ks, 1, ks / 2, b->affine, b->track);
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
        if (!(rfnas__net_ablate & RFNAS__ABLATE_NODE_SUM) || i == 1) {
            nodes[i] = rfnas__netb_check(
                b, rfnas__node_mixed_pooled(b->g, name, ops, pooled, rows, i, cols, alpha, -1));
        } else { /* ablation: each edge's weighted sum stored, then the node's add */
            int edge_out[3];
            for (int j = 0; j < i && b->rc == RFNAS_OK; j++) {
                char en[80];
                snprintf(en, sizeof en, "%s.edge.%d", name, j);
                edge_out[j] = rfnas__netb_check(
                    b, rfnas__node_mixed_pooled(b->g, en, &ops[j * cols], &pooled[j * cols],
                                                &rows[j], 1, cols, alpha, -1));
            }
            if (b->rc != RFNAS_OK)
                return -1;
            nodes[i] = rfnas__netb_check(b, rfnas__node_add(b->g, name, edge_out, i));
        }
    }
    return nodes[3];
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
