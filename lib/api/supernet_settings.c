/* Live settings of a network (STYLE R6: the config's keys, set on the live
 * object between steps): the drop-path probability a schedule changes per
 * epoch, and the counters of the network's random draws, which a checkpoint
 * stores for exact resume. */
#include <math.h>

#include "api/supernet.h"
#include "keys.h"

/* The key's bounds as the config checks them. */
static rfnas_status check_bounds(rfnas_key key, rfnas_type type, double value, const char *fn)
{
    const rfnas__key_info *info = rfnas__key_info_of(key, NULL);
    const double lo = type == RFNAS_TYPE_INT ? (double)info->int_lo : info->dbl_lo;
    const double hi = type == RFNAS_TYPE_INT ? (double)info->int_hi : info->dbl_hi;
    if (!(value >= lo && value <= hi))
        return rfnas__error(RFNAS_E_INVALID, "%s: %s = %g is outside %g..%g", fn, info->name,
                            value, lo, hi);
    return RFNAS_OK;
}

static rfnas_status not_live(rfnas_key key, const char *fn)
{
    const char *name = rfnas_key_name(key);
    return rfnas__error(RFNAS_E_INVALID, "%s: key %d (%s) is not a setting this function handles",
                        fn, (int)key, name ? name : "unknown");
}

rfnas_status rfnas_supernet_set_double(rfnas_supernet *net, rfnas_key key, double value)
{
    static const char fn[] = "rfnas_supernet_set_double";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    if (key != RFNAS_KEY_NET_DROP_PATH_PROB)
        return not_live(key, fn);
    RFNAS__TRY(check_bounds(key, RFNAS_TYPE_DOUBLE, value, fn));
    if (!net->net.has_droppath && value != 0.0)
        return rfnas__error(RFNAS_E_INVALID,
                            "%s: this network has no drop-path (only networks built from a DARTS "
                            "genotype have)",
                            fn);
    net->net.droppath.p = value;
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_get_double(const rfnas_supernet *net, rfnas_key key, double *value)
{
    static const char fn[] = "rfnas_supernet_get_double";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__CHECK_ARG(value != NULL, "%s: value is NULL", fn);
    switch (key) {
    case RFNAS_KEY_NET_DROP_PATH_PROB: *value = net->net.droppath.p; return RFNAS_OK;
    case RFNAS_KEY_NET_AUXILIARY_WEIGHT:
        *value = net->net.has_aux ? net->net.cfg.aux_weight : 0.0;
        return RFNAS_OK;
    default: return not_live(key, fn);
    }
}

rfnas_status rfnas_supernet_set_int(rfnas_supernet *net, rfnas_key key, int64_t value)
{
    static const char fn[] = "rfnas_supernet_set_int";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    if (key != RFNAS_KEY_NET_DROP_PATH_COUNTER && key != RFNAS_KEY_NET_NOISE_COUNTER)
        return not_live(key, fn);
    RFNAS__CHECK_ARG(value >= 0, "%s: %s = %lld is negative", fn, rfnas_key_name(key),
                     (long long)value);
    if (key == RFNAS_KEY_NET_DROP_PATH_COUNTER) {
        if (!net->net.has_droppath && value != 0)
            return rfnas__error(RFNAS_E_INVALID, "%s: this network has no drop-path", fn);
        net->net.droppath.counter = (uint64_t)value;
        return RFNAS_OK;
    }
    uint64_t now;
    if (!rfnas__node_noise_counter(net->net.graph, &now) && value != 0)
        return rfnas__error(RFNAS_E_INVALID, "%s: this network has no noise op", fn);
    rfnas__node_noise_set_counter(net->net.graph, (uint64_t)value);
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_get_int(const rfnas_supernet *net, rfnas_key key, int64_t *value)
{
    static const char fn[] = "rfnas_supernet_get_int";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__CHECK_ARG(value != NULL, "%s: value is NULL", fn);
    const rfnas__net *n = &net->net;
    uint64_t counter;
    switch (key) {
    case RFNAS_KEY_NET_DROP_PATH_COUNTER: *value = (int64_t)n->droppath.counter; return RFNAS_OK;
    case RFNAS_KEY_NET_NOISE_COUNTER:
        /* The graph is not changed; the reader is not const only for its walk. */
        rfnas__node_noise_counter(n->graph, &counter);
        *value = (int64_t)counter;
        return RFNAS_OK;
    case RFNAS_KEY_NET_AUXILIARY: *value = n->has_aux; return RFNAS_OK;
    case RFNAS_KEY_NET_CHANNELS: *value = n->cfg.channels; return RFNAS_OK;
    case RFNAS_KEY_NET_CELLS: *value = n->cfg.cells; return RFNAS_OK;
    default: return not_live(key, fn);
    }
}
