/* One convolution case run end to end against the double reference, shared by
 * the conv tests, the production-shape test and the control test. */
#ifndef CONVCASE_H
#define CONVCASE_H

#include "kernels/conv.h"
#include "kref.h"

/* Everything one run produced, in plain double NCHW / [OC][IC/G][KH][KW]. */
typedef struct convcase {
    rfnas__conv_desc d;
    kref_conv s;
    size_t nx, ny, nw;
    double *x, *w, *dy;               /* inputs */
    double *y, *dx, *dw;              /* the library's results */
    double *y_ref, *y_mag, *dx_ref, *dx_mag, *dw_ref, *dw_mag;
    int pad_ok;                       /* outputs came back with zero padding channels */
    int accumulate_ok;                /* dW accumulated onto itself gives exactly 2 dW */
} convcase;

/* Builds the plan on @p ctx, runs forward, backward-data (unless no_bwd_data)
 * and backward-weights (if trainable) on seeded data, and the references
 * (skipped with @p no_ref, for callers that only need the library's output). */
void convcase_run(convcase *cc, rfnas_ctx *ctx, const rfnas__conv_desc *d, uint64_t seed,
                  int no_ref);
void convcase_free(convcase *cc);

/* Worst ratios of the checks (<= 1 passes): elementwise vs reference, and
 * directional finite differences of <dy, conv(x, w)> in x and in w. */
double convcase_check_dx(const convcase *cc, const double *dx);
double convcase_check_dw(const convcase *cc, const double *dw);
double convcase_fd_dx(const convcase *cc, const double *dx);
double convcase_fd_dw(const convcase *cc, const double *dw);

#endif
