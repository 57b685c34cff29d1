/* CIFAR binary batches (SPEC 10.1, 10.2): fixed-size records, no header.
 * CIFAR-10: 1 label byte (0..9) + 3072 pixel bytes (R, G, B planes of 32x32).
 * CIFAR-100: coarse label (0..19), fine label (0..99), then the 3072 pixels. */
#include <string.h>

#include "dataset.h"
#include "source.h"

enum { CIFAR_PIXELS = 3 * 32 * 32, CIFAR_MAX_FILE = 1 << 30 };

rfnas_status rfnas__cifar_open(rfnas_dataset **out, rfnas_ctx *ctx, const char *const *paths,
                               size_t n_paths, int cifar100, int coarse)
{
    const size_t label_bytes = cifar100 ? 2 : 1;
    const size_t record = label_bytes + CIFAR_PIXELS;
    const int64_t classes = cifar100 ? (coarse ? 20 : 100) : 10;
    const size_t label_at = cifar100 ? (coarse ? 0 : 1) : 0;

    uint8_t **files = rfnas__calloc(ctx, n_paths, sizeof *files);
    size_t *lens = rfnas__calloc(ctx, n_paths, sizeof *lens);
    uint8_t *pixels = NULL;
    int32_t *labels = NULL;
    rfnas_status rc = RFNAS_OK;
    if (files == NULL || lens == NULL) {
        rc = RFNAS__NOMEM("cifar");
        goto done;
    }
    /* Read and validate every file before building anything. */
    int64_t n = 0;
    for (size_t f = 0; f < n_paths; f++) {
        rc = rfnas__source_read_all(ctx, paths[f], CIFAR_MAX_FILE, &files[f], &lens[f], NULL);
        if (rc != RFNAS_OK) {
            rfnas__error_prefix("cifar");
            goto done;
        }
        if (lens[f] == 0) {
            rc = rfnas__error(RFNAS_E_FORMAT, "cifar: %s: empty file (no records)", paths[f]);
            goto done;
        }
        if (lens[f] % record != 0) {
            rc = rfnas__error(RFNAS_E_FORMAT,
                              "cifar: %s: %zu bytes is not a whole number of %zu-byte %s records "
                              "(truncated or not a %s file)",
                              paths[f], lens[f], record, cifar100 ? "CIFAR-100" : "CIFAR-10",
                              cifar100 ? "CIFAR-100" : "CIFAR-10");
            goto done;
        }
        size_t records = lens[f] / record;
        for (size_t r = 0; r < records; r++) {
            const uint8_t *rec = files[f] + r * record;
            int limits[2] = {cifar100 ? 20 : 10, 100};
            for (size_t k = 0; k < label_bytes; k++) {
                if (rec[k] >= limits[k]) {
                    rc = rfnas__error(RFNAS_E_FORMAT,
                                      "cifar: %s: record %zu: %s label %u is out of range 0..%d",
                                      paths[f], r,
                                      cifar100 ? (k == 0 ? "coarse" : "fine") : "class", rec[k],
                                      limits[k] - 1);
                    goto done;
                }
            }
        }
        n += (int64_t)records;
    }
    size_t total;
    rc = rfnas__shape_check(n, 3, 32, 32, RFNAS_E_FORMAT, "cifar", NULL, &total);
    if (rc != RFNAS_OK)
        goto done;
    pixels = rfnas__alloc(ctx, total);
    labels = rfnas__alloc(ctx, (size_t)n * sizeof *labels);
    if (pixels == NULL || labels == NULL) {
        rc = RFNAS__NOMEM("cifar");
        goto done;
    }
    int64_t i = 0;
    for (size_t f = 0; f < n_paths; f++) {
        for (size_t r = 0; r < lens[f] / record; r++, i++) {
            const uint8_t *rec = files[f] + r * record;
            labels[i] = rec[label_at];
            memcpy(pixels + (size_t)i * CIFAR_PIXELS, rec + label_bytes, CIFAR_PIXELS);
        }
    }
    rc = rfnas__dataset_wrap(out, ctx, pixels, pixels, NULL, labels, n, 3, 32, 32, classes);
    pixels = NULL;
    labels = NULL;
done:
    for (size_t f = 0; files && f < n_paths; f++)
        rfnas__free(ctx, files[f]);
    rfnas__free(ctx, files);
    rfnas__free(ctx, lens);
    rfnas__free(ctx, pixels);
    rfnas__free(ctx, labels);
    return rc;
}
