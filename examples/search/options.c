/* rfnas-search's flag table; common/flags.c parses, prints and stores it. */
#include "options.h"

#include <stddef.h>
#include <string.h>

#include "../common/data.h"
#include "../common/flags.h"

#define F(field) offsetof(options, field)

static const flag FLAGS[] = {
    {"space", FLAG_CHOICE, F(space), "nb201", 0, 0, "nb201|darts|s1|s2|s3|s4", 1, "search space"},
    {"features", FLAG_CHOICE, F(features), "random", 0, 0, "random|learned", 1,
     "random: RF-DARTS (convolutions frozen, BN affine trained); learned: DARTS"},
    {"method", FLAG_CHOICE, F(method), "darts", 0, 0, "darts|pcdarts", 1,
     "first-order DARTS, or PC-DARTS (a preset: DARTS space, K 4, edge normalisation, "
     "batch 256, w-lr 0.1 to 0, a-lr 6e-4, 15 warm-up epochs; flags given win)"},
    {"partial-channels", FLAG_INT, F(partial_channels), "1", 1, 64, NULL, 1,
     "PC-DARTS K: 1/K of each edge's channels go through the mixed op (1 = off)"},
    {"edge-norm", FLAG_INT, F(edge_norm), "0", 0, 1, NULL, 1,
     "PC-DARTS edge normalisation (betas per node)"},
    {"channels", FLAG_INT, F(channels), "16", 1, 1024, NULL, 1, "initial channels C"},
    {"cells", FLAG_INT, F(cells), "0", 0, 64, NULL, 1,
     "NB201: cells per stage; DARTS: cells in all (0 = 5 / 8)"},
    {"stem-multiplier", FLAG_INT, F(stem_multiplier), "3", 1, 16, NULL, 1, "DARTS stem multiplier"},
    {"init", FLAG_CHOICE, F(init), "kaiming_normal", 0, 0, "kaiming_normal|pytorch", 1,
     "random initialisation of convolutions and classifier"},
    {"precision", FLAG_CHOICE, F(precision), "fp32", 0, 0, "fp32|bf16|auto", 1,
     "arithmetic of the frozen convolutions (net.precision): bf16 on AMX, else fp32"},
    {"train-classifier", FLAG_INT, F(train_classifier), "0", 0, 1, NULL, 1,
     "RF: train the classifier with the BN parameters"},
    {"bn-stats", FLAG_CHOICE, F(bn_stats), "track", 0, 0, "track|batch", 1,
     "BN in cells: track running statistics (evaluation uses them) or batch statistics only"},
    DATASET_FLAGS(options),
    {"train-subset", FLAG_INT, F(train_subset), "10000", 0, 100000000, NULL, 1,
     "first N training images searched on (0 = all)"},
    {"test-subset", FLAG_INT, F(test_subset), "0", 0, 100000000, NULL, 1,
     "first N test images evaluated at the end (0 = all)"},
    {"train-portion", FLAG_DOUBLE, F(train_portion), "0.5", 0.01, 0.99, NULL, 1,
     "fraction of the searched images that train the weights; the rest train alphas"},
    {"batch", FLAG_INT, F(batch), "64", 1, 4096, NULL, 1, "batch size (train and val)"},
    {"crop-pad", FLAG_INT, F(crop_pad), "4", 0, 64, NULL, 1, "random crop after zero padding"},
    {"flip", FLAG_INT, F(flip), "1", 0, 1, NULL, 1, "random horizontal flip"},
    {"cutout", FLAG_INT, F(cutout), "0", 0, 1024, NULL, 1, "cutout square side (0 = off)"},
    {"epochs", FLAG_INT, F(epochs), "3", 1, 100000, NULL, 1, "epochs (the paper: 50)"},
    {"order", FLAG_CHOICE, F(order), "arch-first", 0, 0, "arch-first|weights-first", 1,
     "update order per step: DARTS (arch first) or NB201/AutoDL (weights first)"},
    {"w-lr", FLAG_DOUBLE, F(w_lr), "0.025", 0, 10, NULL, 1, "weights: SGD learning rate"},
    {"w-lr-min", FLAG_DOUBLE, F(w_lr_min), "0.001", 0, 10, NULL, 1,
     "weights: cosine schedule's final rate"},
    {"w-momentum", FLAG_DOUBLE, F(w_momentum), "0.9", 0, 1, NULL, 1, "weights: SGD momentum"},
    {"w-nesterov", FLAG_INT, F(w_nesterov), "0", 0, 1, NULL, 1, "weights: Nesterov momentum"},
    {"w-weight-decay", FLAG_DOUBLE, F(w_weight_decay), "3e-4", 0, 1, NULL, 1,
     "weights: weight decay"},
    {"w-clip", FLAG_DOUBLE, F(w_clip), "5", 0, 1e6, NULL, 1,
     "weights: gradient clip by global norm (0 = off)"},
    {"a-lr", FLAG_DOUBLE, F(a_lr), "3e-4", 0, 10, NULL, 1, "alphas: Adam learning rate"},
    {"a-beta1", FLAG_DOUBLE, F(a_beta1), "0.5", 0, 0.999999, NULL, 1, "alphas: Adam beta1"},
    {"a-beta2", FLAG_DOUBLE, F(a_beta2), "0.999", 0, 0.999999, NULL, 1, "alphas: Adam beta2"},
    {"a-weight-decay", FLAG_DOUBLE, F(a_weight_decay), "1e-3", 0, 1, NULL, 1,
     "alphas: weight decay"},
    {"warmup-epochs", FLAG_INT, F(warmup_epochs), "0", 0, 100000, NULL, 1,
     "epochs that train the weights only (no alpha updates)"},
    {"seed", FLAG_INT, F(seed), "2", 0, 2147483647, NULL, 1, "random seed (DARTS: 2)"},
    {"threads", FLAG_INT, F(threads), "0", 0, 1024, NULL, 1,
     "threads (0 = all cores); results are bit-identical for a given seed and count"},
    {"test", FLAG_INT, F(test), "1", 0, 1, NULL, 1,
     "evaluate the supernet on the test split at the end"},
    {"out", FLAG_TEXT, F(out), "", 0, 0, NULL, 0,
     "run directory (default runs/SPACE-FEATURES-sSEED)"},
    RUN_CONTROL_FLAGS(options),
};

static const flag_table TABLE = {FLAGS, sizeof FLAGS / sizeof FLAGS[0], OPT_TEXT};

void options_defaults(options *o)
{
    flags_defaults(&TABLE, o, sizeof *o);
}

static void print_help(void)
{
    printf("Usage: rfnas-search [FLAGS]\n"
           "RF-DARTS / DARTS architecture search with librfnas. With no flags: RF-DARTS on the\n"
           "NAS-Bench-201 space on Fashion-MNIST, first order, DARTS hyper-parameters, on the\n"
           "first 10,000 training images for 3 epochs (about five minutes on 2 cores). The\n"
           "paper's protocol: --epochs 50 --train-subset 0.\n\nFlags (default in brackets):\n");
    flags_print(&TABLE);
    printf("\nOutputs in the run directory: config.json, log.jsonl (a line per epoch),\n"
           "genotype.txt, alphas.svg, cell.dot (and cell.svg with Graphviz), summary.json,\n"
           "checkpoint.rfnas (written at every epoch end and on SIGINT/SIGTERM).\n");
}

int options_parse(options *o, int argc, char **argv, char *err, size_t cap, char *given,
                  size_t given_cap)
{
    return flags_parse(&TABLE, o, argc, argv, print_help, err, cap, given, given_cap);
}

void options_apply_preset(options *o, const char *given)
{
    static const char *const pcdarts[][2] = {
        {"space", "darts"}, {"partial-channels", "4"}, {"edge-norm", "1"}, {"batch", "256"},
        {"w-lr", "0.1"},    {"w-lr-min", "0"},         {"a-lr", "6e-4"},   {"warmup-epochs", "15"},
    };
    if (strcmp(o->method, "pcdarts") != 0)
        return;
    for (size_t i = 0; i < sizeof pcdarts / sizeof pcdarts[0]; i++)
        if (!flags_was_given(given, pcdarts[i][0])) {
            char err[256];
            const flag *fl = flags_find(&TABLE, pcdarts[i][0], strlen(pcdarts[i][0]));
            flags_set(&TABLE, o, fl, pcdarts[i][1], err, sizeof err);
        }
}

size_t options_serialize(const options *o, char *buf, size_t cap)
{
    return flags_serialize(&TABLE, o, buf, cap);
}

int options_deserialize(options *o, const char *text, char *err, size_t cap)
{
    return flags_deserialize(&TABLE, o, text, err, cap);
}

const char *options_first_change(const options *now, const options *run, const char *given,
                                 char *mine, char *theirs, size_t cap)
{
    return flags_first_change(&TABLE, now, run, given, mine, theirs, cap);
}

void options_json(FILE *f, const options *o)
{
    flags_json(f, &TABLE, o);
}
