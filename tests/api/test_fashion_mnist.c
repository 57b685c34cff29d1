/* Public API on real data: Fashion-MNIST from Debian's dataset-fashion-mnist
 * package (gzip-compressed IDX files). The package is a test dependency that
 * the setup scripts install; a missing directory fails the test rather than
 * skipping it, so CI cannot pass without having read the real files. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfnas.h"
#include "test_support.h"

static const char *data_dir(void)
{
    const char *d = getenv("RFNAS_FASHION_MNIST_DIR");
    return d && *d ? d : "/usr/share/datasets/fashion-mnist";
}

static void check_part(rfnas_ctx *ctx, rfnas_part part, int64_t want_n, const char *images,
                       const char *labels, double want_mean, double want_std)
{
    rfnas_dataset *ds;
    rfnas_status rc = rfnas_dataset_open(&ds, ctx, RFNAS_FORMAT_FASHION_MNIST, data_dir(), part,
                                         NULL);
    if (rc != RFNAS_OK)
        fail_msg("%s (install Debian's dataset-fashion-mnist)", rfnas_error_last());
    int64_t n, c, h, w, classes;
    assert_int_equal(rfnas_dataset_shape(ds, &n, &c, &h, &w, &classes), RFNAS_OK);
    assert_int_equal(n, want_n);
    assert_int_equal(c, 1);
    assert_int_equal(h, 28);
    assert_int_equal(w, 28);
    assert_int_equal(classes, 10);
    int64_t hist[10];
    assert_int_equal(rfnas_dataset_histogram(ds, hist, 10), RFNAS_OK);
    for (int k = 0; k < 10; k++)
        assert_int_equal(hist[k], want_n / 10); /* Fashion-MNIST is balanced */
    double mean, std;
    assert_int_equal(rfnas_dataset_stats(ds, &mean, &std, 1), RFNAS_OK);
    if (fabs(mean - want_mean) > 5e-5 || fabs(std - want_std) > 5e-5)
        fail_msg("mean %.6f std %.6f, expected about %.4f and %.4f", mean, std, want_mean,
                 want_std);

    /* The first image and label decode to the bytes in the files (read here with zlib). */
    size_t li, ll;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", data_dir(), images);
    uint8_t *raw_img = ts_read_all(path, &li);
    snprintf(path, sizeof path, "%s/%s", data_dir(), labels);
    uint8_t *raw_lab = ts_read_all(path, &ll);
    assert_non_null(raw_img);
    assert_non_null(raw_lab);
    assert_int_equal(li, 16 + (size_t)want_n * 784);
    assert_int_equal(ll, 8 + (size_t)want_n);
    for (int64_t i = 0; i < want_n; i += want_n - 1) { /* the first and the last */
        float img[784];
        int32_t label;
        assert_int_equal(rfnas_dataset_get(ds, i, img, 784, &label), RFNAS_OK);
        assert_int_equal(label, raw_lab[8 + i]);
        for (int k = 0; k < 784; k++)
            assert_true(img[k] == (float)raw_img[16 + (size_t)i * 784 + (size_t)k] / 255.0f);
    }
    free(raw_img);
    free(raw_lab);
    rfnas_dataset_destroy(ds);
}

static void test_fashion_mnist__train_and_test_files(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    /* The common constants are 0.2860 / 0.3530 (SPEC 6.6) for the training set. */
    check_part(ctx, RFNAS_PART_TRAIN, 60000, "train-images-idx3-ubyte.gz",
               "train-labels-idx1-ubyte.gz", 0.286041, 0.353024);
    check_part(ctx, RFNAS_PART_TEST, 10000, "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz", 0.286809, 0.352411);
    rfnas_ctx_destroy(ctx);
}

static void test_fashion_mnist__search_split_iterates_deterministically(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_config *cfg;
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    rfnas_config_set_int(cfg, RFNAS_KEY_CTX_SEED, 2);
    assert_int_equal(rfnas_ctx_create(&ctx, cfg), RFNAS_OK);
    rfnas_dataset *train, *w, *a;
    assert_int_equal(rfnas_dataset_open(&train, ctx, RFNAS_FORMAT_FASHION_MNIST, data_dir(),
                                        RFNAS_PART_TRAIN, NULL), RFNAS_OK);
    assert_int_equal(rfnas_dataset_split(&w, &a, train, 0.5), RFNAS_OK);
    int64_t nw, na;
    rfnas_dataset_shape(w, &nw, NULL, NULL, NULL, NULL);
    rfnas_dataset_shape(a, &na, NULL, NULL, NULL, NULL);
    assert_int_equal(nw, 30000);
    assert_int_equal(na, 30000);
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.crop_pad", "4"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.flip", "1"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.mean", "0.2860"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.std", "0.3530"), RFNAS_OK);
    rfnas_iter *i1, *i2;
    assert_int_equal(rfnas_iter_create(&i1, w, cfg), RFNAS_OK);
    assert_int_equal(rfnas_iter_create(&i2, w, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    static float x1[64 * 784], x2[64 * 784];
    int32_t y1[64], y2[64];
    int64_t n1, n2;
    double sum = 0;
    for (int b = 0; b < 20; b++) {
        assert_int_equal(rfnas_iter_next(i1, x1, 64 * 784, y1, 64, &n1), RFNAS_OK);
        assert_int_equal(rfnas_iter_next(i2, x2, 64 * 784, y2, 64, &n2), RFNAS_OK);
        assert_int_equal(n1, 64);
        assert_memory_equal(x1, x2, sizeof x1);
        assert_memory_equal(y1, y2, sizeof y1);
        for (int k = 0; k < 64 * 784; k++)
            sum += x1[k];
    }
    /* Normalised data has mean near 0 (padding shifts it a little negative). */
    double mean = sum / (20.0 * 64 * 784);
    assert_true(mean > -0.4 && mean < 0.1);
    rfnas_iter_destroy(i1);
    rfnas_iter_destroy(i2);
    rfnas_dataset_destroy(w);
    rfnas_dataset_destroy(a);
    rfnas_dataset_destroy(train);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fashion_mnist__train_and_test_files),
        cmocka_unit_test(test_fashion_mnist__search_split_iterates_deterministically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
