#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int fail(void)
{
    fprintf(stderr, "%s: %s\n", PROGRAM, rfnas_error_last());
    return -1;
}

double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

const char *join(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

int mkdir_p(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

double mean_or_nan(double sum, int64_t n)
{
    return n > 0 ? sum / (double)n : NAN;
}

const char CHECKPOINT_NAME[] = "checkpoint.rfnas";

int run_dir_create(const char *dir)
{
    char path[4096];
    struct stat st;
    if (stat(join(path, sizeof path, dir, CHECKPOINT_NAME), &st) == 0) {
        fprintf(stderr,
                "%s: %s already holds a run; continue it with --resume %s or choose another "
                "--out\n",
                PROGRAM, dir, dir);
        return -1;
    }
    if (mkdir_p(dir) != 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", PROGRAM, dir, strerror(errno));
        return -1;
    }
    remove(join(path, sizeof path, dir, "log.jsonl"));
    return 0;
}

int load_checkpoint(const char *dir, rfnas_ctx **boot, rfnas_checkpoint **ck, char *path,
                    size_t cap)
{
    CHECK(rfnas_ctx_create(boot, NULL));
    CHECK(rfnas_checkpoint_load(ck, *boot, join(path, cap, dir, CHECKPOINT_NAME)));
    return 0;
}

FILE *open_log(const char *dir, char *path, size_t cap)
{
    FILE *f = fopen(join(path, cap, dir, "log.jsonl"), "a");
    if (f == NULL)
        fprintf(stderr, "%s: cannot append to %s: %s\n", PROGRAM, path, strerror(errno));
    return f;
}

int close_log(FILE *f, const char *path)
{
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "%s: writing %s failed\n", PROGRAM, path);
        return -1;
    }
    return 0;
}

int truncate_log(const char *path, int64_t lines)
{
    FILE *f = fopen(path, "r+");
    if (f == NULL)
        return lines == 0 ? 0 : -1;
    long keep = 0;
    int64_t seen = 0;
    int c;
    while (seen < lines && (c = fgetc(f)) != EOF) {
        keep++;
        if (c == '\n')
            seen++;
    }
    fclose(f);
    if (seen < lines) {
        fprintf(stderr, "%s: %s has %lld lines, the checkpoint counts %lld epochs\n", PROGRAM, path,
                (long long)seen, (long long)lines);
        return -1;
    }
    return truncate(path, keep);
}

int write_text(const char *dir, const char *name, const char *text)
{
    char path[4096], tmp[4200];
    join(path, sizeof path, dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: cannot write %s\n", PROGRAM, path);
        return -1;
    }
    return 0;
}

void format_duration(char *buf, size_t cap, double seconds)
{
    long t = (long)(seconds + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else
        snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
}

void format_time_left(char *buf, size_t cap, double seconds_total, int64_t steps_total,
                      int64_t steps_left)
{
    double per_step = seconds_total / (double)(steps_total ? steps_total : 1);
    format_duration(buf, cap, per_step * (double)steps_left);
}

void show_step(int64_t epoch, long epochs, int64_t step, int64_t steps)
{
    if (!isatty(STDOUT_FILENO))
        return;
    printf("\r  epoch %lld/%ld  step %lld/%lld", (long long)epoch, epochs, (long long)step,
           (long long)steps);
    fflush(stdout);
}

rfnas_config *config_of(const char *const *kv)
{
    rfnas_config *cfg = NULL;
    if (rfnas_config_create(&cfg) < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, rfnas_error_last());
        return NULL;
    }
    for (; kv[0]; kv += 2)
        if (rfnas_config_set_by_name(cfg, kv[0], kv[1]) < 0) {
            fprintf(stderr, "%s: %s\n", PROGRAM, rfnas_error_last());
            rfnas_config_destroy(cfg);
            return NULL;
        }
    return cfg;
}

int ctx_open(rfnas_ctx **ctx, long seed, long threads)
{
    char s[32], t[32];
    snprintf(s, sizeof s, "%ld", seed);
    snprintf(t, sizeof t, "%ld", threads);
    rfnas_config *cfg = config_of((const char *const[]){"ctx.seed", s, "ctx.threads", t, NULL});
    if (cfg == NULL)
        return -1;
    rfnas_status st = rfnas_ctx_create(ctx, cfg);
    rfnas_config_destroy(cfg);
    CHECK(st);
    return 0;
}

int sgd_open(rfnas_optimizer **opt, rfnas_supernet *net, double lr, double momentum,
             double weight_decay, double clip, long nesterov)
{
    char l[64], mom[64], wd[64], c[64], nest[8];
    snprintf(l, sizeof l, "%.17g", lr);
    snprintf(mom, sizeof mom, "%.17g", momentum);
    snprintf(wd, sizeof wd, "%.17g", weight_decay);
    snprintf(c, sizeof c, "%.17g", clip);
    snprintf(nest, sizeof nest, "%ld", nesterov);
    const char *kv[] = {"opt.kind",
                        "sgd",
                        "opt.lr",
                        l,
                        "opt.momentum",
                        mom,
                        "opt.weight_decay",
                        wd,
                        "opt.grad_clip",
                        c,
                        "opt.nesterov",
                        nest,
                        NULL};
    rfnas_config *cfg = config_of(kv);
    if (cfg == NULL)
        return -1;
    rfnas_status st = rfnas_optimizer_create(opt, net, RFNAS_GROUP_WEIGHTS, cfg);
    rfnas_config_destroy(cfg);
    CHECK(st);
    return 0;
}
