/* Gaussian noise from Philox words by Box-Muller. */
#include "kernels/loops/noise.h"

#include <math.h>

#include "rng.h"

/* Two normals from two words. u1 uses all 32 bits and lies in (0, 1], so the
 * log is finite and the tails reach 6.7 sigma; done in double, then rounded. */
static void box_muller(uint32_t a, uint32_t b, float *z0, float *z1)
{
    const double two_pi = 6.283185307179586476925286766559;
    const double u1 = ((double)a + 1.0) * (1.0 / 4294967296.0);
    const double u2 = (double)b * (1.0 / 4294967296.0);
    const double r = sqrt(-2.0 * log(u1)), t = two_pi * u2;
    *z0 = (float)(r * cos(t));
    *z1 = (float)(r * sin(t));
}

void rfnas__noise_fwd(float *y, rfnas__blocked_shape ys, uint64_t seed, uint32_t stream,
                      uint64_t counter)
{
    const rfnas__rng_key key = rfnas__rng_make_key(seed, RFNAS__RNG_NOISE, stream);
    const uint64_t total = (uint64_t)ys.n * (uint64_t)ys.c * (uint64_t)ys.h * (uint64_t)ys.w;
    const uint64_t blocks = (total + 3) / 4;
    const uint64_t hw = (uint64_t)ys.h * (uint64_t)ys.w;
    const uint32_t k0 = (uint32_t)counter, k1 = (uint32_t)(counter >> 32);
    /* Padding lanes are never visited below; clear them first. */
    rfnas__blocked_zero_pad(y, ys);
#pragma omp parallel for schedule(static) if (total >= RFNAS__PAR_MIN / 8)
    for (uint64_t b = 0; b < blocks; b++) {
        uint32_t w[4];
        rfnas__rng_block(key, (uint32_t)b, (uint32_t)(b >> 32), k0, k1, w);
        float z[4];
        box_muller(w[0], w[1], &z[0], &z[1]);
        box_muller(w[2], w[3], &z[2], &z[3]);
        for (uint64_t e = b * 4; e < b * 4 + 4 && e < total; e++) {
            const uint64_t nc = e / hw, p = e % hw;
            const int n = (int)(nc / (uint64_t)ys.c), c = (int)(nc % (uint64_t)ys.c);
            y[rfnas__blocked_offset(ys, n, c, (int)(p / (uint64_t)ys.w), (int)(p % (uint64_t)ys.w))] =
                z[e - b * 4];
        }
    }
}
