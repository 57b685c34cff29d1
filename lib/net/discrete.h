/* What the builders of discrete networks (darts_eval.c, nb201_eval.c) share. */
#ifndef RFNAS_NET_DISCRETE_H
#define RFNAS_NET_DISCRETE_H

#include "net/builder.h"

/* Validates the common settings and starts a builder for a discrete network:
 * learned features (every convolution in WEIGHTS), BN affine inside cells.
 * @p what names the network in errors; @p max_weights bounds the weight tensors. */
void rfnas__discrete_begin(rfnas__netb *b, rfnas__net *net, rfnas_ctx *ctx,
                           const rfnas__net_config *cfg, int max_weights, const char *what);

/* Gives every tensor that no node reads a sink (nodes.h), except @p n_keep
 * tensors in @p keep (what the head will read, graph outputs): a genotype may
 * leave a state unread (an input only "none" takes, a node outside the concat). */
void rfnas__discrete_sink_unread(rfnas__netb *b, const int *keep, int n_keep);

#endif
