/* The graph's private state, shared by its build, plan and run files. */
#ifndef RFNAS_GRAPH_GRAPH_INTERNAL_H
#define RFNAS_GRAPH_GRAPH_INTERNAL_H

#include "graph.h"

#define RFNAS__NO_OFFSET SIZE_MAX

enum {
    RFNAS__TENSOR_OUTPUT = 1,
    RFNAS__TENSOR_INPUT = 2,
    RFNAS__TENSOR_READ = 4,     /* a node reads it */
    RFNAS__TENSOR_HAS_VIEWS = 8 /* read only through its views */
};

typedef struct rfnas__plan {
    size_t *value_off;   /* per tensor */
    size_t *grad_off;    /* per tensor, RFNAS__NO_OFFSET when no gradient is needed */
    size_t *scratch_off; /* per node: forward and backward share the slot size */
    size_t *scratch_bwd_off;
    uint8_t *runs_backward; /* per node */
    uint64_t *need_grad;    /* per node: inputs that need a gradient */
    uint64_t *accumulate;   /* per node: inputs whose gradient another node wrote first */
    size_t bytes;
} rfnas__plan;

/* A bf16 copy of one tensor (shadow.c). */
typedef struct rfnas__shadow {
    int tensor;
    size_t bytes;   /* at the largest batch */
    uint64_t stamp; /* the forward whose value it holds */
    void *buf;
} rfnas__shadow;

struct rfnas__graph {
    rfnas_ctx *ctx; /* holds a reference */
    int64_t max_batch;
    rfnas__tensor *tensors;
    uint8_t *flags; /* RFNAS__TENSOR_* */
    int n_tensors, cap_tensors;
    rfnas__param *params;
    int n_params, cap_params;
    rfnas__node *nodes;
    int n_nodes, cap_nodes;
    size_t group_size[RFNAS__GROUP_COUNT];
    float *group_values[RFNAS__GROUP_COUNT];
    float *group_grads[RFNAS__GROUP_COUNT];
    rfnas__plan plan[RFNAS__MODE_COUNT];
    unsigned char *arena;
    size_t arena_bytes;
    int finalized;
    int conv_bf16; /* see rfnas__graph_set_conv_bf16() */
    uint64_t forwards; /* forwards run so far: the stamp of bf16 shadows */
    rfnas__shadow *shadows;
    int n_shadows, cap_shadows;
    rfnas__mode mode;     /* of the last forward */
    int64_t batch;        /* of the last forward */
    int backward_pending; /* a forward in a training mode ran; its backward has not */
};

rfnas_status rfnas__plan_build(rfnas__graph *g, rfnas__mode mode, rfnas__plan *plan);
void rfnas__plan_free(rfnas__graph *g, rfnas__plan *plan);
void rfnas__graph_shadow_free(rfnas__graph *g);
rfnas__group rfnas__mode_group(rfnas__mode mode);

#endif
