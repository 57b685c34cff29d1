/* The shared pixel store behind datasets, views and iterators. */
#include <math.h>
#include <string.h>

#include "dataset.h"

rfnas_status rfnas__shape_check(int64_t n, int64_t c, int64_t h, int64_t w, rfnas_status status,
                                const char *what, size_t *per_sample, size_t *total)
{
    if (n < 1 || c < 1 || h < 1 || w < 1)
        return rfnas__error(status, "%s: shape %lld x %lld x %lld x %lld has an empty dimension",
                            what, (long long)n, (long long)c, (long long)h, (long long)w);
    if (n > RFNAS__DATASET_MAX_SAMPLES)
        return rfnas__error(status, "%s: %lld samples exceed the limit of %lld", what,
                            (long long)n, (long long)RFNAS__DATASET_MAX_SAMPLES);
    uint64_t per, all;
    if (__builtin_mul_overflow((uint64_t)c, (uint64_t)h, &per) ||
        __builtin_mul_overflow(per, (uint64_t)w, &per) ||
        __builtin_mul_overflow(per, (uint64_t)n, &all) || all > (uint64_t)1 << 40)
        return rfnas__error(status,
                            "%s: shape %lld x %lld x %lld x %lld overflows (more than 2^40 values)",
                            what, (long long)n, (long long)c, (long long)h, (long long)w);
    if (per_sample)
        *per_sample = (size_t)per;
    if (total)
        *total = (size_t)all;
    return RFNAS_OK;
}

void rfnas__storage_ref(rfnas__storage *st)
{
    st->refs++;
}

void rfnas__storage_unref(rfnas__storage *st)
{
    if (st == NULL || --st->refs > 0)
        return;
    rfnas_ctx *ctx = st->ctx;
    rfnas__free(ctx, st->block);
    rfnas__free(ctx, st->labels);
    rfnas__free(ctx, st);
    rfnas__ctx_unref(ctx);
}

rfnas_status rfnas__dataset_wrap(rfnas_dataset **out, rfnas_ctx *ctx, void *block,
                                 const uint8_t *u8, const float *f32, int32_t *labels, int64_t n,
                                 int64_t c, int64_t h, int64_t w, int64_t classes)
{
    rfnas__storage *st = rfnas__calloc(ctx, 1, sizeof *st);
    rfnas_dataset *ds = rfnas__calloc(ctx, 1, sizeof *ds);
    if (st == NULL || ds == NULL) {
        rfnas__free(ctx, st);
        rfnas__free(ctx, ds);
        rfnas__free(ctx, block);
        rfnas__free(ctx, labels);
        return RFNAS__NOMEM("dataset");
    }
    st->refs = 1;
    st->ctx = ctx;
    rfnas__ctx_ref(ctx);
    st->block = block;
    st->u8 = u8;
    st->f32 = f32;
    st->labels = labels;
    st->n = n;
    st->c = c;
    st->h = h;
    st->w = w;
    st->classes = classes;
    ds->hdr.tag = RFNAS__TAG_DATASET;
    ds->st = st;
    ds->start = 0;
    ds->count = n;
    *out = ds;
    return RFNAS_OK;
}

rfnas_status rfnas__storage_stats(const rfnas__storage *st, int64_t start, int64_t count,
                                  double *mean, double *std)
{
    size_t plane = (size_t)(st->h * st->w);
    size_t per = plane * (size_t)st->c;
    double values = (double)count * (double)plane;
    for (int64_t ch = 0; ch < st->c; ch++) {
        double sum = 0.0, sumsq = 0.0;
        if (st->u8) {
            /* Exact: a byte histogram, then sums in a fixed order. */
            uint64_t hist[256] = {0};
            for (int64_t i = start; i < start + count; i++) {
                const uint8_t *p = st->u8 + (size_t)i * per + (size_t)ch * plane;
                for (size_t k = 0; k < plane; k++)
                    hist[p[k]]++;
            }
            for (int v = 0; v < 256; v++) {
                double x = v / 255.0;
                sum += (double)hist[v] * x;
                sumsq += (double)hist[v] * x * x;
            }
            double m = sum / values;
            mean[ch] = m;
            std[ch] = sqrt(fmax(sumsq / values - m * m, 0.0));
        } else {
            /* Two passes in double for accuracy; fixed order for reproducibility. */
            for (int64_t i = start; i < start + count; i++) {
                const float *p = st->f32 + (size_t)i * per + (size_t)ch * plane;
                for (size_t k = 0; k < plane; k++)
                    sum += p[k];
            }
            double m = sum / values;
            for (int64_t i = start; i < start + count; i++) {
                const float *p = st->f32 + (size_t)i * per + (size_t)ch * plane;
                for (size_t k = 0; k < plane; k++)
                    sumsq += (p[k] - m) * (p[k] - m);
            }
            mean[ch] = m;
            std[ch] = sqrt(sumsq / values);
        }
    }
    return RFNAS_OK;
}
