/* Thread-local error text and status helpers (internal). */
#ifndef RFNAS_CORE_ERROR_H
#define RFNAS_CORE_ERROR_H

#include "rfnas.h"

#if defined(__GNUC__)
#define RFNAS__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RFNAS__PRINTF(a, b)
#endif

/* Clears the calling thread's message; every public entry point calls it first,
 * so that rfnas_error_last() always describes the latest call. */
void rfnas__error_clear(void);

/* Formats the thread's message and returns @p status, so failures read
 * `return rfnas__error(RFNAS_E_FORMAT, "idx: %s: bad magic", path);`. */
rfnas_status rfnas__error(rfnas_status status, const char *fmt, ...) RFNAS__PRINTF(2, 3);

/* Prefixes the current message with "what: " (for context added on the way up). */
void rfnas__error_prefix(const char *fmt, ...) RFNAS__PRINTF(1, 2);

/* Shorthand for the most common failure of all. */
#define RFNAS__NOMEM(what) rfnas__error(RFNAS_E_NOMEM, "%s: out of memory", (what))

/* Propagate a failing status. */
#define RFNAS__TRY(expr)                                                                           \
    do {                                                                                           \
        rfnas_status rfnas__rc = (expr);                                                           \
        if (rfnas__rc < 0)                                                                         \
            return rfnas__rc;                                                                      \
    } while (0)

#endif
