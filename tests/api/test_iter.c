/* Public API: iterators: batching, epochs, seeded shuffling, augmentation
 * semantics, normalisation, exact resume from a position. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfnas.h"

enum { N = 23, C = 2, H = 6, W = 5 };

typedef struct fixture {
    rfnas_ctx *ctx;
    rfnas_dataset *ds;
    uint8_t px[N * C * H * W];
} fixture;

static rfnas_ctx *make_ctx(uint64_t seed, int threads)
{
    rfnas_config *cfg;
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_CTX_SEED, (int64_t)seed), RFNAS_OK);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_CTX_THREADS, threads), RFNAS_OK);
    assert_int_equal(rfnas_ctx_create(&ctx, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    return ctx;
}

/* Sample i: pixel k of channel c is distinct per sample, so an output identifies its source. */
static void fill(uint8_t *px)
{
    for (int i = 0; i < N; i++)
        for (int k = 0; k < C * H * W; k++)
            px[i * C * H * W + k] = (uint8_t)(1 + (i * 11 + k) % 250);
}

static rfnas_dataset *make_ds(rfnas_ctx *ctx, uint8_t *px)
{
    int32_t labels[N];
    for (int i = 0; i < N; i++)
        labels[i] = i;
    fill(px);
    rfnas_dataset *ds;
    assert_int_equal(rfnas_dataset_create_u8(&ds, ctx, px, labels, N, C, H, W, NULL), RFNAS_OK);
    return ds;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->ctx = make_ctx(1234, 1);
    f->ds = make_ds(f->ctx, f->px);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rfnas_dataset_destroy(f->ds);
    rfnas_ctx_destroy(f->ctx);
    free(f);
    return 0;
}

static rfnas_iter *make_iter(rfnas_dataset *ds, const char *const *settings)
{
    rfnas_config *cfg;
    rfnas_iter *it;
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    for (; settings && settings[0]; settings += 2)
        if (rfnas_config_set_by_name(cfg, settings[0], settings[1]) != RFNAS_OK)
            fail_msg("%s", rfnas_error_last());
    rfnas_status rc = rfnas_iter_create(&it, ds, cfg);
    if (rc != RFNAS_OK)
        fail_msg("rfnas_iter_create: %s", rfnas_error_last());
    rfnas_config_destroy(cfg);
    return it;
}

static void test_iter__epoch_covers_every_sample_once_with_partial_last_batch(void **state)
{
    fixture *f = *state;
    const char *s[] = {"iter.batch", "5", NULL};
    rfnas_iter *it = make_iter(f->ds, s);
    int64_t batch, c, h, w, steps;
    assert_int_equal(rfnas_iter_shape(it, &batch, &c, &h, &w, &steps), RFNAS_OK);
    assert_int_equal(batch, 5);
    assert_int_equal(steps, 5); /* 23 = 4 * 5 + 3 */
    float x[5 * C * H * W];
    int32_t y[5];
    for (int epoch = 0; epoch < 3; epoch++) {
        int seen[N] = {0};
        int64_t n, total = 0;
        int batches = 0;
        rfnas_status rc;
        while ((rc = rfnas_iter_next(it, x, sizeof x / sizeof x[0], y, 5, &n)) == RFNAS_OK) {
            assert_int_equal(n, batches < 4 ? 5 : 3);
            for (int64_t b = 0; b < n; b++)
                seen[y[b]]++;
            total += n;
            batches++;
        }
        assert_int_equal(rc, RFNAS_END);
        assert_int_equal(n, 0);
        assert_int_equal(total, N);
        for (int i = 0; i < N; i++)
            assert_int_equal(seen[i], 1);
        int64_t e, cursor;
        rfnas_iter_get_position(it, &e, &cursor);
        assert_int_equal(e, epoch + 1);
        assert_int_equal(cursor, 0);
    }
    rfnas_iter_destroy(it);
}

static void test_iter__drop_last_and_no_shuffle_keep_file_order(void **state)
{
    fixture *f = *state;
    const char *s[] = {"iter.batch", "5", "iter.drop_last", "1", "iter.shuffle", "0",
                       "iter.normalize", "0", NULL};
    rfnas_iter *it = make_iter(f->ds, s);
    int64_t steps;
    rfnas_iter_shape(it, NULL, NULL, NULL, NULL, &steps);
    assert_int_equal(steps, 4);
    float x[5 * C * H * W];
    int32_t y[5];
    int64_t n;
    for (int b = 0; b < 4; b++) {
        assert_int_equal(rfnas_iter_next(it, x, sizeof x / sizeof x[0], y, 5, &n), RFNAS_OK);
        assert_int_equal(n, 5);
        for (int k = 0; k < 5; k++) {
            assert_int_equal(y[k], b * 5 + k);
            /* No augmentation, no normalisation: the stored bytes / 255. */
            assert_true(x[k * C * H * W + 7] == (float)f->px[(b * 5 + k) * C * H * W + 7] / 255.0f);
        }
    }
    assert_int_equal(rfnas_iter_next(it, x, sizeof x / sizeof x[0], y, 5, &n), RFNAS_END);
    rfnas_iter_destroy(it);

    /* drop_last with fewer samples than a batch would give empty epochs: refused. */
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_ITER_BATCH, 64);
    rfnas_config_set_int(cfg, RFNAS_KEY_ITER_DROP_LAST, 1);
    assert_int_equal(rfnas_iter_create(&it, f->ds, cfg), RFNAS_E_INVALID);
    assert_null(it);
    assert_non_null(strstr(rfnas_error_last(), "empty"));
    rfnas_config_destroy(cfg);
}

/* Collects every batch of @p epochs epochs. */
static float *run_epochs(rfnas_iter *it, int epochs, size_t *len)
{
    int64_t batch, c, h, w, steps;
    rfnas_iter_shape(it, &batch, &c, &h, &w, &steps);
    size_t per = (size_t)(batch * c * h * w);
    size_t cap = per * (size_t)(steps * epochs) + (size_t)(batch * steps * epochs);
    float *all = calloc(cap, sizeof *all);
    float *x = malloc(per * sizeof *x);
    int32_t *y = malloc((size_t)batch * sizeof *y);
    size_t at = 0;
    for (int e = 0; e < epochs; e++) {
        int64_t n;
        while (rfnas_iter_next(it, x, per, y, (size_t)batch, &n) == RFNAS_OK) {
            memcpy(all + at, x, (size_t)n * (size_t)(c * h * w) * sizeof *x);
            at += (size_t)n * (size_t)(c * h * w);
            for (int64_t k = 0; k < n; k++)
                all[at++] = (float)y[k];
        }
    }
    free(x);
    free(y);
    *len = at;
    return all;
}

static const char *const augmenting[] = {"iter.batch", "4", "iter.crop_pad", "2", "iter.flip",
                                         "1", "iter.cutout", "2", "iter.cutout_prob", "0.5",
                                         NULL};

static void test_iter__same_seed_same_batches_other_seed_or_stream_differs(void **state)
{
    (void)state;
    uint8_t px[N * C * H * W];
    size_t la, lb, lc, ld, le;
    rfnas_ctx *c1 = make_ctx(7, 1), *c2 = make_ctx(7, 2), *c3 = make_ctx(8, 1);
    rfnas_dataset *d1 = make_ds(c1, px), *d2 = make_ds(c2, px), *d3 = make_ds(c3, px);
    rfnas_iter *i1 = make_iter(d1, augmenting), *i2 = make_iter(d2, augmenting);
    rfnas_iter *i3 = make_iter(d3, augmenting);
    const char *other_stream[] = {"iter.batch", "4", "iter.crop_pad", "2", "iter.flip", "1",
                                  "iter.cutout", "2", "iter.cutout_prob", "0.5",
                                  "iter.stream", "1", NULL};
    rfnas_iter *i4 = make_iter(d1, other_stream);
    float *a = run_epochs(i1, 3, &la);
    float *b = run_epochs(i2, 3, &lb); /* two threads fill the batch: same bits */
    float *c = run_epochs(i3, 3, &lc);
    float *d = run_epochs(i4, 3, &ld);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la * sizeof *a);
    assert_int_equal(la, lc);
    assert_memory_not_equal(a, c, la * sizeof *a);
    assert_memory_not_equal(a, d, la * sizeof *a);
    /* Epochs differ from each other too. */
    assert_memory_not_equal(a, a + la / 3, (la / 3) * sizeof *a);
    /* A fresh iterator on the same context repeats the first one exactly. */
    rfnas_iter *i5 = make_iter(d1, augmenting);
    float *e = run_epochs(i5, 3, &le);
    assert_memory_equal(a, e, la * sizeof *a);
    free(a), free(b), free(c), free(d), free(e);
    rfnas_iter_destroy(i1), rfnas_iter_destroy(i2), rfnas_iter_destroy(i3);
    rfnas_iter_destroy(i4), rfnas_iter_destroy(i5);
    rfnas_dataset_destroy(d1), rfnas_dataset_destroy(d2), rfnas_dataset_destroy(d3);
    rfnas_ctx_destroy(c1), rfnas_ctx_destroy(c2), rfnas_ctx_destroy(c3);
}

static void test_iter__resume_from_position_is_bit_identical(void **state)
{
    fixture *f = *state;
    rfnas_iter *ref = make_iter(f->ds, augmenting);
    size_t lr;
    float *want = run_epochs(ref, 2, &lr);
    rfnas_iter_destroy(ref);

    /* Run 1.5 epochs, save the position, continue on a brand-new iterator. */
    rfnas_iter *a = make_iter(f->ds, augmenting);
    float x[4 * C * H * W];
    int32_t y[4];
    int64_t n;
    size_t per = C * H * W, at = 0;
    float *got = calloc(lr, sizeof *got);
    int batches = 0;
    for (;;) {
        rfnas_status rc = rfnas_iter_next(a, x, sizeof x / sizeof x[0], y, 4, &n);
        if (rc == RFNAS_END)
            continue;
        memcpy(got + at, x, (size_t)n * per * sizeof *x);
        at += (size_t)n * per;
        for (int64_t k = 0; k < n; k++)
            got[at++] = (float)y[k];
        if (++batches == 9) /* 6 batches per epoch: the middle of the second */
            break;
    }
    int64_t epoch, cursor;
    assert_int_equal(rfnas_iter_get_position(a, &epoch, &cursor), RFNAS_OK);
    assert_int_equal(epoch, 1);
    assert_int_equal(cursor, 12);
    rfnas_iter_destroy(a);
    rfnas_iter *b = make_iter(f->ds, augmenting);
    assert_int_equal(rfnas_iter_set_position(b, epoch, cursor), RFNAS_OK);
    while (rfnas_iter_next(b, x, sizeof x / sizeof x[0], y, 4, &n) == RFNAS_OK) {
        memcpy(got + at, x, (size_t)n * per * sizeof *x);
        at += (size_t)n * per;
        for (int64_t k = 0; k < n; k++)
            got[at++] = (float)y[k];
    }
    assert_int_equal(at, lr);
    assert_memory_equal(got, want, lr * sizeof *got);
    assert_int_equal(rfnas_iter_set_position(b, -1, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas_iter_set_position(b, 0, N + 1), RFNAS_E_INVALID);
    rfnas_iter_destroy(b);
    free(want);
    free(got);
}

/* Finds crop offset and flip that explain @p out as an augmented copy of sample @p src. */
static int explains(const fixture *f, const float *out, int src, int pad, int oy, int ox,
                    int flip, const double *mean, const double *std)
{
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int cx = flip ? W - 1 - x : x;
                int sy = y + oy - pad, sx = cx + ox - pad;
                double raw = (sy < 0 || sy >= H || sx < 0 || sx >= W)
                                 ? 0.0
                                 : f->px[((src * C + c) * H + sy) * W + sx] / 255.0;
                float want = (float)((raw - mean[c]) / std[c]);
                if (out[(c * H + y) * W + x] != want)
                    return 0;
            }
    return 1;
}

static void test_iter__crop_and_flip_match_their_definition(void **state)
{
    fixture *f = *state;
    const char *s[] = {"iter.batch", "23", "iter.crop_pad", "2", "iter.flip", "1",
                       "iter.mean", "0.5,0.25", "iter.std", "0.5,2", NULL};
    rfnas_iter *it = make_iter(f->ds, s);
    double mean[2], std[2];
    assert_int_equal(rfnas_iter_normalization(it, mean, std, 2), RFNAS_OK);
    assert_true(mean[0] == 0.5 && mean[1] == 0.25 && std[0] == 0.5 && std[1] == 2.0);
    assert_int_equal(rfnas_iter_normalization(it, mean, std, 1), RFNAS_E_BUFSIZE);
    static float x[23 * C * H * W];
    int32_t y[23];
    int64_t n;
    int flips = 0, shifted = 0;
    for (int epoch = 0; epoch < 4; epoch++) {
        assert_int_equal(rfnas_iter_next(it, x, sizeof x / sizeof x[0], y, 23, &n), RFNAS_OK);
        for (int b = 0; b < n; b++) {
            int found = 0;
            for (int oy = 0; oy <= 4 && !found; oy++)
                for (int ox = 0; ox <= 4 && !found; ox++)
                    for (int fl = 0; fl < 2 && !found; fl++)
                        if (explains(f, x + b * C * H * W, y[b], 2, oy, ox, fl, mean, std)) {
                            found = 1;
                            flips += fl;
                            shifted += oy != 2 || ox != 2;
                        }
            if (!found)
                fail_msg("sample %d of epoch %d is no crop/flip of sample %d", b, epoch, y[b]);
        }
        assert_int_equal(rfnas_iter_next(it, x, sizeof x / sizeof x[0], y, 23, &n), RFNAS_END);
    }
    /* 92 samples: flips near half, most crops shifted. */
    assert_in_range(flips, 25, 67);
    assert_in_range(shifted, 60, 92);
    rfnas_iter_destroy(it);
}

static void test_iter__cutout_zeroes_a_clipped_square_after_normalisation(void **state)
{
    fixture *f = *state;
    const char *s[] = {"iter.batch", "23", "iter.cutout", "4", "iter.shuffle", "0", NULL};
    rfnas_iter *it = make_iter(f->ds, s);
    double mean[2], std[2];
    rfnas_iter_normalization(it, mean, std, 2);
    /* Computed statistics are the dataset's own. */
    double dm[2], ds[2];
    assert_int_equal(rfnas_dataset_stats(f->ds, dm, ds, 2), RFNAS_OK);
    assert_true(dm[0] == mean[0] && ds[1] == std[1]);
    static float x[23 * C * H * W];
    int32_t y[23];
    int64_t n;
    assert_int_equal(rfnas_iter_next(it, x, sizeof x / sizeof x[0], y, 23, &n), RFNAS_OK);
    for (int b = 0; b < 23; b++) {
        int zeros = 0;
        for (int c = 0; c < C; c++)
            for (int k = 0; k < H * W; k++) {
                float v = x[(b * C + c) * H * W + k];
                float want =
                    (float)((f->px[(b * C + c) * H * W + k] / 255.0 - mean[c]) / std[c]);
                if (v == 0.0f)
                    zeros++;
                else
                    assert_true(v == want);
            }
        /* The square has side 4, clipped at the border: between 2x2 and 4x4 per channel,
         * the same pixels in both channels. */
        assert_true(zeros % 2 == 0);
        assert_in_range(zeros / 2, 4, 16);
    }
    rfnas_iter_destroy(it);
}

static void test_iter__bad_arguments_and_buffers(void **state)
{
    fixture *f = *state;
    rfnas_iter *it = (rfnas_iter *)(uintptr_t)1;
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    const double three[3] = {0.1, 0.2, 0.3};
    rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_MEAN, three, 3);
    assert_int_equal(rfnas_iter_create(&it, f->ds, cfg), RFNAS_E_INVALID);
    assert_null(it);
    assert_non_null(strstr(rfnas_error_last(), "3 values for 2 channels"));
    rfnas_config_unset(cfg, RFNAS_KEY_ITER_MEAN);
    rfnas_config_set_int(cfg, RFNAS_KEY_ITER_CROP_PAD, 7);
    assert_int_equal(rfnas_iter_create(&it, f->ds, cfg), RFNAS_E_INVALID);
    rfnas_config_destroy(cfg);
    assert_int_equal(rfnas_iter_create(NULL, f->ds, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_iter_create(&it, NULL, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_iter_create(&it, (rfnas_dataset *)(void *)f->ctx, NULL),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "rfnas_ctx"));

    it = make_iter(f->ds, NULL); /* batch 64 > 23 samples: one partial batch */
    static float x[64 * C * H * W];
    int32_t y[64];
    int64_t n;
    assert_int_equal(rfnas_iter_next(it, x, 64 * C * H * W - 1, y, 64, &n), RFNAS_E_BUFSIZE);
    assert_non_null(strstr(rfnas_error_last(), "a batch needs"));
    assert_int_equal(rfnas_iter_next(it, x, 64 * C * H * W, y, 63, &n), RFNAS_E_BUFSIZE);
    assert_int_equal(rfnas_iter_next(it, NULL, 64 * C * H * W, y, 64, &n), RFNAS_E_INVALID);
    assert_int_equal(rfnas_iter_next(NULL, x, 64 * C * H * W, y, 64, &n), RFNAS_E_INVALID);
    assert_int_equal(rfnas_iter_next(it, x, 64 * C * H * W, y, 64, &n), RFNAS_OK);
    assert_int_equal(n, 23);
    assert_string_equal(rfnas_error_last(), "");
    assert_int_equal(rfnas_iter_next(it, x, 64 * C * H * W, y, 64, NULL), RFNAS_END);
    rfnas_iter_destroy(it);
    rfnas_iter_destroy(NULL);

    /* Constant data has no standard deviation to normalise by: refused unless given. */
    uint8_t flat[4] = {9, 9, 9, 9};
    int32_t labels[4] = {0, 1, 0, 1};
    rfnas_dataset *ds;
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, flat, labels, 4, 1, 1, 1, NULL),
                     RFNAS_OK);
    assert_int_equal(rfnas_iter_create(&it, ds, NULL), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "iter.std"));
    rfnas_dataset_destroy(ds);
}

static void test_iter__iterator_keeps_its_data_alive(void **state)
{
    (void)state;
    uint8_t px[N * C * H * W];
    rfnas_ctx *ctx = make_ctx(3, 1);
    rfnas_dataset *ds = make_ds(ctx, px);
    rfnas_iter *it = make_iter(ds, NULL);
    /* Destroy the parents first (any order is allowed, STYLE R3). */
    rfnas_ctx_destroy(ctx);
    rfnas_dataset_destroy(ds);
    static float x[64 * C * H * W];
    int32_t y[64];
    int64_t n;
    assert_int_equal(rfnas_iter_next(it, x, 64 * C * H * W, y, 64, &n), RFNAS_OK);
    assert_int_equal(n, N);
    rfnas_iter_destroy(it);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_iter__epoch_covers_every_sample_once_with_partial_last_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iter__drop_last_and_no_shuffle_keep_file_order, setup, teardown),
        cmocka_unit_test(test_iter__same_seed_same_batches_other_seed_or_stream_differs),
        cmocka_unit_test_setup_teardown(test_iter__resume_from_position_is_bit_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iter__crop_and_flip_match_their_definition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iter__cutout_zeroes_a_clipped_square_after_normalisation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iter__bad_arguments_and_buffers, setup, teardown),
        cmocka_unit_test(test_iter__iterator_keeps_its_data_alive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
