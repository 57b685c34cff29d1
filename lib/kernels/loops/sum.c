/* Weighted sums, their backward with the alpha dot products, axpy, zero. */
#include "kernels/loops/sum.h"

#include <string.h>

#include "kernels/loops/blocked.h"

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

void rfnas__sum_weighted(float *out, const float *const *x, const float *w, int k, size_t len,
                         int accum)
{
    const int chunks = chunk_count(len);
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (int ch = 0; ch < chunks; ch++) {
        const size_t lo = chunk_begin(len, chunks, ch), hi = chunk_begin(len, chunks, ch + 1);
        /* One pass over out per chunk with the chunk hot in cache: the first
         * term assigns (unless accumulating), the rest add. */
        int first = !accum;
        for (int j = 0; j < k; j++) {
            if (!x[j])
                continue;
            const float a = w[j], *xj = x[j];
            /* 16-float lines through a local buffer: gcc's -O2 cost model
             * vectorises only loops of a known trip count. */
            size_t i = lo;
            for (; i + RFNAS__BLK <= hi; i += RFNAS__BLK) {
                float t[RFNAS__BLK];
                for (int l = 0; l < RFNAS__BLK; l++)
                    t[l] = a * xj[i + (size_t)l];
                if (!first)
                    for (int l = 0; l < RFNAS__BLK; l++)
                        t[l] += out[i + (size_t)l];
                memcpy(out + i, t, sizeof t);
            }
            for (; i < hi; i++)
                out[i] = first ? a * xj[i] : out[i] + a * xj[i];
            first = 0;
        }
        if (first)
            memset(out + lo, 0, (hi - lo) * sizeof(float));
    }
}

void rfnas__sum_weighted_bwd(float *const *dx, double *g, const float *dout,
                             const float *const *x, const float *w, int k, size_t len,
                             int accum)
{
    const int chunks = chunk_count(len);
    double part[MAX_CHUNKS][RFNAS__SUM_MAX_K];
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (int ch = 0; ch < chunks; ch++) {
        const size_t lo = chunk_begin(len, chunks, ch), hi = chunk_begin(len, chunks, ch + 1);
        /* One accumulator per (input, lane): the 16-lane loops vectorise and the
         * lanes are summed in a fixed order at the end. */
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
                if (g && x[j]) {
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
                if (g && x[j])
                    acc[j][i % RFNAS__BLK] += (double)dout[i] * (double)x[j][i];
            }
        for (int j = 0; j < k; j++) {
            double s = 0.0;
            for (int l = 0; l < RFNAS__BLK; l++)
                s += acc[j][l];
            part[ch][j] = s;
        }
    }
    if (!g)
        return;
    for (int j = 0; j < k; j++) {
        double s = 0.0;
        for (int ch = 0; x[j] && ch < chunks; ch++)
            s += part[ch][j];
        g[j] = s;
    }
}

void rfnas__sum_axpy(float *y, float a, const float *x, size_t len)
{
    const size_t lines = len / RFNAS__BLK;
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (size_t i = 0; i < lines; i++) {
        float t[RFNAS__BLK];
        for (int l = 0; l < RFNAS__BLK; l++)
            t[l] = y[i * RFNAS__BLK + (size_t)l] + a * x[i * RFNAS__BLK + (size_t)l];
        memcpy(y + i * RFNAS__BLK, t, sizeof t);
    }
    for (size_t i = lines * RFNAS__BLK; i < len; i++)
        y[i] += a * x[i];
}

void rfnas__sum_zero(float *y, size_t len)
{
    memset(y, 0, len * sizeof(float));
}
