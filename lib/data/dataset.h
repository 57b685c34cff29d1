/* Datasets (internal view): a refcounted pixel store shared by views. */
#ifndef RFNAS_DATA_DATASET_H
#define RFNAS_DATA_DATASET_H

#include <stdint.h>

#include "config.h"
#include "ctx.h"

/* Samples are stored N x C x H x W, either as bytes (scaled by 1/255 when
 * read) or as the caller's floats. */
typedef struct rfnas__storage {
    int refs;
    rfnas_ctx *ctx;   /* holds a reference */
    void *block;      /* owner of the pixel memory */
    const uint8_t *u8;
    const float *f32; /* exactly one of u8 / f32 is set */
    int32_t *labels;
    int64_t n, c, h, w, classes;
} rfnas__storage;

struct rfnas_dataset {
    rfnas__handle hdr;
    rfnas__storage *st;
    int64_t start, count; /* the view: samples [start, start + count) of st */
};

/* Most samples a dataset may hold (iterators index them with 32-bit draws). */
#define RFNAS__DATASET_MAX_SAMPLES ((int64_t)INT32_MAX)

/* Validates a shape and returns the number of values per sample and in all;
 * RFNAS_E_INVALID or RFNAS_E_FORMAT (per @p status) with a message otherwise. */
rfnas_status rfnas__shape_check(int64_t n, int64_t c, int64_t h, int64_t w, rfnas_status status,
                                const char *what, size_t *per_sample, size_t *total);

/* Takes ownership of @p block (and @p labels) and wraps them in a new dataset
 * covering all samples; on failure frees both. */
rfnas_status rfnas__dataset_wrap(rfnas_dataset **out, rfnas_ctx *ctx, void *block,
                                 const uint8_t *u8, const float *f32, int32_t *labels, int64_t n,
                                 int64_t c, int64_t h, int64_t w, int64_t classes);

void rfnas__storage_ref(rfnas__storage *st);
void rfnas__storage_unref(rfnas__storage *st);

/* Per-channel mean and population std of samples [start, start+count), in [0,1]
 * scale for bytes, double precision, fixed order. */
rfnas_status rfnas__storage_stats(const rfnas__storage *st, int64_t start, int64_t count,
                                  double *mean, double *std);

/* Readers (lib/data/idx.c, lib/data/cifar.c). */
rfnas_status rfnas__idx_open(rfnas_dataset **out, rfnas_ctx *ctx, const char *images_path,
                             const char *labels_path, int64_t classes);
rfnas_status rfnas__cifar_open(rfnas_dataset **out, rfnas_ctx *ctx, const char *const *paths,
                               size_t n_paths, int cifar100, int coarse);

#endif
