/* The context's transient workspace (see ctx.h): one buffer that kernels use
 * only for the duration of one call (oneDNN scratchpads, layout and bf16
 * conversion buffers), sized for the largest user. Calls on one context never
 * overlap (rfnas.h thread-safety notes), so one buffer serves every plan of
 * the context instead of one per plan: with bf16 convolutions (issue 6) the
 * per-plan copies were about 4 MiB per convolution at batch 64. */
#include <string.h>

#include "ctx.h"

rfnas_status rfnas__ctx_work_reserve(rfnas_ctx *ctx, size_t bytes)
{
    if (bytes <= ctx->work_bytes)
        return RFNAS_OK;
    void *bigger = rfnas__alloc(ctx, bytes);
    if (bigger == NULL)
        return RFNAS_E_NOMEM; /* the caller reports it */
    /* Nothing is live in it between calls: no copy. */
    rfnas__free(ctx, ctx->work);
    ctx->work = bigger;
    ctx->work_bytes = bytes;
    return RFNAS_OK;
}

void *rfnas__ctx_work(const rfnas_ctx *ctx)
{
    return ctx->work;
}

void rfnas__ctx_work_free(rfnas_ctx *ctx)
{
    rfnas__free(ctx, ctx->work);
    ctx->work = NULL;
    ctx->work_bytes = 0;
}
