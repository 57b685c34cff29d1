/* The mixed node's fused weighted sum: identity and 3x3 average pooling terms,
 * forward and backward with the weight gradients, one pass per slab. */
#include "kernels/loops/mixed.h"

#include <string.h>

#include "kernels/loops/isa.h"

/* Chunks of slabs for the dot products: a count fixed by the shape (never by
 * the thread count), so the reduction order is fixed (DESIGN 3). */
#define MAX_CHUNKS 64

typedef float line[RFNAS__BLK];

/* Slab nb (sample nb / cb, block nb % cb) of an input whose samples are cbs
 * blocks apart (cbs == cb for a dense tensor). */
static inline size_t slab_at(int nb, int cb, int cbs, size_t slab)
{
    return ((size_t)(nb / cb) * (size_t)cbs + (size_t)(nb % cb)) * slab;
}

/* The terms reading each input, in term order. */
typedef struct by_input {
    int count[RFNAS__MIXED_MAX];
    int term[RFNAS__MIXED_MAX][RFNAS__MIXED_MAX];
    int any_avg;
} by_input;

/* Row i of the pooled slab xp (H x W lines): column sums of its two or three
 * rows into v[1..W] (v[0] and v[W+1] zero), then three neighbours over the
 * count. The same operations, in the same order, as pool_avg.c's box filter. */
static inline void avg3_row(float *out, line *v, const float *xp, int i, int H, int W)
{
    const int h0 = i > 0 ? i - 1 : 0, h1 = i + 1 < H ? i + 1 : H - 1;
    const float rows = (float)(h1 - h0 + 1);
    memset(v[0], 0, sizeof v[0]);
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
    for (int j = 0; j < W; j++) {
        const float cnt = rows * (float)((j > 0) + 1 + (j + 1 < W));
        for (int l = 0; l < RFNAS__BLK; l++)
            out[(size_t)j * RFNAS__BLK + (size_t)l] = (v[j][l] + v[j + 1][l] + v[j + 2][l]) / cnt;
    }
}

RFNAS__ISA_CLONES
static void fwd_slab(float *y, const float *const *x, const int *cbs, int cb,
                     const rfnas__mixed_term *terms, int n, int H, int W, int nb)
{
    const size_t slab = (size_t)H * (size_t)W * RFNAS__BLK, row = (size_t)W * RFNAS__BLK;
    /* Flat rows (W lines each): the loops below run over whole rows. */
    float t[RFNAS__MIXED_MAX_W * RFNAS__BLK], pooled[RFNAS__MIXED_MAX_W * RFNAS__BLK];
    line v[RFNAS__MIXED_MAX_W + 2];
    for (int i = 0; i < H; i++) {
        int first = 1;
        for (int k = 0; k < n; k++) {
            const float a = terms[k].w;
            const float *xp = x[terms[k].src] + slab_at(nb, cb, cbs[terms[k].src], slab);
            const float *r = xp + (size_t)i * row;
            if (terms[k].kind == RFNAS__MIXED_AVG3) {
                avg3_row(pooled, v, xp, i, H, W);
                r = pooled;
            }
            /* First term assigns, the rest add: rfnas__sum_weighted's order. */
            if (first)
                for (size_t e = 0; e < row; e++)
                    t[e] = a * r[e];
            else
                for (size_t e = 0; e < row; e++)
                    t[e] += a * r[e];
            first = 0;
        }
        if (first)
            memset(t, 0, row * sizeof(float));
        memcpy(y + (size_t)nb * slab + (size_t)i * row, t, row * sizeof(float));
    }
}

/* Every input's blocks per sample: @p x_cbs, or dense. */
static void strides(int *out, const int *x_cbs, int n_x, int cb)
{
    for (int i = 0; i < n_x; i++)
        out[i] = x_cbs ? x_cbs[i] : cb;
}

void rfnas__mixed_fwd_strided(float *y, const float *const *x, const int *x_cbs,
                              const rfnas__mixed_term *terms, int n, rfnas__blocked_shape s)
{
    const int cb = rfnas__blocked_cb(s.c), slabs = s.n * cb;
    int cbs[RFNAS__MIXED_MAX];
    int n_x = 0;
    for (int k = 0; k < n; k++)
        n_x = terms[k].src + 1 > n_x ? terms[k].src + 1 : n_x;
    strides(cbs, x_cbs, n_x, cb);
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(s) >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++)
        fwd_slab(y, x, cbs, cb, terms, n, s.h, s.w, nb);
}

void rfnas__mixed_fwd(float *y, const float *const *x, const rfnas__mixed_term *terms, int n,
                      rfnas__blocked_shape s)
{
    rfnas__mixed_fwd_strided(y, x, NULL, terms, n, s);
}

/* Slabs [lo, hi) of the backward; part[k] receives the chunk's <op_k^T(dy), x>.
 * The pooling adjoint: dy scaled by 1/count per output pixel, once per row,
 * into a ring of three rows; row h of the adjoint is then the 3x3 box sum of
 * the ring (the box is symmetric). */
RFNAS__ISA_CLONES
static void bwd_slabs(float *const *dx, uint64_t accum, double *part, const float *dy,
                      const float *const *x, const int *cbs, int cb, int n_x,
                      const rfnas__mixed_term *terms, int n, const by_input *bi, int H, int W,
                      int lo, int hi)
{
    const size_t slab = (size_t)H * (size_t)W * RFNAS__BLK, row = (size_t)W * RFNAS__BLK;
    line ring[3][RFNAS__MIXED_MAX_W], v[RFNAS__MIXED_MAX_W + 2];
    float adj[RFNAS__MIXED_MAX_W * RFNAS__BLK]; /* row h of the pooling adjoint of dy */
    double acc[RFNAS__MIXED_MAX][RFNAS__BLK];
    if (part)
        memset(acc, 0, (size_t)n * sizeof acc[0]);
    for (int nb = lo; nb < hi; nb++) {
        const float *gp = dy + (size_t)nb * slab;
        for (int h = bi->any_avg ? -1 : 0; h < H; h++) {
            if (bi->any_avg) {
                const int r = h + 1;
                if (r < H) {
                    const float rows = (float)((r > 0) + 1 + (r + 1 < H));
                    const float *p = gp + (size_t)r * row;
                    for (int j = 0; j < W; j++) {
                        const float cnt = rows * (float)((j > 0) + 1 + (j + 1 < W));
                        for (int l = 0; l < RFNAS__BLK; l++)
                            ring[r % 3][j][l] = p[(size_t)j * RFNAS__BLK + (size_t)l] / cnt;
                    }
                }
                if (h < 0)
                    continue;
                const int i0 = h > 0 ? h - 1 : 0, i1 = h + 1 < H ? h + 1 : H - 1;
                memset(v[0], 0, sizeof v[0]);
                memset(v[W + 1], 0, sizeof v[0]);
                for (int j = 0; j < W; j++) {
                    float t[RFNAS__BLK];
                    memcpy(t, ring[i0 % 3][j], sizeof t);
                    for (int i = i0 + 1; i <= i1; i++)
                        for (int l = 0; l < RFNAS__BLK; l++)
                            t[l] += ring[i % 3][j][l];
                    memcpy(v[j + 1], t, sizeof t);
                }
                for (int j = 0; j < W; j++)
                    for (int l = 0; l < RFNAS__BLK; l++)
                        adj[(size_t)j * RFNAS__BLK + (size_t)l] = v[j][l] + v[j + 1][l] + v[j + 2][l];
            }
            const float *d = gp + (size_t)h * row;
            /* Input gradients: the old value (when accumulating), then the
             * terms in order. */
            for (int i = 0; i < n_x; i++) {
                if (!dx[i] || bi->count[i] == 0) {
                    if (dx[i] && !(accum >> i & 1u))
                        memset(dx[i] + slab_at(nb, cb, cbs[i], slab) + (size_t)h * row, 0,
                               row * sizeof(float));
                    continue;
                }
                float *o = dx[i] + slab_at(nb, cb, cbs[i], slab) + (size_t)h * row;
                const int add = (int)(accum >> i & 1u);
                for (int c = 0; c < bi->count[i]; c++) {
                    const rfnas__mixed_term *tm = &terms[bi->term[i][c]];
                    const float a = tm->w;
                    const float *q = tm->kind == RFNAS__MIXED_AVG3 ? adj : d;
                    if (c == 0 && !add)
                        for (size_t e = 0; e < row; e++)
                            o[e] = a * q[e];
                    else
                        for (size_t e = 0; e < row; e++)
                            o[e] += a * q[e];
                }
            }
            if (!part)
                continue;
            for (int k = 0; k < n; k++) {
                const float *q = terms[k].kind == RFNAS__MIXED_AVG3 ? adj : d;
                const float *xr =
                    x[terms[k].src] + slab_at(nb, cb, cbs[terms[k].src], slab) + (size_t)h * row;
                for (int j = 0; j < W; j++)
                    for (int l = 0; l < RFNAS__BLK; l++)
                        acc[k][l] += (double)q[(size_t)j * RFNAS__BLK + (size_t)l] *
                                     (double)xr[(size_t)j * RFNAS__BLK + (size_t)l];
            }
        }
    }
    if (!part)
        return;
    for (int k = 0; k < n; k++) {
        double s = 0.0;
        for (int l = 0; l < RFNAS__BLK; l++)
            s += acc[k][l];
        part[k] = s;
    }
}

void rfnas__mixed_bwd(float *const *dx, uint64_t accum, double *g, const float *dy,
                      const float *const *x, int n_x, const rfnas__mixed_term *terms, int n,
                      rfnas__blocked_shape s)
{
    rfnas__mixed_bwd_strided(dx, accum, g, dy, x, NULL, n_x, terms, n, s);
}

void rfnas__mixed_bwd_strided(float *const *dx, uint64_t accum, double *g, const float *dy,
                              const float *const *x, const int *x_cbs, int n_x,
                              const rfnas__mixed_term *terms, int n, rfnas__blocked_shape s)
{
    by_input bi;
    memset(bi.count, 0, sizeof bi.count);
    bi.any_avg = 0;
    for (int k = 0; k < n; k++) {
        const int i = terms[k].src;
        bi.term[i][bi.count[i]++] = k;
        bi.any_avg |= terms[k].kind == RFNAS__MIXED_AVG3;
    }
    const int cb = rfnas__blocked_cb(s.c), slabs = s.n * cb;
    const int chunks = slabs < MAX_CHUNKS ? slabs : MAX_CHUNKS;
    int cbs[RFNAS__MIXED_MAX];
    strides(cbs, x_cbs, n_x, cb);
    double part[MAX_CHUNKS][RFNAS__MIXED_MAX];
#pragma omp parallel for schedule(static) if (rfnas__blocked_count(s) >= RFNAS__PAR_MIN)
    for (int ch = 0; ch < chunks; ch++)
        bwd_slabs(dx, accum, g ? part[ch] : NULL, dy, x, cbs, cb, n_x, terms, n, &bi, s.h, s.w,
                  (int)((long)slabs * ch / chunks), (int)((long)slabs * (ch + 1) / chunks));
    if (!g)
        return;
    for (int k = 0; k < n; k++) {
        double sum = 0.0;
        for (int ch = 0; ch < chunks; ch++)
            sum += part[ch][k];
        g[k] = sum;
    }
}
