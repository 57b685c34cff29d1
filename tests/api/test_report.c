/* rfnas-search's report writers: JSON escaping and numbers, the alpha SVG and the
 * cell DOT file, checked for structure (and, where python3 is present, the SVG
 * parsed as XML). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "test_support.h"

static char *slurp(const char *path)
{
    size_t len;
    uint8_t *b = ts_read_all(path, &len);
    assert_non_null(b);
    char *s = realloc(b, len + 1);
    s[len] = '\0';
    return s;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_report__json(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    const char *path = ts_path(dir, "j.json");
    FILE *f = fopen(path, "w");
    json_string(f, "a\"b\\c\n\x01");
    fputc(' ', f);
    json_number(f, 0.1);
    fputc(' ', f);
    json_number(f, 1.0 / 3.0);
    fputc(' ', f);
    json_number(f, NAN);
    fclose(f);
    char *s = slurp(path);
    assert_string_equal(s, "\"a\\\"b\\\\c\\n\\u0001\" 0.1 0.3333333333333333 null");
    free(s);
    ts_rmdir(dir);
}

static void test_report__svg_and_dot(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    rfnas_space *space;
    assert_int_equal(rfnas_space_create(&space, "darts"), RFNAS_OK);
    enum { EPOCHS = 4, CELLS = 2, EDGES = 14, OPS = 8 };
    static float values[EPOCHS * CELLS * EDGES * OPS];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        values[i] = 1.0f / OPS + 0.01f * (float)(i % 5);
    alpha_history h = {EPOCHS, CELLS, EDGES, OPS, values};
    assert_int_equal(write_alpha_svg(ts_path(dir, "alphas.svg"), space, &h), 0);
    char *svg = slurp(ts_path(dir, "alphas.svg"));
    assert_true(strncmp(svg, "<?xml", 5) == 0);
    assert_int_equal(count(svg, "<polyline"), CELLS * EDGES * OPS);
    assert_int_equal(count(svg, "sep_conv_3x3"), 1);
    assert_non_null(strstr(svg, "reduce node 5 &lt;- 4"));
    assert_non_null(strstr(svg, "</svg>\n"));
    free(svg);
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "command -v python3 >/dev/null || exit 0; python3 -c \"import xml.etree.ElementTree as E; "
             "E.parse('%s')\"",
             ts_path(dir, "alphas.svg"));
    assert_int_equal(system(cmd), 0);

    rfnas_genotype *g;
    assert_int_equal(rfnas_genotype_parse(&g,
        "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), "
        "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
        "('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
        "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), "
        "('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])",
        space), RFNAS_OK);
    assert_int_equal(write_cell_dot(ts_path(dir, "cell.dot"), g), 0);
    char *dot = slurp(ts_path(dir, "cell.dot"));
    assert_int_equal(count(dot, "[label=\"sep_conv_3x3\"]"), 5);
    assert_int_equal(count(dot, "style=dashed"), 8);
    assert_non_null(strstr(dot, "normal_n1 -> normal_n2 [label=\"sep_conv_3x3\"]"));
    free(dot);
    snprintf(cmd, sizeof cmd, "command -v dot >/dev/null || exit 0; dot -Tsvg %s -o %s",
             ts_path(dir, "cell.dot"), ts_path(dir, "cell.svg"));
    assert_int_equal(system(cmd), 0);
    rfnas_genotype_destroy(g);
    rfnas_space_destroy(space);
    ts_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report__json),
        cmocka_unit_test(test_report__svg_and_dot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
