/* rfnas_ctx: the root of every object (STYLE R11, R12). */
#include "ctx.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

enum { HOST_ALIGN = 64 };

static void *default_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    return p;
}

static void default_free(void *ptr, void *user)
{
    (void)user;
    free(ptr);
}

void *rfnas__alloc(rfnas_ctx *ctx, size_t size)
{
    return ctx->alloc_fn(size ? size : 1, HOST_ALIGN, ctx->alloc_user);
}

void *rfnas__calloc(rfnas_ctx *ctx, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes))
        return NULL;
    void *p = rfnas__alloc(ctx, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void rfnas__free(rfnas_ctx *ctx, void *ptr)
{
    if (ptr)
        ctx->free_fn(ptr, ctx->alloc_user);
}

rfnas_status rfnas__dnnl_error(dnnl_status_t st, const char *what)
{
    static const char *const names[] = {
        "dnnl_success",      "dnnl_out_of_memory",    "dnnl_invalid_arguments",
        "dnnl_unimplemented", "dnnl_iterator_ends",   "dnnl_runtime_error",
        "dnnl_not_required",
    };
    const char *name = (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "dnnl_status?";
    return rfnas__error(st == dnnl_out_of_memory ? RFNAS_E_NOMEM : RFNAS_E_BACKEND, "%s: %s",
                        what, name);
}

void rfnas__log(rfnas_ctx *ctx, rfnas_log_level level, const char *fmt, ...)
{
    if (ctx == NULL || ctx->log_fn == NULL || level < ctx->log_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx->log_fn(level, msg, ctx->log_user);
}

void rfnas__threads_enter(const rfnas_ctx *ctx, rfnas__threads_scope *scope)
{
    scope->saved = omp_get_max_threads();
    omp_set_num_threads(ctx->threads);
}

void rfnas__threads_leave(const rfnas__threads_scope *scope)
{
    omp_set_num_threads(scope->saved);
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 1024 ? 1024 : (int)n);
}

static void ctx_free(rfnas_ctx *ctx)
{
    rfnas__ctx_work_free(ctx);
    if (ctx->stream)
        dnnl_stream_destroy(ctx->stream);
    if (ctx->engine)
        dnnl_engine_destroy(ctx->engine);
    rfnas_free_fn free_fn = ctx->free_fn;
    void *user = ctx->alloc_user;
    ctx->hdr.tag = RFNAS__TAG_DEAD;
    free_fn(ctx, user);
}

void rfnas__ctx_ref(rfnas_ctx *ctx)
{
    ctx->refs++;
}

void rfnas__ctx_unref(rfnas_ctx *ctx)
{
    if (--ctx->refs == 0)
        ctx_free(ctx);
}

rfnas_status rfnas_ctx_create_with_allocator(rfnas_ctx **out, const rfnas_config *cfg,
                                             rfnas_alloc_fn alloc_fn, rfnas_free_fn free_fn,
                                             void *user)
{
    static const char fn[] = "rfnas_ctx_create";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    RFNAS__CHECK_ARG((alloc_fn == NULL) == (free_fn == NULL),
                     "%s: give both allocator hooks or neither", fn);
    if (alloc_fn == NULL) {
        alloc_fn = default_alloc;
        free_fn = default_free;
        user = NULL;
    }
    rfnas_ctx *ctx = alloc_fn(sizeof *ctx, HOST_ALIGN, user);
    if (ctx == NULL)
        return RFNAS__NOMEM(fn);
    memset(ctx, 0, sizeof *ctx);
    ctx->hdr.tag = RFNAS__TAG_CTX;
    ctx->refs = 1;
    ctx->alloc_fn = alloc_fn;
    ctx->free_fn = free_fn;
    ctx->alloc_user = user;
    int64_t threads = rfnas__config_int(cfg, RFNAS_KEY_CTX_THREADS);
    ctx->threads = threads > 0 ? (int)threads : default_threads();
    ctx->seed = (uint64_t)rfnas__config_int(cfg, RFNAS_KEY_CTX_SEED);
    ctx->log_level = RFNAS_LOG_INFO;

    dnnl_status_t st = dnnl_engine_create(&ctx->engine, dnnl_cpu, 0);
    if (st == dnnl_success)
        st = dnnl_stream_create(&ctx->stream, ctx->engine, dnnl_stream_default_flags);
    if (st != dnnl_success) {
        rfnas_status rc = rfnas__dnnl_error(st, "rfnas_ctx_create: dnnl engine/stream");
        ctx_free(ctx);
        return rc;
    }
    *out = ctx;
    return RFNAS_OK;
}

rfnas_status rfnas_ctx_create(rfnas_ctx **out, const rfnas_config *cfg)
{
    return rfnas_ctx_create_with_allocator(out, cfg, NULL, NULL, NULL);
}

void rfnas_ctx_destroy(rfnas_ctx *ctx)
{
    if (ctx == NULL || ctx->hdr.tag != RFNAS__TAG_CTX || ctx->caller_released)
        return;
    ctx->caller_released = 1;
    rfnas__ctx_unref(ctx);
}

rfnas_status rfnas_ctx_set_log(rfnas_ctx *ctx, rfnas_log_fn fn, rfnas_log_level min_level,
                               void *user)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    RFNAS__CHECK_ARG(min_level >= RFNAS_LOG_DEBUG && min_level <= RFNAS_LOG_ERROR,
                     "rfnas_ctx_set_log: min_level %d is not a rfnas_log_level", (int)min_level);
    ctx->log_fn = fn;
    ctx->log_level = min_level;
    ctx->log_user = fn ? user : NULL;
    return RFNAS_OK;
}

int rfnas_ctx_get_threads(const rfnas_ctx *ctx)
{
    rfnas__error_clear();
    if (rfnas__check_handle(ctx, RFNAS__TAG_CTX, __func__, "ctx") != RFNAS_OK)
        return 0;
    return ctx->threads;
}

uint64_t rfnas_ctx_get_seed(const rfnas_ctx *ctx)
{
    rfnas__error_clear();
    if (rfnas__check_handle(ctx, RFNAS__TAG_CTX, __func__, "ctx") != RFNAS_OK)
        return 0;
    return ctx->seed;
}
