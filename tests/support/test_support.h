/* Helpers shared by the test programs: scratch directories and files,
 * gzip writing, and generated datasets. Tests only; never installed. */
#ifndef RFNAS_TEST_SUPPORT_H
#define RFNAS_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* A fresh private directory under $TMPDIR (or /tmp); removed by ts_rmdir(). */
char *ts_mkdtemp(void);
/* Removes a directory made by ts_mkdtemp() and the files in it; frees @p dir. */
void ts_rmdir(char *dir);
/* "dir/name" in a static rotating buffer (valid for the next 7 calls). */
const char *ts_path(const char *dir, const char *name);
/* Writes @p len bytes to @p path, plain or gzip-compressed; 0 on success. */
int ts_write(const char *path, const void *data, size_t len);
int ts_write_gz(const char *path, const void *data, size_t len);
/* Reads a whole file (plain or gzip, decompressed) into a malloc'd buffer; NULL on failure. */
uint8_t *ts_read_all(const char *path, size_t *len);

/* Builds an IDX header for uint8 data of @p ndims dims; returns the header length. */
size_t ts_idx_header(uint8_t *out, uint8_t type, int ndims, const uint32_t *dims);

#endif
