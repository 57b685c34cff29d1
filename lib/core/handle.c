#include "handle.h"

static const char *tag_name(uint32_t tag)
{
    switch (tag) {
    case RFNAS__TAG_CTX: return "rfnas_ctx";
    case RFNAS__TAG_CONFIG: return "rfnas_config";
    case RFNAS__TAG_DATASET: return "rfnas_dataset";
    case RFNAS__TAG_ITER: return "rfnas_iter";
    case RFNAS__TAG_SPACE: return "rfnas_space";
    case RFNAS__TAG_SUPERNET: return "rfnas_supernet";
    case RFNAS__TAG_OPTIMIZER: return "rfnas_optimizer";
    case RFNAS__TAG_GENOTYPE: return "rfnas_genotype";
    case RFNAS__TAG_CHECKPOINT: return "rfnas_checkpoint";
    case RFNAS__TAG_DEAD: return "a destroyed handle";
    default: return "not an rfnas handle";
    }
}

rfnas_status rfnas__check_handle(const void *h, rfnas__tag tag, const char *fn, const char *arg)
{
    if (h == NULL)
        return rfnas__error(RFNAS_E_INVALID, "%s: %s is NULL", fn, arg);
    uint32_t got = ((const rfnas__handle *)h)->tag;
    if (got != (uint32_t)tag)
        return rfnas__error(RFNAS_E_INVALID, "%s: %s is %s, expected %s", fn, arg, tag_name(got),
                            tag_name(tag));
    return RFNAS_OK;
}
