/* Command-line settings of rfnas-search: one table gives every flag its
 * name, type, default, bounds and help line, and drives parsing, --help,
 * config.json and the copy of the settings kept in checkpoints. */
#ifndef RFNAS_SEARCH_OPTIONS_H
#define RFNAS_SEARCH_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

enum { OPT_TEXT = 256 };

typedef struct options {
    /* what is searched */
    char space[OPT_TEXT];    /* nb201 | darts | s1..s4 */
    char features[OPT_TEXT]; /* random | learned */
    char method[OPT_TEXT];   /* darts | pcdarts */
    long partial_channels, edge_norm;
    long channels, cells, stem_multiplier;
    char init[OPT_TEXT];
    char precision[OPT_TEXT]; /* fp32 | bf16 | auto (net.precision) */
    long train_classifier;
    char bn_stats[OPT_TEXT]; /* track | batch */
    /* data */
    char dataset[OPT_TEXT];
    char data_dir[OPT_TEXT];
    char train_files[OPT_TEXT], test_files[OPT_TEXT];
    long train_subset, test_subset;
    double train_portion;
    long batch, crop_pad, flip, cutout;
    /* optimisation */
    long epochs;
    char order[OPT_TEXT]; /* arch-first | weights-first */
    double w_lr, w_lr_min, w_momentum, w_weight_decay, w_clip;
    long w_nesterov;
    double a_lr, a_beta1, a_beta2, a_weight_decay;
    long warmup_epochs;
    long seed, threads;
    long test;
    /* the program itself; these are not part of a run's identity */
    char out[OPT_TEXT];
    char resume[OPT_TEXT];
    long quiet;
    long kill_after_steps; /* testing: SIGKILL itself after this many steps */
} options;

/* Fills every field with its default. */
void options_defaults(options *o);

/* Parses argv[1..]; on error writes a one-line reason to @p err and returns -1;
 * returns 1 when --help was asked (help printed to stdout), else 0.
 * @p given, if not NULL, receives the names of the flags that were given, one
 * per line. */
int options_parse(options *o, int argc, char **argv, char *err, size_t cap, char *given,
                  size_t given_cap);

/* Method presets: --method pcdarts sets PC-DARTS's values (SPEC 6.4) for
 * every flag of the preset not in @p given (names one per line). */
void options_apply_preset(options *o, const char *given);

/* The settings that define a run (not out, resume, quiet, kill_after_steps)
 * as "name=value" lines; and back. */
size_t options_serialize(const options *o, char *buf, size_t cap);
int options_deserialize(options *o, const char *text, char *err, size_t cap);

/* On --resume: the first flag given now (@p given) that is part of a run's
 * settings and differs from @p run's, with both values as text (cap bytes
 * each); NULL when there is none. */
const char *options_first_change(const options *now, const options *run, const char *given,
                                 char *mine, char *theirs, size_t cap);

/* Every setting as JSON object members (indented), defining ones and program ones. */
void options_json(FILE *f, const options *o);

#endif
