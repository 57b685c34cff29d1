/* Max pooling with a saved one-byte argmax, forward and backward. */
#include "kernels/loops/pool.h"

#include <math.h>
#include <string.h>

#include "error.h"
#include "kernels/loops/isa.h"

/* One (sample, channel block) slab. A worker of its own so that it carries
 * the per-ISA clones (isa.h); the lane loops are "omp simd" because gcc
 * will not if-convert the NaN-aware select on its own (it emitted scalar
 * code, 7x slower than the average pool). */
RFNAS__ISA_CLONES
static void max_fwd_slab(float *y, uint8_t *argmax, const float *xp, int H, int W, int oh, int ow,
                         int k, int stride, int pad)
{
    for (int i = 0; i < oh; i++) {
        const int a = i * stride - pad;
        const int h0 = a < 0 ? 0 : a, h1 = a + k > H ? H : a + k;
        for (int j = 0; j < ow; j++) {
            const int b = j * stride - pad;
            const int w0 = b < 0 ? 0 : b, w1 = b + k > W ? W : b + k;
            /* PyTorch's loop: start at -inf with the first real pixel's
             * index, take a value if it is greater or NaN. Only real
             * pixels are visited, so padding never wins. */
            float m[RFNAS__BLK];
            int idx[RFNAS__BLK];
            const int first = (h0 - a) * k + (w0 - b);
            for (int l = 0; l < RFNAS__BLK; l++) {
                m[l] = -INFINITY;
                idx[l] = first;
            }
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++) {
                    const float *p = xp + ((size_t)h * (size_t)W + (size_t)w) * RFNAS__BLK;
                    const int pos = (h - a) * k + (w - b);
#pragma omp simd
                    for (int l = 0; l < RFNAS__BLK; l++) {
                        const float v = p[l];
                        const int take = (v > m[l]) | (v != v); /* v != v: NaN */
                        m[l] = take ? v : m[l];
                        idx[l] = take ? pos : idx[l];
                    }
                }
            const size_t o = ((size_t)i * (size_t)ow + (size_t)j) * RFNAS__BLK;
            /* Padding lanes hold zeros, so their maximum is zero too. */
            memcpy(y + o, m, sizeof m);
            if (argmax)
                for (int l = 0; l < RFNAS__BLK; l++)
                    argmax[o + (size_t)l] = (uint8_t)idx[l];
        }
    }
}

rfnas_status rfnas__pool_max_fwd(float *y, uint8_t *argmax, const float *x,
                                 rfnas__blocked_shape xs, int k, int stride, int pad)
{
    RFNAS__TRY(rfnas__pool_check(xs, k, stride, pad));
    const int oh = rfnas__pool_out_size(xs.h, k, stride, pad);
    const int ow = rfnas__pool_out_size(xs.w, k, stride, pad);
    const int slabs = xs.n * rfnas__blocked_cb(xs.c);
    const int H = xs.h, W = xs.w;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(xs) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        const size_t ybase = (size_t)nb * (size_t)oh * (size_t)ow * RFNAS__BLK;
        max_fwd_slab(y + ybase, argmax ? argmax + ybase : NULL,
                     x + (size_t)nb * (size_t)H * (size_t)W * RFNAS__BLK, H, W, oh, ow, k, stride,
                     pad);
    }
    return RFNAS_OK;
}

rfnas_status rfnas__pool_max_bwd(float *dx, const float *dy, const uint8_t *argmax,
                                 rfnas__blocked_shape xs, int k, int stride, int pad, int accum)
{
    RFNAS__TRY(rfnas__pool_check(xs, k, stride, pad));
    const int oh = rfnas__pool_out_size(xs.h, k, stride, pad);
    const int ow = rfnas__pool_out_size(xs.w, k, stride, pad);
    const int slabs = xs.n * rfnas__blocked_cb(xs.c);
    const int W = xs.w;
    const size_t slab_in = (size_t)xs.h * (size_t)W * RFNAS__BLK;
    /* Overlapping windows scatter into the same pixel: one thread per slab. */
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(xs) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        float *xp = dx + (size_t)nb * slab_in;
        const size_t ybase = (size_t)nb * (size_t)oh * (size_t)ow * RFNAS__BLK;
        if (!accum)
            memset(xp, 0, slab_in * sizeof(float));
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
                const size_t o = ybase + ((size_t)i * (size_t)ow + (size_t)j) * RFNAS__BLK;
                const int a = i * stride - pad, b = j * stride - pad;
                for (int l = 0; l < RFNAS__BLK; l++) {
                    const int pos = argmax[o + (size_t)l];
                    const int h = a + pos / k, w = b + pos % k;
                    xp[((size_t)h * (size_t)W + (size_t)w) * RFNAS__BLK + (size_t)l] +=
                        dy[o + (size_t)l];
                }
            }
    }
    return RFNAS_OK;
}
