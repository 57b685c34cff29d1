/* Loss and accuracy of a network on a test set, measured the same way by
 * both example programs: evaluation mode (running BN statistics, no
 * drop-path), the set in order and without augmentation, normalised as the
 * training images are. Messages start with PROGRAM. */
#ifndef RFNAS_EXAMPLES_EVALUATE_H
#define RFNAS_EXAMPLES_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "rfnas.h"

/* How the test images reach the network. */
typedef struct eval_batches {
    long batch;               /* images per batch */
    const double *mean, *std; /* the training normalisation, `channels` values */
    int64_t channels;
    float *x; /* room for a batch of images, x_cap floats */
    size_t x_cap;
    int32_t *y; /* room for a batch of labels */
    /* The batch in x as the network reads it, or NULL for x itself
     * (rfnas-train pads the images for --pad-to). */
    const float *(*prepare)(void *arg, int64_t n);
    void *arg;
} eval_batches;

/* Mean loss and accuracy of @p net over @p set (NaN for an empty set) and
 * the number of images seen; -1 after printing the library's message. */
int evaluate(rfnas_supernet *net, rfnas_dataset *set, const eval_batches *b, double *loss,
             double *acc, int64_t *images);

#endif
