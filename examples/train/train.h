/* rfnas-train's state: the library objects a run needs, built from its
 * options (setup.c), and the progress counters its checkpoints carry. */
#ifndef RFNAS_TRAIN_TRAIN_H
#define RFNAS_TRAIN_TRAIN_H

#include <stdint.h>

#include "options.h"
#include "rfnas.h"

/* Progress within the run, saved in every checkpoint so that a resumed run
 * continues its epoch's sums where they stopped. */
typedef struct train_progress {
    int64_t epochs_done; /* completed epochs */
    int64_t steps_total; /* steps taken since the start of the run */
    int64_t steps;       /* steps in the current epoch */
    int64_t train_correct, train_seen;
    double train_loss_sum;
    double seconds_epoch; /* wall time spent in the current epoch */
    double seconds_total; /* wall time spent in all epochs */
} train_progress;

typedef struct trainer {
    train_options opt;
    char genotype[TOPT_TEXT]; /* the genotype trained, as rfnas_genotype_format() writes it */
    int darts;                /* 1 for a DARTS genotype, 0 for NB201 */
    rfnas_ctx *ctx;
    rfnas_dataset *train_all, *train_set, *test_all, *test_set;
    rfnas_iter *it;
    rfnas_supernet *net;
    rfnas_optimizer *sgd;
    int64_t in_c, in_h, in_w; /* as stored */
    int64_t net_h, net_w;     /* as the network sees them (after --pad-to) */
    int64_t classes;
    int64_t steps_per_epoch;
    double mean[4], std[4]; /* the normalisation of both iterators */
    float *x, *x_net;       /* batch buffers: as the iterator writes, as the network reads */
    int32_t *y;
    size_t x_cap, x_net_cap;
    train_progress p;
} trainer;

/* The genotype of the run, from --genotype or from the finished search in
 * --from-search (genotype.c): normalised text into t->genotype, the topology
 * into t->darts. On failure prints why to stderr and returns -1. */
int trainer_resolve_genotype(trainer *t);
/* Parses @p text (named @p what in messages) into t->genotype and t->darts. */
int trainer_set_genotype(trainer *t, const char *text, const char *what);

/* Builds every object from t->opt and t->genotype; on failure prints why to
 * stderr and returns -1. */
int trainer_open(trainer *t);
void trainer_close(trainer *t);

/* The images of the last rfnas_iter_next() (n of them, in t->x) as the
 * network reads them: t->x itself, or a padded copy in t->x_net (pad.c). */
const float *trainer_batch(trainer *t, int64_t n);

#endif
