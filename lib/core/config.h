/* The opaque config object (internal view). */
#ifndef RFNAS_CORE_CONFIG_H
#define RFNAS_CORE_CONFIG_H

#include "handle.h"
#include "keys.h"

typedef struct rfnas__value {
    int set;
    int64_t i;
    double d;
    char *s;
    double list[RFNAS__LIST_MAX];
    size_t list_len;
} rfnas__value;

struct rfnas_config {
    rfnas__handle hdr;
    rfnas__value *values; /* one per key slot */
};

/* Readers for library code. @p cfg may be NULL (defaults). The key must be in the
 * table with the matching type; a mismatch is a programming error and yields the
 * zero value. */
int64_t rfnas__config_int(const rfnas_config *cfg, rfnas_key key);
double rfnas__config_double(const rfnas_config *cfg, rfnas_key key);
const char *rfnas__config_string(const rfnas_config *cfg, rfnas_key key);
/* Number of list elements set (0 when unset); *values points into the config. */
size_t rfnas__config_list(const rfnas_config *cfg, rfnas_key key, const double **values);

/* Validates an optional config argument: NULL or a live config. */
rfnas_status rfnas__config_check_optional(const rfnas_config *cfg, const char *fn);

#endif
