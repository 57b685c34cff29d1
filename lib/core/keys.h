/* The table of configuration keys: names, types, bounds, defaults (STYLE R6). */
#ifndef RFNAS_CORE_KEYS_H
#define RFNAS_CORE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "rfnas.h"

enum { RFNAS__LIST_MAX = 64 }; /* most elements a list-valued key accepts */

typedef struct rfnas__key_info {
    rfnas_key key;
    const char *name;
    rfnas_type type;
    int64_t int_lo, int_hi, int_default;     /* RFNAS_TYPE_INT */
    double dbl_lo, dbl_hi, dbl_default;      /* RFNAS_TYPE_DOUBLE and each element of DOUBLES */
    const char *const *choices;              /* RFNAS_TYPE_STRING: NULL-terminated, [0] is default */
} rfnas__key_info;

/* Number of keys and the table itself, in a fixed order; a key's index in it is its slot. */
size_t rfnas__key_count(void);
const rfnas__key_info *rfnas__key_at(size_t slot);

/* Info for @p key, or NULL if the key is unknown. */
const rfnas__key_info *rfnas__key_info_of(rfnas_key key, size_t *slot);

#endif
