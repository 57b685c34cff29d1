#include "flags.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../search/report.h"

const flag *flags_find(const flag_table *t, const char *name, size_t len)
{
    for (int i = 0; i < t->n; i++)
        if (strlen(t->flags[i].name) == len && strncmp(t->flags[i].name, name, len) == 0)
            return &t->flags[i];
    return NULL;
}

static int in_choices(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

int flags_set(const flag_table *t, void *base, const flag *fl, const char *v, char *err, size_t cap)
{
    char *field = (char *)base + fl->offset;
    char *end;
    switch (fl->kind) {
    case FLAG_INT:
    case FLAG_SWITCH: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end != '\0') {
            snprintf(err, cap, "--%s: \"%.100s\" is not an integer", fl->name, v);
            return -1;
        }
        if ((double)x < fl->lo || (double)x > fl->hi) {
            snprintf(err, cap, "--%s: %lld is outside %g..%g", fl->name, x, fl->lo, fl->hi);
            return -1;
        }
        *(long *)(void *)field = (long)x;
        return 0;
    }
    case FLAG_DOUBLE: {
        errno = 0;
        double x = strtod(v, &end);
        if (errno || end == v || *end != '\0' || !isfinite(x)) {
            snprintf(err, cap, "--%s: \"%.100s\" is not a number", fl->name, v);
            return -1;
        }
        if (x < fl->lo || x > fl->hi) {
            snprintf(err, cap, "--%s: %g is outside %g..%g", fl->name, x, fl->lo, fl->hi);
            return -1;
        }
        *(double *)(void *)field = x;
        return 0;
    }
    case FLAG_CHOICE:
        if (!in_choices(fl->choices, v)) {
            snprintf(err, cap, "--%s: \"%.100s\" is not one of %s", fl->name, v, fl->choices);
            return -1;
        }
        /* fall through */
    case FLAG_TEXT:
        /* A newline would break the checkpoint's name=value lines. */
        if (strlen(v) >= t->text_cap || strchr(v, '\n')) {
            snprintf(err, cap, "--%s: value longer than %zu bytes or contains a newline", fl->name,
                     t->text_cap - 1);
            return -1;
        }
        strcpy(field, v);
        return 0;
    }
    return -1;
}

void flags_value_text(const void *base, const flag *fl, char *buf, size_t cap)
{
    const char *field = (const char *)base + fl->offset;
    switch (fl->kind) {
    case FLAG_INT:
    case FLAG_SWITCH: snprintf(buf, cap, "%ld", *(const long *)(const void *)field); break;
    case FLAG_DOUBLE: snprintf(buf, cap, "%.17g", *(const double *)(const void *)field); break;
    case FLAG_CHOICE:
    case FLAG_TEXT: snprintf(buf, cap, "%s", field); break;
    }
}

void flags_defaults(const flag_table *t, void *base, size_t size)
{
    memset(base, 0, size);
    char err[256];
    for (int i = 0; i < t->n; i++)
        flags_set(t, base, &t->flags[i], t->flags[i].def, err, sizeof err);
}

void flags_print(const flag_table *t)
{
    for (int i = 0; i < t->n; i++) {
        const flag *fl = &t->flags[i];
        char head[64];
        snprintf(head, sizeof head, "--%s%s", fl->name,
                 fl->kind == FLAG_SWITCH   ? ""
                 : fl->kind == FLAG_CHOICE ? " X"
                 : fl->kind == FLAG_TEXT   ? " TEXT"
                                           : " N");
        printf("  %-22s %s", head, fl->help);
        if (fl->kind == FLAG_CHOICE)
            printf(" (%s)", fl->choices);
        if (fl->kind != FLAG_SWITCH && fl->def[0])
            printf(" [%s]", fl->def);
        printf("\n");
    }
    printf("  %-22s %s\n", "--help", "this text");
}

int flags_parse(const flag_table *t, void *base, int argc, char **argv, void (*help)(void),
                char *err, size_t cap, char *given, size_t given_cap)
{
    size_t given_len = 0;
    if (given && given_cap)
        given[0] = '\0';
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help();
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            snprintf(err, cap, "unexpected argument \"%.200s\" (flags start with --; see --help)",
                     a);
            return -1;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const flag *fl = flags_find(t, name, len);
        if (fl == NULL) {
            snprintf(err, cap, "unknown flag --%.*s (see --help)", (int)(len < 100 ? len : 100),
                     name);
            return -1;
        }
        const char *value;
        if (eq)
            value = eq + 1;
        else if (fl->kind == FLAG_SWITCH)
            value = "1";
        else if (i + 1 < argc)
            value = argv[++i];
        else {
            snprintf(err, cap, "--%s needs a value", fl->name);
            return -1;
        }
        if (flags_set(t, base, fl, value, err, cap) != 0)
            return -1;
        if (given && given_len + strlen(fl->name) + 2 < given_cap)
            given_len +=
                (size_t)snprintf(given + given_len, given_cap - given_len, "%s\n", fl->name);
    }
    return 0;
}

int flags_was_given(const char *given, const char *name)
{
    const size_t n = strlen(name);
    for (const char *p = given; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (nl != NULL);
    }
    return 0;
}

const char *flags_first_change(const flag_table *t, const void *now, const void *run,
                               const char *given, char *mine, char *theirs, size_t cap)
{
    for (const char *g = given; *g;) {
        const char *nl = strchr(g, '\n');
        size_t len = nl ? (size_t)(nl - g) : strlen(g);
        const flag *fl = flags_find(t, g, len);
        g += len + (nl != NULL);
        /* out, resume, quiet and the like may change: they are not the run's. */
        if (fl == NULL || !fl->identity)
            continue;
        flags_value_text(now, fl, mine, cap);
        flags_value_text(run, fl, theirs, cap);
        if (strcmp(mine, theirs) != 0)
            return fl->name;
    }
    return NULL;
}

size_t flags_serialize(const flag_table *t, const void *base, char *buf, size_t cap)
{
    size_t at = 0;
    char *v = malloc(t->text_cap + 32);
    if (v == NULL)
        return 0;
    for (int i = 0; i < t->n; i++) {
        if (!t->flags[i].identity)
            continue;
        flags_value_text(base, &t->flags[i], v, t->text_cap + 32);
        int k = snprintf(buf + at, at < cap ? cap - at : 0, "%s=%s\n", t->flags[i].name, v);
        at += (size_t)k;
    }
    free(v);
    return at;
}

int flags_deserialize(const flag_table *t, void *base, const char *text, char *err, size_t cap)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        /* The name ends at the first '=': genotype text holds '=' of its own. */
        const char *eq = memchr(line, '=', len);
        const flag *fl = eq ? flags_find(t, line, (size_t)(eq - line)) : NULL;
        if (fl == NULL || !fl->identity) {
            snprintf(err, cap, "checkpoint settings: bad line \"%.*s\"", (int)(len < 60 ? len : 60),
                     line);
            return -1;
        }
        size_t vlen = len - (size_t)(eq + 1 - line);
        if (vlen >= t->text_cap) {
            snprintf(err, cap, "checkpoint settings: value of %s too long", fl->name);
            return -1;
        }
        char *value = malloc(vlen + 1);
        if (value == NULL) {
            snprintf(err, cap, "checkpoint settings: out of memory");
            return -1;
        }
        memcpy(value, eq + 1, vlen);
        value[vlen] = '\0';
        int rc = flags_set(t, base, fl, value, err, cap);
        free(value);
        if (rc != 0)
            return -1;
        line = nl ? nl + 1 : line + len;
    }
    return 0;
}

void flags_json(FILE *f, const flag_table *t, const void *base)
{
    for (int i = 0; i < t->n; i++) {
        const flag *fl = &t->flags[i];
        const char *field = (const char *)base + fl->offset;
        fprintf(f, "    ");
        json_string(f, fl->name);
        fprintf(f, ": ");
        switch (fl->kind) {
        case FLAG_INT:
        case FLAG_SWITCH: fprintf(f, "%ld", *(const long *)(const void *)field); break;
        case FLAG_DOUBLE: json_number(f, *(const double *)(const void *)field); break;
        case FLAG_CHOICE:
        case FLAG_TEXT: json_string(f, field); break;
        }
        fprintf(f, "%s\n", i + 1 < t->n ? "," : "");
    }
}
