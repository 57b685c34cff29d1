/* FactorizedReduce's one-pixel shift and its adjoint. */
#include "kernels/loops/shift.h"

#include <string.h>

void rfnas__shift_fwd(float *y, const float *x, rfnas__blocked_shape s)
{
    const int slabs = s.n * rfnas__blocked_cb(s.c);
    const size_t row = (size_t)s.w * RFNAS__BLK, slab = (size_t)s.h * row;
    const size_t len = (size_t)(s.w - 1) * RFNAS__BLK;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(s) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        float *yp = y + (size_t)nb * slab;
        const float *xp = x + (size_t)nb * slab;
        /* A row of y is the next row of x from its second pixel on: one copy. */
        for (int h = 0; h + 1 < s.h; h++) {
            memcpy(yp + (size_t)h * row, xp + (size_t)(h + 1) * row + RFNAS__BLK,
                   len * sizeof(float));
            memset(yp + (size_t)h * row + len, 0, RFNAS__BLK * sizeof(float));
        }
        memset(yp + (size_t)(s.h - 1) * row, 0, row * sizeof(float));
    }
}

void rfnas__shift_bwd(float *dx, const float *dy, rfnas__blocked_shape s, int accum)
{
    const int slabs = s.n * rfnas__blocked_cb(s.c);
    const size_t row = (size_t)s.w * RFNAS__BLK, slab = (size_t)s.h * row;
    const size_t len = (size_t)(s.w - 1) * RFNAS__BLK;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(s) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        float *xp = dx + (size_t)nb * slab;
        const float *yp = dy + (size_t)nb * slab;
        if (!accum) {
            memset(xp, 0, row * sizeof(float));
            for (int h = 1; h < s.h; h++)
                memset(xp + (size_t)h * row, 0, RFNAS__BLK * sizeof(float));
        }
        for (int h = 1; h < s.h; h++) {
            float *d = xp + (size_t)h * row + RFNAS__BLK;
            const float *g = yp + (size_t)(h - 1) * row;
            if (accum)
                for (size_t i = 0; i < len; i++)
                    d[i] += g[i];
            else
                memcpy(d, g, len * sizeof(float));
        }
    }
}
