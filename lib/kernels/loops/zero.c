/* The strided zero op. */
#include "kernels/loops/zero.h"

#include "kernels/loops/sum.h"

int rfnas__zero_out_size(int in, int stride)
{
    return (in + stride - 1) / stride;
}

void rfnas__zero_fwd(float *y, rfnas__blocked_shape xs, int stride)
{
    rfnas__blocked_shape ys = rfnas__blocked_make(xs.n, xs.c, rfnas__zero_out_size(xs.h, stride),
                                                  rfnas__zero_out_size(xs.w, stride));
    rfnas__sum_zero(y, rfnas__blocked_count(ys));
}

void rfnas__zero_bwd(float *dx, rfnas__blocked_shape xs, int accum)
{
    if (!accum)
        rfnas__sum_zero(dx, rfnas__blocked_count(xs));
}
