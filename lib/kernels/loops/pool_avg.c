/* Average pooling without padding in the count, forward and backward. */
#include "kernels/loops/pool.h"

#include <string.h>

#include "error.h"

int rfnas__pool_out_size(int in, int k, int stride, int pad)
{
    if (stride < 1 || in + 2 * pad < k)
        return -1;
    return (in + 2 * pad - k) / stride + 1;
}

rfnas_status rfnas__pool_check(rfnas__blocked_shape x, int k, int stride, int pad)
{
    if (k < 1 || k > 15 || stride < 1 || pad < 0 || pad > k / 2)
        return rfnas__error(RFNAS_E_INVALID, "pool: unsupported window k=%d stride=%d pad=%d", k,
                            stride, pad);
    if (x.n < 1 || x.c < 1 || rfnas__pool_out_size(x.h, k, stride, pad) < 1 ||
        rfnas__pool_out_size(x.w, k, stride, pad) < 1)
        return rfnas__error(RFNAS_E_MISMATCH, "pool: input %dx%dx%dx%d too small for k=%d",
                            x.n, x.c, x.h, x.w, k);
    return RFNAS_OK;
}

/* Window rows [*lo, *hi) of output row o, clipped to the image. */
static void window(int o, int stride, int pad, int k, int in, int *lo, int *hi)
{
    int a = o * stride - pad, b = a + k;
    *lo = a < 0 ? 0 : a;
    *hi = b > in ? in : b;
}

rfnas_status rfnas__pool_avg_fwd(float *y, const float *x, rfnas__blocked_shape xs, int k,
                                 int stride, int pad)
{
    RFNAS__TRY(rfnas__pool_check(xs, k, stride, pad));
    const int oh = rfnas__pool_out_size(xs.h, k, stride, pad);
    const int ow = rfnas__pool_out_size(xs.w, k, stride, pad);
    const int slabs = xs.n * rfnas__blocked_cb(xs.c);
    const int W = xs.w;
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(xs) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        const float *xp = x + (size_t)nb * (size_t)xs.h * (size_t)W * RFNAS__BLK;
        float *yp = y + (size_t)nb * (size_t)oh * (size_t)ow * RFNAS__BLK;
        for (int i = 0; i < oh; i++) {
            int h0, h1;
            window(i, stride, pad, k, xs.h, &h0, &h1);
            for (int j = 0; j < ow; j++) {
                int w0, w1;
                window(j, stride, pad, k, W, &w0, &w1);
                float acc[RFNAS__BLK] = {0};
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) {
                        const float *p = xp + ((size_t)h * (size_t)W + (size_t)w) * RFNAS__BLK;
                        for (int l = 0; l < RFNAS__BLK; l++)
                            acc[l] += p[l];
                    }
                /* Divide, as PyTorch does, rather than multiply by a reciprocal. */
                const float cnt = (float)((h1 - h0) * (w1 - w0));
                float *q = yp + ((size_t)i * (size_t)ow + (size_t)j) * RFNAS__BLK;
                for (int l = 0; l < RFNAS__BLK; l++)
                    q[l] = acc[l] / cnt;
            }
        }
    }
    return RFNAS_OK;
}

rfnas_status rfnas__pool_avg_bwd(float *dx, const float *dy, rfnas__blocked_shape xs, int k,
                                 int stride, int pad, int accum)
{
    RFNAS__TRY(rfnas__pool_check(xs, k, stride, pad));
    const int oh = rfnas__pool_out_size(xs.h, k, stride, pad);
    const int ow = rfnas__pool_out_size(xs.w, k, stride, pad);
    const int slabs = xs.n * rfnas__blocked_cb(xs.c);
    const int W = xs.w;
    const size_t slab_in = (size_t)xs.h * (size_t)W * RFNAS__BLK;
    /* A scatter within one slab: windows overlap, so each slab belongs to one
     * thread and its additions happen in a fixed order. */
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(xs) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        float *xp = dx + (size_t)nb * slab_in;
        const float *yp = dy + (size_t)nb * (size_t)oh * (size_t)ow * RFNAS__BLK;
        if (!accum)
            memset(xp, 0, slab_in * sizeof(float));
        for (int i = 0; i < oh; i++) {
            int h0, h1;
            window(i, stride, pad, k, xs.h, &h0, &h1);
            for (int j = 0; j < ow; j++) {
                int w0, w1;
                window(j, stride, pad, k, W, &w0, &w1);
                const float cnt = (float)((h1 - h0) * (w1 - w0));
                const float *q = yp + ((size_t)i * (size_t)ow + (size_t)j) * RFNAS__BLK;
                float g[RFNAS__BLK];
                for (int l = 0; l < RFNAS__BLK; l++)
                    g[l] = q[l] / cnt;
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) {
                        float *p = xp + ((size_t)h * (size_t)W + (size_t)w) * RFNAS__BLK;
                        for (int l = 0; l < RFNAS__BLK; l++)
                            p[l] += g[l];
                    }
            }
        }
    }
    return RFNAS_OK;
}
