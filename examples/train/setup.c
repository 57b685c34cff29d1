/* Building a run's objects from its options: context, training and test
 * sets, the augmenting training iterator, the network of the genotype and
 * its SGD optimizer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"
#include "../common/data.h"
#include "../common/util.h"

/* rfnas-train's data: the test set is required (training is judged on it),
 * and a file list that names no file is refused by name. */
static int open_part(trainer *t, rfnas_part part, rfnas_dataset **ds)
{
    const train_options *o = &t->opt;
    const dataset_source src = {.dataset = o->dataset,
                                .data_dir = o->data_dir,
                                .train_files = o->train_files,
                                .test_files = o->test_files,
                                .refuse_empty_list = 1};
    return dataset_open_part(t->ctx, &src, part, ds);
}

/* The training iterator: crop after padding, flip, cutout (SPEC 6.6, 8.1). */
static int make_iterator(trainer *t)
{
    const train_options *o = &t->opt;
    rfnas_config *cfg =
        train_iter_config(o->batch, o->crop_pad, o->flip, o->cutout, o->dataset, t->in_c);
    if (cfg == NULL)
        return -1;
    int rc = rfnas_iter_create(&t->it, t->train_set, cfg) < 0 ||
             rfnas_iter_normalization(t->it, t->mean, t->std, 4) < 0;
    rfnas_config_destroy(cfg);
    return rc ? fail() : 0;
}

static int make_net(trainer *t)
{
    const train_options *o = &t->opt;
    char c[32], cells[32], stem[32], classes[32], in_c[32], h[32], w[32], batch[32], aux[8],
        aux_w[64];
    snprintf(c, sizeof c, "%ld", o->channels);
    /* 0: the program's small default, a few minutes on 2 cores (the
     * library's own 0 would be the 8 / 5 of RobustDARTS's evaluation). */
    snprintf(cells, sizeof cells, "%ld", o->layers ? o->layers : t->darts ? 5 : 2);
    snprintf(stem, sizeof stem, "%ld", o->stem_multiplier);
    snprintf(classes, sizeof classes, "%lld", (long long)t->classes);
    snprintf(in_c, sizeof in_c, "%lld", (long long)t->in_c);
    snprintf(h, sizeof h, "%lld", (long long)t->net_h);
    snprintf(w, sizeof w, "%lld", (long long)t->net_w);
    snprintf(batch, sizeof batch, "%ld", o->batch);
    snprintf(aux, sizeof aux, "%ld", o->auxiliary);
    snprintf(aux_w, sizeof aux_w, "%.17g", o->auxiliary_weight);
    /* net.features stays unset: a network from a genotype trains every weight. */
    const char *kv[] = {"net.channels",
                        c,
                        "net.cells",
                        cells,
                        "net.stem_multiplier",
                        stem,
                        "net.classes",
                        classes,
                        "net.in_channels",
                        in_c,
                        "net.in_height",
                        h,
                        "net.in_width",
                        w,
                        "net.max_batch",
                        batch,
                        "net.init",
                        o->init,
                        "net.auxiliary",
                        aux,
                        "net.auxiliary_weight",
                        aux_w,
                        NULL};
    rfnas_config *cfg = config_of(kv);
    if (cfg == NULL)
        return -1;
    rfnas_genotype *g = NULL;
    rfnas_status st = rfnas_genotype_parse(&g, t->genotype, NULL);
    if (st >= 0)
        st = rfnas_supernet_create_from_genotype(&t->net, t->ctx, g, cfg);
    rfnas_genotype_destroy(g);
    rfnas_config_destroy(cfg);
    CHECK(st);

    return sgd_open(&t->sgd, t->net, o->lr, o->momentum, o->weight_decay, o->clip, o->nesterov);
}

/* Settings the library would refuse later with a less specific message. */
static int check_settings(const trainer *t)
{
    const train_options *o = &t->opt;
    if (!t->darts && (o->auxiliary || o->drop_path > 0)) {
        fprintf(stderr, "rfnas-train: an NAS-Bench-201 network has no auxiliary head and no "
                        "drop-path; --auxiliary and --drop-path are for DARTS genotypes\n");
        return -1;
    }
    if (o->pad_to > 0 && (o->pad_to < t->in_h || o->pad_to < t->in_w)) {
        fprintf(stderr, "rfnas-train: --pad-to %ld is smaller than the %lldx%lld images\n",
                o->pad_to, (long long)t->in_h, (long long)t->in_w);
        return -1;
    }
    if (o->auxiliary && (t->net_h < 32 || t->net_w < 32)) {
        fprintf(stderr,
                "rfnas-train: the auxiliary head reads an 8x8 to 10x10 map at cell 2L/3, which "
                "needs 32x32 inputs; these are %lldx%lld (add --pad-to 32)\n",
                (long long)t->net_h, (long long)t->net_w);
        return -1;
    }
    return 0;
}

int trainer_open(trainer *t)
{
    const train_options *o = &t->opt;
    if (ctx_open(&t->ctx, o->seed, o->threads) < 0 ||
        open_part(t, RFNAS_PART_TRAIN, &t->train_all) < 0)
        return -1;
    if (dataset_input(t->train_all, &t->in_c, &t->in_h, &t->in_w, &t->classes) < 0)
        return -1;
    t->net_h = o->pad_to > 0 ? o->pad_to : t->in_h;
    t->net_w = o->pad_to > 0 ? o->pad_to : t->in_w;
    if (check_settings(t) < 0)
        return -1;
    if (dataset_first(&t->train_set, t->train_all, o->train_subset) < 0 ||
        open_part(t, RFNAS_PART_TEST, &t->test_all) < 0)
        return -1;
    int64_t tc, th, tw;
    CHECK(rfnas_dataset_shape(t->test_all, NULL, &tc, &th, &tw, NULL));
    if (tc != t->in_c || th != t->in_h || tw != t->in_w) {
        fprintf(stderr,
                "rfnas-train: test images are %lldx%lldx%lld, training images "
                "%lldx%lldx%lld\n",
                (long long)tc, (long long)th, (long long)tw, (long long)t->in_c, (long long)t->in_h,
                (long long)t->in_w);
        return -1;
    }
    if (dataset_first(&t->test_set, t->test_all, o->test_subset) < 0 || make_iterator(t) < 0)
        return -1;
    CHECK(rfnas_iter_shape(t->it, NULL, NULL, NULL, NULL, &t->steps_per_epoch));
    if (make_net(t) < 0)
        return -1;

    t->x_cap = (size_t)o->batch * (size_t)(t->in_c * t->in_h * t->in_w);
    t->x_net_cap = (size_t)o->batch * (size_t)(t->in_c * t->net_h * t->net_w);
    t->x = malloc(t->x_cap * sizeof *t->x);
    t->x_net = malloc(t->x_net_cap * sizeof *t->x_net);
    t->y = malloc((size_t)o->batch * sizeof *t->y);
    if (!t->x || !t->x_net || !t->y) {
        fprintf(stderr, "rfnas-train: out of memory\n");
        return -1;
    }
    return 0;
}

void trainer_close(trainer *t)
{
    /* Any order works: children keep their parents alive. */
    rfnas_optimizer_destroy(t->sgd);
    rfnas_supernet_destroy(t->net);
    rfnas_iter_destroy(t->it);
    rfnas_dataset_destroy(t->test_set);
    rfnas_dataset_destroy(t->test_all);
    rfnas_dataset_destroy(t->train_set);
    rfnas_dataset_destroy(t->train_all);
    rfnas_ctx_destroy(t->ctx);
    free(t->x);
    free(t->x_net);
    free(t->y);
}
