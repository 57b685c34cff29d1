/* Weighted sums, their backward with the alpha dot products, axpy, zero. */
#include "kernels/loops/sum.h"

#include <string.h>

#include "kernels/loops/blocked.h"
#include "kernels/loops/isa.h"

/* The dot-product partition: at most MAX_CHUNKS chunks of at least MIN_CHUNK
 * floats, boundaries on 16-float lines. It depends on len only, never on the
 * thread count, so the reduction order is fixed (DESIGN 3, determinism). 64
 * chunks keep up to 16 threads busy; the per-chunk partials fit on the stack. */
#define MAX_CHUNKS 64
#define MIN_CHUNK ((size_t)4096)

static int chunk_count(size_t len)
{
    size_t c = (len + MIN_CHUNK - 1) / MIN_CHUNK;
    return c < 1 ? 1 : (c > MAX_CHUNKS ? MAX_CHUNKS : (int)c);
}

static size_t chunk_begin(size_t len, int chunks, int i)
{
    if (i >= chunks)
        return len;
    return (len / RFNAS__BLK) * (size_t)i / (size_t)chunks * RFNAS__BLK;
}

/* out[lo, hi) = sum_j w[j] x[j] (plus out when @p accum), one 16-float line at
 * a time: every input is read once and out written once, the line staying in
 * a register across the k terms (rather than k passes over a chunk of out).
 * The terms are added in j order, as before, so the bits do not change. */
RFNAS__ISA_CLONES
static void weighted_lines(float *out, const float *const *x, const float *w, int k, size_t lo,
                           size_t hi, int accum)
{
    for (size_t i = lo; i + RFNAS__BLK <= hi; i += RFNAS__BLK) {
        float t[RFNAS__BLK];
        int first = !accum;
        if (accum)
            memcpy(t, out + i, sizeof t);
        for (int j = 0; j < k; j++) {
            if (!x[j])
                continue;
            const float a = w[j], *xj = x[j] + i;
            if (first)
                for (int l = 0; l < RFNAS__BLK; l++)
                    t[l] = a * xj[l];
            else
                for (int l = 0; l < RFNAS__BLK; l++)
                    t[l] += a * xj[l];
            first = 0;
        }
        if (first)
            memset(t, 0, sizeof t);
        memcpy(out + i, t, sizeof t);
    }
}

void rfnas__sum_weighted(float *out, const float *const *x, const float *w, int k, size_t len,
                         int accum)
{
    const int chunks = chunk_count(len);
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (int ch = 0; ch < chunks; ch++) {
        const size_t lo = chunk_begin(len, chunks, ch), hi = chunk_begin(len, chunks, ch + 1);
        weighted_lines(out, x, w, k, lo, hi, accum);
        /* A ragged tail exists only for flat arrays that are not blocked tensors. */
        if (ch == chunks - 1)
            for (size_t i = lo + (hi - lo) / RFNAS__BLK * RFNAS__BLK; i < hi; i++) {
                int first = !accum;
                for (int j = 0; j < k; j++) {
                    if (!x[j])
                        continue;
                    out[i] = first ? w[j] * x[j][i] : out[i] + w[j] * x[j][i];
                    first = 0;
                }
                if (first)
                    out[i] = 0.0f;
            }
    }
}

/* One chunk of the backward: input gradients for [lo, hi) and the chunk's
 * partial dot products part[j] (one double accumulator per input and lane,
 * lanes summed in a fixed order). */
RFNAS__ISA_CLONES
static void weighted_bwd_chunk(float *const *dx, int want_g, double *part, const float *dout,
                               const float *const *x, const float *w, int k, size_t lo, size_t hi,
                               int accum)
{
    double acc[RFNAS__SUM_MAX_K][RFNAS__BLK];
    memset(acc, 0, sizeof acc);
    size_t i = lo;
    for (; i + RFNAS__BLK <= hi; i += RFNAS__BLK) {
        const float *d = dout + i;
        for (int j = 0; j < k; j++) {
            if (dx && dx[j]) {
                float *o = dx[j] + i;
                const float a = w[j];
                if (accum)
                    for (int l = 0; l < RFNAS__BLK; l++)
                        o[l] += a * d[l];
                else
                    for (int l = 0; l < RFNAS__BLK; l++)
                        o[l] = a * d[l];
            }
            if (want_g && x[j]) {
                const float *xj = x[j] + i;
                for (int l = 0; l < RFNAS__BLK; l++)
                    acc[j][l] += (double)d[l] * (double)xj[l];
            }
        }
    }
    /* A ragged tail exists only for flat arrays that are not blocked tensors. */
    for (; i < hi; i++)
        for (int j = 0; j < k; j++) {
            if (dx && dx[j])
                dx[j][i] = accum ? dx[j][i] + w[j] * dout[i] : w[j] * dout[i];
            if (want_g && x[j])
                acc[j][i % RFNAS__BLK] += (double)dout[i] * (double)x[j][i];
        }
    for (int j = 0; j < k; j++) {
        double s = 0.0;
        for (int l = 0; l < RFNAS__BLK; l++)
            s += acc[j][l];
        part[j] = s;
    }
}

void rfnas__sum_weighted_bwd(float *const *dx, double *g, const float *dout,
                             const float *const *x, const float *w, int k, size_t len,
                             int accum)
{
    const int chunks = chunk_count(len);
    double part[MAX_CHUNKS][RFNAS__SUM_MAX_K];
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (int ch = 0; ch < chunks; ch++)
        weighted_bwd_chunk(dx, g != NULL, part[ch], dout, x, w, k,
                           chunk_begin(len, chunks, ch), chunk_begin(len, chunks, ch + 1), accum);
    if (!g)
        return;
    for (int j = 0; j < k; j++) {
        double s = 0.0;
        for (int ch = 0; x[j] && ch < chunks; ch++)
            s += part[ch][j];
        g[j] = s;
    }
}

RFNAS__ISA_CLONES
static void axpy_lines(float *y, float a, const float *x, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++) {
        float t[RFNAS__BLK];
        for (int l = 0; l < RFNAS__BLK; l++)
            t[l] = y[i * RFNAS__BLK + (size_t)l] + a * x[i * RFNAS__BLK + (size_t)l];
        memcpy(y + i * RFNAS__BLK, t, sizeof t);
    }
}

void rfnas__sum_axpy(float *y, float a, const float *x, size_t len)
{
    const size_t lines = len / RFNAS__BLK;
    const int chunks = chunk_count(lines * RFNAS__BLK);
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (int ch = 0; ch < chunks; ch++)
        axpy_lines(y, a, x, chunk_begin(lines * RFNAS__BLK, chunks, ch) / RFNAS__BLK,
                   chunk_begin(lines * RFNAS__BLK, chunks, ch + 1) / RFNAS__BLK);
    for (size_t i = lines * RFNAS__BLK; i < len; i++)
        y[i] += a * x[i];
}

void rfnas__sum_zero(float *y, size_t len)
{
    memset(y, 0, len * sizeof(float));
}
