/* rfnas_supernet_create_from_genotype: the discrete network of a genotype
 * (SPEC 4.4, 4.5), for training a found architecture from scratch, behind the
 * same handle as a supernet. */
#include <string.h>

#include "api/supernet.h"
#include "config.h"

static rfnas_status read_config(rfnas__net_config *nc, const rfnas_genotype *g,
                                const rfnas_config *cfg, const char *fn)
{
    memset(nc, 0, sizeof *nc);
    /* Unset, net.features defaults to "random" for supernets; a network built
     * to train a found architecture trains every weight, so only an explicit
     * "random" is a contradiction worth an error. */
    if (rfnas_config_is_set(cfg, RFNAS_KEY_NET_FEATURES) &&
        strcmp(rfnas__config_string(cfg, RFNAS_KEY_NET_FEATURES), "learned") != 0)
        return rfnas__error(RFNAS_E_INVALID,
                            "%s: net.features is \"random\"; a network built from a genotype "
                            "trains every weight (leave net.features unset or \"learned\")",
                            fn);
    nc->features = RFNAS__FEATURES_LEARNED;
    nc->in_c = rfnas__config_int(cfg, RFNAS_KEY_NET_IN_CHANNELS);
    nc->in_h = rfnas__config_int(cfg, RFNAS_KEY_NET_IN_HEIGHT);
    nc->in_w = rfnas__config_int(cfg, RFNAS_KEY_NET_IN_WIDTH);
    nc->classes = rfnas__config_int(cfg, RFNAS_KEY_NET_CLASSES);
    nc->channels = rfnas__config_int(cfg, RFNAS_KEY_NET_CHANNELS);
    nc->cells = rfnas__config_int(cfg, RFNAS_KEY_NET_CELLS);
    /* As for supernets: 5 cells per stage (NB201), 8 cells (DARTS; RobustDARTS's
     * evaluation default, SPEC 8.1; the full DARTS protocol sets 20). */
    if (nc->cells == 0)
        nc->cells = g->topology == RFNAS_TOPOLOGY_NB201 ? 5 : 8;
    nc->stem_multiplier = rfnas__config_int(cfg, RFNAS_KEY_NET_STEM_MULTIPLIER);
    nc->max_batch = rfnas__config_int(cfg, RFNAS_KEY_NET_MAX_BATCH);
    nc->train_classifier = 1;
    nc->track_running_stats = (int)rfnas__config_int(cfg, RFNAS_KEY_NET_TRACK_RUNNING_STATS);
    nc->init = strcmp(rfnas__config_string(cfg, RFNAS_KEY_NET_INIT), "kaiming_normal") == 0
                   ? RFNAS__INIT_KAIMING_NORMAL
                   : RFNAS__INIT_PYTORCH;
    nc->auxiliary = (int)rfnas__config_int(cfg, RFNAS_KEY_NET_AUXILIARY);
    nc->aux_weight = rfnas__config_double(cfg, RFNAS_KEY_NET_AUXILIARY_WEIGHT);
    nc->drop_path_prob = rfnas__config_double(cfg, RFNAS_KEY_NET_DROP_PATH_PROB);
    /* Two stride-2 reductions need sizes that halve evenly, as for supernets:
     * the network trains on the input its architecture was searched on. */
    if (nc->in_h % 4 || nc->in_w % 4)
        return rfnas__error(RFNAS_E_INVALID,
                            "%s: input %lldx%lld: height and width must be multiples of 4 (two "
                            "stride-2 reductions)",
                            fn, (long long)nc->in_h, (long long)nc->in_w);
    if (g->topology == RFNAS_TOPOLOGY_NB201 &&
        (nc->auxiliary || nc->drop_path_prob > 0))
        return rfnas__error(RFNAS_E_INVALID,
                            "%s: an NAS-Bench-201 network has no auxiliary head and no "
                            "drop-path; net.auxiliary and net.drop_path_prob are for DARTS "
                            "genotypes",
                            fn);
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_create_from_genotype(rfnas_supernet **out, rfnas_ctx *ctx,
                                                 const rfnas_genotype *g, const rfnas_config *cfg)
{
    static const char fn[] = "rfnas_supernet_create_from_genotype";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    RFNAS__CHECK_HANDLE(g, RFNAS__TAG_GENOTYPE);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    rfnas__net_config nc;
    RFNAS__TRY(read_config(&nc, g, cfg, fn));
    nc.seed = ctx->seed;
    rfnas_supernet *net = rfnas__calloc(ctx, 1, sizeof *net);
    if (net == NULL)
        return RFNAS__NOMEM(fn);
    net->labels = rfnas__calloc(ctx, (size_t)nc.max_batch, sizeof *net->labels);
    if (net->labels == NULL) {
        rfnas__free(ctx, net);
        return RFNAS__NOMEM(fn);
    }
    net->genotype = *g;
    rfnas_status rc = g->topology == RFNAS_TOPOLOGY_NB201
                          ? rfnas__nb201_eval_build(&net->net, ctx, g, &nc)
                          : rfnas__darts_eval_build(&net->net, ctx, g, &nc);
    if (rc != RFNAS_OK) {
        rfnas__free(ctx, net->labels);
        rfnas__free(ctx, net);
        rfnas__error_prefix("%s", fn);
        return rc;
    }
    net->net.droppath.counter = (uint64_t)rfnas__config_int(cfg, RFNAS_KEY_NET_DROP_PATH_COUNTER);
    rfnas__node_noise_set_counter(net->net.graph,
                                  (uint64_t)rfnas__config_int(cfg, RFNAS_KEY_NET_NOISE_COUNTER));
    net->hdr.tag = RFNAS__TAG_SUPERNET;
    net->ctx = ctx;
    rfnas__ctx_ref(ctx);
    net->refs = 1;
    size_t weights;
    rfnas__graph_group_values(net->net.graph, RFNAS__GROUP_WEIGHTS, &weights);
    rfnas__log(ctx, RFNAS_LOG_INFO,
               "network from a %s genotype: C=%lld, %lld cells%s, input %lldx%lldx%lld, "
               "batch <= %lld, %zu weight floats, arena %.1f MiB",
               g->topology == RFNAS_TOPOLOGY_NB201 ? "NAS-Bench-201" : "DARTS",
               (long long)nc.channels, (long long)nc.cells,
               net->net.has_aux ? ", auxiliary head" : "", (long long)nc.in_c, (long long)nc.in_h,
               (long long)nc.in_w, (long long)nc.max_batch, weights,
               (double)rfnas__graph_plan_bytes(net->net.graph, RFNAS__MODE_WEIGHTS) / 1048576.0);
    *out = net;
    return RFNAS_OK;
}
