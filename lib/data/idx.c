/* IDX files (MNIST, Fashion-MNIST): SPEC 10.3. Header: 0, 0, type code,
 * number of dimensions; one big-endian uint32 per dimension; then the data in
 * C order. Only uint8 data (type 0x08) is read: images N x H x W (or
 * N x C x H x W), labels N. */
#include <stdio.h>
#include <string.h>

#include "dataset.h"
#include "source.h"

typedef struct idx_file {
    uint8_t *bytes; /* the whole (decompressed) file */
    size_t len;
    int ndims;
    uint32_t dims[4];
    size_t data_offset;
} idx_file;

static const char *type_name(uint8_t code)
{
    switch (code) {
    case 0x09: return "int8";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return NULL;
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads and validates an IDX header whose dimension count is in [min_dims, max_dims]. */
static rfnas_status idx_read(rfnas_ctx *ctx, const char *path, const char *role, int min_dims,
                             int max_dims, idx_file *f)
{
    memset(f, 0, sizeof *f);
    RFNAS__TRY(rfnas__source_read_all(ctx, path, RFNAS__SOURCE_MAX_BYTES, &f->bytes, &f->len,
                                      NULL));
    rfnas_status rc = RFNAS_OK;
    const uint8_t *b = f->bytes;
    if (f->len < 4) {
        rc = rfnas__error(RFNAS_E_FORMAT, "idx: %s: %zu bytes is too short for an IDX header",
                          path, f->len);
        goto fail;
    }
    if (b[0] != 0 || b[1] != 0) {
        rc = rfnas__error(RFNAS_E_FORMAT,
                          "idx: %s: bad magic %02x %02x %02x %02x (an IDX file starts with 00 00)",
                          path, b[0], b[1], b[2], b[3]);
        goto fail;
    }
    if (b[2] != 0x08) {
        const char *t = type_name(b[2]);
        rc = t ? rfnas__error(RFNAS_E_UNSUPPORTED,
                              "idx: %s: element type %s (0x%02x) is not supported; %s need uint8",
                              path, t, b[2], role)
               : rfnas__error(RFNAS_E_FORMAT, "idx: %s: bad magic: unknown type code 0x%02x",
                              path, b[2]);
        goto fail;
    }
    f->ndims = b[3];
    if (f->ndims < min_dims || f->ndims > max_dims) {
        if (min_dims == max_dims)
            rc = rfnas__error(RFNAS_E_FORMAT, "idx: %s: %d dimensions; %s need %d", path,
                              f->ndims, role, min_dims);
        else
            rc = rfnas__error(RFNAS_E_FORMAT, "idx: %s: %d dimensions; %s need %d to %d", path,
                              f->ndims, role, min_dims, max_dims);
        goto fail;
    }
    f->data_offset = 4 + 4 * (size_t)f->ndims;
    if (f->len < f->data_offset) {
        rc = rfnas__error(RFNAS_E_FORMAT, "idx: %s: truncated header (%zu of %zu bytes)", path,
                          f->len, f->data_offset);
        goto fail;
    }
    for (int i = 0; i < f->ndims; i++)
        f->dims[i] = be32(b + 4 + 4 * i);
    return RFNAS_OK;
fail:
    rfnas__free(ctx, f->bytes);
    f->bytes = NULL;
    return rc;
}

/* Checks that the data after the header is exactly @p expected bytes. */
static rfnas_status check_size(const idx_file *f, const char *path, size_t expected)
{
    size_t have = f->len - f->data_offset;
    if (have < expected)
        return rfnas__error(RFNAS_E_FORMAT,
                            "idx: %s: truncated: the header promises %zu data bytes, the file "
                            "holds %zu",
                            path, expected, have);
    if (have > expected)
        return rfnas__error(RFNAS_E_FORMAT,
                            "idx: %s: %zu bytes of trailing data after the %zu the header promises",
                            path, have - expected, expected);
    return RFNAS_OK;
}

rfnas_status rfnas__idx_open(rfnas_dataset **out, rfnas_ctx *ctx, const char *images_path,
                             const char *labels_path, int64_t classes)
{
    idx_file img, lab;
    RFNAS__TRY(idx_read(ctx, images_path, "images", 3, 4, &img));
    rfnas_status rc = idx_read(ctx, labels_path, "labels", 1, 1, &lab);
    if (rc != RFNAS_OK) {
        rfnas__free(ctx, img.bytes);
        return rc;
    }
    int32_t *labels = NULL;
    int64_t n = img.dims[0];
    int64_t c = img.ndims == 4 ? img.dims[1] : 1;
    int64_t h = img.dims[img.ndims - 2], w = img.dims[img.ndims - 1];
    size_t total;
    char what[600];
    snprintf(what, sizeof what, "idx: %s", images_path);
    rc = rfnas__shape_check(n, c, h, w, RFNAS_E_FORMAT, what, NULL, &total);
    if (rc == RFNAS_OK)
        rc = check_size(&img, images_path, total);
    if (rc == RFNAS_OK && lab.dims[0] == 0)
        rc = rfnas__error(RFNAS_E_FORMAT, "idx: %s: holds no labels (empty dataset)", labels_path);
    if (rc == RFNAS_OK)
        rc = check_size(&lab, labels_path, lab.dims[0]);
    if (rc == RFNAS_OK && (int64_t)lab.dims[0] != n)
        rc = rfnas__error(RFNAS_E_MISMATCH, "idx: %s holds %lld images but %s holds %u labels",
                          images_path, (long long)n, labels_path, lab.dims[0]);
    if (rc == RFNAS_OK) {
        labels = rfnas__alloc(ctx, (size_t)n * sizeof *labels);
        if (labels == NULL)
            rc = RFNAS__NOMEM("idx labels");
    }
    int max_label = 0;
    for (int64_t i = 0; rc == RFNAS_OK && i < n; i++) {
        uint8_t y = lab.bytes[lab.data_offset + (size_t)i];
        if (classes > 0 && y >= classes) {
            rc = rfnas__error(RFNAS_E_FORMAT,
                              "idx: %s: label %u of sample %lld is out of range 0..%lld",
                              labels_path, y, (long long)i, (long long)(classes - 1));
            break;
        }
        labels[i] = y;
        max_label = y > max_label ? y : max_label;
    }
    rfnas__free(ctx, lab.bytes);
    if (rc != RFNAS_OK) {
        rfnas__free(ctx, labels);
        rfnas__free(ctx, img.bytes);
        return rc;
    }
    /* The pixels stay in the file buffer, after the header: no copy. */
    return rfnas__dataset_wrap(out, ctx, img.bytes, img.bytes + img.data_offset, NULL, labels, n,
                               c, h, w, classes > 0 ? classes : max_label + 1);
}
