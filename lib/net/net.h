/* Search networks as graphs (DESIGN 2, net/): builders that turn a space and
 * a configuration into a planned graph, and what the layers above need to run
 * one: where the input goes, where the loss comes out, which parameters are
 * the architecture. */
#ifndef RFNAS_NET_NET_H
#define RFNAS_NET_NET_H

#include <stdint.h>

#include "graph/graph.h"
#include "net/init.h"
#include "net/nodes.h"
#include "space/genotype.h"
#include "space/space.h"

typedef enum rfnas__features {
    RFNAS__FEATURES_RANDOM = 0,  /* RF-DARTS: convolutions frozen, every BN affine and trained */
    RFNAS__FEATURES_LEARNED = 1  /* DARTS: convolutions trained, BN in cells not affine */
} rfnas__features;

typedef struct rfnas__net_config {
    rfnas__features features;
    int64_t in_c, in_h, in_w;   /* input image shape */
    int64_t classes;
    int64_t channels;           /* C: initial channels */
    int64_t cells;              /* NB201: cells per stage (N); DARTS: cells in all (L) */
    int64_t stem_multiplier;    /* DARTS: stem outputs stem_multiplier * C channels */
    int64_t max_batch;
    int train_classifier;       /* RF: the classifier joins the WEIGHTS group */
    int track_running_stats;    /* BN in search cells keeps running statistics */
    rfnas__init init;
    int64_t partial_channels;   /* PC-DARTS K (SPEC 3.3); 0 or 1 = every channel through the ops */
    int edge_norm;              /* PC-DARTS edge normalisation (SPEC 5.3): betas per node */
    uint64_t seed;
    int conv_bf16;              /* frozen convolutions in bf16 (net.precision resolved) */
    /* Discrete networks of a genotype only (SPEC 4.4, 8.1). */
    int auxiliary;              /* DARTS: auxiliary head at cell floor(2L/3) */
    double aux_weight;          /* its loss weight (0.4) */
    double drop_path_prob;      /* DARTS: the initial drop-path probability */
} rfnas__net_config;

typedef struct rfnas__net {
    rfnas__graph *graph;
    int input;    /* plain N x C x H x W image tensor */
    int logits;   /* plain N x classes */
    int loss;     /* [mean loss, correct] in the first sample's slots */
    int alpha[2]; /* per cell type; -1 when absent */
    int beta[2];  /* PC-DARTS edge normalisation; -1 when absent */
    const int32_t *labels; /* the batch's labels, read by the loss node */
    rfnas__net_config cfg;
    /* Discrete networks of a genotype (darts_eval.c, nb201_eval.c); all zero
     * in supernets. */
    int discrete;              /* built from a genotype: no ARCH group */
    int has_aux;               /* an auxiliary head: aux_logits, aux_loss are set */
    int aux_logits, aux_loss;  /* plain N x classes; [mean loss, correct] */
    int has_droppath;          /* drop-path sums read droppath */
    rfnas__droppath droppath;  /* probability and counter of every drop-path sum */
} rfnas__net;

/* Switches that turn one of DESIGN 3's techniques off in the NAS-Bench-201
 * supernet builder, for rfnas-bench's ablation rows (docs/performance.md)
 * only. Nothing in the public API sets them: the library always builds with
 * every technique on (0). A benchmark that links the internal static library
 * sets the variable before creating a supernet; it is read at build time. */
enum {
    RFNAS__ABLATE_SHARED_RELU = 1u << 0, /* one ReLU per conv op, not one per node */
    RFNAS__ABLATE_POOL_IN_SUM = 1u << 1, /* avg_pool_3x3 as a node of its own, stored */
    RFNAS__ABLATE_NODE_SUM = 1u << 2,    /* a mixed sum per edge, then an add per node */
    RFNAS__ABLATE_MERGED_CONV = 1u << 3  /* a convolution per edge, not one per node and kernel */
};
extern unsigned rfnas__net_ablate;

/* NAS-Bench-201 supernet (SPEC 4.2): stem, 3 stages of cfg->cells search cells
 * with residual reduction blocks between them, head. */
rfnas_status rfnas__nb201_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                                const rfnas__net_config *cfg);

/* DARTS search supernet (SPEC 4.1) for the "darts" space, RobustDARTS s1..s4
 * and custom DARTS-topology spaces: stem, cfg->cells cells with reductions at
 * cells/3 and 2*cells/3, head. alpha[0] normal, alpha[1] reduce (14 x ops each).
 * Noise ops (s4) draw at a counter kept in the graph's noise nodes
 * (rfnas__node_noise_counter / rfnas__node_noise_set_counter in net/nodes.h). */
rfnas_status rfnas__darts_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                                const rfnas__net_config *cfg);

/* The DARTS evaluation network of a DARTS genotype (SPEC 4.4, quark0/darts
 * NetworkCIFAR): stem, cfg->cells cells with the genotype's ops (BN affine,
 * reductions at cells/3 and 2*cells/3, no BN after pooling), the concat the
 * genotype lists, drop-path sums in every node, an auxiliary head at cell
 * floor(2 cells/3) when cfg->auxiliary, head. Every weight in WEIGHTS. */
rfnas_status rfnas__darts_eval_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_genotype *g,
                                     const rfnas__net_config *cfg);

/* The NAS-Bench-201 network of an arch string (SPEC 4.5, AutoDL's
 * TinyNetwork with InferCells): the supernet's macro structure, each node the
 * plain sum of its ops (BN affine and tracked). Every weight in WEIGHTS. */
rfnas_status rfnas__nb201_eval_build(rfnas__net *net, rfnas_ctx *ctx, const rfnas_genotype *g,
                                     const rfnas__net_config *cfg);

void rfnas__net_destroy(rfnas__net *net);

#endif
