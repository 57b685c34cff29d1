#define _GNU_SOURCE
#include "test_support.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

char *ts_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/rfnas-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpl) == NULL)
        return NULL;
    return strdup(tmpl);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (unlink(p) != 0)
                remove_tree(p); /* a directory */
        }
        closedir(d);
    }
    rmdir(dir);
}

void ts_rmdir(char *dir)
{
    if (dir == NULL)
        return;
    remove_tree(dir);
    free(dir);
}

const char *ts_path(const char *dir, const char *name)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ & 7];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

int ts_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = len ? fwrite(data, 1, len, f) : 0;
    int rc = fclose(f);
    return (n == len && rc == 0) ? 0 : -1;
}

int ts_write_gz(const char *path, const void *data, size_t len)
{
    gzFile f = gzopen(path, "wb6");
    if (!f)
        return -1;
    const uint8_t *p = data;
    while (len > 0) {
        unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
        if (gzwrite(f, p, chunk) != (int)chunk) {
            gzclose(f);
            return -1;
        }
        p += chunk;
        len -= chunk;
    }
    return gzclose(f) == Z_OK ? 0 : -1;
}

uint8_t *ts_read_all(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        int got = gzread(f, buf + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
        if (got < 0) {
            free(buf);
            gzclose(f);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(f);
    *len = n;
    return buf;
}

size_t ts_idx_header(uint8_t *out, uint8_t type, int ndims, const uint32_t *dims)
{
    out[0] = 0;
    out[1] = 0;
    out[2] = type;
    out[3] = (uint8_t)ndims;
    for (int i = 0; i < ndims; i++) {
        out[4 + 4 * i] = (uint8_t)(dims[i] >> 24);
        out[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
        out[6 + 4 * i] = (uint8_t)(dims[i] >> 8);
        out[7 + 4 * i] = (uint8_t)dims[i];
    }
    return 4 + 4 * (size_t)ndims;
}
