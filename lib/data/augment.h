/* Turning stored samples into network input: random crop with zero padding,
 * horizontal flip, per-channel normalisation, cutout (SPEC 6.6). */
#ifndef RFNAS_DATA_AUGMENT_H
#define RFNAS_DATA_AUGMENT_H

#include <stdint.h>

#include "dataset.h"
#include "rng.h"

typedef struct rfnas__augment {
    int crop_pad;        /* 0 = no crop */
    int flip;            /* 1 = flip with p = 0.5 */
    int cutout;          /* side of the square, 0 = none */
    uint32_t cutout_threshold; /* apply cutout when a 32-bit draw is below it */
    int cutout_always;   /* probability 1: no draw compared */
    const float *lut;    /* bytes: per channel 256 normalised values (C x 256) */
    const float *mean;   /* floats: per channel mean and 1/std */
    const float *inv_std;
} rfnas__augment;

/* The random choices for one sample, drawn from (key, epoch, position). */
typedef struct rfnas__sample_draw {
    int oy, ox;   /* crop offsets in [0, 2 * pad] */
    int flip;
    int cut;      /* apply cutout */
    int cy, cx;   /* cutout centre */
} rfnas__sample_draw;

rfnas__sample_draw rfnas__augment_draw(const rfnas__augment *aug, rfnas__rng_key key,
                                       int64_t epoch, int64_t position, int64_t h, int64_t w);

/* Writes sample @p index of @p st into @p out (C x H x W floats). */
void rfnas__augment_sample(const rfnas__augment *aug, const rfnas__storage *st, int64_t index,
                           const rfnas__sample_draw *draw, float *out);

#endif
