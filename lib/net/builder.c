#include "net/builder.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rfnas__netb_begin(rfnas__netb *b, rfnas__net *net, rfnas_ctx *ctx, const rfnas_space *space,
                       const rfnas__net_config *cfg, int max_weights)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    b->cfg = &net->cfg;
    b->space = space;
    b->affine = cfg->features == RFNAS__FEATURES_RANDOM;
    b->track = cfg->track_running_stats;
    b->classifier_weight = -1;
    b->rc = rfnas__graph_create(&net->graph, ctx, cfg->max_batch);
    if (b->rc != RFNAS_OK)
        return;
    b->g = net->graph;
    rfnas__graph_set_conv_bf16(b->g, cfg->conv_bf16);
    b->cap_weights = max_weights;
    b->weight = rfnas__calloc(ctx, (size_t)max_weights, sizeof *b->weight);
    b->fan_in = rfnas__calloc(ctx, (size_t)max_weights, sizeof *b->fan_in);
    if (b->weight == NULL || b->fan_in == NULL)
        b->rc = RFNAS__NOMEM("supernet builder");
}

rfnas_status rfnas__netb_end(rfnas__netb *b, rfnas__net *net)
{
    rfnas__free(b->ctx, b->weight);
    rfnas__free(b->ctx, b->fan_in);
    b->weight = NULL;
    b->fan_in = NULL;
    if (b->rc != RFNAS_OK)
        rfnas__net_destroy(net);
    return b->rc;
}

void rfnas__netb_name(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

int rfnas__netb_check(rfnas__netb *b, int id)
{
    if (id < 0 && b->rc == RFNAS_OK)
        b->rc = (rfnas_status)id;
    return id;
}

int rfnas__netb_param(rfnas__netb *b, const char *name, rfnas__group group, size_t size)
{
    if (b->rc != RFNAS_OK)
        return -1;
    return rfnas__netb_check(b, rfnas__graph_param(b->g, name, group, size));
}

int64_t rfnas__netb_channels(const rfnas__netb *b, int x)
{
    return rfnas__graph_tensor_info(b->g, x)->c;
}

static void remember_weight(rfnas__netb *b, int param, size_t fan_in)
{
    if (b->n_weights == b->cap_weights) { /* the capacity is an upper bound: a bug if reached */
        b->rc = rfnas__error(RFNAS_E_UNSUPPORTED, "supernet: more than %d weight tensors",
                             b->cap_weights);
        return;
    }
    b->weight[b->n_weights] = param;
    b->fan_in[b->n_weights++] = fan_in;
}

int rfnas__netb_conv_weight(rfnas__netb *b, const char *prefix, int64_t cin, int64_t cout, int k,
                            int groups)
{
    if (b->rc != RFNAS_OK)
        return -1;
    const rfnas__group group =
        b->cfg->features == RFNAS__FEATURES_RANDOM ? RFNAS__GROUP_FROZEN : RFNAS__GROUP_WEIGHTS;
    char name[128];
    rfnas__netb_name(name, sizeof name, "%s.conv.weight", prefix);
    const size_t fan_in = (size_t)(cin / groups * k * k);
    int w = rfnas__netb_param(b, name, group, (size_t)cout * fan_in);
    if (w >= 0)
        remember_weight(b, w, fan_in);
    return b->rc == RFNAS_OK ? w : -1;
}

int rfnas__netb_conv(rfnas__netb *b, const char *prefix, int x, int64_t cout, int k, int stride,
                     int pad, int dilation, int groups)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    int w = rfnas__netb_conv_weight(b, prefix, rfnas__netb_channels(b, x), cout, k, groups);
    if (w < 0)
        return -1;
    char name[128];
    rfnas__netb_name(name, sizeof name, "%s.conv", prefix);
    return b->rc == RFNAS_OK ? rfnas__netb_check(b, rfnas__node_conv(b->g, name, x, cout, k,
                                                                     stride, pad, dilation,
                                                                     groups, w))
                             : -1;
}

rfnas__netb_bn_params rfnas__netb_bn_params_of(rfnas__netb *b, const char *prefix, int64_t c,
                                               int affine, int track)
{
    char name[128];
    rfnas__netb_bn_params p = {-1, -1, -1, -1};
    if (affine) {
        rfnas__netb_name(name, sizeof name, "%s.bn.gamma", prefix);
        p.gamma = rfnas__netb_param(b, name, RFNAS__GROUP_WEIGHTS, (size_t)c);
        rfnas__netb_name(name, sizeof name, "%s.bn.beta", prefix);
        p.beta = rfnas__netb_param(b, name, RFNAS__GROUP_WEIGHTS, (size_t)c);
    }
    if (track) {
        rfnas__netb_name(name, sizeof name, "%s.bn.running_mean", prefix);
        p.run_mean = rfnas__netb_param(b, name, RFNAS__GROUP_STATE, (size_t)c);
        rfnas__netb_name(name, sizeof name, "%s.bn.running_var", prefix);
        p.run_var = rfnas__netb_param(b, name, RFNAS__GROUP_STATE, (size_t)c);
    }
    return p;
}

int rfnas__netb_bn(rfnas__netb *b, const char *prefix, int x, int affine, int track)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    const rfnas__netb_bn_params p =
        rfnas__netb_bn_params_of(b, prefix, rfnas__netb_channels(b, x), affine, track);
    if (b->rc != RFNAS_OK)
        return -1;
    char name[128];
    rfnas__netb_name(name, sizeof name, "%s.bn", prefix);
    return rfnas__netb_check(
        b, rfnas__node_bn(b->g, name, x, p.gamma, p.beta, p.run_mean, p.run_var));
}

int rfnas__netb_relu(rfnas__netb *b, const char *prefix, int x)
{
    if (b->rc != RFNAS_OK || x < 0)
        return -1;
    char name[128];
    rfnas__netb_name(name, sizeof name, "%s.relu", prefix);
    return rfnas__netb_check(b, rfnas__node_relu(b->g, name, x));
}

static void initialise(rfnas__netb *b, rfnas__net *net)
{
    rfnas__graph *g = net->graph;
    const rfnas__net_config *cfg = &net->cfg;
    for (int i = 0; i < rfnas__graph_param_count(g); i++) {
        const rfnas__param *p = rfnas__graph_param_info(g, i);
        float *v = rfnas__graph_param_value(g, i);
        const char *tail = strrchr(p->name, '.');
        tail = tail ? tail + 1 : p->name;
        const float fill = strcmp(tail, "gamma") == 0 || strcmp(tail, "running_var") == 0 ? 1.0f
                                                                                            : 0.0f;
        for (size_t k = 0; k < p->size; k++)
            v[k] = fill;
        if (p->group == RFNAS__GROUP_ARCH)
            rfnas__init_normal(v, p->size, 1e-3, cfg->seed, p->name);
    }
    for (int k = 0; k < b->n_weights; k++) {
        const rfnas__param *p = rfnas__graph_param_info(g, b->weight[k]);
        rfnas__init_weights(rfnas__graph_param_value(g, b->weight[k]), p->size, b->fan_in[k],
                            cfg->init, cfg->seed, p->name);
        if (b->weight[k] == b->classifier_weight && cfg->init == RFNAS__INIT_PYTORCH) {
            const int bias = b->classifier_weight + 1;
            const rfnas__param *pb = rfnas__graph_param_info(g, bias);
            rfnas__init_uniform(rfnas__graph_param_value(g, bias), pb->size,
                                1.0 / sqrt((double)b->fan_in[k]), cfg->seed, pb->name);
        }
    }
}

void rfnas__netb_head(rfnas__netb *b, rfnas__net *net, int features)
{
    const rfnas__net_config *cfg = b->cfg;
    if (b->rc != RFNAS_OK || features < 0)
        return;
    const int64_t c = rfnas__netb_channels(b, features);
    int pooled = rfnas__netb_check(b, rfnas__node_gap(b->g, "gap", features));
    const rfnas__group head = cfg->features == RFNAS__FEATURES_RANDOM && !cfg->train_classifier
                                  ? RFNAS__GROUP_FROZEN
                                  : RFNAS__GROUP_WEIGHTS;
    int w = rfnas__netb_param(b, "classifier.weight", head, (size_t)(cfg->classes * c));
    int bias = rfnas__netb_param(b, "classifier.bias", head, (size_t)cfg->classes);
    if (b->rc != RFNAS_OK)
        return;
    remember_weight(b, w, (size_t)c);
    b->classifier_weight = w;
    net->logits = rfnas__netb_check(
        b, rfnas__node_linear(b->g, "classifier", pooled, (int)cfg->classes, w, bias));
    if (b->rc == RFNAS_OK)
        net->loss = rfnas__netb_check(
            b, rfnas__node_xent(b->g, "loss", net->logits, &net->labels, 1.0));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_output(b->g, net->logits));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_mark_output(b->g, net->loss));
    if (b->rc == RFNAS_OK)
        rfnas__netb_check(b, rfnas__graph_finalize(b->g));
    if (b->rc == RFNAS_OK)
        initialise(b, net);
}
