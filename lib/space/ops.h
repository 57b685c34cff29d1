/* The operation catalogue: every op a search space may use (SPEC 3.1, 3.2, 3.4). */
#ifndef RFNAS_SPACE_OPS_H
#define RFNAS_SPACE_OPS_H

#include <stddef.h>

/* Catalogue order is internal; spaces keep their own column order. */
typedef enum rfnas__op {
    RFNAS__OP_NONE,
    RFNAS__OP_MAX_POOL_3X3,
    RFNAS__OP_AVG_POOL_3X3,
    RFNAS__OP_SKIP_CONNECT,
    RFNAS__OP_SEP_CONV_3X3,
    RFNAS__OP_SEP_CONV_5X5,
    RFNAS__OP_DIL_CONV_3X3,
    RFNAS__OP_DIL_CONV_5X5,
    RFNAS__OP_SEP_CONV_7X7,
    RFNAS__OP_CONV_7X1_1X7,
    RFNAS__OP_NOR_CONV_1X1,
    RFNAS__OP_NOR_CONV_3X3,
    RFNAS__OP_NOR_CONV_7X7,
    RFNAS__OP_NOISE,
    RFNAS__OP_COUNT
} rfnas__op;

typedef struct rfnas__op_info {
    const char *name;
    int param_free; /* no weights at stride 1: none, pools, identity, noise */
} rfnas__op_info;

const rfnas__op_info *rfnas__op_info_of(rfnas__op op);
/* The op named @p name, or -1. */
int rfnas__op_from_name(const char *name, size_t len);

#endif
