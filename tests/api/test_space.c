/* Public API: search spaces and genotypes: SPEC 3, 5, 7 (derivation vectors of
 * 7.7, reference genotypes of 7.6, text formats of 7.5). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfnas.h"

static rfnas_space *space(const char *name)
{
    rfnas_space *s;
    if (rfnas_space_create(&s, name) != RFNAS_OK)
        fail_msg("%s", rfnas_error_last());
    return s;
}

static void assert_ops(const rfnas_space *s, rfnas_cell_type cell, int64_t edge,
                       const char *const *want, int64_t n)
{
    int64_t ops;
    rfnas_space_info(s, NULL, NULL, NULL, &ops);
    assert_int_equal(ops, n);
    for (int64_t k = 0; k < n; k++) {
        const char *name;
        assert_int_equal(rfnas_space_op_name(s, cell, edge, k, &name), RFNAS_OK);
        assert_string_equal(name, want[k]);
    }
}

static void test_space__standard_spaces(void **state)
{
    (void)state;
    static const char *const nb201[] = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                        "avg_pool_3x3"};
    static const char *const darts[] = {"none",         "max_pool_3x3", "avg_pool_3x3",
                                        "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
                                        "dil_conv_3x3", "dil_conv_5x5"};
    rfnas_topology topo;
    int64_t types, edges, ops;
    rfnas_space *s = space("nb201");
    assert_int_equal(rfnas_space_info(s, &topo, &types, &edges, &ops), RFNAS_OK);
    assert_int_equal(topo, RFNAS_TOPOLOGY_NB201);
    assert_int_equal(types, 1);
    assert_int_equal(edges, 6);
    for (int e = 0; e < 6; e++)
        assert_ops(s, RFNAS_CELL_NORMAL, e, nb201, 5);
    const char *name;
    assert_int_equal(rfnas_space_op_name(s, RFNAS_CELL_REDUCE, 0, 0, &name), RFNAS_E_INVALID);
    /* Rows in sorted "i<-j" order: 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2 (SPEC 5.2). */
    const int64_t tgt[6] = {1, 2, 2, 3, 3, 3}, src[6] = {0, 0, 1, 0, 1, 2};
    for (int e = 0; e < 6; e++) {
        int64_t t, j;
        assert_int_equal(rfnas_space_edge(s, e, &t, &j), RFNAS_OK);
        assert_int_equal(t, tgt[e]);
        assert_int_equal(j, src[e]);
    }
    assert_int_equal(rfnas_space_edge(s, 6, NULL, NULL), RFNAS_E_INVALID);
    rfnas_space_destroy(s);

    s = space("darts");
    assert_int_equal(rfnas_space_info(s, &topo, &types, &edges, &ops), RFNAS_OK);
    assert_int_equal(topo, RFNAS_TOPOLOGY_DARTS);
    assert_int_equal(types, 2);
    assert_int_equal(edges, 14);
    assert_ops(s, RFNAS_CELL_REDUCE, 13, darts, 8);
    /* Row of (node n, input j) = n(n+3)/2 + j (SPEC 5.1); target state = n + 2. */
    for (int n = 0; n < 4; n++)
        for (int j = 0; j < n + 2; j++) {
            int64_t t, jj;
            assert_int_equal(rfnas_space_edge(s, n * (n + 3) / 2 + j, &t, &jj), RFNAS_OK);
            assert_int_equal(t, n + 2);
            assert_int_equal(jj, j);
        }
    rfnas_space_destroy(s);

    /* RobustDARTS: S1 per-edge pairs, S2-S4 uniform lists (SPEC 3.4). */
    s = space("s1");
    static const char *const s1_n5[] = {"max_pool_3x3", "skip_connect"};
    static const char *const s1_r6[] = {"max_pool_3x3", "sep_conv_3x3"};
    static const char *const s1_n13[] = {"dil_conv_3x3", "dil_conv_5x5"};
    assert_ops(s, RFNAS_CELL_NORMAL, 5, s1_n5, 2);
    assert_ops(s, RFNAS_CELL_REDUCE, 6, s1_r6, 2);
    assert_ops(s, RFNAS_CELL_NORMAL, 13, s1_n13, 2);
    rfnas_space_destroy(s);
    static const char *const s3[] = {"none", "skip_connect", "sep_conv_3x3"};
    static const char *const s4[] = {"noise", "sep_conv_3x3"};
    s = space("s3");
    assert_ops(s, RFNAS_CELL_REDUCE, 7, s3, 3);
    rfnas_space_destroy(s);
    s = space("s4");
    assert_ops(s, RFNAS_CELL_NORMAL, 0, s4, 2);
    rfnas_space_destroy(s);

    assert_int_equal(rfnas_space_create(&s, "s5"), RFNAS_E_NOTFOUND);
    assert_null(s);
    assert_non_null(strstr(rfnas_error_last(), "s5"));
    assert_int_equal(rfnas_space_create(&s, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_space_create(NULL, "darts"), RFNAS_E_INVALID);
    rfnas_space_destroy(NULL);
}

static void test_space__custom_spaces(void **state)
{
    (void)state;
    const char *ops[] = {"skip_connect", "sep_conv_7x7", "noise"};
    rfnas_space *s;
    assert_int_equal(rfnas_space_create_custom(&s, RFNAS_TOPOLOGY_DARTS, ops, 3), RFNAS_OK);
    assert_ops(s, RFNAS_CELL_REDUCE, 9, ops, 3);
    rfnas_space_destroy(s);
    const char *bad[] = {"skip_connect", "sep_conv_9x9"};
    assert_int_equal(rfnas_space_create_custom(&s, RFNAS_TOPOLOGY_NB201, bad, 2), RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "sep_conv_9x9"));
    assert_null(s);
    const char *twice[] = {"none", "none"};
    assert_int_equal(rfnas_space_create_custom(&s, RFNAS_TOPOLOGY_NB201, twice, 2),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "twice"));
    assert_int_equal(rfnas_space_create_custom(&s, RFNAS_TOPOLOGY_NB201, ops, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas_space_create_custom(&s, RFNAS_TOPOLOGY_NB201, ops, 17),
                     RFNAS_E_INVALID);
    assert_int_equal(rfnas_space_create_custom(&s, (rfnas_topology)5, ops, 3), RFNAS_E_INVALID);
    assert_int_equal(rfnas_space_create_custom(&s, RFNAS_TOPOLOGY_NB201, NULL, 3),
                     RFNAS_E_INVALID);
}

/* Python's round(x, 4): correctly rounded through the exact decimal expansion, as printf does. */
static float round4(double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.4f", x);
    return (float)strtod(buf, NULL);
}

static char *format(const rfnas_genotype *g)
{
    size_t len;
    assert_int_equal(rfnas_genotype_format(g, NULL, 0, &len), RFNAS_OK);
    char *buf = malloc(len + 1);
    assert_int_equal(rfnas_genotype_format(g, buf, len + 1, NULL), RFNAS_OK);
    assert_int_equal(strlen(buf), len);
    return buf;
}

static void assert_cell(const rfnas_genotype *g, rfnas_cell_type cell, const char *want)
{
    /* @p want is the DARTS normal-cell list text, e.g. "[('skip_connect', 0), ...]". */
    char got[1024] = "[";
    for (int k = 0; k < 8; k++) {
        const char *op;
        int64_t source;
        assert_int_equal(rfnas_genotype_pair(g, cell, k, &op, NULL, &source), RFNAS_OK);
        char item[64];
        snprintf(item, sizeof item, "%s('%s', %lld)", k ? ", " : "", op, (long long)source);
        strcat(got, item);
    }
    strcat(got, "]");
    assert_string_equal(got, want);
}

static void test_genotype__derivation_vectors_of_spec_7_7(void **state)
{
    (void)state;
    rfnas_space *darts = space("darts");
    float alphas[2 * 14 * 8], betas[2 * 14];
    for (int c = 0; c < 2; c++)
        for (int e = 0; e < 14; e++) {
            for (int k = 0; k < 8; k++)
                alphas[(c * 14 + e) * 8 + k] = round4(sin(1.3 * e + 0.7 * k) * (0.1 + 0.05 * k));
            betas[c * 14 + e] = round4(cos(0.9 * e));
        }
    rfnas_genotype *g;
    assert_int_equal(rfnas_genotype_derive(&g, darts, alphas, 2 * 14 * 8, NULL, 0), RFNAS_OK);
    assert_cell(g, RFNAS_CELL_NORMAL,
                "[('skip_connect', 0), ('max_pool_3x3', 1), ('dil_conv_5x5', 0), "
                "('dil_conv_3x3', 1), ('dil_conv_5x5', 2), ('dil_conv_3x3', 3), "
                "('dil_conv_5x5', 3), ('sep_conv_5x5', 4)]");
    rfnas_genotype_destroy(g);
    assert_int_equal(rfnas_genotype_derive(&g, darts, alphas, 2 * 14 * 8, betas, 28), RFNAS_OK);
    assert_cell(g, RFNAS_CELL_NORMAL,
                "[('skip_connect', 0), ('max_pool_3x3', 1), ('dil_conv_5x5', 0), "
                "('dil_conv_3x3', 1), ('dil_conv_5x5', 2), ('dil_conv_3x3', 3), "
                "('sep_conv_5x5', 4), ('dil_conv_5x5', 3)]");
    /* A derived genotype round-trips exactly through its text. */
    char *text = format(g);
    rfnas_genotype *back;
    assert_int_equal(rfnas_genotype_parse(&back, text, darts), RFNAS_OK);
    char *again = format(back);
    assert_string_equal(text, again);
    free(text);
    free(again);
    rfnas_genotype_destroy(back);
    rfnas_genotype_destroy(g);

    /* Count mismatches and bad values. */
    assert_int_equal(rfnas_genotype_derive(&g, darts, alphas, 14 * 8, NULL, 0), RFNAS_E_MISMATCH);
    assert_null(g);
    assert_int_equal(rfnas_genotype_derive(&g, darts, alphas, 2 * 14 * 8, betas, 14),
                     RFNAS_E_MISMATCH);
    alphas[5] = NAN;
    assert_int_equal(rfnas_genotype_derive(&g, darts, alphas, 2 * 14 * 8, NULL, 0),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "alphas[5]"));
    rfnas_space_destroy(darts);

    rfnas_space *nb = space("nb201");
    float a[6 * 5];
    for (int e = 0; e < 6; e++)
        for (int k = 0; k < 5; k++)
            a[e * 5 + k] = round4(sin(2.1 * e + 1.1 * k));
    assert_int_equal(rfnas_genotype_derive(&g, nb, a, 30, NULL, 0), RFNAS_OK);
    text = format(g);
    assert_string_equal(text, "|skip_connect~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|"
                              "nor_conv_3x3~2|");
    free(text);
    int64_t count;
    assert_int_equal(rfnas_genotype_count(g, RFNAS_CELL_NORMAL, "none", &count), RFNAS_OK);
    assert_int_equal(count, 2);
    assert_int_equal(rfnas_genotype_count(g, RFNAS_CELL_NORMAL, NULL, &count), RFNAS_OK);
    assert_int_equal(count, 4);
    assert_int_equal(rfnas_genotype_count(g, RFNAS_CELL_REDUCE, NULL, &count), RFNAS_E_INVALID);
    rfnas_genotype_destroy(g);
    assert_int_equal(rfnas_genotype_derive(&g, nb, a, 30, betas, 28), RFNAS_E_MISMATCH);
    rfnas_space_destroy(nb);
}

static void test_genotype__s3_excludes_none_s4_may_pick_noise(void **state)
{
    (void)state;
    rfnas_space *s3 = space("s3"), *s4 = space("s4");
    float a3[2 * 14 * 3], a4[2 * 14 * 2];
    for (int i = 0; i < 2 * 14; i++) {
        a3[i * 3 + 0] = 5.0f; /* none dominates every edge, yet is never chosen */
        a3[i * 3 + 1] = (float)(i % 3);
        a3[i * 3 + 2] = 1.0f;
        a4[i * 2 + 0] = 1.0f; /* noise beats sep_conv on every edge */
        a4[i * 2 + 1] = 0.0f;
    }
    rfnas_genotype *g;
    assert_int_equal(rfnas_genotype_derive(&g, s3, a3, sizeof a3 / sizeof a3[0], NULL, 0),
                     RFNAS_OK);
    int64_t none;
    rfnas_genotype_count(g, RFNAS_CELL_NORMAL, "none", &none);
    assert_int_equal(none, 0);
    rfnas_genotype_destroy(g);
    assert_int_equal(rfnas_genotype_derive(&g, s4, a4, sizeof a4 / sizeof a4[0], NULL, 0),
                     RFNAS_OK);
    int64_t noise;
    rfnas_genotype_count(g, RFNAS_CELL_REDUCE, "noise", &noise);
    assert_int_equal(noise, 8);
    rfnas_genotype_destroy(g);
    rfnas_space_destroy(s3);
    rfnas_space_destroy(s4);
}

static const char *const references[] = {
    "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])",
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])",
    "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), "
    "('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), "
    "('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), "
    "('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))",
    "Genotype(normal=[('skip_connect', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 0), "
    "('skip_connect', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), "
    "('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('sep_conv_3x3', 0), "
    "('skip_connect', 1), ('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('sep_conv_3x3', 2), "
    "('sep_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 3)], reduce_concat=range(2, 6))",
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|"
    "skip_connect~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "nor_conv_3x3~2|",
};

static void test_genotype__reference_genotypes_parse_and_reformat_exactly(void **state)
{
    (void)state;
    rfnas_space *darts = space("darts"), *nb = space("nb201");
    for (size_t i = 0; i < sizeof references / sizeof references[0]; i++) {
        rfnas_genotype *g;
        const rfnas_space *s = references[i][0] == '|' ? nb : darts;
        if (rfnas_genotype_parse(&g, references[i], s) != RFNAS_OK)
            fail_msg("reference %zu: %s", i, rfnas_error_last());
        char *text = format(g);
        assert_string_equal(text, references[i]);
        free(text);
        rfnas_genotype_destroy(g);
    }
    /* DARTS_V1: three skips in the normal cell, all-parameter-free reduction cell. */
    rfnas_genotype *g;
    assert_int_equal(rfnas_genotype_parse(&g, references[0], NULL), RFNAS_OK);
    int64_t n;
    assert_int_equal(rfnas_genotype_count(g, RFNAS_CELL_NORMAL, "skip_connect", &n), RFNAS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rfnas_genotype_count(g, RFNAS_CELL_REDUCE, NULL, &n), RFNAS_OK);
    assert_int_equal(n, 8);
    assert_int_equal(rfnas_genotype_count(g, RFNAS_CELL_REDUCE, "conv_9x9", &n), RFNAS_E_NOTFOUND);
    int64_t target, source;
    const char *op;
    assert_int_equal(rfnas_genotype_pair(g, RFNAS_CELL_NORMAL, 7, &op, &target, &source), RFNAS_OK);
    assert_string_equal(op, "skip_connect");
    assert_int_equal(target, 5);
    assert_int_equal(source, 2);
    assert_int_equal(rfnas_genotype_pair(g, RFNAS_CELL_NORMAL, 8, &op, NULL, NULL),
                     RFNAS_E_INVALID);
    /* Buffers: size query, too small, exact. */
    size_t len;
    assert_int_equal(rfnas_genotype_format(g, NULL, 0, &len), RFNAS_OK);
    assert_int_equal(len, strlen(references[0]));
    char small[16];
    assert_int_equal(rfnas_genotype_format(g, small, sizeof small, &len), RFNAS_E_BUFSIZE);
    assert_int_equal(len, strlen(references[0]));
    assert_string_equal(small, "");
    assert_int_equal(rfnas_genotype_format(g, NULL, 5, &len), RFNAS_E_INVALID);
    rfnas_genotype_destroy(g);
    /* Double quotes, other whitespace and range() parse to the same architecture. */
    assert_int_equal(rfnas_genotype_parse(&g,
        "  Genotype( normal = [ (\"sep_conv_3x3\",1),(\"sep_conv_3x3\",0),(\"skip_connect\",0),"
        "(\"sep_conv_3x3\",1),(\"skip_connect\",0),(\"sep_conv_3x3\",1),(\"sep_conv_3x3\",0),"
        "(\"skip_connect\",2)],\n normal_concat=range(2,6), reduce=[(\"max_pool_3x3\",0),"
        "(\"max_pool_3x3\",1),(\"skip_connect\",2),(\"max_pool_3x3\",0),(\"max_pool_3x3\",0),"
        "(\"skip_connect\",2),(\"skip_connect\",2),(\"avg_pool_3x3\",0)],\treduce_concat=[2,3,4,5] ) \n",
        darts), RFNAS_OK);
    char *text = format(g);
    assert_non_null(strstr(text, "(\"sep_conv_3x3\", 1)"));
    assert_non_null(strstr(text, "normal_concat=range(2, 6)"));
    free(text);
    rfnas_genotype_destroy(g);
    rfnas_space_destroy(darts);
    rfnas_space_destroy(nb);
}

static void test_genotype__malformed_text_is_refused_with_a_reason(void **state)
{
    (void)state;
    const char *v1 = references[0];
    char buf[2048];
    struct {
        const char *text;
        rfnas_status status;
        const char *message;
    } cases[] = {
        {"", RFNAS_E_FORMAT, "empty"},
        {"   ", RFNAS_E_FORMAT, "empty"},
        {"|nor_conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|", RFNAS_E_FORMAT,
         "unknown op \"nor_conv_9x9\""},
        {"|none~0|+|none~0|+|none~0|none~1|none~2|", RFNAS_E_FORMAT, "too few edges"},
        {"|none~0|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", RFNAS_E_FORMAT,
         "more than 1 edges"},
        {"|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", RFNAS_E_FORMAT, "bad input index 1"},
        {"|none~0|+|none~0|none~0|+|none~0|none~1|none~2|", RFNAS_E_FORMAT, "bad input index 0"},
        {"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x", RFNAS_E_FORMAT, "more than 3 edges"},
        {"|none~0|+|none~0|none~1|+|none~0|none~1|none~2| +", RFNAS_E_FORMAT, "trailing"},
        {"|none~0|+|none~0|none~1|", RFNAS_E_FORMAT, "expected \"+\""},
        {"|none~|+|none~0|none~1|+|none~0|none~1|none~2|", RFNAS_E_FORMAT, "input index"},
        {"Genotype(normal=[('sep_conv_3x3', 1)], normal_concat=[2, 3, 4, 5])", RFNAS_E_FORMAT,
         "expected 8"},
        {"Genotype(normal=[('sep_conv_3x3', 2), ('sep_conv_3x3', 0)", RFNAS_E_FORMAT,
         "bad input index 2 for node 0"},
        {"Genotype(normal=[('sep_conv_3x3, 1)", RFNAS_E_FORMAT, "unterminated op name"},
        {"Genotype(normal=[('sep_conv_3x3 ', 1)", RFNAS_E_FORMAT, "unknown op"},
        {"Genotype(normal=[(sep_conv_3x3, 1)", RFNAS_E_FORMAT, "quoted op name"},
        {"Genome(normal=[])", RFNAS_E_FORMAT, "expected \"Genotype\""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rfnas_genotype *g = (rfnas_genotype *)(uintptr_t)1;
        rfnas_status rc = rfnas_genotype_parse(&g, cases[k].text, NULL);
        if (rc != cases[k].status || !strstr(rfnas_error_last(), cases[k].message))
            fail_msg("case %zu (%s): status %d, message \"%s\"", k, cases[k].text, rc,
                     rfnas_error_last());
        assert_null(g);
        assert_non_null(strstr(rfnas_error_last(), "offset"));
    }
    /* Edits of a valid DARTS genotype: 9 pairs, trailing garbage, bad concat, missing reduce. */
    rfnas_genotype *g;
    snprintf(buf, sizeof buf, "%s junk", v1);
    assert_int_equal(rfnas_genotype_parse(&g, buf, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "trailing"));
    const char *cut = strstr(v1, "], normal_concat");
    snprintf(buf, sizeof buf, "%.*s, ('none', 0)%s", (int)(cut - v1), v1, cut);
    assert_int_equal(rfnas_genotype_parse(&g, buf, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "more than 8 pairs"));
    strcpy(buf, v1);
    memcpy(strstr(buf, "[2, 3, 4, 5]"), "[2, 3, 4, 9]", 12);
    assert_int_equal(rfnas_genotype_parse(&g, buf, NULL), RFNAS_E_FORMAT);
    assert_non_null(strstr(rfnas_error_last(), "concat"));
    strcpy(buf, v1);
    *strstr(buf, ", reduce=") = '\0';
    assert_int_equal(rfnas_genotype_parse(&g, buf, NULL), RFNAS_E_FORMAT);
    assert_int_equal(rfnas_genotype_parse(NULL, v1, NULL), RFNAS_E_INVALID);
    assert_int_equal(rfnas_genotype_parse(&g, NULL, NULL), RFNAS_E_INVALID);

    /* Parsed against a space: the ops must be candidates of their edges. */
    rfnas_space *s2 = space("s2"), *nb = space("nb201");
    assert_int_equal(rfnas_genotype_parse(&g, v1, s2), RFNAS_E_MISMATCH);
    assert_non_null(strstr(rfnas_error_last(), "max_pool_3x3"));
    assert_int_equal(rfnas_genotype_parse(&g, v1, nb), RFNAS_E_MISMATCH);
    assert_int_equal(rfnas_genotype_parse(&g, references[4], s2), RFNAS_E_MISMATCH);
    rfnas_genotype *other;
    assert_int_equal(rfnas_genotype_parse(&other, references[4], nb), RFNAS_OK);
    assert_int_equal(rfnas_genotype_parse(&g, v1, (const rfnas_space *)(const void *)other),
                     RFNAS_E_INVALID);
    assert_non_null(strstr(rfnas_error_last(), "is rfnas_genotype, expected rfnas_space"));
    rfnas_genotype_destroy(other);
    rfnas_space_destroy(s2);
    rfnas_space_destroy(nb);
    rfnas_genotype_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_space__standard_spaces),
        cmocka_unit_test(test_space__custom_spaces),
        cmocka_unit_test(test_genotype__derivation_vectors_of_spec_7_7),
        cmocka_unit_test(test_genotype__s3_excludes_none_s4_may_pick_noise),
        cmocka_unit_test(test_genotype__reference_genotypes_parse_and_reformat_exactly),
        cmocka_unit_test(test_genotype__malformed_text_is_refused_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
