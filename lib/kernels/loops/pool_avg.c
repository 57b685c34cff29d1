/* Average pooling without padding in the count, forward and backward. */
#include "kernels/loops/pool.h"

#include <string.h>

#include "error.h"
#include "kernels/loops/isa.h"

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

/* ---- 3x3, stride 1, pad 1 (the cell op): a separable box filter ----
 *
 * Per output row: the (two or three) input rows under the window are summed
 * into a row buffer, then three neighbours of that buffer are summed per
 * pixel: 2 + 2 additions per output instead of up to 8, one read of the input
 * and one write of the output. The window of pixel (i, j) covers rc(i) rows
 * and rc(j) columns (2 at an edge, else 3); the sum is divided by their
 * product, as PyTorch divides (count_include_pad=False). Row-then-column
 * summation order differs from a row-major window walk by float rounding
 * only; it is fixed, so results are deterministic. The backward is the
 * adjoint: scale dy by 1/count, then the same box sum (a 3x3 box with zero
 * outside the image is symmetric). */

/* Widest row on the fast path (its row buffers live on the stack, 80 KiB at
 * this width); wider images take the general loop. */
enum { BOX_MAX_W = 256 };

/* Slab of H x W pixels of 16 lanes: y = box3(x) / count. */
RFNAS__ISA_CLONES
static void box3_fwd_slabs(float *y, const float *x, int H, int W, int lo, int hi)
{
    const size_t slab = (size_t)H * (size_t)W * RFNAS__BLK;
    float v[BOX_MAX_W + 2][RFNAS__BLK]; /* column sums, one zero column each side */
    memset(v[0], 0, sizeof v[0]);
    for (int nb = lo; nb < hi; nb++) {
        const float *xp = x + (size_t)nb * slab;
        float *yp = y + (size_t)nb * slab;
        for (int i = 0; i < H; i++) {
            const int h0 = i > 0 ? i - 1 : 0, h1 = i + 1 < H ? i + 1 : H - 1;
            const float rows = (float)(h1 - h0 + 1);
            memset(v[W + 1], 0, sizeof v[0]);
            for (int w = 0; w < W; w++) {
                float t[RFNAS__BLK];
                const float *p = xp + ((size_t)h0 * (size_t)W + (size_t)w) * RFNAS__BLK;
                for (int l = 0; l < RFNAS__BLK; l++)
                    t[l] = p[l];
                for (int h = h0 + 1; h <= h1; h++) {
                    p += (size_t)W * RFNAS__BLK;
                    for (int l = 0; l < RFNAS__BLK; l++)
                        t[l] += p[l];
                }
                memcpy(v[w + 1], t, sizeof t);
            }
            float *q = yp + (size_t)i * (size_t)W * RFNAS__BLK;
            for (int j = 0; j < W; j++) {
                const float cnt = rows * (float)((j > 0) + 1 + (j + 1 < W));
                float t[RFNAS__BLK];
                for (int l = 0; l < RFNAS__BLK; l++)
                    t[l] = (v[j][l] + v[j + 1][l] + v[j + 2][l]) / cnt;
                memcpy(q + (size_t)j * RFNAS__BLK, t, sizeof t);
            }
        }
    }
}

/* dx = box3(dy / count) (or += when @p accum). Each output row of dy is
 * divided by its counts once, into a ring of three scaled rows, then summed
 * like the forward. */
RFNAS__ISA_CLONES
static void box3_bwd_slabs(float *dx, const float *dy, int H, int W, int lo, int hi, int accum)
{
    const size_t slab = (size_t)H * (size_t)W * RFNAS__BLK;
    float v[BOX_MAX_W + 2][RFNAS__BLK];
    float ring[3][BOX_MAX_W][RFNAS__BLK];
    memset(v[0], 0, sizeof v[0]);
    for (int nb = lo; nb < hi; nb++) {
        const float *gp = dy + (size_t)nb * slab;
        float *xp = dx + (size_t)nb * slab;
        for (int h = -1; h < H; h++) {
            /* Scale output row h + 1 into the ring; rows h - 1 and h are there. */
            const int r = h + 1;
            if (r < H) {
                const float rows = (float)((r > 0) + 1 + (r + 1 < H));
                const float *p = gp + (size_t)r * (size_t)W * RFNAS__BLK;
                for (int j = 0; j < W; j++) {
                    const float cnt = rows * (float)((j > 0) + 1 + (j + 1 < W));
                    for (int l = 0; l < RFNAS__BLK; l++)
                        ring[r % 3][j][l] = p[(size_t)j * RFNAS__BLK + (size_t)l] / cnt;
                }
            }
            if (h < 0)
                continue;
            /* Outputs i in [h-1, h+1] cover input row h. */
            const int i0 = h > 0 ? h - 1 : 0, i1 = h + 1 < H ? h + 1 : H - 1;
            memset(v[W + 1], 0, sizeof v[0]);
            for (int j = 0; j < W; j++) {
                float t[RFNAS__BLK];
                memcpy(t, ring[i0 % 3][j], sizeof t);
                for (int i = i0 + 1; i <= i1; i++)
                    for (int l = 0; l < RFNAS__BLK; l++)
                        t[l] += ring[i % 3][j][l];
                memcpy(v[j + 1], t, sizeof t);
            }
            float *q = xp + (size_t)h * (size_t)W * RFNAS__BLK;
            for (int w = 0; w < W; w++) {
                float t[RFNAS__BLK];
                for (int l = 0; l < RFNAS__BLK; l++)
                    t[l] = v[w][l] + v[w + 1][l] + v[w + 2][l];
                if (accum)
                    for (int l = 0; l < RFNAS__BLK; l++)
                        t[l] += q[(size_t)w * RFNAS__BLK + (size_t)l];
                memcpy(q + (size_t)w * RFNAS__BLK, t, sizeof t);
            }
        }
    }
}

static int is_box3(rfnas__blocked_shape xs, int k, int stride, int pad)
{
    return k == 3 && stride == 1 && pad == 1 && xs.w <= BOX_MAX_W;
}

/* Slabs per parallel task: whole slabs, so that no two threads write one. */
static void box3_run(float *out, const float *in, rfnas__blocked_shape xs, int bwd, int accum)
{
    const int slabs = xs.n * rfnas__blocked_cb(xs.c);
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(xs) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        if (bwd)
            box3_bwd_slabs(out, in, xs.h, xs.w, nb, nb + 1, accum);
        else
            box3_fwd_slabs(out, in, xs.h, xs.w, nb, nb + 1);
    }
}

rfnas_status rfnas__pool_avg_fwd(float *y, const float *x, rfnas__blocked_shape xs, int k,
                                 int stride, int pad)
{
    RFNAS__TRY(rfnas__pool_check(xs, k, stride, pad));
    if (is_box3(xs, k, stride, pad)) {
        box3_run(y, x, xs, 0, 0);
        return RFNAS_OK;
    }
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
    if (is_box3(xs, k, stride, pad)) {
        box3_run(dx, dy, xs, 1, accum);
        return RFNAS_OK;
    }
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
