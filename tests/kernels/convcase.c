/* One convolution case end to end (see convcase.h). */
#include "convcase.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Fills a buffer with NaN so that any element the kernel fails to write shows. */
static void poison(float *b, size_t n)
{
    kref_poison(b, n, NAN);
}

void convcase_run(convcase *cc, rfnas_ctx *ctx, const rfnas__conv_desc *d, uint64_t seed,
                  int no_ref)
{
    memset(cc, 0, sizeof *cc);
    cc->d = *d;
    rfnas__conv *c = NULL;
    rfnas_status rc = rfnas__conv_create(&c, ctx, d);
    if (rc != RFNAS_OK)
        print_message("conv_create: %s\n", rfnas_error_last());
    assert_int_equal(rc, RFNAS_OK);
    const int64_t oh = rfnas__conv_oh(c), ow = rfnas__conv_ow(c);
    kref_conv s = {d->n,  d->ic, d->ih, d->iw,    d->oc,    oh,          ow,
                   d->kh, d->kw, d->stride, d->pad_h, d->pad_w, d->dilation, d->groups};
    cc->s = s;
    cc->nx = (size_t)(d->n * d->ic * d->ih * d->iw);
    cc->ny = (size_t)(d->n * d->oc * oh * ow);
    cc->nw = rfnas__conv_weights_count(c);
    assert_int_equal(cc->nw, (size_t)(d->oc * (d->ic / d->groups) * d->kh * d->kw));

    kref_rng rng = {seed};
    cc->x = kref_dalloc(cc->nx);
    cc->w = kref_dalloc(cc->nw);
    cc->dy = kref_dalloc(cc->ny);
    kref_fill(cc->x, cc->nx, &rng, -1, 1);
    const double bound = 1.0 / sqrt((double)(d->ic / d->groups * d->kh * d->kw)); /* SPEC 2.6 */
    kref_fill(cc->w, cc->nw, &rng, -bound, bound);
    kref_fill(cc->dy, cc->ny, &rng, -1, 1);

    /* The caller-side layouts the header promises. */
    const size_t bx = d->src_plain ? cc->nx : kref_blocked_count(d->n, d->ic, d->ih, d->iw);
    const size_t by = kref_blocked_count(d->n, d->oc, oh, ow);
    assert_int_equal(dnnl_memory_desc_get_size(rfnas__conv_src_md(c)), bx * sizeof(float));
    assert_int_equal(dnnl_memory_desc_get_size(rfnas__conv_dst_md(c)), by * sizeof(float));
    float *fx = kref_falloc(bx), *fy = kref_falloc(by), *fdy = kref_falloc(by);
    float *fdx = kref_falloc(bx), *fw = kref_falloc(cc->nw), *fdw = kref_falloc(cc->nw);
    if (d->src_plain)
        kref_d2f(fx, cc->x, cc->nx);
    else
        kref_to_blocked(fx, cc->x, d->n, d->ic, d->ih, d->iw);
    kref_to_blocked(fdy, cc->dy, d->n, d->oc, oh, ow);
    kref_d2f(fw, cc->w, cc->nw);
    cc->pad_ok = 1;

    assert_int_equal(rfnas__conv_set_weights(c, fw), RFNAS_OK);
    poison(fy, by);
    assert_int_equal(rfnas__conv_forward(c, fx, fy), RFNAS_OK);
    cc->y = kref_dalloc(cc->ny);
    kref_from_blocked(cc->y, fy, d->n, d->oc, oh, ow);
    cc->pad_ok &= kref_pad_zero(fy, d->n, d->oc, oh, ow);

    if (!d->no_bwd_data) {
        poison(fdx, bx);
        assert_int_equal(rfnas__conv_backward_data(c, fdy, fdx), RFNAS_OK);
        cc->dx = kref_dalloc(cc->nx);
        if (d->src_plain) {
            kref_f2d(cc->dx, fdx, cc->nx);
        } else {
            kref_from_blocked(cc->dx, fdx, d->n, d->ic, d->ih, d->iw);
            cc->pad_ok &= kref_pad_zero(fdx, d->n, d->ic, d->ih, d->iw);
        }
    } else {
        assert_int_equal(rfnas__conv_backward_data(c, fdy, fdx), RFNAS_E_STATE);
    }
    if (d->trainable) {
        poison(fdw, cc->nw);
        assert_int_equal(rfnas__conv_backward_weights(c, fx, fdy, fdw, 0), RFNAS_OK);
        cc->dw = kref_dalloc(cc->nw);
        kref_f2d(cc->dw, fdw, cc->nw);
        assert_int_equal(rfnas__conv_backward_weights(c, fx, fdy, fdw, 1), RFNAS_OK);
        cc->accumulate_ok = 1;
        for (size_t i = 0; i < cc->nw; i++)
            cc->accumulate_ok &= fdw[i] == (float)(2.0 * cc->dw[i]);
    } else {
        assert_null(rfnas__conv_impl(c, RFNAS__CONV_BWD_WEIGHTS));
        assert_int_equal(rfnas__conv_backward_weights(c, fx, fdy, fdw, 0), RFNAS_E_STATE);
    }
    print_message("  impl fwd %s | bwd_data %s | bwd_weights %s | plan %zu B\n",
                  rfnas__conv_impl(c, RFNAS__CONV_FWD),
                  d->no_bwd_data ? "-" : rfnas__conv_impl(c, RFNAS__CONV_BWD_DATA),
                  d->trainable ? rfnas__conv_impl(c, RFNAS__CONV_BWD_WEIGHTS) : "-",
                  rfnas__conv_plan_bytes(c));
    rfnas__conv_destroy(c);
    free(fx);
    free(fy);
    free(fdy);
    free(fdx);
    free(fw);
    free(fdw);

    if (no_ref)
        return;
    cc->y_ref = kref_dalloc(cc->ny);
    cc->y_mag = kref_dalloc(cc->ny);
    kref_conv_fwd(&cc->s, cc->x, cc->w, cc->y_ref, cc->y_mag);
    if (cc->dx) {
        cc->dx_ref = kref_dalloc(cc->nx);
        cc->dx_mag = kref_dalloc(cc->nx);
        kref_conv_bwd_data(&cc->s, cc->dy, cc->w, cc->dx_ref, cc->dx_mag);
    }
    if (cc->dw) {
        cc->dw_ref = kref_dalloc(cc->nw);
        cc->dw_mag = kref_dalloc(cc->nw);
        kref_conv_bwd_weights(&cc->s, cc->x, cc->dy, cc->dw_ref, cc->dw_mag);
    }
}

void convcase_free(convcase *cc)
{
    double *all[] = {cc->x,     cc->w,      cc->dy,    cc->y,     cc->dx,
                     cc->dw,    cc->y_ref,  cc->y_mag, cc->dx_ref, cc->dx_mag,
                     cc->dw_ref, cc->dw_mag};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
    memset(cc, 0, sizeof *cc);
}

double convcase_check_dx(const convcase *cc, const double *dx)
{
    return kref_close("dx vs double reference", dx, cc->dx_ref, cc->dx_mag, cc->nx,
                      KREF_CONV_RTOL, 1e-30);
}

double convcase_check_dw(const convcase *cc, const double *dw)
{
    return kref_close("dW vs double reference", dw, cc->dw_ref, cc->dw_mag, cc->nw,
                      KREF_CONV_RTOL, 1e-30);
}

/* conv as a function of x (w fixed) and of w (x fixed), for the FD checks. */
typedef struct fd_ctx {
    const convcase *cc;
    double *mag;
} fd_ctx;

static void f_of_x(const void *p, const double *x, double *y)
{
    const fd_ctx *f = p;
    kref_conv_fwd(&f->cc->s, x, f->cc->w, y, f->mag);
}

static void f_of_w(const void *p, const double *w, double *y)
{
    const fd_ctx *f = p;
    kref_conv_fwd(&f->cc->s, f->cc->x, w, y, f->mag);
}

double convcase_fd_dx(const convcase *cc, const double *dx)
{
    fd_ctx f = {cc, kref_dalloc(cc->ny)};
    double r = kref_directional("dx: central differences", f_of_x, &f, cc->x, cc->nx, cc->dy,
                                cc->ny, dx, 2, 101);
    free(f.mag);
    return r;
}

double convcase_fd_dw(const convcase *cc, const double *dw)
{
    fd_ctx f = {cc, kref_dalloc(cc->ny)};
    double r = kref_directional("dW: central differences", f_of_w, &f, cc->w, cc->nw, cc->dy,
                                cc->ny, dw, 2, 202);
    free(f.mag);
    return r;
}
