/* The command-line flag engine of the example programs (rfnas-search,
 * rfnas-train): a program describes its flags in one table (name, type,
 * default, bounds, help) over the fields of its own settings struct, and
 * this engine parses argv, prints the flag list of --help, writes the
 * settings as JSON, and turns the settings that make up a run's identity
 * into "name=value" lines for a checkpoint and back. */
#ifndef RFNAS_EXAMPLES_FLAGS_H
#define RFNAS_EXAMPLES_FLAGS_H

#include <stddef.h>
#include <stdio.h>

typedef enum flag_kind {
    FLAG_INT,    /* long */
    FLAG_DOUBLE, /* double, finite */
    FLAG_TEXT,   /* char[text_cap] */
    FLAG_CHOICE, /* char[text_cap], one of the '|'-separated choices */
    FLAG_SWITCH  /* long 0/1; "--name" alone means 1 */
} flag_kind;

typedef struct flag {
    const char *name; /* without the leading "--" */
    flag_kind kind;
    size_t offset;       /* of the field in the settings struct */
    const char *def;     /* default, as text */
    double lo, hi;       /* FLAG_INT, FLAG_DOUBLE, FLAG_SWITCH */
    const char *choices; /* FLAG_CHOICE: '|'-separated */
    int identity;        /* part of a run's settings (checkpointed, compared on resume) */
    const char *help;
} flag;

typedef struct flag_table {
    const flag *flags;
    int n;
    size_t text_cap; /* size of every text field, terminator included */
} flag_table;

/* The rows of --resume, --quiet and --kill-after-steps in a program's flag
 * table, over its settings struct `type` (fields resume, quiet,
 * kill_after_steps): flags that drive a run without being part of it, which
 * both programs take alike (a resumed run takes them from the command line). */
/* clang-format off */
#define RUN_CONTROL_FLAGS(type)                                                                    \
    {"resume", FLAG_TEXT, offsetof(type, resume), "", 0, 0, NULL, 0,                               \
     "continue the run in this directory from its checkpoint"},                                    \
    {"quiet", FLAG_SWITCH, offsetof(type, quiet), "0", 0, 1, NULL, 0, "no progress output"},       \
    {"kill-after-steps", FLAG_INT, offsetof(type, kill_after_steps), "0", 0, 1e12, NULL, 0,        \
     "testing: SIGKILL the program after this many steps (0 = never)"}
/* clang-format on */

/* The flag called name[0..len), or NULL. */
const flag *flags_find(const flag_table *t, const char *name, size_t len);

/* Sets one flag of the settings at base from text, checking type and bounds;
 * -1 with a one-line reason in err. */
int flags_set(const flag_table *t, void *base, const flag *fl, const char *v, char *err,
              size_t cap);

/* The flag's value as text (doubles with 17 significant digits). */
void flags_value_text(const void *base, const flag *fl, char *buf, size_t cap);

/* Zeroes size bytes at base, then sets every default. */
void flags_defaults(const flag_table *t, void *base, size_t size);

/* "  --name X   help (choices) [default]" for every flag, then --help. */
void flags_print(const flag_table *t);

/* Parses argv[1..argc) into base. 0 when done, 1 when --help was asked for
 * (help() has printed it), -1 with a reason in err. The names of the flags
 * given go to `given`, one per line. */
int flags_parse(const flag_table *t, void *base, int argc, char **argv, void (*help)(void),
                char *err, size_t cap, char *given, size_t given_cap);

/* 1 when the flag called name was among the `given` of flags_parse. */
int flags_was_given(const char *given, const char *name);

/* On --resume: the first flag named in `given` that is part of a run's
 * identity and has another value in `now` (this command line) than in `run`
 * (the run's settings). Returns its name, with the two values as text in
 * mine and theirs (cap bytes each), or NULL when every such flag agrees. */
const char *flags_first_change(const flag_table *t, const void *now, const void *run,
                               const char *given, char *mine, char *theirs, size_t cap);

/* "name=value\n" for every identity flag; returns the length it needed. */
size_t flags_serialize(const flag_table *t, const void *base, char *buf, size_t cap);

/* Sets identity flags from flags_serialize's text; -1 on a bad line. */
int flags_deserialize(const flag_table *t, void *base, const char *text, char *err, size_t cap);

/* Every flag as the members of a JSON object, one per line. */
void flags_json(FILE *f, const flag_table *t, const void *base);

#endif
