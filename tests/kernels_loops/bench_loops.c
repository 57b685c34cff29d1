/* Timings of the memory-bound loops at the NB201 stage-1 shape (N=64, C=16,
 * 32x32), printed as JSON; built by meson, never run by the tests. Compare
 * with oneDNN 2.6's 3x3 average pooling in reference/onednn-notes.md 3.3. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <omp.h>

#include "kernels/loops/pool.h"
#include "kernels/loops/relu.h"
#include "kernels/loops/sum.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define TIME(name, expr)                                                                           \
    do {                                                                                           \
        double best = 1e9;                                                                         \
        for (int rep = 0; rep < 20; rep++) {                                                       \
            double t0 = now();                                                                     \
            expr;                                                                                  \
            double t = now() - t0;                                                                 \
            best = t < best ? t : best;                                                            \
        }                                                                                          \
        printf("%s\"%s\": %.1f", first ? "" : ", ", name, best * 1e6);                             \
        first = 0;                                                                                 \
    } while (0)

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    omp_set_num_threads(threads);
    rfnas__blocked_shape s = rfnas__blocked_make(64, 16, 32, 32);
    size_t n = rfnas__blocked_count(s);
    float *x = calloc(n, 4), *y = calloc(n, 4), *z[5], *dx[5], w[5] = {.1f, .2f, .3f, .2f, .2f};
    uint8_t *am = calloc(n, 1);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(i % 97) - 48.0f;
    for (int j = 0; j < 5; j++) {
        z[j] = calloc(n, 4);
        dx[j] = calloc(n, 4);
        for (size_t i = 0; i < n; i++)
            z[j][i] = (float)((i + (size_t)j) % 13);
    }
    double g[5];
    int first = 1;
    printf("{\"shape\": \"64x16x32x32\", \"threads\": %d, \"best_of_20_us\": {", threads);
    TIME("avgpool3_s1_fwd", rfnas__pool_avg_fwd(y, x, s, 3, 1, 1));
    TIME("avgpool3_s1_bwd", rfnas__pool_avg_bwd(y, x, s, 3, 1, 1, 0));
    TIME("maxpool3_s1_fwd", rfnas__pool_max_fwd(y, am, x, s, 3, 1, 1));
    TIME("maxpool3_s1_bwd", rfnas__pool_max_bwd(y, x, am, s, 3, 1, 1, 0));
    TIME("relu_fwd", rfnas__relu_fwd(y, x, n));
    TIME("relu_bwd", rfnas__relu_bwd(y, x, z[0], n, 0));
    TIME("wsum5_fwd", rfnas__sum_weighted(y, (const float *const *)z, w, 5, n, 0));
    TIME("wsum5_bwd_with_dots", rfnas__sum_weighted_bwd(dx, g, x, (const float *const *)z, w, 5, n, 0));
    printf("}}\n");
    return 0;
}
