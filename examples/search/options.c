#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

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

#define F(field) offsetof(options, field)

static const flag FLAGS[] = {
    {"space", K_CHOICE, F(space), "nb201", 0, 0, "nb201|darts|s1|s2|s3|s4", 1,
     "search space"},
    {"features", K_CHOICE, F(features), "random", 0, 0, "random|learned", 1,
     "random: RF-DARTS (convolutions frozen, BN affine trained); learned: DARTS"},
    {"method", K_CHOICE, F(method), "darts", 0, 0, "darts|pcdarts", 1,
     "first-order DARTS, or PC-DARTS (a preset: DARTS space, K 4, edge normalisation, "
     "batch 256, w-lr 0.1 to 0, a-lr 6e-4, 15 warm-up epochs; flags given win)"},
    {"partial-channels", K_INT, F(partial_channels), "1", 1, 64, NULL, 1,
     "PC-DARTS K: 1/K of each edge's channels go through the mixed op (1 = off)"},
    {"edge-norm", K_INT, F(edge_norm), "0", 0, 1, NULL, 1,
     "PC-DARTS edge normalisation (betas per node)"},
    {"channels", K_INT, F(channels), "16", 1, 1024, NULL, 1, "initial channels C"},
    {"cells", K_INT, F(cells), "0", 0, 64, NULL, 1,
     "NB201: cells per stage; DARTS: cells in all (0 = 5 / 8)"},
    {"stem-multiplier", K_INT, F(stem_multiplier), "3", 1, 16, NULL, 1, "DARTS stem multiplier"},
    {"init", K_CHOICE, F(init), "kaiming_normal", 0, 0, "kaiming_normal|pytorch", 1,
     "random initialisation of convolutions and classifier"},
    {"precision", K_CHOICE, F(precision), "fp32", 0, 0, "fp32|bf16|auto", 1,
     "arithmetic of the frozen convolutions (net.precision): bf16 on AMX, else fp32"},
    {"train-classifier", K_INT, F(train_classifier), "0", 0, 1, NULL, 1,
     "RF: train the classifier with the BN parameters"},
    {"bn-stats", K_CHOICE, F(bn_stats), "track", 0, 0, "track|batch", 1,
     "BN in cells: track running statistics (evaluation uses them) or batch statistics only"},
    {"dataset", K_CHOICE, F(dataset), "fashion-mnist", 0, 0,
     "fashion-mnist|mnist|cifar10|cifar100|idx|cifar10-files|cifar100-files", 1,
     "dataset (idx, *-files: give --train-files and --test-files)"},
    {"data-dir", K_TEXT, F(data_dir), "", 0, 0, NULL, 1,
     "dataset directory (default: /usr/share/datasets/fashion-mnist for fashion-mnist)"},
    {"train-files", K_TEXT, F(train_files), "", 0, 0, NULL, 1,
     "idx: IMAGES,LABELS; cifar*-files: comma-separated batch files"},
    {"test-files", K_TEXT, F(test_files), "", 0, 0, NULL, 1, "as --train-files, for the test set"},
    {"train-subset", K_INT, F(train_subset), "10000", 0, 100000000, NULL, 1,
     "first N training images searched on (0 = all)"},
    {"test-subset", K_INT, F(test_subset), "0", 0, 100000000, NULL, 1,
     "first N test images evaluated at the end (0 = all)"},
    {"train-portion", K_DOUBLE, F(train_portion), "0.5", 0.01, 0.99, NULL, 1,
     "fraction of the searched images that train the weights; the rest train alphas"},
    {"batch", K_INT, F(batch), "64", 1, 4096, NULL, 1, "batch size (train and val)"},
    {"crop-pad", K_INT, F(crop_pad), "4", 0, 64, NULL, 1, "random crop after zero padding"},
    {"flip", K_INT, F(flip), "1", 0, 1, NULL, 1, "random horizontal flip"},
    {"cutout", K_INT, F(cutout), "0", 0, 1024, NULL, 1, "cutout square side (0 = off)"},
    {"epochs", K_INT, F(epochs), "3", 1, 100000, NULL, 1, "epochs (the paper: 50)"},
    {"order", K_CHOICE, F(order), "arch-first", 0, 0, "arch-first|weights-first", 1,
     "update order per step: DARTS (arch first) or NB201/AutoDL (weights first)"},
    {"w-lr", K_DOUBLE, F(w_lr), "0.025", 0, 10, NULL, 1, "weights: SGD learning rate"},
    {"w-lr-min", K_DOUBLE, F(w_lr_min), "0.001", 0, 10, NULL, 1,
     "weights: cosine schedule's final rate"},
    {"w-momentum", K_DOUBLE, F(w_momentum), "0.9", 0, 1, NULL, 1, "weights: SGD momentum"},
    {"w-nesterov", K_INT, F(w_nesterov), "0", 0, 1, NULL, 1, "weights: Nesterov momentum"},
    {"w-weight-decay", K_DOUBLE, F(w_weight_decay), "3e-4", 0, 1, NULL, 1,
     "weights: weight decay"},
    {"w-clip", K_DOUBLE, F(w_clip), "5", 0, 1e6, NULL, 1,
     "weights: gradient clip by global norm (0 = off)"},
    {"a-lr", K_DOUBLE, F(a_lr), "3e-4", 0, 10, NULL, 1, "alphas: Adam learning rate"},
    {"a-beta1", K_DOUBLE, F(a_beta1), "0.5", 0, 0.999999, NULL, 1, "alphas: Adam beta1"},
    {"a-beta2", K_DOUBLE, F(a_beta2), "0.999", 0, 0.999999, NULL, 1, "alphas: Adam beta2"},
    {"a-weight-decay", K_DOUBLE, F(a_weight_decay), "1e-3", 0, 1, NULL, 1,
     "alphas: weight decay"},
    {"warmup-epochs", K_INT, F(warmup_epochs), "0", 0, 100000, NULL, 1,
     "epochs that train the weights only (no alpha updates)"},
    {"seed", K_INT, F(seed), "2", 0, 2147483647, NULL, 1, "random seed (DARTS: 2)"},
    {"threads", K_INT, F(threads), "0", 0, 1024, NULL, 1,
     "threads (0 = all cores); results are bit-identical for a given seed and count"},
    {"test", K_INT, F(test), "1", 0, 1, NULL, 1,
     "evaluate the supernet on the test split at the end"},
    {"out", K_TEXT, F(out), "", 0, 0, NULL, 0,
     "run directory (default runs/SPACE-FEATURES-sSEED)"},
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
static int set_value(options *o, const flag *fl, const char *v, char *err, size_t cap)
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
        if (strlen(v) >= OPT_TEXT || strchr(v, '\n')) {
            snprintf(err, cap, "--%s: value too long or contains a newline", fl->name);
            return -1;
        }
        strcpy(field, v);
        return 0;
    }
    return -1;
}

static void value_text(const options *o, const flag *fl, char *buf, size_t cap)
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

void options_defaults(options *o)
{
    memset(o, 0, sizeof *o);
    char err[256];
    for (int i = 0; i < N_FLAGS; i++)
        set_value(o, &FLAGS[i], FLAGS[i].def, err, sizeof err);
}

static void print_help(void)
{
    printf("Usage: rfnas-search [FLAGS]\n"
           "RF-DARTS / DARTS architecture search with librfnas. With no flags: RF-DARTS on the\n"
           "NAS-Bench-201 space on Fashion-MNIST, first order, DARTS hyper-parameters, on the\n"
           "first 10,000 training images for 3 epochs (about five minutes on 2 cores). The\n"
           "paper's protocol: --epochs 50 --train-subset 0.\n\nFlags (default in brackets):\n");
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
    printf("\nOutputs in the run directory: config.json, log.jsonl (a line per epoch),\n"
           "genotype.txt, alphas.svg, cell.dot (and cell.svg with Graphviz), summary.json,\n"
           "checkpoint.rfnas (written at every epoch end and on SIGINT/SIGTERM).\n");
}

int options_parse(options *o, int argc, char **argv, char *err, size_t cap, char *given,
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
            snprintf(err, cap, "unexpected argument \"%s\" (flags start with --; see --help)", a);
            return -1;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const flag *fl = find_flag(name, len);
        if (fl == NULL) {
            snprintf(err, cap, "unknown flag --%.*s (see --help)", (int)len, name);
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
        if (given && given_len + strlen(fl->name) + 2 < given_cap) {
            given_len += (size_t)snprintf(given + given_len, given_cap - given_len, "%s\n",
                                          fl->name);
        }
    }
    return 0;
}

void options_apply_preset(options *o, const char *given)
{
    static const char *const pcdarts[][2] = {
        {"space", "darts"},        {"partial-channels", "4"}, {"edge-norm", "1"},
        {"batch", "256"},          {"w-lr", "0.1"},           {"w-lr-min", "0"},
        {"a-lr", "6e-4"},          {"warmup-epochs", "15"},
    };
    if (strcmp(o->method, "pcdarts") != 0)
        return;
    for (size_t i = 0; i < sizeof pcdarts / sizeof pcdarts[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s\n", pcdarts[i][0]);
        int was_given = strncmp(given, line, strlen(line)) == 0;
        char needle[66];
        snprintf(needle, sizeof needle, "\n%s", line);
        was_given = was_given || strstr(given, needle) != NULL;
        if (!was_given) {
            char err[256];
            const flag *fl = find_flag(pcdarts[i][0], strlen(pcdarts[i][0]));
            set_value(o, fl, pcdarts[i][1], err, sizeof err);
        }
    }
}

size_t options_serialize(const options *o, char *buf, size_t cap)
{
    size_t at = 0;
    for (int i = 0; i < N_FLAGS; i++) {
        if (!FLAGS[i].identity)
            continue;
        char v[OPT_TEXT + 32];
        value_text(o, &FLAGS[i], v, sizeof v);
        int k = snprintf(buf + at, at < cap ? cap - at : 0, "%s=%s\n", FLAGS[i].name, v);
        at += (size_t)k;
    }
    return at;
}

int options_deserialize(options *o, const char *text, char *err, size_t cap)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *eq = memchr(line, '=', len);
        const flag *fl = eq ? find_flag(line, (size_t)(eq - line)) : NULL;
        if (fl == NULL || !fl->identity) {
            snprintf(err, cap, "checkpoint settings: bad line \"%.*s\"", (int)(len < 60 ? len : 60),
                     line);
            return -1;
        }
        char value[OPT_TEXT + 32];
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

int options_value(const options *o, const char *name, char *buf, size_t cap)
{
    const flag *fl = find_flag(name, strlen(name));
    if (fl == NULL)
        return 0;
    value_text(o, fl, buf, cap);
    return 1;
}

void options_json(FILE *f, const options *o)
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
