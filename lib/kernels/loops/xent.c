/* Softmax cross-entropy: loss, gradient and correct count in one pass. */
#include "kernels/loops/xent.h"

#include <math.h>
#include <stddef.h>

#include "error.h"

rfnas_status rfnas__xent_fwd_bwd(double *loss, float *dlogits, int *correct, const float *logits,
                                 const int32_t *target, int n, int m, double scale)
{
    if (n < 1 || m < 1)
        return rfnas__error(RFNAS_E_INVALID, "cross-entropy: empty batch %dx%d", n, m);
    for (int i = 0; i < n; i++)
        if (target[i] < 0 || target[i] >= m)
            return rfnas__error(RFNAS_E_INVALID, "cross-entropy: target %d of row %d not in [0, %d)",
                                (int)target[i], i, m);
    /* Serial: N x M is at most a few thousand numbers, and a serial sum is
     * trivially the same for every thread count. */
    double total = 0.0;
    int hits = 0;
    for (int i = 0; i < n; i++) {
        const float *z = logits + (size_t)i * (size_t)m;
        int best = 0;
        for (int j = 1; j < m; j++)
            if (z[j] > z[best])
                best = j;
        hits += best == target[i];
        const double zmax = z[best];
        double se = 0.0;
        for (int j = 0; j < m; j++)
            se += exp((double)z[j] - zmax);
        const double lse = zmax + log(se);
        total += lse - (double)z[target[i]];
        if (dlogits) {
            float *d = dlogits + (size_t)i * (size_t)m;
            const double f = scale / (double)n;
            const int t = target[i];
            for (int j = 0; j < m; j++) {
                const double p = exp((double)z[j] - lse);
                d[j] = (float)(f * (p - (j == t ? 1.0 : 0.0)));
            }
        }
    }
    *loss = total / (double)n;
    if (correct)
        *correct = hits;
    return RFNAS_OK;
}
