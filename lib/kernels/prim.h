/* One oneDNN primitive, ready to run on caller pointers (DESIGN 3, 7.3).
 *
 * A kernel creates its primitives once, at plan time: the primitive
 * descriptor, the primitive, and one memory object per execution argument
 * (with no data handle). Running it only points those memory objects at the
 * caller's buffers and executes, so nothing is allocated inside a step.
 *
 * Every primitive uses oneDNN's user-managed scratchpad: the kernel that owns
 * it passes its own scratchpad buffer, so two contexts (or two plans) never
 * share one, which the library-managed mode would do behind our back.
 *
 * Creation and execution both run with the context's thread count: several
 * oneDNN implementations choose their work partition at creation from the
 * current OpenMP thread count, so creating under one count and running under
 * another would be slower, and results would depend on the caller's setting. */
#ifndef RFNAS_KERNELS_PRIM_H
#define RFNAS_KERNELS_PRIM_H

#include <stddef.h>
#include <stdint.h>

#include <oneapi/dnnl/dnnl.h>

#include "ctx.h"

enum { RFNAS__PRIM_MAX_ARGS = 12 };

typedef struct rfnas__prim {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    int n_args; /* caller arguments, in the order given at creation */
    dnnl_exec_arg_t args[RFNAS__PRIM_MAX_ARGS + 1]; /* + the scratchpad, when needed */
    size_t scratch_bytes;
} rfnas__prim;

/* Plain memory descriptor of @p ndims dims (f32) with @p tag (or dnnl_format_tag_any). */
rfnas_status rfnas__md_init(dnnl_memory_desc_t *md, int ndims, const int64_t *dims,
                            dnnl_format_tag_t tag);

/* The same with element type @p dt (dnnl_bf16 for the bf16 convolutions). */
rfnas_status rfnas__md_init_dt(dnnl_memory_desc_t *md, int ndims, const int64_t *dims,
                               dnnl_data_type_t dt, dnnl_format_tag_t tag);

/* Creates a primitive from a oneDNN 2.6 op descriptor (the address of a
 * dnnl_convolution_desc_t, dnnl_batch_normalization_desc_t, ...). @p hint is
 * the forward pd for backward primitives, else NULL. @p arg_ids lists the
 * DNNL_ARG_* the caller will pass, in that order, to rfnas__prim_exec().
 * On failure @p p is left empty (safe to destroy). @p what names it in errors. */
rfnas_status rfnas__prim_create(rfnas__prim *p, rfnas_ctx *ctx, const void *op_desc,
                                const_dnnl_primitive_desc_t hint, const int *arg_ids, int n_args,
                                const char *what);

/* A reorder from @p src to @p dst layout; arguments DNNL_ARG_FROM, DNNL_ARG_TO. */
rfnas_status rfnas__prim_create_reorder(rfnas__prim *p, rfnas_ctx *ctx,
                                        const dnnl_memory_desc_t *src,
                                        const dnnl_memory_desc_t *dst, const char *what);

void rfnas__prim_destroy(rfnas__prim *p);

/* Runs @p p on @p handles (one per argument, in creation order) with the
 * context's threads on its stream, and waits. @p scratchpad must hold
 * p->scratch_bytes (may be NULL when that is 0). */
rfnas_status rfnas__prim_exec(rfnas__prim *p, rfnas_ctx *ctx, void *const *handles,
                              void *scratchpad, const char *what);

/* The layout oneDNN chose for argument @p arg (a DNNL_ARG_*), or NULL. */
const dnnl_memory_desc_t *rfnas__prim_arg_md(const rfnas__prim *p, int arg);

/* The implementation name oneDNN picked ("jit:avx512_core", ...), or "" when empty. */
const char *rfnas__prim_impl(const rfnas__prim *p);

/* Whether oneDNN fell back to its reference (naive, very slow) implementation. */
int rfnas__prim_is_ref(const rfnas__prim *p);

/* Bytes of a buffer in layout @p md (padding included). */
size_t rfnas__md_bytes(const dnnl_memory_desc_t *md);

/* Whether two layouts are the same (dims, type and memory format). */
int rfnas__md_equal(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b);

#endif
