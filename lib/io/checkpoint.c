/* Checkpoint file format, version 1 (all integers little-endian):
 *
 *   header (32 bytes): "RFNASCKP" | u32 version | u32 flags (0) |
 *                      u64 payload bytes | u32 payload CRC-32 | u32 header CRC-32
 *   body:   the payload, zlib-compressed (RFC 1950)
 *   payload: records, each
 *            u32 name length | name | u32 type | u64 element count |
 *            padding to a multiple of 8 | data (count elements)
 *            padding to a multiple of 8
 *
 * The payload's 8-byte alignment lets a reader point straight into it. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data/source.h"

static const char MAGIC[8] = {'R', 'F', 'N', 'A', 'S', 'C', 'K', 'P'};
enum { HEADER_BYTES = 32 };
#define MAX_PAYLOAD ((uint64_t)16 << 30)

struct rfnas__ckpt_writer {
    rfnas_ctx *ctx;
    uint8_t *buf;
    size_t len, cap;
};

typedef struct record {
    const char *name; /* points into the payload; not NUL-terminated */
    uint32_t name_len;
    rfnas__ckpt_type type;
    uint64_t count;
    const uint8_t *data;
} record;

struct rfnas__ckpt_reader {
    rfnas_ctx *ctx;
    uint8_t *payload;
    record *records;
    size_t n_records;
};

static size_t type_size(rfnas__ckpt_type t)
{
    switch (t) {
    case RFNAS__CKPT_F32: return 4;
    case RFNAS__CKPT_I64: return 8;
    case RFNAS__CKPT_BYTES: return 1;
    case RFNAS__CKPT_F64: return 8;
    }
    return 0;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

rfnas_status rfnas__ckpt_writer_create(rfnas__ckpt_writer **out, rfnas_ctx *ctx)
{
    rfnas__ckpt_writer *w = rfnas__calloc(ctx, 1, sizeof *w);
    if (w == NULL)
        return RFNAS__NOMEM("checkpoint writer");
    w->ctx = ctx;
    *out = w;
    return RFNAS_OK;
}

void rfnas__ckpt_writer_destroy(rfnas__ckpt_writer *w)
{
    if (w == NULL)
        return;
    rfnas__free(w->ctx, w->buf);
    rfnas__free(w->ctx, w);
}

static rfnas_status reserve(rfnas__ckpt_writer *w, size_t more)
{
    if (w->len + more <= w->cap)
        return RFNAS_OK;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + more)
        cap *= 2;
    uint8_t *bigger = rfnas__alloc(w->ctx, cap);
    if (bigger == NULL)
        return RFNAS__NOMEM("checkpoint");
    if (w->len)
        memcpy(bigger, w->buf, w->len);
    rfnas__free(w->ctx, w->buf);
    w->buf = bigger;
    w->cap = cap;
    return RFNAS_OK;
}

rfnas_status rfnas__ckpt_add(rfnas__ckpt_writer *w, const char *name, rfnas__ckpt_type type,
                             const void *data, uint64_t count)
{
    size_t name_len = strlen(name), es = type_size(type);
    if (name_len == 0 || name_len > RFNAS__CKPT_NAME_MAX || es == 0)
        return rfnas__error(RFNAS_E_INVALID, "checkpoint: bad record \"%.64s\"", name);
    if (count > MAX_PAYLOAD / es)
        return rfnas__error(RFNAS_E_INVALID, "checkpoint: record %s is too large", name);
    size_t head = (4 + name_len + 4 + 8 + 7) / 8 * 8;
    size_t body = ((size_t)count * es + 7) / 8 * 8;
    RFNAS__TRY(reserve(w, head + body));
    uint8_t *p = w->buf + w->len;
    memset(p, 0, head + body);
    put_u32(p, (uint32_t)name_len);
    memcpy(p + 4, name, name_len);
    put_u32(p + 4 + name_len, (uint32_t)type);
    put_u64(p + 8 + name_len, count);
    if (count)
        memcpy(p + head, data, (size_t)count * es); /* little-endian hosts only (x86-64, arm64) */
    w->len += head + body;
    return RFNAS_OK;
}

static rfnas_status write_all(int fd, const uint8_t *p, size_t n, const char *path)
{
    while (n > 0) {
        ssize_t got = write(fd, p, n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return rfnas__error(RFNAS_E_IO, "checkpoint: %s: write failed: %s", path,
                                strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
    return RFNAS_OK;
}

rfnas_status rfnas__ckpt_write_file(rfnas__ckpt_writer *w, const char *path)
{
    uLong bound = compressBound((uLong)w->len);
    uint8_t *out = rfnas__alloc(w->ctx, HEADER_BYTES + bound);
    if (out == NULL)
        return RFNAS__NOMEM("checkpoint");
    uLongf zlen = bound;
    /* Level 1: parameters are incompressible floats; speed matters more. */
    if (compress2(out + HEADER_BYTES, &zlen, w->buf ? w->buf : (const Bytef *)"", (uLong)w->len,
                  1) != Z_OK) {
        rfnas__free(w->ctx, out);
        return rfnas__error(RFNAS_E_NOMEM, "checkpoint: zlib compress failed");
    }
    memcpy(out, MAGIC, 8);
    put_u32(out + 8, RFNAS__CKPT_VERSION);
    put_u32(out + 12, 0);
    put_u64(out + 16, w->len);
    put_u32(out + 24, (uint32_t)crc32_z(0L, w->buf ? w->buf : (const Bytef *)"", w->len));
    put_u32(out + 28, (uint32_t)crc32(0L, out, 28));

    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        rfnas__free(w->ctx, out);
        return rfnas__error(RFNAS_E_INVALID, "checkpoint: path too long");
    }
    rfnas_status rc = RFNAS_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = rfnas__error(RFNAS_E_IO, "checkpoint: %s: cannot create: %s", tmp, strerror(errno));
    } else {
        rc = write_all(fd, out, HEADER_BYTES + zlen, tmp);
        if (rc == RFNAS_OK && fsync(fd) != 0)
            rc = rfnas__error(RFNAS_E_IO, "checkpoint: %s: fsync failed: %s", tmp,
                              strerror(errno));
        if (close(fd) != 0 && rc == RFNAS_OK)
            rc = rfnas__error(RFNAS_E_IO, "checkpoint: %s: close failed: %s", tmp,
                              strerror(errno));
        if (rc == RFNAS_OK && rename(tmp, path) != 0)
            rc = rfnas__error(RFNAS_E_IO, "checkpoint: rename %s -> %s failed: %s", tmp, path,
                              strerror(errno));
        if (rc != RFNAS_OK)
            unlink(tmp);
    }
    if (rc == RFNAS_OK) {
        /* Make the rename itself durable. */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    rfnas__free(w->ctx, out);
    return rc;
}

void rfnas__ckpt_reader_destroy(rfnas__ckpt_reader *r)
{
    if (r == NULL)
        return;
    rfnas__free(r->ctx, r->payload);
    rfnas__free(r->ctx, r->records);
    rfnas__free(r->ctx, r);
}

static rfnas_status corrupt(const char *path, const char *what)
{
    return rfnas__error(RFNAS_E_FORMAT, "checkpoint: %s: %s", path, what);
}

/* Walks the records: every length inside the payload, names unique. */
static rfnas_status index_records(rfnas__ckpt_reader *r, uint64_t len, const char *path)
{
    size_t cap = 0;
    uint64_t at = 0;
    while (at < len) {
        if (len - at < 16)
            return corrupt(path, "record header runs past the payload");
        uint32_t name_len = get_u32(r->payload + at);
        if (name_len == 0 || name_len > RFNAS__CKPT_NAME_MAX || len - at < 16 + (uint64_t)name_len)
            return corrupt(path, "bad record name length");
        rfnas__ckpt_type type = (rfnas__ckpt_type)get_u32(r->payload + at + 4 + name_len);
        uint64_t count = get_u64(r->payload + at + 8 + name_len);
        size_t es = type_size(type);
        if (es == 0)
            return corrupt(path, "unknown record type");
        uint64_t head = (4 + (uint64_t)name_len + 12 + 7) / 8 * 8;
        if (count > MAX_PAYLOAD / es)
            return corrupt(path, "record too large");
        uint64_t body = (count * es + 7) / 8 * 8;
        if (head + body > len - at)
            return corrupt(path, "record data runs past the payload");
        if (r->n_records == cap) {
            size_t next = cap ? cap * 2 : 32;
            record *bigger = rfnas__calloc(r->ctx, next, sizeof *bigger);
            if (bigger == NULL)
                return RFNAS__NOMEM("checkpoint");
            if (cap)
                memcpy(bigger, r->records, cap * sizeof *bigger);
            rfnas__free(r->ctx, r->records);
            r->records = bigger;
            cap = next;
        }
        record *rec = &r->records[r->n_records];
        rec->name = (const char *)r->payload + at + 4;
        rec->name_len = name_len;
        rec->type = type;
        rec->count = count;
        rec->data = r->payload + at + head;
        for (size_t i = 0; i < r->n_records; i++)
            if (r->records[i].name_len == name_len &&
                memcmp(r->records[i].name, rec->name, name_len) == 0)
                return corrupt(path, "duplicate record name");
        r->n_records++;
        at += head + body;
    }
    return RFNAS_OK;
}

rfnas_status rfnas__ckpt_read_file(rfnas__ckpt_reader **out, rfnas_ctx *ctx, const char *path)
{
    *out = NULL;
    uint8_t *file;
    size_t flen;
    RFNAS__TRY(rfnas__source_read_all(ctx, path, (size_t)MAX_PAYLOAD, &file, &flen, NULL));
    rfnas_status rc = RFNAS_OK;
    rfnas__ckpt_reader *r = rfnas__calloc(ctx, 1, sizeof *r);
    if (r == NULL) {
        rc = RFNAS__NOMEM("checkpoint");
        goto done;
    }
    r->ctx = ctx;
    if (flen < HEADER_BYTES || memcmp(file, MAGIC, 8) != 0) {
        rc = corrupt(path, "not a librfnas checkpoint (bad magic)");
        goto done;
    }
    if ((uint32_t)crc32(0L, file, 28) != get_u32(file + 28)) {
        rc = corrupt(path, "header CRC mismatch");
        goto done;
    }
    uint32_t version = get_u32(file + 8);
    if (version != RFNAS__CKPT_VERSION) {
        rc = rfnas__error(RFNAS_E_UNSUPPORTED,
                          "checkpoint: %s: format version %u; this library reads version %d",
                          path, version, RFNAS__CKPT_VERSION);
        goto done;
    }
    uint64_t len = get_u64(file + 16);
    if (len > MAX_PAYLOAD) {
        rc = corrupt(path, "payload size out of range");
        goto done;
    }
    r->payload = rfnas__alloc(ctx, (size_t)len);
    if (r->payload == NULL) {
        rc = RFNAS__NOMEM("checkpoint payload");
        goto done;
    }
    uLongf got = (uLongf)len;
    int z = uncompress(r->payload, &got, file + HEADER_BYTES, (uLong)(flen - HEADER_BYTES));
    if (z != Z_OK || got != len) {
        rc = corrupt(path, z == Z_BUF_ERROR || z == Z_OK ? "truncated or resized payload"
                                                         : "corrupt compressed payload");
        goto done;
    }
    if ((uint32_t)crc32_z(0L, r->payload, (size_t)len) != get_u32(file + 24)) {
        rc = corrupt(path, "payload CRC mismatch");
        goto done;
    }
    rc = index_records(r, len, path);
done:
    rfnas__free(ctx, file);
    if (rc != RFNAS_OK) {
        rfnas__ckpt_reader_destroy(r);
        return rc;
    }
    *out = r;
    return RFNAS_OK;
}

rfnas_status rfnas__ckpt_find(const rfnas__ckpt_reader *r, const char *name,
                              rfnas__ckpt_type type, const void **data, uint64_t *count)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->n_records; i++) {
        const record *rec = &r->records[i];
        if (rec->name_len != n || memcmp(rec->name, name, n) != 0)
            continue;
        if (rec->type != type)
            return rfnas__error(RFNAS_E_FORMAT, "checkpoint: record %s has type %d, expected %d",
                                name, (int)rec->type, (int)type);
        *data = rec->data;
        *count = rec->count;
        return RFNAS_OK;
    }
    return rfnas__error(RFNAS_E_NOTFOUND, "checkpoint: no record named %s", name);
}

size_t rfnas__ckpt_record_count(const rfnas__ckpt_reader *r)
{
    return r->n_records;
}

void rfnas__ckpt_record_at(const rfnas__ckpt_reader *r, size_t i, const char **name,
                           size_t *name_len, rfnas__ckpt_type *type, const void **data,
                           uint64_t *count)
{
    const record *rec = &r->records[i];
    *name = rec->name;
    *name_len = rec->name_len;
    *type = rec->type;
    *data = rec->data;
    *count = rec->count;
}
