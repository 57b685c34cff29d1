/* Public API: configs and keys (STYLE R6), status strings, versions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rfnas.h"

static void test_status__strings_are_static_distinct_and_never_null(void **state)
{
    (void)state;
    const rfnas_status all[] = {RFNAS_OK,        RFNAS_END,          RFNAS_E_INVALID,
                                RFNAS_E_NOMEM,   RFNAS_E_IO,         RFNAS_E_FORMAT,
                                RFNAS_E_MISMATCH, RFNAS_E_UNSUPPORTED, RFNAS_E_BACKEND,
                                RFNAS_E_STATE,   RFNAS_E_BUFSIZE,    RFNAS_E_NOTFOUND};
    size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        assert_non_null(rfnas_status_string(all[i]));
        assert_string_not_equal(rfnas_status_string(all[i]), "unknown status");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(rfnas_status_string(all[i]), rfnas_status_string(all[j]));
    }
    assert_string_equal(rfnas_status_string((rfnas_status)-999), "unknown status");
}

static void test_version__runtime_matches_header(void **state)
{
    (void)state;
    assert_int_equal(rfnas_version_number(), RFNAS_VERSION_NUMBER);
    assert_string_equal(rfnas_version_string(), RFNAS_VERSION_STRING);
}

static void test_config__every_key_has_name_type_and_bounds(void **state)
{
    (void)state;
    /* Walk the key space: every key that has a name round-trips through its name. */
    int found = 0;
    for (int k = 0; k < 20000; k++) {
        const char *name = rfnas_key_name((rfnas_key)k);
        if (!name)
            continue;
        found++;
        rfnas_key back;
        assert_int_equal(rfnas_key_from_name(name, &back), RFNAS_OK);
        assert_int_equal(back, k);
        rfnas_type type;
        double lo, hi;
        assert_int_equal(rfnas_key_bounds((rfnas_key)k, &type, &lo, &hi), RFNAS_OK);
        assert_true(lo <= hi);
        assert_true(type >= RFNAS_TYPE_INT && type <= RFNAS_TYPE_DOUBLES);
    }
    assert_true(found >= 15);
    assert_null(rfnas_key_name((rfnas_key)99999));
    assert_int_equal(rfnas_key_bounds((rfnas_key)99999, NULL, NULL, NULL), RFNAS_E_INVALID);
    rfnas_key key;
    assert_int_equal(rfnas_key_from_name("no.such.key", &key), RFNAS_E_NOTFOUND);
    assert_non_null(strstr(rfnas_error_last(), "no.such.key"));
    assert_int_equal(rfnas_key_from_name(NULL, &key), RFNAS_E_INVALID);
}

static void test_config__typed_setters_check_type_and_bounds(void **state)
{
    (void)state;
    rfnas_config *cfg;
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    assert_string_equal(rfnas_error_last(), "");
    int64_t i;
    double d;

    assert_int_equal(rfnas_config_get_int(cfg, RFNAS_KEY_ITER_BATCH, &i), RFNAS_OK);
    assert_int_equal(i, 64);
    assert_false(rfnas_config_is_set(cfg, RFNAS_KEY_ITER_BATCH));
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_ITER_BATCH, 32), RFNAS_OK);
    assert_true(rfnas_config_is_set(cfg, RFNAS_KEY_ITER_BATCH));
    assert_int_equal(rfnas_config_get_int(cfg, RFNAS_KEY_ITER_BATCH, &i), RFNAS_OK);
    assert_int_equal(i, 32);

    /* Out of bounds is refused, never clamped, and the old value stays. */
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_ITER_BATCH, 0), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "iter.batch"));
    assert_int_equal(rfnas_config_get_int(cfg, RFNAS_KEY_ITER_BATCH, &i), RFNAS_OK);
    assert_int_equal(i, 32);
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_ITER_FLIP, 2), RFNAS_E_INVALID);

    /* Doubles: NaN, infinities and out-of-range values are refused. */
    assert_int_equal(rfnas_config_set_double(cfg, RFNAS_KEY_ITER_CUTOUT_PROB, NAN),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_double(cfg, RFNAS_KEY_ITER_CUTOUT_PROB, INFINITY),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_double(cfg, RFNAS_KEY_ITER_CUTOUT_PROB, 1.5),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_double(cfg, RFNAS_KEY_ITER_CUTOUT_PROB, 0.25), RFNAS_OK);
    assert_int_equal(rfnas_config_get_double(cfg, RFNAS_KEY_ITER_CUTOUT_PROB, &d), RFNAS_OK);
    assert_true(d == 0.25);
    /* An integer may set a double key; a double may not set an integer key. */
    assert_int_equal(rfnas_config_set_int(cfg, RFNAS_KEY_ITER_CUTOUT_PROB, 1), RFNAS_OK);
    assert_int_equal(rfnas_config_set_double(cfg, RFNAS_KEY_ITER_BATCH, 8.0), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "takes an integer"));

    /* Strings take one of the key's choices; lists take 1..64 finite values. */
    assert_int_equal(rfnas_config_set_string(cfg, RFNAS_KEY_DATA_LABELS, "coarse"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_string(cfg, RFNAS_KEY_DATA_LABELS, "medium"),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_string(cfg, RFNAS_KEY_DATA_LABELS, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_string(cfg, RFNAS_KEY_ITER_BATCH, "4"), RFNAS_E_INVALID);
    const double mean[3] = {0.49, 0.48, 0.45};
    assert_int_equal(rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_MEAN, mean, 3), RFNAS_OK);
    assert_int_equal(rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_MEAN, mean, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_MEAN, NULL, 3), RFNAS_E_INVALID);
    const double bad_std[2] = {0.2, 0.0};
    assert_int_equal(rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_STD, bad_std, 2),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "iter.std[1]"));

    /* Unknown keys and the wrong handle type. */
    assert_int_equal(rfnas_config_set_int(cfg, (rfnas_key)12345, 1), RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_int(NULL, RFNAS_KEY_ITER_BATCH, 1), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "cfg is NULL"));

    /* Unset restores the default; a successful call clears the error text. */
    assert_int_equal(rfnas_config_unset(cfg, RFNAS_KEY_ITER_BATCH), RFNAS_OK);
    assert_string_equal(rfnas_error_last(), "");
    assert_int_equal(rfnas_config_get_int(cfg, RFNAS_KEY_ITER_BATCH, &i), RFNAS_OK);
    assert_int_equal(i, 64);
    assert_int_equal(rfnas_config_get_int(NULL, RFNAS_KEY_ITER_BATCH, &i), RFNAS_OK);
    assert_int_equal(rfnas_config_get_int(cfg, RFNAS_KEY_ITER_MEAN, &i), RFNAS_E_INVALID);
    rfnas_config_destroy(cfg);
    rfnas_config_destroy(NULL);
}

static void test_config__set_by_name_parses_strictly(void **state)
{
    (void)state;
    rfnas_config *cfg;
    assert_int_equal(rfnas_config_create(&cfg), RFNAS_OK);
    int64_t i;
    double d;
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.batch", "96"), RFNAS_OK);
    rfnas_config_get_int(cfg, RFNAS_KEY_ITER_BATCH, &i);
    assert_int_equal(i, 96);
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.cutout_prob", "5e-1"), RFNAS_OK);
    rfnas_config_get_double(cfg, RFNAS_KEY_ITER_CUTOUT_PROB, &d);
    assert_true(d == 0.5);
    assert_int_equal(rfnas_config_set_by_name(cfg, "ctx.seed", "9223372036854775807"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.mean", "0.1,0.2,0.3"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(cfg, "data.labels", "coarse"), RFNAS_OK);

    const char *bad[][2] = {
        {"iter.batch", "96x"},      {"iter.batch", ""},          {"iter.batch", "1e3"},
        {"iter.batch", "0"},        {"iter.batch", "99999999999999999999"},
        {"ctx.seed", "-1"},         {"iter.cutout_prob", "nan"}, {"iter.cutout_prob", "inf"},
        {"iter.cutout_prob", "0.5 "}, {"iter.cutout_prob", "2"}, {"iter.mean", "0.1,,0.3"},
        {"iter.mean", "0.1,"},      {"iter.mean", ""},           {"iter.std", "1,0"},
        {"data.labels", "Fine"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        rfnas_status rc = rfnas_config_set_by_name(cfg, bad[k][0], bad[k][1]);
        if (rc != RFNAS_E_INVALID)
            fail_msg("%s=\"%s\" gave %d", bad[k][0], bad[k][1], rc);
        assert_non_null(strstr(rfnas_error_last(), bad[k][0]));
    }
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.nope", "1"), RFNAS_E_NOTFOUND);
    assert_int_equal(rfnas_config_set_by_name(cfg, NULL, "1"), RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.batch", NULL), RFNAS_E_INVALID);
    /* The failed attempts left the earlier values alone. */
    rfnas_config_get_int(cfg, RFNAS_KEY_ITER_BATCH, &i);
    assert_int_equal(i, 96);

    /* 65 list elements are too many. */
    char many[65 * 2 + 1] = "";
    for (int k = 0; k < 65; k++)
        strcat(many, k ? ",1" : "1");
    assert_int_equal(rfnas_config_set_by_name(cfg, "iter.mean", many), RFNAS_E_INVALID);
    rfnas_config_destroy(cfg);
}

static void test_config__copy_is_deep(void **state)
{
    (void)state;
    rfnas_config *a, *b;
    assert_int_equal(rfnas_config_create(&a), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(a, "data.labels", "coarse"), RFNAS_OK);
    assert_int_equal(rfnas_config_set_by_name(a, "iter.batch", "7"), RFNAS_OK);
    assert_int_equal(rfnas_config_copy(&b, a), RFNAS_OK);
    rfnas_config_destroy(a);
    int64_t i;
    assert_int_equal(rfnas_config_get_int(b, RFNAS_KEY_ITER_BATCH, &i), RFNAS_OK);
    assert_int_equal(i, 7);
    assert_true(rfnas_config_is_set(b, RFNAS_KEY_DATA_LABELS));
    rfnas_config_destroy(b);
    assert_int_equal(rfnas_config_copy(NULL, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_config_copy(&b, NULL), RFNAS_E_INVALID);
    assert_null(b);
    assert_int_equal(rfnas_config_create(NULL), RFNAS_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status__strings_are_static_distinct_and_never_null),
        cmocka_unit_test(test_version__runtime_matches_header),
        cmocka_unit_test(test_config__every_key_has_name_type_and_bounds),
        cmocka_unit_test(test_config__typed_setters_check_type_and_bounds),
        cmocka_unit_test(test_config__set_by_name_parses_strictly),
        cmocka_unit_test(test_config__copy_is_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
