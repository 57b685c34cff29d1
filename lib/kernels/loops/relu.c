/* ReLU forward and backward. */
#include "kernels/loops/relu.h"

#include "kernels/loops/blocked.h"

void rfnas__relu_fwd(float *y, const float *x, size_t len)
{
    /* "x < 0 ? 0 : x" rather than fmaxf: PyTorch's relu keeps NaN. */
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (size_t i = 0; i < len; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void rfnas__relu_bwd(float *dx, const float *dy, const float *ref, size_t len, int accum)
{
    if (accum) {
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
        for (size_t i = 0; i < len; i++)
            dx[i] += ref[i] > 0.0f ? dy[i] : 0.0f;
    } else {
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
        for (size_t i = 0; i < len; i++)
            dx[i] = ref[i] > 0.0f ? dy[i] : 0.0f;
    }
}
