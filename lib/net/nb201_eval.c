/* The NAS-Bench-201 network of an arch string (SPEC 4.5; AutoDL's
 * TinyNetwork with InferCells, xautodl/models/cell_infers) as a graph:
 *
 *   stem: conv 3x3 (in -> C) -> BN
 *   stage s = 0, 1, 2: (s > 0: residual block C_s/2 -> C_s, stride 2), N cells at C_s
 *   head: BN -> ReLU -> global average pool -> linear -> cross-entropy
 *
 * A cell has nodes 0..3 (0 is its input); node i is the plain sum of the ops
 * the arch string lists for it, each reading node j < i: none (zeros),
 * skip_connect (identity), nor_conv_1x1 / nor_conv_3x3 (ReLU -> conv -> BN,
 * the ReLU of a node computed once), avg_pool_3x3 (no BN). The cell output is
 * node 3. Every BN is affine and tracked (unless net.track_running_stats is
 * 0); every weight is in WEIGHTS. A node only "none" ops read still exists,
 * as in AutoDL, and gets a zero gradient through a sink. */
#include <stdio.h>
#include <string.h>

#include "net/discrete.h"

/* ReLU -> conv -> BN, the ReLU given already applied. */
static int conv_bn(rfnas__netb *b, const char *prefix, int relu_x, int64_t cout, int k, int stride,
                   int pad)
{
    return rfnas__netb_bn(b, prefix, rfnas__netb_conv(b, prefix, relu_x, cout, k, stride, pad, 1, 1),
                          1, b->track);
}

/* The residual block between stages (SPEC 3.2), as the search supernet's
 * (nb201.c): a = ReLU-conv3x3/2-BN-ReLU-conv3x3-BN; shortcut = avgpool 2x2/2
 * -> conv 1x1; out = a + shortcut. */
static int res_block(rfnas__netb *b, int index, int x, int64_t cout)
{
    if (b->rc != RFNAS_OK)
        return -1;
    char p[64];
    snprintf(p, sizeof p, "reduce.%d.a", index);
    int a = conv_bn(b, p, rfnas__netb_relu(b, p, x), cout, 3, 2, 1);
    snprintf(p, sizeof p, "reduce.%d.b", index);
    a = conv_bn(b, p, rfnas__netb_relu(b, p, a), cout, 3, 1, 1);
    snprintf(p, sizeof p, "reduce.%d.shortcut", index);
    int s = b->rc == RFNAS_OK
                ? rfnas__netb_check(b, rfnas__node_pool(b->g, p, x, RFNAS__POOL_AVG, 2, 2, 0))
                : -1;
    s = rfnas__netb_conv(b, p, s, cout, 1, 1, 0, 1, 1);
    if (b->rc != RFNAS_OK)
        return -1;
    snprintf(p, sizeof p, "reduce.%d", index);
    const int in[2] = {a, s};
    return rfnas__netb_check(b, rfnas__node_add(b->g, p, in, 2));
}

static int infer_cell(rfnas__netb *b, int cell, int x, const rfnas_genotype *g)
{
    if (b->rc != RFNAS_OK)
        return -1;
    const rfnas__tensor *t = rfnas__graph_tensor_info(b->g, x);
    const int64_t c = t->c, h = t->h, w = t->w;
    int nodes[RFNAS__NB201_NODES] = {x, -1, -1, -1};
    int relus[RFNAS__NB201_NODES] = {-1, -1, -1, -1};
    char prefix[128];
    for (int i = 1; i < RFNAS__NB201_NODES && b->rc == RFNAS_OK; i++) {
        int outs[RFNAS__NB201_NODES], n = 0;
        for (int k = 0; k < g->pairs; k++) {
            const rfnas__pair *pr = &g->cell[0][k];
            if (pr->target != i)
                continue;
            const int j = pr->source;
            const rfnas__op op = (rfnas__op)pr->op;
            snprintf(prefix, sizeof prefix, "cells.%d.edge.%d->%d.%s", cell, j, i,
                     rfnas__op_info_of(op)->name);
            int out = -1;
            switch (op) {
            case RFNAS__OP_NONE:
                out = rfnas__netb_check(b, rfnas__node_zero(b->g, prefix, c, h, w));
                break;
            case RFNAS__OP_SKIP_CONNECT: out = nodes[j]; break;
            case RFNAS__OP_AVG_POOL_3X3:
            case RFNAS__OP_MAX_POOL_3X3:
                out = rfnas__netb_check(
                    b, rfnas__node_pool(b->g, prefix, nodes[j],
                                        op == RFNAS__OP_AVG_POOL_3X3 ? RFNAS__POOL_AVG
                                                                     : RFNAS__POOL_MAX,
                                        3, 1, 1));
                break;
            case RFNAS__OP_NOR_CONV_1X1:
            case RFNAS__OP_NOR_CONV_3X3:
            case RFNAS__OP_NOR_CONV_7X7: {
                if (relus[j] < 0) {
                    char rp[64];
                    snprintf(rp, sizeof rp, "cells.%d.node.%d", cell, j);
                    relus[j] = rfnas__netb_relu(b, rp, nodes[j]);
                }
                const int k2 = op == RFNAS__OP_NOR_CONV_1X1   ? 1
                               : op == RFNAS__OP_NOR_CONV_3X3 ? 3
                                                              : 7;
                out = conv_bn(b, prefix, relus[j], c, k2, 1, k2 / 2);
                break;
            }
            default:
                if (b->rc == RFNAS_OK)
                    b->rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                                         "nb201 network: op %s is not available in "
                                         "NAS-Bench-201 cells",
                                         rfnas__op_info_of(op)->name);
            }
            outs[n++] = out;
        }
        if (b->rc != RFNAS_OK)
            return -1;
        if (n == 1) {
            nodes[i] = outs[0];
            continue;
        }
        snprintf(prefix, sizeof prefix, "cells.%d.node.%d", cell, i);
        nodes[i] = rfnas__netb_check(b, rfnas__node_add(b->g, prefix, outs, n));
    }
    return nodes[3];
}

/* Node i must have exactly i edges, from 0..i-1 (the parser guarantees it for
 * text; a genotype is checked again here as it is the network's shape). */
static rfnas_status check_genotype(const rfnas_genotype *g)
{
    if (g->topology != RFNAS_TOPOLOGY_NB201 || g->cell_types != 1 || g->pairs != 6)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "nb201 network: the genotype is not a NAS-Bench-201 arch string");
    int seen[RFNAS__NB201_NODES] = {0};
    for (int k = 0; k < 6; k++) {
        const rfnas__pair *p = &g->cell[0][k];
        if (p->target < 1 || p->target > 3 || p->source >= p->target ||
            (seen[p->target] >> p->source & 1))
            return rfnas__error(RFNAS_E_MISMATCH,
                                "nb201 network: edge %d->%d is not an edge of the cell", p->source,
                                p->target);
        seen[p->target] |= 1 << p->source;
    }
    return RFNAS_OK;
}

rfnas_status rfnas__nb201_eval_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_genotype *g,
                                     const rfnas__net_config *cfg)
{
    static const char what[] = "nb201 network";
    rfnas__netb bb, *b = &bb;
    /* One convolution per edge of every cell, 3 per residual block, stem, classifier. */
    rfnas__discrete_begin(b, net, ctx, cfg, (int)(3 * cfg->cells * 6 + 3 * 3 + 2), what);
    if (b->rc == RFNAS_OK)
        b->rc = check_genotype(g);
    if (b->rc == RFNAS_OK && (cfg->auxiliary || cfg->drop_path_prob > 0))
        b->rc = rfnas__error(RFNAS_E_INVALID,
                             "%s: NAS-Bench-201 networks have no auxiliary head and no drop-path "
                             "(net.auxiliary and net.drop_path_prob are DARTS settings)",
                             what);
    if (b->rc == RFNAS_OK)
        net->input = rfnas__netb_check(
            b, rfnas__graph_tensor(b->g, cfg->in_c, cfg->in_h, cfg->in_w, RFNAS__LAYOUT_PLAIN));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_input(b->g, net->input));
    int x = rfnas__netb_bn(b, "stem",
                           rfnas__netb_conv(b, "stem", net->input, cfg->channels, 3, 1, 1, 1, 1),
                           1, b->track);
    int64_t c = cfg->channels;
    int cell = 0;
    for (int stage = 0; stage < 3; stage++) {
        if (stage > 0) {
            c *= 2;
            x = res_block(b, stage, x, c);
        }
        for (int64_t k = 0; k < cfg->cells; k++)
            x = infer_cell(b, cell++, x, g);
    }
    int last = rfnas__netb_relu(b, "lastact", rfnas__netb_bn(b, "lastact", x, 1, 1));
    rfnas__discrete_sink_unread(b, &last, 1);
    rfnas__netb_head(b, net, last);
    return rfnas__netb_end(b, net);
}
