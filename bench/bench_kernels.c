/* rfnas-bench-kernels: timings of the engine's kernels at the NAS-Bench-201
 * cell shapes (issue 3, "Must show"), one JSON object per line. Built by meson,
 * never run by the tests; results and method are in docs/performance.md.
 *
 *   rfnas-bench-kernels [--threads N] [--reps R] [--batch B] [--wait S] [--bf16 1]
 *                       [--conv-only 1]
 *
 * With --bf16 1 only the single convolutions run, as bf16 plans (issue 6):
 * f32 nChw16c in and out, bf16 inside, conversions at the boundary included.
 * --conv-only 1 runs only the single convolutions in fp32, to compare with
 * that in the same session.
 *
 * Per stage shape (C=16 at 32x32, 32 at 16x16, 64 at 8x8; batch B, default 64):
 * - conv1x1 and conv3x3 (C->C, stride 1, frozen as in RF mode): forward and
 *   backward-data, with GFLOP/s = 2*N*OC*OH*OW*IC/G*KH*KW / time;
 * - batch norm in training mode with affine scale and shift (running
 *   statistics updated as the graph does): fwd, bwd and fwd+bwd;
 * - the fused alternative (DESIGN 3): the 3x3 convs of the three out-edges of
 *   cell node 0 (1<-0, 2<-0, 3<-0, C->C each, same input) as one C->3C
 *   convolution against three C->C ones (and the two of node 1, 2<-1 and 3<-1,
 *   as C->2C against two C->C); backward-data of the separate
 *   convs also as the graph would need it, plus the sum of their input
 *   gradients (the fused conv yields that sum directly). "ratio" is the
 *   separate time over the fused time; "max_rel_diff" checks that the fused
 *   outputs equal the separate ones;
 * - for context, the library's own 3x3 average pooling (stride 1, fwd and bwd)
 *   and 5-input weighted sum (fwd; bwd with the alpha dot products), with
 *   GB/s from a minimal-traffic model (T = one activation tensor): pool 2T,
 *   sum5 fwd 6T, sum5 bwd 11T, BN fwd 2T, bwd 3T;
 * - first, the machine's fp32 roof at the time of the run: dnnl_sgemm 2048^3
 *   (the notes' 3.1 reference; the host's speed varies, so compare the convs
 *   with this line rather than with the notes' absolute figures).
 *
 * Method (reference/onednn-notes.md 0): at least 3 warm-up runs, then at least
 * R timed runs (default 20) and at least 0.25 s of them, each timed with
 * CLOCK_MONOTONIC; median, min and max. "other_pct" is the CPU time other
 * processes took during the timed runs (busy time in /proc/stat minus our own
 * getrusage), as a percentage of all CPUs' wall time, and "steal_pct" the time
 * the hypervisor gave our vCPUs to someone else (/proc/stat steal). A
 * measurement with other_pct + steal_pct above 10 is retried (up to 4
 * attempts; the quietest is printed, "attempts" says how many it took). With
 * --wait S, each attempt first waits up to S seconds for a 0.5 s window in
 * which other processes used under 5% of the CPUs (the notes' wait_quiet.sh).
 * Alternatives that are compared (separate against fused) are timed
 * interleaved, run by run, so that a slow phase of the host hits both.
 * All operands are reused between runs, so they are cache-warm: a real step,
 * whose activations do not fit in cache, runs the memory-bound kernels slower. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <oneapi/dnnl/dnnl.h>

#include "rfnas.h"

#include "ctx.h"
#include "kernels/bnorm.h"
#include "kernels/conv.h"
#include "kernels/prim.h"
#include "kernels/loops/blocked.h"
#include "kernels/loops/pool.h"
#include "kernels/loops/sum.h"

enum { MAX_RUNS = 4000, WARMUP = 3, MAX_ATTEMPTS = 4 };
#define MIN_TIMED_S 0.25
#define RETRY_OTHER_PCT 10.0

typedef struct opts {
    int threads;
    int reps;
    int batch;
    double wait_s; /* per attempt: wait up to this long for a quiet machine */
    int bf16;      /* convolutions only, in bf16 */
    int conv_only; /* convolutions only */
} opts;

static rfnas_ctx *g_ctx;
static opts g_opt;

static void die(const char *what, rfnas_status st)
{
    fprintf(stderr, "rfnas-bench-kernels: %s failed (status %d): %s\n", what, (int)st,
            rfnas_error_last());
    exit(1);
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        rfnas_status st_ = (call);                                                                 \
        if (st_ != RFNAS_OK)                                                                       \
            die(#call, st_);                                                                       \
    } while (0)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- noise: CPU time of other processes (onednn-notes 0) ---- */

typedef struct cpu_snap {
    double busy_s;  /* all CPUs: user + nice + system + irq + softirq */
    double steal_s; /* time the hypervisor ran something else on our vCPUs */
    double own_s;   /* this process, all threads: user + system */
} cpu_snap;

static int snap_cpu(cpu_snap *s)
{
    static long hz;
    if (!hz)
        hz = sysconf(_SC_CLK_TCK);
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return 0;
    unsigned long long v[8] = {0};
    int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                     &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (got < 7 || hz <= 0)
        return 0;
    s->busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / (double)hz;
    s->steal_s = got >= 8 ? (double)v[7] / (double)hz : 0.0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    s->own_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
               (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return 1;
}

static int g_ncpu = 1;

/* ---- the timing harness ---- */

typedef void (*run_fn)(void *arg);

typedef struct result {
    double median_ms, min_ms, max_ms;
    double other_pct, steal_pct; /* negative: unknown */
    int runs, attempts;
} result;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { MAX_GROUP = 3 };
static double g_times[MAX_GROUP][MAX_RUNS];

static void summarise(double *t, int n, result *r)
{
    qsort(t, (size_t)n, sizeof(double), cmp_double);
    r->runs = n;
    r->min_ms = t[0] * 1e3;
    r->max_ms = t[n - 1] * 1e3;
    r->median_ms = (n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2])) * 1e3;
}

/* Waits until other processes used under 5% of the CPUs over a 0.5 s window,
 * for at most g_opt.wait_s seconds (the notes' wait_quiet.sh, in process). */
static void wait_quiet(void)
{
    double start = now();
    while (now() - start < g_opt.wait_s) {
        cpu_snap s0, s1;
        if (!snap_cpu(&s0))
            return;
        struct timespec half = {0, 500000000L};
        double t0 = now();
        nanosleep(&half, NULL);
        double wall = now() - t0;
        if (!snap_cpu(&s1))
            return;
        double other = (s1.busy_s - s0.busy_s) - (s1.own_s - s0.own_s);
        if (other < 0.05 * wall * (double)g_ncpu)
            return;
    }
}

/* Times the @p k alternatives f[i](arg[i]) interleaved (f0 f1 f2 f0 f1 f2 ...),
 * so that a slow phase of a shared host hits all of them alike: the ratios
 * between them are then more trustworthy than their absolute times. */
static void measure_once(int k, run_fn *f, void **arg, result *r)
{
    if (g_opt.wait_s > 0)
        wait_quiet();
    for (int w = 0; w < WARMUP; w++)
        for (int i = 0; i < k; i++)
            f[i](arg[i]);
    cpu_snap s0, s1;
    int have = snap_cpu(&s0);
    double start = now();
    int n = 0;
    while (n < MAX_RUNS && (n < g_opt.reps || now() - start < MIN_TIMED_S * k)) {
        for (int i = 0; i < k; i++) {
            double t0 = now();
            f[i](arg[i]);
            g_times[i][n] = now() - t0;
        }
        n++;
    }
    double wall = now() - start;
    have = have && snap_cpu(&s1);
    double other_pct = -1, steal_pct = -1;
    if (have && wall > 0) {
        double cap = wall * (double)g_ncpu;
        double other = (s1.busy_s - s0.busy_s) - (s1.own_s - s0.own_s);
        other_pct = 100.0 * (other > 0 ? other : 0) / cap;
        steal_pct = 100.0 * (s1.steal_s - s0.steal_s) / cap;
    }
    for (int i = 0; i < k; i++) {
        summarise(g_times[i], n, &r[i]);
        r[i].other_pct = other_pct;
        r[i].steal_pct = steal_pct;
    }
}

/* Other processes plus hypervisor steal: both take CPU from our threads. */
static double noise(const result *r)
{
    return r->other_pct + (r->steal_pct > 0 ? r->steal_pct : 0);
}

static void measure_group(int k, run_fn *f, void **arg, result *best)
{
    for (int a = 1; a <= MAX_ATTEMPTS; a++) {
        result r[MAX_GROUP];
        measure_once(k, f, arg, r);
        if (a == 1 || noise(&r[0]) < noise(&best[0]))
            for (int i = 0; i < k; i++)
                best[i] = r[i];
        for (int i = 0; i < k; i++)
            best[i].attempts = a;
        if (noise(&best[0]) < RETRY_OTHER_PCT)
            break;
    }
}

static void measure(run_fn f, void *arg, result *best)
{
    measure_group(1, &f, &arg, best);
}

/* ---- JSON output ---- */

static void print_result(const char *kernel, int c, int hw, const char *dir, const result *r,
                         double flop, double bytes, const char *impl, const char *extra)
{
    printf("{\"kernel\": \"%s\", \"c\": %d, \"hw\": %d, \"batch\": %d, \"threads\": %d, "
           "\"dir\": \"%s\", \"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, ",
           kernel, c, hw, g_opt.batch, g_opt.threads, dir, r->median_ms, r->min_ms, r->max_ms);
    if (flop > 0)
        printf("\"gflops\": %.1f, ", flop / (r->median_ms * 1e-3) * 1e-9);
    else
        printf("\"gflops\": null, ");
    if (bytes > 0)
        printf("\"gbs\": %.1f, ", bytes / (r->median_ms * 1e-3) * 1e-9);
    printf("\"impl\": \"%s\", \"runs\": %d, \"attempts\": %d, \"other_pct\": %.1f, "
           "\"steal_pct\": %.1f%s%s}\n",
           impl ? impl : "", r->runs, r->attempts, r->other_pct, r->steal_pct, extra ? ", " : "",
           extra ? extra : "");
    fflush(stdout);
}

/* ---- buffers ---- */

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;

static float urand(void) /* uniform in [-1, 1) */
{
    g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(g_rng >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
}

static float *buf(size_t floats)
{
    float *p = rfnas__alloc(g_ctx, floats * sizeof(float));
    if (!p) {
        fprintf(stderr, "rfnas-bench-kernels: out of memory\n");
        exit(1);
    }
    memset(p, 0, floats * sizeof(float));
    return p;
}

/* Random values in the real channels, zero in the padding ones. */
static float *blocked_rand(rfnas__blocked_shape s, float scale)
{
    float *p = buf(rfnas__blocked_count(s));
    for (int n = 0; n < s.n; n++)
        for (int c = 0; c < s.c; c++)
            for (int h = 0; h < s.h; h++)
                for (int w = 0; w < s.w; w++)
                    p[rfnas__blocked_offset(s, n, c, h, w)] = scale * urand();
    return p;
}

/* ---- convolution ---- */

typedef struct conv_run {
    rfnas__conv *conv[3];
    int count;
    const float *src[3];
    float *dst[3];
    /* backward-data + sum */
    float *sum_out;
} conv_run;

static void run_conv_fwd(void *arg)
{
    conv_run *r = arg;
    for (int i = 0; i < r->count; i++)
        CHECK(rfnas__conv_forward(r->conv[i], r->src[i], r->dst[i]));
}

static void run_conv_bwd(void *arg)
{
    conv_run *r = arg;
    for (int i = 0; i < r->count; i++)
        CHECK(rfnas__conv_backward_data(r->conv[i], r->src[i], r->dst[i]));
}

static void sum_in_ctx(float *out, const float *const *x, const float *w, int k, size_t len,
                       int accum)
{
    rfnas__threads_scope scope;
    rfnas__threads_enter(g_ctx, &scope);
    rfnas__sum_weighted(out, x, w, k, len, accum);
    rfnas__threads_leave(&scope);
}

static void run_conv_bwd_sum(void *arg)
{
    conv_run *r = arg;
    run_conv_bwd(arg);
    static const float ones[3] = {1.0f, 1.0f, 1.0f};
    size_t len = rfnas__md_bytes(rfnas__conv_src_md(r->conv[0])) / sizeof(float);
    sum_in_ctx(r->sum_out, (const float *const *)r->dst, ones, r->count, len, 0);
}

static rfnas__conv *make_conv(int ic, int oc, int hw, int k)
{
    rfnas__conv_desc d = {0};
    d.n = g_opt.batch;
    d.ic = ic;
    d.ih = d.iw = hw;
    d.oc = oc;
    d.kh = d.kw = k;
    d.stride = 1;
    d.pad_h = d.pad_w = k / 2;
    d.dilation = 1;
    d.groups = 1;
    d.trainable = 0; /* RF mode: frozen random features */
    d.bf16 = g_opt.bf16;
    rfnas__conv *c = NULL;
    CHECK(rfnas__conv_create(&c, g_ctx, &d));
    return c;
}

static float *rand_weights(size_t count, int fan_in)
{
    float *w = buf(count);
    float scale = sqrtf(6.0f / (float)fan_in); /* Kaiming-uniform range */
    for (size_t i = 0; i < count; i++)
        w[i] = scale * urand();
    return w;
}

static double conv_flop(int ic, int oc, int hw, int k)
{
    return 2.0 * g_opt.batch * oc * (double)hw * hw * ic * k * k;
}

static void bench_conv(int c, int hw, int k)
{
    rfnas__conv *conv = make_conv(c, c, hw, k);
    float *w = rand_weights(rfnas__conv_weights_count(conv), c * k * k);
    CHECK(rfnas__conv_set_weights(conv, w));
    rfnas__blocked_shape s = rfnas__blocked_make(g_opt.batch, c, hw, hw);
    float *x = blocked_rand(s, 1.0f), *y = blocked_rand(s, 1.0f);
    float *dy = blocked_rand(s, 1.0f), *dx = buf(rfnas__blocked_count(s));
    char name[16];
    snprintf(name, sizeof name, "conv%dx%d", k, k);
    double flop = conv_flop(c, c, hw, k);
    result r;

    conv_run fr = {{conv}, 1, {x}, {y}, NULL};
    measure(run_conv_fwd, &fr, &r);
    print_result(name, c, hw, "fwd", &r, flop, 0, rfnas__conv_impl(conv, RFNAS__CONV_FWD), NULL);

    conv_run br = {{conv}, 1, {dy}, {dx}, NULL};
    measure(run_conv_bwd, &br, &r);
    print_result(name, c, hw, "bwd_data", &r, flop, 0, rfnas__conv_impl(conv, RFNAS__CONV_BWD_DATA),
                 NULL);

    rfnas__free(g_ctx, x);
    rfnas__free(g_ctx, y);
    rfnas__free(g_ctx, dy);
    rfnas__free(g_ctx, dx);
    rfnas__free(g_ctx, w);
    rfnas__conv_destroy(conv);
}

/* The largest |a - b| / (|b| + 1) over the real channels: fused channel block
 * m*C + c of @p fused against channel c of @p sep[m] (or of the sum of the
 * three when @p summed). */
static double fused_diff(const float *fused, rfnas__blocked_shape fs, float *const *sep,
                         rfnas__blocked_shape s, int m, int summed)
{
    double worst = 0;
    for (int n = 0; n < s.n; n++)
        for (int c = 0; c < s.c; c++)
            for (int h = 0; h < s.h; h++)
                for (int w = 0; w < s.w; w++) {
                    size_t o = rfnas__blocked_offset(s, n, c, h, w);
                    for (int i = 0; i < (summed ? 1 : m); i++) {
                        double a = summed ? fused[o]
                                          : fused[rfnas__blocked_offset(fs, n, i * s.c + c, h, w)];
                        double b = 0;
                        if (summed)
                            for (int j = 0; j < m; j++)
                                b += sep[j][o];
                        else
                            b = sep[i][o];
                        double d = fabs(a - b) / (fabs(b) + 1.0);
                        worst = d > worst ? d : worst;
                    }
                }
    return worst;
}

/* @p m convolutions C->C with the same k that read the same input, against one C->mC. */
static void bench_fused(int c, int hw, int k, int m)
{
    rfnas__blocked_shape s = rfnas__blocked_make(g_opt.batch, c, hw, hw);
    rfnas__blocked_shape fs = rfnas__blocked_make(g_opt.batch, m * c, hw, hw);
    rfnas__conv *sep[3], *fused = make_conv(c, m * c, hw, k);
    size_t wc = (size_t)c * (size_t)c * (size_t)(k * k);
    float *wf = rand_weights((size_t)m * wc, c * k * k); /* [mC][C][k][k] = the m weights stacked */
    CHECK(rfnas__conv_set_weights(fused, wf));
    float *x = blocked_rand(s, 1.0f), *y[3], *dy[3], *dx[3];
    float *yf = buf(rfnas__blocked_count(fs)), *dyf = buf(rfnas__blocked_count(fs));
    float *dxf = buf(rfnas__blocked_count(s)), *dxsum = buf(rfnas__blocked_count(s));
    for (int i = 0; i < m; i++) {
        sep[i] = make_conv(c, c, hw, k);
        CHECK(rfnas__conv_set_weights(sep[i], wf + (size_t)i * wc));
        y[i] = buf(rfnas__blocked_count(s));
        dy[i] = blocked_rand(s, 1.0f);
        dx[i] = buf(rfnas__blocked_count(s));
        for (int n = 0; n < s.n; n++) /* the fused output gradient: the m stacked */
            for (int ch = 0; ch < c; ch++)
                for (int h = 0; h < hw; h++)
                    for (int w = 0; w < hw; w++)
                        dyf[rfnas__blocked_offset(fs, n, i * c + ch, h, w)] =
                            dy[i][rfnas__blocked_offset(s, n, ch, h, w)];
    }
    char fname[32], sname[32], extra[160];
    snprintf(fname, sizeof fname, "conv%dx%d_fused%d", k, k, m);
    snprintf(sname, sizeof sname, "conv%dx%d_sep%d", k, k, m);
    double flop = m * conv_flop(c, c, hw, k);
    result rs, rf;

    conv_run sf = {{sep[0], sep[1], sep[2]}, m, {x, x, x}, {y[0], y[1], y[2]}, NULL};
    conv_run ff = {{fused}, 1, {x}, {yf}, NULL};
    {
        run_fn fs2[2] = {run_conv_fwd, run_conv_fwd};
        void *as2[2] = {&sf, &ff};
        result r2[2];
        measure_group(2, fs2, as2, r2);
        rs = r2[0];
        rf = r2[1];
    }
    print_result(sname, c, hw, "fwd", &rs, flop, 0, rfnas__conv_impl(sep[0], RFNAS__CONV_FWD),
                 NULL);
    snprintf(extra, sizeof extra, "\"oc\": %d, \"ratio\": %.3f, \"max_rel_diff\": %.2e", m * c,
             rs.median_ms / rf.median_ms, fused_diff(yf, fs, y, s, m, 0));
    print_result(fname, c, hw, "fwd", &rf, flop, 0, rfnas__conv_impl(fused, RFNAS__CONV_FWD),
                 extra);

    conv_run sb = {
        {sep[0], sep[1], sep[2]}, m, {dy[0], dy[1], dy[2]}, {dx[0], dx[1], dx[2]}, dxsum};
    conv_run fb = {{fused}, 1, {dyf}, {dxf}, NULL};
    result rss;
    {
        run_fn fs3[3] = {run_conv_bwd, run_conv_bwd_sum, run_conv_bwd};
        void *as3[3] = {&sb, &sb, &fb};
        result r3[3];
        measure_group(3, fs3, as3, r3);
        rs = r3[0];
        rss = r3[1];
        rf = r3[2];
    }
    print_result(sname, c, hw, "bwd_data", &rs, flop, 0,
                 rfnas__conv_impl(sep[0], RFNAS__CONV_BWD_DATA), NULL);
    print_result(sname, c, hw, "bwd_data+sum", &rss, flop, 0,
                 rfnas__conv_impl(sep[0], RFNAS__CONV_BWD_DATA), NULL);
    snprintf(extra, sizeof extra,
             "\"oc\": %d, \"ratio\": %.3f, \"ratio_with_sum\": %.3f, \"max_rel_diff\": %.2e", m * c,
             rs.median_ms / rf.median_ms, rss.median_ms / rf.median_ms,
             fused_diff(dxf, s, dx, s, m, 1));
    print_result(fname, c, hw, "bwd_data", &rf, flop, 0,
                 rfnas__conv_impl(fused, RFNAS__CONV_BWD_DATA), extra);

    for (int i = 0; i < m; i++) {
        rfnas__conv_destroy(sep[i]);
        rfnas__free(g_ctx, y[i]);
        rfnas__free(g_ctx, dy[i]);
        rfnas__free(g_ctx, dx[i]);
    }
    rfnas__conv_destroy(fused);
    rfnas__free(g_ctx, wf);
    rfnas__free(g_ctx, x);
    rfnas__free(g_ctx, yf);
    rfnas__free(g_ctx, dyf);
    rfnas__free(g_ctx, dxf);
    rfnas__free(g_ctx, dxsum);
}

/* ---- batch norm ---- */

typedef struct bn_run {
    rfnas__bnorm *bn;
    float *x, *y, *dy, *dx, *gamma, *beta, *mean, *var, *rmean, *rvar, *dgamma, *dbeta;
} bn_run;

static void run_bn_fwd(void *arg)
{
    bn_run *b = arg;
    CHECK(rfnas__bnorm_forward_train(b->bn, b->x, b->y, b->gamma, b->beta, b->mean, b->var,
                                     b->rmean, b->rvar));
}

static void run_bn_bwd(void *arg)
{
    bn_run *b = arg;
    CHECK(rfnas__bnorm_backward(b->bn, 1, b->x, b->dy, b->mean, b->var, b->gamma, b->dx, b->dgamma,
                                b->dbeta, 1));
}

static void run_bn_both(void *arg)
{
    run_bn_fwd(arg);
    run_bn_bwd(arg);
}

static void bench_bn(int c, int hw)
{
    rfnas__bnorm_desc d = {g_opt.batch, c, hw, hw, 1};
    bn_run b = {0};
    CHECK(rfnas__bnorm_create(&b.bn, g_ctx, &d));
    rfnas__blocked_shape s = rfnas__blocked_make(g_opt.batch, c, hw, hw);
    b.x = blocked_rand(s, 1.0f);
    b.dy = blocked_rand(s, 1.0f);
    b.y = buf(rfnas__blocked_count(s));
    b.dx = buf(rfnas__blocked_count(s));
    float *p = buf(8 * (size_t)c);
    b.gamma = p;
    b.beta = p + c;
    b.mean = p + 2 * c;
    b.var = p + 3 * c;
    b.rmean = p + 4 * c;
    b.rvar = p + 5 * c;
    b.dgamma = p + 6 * c;
    b.dbeta = p + 7 * c;
    for (int i = 0; i < c; i++)
        b.gamma[i] = b.rvar[i] = 1.0f;
    run_bn_fwd(&b); /* batch statistics for a backward-only measurement */
    double t = (double)rfnas__blocked_count(s) * sizeof(float);
    result r;
    measure(run_bn_fwd, &b, &r);
    print_result("bn", c, hw, "fwd", &r, 0, 2 * t, rfnas__bnorm_impl(b.bn, 0, 1), NULL);
    measure(run_bn_bwd, &b, &r);
    print_result("bn", c, hw, "bwd", &r, 0, 3 * t, rfnas__bnorm_impl(b.bn, 1, 1), NULL);
    measure(run_bn_both, &b, &r);
    print_result("bn", c, hw, "fwd+bwd", &r, 0, 5 * t, rfnas__bnorm_impl(b.bn, 1, 1), NULL);
    rfnas__free(g_ctx, b.x);
    rfnas__free(g_ctx, b.dy);
    rfnas__free(g_ctx, b.y);
    rfnas__free(g_ctx, b.dx);
    rfnas__free(g_ctx, p);
    rfnas__bnorm_destroy(b.bn);
}

/* ---- the library's own loops: avg pool 3x3 and the 5-input weighted sum ---- */

typedef struct loop_run {
    rfnas__blocked_shape s;
    size_t len;
    float *x, *y, *z[5], *dz[5];
    float w[5];
    double g[5];
} loop_run;

#define IN_CTX(stmt)                                                                               \
    do {                                                                                           \
        rfnas__threads_scope scope_;                                                               \
        rfnas__threads_enter(g_ctx, &scope_);                                                      \
        stmt;                                                                                      \
        rfnas__threads_leave(&scope_);                                                             \
    } while (0)

static void run_pool_fwd(void *arg)
{
    loop_run *l = arg;
    IN_CTX(CHECK(rfnas__pool_avg_fwd(l->y, l->x, l->s, 3, 1, 1)));
}

static void run_pool_bwd(void *arg)
{
    loop_run *l = arg;
    IN_CTX(CHECK(rfnas__pool_avg_bwd(l->y, l->x, l->s, 3, 1, 1, 0)));
}

static void run_sum_fwd(void *arg)
{
    loop_run *l = arg;
    IN_CTX(rfnas__sum_weighted(l->y, (const float *const *)l->z, l->w, 5, l->len, 0));
}

static void run_sum_bwd(void *arg)
{
    loop_run *l = arg;
    IN_CTX(
        rfnas__sum_weighted_bwd(l->dz, l->g, l->x, (const float *const *)l->z, l->w, 5, l->len, 0));
}

static void bench_loops(int c, int hw)
{
    loop_run l = {0};
    l.s = rfnas__blocked_make(g_opt.batch, c, hw, hw);
    l.len = rfnas__blocked_count(l.s);
    l.x = blocked_rand(l.s, 1.0f);
    l.y = buf(l.len);
    for (int i = 0; i < 5; i++) {
        l.z[i] = blocked_rand(l.s, 1.0f);
        l.dz[i] = buf(l.len);
        l.w[i] = 0.2f;
    }
    double t = (double)l.len * sizeof(float);
    result r;
    measure(run_pool_fwd, &l, &r);
    print_result("avgpool3x3", c, hw, "fwd", &r, 0, 2 * t, "rfnas loop", NULL);
    measure(run_pool_bwd, &l, &r);
    print_result("avgpool3x3", c, hw, "bwd", &r, 0, 2 * t, "rfnas loop", NULL);
    measure(run_sum_fwd, &l, &r);
    print_result("wsum5", c, hw, "fwd", &r, 0, 6 * t, "rfnas loop", NULL);
    measure(run_sum_bwd, &l, &r);
    print_result("wsum5", c, hw, "bwd", &r, 0, 11 * t, "rfnas loop (with alpha dots)", NULL);
    rfnas__free(g_ctx, l.x);
    rfnas__free(g_ctx, l.y);
    for (int i = 0; i < 5; i++) {
        rfnas__free(g_ctx, l.z[i]);
        rfnas__free(g_ctx, l.dz[i]);
    }
}

/* ---- the machine's fp32 roof today: dnnl_sgemm 2048^3 (onednn-notes 3.1) ---- */

typedef struct gemm_run {
    int n;
    float *a, *b, *c;
} gemm_run;

static void run_sgemm(void *arg)
{
    gemm_run *g = arg;
    dnnl_status_t st;
    IN_CTX(st = dnnl_sgemm('N', 'N', g->n, g->n, g->n, 1.0f, g->a, g->n, g->b, g->n, 0.0f, g->c,
                           g->n));
    if (st != dnnl_success)
        die("dnnl_sgemm", rfnas__dnnl_error(st, "dnnl_sgemm"));
}

static void bench_sgemm(void)
{
    gemm_run g = {2048, NULL, NULL, NULL};
    size_t len = (size_t)g.n * (size_t)g.n;
    g.a = buf(len);
    g.b = buf(len);
    g.c = buf(len);
    for (size_t i = 0; i < len; i++) {
        g.a[i] = urand();
        g.b[i] = urand();
    }
    result r;
    measure(run_sgemm, &g, &r);
    print_result("sgemm", g.n, 0, "fwd", &r, 2.0 * g.n * (double)g.n * g.n, 0, "dnnl_sgemm", NULL);
    rfnas__free(g_ctx, g.a);
    rfnas__free(g_ctx, g.b);
    rfnas__free(g_ctx, g.c);
}

/* ---- main ---- */

static int parse_int(const char *flag, const char *v, int lo, int hi)
{
    char *end = NULL;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || x < lo || x > hi) {
        fprintf(stderr, "rfnas-bench-kernels: %s needs an integer in [%d, %d]\n", flag, lo, hi);
        exit(2);
    }
    return (int)x;
}

int main(int argc, char **argv)
{
    g_opt.threads = 2;
    g_opt.reps = 20;
    g_opt.batch = 64;
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--threads"))
            g_opt.threads = parse_int(argv[i], v, 1, 1024);
        else if (!strcmp(argv[i], "--reps"))
            g_opt.reps = parse_int(argv[i], v, 1, MAX_RUNS);
        else if (!strcmp(argv[i], "--batch"))
            g_opt.batch = parse_int(argv[i], v, 1, 4096);
        else if (!strcmp(argv[i], "--wait"))
            g_opt.wait_s = parse_int(argv[i], v, 0, 3600);
        else if (!strcmp(argv[i], "--bf16"))
            g_opt.bf16 = parse_int(argv[i], v, 0, 1);
        else if (!strcmp(argv[i], "--conv-only"))
            g_opt.conv_only = parse_int(argv[i], v, 0, 1);
        else {
            fprintf(stderr, "usage: rfnas-bench-kernels [--threads N] [--reps R] [--batch B] "
                            "[--wait S] [--bf16 1] [--conv-only 1]\n");
            return 2;
        }
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    g_ncpu = ncpu < 1 ? 1 : (int)ncpu;

    rfnas_config *cfg = NULL;
    CHECK(rfnas_config_create(&cfg));
    CHECK(rfnas_config_set_int(cfg, RFNAS_KEY_CTX_THREADS, g_opt.threads));
    CHECK(rfnas_ctx_create(&g_ctx, cfg));
    rfnas_config_destroy(cfg);

    const dnnl_version_t *ver = dnnl_version();
    time_t tnow = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tnow));
    printf("{\"kernel\": \"meta\", \"date\": \"%s\", \"threads\": %d, \"batch\": %d, "
           "\"reps\": %d, \"warmup\": %d, \"min_timed_s\": %.2f, \"wait_s\": %.0f, "
           "\"online_cpus\": %d, \"onednn\": \"%d.%d.%d\", \"onednn_cpu_isa\": \"0x%x\"}\n",
           date, g_opt.threads, g_opt.batch, g_opt.reps, WARMUP, MIN_TIMED_S, g_opt.wait_s, g_ncpu,
           ver->major, ver->minor, ver->patch, (unsigned)dnnl_get_effective_cpu_isa());
    fflush(stdout);

    if (!g_opt.bf16 && !g_opt.conv_only)
        bench_sgemm();
    static const int shapes[3][2] = {{16, 32}, {32, 16}, {64, 8}};
    for (int i = 0; i < 3; i++) {
        int c = shapes[i][0], hw = shapes[i][1];
        bench_conv(c, hw, 1);
        bench_conv(c, hw, 3);
        if (g_opt.bf16 || g_opt.conv_only)
            continue;
        bench_bn(c, hw);
        bench_fused(c, hw, 3, 3);
        bench_fused(c, hw, 3, 2);
        bench_loops(c, hw);
    }
    rfnas_ctx_destroy(g_ctx);
    return 0;
}
