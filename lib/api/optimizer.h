/* The public optimizer handle (internal view), shared with checkpoints. */
#ifndef RFNAS_API_OPTIMIZER_H
#define RFNAS_API_OPTIMIZER_H

#include "api/supernet.h"

typedef enum opt_kind { OPT_SGD, OPT_ADAM } opt_kind;

struct rfnas_optimizer {
    rfnas__handle hdr;
    rfnas_supernet *net; /* holds a reference */
    rfnas__group group;
    opt_kind kind;
    double lr, momentum, weight_decay, beta1, beta2, eps, clip;
    int nesterov;
    float *state1, *state2; /* SGD: velocity; Adam: first and second moments */
    size_t n;
    int64_t steps;
};

#endif
