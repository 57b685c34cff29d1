#include "data.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* Splits "a,b,c" into at most @p max paths (in @p buf). */
static size_t split_list(char *buf, size_t cap, const char *list, const char **paths, size_t max)
{
    snprintf(buf, cap, "%s", list);
    size_t n = 0;
    for (char *tok = strtok(buf, ","); tok && n < max; tok = strtok(NULL, ","))
        paths[n++] = tok;
    return n;
}

int dataset_open_part(rfnas_ctx *ctx, const dataset_source *src, rfnas_part part,
                      rfnas_dataset **ds)
{
    *ds = NULL;
    static const struct {
        const char *name;
        rfnas_format format;
        const char *dir;
    } dirs[] = {
        {"fashion-mnist", RFNAS_FORMAT_FASHION_MNIST, "/usr/share/datasets/fashion-mnist"},
        {"mnist", RFNAS_FORMAT_MNIST, "/usr/share/datasets/mnist"},
        {"cifar10", RFNAS_FORMAT_CIFAR10, NULL},
        {"cifar100", RFNAS_FORMAT_CIFAR100, NULL},
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (strcmp(src->dataset, dirs[i].name) != 0)
            continue;
        const char *dir = src->data_dir[0] ? src->data_dir : dirs[i].dir;
        if (dir == NULL) {
            fprintf(stderr, "%s: --dataset %s needs --data-dir\n", PROGRAM, src->dataset);
            return -1;
        }
        CHECK(rfnas_dataset_open(ds, ctx, dirs[i].format, dir, part, NULL));
        return 0;
    }
    const char *which = part == RFNAS_PART_TRAIN ? "train" : "test";
    const char *list = part == RFNAS_PART_TRAIN ? src->train_files : src->test_files;
    if (list[0] == '\0') {
        if (part == RFNAS_PART_TEST && src->test_optional)
            return 0;
        fprintf(stderr, "%s: --dataset %s needs --%s-files\n", PROGRAM, src->dataset, which);
        return -1;
    }
    /* Flag values are shorter than 1024 bytes (the programs' text fields). */
    char buf[4096];
    const char *paths[64];
    size_t n = split_list(buf, sizeof buf, list, paths, 64);
    if (strcmp(src->dataset, "idx") == 0) {
        if (n != 2) {
            fprintf(stderr, "%s: --%s-files for idx is IMAGES,LABELS\n", PROGRAM, which);
            return -1;
        }
        CHECK(rfnas_dataset_open_idx(ds, ctx, paths[0], paths[1], NULL));
        return 0;
    }
    if (n == 0 && src->refuse_empty_list) {
        fprintf(stderr, "%s: --%s-files names no file\n", PROGRAM, which);
        return -1;
    }
    CHECK(rfnas_dataset_open_cifar(ds, ctx, paths, n, strcmp(src->dataset, "cifar100-files") == 0,
                                   NULL));
    return 0;
}

int dataset_input(rfnas_dataset *ds, int64_t *c, int64_t *h, int64_t *w, int64_t *classes)
{
    CHECK(rfnas_dataset_shape(ds, NULL, c, h, w, classes));
    if (*c > 4) {
        fprintf(stderr, "%s: images with %lld channels; at most 4 are supported\n", PROGRAM,
                (long long)*c);
        return -1;
    }
    return 0;
}

int dataset_first(rfnas_dataset **out, rfnas_dataset *all, long first)
{
    int64_t n;
    CHECK(rfnas_dataset_shape(all, &n, NULL, NULL, NULL, NULL));
    CHECK(rfnas_dataset_subset(out, all, 0, first > 0 && first < n ? first : n));
    return 0;
}

/* The customary per-channel mean and std of a dataset by its flag name;
 * returns its channel count, or 0 for one it does not know. */
static int known_normalisation(const char *dataset, double *mean, double *std)
{
    static const struct {
        const char *name;
        int channels;
        double mean[3], std[3];
    } table[] = {
        {"fashion-mnist", 1, {0.2860}, {0.3530}},
        {"mnist", 1, {0.1307}, {0.3081}},
        {"cifar10", 3, {0.49139968, 0.48215827, 0.44653124}, {0.24703233, 0.24348505, 0.26158768}},
        {"cifar10-files",
         3,
         {0.49139968, 0.48215827, 0.44653124},
         {0.24703233, 0.24348505, 0.26158768}},
        {"cifar100", 3, {0.5071, 0.4865, 0.4409}, {0.2673, 0.2564, 0.2762}},
        {"cifar100-files", 3, {0.5071, 0.4865, 0.4409}, {0.2673, 0.2564, 0.2762}},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, dataset) == 0) {
            memcpy(mean, table[i].mean, sizeof table[i].mean);
            memcpy(std, table[i].std, sizeof table[i].std);
            return table[i].channels;
        }
    return 0;
}

rfnas_config *train_iter_config(long batch, long crop_pad, long flip, long cutout,
                                const char *dataset, int64_t channels)
{
    rfnas_config *cfg;
    if (rfnas_config_create(&cfg) < 0) {
        fail();
        return NULL;
    }
    double mean[4], std[4];
    int known = known_normalisation(dataset, mean, std);
    if (rfnas_config_set_int(cfg, RFNAS_KEY_ITER_BATCH, batch) < 0 ||
        rfnas_config_set_int(cfg, RFNAS_KEY_ITER_CROP_PAD, crop_pad) < 0 ||
        rfnas_config_set_int(cfg, RFNAS_KEY_ITER_FLIP, flip) < 0 ||
        rfnas_config_set_int(cfg, RFNAS_KEY_ITER_CUTOUT, cutout) < 0 ||
        (known == channels &&
         (rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_MEAN, mean, (size_t)known) < 0 ||
          rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_STD, std, (size_t)known) < 0))) {
        rfnas_config_destroy(cfg);
        fail();
        return NULL;
    }
    return cfg;
}
