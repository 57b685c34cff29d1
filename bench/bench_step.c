/* rfnas-bench: whole search steps and forward-only evaluation of the
 * supernets (issue 6), one JSON object per line. Built by meson, never run by
 * the tests; method and results are in docs/performance.md, and
 * bench/compare_peer.sh runs it beside the PyTorch peer.
 *
 *   rfnas-bench [--threads N] [--steps S] [--warmup W] [--only NAME[,NAME...]]
 *               [--wait SECONDS] [--cells N] [--batch B]
 *               [--ablate WHAT[,WHAT...] [--interleave 1]] [--list]
 *
 * Configurations (input 3x32x32, 10 classes, C=16, random data):
 *   nb201-{random,learned}-b{64,16}   NB201 supernet, N=5 cells per stage
 *   darts-{random,learned}-b64        DARTS-space supernet, 8 cells
 *   nb201-random-b64-eval, darts-random-b64-eval   forward only (evaluation mode)
 *   nb201-random-b64-bf16, darts-random-b64-bf16, nb201-random-b64-eval-bf16
 *                                     the same with net.precision=bf16 (frozen
 *                                     convolutions in bf16 on AMX; fp32 without)
 * --cells and --batch override every selected configuration's cells (NB201:
 * per stage) and batch size, for the scaling tables. --ablate turns one of
 * DESIGN 3's techniques off in the NB201 supernet (shared-relu: a ReLU per
 * conv op; pool-in-sum: avg_pool_3x3 stored by a node of its own; node-sum: a
 * weighted sum per edge, then an add per node; merged-conv: a convolution and
 * BN per edge instead of one per node and kernel size), through the internal switch
 * rfnas__net_ablate (net/net.h), for the ablation table.
 *
 * A step is what a first-order search does per training batch: an arch step
 * (zero ARCH gradients, forward in the ARCH phase on one batch, backward,
 * Adam step) and a weights step (zero WEIGHTS gradients, forward in the
 * WEIGHTS phase on another batch, backward, SGD step); it sees 2 x batch
 * images. An eval "step" is one forward in the EVAL phase.
 *
 * Every step goes through the public API (rfnas.h). Internal figures are
 * read from the supernet's graph, which is why the program links the
 * internal static library: the planned arena bytes of each run mode, and
 * "all_tensors_mb", the bytes every activation tensor would take if each had
 * its own buffer (what keeping everything, with no reuse, would cost).
 * "allocs_per_step" counts the library's malloc/calloc/realloc/
 * posix_memalign/aligned_alloc calls during the timed steps (the program is
 * linked with --wrap for them, which covers the statically linked library,
 * not oneDNN), and "minflt_per_step" the minor page faults (fresh memory
 * touched): both 0 when a step allocates nothing.
 *
 * Each configuration runs in a forked child, so that its peak resident
 * memory (getrusage ru_maxrss) is its own and not the largest of all the
 * configurations before it. The parent never touches oneDNN or OpenMP (a
 * fork after OpenMP has started is not safe with libgomp).
 *
 * Timing: W warm-up steps (default 3; the first builds every primitive),
 * then S timed steps (default 10), each timed with CLOCK_MONOTONIC; median,
 * min and max. "other_pct" is the CPU time other processes took during the
 * timed steps and "steal_pct" the time the hypervisor gave our vCPUs away,
 * both as % of all CPUs' wall time (as in rfnas-bench-kernels): on a shared
 * machine read the medians together with them. "cpu_ms_*" is the CPU time
 * of the whole process per step (getrusage, user + system): at 1 thread it is
 * the step's own work and barely moves when co-tenants take the CPUs (wall
 * time then stretches by their share), so it is the figure to compare
 * between builds on a busy host; at 2 threads it includes OpenMP's spinning
 * at barriers and grows with contention. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rfnas.h"

#include "api/supernet.h"
#include "graph/graph.h"
#include "net/net.h"

enum { MAX_STEPS = 100000 };

typedef struct opts {
    int threads, steps, warmup;
    double wait_s;
    const char *only;
    int cells, batch;   /* 0: the configuration's own */
    const char *ablate; /* NULL or a list of technique names */
    unsigned ablate_bits;
    int interleave; /* with --ablate: both variants in one process, steps alternating */
} opts;

/* ---- allocation counting (-Wl,--wrap, bench/meson.build) ---- */

static volatile long n_allocs;
void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
void *__wrap_malloc(size_t n)
{
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    return __real_malloc(n);
}
void *__wrap_calloc(size_t m, size_t n)
{
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    return __real_calloc(m, n);
}
void *__wrap_realloc(void *p, size_t n)
{
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    return __real_realloc(p, n);
}
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    return __real_posix_memalign(p, a, n);
}
void *__wrap_aligned_alloc(size_t a, size_t n)
{
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    return __real_aligned_alloc(a, n);
}

static const struct {
    const char *name;
    unsigned bit;
} ablations[] = {
    {"shared-relu", RFNAS__ABLATE_SHARED_RELU},
    {"pool-in-sum", RFNAS__ABLATE_POOL_IN_SUM},
    {"node-sum", RFNAS__ABLATE_NODE_SUM},
    {"merged-conv", RFNAS__ABLATE_MERGED_CONV},
};

typedef struct bench_cfg {
    const char *name;
    const char *space; /* "nb201" or "darts" */
    const char *features;
    int batch;
    int eval; /* forward-only evaluation throughput instead of a search step */
    const char *precision; /* net.precision; NULL = the default, fp32 */
} bench_cfg;

static const bench_cfg configs[] = {
    {"nb201-random-b64", "nb201", "random", 64, 0},
    {"nb201-learned-b64", "nb201", "learned", 64, 0},
    {"nb201-random-b16", "nb201", "random", 16, 0},
    {"nb201-learned-b16", "nb201", "learned", 16, 0},
    {"darts-random-b64", "darts", "random", 64, 0},
    {"darts-learned-b64", "darts", "learned", 64, 0},
    {"nb201-random-b64-eval", "nb201", "random", 64, 1},
    {"darts-random-b64-eval", "darts", "random", 64, 1},
    {"nb201-random-b64-bf16", "nb201", "random", 64, 0, "bf16"},
    {"darts-random-b64-bf16", "darts", "random", 64, 0, "bf16"},
    {"nb201-random-b64-eval-bf16", "nb201", "random", 64, 1, "bf16"},
};
enum { N_CONFIGS = (int)(sizeof configs / sizeof configs[0]) };

static void die(const char *what)
{
    fprintf(stderr, "rfnas-bench: %s failed: %s\n", what, rfnas_error_last());
    exit(1);
}

#define TRY(call)                                                                                  \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            die(#call);                                                                            \
    } while (0)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- noise: CPU time of other processes and of the hypervisor ---- */

typedef struct cpu_snap {
    double busy_s, steal_s, own_s;
} cpu_snap;

static int snap_cpu(cpu_snap *s)
{
    const long hz = sysconf(_SC_CLK_TCK);
    FILE *f = fopen("/proc/stat", "r");
    if (!f || hz <= 0) {
        if (f)
            fclose(f);
        return 0;
    }
    unsigned long long v[8] = {0};
    int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                     &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (got < 7)
        return 0;
    s->busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / (double)hz;
    s->steal_s = got >= 8 ? (double)v[7] / (double)hz : 0.0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    s->own_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
               (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return 1;
}

/* Waits up to @p limit seconds for a 0.5 s window in which other processes
 * used under 5% of the CPUs (reference/onednn-notes.md 0, wait_quiet.sh). */
static void wait_quiet(double limit, int ncpu)
{
    const double start = now();
    while (now() - start < limit) {
        cpu_snap a, b;
        if (!snap_cpu(&a))
            return;
        struct timespec half = {0, 500000000L};
        const double t0 = now();
        nanosleep(&half, NULL);
        const double wall = now() - t0;
        if (!snap_cpu(&b))
            return;
        if ((b.busy_s - a.busy_s) - (b.own_s - a.own_s) < 0.05 * wall * (double)ncpu)
            return;
    }
}

static long minflt_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static double median_of(double *t, int n)
{
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- one configuration (in the child) ---- */

/* Deterministic pseudo-random inputs: the values do not matter for timing,
 * only that they are not degenerate (all-zero inputs would make BN trivial). */
static void fill(float *x, size_t n, int32_t *y, int64_t b, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((double)(s >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
    }
    for (int64_t i = 0; i < b; i++)
        y[i] = (int32_t)(i % 10);
}

static rfnas_config *kv(const char *const *pairs)
{
    rfnas_config *cfg;
    TRY(rfnas_config_create(&cfg));
    for (; pairs[0]; pairs += 2)
        TRY(rfnas_config_set_by_name(cfg, pairs[0], pairs[1]));
    return cfg;
}

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (p == NULL) {
        fprintf(stderr, "rfnas-bench: out of memory\n");
        exit(1);
    }
    return p;
}

/* What every run of a configuration shares: the configuration with --batch
 * applied, its cells (--cells, or the space's default), the context of
 * --threads, the space, and a training and a validation batch. */
typedef struct session {
    bench_cfg bc;
    int cells;
    rfnas_ctx *ctx;
    rfnas_space *space;
    float *xt, *xv;
    int32_t *yt, *yv;
} session;

static void session_open(session *ss, const bench_cfg *bc0, const opts *o)
{
    ss->bc = *bc0;
    if (o->batch)
        ss->bc.batch = o->batch;
    ss->cells = o->cells ? o->cells : strcmp(ss->bc.space, "darts") ? 5 : 8;
    char threads[16];
    snprintf(threads, sizeof threads, "%d", o->threads);
    rfnas_config *cfg = kv((const char *const[]){"ctx.threads", threads, "ctx.seed", "1", NULL});
    TRY(rfnas_ctx_create(&ss->ctx, cfg));
    rfnas_config_destroy(cfg);
    TRY(rfnas_space_create(&ss->space, ss->bc.space));
    const size_t n_in = (size_t)ss->bc.batch * 3 * 32 * 32;
    ss->xt = xmalloc(n_in * sizeof *ss->xt);
    ss->xv = xmalloc(n_in * sizeof *ss->xv);
    ss->yt = xmalloc((size_t)ss->bc.batch * sizeof *ss->yt);
    ss->yv = xmalloc((size_t)ss->bc.batch * sizeof *ss->yv);
    fill(ss->xt, n_in, ss->yt, ss->bc.batch, 1);
    fill(ss->xv, n_in, ss->yv, ss->bc.batch, 2);
}

static void session_close(session *ss)
{
    free(ss->xt);
    free(ss->xv);
    free(ss->yt);
    free(ss->yv);
    rfnas_space_destroy(ss->space);
    rfnas_ctx_destroy(ss->ctx);
}

/* A supernet with its two optimizers, built with the ablation switches
 * @p ablate (read at build time only). */
typedef struct runner {
    rfnas_supernet *net;
    rfnas_optimizer *w_opt, *a_opt;
} runner;

static void runner_create(runner *r, const session *ss, unsigned ablate)
{
    const bench_cfg *bc = &ss->bc;
    const int cells = ss->cells;
    char batch[16], cells_s[16];
    snprintf(batch, sizeof batch, "%d", bc->batch);
    snprintf(cells_s, sizeof cells_s, "%d", cells);
    rfnas_config *cfg = kv((const char *const[]){
        "net.features", bc->features, "net.channels", "16", "net.cells", cells_s, "net.classes",
        "10", "net.in_channels", "3", "net.in_height", "32", "net.in_width", "32",
        "net.max_batch", batch, "net.precision", bc->precision ? bc->precision : "fp32", NULL});
    rfnas__net_ablate = ablate;
    TRY(rfnas_supernet_create(&r->net, ss->ctx, ss->space, cfg));
    rfnas__net_ablate = 0;
    rfnas_config_destroy(cfg);
    TRY(rfnas_optimizer_create(&r->w_opt, r->net, RFNAS_GROUP_WEIGHTS, NULL));
    cfg = kv((const char *const[]){"opt.kind", "adam", NULL});
    TRY(rfnas_optimizer_create(&r->a_opt, r->net, RFNAS_GROUP_ARCH, cfg));
    rfnas_config_destroy(cfg);
}

static void runner_destroy(runner *r)
{
    rfnas_optimizer_destroy(r->w_opt);
    rfnas_optimizer_destroy(r->a_opt);
    rfnas_supernet_destroy(r->net);
}

/* One search step (an arch step on the val batch, a weights step on the
 * train batch), or one evaluation forward; returns the last loss. */
static double runner_step(runner *r, const session *ss)
{
    const bench_cfg *bc = &ss->bc;
    const float *xt = ss->xt, *xv = ss->xv;
    const int32_t *yt = ss->yt, *yv = ss->yv;
    double loss_v = 0, loss_t = 0;
    if (bc->eval) {
        TRY(rfnas_supernet_forward(r->net, xv, yv, bc->batch, RFNAS_PHASE_EVAL, &loss_v, NULL));
        return loss_v;
    }
    TRY(rfnas_supernet_zero_grad(r->net, RFNAS_GROUP_ARCH));
    TRY(rfnas_supernet_forward(r->net, xv, yv, bc->batch, RFNAS_PHASE_ARCH, &loss_v, NULL));
    TRY(rfnas_supernet_backward(r->net));
    TRY(rfnas_optimizer_step(r->a_opt, NULL));
    TRY(rfnas_supernet_zero_grad(r->net, RFNAS_GROUP_WEIGHTS));
    TRY(rfnas_supernet_forward(r->net, xt, yt, bc->batch, RFNAS_PHASE_WEIGHTS, &loss_t, NULL));
    TRY(rfnas_supernet_backward(r->net));
    TRY(rfnas_optimizer_step(r->w_opt, NULL));
    return loss_t;
}

/* --interleave: the configuration with every technique (A) and with
 * --ablate's switches (B) in one process, steps alternating A, B, A, B, ...
 * so that the host's slow and fast phases hit both alike (its speed drifts
 * by 10-40% over minutes on these shared machines, more than most
 * techniques change). Prints both medians and the median of the per-pair
 * ratios B / A, of wall time and of CPU time (at 1 thread the CPU time is
 * the step's own work, the steadiest figure on a shared host). */
static void run_interleaved(const bench_cfg *bc0, const opts *o)
{
    session ss;
    session_open(&ss, bc0, o);
    const bench_cfg *bc = &ss.bc;
    runner r[2];
    runner_create(&r[0], &ss, 0);
    runner_create(&r[1], &ss, o->ablate_bits);
    const size_t steps = (size_t)o->steps;
    double *t[2] = {xmalloc(steps * sizeof(double)), xmalloc(steps * sizeof(double))};
    double *c[2] = {xmalloc(steps * sizeof(double)), xmalloc(steps * sizeof(double))};
    double *ratio = xmalloc(steps * sizeof *ratio), *cpu_ratio = xmalloc(steps * sizeof *cpu_ratio);
    double loss[2] = {0, 0};
    for (int s = -o->warmup; s < o->steps; s++)
        for (int k = 0; k < 2; k++) {
            const double t0 = now(), c0 = cpu_now();
            loss[k] = runner_step(&r[k], &ss);
            if (s >= 0) {
                t[k][s] = now() - t0;
                c[k][s] = cpu_now() - c0;
            }
        }
    for (int s = 0; s < o->steps; s++) {
        ratio[s] = t[1][s] / t[0][s];
        cpu_ratio[s] = c[1][s] / c[0][s];
    }
    for (int k = 0; k < 2; k++) {
        qsort(t[k], (size_t)o->steps, sizeof(double), cmp_double);
        qsort(c[k], (size_t)o->steps, sizeof(double), cmp_double);
    }
    qsort(ratio, (size_t)o->steps, sizeof *ratio, cmp_double);
    qsort(cpu_ratio, (size_t)o->steps, sizeof *cpu_ratio, cmp_double);
    const rfnas__graph *g[2] = {r[0].net->net.graph, r[1].net->net.graph};
    printf("{\"config\": \"%s\", \"kind\": \"interleaved\", \"batch\": %d, \"cells\": %d, "
           "\"threads\": %d, \"steps\": %d, \"ablate\": \"%s\", \"step_ms_median\": %.2f, "
           "\"ablated_step_ms_median\": %.2f, \"ratio_median\": %.3f, \"ratio_min\": %.3f, "
           "\"ratio_max\": %.3f, \"cpu_ms_median\": %.2f, \"ablated_cpu_ms_median\": %.2f, "
           "\"cpu_ratio_median\": %.3f, \"arena_mb\": %.1f, \"ablated_arena_mb\": %.1f, "
           "\"loss\": %.6f, \"ablated_loss\": %.6f}\n",
           bc->name, bc->batch, ss.cells, o->threads, o->steps, o->ablate ? o->ablate : "",
           median_of(t[0], o->steps) * 1e3, median_of(t[1], o->steps) * 1e3,
           median_of(ratio, o->steps), ratio[0], ratio[o->steps - 1],
           median_of(c[0], o->steps) * 1e3, median_of(c[1], o->steps) * 1e3,
           median_of(cpu_ratio, o->steps),
           (double)rfnas__graph_plan_bytes(g[0], RFNAS__MODE_ARCH) / 1048576.0,
           (double)rfnas__graph_plan_bytes(g[1], RFNAS__MODE_ARCH) / 1048576.0, loss[0], loss[1]);
    fflush(stdout);
    free(t[0]);
    free(t[1]);
    free(c[0]);
    free(c[1]);
    free(ratio);
    free(cpu_ratio);
    runner_destroy(&r[0]);
    runner_destroy(&r[1]);
    session_close(&ss);
}

static void run_config(const bench_cfg *bc0, const opts *o)
{
    session ss;
    session_open(&ss, bc0, o);
    const bench_cfg *bc = &ss.bc;
    const int cells = ss.cells;
    const double t_build = now();
    const long allocs_before_build = n_allocs;
    runner r;
    runner_create(&r, &ss, o->ablate_bits);
    const double build_s = now() - t_build; /* the two optimizers are a negligible part */
    const long allocs_build = n_allocs - allocs_before_build; /* proves the count works */
    rfnas_supernet *net = r.net;

    double *times = xmalloc((size_t)o->steps * sizeof *times);
    double *cpu = xmalloc((size_t)o->steps * sizeof *cpu);

    double loss = 0;
    for (int s = -o->warmup; s < o->steps; s++) {
        if (s == 0 && o->wait_s > 0)
            wait_quiet(o->wait_s, (int)sysconf(_SC_NPROCESSORS_ONLN));
        static cpu_snap c0;
        static int have0;
        static long allocs0, flt0;
        if (s == 0) {
            have0 = snap_cpu(&c0);
            allocs0 = n_allocs;
            flt0 = minflt_now();
        }
        const double t0 = now(), c0_step = cpu_now();
        loss = runner_step(&r, &ss);
        if (s >= 0) {
            times[s] = now() - t0;
            cpu[s] = cpu_now() - c0_step;
        }
        if (s == o->steps - 1) {
            const double allocs = (double)(n_allocs - allocs0) / o->steps;
            const double minflt = (double)(minflt_now() - flt0) / o->steps;
            cpu_snap c1;
            double other = -1, steal = -1, wall = 0;
            for (int i = 0; i < o->steps; i++)
                wall += times[i];
            if (have0 && snap_cpu(&c1) && wall > 0) {
                const double cap = wall * (double)sysconf(_SC_NPROCESSORS_ONLN);
                const double busy = (c1.busy_s - c0.busy_s) - (c1.own_s - c0.own_s);
                other = 100.0 * (busy > 0 ? busy : 0) / cap;
                steal = 100.0 * (c1.steal_s - c0.steal_s) / cap;
            }
            qsort(times, (size_t)o->steps, sizeof *times, cmp_double);
            const int n = o->steps;
            const double med = median_of(times, n);
            qsort(cpu, (size_t)n, sizeof *cpu, cmp_double);
            const rfnas__graph *g = net->net.graph;
            const size_t plan_eval = rfnas__graph_plan_bytes(g, RFNAS__MODE_EVAL);
            const size_t plan_w = rfnas__graph_plan_bytes(g, RFNAS__MODE_WEIGHTS);
            const size_t plan_a = rfnas__graph_plan_bytes(g, RFNAS__MODE_ARCH);
            size_t all_tensors = 0;
            for (int t = 0; t < rfnas__graph_tensor_count(g); t++)
                if (rfnas__graph_tensor_info(g, t)->base < 0) /* a view has no buffer */
                    all_tensors += rfnas__graph_tensor_info(g, t)->per_sample * sizeof(float) *
                                   (size_t)bc->batch;
            size_t arena = plan_eval > plan_w ? plan_eval : plan_w;
            arena = plan_a > arena ? plan_a : arena;
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            const int images = bc->eval ? bc->batch : 2 * bc->batch;
            printf("{\"config\": \"%s\", \"space\": \"%s\", \"features\": \"%s\", "
                   "\"precision\": \"%s\", "
                   "\"kind\": \"%s\", \"batch\": %d, \"C\": 16, \"cells\": %d, "
                   "\"ablate\": \"%s\", "
                   "\"input\": \"3x32x32\", \"classes\": 10, \"threads\": %d, \"steps\": %d, "
                   "\"warmup\": %d, \"step_ms_median\": %.2f, \"step_ms_min\": %.2f, "
                   "\"step_ms_max\": %.2f, \"cpu_ms_median\": %.2f, \"cpu_ms_min\": %.2f, "
                   "\"images_per_s\": %.1f, \"peak_rss_mb\": %.1f, "
                   "\"arena_mb\": %.1f, \"plan_mb\": {\"eval\": %.1f, \"weights\": %.1f, "
                   "\"arch\": %.1f}, \"all_tensors_mb\": %.1f, \"allocs_per_step\": %.1f, "
                   "\"minflt_per_step\": %.1f, \"allocs_build\": %ld, \"build_s\": %.2f, \"loss\": %.4f, "
                   "\"other_pct\": %.1f, \"steal_pct\": %.1f}\n",
                   bc->name, bc->space, bc->features,
                   bc->precision ? bc->precision : "fp32", bc->eval ? "eval" : "step", bc->batch,
                   cells, o->ablate ? o->ablate : "", o->threads, o->steps, o->warmup,
                   med * 1e3, times[0] * 1e3, times[n - 1] * 1e3, median_of(cpu, n) * 1e3,
                   cpu[0] * 1e3, images / med,
                   (double)ru.ru_maxrss / 1024.0, (double)arena / 1048576.0,
                   (double)plan_eval / 1048576.0, (double)plan_w / 1048576.0,
                   (double)plan_a / 1048576.0, (double)all_tensors / 1048576.0, allocs, minflt,
                   allocs_build, build_s, loss, other, steal);
            fflush(stdout);
        }
    }
    free(times);
    free(cpu);
    runner_destroy(&r);
    session_close(&ss);
}

/* ---- main ---- */

static int parse_int(const char *flag, const char *v, int lo, int hi)
{
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || x < lo || x > hi) {
        fprintf(stderr, "rfnas-bench: %s wants an integer in %d..%d\n", flag, lo, hi);
        exit(2);
    }
    return (int)x;
}

/* Whether @p name is in the comma-separated @p list. */
static int selected(const char *list, const char *name)
{
    if (!list)
        return 1;
    const size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        const size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == len && !strncmp(p, name, n))
            return 1;
        p += n + (comma ? 1 : 0);
    }
    return 0;
}

/* The switches a comma-separated list of technique names turns off, or 0 if
 * the list is empty or names one that does not exist. */
static unsigned ablation_bits(const char *list)
{
    unsigned bits = 0;
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        const size_t n = comma ? (size_t)(comma - p) : strlen(p);
        unsigned bit = 0;
        for (size_t a = 0; a < sizeof ablations / sizeof ablations[0]; a++)
            if (strlen(ablations[a].name) == n && !strncmp(p, ablations[a].name, n))
                bit = ablations[a].bit;
        if (!bit)
            return 0;
        bits |= bit;
        p += n + (comma ? 1 : 0);
    }
    return bits;
}

int main(int argc, char **argv)
{
    opts o = {2, 10, 3, 0.0, NULL, 0, 0, NULL, 0, 0};
    for (int i = 1; i < argc; i += 2) { /* every option takes a value but --list */
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--threads"))
            o.threads = parse_int(argv[i], v, 1, 1024);
        else if (!strcmp(argv[i], "--steps"))
            o.steps = parse_int(argv[i], v, 1, MAX_STEPS);
        else if (!strcmp(argv[i], "--warmup"))
            o.warmup = parse_int(argv[i], v, 0, MAX_STEPS);
        else if (!strcmp(argv[i], "--wait"))
            o.wait_s = parse_int(argv[i], v, 0, 3600);
        else if (!strcmp(argv[i], "--only"))
            o.only = v;
        else if (!strcmp(argv[i], "--interleave"))
            o.interleave = parse_int(argv[i], v, 0, 1);
        else if (!strcmp(argv[i], "--cells"))
            o.cells = parse_int(argv[i], v, 1, 64);
        else if (!strcmp(argv[i], "--batch"))
            o.batch = parse_int(argv[i], v, 1, 4096);
        else if (!strcmp(argv[i], "--ablate")) {
            o.ablate = v;
            o.ablate_bits = ablation_bits(v);
            if (!o.ablate_bits) {
                fprintf(stderr, "rfnas-bench: --ablate wants shared-relu, pool-in-sum, node-sum "
                                "or merged-conv (comma-separated)\n");
                return 2;
            }
        }
        else if (!strcmp(argv[i], "--list")) {
            for (int c = 0; c < N_CONFIGS; c++)
                printf("%s\n", configs[c].name);
            return 0;
        } else {
            fprintf(stderr, "usage: rfnas-bench [--threads N] [--steps S] [--warmup W] "
                            "[--only NAME[,NAME...]] [--wait SECONDS] [--cells N] [--batch B] "
                            "[--ablate WHAT[,WHAT...] [--interleave 1]] [--list]\n");
            return 2;
        }
    }
    if (o.interleave && !o.ablate_bits) {
        fprintf(stderr, "rfnas-bench: --interleave 1 compares against --ablate's switches\n");
        return 2;
    }
    int ran = 0, failed = 0;
    for (int c = 0; c < N_CONFIGS; c++) {
        if (!selected(o.only, configs[c].name))
            continue;
        ran++;
        fflush(stdout);
        const pid_t pid = fork();
        if (pid < 0) {
            perror("rfnas-bench: fork");
            return 1;
        }
        if (pid == 0) {
            if (o.interleave)
                run_interleaved(&configs[c], &o);
            else
                run_config(&configs[c], &o);
            fflush(stdout);
            _exit(0);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "rfnas-bench: %s failed\n", configs[c].name);
            failed++;
        }
    }
    if (!ran) {
        fprintf(stderr, "rfnas-bench: no configuration matches --only %s (see --list)\n", o.only);
        return 2;
    }
    return failed ? 1 : 0;
}
