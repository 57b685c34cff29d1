#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

int rfnas__source_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static rfnas_status open_failure(const char *path, int err)
{
    if (err == ENOENT || err == ENOTDIR)
        return rfnas__error(RFNAS_E_NOTFOUND, "%s: no such file", path);
    return rfnas__error(RFNAS_E_IO, "%s: cannot open: %s", path, strerror(err));
}

/* Reads exactly @p n bytes, retrying short reads; 0 on success, else errno. */
static int read_exact(int fd, uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, buf, n > (size_t)1 << 30 ? (size_t)1 << 30 : n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (got == 0)
            return EIO; /* the file shrank under us */
        buf += got;
        n -= (size_t)got;
    }
    return 0;
}

static rfnas_status read_plain(rfnas_ctx *ctx, const char *path, int fd, size_t size,
                               size_t max_bytes, uint8_t **data)
{
    if (size > max_bytes)
        return rfnas__error(RFNAS_E_FORMAT, "%s: file of %zu bytes exceeds the %zu-byte limit",
                            path, size, max_bytes);
    uint8_t *buf = rfnas__alloc(ctx, size);
    if (buf == NULL)
        return rfnas__error(RFNAS_E_NOMEM, "%s: out of memory for %zu bytes", path, size);
    int err = read_exact(fd, buf, size);
    if (err != 0) {
        rfnas__free(ctx, buf);
        return rfnas__error(RFNAS_E_IO, "%s: read failed: %s", path, strerror(err));
    }
    *data = buf;
    return RFNAS_OK;
}

/* Grows @p *buf from @p used bytes to @p cap bytes (the context has no realloc hook). */
static int grow(rfnas_ctx *ctx, uint8_t **buf, size_t used, size_t cap)
{
    uint8_t *bigger = rfnas__alloc(ctx, cap);
    if (bigger == NULL)
        return 0;
    if (used)
        memcpy(bigger, *buf, used);
    rfnas__free(ctx, *buf);
    *buf = bigger;
    return 1;
}

static rfnas_status read_gzip(rfnas_ctx *ctx, const char *path, int fd, size_t compressed_size,
                              size_t max_bytes, uint8_t **data, size_t *len)
{
    int dupfd = dup(fd); /* gzclose closes its descriptor; the caller closes fd */
    if (dupfd < 0)
        return rfnas__error(RFNAS_E_IO, "%s: dup failed: %s", path, strerror(errno));
    gzFile gz = gzdopen(dupfd, "rb");
    if (gz == NULL) {
        close(dupfd);
        return rfnas__error(RFNAS_E_NOMEM, "%s: cannot start gzip reader", path);
    }
    gzbuffer(gz, 1u << 17);
    /* Typical image data compresses 2-8x: start at 4x the compressed size. */
    size_t cap = compressed_size < ((size_t)1 << 20) ? (size_t)1 << 22 : compressed_size * 4;
    if (cap > max_bytes + 1)
        cap = max_bytes + 1;
    size_t used = 0;
    uint8_t *buf = rfnas__alloc(ctx, cap);
    rfnas_status rc = RFNAS_OK;
    if (buf == NULL) {
        rc = rfnas__error(RFNAS_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    for (;;) {
        if (used == cap) {
            if (used > max_bytes) {
                rc = rfnas__error(RFNAS_E_FORMAT,
                                  "%s: gzip stream inflates to more than the %zu-byte limit", path,
                                  max_bytes);
                goto done;
            }
            size_t next = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            if (!grow(ctx, &buf, used, next)) {
                rc = rfnas__error(RFNAS_E_NOMEM, "%s: out of memory for %zu bytes", path, next);
                goto done;
            }
            cap = next;
        }
        size_t want = cap - used > (size_t)INT_MAX ? (size_t)INT_MAX : cap - used;
        int got = gzread(gz, buf + used, (unsigned)want);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            rc = rfnas__error(zerr == Z_MEM_ERROR ? RFNAS_E_NOMEM
                              : zerr == Z_ERRNO    ? RFNAS_E_IO
                                                   : RFNAS_E_FORMAT,
                              "%s: corrupt gzip stream: %s", path, msg);
            goto done;
        }
        if (got == 0)
            break;
        used += (size_t)got;
    }
    int zerr;
    const char *msg = gzerror(gz, &zerr);
    if (zerr != Z_OK) {
        /* zlib reports a stream cut short as Z_BUF_ERROR "unexpected end of file". */
        rc = rfnas__error(RFNAS_E_FORMAT, "%s: %s gzip stream: %s", path,
                          zerr == Z_BUF_ERROR ? "truncated" : "corrupt", msg);
        goto done;
    }
    if (used > max_bytes) {
        rc = rfnas__error(RFNAS_E_FORMAT, "%s: gzip stream inflates to more than %zu bytes", path,
                          max_bytes);
        goto done;
    }
    *data = buf;
    *len = used;
    buf = NULL;
done:
    rfnas__free(ctx, buf);
    gzclose(gz);
    return rc;
}

rfnas_status rfnas__source_read_all(rfnas_ctx *ctx, const char *path, size_t max_bytes,
                                    uint8_t **data, size_t *len, int *compressed)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return open_failure(path, errno);
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int err = errno;
        close(fd);
        return rfnas__error(RFNAS_E_IO, "%s: stat failed: %s", path, strerror(err));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return rfnas__error(RFNAS_E_IO, "%s: not a regular file", path);
    }
    size_t size = (size_t)sb.st_size;
    uint8_t magic[2] = {0, 0};
    ssize_t got = size >= 2 ? pread(fd, magic, 2, 0) : 0;
    if (got < 0) {
        int err = errno;
        close(fd);
        return rfnas__error(RFNAS_E_IO, "%s: read failed: %s", path, strerror(err));
    }
    int is_gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    rfnas_status rc;
    if (is_gzip) {
        rc = read_gzip(ctx, path, fd, size, max_bytes, data, len);
    } else {
        rc = read_plain(ctx, path, fd, size, max_bytes, data);
        if (rc == RFNAS_OK)
            *len = size;
    }
    close(fd);
    if (compressed)
        *compressed = is_gzip;
    return rc;
}
