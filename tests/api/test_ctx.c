/* Public API: contexts: allocator hooks, OOM injection on every allocation,
 * log callbacks, destroy in any order, thread count and seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfnas.h"
#include "test_support.h"

typedef struct counting {
    long live, total, fail_at; /* fail the fail_at-th allocation (1-based); 0 = never */
} counting;

static void *count_alloc(size_t size, size_t align, void *user)
{
    counting *c = user;
    c->total++;
    if (c->fail_at && c->total == c->fail_at)
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    c->live++;
    return p;
}

static void count_free(void *ptr, void *user)
{
    counting *c = user;
    assert_non_null(ptr);
    c->live--;
    free(ptr);
}

static void test_ctx__defaults_and_settings(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_true(rfnas_ctx_get_threads(ctx) >= 1);
    assert_int_equal(rfnas_ctx_get_seed(ctx), 0);
    rfnas_ctx_destroy(ctx);
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_CTX_THREADS, 3);
    rfnas_config_set_int(cfg, RFNAS_KEY_CTX_SEED, 99);
    assert_int_equal(rfnas_ctx_create(&ctx, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    assert_int_equal(rfnas_ctx_get_threads(ctx), 3);
    assert_int_equal(rfnas_ctx_get_seed(ctx), 99);
    rfnas_ctx_destroy(ctx);
    rfnas_ctx_destroy(NULL);
    assert_int_equal(rfnas_ctx_get_threads(NULL), 0);
    assert_non_null(strstr(rfnas_error_last(), "ctx is NULL"));
    assert_int_equal(rfnas_ctx_create(NULL, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_ctx_create_with_allocator(&ctx, NULL, count_alloc, NULL, NULL),
                     RFNAS_E_INVALID);
    assert_null(ctx);
}

/* Writes a small IDX pair and opens, splits, iterates it; returns the first failure. */
static rfnas_status scenario(const char *dir, counting *c)
{
    rfnas_ctx *ctx = NULL;
    rfnas_dataset *ds = NULL, *a = NULL, *b = NULL;
    rfnas_iter *it = NULL;
    rfnas_status rc = rfnas_ctx_create_with_allocator(&ctx, NULL, count_alloc, count_free, c);
    if (rc == RFNAS_OK)
        rc = rfnas_dataset_open(&ds, ctx, RFNAS_FORMAT_MNIST, dir, RFNAS_PART_TRAIN, NULL);
    if (rc == RFNAS_OK)
        rc = rfnas_dataset_split(&a, &b, ds, 0.5);
    if (rc == RFNAS_OK) {
        rfnas_config *cfg;
        rfnas_config_create(&cfg);
        rfnas_config_set_int(cfg, RFNAS_KEY_ITER_BATCH, 4);
        rfnas_config_set_int(cfg, RFNAS_KEY_ITER_CROP_PAD, 2);
        rc = rfnas_iter_create(&it, a, cfg);
        rfnas_config_destroy(cfg);
    }
    if (rc == RFNAS_OK) {
        float x[4 * 28 * 28];
        int32_t y[4];
        rc = rfnas_iter_next(it, x, 4 * 28 * 28, y, 4, NULL);
    }
    if (rc < 0 && rfnas_error_last()[0] == '\0')
        rc = (rfnas_status)-100; /* a failure without a message is itself a failure */
    /* Out-handles of failed creates are NULL, so this is safe in every case. */
    rfnas_iter_destroy(it);
    rfnas_dataset_destroy(b);
    rfnas_dataset_destroy(a);
    rfnas_dataset_destroy(ds);
    rfnas_ctx_destroy(ctx);
    return rc;
}

static void write_small_mnist(const char *dir)
{
    uint8_t img[16 + 8 * 28 * 28], lab[8 + 8];
    uint32_t dims[3] = {8, 28, 28}, n = 8;
    size_t at = ts_idx_header(img, 0x08, 3, dims);
    for (size_t k = 0; k < 8 * 28 * 28; k++)
        img[at + k] = (uint8_t)(k * 31);
    at = ts_idx_header(lab, 0x08, 1, &n);
    for (int k = 0; k < 8; k++)
        lab[at + k] = (uint8_t)k;
    assert_int_equal(ts_write_gz(ts_path(dir, "train-images-idx3-ubyte.gz"), img, sizeof img), 0);
    assert_int_equal(ts_write(ts_path(dir, "train-labels-idx1-ubyte"), lab, sizeof lab), 0);
}

static void test_ctx__every_allocation_failure_is_reported_and_leaks_nothing(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    write_small_mnist(dir);
    counting c = {0, 0, 0};
    assert_int_equal(scenario(dir, &c), RFNAS_OK);
    assert_int_equal(c.live, 0);
    long allocations = c.total;
    assert_true(allocations >= 8);
    for (long k = 1; k <= allocations; k++) {
        counting f = {0, 0, k};
        rfnas_status rc = scenario(dir, &f);
        if (rc != RFNAS_E_NOMEM)
            fail_msg("failing allocation %ld of %ld gave %d (%s)", k, allocations, rc,
                     rfnas_error_last());
        if (f.live != 0)
            fail_msg("failing allocation %ld leaked %ld blocks", k, f.live);
    }
    ts_rmdir(dir);
}

typedef struct log_record {
    int calls;
    rfnas_log_level last_level;
    char last[512];
} log_record;

static void on_log(rfnas_log_level level, const char *msg, void *user)
{
    log_record *r = user;
    r->calls++;
    r->last_level = level;
    strncpy(r->last, msg, sizeof r->last - 1);
}

static void test_ctx__log_callbacks_are_per_context(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    write_small_mnist(dir);
    rfnas_ctx *c1, *c2;
    assert_int_equal(rfnas_ctx_create(&c1, NULL), RFNAS_OK);
    assert_int_equal(rfnas_ctx_create(&c2, NULL), RFNAS_OK);
    log_record r1 = {0}, r2 = {0};
    assert_int_equal(rfnas_ctx_set_log(c1, on_log, RFNAS_LOG_DEBUG, &r1), RFNAS_OK);
    assert_int_equal(rfnas_ctx_set_log(c2, on_log, RFNAS_LOG_WARN, &r2), RFNAS_OK);
    assert_int_equal(rfnas_ctx_set_log(c2, on_log, (rfnas_log_level)9, &r2), RFNAS_E_INVALID);
    rfnas_dataset *d1, *d2;
    assert_int_equal(rfnas_dataset_open(&d1, c1, RFNAS_FORMAT_MNIST, dir, RFNAS_PART_TRAIN, NULL),
                     RFNAS_OK);
    assert_int_equal(rfnas_dataset_open(&d2, c2, RFNAS_FORMAT_MNIST, dir, RFNAS_PART_TRAIN, NULL),
                     RFNAS_OK);
    assert_int_equal(r1.calls, 1);
    assert_int_equal(r1.last_level, RFNAS_LOG_INFO);
    assert_non_null(strstr(r1.last, "8 images of 1 x 28 x 28"));
    assert_int_equal(r2.calls, 0); /* INFO is below c2's WARN threshold */
    /* Removing the callback silences it. */
    assert_int_equal(rfnas_ctx_set_log(c1, NULL, RFNAS_LOG_DEBUG, NULL), RFNAS_OK);
    rfnas_iter *it;
    assert_int_equal(rfnas_iter_create(&it, d1, NULL), RFNAS_OK);
    assert_int_equal(r1.calls, 1);
    rfnas_iter_destroy(it);
    rfnas_dataset_destroy(d1);
    rfnas_dataset_destroy(d2);
    rfnas_ctx_destroy(c1);
    rfnas_ctx_destroy(c2);
    ts_rmdir(dir);
}

static void test_ctx__objects_may_be_destroyed_in_any_order(void **state)
{
    (void)state;
    uint8_t px[10];
    int32_t labels[10];
    for (int k = 0; k < 10; k++) {
        px[k] = (uint8_t)(k * 25);
        labels[k] = k & 1;
    }
    /* Six orders of (ctx, dataset, iterator); counting proves everything is freed. */
    const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int o = 0; o < 6; o++) {
        counting c = {0, 0, 0};
        rfnas_ctx *ctx;
        rfnas_dataset *ds;
        rfnas_iter *it;
        assert_int_equal(rfnas_ctx_create_with_allocator(&ctx, NULL, count_alloc, count_free, &c),
                         RFNAS_OK);
        assert_int_equal(rfnas_dataset_create_u8(&ds, ctx, px, labels, 10, 1, 1, 1, NULL),
                         RFNAS_OK);
        assert_int_equal(rfnas_iter_create(&it, ds, NULL), RFNAS_OK);
        for (int k = 0; k < 3; k++) {
            assert_true(c.live > 0);
            switch (orders[o][k]) {
            case 0: rfnas_ctx_destroy(ctx); break;
            case 1: rfnas_dataset_destroy(ds); break;
            case 2: rfnas_iter_destroy(it); break;
            }
        }
        assert_int_equal(c.live, 0);
    }
}

static void test_ctx__wrong_handle_types_are_refused(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas_config *cfg;
    uint8_t px[4] = {1, 2, 3, 4};
    int32_t labels[4] = {0, 1, 0, 1};
    rfnas_dataset *ds;
    rfnas_iter *it;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    assert_int_equal(rfnas_dataset_create_u8(&ds, ctx, px, labels, 4, 1, 1, 1, NULL), RFNAS_OK);
    assert_int_equal(rfnas_iter_create(&it, ds, NULL), RFNAS_OK);
    /* Every handle in a slot for another type: refused with a message naming both. */
    assert_int_equal(rfnas_dataset_shape((rfnas_dataset *)(void *)it, NULL, NULL, NULL, NULL, NULL),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "is rfnas_iter, expected rfnas_dataset"));
    assert_int_equal(rfnas_iter_get_position((rfnas_iter *)(void *)ds, NULL, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_int((rfnas_config *)(void *)ctx, RFNAS_KEY_ITER_BATCH, 1),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_ctx_set_log((rfnas_ctx *)(void *)cfg, NULL, RFNAS_LOG_INFO, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_ctx_get_threads((rfnas_ctx *)(void *)ds), 0);
    assert_int_equal(rfnas_ctx_get_seed((rfnas_ctx *)(void *)ds), 0);
    /* Destroying through the wrong function is ignored, not a crash or a double free. */
    rfnas_ctx_destroy((rfnas_ctx *)(void *)ds);
    rfnas_dataset_destroy((rfnas_dataset *)(void *)it);
    rfnas_iter_destroy((rfnas_iter *)(void *)cfg);
    rfnas_config_destroy((rfnas_config *)(void *)ctx);
    rfnas_iter_destroy(it);
    rfnas_dataset_destroy(ds);
    rfnas_config_destroy(cfg);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctx__defaults_and_settings),
        cmocka_unit_test(test_ctx__every_allocation_failure_is_reported_and_leaks_nothing),
        cmocka_unit_test(test_ctx__log_callbacks_are_per_context),
        cmocka_unit_test(test_ctx__objects_may_be_destroyed_in_any_order),
        cmocka_unit_test(test_ctx__wrong_handle_types_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
