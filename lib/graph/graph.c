/* Building a graph: tensors, parameters, nodes; parameter storage; access. */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE (Linux), beyond the project's POSIX 2008 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "graph_internal.h"

/* Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with
 * transparent huge pages (Debian's default THP mode is "madvise": without the
 * request an arena of hundreds of MB is 4 KiB pages, and every streaming pass
 * over it walks page tables). Advice only: refused (a caller's allocator
 * that does not hand out anonymous memory, THP off) it changes nothing. */
static void advise_huge_pages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    const uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    const uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* Grows an array from the context's allocator (it has no realloc). */
static int grow(rfnas_ctx *ctx, void **array, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 1;
    int next = *cap ? *cap * 2 : 64;
    while (next < need)
        next *= 2;
    void *bigger = rfnas__calloc(ctx, (size_t)next, elem);
    if (bigger == NULL)
        return 0;
    if (*array)
        memcpy(bigger, *array, (size_t)*cap * elem);
    rfnas__free(ctx, *array);
    *array = bigger;
    *cap = next;
    return 1;
}

rfnas_status rfnas__graph_create(rfnas__graph **out, rfnas_ctx *ctx, int64_t max_batch)
{
    *out = NULL;
    if (max_batch < 1 || max_batch > (1 << 20))
        return rfnas__error(RFNAS_E_INVALID, "graph: batch size %lld is outside 1..%d",
                            (long long)max_batch, 1 << 20);
    rfnas__graph *g = rfnas__calloc(ctx, 1, sizeof *g);
    if (g == NULL)
        return RFNAS__NOMEM("graph");
    g->ctx = ctx;
    rfnas__ctx_ref(ctx);
    g->max_batch = max_batch;
    *out = g;
    return RFNAS_OK;
}

void rfnas__graph_destroy(rfnas__graph *g)
{
    if (g == NULL)
        return;
    rfnas_ctx *ctx = g->ctx;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].ops->destroy)
            g->nodes[i].ops->destroy(&g->nodes[i]);
    for (int m = 0; m < RFNAS__MODE_COUNT; m++)
        rfnas__plan_free(g, &g->plan[m]);
    for (int k = 0; k < RFNAS__GROUP_COUNT; k++) {
        rfnas__free(ctx, g->group_values[k]);
        rfnas__free(ctx, g->group_grads[k]);
    }
    rfnas__free(ctx, g->arena);
    rfnas__graph_shadow_free(g);
    rfnas__free(ctx, g->tensors);
    rfnas__free(ctx, g->flags);
    rfnas__free(ctx, g->params);
    rfnas__free(ctx, g->nodes);
    rfnas__free(ctx, g);
    rfnas__ctx_unref(ctx);
}

int rfnas__graph_tensor(rfnas__graph *g, int64_t c, int64_t h, int64_t w, rfnas__layout layout)
{
    if (g->finalized)
        return rfnas__error(RFNAS_E_STATE, "graph: tensor added after finalize");
    if (c < 1 || h < 1 || w < 1 || c > (1 << 20) || h > (1 << 16) || w > (1 << 16))
        return rfnas__error(RFNAS_E_INVALID, "graph: bad tensor shape %lld x %lld x %lld",
                            (long long)c, (long long)h, (long long)w);
    int cap = g->cap_tensors;
    if (!grow(g->ctx, (void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1,
              sizeof *g->tensors) ||
        !grow(g->ctx, (void **)&g->flags, &cap, g->n_tensors + 1, sizeof *g->flags))
        return RFNAS__NOMEM("graph tensor");
    rfnas__tensor *t = &g->tensors[g->n_tensors];
    t->c = c;
    t->h = h;
    t->w = w;
    t->layout = layout;
    int64_t cp = layout == RFNAS__LAYOUT_BLOCKED16 ? (c + 15) / 16 * 16 : c;
    t->per_sample = (size_t)(cp * h * w);
    t->producer = -1;
    t->base = -1;
    t->view_off = 0;
    t->sample_stride = t->per_sample;
    g->flags[g->n_tensors] = 0;
    return g->n_tensors++;
}

int rfnas__graph_view(rfnas__graph *g, int base, int64_t c0, int64_t c)
{
    if (base < 0 || base >= g->n_tensors)
        return rfnas__error(RFNAS_E_INVALID, "graph: view of unknown tensor %d", base);
    const rfnas__tensor b = g->tensors[base]; /* a copy: adding a tensor may move the array */
    if (b.layout != RFNAS__LAYOUT_BLOCKED16 || b.base >= 0 || c0 < 0 || c < 16 || c0 % 16 ||
        c % 16 || c0 + c > b.c)
        return rfnas__error(RFNAS_E_INVALID,
                            "graph: a view is whole 16-channel blocks of a blocked tensor "
                            "(channels %lld..%lld of %lld)",
                            (long long)c0, (long long)(c0 + c), (long long)b.c);
    if (g->flags[base] & RFNAS__TENSOR_READ)
        return rfnas__error(RFNAS_E_INVALID, "graph: tensor %d is read directly; no views", base);
    int v = rfnas__graph_tensor(g, c, b.h, b.w, RFNAS__LAYOUT_BLOCKED16);
    if (v < 0)
        return v;
    rfnas__tensor *t = &g->tensors[v];
    t->producer = b.producer;
    t->base = base;
    t->view_off = (size_t)(c0 * b.h * b.w);
    t->sample_stride = b.per_sample;
    g->flags[base] |= RFNAS__TENSOR_HAS_VIEWS;
    return v;
}

int rfnas__graph_param(rfnas__graph *g, const char *name, rfnas__group group, size_t size)
{
    if (g->finalized)
        return rfnas__error(RFNAS_E_STATE, "graph: parameter added after finalize");
    if (size == 0 || (unsigned)group >= RFNAS__GROUP_COUNT)
        return rfnas__error(RFNAS_E_INVALID, "graph: bad parameter %s", name);
    if (!grow(g->ctx, (void **)&g->params, &g->cap_params, g->n_params + 1, sizeof *g->params))
        return RFNAS__NOMEM("graph parameter");
    rfnas__param *p = &g->params[g->n_params];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->group = group;
    /* 16-float alignment keeps every parameter on its own cache line start. */
    p->offset = (g->group_size[group] + 15) / 16 * 16;
    p->size = size;
    g->group_size[group] = p->offset + size;
    return g->n_params++;
}

static int add_node(rfnas__graph *g, const rfnas__node_ops *ops, void *state, const char *name,
                    const int *in, int n_in, const int *out, int n_out, const int *params,
                    int n_params, size_t scratch_per_sample, int reads_views)
{
    rfnas_status rc = RFNAS_OK;
    if (g->finalized)
        rc = rfnas__error(RFNAS_E_STATE, "graph: node added after finalize");
    else if (n_in < 0 || n_in > RFNAS__NODE_MAX_IN || n_out < 1 || n_out > RFNAS__NODE_MAX_OUT ||
             n_params < 0 || n_params > RFNAS__NODE_MAX_PARAMS)
        rc = rfnas__error(RFNAS_E_INVALID, "graph: node %s has too many inputs or outputs", name);
    for (int i = 0; rc == RFNAS_OK && i < n_in; i++)
        if (in[i] < 0 || in[i] >= g->n_tensors ||
            (g->tensors[in[i]].producer < 0 && !(g->flags[in[i]] & RFNAS__TENSOR_INPUT)))
            rc = rfnas__error(RFNAS_E_INVALID,
                              "graph: node %s reads tensor %d, which is neither a graph input "
                              "nor produced by an earlier node",
                              name, in[i]);
        else if (g->flags[in[i]] & RFNAS__TENSOR_HAS_VIEWS)
            rc = rfnas__error(RFNAS_E_INVALID,
                              "graph: node %s reads tensor %d, which is read through views", name,
                              in[i]);
        else if (g->tensors[in[i]].base >= 0 &&
                 (!reads_views || (g->flags[in[i]] & RFNAS__TENSOR_READ)))
            rc = rfnas__error(RFNAS_E_INVALID,
                              "graph: node %s reads view %d, which %s", name, in[i],
                              reads_views ? "already has its reader" : "this kind cannot read");
    for (int i = 0; rc == RFNAS_OK && i < n_out; i++)
        if (out[i] < 0 || out[i] >= g->n_tensors || g->tensors[out[i]].producer != -1)
            rc = rfnas__error(RFNAS_E_INVALID, "graph: node %s writes tensor %d, which %s", name,
                              out[i], out[i] < 0 || out[i] >= g->n_tensors ? "does not exist"
                                                                           : "has a producer");
    for (int i = 0; rc == RFNAS_OK && i < n_params; i++)
        if (params[i] < 0 || params[i] >= g->n_params)
            rc = rfnas__error(RFNAS_E_INVALID, "graph: node %s uses unknown parameter %d", name,
                              params[i]);
    if (rc == RFNAS_OK &&
        !grow(g->ctx, (void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof *g->nodes))
        rc = RFNAS__NOMEM("graph node");
    if (rc != RFNAS_OK) {
        /* The graph owns @p state from the call on, even when the call fails. */
        rfnas__node tmp = {.ops = ops, .state = state};
        if (ops && ops->destroy)
            ops->destroy(&tmp);
        return rc;
    }
    rfnas__node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->ops = ops;
    n->state = state;
    snprintf(n->name, sizeof n->name, "%s", name);
    n->n_in = n_in;
    n->n_out = n_out;
    n->n_params = n_params;
    memcpy(n->in, in, (size_t)n_in * sizeof *in);
    memcpy(n->out, out, (size_t)n_out * sizeof *out);
    if (n_params)
        memcpy(n->params, params, (size_t)n_params * sizeof *params);
    n->scratch_per_sample = scratch_per_sample;
    for (int i = 0; i < n_out; i++)
        g->tensors[out[i]].producer = g->n_nodes;
    for (int i = 0; i < n_in; i++)
        g->flags[in[i]] |= RFNAS__TENSOR_READ;
    return g->n_nodes++;
}

int rfnas__graph_node(rfnas__graph *g, const rfnas__node_ops *ops, void *state, const char *name,
                      const int *in, int n_in, const int *out, int n_out, const int *params,
                      int n_params, size_t scratch_per_sample)
{
    return add_node(g, ops, state, name, in, n_in, out, n_out, params, n_params,
                    scratch_per_sample, 0);
}

int rfnas__graph_node_views(rfnas__graph *g, const rfnas__node_ops *ops, void *state,
                            const char *name, const int *in, int n_in, const int *out, int n_out,
                            const int *params, int n_params, size_t scratch_per_sample)
{
    return add_node(g, ops, state, name, in, n_in, out, n_out, params, n_params,
                    scratch_per_sample, 1);
}

/* Every base's views tile its channels exactly (rfnas__graph_view). */
static rfnas_status check_views(const rfnas__graph *g)
{
    for (int b = 0; b < g->n_tensors; b++) {
        if (!(g->flags[b] & RFNAS__TENSOR_HAS_VIEWS))
            continue;
        const rfnas__tensor *t = &g->tensors[b];
        const size_t block = (size_t)(16 * t->h * t->w);
        uint64_t covered = 0; /* bit per channel block */
        int overlap = 0;
        for (int v = 0; v < g->n_tensors; v++) {
            const rfnas__tensor *u = &g->tensors[v];
            if (u->base != b)
                continue;
            for (size_t k = u->view_off / block; k < (u->view_off / block) + (size_t)(u->c / 16);
                 k++) {
                if (k >= 64)
                    return rfnas__error(RFNAS_E_UNSUPPORTED,
                                        "graph: views of tensor %d beyond 1024 channels", b);
                overlap |= (int)(covered >> k & 1u);
                covered |= 1ull << k;
            }
        }
        const int64_t blocks = t->c / 16;
        if (overlap || covered != (blocks >= 64 ? ~0ull : (1ull << blocks) - 1))
            return rfnas__error(RFNAS_E_INVALID,
                                "graph: the views of tensor %d overlap or leave channels out", b);
    }
    return RFNAS_OK;
}

static rfnas_status mark(rfnas__graph *g, int tensor, uint8_t flag)
{
    if (tensor < 0 || tensor >= g->n_tensors)
        return rfnas__error(RFNAS_E_INVALID, "graph: unknown tensor %d", tensor);
    g->flags[tensor] |= flag;
    return RFNAS_OK;
}

rfnas_status rfnas__graph_mark_output(rfnas__graph *g, int tensor)
{
    return mark(g, tensor, RFNAS__TENSOR_OUTPUT);
}

rfnas_status rfnas__graph_mark_input(rfnas__graph *g, int tensor)
{
    return mark(g, tensor, RFNAS__TENSOR_INPUT);
}

rfnas_status rfnas__graph_finalize(rfnas__graph *g)
{
    if (g->finalized)
        return rfnas__error(RFNAS_E_STATE, "graph: finalized twice");
    if (g->n_nodes == 0)
        return rfnas__error(RFNAS_E_INVALID, "graph: no nodes");
    RFNAS__TRY(check_views(g));
    for (int k = 0; k < RFNAS__GROUP_COUNT; k++) {
        if (g->group_size[k] == 0)
            continue;
        g->group_values[k] = rfnas__calloc(g->ctx, g->group_size[k], sizeof(float));
        g->group_grads[k] = rfnas__calloc(g->ctx, g->group_size[k], sizeof(float));
        if (!g->group_values[k] || !g->group_grads[k])
            return RFNAS__NOMEM("graph parameters");
    }
    size_t arena = 0;
    for (int m = 0; m < RFNAS__MODE_COUNT; m++) {
        RFNAS__TRY(rfnas__plan_build(g, (rfnas__mode)m, &g->plan[m]));
        arena = g->plan[m].bytes > arena ? g->plan[m].bytes : arena;
    }
    g->arena = rfnas__alloc(g->ctx, arena);
    if (g->arena == NULL)
        return rfnas__error(RFNAS_E_NOMEM, "graph: out of memory for a %zu-byte arena", arena);
    advise_huge_pages(g->arena, arena);
    /* Zeroed once so that channel padding of blocked tensors starts as zero. */
    memset(g->arena, 0, arena);
    g->arena_bytes = arena;
    g->finalized = 1;
    return RFNAS_OK;
}

const rfnas__tensor *rfnas__graph_tensor_info(const rfnas__graph *g, int tensor)
{
    return tensor >= 0 && tensor < g->n_tensors ? &g->tensors[tensor] : NULL;
}

float *rfnas__graph_value(rfnas__graph *g, int tensor)
{
    return (float *)(void *)(g->arena + g->plan[g->mode].value_off[tensor]);
}

float *rfnas__graph_value_for(rfnas__graph *g, rfnas__mode mode, int tensor)
{
    return (float *)(void *)(g->arena + g->plan[mode].value_off[tensor]);
}

float *rfnas__graph_param_value(rfnas__graph *g, int param)
{
    const rfnas__param *p = &g->params[param];
    return g->group_values[p->group] + p->offset;
}

float *rfnas__graph_param_grad(rfnas__graph *g, int param)
{
    const rfnas__param *p = &g->params[param];
    return g->group_grads[p->group] + p->offset;
}

const rfnas__param *rfnas__graph_param_info(const rfnas__graph *g, int param)
{
    return param >= 0 && param < g->n_params ? &g->params[param] : NULL;
}

int rfnas__graph_param_count(const rfnas__graph *g)
{
    return g->n_params;
}

float *rfnas__graph_group_values(rfnas__graph *g, rfnas__group group, size_t *size)
{
    *size = g->group_size[group];
    return g->group_values[group];
}

float *rfnas__graph_group_grads(rfnas__graph *g, rfnas__group group, size_t *size)
{
    *size = g->group_size[group];
    return g->group_grads[group];
}

void rfnas__graph_zero_grad(rfnas__graph *g, rfnas__group group)
{
    if (g->group_grads[group])
        memset(g->group_grads[group], 0, g->group_size[group] * sizeof(float));
}

rfnas__node *rfnas__graph_node_at(rfnas__graph *g, int node)
{
    return &g->nodes[node];
}

int rfnas__graph_node_count(const rfnas__graph *g)
{
    return g->n_nodes;
}

int rfnas__graph_tensor_count(const rfnas__graph *g)
{
    return g->n_tensors;
}

size_t rfnas__graph_plan_bytes(const rfnas__graph *g, rfnas__mode mode)
{
    return g->plan[mode].bytes;
}

rfnas_ctx *rfnas__graph_ctx(const rfnas__graph *g)
{
    return g->ctx;
}

int64_t rfnas__graph_max_batch(const rfnas__graph *g)
{
    return g->max_batch;
}

void rfnas__graph_set_conv_bf16(rfnas__graph *g, int on)
{
    g->conv_bf16 = on != 0;
}

int rfnas__graph_conv_bf16(const rfnas__graph *g)
{
    return g->conv_bf16;
}
