/* Per-sample drop-path mask and its application. */
#include "kernels/loops/droppath.h"

#include "error.h"
#include "kernels/loops/blocked.h"
#include "rng.h"

rfnas_status rfnas__droppath_mask(uint8_t *keep, int n, float p, uint64_t seed, uint32_t stream,
                                  uint64_t counter)
{
    if (!(p >= 0.0f && p < 1.0f))
        return rfnas__error(RFNAS_E_INVALID, "drop-path: probability %g not in [0, 1)", (double)p);
    const rfnas__rng_key key = rfnas__rng_make_key(seed, RFNAS__RNG_DROPPATH, stream);
    const float kp = 1.0f - p;
    for (int i = 0; i < n; i += 4) {
        uint32_t w[4];
        rfnas__rng_block(key, (uint32_t)(i / 4), 0, (uint32_t)counter, (uint32_t)(counter >> 32),
                         w);
        for (int j = 0; j < 4 && i + j < n; j++)
            keep[i + j] = rfnas__rng_unit(w[j]) < kp;
    }
    return RFNAS_OK;
}

/* Divide rather than multiply by 1/keep: PyTorch's drop_path does x.div_(keep). */
void rfnas__droppath_fwd(float *y, const float *x, const uint8_t *keep, int n, size_t per_sample,
                         float p)
{
    const float kp = 1.0f - p;
    const size_t len = (size_t)n * per_sample;
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (int i = 0; i < n; i++) {
        float *yo = y + (size_t)i * per_sample;
        const float *xi = x + (size_t)i * per_sample;
        if (keep[i])
            for (size_t j = 0; j < per_sample; j++)
                yo[j] = xi[j] / kp;
        else
            for (size_t j = 0; j < per_sample; j++)
                yo[j] = 0.0f;
    }
}

void rfnas__droppath_bwd(float *dx, const float *dy, const uint8_t *keep, int n,
                         size_t per_sample, float p, int accum)
{
    const float kp = 1.0f - p;
    const size_t len = (size_t)n * per_sample;
#pragma omp parallel for schedule(static) if (len >= RFNAS__PAR_MIN)
    for (int i = 0; i < n; i++) {
        float *d = dx + (size_t)i * per_sample;
        const float *g = dy + (size_t)i * per_sample;
        if (accum) {
            if (keep[i])
                for (size_t j = 0; j < per_sample; j++)
                    d[j] += g[j] / kp;
        } else if (keep[i]) {
            for (size_t j = 0; j < per_sample; j++)
                d[j] = g[j] / kp;
        } else {
            for (size_t j = 0; j < per_sample; j++)
                d[j] = 0.0f;
        }
    }
}
