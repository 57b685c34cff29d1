#include "optim.h"

void rfnas__sgd_step(const rfnas__sgd *opt, float *w, const float *grad, float *velocity,
                     size_t n, int64_t *step)
{
    const float lr = opt->lr, mu = opt->momentum, wd = opt->weight_decay;
    const int first = *step == 0;
    if (mu == 0.0f) {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) {
            float g = grad[i] + wd * w[i];
            w[i] -= lr * g;
        }
    } else {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) {
            float g = grad[i] + wd * w[i];
            float v = first ? g : mu * velocity[i] + g;
            velocity[i] = v;
            w[i] -= lr * (opt->nesterov ? g + mu * v : v);
        }
    }
    (*step)++;
}
