#include "augment.h"

#include <string.h>

rfnas__sample_draw rfnas__augment_draw(const rfnas__augment *aug, rfnas__rng_key key,
                                       int64_t epoch, int64_t position, int64_t h, int64_t w)
{
    /* One Philox block per sample: counter (position lo, position hi, epoch, 0). The
     * same draws are made whether or not an augmentation is on, so turning one on
     * does not shift the others' randomness. */
    uint32_t r[4];
    rfnas__rng_block(key, (uint32_t)position, (uint32_t)((uint64_t)position >> 32),
                     (uint32_t)epoch, 0, r);
    uint32_t r2[4];
    rfnas__rng_block(key, (uint32_t)position, (uint32_t)((uint64_t)position >> 32),
                     (uint32_t)epoch, 1, r2);
    rfnas__sample_draw d;
    uint32_t span = (uint32_t)(2 * aug->crop_pad + 1);
    d.oy = aug->crop_pad ? (int)rfnas__rng_below(r[0], span) : aug->crop_pad;
    d.ox = aug->crop_pad ? (int)rfnas__rng_below(r[1], span) : aug->crop_pad;
    d.flip = aug->flip ? (int)(r[2] >> 31) : 0;
    d.cut = aug->cutout > 0 && (aug->cutout_always || r[3] < aug->cutout_threshold);
    d.cy = (int)rfnas__rng_below(r2[0], (uint32_t)h);
    d.cx = (int)rfnas__rng_below(r2[1], (uint32_t)w);
    return d;
}

void rfnas__augment_sample(const rfnas__augment *aug, const rfnas__storage *st, int64_t index,
                           const rfnas__sample_draw *draw, float *out)
{
    const int64_t H = st->h, W = st->w, C = st->c;
    const size_t plane = (size_t)(H * W);
    const int pad = aug->crop_pad;
    for (int64_t c = 0; c < C; c++) {
        float *o = out + (size_t)c * plane;
        const size_t base = ((size_t)index * (size_t)C + (size_t)c) * plane;
        /* Padding is applied to the raw image, so a padded pixel is the
         * normalised value of raw 0 (SPEC 6.6: -mean/std). */
        const float *lut = st->u8 ? aug->lut + c * 256 : NULL;
        const float pad_value = lut ? lut[0] : (0.0f - aug->mean[c]) * aug->inv_std[c];
        for (int64_t y = 0; y < H; y++) {
            int64_t sy = y + draw->oy - pad;
            float *row = o + (size_t)(y * W);
            if (sy < 0 || sy >= H) {
                for (int64_t x = 0; x < W; x++)
                    row[x] = pad_value;
                continue;
            }
            for (int64_t x = 0; x < W; x++) {
                int64_t cx = draw->flip ? W - 1 - x : x;
                int64_t sx = cx + draw->ox - pad;
                if (sx < 0 || sx >= W) {
                    row[x] = pad_value;
                } else if (lut) {
                    row[x] = lut[st->u8[base + (size_t)(sy * W + sx)]];
                } else {
                    row[x] = (st->f32[base + (size_t)(sy * W + sx)] - aug->mean[c]) *
                             aug->inv_std[c];
                }
            }
        }
    }
    if (draw->cut) {
        /* Cutout zeroes a square after normalisation, clipped at the borders
         * (DARTS utils.Cutout). */
        const int64_t half = aug->cutout / 2;
        int64_t y0 = draw->cy - half, y1 = draw->cy + half;
        int64_t x0 = draw->cx - half, x1 = draw->cx + half;
        y0 = y0 < 0 ? 0 : y0;
        x0 = x0 < 0 ? 0 : x0;
        y1 = y1 > H ? H : y1;
        x1 = x1 > W ? W : x1;
        for (int64_t c = 0; c < C; c++)
            for (int64_t y = y0; y < y1; y++)
                memset(out + (size_t)c * plane + (size_t)(y * W + x0), 0,
                       (size_t)(x1 - x0) * sizeof(float));
    }
}
