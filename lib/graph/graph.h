/* A static computation graph with planned memory (DESIGN 3).
 *
 * A network is built once as tensors, parameters and nodes. finalize() plans,
 * for each way the graph is run (evaluation only, then backward for WEIGHTS,
 * then backward for ARCH), when every activation and gradient buffer is live,
 * and packs all of them into one arena allocated then: nothing is allocated
 * inside a step. A node keeps for its backward only what it declares it needs
 * for that group, so a frozen convolution keeps nothing.
 *
 * Tensors are per-sample shapes; the batch size of a run is any value up to
 * the planned maximum (the first b samples of every buffer are used). */
#ifndef RFNAS_GRAPH_GRAPH_H
#define RFNAS_GRAPH_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

typedef struct rfnas__graph rfnas__graph;
typedef struct rfnas__node rfnas__node;
typedef struct rfnas__exec rfnas__exec;

/* How a tensor's floats are laid out. BLOCKED16 is oneDNN's nChw16c (channels
 * padded to a multiple of 16, padding zero); PLAIN is row-major (N, C*H*W). */
typedef enum rfnas__layout { RFNAS__LAYOUT_BLOCKED16, RFNAS__LAYOUT_PLAIN } rfnas__layout;

/* Parameter groups. WEIGHTS and ARCH are the two trained groups of the bilevel
 * search; FROZEN holds random features; STATE holds BN running statistics. */
typedef enum rfnas__group {
    RFNAS__GROUP_WEIGHTS = 0,
    RFNAS__GROUP_ARCH = 1,
    RFNAS__GROUP_FROZEN = 2,
    RFNAS__GROUP_STATE = 3,
    RFNAS__GROUP_COUNT = 4
} rfnas__group;

/* The ways a graph runs; each has its own memory plan. */
typedef enum rfnas__mode {
    RFNAS__MODE_EVAL = 0,    /* forward only: nothing kept */
    RFNAS__MODE_WEIGHTS = 1, /* forward, then backward for the WEIGHTS group */
    RFNAS__MODE_ARCH = 2,    /* forward, then backward for the ARCH group */
    RFNAS__MODE_COUNT = 3
} rfnas__mode;

/* A node's parameters: up to 4 per merged part (a BN of 3 edges merged in one
 * node has 3 gammas, betas, running means and variances). */
enum { RFNAS__NODE_MAX_IN = 48, RFNAS__NODE_MAX_OUT = 2, RFNAS__NODE_MAX_PARAMS = 12 };

typedef struct rfnas__tensor {
    int64_t c, h, w;
    rfnas__layout layout;
    size_t per_sample;    /* floats per sample, padding included */
    int producer;         /* node index, or -1 for a graph input */
    /* A view (rfnas__graph_view) has no buffer of its own: it is channels
     * [c0, c0 + c) of tensor @c base, so its samples are sample_stride floats
     * apart and start view_off floats into each of base's. For any other
     * tensor base is -1, view_off 0 and sample_stride per_sample. */
    int base;
    size_t view_off, sample_stride;
} rfnas__tensor;

typedef struct rfnas__param {
    char name[128];
    rfnas__group group;
    size_t offset, size; /* floats, within the group's flat arrays */
} rfnas__param;

/* What a node kind does. Every function gets the node and the run's state. */
typedef struct rfnas__node_ops {
    const char *kind;
    /* Forward for the run's batch size; writes every output. */
    rfnas_status (*forward)(rfnas__node *node, rfnas__exec *ex);
    /* Backward: for each input i with rfnas__exec_need_grad(ex, i), writes (or,
     * with rfnas__exec_accumulate(ex, i), adds) its gradient; adds its parameters'
     * gradients when they belong to the run's group. */
    rfnas_status (*backward)(rfnas__node *node, rfnas__exec *ex);
    /* Bit mask of the inputs (bits 0..47) and outputs (bits 48, 49) the backward
     * for @p group reads: they are kept alive from forward to backward. */
    uint64_t (*keeps)(const rfnas__node *node, rfnas__group group);
    /* Releases the node's private state (primitives, caches). May be NULL. */
    void (*destroy)(rfnas__node *node);
} rfnas__node_ops;

#define RFNAS__KEEP_OUT(i) (1ull << (48 + (i)))

struct rfnas__node {
    const rfnas__node_ops *ops;
    void *state;
    char name[128];
    int n_in, n_out, n_params;
    int in[RFNAS__NODE_MAX_IN];
    int out[RFNAS__NODE_MAX_OUT];
    int params[RFNAS__NODE_MAX_PARAMS];
    size_t scratch_per_sample; /* floats of scratch live only while the node runs */
};

/* ---- building ---- */

rfnas_status rfnas__graph_create(rfnas__graph **out, rfnas_ctx *ctx, int64_t max_batch);
void rfnas__graph_destroy(rfnas__graph *g);

/* A new tensor of per-sample shape c x h x w; returns its id (>= 0) or a negative status. */
int rfnas__graph_tensor(rfnas__graph *g, int64_t c, int64_t h, int64_t w, rfnas__layout layout);
/* A view of channels [@p c0, @p c0 + @p c) of the blocked tensor @p base
 * (DESIGN 3, merged convolutions: one convolution with the output channels of
 * several edges, whose edges each read their own slice). c0 and c are
 * multiples of 16 (whole channel blocks), so the slice of each sample is
 * contiguous. Its value and gradient live inside base's: only nodes added
 * with rfnas__graph_node_views() may read a view, each view has exactly one
 * reader (its gradient slice is written once, never accumulated), base is
 * read only through its views, and the views of a base must cover all of its
 * channels (checked by finalize). Returns the view's id or a negative status. */
int rfnas__graph_view(rfnas__graph *g, int base, int64_t c0, int64_t c);

/* A new parameter of @p size floats in @p group; returns its id or a negative status. */
int rfnas__graph_param(rfnas__graph *g, const char *name, rfnas__group group, size_t size);
/* Adds a node; the graph takes ownership of @p state (freed by ops->destroy). The node
 * must come after the producers of its inputs. Returns the node index or a negative status. */
int rfnas__graph_node(rfnas__graph *g, const rfnas__node_ops *ops, void *state, const char *name,
                      const int *in, int n_in, const int *out, int n_out, const int *params,
                      int n_params, size_t scratch_per_sample);
/* The same, for a node that reads views: it honours each input's
 * sample_stride (rfnas__tensor) for its values and gradients. */
int rfnas__graph_node_views(rfnas__graph *g, const rfnas__node_ops *ops, void *state,
                            const char *name, const int *in, int n_in, const int *out, int n_out,
                            const int *params, int n_params, size_t scratch_per_sample);

/* Declares @p tensor a graph input, written by the caller before forward. */
rfnas_status rfnas__graph_mark_input(rfnas__graph *g, int tensor);
/* Keeps @p tensor readable after forward and backward (logits, loss). */
rfnas_status rfnas__graph_mark_output(rfnas__graph *g, int tensor);

/* Plans memory for every mode and allocates the arena and parameter arrays. */
rfnas_status rfnas__graph_finalize(rfnas__graph *g);

/* ---- running ---- */

/* Forward in node order with @p batch samples (1..max). @p mode chooses the plan;
 * a following backward must be for the same mode. @p train is passed to nodes. */
rfnas_status rfnas__graph_forward(rfnas__graph *g, int64_t batch, rfnas__mode mode, int train);
/* Backward in reverse order for the group of the last forward's mode; the loss
 * node (the last node) seeds the gradient. Nodes no gradient of the group needs
 * are skipped. Parameter gradients accumulate: zero them between steps. */
rfnas_status rfnas__graph_backward(rfnas__graph *g);
void rfnas__graph_zero_grad(rfnas__graph *g, rfnas__group group);

/* ---- access ---- */

const rfnas__tensor *rfnas__graph_tensor_info(const rfnas__graph *g, int tensor);
/* A tensor's buffer in the plan of the last forward (outputs stay valid after the run). */
float *rfnas__graph_value(rfnas__graph *g, int tensor);
/* A tensor's buffer in the plan of @p mode: where to write graph inputs before a forward. */
float *rfnas__graph_value_for(rfnas__graph *g, rfnas__mode mode, int tensor);
float *rfnas__graph_param_value(rfnas__graph *g, int param);
float *rfnas__graph_param_grad(rfnas__graph *g, int param);
const rfnas__param *rfnas__graph_param_info(const rfnas__graph *g, int param);
int rfnas__graph_param_count(const rfnas__graph *g);
float *rfnas__graph_group_values(rfnas__graph *g, rfnas__group group, size_t *size);
float *rfnas__graph_group_grads(rfnas__graph *g, rfnas__group group, size_t *size);
rfnas__node *rfnas__graph_node_at(rfnas__graph *g, int node);
int rfnas__graph_node_count(const rfnas__graph *g);
int rfnas__graph_tensor_count(const rfnas__graph *g);
/* Bytes of arena the plan of @p mode uses at the maximum batch, and the arena's total. */
size_t rfnas__graph_plan_bytes(const rfnas__graph *g, rfnas__mode mode);
rfnas_ctx *rfnas__graph_ctx(const rfnas__graph *g);
/* Whether convolution nodes added from now on with frozen weights compute in
 * bf16 (net.precision; the conv node decides which convolutions qualify). */
void rfnas__graph_set_conv_bf16(rfnas__graph *g, int on);
int rfnas__graph_conv_bf16(const rfnas__graph *g);

/* bf16 shadows (shadow.c): a bf16 copy of @p tensor shared by the bf16
 * convolutions that read it. Reserve at build time (@p bytes_per_sample of
 * the copy; reserving again is a no-op). At run time rfnas__graph_shadow()
 * gives the buffer (NULL if none was reserved) and sets @p filled when it
 * already holds this forward's value; otherwise the caller fills it now. */
rfnas_status rfnas__graph_shadow_reserve(rfnas__graph *g, int tensor, size_t bytes_per_sample);
void *rfnas__graph_shadow(rfnas__graph *g, int tensor, int *filled);
size_t rfnas__graph_shadow_bytes(const rfnas__graph *g);
int64_t rfnas__graph_max_batch(const rfnas__graph *g);

/* ---- inside a node's forward/backward ---- */

struct rfnas__exec {
    rfnas__graph *graph;
    rfnas_ctx *ctx;
    int64_t batch;
    int train;
    rfnas__group group;       /* backward: the group gradients are for */
    uint64_t need_grad;       /* backward: bit i = input i needs a gradient */
    uint64_t accumulate;      /* backward: bit i = add to input i gradient, not overwrite */
    float *scratch;           /* the node's scratch for this call */
};

float *rfnas__exec_in(rfnas__exec *ex, const rfnas__node *node, int i);
float *rfnas__exec_out(rfnas__exec *ex, const rfnas__node *node, int i);
float *rfnas__exec_in_grad(rfnas__exec *ex, const rfnas__node *node, int i);
float *rfnas__exec_out_grad(rfnas__exec *ex, const rfnas__node *node, int i);
float *rfnas__exec_param(rfnas__exec *ex, const rfnas__node *node, int i);
float *rfnas__exec_param_grad(rfnas__exec *ex, const rfnas__node *node, int i);
/* Whether the run's group trains parameter i of the node. */
int rfnas__exec_param_trained(const rfnas__exec *ex, const rfnas__node *node, int i);
static inline int rfnas__exec_need_grad(const rfnas__exec *ex, int i)
{
    return (int)(ex->need_grad >> i & 1u);
}
static inline int rfnas__exec_accumulate(const rfnas__exec *ex, int i)
{
    return (int)(ex->accumulate >> i & 1u);
}

#endif
