/* 2-D convolution through oneDNN 2.6 (SPEC 2.1): forward, backward-data and
 * backward-weights, created once per shape (batch size included).
 *
 * Semantics are PyTorch's Conv2d without bias: cross-correlation, zero
 * padding, output size floor((H + 2p - d(k-1) - 1)/s) + 1, weight shape
 * [OC][IC/groups][KH][KW], groups = IC = OC for depthwise.
 *
 * Layouts of the buffers a caller passes (all f32):
 * - activations (src, dst, diff_src, diff_dst): nChw16c (DESIGN 7.9): channels
 *   padded to a multiple of 16, padding channels zero on input and written as
 *   zero on output; rfnas__conv_src_md()/rfnas__conv_dst_md() give the exact
 *   descriptors (to size buffers or build reorders from plain NCHW with
 *   rfnas__prim_create_reorder()). With desc.src_plain the src (and diff_src)
 *   is plain NCHW instead: the stem, whose input is the image.
 * - weights and weight gradients: plain PyTorch [OC][IC/G][KH][KW], the
 *   parameter's flat array; rfnas__conv_weights_count() floats.
 *
 * Where oneDNN has no fast kernel for nChw16c (odd channel counts, dilated
 * depthwise backward, grouped convs with few channels per group; see
 * onednn-notes 1.2), the plan takes the layout oneDNN prefers and reorders at
 * the boundary into buffers it owns, so callers always see nChw16c.
 *
 * Weights are reordered into the layouts each direction wants (they differ,
 * onednn-notes pitfall 3) by rfnas__conv_set_weights(): once for frozen random
 * features, after every update for trained weights.
 *
 * bf16 (issue 6): with desc.bf16 the primitives read bf16 (weights converted
 * once by rfnas__conv_set_weights(), activations at the boundary) and
 * accumulate in f32, so AMX runs them several times faster than fp32
 * (onednn-notes 3.2). The caller still passes and receives f32 nChw16c: the
 * input side (src forward, diff_dst backward-data) is converted into a bf16
 * nhwc buffer the plan owns, the output side comes back as f32 when oneDNN
 * offers that, else through a bf16 buffer. Only for frozen, ungrouped
 * convolutions of a blocked input (RFNAS_E_INVALID otherwise): trained
 * weights, their gradients and everything outside the convolution stay f32.
 * Whether bf16 is worth it on this CPU is the caller's decision
 * (rfnas__conv_bf16_fast()).
 *
 * A frozen convolution (trainable = 0) never creates the backward-weights
 * primitive, and its backward needs only the output gradient, not the input:
 * a graph need not keep a frozen convolution's input. */
#ifndef RFNAS_KERNELS_CONV_H
#define RFNAS_KERNELS_CONV_H

#include <stddef.h>
#include <stdint.h>

#include <oneapi/dnnl/dnnl.h>

#include "ctx.h"

typedef struct rfnas__conv_desc {
    int64_t n;            /* batch size */
    int64_t ic, ih, iw;   /* input channels, height, width */
    int64_t oc;           /* output channels */
    int64_t kh, kw;       /* kernel height and width */
    int64_t stride;       /* the same in both directions */
    int64_t pad_h, pad_w; /* zero padding on each side (PyTorch's padding) */
    int64_t dilation;     /* PyTorch's: 1 dense, 2 for DARTS dil_conv */
    int64_t groups;       /* 1 plain; groups = ic = oc depthwise */
    int trainable;        /* the weights are trained: create backward-weights */
    int no_bwd_data;      /* the input needs no gradient (the stem): skip backward-data;
                           * with trainable = 0 the plan is forward only */
    int src_plain;        /* src in plain NCHW instead of nChw16c (the stem) */
    int bf16;             /* compute forward and backward-data in bf16 (see below) */
} rfnas__conv_desc;

typedef struct rfnas__conv rfnas__conv;

typedef enum rfnas__conv_dir {
    RFNAS__CONV_FWD = 0,
    RFNAS__CONV_BWD_DATA = 1,
    RFNAS__CONV_BWD_WEIGHTS = 2
} rfnas__conv_dir;

/* Output height or width, or 0 when the input is too small for the kernel. */
int64_t rfnas__conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad,
                             int64_t dilation);

/* Whether oneDNN runs bf16 convolutions on AMX here: without AMX its bf16
 * kernels are slower than fp32 (onednn-notes pitfall 10). Honours
 * ONEDNN_MAX_CPU_ISA. */
int rfnas__conv_bf16_fast(void);

/* Checks @p d and creates the primitives it needs. RFNAS_E_INVALID for a
 * shape PyTorch would refuse; RFNAS_E_BACKEND when oneDNN cannot serve it. */
rfnas_status rfnas__conv_create(rfnas__conv **out, rfnas_ctx *ctx, const rfnas__conv_desc *d);
void rfnas__conv_destroy(rfnas__conv *c);

const rfnas__conv_desc *rfnas__conv_get_desc(const rfnas__conv *c);
int64_t rfnas__conv_oh(const rfnas__conv *c);
int64_t rfnas__conv_ow(const rfnas__conv *c);

/* The caller-side layouts: src/diff_src and dst/diff_dst (see above). */
const dnnl_memory_desc_t *rfnas__conv_src_md(const rfnas__conv *c);
const dnnl_memory_desc_t *rfnas__conv_dst_md(const rfnas__conv *c);

/* Floats of the plain weight array, OC * IC/G * KH * KW. */
size_t rfnas__conv_weights_count(const rfnas__conv *c);

/* Bytes the plan needs besides its primitives, for memory reports: its weight
 * copies, plus its share of the context's transient workspace (scratchpad,
 * layout and bf16 conversion buffers; ctx.h), which all plans of a context
 * share, so the shares of several plans do not add up. */
size_t rfnas__conv_plan_bytes(const rfnas__conv *c);

/* Name of the oneDNN implementation of one direction, or NULL if not created. */
const char *rfnas__conv_impl(const rfnas__conv *c, rfnas__conv_dir dir);

/* Takes the plain weights @p w into the layouts forward and backward-data use. */
rfnas_status rfnas__conv_set_weights(rfnas__conv *c, const float *w);

/* dst = conv(src, weights). RFNAS_E_STATE before rfnas__conv_set_weights(). */
rfnas_status rfnas__conv_forward(rfnas__conv *c, const float *src, float *dst);

/* bf16 plans: bytes of the bf16 nhwc copy of src (0 for an fp32 plan). Every
 * bf16 plan of the same input shape reads the same layout, so one copy can
 * feed all the convolutions of one activation (graph shadows). */
size_t rfnas__conv_bf16_src_bytes(const rfnas__conv *c);

/* bf16 plans: converts the caller's f32 src into @p src_bf16 (that many bytes). */
rfnas_status rfnas__conv_src_to_bf16(rfnas__conv *c, const float *src, void *src_bf16);

/* bf16 plans: rfnas__conv_forward() from an already converted input. */
rfnas_status rfnas__conv_forward_bf16(rfnas__conv *c, const void *src_bf16, float *dst);

/* diff_src = gradient of <diff_dst, conv(src)> with respect to src (overwritten).
 * Needs only the weights, not src. RFNAS_E_STATE when created with no_bwd_data. */
rfnas_status rfnas__conv_backward_data(rfnas__conv *c, const float *diff_dst, float *diff_src);

/* Weight gradient into the plain array @p diff_w: overwritten, or added to when
 * @p accumulate. RFNAS_E_STATE for a frozen (not trainable) convolution. */
rfnas_status rfnas__conv_backward_weights(rfnas__conv *c, const float *src, const float *diff_dst,
                                          float *diff_w, int accumulate);

#endif
