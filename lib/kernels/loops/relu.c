/* ReLU forward and backward. */
#include "kernels/loops/relu.h"

#include <string.h>

#include "kernels/loops/blocked.h"
#include "kernels/loops/isa.h"

/* Every loop here walks 16-float lines with a local line buffer: the buffer
 * keeps in-place calls (y == x) on the vector path (no overlap check to
 * fail), and one line is one AVX-512 register. The parallel loops hand
 * ranges of lines to workers that carry per-ISA clones (isa.h); the ranges
 * come from a static schedule over a count fixed by the length, so each
 * thread streams one contiguous part. Lengths of blocked tensors are
 * multiples of 16; a ragged tail is scalar. */

/* Lines per worker call: 4096 floats (16 KiB) amortise the call and keep
 * 16-line-aligned ranges; a 4 MiB tensor gives 256 of them. */
#define LINES_PER_TASK ((size_t)256)

RFNAS__ISA_CLONES
static void relu_fwd_lines(float *y, const float *x, size_t lo, size_t hi)
{
    /* "x < 0 ? 0 : x" rather than fmaxf: PyTorch's relu keeps NaN. */
    for (size_t i = lo; i < hi; i++) {
        const float *a = x + i * RFNAS__BLK;
        float t[RFNAS__BLK];
        for (int l = 0; l < RFNAS__BLK; l++)
            t[l] = a[l] < 0.0f ? 0.0f : a[l];
        memcpy(y + i * RFNAS__BLK, t, sizeof t);
    }
}

RFNAS__ISA_CLONES
static void relu_bwd_lines(float *dx, const float *dy, const float *ref, size_t lo, size_t hi,
                           int accum)
{
    for (size_t i = lo; i < hi; i++) {
        const float *g = dy + i * RFNAS__BLK, *r = ref + i * RFNAS__BLK;
        float *d = dx + i * RFNAS__BLK, t[RFNAS__BLK];
        /* Without the simd pragma gcc will not load g[l] unless r[l] > 0
         * and emits 16 scalar branches per line; with it, one masked load. */
#pragma omp simd
        for (int l = 0; l < RFNAS__BLK; l++)
            t[l] = r[l] > 0.0f ? g[l] : 0.0f;
        if (accum)
            for (int l = 0; l < RFNAS__BLK; l++)
                t[l] += d[l];
        memcpy(d, t, sizeof t);
    }
}

void rfnas__relu_fwd(float *y, const float *x, size_t len)
{
    const size_t lines = len / RFNAS__BLK;
    const long tasks = (long)((lines + LINES_PER_TASK - 1) / LINES_PER_TASK);
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (long t = 0; t < tasks; t++) {
        const size_t lo = (size_t)t * LINES_PER_TASK;
        relu_fwd_lines(y, x, lo, lo + LINES_PER_TASK < lines ? lo + LINES_PER_TASK : lines);
    }
    for (size_t i = lines * RFNAS__BLK; i < len; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void rfnas__relu_bwd(float *dx, const float *dy, const float *ref, size_t len, int accum)
{
    const size_t lines = len / RFNAS__BLK;
    const long tasks = (long)((lines + LINES_PER_TASK - 1) / LINES_PER_TASK);
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (long t = 0; t < tasks; t++) {
        const size_t lo = (size_t)t * LINES_PER_TASK;
        relu_bwd_lines(dx, dy, ref, lo, lo + LINES_PER_TASK < lines ? lo + LINES_PER_TASK : lines,
                       accum);
    }
    for (size_t i = lines * RFNAS__BLK; i < len; i++) {
        const float v = ref[i] > 0.0f ? dy[i] : 0.0f;
        dx[i] = accum ? dx[i] + v : v;
    }
}
