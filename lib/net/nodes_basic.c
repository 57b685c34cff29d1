/* Node kinds over the library's own loops (lib/kernels/loops): ReLU, pooling,
 * global average pooling, linear, elementwise add, the mixed edge, the loss. */
#include <math.h>
#include <string.h>

#include "kernels/loops/linear.h"
#include "kernels/loops/mixed.h"
#include "kernels/loops/pool.h"
#include "kernels/loops/relu.h"
#include "kernels/loops/sum.h"
#include "kernels/loops/xent.h"
#include "nodes.h"

/* ---- shared helpers ---- */

static rfnas__blocked_shape shape_of(const rfnas__exec *ex, int tensor)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(ex->graph, tensor);
    return rfnas__blocked_make((int)ex->batch, (int)t->c, (int)t->h, (int)t->w);
}

static size_t floats_of(const rfnas__exec *ex, int tensor)
{
    return rfnas__graph_tensor_info(ex->graph, tensor)->per_sample * (size_t)ex->batch;
}

/* Node state lives in the context's allocator; every state starts with this. */
typedef struct state_base {
    rfnas_ctx *ctx;
} state_base;

static void *state_new(rfnas__graph *g, size_t size)
{
    rfnas_ctx *ctx = rfnas__graph_ctx(g);
    state_base *s = rfnas__calloc(ctx, 1, size);
    if (s)
        s->ctx = ctx;
    return s;
}

static void state_destroy(rfnas__node *node)
{
    state_base *s = node->state;
    if (s)
        rfnas__free(s->ctx, s);
}

static uint64_t keeps_nothing(const rfnas__node *node, rfnas__group group)
{
    (void)node;
    (void)group;
    return 0;
}

static const rfnas__node_ops mixed_ops;

/* Adds a node producing one new tensor of the given shape; only the mixed
 * node reads views (merged convolutions' slices, rfnas__graph_view). */
static int add_node(rfnas__graph *g, const rfnas__node_ops *ops, void *state, const char *name,
                    const int *in, int n_in, int64_t c, int64_t h, int64_t w, rfnas__layout layout,
                    const int *params, int n_params, size_t scratch)
{
    int y = rfnas__graph_tensor(g, c, h, w, layout);
    if (y < 0) {
        rfnas__node tmp = {.ops = ops, .state = state};
        ops->destroy(&tmp);
        return y;
    }
    int rc = ops == &mixed_ops ? rfnas__graph_node_views(g, ops, state, name, in, n_in, &y, 1,
                                                         params, n_params, scratch)
                               : rfnas__graph_node(g, ops, state, name, in, n_in, &y, 1, params,
                                                   n_params, scratch);
    return rc < 0 ? rc : y;
}

/* ---- ReLU ---- */

static rfnas_status relu_fwd(rfnas__node *n, rfnas__exec *ex)
{
    rfnas__relu_fwd(rfnas__exec_out(ex, n, 0), rfnas__exec_in(ex, n, 0), floats_of(ex, n->in[0]));
    return RFNAS_OK;
}

static rfnas_status relu_bwd(rfnas__node *n, rfnas__exec *ex)
{
    rfnas__relu_bwd(rfnas__exec_in_grad(ex, n, 0), rfnas__exec_out_grad(ex, n, 0),
                    rfnas__exec_in(ex, n, 0), floats_of(ex, n->in[0]),
                    rfnas__exec_accumulate(ex, 0));
    return RFNAS_OK;
}

static uint64_t relu_keeps(const rfnas__node *n, rfnas__group group)
{
    (void)n;
    (void)group;
    /* The input's sign pattern is the mask. Keeping the input rather than the
     * output: the input is a cell node that skip and pooling ops read too, so
     * it is usually kept anyway, while the output (what a frozen convolution
     * reads) is then free after the forward (DESIGN 3). */
    return 1u;
}

static const rfnas__node_ops relu_ops = {"relu", relu_fwd, relu_bwd, relu_keeps, state_destroy};

int rfnas__node_relu(rfnas__graph *g, const char *name, int x)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, x);
    if (t == NULL)
        return rfnas__error(RFNAS_E_INVALID, "relu %s: unknown input", name);
    return add_node(g, &relu_ops, NULL, name, &x, 1, t->c, t->h, t->w, t->layout, NULL, 0, 0);
}

/* ---- pooling ---- */

typedef struct pool_state {
    state_base base;
    rfnas__pool_kind kind;
    int k, stride, pad;
} pool_state;

/* Max pooling's argmax rides in a second output: one byte per output element. */
static uint8_t *argmax_of(rfnas__exec *ex, const rfnas__node *n)
{
    return (uint8_t *)(void *)rfnas__exec_out(ex, n, 1);
}

static rfnas_status pool_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const pool_state *s = n->state;
    rfnas__blocked_shape xs = shape_of(ex, n->in[0]);
    if (s->kind == RFNAS__POOL_AVG)
        return rfnas__pool_avg_fwd(rfnas__exec_out(ex, n, 0), rfnas__exec_in(ex, n, 0), xs, s->k,
                                   s->stride, s->pad);
    return rfnas__pool_max_fwd(rfnas__exec_out(ex, n, 0), argmax_of(ex, n),
                               rfnas__exec_in(ex, n, 0), xs, s->k, s->stride, s->pad);
}

static rfnas_status pool_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const pool_state *s = n->state;
    rfnas__blocked_shape xs = shape_of(ex, n->in[0]);
    float *dx = rfnas__exec_in_grad(ex, n, 0);
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    int accum = rfnas__exec_accumulate(ex, 0);
    if (s->kind == RFNAS__POOL_AVG)
        return rfnas__pool_avg_bwd(dx, dy, xs, s->k, s->stride, s->pad, accum);
    return rfnas__pool_max_bwd(dx, dy, argmax_of(ex, n), xs, s->k, s->stride, s->pad, accum);
}

static uint64_t pool_keeps(const rfnas__node *n, rfnas__group group)
{
    (void)group;
    const pool_state *s = n->state;
    return s->kind == RFNAS__POOL_MAX ? RFNAS__KEEP_OUT(1) : 0;
}

static const rfnas__node_ops pool_ops = {"pool", pool_fwd, pool_bwd, pool_keeps, state_destroy};

int rfnas__node_pool(rfnas__graph *g, const char *name, int x, rfnas__pool_kind kind, int k,
                     int stride, int pad)
{
    /* A copy: adding tensors below may move the graph's tensor array. */
    const rfnas__tensor *info = rfnas__graph_tensor_info(g, x);
    if (info == NULL || info->layout != RFNAS__LAYOUT_BLOCKED16)
        return rfnas__error(RFNAS_E_INVALID, "pool %s: input must be a blocked tensor", name);
    const rfnas__tensor tensor = *info, *t = &tensor;
    RFNAS__TRY(rfnas__pool_check(rfnas__blocked_make(1, (int)t->c, (int)t->h, (int)t->w), k,
                                 stride, pad));
    int oh = rfnas__pool_out_size((int)t->h, k, stride, pad);
    int ow = rfnas__pool_out_size((int)t->w, k, stride, pad);
    pool_state *s = state_new(g, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("pool node");
    s->kind = kind;
    s->k = k;
    s->stride = stride;
    s->pad = pad;
    int y = rfnas__graph_tensor(g, t->c, oh, ow, RFNAS__LAYOUT_BLOCKED16);
    int outs[2] = {y, -1};
    int n_out = 1;
    if (y >= 0 && kind == RFNAS__POOL_MAX) {
        size_t bytes = rfnas__graph_tensor_info(g, y)->per_sample;
        outs[1] = rfnas__graph_tensor(g, (int64_t)((bytes + 3) / 4), 1, 1, RFNAS__LAYOUT_PLAIN);
        n_out = 2;
    }
    if (y < 0 || (n_out == 2 && outs[1] < 0)) {
        rfnas__free(s->base.ctx, s);
        return y < 0 ? y : outs[1];
    }
    int rc = rfnas__graph_node(g, &pool_ops, s, name, &x, 1, outs, n_out, NULL, 0, 0);
    return rc < 0 ? rc : y;
}

/* ---- global average pooling ---- */

static rfnas_status gap_fwd(rfnas__node *n, rfnas__exec *ex)
{
    rfnas__pool_gap_fwd(rfnas__exec_out(ex, n, 0), rfnas__exec_in(ex, n, 0),
                        shape_of(ex, n->in[0]));
    return RFNAS_OK;
}

static rfnas_status gap_bwd(rfnas__node *n, rfnas__exec *ex)
{
    rfnas__pool_gap_bwd(rfnas__exec_in_grad(ex, n, 0), rfnas__exec_out_grad(ex, n, 0),
                        shape_of(ex, n->in[0]), rfnas__exec_accumulate(ex, 0));
    return RFNAS_OK;
}

static const rfnas__node_ops gap_ops = {"gap", gap_fwd, gap_bwd, keeps_nothing, state_destroy};

int rfnas__node_gap(rfnas__graph *g, const char *name, int x)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, x);
    if (t == NULL || t->layout != RFNAS__LAYOUT_BLOCKED16)
        return rfnas__error(RFNAS_E_INVALID, "gap %s: input must be a blocked tensor", name);
    return add_node(g, &gap_ops, NULL, name, &x, 1, t->c, 1, 1, RFNAS__LAYOUT_PLAIN, NULL, 0, 0);
}

/* ---- linear ---- */

typedef struct linear_state {
    state_base base;
    int k, m;
    rfnas__group weight_group;
} linear_state;

static rfnas_status linear_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const linear_state *s = n->state;
    rfnas__linear_fwd(rfnas__exec_out(ex, n, 0), rfnas__exec_in(ex, n, 0),
                      rfnas__exec_param(ex, n, 0), rfnas__exec_param(ex, n, 1), (int)ex->batch,
                      s->k, s->m);
    return RFNAS_OK;
}

static rfnas_status linear_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const linear_state *s = n->state;
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    if (rfnas__exec_param_trained(ex, n, 0))
        rfnas__linear_bwd_weights(rfnas__exec_param_grad(ex, n, 0),
                                  rfnas__exec_param_grad(ex, n, 1), dy, rfnas__exec_in(ex, n, 0),
                                  (int)ex->batch, s->k, s->m, 1);
    if (rfnas__exec_need_grad(ex, 0))
        rfnas__linear_bwd_data(rfnas__exec_in_grad(ex, n, 0), dy, rfnas__exec_param(ex, n, 0),
                               (int)ex->batch, s->k, s->m, rfnas__exec_accumulate(ex, 0));
    return RFNAS_OK;
}

static uint64_t linear_keeps(const rfnas__node *n, rfnas__group group)
{
    const linear_state *s = n->state;
    return s->weight_group == group ? 1u : 0u; /* x only for the weight gradient */
}

static const rfnas__node_ops linear_ops = {"linear", linear_fwd, linear_bwd, linear_keeps,
                                           state_destroy};

int rfnas__node_linear(rfnas__graph *g, const char *name, int x, int m, int weight, int bias)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, x);
    const rfnas__param *pw = rfnas__graph_param_info(g, weight);
    const rfnas__param *pb = rfnas__graph_param_info(g, bias);
    if (t == NULL || t->layout != RFNAS__LAYOUT_PLAIN || pw == NULL || pb == NULL ||
        pw->size != (size_t)m * t->per_sample || pb->size != (size_t)m || pw->group != pb->group)
        return rfnas__error(RFNAS_E_INVALID, "linear %s: shapes or parameters do not agree", name);
    linear_state *s = state_new(g, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("linear node");
    s->k = (int)t->per_sample;
    s->m = m;
    s->weight_group = pw->group;
    const int params[2] = {weight, bias};
    return add_node(g, &linear_ops, s, name, &x, 1, m, 1, 1, RFNAS__LAYOUT_PLAIN, params, 2, 0);
}

/* ---- add ---- */

static rfnas_status add_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *x[RFNAS__SUM_MAX_K];
    float ones[RFNAS__SUM_MAX_K];
    for (int i = 0; i < n->n_in; i++) {
        x[i] = rfnas__exec_in(ex, n, i);
        ones[i] = 1.0f;
    }
    rfnas__sum_weighted(rfnas__exec_out(ex, n, 0), x, ones, n->n_in, floats_of(ex, n->out[0]), 0);
    return RFNAS_OK;
}

static rfnas_status add_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    const size_t len = floats_of(ex, n->out[0]);
    for (int i = 0; i < n->n_in; i++) {
        if (!rfnas__exec_need_grad(ex, i))
            continue;
        float *dx = rfnas__exec_in_grad(ex, n, i);
        if (rfnas__exec_accumulate(ex, i))
            rfnas__sum_axpy(dx, 1.0f, dy, len);
        else
            memcpy(dx, dy, len * sizeof *dx);
    }
    return RFNAS_OK;
}

static const rfnas__node_ops add_ops = {"add", add_fwd, add_bwd, keeps_nothing, state_destroy};

int rfnas__node_add(rfnas__graph *g, const char *name, const int *x, int n)
{
    if (n < 1 || n > RFNAS__SUM_MAX_K)
        return rfnas__error(RFNAS_E_INVALID, "add %s: %d inputs", name, n);
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, x[0]);
    for (int i = 0; i < n; i++) {
        const rfnas__tensor *u = rfnas__graph_tensor_info(g, x[i]);
        if (t == NULL || u == NULL || u->per_sample != t->per_sample || u->c != t->c ||
            u->layout != t->layout)
            return rfnas__error(RFNAS_E_MISMATCH, "add %s: inputs differ in shape", name);
    }
    return add_node(g, &add_ops, NULL, name, x, n, t->c, t->h, t->w, t->layout, NULL, 0, 0);
}

/* ---- mixed edges summed into a node ---- */

enum { MIXED_MAX_EDGES = 14, MIXED_MAX_COLS = 16 };

/* The node's terms are its (edge, op) slots that are not "none"; its inputs
 * are the distinct tensors they read. A slot reads its tensor as it is or,
 * for an average pooling computed on the fly, pooled (kernels/loops/mixed.h):
 * skip_connect and avg_pool_3x3 of one node then read the same input, and the
 * pooled tensor never exists. On blocked tensors the sum runs in the fused
 * kernel (one pass per slab, input gradients and dot products together);
 * plain tensors take the flat weighted sum. */
typedef struct mixed_state {
    state_base base;
    int edges, cols;
    int rows[MIXED_MAX_EDGES];
    int n_terms;
    int edge_of[RFNAS__MIXED_MAX], col_of[RFNAS__MIXED_MAX]; /* per term */
    rfnas__mixed_term terms[RFNAS__MIXED_MAX];               /* src = input index */
    int in_cbs[RFNAS__NODE_MAX_IN]; /* channel blocks between an input's samples */
    int fused;
    int has_beta;
    int alpha_slot, beta_slot;    /* parameter slots of the node, -1 when absent */
    rfnas__group arch_group;      /* the group of the alphas (or, without them, the betas) */
    /* From the forward, for the backward of the same step. */
    double soft[MIXED_MAX_EDGES][MIXED_MAX_COLS]; /* softmax(alpha row) */
    double beta_soft[MIXED_MAX_EDGES];            /* edge normalisation, 1 without beta */
} mixed_state;

static void softmax_d(const float *x, int n, double *out)
{
    double m = x[0], sum = 0;
    for (int k = 1; k < n; k++)
        m = x[k] > m ? x[k] : m;
    for (int k = 0; k < n; k++)
        sum += out[k] = exp((double)x[k] - m);
    for (int k = 0; k < n; k++)
        out[k] /= sum;
}

static rfnas_status mixed_fwd(rfnas__node *n, rfnas__exec *ex)
{
    mixed_state *s = n->state;
    const float *alpha = s->alpha_slot >= 0 ? rfnas__exec_param(ex, n, s->alpha_slot) : NULL;
    float beta_rows[MIXED_MAX_EDGES];
    for (int e = 0; e < s->edges; e++) {
        if (alpha)
            softmax_d(alpha + (size_t)s->rows[e] * (size_t)s->cols, s->cols, s->soft[e]);
        else
            s->soft[e][0] = 1.0; /* one input per edge, weighed by the beta alone */
        if (s->has_beta)
            beta_rows[e] = rfnas__exec_param(ex, n, s->beta_slot)[s->rows[e]];
    }
    if (s->has_beta)
        softmax_d(beta_rows, s->edges, s->beta_soft);
    else
        for (int e = 0; e < s->edges; e++)
            s->beta_soft[e] = 1.0;
    const float *in[RFNAS__NODE_MAX_IN];
    for (int i = 0; i < n->n_in; i++)
        in[i] = rfnas__exec_in(ex, n, i);
    for (int t = 0; t < s->n_terms; t++)
        s->terms[t].w =
            (float)(s->soft[s->edge_of[t]][s->col_of[t]] * s->beta_soft[s->edge_of[t]]);
    float *y = rfnas__exec_out(ex, n, 0);
    if (s->fused) {
        rfnas__mixed_fwd_strided(y, in, s->in_cbs, s->terms, s->n_terms,
                                 shape_of(ex, n->out[0]));
        return RFNAS_OK;
    }
    const size_t len = floats_of(ex, n->out[0]);
    const float *x[RFNAS__MIXED_MAX];
    float w[RFNAS__MIXED_MAX];
    for (int t = 0; t < s->n_terms; t++) {
        x[t] = in[s->terms[t].src];
        w[t] = s->terms[t].w;
    }
    /* In chunks of the kernel's maximum, in term order: deterministic. */
    for (int t = 0; t < s->n_terms; t += RFNAS__SUM_MAX_K) {
        int k = s->n_terms - t < RFNAS__SUM_MAX_K ? s->n_terms - t : RFNAS__SUM_MAX_K;
        rfnas__sum_weighted(y, x + t, w + t, k, len, t > 0);
    }
    return RFNAS_OK;
}

/* The flat path's backward (plain tensors, identity terms only; no network
 * builds one, so simplicity wins over passes): the dot products in one pass
 * per chunk of terms, then each input's gradient term by term, the first
 * term overwriting unless the input accumulates. */
static void mixed_bwd_flat(rfnas__node *n, rfnas__exec *ex, const float *const *in, double *g,
                           int want_g)
{
    mixed_state *s = n->state;
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    const size_t len = floats_of(ex, n->out[0]);
    for (int t0 = 0; want_g && t0 < s->n_terms; t0 += RFNAS__SUM_MAX_K) {
        const int k = s->n_terms - t0 < RFNAS__SUM_MAX_K ? s->n_terms - t0 : RFNAS__SUM_MAX_K;
        const float *x[RFNAS__SUM_MAX_K];
        float w[RFNAS__SUM_MAX_K];
        for (int j = 0; j < k; j++) {
            x[j] = in[s->terms[t0 + j].src];
            w[j] = s->terms[t0 + j].w;
        }
        rfnas__sum_weighted_bwd(NULL, g + t0, dy, x, w, k, len, 0);
    }
    for (int i = 0; i < n->n_in; i++) {
        if (!rfnas__exec_need_grad(ex, i))
            continue;
        float *dx[1] = {rfnas__exec_in_grad(ex, n, i)};
        int accum = rfnas__exec_accumulate(ex, i);
        for (int t = 0; t < s->n_terms; t++) {
            if (s->terms[t].src != i)
                continue;
            const float *x[1] = {in[i]};
            rfnas__sum_weighted_bwd(dx, NULL, dy, x, &s->terms[t].w, 1, len, accum);
            accum = 1;
        }
    }
}

static rfnas_status mixed_bwd(rfnas__node *n, rfnas__exec *ex)
{
    mixed_state *s = n->state;
    const int train_alpha = s->alpha_slot >= 0 && rfnas__exec_param_trained(ex, n, s->alpha_slot);
    const int train_beta = s->has_beta && rfnas__exec_param_trained(ex, n, s->beta_slot);
    const int want_g = train_alpha || train_beta;
    const float *in[RFNAS__NODE_MAX_IN];
    double g[RFNAS__MIXED_MAX] = {0};
    for (int i = 0; i < n->n_in; i++)
        in[i] = rfnas__exec_in(ex, n, i);
    if (s->fused) {
        float *dx[RFNAS__NODE_MAX_IN];
        uint64_t accum = 0;
        for (int i = 0; i < n->n_in; i++) {
            dx[i] = rfnas__exec_need_grad(ex, i) ? rfnas__exec_in_grad(ex, n, i) : NULL;
            accum |= (uint64_t)rfnas__exec_accumulate(ex, i) << i;
        }
        rfnas__mixed_bwd_strided(dx, accum, want_g ? g : NULL, rfnas__exec_out_grad(ex, n, 0), in,
                                 s->in_cbs, n->n_in, s->terms, s->n_terms,
                                 shape_of(ex, n->out[0]));
    } else {
        mixed_bwd_flat(n, ex, in, g, want_g);
    }
    if (!train_alpha && !train_beta)
        return RFNAS_OK;
    /* dL/dsoftmax_k = beta_e g_k; dalpha = soft * (G - <soft, G>) (DESIGN 3).
     * h_e = <dL/dy, edge e's mixed output> = sum_k soft_k G_k feeds the betas. */
    double G[MIXED_MAX_EDGES][MIXED_MAX_COLS] = {{0}};
    for (int t = 0; t < s->n_terms; t++)
        G[s->edge_of[t]][s->col_of[t]] = g[t];
    float *dalpha = train_alpha ? rfnas__exec_param_grad(ex, n, s->alpha_slot) : NULL;
    double h[MIXED_MAX_EDGES] = {0};
    for (int e = 0; e < s->edges; e++) {
        double dot = 0;
        for (int k = 0; k < s->cols; k++) {
            h[e] += s->soft[e][k] * G[e][k];
            dot += s->soft[e][k] * s->beta_soft[e] * G[e][k];
        }
        for (int k = 0; dalpha && k < s->cols; k++)
            dalpha[(size_t)s->rows[e] * (size_t)s->cols + (size_t)k] +=
                (float)(s->soft[e][k] * (s->beta_soft[e] * G[e][k] - dot));
    }
    /* A node may be one of two sharing the betas (PC-DARTS: the processed and
     * the bypassed channels of the same edges); the beta gradient is linear in
     * h, so each adds its own share and the sum is exact. */
    if (train_beta) {
        float *dbeta = rfnas__exec_param_grad(ex, n, s->beta_slot);
        double dot = 0;
        for (int e = 0; e < s->edges; e++)
            dot += s->beta_soft[e] * h[e];
        for (int e = 0; e < s->edges; e++)
            dbeta[s->rows[e]] += (float)(s->beta_soft[e] * (h[e] - dot));
    }
    return RFNAS_OK;
}

static uint64_t mixed_keeps(const rfnas__node *n, rfnas__group group)
{
    const mixed_state *s = n->state;
    /* The inputs only for the alpha (and beta) gradient's dot products. */
    if (s->arch_group != group)
        return 0;
    return n->n_in >= 64 ? ~0ull : (1ull << n->n_in) - 1;
}

static const rfnas__node_ops mixed_ops = {"mixed", mixed_fwd, mixed_bwd, mixed_keeps,
                                          state_destroy};

int rfnas__node_mixed_pooled(rfnas__graph *g, const char *name, const int *x, const int *pooled,
                             const int *rows, int edges, int cols, int alpha, int beta)
{
    if (edges < 1 || edges > MIXED_MAX_EDGES || cols < 1 || cols > MIXED_MAX_COLS ||
        (alpha < 0 && cols != 1))
        return rfnas__error(RFNAS_E_INVALID, "mixed %s: %d edges of %d ops%s", name, edges, cols,
                            alpha < 0 ? " without alphas" : "");
    const rfnas__param *pa = alpha >= 0 ? rfnas__graph_param_info(g, alpha) : NULL;
    const rfnas__param *pb = beta >= 0 ? rfnas__graph_param_info(g, beta) : NULL;
    if ((alpha >= 0 && pa == NULL) || (beta >= 0 && pb == NULL) || (pa == NULL && pb == NULL))
        return rfnas__error(RFNAS_E_INVALID, "mixed %s: unknown parameter", name);
    mixed_state *s = state_new(g, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("mixed node");
    s->edges = edges;
    s->cols = cols;
    s->has_beta = beta >= 0;
    s->alpha_slot = pa ? 0 : -1;
    s->beta_slot = pb ? (pa ? 1 : 0) : -1;
    s->arch_group = pa ? pa->group : pb->group;
    int in[RFNAS__NODE_MAX_IN], n_in = 0, any_pooled = 0, all_blocked = 1;
    const rfnas__tensor *shape = NULL;
    rfnas_status rc = RFNAS_OK;
    for (int e = 0; e < edges && rc == RFNAS_OK; e++) {
        s->rows[e] = rows[e];
        if ((pa && (size_t)(rows[e] + 1) * (size_t)cols > pa->size) ||
            (pb && (size_t)rows[e] >= pb->size))
            rc = rfnas__error(RFNAS_E_INVALID, "mixed %s: row %d is outside the parameters", name,
                              rows[e]);
        for (int k = 0; k < cols && rc == RFNAS_OK; k++) {
            int t = x[e * cols + k];
            if (t < 0)
                continue;
            const rfnas__tensor *u = rfnas__graph_tensor_info(g, t);
            if (s->n_terms == RFNAS__MIXED_MAX || u == NULL ||
                (shape && (u->per_sample != shape->per_sample || u->c != shape->c))) {
                rc = rfnas__error(RFNAS_E_MISMATCH, "mixed %s: op outputs differ or are too many",
                                  name);
                break;
            }
            shape = shape ? shape : u;
            const int pool = pooled && pooled[e * cols + k];
            any_pooled |= pool;
            all_blocked &= u->layout == RFNAS__LAYOUT_BLOCKED16;
            int src = 0;
            while (src < n_in && in[src] != t)
                src++;
            if (src == n_in) {
                if (n_in == RFNAS__NODE_MAX_IN) {
                    rc = rfnas__error(RFNAS_E_MISMATCH, "mixed %s: too many inputs", name);
                    break;
                }
                s->in_cbs[n_in] = u->layout == RFNAS__LAYOUT_BLOCKED16
                                      ? (int)(u->sample_stride / (size_t)(16 * u->h * u->w))
                                      : 0;
                if (u->base >= 0 && u->layout != RFNAS__LAYOUT_BLOCKED16)
                    rc = rfnas__error(RFNAS_E_INVALID, "mixed %s: a view must be blocked", name);
                in[n_in++] = t;
            }
            const int i = s->n_terms++;
            s->edge_of[i] = e;
            s->col_of[i] = k;
            s->terms[i].src = src;
            s->terms[i].kind = pool ? RFNAS__MIXED_AVG3 : RFNAS__MIXED_IDENT;
            s->terms[i].w = 0.0f;
        }
    }
    if (rc == RFNAS_OK && shape == NULL)
        rc = rfnas__error(RFNAS_E_INVALID, "mixed %s: every op is none; nothing gives the shape",
                          name);
    if (rc == RFNAS_OK && any_pooled && (!all_blocked || shape->w > RFNAS__MIXED_MAX_W))
        rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                          "mixed %s: pooling on the fly needs blocked tensors at most %d wide",
                          name, RFNAS__MIXED_MAX_W);
    if (rc != RFNAS_OK) {
        rfnas__free(s->base.ctx, s);
        return rc;
    }
    s->fused = all_blocked;
    int params[2], n_params = 0;
    if (alpha >= 0)
        params[n_params++] = alpha;
    if (beta >= 0)
        params[n_params++] = beta;
    return add_node(g, &mixed_ops, s, name, in, n_in, shape->c, shape->h, shape->w, shape->layout,
                    params, n_params, 0);
}

int rfnas__node_mixed(rfnas__graph *g, const char *name, const int *x, const int *rows, int edges,
                      int cols, int alpha, int beta)
{
    return rfnas__node_mixed_pooled(g, name, x, NULL, rows, edges, cols, alpha, beta);
}

/* ---- softmax cross-entropy ---- */

typedef struct xent_state {
    state_base base;
    const int32_t *const *labels;
    double scale;
    int m;
} xent_state;

static rfnas_status xent_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const xent_state *s = n->state;
    if (*s->labels == NULL)
        return rfnas__error(RFNAS_E_STATE, "no labels set for the batch");
    double loss;
    int correct;
    RFNAS__TRY(rfnas__xent_fwd_bwd(&loss, NULL, &correct, rfnas__exec_in(ex, n, 0), *s->labels,
                                   (int)ex->batch, s->m, s->scale));
    float *out = rfnas__exec_out(ex, n, 0);
    out[0] = (float)loss;
    out[1] = (float)correct;
    return RFNAS_OK;
}

static rfnas_status xent_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const xent_state *s = n->state;
    float *dx = rfnas__exec_in_grad(ex, n, 0);
    const int accum = rfnas__exec_accumulate(ex, 0);
    float *target = accum ? ex->scratch : dx;
    double loss;
    RFNAS__TRY(rfnas__xent_fwd_bwd(&loss, target, NULL, rfnas__exec_in(ex, n, 0), *s->labels,
                                   (int)ex->batch, s->m, s->scale));
    if (accum)
        rfnas__sum_axpy(dx, 1.0f, target, (size_t)ex->batch * (size_t)s->m);
    return RFNAS_OK;
}

static uint64_t xent_keeps(const rfnas__node *n, rfnas__group group)
{
    (void)n;
    (void)group;
    return 1u;
}

static const rfnas__node_ops xent_ops = {"xent", xent_fwd, xent_bwd, xent_keeps, state_destroy};

int rfnas__node_xent(rfnas__graph *g, const char *name, int logits, const int32_t *const *labels,
                     double scale)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, logits);
    if (t == NULL || t->layout != RFNAS__LAYOUT_PLAIN)
        return rfnas__error(RFNAS_E_INVALID, "xent %s: logits must be a plain tensor", name);
    xent_state *s = state_new(g, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("xent node");
    s->labels = labels;
    s->scale = scale;
    s->m = (int)t->per_sample;
    return add_node(g, &xent_ops, s, name, &logits, 1, 2, 1, 1, RFNAS__LAYOUT_PLAIN, NULL, 0,
                    t->per_sample);
}
