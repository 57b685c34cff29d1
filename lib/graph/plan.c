/* The memory planner: liveness of every activation, gradient and scratch
 * buffer on a timeline of forward steps then backward steps, and a packing of
 * all of them into one arena. One plan per mode (DESIGN 3: "memory planned
 * once"; "only what backward needs is kept"). */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

enum { ALIGN = 64 };

typedef struct interval {
    size_t bytes;
    int start, end; /* inclusive times */
    size_t *offset; /* where to write the placement */
} interval;

rfnas__group rfnas__mode_group(rfnas__mode mode)
{
    return mode == RFNAS__MODE_ARCH ? RFNAS__GROUP_ARCH : RFNAS__GROUP_WEIGHTS;
}

void rfnas__plan_free(rfnas__graph *g, rfnas__plan *p)
{
    rfnas__free(g->ctx, p->value_off);
    rfnas__free(g->ctx, p->grad_off);
    rfnas__free(g->ctx, p->scratch_off);
    rfnas__free(g->ctx, p->scratch_bwd_off);
    rfnas__free(g->ctx, p->runs_backward);
    rfnas__free(g->ctx, p->need_grad);
    rfnas__free(g->ctx, p->accumulate);
    memset(p, 0, sizeof *p);
}

static int by_size_then_start(const void *a, const void *b)
{
    const interval *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return (x->start > y->start) - (x->start < y->start);
}

/* Greedy packing: largest first, each at the lowest offset that collides with no
 * placed buffer live at an overlapping time. Deterministic for a given graph.
 * @p by_off (n entries of scratch) keeps the placed buffers sorted by offset,
 * so that finding the lowest fit is one sweep: a DARTS supernet has about ten
 * thousand buffers, too many for rescanning every placed buffer after each bump. */
static size_t pack(interval *iv, int n, size_t *placed_off, int *by_off)
{
    qsort(iv, (size_t)n, sizeof *iv, by_size_then_start);
    size_t total = 0;
    int placed = 0;
    for (int i = 0; i < n; i++) {
        /* Sweep by offset: a buffer live at the same time that starts before
         * the candidate's end pushes the candidate past its own end. */
        size_t off = 0;
        for (int k = 0; k < placed; k++) {
            const int j = by_off[k];
            if (iv[j].end < iv[i].start || iv[i].end < iv[j].start)
                continue;
            const size_t a = placed_off[j], b = a + iv[j].bytes;
            if (a >= off + iv[i].bytes)
                break; /* every later buffer starts later still: the gap fits */
            off = b > off ? b : off;
        }
        placed_off[i] = off;
        *iv[i].offset = off;
        if (off + iv[i].bytes > total)
            total = off + iv[i].bytes;
        int lo = 0, hi = placed; /* insert after every buffer at an offset <= off */
        while (lo < hi) {
            const int mid = (lo + hi) / 2;
            if (placed_off[by_off[mid]] <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(by_off + lo + 1, by_off + lo, (size_t)(placed - lo) * sizeof *by_off);
        by_off[lo] = i;
        placed++;
    }
    return total;
}

/* The tensor whose buffers hold @p t: its base for a view, else itself. */
static int storage(const rfnas__graph *g, int t)
{
    return g->tensors[t].base >= 0 ? g->tensors[t].base : t;
}

rfnas_status rfnas__plan_build(rfnas__graph *g, rfnas__mode mode, rfnas__plan *p)
{
    const int F = g->n_nodes, T = g->n_tensors;
    const int training = mode != RFNAS__MODE_EVAL;
    const rfnas__group group = rfnas__mode_group(mode);
    const int END = 2 * F; /* later than any backward step: kept until the next run */
    rfnas_ctx *ctx = g->ctx;
    memset(p, 0, sizeof *p);
    p->value_off = rfnas__calloc(ctx, (size_t)T, sizeof *p->value_off);
    p->grad_off = rfnas__calloc(ctx, (size_t)T, sizeof *p->grad_off);
    p->scratch_off = rfnas__calloc(ctx, (size_t)F, sizeof *p->scratch_off);
    p->scratch_bwd_off = rfnas__calloc(ctx, (size_t)F, sizeof *p->scratch_bwd_off);
    p->runs_backward = rfnas__calloc(ctx, (size_t)F, sizeof *p->runs_backward);
    p->need_grad = rfnas__calloc(ctx, (size_t)F, sizeof *p->need_grad);
    p->accumulate = rfnas__calloc(ctx, (size_t)F, sizeof *p->accumulate);
    uint8_t *depends = rfnas__calloc(ctx, (size_t)T, 1);
    int *start = rfnas__calloc(ctx, (size_t)T, sizeof *start);
    int *end = rfnas__calloc(ctx, (size_t)T, sizeof *end);
    int *gstart = rfnas__calloc(ctx, (size_t)T, sizeof *gstart);
    interval *iv = rfnas__calloc(ctx, (size_t)(2 * T + 2 * F), sizeof *iv);
    size_t *placed = rfnas__calloc(ctx, (size_t)(2 * T + 2 * F), sizeof *placed);
    int *by_off = rfnas__calloc(ctx, (size_t)(2 * T + 2 * F), sizeof *by_off);
    rfnas_status rc = RFNAS_OK;
    if (!p->value_off || !p->grad_off || !p->scratch_off || !p->scratch_bwd_off ||
        !p->runs_backward || !p->need_grad || !p->accumulate || !depends || !start || !end ||
        !gstart || !iv || !placed || !by_off) {
        rc = RFNAS__NOMEM("graph plan");
        goto done;
    }
    const size_t batch = (size_t)g->max_batch;
#define BWD_TIME(i) (2 * F - 1 - (i))

    /* Which tensors carry a gradient of the group, and which nodes run backward. */
    for (int i = 0; i < F && training; i++) {
        const rfnas__node *n = &g->nodes[i];
        int dep = 0;
        for (int k = 0; k < n->n_params; k++)
            dep |= g->params[n->params[k]].group == group;
        for (int k = 0; k < n->n_in; k++)
            if (depends[storage(g, n->in[k])]) {
                dep = 1;
                p->need_grad[i] |= 1ull << k;
            }
        p->runs_backward[i] = (uint8_t)dep;
        for (int k = 0; k < n->n_out; k++)
            depends[n->out[k]] = (uint8_t)dep;
    }

    /* Value lifetimes: from production to the last forward read, or to the
     * backward of a node that keeps the tensor. A view's reads and keeps are
     * its base's. */
    for (int t = 0; t < T; t++) {
        start[t] = g->tensors[t].producer < 0 ? 0 : g->tensors[t].producer;
        end[t] = (g->flags[t] & RFNAS__TENSOR_OUTPUT) ? END : start[t];
        p->grad_off[t] = RFNAS__NO_OFFSET;
        gstart[t] = -1;
    }
    for (int i = 0; i < F; i++) {
        const rfnas__node *n = &g->nodes[i];
        const uint64_t keeps =
            training && p->runs_backward[i] && n->ops->keeps ? n->ops->keeps(n, group) : 0;
        for (int k = 0; k < n->n_in; k++) {
            int t = storage(g, n->in[k]);
            int until = (keeps >> k & 1u) ? BWD_TIME(i) : i;
            end[t] = until > end[t] ? until : end[t];
        }
        for (int k = 0; k < n->n_out; k++)
            if (keeps & RFNAS__KEEP_OUT(k))
                end[n->out[k]] = BWD_TIME(i) > end[n->out[k]] ? BWD_TIME(i) : end[n->out[k]];
    }

    /* Gradient lifetimes: from the first backward write (the last consumer in
     * forward order) to the producer's backward. The first writer overwrites,
     * every later one accumulates. A view's one reader writes its slice of the
     * base's gradient: the views tile the base, so the slices never overlap
     * and none accumulates. */
    for (int i = F - 1; i >= 0 && training; i--) {
        const rfnas__node *n = &g->nodes[i];
        for (int k = 0; k < n->n_in; k++) {
            if (!(p->need_grad[i] >> k & 1u))
                continue;
            const int view = g->tensors[n->in[k]].base >= 0;
            int t = storage(g, n->in[k]);
            if (gstart[t] < 0)
                gstart[t] = BWD_TIME(i);
            else if (!view)
                p->accumulate[i] |= 1ull << k;
        }
    }

    int n_iv = 0;
    for (int t = 0; t < T; t++) {
        if (g->tensors[t].base >= 0)
            continue; /* placed with its base below */
        size_t bytes = (g->tensors[t].per_sample * batch * sizeof(float) + ALIGN - 1) / ALIGN * ALIGN;
        iv[n_iv++] = (interval){bytes, start[t], end[t], &p->value_off[t]};
        if (gstart[t] >= 0) {
            int prod = g->tensors[t].producer;
            int gend = prod >= 0 ? BWD_TIME(prod) : END;
            iv[n_iv++] = (interval){bytes, gstart[t], gend, &p->grad_off[t]};
        }
    }
    for (int i = 0; i < F; i++) {
        size_t bytes = (g->nodes[i].scratch_per_sample * batch * sizeof(float) + ALIGN - 1) /
                       ALIGN * ALIGN;
        if (bytes == 0)
            continue;
        iv[n_iv++] = (interval){bytes, i, i, &p->scratch_off[i]};
        if (p->runs_backward[i])
            iv[n_iv++] = (interval){bytes, BWD_TIME(i), BWD_TIME(i), &p->scratch_bwd_off[i]};
    }
    p->bytes = pack(iv, n_iv, placed, by_off);
    for (int t = 0; t < T; t++) {
        const rfnas__tensor *u = &g->tensors[t];
        if (u->base < 0)
            continue;
        const size_t off = u->view_off * sizeof(float);
        p->value_off[t] = p->value_off[u->base] + off;
        p->grad_off[t] = p->grad_off[u->base] == RFNAS__NO_OFFSET ? RFNAS__NO_OFFSET
                                                                  : p->grad_off[u->base] + off;
    }
#undef BWD_TIME
done:
    rfnas__free(ctx, depends);
    rfnas__free(ctx, start);
    rfnas__free(ctx, end);
    rfnas__free(ctx, gstart);
    rfnas__free(ctx, iv);
    rfnas__free(ctx, placed);
    rfnas__free(ctx, by_off);
    return rc;
}
