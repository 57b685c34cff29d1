/* Reorders between plain NCHW and nChw16c, and the padding invariant. */
#include "kernels/loops/blocked.h"

#include <string.h>

void rfnas__blocked_from_nchw(float *dst, const float *src, rfnas__blocked_shape s)
{
    const int cb_n = rfnas__blocked_cb(s.c);
    const size_t hw = (size_t)s.h * (size_t)s.w;
    const int slabs = s.n * cb_n;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(s) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        const int n = nb / cb_n, cb = nb % cb_n;
        float *d = dst + (size_t)nb * hw * RFNAS__BLK;
        for (int l = 0; l < RFNAS__BLK; l++) {
            const int c = cb * RFNAS__BLK + l;
            if (c < s.c) {
                const float *p = src + ((size_t)n * (size_t)s.c + (size_t)c) * hw;
                for (size_t i = 0; i < hw; i++)
                    d[i * RFNAS__BLK + (size_t)l] = p[i];
            } else {
                for (size_t i = 0; i < hw; i++)
                    d[i * RFNAS__BLK + (size_t)l] = 0.0f;
            }
        }
    }
}

void rfnas__blocked_to_nchw(float *dst, const float *src, rfnas__blocked_shape s)
{
    const int cb_n = rfnas__blocked_cb(s.c);
    const size_t hw = (size_t)s.h * (size_t)s.w;
    const int slabs = s.n * cb_n;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(s) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        const int n = nb / cb_n, cb = nb % cb_n;
        const float *p = src + (size_t)nb * hw * RFNAS__BLK;
        for (int l = 0; l < RFNAS__BLK && cb * RFNAS__BLK + l < s.c; l++) {
            float *d = dst + ((size_t)n * (size_t)s.c + (size_t)(cb * RFNAS__BLK + l)) * hw;
            for (size_t i = 0; i < hw; i++)
                d[i] = p[i * RFNAS__BLK + (size_t)l];
        }
    }
}

/* Only the last block of each sample can hold padding lanes. */
int rfnas__blocked_pad_is_zero(const float *x, rfnas__blocked_shape s)
{
    const int cb_n = rfnas__blocked_cb(s.c), first = s.c % RFNAS__BLK;
    if (first == 0)
        return 1;
    const size_t hw = (size_t)s.h * (size_t)s.w;
    for (int n = 0; n < s.n; n++) {
        const float *p = x + ((size_t)n * (size_t)cb_n + (size_t)(cb_n - 1)) * hw * RFNAS__BLK;
        for (size_t i = 0; i < hw; i++)
            for (int l = first; l < RFNAS__BLK; l++)
                if (p[i * RFNAS__BLK + (size_t)l] != 0.0f)
                    return 0;
    }
    return 1;
}

void rfnas__blocked_zero_pad(float *x, rfnas__blocked_shape s)
{
    const int cb_n = rfnas__blocked_cb(s.c), first = s.c % RFNAS__BLK;
    if (first == 0)
        return;
    const size_t hw = (size_t)s.h * (size_t)s.w;
    for (int n = 0; n < s.n; n++) {
        float *p = x + ((size_t)n * (size_t)cb_n + (size_t)(cb_n - 1)) * hw * RFNAS__BLK;
        for (size_t i = 0; i < hw; i++)
            memset(p + i * RFNAS__BLK + first, 0, sizeof(float) * (size_t)(RFNAS__BLK - first));
    }
}
