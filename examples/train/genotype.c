/* Where the architecture comes from: --genotype TEXT, or --from-search DIR,
 * the run directory of a finished rfnas-search, whose genotype.txt holds the
 * final genotype (written once the search ends; an interrupted search has a
 * checkpoint but no genotype.txt yet). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "train.h"
#include "../common/util.h"

int trainer_set_genotype(trainer *t, const char *text, const char *what)
{
    rfnas_genotype *g;
    if (rfnas_genotype_parse(&g, text, NULL) < 0) {
        fprintf(stderr, "rfnas-train: %s: not a genotype: %s\n", what, rfnas_error_last());
        return -1;
    }
    rfnas_topology topology = RFNAS_TOPOLOGY_NB201;
    int rc = 0;
    if (rfnas_genotype_info(g, &topology, NULL, NULL) < 0 ||
        rfnas_genotype_format(g, t->genotype, sizeof t->genotype, NULL) < 0) {
        fprintf(stderr, "rfnas-train: %s: %s\n", what, rfnas_error_last());
        rc = -1;
    }
    t->darts = topology == RFNAS_TOPOLOGY_DARTS;
    rfnas_genotype_destroy(g);
    return rc;
}

/* Reads DIR/genotype.txt: one line, the trailing newline dropped. */
static int read_search_genotype(const char *dir, char *buf, size_t cap, char *path,
                                size_t path_cap)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "rfnas-train: --from-search %s: %s\n", dir,
                stat(dir, &st) != 0 ? strerror(errno) : "not a directory");
        return -1;
    }
    snprintf(path, path_cap, "%s/genotype.txt", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        char ck[4200];
        join(ck, sizeof ck, dir, CHECKPOINT_NAME);
        if (stat(ck, &st) == 0)
            fprintf(stderr,
                    "rfnas-train: --from-search %s: the search has not finished (no "
                    "genotype.txt yet); finish it with rfnas-search --resume %s\n",
                    dir, dir);
        else
            fprintf(stderr,
                    "rfnas-train: --from-search %s: not an rfnas-search run directory (no "
                    "genotype.txt)\n",
                    dir);
        return -1;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    int too_long = n == cap - 1 && fgetc(f) != EOF;
    int err = ferror(f);
    fclose(f);
    if (err || too_long) {
        fprintf(stderr, "rfnas-train: %s: %s\n", path,
                err ? "read error" : "longer than any genotype");
        return -1;
    }
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n == 0 || memchr(buf, '\n', n) != NULL || strlen(buf) != n) {
        fprintf(stderr, "rfnas-train: %s: expected one line of genotype text\n", path);
        return -1;
    }
    return 0;
}

int trainer_resolve_genotype(trainer *t)
{
    const train_options *o = &t->opt;
    if (o->genotype[0] && o->from_search[0]) {
        fprintf(stderr, "rfnas-train: give --genotype or --from-search, not both\n");
        return -1;
    }
    if (o->genotype[0])
        return trainer_set_genotype(t, o->genotype, "--genotype");
    if (o->from_search[0] == '\0') {
        fprintf(stderr, "rfnas-train: no architecture: give --genotype TEXT or --from-search "
                        "DIR (see --help)\n");
        return -1;
    }
    char text[TOPT_TEXT], path[TOPT_TEXT + 32];
    if (read_search_genotype(o->from_search, text, sizeof text, path, sizeof path) < 0)
        return -1;
    return trainer_set_genotype(t, text, path);
}
