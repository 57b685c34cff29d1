/* Composed graphs of the loop-based node kinds, checked end to end against
 * central differences of the loss: ReLU, average and max pooling, a mixed node
 * (softmax over alphas, edge-normalising betas, a zero op), global pooling,
 * linear layer and cross-entropy, on a tensor whose 5 channels only partly
 * fill a 16-channel block. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/graph.h"
#include "kernels/loops/blocked.h"
#include "net/init.h"
#include "net/nodes.h"

enum { B = 3, C = 5, H = 6, W = 6, CLASSES = 3 };

typedef struct net {
    rfnas_ctx *ctx;
    rfnas__graph *g;
    int x, loss, alpha, beta, weight, bias;
    const int32_t *labels;
} net;

static void build(net *n, int with_beta)
{
    assert_int_equal(rfnas_ctx_create(&n->ctx, NULL), RFNAS_OK);
    assert_int_equal(rfnas__graph_create(&n->g, n->ctx, B), RFNAS_OK);
    rfnas__graph *g = n->g;
    n->x = rfnas__graph_tensor(g, C, H, W, RFNAS__LAYOUT_BLOCKED16);
    rfnas__graph_mark_input(g, n->x);
    n->alpha = rfnas__graph_param(g, "alpha", RFNAS__GROUP_ARCH, 2 * 4);
    n->beta = with_beta ? rfnas__graph_param(g, "beta", RFNAS__GROUP_ARCH, 2) : -1;
    n->weight = rfnas__graph_param(g, "fc.weight", RFNAS__GROUP_WEIGHTS, CLASSES * C);
    n->bias = rfnas__graph_param(g, "fc.bias", RFNAS__GROUP_WEIGHTS, CLASSES);
    int r = rfnas__node_relu(g, "relu", n->x);
    int p = rfnas__node_pool(g, "avg", n->x, RFNAS__POOL_AVG, 3, 1, 1);
    int m = rfnas__node_pool(g, "max", r, RFNAS__POOL_MAX, 3, 1, 1);
    assert_true(r >= 0 && p >= 0 && m >= 0);
    const int ops[8] = {-1, n->x, p, m, /* edge 0 */ -1, r, m, p /* edge 1 */};
    const int rows[2] = {0, 1};
    int mixed = rfnas__node_mixed(g, "node", ops, rows, 2, 4, n->alpha, n->beta);
    assert_true(mixed >= 0);
    int pooled = rfnas__node_gap(g, "gap", mixed);
    int logits = rfnas__node_linear(g, "fc", pooled, CLASSES, n->weight, n->bias);
    assert_true(pooled >= 0 && logits >= 0);
    n->loss = rfnas__node_xent(g, "loss", logits, &n->labels, 1.0);
    assert_true(n->loss >= 0);
    assert_int_equal(rfnas__graph_mark_output(g, n->loss), RFNAS_OK);
    assert_int_equal(rfnas__graph_finalize(g), RFNAS_OK);
    rfnas__init_normal(rfnas__graph_param_value(g, n->alpha), 8, 0.5, 1, "alpha");
    if (with_beta)
        rfnas__init_normal(rfnas__graph_param_value(g, n->beta), 2, 0.5, 1, "beta");
    rfnas__init_uniform(rfnas__graph_param_value(g, n->weight), CLASSES * C, 0.8, 1, "w");
    rfnas__init_uniform(rfnas__graph_param_value(g, n->bias), CLASSES, 0.3, 1, "b");
}

static void destroy(net *n)
{
    rfnas__graph_destroy(n->g);
    rfnas_ctx_destroy(n->ctx);
}

static double loss_of(net *n, rfnas__mode mode, const float *x_nchw)
{
    static const int32_t labels[B] = {2, 0, 1};
    n->labels = labels;
    rfnas__blocked_from_nchw(rfnas__graph_value_for(n->g, mode, n->x), x_nchw,
                             rfnas__blocked_make(B, C, H, W));
    assert_int_equal(rfnas__graph_forward(n->g, B, mode, 1), RFNAS_OK);
    return rfnas__graph_value(n->g, n->loss)[0];
}

static void check(net *n, rfnas__mode mode, int param, size_t count)
{
    static float x[B * C * H * W];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)sin(0.37 * (double)i + 0.2) * 1.5f;
    rfnas__graph_zero_grad(n->g, RFNAS__GROUP_WEIGHTS);
    rfnas__graph_zero_grad(n->g, RFNAS__GROUP_ARCH);
    loss_of(n, mode, x);
    assert_int_equal(rfnas__graph_backward(n->g), RFNAS_OK);
    float *v = rfnas__graph_param_value(n->g, param);
    const float *grad = rfnas__graph_param_grad(n->g, param);
    for (size_t i = 0; i < count; i++) {
        const float keep = v[i], h = 1e-2f;
        v[i] = keep + h;
        double up = loss_of(n, RFNAS__MODE_EVAL, x);
        v[i] = keep - h;
        double down = loss_of(n, RFNAS__MODE_EVAL, x);
        v[i] = keep;
        double numeric = (up - down) / (2.0 * h);
        /* float32 forward, step 1e-2: differences agree to about 1e-4 absolute. */
        if (fabs(numeric - grad[i]) > 5e-4 + 2e-2 * fabs(numeric))
            fail_msg("%s[%zu]: analytic %.6g numeric %.6g",
                     rfnas__graph_param_info(n->g, param)->name, i, grad[i], numeric);
    }
}

static void test_nodes__composed_graph_gradients(void **state)
{
    (void)state;
    for (int with_beta = 0; with_beta < 2; with_beta++) {
        net n;
        build(&n, with_beta);
        check(&n, RFNAS__MODE_ARCH, n.alpha, 8);
        if (with_beta)
            check(&n, RFNAS__MODE_ARCH, n.beta, 2);
        check(&n, RFNAS__MODE_WEIGHTS, n.weight, CLASSES * C);
        check(&n, RFNAS__MODE_WEIGHTS, n.bias, CLASSES);
        destroy(&n);
    }
}

/* The checker above must be able to fail: a wrong alpha gradient is caught. */
static void test_nodes__control_a_wrong_gradient_is_detected(void **state)
{
    (void)state;
    net n;
    build(&n, 0);
    static float x[B * C * H * W];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)sin(0.37 * (double)i + 0.2) * 1.5f;
    rfnas__graph_zero_grad(n.g, RFNAS__GROUP_ARCH);
    loss_of(&n, RFNAS__MODE_ARCH, x);
    assert_int_equal(rfnas__graph_backward(n.g), RFNAS_OK);
    float *v = rfnas__graph_param_value(n.g, n.alpha);
    float analytic = rfnas__graph_param_grad(n.g, n.alpha)[2] * 1.05f; /* 5% off */
    v[2] += 1e-2f;
    double up = loss_of(&n, RFNAS__MODE_EVAL, x);
    v[2] -= 2e-2f;
    double down = loss_of(&n, RFNAS__MODE_EVAL, x);
    double numeric = (up - down) / 2e-2;
    assert_true(fabs(numeric) > 1e-3); /* the control is meaningful */
    assert_true(fabs(numeric - analytic) > 5e-4 + 2e-2 * fabs(numeric));
    destroy(&n);
}

static void test_nodes__eval_loss_and_accuracy_reported(void **state)
{
    (void)state;
    net n;
    build(&n, 1);
    static float x[B * C * H * W];
    double l = loss_of(&n, RFNAS__MODE_EVAL, x); /* zero input: logits = bias */
    const float *b = rfnas__graph_param_value(n.g, n.bias);
    double lse = log(exp(b[0]) + exp(b[1]) + exp(b[2]));
    double want = (3 * lse - b[2] - b[0] - b[1]) / 3.0;
    assert_float_equal(l, want, 1e-5);
    float correct = rfnas__graph_value(n.g, n.loss)[1];
    assert_true(correct >= 0 && correct <= 3 && correct == floorf(correct));
    destroy(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes__composed_graph_gradients),
        cmocka_unit_test(test_nodes__control_a_wrong_gradient_is_detected),
        cmocka_unit_test(test_nodes__eval_loss_and_accuracy_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
