/* Batch normalisation plans: four oneDNN primitives (forward and backward in
 * training and evaluation mode) and the PyTorch running-statistics update. */
#include "bnorm.h"

#include <string.h>

#include "error.h"
#include "prim.h"

struct rfnas__bnorm {
    rfnas_ctx *ctx;
    rfnas__bnorm_desc d;
    dnnl_memory_desc_t data_md;
    rfnas__prim fwd_train, fwd_eval, bwd_train, bwd_eval;
    /* dgamma, dbeta (oneDNN writes them whole; copied or added to the
     * caller's), then zeros for beta: backward with use_shift insists on a
     * shift argument although dx, dgamma and dbeta do not depend on it. */
    float *dss; /* float[3C] */
    void *scratch;
    size_t scratch_bytes;
};

void rfnas__bnorm_destroy(rfnas__bnorm *b)
{
    if (b == NULL)
        return;
    rfnas__prim_destroy(&b->fwd_train);
    rfnas__prim_destroy(&b->fwd_eval);
    rfnas__prim_destroy(&b->bwd_train);
    rfnas__prim_destroy(&b->bwd_eval);
    rfnas__free(b->ctx, b->dss);
    rfnas__free(b->ctx, b->scratch);
    rfnas__free(b->ctx, b);
}

static rfnas_status create_fwd(rfnas__bnorm *b, rfnas__prim *p, int train)
{
    const char *what = train ? "bnorm forward (train)" : "bnorm forward (eval)";
    unsigned flags = b->d.affine ? (unsigned)(dnnl_use_scale | dnnl_use_shift) : 0u;
    if (!train)
        flags |= dnnl_use_global_stats;
    dnnl_batch_normalization_desc_t op;
    dnnl_status_t st = dnnl_batch_normalization_forward_desc_init(
        &op, train ? dnnl_forward_training : dnnl_forward_inference, &b->data_md, RFNAS__BN_EPS,
        flags);
    if (st != dnnl_success)
        return rfnas__dnnl_error(st, what);
    /* Argument order is the one rfnas__bnorm_forward_* passes. */
    int ids[7], n = 0;
    ids[n++] = DNNL_ARG_SRC;
    ids[n++] = DNNL_ARG_DST;
    ids[n++] = DNNL_ARG_MEAN;
    ids[n++] = DNNL_ARG_VARIANCE;
    if (b->d.affine) {
        ids[n++] = DNNL_ARG_SCALE;
        ids[n++] = DNNL_ARG_SHIFT;
    }
    return rfnas__prim_create(p, b->ctx, &op, NULL, ids, n, what);
}

static rfnas_status create_bwd(rfnas__bnorm *b, rfnas__prim *p, int train)
{
    const char *what = train ? "bnorm backward (train)" : "bnorm backward (eval)";
    unsigned flags = b->d.affine ? (unsigned)(dnnl_use_scale | dnnl_use_shift) : 0u;
    if (!train)
        flags |= dnnl_use_global_stats;
    dnnl_batch_normalization_desc_t op;
    dnnl_status_t st = dnnl_batch_normalization_backward_desc_init(
        &op, b->d.affine ? dnnl_backward : dnnl_backward_data, &b->data_md, &b->data_md,
        RFNAS__BN_EPS, flags);
    if (st != dnnl_success)
        return rfnas__dnnl_error(st, what);
    int ids[9], n = 0;
    ids[n++] = DNNL_ARG_SRC;
    ids[n++] = DNNL_ARG_DIFF_DST;
    ids[n++] = DNNL_ARG_MEAN;
    ids[n++] = DNNL_ARG_VARIANCE;
    ids[n++] = DNNL_ARG_DIFF_SRC;
    if (b->d.affine) {
        ids[n++] = DNNL_ARG_SCALE;
        ids[n++] = DNNL_ARG_SHIFT;
        ids[n++] = DNNL_ARG_DIFF_SCALE;
        ids[n++] = DNNL_ARG_DIFF_SHIFT;
    }
    const rfnas__prim *hint = train ? &b->fwd_train : &b->fwd_eval;
    return rfnas__prim_create(p, b->ctx, &op, hint->pd, ids, n, what);
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

static rfnas_status build(rfnas__bnorm *b)
{
    int64_t dims[4] = {b->d.n, b->d.c, b->d.h, b->d.w};
    RFNAS__TRY(rfnas__md_init(&b->data_md, 4, dims, dnnl_nChw16c));
    RFNAS__TRY(create_fwd(b, &b->fwd_train, 1));
    RFNAS__TRY(create_fwd(b, &b->fwd_eval, 0));
    RFNAS__TRY(create_bwd(b, &b->bwd_train, 1));
    RFNAS__TRY(create_bwd(b, &b->bwd_eval, 0));
    if (b->d.affine) {
        b->dss = rfnas__calloc(b->ctx, 3 * (size_t)b->d.c, sizeof(float));
        if (b->dss == NULL)
            return RFNAS__NOMEM("bnorm");
    }
    const rfnas__prim *prims[] = {&b->fwd_train, &b->fwd_eval, &b->bwd_train, &b->bwd_eval};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        b->scratch_bytes = max_size(b->scratch_bytes, prims[i]->scratch_bytes);
    if (b->scratch_bytes > 0) {
        b->scratch = rfnas__alloc(b->ctx, b->scratch_bytes);
        if (b->scratch == NULL)
            return RFNAS__NOMEM("bnorm scratchpad");
    }
    return RFNAS_OK;
}

rfnas_status rfnas__bnorm_create(rfnas__bnorm **out, rfnas_ctx *ctx, const rfnas__bnorm_desc *d)
{
    if (out == NULL || ctx == NULL || d == NULL)
        return rfnas__error(RFNAS_E_INVALID, "bnorm: NULL argument");
    *out = NULL;
    if (d->n < 1 || d->c < 1 || d->h < 1 || d->w < 1)
        return rfnas__error(RFNAS_E_INVALID, "bnorm: empty shape");
    rfnas__bnorm *b = rfnas__calloc(ctx, 1, sizeof *b);
    if (b == NULL)
        return RFNAS__NOMEM("bnorm");
    b->ctx = ctx;
    b->d = *d;
    rfnas_status rc = build(b);
    if (rc < 0) {
        rfnas__bnorm_destroy(b);
        return rc;
    }
    *out = b;
    return RFNAS_OK;
}

const dnnl_memory_desc_t *rfnas__bnorm_data_md(const rfnas__bnorm *b)
{
    return &b->data_md;
}

const char *rfnas__bnorm_impl(const rfnas__bnorm *b, int backward, int train)
{
    const rfnas__prim *p = backward ? (train ? &b->bwd_train : &b->bwd_eval)
                                    : (train ? &b->fwd_train : &b->fwd_eval);
    return rfnas__prim_impl(p);
}

static rfnas_status check_affine(const rfnas__bnorm *b, const float *gamma, const float *beta,
                                 const char *what)
{
    if (b->d.affine && (gamma == NULL || beta == NULL))
        return rfnas__error(RFNAS_E_INVALID, "%s: affine needs gamma and beta", what);
    return RFNAS_OK;
}

rfnas_status rfnas__bnorm_forward_train(rfnas__bnorm *b, const float *x, float *y,
                                        const float *gamma, const float *beta, float *mean,
                                        float *var, float *run_mean, float *run_var)
{
    static const char what[] = "bnorm forward (train)";
    RFNAS__TRY(check_affine(b, gamma, beta, what));
    const int64_t m = b->d.n * b->d.h * b->d.w;
    const int update = run_mean != NULL && run_var != NULL;
    if (update && m < 2) /* PyTorch refuses too: the unbiased variance is undefined */
        return rfnas__error(RFNAS_E_INVALID, "%s: one value per channel", what);
    void *h[6] = {(void *)x, y, mean, var, (void *)gamma, (void *)beta};
    RFNAS__TRY(rfnas__prim_exec(&b->fwd_train, b->ctx, h, b->scratch, what));
    if (update) {
        /* PyTorch's CPU update, computed in double (its accumulate type) and
         * rounded once: run = (1 - momentum) run + momentum batch. */
        const double mom = RFNAS__BN_MOMENTUM, unbias = (double)m / (double)(m - 1);
        for (int64_t c = 0; c < b->d.c; c++) {
            run_mean[c] = (float)(mom * mean[c] + (1.0 - mom) * run_mean[c]);
            run_var[c] = (float)(mom * (var[c] * unbias) + (1.0 - mom) * run_var[c]);
        }
    }
    return RFNAS_OK;
}

rfnas_status rfnas__bnorm_forward_eval(rfnas__bnorm *b, const float *x, float *y,
                                       const float *gamma, const float *beta,
                                       const float *run_mean, const float *run_var)
{
    static const char what[] = "bnorm forward (eval)";
    RFNAS__TRY(check_affine(b, gamma, beta, what));
    void *h[6] = {(void *)x, y, (void *)run_mean, (void *)run_var, (void *)gamma, (void *)beta};
    return rfnas__prim_exec(&b->fwd_eval, b->ctx, h, b->scratch, what);
}

rfnas_status rfnas__bnorm_backward(rfnas__bnorm *b, int train, const float *x, const float *dy,
                                   const float *mean, const float *var, const float *gamma,
                                   float *dx, float *dgamma, float *dbeta, int accumulate)
{
    const char *what = train ? "bnorm backward (train)" : "bnorm backward (eval)";
    if (b->d.affine && gamma == NULL)
        return rfnas__error(RFNAS_E_INVALID, "%s: affine needs gamma", what);
    const size_t c = (size_t)b->d.c;
    float *dss = b->dss;
    void *h[9] = {(void *)x,     (void *)dy,          (void *)mean, (void *)var, dx,
                  (void *)gamma, dss ? dss + 2 * c : NULL, dss,     dss ? dss + c : NULL};
    RFNAS__TRY(rfnas__prim_exec(train ? &b->bwd_train : &b->bwd_eval, b->ctx, h, b->scratch, what));
    if (!b->d.affine)
        return RFNAS_OK;
    float *dst[2] = {dgamma, dbeta};
    for (int k = 0; k < 2; k++) {
        if (dst[k] == NULL)
            continue;
        const float *src = b->dss + (size_t)k * c;
        if (accumulate)
            for (size_t i = 0; i < c; i++)
                dst[k][i] += src[i];
        else
            memcpy(dst[k], src, c * sizeof *src);
    }
    return RFNAS_OK;
}
