/* Global average pooling to a plain (N, C) array, and its backward. */
#include "kernels/loops/pool.h"

void rfnas__pool_gap_fwd(float *y, const float *x, rfnas__blocked_shape xs)
{
    const int cb_n = rfnas__blocked_cb(xs.c);
    const size_t hw = (size_t)xs.h * (size_t)xs.w;
    const int slabs = xs.n * cb_n;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(xs) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        const int n = nb / cb_n, cb = nb % cb_n;
        const float *p = x + (size_t)nb * hw * RFNAS__BLK;
        /* Double per lane, in pixel order: exact enough and order-fixed. */
        double acc[RFNAS__BLK] = {0};
        for (size_t i = 0; i < hw; i++)
            for (int l = 0; l < RFNAS__BLK; l++)
                acc[l] += p[i * RFNAS__BLK + (size_t)l];
        for (int l = 0; l < RFNAS__BLK && cb * RFNAS__BLK + l < xs.c; l++)
            y[(size_t)n * (size_t)xs.c + (size_t)(cb * RFNAS__BLK + l)] =
                (float)(acc[l] / (double)hw);
    }
}

void rfnas__pool_gap_bwd(float *dx, const float *dy, rfnas__blocked_shape xs, int accum)
{
    const int cb_n = rfnas__blocked_cb(xs.c);
    const size_t hw = (size_t)xs.h * (size_t)xs.w;
    const int slabs = xs.n * cb_n;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(xs) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        const int n = nb / cb_n, cb = nb % cb_n;
        float g[RFNAS__BLK];
        for (int l = 0; l < RFNAS__BLK; l++) {
            const int c = cb * RFNAS__BLK + l;
            g[l] = c < xs.c ? dy[(size_t)n * (size_t)xs.c + (size_t)c] / (float)hw : 0.0f;
        }
        float *p = dx + (size_t)nb * hw * RFNAS__BLK;
        if (accum)
            for (size_t i = 0; i < hw; i++)
                for (int l = 0; l < RFNAS__BLK; l++)
                    p[i * RFNAS__BLK + (size_t)l] += g[l];
        else
            for (size_t i = 0; i < hw; i++)
                for (int l = 0; l < RFNAS__BLK; l++)
                    p[i * RFNAS__BLK + (size_t)l] = g[l];
    }
}
