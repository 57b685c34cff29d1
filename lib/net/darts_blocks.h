/* The DARTS op blocks of SPEC 3.1 (darts.c), shared by the search supernet
 * and the discrete network of a genotype (darts_eval.c). Each takes the
 * already rectified input (a state's ReLU is computed once for every op that
 * reads it) and returns the block's output; BN follows b->affine and b->track.
 * Parameters are named "<prefix>...". */
#ifndef RFNAS_NET_DARTS_BLOCKS_H
#define RFNAS_NET_DARTS_BLOCKS_H

#include <stdint.h>

#include "net/builder.h"

/* SepConv: (depthwise k x k -> pointwise -> BN) twice, ReLU between, only the first strided. */
int rfnas__darts_sep_conv(rfnas__netb *b, const char *prefix, int relu_x, int k, int stride);
/* DilConv: depthwise k x k dilation 2 -> pointwise -> BN. */
int rfnas__darts_dil_conv(rfnas__netb *b, const char *prefix, int relu_x, int k, int stride);
/* FactorizedReduce to @p cout channels (>= 2): two shifted 1x1 stride-2 convs, concat, BN. */
int rfnas__darts_factorized_reduce(rfnas__netb *b, const char *prefix, int relu_x, int64_t cout);

#endif
