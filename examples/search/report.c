#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void json_number(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    /* The shortest %.*g that reads back to the same double. */
    char buf[40];
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

void json_doubles(FILE *f, const double *v, int64_t n)
{
    fputc('[', f);
    for (int64_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        json_number(f, v[i]);
    }
    fputc(']', f);
}

/* Colours for up to 16 ops, distinguishable in print. */
static const char *const palette[] = {"#9e9e9e", "#1f77b4", "#ff7f0e", "#2ca02c",
                                      "#d62728", "#9467bd", "#8c564b", "#e377c2",
                                      "#17becf", "#bcbd22", "#393b79", "#637939",
                                      "#8c6d31", "#843c39", "#7b4173", "#3182bd"};

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
}

int write_alpha_svg(const char *path, const rfnas_space *space, const alpha_history *h)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    const int cols = h->edges <= 6 ? 3 : 7;
    const int panels = h->cell_types * h->edges;
    const int rows = (panels + cols - 1) / cols;
    const double pw = 180, ph = 120, margin = 30, legend = 150;
    const double width = cols * (pw + margin) + margin + legend;
    const double height = rows * (ph + margin + 14) + margin + 20;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "font-family=\"sans-serif\" font-size=\"10\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
               "<text x=\"%.0f\" y=\"16\" font-size=\"13\">softmax(alpha) per edge over %d "
               "epoch%s</text>\n",
            width, height, margin, h->epochs, h->epochs == 1 ? "" : "s");
    const size_t per_epoch = (size_t)h->cell_types * (size_t)h->edges * (size_t)h->ops;
    for (int c = 0; c < h->cell_types; c++) {
        for (int e = 0; e < h->edges; e++) {
            int panel = c * h->edges + e;
            double x0 = margin + (panel % cols) * (pw + margin);
            double y0 = 34 + (panel / cols) * (ph + margin + 14);
            int64_t target = 0, source = 0;
            rfnas_space_edge(space, e, &target, &source);
            fprintf(f, "<g><text x=\"%.1f\" y=\"%.1f\">%s%s%lld &lt;- %lld</text>\n", x0,
                    y0 - 3, h->cell_types > 1 ? (c ? "reduce " : "normal ") : "",
                    h->cell_types > 1 ? "node " : "", (long long)target, (long long)source);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                       "stroke=\"#cccccc\"/>\n",
                    x0, y0, pw, ph);
            for (int k = 0; k < h->ops; k++) {
                fprintf(f, "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"%s\" points=\"",
                        palette[k % 16]);
                for (int t = 0; t < h->epochs; t++) {
                    float v = h->values[(size_t)t * per_epoch +
                                        ((size_t)c * (size_t)h->edges + (size_t)e) * (size_t)h->ops +
                                        (size_t)k];
                    double x = x0 + (h->epochs > 1 ? pw * t / (h->epochs - 1) : pw / 2);
                    double y = y0 + ph * (1.0 - (double)v);
                    fprintf(f, "%s%.1f,%.1f", t ? " " : "", x, y);
                }
                fputs("\"/>\n", f);
            }
            fputs("</g>\n", f);
        }
    }
    /* Legend: op names of the first edge (per-edge lists differ only in S1). */
    double lx = width - legend + 10;
    for (int k = 0; k < h->ops; k++) {
        const char *name = "?";
        rfnas_space_op_name(space, RFNAS_CELL_NORMAL, 0, k, &name);
        fprintf(f, "<rect x=\"%.0f\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>"
                   "<text x=\"%.0f\" y=\"%d\">",
                lx, 40 + 16 * k, palette[k % 16], lx + 16, 45 + 16 * k);
        xml_text(f, name);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

int write_cell_dot(const char *path, const rfnas_genotype *g)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    rfnas_topology topo;
    int64_t cells, pairs;
    rfnas_genotype_info(g, &topo, &cells, &pairs);
    fputs("digraph cell {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", "
          "fillcolor=\"#eef3fb\", fontname=\"sans-serif\"];\n  edge [fontname=\"sans-serif\", "
          "fontsize=10];\n",
          f);
    for (int64_t c = 0; c < cells; c++) {
        const char *prefix = cells > 1 ? (c ? "reduce_" : "normal_") : "";
        fprintf(f, "  subgraph cluster_%lld {\n    label=\"%s\";\n", (long long)c,
                topo == RFNAS_TOPOLOGY_NB201 ? "NAS-Bench-201 cell"
                                             : (c ? "reduction cell" : "normal cell"));
        if (topo == RFNAS_TOPOLOGY_NB201) {
            fprintf(f, "    %sn0 [label=\"input\", fillcolor=\"#dfe9d8\"];\n", prefix);
            for (int n = 1; n <= 3; n++)
                fprintf(f, "    %sn%d [label=\"%s\"%s];\n", prefix, n,
                        n == 3 ? "output" : (n == 1 ? "node 1" : "node 2"),
                        n == 3 ? ", fillcolor=\"#f6e3c9\"" : "");
        } else {
            fprintf(f, "    %sn0 [label=\"c_{k-2}\", fillcolor=\"#dfe9d8\"];\n", prefix);
            fprintf(f, "    %sn1 [label=\"c_{k-1}\", fillcolor=\"#dfe9d8\"];\n", prefix);
            for (int n = 2; n <= 5; n++)
                fprintf(f, "    %sn%d [label=\"%d\"];\n", prefix, n, n - 2);
            fprintf(f, "    %sout [label=\"c_{k}\", fillcolor=\"#f6e3c9\"];\n", prefix);
            for (int n = 2; n <= 5; n++)
                fprintf(f, "    %sn%d -> %sout [style=dashed, color=gray];\n", prefix, n, prefix);
        }
        for (int64_t k = 0; k < pairs; k++) {
            const char *op;
            int64_t target, source;
            rfnas_genotype_pair(g, (rfnas_cell_type)c, k, &op, &target, &source);
            int none = strcmp(op, "none") == 0;
            fprintf(f, "    %sn%lld -> %sn%lld [label=\"%s\"%s];\n", prefix, (long long)source,
                    prefix, (long long)target, op, none ? ", style=dotted, color=gray" : "");
        }
        fputs("  }\n", f);
    }
    fputs("}\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
