/* The public supernet handle (internal view), shared with the optimizer. */
#ifndef RFNAS_API_SUPERNET_H
#define RFNAS_API_SUPERNET_H

#include "net/net.h"

struct rfnas_supernet {
    rfnas__handle hdr;
    rfnas_ctx *ctx;       /* holds a reference */
    int refs;             /* the caller's plus one per optimizer */
    int caller_released;
    rfnas_space space;    /* a copy */
    rfnas__net net;
    rfnas_genotype genotype; /* networks built from a genotype: a copy of it */
    int32_t *labels;      /* the last forward's labels (max_batch) */
    int64_t batch;        /* of the last forward; 0 before any */
};

void rfnas__supernet_ref(rfnas_supernet *net);
void rfnas__supernet_unref(rfnas_supernet *net);
rfnas__group rfnas__public_group(rfnas_group group);

#endif
