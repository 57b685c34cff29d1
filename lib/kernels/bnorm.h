/* 2-D batch normalisation through oneDNN 2.6 (SPEC 2.2), PyTorch semantics:
 * eps 1e-5, momentum 0.1.
 *
 * - Training mode normalises with the batch mean and the biased variance
 *   (what oneDNN computes), and, when given running statistics, updates them
 *   as PyTorch does: run = 0.9 run + 0.1 batch, with the unbiased variance
 *   (factor M/(M-1), M = N*H*W) for the running variance.
 * - Evaluation mode normalises with the running statistics (use_global_stats).
 * - Backward goes through oneDNN's dnnl_backward when affine (backward_data
 *   with scale/shift is unimplemented in 2.6, onednn-notes pitfall 4), which
 *   also yields dgamma and dbeta; through backward_data otherwise.
 *
 * Layouts (all f32): x, y, dx, dy are nChw16c with zero padding channels
 * (rfnas__bnorm_data_md()); gamma, beta, their gradients, the batch mean and
 * variance and the running statistics are plain float[C].
 *
 * Primitives for both modes are created once per shape (batch included). The
 * plan keeps no state between calls: the batch statistics a backward needs are
 * the caller's (a graph node keeps them with its input x). */
#ifndef RFNAS_KERNELS_BNORM_H
#define RFNAS_KERNELS_BNORM_H

#include <stdint.h>

#include <oneapi/dnnl/dnnl.h>

#include "ctx.h"

#define RFNAS__BN_EPS 1e-5f
#define RFNAS__BN_MOMENTUM 0.1

typedef struct rfnas__bnorm_desc {
    int64_t n, c, h, w;
    int affine; /* learnable gamma (scale) and beta (shift) */
} rfnas__bnorm_desc;

typedef struct rfnas__bnorm rfnas__bnorm;

rfnas_status rfnas__bnorm_create(rfnas__bnorm **out, rfnas_ctx *ctx, const rfnas__bnorm_desc *d);
void rfnas__bnorm_destroy(rfnas__bnorm *b);

/* The layout of x, y, dx and dy (nChw16c). */
const dnnl_memory_desc_t *rfnas__bnorm_data_md(const rfnas__bnorm *b);

/* Name of the oneDNN implementation of forward (@p backward = 0) or backward
 * in training (@p train = 1) or evaluation mode. */
const char *rfnas__bnorm_impl(const rfnas__bnorm *b, int backward, int train);

/* Training-mode forward. Writes y and the batch @p mean and biased @p var
 * (float[C], to keep for backward). @p gamma, @p beta: NULL unless affine.
 * @p run_mean, @p run_var: updated when both are non-NULL (PyTorch's
 * track_running_stats); pass NULL for a BN without running statistics. */
rfnas_status rfnas__bnorm_forward_train(rfnas__bnorm *b, const float *x, float *y,
                                        const float *gamma, const float *beta, float *mean,
                                        float *var, float *run_mean, float *run_var);

/* Evaluation-mode forward with the running statistics. */
rfnas_status rfnas__bnorm_forward_eval(rfnas__bnorm *b, const float *x, float *y,
                                       const float *gamma, const float *beta,
                                       const float *run_mean, const float *run_var);

/* Backward of the forward of mode @p train: @p mean and @p var are the batch
 * statistics that forward wrote (train) or the running statistics (eval).
 * Writes dx (overwritten). When affine and @p dgamma / @p dbeta are non-NULL,
 * writes them, or adds to them when @p accumulate; NULL skips either. */
rfnas_status rfnas__bnorm_backward(rfnas__bnorm *b, int train, const float *x, const float *dy,
                                   const float *mean, const float *var, const float *gamma,
                                   float *dx, float *dgamma, float *dbeta, int accumulate);

#endif
