/* What the supernet builders share (nb201.c, darts.c): first-error tracking,
 * named parameters, convolution / BN / ReLU layers, the classification head,
 * and the initialisation of every parameter after the graph is planned. */
#ifndef RFNAS_NET_BUILDER_H
#define RFNAS_NET_BUILDER_H

#include <stddef.h>

#include "net/net.h"
#include "net/nodes.h"

typedef struct rfnas__netb {
    rfnas__graph *g;
    rfnas_ctx *ctx;
    const rfnas__net_config *cfg;
    const rfnas_space *space;
    rfnas_status rc; /* the first failure; every later call is a no-op returning -1 */
    int affine;      /* BN inside cells has affine parameters */
    int track;       /* BN inside cells keeps running statistics */
    int *weight;     /* weights to initialise after finalize, with their fan-in */
    size_t *fan_in;
    int n_weights, cap_weights;
    int classifier_weight; /* its bias is the parameter created right after it */
} rfnas__netb;

/* Creates the net's graph and the builder's lists (room for @p max_weights
 * weight tensors). On failure the builder's rc says why. */
void rfnas__netb_begin(rfnas__netb *b, rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                       const rfnas__net_config *cfg, int max_weights);
/* Frees the builder's lists; on failure also the net. Returns the build's status. */
rfnas_status rfnas__netb_end(rfnas__netb *b, rfnas__net *net);

/* snprintf for parameter names, through vsnprintf so that nested prefixes do
 * not trip -Wformat-truncation (names use about 60 of their 128 bytes). */
void rfnas__netb_name(char *buf, size_t size, const char *fmt, ...) RFNAS__PRINTF(3, 4);

/* Records @p id when negative (a failure status); returns it. */
int rfnas__netb_check(rfnas__netb *b, int id);
int rfnas__netb_param(rfnas__netb *b, const char *name, rfnas__group group, size_t size);
int64_t rfnas__netb_channels(const rfnas__netb *b, int x);

/* The weight "<prefix>.conv.weight" of a bias-free convolution of @p cin
 * (per group: cin / groups) to @p cout channels, k x k: FROZEN under random
 * features, else WEIGHTS, registered for initialisation from its fan-in. The
 * parameter alone, for builders that create parameters in one order and
 * nodes in another (merged convolutions). */
int rfnas__netb_conv_weight(rfnas__netb *b, const char *prefix, int64_t cin, int64_t cout, int k,
                            int groups);

/* The parameters of BN "<prefix>.bn" over @p c channels (gamma and beta in
 * WEIGHTS when @p affine, running statistics when @p track; -1 when absent). */
typedef struct rfnas__netb_bn_params {
    int gamma, beta, run_mean, run_var;
} rfnas__netb_bn_params;
rfnas__netb_bn_params rfnas__netb_bn_params_of(rfnas__netb *b, const char *prefix, int64_t c,
                                               int affine, int track);

/* Bias-free convolution "<prefix>.conv" with weight "<prefix>.conv.weight",
 * FROZEN under random features, else WEIGHTS. */
int rfnas__netb_conv(rfnas__netb *b, const char *prefix, int x, int64_t cout, int k, int stride,
                     int pad, int dilation, int groups);
/* BN "<prefix>.bn": gamma and beta in WEIGHTS when @p affine, running statistics when @p track. */
int rfnas__netb_bn(rfnas__netb *b, const char *prefix, int x, int affine, int track);
/* ReLU "<prefix>.relu". */
int rfnas__netb_relu(rfnas__netb *b, const char *prefix, int x);

/* The end of every builder: global average pooling of @p features, the
 * classifier (FROZEN under random features unless cfg->train_classifier),
 * cross-entropy, outputs marked, the graph planned and every parameter
 * initialised (SPEC 2.6, 5.1): weights from their fan-in, BN gamma 1 and beta
 * 0, running mean 0 and variance 1, ARCH 1e-3 N(0, 1), the classifier's bias
 * U(+-1/sqrt(fan_in)) (zero under Kaiming initialisation). */
void rfnas__netb_head(rfnas__netb *b, rfnas__net *net, int features);

#endif
