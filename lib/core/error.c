/* Status strings and the thread-local error message (STYLE R5). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { ERROR_TEXT_MAX = 1024 };

static _Thread_local char error_text[ERROR_TEXT_MAX];

void rfnas__error_clear(void)
{
    error_text[0] = '\0';
}

rfnas_status rfnas__error(rfnas_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
    return status;
}

void rfnas__error_prefix(const char *fmt, ...)
{
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix - 2, fmt, ap);
    va_end(ap);
    strcat(prefix, ": ");
    /* Shift the old message right and put the prefix in front; truncation at
     * the end of the buffer is acceptable for a diagnostic. */
    size_t plen = strlen(prefix);
    size_t olen = strlen(error_text);
    if (plen + olen + 1 > ERROR_TEXT_MAX)
        olen = ERROR_TEXT_MAX - 1 - plen;
    memmove(error_text + plen, error_text, olen);
    memcpy(error_text, prefix, plen);
    error_text[plen + olen] = '\0';
}

const char *rfnas_error_last(void)
{
    return error_text;
}

const char *rfnas_status_string(rfnas_status s)
{
    switch (s) {
    case RFNAS_OK: return "success";
    case RFNAS_END: return "end of iteration";
    case RFNAS_E_INVALID: return "invalid argument";
    case RFNAS_E_NOMEM: return "out of memory";
    case RFNAS_E_IO: return "input/output error";
    case RFNAS_E_FORMAT: return "malformed data";
    case RFNAS_E_MISMATCH: return "mismatched shapes or sizes";
    case RFNAS_E_UNSUPPORTED: return "unsupported";
    case RFNAS_E_BACKEND: return "oneDNN backend failure";
    case RFNAS_E_STATE: return "call not allowed in the current state";
    case RFNAS_E_BUFSIZE: return "buffer too small";
    case RFNAS_E_NOTFOUND: return "not found";
    case RFNAS_STATUS_MAX_: break;
    }
    return "unknown status";
}
