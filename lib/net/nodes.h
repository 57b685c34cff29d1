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
 * normalisation). With @p alpha -1 (then @p cols must be 1) each edge's one
 * input has weight beta_e alone: the sum of PC-DARTS's bypassed channels.
 * The backward adds exact alpha (and beta) gradients. */
int rfnas__node_mixed(rfnas__graph *g, const char *name, const int *x, const int *rows, int edges,
                      int cols, int alpha, int beta);
/* The same, where a nonzero @p pooled[e*cols + k] (NULL: none) makes slot
 * (e, k) the 3x3 average pooling (stride 1, pad 1, padding not counted) of
 * x[e*cols + k], computed inside the sum and its backward rather than
 * materialised (kernels/loops/mixed.h): no pooled tensor is stored or kept.
 * Slots that read one tensor share one input (skip_connect and avg_pool_3x3
 * of a node). Pooled slots need blocked tensors at most RFNAS__MIXED_MAX_W wide. */
int rfnas__node_mixed_pooled(rfnas__graph *g, const char *name, const int *x, const int *pooled,
                             const int *rows, int edges, int cols, int alpha, int beta);

/* Softmax cross-entropy (mean over the batch) of plain logits against the
 * labels in *@p labels (set before each forward). Output: a plain tensor with
 * 2 values per sample; the first sample's slots hold the mean loss and the
 * number of correct predictions. @p scale weighs the gradient (0.4 for an
 * auxiliary head). */
int rfnas__node_xent(rfnas__graph *g, const char *name, int logits, const int32_t *const *labels,
                     double scale);


/* ---- oneDNN-backed kinds (nodes_dnnl.c) ---- */

/* Convolution without bias; @p weight is an existing parameter of
 * cout * (cin/groups) * k * k floats in PyTorch order. A weight in the FROZEN
 * group (random features) is never differentiated and its input never kept.
 * The input may be a plain image tensor (the stem) or nChw16c. */
int rfnas__node_conv(rfnas__graph *g, const char *name, int x, int64_t cout, int k, int stride,
                     int pad, int dilation, int groups, int weight);

/* Merged convolutions (DESIGN 3): the stride-1, ungrouped k x k
 * convolutions of @p parts edges that read the same input, run as one
 * convolution with parts * @p cout_each output channels; output channels
 * [k cout_each, (k+1) cout_each) are edge k's (weights[k], frozen parameters of
 * cout_each * cin * k * k floats, stacked once at the first run). One
 * convolution with more output channels reuses every loaded input pixel for
 * several output blocks (docs/performance.md: 1.3-1.4x at C16@32), and its
 * backward-data sums the edges' input gradients itself. */
int rfnas__node_conv_merged(rfnas__graph *g, const char *name, int x, int64_t cout_each, int k,
                            int pad, const int *weights, int parts);

/* Batch normalisation (eps 1e-5, momentum 0.1): batch statistics in training
 * runs, running statistics in evaluation runs when @p run_mean and @p run_var
 * (STATE parameters of C floats, or -1 for a BN without running statistics,
 * which uses batch statistics in both). @p gamma and @p beta: C floats each,
 * or -1 for a BN without affine parameters. */
int rfnas__node_bn(rfnas__graph *g, const char *name, int x, int gamma, int beta, int run_mean,
                   int run_var);
/* The BN of a merged convolution's output: normalisation is per channel, so
 * one BN over the @p parts edges' channels computes each edge's BN exactly;
 * part k's parameters (gamma[k], beta[k], run_mean[k], run_var[k], or NULL
 * arrays as in rfnas__node_bn) cover channels [k C/parts, (k+1) C/parts). */
int rfnas__node_bn_merged(rfnas__graph *g, const char *name, int x, const int *gamma,
                          const int *beta, const int *run_mean, const int *run_var, int parts);

/* ---- channel moves and source ops (nodes_chan.c): DARTS cells ---- */

/* Concatenation along channels of @p n blocked tensors of one height and width
 * (a DARTS cell's output; FactorizedReduce's two halves). */
int rfnas__node_concat(rfnas__graph *g, const char *name, const int *x, int n);

/* Channels [c0, c0 + k) of a blocked tensor (PC-DARTS's processed and
 * bypassed parts, SPEC 3.3); slices of 4 or 8 channels start and end inside
 * 16-channel blocks (kernels/loops/chan.h handles them lane by lane). */
int rfnas__node_slice(rfnas__graph *g, const char *name, int x, int64_t c0, int64_t k);

/* PC-DARTS's join (SPEC 3.3): y = channel_shuffle(concat(a, b), groups), i.e.
 * y[o] = concat(a, b)[(o mod G) * (C/G) + o/G]. The concatenation is scratch
 * that lives only while the node runs. */
int rfnas__node_shuffle_join(rfnas__graph *g, const char *name, int a, int b, int groups);

/* FactorizedReduce's one-pixel shift (SPEC 3.1, kernels/loops/shift.h):
 * y = x[:, :, 1:, 1:] padded back to H x W with zeros at the right and bottom. */
int rfnas__node_shift(rfnas__graph *g, const char *name, int x);

/* A blocked c x h x w tensor of zeros, without inputs: the sum into a node
 * whose every candidate op is "none" (a mixed node needs one input for its shape). */
int rfnas__node_zero(rfnas__graph *g, const char *name, int64_t c, int64_t h, int64_t w);

/* The S4 noise op (SPEC 3.4, kernels/loops/noise.h): a blocked c x h x w tensor
 * of N(0, 1) noise, without inputs (its gradient to the edge's input is zero).
 * Noise draw d of the node is Philox at (@p seed, @p stream, counter d): the
 * node keeps its counter in its state, starting at 0 and advancing by one after
 * every forward, training or evaluation, so each forward sees fresh noise and
 * every noise node of a graph advances in step. The graph API is unchanged:
 * the counter is read and set through the two functions below, to store it in
 * a checkpoint and resume, or to repeat one draw (finite-difference checks set
 * the same counter before every forward). */
int rfnas__node_noise(rfnas__graph *g, const char *name, int64_t c, int64_t h, int64_t w,
                      uint64_t seed, uint32_t stream);
/* Sets the counter of every noise node of @p g: the next forward draws with it. */
void rfnas__node_noise_set_counter(rfnas__graph *g, uint64_t counter);
/* The counter the next forward of @p g draws with (0 without noise nodes);
 * returns 1 if the graph has noise nodes, else 0. */
int rfnas__node_noise_counter(rfnas__graph *g, uint64_t *counter);

/* ---- discrete networks (nodes_eval.c) ---- */

/* Drop-path settings shared by every drop-path sum of a network: the
 * probability of dropping an op output (per sample) in training forwards,
 * and the counter the next training forward draws its masks at. The network
 * owns it; nodes read it at every forward. */
typedef struct rfnas__droppath {
    double p;         /* 0 <= p < 1; 0 = off (as set: the masks use it as a float) */
    uint64_t counter; /* advanced by the caller after every training forward */
    uint64_t seed;
} rfnas__droppath;

/* A DARTS evaluation cell's node (SPEC 4.4): y = sum_i x_i, where in a
 * training run with ctl->p > 0 every input with @p droppable[i] set (an op
 * other than the identity) goes through drop-path: per sample kept with
 * probability 1 - p and divided by it, or zeroed. Input i draws its mask from
 * Philox at (ctl->seed, RFNAS__RNG_DROPPATH, @p stream + i, ctl->counter)
 * (kernels/loops/droppath.h); the masks are kept for the backward. At most 8
 * blocked inputs of one shape. */
int rfnas__node_droppath_sum(rfnas__graph *g, const char *name, const int *x,
                             const int *droppable, int n, const rfnas__droppath *ctl,
                             uint32_t stream);

/* Reads @p x and gives it a zero gradient, so that a tensor no other node
 * reads (a state only a "none" op takes, a node outside the concat) still has
 * a gradient buffer for its producer's backward: the graph runs the backward
 * of every node with trained parameters. The weights behind it get a zero
 * gradient, as PyTorch's x.mul(0.) of a "none" op gives them. */
int rfnas__node_sink(rfnas__graph *g, const char *name, int x);

#endif
