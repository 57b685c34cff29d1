/* Optimizer arithmetic over flat parameter arrays (SPEC 2.7, PyTorch semantics).
 * These are the loops behind the public rfnas_optimizer: a parameter group is
 * one contiguous array of values and one of gradients, so a step is one pass. */
#ifndef RFNAS_OPTIM_OPTIM_H
#define RFNAS_OPTIM_OPTIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct rfnas__sgd {
    float lr, momentum, weight_decay;
    int nesterov;
} rfnas__sgd;

/* One SGD step as torch.optim.SGD (dampening 0): g += wd * w; v = g on the first
 * step, else v = mu * v + g; g = nesterov ? g + mu * v : v; w -= lr * g.
 * @p velocity (n floats) is used only when momentum != 0; *step counts steps taken. */
void rfnas__sgd_step(const rfnas__sgd *opt, float *w, const float *grad, float *velocity,
                     size_t n, int64_t *step);

typedef struct rfnas__adam {
    float lr, beta1, beta2, eps, weight_decay;
} rfnas__adam;

/* One Adam step as torch.optim.Adam (L2 weight decay added to the gradient, not
 * decoupled): t += 1; g += wd * w; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). */
void rfnas__adam_step(const rfnas__adam *opt, float *w, const float *grad, float *m, float *v,
                      size_t n, int64_t *step);

/* Global L2 norm of @p grad in double, summed in fixed-size chunks in a fixed
 * order, so the result does not depend on the thread count. */
double rfnas__grad_norm(const float *grad, size_t n);

/* Clips by global norm as torch.nn.utils.clip_grad_norm_: c = max_norm / (norm + 1e-6);
 * when c < 1 every gradient is multiplied by c. Returns the norm before clipping. */
double rfnas__clip_grad_norm(float *grad, size_t n, double max_norm);

/* Cosine annealing per epoch (SPEC 2.7): eta_min + (lr0 - eta_min)(1 + cos(pi e / T)) / 2. */
double rfnas__cosine_lr(double lr0, double eta_min, int64_t epoch, int64_t epochs);

#endif
