/* rfnas-bench-arena: the planned activation arena of the DARTS search
 * supernet against PC-DARTS (issue 7, "Must show": PC-DARTS exists to cut
 * it), one JSON object per line. Built by meson, never run by the tests;
 * results are in docs/performance.md.
 *
 *   rfnas-bench-arena [--batch B] [--channels C] [--cells L] [--hw S]
 *                     [--ks K1,K2,...] [--edge-norm 0|1]
 *
 * For each feature mode (random, learned) and each K in the list (default
 * 1,2,4,8; K=1 is plain DARTS), builds the supernet of the "darts" space
 * (default C=16, L=8, 3xSxS input with S=32, batch 64, edge normalisation on
 * for K > 1 as PC-DARTS runs it) and prints the bytes its memory plan needs per
 * mode: eval (forward only), weights (forward + backward for WEIGHTS), arch
 * (forward + backward for ARCH), the arena (the largest of the three, which
 * the graph allocates once), and the ratio of each to K=1 in the same feature
 * mode. These are planned bytes, exact for the graph (activations, gradients,
 * node scratch, 64-byte alignment; parameters excluded); the process's peak
 * memory adds parameters, oneDNN's scratchpads and caches.
 *
 * Building a net allocates (and zeroes) its arena, so the machine needs the
 * largest arena free: about 2.6 GB for DARTS in learned mode at batch 64. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfnas.h"

#include "net/net.h"

enum { MAX_KS = 8 };

static void usage(void)
{
    fprintf(stderr, "usage: rfnas-bench-arena [--batch B] [--channels C] [--cells L] [--hw S] "
                    "[--ks K1,K2,...] [--edge-norm 0|1]\n");
    exit(2);
}

static long arg_long(const char *s, long lo, long hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    long batch = 64, channels = 16, cells = 8, hw = 32, edge_norm = 1;
    long ks[MAX_KS] = {1, 2, 4, 8};
    int n_ks = 4;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (strcmp(argv[i - 1], "--batch") == 0)
            batch = arg_long(v, 1, 65536);
        else if (strcmp(argv[i - 1], "--channels") == 0)
            channels = arg_long(v, 1, 1024);
        else if (strcmp(argv[i - 1], "--cells") == 0)
            cells = arg_long(v, 1, 64);
        else if (strcmp(argv[i - 1], "--hw") == 0)
            hw = arg_long(v, 4, 4096);
        else if (strcmp(argv[i - 1], "--edge-norm") == 0)
            edge_norm = arg_long(v, 0, 1);
        else if (strcmp(argv[i - 1], "--ks") == 0) {
            char buf[128];
            snprintf(buf, sizeof buf, "%s", v);
            n_ks = 0;
            for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                if (n_ks == MAX_KS)
                    usage();
                ks[n_ks++] = arg_long(tok, 1, 64);
            }
            if (n_ks == 0)
                usage();
        } else
            usage();
    }
    rfnas_config *cc;
    rfnas_ctx *ctx;
    rfnas_space *space;
    if (rfnas_config_create(&cc) != RFNAS_OK ||
        rfnas_config_set_int(cc, RFNAS_KEY_CTX_THREADS, 1) != RFNAS_OK ||
        rfnas_ctx_create(&ctx, cc) != RFNAS_OK || rfnas_space_create(&space, "darts") != RFNAS_OK) {
        fprintf(stderr, "rfnas-bench-arena: %s\n", rfnas_error_last());
        return 1;
    }
    rfnas_config_destroy(cc);
    static const char *const mode_names[RFNAS__MODE_COUNT] = {"eval", "weights", "arch"};
    int failed = 0;
    for (int f = 0; f < 2; f++) {
        double base[RFNAS__MODE_COUNT + 1] = {0};
        for (int k = 0; k < n_ks; k++) {
            rfnas__net_config cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.features = f ? RFNAS__FEATURES_LEARNED : RFNAS__FEATURES_RANDOM;
            cfg.in_c = 3;
            cfg.in_h = cfg.in_w = hw;
            cfg.classes = 10;
            cfg.channels = channels;
            cfg.cells = cells;
            cfg.stem_multiplier = 3;
            cfg.max_batch = batch;
            cfg.track_running_stats = 1;
            cfg.init = RFNAS__INIT_PYTORCH;
            cfg.partial_channels = ks[k];
            cfg.edge_norm = ks[k] > 1 ? (int)edge_norm : 0;
            cfg.seed = 1;
            rfnas__net net;
            if (rfnas__darts_build(&net, ctx, space, &cfg) != RFNAS_OK) {
                printf("{\"bench\":\"arena\",\"features\":\"%s\",\"k\":%ld,\"error\":\"%s\"}\n",
                       f ? "learned" : "random", ks[k], rfnas_error_last());
                failed = 1;
                continue;
            }
            double bytes[RFNAS__MODE_COUNT + 1];
            bytes[RFNAS__MODE_COUNT] = 0;
            for (int m = 0; m < RFNAS__MODE_COUNT; m++) {
                bytes[m] = (double)rfnas__graph_plan_bytes(net.graph, (rfnas__mode)m);
                if (bytes[m] > bytes[RFNAS__MODE_COUNT])
                    bytes[RFNAS__MODE_COUNT] = bytes[m];
            }
            if (ks[k] == 1)
                memcpy(base, bytes, sizeof base);
            printf("{\"bench\":\"arena\",\"space\":\"darts\",\"features\":\"%s\",\"method\":\"%s\","
                   "\"k\":%ld,\"edge_norm\":%d,\"channels\":%ld,\"cells\":%ld,\"batch\":%ld,"
                   "\"hw\":%ld",
                   f ? "learned" : "random", ks[k] > 1 ? "pcdarts" : "darts", ks[k], cfg.edge_norm,
                   channels, cells, batch, hw);
            for (int m = 0; m <= RFNAS__MODE_COUNT; m++)
                printf(",\"%s_mib\":%.1f", m < RFNAS__MODE_COUNT ? mode_names[m] : "arena",
                       bytes[m] / 1048576.0);
            for (int m = 0; m <= RFNAS__MODE_COUNT && base[0] > 0; m++)
                printf(",\"%s_vs_darts\":%.3f", m < RFNAS__MODE_COUNT ? mode_names[m] : "arena",
                       bytes[m] / base[m]);
            printf("}\n");
            fflush(stdout);
            rfnas__net_destroy(&net);
        }
    }
    rfnas_space_destroy(space);
    rfnas_ctx_destroy(ctx);
    return failed;
}
