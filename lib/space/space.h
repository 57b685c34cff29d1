/* Search spaces (internal view): a cell topology and per-edge op lists. */
#ifndef RFNAS_SPACE_SPACE_H
#define RFNAS_SPACE_SPACE_H

#include <stdint.h>

#include "handle.h"
#include "ops.h"

enum {
    RFNAS__MAX_EDGES = 14,      /* DARTS: 2 inputs + 4 nodes */
    RFNAS__MAX_OPS = 16,        /* candidates per edge */
    RFNAS__MAX_CELL_TYPES = 2,  /* normal, reduce */
    RFNAS__DARTS_NODES = 4,
    RFNAS__NB201_NODES = 4      /* node 0 is the cell input */
};

struct rfnas_space {
    rfnas__handle hdr;
    char name[16];
    rfnas_topology topology;
    int cell_types;
    int edges;
    int ops_per_edge;
    uint8_t ops[RFNAS__MAX_CELL_TYPES][RFNAS__MAX_EDGES][RFNAS__MAX_OPS]; /* rfnas__op values */
};

/* Edge endpoints as public state indices: NB201 target node 1..3, source 0..target-1;
 * DARTS target state 2..5 (intermediate node n is state n + 2), source 0..target-1. */
void rfnas__edge_endpoints(rfnas_topology topology, int edge, int *target, int *source);
/* The edge from @p source into @p target, or -1. */
int rfnas__edge_index(rfnas_topology topology, int target, int source);
int rfnas__topology_edges(rfnas_topology topology);
/* Position of @p op in an edge's list, or -1. */
int rfnas__space_op_column(const rfnas_space *space, int cell, int edge, rfnas__op op);

#endif
