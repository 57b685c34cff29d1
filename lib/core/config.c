/* rfnas_config: typed setters keyed by enum, set-by-name, strict bounds (STYLE R6). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static rfnas_status lookup(const rfnas_config *cfg, rfnas_key key, const char *fn,
                           const rfnas__key_info **info, size_t *slot)
{
    RFNAS__TRY(rfnas__check_handle(cfg, RFNAS__TAG_CONFIG, fn, "cfg"));
    *info = rfnas__key_info_of(key, slot);
    if (*info == NULL)
        return rfnas__error(RFNAS_E_INVALID, "%s: unknown key %d", fn, (int)key);
    return RFNAS_OK;
}

static const char *type_name(rfnas_type t)
{
    switch (t) {
    case RFNAS_TYPE_INT: return "an integer";
    case RFNAS_TYPE_DOUBLE: return "a double";
    case RFNAS_TYPE_STRING: return "a string";
    case RFNAS_TYPE_DOUBLES: return "a list of doubles";
    default: return "?";
    }
}

static rfnas_status wrong_type(const char *fn, const rfnas__key_info *info)
{
    return rfnas__error(RFNAS_E_INVALID, "%s: key %s takes %s", fn, info->name,
                        type_name(info->type));
}

static void value_clear(rfnas__value *v)
{
    free(v->s);
    memset(v, 0, sizeof *v);
}

rfnas_status rfnas_config_create(rfnas_config **out)
{
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "rfnas_config_create: out is NULL");
    *out = NULL;
    rfnas_config *cfg = calloc(1, sizeof *cfg);
    rfnas__value *values = calloc(rfnas__key_count(), sizeof *values);
    if (cfg == NULL || values == NULL) {
        free(cfg);
        free(values);
        return RFNAS__NOMEM("rfnas_config_create");
    }
    cfg->hdr.tag = RFNAS__TAG_CONFIG;
    cfg->values = values;
    *out = cfg;
    return RFNAS_OK;
}

void rfnas_config_destroy(rfnas_config *cfg)
{
    if (cfg == NULL || cfg->hdr.tag != RFNAS__TAG_CONFIG)
        return;
    for (size_t i = 0; i < rfnas__key_count(); i++)
        value_clear(&cfg->values[i]);
    free(cfg->values);
    cfg->hdr.tag = RFNAS__TAG_DEAD;
    free(cfg);
}

rfnas_status rfnas_config_copy(rfnas_config **out, const rfnas_config *cfg)
{
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "rfnas_config_copy: out is NULL");
    *out = NULL;
    RFNAS__CHECK_HANDLE(cfg, RFNAS__TAG_CONFIG);
    rfnas_config *copy;
    RFNAS__TRY(rfnas_config_create(&copy));
    for (size_t i = 0; i < rfnas__key_count(); i++) {
        copy->values[i] = cfg->values[i];
        copy->values[i].s = NULL;
        if (cfg->values[i].s != NULL) {
            copy->values[i].s = strdup(cfg->values[i].s);
            if (copy->values[i].s == NULL) {
                rfnas_config_destroy(copy);
                return RFNAS__NOMEM("rfnas_config_copy");
            }
        }
    }
    *out = copy;
    return RFNAS_OK;
}

static rfnas_status set_int(rfnas_config *cfg, rfnas_key key, int64_t value, const char *fn)
{
    const rfnas__key_info *info;
    size_t slot;
    RFNAS__TRY(lookup(cfg, key, fn, &info, &slot));
    if (info->type == RFNAS_TYPE_DOUBLE) {
        double d = (double)value;
        if (!(d >= info->dbl_lo && d <= info->dbl_hi))
            return rfnas__error(RFNAS_E_INVALID, "%s: %s = %lld is outside [%g, %g]", fn,
                                info->name, (long long)value, info->dbl_lo, info->dbl_hi);
        cfg->values[slot].d = d;
        cfg->values[slot].set = 1;
        return RFNAS_OK;
    }
    if (info->type != RFNAS_TYPE_INT)
        return wrong_type(fn, info);
    if (value < info->int_lo || value > info->int_hi)
        return rfnas__error(RFNAS_E_INVALID, "%s: %s = %lld is outside [%lld, %lld]", fn,
                            info->name, (long long)value, (long long)info->int_lo,
                            (long long)info->int_hi);
    cfg->values[slot].i = value;
    cfg->values[slot].set = 1;
    return RFNAS_OK;
}

rfnas_status rfnas_config_set_int(rfnas_config *cfg, rfnas_key key, int64_t value)
{
    rfnas__error_clear();
    return set_int(cfg, key, value, __func__);
}

static rfnas_status set_double(rfnas_config *cfg, rfnas_key key, double value, const char *fn)
{
    const rfnas__key_info *info;
    size_t slot;
    RFNAS__TRY(lookup(cfg, key, fn, &info, &slot));
    if (info->type != RFNAS_TYPE_DOUBLE)
        return wrong_type(fn, info);
    if (!isfinite(value) || value < info->dbl_lo || value > info->dbl_hi)
        return rfnas__error(RFNAS_E_INVALID, "%s: %s = %g is outside [%g, %g]", fn, info->name,
                            value, info->dbl_lo, info->dbl_hi);
    cfg->values[slot].d = value;
    cfg->values[slot].set = 1;
    return RFNAS_OK;
}

rfnas_status rfnas_config_set_double(rfnas_config *cfg, rfnas_key key, double value)
{
    rfnas__error_clear();
    return set_double(cfg, key, value, __func__);
}

static rfnas_status set_string(rfnas_config *cfg, rfnas_key key, const char *value,
                               const char *fn)
{
    const rfnas__key_info *info;
    size_t slot;
    RFNAS__TRY(lookup(cfg, key, fn, &info, &slot));
    if (info->type != RFNAS_TYPE_STRING)
        return wrong_type(fn, info);
    RFNAS__CHECK_ARG(value != NULL, "%s: value is NULL", fn);
    int ok = 0;
    for (const char *const *c = info->choices; c && *c; c++)
        ok |= strcmp(*c, value) == 0;
    if (!ok)
        return rfnas__error(RFNAS_E_INVALID, "%s: %s = \"%.64s\" is not one of the accepted values",
                            fn, info->name, value);
    char *copy = strdup(value);
    if (copy == NULL)
        return RFNAS__NOMEM(fn);
    free(cfg->values[slot].s);
    cfg->values[slot].s = copy;
    cfg->values[slot].set = 1;
    return RFNAS_OK;
}

rfnas_status rfnas_config_set_string(rfnas_config *cfg, rfnas_key key, const char *value)
{
    rfnas__error_clear();
    return set_string(cfg, key, value, __func__);
}

static rfnas_status set_doubles(rfnas_config *cfg, rfnas_key key, const double *values, size_t n,
                                const char *fn)
{
    const rfnas__key_info *info;
    size_t slot;
    RFNAS__TRY(lookup(cfg, key, fn, &info, &slot));
    if (info->type != RFNAS_TYPE_DOUBLES)
        return wrong_type(fn, info);
    RFNAS__CHECK_ARG(values != NULL, "%s: values is NULL", fn);
    RFNAS__CHECK_ARG(n >= 1 && n <= RFNAS__LIST_MAX, "%s: %s takes 1 to %d values, not %zu", fn,
                     info->name, RFNAS__LIST_MAX, n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(values[i]) || values[i] < info->dbl_lo || values[i] > info->dbl_hi)
            return rfnas__error(RFNAS_E_INVALID, "%s: %s[%zu] = %g is outside [%g, %g]", fn,
                                info->name, i, values[i], info->dbl_lo, info->dbl_hi);
    memcpy(cfg->values[slot].list, values, n * sizeof *values);
    cfg->values[slot].list_len = n;
    cfg->values[slot].set = 1;
    return RFNAS_OK;
}

rfnas_status rfnas_config_set_doubles(rfnas_config *cfg, rfnas_key key, const double *values,
                                      size_t n)
{
    rfnas__error_clear();
    return set_doubles(cfg, key, values, n, __func__);
}

/* Strict number parsing: the whole text, no overflow, finite. */
static int parse_int(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE)
        return 0;
    *out = (int64_t)v;
    return 1;
}

static int parse_double(const char *text, double *out, char stop)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != stop || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

rfnas_status rfnas_config_set_by_name(rfnas_config *cfg, const char *name, const char *value)
{
    static const char fn[] = "rfnas_config_set_by_name";
    rfnas__error_clear();
    RFNAS__TRY(rfnas__check_handle(cfg, RFNAS__TAG_CONFIG, fn, "cfg"));
    RFNAS__CHECK_ARG(name != NULL, "%s: name is NULL", fn);
    RFNAS__CHECK_ARG(value != NULL, "%s: value is NULL", fn);
    rfnas_key key;
    RFNAS__TRY(rfnas_key_from_name(name, &key));
    const rfnas__key_info *info = rfnas__key_info_of(key, NULL);
    switch (info->type) {
    case RFNAS_TYPE_INT: {
        int64_t v;
        if (!parse_int(value, &v))
            return rfnas__error(RFNAS_E_INVALID, "%s: %s: \"%.64s\" is not an integer", fn,
                                name, value);
        return set_int(cfg, key, v, fn);
    }
    case RFNAS_TYPE_DOUBLE: {
        double v;
        if (!parse_double(value, &v, '\0'))
            return rfnas__error(RFNAS_E_INVALID, "%s: %s: \"%.64s\" is not a finite number", fn,
                                name, value);
        return set_double(cfg, key, v, fn);
    }
    case RFNAS_TYPE_STRING:
        return set_string(cfg, key, value, fn);
    case RFNAS_TYPE_DOUBLES: {
        double list[RFNAS__LIST_MAX];
        size_t n = 0;
        const char *p = value;
        for (;;) {
            if (n == RFNAS__LIST_MAX)
                return rfnas__error(RFNAS_E_INVALID, "%s: %s: more than %d values", fn, name,
                                    RFNAS__LIST_MAX);
            const char *comma = strchr(p, ',');
            char item[64];
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            if (len == 0 || len >= sizeof item)
                return rfnas__error(RFNAS_E_INVALID, "%s: %s: bad list \"%.64s\"", fn, name,
                                    value);
            memcpy(item, p, len);
            item[len] = '\0';
            if (!parse_double(item, &list[n], '\0'))
                return rfnas__error(RFNAS_E_INVALID, "%s: %s: \"%s\" is not a finite number", fn,
                                    name, item);
            n++;
            if (!comma)
                break;
            p = comma + 1;
        }
        return set_doubles(cfg, key, list, n, fn);
    }
    default:
        return rfnas__error(RFNAS_E_INVALID, "%s: %s: unsupported type", fn, name);
    }
}

rfnas_status rfnas_config_unset(rfnas_config *cfg, rfnas_key key)
{
    const rfnas__key_info *info;
    size_t slot;
    rfnas__error_clear();
    RFNAS__TRY(lookup(cfg, key, __func__, &info, &slot));
    value_clear(&cfg->values[slot]);
    return RFNAS_OK;
}

static rfnas_status read_lookup(const rfnas_config *cfg, rfnas_key key, const char *fn,
                                const rfnas__key_info **info, const rfnas__value **v)
{
    size_t slot;
    if (cfg != NULL)
        RFNAS__TRY(rfnas__check_handle(cfg, RFNAS__TAG_CONFIG, fn, "cfg"));
    *info = rfnas__key_info_of(key, &slot);
    if (*info == NULL)
        return rfnas__error(RFNAS_E_INVALID, "%s: unknown key %d", fn, (int)key);
    *v = (cfg != NULL && cfg->values[slot].set) ? &cfg->values[slot] : NULL;
    return RFNAS_OK;
}

rfnas_status rfnas_config_get_int(const rfnas_config *cfg, rfnas_key key, int64_t *value)
{
    const rfnas__key_info *info;
    const rfnas__value *v;
    rfnas__error_clear();
    RFNAS__CHECK_ARG(value != NULL, "rfnas_config_get_int: value is NULL");
    RFNAS__TRY(read_lookup(cfg, key, __func__, &info, &v));
    if (info->type == RFNAS_TYPE_INT) {
        *value = v ? v->i : info->int_default;
        return RFNAS_OK;
    }
    if (info->type == RFNAS_TYPE_DOUBLE) {
        double d = v ? v->d : info->dbl_default;
        if (d != floor(d) || fabs(d) > 9.0e15)
            return rfnas__error(RFNAS_E_INVALID, "rfnas_config_get_int: %s = %g is not integral",
                                info->name, d);
        *value = (int64_t)d;
        return RFNAS_OK;
    }
    return wrong_type(__func__, info);
}

rfnas_status rfnas_config_get_double(const rfnas_config *cfg, rfnas_key key, double *value)
{
    const rfnas__key_info *info;
    const rfnas__value *v;
    rfnas__error_clear();
    RFNAS__CHECK_ARG(value != NULL, "rfnas_config_get_double: value is NULL");
    RFNAS__TRY(read_lookup(cfg, key, __func__, &info, &v));
    if (info->type == RFNAS_TYPE_DOUBLE) {
        *value = v ? v->d : info->dbl_default;
        return RFNAS_OK;
    }
    if (info->type == RFNAS_TYPE_INT) {
        *value = (double)(v ? v->i : info->int_default);
        return RFNAS_OK;
    }
    return wrong_type(__func__, info);
}

int rfnas_config_is_set(const rfnas_config *cfg, rfnas_key key)
{
    size_t slot;
    rfnas__error_clear();
    if (cfg == NULL || cfg->hdr.tag != RFNAS__TAG_CONFIG || !rfnas__key_info_of(key, &slot))
        return 0;
    return cfg->values[slot].set;
}

rfnas_status rfnas__config_check_optional(const rfnas_config *cfg, const char *fn)
{
    return cfg == NULL ? RFNAS_OK : rfnas__check_handle(cfg, RFNAS__TAG_CONFIG, fn, "cfg");
}

static const rfnas__value *internal_value(const rfnas_config *cfg, rfnas_key key,
                                          const rfnas__key_info **info)
{
    size_t slot;
    *info = rfnas__key_info_of(key, &slot);
    if (*info == NULL || cfg == NULL || !cfg->values[slot].set)
        return NULL;
    return &cfg->values[slot];
}

int64_t rfnas__config_int(const rfnas_config *cfg, rfnas_key key)
{
    const rfnas__key_info *info;
    const rfnas__value *v = internal_value(cfg, key, &info);
    if (info == NULL || info->type != RFNAS_TYPE_INT)
        return 0;
    return v ? v->i : info->int_default;
}

double rfnas__config_double(const rfnas_config *cfg, rfnas_key key)
{
    const rfnas__key_info *info;
    const rfnas__value *v = internal_value(cfg, key, &info);
    if (info == NULL || info->type != RFNAS_TYPE_DOUBLE)
        return 0.0;
    return v ? v->d : info->dbl_default;
}

const char *rfnas__config_string(const rfnas_config *cfg, rfnas_key key)
{
    const rfnas__key_info *info;
    const rfnas__value *v = internal_value(cfg, key, &info);
    if (info == NULL || info->type != RFNAS_TYPE_STRING)
        return "";
    return v ? v->s : info->choices[0];
}

size_t rfnas__config_list(const rfnas_config *cfg, rfnas_key key, const double **values)
{
    const rfnas__key_info *info;
    const rfnas__value *v = internal_value(cfg, key, &info);
    if (info == NULL || info->type != RFNAS_TYPE_DOUBLES || v == NULL) {
        *values = NULL;
        return 0;
    }
    *values = v->list;
    return v->list_len;
}

/* Key lookups (any thread; read-only table). */

const char *rfnas_key_name(rfnas_key key)
{
    const rfnas__key_info *info = rfnas__key_info_of(key, NULL);
    return info ? info->name : NULL;
}

rfnas_status rfnas_key_from_name(const char *name, rfnas_key *key)
{
    rfnas__error_clear();
    RFNAS__CHECK_ARG(name != NULL, "rfnas_key_from_name: name is NULL");
    RFNAS__CHECK_ARG(key != NULL, "rfnas_key_from_name: key is NULL");
    for (size_t i = 0; i < rfnas__key_count(); i++) {
        if (strcmp(rfnas__key_at(i)->name, name) == 0) {
            *key = rfnas__key_at(i)->key;
            return RFNAS_OK;
        }
    }
    return rfnas__error(RFNAS_E_NOTFOUND, "rfnas_key_from_name: no key is named \"%.64s\"", name);
}

rfnas_status rfnas_key_bounds(rfnas_key key, rfnas_type *type, double *lo, double *hi)
{
    rfnas__error_clear();
    const rfnas__key_info *info = rfnas__key_info_of(key, NULL);
    if (info == NULL)
        return rfnas__error(RFNAS_E_INVALID, "rfnas_key_bounds: unknown key %d", (int)key);
    double l = 0, h = 0;
    if (info->type == RFNAS_TYPE_INT) {
        l = (double)info->int_lo;
        h = (double)info->int_hi;
    } else if (info->type != RFNAS_TYPE_STRING) {
        l = info->dbl_lo;
        h = info->dbl_hi;
    }
    if (type)
        *type = info->type;
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
    return RFNAS_OK;
}
