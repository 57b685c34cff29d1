/* The data side the example programs (rfnas-search, rfnas-train) share: the
 * dataset their flags --dataset, --data-dir, --train-files and --test-files
 * name, opened the same way; the shape checks and first-N subsets they take
 * of it; and the settings of the augmenting training iterator with the
 * customary normalisation of a dataset they know. Messages start with
 * PROGRAM. */
#ifndef RFNAS_EXAMPLES_DATA_H
#define RFNAS_EXAMPLES_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "flags.h"
#include "rfnas.h"

/* The rows of the four dataset flags in a program's flag table, over its
 * settings struct `type` (text fields dataset, data_dir, train_files,
 * test_files): one definition for the flags dataset_open_part reads, whose
 * choices are the datasets it knows. */
/* clang-format off */
#define DATASET_FLAGS(type)                                                                        \
    {"dataset", FLAG_CHOICE, offsetof(type, dataset), "fashion-mnist", 0, 0,                       \
     "fashion-mnist|mnist|cifar10|cifar100|idx|cifar10-files|cifar100-files", 1,                  \
     "dataset (idx, *-files: give --train-files and --test-files)"},                               \
    {"data-dir", FLAG_TEXT, offsetof(type, data_dir), "", 0, 0, NULL, 1,                           \
     "dataset directory (default: /usr/share/datasets/fashion-mnist for fashion-mnist)"},          \
    {"train-files", FLAG_TEXT, offsetof(type, train_files), "", 0, 0, NULL, 1,                     \
     "idx: IMAGES,LABELS; cifar*-files: comma-separated batch files"},                             \
    {"test-files", FLAG_TEXT, offsetof(type, test_files), "", 0, 0, NULL, 1,                       \
     "as --train-files, for the test set"}
/* clang-format on */

/* Where a program's data comes from: its flag values, and the two points on
 * which the programs differ. */
typedef struct dataset_source {
    const char *dataset;     /* --dataset */
    const char *data_dir;    /* --data-dir; "" for the dataset's default */
    const char *train_files; /* --train-files; "" when not given */
    const char *test_files;  /* --test-files */
    /* No --test-files for a dataset given by files means no test set (the
     * part opens as NULL) rather than an error: rfnas-search's test is an
     * extra, rfnas-train's is its answer. */
    int test_optional;
    /* A --*-files list that names no file (",") is refused with a message of
     * the program's own instead of the library's (rfnas-train). */
    int refuse_empty_list;
} dataset_source;

/* Opens the train or test part into *ds; *ds stays NULL (and 0 is returned)
 * for an optional test part that is not given. -1 after a message. */
int dataset_open_part(rfnas_ctx *ctx, const dataset_source *src, rfnas_part part,
                      rfnas_dataset **ds);

/* The images' shape and class count of @p ds; refuses more than 4 channels
 * (the programs keep 4 means and standard deviations). */
int dataset_input(rfnas_dataset *ds, int64_t *c, int64_t *h, int64_t *w, int64_t *classes);

/* The first @p first images of @p all into *out; 0, or as many as @p all
 * has or more, means all of them. */
int dataset_first(rfnas_dataset **out, rfnas_dataset *all, long first);

/* The settings of an augmenting training iterator (batch, crop after
 * padding, flip, cutout) with the customary per-channel mean and std of a
 * dataset known by its --dataset name when the images have its channel
 * count; otherwise the iterator computes them from the data. NULL after
 * printing the library's message. */
rfnas_config *train_iter_config(long batch, long crop_pad, long flip, long cutout,
                                const char *dataset, int64_t channels);

#endif
