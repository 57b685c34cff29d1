#include "keys.h"

#include <string.h>

static const char *const cifar_labels[] = {"fine", "coarse", NULL};
static const char *const features[] = {"random", "learned", NULL};
static const char *const inits[] = {"pytorch", "kaiming_normal", NULL};
static const char *const precisions[] = {"fp32", "bf16", "auto", NULL};
static const char *const optimizers[] = {"sgd", "adam", NULL};

#define INT_KEY(k, n, lo, hi, def) {k, n, RFNAS_TYPE_INT, lo, hi, def, 0, 0, 0, NULL}
#define DBL_KEY(k, n, lo, hi, def) {k, n, RFNAS_TYPE_DOUBLE, 0, 0, 0, lo, hi, def, NULL}
#define LIST_KEY(k, n, lo, hi) {k, n, RFNAS_TYPE_DOUBLES, 0, 0, 0, lo, hi, 0, NULL}
#define STR_KEY(k, n, choices) {k, n, RFNAS_TYPE_STRING, 0, 0, 0, 0, 0, 0, choices}

static const rfnas__key_info key_table[] = {
    INT_KEY(RFNAS_KEY_CTX_THREADS, "ctx.threads", 0, 1024, 0),
    INT_KEY(RFNAS_KEY_CTX_SEED, "ctx.seed", 0, INT64_MAX, 0),

    STR_KEY(RFNAS_KEY_NET_FEATURES, "net.features", features),
    INT_KEY(RFNAS_KEY_NET_CHANNELS, "net.channels", 1, 1024, 16),
    INT_KEY(RFNAS_KEY_NET_CELLS, "net.cells", 0, 64, 0),
    INT_KEY(RFNAS_KEY_NET_STEM_MULTIPLIER, "net.stem_multiplier", 1, 16, 3),
    INT_KEY(RFNAS_KEY_NET_CLASSES, "net.classes", 2, 100000, 10),
    INT_KEY(RFNAS_KEY_NET_IN_CHANNELS, "net.in_channels", 1, 64, 3),
    INT_KEY(RFNAS_KEY_NET_IN_HEIGHT, "net.in_height", 4, 4096, 32),
    INT_KEY(RFNAS_KEY_NET_IN_WIDTH, "net.in_width", 4, 4096, 32),
    INT_KEY(RFNAS_KEY_NET_MAX_BATCH, "net.max_batch", 1, 65536, 64),
    INT_KEY(RFNAS_KEY_NET_TRAIN_CLASSIFIER, "net.train_classifier", 0, 1, 0),
    INT_KEY(RFNAS_KEY_NET_TRACK_RUNNING_STATS, "net.track_running_stats", 0, 1, 1),
    STR_KEY(RFNAS_KEY_NET_INIT, "net.init", inits),
    INT_KEY(RFNAS_KEY_NET_PARTIAL_CHANNELS, "net.partial_channels", 1, 64, 1),
    INT_KEY(RFNAS_KEY_NET_EDGE_NORM, "net.edge_norm", 0, 1, 0),
    INT_KEY(RFNAS_KEY_NET_AUXILIARY, "net.auxiliary", 0, 1, 0),
    DBL_KEY(RFNAS_KEY_NET_AUXILIARY_WEIGHT, "net.auxiliary_weight", 0.0, 10.0, 0.4),
    DBL_KEY(RFNAS_KEY_NET_DROP_PATH_PROB, "net.drop_path_prob", 0.0, 0.999999, 0.0),
    INT_KEY(RFNAS_KEY_NET_DROP_PATH_COUNTER, "net.drop_path_counter", 0, INT64_MAX, 0),
    INT_KEY(RFNAS_KEY_NET_NOISE_COUNTER, "net.noise_counter", 0, INT64_MAX, 0),
    STR_KEY(RFNAS_KEY_NET_PRECISION, "net.precision", precisions),

    STR_KEY(RFNAS_KEY_OPT_KIND, "opt.kind", optimizers),
    DBL_KEY(RFNAS_KEY_OPT_LR, "opt.lr", 0.0, 10.0, 0.025),
    DBL_KEY(RFNAS_KEY_OPT_MOMENTUM, "opt.momentum", 0.0, 1.0, 0.9),
    INT_KEY(RFNAS_KEY_OPT_NESTEROV, "opt.nesterov", 0, 1, 0),
    DBL_KEY(RFNAS_KEY_OPT_WEIGHT_DECAY, "opt.weight_decay", 0.0, 1.0, 3e-4),
    DBL_KEY(RFNAS_KEY_OPT_BETA1, "opt.beta1", 0.0, 0.999999, 0.5),
    DBL_KEY(RFNAS_KEY_OPT_BETA2, "opt.beta2", 0.0, 0.999999, 0.999),
    DBL_KEY(RFNAS_KEY_OPT_EPS, "opt.eps", 1e-12, 1.0, 1e-8),
    DBL_KEY(RFNAS_KEY_OPT_GRAD_CLIP, "opt.grad_clip", 0.0, 1e6, 5.0),

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
