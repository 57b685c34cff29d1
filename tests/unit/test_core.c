/* Internal core: the counter-based RNG, error text, handle tags, key table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "error.h"
#include "handle.h"
#include "keys.h"
#include "rng.h"

/* Known-answer vectors of Philox-4x32-10 from Random123's kat_vectors. */
static void test_rng__philox_known_answers(void **state)
{
    (void)state;
    uint32_t out[4];
    rfnas__rng_key zero = {{0, 0}};
    rfnas__rng_block(zero, 0, 0, 0, 0, out);
    assert_int_equal(out[0], 0x6627e8d5u);
    assert_int_equal(out[1], 0xe169c58du);
    assert_int_equal(out[2], 0xbc57ac4cu);
    assert_int_equal(out[3], 0x9b00dbd8u);
    rfnas__rng_key ones = {{0xffffffffu, 0xffffffffu}};
    rfnas__rng_block(ones, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, out);
    assert_int_equal(out[0], 0x408f276du);
    assert_int_equal(out[1], 0x41c83b0eu);
    assert_int_equal(out[2], 0xa20bc7c6u);
    assert_int_equal(out[3], 0x6d5451fdu);
    rfnas__rng_key pi = {{0xa4093822u, 0x299f31d0u}};
    rfnas__rng_block(pi, 0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, out);
    assert_int_equal(out[0], 0xd16cfe09u);
    assert_int_equal(out[1], 0x94fdccebu);
    assert_int_equal(out[2], 0x5001e420u);
    assert_int_equal(out[3], 0x24126ea1u);
}

static void test_rng__keys_separate_purposes_and_streams(void **state)
{
    (void)state;
    rfnas__rng_key a = rfnas__rng_make_key(42, RFNAS__RNG_SHUFFLE, 0);
    rfnas__rng_key b = rfnas__rng_make_key(42, RFNAS__RNG_AUGMENT, 0);
    rfnas__rng_key c = rfnas__rng_make_key(42, RFNAS__RNG_SHUFFLE, 1);
    rfnas__rng_key d = rfnas__rng_make_key(43, RFNAS__RNG_SHUFFLE, 0);
    rfnas__rng_key a2 = rfnas__rng_make_key(42, RFNAS__RNG_SHUFFLE, 0);
    assert_memory_equal(&a, &a2, sizeof a);
    assert_memory_not_equal(&a, &b, sizeof a);
    assert_memory_not_equal(&a, &c, sizeof a);
    assert_memory_not_equal(&a, &d, sizeof a);
}

static void test_rng__below_is_in_range_and_roughly_uniform(void **state)
{
    (void)state;
    rfnas__rng_key k = rfnas__rng_make_key(7, RFNAS__RNG_AUGMENT, 3);
    int counts[9] = {0};
    for (uint32_t i = 0; i < 90000; i++) {
        uint32_t r[4];
        rfnas__rng_block(k, i, 0, 0, 0, r);
        uint32_t v = rfnas__rng_below(r[0], 9);
        assert_true(v < 9);
        counts[v]++;
        float u = rfnas__rng_unit(r[1]);
        assert_true(u >= 0.0f && u < 1.0f);
    }
    for (int v = 0; v < 9; v++) /* 10000 expected; 5 sigma is 500 */
        assert_in_range(counts[v], 9500, 10500);
}

static void test_error__message_set_prefixed_and_cleared(void **state)
{
    (void)state;
    assert_int_equal(rfnas__error(RFNAS_E_FORMAT, "bad %s %d", "thing", 3), RFNAS_E_FORMAT);
    assert_string_equal(rfnas_error_last(), "bad thing 3");
    rfnas__error_prefix("reader %d", 2);
    assert_string_equal(rfnas_error_last(), "reader 2: bad thing 3");
    rfnas__error_clear();
    assert_string_equal(rfnas_error_last(), "");
    /* A long message is cut, never overflowed. */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rfnas__error(RFNAS_E_IO, "%s", big);
    rfnas__error_prefix("%s", big);
    assert_true(strlen(rfnas_error_last()) < 1024);
}

static void test_handle__tags_refuse_wrong_types(void **state)
{
    (void)state;
    rfnas__handle h = {RFNAS__TAG_DATASET};
    assert_int_equal(rfnas__check_handle(&h, RFNAS__TAG_DATASET, "f", "ds"), RFNAS_OK);
    assert_int_equal(rfnas__check_handle(&h, RFNAS__TAG_ITER, "f", "it"), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "rfnas_dataset"));
    assert_non_null(strstr(rfnas_error_last(), "expected rfnas_iter"));
    assert_int_equal(rfnas__check_handle(NULL, RFNAS__TAG_ITER, "f", "it"), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "it is NULL"));
}

static void test_keys__table_is_consistent(void **state)
{
    (void)state;
    for (size_t i = 0; i < rfnas__key_count(); i++) {
        const rfnas__key_info *k = rfnas__key_at(i);
        size_t slot;
        assert_ptr_equal(rfnas__key_info_of(k->key, &slot), k);
        assert_int_equal(slot, i);
        assert_non_null(k->name);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(rfnas__key_at(j)->key, k->key);
            assert_string_not_equal(rfnas__key_at(j)->name, k->name);
        }
        if (k->type == RFNAS_TYPE_INT) {
            assert_true(k->int_lo <= k->int_default && k->int_default <= k->int_hi);
        } else if (k->type == RFNAS_TYPE_DOUBLE) {
            assert_true(k->dbl_lo <= k->dbl_default && k->dbl_default <= k->dbl_hi);
        } else if (k->type == RFNAS_TYPE_STRING) {
            assert_non_null(k->choices);
            assert_non_null(k->choices[0]);
        }
    }
    assert_null(rfnas__key_at(rfnas__key_count()));
}

static void test_config__internal_readers_give_defaults(void **state)
{
    (void)state;
    assert_int_equal(rfnas__config_int(NULL, RFNAS_KEY_ITER_BATCH), 64);
    assert_true(rfnas__config_double(NULL, RFNAS_KEY_ITER_CUTOUT_PROB) == 1.0);
    assert_string_equal(rfnas__config_string(NULL, RFNAS_KEY_DATA_LABELS), "fine");
    const double *v;
    assert_int_equal(rfnas__config_list(NULL, RFNAS_KEY_ITER_MEAN, &v), 0);
    assert_null(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng__philox_known_answers),
        cmocka_unit_test(test_rng__keys_separate_purposes_and_streams),
        cmocka_unit_test(test_rng__below_is_in_range_and_roughly_uniform),
        cmocka_unit_test(test_error__message_set_prefixed_and_cleared),
        cmocka_unit_test(test_handle__tags_refuse_wrong_types),
        cmocka_unit_test(test_keys__table_is_consistent),
        cmocka_unit_test(test_config__internal_readers_give_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
