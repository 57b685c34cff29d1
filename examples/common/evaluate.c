#include "evaluate.h"

#include "util.h"

int evaluate(rfnas_supernet *net, rfnas_dataset *set, const eval_batches *b, double *loss,
             double *acc, int64_t *images)
{
    rfnas_config *cfg;
    CHECK(rfnas_config_create(&cfg));
    rfnas_iter *it = NULL;
    int rc = rfnas_config_set_int(cfg, RFNAS_KEY_ITER_BATCH, b->batch) < 0 ||
                     rfnas_config_set_int(cfg, RFNAS_KEY_ITER_SHUFFLE, 0) < 0 ||
                     rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_MEAN, b->mean,
                                              (size_t)b->channels) < 0 ||
                     rfnas_config_set_doubles(cfg, RFNAS_KEY_ITER_STD, b->std,
                                              (size_t)b->channels) < 0 ||
                     rfnas_iter_create(&it, set, cfg) < 0
                 ? fail()
                 : 0;
    rfnas_config_destroy(cfg);
    double loss_sum = 0;
    int64_t correct_sum = 0, seen = 0, n, correct;
    rfnas_status st = RFNAS_OK;
    while (rc == 0 &&
           (st = rfnas_iter_next(it, b->x, b->x_cap, b->y, (size_t)b->batch, &n)) == RFNAS_OK) {
        const float *x = b->prepare ? b->prepare(b->arg, n) : b->x;
        double l;
        if (rfnas_supernet_forward(net, x, b->y, n, RFNAS_PHASE_EVAL, &l, &correct) < 0) {
            rc = fail();
            break;
        }
        loss_sum += l * (double)n;
        correct_sum += correct;
        seen += n;
    }
    if (rc == 0 && st < 0)
        rc = fail();
    rfnas_iter_destroy(it);
    *loss = mean_or_nan(loss_sum, seen);
    *acc = mean_or_nan((double)correct_sum, seen);
    *images = seen;
    return rc;
}
