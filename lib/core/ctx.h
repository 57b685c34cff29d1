/* The context (internal view): allocator, threads, seed, log, oneDNN engine. */
#ifndef RFNAS_CORE_CTX_H
#define RFNAS_CORE_CTX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <oneapi/dnnl/dnnl.h>

#include "handle.h"

struct rfnas_ctx {
    rfnas__handle hdr;
    int refs;           /* the caller's reference plus one per live child object */
    int caller_released;
    rfnas_alloc_fn alloc_fn;
    rfnas_free_fn free_fn;
    void *alloc_user;
    int threads;
    uint64_t seed;
    rfnas_log_fn log_fn;
    rfnas_log_level log_level;
    void *log_user;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    void *work;        /* the transient workspace (work.c) */
    size_t work_bytes;
};

/* Children take a reference on their context and drop it when they are destroyed;
 * the last reference frees the context (STYLE R3: destroy order is free). */
void rfnas__ctx_ref(rfnas_ctx *ctx);
void rfnas__ctx_unref(rfnas_ctx *ctx);

/* Host memory through the context's hooks, 64-byte aligned. NULL on failure
 * (size 0 allocates one byte, so NULL always means failure). */
void *rfnas__alloc(rfnas_ctx *ctx, size_t size);
void *rfnas__calloc(rfnas_ctx *ctx, size_t count, size_t size);
void rfnas__free(rfnas_ctx *ctx, void *ptr);

/* The transient workspace (work.c): memory a kernel uses only within one
 * call, shared by all plans of the context. Reserve at plan time (grows, and
 * may move: fetch the pointer with rfnas__ctx_work() at run time, never keep
 * it). RFNAS_E_NOMEM without setting the error text. */
rfnas_status rfnas__ctx_work_reserve(rfnas_ctx *ctx, size_t bytes);
void *rfnas__ctx_work(const rfnas_ctx *ctx);
void rfnas__ctx_work_free(rfnas_ctx *ctx);

/* Sends a message to the context's log callback if it wants this level. */
void rfnas__log(rfnas_ctx *ctx, rfnas_log_level level, const char *fmt, ...) RFNAS__PRINTF(3, 4);

/* Wraps a failed oneDNN call: "what: dnnl_unimplemented". */
rfnas_status rfnas__dnnl_error(dnnl_status_t st, const char *what);

/* Runs the library's own parallel loops and oneDNN with the context's thread
 * count, restoring the caller's OpenMP setting afterwards (DESIGN 7.3). */
typedef struct rfnas__threads_scope {
    int saved;
} rfnas__threads_scope;
void rfnas__threads_enter(const rfnas_ctx *ctx, rfnas__threads_scope *scope);
void rfnas__threads_leave(const rfnas__threads_scope *scope);

#endif
