/* Creating and running one oneDNN primitive on caller pointers (see prim.h). */
#include "prim.h"

#include <string.h>

#include "error.h"

rfnas_status rfnas__md_init(dnnl_memory_desc_t *md, int ndims, const int64_t *dims,
                            dnnl_format_tag_t tag)
{
    return rfnas__md_init_dt(md, ndims, dims, dnnl_f32, tag);
}

rfnas_status rfnas__md_init_dt(dnnl_memory_desc_t *md, int ndims, const int64_t *dims,
                               dnnl_data_type_t dt, dnnl_format_tag_t tag)
{
    /* A full dnnl_dims_t, not the caller's shorter array: oneDNN copies
     * DNNL_MAX_NDIMS entries and gcc 12 warns about the over-read otherwise. */
    dnnl_dims_t d = {0};
    if (ndims < 1 || ndims > DNNL_MAX_NDIMS)
        return rfnas__error(RFNAS_E_INVALID, "memory descriptor: %d dims", ndims);
    memcpy(d, dims, (size_t)ndims * sizeof d[0]);
    dnnl_status_t st = dnnl_memory_desc_init_by_tag(md, ndims, d, dt, tag);
    return st == dnnl_success ? RFNAS_OK : rfnas__dnnl_error(st, "dnnl_memory_desc_init_by_tag");
}

static rfnas_status make_attr(dnnl_primitive_attr_t *attr, const char *what)
{
    dnnl_status_t st = dnnl_primitive_attr_create(attr);
    if (st != dnnl_success)
        return rfnas__dnnl_error(st, what);
    st = dnnl_primitive_attr_set_scratchpad_mode(*attr, dnnl_scratchpad_mode_user);
    if (st != dnnl_success) {
        dnnl_primitive_attr_destroy(*attr);
        return rfnas__dnnl_error(st, what);
    }
    return RFNAS_OK;
}

/* Second half of creation, shared by op primitives and reorders: the
 * primitive, the scratchpad size and one handle-less memory per argument. */
static rfnas_status finish(rfnas__prim *p, rfnas_ctx *ctx, const int *arg_ids, int n_args,
                           const char *what)
{
    rfnas__threads_scope scope;
    rfnas__threads_enter(ctx, &scope);
    dnnl_status_t st = dnnl_primitive_create(&p->prim, p->pd);
    rfnas__threads_leave(&scope);
    if (st != dnnl_success) {
        p->prim = NULL;
        return rfnas__dnnl_error(st, what);
    }
    const dnnl_memory_desc_t *smd = dnnl_primitive_desc_query_md(p->pd, dnnl_query_scratchpad_md, 0);
    p->scratch_bytes = smd ? dnnl_memory_desc_get_size(smd) : 0;
    for (int i = 0; i < n_args; i++) {
        const dnnl_memory_desc_t *md = rfnas__prim_arg_md(p, arg_ids[i]);
        if (md == NULL || md->ndims == 0)
            return rfnas__error(RFNAS_E_BACKEND, "%s: argument %d is not used by %s", what,
                                arg_ids[i], rfnas__prim_impl(p));
        st = dnnl_memory_create(&p->args[i].memory, md, ctx->engine, DNNL_MEMORY_NONE);
        if (st != dnnl_success)
            return rfnas__dnnl_error(st, what);
        p->args[i].arg = arg_ids[i];
        p->n_args = i + 1;
    }
    if (p->scratch_bytes > 0) {
        st = dnnl_memory_create(&p->args[n_args].memory, smd, ctx->engine, DNNL_MEMORY_NONE);
        if (st != dnnl_success)
            return rfnas__dnnl_error(st, what);
        p->args[n_args].arg = DNNL_ARG_SCRATCHPAD;
    }
    return RFNAS_OK;
}

rfnas_status rfnas__prim_create(rfnas__prim *p, rfnas_ctx *ctx, const void *op_desc,
                                const_dnnl_primitive_desc_t hint, const int *arg_ids, int n_args,
                                const char *what)
{
    memset(p, 0, sizeof *p);
    if (n_args < 0 || n_args > RFNAS__PRIM_MAX_ARGS)
        return rfnas__error(RFNAS_E_INVALID, "%s: %d arguments", what, n_args);
    dnnl_primitive_attr_t attr;
    RFNAS__TRY(make_attr(&attr, what));
    rfnas__threads_scope scope;
    rfnas__threads_enter(ctx, &scope);
    dnnl_status_t st = dnnl_primitive_desc_create(&p->pd, op_desc, attr, ctx->engine, hint);
    rfnas__threads_leave(&scope);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) {
        p->pd = NULL;
        return rfnas__dnnl_error(st, what);
    }
    rfnas_status rc = finish(p, ctx, arg_ids, n_args, what);
    if (rc < 0)
        rfnas__prim_destroy(p);
    return rc;
}

rfnas_status rfnas__prim_create_reorder(rfnas__prim *p, rfnas_ctx *ctx,
                                        const dnnl_memory_desc_t *src,
                                        const dnnl_memory_desc_t *dst, const char *what)
{
    memset(p, 0, sizeof *p);
    dnnl_primitive_attr_t attr;
    RFNAS__TRY(make_attr(&attr, what));
    rfnas__threads_scope scope;
    rfnas__threads_enter(ctx, &scope);
    dnnl_status_t st =
        dnnl_reorder_primitive_desc_create(&p->pd, src, ctx->engine, dst, ctx->engine, attr);
    rfnas__threads_leave(&scope);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) {
        p->pd = NULL;
        return rfnas__dnnl_error(st, what);
    }
    static const int ids[] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    rfnas_status rc = finish(p, ctx, ids, 2, what);
    if (rc < 0)
        rfnas__prim_destroy(p);
    return rc;
}

void rfnas__prim_destroy(rfnas__prim *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i <= RFNAS__PRIM_MAX_ARGS; i++)
        if (p->args[i].memory)
            dnnl_memory_destroy(p->args[i].memory);
    if (p->prim)
        dnnl_primitive_destroy(p->prim);
    if (p->pd)
        dnnl_primitive_desc_destroy(p->pd);
    memset(p, 0, sizeof *p);
}

rfnas_status rfnas__prim_exec(rfnas__prim *p, rfnas_ctx *ctx, void *const *handles,
                              void *scratchpad, const char *what)
{
    if (p->prim == NULL)
        return rfnas__error(RFNAS_E_STATE, "%s: primitive not created", what);
    for (int i = 0; i < p->n_args; i++) {
        /* set_data_handle does not touch the buffer in 2.6 (no zero padding
         * on set), so passing a const input through it is safe. */
        dnnl_status_t st = dnnl_memory_set_data_handle(p->args[i].memory, handles[i]);
        if (st != dnnl_success)
            return rfnas__dnnl_error(st, what);
    }
    int n = p->n_args;
    if (p->scratch_bytes > 0) {
        if (scratchpad == NULL)
            return rfnas__error(RFNAS_E_INVALID, "%s: no scratchpad", what);
        dnnl_status_t st = dnnl_memory_set_data_handle(p->args[n].memory, scratchpad);
        if (st != dnnl_success)
            return rfnas__dnnl_error(st, what);
        n++;
    }
    rfnas__threads_scope scope;
    rfnas__threads_enter(ctx, &scope);
    dnnl_status_t st = dnnl_primitive_execute(p->prim, ctx->stream, n, p->args);
    if (st == dnnl_success)
        st = dnnl_stream_wait(ctx->stream);
    rfnas__threads_leave(&scope);
    return st == dnnl_success ? RFNAS_OK : rfnas__dnnl_error(st, what);
}

const dnnl_memory_desc_t *rfnas__prim_arg_md(const rfnas__prim *p, int arg)
{
    if (p->pd == NULL)
        return NULL;
    return dnnl_primitive_desc_query_md(p->pd, dnnl_query_exec_arg_md, arg);
}

const char *rfnas__prim_impl(const rfnas__prim *p)
{
    const char *s = NULL;
    if (p->pd == NULL ||
        dnnl_primitive_desc_query(p->pd, dnnl_query_impl_info_str, 0, &s) != dnnl_success ||
        s == NULL)
        return "";
    return s;
}

int rfnas__prim_is_ref(const rfnas__prim *p)
{
    return strncmp(rfnas__prim_impl(p), "ref", 3) == 0;
}

size_t rfnas__md_bytes(const dnnl_memory_desc_t *md)
{
    return dnnl_memory_desc_get_size(md);
}

int rfnas__md_equal(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b)
{
    return dnnl_memory_desc_equal(a, b) != 0;
}
