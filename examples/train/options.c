/* rfnas-train's flag table: one row per flag drives parsing, --help,
 * config.json and the settings a checkpoint keeps, through the flag engine
 * of common/flags.c that rfnas-search shares. */
#include "options.h"

#include <stddef.h>

#include "../common/data.h"
#include "../common/flags.h"

#define F(field) offsetof(train_options, field)

static const flag FLAGS[] = {
    {"genotype", FLAG_TEXT, F(genotype), "", 0, 0, NULL, 1,
     "the architecture: DARTS Genotype(...) text or an NB201 arch string |op~j|+..."},
    {"from-search", FLAG_TEXT, F(from_search), "", 0, 0, NULL, 1,
     "or: an rfnas-search run directory; trains the genotype.txt of its finished search"},
    {"channels", FLAG_INT, F(channels), "16", 1, 1024, NULL, 1, "initial channels C"},
    {"layers", FLAG_INT, F(layers), "0", 0, 64, NULL, 1,
     "DARTS: cells in all (reductions at 1/3 and 2/3); NB201: cells per stage (0 = 5 / 2)"},
    {"stem-multiplier", FLAG_INT, F(stem_multiplier), "3", 1, 16, NULL, 1, "DARTS stem multiplier"},
    {"init", FLAG_CHOICE, F(init), "pytorch", 0, 0, "pytorch|kaiming_normal", 1,
     "weight initialisation (DARTS's evaluation: PyTorch's default)"},
    {"auxiliary", FLAG_SWITCH, F(auxiliary), "0", 0, 1, NULL, 1,
     "DARTS: auxiliary head at cell 2L/3 (needs 32x32 inputs: --pad-to 32 on 28x28 data)"},
    {"auxiliary-weight", FLAG_DOUBLE, F(auxiliary_weight), "0.4", 0, 10, NULL, 1,
     "weight of the auxiliary loss"},
    {"drop-path", FLAG_DOUBLE, F(drop_path), "0", 0, 0.99, NULL, 1,
     "DARTS: final drop-path probability, ramped linearly from 0 (p = X * epoch / epochs)"},
    DATASET_FLAGS(train_options),
    {"train-subset", FLAG_INT, F(train_subset), "10000", 0, 100000000, NULL, 1,
     "first N training images trained on (0 = all, the protocol)"},
    {"test-subset", FLAG_INT, F(test_subset), "0", 0, 100000000, NULL, 1,
     "first N test images evaluated (0 = all)"},
    {"batch", FLAG_INT, F(batch), "96", 1, 4096, NULL, 1, "batch size"},
    {"crop-pad", FLAG_INT, F(crop_pad), "4", 0, 64, NULL, 1, "random crop after zero padding"},
    {"flip", FLAG_INT, F(flip), "1", 0, 1, NULL, 1, "random horizontal flip"},
    {"cutout", FLAG_INT, F(cutout), "14", 0, 1024, NULL, 1,
     "cutout square side, 0 = off (SPEC 8.1: 16 on 32x32 CIFAR; 14 keeps that half-side "
     "ratio on 28x28)"},
    {"pad-to", FLAG_INT, F(pad_to), "0", 0, 4096, NULL, 1,
     "pad every image (train and test) with black to NxN, centred (0 = as stored)"},
    {"epochs", FLAG_INT, F(epochs), "3", 1, 100000, NULL, 1, "epochs (the protocol: 600)"},
    {"lr", FLAG_DOUBLE, F(lr), "0.025", 0, 10, NULL, 1, "SGD learning rate"},
    {"lr-min", FLAG_DOUBLE, F(lr_min), "0", 0, 10, NULL, 1, "cosine schedule's final rate"},
    {"momentum", FLAG_DOUBLE, F(momentum), "0.9", 0, 1, NULL, 1, "SGD momentum"},
    {"nesterov", FLAG_INT, F(nesterov), "0", 0, 1, NULL, 1, "Nesterov momentum"},
    {"weight-decay", FLAG_DOUBLE, F(weight_decay), "3e-4", 0, 1, NULL, 1, "weight decay"},
    {"clip", FLAG_DOUBLE, F(clip), "5", 0, 1e6, NULL, 1, "gradient clip by global norm (0 = off)"},
    {"seed", FLAG_INT, F(seed), "0", 0, 2147483647, NULL, 1, "random seed (DARTS's evaluation: 0)"},
    {"threads", FLAG_INT, F(threads), "0", 0, 1024, NULL, 1,
     "threads (0 = all cores); results are bit-identical for a given seed and count"},
    {"eval-every", FLAG_INT, F(eval_every), "0", 0, 100000, NULL, 1,
     "also evaluate on the test set every N epochs (0 = after the last epoch only)"},
    {"out", FLAG_TEXT, F(out), "", 0, 0, NULL, 0, "run directory (default runs/train-sSEED)"},
    RUN_CONTROL_FLAGS(train_options),
};

static const flag_table TABLE = {FLAGS, sizeof FLAGS / sizeof FLAGS[0], TOPT_TEXT};

void topt_defaults(train_options *o)
{
    flags_defaults(&TABLE, o, sizeof *o);
}

static void print_help(void)
{
    printf("Usage: rfnas-train (--genotype TEXT | --from-search DIR) [FLAGS]\n"
           "Trains a found architecture from scratch with librfnas (SPEC 8.1: SGD with momentum,\n"
           "cosine learning rate, weight decay, gradient clipping, crop + flip + cutout, optional\n"
           "auxiliary head and drop-path ramp), then reports its test accuracy. The defaults are\n"
           "sized for 2 cores: a small network (C 16; DARTS 5 cells, NB201 2 cells per stage) on\n"
           "the first 10,000 Fashion-MNIST training images for 3 epochs, a few minutes.\n"
           "\n"
           "The full DARTS CIFAR-10 protocol (SPEC 8.1; days on a CPU):\n"
           "  rfnas-train --genotype \"Genotype(...)\" --dataset cifar10 --data-dir DIR \\\n"
           "    --channels 36 --layers 20 --epochs 600 --batch 96 --lr 0.025 --lr-min 0 \\\n"
           "    --momentum 0.9 --weight-decay 3e-4 --clip 5 --auxiliary --auxiliary-weight 0.4 \\\n"
           "    --drop-path 0.2 --cutout 16 --train-subset 0 --seed 0\n"
           "\nFlags (default in brackets):\n");
    flags_print(&TABLE);
    printf("\nOutputs in the run directory: config.json, genotype.txt, log.jsonl (a line per\n"
           "epoch), result.json (test accuracy), checkpoint.rfnas (written at every epoch end\n"
           "and on SIGINT/SIGTERM; continue with --resume DIR).\n");
}

int topt_parse(train_options *o, int argc, char **argv, char *err, size_t cap, char *given,
               size_t given_cap)
{
    return flags_parse(&TABLE, o, argc, argv, print_help, err, cap, given, given_cap);
}

size_t topt_serialize(const train_options *o, char *buf, size_t cap)
{
    return flags_serialize(&TABLE, o, buf, cap);
}

int topt_deserialize(train_options *o, const char *text, char *err, size_t cap)
{
    return flags_deserialize(&TABLE, o, text, err, cap);
}

const char *topt_first_change(const train_options *now, const train_options *run, const char *given,
                              char *mine, char *theirs, size_t cap)
{
    return flags_first_change(&TABLE, now, run, given, mine, theirs, cap);
}

void topt_json(FILE *f, const train_options *o)
{
    flags_json(f, &TABLE, o);
}
