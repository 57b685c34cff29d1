/* Checkpoint files: named flat arrays, zlib-compressed, CRC-checked, written
 * atomically (DESIGN 2, io/). The layout is documented in docs/formats.md.
 * This layer knows nothing of networks: callers hand it named arrays. */
#ifndef RFNAS_IO_CHECKPOINT_H
#define RFNAS_IO_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

typedef enum rfnas__ckpt_type {
    RFNAS__CKPT_F32 = 1,
    RFNAS__CKPT_I64 = 2,
    RFNAS__CKPT_BYTES = 3,
    RFNAS__CKPT_F64 = 4
} rfnas__ckpt_type;

enum { RFNAS__CKPT_VERSION = 1, RFNAS__CKPT_NAME_MAX = 255 };

typedef struct rfnas__ckpt_writer rfnas__ckpt_writer;
typedef struct rfnas__ckpt_reader rfnas__ckpt_reader;

rfnas_status rfnas__ckpt_writer_create(rfnas__ckpt_writer **out, rfnas_ctx *ctx);
void rfnas__ckpt_writer_destroy(rfnas__ckpt_writer *w);
/* Appends a record; names are unique within a file (1..255 bytes). */
rfnas_status rfnas__ckpt_add(rfnas__ckpt_writer *w, const char *name, rfnas__ckpt_type type,
                             const void *data, uint64_t count);
/* Compresses and writes to "path.tmp", flushes it to disk, renames it over
 * @p path and flushes the directory: a crash at any moment leaves either the
 * old file or the new one, never a mix. */
rfnas_status rfnas__ckpt_write_file(rfnas__ckpt_writer *w, const char *path);

/* Reads and verifies a whole file: magic, version, sizes, CRC, record bounds. */
rfnas_status rfnas__ckpt_read_file(rfnas__ckpt_reader **out, rfnas_ctx *ctx, const char *path);
void rfnas__ckpt_reader_destroy(rfnas__ckpt_reader *r);
/* Finds a record by name; RFNAS_E_NOTFOUND if absent, RFNAS_E_FORMAT if its
 * type differs. *data points into the reader (aligned for its type). */
rfnas_status rfnas__ckpt_find(const rfnas__ckpt_reader *r, const char *name,
                              rfnas__ckpt_type type, const void **data, uint64_t *count);
size_t rfnas__ckpt_record_count(const rfnas__ckpt_reader *r);
/* Record @p i (below rfnas__ckpt_record_count()) in file order; the name is
 * not NUL-terminated, *name_len bytes long. */
void rfnas__ckpt_record_at(const rfnas__ckpt_reader *r, size_t i, const char **name,
                           size_t *name_len, rfnas__ckpt_type *type, const void **data,
                           uint64_t *count);

#endif
