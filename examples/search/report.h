/* Output helpers of rfnas-search: JSON text, the alpha-evolution SVG and the
 * cell diagram in Graphviz DOT. Plain C over the public API's data; no
 * plotting or JSON dependency. */
#ifndef RFNAS_SEARCH_REPORT_H
#define RFNAS_SEARCH_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "rfnas.h"

/* Writes @p s as a JSON string literal (quotes, escapes, control characters). */
void json_string(FILE *f, const char *s);
/* Writes a double as JSON: finite values with 17 significant digits trimmed
 * to the shortest exact form, NaN and infinities as null. */
void json_number(FILE *f, double v);
/* Writes @p n doubles as a JSON array of json_number()s. */
void json_doubles(FILE *f, const double *v, int64_t n);

/* The history of one search: softmaxed alphas after each epoch, cell type
 * major: history[epoch][cell][edge][op]. */
typedef struct alpha_history {
    int epochs;        /* recorded so far */
    int cell_types, edges, ops;
    const float *values; /* epochs * cell_types * edges * ops */
} alpha_history;

/* A grid of small line charts, one per edge (and cell type), one line per op,
 * epochs on x, softmax weight on y, with a legend of op names. */
int write_alpha_svg(const char *path, const rfnas_space *space, const alpha_history *h);

/* The genotype's cells as a Graphviz digraph: inputs, intermediate nodes,
 * op-labelled edges, and the output (concat for DARTS cells). */
int write_cell_dot(const char *path, const rfnas_genotype *g);

#endif
