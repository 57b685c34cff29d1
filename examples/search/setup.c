/* Building a run's objects from its options: context, datasets and their
 * DARTS split, iterators, space, supernet and the two optimizers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "../common/data.h"
#include "../common/util.h"

/* rfnas-search's data: its test set is an extra, left out when no test files
 * are given. */
static int open_part(search *s, rfnas_part part, rfnas_dataset **ds)
{
    const options *o = &s->opt;
    const dataset_source src = {.dataset = o->dataset,
                                .data_dir = o->data_dir,
                                .train_files = o->train_files,
                                .test_files = o->test_files,
                                .test_optional = 1};
    return dataset_open_part(s->ctx, &src, part, ds);
}

static int make_iterators(search *s)
{
    const options *o = &s->opt;
    rfnas_config *cfg =
        train_iter_config(o->batch, o->crop_pad, o->flip, o->cutout, o->dataset, s->in_c);
    if (cfg == NULL)
        return -1;
    int rc = 0;
    /* Weights and alphas read distinct random streams; both see the training
     * augmentation, as in DARTS. Unknown datasets normalise with statistics
     * of the searched images, computed by the first iterator. */
    if (rfnas_iter_create(&s->w_it, s->w_set, cfg) < 0)
        rc = -1;
    if (rc == 0 && rfnas_iter_normalization(s->w_it, s->mean, s->std, 4) < 0)
        rc = -1;
    if (rc == 0 &&
        (rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_MEAN, s->mean, (size_t)s->in_c) < 0 ||
         rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_STD, s->std, (size_t)s->in_c) < 0 ||
         rfnas_config_set_int(cfg, RFNAS_KEY_ITER_STREAM, 1) < 0))
        rc = -1;
    if (rc == 0 && rfnas_iter_create(&s->a_it, s->a_set, cfg) < 0)
        rc = -1;
    rfnas_config_destroy(cfg);
    if (rc < 0)
        fprintf(stderr, "rfnas-search: %s\n", rfnas_error_last());
    return rc;
}

static int make_net(search *s)
{
    const options *o = &s->opt;
    char c[32], cells[32], stem[32], classes[32], in_c[32], h[32], w[32], batch[32], tc[32];
    char k[32], en[32];
    snprintf(k, sizeof k, "%ld", o->partial_channels);
    snprintf(en, sizeof en, "%ld", o->edge_norm);
    snprintf(c, sizeof c, "%ld", o->channels);
    snprintf(cells, sizeof cells, "%ld", o->cells);
    snprintf(stem, sizeof stem, "%ld", o->stem_multiplier);
    snprintf(classes, sizeof classes, "%lld", (long long)s->classes);
    snprintf(in_c, sizeof in_c, "%lld", (long long)s->in_c);
    snprintf(h, sizeof h, "%lld", (long long)s->in_h);
    snprintf(w, sizeof w, "%lld", (long long)s->in_w);
    snprintf(batch, sizeof batch, "%ld", o->batch);
    snprintf(tc, sizeof tc, "%ld", o->train_classifier);
    const char *kv[] = {"net.features",
                        o->features,
                        "net.channels",
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
                        "net.train_classifier",
                        tc,
                        "net.track_running_stats",
                        strcmp(o->bn_stats, "track") == 0 ? "1" : "0",
                        "net.init",
                        o->init,
                        "net.partial_channels",
                        k,
                        "net.edge_norm",
                        en,
                        "net.precision",
                        o->precision,
                        NULL};
    rfnas_config *cfg = config_of(kv);
    if (cfg == NULL)
        return -1;
    CHECK(rfnas_space_create(&s->space, o->space));
    rfnas_status st = rfnas_supernet_create(&s->net, s->ctx, s->space, cfg);
    rfnas_config_destroy(cfg);
    CHECK(st);
    rfnas_topology topology;
    CHECK(rfnas_space_info(s->space, &topology, &s->cell_types, &s->edges, &s->ops));

    if (sgd_open(&s->w_opt, s->net, o->w_lr, o->w_momentum, o->w_weight_decay, o->w_clip,
                 o->w_nesterov) < 0)
        return -1;
    char lr[64], wd[64], b1[64], b2[64];
    snprintf(lr, sizeof lr, "%.17g", o->a_lr);
    snprintf(wd, sizeof wd, "%.17g", o->a_weight_decay);
    snprintf(b1, sizeof b1, "%.17g", o->a_beta1);
    snprintf(b2, sizeof b2, "%.17g", o->a_beta2);
    const char *a_kv[] = {"opt.kind",         "adam", "opt.lr",    lr,
                          "opt.weight_decay", wd,     "opt.beta1", b1,
                          "opt.beta2",        b2,     NULL};
    if ((cfg = config_of(a_kv)) == NULL)
        return -1;
    st = rfnas_optimizer_create(&s->a_opt, s->net, RFNAS_GROUP_ARCH, cfg);
    rfnas_config_destroy(cfg);
    CHECK(st);
    return 0;
}

int search_open(search *s)
{
    const options *o = &s->opt;
    if (ctx_open(&s->ctx, o->seed, o->threads) < 0 ||
        open_part(s, RFNAS_PART_TRAIN, &s->train_all) < 0)
        return -1;
    if (dataset_input(s->train_all, &s->in_c, &s->in_h, &s->in_w, &s->classes) < 0 ||
        dataset_first(&s->searched, s->train_all, o->train_subset) < 0)
        return -1;
    CHECK(rfnas_dataset_split(&s->w_set, &s->a_set, s->searched, o->train_portion));
    if (make_iterators(s) < 0)
        return -1;
    CHECK(rfnas_iter_shape(s->w_it, NULL, NULL, NULL, NULL, &s->steps_per_epoch));
    if (o->test) {
        if (open_part(s, RFNAS_PART_TEST, &s->test_all) < 0)
            return -1;
        if (s->test_all && dataset_first(&s->test_set, s->test_all, o->test_subset) < 0)
            return -1;
    }
    if (make_net(s) < 0)
        return -1;

    s->x_cap = (size_t)o->batch * (size_t)(s->in_c * s->in_h * s->in_w);
    s->xt = malloc(s->x_cap * sizeof *s->xt);
    s->xv = malloc(s->x_cap * sizeof *s->xv);
    s->yt = malloc((size_t)o->batch * sizeof *s->yt);
    s->yv = malloc((size_t)o->batch * sizeof *s->yv);
    s->alpha_history = malloc(((size_t)o->epochs + 1) *
                              (size_t)(s->cell_types * s->edges * s->ops) * sizeof(float));
    if (!s->xt || !s->xv || !s->yt || !s->yv || !s->alpha_history) {
        fprintf(stderr, "rfnas-search: out of memory\n");
        return -1;
    }
    return 0;
}

void search_close(search *s)
{
    /* Any order works: children keep their parents alive. */
    rfnas_optimizer_destroy(s->w_opt);
    rfnas_optimizer_destroy(s->a_opt);
    rfnas_supernet_destroy(s->net);
    rfnas_space_destroy(s->space);
    rfnas_iter_destroy(s->w_it);
    rfnas_iter_destroy(s->a_it);
    rfnas_dataset_destroy(s->test_set);
    rfnas_dataset_destroy(s->test_all);
    rfnas_dataset_destroy(s->w_set);
    rfnas_dataset_destroy(s->a_set);
    rfnas_dataset_destroy(s->searched);
    rfnas_dataset_destroy(s->train_all);
    rfnas_ctx_destroy(s->ctx);
    free(s->xt);
    free(s->xv);
    free(s->yt);
    free(s->yv);
    free(s->alpha_history);
}

int search_alphas(const search *s, float *buf)
{
    size_t per_cell = (size_t)(s->edges * s->ops);
    for (int64_t c = 0; c < s->cell_types; c++) {
        size_t n;
        if (rfnas_supernet_alphas(s->net, (rfnas_cell_type)c, 1, buf + (size_t)c * per_cell,
                                  per_cell, &n) < 0) {
            fprintf(stderr, "rfnas-search: %s\n", rfnas_error_last());
            return -1;
        }
    }
    return 0;
}
