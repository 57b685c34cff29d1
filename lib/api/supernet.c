/* rfnas_supernet: building a search network from a space and a config, and
 * running it one forward/backward at a time for the caller's bilevel loop. */
#include "api/supernet.h"

#include <math.h>
#include <string.h>

#include "config.h"
#include "kernels/conv.h"

static void supernet_free(rfnas_supernet *net)
{
    rfnas_ctx *ctx = net->ctx;
    rfnas__net_destroy(&net->net);
    rfnas__free(ctx, net->labels);
    net->hdr.tag = RFNAS__TAG_DEAD;
    rfnas__free(ctx, net);
    rfnas__ctx_unref(ctx);
}

void rfnas__supernet_ref(rfnas_supernet *net)
{
    net->refs++;
}

void rfnas__supernet_unref(rfnas_supernet *net)
{
    if (--net->refs == 0)
        supernet_free(net);
}

rfnas__group rfnas__public_group(rfnas_group group)
{
    return (rfnas__group)group; /* the internal numbering mirrors the public one */
}

static rfnas_status read_config(rfnas__net_config *nc, const rfnas_space *space,
                                const rfnas_config *cfg)
{
    memset(nc, 0, sizeof *nc);
    nc->features = strcmp(rfnas__config_string(cfg, RFNAS_KEY_NET_FEATURES), "learned") == 0
                       ? RFNAS__FEATURES_LEARNED
                       : RFNAS__FEATURES_RANDOM;
    nc->in_c = rfnas__config_int(cfg, RFNAS_KEY_NET_IN_CHANNELS);
    nc->in_h = rfnas__config_int(cfg, RFNAS_KEY_NET_IN_HEIGHT);
    nc->in_w = rfnas__config_int(cfg, RFNAS_KEY_NET_IN_WIDTH);
    nc->classes = rfnas__config_int(cfg, RFNAS_KEY_NET_CLASSES);
    nc->channels = rfnas__config_int(cfg, RFNAS_KEY_NET_CHANNELS);
    nc->cells = rfnas__config_int(cfg, RFNAS_KEY_NET_CELLS);
    if (nc->cells == 0)
        nc->cells = space->topology == RFNAS_TOPOLOGY_NB201 ? 5 : 8;
    nc->stem_multiplier = rfnas__config_int(cfg, RFNAS_KEY_NET_STEM_MULTIPLIER);
    nc->max_batch = rfnas__config_int(cfg, RFNAS_KEY_NET_MAX_BATCH);
    nc->train_classifier = (int)rfnas__config_int(cfg, RFNAS_KEY_NET_TRAIN_CLASSIFIER);
    nc->track_running_stats = (int)rfnas__config_int(cfg, RFNAS_KEY_NET_TRACK_RUNNING_STATS);
    nc->init = strcmp(rfnas__config_string(cfg, RFNAS_KEY_NET_INIT), "kaiming_normal") == 0
                   ? RFNAS__INIT_KAIMING_NORMAL
                   : RFNAS__INIT_PYTORCH;
    nc->partial_channels = rfnas__config_int(cfg, RFNAS_KEY_NET_PARTIAL_CHANNELS);
    nc->edge_norm = (int)rfnas__config_int(cfg, RFNAS_KEY_NET_EDGE_NORM);
    if (space->topology != RFNAS_TOPOLOGY_DARTS && (nc->partial_channels != 1 || nc->edge_norm))
        return rfnas__error(RFNAS_E_INVALID,
                            "rfnas_supernet_create: net.partial_channels and net.edge_norm "
                            "(PC-DARTS) need a DARTS-topology space; %s is not one",
                            space->name);
    /* Two stride-2 reductions need sizes that halve evenly (28 -> 14 -> 7 works). */
    if (nc->in_h % 4 || nc->in_w % 4)
        return rfnas__error(RFNAS_E_INVALID,
                            "rfnas_supernet_create: input %lldx%lld: height and width must be "
                            "multiples of 4 (two stride-2 reductions)",
                            (long long)nc->in_h, (long long)nc->in_w);
    return RFNAS_OK;
}

/* net.precision: bf16 only where oneDNN runs it on AMX. Without AMX its bf16
 * convolutions are slower than fp32 (onednn-notes pitfall 10), so an explicit
 * "bf16" falls back to fp32 (a program written on an AMX machine still runs
 * elsewhere) and says so; "auto" decides quietly. */
static int resolve_precision(rfnas_ctx *ctx, const char *precision)
{
    if (strcmp(precision, "fp32") == 0)
        return 0;
    if (rfnas__conv_bf16_fast())
        return 1;
    if (strcmp(precision, "bf16") == 0)
        rfnas__log(ctx, RFNAS_LOG_WARN,
                   "supernet: net.precision bf16 needs AMX, which oneDNN does not report on this "
                   "CPU; the convolutions run in fp32");
    return 0;
}

rfnas_status rfnas_supernet_create(rfnas_supernet **out, rfnas_ctx *ctx, const rfnas_space *space,
                                   const rfnas_config *cfg)
{
    static const char fn[] = "rfnas_supernet_create";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(ctx, RFNAS__TAG_CTX);
    RFNAS__CHECK_HANDLE(space, RFNAS__TAG_SPACE);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    rfnas__net_config nc;
    RFNAS__TRY(read_config(&nc, space, cfg));
    nc.seed = ctx->seed;
    nc.conv_bf16 = resolve_precision(ctx, rfnas__config_string(cfg, RFNAS_KEY_NET_PRECISION));
    rfnas_supernet *net = rfnas__calloc(ctx, 1, sizeof *net);
    if (net == NULL)
        return RFNAS__NOMEM(fn);
    net->labels = rfnas__calloc(ctx, (size_t)nc.max_batch, sizeof *net->labels);
    if (net->labels == NULL) {
        rfnas__free(ctx, net);
        return RFNAS__NOMEM(fn);
    }
    net->space = *space;
    rfnas_status rc;
    if (space->topology == RFNAS_TOPOLOGY_NB201)
        rc = rfnas__nb201_build(&net->net, ctx, &net->space, &nc);
    else
        rc = rfnas__darts_build(&net->net, ctx, &net->space, &nc);
    if (rc != RFNAS_OK) {
        rfnas__free(ctx, net->labels);
        rfnas__free(ctx, net);
        rfnas__error_prefix("%s", fn);
        return rc;
    }
    /* The noise draws start where the caller says (exact resume). */
    rfnas__node_noise_set_counter(net->net.graph,
                                  (uint64_t)rfnas__config_int(cfg, RFNAS_KEY_NET_NOISE_COUNTER));
    net->hdr.tag = RFNAS__TAG_SUPERNET;
    net->ctx = ctx;
    rfnas__ctx_ref(ctx);
    net->refs = 1;
    rfnas__log(ctx, RFNAS_LOG_INFO,
               "supernet: %s space, %s features%s, C=%lld, %lld cells, input %lldx%lldx%lld, "
               "batch <= %lld, arena %.1f MiB, bf16 copies %.1f MiB",
               space->name, nc.features == RFNAS__FEATURES_RANDOM ? "random" : "learned",
               nc.conv_bf16 && nc.features == RFNAS__FEATURES_RANDOM ? " (bf16)" : "",
               (long long)nc.channels, (long long)nc.cells, (long long)nc.in_c,
               (long long)nc.in_h, (long long)nc.in_w, (long long)nc.max_batch,
               (double)rfnas__graph_plan_bytes(net->net.graph, RFNAS__MODE_ARCH) / 1048576.0,
               (double)rfnas__graph_shadow_bytes(net->net.graph) / 1048576.0);
    *out = net;
    return RFNAS_OK;
}

void rfnas_supernet_destroy(rfnas_supernet *net)
{
    if (net == NULL || net->hdr.tag != RFNAS__TAG_SUPERNET || net->caller_released)
        return;
    net->caller_released = 1;
    rfnas__supernet_unref(net);
}

rfnas_status rfnas_supernet_shape(const rfnas_supernet *net, int64_t *max_batch, int64_t *c,
                                  int64_t *h, int64_t *w, int64_t *classes)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    const rfnas__net_config *nc = &net->net.cfg;
    if (max_batch)
        *max_batch = nc->max_batch;
    if (c)
        *c = nc->in_c;
    if (h)
        *h = nc->in_h;
    if (w)
        *w = nc->in_w;
    if (classes)
        *classes = nc->classes;
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_forward(rfnas_supernet *net, const float *x, const int32_t *y,
                                    int64_t n, rfnas_phase phase, double *loss, int64_t *correct)
{
    static const char fn[] = "rfnas_supernet_forward";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__CHECK_ARG(x != NULL && y != NULL, "%s: x or y is NULL", fn);
    const rfnas__net_config *nc = &net->net.cfg;
    RFNAS__CHECK_ARG(n >= 1 && n <= nc->max_batch, "%s: batch %lld is outside 1..%lld", fn,
                     (long long)n, (long long)nc->max_batch);
    RFNAS__CHECK_ARG(phase >= RFNAS_PHASE_WEIGHTS && phase <= RFNAS_PHASE_EVAL,
                     "%s: phase %d is not a rfnas_phase", fn, (int)phase);
    RFNAS__CHECK_ARG(phase != RFNAS_PHASE_ARCH || !net->net.discrete,
                     "%s: RFNAS_PHASE_ARCH on a network built from a genotype, which has no "
                     "architecture parameters: train it with RFNAS_PHASE_WEIGHTS",
                     fn);
    for (int64_t i = 0; i < n; i++)
        RFNAS__CHECK_ARG(y[i] >= 0 && y[i] < nc->classes, "%s: y[%lld] = %d is outside 0..%lld",
                         fn, (long long)i, y[i], (long long)nc->classes - 1);
    const rfnas__mode mode = phase == RFNAS_PHASE_WEIGHTS ? RFNAS__MODE_WEIGHTS
                             : phase == RFNAS_PHASE_ARCH  ? RFNAS__MODE_ARCH
                                                          : RFNAS__MODE_EVAL;
    memcpy(net->labels, y, (size_t)n * sizeof *y);
    net->net.labels = net->labels;
    memcpy(rfnas__graph_value_for(net->net.graph, mode, net->net.input), x,
           (size_t)(n * nc->in_c * nc->in_h * nc->in_w) * sizeof *x);
    net->batch = 0;
    rfnas_status rc = rfnas__graph_forward(net->net.graph, n, mode, phase != RFNAS_PHASE_EVAL);
    if (rc != RFNAS_OK) {
        rfnas__error_prefix("%s", fn);
        return rc;
    }
    net->batch = n;
    const float *out = rfnas__graph_value(net->net.graph, net->net.loss);
    double total = out[0];
    if (phase != RFNAS_PHASE_EVAL) {
        /* The auxiliary head counts in training only (SPEC 4.4). */
        if (net->net.has_aux)
            total += net->net.cfg.aux_weight *
                     (double)rfnas__graph_value(net->net.graph, net->net.aux_loss)[0];
        /* Every training forward draws fresh drop-path masks. */
        if (net->net.has_droppath)
            net->net.droppath.counter++;
    }
    if (loss)
        *loss = total;
    if (correct)
        *correct = (int64_t)out[1];
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_backward(rfnas_supernet *net)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    rfnas_status rc = rfnas__graph_backward(net->net.graph);
    if (rc != RFNAS_OK)
        rfnas__error_prefix("rfnas_supernet_backward");
    return rc;
}

static rfnas_status check_group(rfnas_group group, const char *fn)
{
    if ((int)group < RFNAS_GROUP_WEIGHTS || (int)group > RFNAS_GROUP_STATE)
        return rfnas__error(RFNAS_E_INVALID, "%s: group %d is not a rfnas_group", fn, (int)group);
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_zero_grad(rfnas_supernet *net, rfnas_group group)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__TRY(check_group(group, __func__));
    rfnas__graph_zero_grad(net->net.graph, rfnas__public_group(group));
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_logits(const rfnas_supernet *net, float *buf, size_t cap, size_t *n)
{
    static const char fn[] = "rfnas_supernet_logits";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__CHECK_ARG(buf != NULL, "%s: buf is NULL", fn);
    if (net->batch == 0)
        return rfnas__error(RFNAS_E_STATE, "%s: no successful forward yet", fn);
    const size_t need = (size_t)net->batch * (size_t)net->net.cfg.classes;
    if (cap < need)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: buffer holds %zu floats, the logits are %zu", fn,
                            cap, need);
    memcpy(buf, rfnas__graph_value(net->net.graph, net->net.logits), need * sizeof *buf);
    if (n)
        *n = need;
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_group_borrow(rfnas_supernet *net, rfnas_group group, float **values,
                                         float **grads, size_t *count)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__TRY(check_group(group, __func__));
    size_t n;
    float *v = rfnas__graph_group_values(net->net.graph, rfnas__public_group(group), &n);
    float *g = rfnas__graph_group_grads(net->net.graph, rfnas__public_group(group), &n);
    if (values)
        *values = v;
    if (grads)
        *grads = g;
    if (count)
        *count = n;
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_param_count(const rfnas_supernet *net, int64_t *count)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__CHECK_ARG(count != NULL, "rfnas_supernet_param_count: count is NULL");
    *count = rfnas__graph_param_count(net->net.graph);
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_param_info(const rfnas_supernet *net, int64_t index,
                                       const char **name, rfnas_group *group, size_t *offset,
                                       size_t *size)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    const rfnas__param *p = index >= 0 && index <= INT32_MAX
                                ? rfnas__graph_param_info(net->net.graph, (int)index)
                                : NULL;
    RFNAS__CHECK_ARG(p != NULL, "rfnas_supernet_param_info: index %lld is out of range",
                     (long long)index);
    if (name)
        *name = p->name;
    if (group)
        *group = (rfnas_group)p->group;
    if (offset)
        *offset = p->offset;
    if (size)
        *size = p->size;
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_alphas(const rfnas_supernet *net, rfnas_cell_type cell, int softmax,
                                   float *buf, size_t cap, size_t *n)
{
    static const char fn[] = "rfnas_supernet_alphas";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__CHECK_ARG(buf != NULL, "%s: buf is NULL", fn);
    RFNAS__CHECK_ARG(softmax == 0 || softmax == 1, "%s: softmax must be 0 or 1", fn);
    RFNAS__CHECK_ARG(!net->net.discrete,
                     "%s: a network built from a genotype has no alphas", fn);
    RFNAS__CHECK_ARG((int)cell >= 0 && (int)cell < net->space.cell_types &&
                         net->net.alpha[cell] >= 0,
                     "%s: cell type %d does not exist in space %s", fn, (int)cell,
                     net->space.name);
    const size_t rows = (size_t)net->space.edges, cols = (size_t)net->space.ops_per_edge;
    if (cap < rows * cols)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: buffer holds %zu floats, the alphas are %zu", fn,
                            cap, rows * cols);
    const float *a = rfnas__graph_param_value(net->net.graph, net->net.alpha[cell]);
    for (size_t r = 0; r < rows; r++) {
        const float *row = a + r * cols;
        if (!softmax) {
            memcpy(buf + r * cols, row, cols * sizeof *buf);
            continue;
        }
        double m = row[0], sum = 0;
        for (size_t k = 1; k < cols; k++)
            m = row[k] > m ? row[k] : m;
        for (size_t k = 0; k < cols; k++)
            sum += exp((double)row[k] - m);
        for (size_t k = 0; k < cols; k++)
            buf[r * cols + k] = (float)(exp((double)row[k] - m) / sum);
    }
    if (n)
        *n = rows * cols;
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_betas(const rfnas_supernet *net, rfnas_cell_type cell, int softmax,
                                  float *buf, size_t cap, size_t *n)
{
    static const char fn[] = "rfnas_supernet_betas";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__CHECK_ARG(buf != NULL, "%s: buf is NULL", fn);
    RFNAS__CHECK_ARG(softmax == 0 || softmax == 1, "%s: softmax must be 0 or 1", fn);
    RFNAS__CHECK_ARG((int)cell >= 0 && (int)cell < net->space.cell_types,
                     "%s: cell type %d does not exist in space %s", fn, (int)cell,
                     net->space.name);
    RFNAS__CHECK_ARG(net->net.beta[cell] >= 0,
                     "%s: the supernet has no betas (create it with net.edge_norm 1)", fn);
    const size_t edges = (size_t)net->space.edges;
    if (cap < edges)
        return rfnas__error(RFNAS_E_BUFSIZE, "%s: buffer holds %zu floats, the betas are %zu", fn,
                            cap, edges);
    const float *b = rfnas__graph_param_value(net->net.graph, net->net.beta[cell]);
    if (!softmax)
        memcpy(buf, b, edges * sizeof *buf);
    /* SPEC 5.3: softmax over the incoming edges of each node; node n's edges are
     * rows n(n+3)/2 .. n(n+3)/2 + n + 1 (the alpha row order). */
    for (int node = 0; softmax && node < RFNAS__DARTS_NODES; node++) {
        const int first = rfnas__edge_index(RFNAS_TOPOLOGY_DARTS, node + 2, 0), count = node + 2;
        double m = b[first], sum = 0;
        for (int j = 1; j < count; j++)
            m = b[first + j] > m ? b[first + j] : m;
        for (int j = 0; j < count; j++)
            sum += exp((double)b[first + j] - m);
        for (int j = 0; j < count; j++)
            buf[first + j] = (float)(exp((double)b[first + j] - m) / sum);
    }
    if (n)
        *n = edges;
    return RFNAS_OK;
}

rfnas_status rfnas_supernet_genotype(rfnas_genotype **out, const rfnas_supernet *net)
{
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "rfnas_supernet_genotype: out is NULL");
    *out = NULL;
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    if (net->net.discrete) {
        rfnas_genotype *g = rfnas__genotype_new(net->genotype.topology);
        if (g == NULL)
            return RFNAS__NOMEM("rfnas_supernet_genotype");
        *g = net->genotype;
        *out = g;
        return RFNAS_OK;
    }
    const size_t per = (size_t)net->space.edges * (size_t)net->space.ops_per_edge;
    float alphas[RFNAS__MAX_CELL_TYPES * RFNAS__MAX_EDGES * RFNAS__MAX_OPS];
    float betas[RFNAS__MAX_CELL_TYPES * RFNAS__MAX_EDGES];
    int have_beta = 0;
    for (int c = 0; c < net->space.cell_types; c++) {
        memcpy(alphas + (size_t)c * per,
               rfnas__graph_param_value(net->net.graph, net->net.alpha[c]), per * sizeof(float));
        if (net->net.beta[c] >= 0) {
            memcpy(betas + (size_t)c * (size_t)net->space.edges,
                   rfnas__graph_param_value(net->net.graph, net->net.beta[c]),
                   (size_t)net->space.edges * sizeof(float));
            have_beta = 1;
        }
    }
    return rfnas_genotype_derive(out, &net->space, alphas, per * (size_t)net->space.cell_types,
                                 have_beta ? betas : NULL,
                                 have_beta ? (size_t)net->space.cell_types *
                                                 (size_t)net->space.edges
                                           : 0);
}
