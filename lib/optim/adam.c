#include <math.h>

#include "optim.h"

void rfnas__adam_step(const rfnas__adam *opt, float *w, const float *grad, float *m, float *v,
                      size_t n, int64_t *step)
{
    const int64_t t = ++*step;
    const float b1 = opt->beta1, b2 = opt->beta2, wd = opt->weight_decay, eps = opt->eps;
    /* PyTorch computes the bias corrections in double and applies them as floats. */
    const double bc1 = 1.0 - pow((double)b1, (double)t);
    const double bc2 = 1.0 - pow((double)b2, (double)t);
    const float step_size = (float)(opt->lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + wd * w[i];
        m[i] = b1 * m[i] + (1.0f - b1) * g;
        v[i] = b2 * v[i] + (1.0f - b2) * g * g;
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        w[i] -= step_size * (m[i] / denom);
    }
}
