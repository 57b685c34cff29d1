/* Public API: checkpoints of arrays, supernets, optimizers and iterators;
 * exact resume, and refusal of corrupt, truncated or mismatched files with
 * the object left as it was. */
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

enum { CLASSES = 4, C_IN = 3, HW = 16, BATCH = 8, SAMPLES = 40 };

static rfnas_ctx *make_ctx(uint64_t seed)
{
    rfnas_config *cfg;
    rfnas_ctx *ctx;
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_CTX_SEED, (int64_t)seed);
    rfnas_config_set_int(cfg, RFNAS_KEY_CTX_THREADS, 2);
    assert_int_equal(rfnas_ctx_create(&ctx, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    return ctx;
}

static rfnas_supernet *make_net(rfnas_ctx *ctx, const char *space_name, const char *channels)
{
    rfnas_space *space;
    rfnas_config *cfg;
    rfnas_supernet *net;
    assert_int_equal(rfnas_space_create(&space, space_name), RFNAS_OK);
    rfnas_config_create(&cfg);
    const char *settings[][2] = {{"net.channels", channels}, {"net.cells", "1"},
                                 {"net.classes", "4"},       {"net.in_height", "16"},
                                 {"net.in_width", "16"},     {"net.max_batch", "8"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        assert_int_equal(rfnas_config_set_by_name(cfg, settings[i][0], settings[i][1]), RFNAS_OK);
    if (rfnas_supernet_create(&net, ctx, space, cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    rfnas_config_destroy(cfg);
    rfnas_space_destroy(space);
    return net;
}

static rfnas_optimizer *make_opt(rfnas_supernet *net, rfnas_group group, const char *kind)
{
    rfnas_config *cfg;
    rfnas_optimizer *opt;
    rfnas_config_create(&cfg);
    rfnas_config_set_by_name(cfg, "opt.kind", kind);
    assert_int_equal(rfnas_optimizer_create(&opt, net, group, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    return opt;
}

/* A small labelled set of random images and a shuffling iterator over it. */
static rfnas_iter *make_iter(rfnas_ctx *ctx, rfnas_dataset **ds_out)
{
    static uint8_t pixels[SAMPLES * C_IN * HW * HW];
    static int32_t labels[SAMPLES];
    srand(3);
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (uint8_t)(rand() & 0xff);
    for (int i = 0; i < SAMPLES; i++)
        labels[i] = i % CLASSES;
    rfnas_dataset *ds;
    assert_int_equal(
        rfnas_dataset_create_u8(&ds, ctx, pixels, labels, SAMPLES, C_IN, HW, HW, NULL), RFNAS_OK);
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_ITER_BATCH, BATCH);
    rfnas_config_set_int(cfg, RFNAS_KEY_ITER_FLIP, 1);
    rfnas_iter *it;
    assert_int_equal(rfnas_iter_create(&it, ds, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    *ds_out = ds;
    return it;
}

typedef struct run {
    rfnas_ctx *ctx;
    rfnas_dataset *ds;
    rfnas_iter *it;
    rfnas_supernet *net;
    rfnas_optimizer *w_opt, *a_opt;
} run;

static void run_open(run *r, uint64_t seed)
{
    r->ctx = make_ctx(seed);
    r->it = make_iter(r->ctx, &r->ds);
    r->net = make_net(r->ctx, "nb201", "8");
    r->w_opt = make_opt(r->net, RFNAS_GROUP_WEIGHTS, "sgd");
    r->a_opt = make_opt(r->net, RFNAS_GROUP_ARCH, "adam");
}

static void run_close(run *r)
{
    rfnas_optimizer_destroy(r->w_opt);
    rfnas_optimizer_destroy(r->a_opt);
    rfnas_supernet_destroy(r->net);
    rfnas_iter_destroy(r->it);
    rfnas_dataset_destroy(r->ds);
    rfnas_ctx_destroy(r->ctx);
}

/* One bilevel step: the same batch serves arch and weights (enough here). */
static void run_step(run *r)
{
    float x[BATCH * C_IN * HW * HW];
    int32_t y[BATCH];
    int64_t n;
    rfnas_status st = rfnas_iter_next(r->it, x, sizeof x / sizeof x[0], y, BATCH, &n);
    if (st == RFNAS_END)
        st = rfnas_iter_next(r->it, x, sizeof x / sizeof x[0], y, BATCH, &n);
    assert_int_equal(st, RFNAS_OK);
    const rfnas_phase phases[2] = {RFNAS_PHASE_ARCH, RFNAS_PHASE_WEIGHTS};
    rfnas_optimizer *opts[2] = {r->a_opt, r->w_opt};
    const rfnas_group groups[2] = {RFNAS_GROUP_ARCH, RFNAS_GROUP_WEIGHTS};
    for (int i = 0; i < 2; i++) {
        double loss;
        int64_t correct;
        assert_int_equal(rfnas_supernet_zero_grad(r->net, groups[i]), RFNAS_OK);
        assert_int_equal(rfnas_supernet_forward(r->net, x, y, n, phases[i], &loss, &correct),
                         RFNAS_OK);
        assert_int_equal(rfnas_supernet_backward(r->net), RFNAS_OK);
        assert_int_equal(rfnas_optimizer_step(opts[i], NULL), RFNAS_OK);
    }
}

static rfnas_checkpoint *run_checkpoint(const run *r)
{
    rfnas_checkpoint *ck;
    assert_int_equal(rfnas_checkpoint_create(&ck, r->ctx), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_supernet(ck, "net", r->net), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_optimizer(ck, "w_opt", r->w_opt), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_optimizer(ck, "a_opt", r->a_opt), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_iter(ck, "train", r->it), RFNAS_OK);
    return ck;
}

/* Every group's values, concatenated, for bitwise comparison. */
static float *snapshot(rfnas_supernet *net, size_t *len)
{
    size_t total = 0, sizes[4];
    float *ptr[4];
    for (int g = 0; g < 4; g++) {
        assert_int_equal(rfnas_supernet_group_borrow(net, (rfnas_group)g, &ptr[g], NULL, &sizes[g]),
                         RFNAS_OK);
        total += sizes[g];
    }
    float *all = malloc(total * sizeof *all);
    size_t at = 0;
    for (int g = 0; g < 4; g++) {
        if (sizes[g] > 0) /* an empty group (no ARCH in a discrete net) lends NULL */
            memcpy(all + at, ptr[g], sizes[g] * sizeof *all);
        at += sizes[g];
    }
    *len = total;
    return all;
}

static void test_checkpoint__arrays_round_trip_through_a_file(void **state)
{
    (void)state;
    rfnas_ctx *ctx = make_ctx(1);
    char *dir = ts_mkdtemp();
    char path[1024];
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
    rfnas_checkpoint *ck;
    assert_int_equal(rfnas_checkpoint_create(&ck, ctx), RFNAS_OK);
    const int64_t i64[3] = {1, -2, INT64_MAX};
    const double f64[2] = {0.1, -1e300};
    const float f32[4] = {1.5f, -0.0f, 3e-38f, 7.0f};
    assert_int_equal(rfnas_checkpoint_put_int64s(ck, "counts", i64, 3), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_doubles(ck, "lrs", f64, 2), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_floats(ck, "x", f32, 4), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_text(ck, "config", "{\"a\": 1}"), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_text(ck, "config", "{\"a\": 2}"), RFNAS_OK); /* replaces */
    assert_int_equal(rfnas_checkpoint_put_floats(ck, "empty", NULL, 0), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_floats(ck, "", f32, 1), RFNAS_E_INVALID);
    assert_int_equal(rfnas_checkpoint_put_floats(ck, NULL, f32, 1), RFNAS_E_INVALID);
    assert_int_equal(rfnas_checkpoint_put_text(ck, "t", NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_checkpoint_save(ck, path), RFNAS_OK);
    rfnas_checkpoint_destroy(ck);

    assert_int_equal(rfnas_checkpoint_load(&ck, ctx, path), RFNAS_OK);
    size_t count, n;
    assert_int_equal(rfnas_checkpoint_record_count(ck, &count), RFNAS_OK);
    assert_int_equal(count, 5);
    const char *name;
    assert_int_equal(rfnas_checkpoint_record_name(ck, 1, &name, &n), RFNAS_OK);
    assert_string_equal(name, "lrs");
    assert_int_equal(n, 2);
    assert_int_equal(rfnas_checkpoint_record_name(ck, 5, &name, &n), RFNAS_E_INVALID);
    int64_t i64b[3];
    double f64b[2];
    float f32b[4];
    char text[16];
    assert_int_equal(rfnas_checkpoint_get_int64s(ck, "counts", i64b, 3, &n), RFNAS_OK);
    assert_memory_equal(i64, i64b, sizeof i64);
    assert_int_equal(rfnas_checkpoint_get_doubles(ck, "lrs", f64b, 2, &n), RFNAS_OK);
    assert_memory_equal(f64, f64b, sizeof f64);
    assert_int_equal(rfnas_checkpoint_get_floats(ck, "x", f32b, 4, &n), RFNAS_OK);
    assert_memory_equal(f32, f32b, sizeof f32);
    assert_int_equal(rfnas_checkpoint_get_text(ck, "config", text, sizeof text, &n), RFNAS_OK);
    assert_string_equal(text, "{\"a\": 2}");
    assert_int_equal(rfnas_checkpoint_get_text(ck, "config", text, 8, &n), RFNAS_E_BUFSIZE);
    assert_int_equal(n, 8);
    assert_int_equal(rfnas_checkpoint_get_floats(ck, "x", f32b, 3, &n), RFNAS_E_BUFSIZE);
    assert_int_equal(rfnas_checkpoint_get_floats(ck, "counts", f32b, 4, &n), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "counts"));
    assert_int_equal(rfnas_checkpoint_get_floats(ck, "nope", f32b, 4, &n), RFNAS_E_NOTFOUND);
    assert_int_equal(rfnas_checkpoint_get_floats(ck, "empty", NULL, 0, &n), RFNAS_OK);
    assert_int_equal(n, 0);
    rfnas_checkpoint_destroy(ck);
    rfnas_checkpoint_destroy(NULL);
    assert_int_equal(rfnas_checkpoint_save(NULL, path), RFNAS_E_INVALID);
    assert_int_equal(rfnas_checkpoint_create(NULL, ctx), RFNAS_E_INVALID);
    ts_rmdir(dir);
    rfnas_ctx_destroy(ctx);
}

/* A run checkpointed after 3 steps and restored into a second run of the
 * same seed that has drifted elsewhere (6 steps, so every trained value,
 * moment and position differs until restored) continues with the same bits
 * as the run that never stopped. The seed stays: it keys the iterator's
 * shuffles, as it does when a search program resumes. */
static void test_checkpoint__restored_run_continues_bit_identically(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    char path[1024];
    snprintf(path, sizeof path, "%s/run.ckpt", dir);
    run a, b;
    run_open(&a, 11);
    for (int i = 0; i < 3; i++)
        run_step(&a);
    rfnas_checkpoint *ck = run_checkpoint(&a);
    assert_int_equal(rfnas_checkpoint_save(ck, path), RFNAS_OK);
    rfnas_checkpoint_destroy(ck);
    for (int i = 0; i < 4; i++) /* crosses an epoch end: 40 samples = 5 batches */
        run_step(&a);

    run_open(&b, 11);
    for (int i = 0; i < 6; i++)
        run_step(&b);
    assert_int_equal(rfnas_checkpoint_load(&ck, b.ctx, path), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_get_supernet(ck, "net", b.net), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_get_optimizer(ck, "w_opt", b.w_opt), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_get_optimizer(ck, "a_opt", b.a_opt), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_get_iter(ck, "train", b.it), RFNAS_OK);
    /* Prefixes name objects: an optimizer cannot be read from a net's records. */
    assert_int_equal(rfnas_checkpoint_get_optimizer(ck, "net", b.w_opt), RFNAS_E_MISMATCH);
    assert_non_null(strstr(rfnas_error_last(), "rfnas.supernet/1"));
    assert_int_equal(rfnas_checkpoint_get_optimizer(ck, "nothing", b.w_opt), RFNAS_E_NOTFOUND);
    assert_int_equal(rfnas_checkpoint_get_optimizer(ck, "a_opt", b.w_opt), RFNAS_E_MISMATCH);
    rfnas_checkpoint_destroy(ck);
    for (int i = 0; i < 4; i++)
        run_step(&b);

    size_t na, nb;
    float *va = snapshot(a.net, &na), *vb = snapshot(b.net, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(va, vb, na * sizeof *va);
    free(va);
    free(vb);
    double lr_a, lr_b;
    rfnas_optimizer_get_double(a.w_opt, RFNAS_KEY_OPT_LR, &lr_a);
    rfnas_optimizer_get_double(b.w_opt, RFNAS_KEY_OPT_LR, &lr_b);
    assert_true(lr_a == lr_b);
    int64_t ea, ca, eb, cb;
    rfnas_iter_get_position(a.it, &ea, &ca);
    rfnas_iter_get_position(b.it, &eb, &cb);
    assert_int_equal(ea, eb);
    assert_int_equal(ca, cb);
    run_close(&a);
    run_close(&b);
    ts_rmdir(dir);
}

/* Wrong space, wrong shape, wrong optimizer kind, wrong batch: refused, and
 * the object is unchanged. */
static void test_checkpoint__mismatches_are_refused_and_change_nothing(void **state)
{
    (void)state;
    run a;
    run_open(&a, 5);
    run_step(&a);
    rfnas_checkpoint *ck = run_checkpoint(&a);

    const struct {
        const char *space, *channels, *why;
    } cases[] = {{"nb201", "16", "channels"}, {"darts", "8", "space"}};
    for (size_t i = 0; i < 2; i++) {
        rfnas_supernet *other = make_net(a.ctx, cases[i].space, cases[i].channels);
        size_t n0, n1;
        float *before = snapshot(other, &n0);
        assert_int_equal(rfnas_checkpoint_get_supernet(ck, "net", other), RFNAS_E_MISMATCH);
        assert_non_null(strstr(rfnas_error_last(), cases[i].why));
        float *after = snapshot(other, &n1);
        assert_memory_equal(before, after, n0 * sizeof *before);
        free(before);
        free(after);
        rfnas_supernet_destroy(other);
    }
    /* SGD state into an Adam optimizer. */
    rfnas_optimizer *adam = make_opt(a.net, RFNAS_GROUP_WEIGHTS, "adam");
    assert_int_equal(rfnas_checkpoint_get_optimizer(ck, "w_opt", adam), RFNAS_E_MISMATCH);
    assert_non_null(strstr(rfnas_error_last(), "sgd"));
    rfnas_optimizer_destroy(adam);
    /* A group whose size is tampered with. */
    float one = 1.0f;
    assert_int_equal(rfnas_checkpoint_put_floats(ck, "net.weights", &one, 1), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_get_supernet(ck, "net", a.net), RFNAS_E_MISMATCH);
    assert_non_null(strstr(rfnas_error_last(), "net.weights"));
    /* A different format tag. */
    assert_int_equal(rfnas_checkpoint_put_text(ck, "train.format", "rfnas.iter/9"), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_get_iter(ck, "train", a.it), RFNAS_E_MISMATCH);
    assert_int_equal(rfnas_checkpoint_get_supernet(ck, "", a.net), RFNAS_E_INVALID);
    assert_int_equal(rfnas_checkpoint_get_supernet(ck, "net", NULL), RFNAS_E_INVALID);
    rfnas_checkpoint_destroy(ck);
    run_close(&a);
}

/* Damaged files: every kind is refused with a message naming the file. */
static void test_checkpoint__corrupt_and_truncated_files_are_refused(void **state)
{
    (void)state;
    run a;
    run_open(&a, 5);
    char *dir = ts_mkdtemp();
    char path[1024], bad[1024];
    snprintf(path, sizeof path, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    rfnas_checkpoint *ck = run_checkpoint(&a);
    assert_int_equal(rfnas_checkpoint_save(ck, path), RFNAS_OK);
    rfnas_checkpoint_destroy(ck);
    size_t len;
    uint8_t *bytes = ts_read_all(path, &len);
    assert_non_null(bytes);

    const size_t cuts[] = {0, 10, 31, 32, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        ts_write(bad, bytes, cuts[i]);
        assert_int_equal(rfnas_checkpoint_load(&ck, a.ctx, bad), RFNAS_E_FORMAT);
        assert_null(ck);
        assert_non_null(strstr(rfnas_error_last(), "bad.ckpt"));
    }
    const size_t flips[] = {0, 9, 20, 29, 40, len / 2, len - 2};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        bytes[flips[i]] ^= 0x10;
        ts_write(bad, bytes, len);
        rfnas_status st = rfnas_checkpoint_load(&ck, a.ctx, bad);
        assert_true(st == RFNAS_E_FORMAT || st == RFNAS_E_UNSUPPORTED);
        assert_null(ck);
        bytes[flips[i]] ^= 0x10;
    }
    snprintf(bad, sizeof bad, "%s/missing.ckpt", dir);
    assert_int_equal(rfnas_checkpoint_load(&ck, a.ctx, bad), RFNAS_E_NOTFOUND);
    assert_int_equal(rfnas_checkpoint_load(&ck, a.ctx, dir), RFNAS_E_IO);
    free(bytes);
    ts_rmdir(dir);
    run_close(&a);
}

/* A network built from a genotype: its genotype is its identity, and the
 * drop-path probability and counter travel with it. */
static rfnas_supernet *make_discrete(rfnas_ctx *ctx, const char *text)
{
    rfnas_genotype *g;
    rfnas_supernet *net;
    rfnas_config *cfg;
    assert_int_equal(rfnas_genotype_parse(&g, text, NULL), RFNAS_OK);
    rfnas_config_create(&cfg);
    const char *settings[][2] = {{"net.channels", "4"}, {"net.cells", "1"},
                                 {"net.classes", "4"},  {"net.in_height", "16"},
                                 {"net.in_width", "16"}, {"net.max_batch", "8"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        assert_int_equal(rfnas_config_set_by_name(cfg, settings[i][0], settings[i][1]), RFNAS_OK);
    if (rfnas_supernet_create_from_genotype(&net, ctx, g, cfg) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    rfnas_config_destroy(cfg);
    rfnas_genotype_destroy(g);
    return net;
}

static void test_checkpoint__discrete_networks_keep_genotype_and_drop_path(void **state)
{
    (void)state;
    static const char *const arch[2] = {
        "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 0), "
        "('max_pool_3x3', 1), ('sep_conv_5x5', 2), ('avg_pool_3x3', 0), ('skip_connect', 3), "
        "('dil_conv_5x5', 4)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
        "('skip_connect', 1), ('sep_conv_3x3', 0), ('avg_pool_3x3', 2), ('dil_conv_3x3', 1), "
        "('skip_connect', 3), ('sep_conv_5x5', 0), ('max_pool_3x3', 4)], reduce_concat=[2, 3, 4, 5])",
        "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"};
    rfnas_ctx *ctx = make_ctx(3);
    rfnas_supernet *a = make_discrete(ctx, arch[0]), *b = make_discrete(ctx, arch[0]);
    assert_int_equal(rfnas_supernet_set_double(a, RFNAS_KEY_NET_DROP_PATH_PROB, 0.2), RFNAS_OK);
    assert_int_equal(rfnas_supernet_set_int(a, RFNAS_KEY_NET_DROP_PATH_COUNTER, 17), RFNAS_OK);
    float *w;
    size_t n;
    assert_int_equal(rfnas_supernet_group_borrow(a, RFNAS_GROUP_WEIGHTS, &w, NULL, &n), RFNAS_OK);
    w[0] += 1.0f;
    rfnas_checkpoint *ck;
    assert_int_equal(rfnas_checkpoint_create(&ck, ctx), RFNAS_OK);
    assert_int_equal(rfnas_checkpoint_put_supernet(ck, "model", a), RFNAS_OK);

    assert_int_equal(rfnas_checkpoint_get_supernet(ck, "model", b), RFNAS_OK);
    size_t na, nb;
    float *va = snapshot(a, &na), *vb = snapshot(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(va, vb, na * sizeof *va);
    free(va);
    free(vb);
    double p;
    int64_t counter;
    assert_int_equal(rfnas_supernet_get_double(b, RFNAS_KEY_NET_DROP_PATH_PROB, &p), RFNAS_OK);
    assert_true(p == 0.2);
    assert_int_equal(rfnas_supernet_get_int(b, RFNAS_KEY_NET_DROP_PATH_COUNTER, &counter),
                     RFNAS_OK);
    assert_int_equal(counter, 17);

    /* Another genotype, and a supernet, are other networks. */
    rfnas_supernet *c = make_discrete(ctx, arch[1]);
    assert_int_equal(rfnas_checkpoint_get_supernet(ck, "model", c), RFNAS_E_MISMATCH);
    assert_non_null(strstr(rfnas_error_last(), "genotype"));
    rfnas_supernet *d = make_net(ctx, "darts", "4");
    assert_int_equal(rfnas_checkpoint_get_supernet(ck, "model", d), RFNAS_E_MISMATCH);
    rfnas_checkpoint_destroy(ck);
    rfnas_supernet_destroy(a);
    rfnas_supernet_destroy(b);
    rfnas_supernet_destroy(c);
    rfnas_supernet_destroy(d);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkpoint__arrays_round_trip_through_a_file),
        cmocka_unit_test(test_checkpoint__restored_run_continues_bit_identically),
        cmocka_unit_test(test_checkpoint__mismatches_are_refused_and_change_nothing),
        cmocka_unit_test(test_checkpoint__corrupt_and_truncated_files_are_refused),
        cmocka_unit_test(test_checkpoint__discrete_networks_keep_genotype_and_drop_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
