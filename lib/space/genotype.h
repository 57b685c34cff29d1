/* Genotypes (internal view): the discrete architecture as (op, target, source) pairs. */
#ifndef RFNAS_SPACE_GENOTYPE_H
#define RFNAS_SPACE_GENOTYPE_H

#include <stdint.h>

#include "space.h"

enum { RFNAS__MAX_PAIRS = 8, RFNAS__MAX_STATES = 6 };

typedef struct rfnas__pair {
    uint8_t op;     /* rfnas__op */
    uint8_t target; /* state index the pair feeds */
    uint8_t source; /* state index it reads */
} rfnas__pair;

struct rfnas_genotype {
    rfnas__handle hdr;
    rfnas_topology topology;
    int cell_types;
    int pairs; /* per cell: 6 (NB201, one per edge) or 8 (DARTS, two per node) */
    rfnas__pair cell[RFNAS__MAX_CELL_TYPES][RFNAS__MAX_PAIRS];
    /* DARTS only: the concatenated states and how the text wrote them. */
    uint8_t concat[RFNAS__MAX_CELL_TYPES][RFNAS__MAX_STATES];
    int concat_len[RFNAS__MAX_CELL_TYPES];
    int concat_as_range[RFNAS__MAX_CELL_TYPES];
    char quote; /* ' or " around op names */
};

/* A zeroed genotype with its tag, topology and counts set; NULL if out of memory. */
rfnas_genotype *rfnas__genotype_new(rfnas_topology topology);

#endif
