/* Node kinds over oneDNN primitives (lib/kernels): convolution and batch
 * normalisation. Primitives are shape-specific, batch included, so each node
 * keeps a small cache of plans by batch size: the first run at a new size
 * (the partial last batch of an epoch) creates its plan, later runs reuse it. */
#include <string.h>

#include "kernels/bnorm.h"
#include "kernels/conv.h"
#include "kernels/loops/sum.h"
#include "nodes.h"

enum { PLAN_CACHE = 4 };

/* ---- convolution ---- */

typedef struct conv_state {
    rfnas_ctx *ctx;
    rfnas__conv_desc desc; /* n filled per plan */
    rfnas__group weight_group;
    /* A merged convolution (rfnas__node_conv_merged): its weight is the
     * node's parameters stacked along the output channels, gathered here. */
    int parts;
    float *stacked;
    int64_t batch[PLAN_CACHE];
    rfnas__conv *plan[PLAN_CACHE];
    int weights_loaded[PLAN_CACHE];
} conv_state;

static void conv_destroy(rfnas__node *n)
{
    conv_state *s = n->state;
    if (s == NULL)
        return;
    for (int i = 0; i < PLAN_CACHE; i++)
        rfnas__conv_destroy(s->plan[i]);
    rfnas__free(s->ctx, s->stacked);
    rfnas__free(s->ctx, s);
}

/* The node's weight in PyTorch order: its one parameter, or its parameters
 * stacked (each holds the same number of output channels). */
static const float *conv_weight(rfnas__node *n, rfnas__exec *ex)
{
    conv_state *s = n->state;
    if (s->parts <= 1)
        return rfnas__exec_param(ex, n, 0);
    const rfnas__param *p = rfnas__graph_param_info(ex->graph, n->params[0]);
    for (int k = 0; k < s->parts; k++)
        memcpy(s->stacked + (size_t)k * p->size, rfnas__exec_param(ex, n, k),
               p->size * sizeof(float));
    return s->stacked;
}

/* The plan for this run's batch size, created on first use; its weights are
 * (re)loaded when they may have changed since: always for trained weights,
 * once for frozen ones. */
static rfnas_status conv_plan(rfnas__node *n, rfnas__exec *ex, rfnas__conv **out)
{
    conv_state *s = n->state;
    int slot = -1;
    for (int i = 0; i < PLAN_CACHE; i++)
        if (s->plan[i] && s->batch[i] == ex->batch)
            slot = i;
    if (slot < 0) {
        slot = 0;
        for (int i = 0; i < PLAN_CACHE; i++)
            if (s->plan[i] == NULL) {
                slot = i;
                break;
            }
        rfnas__conv_destroy(s->plan[slot]); /* the cache is full: replace slot 0 */
        s->plan[slot] = NULL;
        rfnas__conv_desc d = s->desc;
        d.n = ex->batch;
        RFNAS__TRY(rfnas__conv_create(&s->plan[slot], s->ctx, &d));
        s->batch[slot] = ex->batch;
        s->weights_loaded[slot] = 0;
    }
    if (!s->weights_loaded[slot] || s->weight_group != RFNAS__GROUP_FROZEN) {
        RFNAS__TRY(rfnas__conv_set_weights(s->plan[slot], conv_weight(n, ex)));
        s->weights_loaded[slot] = 1;
    }
    *out = s->plan[slot];
    return RFNAS_OK;
}

static rfnas_status conv_fwd(rfnas__node *n, rfnas__exec *ex)
{
    conv_state *s = n->state;
    rfnas__conv *c;
    RFNAS__TRY(conv_plan(n, ex, &c));
    if (s->desc.bf16) {
        /* The input's bf16 copy, converted by the first of its convolutions
         * in this forward and read by the others (graph shadows). */
        int filled;
        void *x16 = rfnas__graph_shadow(ex->graph, n->in[0], &filled);
        if (x16 != NULL) {
            if (!filled)
                RFNAS__TRY(rfnas__conv_src_to_bf16(c, rfnas__exec_in(ex, n, 0), x16));
            return rfnas__conv_forward_bf16(c, x16, rfnas__exec_out(ex, n, 0));
        }
    }
    return rfnas__conv_forward(c, rfnas__exec_in(ex, n, 0), rfnas__exec_out(ex, n, 0));
}

static rfnas_status conv_bwd(rfnas__node *n, rfnas__exec *ex)
{
    conv_state *s = n->state;
    rfnas__conv *c;
    RFNAS__TRY(conv_plan(n, ex, &c));
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    if (rfnas__exec_param_trained(ex, n, 0))
        RFNAS__TRY(rfnas__conv_backward_weights(c, rfnas__exec_in(ex, n, 0), dy,
                                                rfnas__exec_param_grad(ex, n, 0), 1));
    if (rfnas__exec_need_grad(ex, 0)) {
        float *dx = rfnas__exec_in_grad(ex, n, 0);
        if (!rfnas__exec_accumulate(ex, 0))
            return rfnas__conv_backward_data(c, dy, dx);
        /* oneDNN overwrites: compute into scratch, then add. */
        RFNAS__TRY(rfnas__conv_backward_data(c, dy, ex->scratch));
        const rfnas__tensor *t = rfnas__graph_tensor_info(ex->graph, n->in[0]);
        rfnas__sum_axpy(dx, 1.0f, ex->scratch, t->per_sample * (size_t)ex->batch);
    }
    (void)s;
    return RFNAS_OK;
}

static uint64_t conv_keeps(const rfnas__node *n, rfnas__group group)
{
    const conv_state *s = n->state;
    /* Only a trained weight's gradient reads the input (DESIGN 3). */
    return s->weight_group == group ? 1u : 0u;
}

static const rfnas__node_ops conv_ops = {"conv", conv_fwd, conv_bwd, conv_keeps, conv_destroy};

/* A convolution of @p parts weights of @p cout_each output channels each; see
 * rfnas__node_conv and rfnas__node_conv_merged. */
static int conv_node(rfnas__graph *g, const char *name, int x, int64_t cout_each, int k,
                     int stride, int pad, int dilation, int groups, const int *weights, int parts)
{
    const int weight = weights[0];
    const int64_t cout = cout_each * parts;
    /* A copy: adding tensors below may move the graph's tensor array. */
    const rfnas__tensor *info = rfnas__graph_tensor_info(g, x);
    const rfnas__tensor tensor = info ? *info : (rfnas__tensor){0};
    const rfnas__tensor *t = info ? &tensor : NULL;
    const rfnas__param *pw = rfnas__graph_param_info(g, weight);
    if (t == NULL || pw == NULL || groups < 1 || t->c % groups || cout % groups)
        return rfnas__error(RFNAS_E_INVALID, "conv %s: bad input, weight or groups", name);
    for (int i = 0; i < parts; i++) {
        const rfnas__param *pi = rfnas__graph_param_info(g, weights[i]);
        if (pi == NULL || pi->size != (size_t)cout_each * (size_t)(t->c / groups) * (size_t)k *
                                          (size_t)k)
            return rfnas__error(RFNAS_E_MISMATCH, "conv %s: weight %d holds %zu values, needs %lld",
                                name, i, pi ? pi->size : 0,
                                (long long)(cout_each * (t->c / groups) * k * k));
        /* Merged weights are gathered once: they must be frozen (DESIGN 3). */
        if (parts > 1 && pi->group != RFNAS__GROUP_FROZEN)
            return rfnas__error(RFNAS_E_UNSUPPORTED, "conv %s: merged weights must be frozen",
                                name);
    }
    int64_t oh = rfnas__conv_out_size(t->h, k, stride, pad, dilation);
    int64_t ow = rfnas__conv_out_size(t->w, k, stride, pad, dilation);
    if (oh < 1 || ow < 1)
        return rfnas__error(RFNAS_E_INVALID, "conv %s: %lldx%lld input too small", name,
                            (long long)t->h, (long long)t->w);
    rfnas_ctx *ctx = rfnas__graph_ctx(g);
    conv_state *s = rfnas__calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("conv node");
    s->ctx = ctx;
    s->weight_group = pw->group;
    s->parts = parts;
    if (parts > 1) {
        s->stacked = rfnas__calloc(ctx, pw->size * (size_t)parts, sizeof(float));
        if (s->stacked == NULL) {
            rfnas__free(ctx, s);
            return RFNAS__NOMEM("conv node");
        }
    }
    s->desc = (rfnas__conv_desc){.ic = t->c, .ih = t->h, .iw = t->w, .oc = cout, .kh = k, .kw = k,
                                 .stride = stride, .pad_h = pad, .pad_w = pad,
                                 .dilation = dilation, .groups = groups,
                                 .trainable = pw->group != RFNAS__GROUP_FROZEN,
                                 .no_bwd_data = t->producer < 0,
                                 .src_plain = t->layout == RFNAS__LAYOUT_PLAIN};
    /* bf16 (net.precision) where it pays off and keeps the trained state fp32:
     * frozen, ungrouped convolutions of a blocked activation with a kernel
     * larger than 1x1. Each bf16 convolution pays for converting its output
     * gradient to bf16 and (C > 16) its outputs back to nChw16c, traffic in
     * proportion to the tensor; a 1x1 convolution does 9 times less work than
     * a 3x3 one on the same tensor, so for it the conversions cost about as
     * much as AMX saves. The stem (image input) and depthwise convolutions
     * stay fp32. */
    s->desc.bf16 = rfnas__graph_conv_bf16(g) && !s->desc.trainable && groups == 1 &&
                   !s->desc.src_plain && k > 1;
    /* Validate the shape now (batch 1) so a bad network fails at build time. */
    rfnas__conv_desc probe = s->desc;
    probe.n = 1;
    rfnas__conv *c;
    rfnas_status rc = rfnas__conv_create(&c, ctx, &probe);
    if (rc == RFNAS_OK && s->desc.bf16)
        rc = rfnas__graph_shadow_reserve(g, x, rfnas__conv_bf16_src_bytes(c));
    rfnas__conv_destroy(c);
    int y = rc == RFNAS_OK ? rfnas__graph_tensor(g, cout, oh, ow, RFNAS__LAYOUT_BLOCKED16) : rc;
    if (y < 0) {
        rfnas__node tmp = {.state = s};
        conv_destroy(&tmp);
        return y;
    }
    int node = rfnas__graph_node(g, &conv_ops, s, name, &x, 1, &y, 1, weights, parts,
                                 t->producer < 0 ? 0 : t->per_sample);
    return node < 0 ? node : y;
}

int rfnas__node_conv(rfnas__graph *g, const char *name, int x, int64_t cout, int k, int stride,
                     int pad, int dilation, int groups, int weight)
{
    return conv_node(g, name, x, cout, k, stride, pad, dilation, groups, &weight, 1);
}

int rfnas__node_conv_merged(rfnas__graph *g, const char *name, int x, int64_t cout_each, int k,
                            int pad, const int *weights, int parts)
{
    if (parts < 1 || parts > RFNAS__NODE_MAX_PARAMS)
        return rfnas__error(RFNAS_E_INVALID, "conv %s: %d merged weights", name, parts);
    return conv_node(g, name, x, cout_each, k, 1, pad, 1, 1, weights, parts);
}

/* ---- batch normalisation ---- */

typedef struct bn_state {
    rfnas_ctx *ctx;
    rfnas__bnorm_desc desc;
    int64_t batch[PLAN_CACHE];
    rfnas__bnorm *plan[PLAN_CACHE];
    int has_affine, has_running;
    int train; /* mode of the last forward, for its backward */
    float *mean, *var; /* batch statistics of the last training forward (C each) */
    /* A merged BN (rfnas__node_bn_merged) normalises the channels of several
     * edges at once: part k's parameters cover channels [k C/parts,
     * (k+1) C/parts). vec[which] gathers them for oneDNN (gamma, beta,
     * running mean, running var), dvec the gamma and beta gradients. */
    int parts;
    float *vec[4], *dvec[2];
} bn_state;

static void bn_destroy(rfnas__node *n)
{
    bn_state *s = n->state;
    if (s == NULL)
        return;
    for (int i = 0; i < PLAN_CACHE; i++)
        rfnas__bnorm_destroy(s->plan[i]);
    rfnas__free(s->ctx, s->mean);
    rfnas__free(s->ctx, s->var);
    for (int i = 0; i < 4; i++)
        rfnas__free(s->ctx, s->vec[i]);
    for (int i = 0; i < 2; i++)
        rfnas__free(s->ctx, s->dvec[i]);
    rfnas__free(s->ctx, s);
}

static rfnas_status bn_plan(bn_state *s, int64_t batch, rfnas__bnorm **out)
{
    int slot = -1;
    for (int i = 0; i < PLAN_CACHE; i++)
        if (s->plan[i] && s->batch[i] == batch)
            slot = i;
    if (slot < 0) {
        slot = 0;
        for (int i = 0; i < PLAN_CACHE; i++)
            if (s->plan[i] == NULL) {
                slot = i;
                break;
            }
        rfnas__bnorm_destroy(s->plan[slot]);
        s->plan[slot] = NULL;
        rfnas__bnorm_desc d = s->desc;
        d.n = batch;
        RFNAS__TRY(rfnas__bnorm_create(&s->plan[slot], s->ctx, &d));
        s->batch[slot] = batch;
    }
    *out = s->plan[slot];
    return RFNAS_OK;
}

/* Parameter slots of a BN node: gamma, beta, running mean, running var (each
 * present or not); the node's params list holds the present ones in order,
 * part after part for a merged BN. */
static int bn_slot(const bn_state *s, int which, int part)
{
    const int per = (s->has_affine ? 2 : 0) + (s->has_running ? 2 : 0);
    int idx = which >= 2 && s->has_affine ? 2 : 0;
    return part * per + idx + which % 2;
}

/* The values of slot @p which over all channels: the parameter itself, or
 * (merged) the parts gathered into vec[which]. */
static float *bn_param(rfnas__exec *ex, const rfnas__node *n, int which, int grad)
{
    bn_state *s = n->state;
    if (s->parts <= 1) {
        const int idx = bn_slot(s, which, 0);
        return grad ? rfnas__exec_param_grad(ex, n, idx) : rfnas__exec_param(ex, n, idx);
    }
    const size_t c = (size_t)s->desc.c / (size_t)s->parts;
    if (grad) /* written by oneDNN, then added to the parts (bn_scatter_grads) */
        return s->dvec[which];
    for (int k = 0; k < s->parts; k++)
        memcpy(s->vec[which] + (size_t)k * c, rfnas__exec_param(ex, n, bn_slot(s, which, k)),
               c * sizeof(float));
    return s->vec[which];
}

/* Merged BN: running statistics back to their parts after a training forward. */
static void bn_scatter_running(rfnas__exec *ex, const rfnas__node *n)
{
    const bn_state *s = n->state;
    const size_t c = (size_t)s->desc.c / (size_t)s->parts;
    for (int which = 2; which < 4; which++)
        for (int k = 0; k < s->parts; k++)
            memcpy(rfnas__exec_param(ex, n, bn_slot(s, which, k)), s->vec[which] + (size_t)k * c,
                   c * sizeof(float));
}

/* Merged BN: dvec's gamma and beta gradients added to their parts. */
static void bn_scatter_grads(rfnas__exec *ex, const rfnas__node *n)
{
    const bn_state *s = n->state;
    const size_t c = (size_t)s->desc.c / (size_t)s->parts;
    for (int which = 0; which < 2; which++)
        for (int k = 0; k < s->parts; k++) {
            float *g = rfnas__exec_param_grad(ex, n, bn_slot(s, which, k));
            const float *d = s->dvec[which] + (size_t)k * c;
            for (size_t i = 0; i < c; i++)
                g[i] += d[i];
        }
}

static rfnas_status bn_fwd(rfnas__node *n, rfnas__exec *ex)
{
    bn_state *s = n->state;
    rfnas__bnorm *b;
    RFNAS__TRY(bn_plan(s, ex->batch, &b));
    const float *gamma = s->has_affine ? bn_param(ex, n, 0, 0) : NULL;
    const float *beta = s->has_affine ? bn_param(ex, n, 1, 0) : NULL;
    float *rm = s->has_running ? bn_param(ex, n, 2, 0) : NULL;
    float *rv = s->has_running ? bn_param(ex, n, 3, 0) : NULL;
    /* Without running statistics a BN normalises with the batch's in both modes (SPEC 2.2). */
    s->train = ex->train || !s->has_running;
    if (s->train) {
        RFNAS__TRY(rfnas__bnorm_forward_train(b, rfnas__exec_in(ex, n, 0),
                                              rfnas__exec_out(ex, n, 0), gamma, beta, s->mean,
                                              s->var, ex->train ? rm : NULL,
                                              ex->train ? rv : NULL));
        if (s->parts > 1 && s->has_running && ex->train)
            bn_scatter_running(ex, n);
        return RFNAS_OK;
    }
    return rfnas__bnorm_forward_eval(b, rfnas__exec_in(ex, n, 0), rfnas__exec_out(ex, n, 0), gamma,
                                     beta, rm, rv);
}

static rfnas_status bn_bwd(rfnas__node *n, rfnas__exec *ex)
{
    bn_state *s = n->state;
    rfnas__bnorm *b;
    RFNAS__TRY(bn_plan(s, ex->batch, &b));
    const int train_affine = s->has_affine && rfnas__exec_param_trained(ex, n, 0);
    float *dx = rfnas__exec_in_grad(ex, n, 0);
    const int accum = rfnas__exec_accumulate(ex, 0);
    float *target = rfnas__exec_need_grad(ex, 0) ? (accum ? ex->scratch : dx) : ex->scratch;
    const float *mean = s->train ? s->mean : bn_param(ex, n, 2, 0);
    const float *var = s->train ? s->var : bn_param(ex, n, 3, 0);
    RFNAS__TRY(rfnas__bnorm_backward(b, s->train, rfnas__exec_in(ex, n, 0),
                                     rfnas__exec_out_grad(ex, n, 0), mean, var,
                                     s->has_affine ? bn_param(ex, n, 0, 0) : NULL, target,
                                     train_affine ? bn_param(ex, n, 0, 1) : NULL,
                                     train_affine ? bn_param(ex, n, 1, 1) : NULL,
                                     s->parts <= 1));
    if (train_affine && s->parts > 1)
        bn_scatter_grads(ex, n);
    if (rfnas__exec_need_grad(ex, 0) && accum) {
        const rfnas__tensor *t = rfnas__graph_tensor_info(ex->graph, n->in[0]);
        rfnas__sum_axpy(dx, 1.0f, ex->scratch, t->per_sample * (size_t)ex->batch);
    }
    return RFNAS_OK;
}

static uint64_t bn_keeps(const rfnas__node *n, rfnas__group group)
{
    (void)n;
    (void)group;
    return 1u; /* x: both dx and dgamma need the normalised input */
}

static const rfnas__node_ops bn_ops = {"bn", bn_fwd, bn_bwd, bn_keeps, bn_destroy};

/* A BN over @p parts groups of channels, each with its own parameters
 * (@p gamma etc. hold one id per part, or are NULL); see rfnas__node_bn and
 * rfnas__node_bn_merged. */
static int bn_node(rfnas__graph *g, const char *name, int x, const int *gamma, const int *beta,
                   const int *run_mean, const int *run_var, int parts)
{
    /* A copy: adding tensors below may move the graph's tensor array. */
    const rfnas__tensor *info = rfnas__graph_tensor_info(g, x);
    if (info == NULL || info->layout != RFNAS__LAYOUT_BLOCKED16)
        return rfnas__error(RFNAS_E_INVALID, "bn %s: input must be a blocked tensor", name);
    const rfnas__tensor tensor = *info, *t = &tensor;
    if (parts < 1 || 4 * parts > RFNAS__NODE_MAX_PARAMS || t->c % parts)
        return rfnas__error(RFNAS_E_INVALID, "bn %s: %d parts of %lld channels", name, parts,
                            (long long)t->c);
    if ((gamma == NULL) != (beta == NULL) || (run_mean == NULL) != (run_var == NULL))
        return rfnas__error(RFNAS_E_INVALID, "bn %s: give gamma with beta, mean with var", name);
    int params[RFNAS__NODE_MAX_PARAMS], n_params = 0;
    const int *const ids[4] = {gamma, beta, run_mean, run_var};
    for (int k = 0; k < parts; k++)
        for (int i = 0; i < 4; i++) {
            if (ids[i] == NULL)
                continue;
            const rfnas__param *p = rfnas__graph_param_info(g, ids[i][k]);
            if (p == NULL || p->size != (size_t)(t->c / parts))
                return rfnas__error(RFNAS_E_MISMATCH, "bn %s: parameter %d is not %lld floats",
                                    name, i, (long long)(t->c / parts));
            params[n_params++] = ids[i][k];
        }
    rfnas_ctx *ctx = rfnas__graph_ctx(g);
    bn_state *s = rfnas__calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("bn node");
    s->ctx = ctx;
    s->desc = (rfnas__bnorm_desc){.c = t->c, .h = t->h, .w = t->w, .affine = gamma != NULL};
    s->has_affine = gamma != NULL;
    s->has_running = run_mean != NULL;
    s->parts = parts;
    s->mean = rfnas__calloc(ctx, (size_t)t->c, sizeof *s->mean);
    s->var = rfnas__calloc(ctx, (size_t)t->c, sizeof *s->var);
    int ok = s->mean && s->var;
    for (int i = 0; i < 4 && parts > 1; i++)
        ok &= (s->vec[i] = rfnas__calloc(ctx, (size_t)t->c, sizeof(float))) != NULL;
    for (int i = 0; i < 2 && parts > 1; i++)
        ok &= (s->dvec[i] = rfnas__calloc(ctx, (size_t)t->c, sizeof(float))) != NULL;
    int y = ok ? rfnas__graph_tensor(g, t->c, t->h, t->w, RFNAS__LAYOUT_BLOCKED16)
               : RFNAS__NOMEM("bn node");
    if (y < 0) {
        rfnas__node tmp = {.state = s};
        bn_destroy(&tmp);
        return y;
    }
    int node = rfnas__graph_node(g, &bn_ops, s, name, &x, 1, &y, 1, params, n_params,
                                 t->per_sample);
    return node < 0 ? node : y;
}

int rfnas__node_bn(rfnas__graph *g, const char *name, int x, int gamma, int beta, int run_mean,
                   int run_var)
{
    return bn_node(g, name, x, gamma >= 0 ? &gamma : NULL, beta >= 0 ? &beta : NULL,
                   run_mean >= 0 ? &run_mean : NULL, run_var >= 0 ? &run_var : NULL, 1);
}

int rfnas__node_bn_merged(rfnas__graph *g, const char *name, int x, const int *gamma,
                          const int *beta, const int *run_mean, const int *run_var, int parts)
{
    return bn_node(g, name, x, gamma, beta, run_mean, run_var, parts);
}
