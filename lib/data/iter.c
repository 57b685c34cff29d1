/* rfnas_iter: seeded shuffling, batching, augmentation into caller buffers.
 *
 * Randomness is counter-based (lib/core/rng.h): the order of epoch e is drawn
 * from (seed, stream, e) and a sample's augmentation from (seed, stream, e,
 * position in the epoch). The position (epoch, cursor) is therefore the
 * iterator's whole state, which makes exact resume a matter of two integers. */
#include <math.h>
#include <string.h>

#include "augment.h"
#include "dataset.h"

struct rfnas_iter {
    rfnas__handle hdr;
    rfnas__storage *st; /* holds a reference */
    int64_t start, count;
    int64_t batch;
    int shuffle, drop_last;
    int64_t limit; /* samples delivered per epoch */
    rfnas__rng_key shuffle_key, augment_key;
    rfnas__augment aug;
    double *mean, *std; /* C each: the normalisation in use */
    float *lut;         /* bytes: C x 256 normalised values */
    float *fmean, *finv_std;
    int64_t *perm;      /* order of the current epoch (shuffle only) */
    int64_t perm_epoch; /* epoch perm was drawn for; -1 = none */
    int64_t epoch, cursor;
};

static void iter_free(rfnas_iter *it)
{
    rfnas_ctx *ctx = it->st->ctx;
    rfnas__storage *st = it->st;
    rfnas__ctx_ref(ctx); /* keep the allocator alive until the handle is gone */
    rfnas__free(ctx, it->mean);
    rfnas__free(ctx, it->std);
    rfnas__free(ctx, it->lut);
    rfnas__free(ctx, it->fmean);
    rfnas__free(ctx, it->finv_std);
    rfnas__free(ctx, it->perm);
    it->hdr.tag = RFNAS__TAG_DEAD;
    rfnas__free(ctx, it);
    rfnas__storage_unref(st);
    rfnas__ctx_unref(ctx);
}

/* Normalisation: given in the config, or computed from the data, or off. */
static rfnas_status setup_normalization(rfnas_iter *it, const rfnas_config *cfg)
{
    const int64_t C = it->st->c;
    const double *m, *s;
    size_t nm = rfnas__config_list(cfg, RFNAS_KEY_ITER_MEAN, &m);
    size_t ns = rfnas__config_list(cfg, RFNAS_KEY_ITER_STD, &s);
    if (nm && nm != (size_t)C)
        return rfnas__error(RFNAS_E_INVALID,
                            "rfnas_iter_create: iter.mean has %zu values for %lld channels", nm,
                            (long long)C);
    if (ns && ns != (size_t)C)
        return rfnas__error(RFNAS_E_INVALID,
                            "rfnas_iter_create: iter.std has %zu values for %lld channels", ns,
                            (long long)C);
    if (!rfnas__config_int(cfg, RFNAS_KEY_ITER_NORMALIZE)) {
        for (int64_t c = 0; c < C; c++) {
            it->mean[c] = 0.0;
            it->std[c] = 1.0;
        }
    } else {
        if (!nm || !ns) {
            RFNAS__TRY(rfnas__storage_stats(it->st, it->start, it->count, it->mean, it->std));
            for (int64_t c = 0; c < C; c++)
                rfnas__log(it->st->ctx, RFNAS_LOG_INFO,
                           "iterator: channel %lld: mean %.6f std %.6f computed from %lld samples",
                           (long long)c, it->mean[c], it->std[c], (long long)it->count);
        }
        for (int64_t c = 0; c < C; c++) {
            if (nm)
                it->mean[c] = m[c];
            if (ns)
                it->std[c] = s[c];
            if (!(it->std[c] > 1e-12))
                return rfnas__error(RFNAS_E_INVALID,
                                    "rfnas_iter_create: channel %lld has standard deviation %g "
                                    "(constant data); give iter.std",
                                    (long long)c, it->std[c]);
        }
    }
    for (int64_t c = 0; c < C; c++) {
        it->fmean[c] = (float)it->mean[c];
        it->finv_std[c] = (float)(1.0 / it->std[c]);
        if (it->lut)
            for (int v = 0; v < 256; v++)
                it->lut[c * 256 + v] = (float)((v / 255.0 - it->mean[c]) / it->std[c]);
    }
    return RFNAS_OK;
}

rfnas_status rfnas_iter_create(rfnas_iter **out, rfnas_dataset *ds, const rfnas_config *cfg)
{
    static const char fn[] = "rfnas_iter_create";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ds, RFNAS__TAG_DATASET);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    rfnas__storage *st = ds->st;
    rfnas_ctx *ctx = st->ctx;
    const int64_t batch = rfnas__config_int(cfg, RFNAS_KEY_ITER_BATCH);
    const int drop_last = (int)rfnas__config_int(cfg, RFNAS_KEY_ITER_DROP_LAST);
    if (drop_last && batch > ds->count)
        return rfnas__error(RFNAS_E_INVALID,
                            "%s: iter.drop_last with a batch of %lld and only %lld samples "
                            "leaves every epoch empty",
                            fn, (long long)batch, (long long)ds->count);
    size_t per_batch;
    RFNAS__TRY(rfnas__shape_check(batch, st->c, st->h, st->w, RFNAS_E_INVALID, fn, NULL,
                                  &per_batch));
    const int64_t cutout = rfnas__config_int(cfg, RFNAS_KEY_ITER_CUTOUT);
    const int64_t pad = rfnas__config_int(cfg, RFNAS_KEY_ITER_CROP_PAD);
    RFNAS__CHECK_ARG(pad <= st->h && pad <= st->w,
                     "%s: iter.crop_pad %lld exceeds the %lld x %lld image", fn, (long long)pad,
                     (long long)st->h, (long long)st->w);

    rfnas_iter *it = rfnas__calloc(ctx, 1, sizeof *it);
    if (it == NULL)
        return RFNAS__NOMEM(fn);
    it->hdr.tag = RFNAS__TAG_ITER;
    it->st = st;
    rfnas__storage_ref(st);
    it->start = ds->start;
    it->count = ds->count;
    it->batch = batch;
    it->shuffle = (int)rfnas__config_int(cfg, RFNAS_KEY_ITER_SHUFFLE);
    it->drop_last = drop_last;
    it->limit = drop_last ? (ds->count / batch) * batch : ds->count;
    uint32_t stream = (uint32_t)rfnas__config_int(cfg, RFNAS_KEY_ITER_STREAM);
    it->shuffle_key = rfnas__rng_make_key(ctx->seed, RFNAS__RNG_SHUFFLE, stream);
    it->augment_key = rfnas__rng_make_key(ctx->seed, RFNAS__RNG_AUGMENT, stream);
    it->perm_epoch = -1;

    const size_t C = (size_t)st->c;
    it->mean = rfnas__calloc(ctx, C, sizeof *it->mean);
    it->std = rfnas__calloc(ctx, C, sizeof *it->std);
    it->fmean = rfnas__calloc(ctx, C, sizeof *it->fmean);
    it->finv_std = rfnas__calloc(ctx, C, sizeof *it->finv_std);
    it->lut = st->u8 ? rfnas__calloc(ctx, C * 256, sizeof *it->lut) : NULL;
    it->perm = it->shuffle ? rfnas__calloc(ctx, (size_t)ds->count, sizeof *it->perm) : NULL;
    if (!it->mean || !it->std || !it->fmean || !it->finv_std || (st->u8 && !it->lut) ||
        (it->shuffle && !it->perm)) {
        iter_free(it);
        return RFNAS__NOMEM(fn);
    }
    rfnas_status rc = setup_normalization(it, cfg);
    if (rc != RFNAS_OK) {
        iter_free(it);
        return rc;
    }
    double prob = rfnas__config_double(cfg, RFNAS_KEY_ITER_CUTOUT_PROB);
    it->aug.crop_pad = (int)pad;
    it->aug.flip = (int)rfnas__config_int(cfg, RFNAS_KEY_ITER_FLIP);
    it->aug.cutout = (int)cutout;
    it->aug.cutout_always = prob >= 1.0;
    it->aug.cutout_threshold = (uint32_t)(prob * 4294967296.0 >= 4294967295.0
                                              ? 4294967295.0
                                              : prob * 4294967296.0);
    it->aug.lut = it->lut;
    it->aug.mean = it->fmean;
    it->aug.inv_std = it->finv_std;
    *out = it;
    return RFNAS_OK;
}

void rfnas_iter_destroy(rfnas_iter *it)
{
    if (it == NULL || it->hdr.tag != RFNAS__TAG_ITER)
        return;
    iter_free(it);
}

/* Fisher-Yates with one counter-based draw per step: a function of (seed, stream, epoch). */
static void draw_permutation(rfnas_iter *it, int64_t epoch)
{
    for (int64_t i = 0; i < it->count; i++)
        it->perm[i] = i;
    for (int64_t i = it->count - 1; i > 0; i--) {
        uint32_t r[4];
        rfnas__rng_block(it->shuffle_key, (uint32_t)i, 0, (uint32_t)epoch,
                         (uint32_t)((uint64_t)epoch >> 32), r);
        int64_t j = rfnas__rng_below(r[0], (uint32_t)(i + 1));
        int64_t t = it->perm[i];
        it->perm[i] = it->perm[j];
        it->perm[j] = t;
    }
    it->perm_epoch = epoch;
}

rfnas_status rfnas_iter_next(rfnas_iter *it, float *x, size_t x_cap, int32_t *y, size_t y_cap,
                             int64_t *n)
{
    static const char fn[] = "rfnas_iter_next";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(it, RFNAS__TAG_ITER);
    RFNAS__CHECK_ARG(x != NULL && y != NULL, "%s: x or y is NULL", fn);
    const rfnas__storage *st = it->st;
    const size_t per = (size_t)(st->c * st->h * st->w);
    const size_t need = (size_t)it->batch * per;
    if (x_cap < need)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: x holds %zu floats, a batch needs %zu", fn, x_cap,
                            need);
    if (y_cap < (size_t)it->batch)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: y holds %zu labels, a batch needs %lld", fn,
                            y_cap, (long long)it->batch);
    if (n)
        *n = 0;
    if (it->cursor >= it->limit) {
        it->epoch++;
        it->cursor = 0;
        return RFNAS_END;
    }
    if (it->shuffle && it->perm_epoch != it->epoch)
        draw_permutation(it, it->epoch);
    const int64_t nb = it->limit - it->cursor < it->batch ? it->limit - it->cursor : it->batch;
    rfnas__threads_scope scope;
    rfnas__threads_enter(st->ctx, &scope);
    /* Each sample depends only on its own draws, so the split across threads
     * cannot change a bit of the result. */
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < nb; b++) {
        const int64_t pos = it->cursor + b;
        const int64_t index = it->start + (it->shuffle ? it->perm[pos] : pos);
        rfnas__sample_draw d =
            rfnas__augment_draw(&it->aug, it->augment_key, it->epoch, pos, st->h, st->w);
        rfnas__augment_sample(&it->aug, st, index, &d, x + (size_t)b * per);
        y[b] = st->labels[index];
    }
    rfnas__threads_leave(&scope);
    it->cursor += nb;
    if (n)
        *n = nb;
    return RFNAS_OK;
}

rfnas_status rfnas_iter_shape(const rfnas_iter *it, int64_t *batch, int64_t *c, int64_t *h,
                              int64_t *w, int64_t *batches_per_epoch)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(it, RFNAS__TAG_ITER);
    if (batch)
        *batch = it->batch;
    if (c)
        *c = it->st->c;
    if (h)
        *h = it->st->h;
    if (w)
        *w = it->st->w;
    if (batches_per_epoch)
        *batches_per_epoch = (it->limit + it->batch - 1) / it->batch;
    return RFNAS_OK;
}

rfnas_status rfnas_iter_normalization(const rfnas_iter *it, double *mean, double *std, size_t cap)
{
    static const char fn[] = "rfnas_iter_normalization";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(it, RFNAS__TAG_ITER);
    RFNAS__CHECK_ARG(mean != NULL && std != NULL, "%s: mean or std is NULL", fn);
    if (cap < (size_t)it->st->c)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: buffers hold %zu values, %lld channels need one each",
                            fn, cap, (long long)it->st->c);
    memcpy(mean, it->mean, (size_t)it->st->c * sizeof *mean);
    memcpy(std, it->std, (size_t)it->st->c * sizeof *std);
    return RFNAS_OK;
}

rfnas_status rfnas_iter_get_position(const rfnas_iter *it, int64_t *epoch, int64_t *cursor)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(it, RFNAS__TAG_ITER);
    if (epoch)
        *epoch = it->epoch;
    if (cursor)
        *cursor = it->cursor;
    return RFNAS_OK;
}

rfnas_status rfnas_iter_set_position(rfnas_iter *it, int64_t epoch, int64_t cursor)
{
    static const char fn[] = "rfnas_iter_set_position";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(it, RFNAS__TAG_ITER);
    RFNAS__CHECK_ARG(epoch >= 0 && epoch <= UINT32_MAX, "%s: epoch %lld is out of range", fn,
                     (long long)epoch);
    RFNAS__CHECK_ARG(cursor >= 0 && cursor <= it->limit, "%s: cursor %lld is outside 0..%lld", fn,
                     (long long)cursor, (long long)it->limit);
    it->epoch = epoch;
    it->cursor = cursor;
    return RFNAS_OK;
}
