/* rfnas-dataset-info: open a dataset through the public API and print what
 * it holds: counts, shape, class histogram, per-channel statistics, the
 * search split and one augmented batch.
 *
 *   rfnas-dataset-info [fashion-mnist|mnist|cifar10|cifar100] [DIR]
 *
 * Defaults to Fashion-MNIST from Debian's dataset-fashion-mnist package. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfnas.h"

static int fail(const char *what, rfnas_status rc)
{
    fprintf(stderr, "rfnas-dataset-info: %s: %s (%s)\n", what, rfnas_error_last(),
            rfnas_status_string(rc));
    return 1;
}

static int describe(const char *title, const rfnas_dataset *ds)
{
    int64_t n, c, h, w, classes;
    rfnas_status rc = rfnas_dataset_shape(ds, &n, &c, &h, &w, &classes);
    if (rc != RFNAS_OK)
        return fail("shape", rc);
    printf("%-6s %lld images of %lld x %lld x %lld, %lld classes\n", title, (long long)n,
           (long long)c, (long long)h, (long long)w, (long long)classes);
    int64_t *hist = calloc((size_t)classes, sizeof *hist);
    double mean[64], std[64];
    if (hist == NULL)
        return 1;
    if ((rc = rfnas_dataset_histogram(ds, hist, (size_t)classes)) != RFNAS_OK ||
        (rc = rfnas_dataset_stats(ds, mean, std, 64)) != RFNAS_OK) {
        free(hist);
        return fail("statistics", rc);
    }
    printf("       labels:");
    for (int64_t k = 0; k < classes; k++)
        printf(" %lld", (long long)hist[k]);
    printf("\n       pixel mean");
    for (int64_t k = 0; k < c; k++)
        printf(" %.4f", mean[k]);
    printf(", std");
    for (int64_t k = 0; k < c; k++)
        printf(" %.4f", std[k]);
    printf("\n");
    free(hist);
    return 0;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "fashion-mnist";
    rfnas_format format;
    const char *dir;
    if (strcmp(name, "fashion-mnist") == 0) {
        format = RFNAS_FORMAT_FASHION_MNIST;
        dir = "/usr/share/datasets/fashion-mnist";
    } else if (strcmp(name, "mnist") == 0) {
        format = RFNAS_FORMAT_MNIST;
        dir = "/usr/share/datasets/mnist";
    } else if (strcmp(name, "cifar10") == 0) {
        format = RFNAS_FORMAT_CIFAR10;
        dir = "cifar-10-batches-bin";
    } else if (strcmp(name, "cifar100") == 0) {
        format = RFNAS_FORMAT_CIFAR100;
        dir = "cifar-100-binary";
    } else {
        fprintf(stderr, "usage: rfnas-dataset-info [fashion-mnist|mnist|cifar10|cifar100] [DIR]\n");
        return 2;
    }
    if (argc > 2)
        dir = argv[2];

    printf("librfnas %s: %s from %s\n", rfnas_version_string(), name, dir);
    rfnas_ctx *ctx = NULL;
    rfnas_dataset *train = NULL, *test = NULL, *search_w = NULL, *search_a = NULL;
    rfnas_iter *it = NULL;
    float *x = NULL;
    int32_t *y = NULL;
    int status = 1;
    rfnas_status rc;
    if ((rc = rfnas_ctx_create(&ctx, NULL)) != RFNAS_OK) {
        fail("context", rc);
        goto out;
    }
    if ((rc = rfnas_dataset_open(&train, ctx, format, dir, RFNAS_PART_TRAIN, NULL)) != RFNAS_OK) {
        fail("train split", rc);
        goto out;
    }
    if ((rc = rfnas_dataset_open(&test, ctx, format, dir, RFNAS_PART_TEST, NULL)) != RFNAS_OK) {
        fail("test split", rc);
        goto out;
    }
    if (describe("train", train) || describe("test", test))
        goto out;
    if ((rc = rfnas_dataset_split(&search_w, &search_a, train, 0.5)) != RFNAS_OK) {
        fail("split", rc);
        goto out;
    }
    int64_t nw, na;
    rfnas_dataset_shape(search_w, &nw, NULL, NULL, NULL, NULL);
    rfnas_dataset_shape(search_a, &na, NULL, NULL, NULL, NULL);
    printf("search split (DARTS halves): %lld for weights, %lld for architecture\n",
           (long long)nw, (long long)na);

    rfnas_config *cfg = NULL;
    if ((rc = rfnas_config_create(&cfg)) != RFNAS_OK ||
        (rc = rfnas_config_set_by_name(cfg, "iter.crop_pad", "4")) != RFNAS_OK ||
        (rc = rfnas_config_set_by_name(cfg, "iter.flip", "1")) != RFNAS_OK) {
        rfnas_config_destroy(cfg);
        fail("config", rc);
        goto out;
    }
    rc = rfnas_iter_create(&it, search_w, cfg);
    rfnas_config_destroy(cfg);
    if (rc != RFNAS_OK) {
        fail("iterator", rc);
        goto out;
    }
    int64_t batch, c, h, w, steps;
    double mean[64], std[64];
    rfnas_iter_shape(it, &batch, &c, &h, &w, &steps);
    rfnas_iter_normalization(it, mean, std, 64);
    size_t x_len = (size_t)(batch * c * h * w);
    x = malloc(x_len * sizeof *x);
    y = malloc((size_t)batch * sizeof *y);
    if (!x || !y)
        goto out;
    int64_t got;
    if ((rc = rfnas_iter_next(it, x, x_len, y, (size_t)batch, &got)) != RFNAS_OK) {
        fail("first batch", rc);
        goto out;
    }
    double sum = 0;
    for (size_t k = 0; k < (size_t)got * (size_t)(c * h * w); k++)
        sum += x[k];
    printf("iterator: batches of %lld (%lld per epoch), crop pad 4 + flip, normalised with "
           "mean %.4f std %.4f (computed); first batch mean %.4f, labels %d %d %d %d ...\n",
           (long long)batch, (long long)steps, mean[0], std[0],
           sum / ((double)got * (double)(c * h * w)), y[0], y[1], y[2], y[3]);
    status = 0;
out:
    free(x);
    free(y);
    rfnas_iter_destroy(it);
    rfnas_dataset_destroy(search_w);
    rfnas_dataset_destroy(search_a);
    rfnas_dataset_destroy(train);
    rfnas_dataset_destroy(test);
    rfnas_ctx_destroy(ctx);
    return status;
}
