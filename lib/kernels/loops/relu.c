/* ReLU forward and backward. */
#include "kernels/loops/relu.h"

#include <string.h>

#include "kernels/loops/blocked.h"

/* Every loop here walks 16-float lines with a local line buffer: gcc's -O2
 * cost model vectorises only loops of a known trip count, and the buffer keeps
 * in-place calls (y == x) on the vector path (no overlap check to fail).
 * Lengths of blocked tensors are multiples of 16; a ragged tail is scalar. */

void rfnas__relu_fwd(float *y, const float *x, size_t len)
{
    const size_t lines = len / RFNAS__BLK;
    /* "x < 0 ? 0 : x" rather than fmaxf: PyTorch's relu keeps NaN. */
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (size_t i = 0; i < lines; i++) {
        const float *a = x + i * RFNAS__BLK;
        float t[RFNAS__BLK];
        for (int l = 0; l < RFNAS__BLK; l++)
            t[l] = a[l] < 0.0f ? 0.0f : a[l];
        memcpy(y + i * RFNAS__BLK, t, sizeof t);
    }
    for (size_t i = lines * RFNAS__BLK; i < len; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void rfnas__relu_bwd(float *dx, const float *dy, const float *ref, size_t len, int accum)
{
    const size_t lines = len / RFNAS__BLK;
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (size_t i = 0; i < lines; i++) {
        const float *g = dy + i * RFNAS__BLK, *r = ref + i * RFNAS__BLK;
        float *d = dx + i * RFNAS__BLK, t[RFNAS__BLK];
        for (int l = 0; l < RFNAS__BLK; l++)
            t[l] = r[l] > 0.0f ? g[l] : 0.0f;
        if (accum)
            for (int l = 0; l < RFNAS__BLK; l++)
                t[l] += d[l];
        memcpy(d, t, sizeof t);
    }
    for (size_t i = lines * RFNAS__BLK; i < len; i++) {
        const float v = ref[i] > 0.0f ? dy[i] : 0.0f;
        dx[i] = accum ? dx[i] + v : v;
    }
}
