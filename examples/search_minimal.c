/* The first-order RF-DARTS loop, written with the public API only: an
 * NAS-Bench-201 supernet with random features on Fashion-MNIST, alphas
 * trained with Adam on the validation half, BN parameters with SGD on the
 * training half (DESIGN 1, SPEC 6.7).
 *
 *   rfnas-search-minimal [EPOCHS [TRAIN_IMAGES [DIR]]]      defaults: 1, 2000
 *
 * With RFNAS_ALPHAS_OUT=PATH in the environment it also writes the final raw
 * alphas to PATH as native float32, cell type after cell type (edges x ops
 * each), so that bindings/python/examples/search_minimal.py, which runs the
 * same loop through the Python binding, can be compared with it byte for byte. */
#include <stdio.h>
#include <stdlib.h>

#include "rfnas.h"

#define TRY(call)                                                                                  \
    do {                                                                                           \
        rfnas_status rc_ = (call);                                                                 \
        if (rc_ < 0) {                                                                             \
            fprintf(stderr, "%s: %s\n", #call, rfnas_error_last());                               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static rfnas_config *settings(const char *const *kv)
{
    rfnas_config *cfg;
    TRY(rfnas_config_create(&cfg));
    for (; kv[0]; kv += 2)
        TRY(rfnas_config_set_by_name(cfg, kv[0], kv[1]));
    return cfg;
}

/* The raw (not softmaxed) alphas of every cell type, as the library holds them. */
static void write_alphas(const rfnas_supernet *net, const rfnas_space *space, const char *path)
{
    int64_t cell_types, edges, ops;
    TRY(rfnas_space_info(space, NULL, &cell_types, &edges, &ops));
    const size_t per_cell = (size_t)(edges * ops);
    float *buf = malloc(per_cell * (size_t)cell_types * sizeof *buf);
    if (!buf) {
        fprintf(stderr, "%s: out of memory\n", path);
        exit(1);
    }
    for (int64_t c = 0; c < cell_types; c++)
        TRY(rfnas_supernet_alphas(net, (rfnas_cell_type)c, 0, buf + (size_t)c * per_cell, per_cell,
                                  NULL));
    FILE *f = fopen(path, "wb");
    const size_t count = per_cell * (size_t)cell_types;
    /* fclose() is checked too: a full disk shows only when the buffer is flushed. */
    if (!f || fwrite(buf, sizeof *buf, count, f) != count || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    const int epochs = argc > 1 ? atoi(argv[1]) : 1;
    const long images = argc > 2 ? atol(argv[2]) : 2000;
    const char *dir = argc > 3 ? argv[3] : "/usr/share/datasets/fashion-mnist";

    rfnas_config *cfg = settings((const char *const[]){"ctx.seed", "2", NULL});
    rfnas_ctx *ctx;
    TRY(rfnas_ctx_create(&ctx, cfg));
    rfnas_config_destroy(cfg);

    /* Data: the first `images` training images, split in halves (DARTS). */
    rfnas_dataset *all, *subset, *train, *val;
    TRY(rfnas_dataset_open(&all, ctx, RFNAS_FORMAT_FASHION_MNIST, dir, RFNAS_PART_TRAIN, NULL));
    TRY(rfnas_dataset_subset(&subset, all, 0, images));
    TRY(rfnas_dataset_split(&train, &val, subset, 0.5));
    cfg = settings((const char *const[]){"iter.batch", "64", "iter.crop_pad", "4", "iter.flip",
                                         "1", "iter.mean", "0.2860", "iter.std", "0.3530", NULL});
    rfnas_iter *train_it, *val_it;
    TRY(rfnas_iter_create(&train_it, train, cfg));
    TRY(rfnas_config_set_int(cfg, RFNAS_KEY_ITER_STREAM, 1));
    TRY(rfnas_iter_create(&val_it, val, cfg));
    rfnas_config_destroy(cfg);

    /* The supernet and its two optimizers (DARTS hyper-parameters, SPEC 6.4). */
    rfnas_space *space;
    rfnas_supernet *net;
    TRY(rfnas_space_create(&space, "nb201"));
    cfg = settings((const char *const[]){"net.features", "random", "net.in_channels", "1",
                                         "net.in_height", "28", "net.in_width", "28",
                                         "net.init", "kaiming_normal", NULL});
    TRY(rfnas_supernet_create(&net, ctx, space, cfg));
    rfnas_config_destroy(cfg);
    rfnas_optimizer *w_opt, *a_opt;
    TRY(rfnas_optimizer_create(&w_opt, net, RFNAS_GROUP_WEIGHTS, NULL));
    cfg = settings((const char *const[]){"opt.kind", "adam", NULL});
    TRY(rfnas_optimizer_create(&a_opt, net, RFNAS_GROUP_ARCH, cfg));
    rfnas_config_destroy(cfg);

    static float xt[64 * 28 * 28], xv[64 * 28 * 28];
    int32_t yt[64], yv[64];
    const size_t cap = sizeof xt / sizeof xt[0];
    for (int epoch = 0; epoch < epochs; epoch++) {
        double lr, loss, train_loss = 0, val_loss = 0;
        int64_t nt, nv, correct, train_correct = 0, seen = 0, steps = 0;
        TRY(rfnas_schedule_cosine(0.025, 0.001, epoch, epochs, &lr));
        TRY(rfnas_optimizer_set_double(w_opt, RFNAS_KEY_OPT_LR, lr));
        while (rfnas_iter_next(train_it, xt, cap, yt, 64, &nt) == RFNAS_OK) {
            /* Architecture step on a validation batch (restarting its epoch as needed). */
            if (rfnas_iter_next(val_it, xv, cap, yv, 64, &nv) == RFNAS_END)
                TRY(rfnas_iter_next(val_it, xv, cap, yv, 64, &nv));
            TRY(rfnas_supernet_zero_grad(net, RFNAS_GROUP_ARCH));
            TRY(rfnas_supernet_forward(net, xv, yv, nv, RFNAS_PHASE_ARCH, &loss, NULL));
            TRY(rfnas_supernet_backward(net));
            TRY(rfnas_optimizer_step(a_opt, NULL));
            val_loss += loss;
            /* Weights step (the BN parameters) on the training batch. */
            TRY(rfnas_supernet_zero_grad(net, RFNAS_GROUP_WEIGHTS));
            TRY(rfnas_supernet_forward(net, xt, yt, nt, RFNAS_PHASE_WEIGHTS, &loss, &correct));
            TRY(rfnas_supernet_backward(net));
            TRY(rfnas_optimizer_step(w_opt, NULL));
            train_loss += loss;
            train_correct += correct;
            seen += nt;
            steps++;
        }
        rfnas_genotype *g;
        char text[256];
        TRY(rfnas_supernet_genotype(&g, net));
        TRY(rfnas_genotype_format(g, text, sizeof text, NULL));
        rfnas_genotype_destroy(g);
        printf("epoch %d: lr %.4f, train loss %.3f acc %.1f%%, val loss %.3f\n  %s\n", epoch + 1,
               lr, train_loss / (double)steps, 100.0 * (double)train_correct / (double)seen,
               val_loss / (double)steps, text);
        fflush(stdout);
    }
    const char *alphas_out = getenv("RFNAS_ALPHAS_OUT");
    if (alphas_out && alphas_out[0])
        write_alphas(net, space, alphas_out);
    rfnas_optimizer_destroy(w_opt); /* any order: children keep their parents alive */
    rfnas_optimizer_destroy(a_opt);
    rfnas_supernet_destroy(net);
    rfnas_space_destroy(space);
    rfnas_iter_destroy(train_it);
    rfnas_iter_destroy(val_it);
    rfnas_dataset_destroy(train);
    rfnas_dataset_destroy(val);
    rfnas_dataset_destroy(subset);
    rfnas_dataset_destroy(all);
    rfnas_ctx_destroy(ctx);
    return 0;
}
