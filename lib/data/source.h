/* Whole-file reading, plain or gzip-compressed (decided by content), with
 * errors that name the file and the problem. */
#ifndef RFNAS_DATA_SOURCE_H
#define RFNAS_DATA_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/* Largest decompressed file accepted: a guard against gzip bombs and absurd headers. */
#define RFNAS__SOURCE_MAX_BYTES ((size_t)8 << 30)

/* Reads @p path whole into memory from the context's allocator (free with
 * rfnas__free). A gzip stream (magic 1f 8b) is inflated and its CRC checked;
 * concatenated members are joined. Missing file: RFNAS_E_NOTFOUND; read
 * failure: RFNAS_E_IO; corrupt or truncated stream, or more than @p max_bytes:
 * RFNAS_E_FORMAT. *compressed tells which path was taken (may be NULL). */
rfnas_status rfnas__source_read_all(rfnas_ctx *ctx, const char *path, size_t max_bytes,
                                    uint8_t **data, size_t *len, int *compressed);

/* 1 if @p path names an existing regular file. */
int rfnas__source_exists(const char *path);

#endif
