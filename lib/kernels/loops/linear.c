/* Linear layer forward, backward-data and backward-weights. */
#include "kernels/loops/linear.h"

#include <stddef.h>

#include "kernels/loops/blocked.h"

void rfnas__linear_fwd(float *y, const float *x, const float *weight, const float *bias, int n,
                       int k, int m)
{
    const int outs = n * m;
#pragma omp parallel for schedule(static) if ((size_t)outs * (size_t)k >= RFNAS__PAR_MIN)
    for (int o = 0; o < outs; o++) {
        const int i = o / m, j = o % m;
        const float *xr = x + (size_t)i * (size_t)k, *wr = weight + (size_t)j * (size_t)k;
        double s = bias ? (double)bias[j] : 0.0;
        for (int t = 0; t < k; t++)
            s += (double)xr[t] * (double)wr[t];
        y[o] = (float)s;
    }
}

void rfnas__linear_bwd_data(float *dx, const float *dy, const float *weight, int n, int k, int m,
                            int accum)
{
    const int outs = n * k;
#pragma omp parallel for schedule(static) if ((size_t)outs * (size_t)m >= RFNAS__PAR_MIN)
    for (int o = 0; o < outs; o++) {
        const int i = o / k, t = o % k;
        double s = 0.0;
        for (int j = 0; j < m; j++)
            s += (double)dy[(size_t)i * (size_t)m + (size_t)j] *
                 (double)weight[(size_t)j * (size_t)k + (size_t)t];
        dx[o] = accum ? dx[o] + (float)s : (float)s;
    }
}

void rfnas__linear_bwd_weights(float *dweight, float *dbias, const float *dy, const float *x,
                               int n, int k, int m, int accum)
{
    if (dweight) {
        const int outs = m * k;
#pragma omp parallel for schedule(static) if ((size_t)outs * (size_t)n >= RFNAS__PAR_MIN)
        for (int o = 0; o < outs; o++) {
            const int j = o / k, t = o % k;
            double s = 0.0;
            for (int i = 0; i < n; i++)
                s += (double)dy[(size_t)i * (size_t)m + (size_t)j] *
                     (double)x[(size_t)i * (size_t)k + (size_t)t];
            dweight[o] = accum ? dweight[o] + (float)s : (float)s;
        }
    }
    if (dbias)
        for (int j = 0; j < m; j++) {
            double s = 0.0;
            for (int i = 0; i < n; i++)
                s += (double)dy[(size_t)i * (size_t)m + (size_t)j];
            dbias[j] = accum ? dbias[j] + (float)s : (float)s;
        }
}
