/* rfnas_optimizer: SGD or Adam over one parameter group of a network
 * (SPEC 2.7), on the group's flat arrays. */
#include <math.h>
#include <string.h>

#include "api/optimizer.h"
#include "config.h"
#include "optim/optim.h"

/* A key's value: the config's if set, else the default of this optimizer kind. */
static double setting(const rfnas_config *cfg, rfnas_key key, double sgd, double adam,
                      opt_kind kind)
{
    if (rfnas_config_is_set(cfg, key))
        return rfnas__config_double(cfg, key);
    return kind == OPT_SGD ? sgd : adam;
}

rfnas_status rfnas_optimizer_create(rfnas_optimizer **out, rfnas_supernet *net, rfnas_group group,
                                    const rfnas_config *cfg)
{
    static const char fn[] = "rfnas_optimizer_create";
    rfnas__error_clear();
    RFNAS__CHECK_ARG(out != NULL, "%s: out is NULL", fn);
    *out = NULL;
    RFNAS__CHECK_HANDLE(net, RFNAS__TAG_SUPERNET);
    RFNAS__TRY(rfnas__config_check_optional(cfg, fn));
    RFNAS__CHECK_ARG(group == RFNAS_GROUP_WEIGHTS || group == RFNAS_GROUP_ARCH,
                     "%s: only the WEIGHTS and ARCH groups are trained, not group %d", fn,
                     (int)group);
    rfnas_ctx *ctx = net->ctx;
    rfnas_optimizer *o = rfnas__calloc(ctx, 1, sizeof *o);
    if (o == NULL)
        return RFNAS__NOMEM(fn);
    o->kind = strcmp(rfnas__config_string(cfg, RFNAS_KEY_OPT_KIND), "adam") == 0 ? OPT_ADAM
                                                                                : OPT_SGD;
    /* Defaults are DARTS's weight optimizer (SGD) and architecture optimizer (Adam). */
    o->lr = setting(cfg, RFNAS_KEY_OPT_LR, 0.025, 3e-4, o->kind);
    o->momentum = setting(cfg, RFNAS_KEY_OPT_MOMENTUM, 0.9, 0.0, o->kind);
    o->weight_decay = setting(cfg, RFNAS_KEY_OPT_WEIGHT_DECAY, 3e-4, 1e-3, o->kind);
    o->beta1 = setting(cfg, RFNAS_KEY_OPT_BETA1, 0.5, 0.5, o->kind);
    o->beta2 = setting(cfg, RFNAS_KEY_OPT_BETA2, 0.999, 0.999, o->kind);
    o->eps = setting(cfg, RFNAS_KEY_OPT_EPS, 1e-8, 1e-8, o->kind);
    o->clip = setting(cfg, RFNAS_KEY_OPT_GRAD_CLIP, 5.0, 0.0, o->kind);
    o->nesterov = (int)rfnas__config_int(cfg, RFNAS_KEY_OPT_NESTEROV);
    o->group = rfnas__public_group(group);
    rfnas__graph_group_values(net->net.graph, o->group, &o->n);
    o->state1 = rfnas__calloc(ctx, o->n ? o->n : 1, sizeof(float));
    o->state2 = o->kind == OPT_ADAM ? rfnas__calloc(ctx, o->n ? o->n : 1, sizeof(float)) : NULL;
    if (o->state1 == NULL || (o->kind == OPT_ADAM && o->state2 == NULL)) {
        rfnas__free(ctx, o->state1);
        rfnas__free(ctx, o->state2);
        rfnas__free(ctx, o);
        return RFNAS__NOMEM(fn);
    }
    o->hdr.tag = RFNAS__TAG_OPTIMIZER;
    o->net = net;
    rfnas__supernet_ref(net);
    *out = o;
    return RFNAS_OK;
}

void rfnas_optimizer_destroy(rfnas_optimizer *opt)
{
    if (opt == NULL || opt->hdr.tag != RFNAS__TAG_OPTIMIZER)
        return;
    rfnas_supernet *net = opt->net;
    rfnas_ctx *ctx = net->ctx;
    rfnas__free(ctx, opt->state1);
    rfnas__free(ctx, opt->state2);
    opt->hdr.tag = RFNAS__TAG_DEAD;
    rfnas__free(ctx, opt);
    rfnas__supernet_unref(net);
}

rfnas_status rfnas_optimizer_step(rfnas_optimizer *opt, double *grad_norm)
{
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(opt, RFNAS__TAG_OPTIMIZER);
    size_t n;
    float *w = rfnas__graph_group_values(opt->net->net.graph, opt->group, &n);
    float *g = rfnas__graph_group_grads(opt->net->net.graph, opt->group, &n);
    if (n == 0)
        return RFNAS_OK;
    /* The norm doubles as the finiteness check: a NaN or infinity anywhere
     * makes it non-finite, and nothing is updated. */
    double norm = rfnas__grad_norm(g, n);
    if (!isfinite(norm))
        return rfnas__error(RFNAS_E_FORMAT,
                            "rfnas_optimizer_step: a gradient is NaN or infinite; no update");
    rfnas__threads_scope scope;
    rfnas__threads_enter(opt->net->ctx, &scope);
    if (opt->clip > 0)
        rfnas__clip_grad_norm(g, n, opt->clip);
    if (opt->kind == OPT_SGD) {
        const rfnas__sgd s = {(float)opt->lr, (float)opt->momentum, (float)opt->weight_decay,
                              opt->nesterov};
        rfnas__sgd_step(&s, w, g, opt->state1, n, &opt->steps);
    } else {
        const rfnas__adam a = {(float)opt->lr, (float)opt->beta1, (float)opt->beta2,
                               (float)opt->eps, (float)opt->weight_decay};
        rfnas__adam_step(&a, w, g, opt->state1, opt->state2, n, &opt->steps);
    }
    rfnas__threads_leave(&scope);
    if (grad_norm)
        *grad_norm = norm;
    return RFNAS_OK;
}

static double *field(rfnas_optimizer *o, rfnas_key key)
{
    switch (key) {
    case RFNAS_KEY_OPT_LR: return &o->lr;
    case RFNAS_KEY_OPT_MOMENTUM: return &o->momentum;
    case RFNAS_KEY_OPT_WEIGHT_DECAY: return &o->weight_decay;
    case RFNAS_KEY_OPT_BETA1: return &o->beta1;
    case RFNAS_KEY_OPT_BETA2: return &o->beta2;
    case RFNAS_KEY_OPT_EPS: return &o->eps;
    case RFNAS_KEY_OPT_GRAD_CLIP: return &o->clip;
    default: return NULL;
    }
}

rfnas_status rfnas_optimizer_set_double(rfnas_optimizer *opt, rfnas_key key, double value)
{
    static const char fn[] = "rfnas_optimizer_set_double";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(opt, RFNAS__TAG_OPTIMIZER);
    double *f = field(opt, key);
    RFNAS__CHECK_ARG(f != NULL, "%s: key %d is not a double optimizer setting", fn, (int)key);
    double lo, hi;
    rfnas_key_bounds(key, NULL, &lo, &hi);
    RFNAS__CHECK_ARG(isfinite(value) && value >= lo && value <= hi,
                     "%s: %s = %g is outside [%g, %g]", fn, rfnas_key_name(key), value, lo, hi);
    *f = value;
    return RFNAS_OK;
}

rfnas_status rfnas_optimizer_get_double(const rfnas_optimizer *opt, rfnas_key key, double *value)
{
    static const char fn[] = "rfnas_optimizer_get_double";
    rfnas__error_clear();
    RFNAS__CHECK_HANDLE(opt, RFNAS__TAG_OPTIMIZER);
    RFNAS__CHECK_ARG(value != NULL, "%s: value is NULL", fn);
    double *f = field((rfnas_optimizer *)(uintptr_t)opt, key);
    RFNAS__CHECK_ARG(f != NULL, "%s: key %d is not a double optimizer setting", fn, (int)key);
    *value = *f;
    return RFNAS_OK;
}

rfnas_status rfnas_schedule_cosine(double lr0, double eta_min, int64_t epoch, int64_t epochs,
                                   double *lr)
{
    rfnas__error_clear();
    RFNAS__CHECK_ARG(lr != NULL, "rfnas_schedule_cosine: lr is NULL");
    RFNAS__CHECK_ARG(isfinite(lr0) && isfinite(eta_min) && epochs >= 1 && epoch >= 0 &&
                         epoch < epochs,
                     "rfnas_schedule_cosine: need finite rates and 0 <= epoch < epochs");
    *lr = rfnas__cosine_lr(lr0, eta_min, epoch, epochs);
    return RFNAS_OK;
}
