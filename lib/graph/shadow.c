/* bf16 shadows (issue 6): one bf16 copy of an activation, shared by every
 * bf16 convolution that reads it within one forward. In an NB201 cell the
 * ReLU of node 0 feeds six convolutions (1x1 and 3x3 of three out-edges);
 * converting it once instead of six times removes most of the conversion
 * traffic bf16 adds. Buffers are allocated at build time for the largest
 * batch, so nothing is allocated inside a step; a shadow is valid for the
 * forward that filled it (the graph counts forwards), because a tensor's
 * value does not change between its producer and its last reader. */
#include <string.h>

#include "graph_internal.h"

rfnas_status rfnas__graph_shadow_reserve(rfnas__graph *g, int tensor, size_t bytes_per_sample)
{
    if (tensor < 0 || tensor >= g->n_tensors)
        return rfnas__error(RFNAS_E_INVALID, "graph: no tensor %d for a bf16 shadow", tensor);
    for (int i = 0; i < g->n_shadows; i++)
        if (g->shadows[i].tensor == tensor) {
            if (g->shadows[i].bytes < bytes_per_sample * (size_t)g->max_batch)
                return rfnas__error(RFNAS_E_INVALID, "graph: bf16 shadow of tensor %d resized",
                                    tensor);
            return RFNAS_OK;
        }
    if (g->n_shadows == g->cap_shadows) {
        int cap = g->cap_shadows ? 2 * g->cap_shadows : 16;
        rfnas__shadow *bigger = rfnas__calloc(g->ctx, (size_t)cap, sizeof *bigger);
        if (bigger == NULL)
            return RFNAS__NOMEM("graph: bf16 shadows");
        if (g->n_shadows)
            memcpy(bigger, g->shadows, (size_t)g->n_shadows * sizeof *bigger);
        rfnas__free(g->ctx, g->shadows);
        g->shadows = bigger;
        g->cap_shadows = cap;
    }
    rfnas__shadow *s = &g->shadows[g->n_shadows];
    s->tensor = tensor;
    s->bytes = bytes_per_sample * (size_t)g->max_batch;
    s->stamp = 0; /* forwards count from 1: never valid before the first */
    s->buf = rfnas__alloc(g->ctx, s->bytes);
    if (s->buf == NULL)
        return RFNAS__NOMEM("graph: bf16 shadow");
    g->n_shadows++;
    return RFNAS_OK;
}

void *rfnas__graph_shadow(rfnas__graph *g, int tensor, int *filled)
{
    for (int i = 0; i < g->n_shadows; i++) {
        rfnas__shadow *s = &g->shadows[i];
        if (s->tensor != tensor)
            continue;
        *filled = s->stamp == g->forwards;
        s->stamp = g->forwards;
        return s->buf;
    }
    *filled = 0;
    return NULL;
}

size_t rfnas__graph_shadow_bytes(const rfnas__graph *g)
{
    size_t bytes = 0;
    for (int i = 0; i < g->n_shadows; i++)
        bytes += g->shadows[i].bytes;
    return bytes;
}

void rfnas__graph_shadow_free(rfnas__graph *g)
{
    for (int i = 0; i < g->n_shadows; i++)
        rfnas__free(g->ctx, g->shadows[i].buf);
    rfnas__free(g->ctx, g->shadows);
    g->shadows = NULL;
    g->n_shadows = g->cap_shadows = 0;
}
