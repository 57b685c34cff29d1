/* Graph node kinds: each constructor adds its parameters' uses, its output
 * tensor and its node to a graph, and returns the output tensor id (>= 0) or
 * a negative rfnas_status. Activations are nChw16c (RFNAS__LAYOUT_BLOCKED16)
 * unless a function says otherwise. */
#ifndef RFNAS_NET_NODES_H
#define RFNAS_NET_NODES_H

#include <stdint.h>

#include "graph/graph.h"

/* y = max(x, 0). Keeps its output for backward. */
int rfnas__node_relu(rfnas__graph *g, const char *name, int x);

typedef enum rfnas__pool_kind { RFNAS__POOL_AVG, RFNAS__POOL_MAX } rfnas__pool_kind;
/* Average (padding excluded from the count) or max pooling, k x k, stride, pad. */
int rfnas__node_pool(rfnas__graph *g, const char *name, int x, rfnas__pool_kind kind, int k,
                     int stride, int pad);

/* Global average pooling to a plain (N, C) tensor. */
int rfnas__node_gap(rfnas__graph *g, const char *name, int x);

/* y = x W^T + b on plain rows; W (m x k) and b (m) are existing parameters. */
int rfnas__node_linear(rfnas__graph *g, const char *name, int x, int m, int weight, int bias);

/* Elementwise sum of @p n tensors of one shape. */
int rfnas__node_add(rfnas__graph *g, const char *name, const int *x, int n);

/* The DARTS mixed edge, summed over edges into one node (DESIGN 3):
 * y = sum_e beta_e sum_k softmax(alpha[row_e])_k * x[e][k]. x[e][k] < 0 marks a
 * zero op: skipped in compute, kept in the softmax. The alphas are rows of
 * parameter @p alpha (@p cols per row); @p beta (or -1) is a parameter of one
 * value per edge row, softmaxed over this node's edges (PC-DARTS edge
 * normalisation). The backward adds exact alpha (and beta) gradients. */
int rfnas__node_mixed(rfnas__graph *g, const char *name, const int *x, const int *rows, int edges,
                      int cols, int alpha, int beta);

/* Softmax cross-entropy (mean over the batch) of plain logits against the
 * labels in *@p labels (set before each forward). Output: a plain tensor with
 * 2 values per sample; the first sample's slots hold the mean loss and the
 * number of correct predictions. @p scale weighs the gradient (0.4 for an
 * auxiliary head). */
int rfnas__node_xent(rfnas__graph *g, const char *name, int logits, const int32_t *const *labels,
                     double scale);

#endif
