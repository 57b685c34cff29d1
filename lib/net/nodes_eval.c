/* Node kinds of discrete networks (networks built from a genotype): the node
 * sum with drop-path (SPEC 4.4) and the sink that gives a tensor nobody reads
 * a zero gradient. */
#include <string.h>

#include "kernels/loops/blocked.h"
#include "kernels/loops/droppath.h"
#include "kernels/loops/sum.h"
#include "nodes.h"

static size_t floats_of(const rfnas__exec *ex, int tensor)
{
    return rfnas__graph_tensor_info(ex->graph, tensor)->per_sample * (size_t)ex->batch;
}

static uint64_t keeps_nothing(const rfnas__node *node, rfnas__group group)
{
    (void)node;
    (void)group;
    return 0;
}

/* ---- node sum with drop-path ---- */

enum { DROPSUM_MAX_IN = 8 };

typedef struct dropsum_state {
    rfnas_ctx *ctx;
    const rfnas__droppath *ctl;
    uint32_t stream;
    uint8_t droppable[DROPSUM_MAX_IN];
    int64_t max_batch;
    /* From the forward, for the backward of the same step: the backward must
     * apply the masks and the probability the forward used, even if the
     * caller changes the probability in between. */
    int masked;
    float p;
    uint8_t *keep; /* n_in x max_batch */
} dropsum_state;

static void dropsum_destroy(rfnas__node *node)
{
    dropsum_state *s = node->state;
    if (s == NULL)
        return;
    rfnas__free(s->ctx, s->keep);
    rfnas__free(s->ctx, s);
}

/* How sample @p b of input @p i enters the sum: 0 dropped, 1 as is, 2 divided by keep. */
static int how(const dropsum_state *s, int i, int64_t b, int64_t max_batch)
{
    if (!s->masked || !s->droppable[i])
        return 1;
    return s->keep[(size_t)i * (size_t)max_batch + (size_t)b] ? 2 : 0;
}

static rfnas_status dropsum_fwd(rfnas__node *n, rfnas__exec *ex)
{
    dropsum_state *s = n->state;
    const rfnas__droppath *ctl = s->ctl;
    /* Training only, and only when drawn at all (PyTorch: "if self.training
     * and drop_prob > 0"): evaluation and p = 0 are a plain sum. */
    s->masked = ex->train && ctl->p > 0.0;
    s->p = (float)ctl->p;
    for (int i = 0; s->masked && i < n->n_in; i++)
        if (s->droppable[i])
            RFNAS__TRY(rfnas__droppath_mask(s->keep + (size_t)i * (size_t)s->max_batch,
                                            (int)ex->batch, s->p, ctl->seed, s->stream + (uint32_t)i,
                                            ctl->counter));
    const size_t per = rfnas__graph_tensor_info(ex->graph, n->out[0])->per_sample;
    const float kp = 1.0f - s->p;
    float *y = rfnas__exec_out(ex, n, 0);
    const float *x[DROPSUM_MAX_IN];
    for (int i = 0; i < n->n_in; i++)
        x[i] = rfnas__exec_in(ex, n, i);
    const int64_t batch = ex->batch, maxb = s->max_batch;
    /* Per sample, inputs added in order: the same bits for any thread count.
     * Division rather than a multiplication by 1/keep, as PyTorch's drop_path. */
#pragma omp parallel for schedule(static) if ((size_t)batch * per >= RFNAS__PAR_MIN)
    for (int64_t b = 0; b < batch; b++) {
        float *yo = y + (size_t)b * per;
        int written = 0;
        for (int i = 0; i < n->n_in; i++) {
            const float *xi = x[i] + (size_t)b * per;
            const int h = how(s, i, b, maxb);
            if (h == 0)
                continue;
            for (size_t j = 0; j < per; j++) {
                const float v = h == 2 ? xi[j] / kp : xi[j];
                yo[j] = written ? yo[j] + v : v;
            }
            written = 1;
        }
        if (!written)
            memset(yo, 0, per * sizeof *yo);
    }
    return RFNAS_OK;
}

static rfnas_status dropsum_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const dropsum_state *s = n->state;
    const size_t per = rfnas__graph_tensor_info(ex->graph, n->out[0])->per_sample;
    const float kp = 1.0f - s->p;
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    const int64_t batch = ex->batch, maxb = s->max_batch;
    /* One input after the other: an input listed twice (a node reading one
     * state through two identities) is written first and then added to. */
    for (int i = 0; i < n->n_in; i++) {
        if (!rfnas__exec_need_grad(ex, i))
            continue;
        float *dx = rfnas__exec_in_grad(ex, n, i);
        const int accum = rfnas__exec_accumulate(ex, i);
#pragma omp parallel for schedule(static) if ((size_t)batch * per >= RFNAS__PAR_MIN)
        for (int64_t b = 0; b < batch; b++) {
            float *d = dx + (size_t)b * per;
            const float *g = dy + (size_t)b * per;
            const int h = how(s, i, b, maxb);
            if (h == 0) {
                if (!accum)
                    memset(d, 0, per * sizeof *d);
                continue;
            }
            for (size_t j = 0; j < per; j++) {
                const float v = h == 2 ? g[j] / kp : g[j];
                d[j] = accum ? d[j] + v : v;
            }
        }
    }
    return RFNAS_OK;
}

static const rfnas__node_ops dropsum_ops = {"dropsum", dropsum_fwd, dropsum_bwd, keeps_nothing,
                                            dropsum_destroy};

int rfnas__node_droppath_sum(rfnas__graph *g, const char *name, const int *x,
                             const int *droppable, int n, const rfnas__droppath *ctl,
                             uint32_t stream)
{
    if (n < 1 || n > DROPSUM_MAX_IN || ctl == NULL)
        return rfnas__error(RFNAS_E_INVALID, "dropsum %s: %d inputs", name, n);
    const rfnas__tensor *t0 = rfnas__graph_tensor_info(g, x[0]);
    for (int i = 0; i < n; i++) {
        const rfnas__tensor *u = rfnas__graph_tensor_info(g, x[i]);
        if (t0 == NULL || u == NULL || u->layout != RFNAS__LAYOUT_BLOCKED16 || u->c != t0->c ||
            u->h != t0->h || u->w != t0->w)
            return rfnas__error(RFNAS_E_MISMATCH,
                                "dropsum %s: inputs must be blocked tensors of one shape", name);
    }
    const int64_t c = t0->c, h = t0->h, w = t0->w; /* t0 may move when the output is added */
    rfnas_ctx *ctx = rfnas__graph_ctx(g);
    dropsum_state *s = rfnas__calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return RFNAS__NOMEM("dropsum node");
    s->ctx = ctx;
    s->ctl = ctl;
    s->stream = stream;
    s->max_batch = rfnas__graph_max_batch(g);
    /* n <= DROPSUM_MAX_IN already; the bound again for gcc -O3, which cannot see it. */
    for (int i = 0; i < n && i < DROPSUM_MAX_IN; i++)
        s->droppable[i] = droppable[i] != 0;
    s->keep = rfnas__calloc(ctx, (size_t)n * (size_t)s->max_batch, 1);
    int y = s->keep ? rfnas__graph_tensor(g, c, h, w, RFNAS__LAYOUT_BLOCKED16) : RFNAS_E_NOMEM;
    if (y < 0) {
        rfnas__node tmp = {.state = s};
        dropsum_destroy(&tmp);
        return y == RFNAS_E_NOMEM ? RFNAS__NOMEM("dropsum node") : y;
    }
    int rc = rfnas__graph_node(g, &dropsum_ops, s, name, x, n, &y, 1, NULL, 0, 0);
    return rc < 0 ? rc : y;
}

/* ---- sink ---- */

static rfnas_status sink_fwd(rfnas__node *n, rfnas__exec *ex)
{
    (void)n;
    (void)ex;
    return RFNAS_OK;
}

static rfnas_status sink_bwd(rfnas__node *n, rfnas__exec *ex)
{
    if (rfnas__exec_need_grad(ex, 0) && !rfnas__exec_accumulate(ex, 0))
        rfnas__sum_zero(rfnas__exec_in_grad(ex, n, 0), floats_of(ex, n->in[0]));
    return RFNAS_OK;
}

static const rfnas__node_ops sink_ops = {"sink", sink_fwd, sink_bwd, keeps_nothing, NULL};

int rfnas__node_sink(rfnas__graph *g, const char *name, int x)
{
    if (rfnas__graph_tensor_info(g, x) == NULL)
        return rfnas__error(RFNAS_E_INVALID, "sink %s: unknown input", name);
    /* The graph wants an output; one float, never written or read. */
    int y = rfnas__graph_tensor(g, 1, 1, 1, RFNAS__LAYOUT_PLAIN);
    if (y < 0)
        return y;
    int rc = rfnas__graph_node(g, &sink_ops, NULL, name, &x, 1, &y, 1, NULL, 0, 0);
    return rc < 0 ? rc : y;
}
