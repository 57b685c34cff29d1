#include "ops.h"

#include <string.h>

static const rfnas__op_info catalogue[RFNAS__OP_COUNT] = {
    [RFNAS__OP_NONE] = {"none", 1},
    [RFNAS__OP_MAX_POOL_3X3] = {"max_pool_3x3", 1},
    [RFNAS__OP_AVG_POOL_3X3] = {"avg_pool_3x3", 1},
    [RFNAS__OP_SKIP_CONNECT] = {"skip_connect", 1},
    [RFNAS__OP_SEP_CONV_3X3] = {"sep_conv_3x3", 0},
    [RFNAS__OP_SEP_CONV_5X5] = {"sep_conv_5x5", 0},
    [RFNAS__OP_DIL_CONV_3X3] = {"dil_conv_3x3", 0},
    [RFNAS__OP_DIL_CONV_5X5] = {"dil_conv_5x5", 0},
    [RFNAS__OP_SEP_CONV_7X7] = {"sep_conv_7x7", 0},
    [RFNAS__OP_CONV_7X1_1X7] = {"conv_7x1_1x7", 0},
    [RFNAS__OP_NOR_CONV_1X1] = {"nor_conv_1x1", 0},
    [RFNAS__OP_NOR_CONV_3X3] = {"nor_conv_3x3", 0},
    [RFNAS__OP_NOR_CONV_7X7] = {"nor_conv_7x7", 0},
    [RFNAS__OP_NOISE] = {"noise", 1},
};

const rfnas__op_info *rfnas__op_info_of(rfnas__op op)
{
    return (unsigned)op < RFNAS__OP_COUNT ? &catalogue[op] : NULL;
}

int rfnas__op_from_name(const char *name, size_t len)
{
    for (int i = 0; i < RFNAS__OP_COUNT; i++)
        if (strlen(catalogue[i].name) == len && memcmp(catalogue[i].name, name, len) == 0)
            return i;
    return -1;
}
