/* Handle type tags (STYLE R2): every public object starts with one, so a
 * handle of the wrong type is refused instead of being misread. */
#ifndef RFNAS_CORE_HANDLE_H
#define RFNAS_CORE_HANDLE_H

#include <stdint.h>

#include "error.h"

typedef enum rfnas__tag {
    RFNAS__TAG_CTX = 0x52464301u,      /* "RFC\1" */
    RFNAS__TAG_CONFIG = 0x52464302u,
    RFNAS__TAG_DATASET = 0x52464303u,
    RFNAS__TAG_ITER = 0x52464304u,
    RFNAS__TAG_SPACE = 0x52464305u,
    RFNAS__TAG_SUPERNET = 0x52464306u,
    RFNAS__TAG_OPTIMIZER = 0x52464307u,
    RFNAS__TAG_GENOTYPE = 0x52464308u,
    RFNAS__TAG_CHECKPOINT = 0x52464309u,
    RFNAS__TAG_DEAD = 0x5246DEADu /* written on destroy: a best-effort use-after-free guard */
} rfnas__tag;

typedef struct rfnas__handle {
    uint32_t tag;
} rfnas__handle;

/* RFNAS_OK if @p h is non-NULL and carries @p tag; else RFNAS_E_INVALID with a
 * message naming the function and the argument. */
rfnas_status rfnas__check_handle(const void *h, rfnas__tag tag, const char *fn, const char *arg);

#define RFNAS__CHECK_HANDLE(h, tag) RFNAS__TRY(rfnas__check_handle((h), (tag), __func__, #h))

#define RFNAS__CHECK_ARG(cond, ...)                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return rfnas__error(RFNAS_E_INVALID, __VA_ARGS__);                                     \
    } while (0)

#endif
