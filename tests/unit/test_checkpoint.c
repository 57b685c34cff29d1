/* Checkpoint files: round trip, and every kind of damage refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "io/checkpoint.h"
#include "test_support.h"

typedef struct fixture {
    rfnas_ctx *ctx;
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = ts_mkdtemp();
    if (rfnas_ctx_create(&f->ctx, NULL) != RFNAS_OK)
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

static void write_sample(fixture *f, const char *path)
{
    rfnas__ckpt_writer *w;
    float values[1000];
    for (int i = 0; i < 1000; i++)
        values[i] = (float)i * 0.5f - 3.0f;
    int64_t counters[3] = {7, -1, INT64_MAX};
    assert_int_equal(rfnas__ckpt_writer_create(&w, f->ctx), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_add(w, "weights.values", RFNAS__CKPT_F32, values, 1000), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_add(w, "counters", RFNAS__CKPT_I64, counters, 3), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_add(w, "config", RFNAS__CKPT_BYTES, "{\"a\":1}", 7), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_add(w, "empty", RFNAS__CKPT_F32, NULL, 0), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_add(w, "", RFNAS__CKPT_F32, values, 1), RFNAS_E_INVALID);
    assert_int_equal(rfnas__ckpt_add(w, "x", (rfnas__ckpt_type)9, values, 1), RFNAS_E_INVALID);
    assert_int_equal(rfnas__ckpt_write_file(w, path), RFNAS_OK);
    rfnas__ckpt_writer_destroy(w);
}

static void test_checkpoint__round_trip(void **state)
{
    fixture *f = *state;
    const char *path = ts_path(f->dir, "ck.rfnas");
    write_sample(f, path);
    assert_int_not_equal(access(ts_path(f->dir, "ck.rfnas.tmp"), F_OK), 0);
    rfnas__ckpt_reader *r;
    assert_int_equal(rfnas__ckpt_read_file(&r, f->ctx, path), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_record_count(r), 4);
    const void *data;
    uint64_t n;
    assert_int_equal(rfnas__ckpt_find(r, "weights.values", RFNAS__CKPT_F32, &data, &n), RFNAS_OK);
    assert_int_equal(n, 1000);
    assert_true(((const float *)data)[999] == 999 * 0.5f - 3.0f);
    assert_int_equal(rfnas__ckpt_find(r, "counters", RFNAS__CKPT_I64, &data, &n), RFNAS_OK);
    assert_int_equal(((const int64_t *)data)[2], INT64_MAX);
    assert_int_equal(rfnas__ckpt_find(r, "config", RFNAS__CKPT_BYTES, &data, &n), RFNAS_OK);
    assert_memory_equal(data, "{\"a\":1}", 7);
    assert_int_equal(rfnas__ckpt_find(r, "empty", RFNAS__CKPT_F32, &data, &n), RFNAS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(rfnas__ckpt_find(r, "counters", RFNAS__CKPT_F32, &data, &n), RFNAS_E_FORMAT);
    assert_int_equal(rfnas__ckpt_find(r, "absent", RFNAS__CKPT_F32, &data, &n), RFNAS_E_NOTFOUND);
    rfnas__ckpt_reader_destroy(r);
}

static void damage_and_expect(fixture *f, long at, int cut, rfnas_status want, const char *msg)
{
    const char *path = ts_path(f->dir, "ck.rfnas");
    write_sample(f, path);
    size_t len;
    FILE *fp = fopen(path, "rb");
    fseek(fp, 0, SEEK_END);
    len = (size_t)ftell(fp);
    rewind(fp);
    uint8_t *buf = malloc(len);
    assert_int_equal(fread(buf, 1, len, fp), len);
    fclose(fp);
    if (at >= 0)
        buf[at] ^= 0x40;
    assert_int_equal(ts_write(path, buf, cut ? len / 2 : len), 0);
    free(buf);
    rfnas__ckpt_reader *r = (rfnas__ckpt_reader *)(uintptr_t)1;
    rfnas_status rc = rfnas__ckpt_read_file(&r, f->ctx, path);
    if (rc != want || !strstr(rfnas_error_last(), msg))
        fail_msg("damage at %ld cut %d: status %d, \"%s\"", at, cut, rc, rfnas_error_last());
    assert_null(r);
}

static void test_checkpoint__damage_is_detected(void **state)
{
    fixture *f = *state;
    damage_and_expect(f, 0, 0, RFNAS_E_FORMAT, "bad magic");
    damage_and_expect(f, 17, 0, RFNAS_E_FORMAT, "header CRC");
    damage_and_expect(f, 25, 0, RFNAS_E_FORMAT, "header CRC");
    damage_and_expect(f, 40, 0, RFNAS_E_FORMAT, "payload");
    damage_and_expect(f, -1, 1, RFNAS_E_FORMAT, "payload");
    /* A newer format version (with a consistent header CRC) is unsupported, not corrupt. */
    const char *path = ts_path(f->dir, "ck.rfnas");
    write_sample(f, path);
    size_t len;
    uint8_t *buf = ts_read_all(path, &len);
    /* ts_read_all inflates gzip only; the file is raw, so this is the file itself */
    buf[8] = 2;
    uint32_t crc = (uint32_t)crc32(0L, buf, 28);
    for (int i = 0; i < 4; i++)
        buf[28 + i] = (uint8_t)(crc >> (8 * i));
    assert_int_equal(ts_write(path, buf, len), 0);
    free(buf);
    rfnas__ckpt_reader *r;
    assert_int_equal(rfnas__ckpt_read_file(&r, f->ctx, path), RFNAS_E_UNSUPPORTED);
    assert_non_null(strstr(rfnas_error_last(), "version 2"));
    assert_int_equal(rfnas__ckpt_read_file(&r, f->ctx, ts_path(f->dir, "none")), RFNAS_E_NOTFOUND);
    assert_int_equal(ts_write(path, "tiny", 4), 0);
    assert_int_equal(rfnas__ckpt_read_file(&r, f->ctx, path), RFNAS_E_FORMAT);
}

static void test_checkpoint__failed_write_keeps_the_old_file(void **state)
{
    fixture *f = *state;
    const char *path = ts_path(f->dir, "ck.rfnas");
    write_sample(f, path);
    /* The temporary name is taken by a directory: the write fails, the old file stays. */
    char tmpdir[1024];
    snprintf(tmpdir, sizeof tmpdir, "%s.tmp", path);
    assert_int_equal(mkdir(tmpdir, 0700), 0);
    rfnas__ckpt_writer *w;
    assert_int_equal(rfnas__ckpt_writer_create(&w, f->ctx), RFNAS_OK);
    float one = 1.0f;
    assert_int_equal(rfnas__ckpt_add(w, "other", RFNAS__CKPT_F32, &one, 1), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_write_file(w, path), RFNAS_E_IO);
    assert_non_null(strstr(rfnas_error_last(), "ck.rfnas.tmp"));
    rfnas__ckpt_writer_destroy(w);
    rmdir(tmpdir);
    rfnas__ckpt_reader *r;
    assert_int_equal(rfnas__ckpt_read_file(&r, f->ctx, path), RFNAS_OK);
    assert_int_equal(rfnas__ckpt_record_count(r), 4);
    rfnas__ckpt_reader_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_checkpoint__round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint__damage_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint__failed_write_keeps_the_old_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
