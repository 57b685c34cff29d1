/* rfnas_genotype: lifetime, accessors and counting helpers. */
#include "genotype.h"

#include <stdlib.h>
#include <string.h>

rfnas_genotype *rfnas__genotype_new(rfnas_topology topology)
{
    rfnas_genotype *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    g->hdr.tag = RFNAS__TAG_GENOTYPE;
    g->topology = topology;
    g->cell_types = topology == RFNAS_TOPOLOGY_NB201 ? 1 : 2;
    g->pairs = topology == RFNAS_TOPOLOGY_NB201 ? 6 : 8;
    g->quote = '\'';
    for (int c = 0; c < g->cell_types && topology == RFNAS_TOPOLOGY_DARTS; c++) {
        g->concat_len[c] = 4; /* the intermediate nodes, states 2..5 (SPEC 7.1) */
        for (int k = 0; k < 4; k++)
            g->concat[c][k] = (uint8_t)(2 + k);
    }
    return g;
}

void rfnas_genotype_destroy(rfnas_genotype *g)
{
    if (g == NULL || g->hdr.tag != RFNAS__TAG_GENOTYPE)
        return;
    g->hdr.tag = RFNAS__TAG_DEAD;
    free(g);
}

rfnas_status rfnas_genotype_info(const rfnas_genotype *g, rfnas_topology *topology,
                                 int64_t *cell_types, int64_t *pairs)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(g, RFNAS__TAG_GENOTYPE);
    if (topology)
        *topology = g->topology;
    if (cell_types)
        *cell_types = g->cell_types;
    if (pairs)
        *pairs = g->pairs;
    return RFNAS_OK;
}

static rfnas_status check_cell(const rfnas_genotype *g, rfnas_cell_type cell, const char *fn)
{
    if ((int)cell < 0 || (int)cell >= g->cell_types)
        return rfnas__error(RFNAS_E_INVALID, "%s: cell type %d does not exist in this genotype",
                            fn, (int)cell);
    return RFNAS_OK;
}

rfnas_status rfnas_genotype_pair(const rfnas_genotype *g, rfnas_cell_type cell, int64_t index,
                                 const char **op, int64_t *target, int64_t *source)
{
    static const char fn[] = "rfnas_genotype_pair";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(g, RFNAS__TAG_GENOTYPE);
    RFNAS__TRY(check_cell(g, cell, fn));
    RFNAS__CHECK_ARG(index >= 0 && index < g->pairs, "%s: index %lld is outside 0..%d", fn,
                     (long long)index, g->pairs - 1);
    const rfnas__pair *p = &g->cell[cell][index];
    if (op)
        *op = rfnas__op_info_of((rfnas__op)p->op)->name;
    if (target)
        *target = p->target;
    if (source)
        *source = p->source;
    return RFNAS_OK;
}

rfnas_status rfnas_genotype_count(const rfnas_genotype *g, rfnas_cell_type cell, const char *op,
                                  int64_t *count)
{
    static const char fn[] = "rfnas_genotype_count";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(g, RFNAS__TAG_GENOTYPE);
    RFNAS__TRY(check_cell(g, cell, fn));
    RFNAS__CHECK_ARG(count != NULL, "%s: count is NULL", fn);
    int want = -1;
    if (op != NULL) {
        want = rfnas__op_from_name(op, strlen(op));
        if (want < 0)
            return rfnas__error(RFNAS_E_NOTFOUND, "%s: no op is named \"%.32s\"", fn, op);
    }
    int64_t n = 0;
    for (int k = 0; k < g->pairs; k++) {
        int o = g->cell[cell][k].op;
        n += op ? o == want : rfnas__op_info_of((rfnas__op)o)->param_free;
    }
    *count = n;
    return RFNAS_OK;
}
