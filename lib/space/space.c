/* rfnas_space: standard and custom search spaces (SPEC 3.1-3.4, 5.1, 5.2). */
#include "space.h"

#include <stdlib.h>
#include <string.h>

#define OP(x) RFNAS__OP_##x

static const rfnas__op nb201_ops[] = {OP(NONE), OP(SKIP_CONNECT), OP(NOR_CONV_1X1),
                                      OP(NOR_CONV_3X3), OP(AVG_POOL_3X3)};
static const rfnas__op darts_ops[] = {OP(NONE),         OP(MAX_POOL_3X3), OP(AVG_POOL_3X3),
                                      OP(SKIP_CONNECT), OP(SEP_CONV_3X3), OP(SEP_CONV_5X5),
                                      OP(DIL_CONV_3X3), OP(DIL_CONV_5X5)};

/* RobustDARTS S1 (SPEC 3.4): two ops per edge, different per edge and cell type. */
static const rfnas__op s1_normal[14][2] = {
    {OP(SKIP_CONNECT), OP(DIL_CONV_3X3)}, {OP(SKIP_CONNECT), OP(DIL_CONV_5X5)},
    {OP(SKIP_CONNECT), OP(DIL_CONV_5X5)}, {OP(SKIP_CONNECT), OP(SEP_CONV_3X3)},
    {OP(SKIP_CONNECT), OP(DIL_CONV_3X3)}, {OP(MAX_POOL_3X3), OP(SKIP_CONNECT)},
    {OP(SKIP_CONNECT), OP(SEP_CONV_3X3)}, {OP(SKIP_CONNECT), OP(SEP_CONV_3X3)},
    {OP(SKIP_CONNECT), OP(DIL_CONV_3X3)}, {OP(SKIP_CONNECT), OP(SEP_CONV_3X3)},
    {OP(MAX_POOL_3X3), OP(SKIP_CONNECT)}, {OP(SKIP_CONNECT), OP(DIL_CONV_3X3)},
    {OP(DIL_CONV_3X3), OP(DIL_CONV_5X5)}, {OP(DIL_CONV_3X3), OP(DIL_CONV_5X5)},
};
static const rfnas__op s1_reduce[14][2] = {
    {OP(MAX_POOL_3X3), OP(AVG_POOL_3X3)}, {OP(MAX_POOL_3X3), OP(DIL_CONV_3X3)},
    {OP(MAX_POOL_3X3), OP(AVG_POOL_3X3)}, {OP(MAX_POOL_3X3), OP(AVG_POOL_3X3)},
    {OP(SKIP_CONNECT), OP(DIL_CONV_5X5)}, {OP(MAX_POOL_3X3), OP(AVG_POOL_3X3)},
    {OP(MAX_POOL_3X3), OP(SEP_CONV_3X3)}, {OP(SKIP_CONNECT), OP(DIL_CONV_3X3)},
    {OP(SKIP_CONNECT), OP(DIL_CONV_5X5)}, {OP(MAX_POOL_3X3), OP(AVG_POOL_3X3)},
    {OP(MAX_POOL_3X3), OP(AVG_POOL_3X3)}, {OP(SKIP_CONNECT), OP(DIL_CONV_5X5)},
    {OP(SKIP_CONNECT), OP(DIL_CONV_5X5)}, {OP(SKIP_CONNECT), OP(DIL_CONV_5X5)},
};
static const rfnas__op s2_ops[] = {OP(SKIP_CONNECT), OP(SEP_CONV_3X3)};
static const rfnas__op s3_ops[] = {OP(NONE), OP(SKIP_CONNECT), OP(SEP_CONV_3X3)};
static const rfnas__op s4_ops[] = {OP(NOISE), OP(SEP_CONV_3X3)};

static const int nb201_target[6] = {1, 2, 2, 3, 3, 3};
static const int nb201_source[6] = {0, 0, 1, 0, 1, 2};

int rfnas__topology_edges(rfnas_topology topology)
{
    return topology == RFNAS_TOPOLOGY_NB201 ? 6 : 14;
}

void rfnas__edge_endpoints(rfnas_topology topology, int edge, int *target, int *source)
{
    if (topology == RFNAS_TOPOLOGY_NB201) {
        *target = nb201_target[edge];
        *source = nb201_source[edge];
        return;
    }
    int t = 2;
    while ((t - 1) * (t + 2) / 2 <= edge) /* first row of state t + 1 */
        t++;
    *target = t;
    *source = edge - (t - 2) * (t + 1) / 2;
}

int rfnas__edge_index(rfnas_topology topology, int target, int source)
{
    if (topology == RFNAS_TOPOLOGY_NB201) {
        if (target < 1 || target > 3 || source < 0 || source >= target)
            return -1;
        for (int e = 0; e < 6; e++)
            if (nb201_target[e] == target && nb201_source[e] == source)
                return e;
        return -1;
    }
    if (target < 2 || target > 5 || source < 0 || source >= target)
        return -1;
    return (target - 2) * (target + 1) / 2 + source;
}

int rfnas__space_op_column(const rfnas_space *space, int cell, int edge, rfnas__op op)
{
    for (int k = 0; k < space->ops_per_edge; k++)
        if (space->ops[cell][edge][k] == op)
            return k;
    return -1;
}

static rfnas_space *space_new(const char *name, rfnas_topology topology, int ops_per_edge)
{
    rfnas_space *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->hdr.tag = RFNAS__TAG_SPACE;
    strncpy(s->name, name, sizeof s->name - 1);
    s->topology = topology;
    s->cell_types = topology == RFNAS_TOPOLOGY_NB201 ? 1 : 2;
    s->edges = rfnas__topology_edges(topology);
    s->ops_per_edge = ops_per_edge;
    return s;
}

static void fill_uniform(rfnas_space *s, const rfnas__op *ops)
{
    for (int c = 0; c < s->cell_types; c++)
        for (int e = 0; e < s->edges; e++)
            for (int k = 0; k < s->ops_per_edge; k++)
                s->ops[c][e][k] = (uint8_t)ops[k];
}

rfnas_status rfnas_space_create(rfnas_space **out, const char *name)
{
    static const char fn[] = "rfnas_space_create";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_ARG(name != NULL, "%s: name is NULL", fn);
    static const struct {
        const char *name;
        rfnas_topology topology;
        const rfnas__op *ops;
        int n;
    } standard[] = {
        {"nb201", RFNAS_TOPOLOGY_NB201, nb201_ops, 5},
        {"darts", RFNAS_TOPOLOGY_DARTS, darts_ops, 8},
        {"s1", RFNAS_TOPOLOGY_DARTS, NULL, 2},
        {"s2", RFNAS_TOPOLOGY_DARTS, s2_ops, 2},
        {"s3", RFNAS_TOPOLOGY_DARTS, s3_ops, 3},
        {"s4", RFNAS_TOPOLOGY_DARTS, s4_ops, 2},
    };
    for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++) {
        if (strcmp(name, standard[i].name) != 0)
            continue;
        rfnas_space *s = space_new(name, standard[i].topology, standard[i].n);
        if (s == NULL)
            return RFNAS__NOMEM(fn);
        if (standard[i].ops) {
            fill_uniform(s, standard[i].ops);
        } else {
            for (int e = 0; e < 14; e++)
                for (int k = 0; k < 2; k++) {
                    s->ops[RFNAS_CELL_NORMAL][e][k] = (uint8_t)s1_normal[e][k];
                    s->ops[RFNAS_CELL_REDUCE][e][k] = (uint8_t)s1_reduce[e][k];
                }
        }
        *out = s;
        return RFNAS_OK;
    }
    return rfnas__error(RFNAS_E_NOTFOUND,
                        "%s: no space is named \"%.32s\" (nb201, darts, s1, s2, s3, s4)", fn,
                        name);
}

rfnas_status rfnas_space_create_custom(rfnas_space **out, rfnas_topology topology,
                                       const char *const *ops, size_t n_ops)
{
    static const char fn[] = "rfnas_space_create_custom";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_ARG(topology == RFNAS_TOPOLOGY_NB201 || topology == RFNAS_TOPOLOGY_DARTS,
                     "%s: topology %d is not a rfnas_topology", fn, (int)topology);
    RFNAS__CHECK_ARG(ops != NULL, "%s: ops is NULL", fn);
    RFNAS__CHECK_ARG(n_ops >= 1 && n_ops <= RFNAS__MAX_OPS, "%s: n_ops %zu is outside 1..%d", fn,
                     n_ops, RFNAS__MAX_OPS);
    rfnas__op list[RFNAS__MAX_OPS];
    for (size_t k = 0; k < n_ops; k++) {
        RFNAS__CHECK_ARG(ops[k] != NULL, "%s: ops[%zu] is NULL", fn, k);
        int op = rfnas__op_from_name(ops[k], strlen(ops[k]));
        if (op < 0)
            return rfnas__error(RFNAS_E_INVALID, "%s: ops[%zu] \"%.32s\" is not in the catalogue",
                                fn, k, ops[k]);
        for (size_t j = 0; j < k; j++)
            if ((int)list[j] == op)
                return rfnas__error(RFNAS_E_INVALID, "%s: op \"%s\" is listed twice", fn,
                                    ops[k]);
        list[k] = (rfnas__op)op;
    }
    rfnas_space *s = space_new("custom", topology, (int)n_ops);
    if (s == NULL)
        return RFNAS__NOMEM(fn);
    fill_uniform(s, list);
    *out = s;
    return RFNAS_OK;
}

void rfnas_space_destroy(rfnas_space *space)
{
    if (space == NULL || space->hdr.tag != RFNAS__TAG_SPACE)
        return;
    space->hdr.tag = RFNAS__TAG_DEAD;
    free(space);
}

rfnas_status rfnas_space_info(const rfnas_space *space, rfnas_topology *topology,
                              int64_t *cell_types, int64_t *edges, int64_t *ops_per_edge)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(space, RFNAS__TAG_SPACE);
    if (topology)
        *topology = space->topology;
    if (cell_types)
        *cell_types = space->cell_types;
    if (edges)
        *edges = space->edges;
    if (ops_per_edge)
        *ops_per_edge = space->ops_per_edge;
    return RFNAS_OK;
}

rfnas_status rfnas_space_op_name(const rfnas_space *space, rfnas_cell_type cell, int64_t edge,
                                 int64_t op, const char **name)
{
    static const char fn[] = "rfnas_space_op_name";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(space, RFNAS__TAG_SPACE);
    RFNAS__CHECK_ARG(name != NULL, "%s: name is NULL", fn);
    RFNAS__CHECK_ARG((int)cell >= 0 && (int)cell < space->cell_types,
                     "%s: cell type %d does not exist in space %s", fn, (int)cell, space->name);
    RFNAS__CHECK_ARG(edge >= 0 && edge < space->edges, "%s: edge %lld is outside 0..%d", fn,
                     (long long)edge, space->edges - 1);
    RFNAS__CHECK_ARG(op >= 0 && op < space->ops_per_edge, "%s: op %lld is outside 0..%d", fn,
                     (long long)op, space->ops_per_edge - 1);
    *name = rfnas__op_info_of((rfnas__op)space->ops[cell][edge][op])->name;
    return RFNAS_OK;
}

rfnas_status rfnas_space_edge(const rfnas_space *space, int64_t edge, int64_t *target,
                              int64_t *source)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(space, RFNAS__TAG_SPACE);
    RFNAS__CHECK_ARG(edge >= 0 && edge < space->edges, "rfnas_space_edge: edge %lld is outside 0..%d",
                     (long long)edge, space->edges - 1);
    int t, s;
    rfnas__edge_endpoints(space->topology, (int)edge, &t, &s);
    if (target)
        *target = t;
    if (source)
        *source = s;
    return RFNAS_OK;
}
