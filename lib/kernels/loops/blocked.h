/* The nChw16c layout contract for fp32 training activations (DESIGN 7.9).
 *
 * A tensor of logical shape (N, C, H, W) stores Cp = ceil(C/16)*16 channels in
 * CB = Cp/16 blocks of 16; element (n, c, h, w) lives at
 *     ((((n*CB + c/16)*H + h)*W + w)*16 + c%16).
 * The padding channels c in [C, Cp) are zero in every tensor the library
 * writes, because oneDNN reads them (a convolution sums over all Cp input
 * channels) and relies on that. Every kernel in this directory keeps it so.
 *
 * Two consequences the loops use throughout:
 * - one sample is Cp*H*W contiguous floats, one (sample, block) slab H*W*16;
 * - an elementwise op over the whole buffer keeps padding zero whenever it maps
 *   zero to zero, so such ops see the tensor as a flat array.
 *
 * Threads: loops here use OpenMP with whatever thread count is current; callers
 * wrap them in rfnas__threads_enter/leave so that it is the context's. */
#ifndef RFNAS_KERNELS_LOOPS_BLOCKED_H
#define RFNAS_KERNELS_LOOPS_BLOCKED_H

#include <stddef.h>

#define RFNAS__BLK 16

/* Below this many floats a loop runs on the calling thread: an OpenMP
 * fork-join costs a few microseconds, more than the work itself. */
#define RFNAS__PAR_MIN ((size_t)32768)

/* Logical shape of a blocked tensor; channels are the real (unpadded) count. */
typedef struct rfnas__blocked_shape {
    int n, c, h, w;
} rfnas__blocked_shape;

static inline rfnas__blocked_shape rfnas__blocked_make(int n, int c, int h, int w)
{
    rfnas__blocked_shape s = {n, c, h, w};
    return s;
}

/* Number of 16-channel blocks and padded channel count for @p c channels. */
static inline int rfnas__blocked_cb(int c)
{
    return (c + RFNAS__BLK - 1) / RFNAS__BLK;
}
static inline int rfnas__blocked_cp(int c)
{
    return rfnas__blocked_cb(c) * RFNAS__BLK;
}

/* Floats in one sample, and in the whole tensor, padding included. */
static inline size_t rfnas__blocked_sample(rfnas__blocked_shape s)
{
    return (size_t)rfnas__blocked_cp(s.c) * (size_t)s.h * (size_t)s.w;
}
static inline size_t rfnas__blocked_count(rfnas__blocked_shape s)
{
    return (size_t)s.n * rfnas__blocked_sample(s);
}

/* Offset of logical element (n, c, h, w). */
static inline size_t rfnas__blocked_offset(rfnas__blocked_shape s, int n, int c, int h, int w)
{
    size_t blk = (size_t)n * (size_t)rfnas__blocked_cb(s.c) + (size_t)(c / RFNAS__BLK);
    return ((blk * (size_t)s.h + (size_t)h) * (size_t)s.w + (size_t)w) * RFNAS__BLK +
           (size_t)(c % RFNAS__BLK);
}

/* Plain NCHW -> nChw16c (padding written as zero), for the network input and tests. */
void rfnas__blocked_from_nchw(float *dst, const float *src, rfnas__blocked_shape s);

/* nChw16c -> plain NCHW (padding dropped). */
void rfnas__blocked_to_nchw(float *dst, const float *src, rfnas__blocked_shape s);

/* 1 if every padding channel of @p x is zero (either sign), else 0. */
int rfnas__blocked_pad_is_zero(const float *x, rfnas__blocked_shape s);

/* Writes zero into every padding channel of @p x. */
void rfnas__blocked_zero_pad(float *x, rfnas__blocked_shape s);

#endif
