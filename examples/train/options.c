/* rfnas-train's flag table and its parser (the scheme of rfnas-search's
 * options.c: one row per flag drives parsing, --help, config.json and the
 * settings a checkpoint keeps). */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../search/report.h"

typedef enum kind { K_INT, K_DOUBLE, K_TEXT, K_CHOICE, K_FLAG } kind;

typedef struct flag {
    const char *name; /* without the leading "--" */
    kind kind;
    size_t offset;
    const char *def;
    double lo, hi;       /* K_INT, K_DOUBLE */
    const char *choices; /* K_CHOICE: '|'-separated */
    int identity;        /* part of a run's settings (checkpointed, compared on resume) */
    const char *help;
} flag;

#define F(field) offsetof(train_options, field)

static const flag FLAGS[] = {
    {"genotype", K_TEXT, F(genotype), "", 0, 0, NULL, 1,
     "the architecture: DARTS Genotype(...) text or an NB201 arch string |op~j|+..."},
    {"from-search", K_TEXT, F(from_search), "", 0, 0, NULL, 1,
     "or: an rfnas-search run directory; trains the genotype.txt of its finished search"},
    {"channels", K_INT, F(channels), "16", 1, 1024, NULL, 1, "initial channels C"},
    {"layers", K_INT, F(layers), "0", 0, 64, NULL, 1,
     "DARTS: cells in all (reductions at 1/3 and 2/3); NB201: cells per stage (0 = 5 / 2)"},
    {"stem-multiplier", K_INT, F(stem_multiplier), "3", 1, 16, NULL, 1, "DARTS stem multiplier"},
    {"init", K_CHOICE, F(init), "pytorch", 0, 0, "pytorch|kaiming_normal", 1,
     "weight initialisation (DARTS's evaluation: PyTorch's default)"},
    {"auxiliary", K_FLAG, F(auxiliary), "0", 0, 1, NULL, 1,
     "DARTS: auxiliary head at cell 2L/3 (needs 32x32 inputs: --pad-to 32 on 28x28 data)"},
    {"auxiliary-weight", K_DOUBLE, F(auxiliary_weight), "0.4", 0, 10, NULL, 1,
     "weight of the auxiliary loss"},
    {"drop-path", K_DOUBLE, F(drop_path), "0", 0, 0.99, NULL, 1,
     "DARTS: final drop-path probability, ramped linearly from 0 (p = X * epoch / epochs)"},
    {"dataset", K_CHOICE, F(dataset), "fashion-mnist", 0, 0,
     "fashion-mnist|mnist|cifar10|cifar100|idx|cifar10-files|cifar100-files", 1,
     "dataset (idx, *-files: give --train-files and --test-files)"},
    {"data-dir", K_TEXT, F(data_dir), "", 0, 0, NULL, 1,
     "dataset directory (default: /usr/share/datasets/fashion-mnist for fashion-mnist)"},
    {"train-files", K_TEXT, F(train_files), "", 0, 0, NULL, 1,
     "idx: IMAGES,LABELS; cifar*-files: comma-separated batch files"},
    {"test-files", K_TEXT, F(test_files), "", 0, 0, NULL, 1, "as --train-files, for the test set"},
    {"train-subset", K_INT, F(train_subset), "10000", 0, 100000000, NULL, 1,
     "first N training images trained on (0 = all, the protocol)"},
    {"test-subset", K_INT, F(test_subset), "0", 0, 100000000, NULL, 1,
     "first N test images evaluated (0 = all)"},
    {"batch", K_INT, F(batch), "96", 1, 4096, NULL, 1, "batch size"},
    {"crop-pad", K_INT, F(crop_pad), "4", 0, 64, NULL, 1, "random crop after zero padding"},
    {"flip", K_INT, F(flip), "1", 0, 1, NULL, 1, "random horizontal flip"},
    {"cutout", K_INT, F(cutout), "14", 0, 1024, NULL, 1,
     "cutout square side, 0 = off (SPEC 8.1: 16 on 32x32 CIFAR; 14 keeps that half-side "
     "ratio on 28x28)"},
    {"pad-to", K_INT, F(pad_to), "0", 0, 4096, NULL, 1,
     "pad every image (train and test) with black to NxN, centred (0 = as stored)"},
    {"epochs", K_INT, F(epochs), "3", 1, 100000, NULL, 1, "epochs (the protocol: 600)"},
    {"lr", K_DOUBLE, F(lr), "0.025", 0, 10, NULL, 1, "SGD learning rate"},
    {"lr-min", K_DOUBLE, F(lr_min), "0", 0, 10, NULL, 1, "cosine schedule's final rate"},
    {"momentum", K_DOUBLE, F(momentum), "0.9", 0, 1, NULL, 1, "SGD momentum"},
    {"nesterov", K_INT, F(nesterov), "0", 0, 1, NULL, 1, "Nesterov momentum"},
    {"weight-decay", K_DOUBLE, F(weight_decay), "3e-4", 0, 1, NULL, 1, "weight decay"},
    {"clip", K_DOUBLE, F(clip), "5", 0, 1e6, NULL, 1,
     "gradient clip by global norm (0 = off)"},
    {"seed", K_INT, F(seed), "0", 0, 2147483647, NULL, 1, "random seed (DARTS's evaluation: 0)"},
    {"threads", K_INT, F(threads), "0", 0, 1024, NULL, 1,
     "threads (0 = all cores); results are bit-identical for a given seed and count"},
    {"eval-every", K_INT, F(eval_every), "0", 0, 100000, NULL, 1,
     "also evaluate on the test set every N epochs (0 = after the last epoch only)"},
    {"out", K_TEXT, F(out), "", 0, 0, NULL, 0, "run directory (default runs/train-sSEED)"},
    {"resume", K_TEXT, F(resume), "", 0, 0, NULL, 0,
     "continue the run in this directory from its checkpoint"},
    {"quiet", K_FLAG, F(quiet), "0", 0, 1, NULL, 0, "no progress output"},
    {"kill-after-steps", K_INT, F(kill_after_steps), "0", 0, 1e12, NULL, 0,
     "testing: SIGKILL the program after this many steps (0 = never)"},
};

enum { N_FLAGS = sizeof FLAGS / sizeof FLAGS[0] };

static const flag *find_flag(const char *name, size_t len)
{
    for (int i = 0; i < N_FLAGS; i++)
        if (strlen(FLAGS[i].name) == len && strncmp(FLAGS[i].name, name, len) == 0)
            return &FLAGS[i];
    return NULL;
}

static int in_choices(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

/* Sets one flag from text, checking type and bounds. */
static int set_value(train_options *o, const flag *fl, const char *v, char *err, size_t cap)
{
    char *field = (char *)o + fl->offset;
    char *end;
    switch (fl->kind) {
    case K_INT:
    case K_FLAG: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end != '\0') {
            snprintf(err, cap, "--%s: \"%s\" is not an integer", fl->name, v);
            return -1;
        }
        if ((double)x < fl->lo || (double)x > fl->hi) {
            snprintf(err, cap, "--%s: %lld is outside %g..%g", fl->name, x, fl->lo, fl->hi);
            return -1;
        }
        *(long *)(void *)field = (long)x;
        return 0;
    }
    case K_DOUBLE: {
        errno = 0;
        double x = strtod(v, &end);
        if (errno || end == v || *end != '\0' || !isfinite(x)) {
            snprintf(err, cap, "--%s: \"%s\" is not a number", fl->name, v);
            return -1;
        }
        if (x < fl->lo || x > fl->hi) {
            snprintf(err, cap, "--%s: %g is outside %g..%g", fl->name, x, fl->lo, fl->hi);
            return -1;
        }
        *(double *)(void *)field = x;
        return 0;
    }
    case K_CHOICE:
        if (!in_choices(fl->choices, v)) {
            snprintf(err, cap, "--%s: \"%s\" is not one of %s", fl->name, v, fl->choices);
            return -1;
        }
        /* fall through */
    case K_TEXT:
        if (strlen(v) >= TOPT_TEXT || strchr(v, '\n')) {
            snprintf(err, cap, "--%s: value longer than %d bytes or contains a newline", fl->name,
                     TOPT_TEXT - 1);
            return -1;
        }
        strcpy(field, v);
        return 0;
    }
    return -1;
}

static void value_text(const train_options *o, const flag *fl, char *buf, size_t cap)
{
    const char *field = (const char *)o + fl->offset;
    switch (fl->kind) {
    case K_INT:
    case K_FLAG: snprintf(buf, cap, "%ld", *(const long *)(const void *)field); break;
    case K_DOUBLE: snprintf(buf, cap, "%.17g", *(const double *)(const void *)field); break;
    case K_CHOICE:
    case K_TEXT: snprintf(buf, cap, "%s", field); break;
    }
}

void topt_defaults(train_options *o)
{
    memset(o, 0, sizeof *o);
    char err[256];
    for (int i = 0; i < N_FLAGS; i++)
        set_value(o, &FLAGS[i], FLAGS[i].def, err, sizeof err);
}

static void print_help(void)
{
    printf(
        "Usage: rfnas-train (--genotype TEXT | --from-search DIR) [FLAGS]\n"
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
    for (int i = 0; i < N_FLAGS; i++) {
        const flag *fl = &FLAGS[i];
        char head[64];
        snprintf(head, sizeof head, "--%s%s", fl->name,
                 fl->kind == K_FLAG     ? ""
                 : fl->kind == K_CHOICE ? " X"
                 : fl->kind == K_TEXT   ? " TEXT"
                                        : " N");
        printf("  %-22s %s", head, fl->help);
        if (fl->kind == K_CHOICE)
            printf(" (%s)", fl->choices);
        if (fl->kind != K_FLAG && fl->def[0])
            printf(" [%s]", fl->def);
        printf("\n");
    }
    printf("  %-22s %s\n", "--help", "this text");
    printf("\nOutputs in the run directory: config.json, genotype.txt, log.jsonl (a line per\n"
           "epoch), result.json (test accuracy), checkpoint.rfnas (written at every epoch end\n"
           "and on SIGINT/SIGTERM; continue with --resume DIR).\n");
}

int topt_parse(train_options *o, int argc, char **argv, char *err, size_t cap, char *given,
               size_t given_cap)
{
    size_t given_len = 0;
    if (given && given_cap)
        given[0] = '\0';
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help();
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            snprintf(err, cap, "unexpected argument \"%.200s\" (flags start with --; see --help)",
                     a);
            return -1;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const flag *fl = find_flag(name, len);
        if (fl == NULL) {
            snprintf(err, cap, "unknown flag --%.*s (see --help)", (int)(len < 100 ? len : 100),
                     name);
            return -1;
        }
        const char *value;
        if (eq)
            value = eq + 1;
        else if (fl->kind == K_FLAG)
            value = "1";
        else if (i + 1 < argc)
            value = argv[++i];
        else {
            snprintf(err, cap, "--%s needs a value", fl->name);
            return -1;
        }
        if (set_value(o, fl, value, err, cap) != 0)
            return -1;
        if (given && given_len + strlen(fl->name) + 2 < given_cap)
            given_len += (size_t)snprintf(given + given_len, given_cap - given_len, "%s\n",
                                          fl->name);
    }
    return 0;
}

size_t topt_serialize(const train_options *o, char *buf, size_t cap)
{
    size_t at = 0;
    for (int i = 0; i < N_FLAGS; i++) {
        if (!FLAGS[i].identity)
            continue;
        char v[TOPT_TEXT + 32];
        value_text(o, &FLAGS[i], v, sizeof v);
        int k = snprintf(buf + at, at < cap ? cap - at : 0, "%s=%s\n", FLAGS[i].name, v);
        at += (size_t)k;
    }
    return at;
}

int topt_deserialize(train_options *o, const char *text, char *err, size_t cap)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        /* The name ends at the first '=': genotype text holds '=' of its own. */
        const char *eq = memchr(line, '=', len);
        const flag *fl = eq ? find_flag(line, (size_t)(eq - line)) : NULL;
        if (fl == NULL || !fl->identity) {
            snprintf(err, cap, "checkpoint settings: bad line \"%.*s\"", (int)(len < 60 ? len : 60),
                     line);
            return -1;
        }
        char value[TOPT_TEXT + 32];
        size_t vlen = len - (size_t)(eq + 1 - line);
        if (vlen >= sizeof value) {
            snprintf(err, cap, "checkpoint settings: value of %s too long", fl->name);
            return -1;
        }
        memcpy(value, eq + 1, vlen);
        value[vlen] = '\0';
        if (set_value(o, fl, value, err, cap) != 0)
            return -1;
        line = nl ? nl + 1 : line + len;
    }
    return 0;
}

int topt_is_identity(const char *name)
{
    const flag *fl = find_flag(name, strlen(name));
    return fl != NULL && fl->identity;
}

int topt_value(const train_options *o, const char *name, char *buf, size_t cap)
{
    const flag *fl = find_flag(name, strlen(name));
    if (fl == NULL)
        return 0;
    value_text(o, fl, buf, cap);
    return 1;
}

void topt_json(FILE *f, const train_options *o)
{
    for (int i = 0; i < N_FLAGS; i++) {
        const flag *fl = &FLAGS[i];
        const char *field = (const char *)o + fl->offset;
        fprintf(f, "    ");
        json_string(f, fl->name);
        fprintf(f, ": ");
        switch (fl->kind) {
        case K_INT:
        case K_FLAG: fprintf(f, "%ld", *(const long *)(const void *)field); break;
        case K_DOUBLE: json_number(f, *(const double *)(const void *)field); break;
        case K_CHOICE:
        case K_TEXT: json_string(f, field); break;
        }
        fprintf(f, "%s\n", i + 1 < N_FLAGS ? "," : "");
    }
}
