/* rfnas_dataset: opening file sets, wrapping caller arrays, views, queries. */
#include "dataset.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "source.h"

enum { PATH_MAX_LEN = 4096 };

static rfnas_status join(char *out, const char *dir, const char *sub, const char *name)
{
    int len = sub ? snprintf(out, PATH_MAX_LEN, "%s/%s/%s", dir, sub, name)
                  : snprintf(out, PATH_MAX_LEN, "%s/%s", dir, name);
    if (len < 0 || len >= PATH_MAX_LEN)
        return rfnas__error(RFNAS_E_INVALID, "rfnas_dataset_open: path \"%.64s...\" is too long",
                            dir);
    return RFNAS_OK;
}

/* Finds an IDX file under @p dir by the usual names, plain first, then ".gz". */
static rfnas_status find_idx(char *out, const char *dir, const char *prefix, const char *kind)
{
    const char *seps[] = {"-", "."}; /* "train-images-idx3-ubyte" or "train-images.idx3-ubyte" */
    const char *exts[] = {"", ".gz"};
    for (int s = 0; s < 2; s++) {
        for (int e = 0; e < 2; e++) {
            char name[128];
            snprintf(name, sizeof name, "%s%s%s%s", prefix, seps[s], kind, exts[e]);
            RFNAS__TRY(join(out, dir, NULL, name));
            if (rfnas__source_exists(out))
                return RFNAS_OK;
        }
    }
    return rfnas__error(RFNAS_E_NOTFOUND, "rfnas_dataset_open: %s/%s-%s[.gz] not found", dir,
                        prefix, kind);
}

/* CIFAR files sit in @p dir or in the archive's own subdirectory of it. */
static const char *cifar_subdir(const char *dir, const char *sub, const char *probe)
{
    char path[PATH_MAX_LEN];
    if (join(path, dir, NULL, probe) == RFNAS_OK && rfnas__source_exists(path))
        return NULL;
    if (join(path, dir, sub, probe) == RFNAS_OK && rfnas__source_exists(path))
        return sub;
    return NULL;
}

static rfnas_status open_cifar_dir(rfnas_dataset **out, rfnas_ctx *ctx, const char *dir,
                                   rfnas_part part, int cifar100, int coarse)
{
    static const char *const c10_train[] = {"data_batch_1.bin", "data_batch_2.bin",
                                            "data_batch_3.bin", "data_batch_4.bin",
                                            "data_batch_5.bin"};
    static const char *const c10_test[] = {"test_batch.bin"};
    static const char *const c100_train[] = {"train.bin"};
    static const char *const c100_test[] = {"test.bin"};
    const char *const *names = cifar100 ? (part == RFNAS_PART_TRAIN ? c100_train : c100_test)
                                        : (part == RFNAS_PART_TRAIN ? c10_train : c10_test);
    size_t count = (!cifar100 && part == RFNAS_PART_TRAIN) ? 5 : 1;
    const char *sub = cifar_subdir(dir, cifar100 ? "cifar-100-binary" : "cifar-10-batches-bin",
                                   names[0]);
    char paths[5][PATH_MAX_LEN];
    const char *ptrs[5];
    for (size_t i = 0; i < count; i++) {
        RFNAS__TRY(join(paths[i], dir, sub, names[i]));
        ptrs[i] = paths[i];
    }
    return rfnas__cifar_open(out, ctx, ptrs, count, cifar100, coarse);
}

rfnas_status rfnas_dataset_open(rfnas_dataset **out, rfnas_ctx *ctx, rfnas_format format,
                                const char *dir, rfnas_part part, const rfnas_config *cfg)
{
    static const char fn[] = "rfnas_dataset_open";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    RFNAS__CHECK_ARG(dir != NULL, "%s: dir is NULL", fn);
    RFNAS__CHECK_ARG(part == RFNAS_PART_TRAIN || part == RFNAS_PART_TEST,
                     "%s: part %d is not a rfnas_part", fn, (int)part);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    int coarse = strcmp(rfnas__config_string(cfg, RFNAS_KEY_DATA_LABELS), "coarse") == 0;
    switch (format) {
    case RFNAS_FORMAT_CIFAR10:
        RFNAS__TRY(open_cifar_dir(out, ctx, dir, part, 0, 0));
        break;
    case RFNAS_FORMAT_CIFAR100:
        RFNAS__TRY(open_cifar_dir(out, ctx, dir, part, 1, coarse));
        break;
    case RFNAS_FORMAT_MNIST:
    case RFNAS_FORMAT_FASHION_MNIST: {
        const char *prefix = part == RFNAS_PART_TRAIN ? "train" : "t10k";
        char images[PATH_MAX_LEN], labels[PATH_MAX_LEN];
        RFNAS__TRY(find_idx(images, dir, prefix, "images-idx3-ubyte"));
        RFNAS__TRY(find_idx(labels, dir, prefix, "labels-idx1-ubyte"));
        RFNAS__TRY(rfnas__idx_open(out, ctx, images, labels, 10));
        break;
    }
    default:
        return rfnas__error(RFNAS_E_INVALID, "%s: format %d is not a rfnas_format", fn,
                            (int)format);
    }
    const rfnas__storage *st = (*out)->st;
    rfnas__log(ctx, RFNAS_LOG_INFO, "dataset: %s (%s): %lld images of %lld x %lld x %lld, %lld classes",
               dir, part == RFNAS_PART_TRAIN ? "train" : "test", (long long)st->n,
               (long long)st->c, (long long)st->h, (long long)st->w, (long long)st->classes);
    return RFNAS_OK;
}

rfnas_status rfnas_dataset_open_idx(rfnas_dataset **out, rfnas_ctx *ctx, const char *images_path,
                                    const char *labels_path, const rfnas_config *cfg)
{
    static const char fn[] = "rfnas_dataset_open_idx";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    RFNAS__CHECK_ARG(images_path != NULL, "%s: images_path is NULL", fn);
    RFNAS__CHECK_ARG(labels_path != NULL, "%s: labels_path is NULL", fn);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    int64_t classes = rfnas__config_int(cfg, RFNAS_KEY_DATA_NUM_CLASSES);
    RFNAS__CHECK_ARG(classes <= 256, "%s: data.num_classes %lld exceeds the 256 a byte label holds",
                     fn, (long long)classes);
    return rfnas__idx_open(out, ctx, images_path, labels_path, classes);
}

rfnas_status rfnas_dataset_open_cifar(rfnas_dataset **out, rfnas_ctx *ctx,
                                      const char *const *paths, size_t n_paths, int cifar100,
                                      const rfnas_config *cfg)
{
    static const char fn[] = "rfnas_dataset_open_cifar";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    RFNAS__CHECK_ARG(paths != NULL, "%s: paths is NULL", fn);
    RFNAS__CHECK_ARG(n_paths >= 1 && n_paths <= 64, "%s: n_paths %zu is outside 1..64", fn,
                     n_paths);
    for (size_t i = 0; i < n_paths; i++)
        RFNAS__CHECK_ARG(paths[i] != NULL, "%s: paths[%zu] is NULL", fn, i);
    RFNAS__CHECK_ARG(cifar100 == 0 || cifar100 == 1, "%s: cifar100 must be 0 or 1", fn);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    int coarse = strcmp(rfnas__config_string(cfg, RFNAS_KEY_DATA_LABELS), "coarse") == 0;
    return rfnas__cifar_open(out, ctx, paths, n_paths, cifar100, coarse);
}

/* Shared checks and label validation for the two array wrappers. */
static rfnas_status check_arrays(const char *fn, rfnas_dataset **out, rfnas_ctx *ctx,
                                 const void *pixels, const int32_t *labels, int64_t n, int64_t c,
                                 int64_t h, int64_t w, const rfnas_config *cfg, size_t *total,
                                 int64_t *classes)
{
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__TRY(rfnas__check_handle(ctx, RFNAS__TAG_CTX, fn, "ctx"));
    RFNAS__CHECK_ARG(pixels != NULL, "%s: pixels is NULL", fn);
    RFNAS__CHECK_ARG(labels != NULL, "%s: labels is NULL", fn);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    RFNAS__TRY(rfnas__shape_check(n, c, h, w, RFNAS_E_INVALID, fn, NULL, total));
    int64_t want = rfnas__config_int(cfg, RFNAS_KEY_DATA_NUM_CLASSES);
    int64_t max_label = -1;
    for (int64_t i = 0; i < n; i++) {
        if (labels[i] < 0 || (want > 0 && labels[i] >= want))
            return rfnas__error(RFNAS_E_INVALID, "%s: labels[%lld] = %d is out of range 0..%lld",
                                fn, (long long)i, labels[i],
                                (long long)(want > 0 ? want - 1 : 65535));
        if (labels[i] > max_label)
            max_label = labels[i];
    }
    RFNAS__CHECK_ARG(want > 0 || max_label < 65536,
                     "%s: largest label %lld implies more than 65536 classes", fn,
                     (long long)max_label);
    *classes = want > 0 ? want : max_label + 1;
    return RFNAS_OK;
}

static rfnas_status copy_labels(rfnas_ctx *ctx, const int32_t *labels, int64_t n, int32_t **out)
{
    *out = rfnas__alloc(ctx, (size_t)n * sizeof **out);
    if (*out == NULL)
        return RFNAS__NOMEM("dataset labels");
    memcpy(*out, labels, (size_t)n * sizeof **out);
    return RFNAS_OK;
}

rfnas_status rfnas_dataset_create_u8(rfnas_dataset **out, rfnas_ctx *ctx, const uint8_t *pixels,
                                     const int32_t *labels, int64_t n, int64_t c, int64_t h,
                                     int64_t w, const rfnas_config *cfg)
{
    size_t total = 0;
    int64_t classes = 0;
    int32_t *lab = NULL;
    rfnas__error_clear();
    RFNAS__TRY(check_arrays(__func__, out, ctx, pixels, labels, n, c, h, w, cfg, &total,
                            &classes));
    RFNAS__TRY(copy_labels(ctx, labels, n, &lab));
    uint8_t *copy = rfnas__alloc(ctx, total);
    if (copy == NULL) {
        rfnas__free(ctx, lab);
        return RFNAS__NOMEM(__func__);
    }
    memcpy(copy, pixels, total);
    return rfnas__dataset_wrap(out, ctx, copy, copy, NULL, lab, n, c, h, w, classes);
}

rfnas_status rfnas_dataset_create_f32(rfnas_dataset **out, rfnas_ctx *ctx, const float *pixels,
                                      const int32_t *labels, int64_t n, int64_t c, int64_t h,
                                      int64_t w, const rfnas_config *cfg)
{
    size_t total = 0;
    int64_t classes = 0;
    int32_t *lab = NULL;
    rfnas__error_clear();
    RFNAS__TRY(check_arrays(__func__, out, ctx, pixels, labels, n, c, h, w, cfg, &total,
                            &classes));
    for (size_t i = 0; i < total; i++)
        if (!isfinite(pixels[i]))
            return rfnas__error(RFNAS_E_INVALID, "%s: pixels[%zu] is not finite", __func__, i);
    size_t bytes;
    if (__builtin_mul_overflow(total, sizeof(float), &bytes))
        return rfnas__error(RFNAS_E_INVALID, "%s: shape overflows", __func__);
    RFNAS__TRY(copy_labels(ctx, labels, n, &lab));
    float *copy = rfnas__alloc(ctx, bytes);
    if (copy == NULL) {
        rfnas__free(ctx, lab);
        return RFNAS__NOMEM(__func__);
    }
    memcpy(copy, pixels, bytes);
    return rfnas__dataset_wrap(out, ctx, copy, NULL, copy, lab, n, c, h, w, classes);
}

static rfnas_status make_view(rfnas_dataset **out, const rfnas_dataset *ds, int64_t start,
                              int64_t count)
{
    rfnas_dataset *v = rfnas__calloc(ds->st->ctx, 1, sizeof *v);
    if (v == NULL)
        return RFNAS__NOMEM("dataset view");
    v->hdr.tag = RFNAS__TAG_DATASET;
    v->st = ds->st;
    rfnas__storage_ref(v->st);
    v->start = ds->start + start;
    v->count = count;
    *out = v;
    return RFNAS_OK;
}

rfnas_status rfnas_dataset_split(rfnas_dataset **first, rfnas_dataset **second,
                                 const rfnas_dataset *ds, double fraction)
{
    static const char fn[] = "rfnas_dataset_split";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(first != NULL && second != NULL, "%s: first or second is NULL", fn);
    *first = *second = NULL;
    RFNAS__CHECK_HANDLE(ds, RFNAS__TAG_DATASET);
    RFNAS__CHECK_ARG(isfinite(fraction) && fraction > 0.0 && fraction < 1.0,
                     "%s: fraction %g is outside (0, 1)", fn, fraction);
    int64_t n1 = (int64_t)floor((double)ds->count * fraction);
    RFNAS__CHECK_ARG(n1 >= 1 && n1 < ds->count,
                     "%s: fraction %g of %lld samples leaves an empty part", fn, fraction,
                     (long long)ds->count);
    rfnas_dataset *a = NULL, *b = NULL;
    RFNAS__TRY(make_view(&a, ds, 0, n1));
    rfnas_status rc = make_view(&b, ds, n1, ds->count - n1);
    if (rc != RFNAS_OK) {
        rfnas_dataset_destroy(a);
        return rc;
    }
    *first = a;
    *second = b;
    return RFNAS_OK;
}

rfnas_status rfnas_dataset_subset(rfnas_dataset **out, const rfnas_dataset *ds, int64_t start,
                                  int64_t count)
{
    static const char fn[] = "rfnas_dataset_subset";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ds, RFNAS__TAG_DATASET);
    RFNAS__CHECK_ARG(start >= 0 && count >= 1 && start <= ds->count - count,
                     "%s: samples [%lld, %lld + %lld) are not within the %lld of the dataset", fn,
                     (long long)start, (long long)start, (long long)count, (long long)ds->count);
    return make_view(out, ds, start, count);
}

void rfnas_dataset_destroy(rfnas_dataset *ds)
{
    if (ds == NULL || ds->hdr.tag != RFNAS__TAG_DATASET)
        return;
    rfnas__storage *st = ds->st;
    rfnas_ctx *ctx = st->ctx;
    ds->hdr.tag = RFNAS__TAG_DEAD;
    /* The handle goes back to the allocator before the store, which may release the context. */
    rfnas__ctx_ref(ctx);
    rfnas__free(ctx, ds);
    rfnas__storage_unref(st);
    rfnas__ctx_unref(ctx);
}

rfnas_status rfnas_dataset_shape(const rfnas_dataset *ds, int64_t *n, int64_t *c, int64_t *h,
                                 int64_t *w, int64_t *classes)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ds, RFNAS__TAG_DATASET);
    if (n)
        *n = ds->count;
    if (c)
        *c = ds->st->c;
    if (h)
        *h = ds->st->h;
    if (w)
        *w = ds->st->w;
    if (classes)
        *classes = ds->st->classes;
    return RFNAS_OK;
}

rfnas_status rfnas_dataset_get(const rfnas_dataset *ds, int64_t index, float *pixels, size_t cap,
                               int32_t *label)
{
    static const char fn[] = "rfnas_dataset_get";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ds, RFNAS__TAG_DATASET);
    RFNAS__CHECK_ARG(pixels != NULL, "%s: pixels is NULL", fn);
    RFNAS__CHECK_ARG(index >= 0 && index < ds->count, "%s: index %lld is outside 0..%lld", fn,
                     (long long)index, (long long)ds->count - 1);
    const rfnas__storage *st = ds->st;
    size_t per = (size_t)(st->c * st->h * st->w);
    if (cap < per)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: buffer holds %zu floats, a sample needs %zu", fn,
                            cap, per);
    size_t at = (size_t)(ds->start + index) * per;
    if (st->u8)
        for (size_t k = 0; k < per; k++)
            pixels[k] = (float)st->u8[at + k] / 255.0f;
    else
        memcpy(pixels, st->f32 + at, per * sizeof *pixels);
    if (label)
        *label = st->labels[ds->start + index];
    return RFNAS_OK;
}

rfnas_status rfnas_dataset_stats(const rfnas_dataset *ds, double *mean, double *std, size_t cap)
{
    static const char fn[] = "rfnas_dataset_stats";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ds, RFNAS__TAG_DATASET);
    RFNAS__CHECK_ARG(mean != NULL && std != NULL, "%s: mean or std is NULL", fn);
    if (cap < (size_t)ds->st->c)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: buffers hold %zu values, %lld channels need one each",
                            fn, cap, (long long)ds->st->c);
    return rfnas__storage_stats(ds->st, ds->start, ds->count, mean, std);
}

rfnas_status rfnas_dataset_histogram(const rfnas_dataset *ds, int64_t *counts, size_t cap)
{
    static const char fn[] = "rfnas_dataset_histogram";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ds, RFNAS__TAG_DATASET);
    RFNAS__CHECK_ARG(counts != NULL, "%s: counts is NULL", fn);
    if (cap < (size_t)ds->st->classes)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: buffer holds %zu counts, %lld classes need one each",
                            fn, cap, (long long)ds->st->classes);
    memset(counts, 0, (size_t)ds->st->classes * sizeof *counts);
    for (int64_t i = ds->start; i < ds->start + ds->count; i++)
        counts[ds->st->labels[i]]++;
    return RFNAS_OK;
}
