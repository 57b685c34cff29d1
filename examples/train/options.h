/* Command-line settings of rfnas-train: one table gives every flag its name,
 * type, default, bounds and help line, and drives parsing, --help,
 * config.json and the copy of the settings kept in checkpoints (the same
 * scheme as rfnas-search's options, with the flags of training a genotype). */
#ifndef RFNAS_TRAIN_OPTIONS_H
#define RFNAS_TRAIN_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

/* Text values: a DARTS genotype is ~450 characters, paths may be long. */
enum { TOPT_TEXT = 1024 };

typedef struct train_options {
    /* what is trained */
    char genotype[TOPT_TEXT];    /* genotype text, or "" */
    char from_search[TOPT_TEXT]; /* an rfnas-search run directory, or "" */
    long channels, layers, stem_multiplier;
    char init[TOPT_TEXT];
    long auxiliary;
    double auxiliary_weight, drop_path;
    /* data */
    char dataset[TOPT_TEXT];
    char data_dir[TOPT_TEXT];
    char train_files[TOPT_TEXT], test_files[TOPT_TEXT];
    long train_subset, test_subset;
    long batch, crop_pad, flip, cutout, pad_to;
    /* optimisation */
    long epochs;
    double lr, lr_min, momentum, weight_decay, clip;
    long nesterov;
    long seed, threads;
    long eval_every;
    /* the program itself; these are not part of a run's identity */
    char out[TOPT_TEXT];
    char resume[TOPT_TEXT];
    long quiet;
    long kill_after_steps; /* testing: SIGKILL itself after this many steps */
} train_options;

/* Fills every field with its default. */
void topt_defaults(train_options *o);

/* Parses argv[1..]; on error writes a one-line reason to @p err and returns -1;
 * returns 1 when --help was asked (help printed to stdout), else 0.
 * @p given, if not NULL, receives the names of the flags that were given, one
 * per line. */
int topt_parse(train_options *o, int argc, char **argv, char *err, size_t cap, char *given,
               size_t given_cap);

/* The settings that define a run (not out, resume, quiet, kill_after_steps)
 * as "name=value" lines; and back. */
size_t topt_serialize(const train_options *o, char *buf, size_t cap);
int topt_deserialize(train_options *o, const char *text, char *err, size_t cap);

/* On --resume: the first flag given now (@p given) that is part of a run's
 * settings and differs from @p run's, with both values as text (cap bytes
 * each); NULL when there is none. */
const char *topt_first_change(const train_options *now, const train_options *run, const char *given,
                              char *mine, char *theirs, size_t cap);

/* Every setting as JSON object members (indented), defining ones and program ones. */
void topt_json(FILE *f, const train_options *o);

#endif
