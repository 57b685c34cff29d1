/* Small helpers the example programs (rfnas-search, rfnas-train) share:
 * library errors, clocks, paths and run-directory files, console progress,
 * and configs, the context and the SGD optimizer from flag values. Messages
 * start with PROGRAM, which each program defines ("rfnas-search: ..."). */
#ifndef RFNAS_EXAMPLES_UTIL_H
#define RFNAS_EXAMPLES_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rfnas.h"

extern const char *const PROGRAM;

/* Prints "PROGRAM: " and the library's last error to stderr; returns -1. */
int fail(void);

/* Returns fail() from the enclosing function when a library call fails. */
#define CHECK(call)                                                                                \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return fail();                                                                         \
    } while (0)

/* Seconds on the monotonic clock. */
double now(void);

/* buf = "dir/name"; returns buf. */
const char *join(char *buf, size_t cap, const char *dir, const char *name);

/* mkdir -p; 0 or -1 (errno set). */
int mkdir_p(const char *path);

/* sum / n, or NaN when n is 0 (no step yet). */
double mean_or_nan(double sum, int64_t n);

/* The checkpoint's file name in a run directory. */
extern const char CHECKPOINT_NAME[];

/* Makes @p dir the directory of a new run: refuses one that already holds a
 * run (a checkpoint), creates it (mkdir -p) and removes the log.jsonl of an
 * attempt that ended before its first checkpoint. -1 after a message. */
int run_dir_create(const char *dir);

/* Loads the checkpoint of the run in @p dir into *ck, through a context of
 * its own in *boot (the run's context needs the settings the checkpoint
 * holds); @p path receives the file's name for messages. -1 after a message. */
int load_checkpoint(const char *dir, rfnas_ctx **boot, rfnas_checkpoint **ck, char *path,
                    size_t cap);

/* dir/log.jsonl opened for appending an epoch's line (its name in @p path);
 * NULL after a message. */
FILE *open_log(const char *dir, char *path, size_t cap);

/* Flushes the line to disk and closes the log; -1 after a message. */
int close_log(FILE *f, const char *path);

/* Cuts a log back to its first `lines` lines (what the checkpoint counts),
 * so that lines written after the last checkpoint are written again, once. */
int truncate_log(const char *path, int64_t lines);

/* Writes dir/name through a temporary file and a rename. */
int write_text(const char *dir, const char *name, const char *text);

/* "1h05m" or "3m07s". */
void format_duration(char *buf, size_t cap, double seconds);

/* The time the remaining @p steps_left steps take at the mean time per step
 * so far, as format_duration writes it: the "left" of an epoch's line. */
void format_time_left(char *buf, size_t cap, double seconds_total, int64_t steps_total,
                      int64_t steps_left);

/* On a terminal, the progress line within an epoch, rewritten in place
 * ("\r  epoch E/N  step S/T"); the epoch's own line overwrites it. */
void show_step(int64_t epoch, long epochs, int64_t step, int64_t steps);

/* A config from {name, value, ..., NULL} through rfnas_config_set_by_name;
 * NULL after printing the library's message. */
rfnas_config *config_of(const char *const *kv);

/* The context of a run from its --seed and --threads; -1 after printing the
 * library's message. */
int ctx_open(rfnas_ctx **ctx, long seed, long threads);

/* The SGD optimizer of @p net's weights (opt.kind sgd) from the flag values;
 * -1 after printing the library's message. */
int sgd_open(rfnas_optimizer **opt, rfnas_supernet *net, double lr, double momentum,
             double weight_decay, double clip, long nesterov);

#endif
