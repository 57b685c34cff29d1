/* Genotype text (SPEC 7.5): the NAS-Bench-201 arch string and the DARTS
 * Genotype(...) form. Parsing is strict and reports the byte offset of the
 * first problem; formatting reproduces the canonical form of what was parsed. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "genotype.h"

typedef struct parser {
    const char *text;
    const char *p;
} parser;

static rfnas_status syntax(const parser *ps, const char *what)
{
    return rfnas__error(RFNAS_E_FORMAT, "rfnas_genotype_parse: at offset %td: %s (near \"%.16s\")",
                        ps->p - ps->text, what, ps->p);
}

static void skip_ws(parser *ps)
{
    while (*ps->p && isspace((unsigned char)*ps->p))
        ps->p++;
}

/* Consumes @p token after optional whitespace. */
static int accept(parser *ps, const char *token)
{
    skip_ws(ps);
    size_t n = strlen(token);
    if (strncmp(ps->p, token, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

static rfnas_status expect(parser *ps, const char *token)
{
    if (accept(ps, token))
        return RFNAS_OK;
    char what[64];
    snprintf(what, sizeof what, "expected \"%s\"", token);
    return syntax(ps, what);
}

/* A small non-negative decimal integer. */
static rfnas_status parse_index(parser *ps, int *value)
{
    skip_ws(ps);
    if (!isdigit((unsigned char)*ps->p))
        return syntax(ps, "expected an input index");
    int v = 0;
    while (isdigit((unsigned char)*ps->p)) {
        v = v * 10 + (*ps->p++ - '0');
        if (v > 99)
            return syntax(ps, "input index too large");
    }
    *value = v;
    return RFNAS_OK;
}

static rfnas_status parse_op_name(parser *ps, size_t len, uint8_t *op)
{
    int o = rfnas__op_from_name(ps->p, len);
    if (o < 0) {
        char what[96];
        snprintf(what, sizeof what, "unknown op \"%.*s\"", (int)(len > 40 ? 40 : len), ps->p);
        return syntax(ps, what);
    }
    *op = (uint8_t)o;
    ps->p += len;
    return RFNAS_OK;
}

/* "|op~j|op~j|+|op~j|..." with node i holding exactly i pairs, inputs 0..i-1 once each. */
static rfnas_status parse_nb201(parser *ps, rfnas_genotype *g)
{
    int k = 0;
    for (int node = 1; node <= 3; node++) {
        if (node > 1)
            RFNAS__TRY(expect(ps, "+"));
        RFNAS__TRY(expect(ps, "|"));
        int seen = 0;
        for (int e = 0; e < node; e++) {
            const char *tilde = strchr(ps->p, '~');
            const char *bar = strchr(ps->p, '|');
            if (tilde == NULL || (bar && bar < tilde))
                return syntax(ps, e == 0 ? "expected op~index" : "node has too few edges");
            RFNAS__TRY(parse_op_name(ps, (size_t)(tilde - ps->p), &g->cell[0][k].op));
            ps->p++; /* '~' */
            int j;
            if (!isdigit((unsigned char)*ps->p))
                return syntax(ps, "expected an input index after '~'");
            RFNAS__TRY(parse_index(ps, &j));
            if (j >= node || (seen >> j & 1)) {
                char what[96];
                snprintf(what, sizeof what, "bad input index %d for node %d (each of 0..%d once)",
                         j, node, node - 1);
                return syntax(ps, what);
            }
            seen |= 1 << j;
            g->cell[0][k].target = (uint8_t)node;
            g->cell[0][k].source = (uint8_t)j;
            k++;
            if (*ps->p != '|')
                return syntax(ps, "expected '|'");
            ps->p++;
        }
        if (*ps->p && *ps->p != '+' && !isspace((unsigned char)*ps->p)) {
            char what[64];
            snprintf(what, sizeof what, "node %d has more than %d edges", node, node);
            return syntax(ps, what);
        }
    }
    return RFNAS_OK;
}

static rfnas_status parse_pairs(parser *ps, rfnas_genotype *g, int cell)
{
    RFNAS__TRY(expect(ps, "["));
    for (int k = 0; k < 8; k++) {
        if (k > 0 && !accept(ps, ","))
            return syntax(ps, "expected 8 (op, input) pairs, 2 per node");
        RFNAS__TRY(expect(ps, "("));
        skip_ws(ps);
        char q = *ps->p;
        if (q != '\'' && q != '"')
            return syntax(ps, "expected a quoted op name");
        if (cell == 0 && k == 0)
            g->quote = q;
        ps->p++;
        const char *end = strchr(ps->p, q);
        if (end == NULL)
            return syntax(ps, "unterminated op name");
        RFNAS__TRY(parse_op_name(ps, (size_t)(end - ps->p), &g->cell[cell][k].op));
        ps->p++;
        RFNAS__TRY(expect(ps, ","));
        int j;
        RFNAS__TRY(parse_index(ps, &j));
        int node = k / 2, target = node + 2;
        if (j >= target) {
            char what[96];
            snprintf(what, sizeof what, "bad input index %d for node %d (0..%d)", j, node,
                     target - 1);
            return syntax(ps, what);
        }
        g->cell[cell][k].target = (uint8_t)target;
        g->cell[cell][k].source = (uint8_t)j;
        RFNAS__TRY(expect(ps, ")"));
    }
    if (accept(ps, ","))
        return syntax(ps, "more than 8 pairs (the cell has 4 nodes of 2 inputs)");
    return expect(ps, "]");
}

static rfnas_status parse_concat(parser *ps, rfnas_genotype *g, int cell)
{
    int seen = 0, n = 0;
    if (accept(ps, "range")) {
        int a, b;
        RFNAS__TRY(expect(ps, "("));
        RFNAS__TRY(parse_index(ps, &a));
        RFNAS__TRY(expect(ps, ","));
        RFNAS__TRY(parse_index(ps, &b));
        RFNAS__TRY(expect(ps, ")"));
        if (a >= b || b > RFNAS__MAX_STATES)
            return syntax(ps, "concat range must lie within states 0..5");
        for (int s = a; s < b; s++)
            g->concat[cell][n++] = (uint8_t)s;
        g->concat_as_range[cell] = 1;
    } else {
        RFNAS__TRY(expect(ps, "["));
        do {
            int s;
            RFNAS__TRY(parse_index(ps, &s));
            if (s >= RFNAS__MAX_STATES || (seen >> s & 1))
                return syntax(ps, "concat lists states 0..5, each at most once");
            seen |= 1 << s;
            g->concat[cell][n++] = (uint8_t)s;
        } while (accept(ps, ","));
        RFNAS__TRY(expect(ps, "]"));
        g->concat_as_range[cell] = 0;
    }
    g->concat_len[cell] = n;
    return RFNAS_OK;
}

static rfnas_status parse_darts(parser *ps, rfnas_genotype *g)
{
    static const char *const names[2][2] = {{"normal", "normal_concat"},
                                            {"reduce", "reduce_concat"}};
    RFNAS__TRY(expect(ps, "Genotype"));
    RFNAS__TRY(expect(ps, "("));
    for (int c = 0; c < 2; c++) {
        if (c > 0)
            RFNAS__TRY(expect(ps, ","));
        RFNAS__TRY(expect(ps, names[c][0]));
        RFNAS__TRY(expect(ps, "="));
        RFNAS__TRY(parse_pairs(ps, g, c));
        RFNAS__TRY(expect(ps, ","));
        RFNAS__TRY(expect(ps, names[c][1]));
        RFNAS__TRY(expect(ps, "="));
        RFNAS__TRY(parse_concat(ps, g, c));
    }
    return expect(ps, ")");
}

/* With a space: every op must be a candidate on its edge (SPEC 3.4's per-edge lists). */
static rfnas_status check_against(const rfnas_genotype *g, const rfnas_space *s)
{
    if (s->topology != g->topology)
        return rfnas__error(RFNAS_E_MISMATCH,
                            "rfnas_genotype_parse: a %s genotype does not fit space %s",
                            g->topology == RFNAS_TOPOLOGY_NB201 ? "NAS-Bench-201" : "DARTS",
                            s->name);
    for (int c = 0; c < g->cell_types; c++)
        for (int k = 0; k < g->pairs; k++) {
            const rfnas__pair *p = &g->cell[c][k];
            int e = rfnas__edge_index(g->topology, p->target, p->source);
            if (rfnas__space_op_column(s, c, e, (rfnas__op)p->op) < 0)
                return rfnas__error(RFNAS_E_MISMATCH,
                                    "rfnas_genotype_parse: %s cell, node %d input %d: space %s "
                                    "offers no %s on that edge",
                                    c ? "reduce" : "normal", p->target, p->source, s->name,
                                    rfnas__op_info_of((rfnas__op)p->op)->name);
        }
    return RFNAS_OK;
}

rfnas_status rfnas_genotype_parse(rfnas_genotype **out, const char *text, const rfnas_space *space)
{
    static const char fn[] = "rfnas_genotype_parse";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_ARG(text != NULL, "%s: text is NULL", fn);
    if (space != NULL)
        RFNAS__CHECK_HANDLE(space, RFNAS__TAG_SPACE);
    parser ps = {text, text};
    skip_ws(&ps);
    if (*ps.p == '\0')
        return syntax(&ps, "empty genotype text");
    rfnas_topology topology = *ps.p == '|' ? RFNAS_TOPOLOGY_NB201 : RFNAS_TOPOLOGY_DARTS;
    rfnas_genotype *g = rfnas__genotype_new(topology);
    if (g == NULL)
        return RFNAS__NOMEM(fn);
    rfnas_status rc = topology == RFNAS_TOPOLOGY_NB201 ? parse_nb201(&ps, g) : parse_darts(&ps, g);
    if (rc == RFNAS_OK) {
        skip_ws(&ps);
        if (*ps.p != '\0')
            rc = syntax(&ps, "trailing characters after the genotype");
    }
    if (rc == RFNAS_OK && space != NULL)
        rc = check_against(g, space);
    if (rc != RFNAS_OK) {
        rfnas_genotype_destroy(g);
        return rc;
    }
    *out = g;
    return RFNAS_OK;
}

/* Appends to a bounded buffer, counting what would have been written. */
typedef struct sink {
    char *buf;
    size_t cap, len;
} sink;

static void put(sink *s, const char *fmt, ...) RFNAS__PRINTF(2, 3);
static void put(sink *s, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    for (int i = 0; i < n; i++, s->len++)
        if (s->buf && s->len + 1 < s->cap)
            s->buf[s->len] = tmp[i];
}

static void format_darts_cell(sink *s, const rfnas_genotype *g, int c)
{
    static const char *const names[2] = {"normal", "reduce"};
    put(s, "%s%s=[", c ? ", " : "", names[c]);
    for (int k = 0; k < g->pairs; k++)
        put(s, "%s(%c%s%c, %d)", k ? ", " : "", g->quote,
            rfnas__op_info_of((rfnas__op)g->cell[c][k].op)->name, g->quote, g->cell[c][k].source);
    put(s, "], %s_concat=", names[c]);
    if (g->concat_as_range[c]) {
        put(s, "range(%d, %d)", g->concat[c][0], g->concat[c][g->concat_len[c] - 1] + 1);
    } else {
        put(s, "[");
        for (int k = 0; k < g->concat_len[c]; k++)
            put(s, "%s%d", k ? ", " : "", g->concat[c][k]);
        put(s, "]");
    }
}

rfnas_status rfnas_genotype_format(const rfnas_genotype *g, char *buf, size_t cap, size_t *len)
{
    static const char fn[] = "rfnas_genotype_format";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(g, RFNAS__TAG_GENOTYPE);
    RFNAS__CHECK_ARG(buf != NULL || cap == 0, "%s: buf is NULL but cap is %zu", fn, cap);
    sink s = {buf, cap, 0};
    if (g->topology == RFNAS_TOPOLOGY_NB201) {
        for (int k = 0; k < g->pairs; k++) {
            const rfnas__pair *p = &g->cell[0][k];
            int starts_node = k == 0 || g->cell[0][k - 1].target != p->target;
            put(&s, "%s%s~%d|", starts_node ? (k ? "+|" : "|") : "",
                rfnas__op_info_of((rfnas__op)p->op)->name, p->source);
        }
    } else {
        put(&s, "Genotype(");
        format_darts_cell(&s, g, 0);
        format_darts_cell(&s, g, 1);
        put(&s, ")");
    }
    if (len)
        *len = s.len;
    if (buf == NULL && cap == 0)
        return RFNAS_OK;
    if (s.len + 1 > cap) {
        if (cap)
            buf[0] = '\0';
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: the text needs %zu bytes plus the NUL, buffer holds %zu",
                            fn, s.len, cap);
    }
    buf[s.len] = '\0';
    return RFNAS_OK;
}
