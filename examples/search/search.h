/* rfnas-search's state: the library objects a run needs, built from its
 * options (setup.c), and the progress counters its checkpoints carry. */
#ifndef RFNAS_SEARCH_SEARCH_H
#define RFNAS_SEARCH_SEARCH_H

#include <stdint.h>

#include "options.h"
#include "rfnas.h"

/* Progress within the run, saved in every checkpoint so that a resumed run
 * continues its epoch's sums where they stopped. */
typedef struct progress {
    int64_t epochs_done;   /* completed epochs */
    int64_t steps_total;   /* steps taken since the start of the run */
    int64_t steps;         /* steps in the current epoch */
    int64_t train_correct, train_seen;
    int64_t val_correct, val_seen, val_steps;
    double train_loss_sum, val_loss_sum;
    double seconds_epoch;  /* wall time spent in the current epoch */
    double seconds_total;  /* wall time spent in all epochs */
} progress;

typedef struct search {
    options opt;
    rfnas_ctx *ctx;
    rfnas_dataset *train_all, *searched, *w_set, *a_set, *test_all, *test_set;
    rfnas_iter *w_it, *a_it;
    rfnas_space *space;
    rfnas_supernet *net;
    rfnas_optimizer *w_opt, *a_opt;
    int64_t in_c, in_h, in_w, classes;
    int64_t cell_types, edges, ops;
    int64_t steps_per_epoch;
    double mean[4], std[4]; /* the normalisation of every iterator */
    float *xt, *xv;         /* batch buffers */
    int32_t *yt, *yv;
    size_t x_cap;
    progress p;
    float *alpha_history;   /* epochs_done x cell_types x edges x ops, softmaxed */
} search;

/* Builds every object from s->opt; on failure prints why to stderr and returns -1. */
int search_open(search *s);
void search_close(search *s);

/* Softmaxed alphas, cell type major, into @p buf (cell_types * edges * ops floats). */
int search_alphas(const search *s, float *buf);

#endif
