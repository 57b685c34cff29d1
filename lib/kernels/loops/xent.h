/* Softmax cross-entropy with mean reduction over the batch (SPEC 2.4). */
#ifndef RFNAS_KERNELS_LOOPS_XENT_H
#define RFNAS_KERNELS_LOOPS_XENT_H

#include <stdint.h>

#include "rfnas.h"

/* For logits (N, M) row-major and targets in [0, M):
 * - *loss = mean_i (logsumexp(logits_i) - logits_i[target_i]), in double with
 *   the maximum subtracted first (stable for any finite logits);
 * - dlogits (may be NULL) = scale * (softmax(logits) - onehot(target)) / N,
 *   where @p scale weighs this loss in a sum (1 for the main head, 0.4 for
 *   DARTS's auxiliary head); dlogits may equal logits;
 * - *correct (may be NULL) = rows whose argmax (lowest index on ties) is the target.
 * RFNAS_E_INVALID if n < 1, m < 1 or a target is out of range (nothing written). */
rfnas_status rfnas__xent_fwd_bwd(double *loss, float *dlogits, int *correct, const float *logits,
                                 const int32_t *target, int n, int m, double scale);

#endif
