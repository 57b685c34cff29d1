/* Slice, concat and shuffle as one lane gather: every output channel names the
 * (source, channel) it comes from, or none (zero). */
#include "kernels/loops/chan.h"

#include <string.h>

#include "error.h"

/* Most sources one gather takes (concat of a DARTS cell's node states is 4;
 * the remaining room is for custom cells). */
#define MAX_SRC 32

typedef struct gather {
    int mode;         /* what the map is: MAP_* */
    int count;        /* sources */
    const float *src[MAX_SRC];
    int src_c[MAX_SRC];
    int a, b;         /* slice: c0 and k; shuffle: G and g */
} gather;

enum { MAP_SLICE, MAP_EMBED, MAP_CONCAT, MAP_SHUFFLE };

/* The source channel of output channel @p oc, with its source in *s; -1 = zero. */
static int source_of(const gather *gt, int oc, int *s)
{
    *s = 0;
    switch (gt->mode) {
    case MAP_SLICE: /* out has k channels, from in[c0 + oc] */
        return gt->a + oc;
    case MAP_EMBED: /* out has C channels, in[oc - c0] for oc in [c0, c0 + k) */
        return oc >= gt->a && oc < gt->a + gt->b ? oc - gt->a : -1;
    case MAP_CONCAT:
        for (int i = 0; i < gt->count; i++) {
            if (oc < gt->src_c[i]) {
                *s = i;
                return oc;
            }
            oc -= gt->src_c[i];
        }
        return -1;
    default: /* MAP_SHUFFLE */
        return (oc % gt->a) * gt->b + oc / gt->a;
    }
}

/* out (N, cout, hw) from the sources. Each output block gets 16 lane pointers;
 * a lane with no source reads a single zero with stride 0, so the inner loop
 * has no branch. With @p accum, such lanes add zero and are left as they were. */
static void run(float *out, int cout, int n, size_t hw, const gather *gt, int accum)
{
    static const float zero = 0.0f;
    const int cbo = rfnas__blocked_cb(cout);
    const int slabs = n * cbo;
#pragma omp parallel for schedule(static) if ((size_t)slabs * hw * RFNAS__BLK >= RFNAS__PAR_MIN)
    for (int nb = 0; nb < slabs; nb++) {
        const int nn = nb / cbo, ob = nb % cbo;
        const float *lp[RFNAS__BLK];
        size_t ls[RFNAS__BLK];
        for (int l = 0; l < RFNAS__BLK; l++) {
            const int oc = ob * RFNAS__BLK + l;
            int s = 0, ic = oc < cout ? source_of(gt, oc, &s) : -1;
            if (ic < 0) {
                lp[l] = &zero;
                ls[l] = 0;
            } else {
                const size_t blk = (size_t)nn * (size_t)rfnas__blocked_cb(gt->src_c[s]) +
                                   (size_t)(ic / RFNAS__BLK);
                lp[l] = gt->src[s] + blk * hw * RFNAS__BLK + (size_t)(ic % RFNAS__BLK);
                ls[l] = RFNAS__BLK;
            }
        }
        float *o = out + (size_t)nb * hw * RFNAS__BLK;
        if (accum)
            for (size_t p = 0; p < hw; p++)
                for (int l = 0; l < RFNAS__BLK; l++)
                    o[p * RFNAS__BLK + (size_t)l] += lp[l][p * ls[l]];
        else
            for (size_t p = 0; p < hw; p++)
                for (int l = 0; l < RFNAS__BLK; l++)
                    o[p * RFNAS__BLK + (size_t)l] = lp[l][p * ls[l]];
    }
}

static rfnas_status check_slice(rfnas__blocked_shape xs, int c0, int k)
{
    if (c0 < 0 || k < 1 || c0 > xs.c - k)
        return rfnas__error(RFNAS_E_INVALID, "channel slice [%d, %d+%d) of %d channels", c0, c0,
                            k, xs.c);
    return RFNAS_OK;
}

rfnas_status rfnas__chan_slice(float *y, const float *x, rfnas__blocked_shape xs, int c0, int k,
                               int accum)
{
    RFNAS__TRY(check_slice(xs, c0, k));
    gather gt = {.mode = MAP_SLICE, .count = 1, .src = {x}, .src_c = {xs.c}, .a = c0, .b = k};
    run(y, k, xs.n, (size_t)xs.h * (size_t)xs.w, &gt, accum);
    return RFNAS_OK;
}

rfnas_status rfnas__chan_slice_bwd(float *dx, const float *dy, rfnas__blocked_shape xs, int c0,
                                   int k, int accum)
{
    RFNAS__TRY(check_slice(xs, c0, k));
    gather gt = {.mode = MAP_EMBED, .count = 1, .src = {dy}, .src_c = {k}, .a = c0, .b = k};
    run(dx, xs.c, xs.n, (size_t)xs.h * (size_t)xs.w, &gt, accum);
    return RFNAS_OK;
}

static rfnas_status check_concat(const int *c, int count, rfnas__blocked_shape ys)
{
    if (count < 1 || count > MAX_SRC)
        return rfnas__error(RFNAS_E_INVALID, "concat of %d tensors (1..%d)", count, MAX_SRC);
    long total = 0;
    for (int i = 0; i < count; i++) {
        if (c[i] < 1)
            return rfnas__error(RFNAS_E_INVALID, "concat: input %d has %d channels", i, c[i]);
        total += c[i];
    }
    if (total != ys.c)
        return rfnas__error(RFNAS_E_MISMATCH, "concat: inputs have %ld channels, output %d",
                            total, ys.c);
    return RFNAS_OK;
}

rfnas_status rfnas__chan_concat(float *y, const float *const *x, const int *c, int count,
                                rfnas__blocked_shape ys, int accum)
{
    RFNAS__TRY(check_concat(c, count, ys));
    gather gt = {.mode = MAP_CONCAT, .count = count};
    for (int i = 0; i < count; i++) {
        gt.src[i] = x[i];
        gt.src_c[i] = c[i];
    }
    run(y, ys.c, ys.n, (size_t)ys.h * (size_t)ys.w, &gt, accum);
    return RFNAS_OK;
}

rfnas_status rfnas__chan_concat_bwd(float *const *dx, const int *c, int count, const float *dy,
                                    rfnas__blocked_shape ys, int accum)
{
    RFNAS__TRY(check_concat(c, count, ys));
    const size_t hw = (size_t)ys.h * (size_t)ys.w;
    int c0 = 0;
    for (int i = 0; i < count; i++) {
        if (dx[i]) {
            gather gt = {.mode = MAP_SLICE, .count = 1, .src = {dy}, .src_c = {ys.c}, .a = c0,
                         .b = c[i]};
            run(dx[i], c[i], ys.n, hw, &gt, accum);
        }
        c0 += c[i];
    }
    return RFNAS_OK;
}

static rfnas_status shuffle(float *y, const float *x, rfnas__blocked_shape s, int groups,
                            int accum)
{
    gather gt = {.mode = MAP_SHUFFLE, .count = 1, .src = {x}, .src_c = {s.c}, .a = groups,
                 .b = s.c / groups};
    run(y, s.c, s.n, (size_t)s.h * (size_t)s.w, &gt, accum);
    return RFNAS_OK;
}

static rfnas_status check_groups(rfnas__blocked_shape s, int groups)
{
    if (groups < 1 || s.c % groups != 0)
        return rfnas__error(RFNAS_E_INVALID, "channel shuffle: %d groups do not divide %d channels",
                            groups, s.c);
    return RFNAS_OK;
}

rfnas_status rfnas__chan_shuffle(float *y, const float *x, rfnas__blocked_shape s, int groups,
                                 int accum)
{
    RFNAS__TRY(check_groups(s, groups));
    return shuffle(y, x, s, groups, accum);
}

/* The shuffle is a G x g transpose; its inverse is the g x G transpose. */
rfnas_status rfnas__chan_shuffle_bwd(float *dx, const float *dy, rfnas__blocked_shape s,
                                     int groups, int accum)
{
    RFNAS__TRY(check_groups(s, groups));
    return shuffle(dx, dy, s, s.c / groups, accum);
}
