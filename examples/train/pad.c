/* --pad-to: the batch as the network reads it. DARTS's auxiliary head needs
 * an 8x8 to 10x10 map at cell 2L/3, i.e. 32x32 inputs; Fashion-MNIST's 28x28
 * gives 7x7. Padding every image (training and test alike) to 32x32 with
 * black, centred, keeps the data's content and lets the protocol's network
 * run unchanged. Black is the value a zero pixel has after normalisation,
 * -mean/std, the same value the random crop's padding takes (SPEC 6.6). */
#include <string.h>

#include "train.h"

const float *trainer_batch(trainer *t, int64_t n)
{
    if (t->net_h == t->in_h && t->net_w == t->in_w)
        return t->x;
    const int64_t top = (t->net_h - t->in_h) / 2, left = (t->net_w - t->in_w) / 2;
    for (int64_t i = 0; i < n; i++)
        for (int64_t c = 0; c < t->in_c; c++) {
            const float black = (float)(-t->mean[c] / t->std[c]);
            const float *src = t->x + (i * t->in_c + c) * t->in_h * t->in_w;
            float *dst = t->x_net + (i * t->in_c + c) * t->net_h * t->net_w;
            for (int64_t k = 0; k < t->net_h * t->net_w; k++)
                dst[k] = black;
            for (int64_t r = 0; r < t->in_h; r++)
                memcpy(dst + (r + top) * t->net_w + left, src + r * t->in_w,
                       (size_t)t->in_w * sizeof *dst);
        }
    return t->x_net;
}
