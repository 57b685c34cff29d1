/* Channel moves on nChw16c tensors: slice, concat, the PC-DARTS channel
 * shuffle (SPEC 3.3), and their adjoints. All tensors share N, H and W.
 *
 * Channel c sits in lane c%16 of block c/16, so a slice of 4 or 8 channels
 * (PC-DARTS with C/K = 4 or 8) starts and ends inside a block: every output
 * lane is fetched from its own (block, lane) of the source, and the padding
 * lanes of a partial output block are written as zero. Outputs never overlap
 * inputs. */
#ifndef RFNAS_KERNELS_LOOPS_CHAN_H
#define RFNAS_KERNELS_LOOPS_CHAN_H

#include "rfnas.h"

#include "kernels/loops/blocked.h"

/* y (N, k, H, W) = x[:, c0:c0+k] (or += when @p accum), x of shape @p xs. */
rfnas_status rfnas__chan_slice(float *y, const float *x, rfnas__blocked_shape xs, int c0, int k,
                               int accum);
/* Adjoint: dx (shape @p xs) = dy in channels [c0, c0+k), zero elsewhere;
 * with @p accum, dx[:, c0:c0+k] += dy and the rest is left alone. */
rfnas_status rfnas__chan_slice_bwd(float *dx, const float *dy, rfnas__blocked_shape xs, int c0,
                                   int k, int accum);

/* y = concat(x[0], ..., x[count-1]) along channels, x[i] having c[i] channels
 * and the shape of @p ys otherwise (or += when @p accum). */
rfnas_status rfnas__chan_concat(float *y, const float *const *x, const int *c, int count,
                                rfnas__blocked_shape ys, int accum);
/* Adjoint: dx[i] = dy's channels of input i (or += when @p accum); NULL dx[i] skips. */
rfnas_status rfnas__chan_concat_bwd(float *const *dx, const int *c, int count, const float *dy,
                                    rfnas__blocked_shape ys, int accum);

/* y[:, o] = x[:, (o mod G)*g + o/G], g = C/G (or += when @p accum);
 * RFNAS_E_INVALID unless G >= 1 divides C. */
rfnas_status rfnas__chan_shuffle(float *y, const float *x, rfnas__blocked_shape s, int groups,
                                 int accum);
/* Adjoint (the inverse permutation, which is the shuffle with C/G groups). */
rfnas_status rfnas__chan_shuffle_bwd(float *dx, const float *dy, rfnas__blocked_shape s,
                                     int groups, int accum);

#endif
