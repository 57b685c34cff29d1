/* The graph executor and memory planner, on toy nodes whose maths is trivial,
 * so that every failure points at planning or execution: gradients against
 * central differences in both training modes, skipped work, kept memory, and
 * arena reuse that never clobbers a live buffer. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/graph.h"

enum { D = 5 }; /* floats per sample of every toy tensor */

static int calls_backward[8];

/* y = a * x + b, elementwise with scalar parameters a, b. Keeps x only when a trains. */
static rfnas_status affine_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *x = rfnas__exec_in(ex, n, 0);
    float *y = rfnas__exec_out(ex, n, 0);
    const float a = *rfnas__exec_param(ex, n, 0), b = *rfnas__exec_param(ex, n, 1);
    for (int64_t i = 0; i < ex->batch * D; i++)
        y[i] = a * x[i] + b;
    return RFNAS_OK;
}

static rfnas_status affine_bwd(rfnas__node *n, rfnas__exec *ex)
{
    calls_backward[(intptr_t)n->state]++;
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    const float a = *rfnas__exec_param(ex, n, 0);
    if (rfnas__exec_param_trained(ex, n, 0)) {
        const float *x = rfnas__exec_in(ex, n, 0);
        double da = 0, db = 0;
        for (int64_t i = 0; i < ex->batch * D; i++) {
            da += (double)dy[i] * x[i];
            db += dy[i];
        }
        *rfnas__exec_param_grad(ex, n, 0) += (float)da;
        *rfnas__exec_param_grad(ex, n, 1) += (float)db;
    }
    if (rfnas__exec_need_grad(ex, 0)) {
        float *dx = rfnas__exec_in_grad(ex, n, 0);
        for (int64_t i = 0; i < ex->batch * D; i++)
            dx[i] = (rfnas__exec_accumulate(ex, 0) ? dx[i] : 0.0f) + a * dy[i];
    }
    return RFNAS_OK;
}

static uint64_t affine_keeps(const rfnas__node *n, rfnas__group group)
{
    (void)n;
    (void)group;
    return 1u; /* x, for da; the planner drops it when the node does not run backward */
}

static uint64_t affine_keeps_nothing(const rfnas__node *n, rfnas__group group)
{
    (void)n;
    (void)group;
    return 0;
}

static const rfnas__node_ops affine_ops = {"affine", affine_fwd, affine_bwd, affine_keeps, NULL};
static const rfnas__node_ops frozen_affine_ops = {"affine", affine_fwd, affine_bwd,
                                                  affine_keeps_nothing, NULL};

/* y = x0 * x1 elementwise: keeps both inputs. */
static rfnas_status mul_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *a = rfnas__exec_in(ex, n, 0), *b = rfnas__exec_in(ex, n, 1);
    float *y = rfnas__exec_out(ex, n, 0);
    for (int64_t i = 0; i < ex->batch * D; i++)
        y[i] = a[i] * b[i];
    return RFNAS_OK;
}

static rfnas_status mul_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *a = rfnas__exec_in(ex, n, 0), *b = rfnas__exec_in(ex, n, 1);
    const float *dy = rfnas__exec_out_grad(ex, n, 0);
    for (int k = 0; k < 2; k++) {
        if (!rfnas__exec_need_grad(ex, k))
            continue;
        float *dx = rfnas__exec_in_grad(ex, n, k);
        const float *other = k ? a : b;
        for (int64_t i = 0; i < ex->batch * D; i++)
            dx[i] = (rfnas__exec_accumulate(ex, k) ? dx[i] : 0.0f) + dy[i] * other[i];
    }
    return RFNAS_OK;
}

static uint64_t mul_keeps(const rfnas__node *n, rfnas__group group)
{
    (void)n;
    (void)group;
    return 3u;
}

static const rfnas__node_ops mul_ops = {"mul", mul_fwd, mul_bwd, mul_keeps, NULL};

/* loss = sum over the batch of sum(y^2) / (2 batch), one value (per-sample slot 0). */
static rfnas_status loss_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *y = rfnas__exec_in(ex, n, 0);
    double l = 0;
    for (int64_t i = 0; i < ex->batch * D; i++)
        l += (double)y[i] * y[i];
    rfnas__exec_out(ex, n, 0)[0] = (float)(l / (2.0 * (double)ex->batch));
    return RFNAS_OK;
}

static rfnas_status loss_bwd(rfnas__node *n, rfnas__exec *ex)
{
    const float *y = rfnas__exec_in(ex, n, 0);
    float *dy = rfnas__exec_in_grad(ex, n, 0);
    for (int64_t i = 0; i < ex->batch * D; i++)
        dy[i] = (rfnas__exec_accumulate(ex, 0) ? dy[i] : 0.0f) + y[i] / (float)ex->batch;
    return RFNAS_OK;
}

static uint64_t loss_keeps(const rfnas__node *n, rfnas__group group)
{
    (void)n;
    (void)group;
    return 1u;
}

static const rfnas__node_ops loss_ops = {"loss", loss_fwd, loss_bwd, loss_keeps, NULL};

typedef struct toy {
    rfnas_ctx *ctx;
    rfnas__graph *g;
    int x, loss;
    int a1, b1, a2, b2, a3, b3;
} toy;

/* x -> affine1 (WEIGHTS) -> h1 -> affine2 (ARCH) -> h2; h3 = h1 * h2;
 * h3 -> affine3 (FROZEN) -> h4 -> a chain of 4 frozen affines -> loss. */
static void build(toy *t, int64_t max_batch, int frozen_keeps)
{
    assert_int_equal(rfnas_ctx_create(&t->ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas__graph_create(&t->g, t->ctx, max_batch), RFNAS_OK);
    rfnas__graph *g = t->g;
    t->x = rfnas__graph_tensor(g, D, 1, 1, RFNAS__LAYOUT_PLAIN);
    assert_int_equal(rfnas__graph_mark_input(g, t->x), RFNAS_OK);
    int h1 = rfnas__graph_tensor(g, D, 1, 1, RFNAS__LAYOUT_PLAIN);
    int h2 = rfnas__graph_tensor(g, D, 1, 1, RFNAS__LAYOUT_PLAIN);
    int h3 = rfnas__graph_tensor(g, D, 1, 1, RFNAS__LAYOUT_PLAIN);
    t->a1 = rfnas__graph_param(g, "a1", RFNAS__GROUP_WEIGHTS, 1);
    t->b1 = rfnas__graph_param(g, "b1", RFNAS__GROUP_WEIGHTS, 1);
    t->a2 = rfnas__graph_param(g, "a2", RFNAS__GROUP_ARCH, 1);
    t->b2 = rfnas__graph_param(g, "b2", RFNAS__GROUP_ARCH, 1);
    t->a3 = rfnas__graph_param(g, "a3", RFNAS__GROUP_FROZEN, 1);
    t->b3 = rfnas__graph_param(g, "b3", RFNAS__GROUP_FROZEN, 1);
    int p1[2] = {t->a1, t->b1}, p2[2] = {t->a2, t->b2}, p3[2] = {t->a3, t->b3};
    assert_true(rfnas__graph_node(g, &affine_ops, (void *)0, "affine1", &t->x, 1, &h1, 1, p1, 2, 0) >= 0);
    assert_true(rfnas__graph_node(g, &affine_ops, (void *)1, "affine2", &h1, 1, &h2, 1, p2, 2, 0) >= 0);
    int in3[2] = {h1, h2};
    assert_true(rfnas__graph_node(g, &mul_ops, NULL, "mul", in3, 2, &h3, 1, NULL, 0, 0) >= 0);
    int prev = h3;
    for (int k = 0; k < 4; k++) {
        int next = rfnas__graph_tensor(g, D, 1, 1, RFNAS__LAYOUT_PLAIN);
        assert_true(rfnas__graph_node(g, frozen_keeps ? &affine_ops : &frozen_affine_ops,
                                      (void *)(intptr_t)(2 + k), "frozen", &prev, 1, &next, 1, p3,
                                      2, 0) >= 0);
        prev = next;
    }
    t->loss = rfnas__graph_tensor(g, 1, 1, 1, RFNAS__LAYOUT_PLAIN);
    assert_true(rfnas__graph_node(g, &loss_ops, NULL, "loss", &prev, 1, &t->loss, 1, NULL, 0, 0) >= 0);
    assert_int_equal(rfnas__graph_mark_output(g, t->loss), RFNAS_OK);
    assert_int_equal(rfnas__graph_finalize(g), RFNAS_OK);
    *rfnas__graph_param_value(g, t->a1) = 0.7f;
    *rfnas__graph_param_value(g, t->b1) = -0.2f;
    *rfnas__graph_param_value(g, t->a2) = 1.3f;
    *rfnas__graph_param_value(g, t->b2) = 0.4f;
    *rfnas__graph_param_value(g, t->a3) = 0.9f;
    *rfnas__graph_param_value(g, t->b3) = 0.05f;
}

static void destroy(toy *t)
{
    rfnas__graph_destroy(t->g);
    rfnas_ctx_destroy(t->ctx);
}

static double run_loss(toy *t, rfnas__mode mode, const float *x, int64_t batch)
{
    memcpy(rfnas__graph_value_for(t->g, mode, t->x), x, (size_t)(batch * D) * sizeof *x);
    assert_int_equal(rfnas__graph_forward(t->g, batch, mode, 1), RFNAS_OK);
    return rfnas__graph_value(t->g, t->loss)[0];
}

static void check_gradients(toy *t, rfnas__mode mode, const int *params, int n, int64_t batch)
{
    float x[8 * D];
    for (int i = 0; i < batch * D; i++)
        x[i] = (float)sin(1.7 * i) * 0.8f;
    rfnas__graph_zero_grad(t->g, RFNAS__GROUP_WEIGHTS);
    rfnas__graph_zero_grad(t->g, RFNAS__GROUP_ARCH);
    run_loss(t, mode, x, batch);
    assert_int_equal(rfnas__graph_backward(t->g), RFNAS_OK);
    for (int k = 0; k < n; k++) {
        float *p = rfnas__graph_param_value(t->g, params[k]);
        const float analytic = *rfnas__graph_param_grad(t->g, params[k]);
        const float keep = *p, h = 1e-2f;
        *p = keep + h;
        double up = run_loss(t, RFNAS__MODE_EVAL, x, batch);
        *p = keep - h;
        double down = run_loss(t, RFNAS__MODE_EVAL, x, batch);
        *p = keep;
        double numeric = (up - down) / (2.0 * h);
        if (fabs(numeric - analytic) > 2e-3 * (1.0 + fabs(numeric)))
            fail_msg("param %d: analytic %.6f numeric %.6f", k, analytic, numeric);
    }
}

static void test_graph__gradients_of_each_group_match_central_differences(void **state)
{
    (void)state;
    toy t;
    build(&t, 8, 0);
    const int weights[2] = {t.a1, t.b1}, arch[2] = {t.a2, t.b2};
    memset(calls_backward, 0, sizeof calls_backward);
    check_gradients(&t, RFNAS__MODE_WEIGHTS, weights, 2, 8);
    assert_int_equal(calls_backward[0], 1);
    check_gradients(&t, RFNAS__MODE_ARCH, arch, 2, 3); /* a smaller batch uses the same plan */
    /* The ARCH backward skips affine1: nothing upstream of affine2 trains in ARCH. */
    assert_int_equal(calls_backward[0], 1);
    assert_int_equal(calls_backward[1], 2);
    /* The frozen chain runs backward (gradients flow through it) but trains nothing. */
    assert_float_equal(*rfnas__graph_param_grad(t.g, t.a3), 0.0, 0.0);
    destroy(&t);
}

static void test_graph__backward_needs_a_training_forward_just_before(void **state)
{
    (void)state;
    toy t;
    build(&t, 4, 0);
    float x[4 * D] = {0};
    assert_int_equal(rfnas__graph_backward(t.g), RFNAS_E_STATE);
    run_loss(&t, RFNAS__MODE_EVAL, x, 4);
    assert_int_equal(rfnas__graph_backward(t.g), RFNAS_E_STATE);
    run_loss(&t, RFNAS__MODE_WEIGHTS, x, 4);
    assert_int_equal(rfnas__graph_backward(t.g), RFNAS_OK);
    assert_int_equal(rfnas__graph_backward(t.g), RFNAS_E_STATE);
    assert_int_equal(rfnas__graph_forward(t.g, 5, RFNAS__MODE_EVAL, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas__graph_forward(t.g, 0, RFNAS__MODE_EVAL, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas__graph_tensor(t.g, 1, 1, 1, RFNAS__LAYOUT_PLAIN), RFNAS_E_STATE);
    destroy(&t);
}

static void test_graph__plans_keep_only_what_backward_reads(void **state)
{
    (void)state;
    toy keep, frozen;
    build(&keep, 64, 1);
    build(&frozen, 64, 0);
    size_t eval = rfnas__graph_plan_bytes(frozen.g, RFNAS__MODE_EVAL);
    size_t w_frozen = rfnas__graph_plan_bytes(frozen.g, RFNAS__MODE_WEIGHTS);
    size_t w_keep = rfnas__graph_plan_bytes(keep.g, RFNAS__MODE_WEIGHTS);
    print_message("toy plan bytes: eval %zu, weights with frozen nodes %zu, with keeping nodes %zu\n",
                  eval, w_frozen, w_keep);
    assert_true(eval < w_frozen);
    assert_true(w_frozen < w_keep);
    /* Evaluation reuses memory: far less than one buffer per tensor. */
    assert_true(eval <= 3 * 64 * D * sizeof(float) + 256);
    destroy(&keep);
    destroy(&frozen);
}

static void test_graph__node_validation(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas__graph *g;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas__graph_create(&g, ctx, 0), RFNAS_E_INVALID);
    assert_int_equal(rfnas__graph_create(&g, ctx, 2), RFNAS_OK);
    int a = rfnas__graph_tensor(g, D, 1, 1, RFNAS__LAYOUT_PLAIN);
    int b = rfnas__graph_tensor(g, D, 1, 1, RFNAS__LAYOUT_PLAIN);
    /* Reading a tensor nobody produced (and not declared an input) is refused. */
    assert_true(rfnas__graph_node(g, &mul_ops, NULL, "m", &a, 1, &b, 1, NULL, 0, 0) < 0);
    assert_int_equal(rfnas__graph_mark_input(g, a), RFNAS_OK);
    assert_true(rfnas__graph_node(g, &mul_ops, NULL, "m", &a, 1, &b, 1, NULL, 0, 0) >= 0);
    /* Two producers for one tensor are refused. */
    assert_true(rfnas__graph_node(g, &mul_ops, NULL, "m2", &a, 1, &b, 1, NULL, 0, 0) < 0);
    assert_int_equal(rfnas__graph_tensor(g, 0, 1, 1, RFNAS__LAYOUT_PLAIN), RFNAS_E_INVALID);
    /* Blocked tensors pad channels to 16. */
    int c = rfnas__graph_tensor(g, 20, 3, 3, RFNAS__LAYOUT_BLOCKED16);
    assert_int_equal(rfnas__graph_tensor_info(g, c)->per_sample, 32 * 9);
    rfnas__graph_destroy(g);
    rfnas_ctx_destroy(ctx);
}

/* ---- views (merged convolutions' slices) ---- */

enum { VC = 32, VHW = 2 }; /* base: 2 channel blocks of 2x2 pixels */

/* y = k * x on blocked tensors whose input may be a view: reads each sample
 * at the input's sample stride, writes a dense output. */
static rfnas_status vscale_fwd(rfnas__node *n, rfnas__exec *ex)
{
    const rfnas__tensor *t = rfnas__graph_tensor_info(ex->graph, n->in[0]);
    const float k = (float)(intptr_t)n->state;
    const float *x = rfnas__exec_in(ex, n, 0);
    float *y = rfnas__exec_out(ex, n, 0);
    for (int64_t b = 0; b < ex->batch; b++)
        for (size_t i = 0; i < t->per_sample; i++)
            y[(size_t)b * t->per_sample + i] = k * x[(size_t)b * t->sample_stride + i];
    return RFNAS_OK;
}

static rfnas_status vscale_bwd(rfnas__node *n, rfnas__exec *ex)
{
    (void)n;
    (void)ex;
    return RFNAS_OK;
}

static const rfnas__node_ops vscale_ops = {"vscale", vscale_fwd, vscale_bwd, affine_keeps_nothing,
                                           NULL};

static int vscale(rfnas__graph *g, int x, int64_t c, int k, int views)
{
    int y = rfnas__graph_tensor(g, c, VHW, VHW, RFNAS__LAYOUT_BLOCKED16);
    if (y < 0)
        return y;
    void *state = (void *)(intptr_t)k;
    int rc = views ? rfnas__graph_node_views(g, &vscale_ops, state, "v", &x, 1, &y, 1, NULL, 0, 0)
                   : rfnas__graph_node(g, &vscale_ops, state, "s", &x, 1, &y, 1, NULL, 0, 0);
    return rc < 0 ? rc : y;
}

static void test_graph__views_read_their_slice_and_refuse_misuse(void **state)
{
    (void)state;
    rfnas_ctx *ctx;
    rfnas__graph *g;
    assert_int_equal(rfnas_ctx_create(&ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas__graph_create(&g, ctx, 3), RFNAS_OK);
    int x = rfnas__graph_tensor(g, VC, VHW, VHW, RFNAS__LAYOUT_BLOCKED16);
    int plain = rfnas__graph_tensor(g, VC, 1, 1, RFNAS__LAYOUT_PLAIN);
    assert_int_equal(rfnas__graph_mark_input(g, x), RFNAS_OK);
    const int base = vscale(g, x, VC, 3, 0);
    assert_true(base >= 0);
    /* Whole blocks of a blocked tensor only. */
    assert_int_equal(rfnas__graph_view(g, base, 8, 16), RFNAS_E_INVALID);
    assert_int_equal(rfnas__graph_view(g, base, 16, 32), RFNAS_E_INVALID);
    assert_int_equal(rfnas__graph_view(g, plain, 0, 16), RFNAS_E_INVALID);
    const int v0 = rfnas__graph_view(g, base, 0, 16), v1 = rfnas__graph_view(g, base, 16, 16);
    assert_true(v0 >= 0 && v1 >= 0);
    assert_int_equal(rfnas__graph_tensor_info(g, v1)->sample_stride, VC * VHW * VHW);
    /* A view of a view, a node that cannot read views, and reading the base
     * itself are refused; so is a second reader of one view. */
    assert_int_equal(rfnas__graph_view(g, v0, 0, 16), RFNAS_E_INVALID);
    assert_true(vscale(g, v0, 16, 2, 0) < 0);
    assert_true(vscale(g, base, VC, 2, 1) < 0);
    const int y0 = vscale(g, v0, 16, 2, 1);
    assert_true(y0 >= 0);
    assert_true(vscale(g, v0, 16, 2, 1) < 0);
    /* Views that leave channels of their base uncovered fail the finalize. */
    rfnas__graph *h;
    assert_int_equal(rfnas__graph_create(&h, ctx, 3), RFNAS_OK);
    int hx = rfnas__graph_tensor(h, VC, VHW, VHW, RFNAS__LAYOUT_BLOCKED16);
    assert_int_equal(rfnas__graph_mark_input(h, hx), RFNAS_OK);
    const int hb = vscale(h, hx, VC, 3, 0);
    assert_true(vscale(h, rfnas__graph_view(h, hb, 16, 16), 16, 2, 1) >= 0);
    assert_int_equal(rfnas__graph_finalize(h), RFNAS_E_INVALID);
    rfnas__graph_destroy(h);

    /* The readers see their own slice of every sample. */
    const int y1 = vscale(g, v1, 16, 5, 1);
    assert_true(y1 >= 0);
    assert_int_equal(rfnas__graph_mark_output(g, y0), RFNAS_OK);
    assert_int_equal(rfnas__graph_mark_output(g, y1), RFNAS_OK);
    assert_int_equal(rfnas__graph_finalize(g), RFNAS_OK);
    float *in = rfnas__graph_value_for(g, RFNAS__MODE_EVAL, x);
    const size_t per = VC * VHW * VHW, half = per / 2;
    for (size_t i = 0; i < 3 * per; i++)
        in[i] = (float)i;
    assert_int_equal(rfnas__graph_forward(g, 3, RFNAS__MODE_EVAL, 0), RFNAS_OK);
    const float *o0 = rfnas__graph_value(g, y0), *o1 = rfnas__graph_value(g, y1);
    for (size_t b = 0; b < 3; b++)
        for (size_t i = 0; i < half; i++) {
            assert_float_equal(o0[b * half + i], 6.0f * (float)(b * per + i), 0.0f);
            assert_float_equal(o1[b * half + i], 15.0f * (float)(b * per + half + i), 0.0f);
        }
    rfnas__graph_destroy(g);
    rfnas_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph__gradients_of_each_group_match_central_differences),
        cmocka_unit_test(test_graph__backward_needs_a_training_forward_just_before),
        cmocka_unit_test(test_graph__plans_keep_only_what_backward_reads),
        cmocka_unit_test(test_graph__node_validation),
        cmocka_unit_test(test_graph__views_read_their_slice_and_refuse_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
