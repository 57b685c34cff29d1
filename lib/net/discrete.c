/* Shared steps of the discrete-network builders: settings checks, a builder
 * set up for trained weights, and sinks for tensors a genotype leaves unread. */
#include "net/discrete.h"

#include <stdio.h>
#include <string.h>

void rfnas__discrete_begin(rfnas__netb *b, rfnas__net *net, rfnas_ctx *ctx,
                           const rfnas__net_config *cfg, int max_weights, const char *what)
{
    memset(net, 0, sizeof *net);
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    net->cfg = *cfg;
    /* Training a found architecture trains every weight (SPEC 4.4, 8.1). */
    net->cfg.features = RFNAS__FEATURES_LEARNED;
    net->alpha[0] = net->alpha[1] = net->beta[0] = net->beta[1] = -1;
    net->discrete = 1;
    net->droppath.seed = cfg->seed;
    net->droppath.p = cfg->drop_path_prob;
    if (cfg->channels < 1 || cfg->cells < 1 || cfg->classes < 2 || cfg->in_c < 1 ||
        cfg->in_h < 4 || cfg->in_w < 4 || cfg->stem_multiplier < 1 || cfg->max_batch < 1) {
        b->rc = rfnas__error(RFNAS_E_INVALID,
                             "%s: bad channels, cells, classes, stem multiplier, batch or input",
                             what);
        return;
    }
    if (cfg->cells > 4096 || cfg->channels > (1 << 20)) {
        b->rc = rfnas__error(RFNAS_E_INVALID, "%s: %lld cells of %lld channels is beyond any use",
                             what, (long long)cfg->cells, (long long)cfg->channels);
        return;
    }
    if (!(cfg->drop_path_prob >= 0.0 && cfg->drop_path_prob < 1.0) ||
        !(cfg->aux_weight >= 0.0)) {
        b->rc = rfnas__error(RFNAS_E_INVALID,
                             "%s: drop-path probability %g must be in [0, 1) and the auxiliary "
                             "weight %g non-negative",
                             what, cfg->drop_path_prob, cfg->aux_weight);
        return;
    }
    rfnas__netb_begin(b, net, ctx, NULL, &net->cfg, max_weights);
    /* Evaluation networks build every BN affine (SPEC 4.4, 4.5). */
    b->affine = 1;
}

void rfnas__discrete_sink_unread(rfnas__netb *b, const int *keep, int n_keep)
{
    if (b->rc != RFNAS_OK)
        return;
    const int nodes = rfnas__graph_node_count(b->g);
    int tensors = 0;
    for (int i = 0; i < nodes; i++) {
        const rfnas__node *n = rfnas__graph_node_at(b->g, i);
        for (int k = 0; k < n->n_out; k++)
            tensors = n->out[k] + 1 > tensors ? n->out[k] + 1 : tensors;
    }
    uint8_t *read = rfnas__calloc(b->ctx, (size_t)tensors + 1, 1);
    if (read == NULL) {
        b->rc = RFNAS__NOMEM("discrete network");
        return;
    }
    for (int i = 0; i < nodes; i++) {
        const rfnas__node *n = rfnas__graph_node_at(b->g, i);
        for (int k = 0; k < n->n_in; k++)
            read[n->in[k]] = 1;
    }
    for (int k = 0; k < n_keep; k++)
        if (keep[k] >= 0 && keep[k] < tensors)
            read[keep[k]] = 1;
    /* Only each node's first output: a second one is the node's own (max
     * pooling's argmax), kept for its backward and read by nothing else. */
    for (int i = 0; i < nodes && b->rc == RFNAS_OK; i++) {
        const rfnas__node *n = rfnas__graph_node_at(b->g, i);
        if (read[n->out[0]])
            continue;
        char name[160];
        /* A copy: adding the sink may move the node array. */
        snprintf(name, sizeof name, "%s.sink", n->name);
        rfnas__netb_check(b, rfnas__node_sink(b->g, name, n->out[0]));
    }
    rfnas__free(b->ctx, read);
}
