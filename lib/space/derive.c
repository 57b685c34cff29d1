/* Genotype derivation from architecture weights (SPEC 7.1-7.4). */
#include <math.h>
#include <string.h>

#include "genotype.h"

/* NB201 (7.4): per edge, argmax of the raw alpha row over every op, none included;
 * a strict ">" scan from the lowest index, so ties go to the lower op. */
static void derive_nb201(rfnas_genotype *g, const rfnas_space *s, const float *alphas)
{
    for (int e = 0; e < s->edges; e++) {
        const float *row = alphas + (size_t)e * (size_t)s->ops_per_edge;
        int best = 0;
        for (int k = 1; k < s->ops_per_edge; k++)
            if (row[k] > row[best])
                best = k;
        int t, src;
        rfnas__edge_endpoints(s->topology, e, &t, &src);
        g->cell[0][e] = (rfnas__pair){s->ops[0][e][best], (uint8_t)t, (uint8_t)src};
    }
}

/* Softmax of @p n values in double, max-subtracted. */
static void softmax(const float *x, int n, double *out)
{
    double m = x[0];
    for (int k = 1; k < n; k++)
        m = x[k] > m ? x[k] : m;
    double sum = 0.0;
    for (int k = 0; k < n; k++)
        sum += out[k] = exp(x[k] - m);
    for (int k = 0; k < n; k++)
        out[k] /= sum;
}

/* Whether column k of an edge competes: none is excluded when the list holds
 * anything else (7.1, 7.3). */
static int competes(const rfnas_space *s, int cell, int edge, int k)
{
    if (s->ops[cell][edge][k] != RFNAS__OP_NONE)
        return 1;
    for (int j = 0; j < s->ops_per_edge; j++)
        if (s->ops[cell][edge][j] != RFNAS__OP_NONE)
            return 0;
    return 1;
}

/* DARTS (7.1, 7.2, 7.3): per node the two strongest inputs, strongest first. */
static void derive_darts(rfnas_genotype *g, const rfnas_space *s, const float *alphas,
                         const float *betas)
{
    const int ops = s->ops_per_edge;
    for (int c = 0; c < s->cell_types; c++) {
        double w[RFNAS__MAX_EDGES][RFNAS__MAX_OPS];
        for (int e = 0; e < s->edges; e++)
            softmax(alphas + ((size_t)c * (size_t)s->edges + (size_t)e) * (size_t)ops, ops, w[e]);
        for (int n = 0; n < RFNAS__DARTS_NODES; n++) {
            const int t = n + 2, first = rfnas__edge_index(s->topology, t, 0);
            if (betas) { /* edge normalisation: softmax over the node's incoming edges */
                double b[RFNAS__MAX_EDGES];
                softmax(betas + (size_t)c * (size_t)s->edges + (size_t)first, t, b);
                for (int j = 0; j < t; j++)
                    for (int k = 0; k < ops; k++)
                        w[first + j][k] *= b[j];
            }
            double strength[RFNAS__MAX_STATES];
            int best_op[RFNAS__MAX_STATES];
            for (int j = 0; j < t; j++) {
                int e = first + j, best = -1;
                for (int k = 0; k < ops; k++)
                    if (competes(s, c, e, k) && (best < 0 || w[e][k] > w[e][best]))
                        best = k;
                best_op[j] = best;
                strength[j] = w[e][best];
            }
            /* Top two by strength; a stable order keeps the lower input first on ties. */
            int first_j = 0;
            for (int j = 1; j < t; j++)
                if (strength[j] > strength[first_j])
                    first_j = j;
            int second_j = first_j == 0 ? 1 : 0;
            for (int j = 0; j < t; j++)
                if (j != first_j && strength[j] > strength[second_j])
                    second_j = j;
            const int picks[2] = {first_j, second_j};
            for (int p = 0; p < 2; p++) {
                int j = picks[p];
                g->cell[c][2 * n + p] =
                    (rfnas__pair){s->ops[c][first + j][best_op[j]], (uint8_t)t, (uint8_t)j};
            }
        }
    }
}

rfnas_status rfnas_genotype_derive(rfnas_genotype **out, const rfnas_space *space,
                                   const float *alphas, size_t n_alphas, const float *betas,
                                   size_t n_betas)
{
    static const char fn[] = "rfnas_genotype_derive";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(space, RFNAS__TAG_SPACE);
    RFNAS__CHECK_ARG(alphas != NULL, "%s: alphas is NULL", fn);
    const size_t rows = (size_t)space->cell_types * (size_t)space->edges;
    if (n_alphas != rows * (size_t)space->ops_per_edge)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "%s: %zu alphas given; space %s needs %d x %d x %d = %zu", fn,
                            n_alphas, space->name, space->cell_types, space->edges,
                            space->ops_per_edge, rows * (size_t)space->ops_per_edge);
    for (size_t i = 0; i < n_alphas; i++)
        if (!isfinite(alphas[i]))
            return rfnas__error(RFNAS_E_INVALID, "%s: alphas[%zu] is not finite", fn, i);
    if (betas != NULL || n_betas != 0) {
        RFNAS__CHECK_ARG(betas != NULL, "%s: betas is NULL but n_betas is %zu", fn, n_betas);
        if (space->topology != RFNAS_TOPOLOGY_DARTS)
            return rfnas__error(RFNAS_E_MISMATCH,
                                "%s: edge normalisation (betas) needs the DARTS topology", fn);
        if (n_betas != rows)
            return rfnas__error(RFNAS_E_MISMATCH, "%s: %zu betas given; space %s needs %zu", fn,
                                n_betas, space->name, rows);
        for (size_t i = 0; i < n_betas; i++)
            if (!isfinite(betas[i]))
                return rfnas__error(RFNAS_E_INVALID, "%s: betas[%zu] is not finite", fn, i);
    }
    rfnas_genotype *g = rfnas__genotype_new(space->topology);
    if (g == NULL)
        return RFNAS__NOMEM(fn);
    if (space->topology == RFNAS_TOPOLOGY_NB201)
        derive_nb201(g, space, alphas);
    else
        derive_darts(g, space, alphas, betas);
    *out = g;
    return RFNAS_OK;
}
