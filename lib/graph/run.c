/* Running a planned graph: forward in node order, backward in reverse. */
#include "graph_internal.h"

static float *at(rfnas__exec *ex, size_t off)
{
    return (float *)(void *)(ex->graph->arena + off);
}

float *rfnas__exec_in(rfnas__exec *ex, const rfnas__node *node, int i)
{
    return at(ex, ex->graph->plan[ex->graph->mode].value_off[node->in[i]]);
}

float *rfnas__exec_out(rfnas__exec *ex, const rfnas__node *node, int i)
{
    return at(ex, ex->graph->plan[ex->graph->mode].value_off[node->out[i]]);
}

float *rfnas__exec_in_grad(rfnas__exec *ex, const rfnas__node *node, int i)
{
    size_t off = ex->graph->plan[ex->graph->mode].grad_off[node->in[i]];
    return off == RFNAS__NO_OFFSET ? NULL : at(ex, off);
}

float *rfnas__exec_out_grad(rfnas__exec *ex, const rfnas__node *node, int i)
{
    size_t off = ex->graph->plan[ex->graph->mode].grad_off[node->out[i]];
    return off == RFNAS__NO_OFFSET ? NULL : at(ex, off);
}

float *rfnas__exec_param(rfnas__exec *ex, const rfnas__node *node, int i)
{
    return rfnas__graph_param_value(ex->graph, node->params[i]);
}

float *rfnas__exec_param_grad(rfnas__exec *ex, const rfnas__node *node, int i)
{
    return rfnas__graph_param_grad(ex->graph, node->params[i]);
}

int rfnas__exec_param_trained(const rfnas__exec *ex, const rfnas__node *node, int i)
{
    return ex->graph->params[node->params[i]].group == ex->group;
}

rfnas_status rfnas__graph_forward(rfnas__graph *g, int64_t batch, rfnas__mode mode, int train)
{
    if (!g->finalized)
        return rfnas__error(RFNAS_E_STATE, "graph: forward before finalize");
    if (batch < 1 || batch > g->max_batch)
        return rfnas__error(RFNAS_E_INVALID, "graph: batch %lld is outside 1..%lld",
                            (long long)batch, (long long)g->max_batch);
    g->mode = mode;
    g->batch = batch;
    g->backward_pending = 0;
    g->forwards++; /* invalidates every bf16 shadow */
    rfnas__exec ex = {g, g->ctx, batch, train, rfnas__mode_group(mode), 0, 0, NULL};
    rfnas__threads_scope scope;
    rfnas__threads_enter(g->ctx, &scope);
    rfnas_status rc = RFNAS_OK;
    for (int i = 0; i < g->n_nodes && rc == RFNAS_OK; i++) {
        rfnas__node *n = &g->nodes[i];
        ex.scratch = n->scratch_per_sample ? at(&ex, g->plan[mode].scratch_off[i]) : NULL;
        rc = n->ops->forward(n, &ex);
        if (rc != RFNAS_OK)
            rfnas__error_prefix("forward %s (%s)", n->name, n->ops->kind);
    }
    rfnas__threads_leave(&scope);
    g->backward_pending = rc == RFNAS_OK && mode != RFNAS__MODE_EVAL;
    return rc;
}

rfnas_status rfnas__graph_backward(rfnas__graph *g)
{
    if (!g->backward_pending)
        return rfnas__error(RFNAS_E_STATE,
                            "graph: backward needs a forward in a training mode just before it");
    g->backward_pending = 0;
    const rfnas__plan *p = &g->plan[g->mode];
    rfnas__exec ex = {g, g->ctx, g->batch, 1, rfnas__mode_group(g->mode), 0, 0, NULL};
    rfnas__threads_scope scope;
    rfnas__threads_enter(g->ctx, &scope);
    rfnas_status rc = RFNAS_OK;
    for (int i = g->n_nodes - 1; i >= 0 && rc == RFNAS_OK; i--) {
        if (!p->runs_backward[i])
            continue;
        rfnas__node *n = &g->nodes[i];
        ex.need_grad = p->need_grad[i];
        ex.accumulate = p->accumulate[i];
        ex.scratch = n->scratch_per_sample ? at(&ex, p->scratch_bwd_off[i]) : NULL;
        rc = n->ops->backward(n, &ex);
        if (rc != RFNAS_OK)
            rfnas__error_prefix("backward %s (%s)", n->name, n->ops->kind);
    }
    rfnas__threads_leave(&scope);
    return rc;
}
