#include <math.h>

#include "optim.h"

enum { NORM_CHUNK = 4096 };

double rfnas__grad_norm(const float *grad, size_t n)
{
    /* Chunk partial sums are independent of the thread count; combining them in
     * chunk order keeps the result bit-identical for any number of threads. */
    const size_t chunks = (n + NORM_CHUNK - 1) / NORM_CHUNK;
    double total = 0.0;
    for (size_t c = 0; c < chunks; c++) {
        const size_t end = (c + 1) * NORM_CHUNK < n ? (c + 1) * NORM_CHUNK : n;
        double part = 0.0;
        for (size_t i = c * NORM_CHUNK; i < end; i++)
            part += (double)grad[i] * grad[i];
        total += part;
    }
    return sqrt(total);
}

double rfnas__clip_grad_norm(float *grad, size_t n, double max_norm)
{
    const double norm = rfnas__grad_norm(grad, n);
    const double coef = max_norm / (norm + 1e-6);
    if (coef < 1.0) {
        const float c = (float)coef;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            grad[i] *= c;
    }
    return norm;
}

double rfnas__cosine_lr(double lr0, double eta_min, int64_t epoch, int64_t epochs)
{
    const double pi = 3.14159265358979323846;
    return eta_min + (lr0 - eta_min) * (1.0 + cos(pi * (double)epoch / (double)epochs)) / 2.0;
}
