#include "keys.h"

#include <string.h>

static const char *const cifar_labels[] = {"fine", "coarse", NULL};

#define INT_KEY(k, n, lo, hi, def) {k, n, RFNAS_TYPE_INT, lo, hi, def, 0, 0, 0, NULL}
#define DBL_KEY(k, n, lo, hi, def) {k, n, RFNAS_TYPE_DOUBLE, 0, 0, 0, lo, hi, def, NULL}
#define LIST_KEY(k, n, lo, hi) {k, n, RFNAS_TYPE_DOUBLES, 0, 0, 0, lo, hi, 0, NULL}
#define STR_KEY(k, n, choices) {k, n, RFNAS_TYPE_STRING, 0, 0, 0, 0, 0, 0, choices}

static const rfnas__key_info key_table[] = {
    INT_KEY(RFNAS_KEY_CTX_THREADS, "ctx.threads", 0, 1024, 0),
    INT_KEY(RFNAS_KEY_CTX_SEED, "ctx.seed", 0, INT64_MAX, 0),

    STR_KEY(RFNAS_KEY_DATA_LABELS, "data.labels", cifar_labels),
    INT_KEY(RFNAS_KEY_DATA_NUM_CLASSES, "data.num_classes", 0, 65536, 0),

    INT_KEY(RFNAS_KEY_ITER_BATCH, "iter.batch", 1, 1048576, 64),
    INT_KEY(RFNAS_KEY_ITER_SHUFFLE, "iter.shuffle", 0, 1, 1),
    INT_KEY(RFNAS_KEY_ITER_DROP_LAST, "iter.drop_last", 0, 1, 0),
    INT_KEY(RFNAS_KEY_ITER_STREAM, "iter.stream", 0, INT32_MAX, 0),
    INT_KEY(RFNAS_KEY_ITER_CROP_PAD, "iter.crop_pad", 0, 64, 0),
    INT_KEY(RFNAS_KEY_ITER_FLIP, "iter.flip", 0, 1, 0),
    INT_KEY(RFNAS_KEY_ITER_CUTOUT, "iter.cutout", 0, 1024, 0),
    DBL_KEY(RFNAS_KEY_ITER_CUTOUT_PROB, "iter.cutout_prob", 0.0, 1.0, 1.0),
    LIST_KEY(RFNAS_KEY_ITER_MEAN, "iter.mean", -1e6, 1e6),
    LIST_KEY(RFNAS_KEY_ITER_STD, "iter.std", 1e-12, 1e6),
    INT_KEY(RFNAS_KEY_ITER_NORMALIZE, "iter.normalize", 0, 1, 1),
};

size_t rfnas__key_count(void)
{
    return sizeof key_table / sizeof key_table[0];
}

const rfnas__key_info *rfnas__key_at(size_t slot)
{
    return slot < rfnas__key_count() ? &key_table[slot] : NULL;
}

const rfnas__key_info *rfnas__key_info_of(rfnas_key key, size_t *slot)
{
    for (size_t i = 0; i < rfnas__key_count(); i++) {
        if (key_table[i].key == key) {
            if (slot)
                *slot = i;
            return &key_table[i];
        }
    }
    return NULL;
}
