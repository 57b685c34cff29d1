/* rfnas-train: trains a found architecture from scratch and reports its test
 * accuracy, written with the public API only (docs/evaluation.md).
 *
 * The genotype comes as text (--genotype) or from a finished rfnas-search
 * run directory (--from-search). Every epoch sets the cosine learning rate
 * and the drop-path probability of the linear ramp, then runs SGD steps over
 * the augmented training set (crop, flip, cutout: the iterator's settings);
 * the loss includes the auxiliary head when there is one (SPEC 8.1). The
 * test set is evaluated after the last epoch (and every --eval-every
 * epochs).
 *
 * The run directory receives config.json, genotype.txt, log.jsonl,
 * result.json and checkpoint.rfnas, written at every epoch end and on
 * SIGINT/SIGTERM; --resume continues bit-identically. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../search/report.h"
#include "../common/evaluate.h"
#include "../common/signals.h"
#include "../common/util.h"
#include "train.h"

const char *const PROGRAM = "rfnas-train";

/* ---- checkpoints ---- */

enum { N_COUNTS = 5, N_SUMS = 3, SETTINGS_CAP = 16384 };

static int save_checkpoint(const trainer *t, const char *dir)
{
    rfnas_checkpoint *ck;
    CHECK(rfnas_checkpoint_create(&ck, t->ctx));
    static char settings[SETTINGS_CAP];
    topt_serialize(&t->opt, settings, sizeof settings);
    const train_progress *p = &t->p;
    const int64_t counts[N_COUNTS] = {p->epochs_done, p->steps_total, p->steps, p->train_correct,
                                      p->train_seen};
    const double sums[N_SUMS] = {p->train_loss_sum, p->seconds_epoch, p->seconds_total};
    char path[4096];
    /* The network's records carry its drop-path probability and counter. */
    int rc = rfnas_checkpoint_put_text(ck, "train.version", rfnas_version_string()) < 0 ||
                     rfnas_checkpoint_put_text(ck, "train.settings", settings) < 0 ||
                     rfnas_checkpoint_put_text(ck, "train.genotype", t->genotype) < 0 ||
                     rfnas_checkpoint_put_int64s(ck, "train.counts", counts, N_COUNTS) < 0 ||
                     rfnas_checkpoint_put_doubles(ck, "train.sums", sums, N_SUMS) < 0 ||
                     rfnas_checkpoint_put_supernet(ck, "net", t->net) < 0 ||
                     rfnas_checkpoint_put_optimizer(ck, "sgd", t->sgd) < 0 ||
                     rfnas_checkpoint_put_iter(ck, "iter", t->it) < 0 ||
                     rfnas_checkpoint_save(ck, join(path, sizeof path, dir, CHECKPOINT_NAME)) < 0
                 ? fail()
                 : 0;
    rfnas_checkpoint_destroy(ck);
    return rc;
}

/* Reads the settings and genotype of the run in @p dir into @p t (over the
 * defaults) and refuses flags given now that differ from them. Leaves *ck
 * loaded. The genotype is the one the run trains, even if a --from-search
 * directory has changed since. */
static int read_resume_settings(const char *dir, trainer *t, const char *given,
                                const train_options *cli, rfnas_ctx **boot, rfnas_checkpoint **ck)
{
    char path[4096];
    if (load_checkpoint(dir, boot, ck, path, sizeof path) < 0)
        return -1;
    static char settings[SETTINGS_CAP];
    char genotype[TOPT_TEXT], err[512];
    if (rfnas_checkpoint_get_text(*ck, "train.settings", settings, sizeof settings, NULL) < 0 ||
        rfnas_checkpoint_get_text(*ck, "train.genotype", genotype, sizeof genotype, NULL) < 0) {
        fprintf(stderr, "rfnas-train: %s: %s (not an rfnas-train checkpoint?)\n", path,
                rfnas_error_last());
        return -1;
    }
    topt_defaults(&t->opt);
    if (topt_deserialize(&t->opt, settings, err, sizeof err) != 0) {
        fprintf(stderr, "rfnas-train: %s: %s\n", path, err);
        return -1;
    }
    char mine[TOPT_TEXT + 32], theirs[TOPT_TEXT + 32];
    const char *name = topt_first_change(cli, &t->opt, given, mine, theirs, sizeof mine);
    if (name != NULL) {
        fprintf(stderr,
                "rfnas-train: --%s %.200s differs from the run's %.200s; a resumed run keeps "
                "its settings (start a new run to change them)\n",
                name, mine, theirs[0] ? theirs : "(unset)");
        return -1;
    }
    char what[4200];
    snprintf(what, sizeof what, "%s: record train.genotype", path);
    return trainer_set_genotype(t, genotype, what);
}

/* Restores every object, all before the run directory is touched. */
static int restore(trainer *t, const rfnas_checkpoint *ck)
{
    int64_t counts[N_COUNTS];
    double sums[N_SUMS];
    size_t n, m;
    /* The network first: a checkpoint of another genotype or shape is named as such. */
    CHECK(rfnas_checkpoint_get_supernet(ck, "net", t->net));
    CHECK(rfnas_checkpoint_get_int64s(ck, "train.counts", counts, N_COUNTS, &n));
    CHECK(rfnas_checkpoint_get_doubles(ck, "train.sums", sums, N_SUMS, &m));
    if (n != N_COUNTS || m != N_SUMS || counts[0] < 0 || counts[0] > t->opt.epochs ||
        counts[1] < 0 || counts[2] < 0 || counts[2] > t->steps_per_epoch || counts[3] < 0 ||
        counts[4] < counts[3]) {
        fprintf(stderr, "rfnas-train: the checkpoint's progress counters are malformed or out "
                        "of range\n");
        return -1;
    }
    CHECK(rfnas_checkpoint_get_optimizer(ck, "sgd", t->sgd));
    CHECK(rfnas_checkpoint_get_iter(ck, "iter", t->it));
    train_progress *p = &t->p;
    p->epochs_done = counts[0];
    p->steps_total = counts[1];
    p->steps = counts[2];
    p->train_correct = counts[3];
    p->train_seen = counts[4];
    p->train_loss_sum = sums[0];
    p->seconds_epoch = sums[1];
    p->seconds_total = sums[2];
    return 0;
}

/* ---- outputs ---- */

/* Opens DIR/NAME.tmp for a file that finish_json() renames into place. */
static FILE *start_json(const char *dir, const char *name, char *tmp, size_t cap)
{
    snprintf(tmp, cap, "%s/%s.tmp", dir, name);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        fprintf(stderr, "rfnas-train: cannot write %s: %s\n", tmp, strerror(errno));
    return f;
}

static int finish_json(FILE *f, const char *dir, const char *name, const char *tmp)
{
    char path[4096];
    join(path, sizeof path, dir, name);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "rfnas-train: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

static int write_config(const trainer *t, const char *dir)
{
    char tmp[4200];
    FILE *f = start_json(dir, "config.json", tmp, sizeof tmp);
    if (f == NULL)
        return -1;
    fputs("{\n  \"program\": \"rfnas-train\",\n  \"library_version\": ", f);
    json_string(f, rfnas_version_string());
    fputs(",\n  \"settings\": {\n", f);
    topt_json(f, &t->opt);
    fputs("  },\n  \"genotype\": ", f);
    json_string(f, t->genotype);
    int64_t ntrain, ntest;
    rfnas_dataset_shape(t->train_set, &ntrain, NULL, NULL, NULL, NULL);
    rfnas_dataset_shape(t->test_set, &ntest, NULL, NULL, NULL, NULL);
    fprintf(f,
            ",\n  \"data\": {\"input\": [%lld, %lld, %lld], \"network_input\": [%lld, %lld, "
            "%lld], \"classes\": %lld, \"train_images\": %lld, \"test_images\": %lld, "
            "\"steps_per_epoch\": %lld, \"mean\": ",
            (long long)t->in_c, (long long)t->in_h, (long long)t->in_w, (long long)t->in_c,
            (long long)t->net_h, (long long)t->net_w, (long long)t->classes, (long long)ntrain,
            (long long)ntest, (long long)t->steps_per_epoch);
    json_doubles(f, t->mean, t->in_c);
    fputs(", \"std\": ", f);
    json_doubles(f, t->std, t->in_c);
    int64_t params, cells, aux;
    size_t weights, state;
    rfnas_supernet_param_count(t->net, &params);
    rfnas_supernet_get_int(t->net, RFNAS_KEY_NET_CELLS, &cells);
    rfnas_supernet_get_int(t->net, RFNAS_KEY_NET_AUXILIARY, &aux);
    rfnas_supernet_group_borrow(t->net, RFNAS_GROUP_WEIGHTS, NULL, NULL, &weights);
    rfnas_supernet_group_borrow(t->net, RFNAS_GROUP_STATE, NULL, NULL, &state);
    fprintf(f,
            "},\n  \"network\": {\"kind\": \"%s\", \"cells\": %lld, \"auxiliary\": %s, "
            "\"tensors\": %lld, \"weights\": %zu, \"state\": %zu, \"threads\": %d}\n}\n",
            t->darts ? "darts" : "nb201", (long long)cells, aux ? "true" : "false",
            (long long)params, weights, state, rfnas_ctx_get_threads(t->ctx));
    return finish_json(f, dir, "config.json", tmp);
}

/* The batch in t->x as the network reads it (padded for --pad-to). */
static const float *net_batch(void *t, int64_t n)
{
    return trainer_batch(t, n);
}

/* Loss and accuracy on the test set: evaluation mode (running BN statistics,
 * no drop-path), no augmentation, the training normalisation. */
static int evaluate_test(trainer *t, double *loss, double *acc, int64_t *images)
{
    const eval_batches b = {.batch = t->opt.batch,
                            .mean = t->mean,
                            .std = t->std,
                            .channels = t->in_c,
                            .x = t->x,
                            .x_cap = t->x_cap,
                            .y = t->y,
                            .prepare = net_batch,
                            .arg = t};
    return evaluate(t->net, t->test_set, &b, loss, acc, images);
}

/* Appends the epoch's line to log.jsonl and flushes it to disk. */
static int log_epoch(const trainer *t, const char *dir, double lr, double drop_path,
                     double test_loss, double test_acc)
{
    char path[4096];
    FILE *f = open_log(dir, path, sizeof path);
    if (f == NULL)
        return -1;
    const train_progress *p = &t->p;
    fprintf(f, "{\"epoch\": %lld, \"steps\": %lld, \"train_loss\": ", (long long)p->epochs_done + 1,
            (long long)p->steps);
    json_number(f, mean_or_nan(p->train_loss_sum, p->steps));
    fputs(", \"train_acc\": ", f);
    json_number(f, mean_or_nan((double)p->train_correct, p->train_seen));
    fputs(", \"lr\": ", f);
    json_number(f, lr);
    fputs(", \"drop_path_prob\": ", f);
    json_number(f, drop_path);
    fputs(", \"test_loss\": ", f);
    json_number(f, test_loss);
    fputs(", \"test_acc\": ", f);
    json_number(f, test_acc);
    fputs(", \"seconds\": ", f);
    json_number(f, p->seconds_epoch);
    fputs(", \"images_per_s\": ", f);
    json_number(f, p->seconds_epoch > 0 ? (double)p->train_seen / p->seconds_epoch : NAN);
    fputs("}\n", f);
    return close_log(f, path);
}

static int write_result(const trainer *t, const char *dir, double test_loss, double test_acc,
                        int64_t test_images)
{
    char tmp[4200];
    FILE *f = start_json(dir, "result.json", tmp, sizeof tmp);
    if (f == NULL)
        return -1;
    size_t weights;
    rfnas_supernet_group_borrow(t->net, RFNAS_GROUP_WEIGHTS, NULL, NULL, &weights);
    fputs("{\"genotype\": ", f);
    json_string(f, t->genotype);
    fprintf(f,
            ", \"epochs\": %lld, \"steps\": %lld, \"weights\": %zu, \"test_images\": %lld, "
            "\"test_loss\": ",
            (long long)t->p.epochs_done, (long long)t->p.steps_total, weights,
            (long long)test_images);
    json_number(f, test_loss);
    fputs(", \"test_acc\": ", f);
    json_number(f, test_acc);
    fputs(", \"train_seconds\": ", f);
    json_number(f, t->p.seconds_total);
    fputs("}\n", f);
    return finish_json(f, dir, "result.json", tmp);
}

/* ---- training ---- */

/* One SGD step on the batch in t->x. */
static int step(trainer *t, int64_t n)
{
    train_progress *p = &t->p;
    double loss;
    int64_t correct;
    CHECK(rfnas_supernet_zero_grad(t->net, RFNAS_GROUP_WEIGHTS));
    CHECK(rfnas_supernet_forward(t->net, trainer_batch(t, n), t->y, n, RFNAS_PHASE_WEIGHTS, &loss,
                                 &correct));
    CHECK(rfnas_supernet_backward(t->net));
    CHECK(rfnas_optimizer_step(t->sgd, NULL));
    p->train_loss_sum += loss;
    p->train_correct += correct;
    p->train_seen += n;
    p->steps++;
    p->steps_total++;
    return 0;
}

/* Runs the remaining epochs. Returns 0 when done, the signal number when
 * stopped by SIGINT/SIGTERM (after a checkpoint), -1 on failure. */
static int run_epochs(trainer *t, const char *dir)
{
    const train_options *o = &t->opt;
    train_progress *p = &t->p;
    while (p->epochs_done < o->epochs) {
        /* Both schedules are functions of the epoch alone, so a resumed
         * epoch sets the same values (SPEC 8.1: cosine to lr-min; drop-path
         * 0 .. X, linear, DARTS's drop_path_prob * epoch / epochs). */
        double lr,
            drop_path = t->darts ? o->drop_path * (double)p->epochs_done / (double)o->epochs : 0.0;
        CHECK(rfnas_schedule_cosine(o->lr, o->lr_min, p->epochs_done, o->epochs, &lr));
        CHECK(rfnas_optimizer_set_double(t->sgd, RFNAS_KEY_OPT_LR, lr));
        CHECK(rfnas_supernet_set_double(t->net, RFNAS_KEY_NET_DROP_PATH_PROB, drop_path));
        double t0 = now(), base = p->seconds_epoch;
        for (;;) {
            if (o->kill_after_steps > 0 && p->steps_total == o->kill_after_steps)
                raise(SIGKILL); /* testing: die without warning, mid-epoch */
            int64_t n;
            rfnas_status st = rfnas_iter_next(t->it, t->x, t->x_cap, t->y, (size_t)o->batch, &n);
            if (st == RFNAS_END)
                break;
            CHECK(st);
            if (step(t, n) < 0)
                return -1;
            p->seconds_epoch = base + (now() - t0);
            if (stop_requested()) {
                if (save_checkpoint(t, dir) < 0)
                    return -1;
                return stop_requested();
            }
            if (!o->quiet)
                show_step(p->epochs_done + 1, o->epochs, p->steps, t->steps_per_epoch);
        }
        double test_loss = NAN, test_acc = NAN;
        int64_t test_images = 0;
        const int64_t e = p->epochs_done + 1;
        if (o->eval_every > 0 && (e % o->eval_every == 0 || e == o->epochs) &&
            evaluate_test(t, &test_loss, &test_acc, &test_images) < 0)
            return -1;
        if (log_epoch(t, dir, lr, drop_path, test_loss, test_acc) < 0)
            return -1;
        p->seconds_total += p->seconds_epoch;
        if (!o->quiet) {
            char eta[32], test[64] = "";
            format_time_left(eta, sizeof eta, p->seconds_total, p->steps_total,
                             (o->epochs - e) * t->steps_per_epoch);
            if (test_images > 0)
                snprintf(test, sizeof test, "  test acc %.2f%%", 100 * test_acc);
            printf("%sepoch %lld/%ld  steps %lld  train loss %.4f acc %.2f%%%s  lr %.5f  "
                   "drop-path %.3f  %.0f img/s  %.1fs  left %s\n",
                   isatty(STDOUT_FILENO) ? "\r" : "", (long long)e, o->epochs, (long long)p->steps,
                   mean_or_nan(p->train_loss_sum, p->steps),
                   100 * mean_or_nan((double)p->train_correct, p->train_seen), test, lr, drop_path,
                   (double)p->train_seen / p->seconds_epoch, p->seconds_epoch, eta);
            fflush(stdout);
        }
        /* The next epoch starts from zero; the checkpoint records it so. */
        p->epochs_done++;
        p->steps = p->train_correct = p->train_seen = 0;
        p->train_loss_sum = p->seconds_epoch = 0;
        if (save_checkpoint(t, dir) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static train_options cli;
    static char given[4096];
    char err[1024];
    topt_defaults(&cli);
    int parsed = topt_parse(&cli, argc, argv, err, sizeof err, given, sizeof given);
    if (parsed < 0) {
        fprintf(stderr, "rfnas-train: %s\n", err);
        return 2;
    }
    if (parsed > 0)
        return 0;

    static trainer t;
    rfnas_ctx *boot = NULL;
    rfnas_checkpoint *ck = NULL;
    char dir[TOPT_TEXT];
    int resuming = cli.resume[0] != '\0';
    int rc = 1;
    if (resuming) {
        snprintf(dir, sizeof dir, "%s", cli.resume);
        if (read_resume_settings(dir, &t, given, &cli, &boot, &ck) < 0)
            goto done;
        t.opt.quiet = cli.quiet;
        t.opt.kill_after_steps = cli.kill_after_steps;
        snprintf(t.opt.resume, sizeof t.opt.resume, "%s", dir);
        snprintf(t.opt.out, sizeof t.opt.out, "%s", dir);
    } else {
        t.opt = cli;
        if (trainer_resolve_genotype(&t) < 0)
            goto done;
        if (cli.out[0])
            snprintf(dir, sizeof dir, "%s", cli.out);
        else
            snprintf(dir, sizeof dir, "runs/train-%s-s%ld", t.darts ? "darts" : "nb201", cli.seed);
        snprintf(t.opt.out, sizeof t.opt.out, "%s", dir);
    }
    const train_options *o = &t.opt;
    if (trainer_open(&t) < 0)
        goto done;
    if (resuming) {
        char path[4096];
        if (restore(&t, ck) < 0 ||
            truncate_log(join(path, sizeof path, dir, "log.jsonl"), t.p.epochs_done) < 0)
            goto done;
    } else {
        char path[4096], line[TOPT_TEXT + 2];
        if (run_dir_create(dir) < 0)
            goto done;
        remove(join(path, sizeof path, dir, "result.json"));
        snprintf(line, sizeof line, "%s\n", t.genotype);
        if (write_config(&t, dir) < 0 || write_text(dir, "genotype.txt", line) < 0)
            goto done;
    }
    rfnas_checkpoint_destroy(ck);
    ck = NULL;
    rfnas_ctx_destroy(boot);
    boot = NULL;

    if (!o->quiet) {
        int64_t ntrain, ntest, cells = 0;
        size_t weights;
        rfnas_supernet_get_int(t.net, RFNAS_KEY_NET_CELLS, &cells);
        rfnas_dataset_shape(t.train_set, &ntrain, NULL, NULL, NULL, NULL);
        rfnas_dataset_shape(t.test_set, &ntest, NULL, NULL, NULL, NULL);
        rfnas_supernet_group_borrow(t.net, RFNAS_GROUP_WEIGHTS, NULL, NULL, &weights);
        printf("rfnas-train %s: %s network (C %ld, %lld %s%s, %zu weights) on %s, %ld epochs "
               "of %lld steps (batch %ld, %lld training images, %lld test images), %d threads\n"
               "  genotype: %s\n  run directory: %s%s\n",
               rfnas_version_string(), t.darts ? "DARTS" : "NAS-Bench-201", o->channels,
               (long long)cells, t.darts ? "cells" : "cells per stage",
               o->auxiliary ? ", auxiliary head" : "", weights, o->dataset, o->epochs,
               (long long)t.steps_per_epoch, o->batch, (long long)ntrain, (long long)ntest,
               rfnas_ctx_get_threads(t.ctx), t.genotype, dir, resuming ? " (resumed)" : "");
        fflush(stdout);
    }

    catch_stop_signals();

    int r = run_epochs(&t, dir);
    if (r < 0)
        goto done;
    if (r > 0) {
        rc = report_stopped(r, t.p.steps_total, dir);
        goto done;
    }
    double test_loss, test_acc;
    int64_t test_images;
    if (evaluate_test(&t, &test_loss, &test_acc, &test_images) < 0 ||
        write_result(&t, dir, test_loss, test_acc, test_images) < 0)
        goto done;
    /* Printed even with --quiet: it is the program's answer. */
    printf("test accuracy: %.2f%% (loss %.4f, %lld images); training %.1f s; outputs in %s\n",
           100 * test_acc, test_loss, (long long)test_images, t.p.seconds_total, dir);
    rc = 0;
done:
    rfnas_checkpoint_destroy(ck);
    rfnas_ctx_destroy(boot);
    trainer_close(&t);
    return rc;
}
