/* Public API: the dataset readers on files the test writes, valid ones first,
 * then every kind of malformed input (issue 2, item 4). Each failure must give
 * a specific status and a message naming the file and the problem, and leave
 * no handle behind (ASan/LSan check the leaks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "rfnas.h"
#include "test_support.h"

typedef struct fixture {
    char *dir;
    rfnas_ctx *ctx;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = ts_mkdtemp();
    if (!f->dir || rfnas_ctx_create(&f->ctx, NULL) != RFNAS_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rfnas_ctx_destroy(f->ctx);
    ts_rmdir(f->dir);
    free(f);
    return 0;
}

static uint8_t pixel(int64_t i, int64_t k)
{
    return (uint8_t)((i * 7 + k * 13) & 255);
}

/* An IDX image file of n x h x w bytes plus trailing/missing bytes, and its labels. */
static uint8_t *make_idx_images(uint32_t n, uint32_t h, uint32_t w, size_t *len)
{
    uint32_t dims[3] = {n, h, w};
    size_t body = (size_t)n * h * w;
    uint8_t *buf = malloc(16 + body);
    size_t at = ts_idx_header(buf, 0x08, 3, dims);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < (size_t)h * w; k++)
            buf[at + i * h * w + k] = pixel((int64_t)i, (int64_t)k);
    *len = at + body;
    return buf;
}

static uint8_t *make_idx_labels(uint32_t n, size_t *len)
{
    uint8_t *buf = malloc(8 + n);
    size_t at = ts_idx_header(buf, 0x08, 1, &n);
    for (uint32_t i = 0; i < n; i++)
        buf[at + i] = (uint8_t)(i % 10);
    *len = at + n;
    return buf;
}

static void write_idx_pair(const char *dir, const char *prefix, uint32_t n, int gz)
{
    size_t li, ll;
    uint8_t *img = make_idx_images(n, 28, 28, &li);
    uint8_t *lab = make_idx_labels(n, &ll);
    char a[256], b[256];
    snprintf(a, sizeof a, "%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
    snprintf(b, sizeof b, "%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");
    assert_int_equal(gz ? ts_write_gz(ts_path(dir, a), img, li) : ts_write(ts_path(dir, a), img, li), 0);
    assert_int_equal(gz ? ts_write_gz(ts_path(dir, b), lab, ll) : ts_write(ts_path(dir, b), lab, ll), 0);
    free(img);
    free(lab);
}

static void check_idx_dataset(rfnas_dataset *ds, int64_t n)
{
    int64_t got_n, c, h, w, classes;
    assert_int_equal(rfnas_dataset_shape(ds, &got_n, &c, &h, &w, &classes), RFNAS_OK);
    assert_int_equal(got_n, n);
    assert_int_equal(c, 1);
    assert_int_equal(h, 28);
    assert_int_equal(w, 28);
    assert_int_equal(classes, 10);
    float img[28 * 28];
    int32_t label;
    for (int64_t i = 0; i < n; i += n / 3 + 1) {
        assert_int_equal(rfnas_dataset_get(ds, i, img, 28 * 28, &label), RFNAS_OK);
        assert_int_equal(label, i % 10);
        for (int k = 0; k < 28 * 28; k++)
            assert_true(img[k] == (float)pixel(i, k) / 255.0f);
    }
}

static void test_readers__idx_plain_and_gzip_by_directory(void **state)
{
    fixture *f = *state;
    write_idx_pair(f->dir, "train", 50, 0);
    write_idx_pair(f->dir, "t10k", 20, 1);
    rfnas_dataset *train, *test;
    assert_int_equal(rfnas_dataset_open(&train, f->ctx, RFNAS_FORMAT_FASHION_MNIST, f->dir,
                                        RFNAS_PART_TRAIN, NULL), RFNAS_OK);
    assert_string_equal(rfnas_error_last(), "");
    assert_int_equal(rfnas_dataset_open(&test, f->ctx, RFNAS_FORMAT_MNIST, f->dir,
                                        RFNAS_PART_TEST, NULL), RFNAS_OK);
    check_idx_dataset(train, 50);
    check_idx_dataset(test, 20);
    int64_t hist[10];
    assert_int_equal(rfnas_dataset_histogram(train, hist, 10), RFNAS_OK);
    for (int k = 0; k < 10; k++)
        assert_int_equal(hist[k], 5);
    assert_int_equal(rfnas_dataset_histogram(train, hist, 9), RFNAS_E_BUFSIZE);
    rfnas_dataset_destroy(train);
    rfnas_dataset_destroy(test);
}

static void test_readers__idx_files_by_path_detect_gzip_by_content(void **state)
{
    fixture *f = *state;
    size_t li, ll;
    uint8_t *img = make_idx_images(12, 28, 28, &li);
    uint8_t *lab = make_idx_labels(12, &ll);
    /* gzip data behind a plain name and plain data behind a ".gz" name. */
    assert_int_equal(ts_write_gz(ts_path(f->dir, "images.bin"), img, li), 0);
    assert_int_equal(ts_write(ts_path(f->dir, "labels.gz"), lab, ll), 0);
    rfnas_dataset *ds;
    assert_int_equal(rfnas_dataset_open_idx(&ds, f->ctx, ts_path(f->dir, "images.bin"),
                                            ts_path(f->dir, "labels.gz"), NULL), RFNAS_OK);
    check_idx_dataset(ds, 12);
    rfnas_dataset_destroy(ds);
    free(img);
    free(lab);
}

static void test_readers__idx_gzip_with_concatenated_members(void **state)
{
    fixture *f = *state;
    size_t li, ll;
    uint8_t *img = make_idx_images(10, 28, 28, &li);
    uint8_t *lab = make_idx_labels(10, &ll);
    /* Two gzip members back to back are one stream to gunzip (RFC 1952). */
    size_t half = li / 2, l1, l2;
    assert_int_equal(ts_write_gz(ts_path(f->dir, "a.gz"), img, half), 0);
    assert_int_equal(ts_write_gz(ts_path(f->dir, "b.gz"), img + half, li - half), 0);
    uint8_t *m1 = NULL, *m2 = NULL;
    FILE *fa = fopen(ts_path(f->dir, "a.gz"), "rb");
    FILE *fb = fopen(ts_path(f->dir, "b.gz"), "rb");
    fseek(fa, 0, SEEK_END);
    fseek(fb, 0, SEEK_END);
    l1 = (size_t)ftell(fa);
    l2 = (size_t)ftell(fb);
    rewind(fa);
    rewind(fb);
    m1 = malloc(l1 + l2);
    m2 = m1 + l1;
    assert_int_equal(fread(m1, 1, l1, fa), l1);
    assert_int_equal(fread(m2, 1, l2, fb), l2);
    fclose(fa);
    fclose(fb);
    assert_int_equal(ts_write(ts_path(f->dir, "img.gz"), m1, l1 + l2), 0);
    assert_int_equal(ts_write(ts_path(f->dir, "lab"), lab, ll), 0);
    rfnas_dataset *ds;
    assert_int_equal(rfnas_dataset_open_idx(&ds, f->ctx, ts_path(f->dir, "img.gz"),
                                            ts_path(f->dir, "lab"), NULL), RFNAS_OK);
    check_idx_dataset(ds, 10);
    rfnas_dataset_destroy(ds);
    free(m1);
    free(img);
    free(lab);
}

static uint8_t *make_cifar(size_t records, int cifar100, size_t *len)
{
    size_t rec = cifar100 ? 3074 : 3073;
    uint8_t *buf = malloc(records * rec);
    for (size_t r = 0; r < records; r++) {
        uint8_t *p = buf + r * rec;
        if (cifar100) {
            p[0] = (uint8_t)(r % 20);
            p[1] = (uint8_t)((r * 3) % 100);
        } else {
            p[0] = (uint8_t)(r % 10);
        }
        for (size_t k = 0; k < 3072; k++)
            p[rec - 3072 + k] = pixel((int64_t)r, (int64_t)k);
    }
    *len = records * rec;
    return buf;
}

static void test_readers__cifar10_directory_in_file_order(void **state)
{
    fixture *f = *state;
    for (int b = 1; b <= 5; b++) {
        size_t len;
        uint8_t *buf = make_cifar(4, 0, &len);
        for (size_t r = 0; r < 4; r++) /* mark the batch in the first pixel */
            buf[r * 3073 + 1] = (uint8_t)(b * 10 + r);
        char name[64];
        snprintf(name, sizeof name, "data_batch_%d.bin", b);
        assert_int_equal(ts_write(ts_path(f->dir, name), buf, len), 0);
        free(buf);
    }
    rfnas_dataset *ds;
    assert_int_equal(rfnas_dataset_open(&ds, f->ctx, RFNAS_FORMAT_CIFAR10, f->dir,
                                        RFNAS_PART_TRAIN, NULL), RFNAS_OK);
    int64_t n, c, h, w, classes;
    assert_int_equal(rfnas_dataset_shape(ds, &n, &c, &h, &w, &classes), RFNAS_OK);
    assert_int_equal(n, 20);
    assert_int_equal(c, 3);
    assert_int_equal(h, 32);
    assert_int_equal(w, 32);
    assert_int_equal(classes, 10);
    float img[3072];
    int32_t label;
    for (int64_t i = 0; i < 20; i++) {
        assert_int_equal(rfnas_dataset_get(ds, i, img, 3072, &label), RFNAS_OK);
        assert_int_equal(label, i % 4 % 10);
        assert_true(img[0] == (float)((i / 4 + 1) * 10 + i % 4) / 255.0f);
        /* R plane, then G, then B: pixel k of the record is value k of the sample. */
        assert_true(img[1500] == (float)pixel(i % 4, 1500) / 255.0f);
    }
    rfnas_dataset_destroy(ds);
    /* The test part is missing: a clear not-found naming the file. */
    assert_int_equal(rfnas_dataset_open(&ds, f->ctx, RFNAS_FORMAT_CIFAR10, f->dir,
                                        RFNAS_PART_TEST, NULL), RFNAS_E_NOTFOUND);
    assert_non_null(strstr(rfnas_error_last(), "test_batch.bin"));
    assert_null(ds);
}

static void test_readers__cifar100_fine_and_coarse_in_archive_subdir(void **state)
{
    fixture *f = *state;
    char sub[512];
    snprintf(sub, sizeof sub, "%s/cifar-100-binary", f->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    size_t len;
    uint8_t *buf = make_cifar(30, 1, &len);
    assert_int_equal(ts_write(ts_path(sub, "test.bin"), buf, len), 0);
    free(buf);
    rfnas_dataset *fine, *coarse;
    assert_int_equal(rfnas_dataset_open(&fine, f->ctx, RFNAS_FORMAT_CIFAR100, f->dir,
                                        RFNAS_PART_TEST, NULL), RFNAS_OK);
    rfnas_config *cfg;
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    assert_int_equal(rfnas_config_set_string(cfg, RFNAS_KEY_DATA_LABELS, "coarse"), RFNAS_OK);
    assert_int_equal(rfnas_dataset_open(&coarse, f->ctx, RFNAS_FORMAT_CIFAR100, f->dir,
                                        RFNAS_PART_TEST, cfg), RFNAS_OK);
    rfnas_config_destroy(cfg);
    int64_t classes;
    rfnas_dataset_shape(fine, NULL, NULL, NULL, NULL, &classes);
    assert_int_equal(classes, 100);
    rfnas_dataset_shape(coarse, NULL, NULL, NULL, NULL, &classes);
    assert_int_equal(classes, 20);
    float img[3072];
    int32_t lf, lc;
    for (int64_t i = 0; i < 30; i++) {
        rfnas_dataset_get(fine, i, img, 3072, &lf);
        rfnas_dataset_get(coarse, i, img, 3072, &lc);
        assert_int_equal(lf, (i * 3) % 100);
        assert_int_equal(lc, i % 20);
        assert_true(img[3071] == (float)pixel(i, 3071) / 255.0f);
    }
    rfnas_dataset_destroy(fine);
    rfnas_dataset_destroy(coarse);
}

/* ---- malformed input ---------------------------------------------------- */

typedef struct bad_case {
    const char *name;
    rfnas_status status;
    const char *message; /* a substring rfnas_error_last() must contain */
} bad_case;

/* Opens images file @p img with a valid label file of @p n labels, expecting failure. */
static void expect_idx_failure(fixture *f, const void *img, size_t len, int gz, uint32_t n,
                               const bad_case *bc)
{
    const char *ipath = ts_path(f->dir, "bad-images");
    const char *lpath = ts_path(f->dir, "good-labels");
    assert_int_equal(gz ? ts_write_gz(ipath, img, len) : ts_write(ipath, img, len), 0);
    size_t ll;
    uint8_t *lab = make_idx_labels(n, &ll);
    assert_int_equal(ts_write(lpath, lab, ll), 0);
    free(lab);
    rfnas_dataset *ds = (rfnas_dataset *)(uintptr_t)1;
    rfnas_status rc = rfnas_dataset_open_idx(&ds, f->ctx, ipath, lpath, NULL);
    if (rc != bc->status || !strstr(rfnas_error_last(), bc->message) ||
        !strstr(rfnas_error_last(), "bad-images"))
        fail_msg("%s: status %d (want %d), message \"%s\" (want \"%s\" and the file name)",
                 bc->name, rc, bc->status, rfnas_error_last(), bc->message);
    assert_null(ds);
}

static void test_readers__malformed_idx_images(void **state)
{
    fixture *f = *state;
    size_t len;
    uint8_t *good = make_idx_images(10, 28, 28, &len);
    uint8_t *buf = malloc(len + 100);

    const bad_case truncated = {"truncated data", RFNAS_E_FORMAT, "truncated"};
    expect_idx_failure(f, good, len - 1, 0, 10, &truncated);
    expect_idx_failure(f, good, len - 500, 1, 10, &truncated);

    memcpy(buf, good, len);
    memset(buf + len, 0xAB, 100);
    const bad_case oversized = {"trailing data", RFNAS_E_FORMAT, "trailing data"};
    expect_idx_failure(f, buf, len + 100, 0, 10, &oversized);

    const bad_case short_header = {"header cut", RFNAS_E_FORMAT, "truncated header"};
    expect_idx_failure(f, good, 9, 0, 10, &short_header);
    const bad_case tiny = {"three bytes", RFNAS_E_FORMAT, "too short"};
    expect_idx_failure(f, good, 3, 0, 10, &tiny);
    const bad_case empty_file = {"empty file", RFNAS_E_FORMAT, "too short"};
    expect_idx_failure(f, good, 0, 0, 10, &empty_file);

    memcpy(buf, good, len);
    buf[0] = 0x01;
    const bad_case magic = {"bad magic", RFNAS_E_FORMAT, "bad magic"};
    expect_idx_failure(f, buf, len, 0, 10, &magic);
    memcpy(buf, good, len);
    buf[2] = 0x07;
    expect_idx_failure(f, buf, len, 0, 10, &magic);
    memcpy(buf, good, len);
    buf[2] = 0x0D;
    const bad_case floats = {"float32 data", RFNAS_E_UNSUPPORTED, "float32"};
    expect_idx_failure(f, buf, len, 0, 10, &floats);
    memcpy(buf, good, len);
    buf[3] = 2;
    const bad_case dims = {"two dimensions", RFNAS_E_FORMAT, "2 dimensions"};
    expect_idx_failure(f, buf, len, 0, 10, &dims);

    /* Dimensions whose product overflows 64 bits, and a zero dimension. */
    uint32_t huge[3] = {1000, 0xFFFFFFFFu, 0xFFFFFFFFu};
    uint8_t hdr[16];
    ts_idx_header(hdr, 0x08, 3, huge);
    const bad_case overflow = {"overflowing dims", RFNAS_E_FORMAT, "overflows"};
    expect_idx_failure(f, hdr, 16, 0, 10, &overflow);
    uint32_t too_many[3] = {0xFFFFFFFFu, 1, 1};
    ts_idx_header(hdr, 0x08, 3, too_many);
    const bad_case count = {"too many samples", RFNAS_E_FORMAT, "exceed the limit"};
    expect_idx_failure(f, hdr, 16, 0, 10, &count);
    uint32_t zero[3] = {0, 28, 28};
    ts_idx_header(hdr, 0x08, 3, zero);
    const bad_case empty = {"no images", RFNAS_E_FORMAT, "empty"};
    expect_idx_failure(f, hdr, 16, 0, 10, &empty);

    /* More images than labels. */
    const bad_case mismatch = {"count mismatch", RFNAS_E_MISMATCH, "labels"};
    expect_idx_failure(f, good, len, 0, 9, &mismatch);
    free(buf);
    free(good);
}

/* Writes a gzip file, then damages it at @p at (or cuts it to @p cut bytes). */
static void damaged_gzip(fixture *f, const uint8_t *data, size_t len, long at, long cut,
                         const bad_case *bc)
{
    const char *p = ts_path(f->dir, "bad-images");
    assert_int_equal(ts_write_gz(p, data, len), 0);
    FILE *fp = fopen(p, "rb");
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    rewind(fp);
    uint8_t *z = malloc((size_t)size);
    assert_int_equal(fread(z, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    if (at >= 0)
        z[at < 0 ? size + at : at] ^= 0x5A;
    size_t keep = cut >= 0 ? (size_t)cut : (size_t)size;
    expect_idx_failure(f, z, keep, 0, 10, bc);
    free(z);
}

static void test_readers__corrupt_and_truncated_gzip(void **state)
{
    fixture *f = *state;
    size_t len;
    uint8_t *good = make_idx_images(10, 28, 28, &len);
    /* A stream cut in the middle. */
    const bad_case cut = {"cut gzip", RFNAS_E_FORMAT, "truncated gzip stream"};
    damaged_gzip(f, good, len, -1, 200, &cut);
    /* A stream cut inside its 8-byte trailer (CRC and length). */
    FILE *fp;
    {
        const char *p = ts_path(f->dir, "x.gz");
        ts_write_gz(p, good, len);
        fp = fopen(p, "rb");
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fclose(fp);
        damaged_gzip(f, good, len, -1, size - 4, &cut);
    }
    /* A flipped byte in the deflate data, and one in the stored CRC. */
    const bad_case corrupt = {"corrupt gzip", RFNAS_E_FORMAT, "gzip stream"};
    damaged_gzip(f, good, len, 40, -1, &corrupt);
    {
        const char *p = ts_path(f->dir, "y.gz");
        ts_write_gz(p, good, len);
        fp = fopen(p, "rb");
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fclose(fp);
        const bad_case crc = {"bad crc", RFNAS_E_FORMAT, "incorrect data check"};
        damaged_gzip(f, good, len, size - 6, -1, &crc);
    }
    /* Only the gzip magic. */
    const uint8_t magic_only[2] = {0x1f, 0x8b};
    const bad_case bare = {"bare magic", RFNAS_E_FORMAT, "gzip stream"};
    expect_idx_failure(f, magic_only, 2, 0, 10, &bare);
    free(good);
}

static void test_readers__malformed_labels(void **state)
{
    fixture *f = *state;
    size_t li, ll;
    uint8_t *img = make_idx_images(10, 28, 28, &li);
    uint8_t *lab = make_idx_labels(10, &ll);
    const char *ip = ts_path(f->dir, "images");
    const char *lp = ts_path(f->dir, "bad-labels");
    assert_int_equal(ts_write(ip, img, li), 0);
    rfnas_dataset *ds;
    struct {
        size_t at;
        uint8_t value;
        size_t len;
        rfnas_status status;
        const char *message;
    } cases[] = {
        {8 + 3, 10, 0, RFNAS_E_FORMAT, "out of range 0..9"},  /* label 10 in a 10-class set */
        {8 + 9, 255, 0, RFNAS_E_FORMAT, "out of range"},
        {3, 3, 0, RFNAS_E_FORMAT, "3 dimensions"},            /* labels must be 1-D */
        {2, 0x0C, 0, RFNAS_E_UNSUPPORTED, "int32"},
        {0, 0, 15, RFNAS_E_FORMAT, "truncated"},
        {7, 11, 0, RFNAS_E_FORMAT, "truncated"}, /* header says 11 labels, file holds 10 */
        {7, 9, 0, RFNAS_E_FORMAT, "trailing"},   /* header says 9, file holds 10 */
        {7, 0, 0, RFNAS_E_FORMAT, "no labels"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t *copy = malloc(ll);
        memcpy(copy, lab, ll);
        copy[cases[k].at] = cases[k].value;
        assert_int_equal(ts_write(lp, copy, cases[k].len ? cases[k].len : ll), 0);
        free(copy);
        rfnas_config *cfg;
        rfnas_config_create(&cfg);
        rfnas_config_set_int(cfg, RFNAS_KEY_DATA_NUM_CLASSES, 10);
        rfnas_status rc = rfnas_dataset_open_idx(&ds, f->ctx, ip, lp, cfg);
        rfnas_config_destroy(cfg);
        if (rc != cases[k].status || !strstr(rfnas_error_last(), cases[k].message) ||
            !strstr(rfnas_error_last(), "bad-labels"))
            fail_msg("label case %zu: status %d, message \"%s\"", k, rc, rfnas_error_last());
        assert_null(ds);
    }
    free(img);
    free(lab);
}

static void test_readers__malformed_cifar(void **state)
{
    fixture *f = *state;
    size_t len;
    uint8_t *buf = make_cifar(3, 0, &len);
    const char *p = ts_path(f->dir, "bad.bin");
    const char *paths[] = {p};
    rfnas_dataset *ds;

    assert_int_equal(ts_write(p, buf, len - 1), 0); /* truncated last record */
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, paths, 1, 0, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "bad.bin"));
    assert_non_null(strstr(rfnas_error_last(), "whole number"));
    assert_null(ds);

    assert_int_equal(ts_write(p, buf, 0), 0); /* empty */
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, paths, 1, 0, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "empty"));

    buf[3073] = 10; /* second record, label out of range */
    assert_int_equal(ts_write(p, buf, len), 0);
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, paths, 1, 0, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "record 1"));
    assert_non_null(strstr(rfnas_error_last(), "out of range 0..9"));

    /* CIFAR-10 records read as CIFAR-100: 3 x 3073 bytes is not a multiple of 3074. */
    buf[3073] = 1;
    assert_int_equal(ts_write(p, buf, len), 0);
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, paths, 1, 1, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "CIFAR-100"));
    free(buf);

    uint8_t *c100 = make_cifar(2, 1, &len);
    c100[3074 + 1] = 100; /* fine label 100 */
    assert_int_equal(ts_write(p, c100, len), 0);
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, paths, 1, 1, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "fine label 100"));
    c100[3074 + 1] = 5;
    c100[0] = 20; /* coarse label 20 */
    assert_int_equal(ts_write(p, c100, len), 0);
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, paths, 1, 1, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "coarse label 20"));
    free(c100);
}

static void test_readers__missing_files_and_bad_arguments(void **state)
{
    fixture *f = *state;
    rfnas_dataset *ds = (rfnas_dataset *)(uintptr_t)1;
    assert_int_equal(rfnas_dataset_open(&ds, f->ctx, RFNAS_FORMAT_FASHION_MNIST, f->dir,
                                        RFNAS_PART_TRAIN, NULL), RFNAS_E_NOTFOUND);
    assert_non_null(strstr(rfnas_error_last(), "train-images-idx3-ubyte"));
    assert_null(ds);
    assert_int_equal(rfnas_dataset_open_idx(&ds, f->ctx, ts_path(f->dir, "nope"),
                                            ts_path(f->dir, "nope2"), NULL), RFNAS_E_NOTFOUND);
    assert_non_null(strstr(rfnas_error_last(), "nope"));
    /* A directory where a file should be. */
    assert_int_equal(rfnas_dataset_open_idx(&ds, f->ctx, f->dir, f->dir, NULL), RFNAS_E_IO);
    assert_non_null(strstr(rfnas_error_last(), "not a regular file"));

    assert_int_equal(rfnas_dataset_open(NULL, f->ctx, RFNAS_FORMAT_MNIST, f->dir,
                                        RFNAS_PART_TRAIN, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_open(&ds, NULL, RFNAS_FORMAT_MNIST, f->dir, RFNAS_PART_TRAIN,
                                        NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_open(&ds, f->ctx, RFNAS_FORMAT_MNIST, NULL, RFNAS_PART_TRAIN,
                                        NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_open(&ds, f->ctx, (rfnas_format)77, f->dir, RFNAS_PART_TRAIN,
                                        NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_open(&ds, f->ctx, RFNAS_FORMAT_MNIST, f->dir, (rfnas_part)5,
                                        NULL), RFNAS_E_INVALID);
    /* A handle of the wrong type where a context or config is expected. */
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    assert_int_equal(rfnas_dataset_open(&ds, (rfnas_ctx *)(void *)cfg, RFNAS_FORMAT_MNIST, f->dir,
                                        RFNAS_PART_TRAIN, NULL), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "rfnas_config"));
    assert_int_equal(rfnas_dataset_open(&ds, f->ctx, RFNAS_FORMAT_MNIST, f->dir, RFNAS_PART_TRAIN,
                                        (rfnas_config *)(void *)f->ctx), RFNAS_E_INVALID);
    rfnas_config_destroy(cfg);
    const char *none[1] = {NULL};
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, none, 1, 0, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, none, 0, 0, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_open_cifar(&ds, f->ctx, NULL, 1, 0, NULL), RFNAS_E_INVALID);
    rfnas_dataset_destroy(NULL);
}

static void test_readers__caller_arrays_are_validated_and_copied(void **state)
{
    fixture *f = *state;
    uint8_t px[2 * 3 * 4 * 5];
    float fx[2 * 3 * 4 * 5];
    for (size_t k = 0; k < sizeof px; k++) {
        px[k] = (uint8_t)k;
        fx[k] = (float)k * 0.5f;
    }
    int32_t labels[2] = {1, 4};
    rfnas_dataset *a, *b;
    assert_int_equal(rfnas_dataset_create_u8(&a, f->ctx, px, labels, 2, 3, 4, 5, NULL), RFNAS_OK);
    assert_int_equal(rfnas_dataset_create_f32(&b, f->ctx, fx, labels, 2, 3, 4, 5, NULL), RFNAS_OK);
    px[60] = 0; /* the library holds its own copies */
    fx[60] = -1.0f;
    labels[1] = 0;
    float out[60];
    int32_t label;
    assert_int_equal(rfnas_dataset_get(a, 1, out, 60, &label), RFNAS_OK);
    assert_int_equal(label, 4);
    assert_true(out[0] == 60.0f / 255.0f);
    assert_int_equal(rfnas_dataset_get(b, 1, out, 60, &label), RFNAS_OK);
    assert_true(out[0] == 30.0f);
    assert_int_equal(rfnas_dataset_get(b, 1, out, 59, &label), RFNAS_E_BUFSIZE);
    assert_int_equal(rfnas_dataset_get(b, 2, out, 60, &label), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_get(b, -1, out, 60, &label), RFNAS_E_INVALID);
    int64_t classes;
    rfnas_dataset_shape(a, NULL, NULL, NULL, NULL, &classes);
    assert_int_equal(classes, 5); /* largest label + 1 */
    rfnas_dataset_destroy(a);
    rfnas_dataset_destroy(b);

    labels[1] = 4;
    rfnas_dataset *ds = (rfnas_dataset *)(uintptr_t)1;
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, px, labels, 0, 3, 4, 5, NULL),
                     RFNAS_E_INVALID);
    assert_null(ds);
    assert_non_null(strstr(rfnas_error_last(), "empty dimension"));
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, px, labels, 2, 3, -4, 5, NULL),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, px, labels, 2, INT64_MAX / 2, 4, 5,
                                             NULL), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "overflows"));
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, NULL, labels, 2, 3, 4, 5, NULL),
                     RFNAS_E_INVALID);
    labels[0] = -1;
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, px, labels, 2, 3, 4, 5, NULL),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "labels[0]"));
    labels[0] = 3;
    rfnas_config *cfg;
    rfnas_config_create(&cfg);
    rfnas_config_set_int(cfg, RFNAS_KEY_DATA_NUM_CLASSES, 4);
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, px, labels, 2, 3, 4, 5, cfg),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "labels[1] = 4"));
    rfnas_config_destroy(cfg);
    fx[7] = 0.0f / 0.0f;
    assert_int_equal(rfnas_dataset_create_f32(&ds, f->ctx, fx, labels, 2, 3, 4, 5, NULL),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "pixels[7]"));
    assert_null(ds);
}

static void test_readers__split_and_subset_views(void **state)
{
    fixture *f = *state;
    uint8_t px[11];
    int32_t labels[11];
    for (int k = 0; k < 11; k++) {
        px[k] = (uint8_t)(k * 20);
        labels[k] = k % 3;
    }
    rfnas_dataset *ds, *a, *b, *s;
    assert_int_equal(rfnas_dataset_create_u8(&ds, f->ctx, px, labels, 11, 1, 1, 1, NULL),
                     RFNAS_OK);
    /* DARTS rule: the first floor(n/2) samples, then the rest (SVHN 73257 -> 36628/36629). */
    assert_int_equal(rfnas_dataset_split(&a, &b, ds, 0.5), RFNAS_OK);
    int64_t na, nb;
    rfnas_dataset_shape(a, &na, NULL, NULL, NULL, NULL);
    rfnas_dataset_shape(b, &nb, NULL, NULL, NULL, NULL);
    assert_int_equal(na, 5);
    assert_int_equal(nb, 6);
    float v;
    int32_t label;
    assert_int_equal(rfnas_dataset_get(b, 0, &v, 1, &label), RFNAS_OK);
    assert_true(v == 100.0f / 255.0f);
    assert_int_equal(label, 5 % 3);
    /* Views outlive their parent. */
    rfnas_dataset_destroy(ds);
    assert_int_equal(rfnas_dataset_subset(&s, b, 2, 3), RFNAS_OK);
    assert_int_equal(rfnas_dataset_get(s, 2, &v, 1, &label), RFNAS_OK);
    assert_true(v == 180.0f / 255.0f); /* b[4] = sample 9 */
    rfnas_dataset *x = (rfnas_dataset *)(uintptr_t)1, *y = (rfnas_dataset *)(uintptr_t)1;
    assert_int_equal(rfnas_dataset_split(&x, &y, b, 0.0), RFNAS_E_INVALID);
    assert_null(x);
    assert_null(y);
    assert_int_equal(rfnas_dataset_split(&x, &y, b, 1.0), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_split(&x, &y, b, 0.1), RFNAS_E_INVALID); /* 0 of 6 */
    assert_non_null(strstr(rfnas_error_last(), "empty part"));
    assert_int_equal(rfnas_dataset_subset(&x, b, 4, 3), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_subset(&x, b, 0, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_subset(&x, b, -1, 2), RFNAS_E_INVALID);
    assert_int_equal(rfnas_dataset_subset(&x, b, INT64_MAX, 2), RFNAS_E_INVALID);
    rfnas_dataset_destroy(a);
    rfnas_dataset_destroy(b);
    rfnas_dataset_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readers__idx_plain_and_gzip_by_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__idx_files_by_path_detect_gzip_by_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__idx_gzip_with_concatenated_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__cifar10_directory_in_file_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__cifar100_fine_and_coarse_in_archive_subdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__malformed_idx_images, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__corrupt_and_truncated_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__malformed_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__malformed_cifar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__missing_files_and_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__caller_arrays_are_validated_and_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers__split_and_subset_views, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
