/* rfnas_checkpoint: named flat arrays held in memory, saved to and loaded
 * from the checkpoint file format (io/checkpoint.c, docs/formats.md), and the
 * records that capture a supernet, an optimizer and an iterator.
 *
 * Restoring is all or nothing: every record an object needs is found and
 * checked against the object (space, shapes, parameter names, sizes) before
 * the first byte of it changes, so a mismatched checkpoint leaves the object
 * as it was. */
#include <stdio.h>
#include <string.h>

#include "api/optimizer.h"
#include "api/supernet.h"
#include "io/checkpoint.h"
#include "net/nodes.h"

struct rfnas_checkpoint {
    rfnas__handle hdr;
    rfnas_ctx *ctx; /* holds a reference */
    struct ck_record *records;
    size_t n, cap;
};

typedef struct ck_record {
    char name[RFNAS__CKPT_NAME_MAX + 1];
    rfnas__ckpt_type type;
    uint64_t count;
    void *data; /* owned; NULL when count is 0 */
} ck_record;

enum { NAME_BUF = RFNAS__CKPT_NAME_MAX + 1 };

static const char SUPERNET_FORMAT[] = "rfnas.supernet/1";
static const char OPTIMIZER_FORMAT[] = "rfnas.optimizer/1";
static const char ITER_FORMAT[] = "rfnas.iter/1";

static size_t elem_size(rfnas__ckpt_type t)
{
    return t == RFNAS__CKPT_F32 ? 4 : t == RFNAS__CKPT_BYTES ? 1 : 8;
}

static const char *type_name(rfnas__ckpt_type t)
{
    switch (t) {
    case RFNAS__CKPT_F32: return "float32";
    case RFNAS__CKPT_I64: return "int64";
    case RFNAS__CKPT_BYTES: return "text";
    case RFNAS__CKPT_F64: return "float64";
    }
    return "unknown";
}

/* ---- the record store ---- */

static ck_record *find(const rfnas_checkpoint *ck, const char *name)
{
    for (size_t i = 0; i < ck->n; i++)
        if (strcmp(ck->records[i].name, name) == 0)
            return &ck->records[i];
    return NULL;
}

/* Adds or replaces a record with a copy of @p data. */
static rfnas_status put(rfnas_checkpoint *ck, const char *name, rfnas__ckpt_type type,
                        const void *data, uint64_t count)
{
    size_t len = strlen(name);
    if (len == 0 || len > RFNAS__CKPT_NAME_MAX)
        return rfnas__error(RFNAS_E_INVALID, "checkpoint: record name \"%.64s\" must be 1..%d bytes",
                            name, RFNAS__CKPT_NAME_MAX);
    if (count > (((uint64_t)1 << 40) / elem_size(type)))
        return rfnas__error(RFNAS_E_INVALID, "checkpoint: record %s is too large", name);
    void *copy = NULL;
    if (count > 0) {
        copy = rfnas__alloc(ck->ctx, (size_t)count * elem_size(type));
        if (copy == NULL)
            return RFNAS__NOMEM("checkpoint record");
        memcpy(copy, data, (size_t)count * elem_size(type));
    }
    ck_record *rec = find(ck, name);
    if (rec == NULL) {
        if (ck->n == ck->cap) {
            size_t cap = ck->cap ? ck->cap * 2 : 16;
            ck_record *bigger = rfnas__calloc(ck->ctx, cap, sizeof *bigger);
            if (bigger == NULL) {
                rfnas__free(ck->ctx, copy);
                return RFNAS__NOMEM("checkpoint");
            }
            if (ck->n)
                memcpy(bigger, ck->records, ck->n * sizeof *bigger);
            rfnas__free(ck->ctx, ck->records);
            ck->records = bigger;
            ck->cap = cap;
        }
        rec = &ck->records[ck->n++];
        memcpy(rec->name, name, len + 1);
    } else {
        rfnas__free(ck->ctx, rec->data);
    }
    rec->type = type;
    rec->count = count;
    rec->data = copy;
    return RFNAS_OK;
}

/* A record of @p type, or RFNAS_E_NOTFOUND / RFNAS_E_FORMAT naming it. */
static rfnas_status get(const rfnas_checkpoint *ck, const char *name, rfnas__ckpt_type type,
                        const ck_record **out)
{
    const ck_record *rec = find(ck, name);
    if (rec == NULL)
        return rfnas__error(RFNAS_E_NOTFOUND, "checkpoint: no record named %s", name);
    if (rec->type != type)
        return rfnas__error(RFNAS_E_FORMAT, "checkpoint: record %s holds %s, expected %s", name,
                            type_name(rec->type), type_name(type));
    *out = rec;
    return RFNAS_OK;
}

/* A record of exactly @p count elements. */
static rfnas_status get_sized(const rfnas_checkpoint *ck, const char *name, rfnas__ckpt_type type,
                              uint64_t count, const ck_record **out)
{
    RFNAS__TRY(get(ck, name, type, out));
    if ((*out)->count != count)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "checkpoint: record %s has %llu elements, this object needs %llu",
                            name, (unsigned long long)(*out)->count, (unsigned long long)count);
    return RFNAS_OK;
}

/* Text records are stored without a terminating NUL. */
static rfnas_status put_str(rfnas_checkpoint *ck, const char *name, const char *text)
{
    return put(ck, name, RFNAS__CKPT_BYTES, text, strlen(text));
}

static int text_equals(const ck_record *rec, const char *text)
{
    size_t len = strlen(text);
    return rec->count == len && (len == 0 || memcmp(rec->data, text, len) == 0);
}

static rfnas_status check_prefix(const char *prefix, const char *fn)
{
    RFNAS__CHECK_ARG(prefix != NULL, "%s: prefix is NULL", fn);
    size_t len = strlen(prefix);
    RFNAS__CHECK_ARG(len >= 1 && len <= 64 && strchr(prefix, '\n') == NULL,
                     "%s: prefix must be 1..64 bytes without newlines", fn);
    return RFNAS_OK;
}

static void record_name(char *buf, const char *prefix, const char *field)
{
    snprintf(buf, NAME_BUF, "%s.%s", prefix, field);
}

static rfnas_status check_format(const rfnas_checkpoint *ck, const char *prefix,
                                 const char *format)
{
    char name[NAME_BUF];
    const ck_record *rec;
    record_name(name, prefix, "format");
    RFNAS__TRY(get(ck, name, RFNAS__CKPT_BYTES, &rec));
    if (!text_equals(rec, format))
        return rfnas__error(RFNAS_E_MISMATCH, "checkpoint: %s is \"%.*s\", expected \"%s\"", name,
                            (int)(rec->count < 64 ? rec->count : 64), (const char *)rec->data,
                            format);
    return RFNAS_OK;
}

/* ---- lifecycle ---- */

static rfnas_status ck_new(rfnas_checkpoint **out, rfnas_ctx *ctx)
{
    rfnas_checkpoint *ck = rfnas__calloc(ctx, 1, sizeof *ck);
    if (ck == NULL)
        return RFNAS__NOMEM("checkpoint");
    ck->hdr.tag = RFNAS__TAG_CHECKPOINT;
    ck->ctx = ctx;
    rfnas__ctx_ref(ctx);
    *out = ck;
    return RFNAS_OK;
}

rfnas_status rfnas_checkpoint_create(rfnas_checkpoint **out, rfnas_ctx *ctx)
{
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "rfnas_checkpoint_create: out is NULL");
    *out = NULL;
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    return ck_new(out, ctx);
}

void rfnas_checkpoint_destroy(rfnas_checkpoint *ck)
{
    if (ck == NULL || ck->hdr.tag != RFNAS__TAG_CHECKPOINT)
        return;
    rfnas_ctx *ctx = ck->ctx;
    for (size_t i = 0; i < ck->n; i++)
        rfnas__free(ctx, ck->records[i].data);
    rfnas__free(ctx, ck->records);
    ck->hdr.tag = RFNAS__TAG_DEAD;
    rfnas__free(ctx, ck);
    rfnas__ctx_unref(ctx);
}

rfnas_status rfnas_checkpoint_load(rfnas_checkpoint **out, rfnas_ctx *ctx, const char *path)
{
    static const char fn[] = "rfnas_checkpoint_load";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    RFNAS__CHECK_ARG(path != NULL, "%s: path is NULL", fn);
    rfnas__ckpt_reader *r;
    RFNAS__TRY(rfnas__ckpt_read_file(&r, ctx, path));
    rfnas_checkpoint *ck = NULL;
    rfnas_status rc = ck_new(&ck, ctx);
    for (size_t i = 0; rc == RFNAS_OK && i < rfnas__ckpt_record_count(r); i++) {
        const char *name;
        size_t len;
        rfnas__ckpt_type type;
        const void *data;
        uint64_t count;
        rfnas__ckpt_record_at(r, i, &name, &len, &type, &data, &count);
        char buf[NAME_BUF];
        memcpy(buf, name, len);
        buf[len] = '\0';
        if (memchr(buf, '\0', len) != NULL)
            rc = rfnas__error(RFNAS_E_FORMAT, "checkpoint: %s: a record name contains NUL", path);
        else
            rc = put(ck, buf, type, data, count);
    }
    rfnas__ckpt_reader_destroy(r);
    if (rc != RFNAS_OK) {
        rfnas_checkpoint_destroy(ck);
        return rc;
    }
    *out = ck;
    return RFNAS_OK;
}

rfnas_status rfnas_checkpoint_save(const rfnas_checkpoint *ck, const char *path)
{
    static const char fn[] = "rfnas_checkpoint_save";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_ARG(path != NULL && path[0] != '\0', "%s: path is NULL or empty", fn);
    rfnas__ckpt_writer *w;
    RFNAS__TRY(rfnas__ckpt_writer_create(&w, ck->ctx));
    rfnas_status rc = RFNAS_OK;
    for (size_t i = 0; rc == RFNAS_OK && i < ck->n; i++) {
        const ck_record *rec = &ck->records[i];
        rc = rfnas__ckpt_add(w, rec->name, rec->type, rec->data, rec->count);
    }
    if (rc == RFNAS_OK)
        rc = rfnas__ckpt_write_file(w, path);
    rfnas__ckpt_writer_destroy(w);
    return rc;
}

rfnas_status rfnas_checkpoint_record_count(const rfnas_checkpoint *ck, size_t *count)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_ARG(count != NULL, "rfnas_checkpoint_record_count: count is NULL");
    *count = ck->n;
    return RFNAS_OK;
}

rfnas_status rfnas_checkpoint_record_name(const rfnas_checkpoint *ck, size_t index,
                                          const char **name, size_t *elements)
{
    static const char fn[] = "rfnas_checkpoint_record_name";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_ARG(name != NULL, "%s: name is NULL", fn);
    RFNAS__CHECK_ARG(index < ck->n, "%s: index %zu out of range (%zu records)", fn, index, ck->n);
    *name = ck->records[index].name;
    if (elements)
        *elements = (size_t)ck->records[index].count;
    return RFNAS_OK;
}

/* ---- plain arrays ---- */

static rfnas_status put_array(rfnas_checkpoint *ck, const char *name, rfnas__ckpt_type type,
                              const void *values, size_t n, const char *fn)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_ARG(name != NULL, "%s: name is NULL", fn);
    RFNAS__CHECK_ARG(values != NULL || n == 0, "%s: values is NULL", fn);
    return put(ck, name, type, values, n);
}

static rfnas_status get_array(const rfnas_checkpoint *ck, const char *name, rfnas__ckpt_type type,
                              void *buf, size_t cap, size_t *n, const char *fn)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_ARG(name != NULL, "%s: name is NULL", fn);
    RFNAS__CHECK_ARG(buf != NULL || cap == 0, "%s: buf is NULL", fn);
    const ck_record *rec;
    RFNAS__TRY(get(ck, name, type, &rec));
    /* Text gets a terminating NUL that the record does not store. */
    size_t need = (size_t)rec->count + (type == RFNAS__CKPT_BYTES ? 1 : 0);
    if (n)
        *n = (size_t)rec->count;
    if (cap < need)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: record %s needs %zu elements, buffer has %zu",
                            fn, name, need, cap);
    if (rec->count)
        memcpy(buf, rec->data, (size_t)rec->count * elem_size(type));
    if (type == RFNAS__CKPT_BYTES)
        ((char *)buf)[rec->count] = '\0';
    return RFNAS_OK;
}

rfnas_status rfnas_checkpoint_put_int64s(rfnas_checkpoint *ck, const char *name,
                                         const int64_t *values, size_t n)
{
    return put_array(ck, name, RFNAS__CKPT_I64, values, n, __func__);
}

rfnas_status rfnas_checkpoint_get_int64s(const rfnas_checkpoint *ck, const char *name,
                                         int64_t *buf, size_t cap, size_t *n)
{
    return get_array(ck, name, RFNAS__CKPT_I64, buf, cap, n, __func__);
}

rfnas_status rfnas_checkpoint_put_doubles(rfnas_checkpoint *ck, const char *name,
                                          const double *values, size_t n)
{
    return put_array(ck, name, RFNAS__CKPT_F64, values, n, __func__);
}

rfnas_status rfnas_checkpoint_get_doubles(const rfnas_checkpoint *ck, const char *name,
                                          double *buf, size_t cap, size_t *n)
{
    return get_array(ck, name, RFNAS__CKPT_F64, buf, cap, n, __func__);
}

rfnas_status rfnas_checkpoint_put_floats(rfnas_checkpoint *ck, const char *name,
                                         const float *values, size_t n)
{
    return put_array(ck, name, RFNAS__CKPT_F32, values, n, __func__);
}

rfnas_status rfnas_checkpoint_get_floats(const rfnas_checkpoint *ck, const char *name,
                                         float *buf, size_t cap, size_t *n)
{
    return get_array(ck, name, RFNAS__CKPT_F32, buf, cap, n, __func__);
}

rfnas_status rfnas_checkpoint_put_text(rfnas_checkpoint *ck, const char *name, const char *text)
{
    RFNAS__CHECK_ARG(text != NULL, "rfnas_checkpoint_put_text: text is NULL");
    return put_array(ck, name, RFNAS__CKPT_BYTES, text, strlen(text), __func__);
}

rfnas_status rfnas_checkpoint_get_text(const rfnas_checkpoint *ck, const char *name, char *buf,
                                       size_t cap, size_t *len)
{
    return get_array(ck, name, RFNAS__CKPT_BYTES, buf, cap, len, __func__);
}

/* ---- supernets ---- */

static const char *const GROUP_FIELD[RFNAS__GROUP_COUNT] = {"weights", "arch", "frozen", "state"};

/* What the network is over, as text: for a supernet its topology, space name
 * and every edge's op list (two custom spaces with one name still differ);
 * for a network built from a genotype, that genotype's text. */
static rfnas_status space_text(const rfnas_supernet *net, char *buf, size_t cap)
{
    if (net->genotype.hdr.tag == RFNAS__TAG_GENOTYPE) {
        int k = snprintf(buf, cap, "genotype ");
        rfnas_status rc = rfnas_genotype_format(&net->genotype, buf + k, cap - (size_t)k, NULL);
        if (rc != RFNAS_OK)
            return rfnas__error(RFNAS_E_NOMEM, "checkpoint: genotype text too long");
        return RFNAS_OK;
    }
    const rfnas_space *s = &net->space;
    size_t at = 0;
    int k = snprintf(buf, cap, "%s %s", s->topology == RFNAS_TOPOLOGY_NB201 ? "nb201" : "darts",
                     s->name);
    at = (size_t)k;
    for (int c = 0; c < s->cell_types; c++)
        for (int e = 0; e < s->edges; e++) {
            k = snprintf(buf + at, cap - at, "%s%d:", e == 0 ? (c ? " | " : " ; ") : " ", e);
            at += (size_t)k;
            for (int o = 0; o < s->ops_per_edge && at < cap; o++) {
                k = snprintf(buf + at, cap - at, "%s%s", o ? "," : "",
                             rfnas__op_info_of((rfnas__op)s->ops[c][e][o])->name);
                at += (size_t)k;
            }
            if (at >= cap)
                return rfnas__error(RFNAS_E_NOMEM, "checkpoint: space description too long");
        }
    return RFNAS_OK;
}

/* One line per parameter of @p group: "name size". Other tools find each
 * parameter's slice of the group's flat array from it. */
static rfnas_status group_names(rfnas_ctx *ctx, const rfnas__graph *g, rfnas__group group,
                                char **out)
{
    size_t len = 1;
    int count = rfnas__graph_param_count(g);
    for (int i = 0; i < count; i++) {
        const rfnas__param *p = rfnas__graph_param_info(g, i);
        if (p->group == group)
            len += strlen(p->name) + 24;
    }
    char *text = rfnas__alloc(ctx, len);
    if (text == NULL)
        return RFNAS__NOMEM("checkpoint");
    size_t at = 0;
    text[0] = '\0';
    for (int i = 0; i < count; i++) {
        const rfnas__param *p = rfnas__graph_param_info(g, i);
        if (p->group == group)
            at += (size_t)snprintf(text + at, len - at, "%s %zu\n", p->name, p->size);
    }
    *out = text;
    return RFNAS_OK;
}

static void net_shape(const rfnas_supernet *net, int64_t shape[8])
{
    const rfnas__net_config *c = &net->net.cfg;
    const int64_t v[8] = {c->in_c,     c->in_h,  c->in_w,           c->classes,
                          c->channels, c->cells, c->stem_multiplier, (int64_t)c->features};
    memcpy(shape, v, sizeof v);
}

rfnas_status rfnas_checkpoint_put_supernet(rfnas_checkpoint *ck, const char *prefix,
                                           const rfnas_supernet *net)
{
    static const char fn[] = "rfnas_checkpoint_put_supernet";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__TRY(check_prefix(prefix, fn));
    rfnas__graph *g = net->net.graph;
    char name[NAME_BUF], space[8192];
    RFNAS__TRY(space_text(net, space, sizeof space));
    record_name(name, prefix, "format");
    RFNAS__TRY(put_str(ck, name, SUPERNET_FORMAT));
    record_name(name, prefix, "space");
    RFNAS__TRY(put_str(ck, name, space));
    int64_t shape[8];
    net_shape(net, shape);
    record_name(name, prefix, "shape");
    RFNAS__TRY(put(ck, name, RFNAS__CKPT_I64, shape, 8));
    for (int grp = 0; grp < RFNAS__GROUP_COUNT; grp++) {
        size_t n;
        const float *v = rfnas__graph_group_values(g, (rfnas__group)grp, &n);
        record_name(name, prefix, GROUP_FIELD[grp]);
        RFNAS__TRY(put(ck, name, RFNAS__CKPT_F32, v, n));
        char *names;
        RFNAS__TRY(group_names(net->ctx, g, (rfnas__group)grp, &names));
        char field[32];
        snprintf(field, sizeof field, "%s.names", GROUP_FIELD[grp]);
        record_name(name, prefix, field);
        rfnas_status rc = put_str(ck, name, names);
        rfnas__free(net->ctx, names);
        RFNAS__TRY(rc);
    }
    uint64_t counter = 0;
    int64_t counters[2] = {0, (int64_t)net->net.droppath.counter};
    if (rfnas__node_noise_counter(g, &counter))
        counters[0] = (int64_t)counter;
    record_name(name, prefix, "counters");
    RFNAS__TRY(put(ck, name, RFNAS__CKPT_I64, counters, 2));
    record_name(name, prefix, "drop_path_prob");
    return put(ck, name, RFNAS__CKPT_F64, &net->net.droppath.p, 1);
}

/* The first line where two "name size" listings differ, for the message. */
static void first_difference(const char *a, size_t alen, const char *b, char *out, size_t cap)
{
    size_t line = 1, i = 0, blen = strlen(b);
    while (i < alen && i < blen && a[i] == b[i]) {
        if (a[i] == '\n')
            line++;
        i++;
    }
    size_t start = i;
    while (start > 0 && b[start - 1] != '\n')
        start--;
    size_t end = start;
    while (end < blen && b[end] != '\n')
        end++;
    snprintf(out, cap, "line %zu, this network has \"%.*s\"", line,
             (int)(end - start < 120 ? end - start : 120), b + start);
}

rfnas_status rfnas_checkpoint_get_supernet(const rfnas_checkpoint *ck, const char *prefix,
                                           rfnas_supernet *net)
{
    static const char fn[] = "rfnas_checkpoint_get_supernet";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__TRY(check_prefix(prefix, fn));
    rfnas__graph *g = net->net.graph;
    char name[NAME_BUF], space[8192];
    const ck_record *rec;
    RFNAS__TRY(check_format(ck, prefix, SUPERNET_FORMAT));

    /* Everything is checked before anything is written. */
    RFNAS__TRY(space_text(net, space, sizeof space));
    record_name(name, prefix, "space");
    RFNAS__TRY(get(ck, name, RFNAS__CKPT_BYTES, &rec));
    if (!text_equals(rec, space))
        return rfnas__error(RFNAS_E_MISMATCH,
                            "%s: the checkpoint's network is over another space (\"%.*s\"); "
                            "this one is \"%.80s\"",
                            fn, (int)(rec->count < 80 ? rec->count : 80),
                            (const char *)rec->data, space);
    int64_t shape[8];
    net_shape(net, shape);
    record_name(name, prefix, "shape");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_I64, 8, &rec));
    const int64_t *theirs = rec->data;
    static const char *const field[8] = {"input channels", "input height", "input width",
                                         "classes",        "channels C",   "cells",
                                         "stem multiplier", "features"};
    for (int i = 0; i < 8; i++)
        if (theirs[i] != shape[i])
            return rfnas__error(RFNAS_E_MISMATCH,
                                "%s: the checkpoint's network has %s %lld, this one %lld", fn,
                                field[i], (long long)theirs[i], (long long)shape[i]);
    const ck_record *values[RFNAS__GROUP_COUNT];
    for (int grp = 0; grp < RFNAS__GROUP_COUNT; grp++) {
        char *names, field_name[32];
        RFNAS__TRY(group_names(net->ctx, g, (rfnas__group)grp, &names));
        snprintf(field_name, sizeof field_name, "%s.names", GROUP_FIELD[grp]);
        record_name(name, prefix, field_name);
        rfnas_status rc = get(ck, name, RFNAS__CKPT_BYTES, &rec);
        if (rc == RFNAS_OK && !text_equals(rec, names)) {
            char where[200];
            first_difference(rec->data, (size_t)rec->count, names, where, sizeof where);
            rc = rfnas__error(RFNAS_E_MISMATCH,
                              "%s: the %s group's parameters differ from the checkpoint's (%s)",
                              fn, GROUP_FIELD[grp], where);
        }
        rfnas__free(net->ctx, names);
        RFNAS__TRY(rc);
        size_t n;
        rfnas__graph_group_values(g, (rfnas__group)grp, &n);
        record_name(name, prefix, GROUP_FIELD[grp]);
        RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_F32, n, &values[grp]));
    }
    const ck_record *counters, *drop;
    record_name(name, prefix, "counters");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_I64, 2, &counters));
    const int64_t *cv = counters->data;
    if (cv[0] < 0 || cv[1] < 0)
        return rfnas__error(RFNAS_E_FORMAT, "%s: %s is negative", fn, name);
    record_name(name, prefix, "drop_path_prob");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_F64, 1, &drop));
    const double p = *(const double *)drop->data;
    if (!(p >= 0 && p < 1))
        return rfnas__error(RFNAS_E_FORMAT, "%s: %s %g is outside [0, 1)", fn, name, p);
    if ((cv[1] != 0 || p != 0) && !net->net.has_droppath)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "%s: the checkpoint's network uses drop-path, this one has none", fn);

    for (int grp = 0; grp < RFNAS__GROUP_COUNT; grp++) {
        size_t n;
        float *v = rfnas__graph_group_values(g, (rfnas__group)grp, &n);
        if (n)
            memcpy(v, values[grp]->data, n * sizeof *v);
    }
    rfnas__node_noise_set_counter(g, (uint64_t)cv[0]);
    net->net.droppath.counter = (uint64_t)cv[1];
    net->net.droppath.p = p;
    return RFNAS_OK;
}

/* ---- optimizers ---- */

enum { OPT_SETTINGS = 8 };

static void opt_settings(const rfnas_optimizer *o, double s[OPT_SETTINGS])
{
    const double v[OPT_SETTINGS] = {o->lr,    o->momentum, o->weight_decay, o->beta1,
                                    o->beta2, o->eps,      o->clip,         (double)o->nesterov};
    memcpy(s, v, sizeof v);
}

rfnas_status rfnas_checkpoint_put_optimizer(rfnas_checkpoint *ck, const char *prefix,
                                            const rfnas_optimizer *opt)
{
    static const char fn[] = "rfnas_checkpoint_put_optimizer";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_HANDLE(opt, RFNAS__TAG_OPTIMIZER);
    RFNAS__TRY(check_prefix(prefix, fn));
    char name[NAME_BUF];
    record_name(name, prefix, "format");
    RFNAS__TRY(put_str(ck, name, OPTIMIZER_FORMAT));
    record_name(name, prefix, "kind");
    RFNAS__TRY(put_str(ck, name, opt->kind == OPT_ADAM ? "adam" : "sgd"));
    const int64_t counts[3] = {(int64_t)opt->group, (int64_t)opt->n, opt->steps};
    record_name(name, prefix, "counts");
    RFNAS__TRY(put(ck, name, RFNAS__CKPT_I64, counts, 3));
    double s[OPT_SETTINGS];
    opt_settings(opt, s);
    record_name(name, prefix, "settings");
    RFNAS__TRY(put(ck, name, RFNAS__CKPT_F64, s, OPT_SETTINGS));
    record_name(name, prefix, "state1");
    RFNAS__TRY(put(ck, name, RFNAS__CKPT_F32, opt->state1, opt->n));
    record_name(name, prefix, "state2");
    return put(ck, name, RFNAS__CKPT_F32, opt->state2, opt->state2 ? opt->n : 0);
}

rfnas_status rfnas_checkpoint_get_optimizer(const rfnas_checkpoint *ck, const char *prefix,
                                            rfnas_optimizer *opt)
{
    static const char fn[] = "rfnas_checkpoint_get_optimizer";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_HANDLE(opt, RFNAS__TAG_OPTIMIZER);
    RFNAS__TRY(check_prefix(prefix, fn));
    char name[NAME_BUF];
    const ck_record *rec, *counts, *settings, *s1, *s2;
    RFNAS__TRY(check_format(ck, prefix, OPTIMIZER_FORMAT));
    const char *kind = opt->kind == OPT_ADAM ? "adam" : "sgd";
    record_name(name, prefix, "kind");
    RFNAS__TRY(get(ck, name, RFNAS__CKPT_BYTES, &rec));
    if (!text_equals(rec, kind))
        return rfnas__error(RFNAS_E_MISMATCH, "%s: the checkpoint's optimizer is \"%.*s\", this one %s",
                            fn, (int)(rec->count < 16 ? rec->count : 16), (const char *)rec->data,
                            kind);
    record_name(name, prefix, "counts");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_I64, 3, &counts));
    const int64_t *c = counts->data;
    if (c[0] != (int64_t)opt->group || c[1] != (int64_t)opt->n)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "%s: the checkpoint's optimizer is over group %lld of %lld values, "
                            "this one over group %d of %zu",
                            fn, (long long)c[0], (long long)c[1], (int)opt->group, opt->n);
    if (c[2] < 0)
        return rfnas__error(RFNAS_E_FORMAT, "%s: negative step count", fn);
    record_name(name, prefix, "settings");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_F64, OPT_SETTINGS, &settings));
    const double *s = settings->data;
    /* Settings go back through the same bounds as rfnas_optimizer_set_double. */
    static const rfnas_key keys[7] = {RFNAS_KEY_OPT_LR,    RFNAS_KEY_OPT_MOMENTUM,
                                      RFNAS_KEY_OPT_WEIGHT_DECAY, RFNAS_KEY_OPT_BETA1,
                                      RFNAS_KEY_OPT_BETA2, RFNAS_KEY_OPT_EPS,
                                      RFNAS_KEY_OPT_GRAD_CLIP};
    for (int i = 0; i < 7; i++) {
        rfnas_type type;
        double lo, hi;
        rfnas_key_bounds(keys[i], &type, &lo, &hi);
        if (!(s[i] >= lo && s[i] <= hi))
            return rfnas__error(RFNAS_E_FORMAT, "%s: %s %g is out of bounds", fn,
                                rfnas_key_name(keys[i]), s[i]);
    }
    if (s[7] != 0 && s[7] != 1)
        return rfnas__error(RFNAS_E_FORMAT, "%s: nesterov must be 0 or 1", fn);
    record_name(name, prefix, "state1");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_F32, opt->n, &s1));
    record_name(name, prefix, "state2");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_F32, opt->state2 ? opt->n : 0, &s2));

    opt->lr = s[0];
    opt->momentum = s[1];
    opt->weight_decay = s[2];
    opt->beta1 = s[3];
    opt->beta2 = s[4];
    opt->eps = s[5];
    opt->clip = s[6];
    opt->nesterov = (int)s[7];
    opt->steps = c[2];
    if (opt->n) {
        memcpy(opt->state1, s1->data, opt->n * sizeof(float));
        if (opt->state2)
            memcpy(opt->state2, s2->data, opt->n * sizeof(float));
    }
    return RFNAS_OK;
}

/* ---- iterators ---- */

rfnas_status rfnas_checkpoint_put_iter(rfnas_checkpoint *ck, const char *prefix,
                                       const rfnas_iter *it)
{
    static const char fn[] = "rfnas_checkpoint_put_iter";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_HANDLE(it, RFNAS__TAG_ITER);
    RFNAS__TRY(check_prefix(prefix, fn));
    int64_t v[4];
    RFNAS__TRY(rfnas_iter_get_position(it, &v[0], &v[1]));
    RFNAS__TRY(rfnas_iter_shape(it, &v[2], NULL, NULL, NULL, &v[3]));
    char name[NAME_BUF];
    record_name(name, prefix, "format");
    RFNAS__TRY(put_str(ck, name, ITER_FORMAT));
    record_name(name, prefix, "position");
    return put(ck, name, RFNAS__CKPT_I64, v, 4);
}

rfnas_status rfnas_checkpoint_get_iter(const rfnas_checkpoint *ck, const char *prefix,
                                       rfnas_iter *it)
{
    static const char fn[] = "rfnas_checkpoint_get_iter";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(ck, RFNAS__TAG_CHECKPOINT);
    RFNAS__CHECK_HANDLE(it, RFNAS__TAG_ITER);
    RFNAS__TRY(check_prefix(prefix, fn));
    RFNAS__TRY(check_format(ck, prefix, ITER_FORMAT));
    char name[NAME_BUF];
    const ck_record *rec;
    record_name(name, prefix, "position");
    RFNAS__TRY(get_sized(ck, name, RFNAS__CKPT_I64, 4, &rec));
    const int64_t *v = rec->data;
    int64_t batch, batches;
    RFNAS__TRY(rfnas_iter_shape(it, &batch, NULL, NULL, NULL, &batches));
    if (v[2] != batch || v[3] != batches)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "%s: the checkpoint's iterator gives %lld batches of %lld per epoch, "
                            "this one %lld of %lld",
                            fn, (long long)v[3], (long long)v[2], (long long)batches,
                            (long long)batch);
    rfnas_status rc = rfnas_iter_set_position(it, v[0], v[1]);
    if (rc != RFNAS_OK)
        rfnas__error_prefix("%s", fn);
    return rc;
}
