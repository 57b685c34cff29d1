/* Convolution plans: oneDNN primitives per direction, weight copies in the
 * layouts each direction wants, and boundary reorders where oneDNN has no fast
 * nChw16c kernel (see conv.h). */
#include "conv.h"

#include <string.h>

#include "error.h"
#include "prim.h"

/* A reorder between the caller's layout and a primitive's, with the buffer on
 * the primitive's side. Inactive (re.prim == NULL) when the layouts agree. */
typedef struct adapter {
    rfnas__prim re;
    void *buf;    /* an owned buffer (weights), or NULL when shared */
    size_t bytes;
    int shared;   /* activations: at byte off of the context's workspace */
    size_t off;
} adapter;

struct rfnas__conv {
    rfnas_ctx *ctx;
    rfnas__conv_desc d;
    int64_t oh, ow;
    dnnl_memory_desc_t src_md, dst_md, wei_md; /* the caller's layouts */

    rfnas__prim fwd, bwd_data, bwd_wei;
    adapter fwd_src, fwd_dst;      /* caller -> fwd src, fwd dst -> caller */
    adapter bd_ddst, bd_dsrc;      /* caller -> bwd-data diff_dst, diff_src -> caller */
    adapter bw_src, bw_ddst;       /* caller -> bwd-weights src and diff_dst */
    adapter w_fwd, w_bd;           /* plain weights -> each direction's layout */
    adapter dw;                    /* bwd-weights diff_weights -> plain (buf = its output) */
    float *dw_plain;               /* the plain weight gradient before copy or add */
    int weights_set;

    /* Transient memory lives in the context's workspace (ctx.h), which one
     * call uses at a time: the activation adapters' buffers at their offsets,
     * then the user-managed scratchpad of this plan's primitives. */
    size_t work_bytes; /* this plan's part: adapters, then the scratchpad */
    size_t scratch_off, scratch_bytes;
};

static void *scratch(const rfnas__conv *c)
{
    return c->scratch_bytes ? (char *)rfnas__ctx_work(c->ctx) + c->scratch_off : NULL;
}

static void *abuf(const rfnas__conv *c, const adapter *a)
{
    return a->shared ? (char *)rfnas__ctx_work(c->ctx) + a->off : a->buf;
}

static size_t round64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

int64_t rfnas__conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation)
{
    int64_t span = in + 2 * pad - dilation * (k - 1) - 1;
    if (span < 0 || stride < 1)
        return 0;
    return span / stride + 1;
}

static rfnas_status check_desc(const rfnas__conv_desc *d)
{
    static const char fn[] = "conv";
    if (d->n < 1 || d->ic < 1 || d->ih < 1 || d->iw < 1 || d->oc < 1)
        return rfnas__error(RFNAS_E_INVALID, "%s: empty shape", fn);
    if (d->kh < 1 || d->kw < 1 || d->stride < 1 || d->dilation < 1 || d->pad_h < 0 ||
        d->pad_w < 0)
        return rfnas__error(RFNAS_E_INVALID, "%s: bad kernel, stride, padding or dilation", fn);
    if (d->groups < 1 || d->ic % d->groups || d->oc % d->groups)
        return rfnas__error(RFNAS_E_INVALID, "%s: %lld groups do not divide %lld -> %lld channels",
                            fn, (long long)d->groups, (long long)d->ic, (long long)d->oc);
    if (rfnas__conv_out_size(d->ih, d->kh, d->stride, d->pad_h, d->dilation) < 1 ||
        rfnas__conv_out_size(d->iw, d->kw, d->stride, d->pad_w, d->dilation) < 1)
        return rfnas__error(RFNAS_E_INVALID, "%s: input %lldx%lld smaller than the kernel", fn,
                            (long long)d->ih, (long long)d->iw);
    if (d->bf16 && (d->trainable || d->groups != 1 || d->src_plain))
        return rfnas__error(RFNAS_E_INVALID,
                            "%s: bf16 is for frozen, ungrouped convolutions of a blocked input", fn);
    /* no_bwd_data with frozen weights is a forward-only plan: the RF-DARTS stem
     * (a random convolution of the image), or any network run for evaluation. */
    return RFNAS_OK;
}

/* The oneDNN op descriptor of one direction for activation layouts @p src and
 * @p dst (weights always format_any: oneDNN picks per direction). */
static rfnas_status init_op(const rfnas__conv *c, rfnas__conv_dir dir,
                            const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst,
                            dnnl_convolution_desc_t *op)
{
    const rfnas__conv_desc *d = &c->d;
    dnnl_memory_desc_t wei;
    int64_t wd[5];
    int wn;
    if (d->groups > 1) {
        int64_t g[5] = {d->groups, d->oc / d->groups, d->ic / d->groups, d->kh, d->kw};
        memcpy(wd, g, sizeof g);
        wn = 5;
    } else {
        int64_t g[4] = {d->oc, d->ic, d->kh, d->kw};
        memcpy(wd, g, sizeof g);
        wn = 4;
    }
    RFNAS__TRY(rfnas__md_init_dt(&wei, wn, wd, d->bf16 ? dnnl_bf16 : dnnl_f32,
                                 dnnl_format_tag_any));
    /* oneDNN dilates count the holes: PyTorch dilation - 1. The right pad makes
     * oneDNN's output size equal PyTorch's floor; it may be negative (a 1x1
     * stride-2 conv on an even input ignores the last row). */
    dnnl_dims_t strides = {d->stride, d->stride};
    dnnl_dims_t dil = {d->dilation - 1, d->dilation - 1};
    dnnl_dims_t pad_l = {d->pad_h, d->pad_w};
    dnnl_dims_t pad_r = {(c->oh - 1) * d->stride + d->dilation * (d->kh - 1) + 1 - d->ih - d->pad_h,
                         (c->ow - 1) * d->stride + d->dilation * (d->kw - 1) + 1 - d->iw - d->pad_w};
    dnnl_status_t st;
    switch (dir) {
    case RFNAS__CONV_FWD:
        st = dnnl_dilated_convolution_forward_desc_init(op, dnnl_forward_training,
                                                        dnnl_convolution_direct, src, &wei, NULL,
                                                        dst, strides, dil, pad_l, pad_r);
        break;
    case RFNAS__CONV_BWD_DATA:
        st = dnnl_dilated_convolution_backward_data_desc_init(
            op, dnnl_convolution_direct, src, &wei, dst, strides, dil, pad_l, pad_r);
        break;
    default:
        st = dnnl_dilated_convolution_backward_weights_desc_init(
            op, dnnl_convolution_direct, src, &wei, NULL, dst, strides, dil, pad_l, pad_r);
        break;
    }
    return st == dnnl_success ? RFNAS_OK : rfnas__dnnl_error(st, "conv: desc init");
}

/* Creates one direction's primitive on the pinned layouts, or, when oneDNN
 * would run its reference kernel there (hundreds of times slower), on the
 * layouts it prefers if that gives a real kernel. */
static rfnas_status create_dir(rfnas__conv *c, rfnas__conv_dir dir, rfnas__prim *p,
                               const_dnnl_primitive_desc_t hint)
{
    static const int ids[3][3] = {
        {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
        {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
        {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
    };
    static const char *const what[3] = {"conv forward", "conv backward-data",
                                        "conv backward-weights"};
    dnnl_convolution_desc_t op;
    RFNAS__TRY(init_op(c, dir, &c->src_md, &c->dst_md, &op));
    rfnas_status rc = rfnas__prim_create(p, c->ctx, &op, hint, ids[dir], 3, what[dir]);
    if (rc == RFNAS_OK && !rfnas__prim_is_ref(p))
        return RFNAS_OK;

    dnnl_memory_desc_t src_any, dst_any;
    RFNAS__TRY(rfnas__md_init(&src_any, 4, c->src_md.dims, dnnl_format_tag_any));
    RFNAS__TRY(rfnas__md_init(&dst_any, 4, c->dst_md.dims, dnnl_format_tag_any));
    RFNAS__TRY(init_op(c, dir, &src_any, &dst_any, &op));
    rfnas__prim alt;
    rfnas_status rc_alt = rfnas__prim_create(&alt, c->ctx, &op, hint, ids[dir], 3, what[dir]);
    if (rc_alt == RFNAS_OK && (rc < 0 || !rfnas__prim_is_ref(&alt))) {
        rfnas__prim_destroy(p);
        *p = alt;
        rfnas__error_clear(); /* the pinned attempt's failure, if any, is handled */
        return RFNAS_OK;
    }
    if (rc_alt == RFNAS_OK)
        rfnas__prim_destroy(&alt);
    if (rc == RFNAS_OK)
        rfnas__error_clear();
    return rc;
}

int rfnas__conv_bf16_fast(void)
{
    return dnnl_get_effective_cpu_isa() >= dnnl_cpu_isa_avx512_core_amx;
}

/* bf16 version of create_dir() (forward and backward-data only). The input
 * side (src forward, diff_dst backward-data) is bf16 nhwc, the layout the AMX
 * kernels use (DESIGN 7.9). For the output side it tries, in order: f32 in the
 * caller's nChw16c (no conversion at all), f32 nhwc (one reorder, no rounding
 * of the result), bf16 nhwc (the output rounded to bf16, then widened); the
 * first that gets a non-reference kernel wins. */
static rfnas_status create_dir_bf16(rfnas__conv *c, rfnas__conv_dir dir, rfnas__prim *p,
                                    const_dnnl_primitive_desc_t hint)
{
    static const int ids[2][3] = {
        {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
        {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
    };
    static const char *const what[2] = {"conv forward (bf16)", "conv backward-data (bf16)"};
    const int fwd = dir == RFNAS__CONV_FWD;
    const dnnl_memory_desc_t *in_user = fwd ? &c->src_md : &c->dst_md;
    const dnnl_memory_desc_t *out_user = fwd ? &c->dst_md : &c->src_md;
    dnnl_memory_desc_t in, outs[3];
    RFNAS__TRY(rfnas__md_init_dt(&in, 4, in_user->dims, dnnl_bf16, dnnl_nhwc));
    outs[0] = *out_user;
    RFNAS__TRY(rfnas__md_init_dt(&outs[1], 4, out_user->dims, dnnl_f32, dnnl_nhwc));
    RFNAS__TRY(rfnas__md_init_dt(&outs[2], 4, out_user->dims, dnnl_bf16, dnnl_nhwc));
    rfnas_status first = RFNAS_OK;
    for (int i = 0; i < 3; i++) {
        dnnl_convolution_desc_t op;
        RFNAS__TRY(fwd ? init_op(c, dir, &in, &outs[i], &op) : init_op(c, dir, &outs[i], &in, &op));
        rfnas_status rc = rfnas__prim_create(p, c->ctx, &op, hint, ids[!fwd], 3, what[!fwd]);
        if (rc == RFNAS_OK && !rfnas__prim_is_ref(p)) {
            rfnas__error_clear(); /* an earlier candidate's failure is handled */
            return RFNAS_OK;
        }
        if (first == RFNAS_OK)
            first = rc < 0 ? rc : RFNAS_E_BACKEND;
        rfnas__prim_destroy(p);
    }
    return rfnas__error(first, "%s: oneDNN has no bf16 kernel for this shape", what[!fwd]);
}

/* Whether a 4-D layout stores (n, c, h, w) at ((n*H + h)*W + w)*16 + c with 16
 * channels: both nhwc and nChw16c do, so for C = 16 they are the same bytes
 * (the bf16 plans' f32 nhwc outputs then need no reorder into nChw16c). */
static int is_c16_interleaved(const dnnl_memory_desc_t *m)
{
    const dnnl_blocking_desc_t *b = &m->format_desc.blocking;
    if (m->ndims != 4 || m->format_kind != dnnl_blocked || m->dims[1] != 16 || m->offset0 != 0)
        return 0;
    for (int i = 0; i < 4; i++)
        if (m->padded_dims[i] != m->dims[i] || m->padded_offsets[i] != 0)
            return 0;
    const int64_t h = m->dims[2], w = m->dims[3];
    if (b->strides[0] != 16 * h * w || b->strides[2] != 16 * w || b->strides[3] != 16)
        return 0;
    if (b->inner_nblks == 0)
        return b->strides[1] == 1;
    return b->inner_nblks == 1 && b->inner_blks[0] == 16 && b->inner_idxs[0] == 1;
}

static int same_memory(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b)
{
    if (rfnas__md_equal(a, b))
        return 1;
    return a->data_type == b->data_type && is_c16_interleaved(a) && is_c16_interleaved(b) &&
           memcmp(a->dims, b->dims, 4 * sizeof a->dims[0]) == 0;
}

/* An adapter between the caller's layout @p user and a primitive's @p prim:
 * for an input it reorders user -> prim, for an output prim -> user; the
 * buffer holds the primitive's side. Nothing when the layouts agree, unless
 * @p always (weights, which the plan must own a copy of). */
static rfnas_status adapter_make(rfnas__conv *c, adapter *a, const dnnl_memory_desc_t *user,
                                 const dnnl_memory_desc_t *prim, int input, int always,
                                 const char *what)
{
    if (!always && same_memory(user, prim))
        return RFNAS_OK;
    a->bytes = rfnas__md_bytes(prim);
    if (always) {
        a->buf = rfnas__alloc(c->ctx, a->bytes);
        if (a->buf == NULL)
            return RFNAS__NOMEM(what);
    } else {
        a->shared = 1;
        a->off = c->work_bytes;
        c->work_bytes += round64(a->bytes);
    }
    return input ? rfnas__prim_create_reorder(&a->re, c->ctx, user, prim, what)
                 : rfnas__prim_create_reorder(&a->re, c->ctx, prim, user, what);
}

static void adapter_free(rfnas__conv *c, adapter *a)
{
    rfnas__prim_destroy(&a->re);
    rfnas__free(c->ctx, a->buf);
    a->buf = NULL;
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* The caller's pointer for an input, reordered into the adapter's buffer if needed. */
static rfnas_status adapt_in(rfnas__conv *c, adapter *a, const float *ptr, void **out,
                             const char *what)
{
    if (a->re.prim == NULL) {
        *out = (void *)ptr; /* read only: oneDNN does not write its inputs */
        return RFNAS_OK;
    }
    void *h[2] = {(void *)ptr, abuf(c, a)};
    RFNAS__TRY(rfnas__prim_exec(&a->re, c->ctx, h, scratch(c), what));
    *out = h[1];
    return RFNAS_OK;
}

static void *out_handle(const rfnas__conv *c, adapter *a, float *ptr)
{
    return a->re.prim ? abuf(c, a) : (void *)ptr;
}

static rfnas_status adapt_out(rfnas__conv *c, adapter *a, float *ptr, const char *what)
{
    if (a->re.prim == NULL)
        return RFNAS_OK;
    void *h[2] = {abuf(c, a), ptr};
    return rfnas__prim_exec(&a->re, c->ctx, h, scratch(c), what);
}

void rfnas__conv_destroy(rfnas__conv *c)
{
    if (c == NULL)
        return;
    rfnas__prim_destroy(&c->fwd);
    rfnas__prim_destroy(&c->bwd_data);
    rfnas__prim_destroy(&c->bwd_wei);
    adapter *all[] = {&c->fwd_src, &c->fwd_dst, &c->bd_ddst, &c->bd_dsrc, &c->bw_src,
                      &c->bw_ddst, &c->w_fwd,   &c->w_bd,    &c->dw};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        adapter_free(c, all[i]);
    rfnas__free(c->ctx, c->dw_plain);
    rfnas__free(c->ctx, c);
}

static rfnas_status build(rfnas__conv *c)
{
    const rfnas__conv_desc *d = &c->d;
    int64_t src_dims[4] = {d->n, d->ic, d->ih, d->iw};
    int64_t dst_dims[4] = {d->n, d->oc, c->oh, c->ow};
    RFNAS__TRY(rfnas__md_init(&c->src_md, 4, src_dims, d->src_plain ? dnnl_nchw : dnnl_nChw16c));
    RFNAS__TRY(rfnas__md_init(&c->dst_md, 4, dst_dims, dnnl_nChw16c));
    if (d->groups > 1) {
        int64_t wd[5] = {d->groups, d->oc / d->groups, d->ic / d->groups, d->kh, d->kw};
        RFNAS__TRY(rfnas__md_init(&c->wei_md, 5, wd, dnnl_goihw));
    } else {
        int64_t wd[4] = {d->oc, d->ic, d->kh, d->kw};
        RFNAS__TRY(rfnas__md_init(&c->wei_md, 4, wd, dnnl_oihw));
    }

    if (d->bf16)
        RFNAS__TRY(create_dir_bf16(c, RFNAS__CONV_FWD, &c->fwd, NULL));
    else
        RFNAS__TRY(create_dir(c, RFNAS__CONV_FWD, &c->fwd, NULL));
    RFNAS__TRY(adapter_make(c, &c->fwd_src, &c->src_md, rfnas__prim_arg_md(&c->fwd, DNNL_ARG_SRC),
                            1, 0, "conv forward: src reorder"));
    RFNAS__TRY(adapter_make(c, &c->fwd_dst, &c->dst_md, rfnas__prim_arg_md(&c->fwd, DNNL_ARG_DST),
                            0, 0, "conv forward: dst reorder"));
    const dnnl_memory_desc_t *w_fwd_md = rfnas__prim_arg_md(&c->fwd, DNNL_ARG_WEIGHTS);
    RFNAS__TRY(adapter_make(c, &c->w_fwd, &c->wei_md, w_fwd_md, 1, 1, "conv: weights reorder"));

    if (!d->no_bwd_data) {
        if (d->bf16)
            RFNAS__TRY(create_dir_bf16(c, RFNAS__CONV_BWD_DATA, &c->bwd_data, c->fwd.pd));
        else
            RFNAS__TRY(create_dir(c, RFNAS__CONV_BWD_DATA, &c->bwd_data, c->fwd.pd));
        const rfnas__prim *p = &c->bwd_data;
        RFNAS__TRY(adapter_make(c, &c->bd_ddst, &c->dst_md, rfnas__prim_arg_md(p, DNNL_ARG_DIFF_DST),
                                1, 0, "conv backward-data: diff_dst reorder"));
        RFNAS__TRY(adapter_make(c, &c->bd_dsrc, &c->src_md, rfnas__prim_arg_md(p, DNNL_ARG_DIFF_SRC),
                                0, 0, "conv backward-data: diff_src reorder"));
        /* Backward-data usually wants the weights blocked the other way round
         * (onednn-notes pitfall 3); when it does not, share the forward copy. */
        const dnnl_memory_desc_t *w_bd_md = rfnas__prim_arg_md(p, DNNL_ARG_WEIGHTS);
        if (!rfnas__md_equal(w_bd_md, w_fwd_md))
            RFNAS__TRY(adapter_make(c, &c->w_bd, &c->wei_md, w_bd_md, 1, 1,
                                    "conv: weights reorder"));
    }
    if (d->trainable) {
        RFNAS__TRY(create_dir(c, RFNAS__CONV_BWD_WEIGHTS, &c->bwd_wei, c->fwd.pd));
        const rfnas__prim *p = &c->bwd_wei;
        RFNAS__TRY(adapter_make(c, &c->bw_src, &c->src_md, rfnas__prim_arg_md(p, DNNL_ARG_SRC), 1,
                                0, "conv backward-weights: src reorder"));
        RFNAS__TRY(adapter_make(c, &c->bw_ddst, &c->dst_md, rfnas__prim_arg_md(p, DNNL_ARG_DIFF_DST),
                                1, 0, "conv backward-weights: diff_dst reorder"));
        RFNAS__TRY(adapter_make(c, &c->dw, &c->wei_md, rfnas__prim_arg_md(p, DNNL_ARG_DIFF_WEIGHTS),
                                0, 1, "conv backward-weights: diff_weights reorder"));
        c->dw_plain = rfnas__alloc(c->ctx, rfnas__conv_weights_count(c) * sizeof(float));
        if (c->dw_plain == NULL)
            return RFNAS__NOMEM("conv backward-weights");
    }

    const rfnas__prim *prims[] = {&c->fwd,        &c->bwd_data,   &c->bwd_wei,   &c->fwd_src.re,
                                  &c->fwd_dst.re, &c->bd_ddst.re, &c->bd_dsrc.re, &c->bw_src.re,
                                  &c->bw_ddst.re, &c->w_fwd.re,   &c->w_bd.re,   &c->dw.re};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        c->scratch_bytes = max_size(c->scratch_bytes, prims[i]->scratch_bytes);
    c->scratch_off = c->work_bytes;
    c->work_bytes += round64(c->scratch_bytes);
    if (rfnas__ctx_work_reserve(c->ctx, c->work_bytes) != RFNAS_OK)
        return RFNAS__NOMEM("conv workspace");
    return RFNAS_OK;
}

rfnas_status rfnas__conv_create(rfnas__conv **out, rfnas_ctx *ctx, const rfnas__conv_desc *d)
{
    if (out == NULL || ctx == NULL || d == NULL)
        return rfnas__error(RFNAS_E_INVALID, "conv: NULL argument");
    *out = NULL;
    RFNAS__TRY(check_desc(d));
    rfnas__conv *c = rfnas__calloc(ctx, 1, sizeof *c);
    if (c == NULL)
        return RFNAS__NOMEM("conv");
    c->ctx = ctx;
    c->d = *d;
    c->oh = rfnas__conv_out_size(d->ih, d->kh, d->stride, d->pad_h, d->dilation);
    c->ow = rfnas__conv_out_size(d->iw, d->kw, d->stride, d->pad_w, d->dilation);
    rfnas_status rc = build(c);
    if (rc < 0) {
        rfnas__conv_destroy(c);
        return rc;
    }
    *out = c;
    return RFNAS_OK;
}

const rfnas__conv_desc *rfnas__conv_get_desc(const rfnas__conv *c)
{
    return &c->d;
}

int64_t rfnas__conv_oh(const rfnas__conv *c)
{
    return c->oh;
}

int64_t rfnas__conv_ow(const rfnas__conv *c)
{
    return c->ow;
}

const dnnl_memory_desc_t *rfnas__conv_src_md(const rfnas__conv *c)
{
    return &c->src_md;
}

const dnnl_memory_desc_t *rfnas__conv_dst_md(const rfnas__conv *c)
{
    return &c->dst_md;
}

size_t rfnas__conv_weights_count(const rfnas__conv *c)
{
    const rfnas__conv_desc *d = &c->d;
    return (size_t)(d->oc * (d->ic / d->groups) * d->kh * d->kw);
}

size_t rfnas__conv_plan_bytes(const rfnas__conv *c)
{
    const adapter *all[] = {&c->fwd_src, &c->fwd_dst, &c->bd_ddst, &c->bd_dsrc, &c->bw_src,
                            &c->bw_ddst, &c->w_fwd,   &c->w_bd,    &c->dw};
    size_t bytes = c->work_bytes;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        bytes += all[i]->buf ? all[i]->bytes : 0;
    if (c->dw_plain)
        bytes += rfnas__conv_weights_count(c) * sizeof(float);
    return bytes;
}

const char *rfnas__conv_impl(const rfnas__conv *c, rfnas__conv_dir dir)
{
    const rfnas__prim *p = dir == RFNAS__CONV_FWD         ? &c->fwd
                           : dir == RFNAS__CONV_BWD_DATA ? &c->bwd_data
                                                          : &c->bwd_wei;
    return p->prim ? rfnas__prim_impl(p) : NULL;
}

rfnas_status rfnas__conv_set_weights(rfnas__conv *c, const float *w)
{
    static const char what[] = "conv: weights reorder";
    void *h[2] = {(void *)w, c->w_fwd.buf};
    RFNAS__TRY(rfnas__prim_exec(&c->w_fwd.re, c->ctx, h, scratch(c), what));
    if (c->w_bd.re.prim) {
        h[1] = c->w_bd.buf;
        RFNAS__TRY(rfnas__prim_exec(&c->w_bd.re, c->ctx, h, scratch(c), what));
    }
    c->weights_set = 1;
    return RFNAS_OK;
}

rfnas_status rfnas__conv_forward(rfnas__conv *c, const float *src, float *dst)
{
    static const char what[] = "conv forward";
    if (!c->weights_set)
        return rfnas__error(RFNAS_E_STATE, "%s: weights not set", what);
    void *h[3] = {NULL, c->w_fwd.buf, out_handle(c, &c->fwd_dst, dst)};
    RFNAS__TRY(adapt_in(c, &c->fwd_src, src, &h[0], what));
    RFNAS__TRY(rfnas__prim_exec(&c->fwd, c->ctx, h, scratch(c), what));
    return adapt_out(c, &c->fwd_dst, dst, what);
}

size_t rfnas__conv_bf16_src_bytes(const rfnas__conv *c)
{
    return c->d.bf16 ? rfnas__md_bytes(rfnas__prim_arg_md(&c->fwd, DNNL_ARG_SRC)) : 0;
}

rfnas_status rfnas__conv_src_to_bf16(rfnas__conv *c, const float *src, void *src_bf16)
{
    static const char what[] = "conv: src to bf16";
    if (!c->d.bf16 || c->fwd_src.re.prim == NULL)
        return rfnas__error(RFNAS_E_STATE, "%s: not a bf16 plan", what);
    void *h[2] = {(void *)src, src_bf16};
    return rfnas__prim_exec(&c->fwd_src.re, c->ctx, h, scratch(c), what);
}

rfnas_status rfnas__conv_forward_bf16(rfnas__conv *c, const void *src_bf16, float *dst)
{
    static const char what[] = "conv forward";
    if (!c->d.bf16)
        return rfnas__error(RFNAS_E_STATE, "%s: not a bf16 plan", what);
    if (!c->weights_set)
        return rfnas__error(RFNAS_E_STATE, "%s: weights not set", what);
    void *h[3] = {(void *)src_bf16, c->w_fwd.buf, out_handle(c, &c->fwd_dst, dst)};
    RFNAS__TRY(rfnas__prim_exec(&c->fwd, c->ctx, h, scratch(c), what));
    return adapt_out(c, &c->fwd_dst, dst, what);
}

rfnas_status rfnas__conv_backward_data(rfnas__conv *c, const float *diff_dst, float *diff_src)
{
    static const char what[] = "conv backward-data";
    if (c->bwd_data.prim == NULL)
        return rfnas__error(RFNAS_E_STATE, "%s: created without backward-data", what);
    if (!c->weights_set)
        return rfnas__error(RFNAS_E_STATE, "%s: weights not set", what);
    void *w = c->w_bd.buf ? c->w_bd.buf : c->w_fwd.buf;
    void *h[3] = {NULL, w, out_handle(c, &c->bd_dsrc, diff_src)};
    RFNAS__TRY(adapt_in(c, &c->bd_ddst, diff_dst, &h[0], what));
    RFNAS__TRY(rfnas__prim_exec(&c->bwd_data, c->ctx, h, scratch(c), what));
    return adapt_out(c, &c->bd_dsrc, diff_src, what);
}

rfnas_status rfnas__conv_backward_weights(rfnas__conv *c, const float *src, const float *diff_dst,
                                          float *diff_w, int accumulate)
{
    static const char what[] = "conv backward-weights";
    if (c->bwd_wei.prim == NULL)
        return rfnas__error(RFNAS_E_STATE, "%s: frozen convolution has no weight gradient", what);
    void *h[3] = {NULL, NULL, c->dw.buf};
    RFNAS__TRY(adapt_in(c, &c->bw_src, src, &h[0], what));
    RFNAS__TRY(adapt_in(c, &c->bw_ddst, diff_dst, &h[1], what));
    RFNAS__TRY(rfnas__prim_exec(&c->bwd_wei, c->ctx, h, scratch(c), what));
    /* To the plain layout in the plan's buffer first, so that accumulation is
     * one sequential (deterministic) loop over the caller's array. */
    void *r[2] = {c->dw.buf, c->dw_plain};
    RFNAS__TRY(rfnas__prim_exec(&c->dw.re, c->ctx, r, scratch(c), what));
    size_t n = rfnas__conv_weights_count(c);
    if (accumulate)
        for (size_t i = 0; i < n; i++)
            diff_w[i] += c->dw_plain[i];
    else
        memcpy(diff_w, c->dw_plain, n * sizeof *diff_w);
    return RFNAS_OK;
}
