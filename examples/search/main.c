/* rfnas-search: a complete, resumable RF-DARTS / DARTS search written with
 * the public API only (the main job of the README).
 *
 * Each step takes a training batch and a validation batch; the architecture
 * step (Adam on the alphas, validation batch) and the weights step (SGD on
 * the BN parameters, or on every weight in learned mode, training batch) run
 * in the DARTS order unless --order says otherwise (SPEC 6.2, 6.7). The
 * validation iterator cycles through its split, as PC-DARTS does; DARTS's
 * fresh random batch per step has the same distribution but could not be
 * resumed from two integers.
 *
 * The run directory receives config.json, log.jsonl, genotype.txt,
 * alphas.svg, cell.dot (+ cell.svg), summary.json and checkpoint.rfnas. */
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "../common/evaluate.h"
#include "../common/signals.h"
#include "../common/util.h"
#include "search.h"

extern char **environ;

const char *const PROGRAM = "rfnas-search";

/* ---- checkpoints ---- */

static int save_checkpoint(search *s, const char *dir)
{
    rfnas_checkpoint *ck;
    CHECK(rfnas_checkpoint_create(&ck, s->ctx));
    char settings[8192];
    options_serialize(&s->opt, settings, sizeof settings);
    const progress *p = &s->p;
    const int64_t counts[8] = {p->epochs_done, p->steps_total, p->steps,    p->train_correct,
                               p->train_seen,  p->val_correct, p->val_seen, p->val_steps};
    const double sums[4] = {p->train_loss_sum, p->val_loss_sum, p->seconds_epoch, p->seconds_total};
    size_t per_epoch = (size_t)(s->cell_types * s->edges * s->ops);
    char path[4096];
    int rc = rfnas_checkpoint_put_text(ck, "search.version", rfnas_version_string()) < 0 ||
                     rfnas_checkpoint_put_text(ck, "search.settings", settings) < 0 ||
                     rfnas_checkpoint_put_int64s(ck, "search.counts", counts, 8) < 0 ||
                     rfnas_checkpoint_put_doubles(ck, "search.sums", sums, 4) < 0 ||
                     rfnas_checkpoint_put_floats(ck, "search.alpha_history", s->alpha_history,
                                                 (size_t)p->epochs_done * per_epoch) < 0 ||
                     rfnas_checkpoint_put_supernet(ck, "net", s->net) < 0 ||
                     rfnas_checkpoint_put_optimizer(ck, "w_opt", s->w_opt) < 0 ||
                     rfnas_checkpoint_put_optimizer(ck, "a_opt", s->a_opt) < 0 ||
                     rfnas_checkpoint_put_iter(ck, "w_iter", s->w_it) < 0 ||
                     rfnas_checkpoint_put_iter(ck, "a_iter", s->a_it) < 0 ||
                     rfnas_checkpoint_save(ck, join(path, sizeof path, dir, CHECKPOINT_NAME)) < 0
                 ? fail()
                 : 0;
    rfnas_checkpoint_destroy(ck);
    return rc;
}

/* Reads the settings of the run in @p dir into @p o (over the defaults) and
 * refuses flags given now that differ from them. Leaves *ck loaded. */
static int read_resume_settings(const char *dir, options *o, const char *given, const options *cli,
                                rfnas_ctx **boot, rfnas_checkpoint **ck)
{
    char path[4096];
    if (load_checkpoint(dir, boot, ck, path, sizeof path) < 0)
        return -1;
    char settings[8192], err[512];
    size_t len;
    CHECK(rfnas_checkpoint_get_text(*ck, "search.settings", settings, sizeof settings, &len));
    options_defaults(o);
    if (options_deserialize(o, settings, err, sizeof err) != 0) {
        fprintf(stderr, "rfnas-search: %s: %s\n", path, err);
        return -1;
    }
    char mine[OPT_TEXT + 32], theirs[OPT_TEXT + 32];
    const char *name = options_first_change(cli, o, given, mine, theirs, sizeof mine);
    if (name != NULL) {
        fprintf(stderr,
                "rfnas-search: --%s %s differs from the run's %s; a resumed run keeps its "
                "settings (start a new run to change them)\n",
                name, mine, theirs);
        return -1;
    }
    return 0;
}

/* Restores every object, all before the run directory is touched. */
static int restore(search *s, const rfnas_checkpoint *ck)
{
    int64_t counts[8];
    double sums[4];
    size_t n;
    /* The network first: a checkpoint of another space or shape is named as such. */
    CHECK(rfnas_checkpoint_get_supernet(ck, "net", s->net));
    CHECK(rfnas_checkpoint_get_int64s(ck, "search.counts", counts, 8, &n));
    CHECK(rfnas_checkpoint_get_doubles(ck, "search.sums", sums, 4, &n));
    if (counts[0] < 0 || counts[0] > s->opt.epochs || counts[2] < 0 || counts[1] < 0) {
        fprintf(stderr, "rfnas-search: the checkpoint's progress counters are out of range\n");
        return -1;
    }
    size_t per_epoch = (size_t)(s->cell_types * s->edges * s->ops);
    size_t want = (size_t)counts[0] * per_epoch;
    CHECK(rfnas_checkpoint_get_floats(ck, "search.alpha_history", s->alpha_history, want, &n));
    if (n != want) {
        fprintf(stderr,
                "rfnas-search: the checkpoint's alpha history has %zu values, expected %zu\n", n,
                want);
        return -1;
    }
    CHECK(rfnas_checkpoint_get_optimizer(ck, "w_opt", s->w_opt));
    CHECK(rfnas_checkpoint_get_optimizer(ck, "a_opt", s->a_opt));
    CHECK(rfnas_checkpoint_get_iter(ck, "w_iter", s->w_it));
    CHECK(rfnas_checkpoint_get_iter(ck, "a_iter", s->a_it));
    progress *p = &s->p;
    p->epochs_done = counts[0];
    p->steps_total = counts[1];
    p->steps = counts[2];
    p->train_correct = counts[3];
    p->train_seen = counts[4];
    p->val_correct = counts[5];
    p->val_seen = counts[6];
    p->val_steps = counts[7];
    p->train_loss_sum = sums[0];
    p->val_loss_sum = sums[1];
    p->seconds_epoch = sums[2];
    p->seconds_total = sums[3];
    return 0;
}

/* ---- outputs ---- */

static void write_alpha_json(FILE *f, const search *s, const float *a)
{
    static const char *const names[2] = {"normal", "reduce"};
    fputs("{", f);
    for (int64_t c = 0; c < s->cell_types; c++) {
        fprintf(f, "%s\"%s\": [", c ? ", " : "", s->cell_types > 1 ? names[c] : "cell");
        for (int64_t e = 0; e < s->edges; e++) {
            fputs(e ? ", [" : "[", f);
            for (int64_t k = 0; k < s->ops; k++) {
                fputs(k ? ", " : "", f);
                json_number(f, (double)a[(c * s->edges + e) * s->ops + k]);
            }
            fputs("]", f);
        }
        fputs("]", f);
    }
    fputs("}", f);
}

/* PC-DARTS: the softmaxed edge-normalisation betas, per cell type. */
static void write_beta_json(FILE *f, const search *s)
{
    static const char *const names[2] = {"normal", "reduce"};
    fputs(", \"betas\": {", f);
    for (int64_t c = 0; c < s->cell_types; c++) {
        float b[64];
        size_t n = 0;
        if (rfnas_supernet_betas(s->net, (rfnas_cell_type)c, 1, b, 64, &n) < 0)
            n = 0;
        fprintf(f, "%s\"%s\": [", c ? ", " : "", names[c]);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ", " : "", f);
            json_number(f, (double)b[i]);
        }
        fputs("]", f);
    }
    fputs("}", f);
}

static int genotype_text(const search *s, char *buf, size_t cap, int64_t *skips,
                         int64_t *param_free)
{
    rfnas_genotype *g;
    CHECK(rfnas_supernet_genotype(&g, s->net));
    int rc = rfnas_genotype_format(g, buf, cap, NULL) < 0 ? fail() : 0;
    *skips = *param_free = 0;
    for (int64_t c = 0; rc == 0 && c < s->cell_types; c++) {
        int64_t k = 0, f = 0;
        if (rfnas_genotype_count(g, (rfnas_cell_type)c, "skip_connect", &k) < 0 ||
            rfnas_genotype_count(g, (rfnas_cell_type)c, NULL, &f) < 0)
            rc = fail();
        *skips += k;
        *param_free += f;
    }
    rfnas_genotype_destroy(g);
    return rc;
}

/* Appends the epoch's line to log.jsonl and flushes it to disk. */
static int log_epoch(const search *s, const char *dir, double w_lr, const float *alphas,
                     const char *genotype, int64_t skips, int64_t param_free)
{
    char path[4096];
    FILE *f = open_log(dir, path, sizeof path);
    if (f == NULL)
        return -1;
    const progress *p = &s->p;
    double a_lr;
    rfnas_optimizer_get_double(s->a_opt, RFNAS_KEY_OPT_LR, &a_lr);
    fprintf(f, "{\"epoch\": %lld, \"steps\": %lld, \"train_loss\": ", (long long)p->epochs_done + 1,
            (long long)p->steps);
    json_number(f, mean_or_nan(p->train_loss_sum, p->steps));
    fputs(", \"train_acc\": ", f);
    json_number(f, mean_or_nan((double)p->train_correct, p->train_seen));
    fputs(", \"val_loss\": ", f);
    json_number(f, mean_or_nan(p->val_loss_sum, p->val_steps));
    fputs(", \"val_acc\": ", f);
    json_number(f, mean_or_nan((double)p->val_correct, p->val_seen));
    fputs(", \"w_lr\": ", f);
    json_number(f, w_lr);
    fputs(", \"a_lr\": ", f);
    json_number(f, a_lr);
    fputs(", \"arch_updates\": ", f);
    fputs(p->val_steps > 0 ? "true" : "false", f);
    fputs(", \"alphas\": ", f);
    write_alpha_json(f, s, alphas);
    if (s->opt.edge_norm)
        write_beta_json(f, s);
    fputs(", \"genotype\": ", f);
    json_string(f, genotype);
    fprintf(f, ", \"skip_connections\": %lld, \"param_free_ops\": %lld, \"seconds\": ",
            (long long)skips, (long long)param_free);
    json_number(f, p->seconds_epoch);
    fputs(", \"images_per_s\": ", f);
    json_number(f, p->seconds_epoch > 0 ? (double)(p->train_seen + p->val_seen) / p->seconds_epoch
                                        : NAN);
    fputs("}\n", f);
    return close_log(f, path);
}

static int write_config(const search *s, const char *dir)
{
    char path[4096], tmp[4200];
    join(path, sizeof path, dir, "config.json");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "rfnas-search: cannot write %s\n", path);
        return -1;
    }
    fputs("{\n  \"program\": \"rfnas-search\",\n  \"library_version\": ", f);
    json_string(f, rfnas_version_string());
    fputs(",\n  \"settings\": {\n", f);
    options_json(f, &s->opt);
    int64_t nw, na, nt = 0;
    rfnas_dataset_shape(s->w_set, &nw, NULL, NULL, NULL, NULL);
    rfnas_dataset_shape(s->a_set, &na, NULL, NULL, NULL, NULL);
    if (s->test_set)
        rfnas_dataset_shape(s->test_set, &nt, NULL, NULL, NULL, NULL);
    fprintf(f,
            "  },\n  \"data\": {\"input\": [%lld, %lld, %lld], \"classes\": %lld, "
            "\"weights_images\": %lld, \"alpha_images\": %lld, \"test_images\": %lld, "
            "\"steps_per_epoch\": %lld, \"mean\": ",
            (long long)s->in_c, (long long)s->in_h, (long long)s->in_w, (long long)s->classes,
            (long long)nw, (long long)na, (long long)nt, (long long)s->steps_per_epoch);
    json_doubles(f, s->mean, s->in_c);
    fputs(", \"std\": ", f);
    json_doubles(f, s->std, s->in_c);
    int64_t params;
    rfnas_supernet_param_count(s->net, &params);
    size_t sizes[4];
    for (int g = 0; g < 4; g++)
        rfnas_supernet_group_borrow(s->net, (rfnas_group)g, NULL, NULL, &sizes[g]);
    fprintf(f,
            "},\n  \"network\": {\"parameters\": %lld, \"weights\": %zu, \"arch\": %zu, "
            "\"frozen\": %zu, \"state\": %zu, \"threads\": %d}\n}\n",
            (long long)params, sizes[0], sizes[1], sizes[2], sizes[3],
            rfnas_ctx_get_threads(s->ctx));
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "rfnas-search: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

/* Renders cell.dot with Graphviz when `dot` is installed; its absence is not an error. */
static void render_dot(const char *dir, int quiet)
{
    char in[4096], out[4200];
    join(in, sizeof in, dir, "cell.dot");
    snprintf(out, sizeof out, "-o%s/cell.svg", dir);
    char *argv[] = {"dot", "-Tsvg", in, out, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) != 0) {
        if (!quiet)
            printf("  (Graphviz dot not found: cell.dot not rendered)\n");
        return;
    }
    int status;
    waitpid(pid, &status, 0);
}

/* Accuracy and loss of the supernet on the test split, evaluation mode. */
static int evaluate_test(search *s, double *loss, double *acc, int64_t *images)
{
    const eval_batches b = {.batch = s->opt.batch,
                            .mean = s->mean,
                            .std = s->std,
                            .channels = s->in_c,
                            .x = s->xt,
                            .x_cap = s->x_cap,
                            .y = s->yt};
    return evaluate(s->net, s->test_set, &b, loss, acc, images);
}

/* ---- the search ---- */

/* One step: the architecture update on a validation batch (unless in
 * warm-up) and the weights update on the training batch, in the run's order. */
static int step(search *s, int64_t nt, int arch_on)
{
    progress *p = &s->p;
    int64_t nv = 0;
    if (arch_on) {
        rfnas_status st =
            rfnas_iter_next(s->a_it, s->xv, s->x_cap, s->yv, (size_t)s->opt.batch, &nv);
        if (st == RFNAS_END) /* the validation split cycles */
            st = rfnas_iter_next(s->a_it, s->xv, s->x_cap, s->yv, (size_t)s->opt.batch, &nv);
        CHECK(st);
    }
    const int arch_first = strcmp(s->opt.order, "arch-first") == 0;
    for (int k = 0; k < 2; k++) {
        const int arch = arch_first ? k == 0 : k == 1;
        if (arch && !arch_on)
            continue;
        double loss;
        int64_t correct;
        CHECK(rfnas_supernet_zero_grad(s->net, arch ? RFNAS_GROUP_ARCH : RFNAS_GROUP_WEIGHTS));
        CHECK(rfnas_supernet_forward(s->net, arch ? s->xv : s->xt, arch ? s->yv : s->yt,
                                     arch ? nv : nt, arch ? RFNAS_PHASE_ARCH : RFNAS_PHASE_WEIGHTS,
                                     &loss, &correct));
        CHECK(rfnas_supernet_backward(s->net));
        CHECK(rfnas_optimizer_step(arch ? s->a_opt : s->w_opt, NULL));
        if (arch) {
            p->val_loss_sum += loss;
            p->val_correct += correct;
            p->val_seen += nv;
            p->val_steps++;
        } else {
            p->train_loss_sum += loss;
            p->train_correct += correct;
            p->train_seen += nt;
        }
    }
    p->steps++;
    p->steps_total++;
    return 0;
}

/* Runs the remaining epochs. Returns 0 when done, the signal number when
 * stopped by SIGINT/SIGTERM (after a checkpoint), -1 on failure. */
static int run_epochs(search *s, const char *dir)
{
    const options *o = &s->opt;
    progress *p = &s->p;
    size_t per_epoch = (size_t)(s->cell_types * s->edges * s->ops);
    while (p->epochs_done < o->epochs) {
        double w_lr;
        CHECK(rfnas_schedule_cosine(o->w_lr, o->w_lr_min, p->epochs_done, o->epochs, &w_lr));
        CHECK(rfnas_optimizer_set_double(s->w_opt, RFNAS_KEY_OPT_LR, w_lr));
        const int arch_on = p->epochs_done >= o->warmup_epochs;
        double t0 = now(), base = p->seconds_epoch;
        for (;;) {
            if (o->kill_after_steps > 0 && p->steps_total == o->kill_after_steps)
                raise(SIGKILL); /* testing: die without warning, mid-epoch */
            int64_t nt;
            rfnas_status st =
                rfnas_iter_next(s->w_it, s->xt, s->x_cap, s->yt, (size_t)o->batch, &nt);
            if (st == RFNAS_END)
                break;
            CHECK(st);
            if (step(s, nt, arch_on) < 0)
                return -1;
            p->seconds_epoch = base + (now() - t0);
            if (stop_requested()) {
                if (save_checkpoint(s, dir) < 0)
                    return -1;
                return stop_requested();
            }
            if (!o->quiet)
                show_step(p->epochs_done + 1, o->epochs, p->steps, s->steps_per_epoch);
        }
        float *alphas = s->alpha_history + (size_t)p->epochs_done * per_epoch;
        if (search_alphas(s, alphas) < 0)
            return -1;
        char genotype[4096];
        int64_t skips, param_free;
        if (genotype_text(s, genotype, sizeof genotype, &skips, &param_free) < 0 ||
            log_epoch(s, dir, w_lr, alphas, genotype, skips, param_free) < 0)
            return -1;
        p->seconds_total += p->seconds_epoch;
        if (!o->quiet) {
            char eta[32];
            format_time_left(eta, sizeof eta, p->seconds_total, p->steps_total,
                             (o->epochs - p->epochs_done - 1) * s->steps_per_epoch);
            char val[96] = "val: warm-up, no alpha updates";
            if (p->val_steps > 0)
                snprintf(val, sizeof val, "val loss %.4f acc %.2f%%",
                         mean_or_nan(p->val_loss_sum, p->val_steps),
                         100 * mean_or_nan((double)p->val_correct, p->val_seen));
            printf("%sepoch %lld/%ld  steps %lld  train loss %.4f acc %.2f%%  %s  lr %.5f  "
                   "%.0f img/s  %.1fs  left %s\n  %s  (skip_connect: %lld)\n",
                   isatty(STDOUT_FILENO) ? "\r" : "", (long long)p->epochs_done + 1, o->epochs,
                   (long long)p->steps, mean_or_nan(p->train_loss_sum, p->steps),
                   100 * mean_or_nan((double)p->train_correct, p->train_seen), val, w_lr,
                   (double)(p->train_seen + p->val_seen) / p->seconds_epoch, p->seconds_epoch, eta,
                   genotype, (long long)skips);
            fflush(stdout);
        }
        /* The next epoch starts from zero; the checkpoint records it so. */
        p->epochs_done++;
        p->steps = p->train_correct = p->train_seen = 0;
        p->val_correct = p->val_seen = p->val_steps = 0;
        p->train_loss_sum = p->val_loss_sum = p->seconds_epoch = 0;
        if (save_checkpoint(s, dir) < 0)
            return -1;
    }
    return 0;
}

/* genotype.txt, alphas.svg, cell.dot (+svg), summary.json: all derived from
 * the final state, so a resumed run writes the same files. */
static int write_outputs(search *s, const char *dir, double test_loss, double test_acc,
                         int64_t test_images)
{
    char genotype[4096], path[4096];
    int64_t skips, param_free;
    if (genotype_text(s, genotype, sizeof genotype, &skips, &param_free) < 0)
        return -1;
    char line[4200];
    snprintf(line, sizeof line, "%s\n", genotype);
    if (write_text(dir, "genotype.txt", line) < 0)
        return -1;
    alpha_history h = {(int)s->p.epochs_done, (int)s->cell_types, (int)s->edges, (int)s->ops,
                       s->alpha_history};
    if (write_alpha_svg(join(path, sizeof path, dir, "alphas.svg"), s->space, &h) != 0) {
        fprintf(stderr, "rfnas-search: cannot write %s\n", path);
        return -1;
    }
    rfnas_genotype *g;
    CHECK(rfnas_supernet_genotype(&g, s->net));
    int rc = write_cell_dot(join(path, sizeof path, dir, "cell.dot"), g);
    rfnas_genotype_destroy(g);
    if (rc != 0) {
        fprintf(stderr, "rfnas-search: cannot write %s\n", path);
        return -1;
    }
    render_dot(dir, (int)s->opt.quiet);
    FILE *f = fopen(join(path, sizeof path, dir, "summary.json.tmp"), "w");
    if (f == NULL)
        return -1;
    fprintf(f, "{\"epochs\": %lld, \"steps\": %lld, \"genotype\": ", (long long)s->p.epochs_done,
            (long long)s->p.steps_total);
    json_string(f, genotype);
    fprintf(f,
            ", \"skip_connections\": %lld, \"param_free_ops\": %lld, \"test_images\": %lld, "
            "\"test_loss\": ",
            (long long)skips, (long long)param_free, (long long)test_images);
    json_number(f, test_loss);
    fputs(", \"test_acc\": ", f);
    json_number(f, test_acc);
    fputs(", \"search_seconds\": ", f);
    json_number(f, s->p.seconds_total);
    fputs("}\n", f);
    char final_path[4096];
    if (fclose(f) != 0 ||
        rename(path, join(final_path, sizeof final_path, dir, "summary.json")) != 0) {
        fprintf(stderr, "rfnas-search: cannot write %s\n", final_path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    options cli, *o;
    char err[512], given[4096];
    options_defaults(&cli);
    int parsed = options_parse(&cli, argc, argv, err, sizeof err, given, sizeof given);
    if (parsed < 0) {
        fprintf(stderr, "rfnas-search: %s\n", err);
        return 2;
    }
    if (parsed > 0)
        return 0;

    static search s;
    rfnas_ctx *boot = NULL;
    rfnas_checkpoint *ck = NULL;
    char dir[OPT_TEXT];
    int resuming = cli.resume[0] != '\0';
    int rc = 1;
    if (resuming) {
        snprintf(dir, sizeof dir, "%s", cli.resume);
        if (read_resume_settings(dir, &s.opt, given, &cli, &boot, &ck) < 0)
            goto done;
        s.opt.quiet = cli.quiet;
        s.opt.kill_after_steps = cli.kill_after_steps;
        snprintf(s.opt.resume, sizeof s.opt.resume, "%s", dir);
        snprintf(s.opt.out, sizeof s.opt.out, "%s", dir);
    } else {
        s.opt = cli;
        options_apply_preset(&s.opt, given);
        if (cli.out[0])
            snprintf(dir, sizeof dir, "%s", cli.out);
        else
            snprintf(dir, sizeof dir, "runs/%.64s-%.64s-s%ld", cli.space, cli.features, cli.seed);
        snprintf(s.opt.out, sizeof s.opt.out, "%s", dir);
    }
    o = &s.opt;
    if (o->warmup_epochs >= o->epochs && o->epochs > 0 && o->warmup_epochs > 0)
        fprintf(stderr,
                "rfnas-search: warning: --warmup-epochs %ld leaves no epoch that "
                "updates the alphas\n",
                o->warmup_epochs);
    if (search_open(&s) < 0)
        goto done;
    if (resuming) {
        if (restore(&s, ck) < 0)
            goto done;
        char path[4096];
        if (truncate_log(join(path, sizeof path, dir, "log.jsonl"), s.p.epochs_done) < 0)
            goto done;
    } else {
        if (run_dir_create(dir) < 0)
            goto done;
        if (write_config(&s, dir) < 0)
            goto done;
    }
    rfnas_checkpoint_destroy(ck);
    ck = NULL;
    rfnas_ctx_destroy(boot);
    boot = NULL;

    if (!o->quiet) {
        int64_t nw, na;
        rfnas_dataset_shape(s.w_set, &nw, NULL, NULL, NULL, NULL);
        rfnas_dataset_shape(s.a_set, &na, NULL, NULL, NULL, NULL);
        printf("rfnas-search %s: %s on %s, %s features, %s, %ld epochs of %lld steps "
               "(batch %ld; %lld images train the weights, %lld the alphas), %d threads\n"
               "  run directory: %s%s\n",
               rfnas_version_string(), o->space, o->dataset, o->features, o->method, o->epochs,
               (long long)s.steps_per_epoch, o->batch, (long long)nw, (long long)na,
               rfnas_ctx_get_threads(s.ctx), dir, resuming ? " (resumed)" : "");
        if (!resuming && (o->train_subset > 0 || o->epochs < 50))
            printf("  a reduced budget (--train-subset %ld, --epochs %ld); the paper's protocol "
                   "is --epochs 50 --train-subset 0\n",
                   o->train_subset, o->epochs);
        fflush(stdout);
    }

    catch_stop_signals();

    int r = run_epochs(&s, dir);
    if (r < 0)
        goto done;
    if (r > 0) {
        rc = report_stopped(r, s.p.steps_total, dir);
        goto done;
    }
    double test_loss = NAN, test_acc = NAN;
    int64_t test_images = 0;
    if (s.test_set && evaluate_test(&s, &test_loss, &test_acc, &test_images) < 0)
        goto done;
    if (write_outputs(&s, dir, test_loss, test_acc, test_images) < 0)
        goto done;
    if (!o->quiet) {
        char genotype[4096];
        int64_t skips, pf;
        genotype_text(&s, genotype, sizeof genotype, &skips, &pf);
        printf("final genotype: %s\n", genotype);
        if (test_images > 0)
            printf("supernet test accuracy: %.2f%% (loss %.4f, %lld images)\n", 100 * test_acc,
                   test_loss, (long long)test_images);
        printf("search time %.1f s; outputs in %s\n", s.p.seconds_total, dir);
    }
    rc = 0;
done:
    rfnas_checkpoint_destroy(ck);
    rfnas_ctx_destroy(boot);
    search_close(&s);
    return rc;
}
