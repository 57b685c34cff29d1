/* Node kinds the DARTS cells need besides the basic ones: channel concat (the
 * cell output and FactorizedReduce), the FactorizedReduce one-pixel shift, and
 * two source ops without inputs: an all-zero tensor (a node whose every
 * candidate op is "none") and the S4 noise op. */
#include <string.h>

#include "kernels/loops/chan.h"
#include "kernels/loops/noise.h"
#include "kernels/loops/shift.h"
#include "kernels/loops/sum.h"
#include "nodes.h"

static rfnas__blocked_shape shape_of(const rfnas__exec *ex, int tensor)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(ex->graph, tensor);
    return rfnas__blocked_make((int)ex->batch, (int)t->c, (int)t->h, (int)t->w);
}

static uint64_t keeps_nothing(const rfnas__node *node, rfnas__group group)
{
    (void)node;
    (void)group;
    return 0;
}

static rfnas_status no_backward(rfnas__node *node, rfnas__exec *ex)
{
    (void)node;
    (void)ex;
    return RFNAS_OK;
}

/* State of the kinds below that keep some: allocated from the context. */
typedef struct state_base {
    rfnas_ctx *ctx;
} state_base;

static void state_destroy(rfnas__node *node)
{
    state_base *s = node->state;
    if (s)
        rfnas__free(s->ctx, s);
}

/* One new blocked output tensor; the node owns @p state even on failure. */
static int add_node(rfnas__graph *g, const rfnas__node_ops *ops, void *state, const char *name,
                    const int *in, int n_in, int64_t c, int64_t h, int64_t w)
{
    /* Source nodes have no inputs, but the graph copies the array with memcpy,
     * which must not see NULL even for zero bytes. */
    static const int no_inputs[1] = {-1};
    in = in ? in : no_inputs;
    int y = rfnas__graph_tensor(g, c, h, w, RFNAS__LAYOUT_BLOCKED16);
    if (y < 0) {
        rfnas__node tmp = {.ops = ops, .state = state};
        ops->destroy(&tmp);
        return y;
    }
    int rc = rfnas__graph_node(g, ops, state, name, in, n_in, &y, 1, NULL, 0, 0);
    return rc < 0 ? rc : y;
}

/* ---- concat along channels ---- */

static void concat_channels(const rfnas__exec *ex, const rfnas__node *n, int *c)
{
    for (int i = 0; i < n->n_in; i++)
        c[i] = (int)rfnas__graph_tensor_info(ex->graph, n->in[i])->c;
}

static rfnas_status concat_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *x[RFNAS__NODE_MAX_IN];
    int c[RFNAS__NODE_MAX_IN];
    concat_channels(ex, n, c);
    for (int i = 0; i < n->n_in; i++)
        x[i] = rfnas__exec_in(ex, n, i);
    return rfnas__chan_concat(rfnas__exec_out(ex, n, 0), x, c, n->n_in, shape_of(ex, n->out[0]),
                              0);
}

static rfnas_status concat_bwd(rfnas__node *n, rfnas__exec *ex)
{
    int c[RFNAS__NODE_MAX_IN];
    concat_channels(ex, n, c);
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    const rfnas__blocked_shape ys = shape_of(ex, n->out[0]);
    /* Inputs differ in whether their gradient is written or added: one call each. */
    for (int i = 0; i < n->n_in; i++) {
        if (!rfnas__exec_need_grad(ex, i))
            continue;
        float *dx[RFNAS__NODE_MAX_IN] = {NULL};
        dx[i] = rfnas__exec_in_grad(ex, n, i);
        RFNAS__TRY(rfnas__chan_concat_bwd(dx, c, n->n_in, dy, ys, rfnas__exec_accumulate(ex, i)));
    }
    return RFNAS_OK;
}

static const rfnas__node_ops concat_ops = {"concat", concat_fwd, concat_bwd, keeps_nothing,
                                           state_destroy};

int rfnas__node_concat(rfnas__graph *g, const char *name, const int *x, int n)
{
    if (n < 1 || n > RFNAS__NODE_MAX_IN)
        return rfnas__error(RFNAS_E_INVALID, "concat %s: %d inputs", name, n);
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, x[0]);
    if (t == NULL)
        return rfnas__error(RFNAS_E_INVALID, "concat %s: unknown input", name);
    const int64_t h = t->h, w = t->w;
    int64_t c = 0;
    for (int i = 0; i < n; i++) {
        const rfnas__tensor *u = rfnas__graph_tensor_info(g, x[i]);
        if (u == NULL || u->layout != RFNAS__LAYOUT_BLOCKED16 || u->h != h || u->w != w)
            return rfnas__error(RFNAS_E_MISMATCH,
                                "concat %s: inputs must be blocked tensors of one height and width",
                                name);
        c += u->c;
    }
    return add_node(g, &concat_ops, NULL, name, x, n, c, h, w);
}

/* ---- channel slice (PC-DARTS's processed and bypassed channels) ---- */

typedef struct slice_state {
    state_base base;
    int c0, k;
} slice_state;

static rfnas_status slice_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const slice_state *s = n->state;
    return rfnas__chan_slice(rfnas__exec_out(ex, n, 0), rfnas__exec_in(ex, n, 0),
                             shape_of(ex, n->in[0]), s->c0, s->k, 0);
}

static rfnas_status slice_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const slice_state *s = n->state;
    return rfnas__chan_slice_bwd(rfnas__exec_in_grad(ex, n, 0), rfnas__exec_out_grad(ex, n, 0),
                                 shape_of(ex, n->in[0]), s->c0, s->k,
                                 rfnas__exec_accumulate(ex, 0));
}

static const rfnas__node_ops slice_ops = {"slice", slice_fwd, slice_bwd, keeps_nothing,
                                          state_destroy};

int rfnas__node_slice(rfnas__graph *g, const char *name, int x, int64_t c0, int64_t k)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, x);
    if (t == NULL || t->layout != RFNAS__LAYOUT_BLOCKED16)
        return rfnas__error(RFNAS_E_INVALID, "slice %s: input must be a blocked tensor", name);
    if (c0 < 0 || k < 1 || c0 + k > t->c)
        return rfnas__error(RFNAS_E_INVALID, "slice %s: channels [%lld, %lld) of %lld", name,
                            (long long)c0, (long long)(c0 + k), (long long)t->c);
    const int64_t h = t->h, w = t->w; /* t may move when the output is added */
    rfnas_ctx *ctx = rfnas__graph_ctx(g);
    slice_state *s = rfnas__calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("slice node");
    s->base.ctx = ctx;
    s->c0 = (int)c0;
    s->k = (int)k;
    return add_node(g, &slice_ops, s, name, &x, 1, k, h, w);
}

/* ---- PC-DARTS join: concat then channel shuffle ---- */

typedef struct join_state {
    state_base base;
    int groups;
} join_state;

/* The concatenation lives in the node's scratch, only while the node runs. */
static rfnas_status join_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const join_state *s = n->state;
    const rfnas__blocked_shape ys = shape_of(ex, n->out[0]);
    const float *x[2] = {rfnas__exec_in(ex, n, 0), rfnas__exec_in(ex, n, 1)};
    int c[2];
    concat_channels(ex, n, c);
    RFNAS__TRY(rfnas__chan_concat(ex->scratch, x, c, 2, ys, 0));
    return rfnas__chan_shuffle(rfnas__exec_out(ex, n, 0), ex->scratch, ys, s->groups, 0);
}

static rfnas_status join_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const join_state *s = n->state;
    const rfnas__blocked_shape ys = shape_of(ex, n->out[0]);
    int c[2];
    concat_channels(ex, n, c);
    RFNAS__TRY(rfnas__chan_shuffle_bwd(ex->scratch, rfnas__exec_out_grad(ex, n, 0), ys,
                                       s->groups, 0));
    for (int i = 0; i < 2; i++) {
        if (!rfnas__exec_need_grad(ex, i))
            continue;
        float *dx[2] = {NULL, NULL};
        dx[i] = rfnas__exec_in_grad(ex, n, i);
        RFNAS__TRY(rfnas__chan_concat_bwd(dx, c, 2, ex->scratch, ys, rfnas__exec_accumulate(ex, i)));
    }
    return RFNAS_OK;
}

static const rfnas__node_ops join_ops = {"shuffle_join", join_fwd, join_bwd, keeps_nothing,
                                         state_destroy};

int rfnas__node_shuffle_join(rfnas__graph *g, const char *name, int a, int b, int groups)
{
    const rfnas__tensor *ta = rfnas__graph_tensor_info(g, a);
    const rfnas__tensor *tb = rfnas__graph_tensor_info(g, b);
    if (ta == NULL || tb == NULL || ta->layout != RFNAS__LAYOUT_BLOCKED16 ||
        tb->layout != RFNAS__LAYOUT_BLOCKED16 || ta->h != tb->h || ta->w != tb->w)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "shuffle join %s: inputs must be blocked tensors of one height and "
                            "width",
                            name);
    const int64_t c = ta->c + tb->c, h = ta->h, w = ta->w;
    if (groups < 1 || c % groups != 0)
        return rfnas__error(RFNAS_E_INVALID, "shuffle join %s: %d groups do not divide %lld "
                            "channels", name, groups, (long long)c);
    rfnas_ctx *ctx = rfnas__graph_ctx(g);
    join_state *s = rfnas__calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("shuffle join node");
    s->base.ctx = ctx;
    s->groups = groups;
    int y = rfnas__graph_tensor(g, c, h, w, RFNAS__LAYOUT_BLOCKED16);
    if (y < 0) {
        rfnas__free(ctx, s);
        return y;
    }
    const int in[2] = {a, b};
    int rc = rfnas__graph_node(g, &join_ops, s, name, in, 2, &y, 1, NULL, 0,
                               rfnas__graph_tensor_info(g, y)->per_sample);
    return rc < 0 ? rc : y;
}

/* ---- FactorizedReduce shift ---- */

static rfnas_status shift_fwd(rfnas__node *n, rfnas__exec *ex)
{
    rfnas__shift_fwd(rfnas__exec_out(ex, n, 0), rfnas__exec_in(ex, n, 0), shape_of(ex, n->in[0]));
    return RFNAS_OK;
}

static rfnas_status shift_bwd(rfnas__node *n, rfnas__exec *ex)
{
    rfnas__shift_bwd(rfnas__exec_in_grad(ex, n, 0), rfnas__exec_out_grad(ex, n, 0),
                     shape_of(ex, n->in[0]), rfnas__exec_accumulate(ex, 0));
    return RFNAS_OK;
}

static const rfnas__node_ops shift_ops = {"shift", shift_fwd, shift_bwd, keeps_nothing,
                                          state_destroy};

int rfnas__node_shift(rfnas__graph *g, const char *name, int x)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(g, x);
    if (t == NULL || t->layout != RFNAS__LAYOUT_BLOCKED16)
        return rfnas__error(RFNAS_E_INVALID, "shift %s: input must be a blocked tensor", name);
    const int64_t c = t->c, h = t->h, w = t->w; /* t may move when the output is added */
    return add_node(g, &shift_ops, NULL, name, &x, 1, c, h, w);
}

/* ---- zeros ---- */

static rfnas_status zero_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(ex->graph, n->out[0]);
    rfnas__sum_zero(rfnas__exec_out(ex, n, 0), t->per_sample * (size_t)ex->batch);
    return RFNAS_OK;
}

static const rfnas__node_ops zero_ops = {"zero", zero_fwd, no_backward, keeps_nothing,
                                         state_destroy};

static rfnas_status check_shape(const char *kind, const char *name, int64_t c, int64_t h,
                                int64_t w)
{
    if (c < 1 || h < 1 || w < 1)
        return rfnas__error(RFNAS_E_INVALID, "%s %s: shape %lldx%lldx%lld", kind, name,
                            (long long)c, (long long)h, (long long)w);
    return RFNAS_OK;
}

int rfnas__node_zero(rfnas__graph *g, const char *name, int64_t c, int64_t h, int64_t w)
{
    RFNAS__TRY(check_shape("zero", name, c, h, w));
    return add_node(g, &zero_ops, NULL, name, NULL, 0, c, h, w);
}

/* ---- S4 noise ---- */

typedef struct noise_state {
    state_base base;
    uint64_t seed;
    uint32_t stream;
    uint64_t counter; /* of the next forward */
} noise_state;

static rfnas_status noise_fwd(rfnas__node *n, rfnas__exec *ex)
{
    noise_state *s = n->state;
    rfnas__noise_fwd(rfnas__exec_out(ex, n, 0), shape_of(ex, n->out[0]), s->seed, s->stream,
                     s->counter);
    /* Fresh noise at every forward, training or evaluation (SPEC 3.4). */
    s->counter++;
    return RFNAS_OK;
}

static const rfnas__node_ops noise_ops = {"noise", noise_fwd, no_backward, keeps_nothing,
                                          state_destroy};

int rfnas__node_noise(rfnas__graph *g, const char *name, int64_t c, int64_t h, int64_t w,
                      uint64_t seed, uint32_t stream)
{
    RFNAS__TRY(check_shape("noise", name, c, h, w));
    rfnas_ctx *ctx = rfnas__graph_ctx(g);
    noise_state *s = rfnas__calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("noise node");
    s->base.ctx = ctx;
    s->seed = seed;
    s->stream = stream;
    return add_node(g, &noise_ops, s, name, NULL, 0, c, h, w);
}

void rfnas__node_noise_set_counter(rfnas__graph *g, uint64_t counter)
{
    for (int i = 0; i < rfnas__graph_node_count(g); i++) {
        rfnas__node *n = rfnas__graph_node_at(g, i);
        if (n->ops == &noise_ops)
            ((noise_state *)n->state)->counter = counter;
    }
}

int rfnas__node_noise_counter(rfnas__graph *g, uint64_t *counter)
{
    for (int i = 0; i < rfnas__graph_node_count(g); i++) {
        const rfnas__node *n = rfnas__graph_node_at(g, i);
        if (n->ops == &noise_ops) {
            *counter = ((const noise_state *)n->state)->counter;
            return 1;
        }
    }
    *counter = 0;
    return 0;
}
