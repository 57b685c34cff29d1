/*
 * librfnas: differentiable architecture search with random features.
 *
 * The one public header. It includes only <stddef.h>, <stdint.h> and the
 * generated rfnas_version.h, never oneDNN's headers, and declares no struct
 * layout: every object is an opaque handle created and destroyed by the
 * library.
 *
 * Conventions (docs/conventions.md):
 *  - every fallible function returns an rfnas_status: 0 is success, negative
 *    is failure, positive is a normal outcome such as RFNAS_END;
 *  - on failure rfnas_error_last() names what failed and why, outputs are
 *    left untouched (out-handles are set to NULL) and handles keep their state;
 *  - create functions take the out-handle first; a NULL config means defaults;
 *    configs, arrays and strings are copied;
 *  - destroy functions return nothing and accept NULL; objects may be
 *    destroyed in any order (children keep their parents alive);
 *  - a context and every object created from it may be used by one thread at
 *    a time (docs/threading.md).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef RFNAS_H
#define RFNAS_H

#include <stddef.h>
#include <stdint.h>

#include "rfnas_version.h"

#ifndef RFNAS_API
#  if defined(_WIN32) && !defined(RFNAS_STATIC)
#    define RFNAS_API __declspec(dllimport)
#  elif defined(__GNUC__) && __GNUC__ >= 4
#    define RFNAS_API __attribute__((visibility("default")))
#  else
#    define RFNAS_API
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

/**
 * Result of every fallible call. Values are frozen: released values are
 * never renumbered or reused (tests/abi/enums.txt).
 */
typedef enum rfnas_status {
    RFNAS_OK = 0,             /**< success */
    RFNAS_END = 1,            /**< iterator exhausted: the epoch ended; not a failure */
    RFNAS_E_INVALID = -1,     /**< NULL or wrong handle, unknown key, value out of bounds */
    RFNAS_E_NOMEM = -2,       /**< an allocation failed */
    RFNAS_E_IO = -3,          /**< a file could not be opened, read or written */
    RFNAS_E_FORMAT = -4,      /**< a file or text is malformed (bad magic, truncated, corrupt) */
    RFNAS_E_MISMATCH = -5,    /**< shapes, sizes or spaces that must agree do not */
    RFNAS_E_UNSUPPORTED = -6, /**< a valid request this build or machine cannot serve */
    RFNAS_E_BACKEND = -7,     /**< oneDNN failed; rfnas_error_last() names the dnnl status */
    RFNAS_E_STATE = -8,       /**< call not allowed in the handle's current state */
    RFNAS_E_BUFSIZE = -9,     /**< caller buffer too small; the size needed is reported */
    RFNAS_E_NOTFOUND = -10,   /**< a named file, key or item does not exist */
    RFNAS_STATUS_MAX_ = 0x7fffffff /* pins the enum to int width; never returned */
} rfnas_status;

/**
 * Static English text for a status code ("invalid argument", ...).
 * @param s Any value; unknown values give "unknown status".
 * @return Static string, never NULL.
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API const char *rfnas_status_string(rfnas_status s);

/**
 * Detail of the most recent failing rfnas_* call on the calling thread, such
 * as "idx: /data/train-images-idx3-ubyte.gz: truncated: 47040016 bytes
 * expected, 1000 found". Every public call clears it on entry, so after a
 * success it is "".
 * @return Library-owned string valid until this thread's next rfnas_* call;
 *         never NULL.
 * @par Thread safety Any thread; each thread has its own message.
 * @since 0.1
 */
RFNAS_API const char *rfnas_error_last(void);

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Runtime version as MAJOR*10000 + MINOR*100 + PATCH; compare it with
 * RFNAS_VERSION_NUMBER to detect a header/library mismatch.
 * @return The version of the loaded library.
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API uint32_t rfnas_version_number(void);

/**
 * Runtime version as "MAJOR.MINOR.PATCH".
 * @return Static string, never NULL.
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API const char *rfnas_version_string(void);

/* ------------------------------------------------------------------------ */
/* Handles                                                                   */
/* ------------------------------------------------------------------------ */

/** Execution context: threads, seed, allocator, log callback, oneDNN engine. */
typedef struct rfnas_ctx rfnas_ctx;
/** Key/value settings read (and copied) by the *_create functions. */
typedef struct rfnas_config rfnas_config;
/** A labelled image set (a whole file set, or a view such as a split). */
typedef struct rfnas_dataset rfnas_dataset;
/** A seeded, shuffling, augmenting batch iterator over a dataset. */
typedef struct rfnas_iter rfnas_iter;
/** A search space: a cell topology and the candidate ops of every edge. */
typedef struct rfnas_space rfnas_space;
/** A discrete architecture (a value: derived, parsed, formatted). */
typedef struct rfnas_genotype rfnas_genotype;
/** A network: a graph of planned kernels with parameter groups. Supernets are
 *  made from a space; a discrete network made from a genotype (for training a
 *  found architecture, rfnas_supernet_create_from_genotype()) is the same
 *  handle type, so optimizers and checkpoints work on both. */
typedef struct rfnas_supernet rfnas_supernet;
/** SGD or Adam over one parameter group of one network. */
typedef struct rfnas_optimizer rfnas_optimizer;
/** Named flat arrays in memory, saved to and loaded from a checkpoint file. */
typedef struct rfnas_checkpoint rfnas_checkpoint;

/* ------------------------------------------------------------------------ */
/* Configuration keys                                                        */
/* ------------------------------------------------------------------------ */

/**
 * Setting keys, one numeric range per object. Values are frozen; new keys
 * are appended. rfnas_key_name() gives each key's name for
 * rfnas_config_set_by_name(), rfnas_key_bounds() its accepted range.
 */
typedef enum rfnas_key {
    /* context: 1..99 */
    RFNAS_KEY_CTX_THREADS = 1, /**< int, 0..1024, default 0 = all online CPUs */
    RFNAS_KEY_CTX_SEED = 2,    /**< int, 0..2^63-1, default 0 */

    /* network: 200..299 */
    RFNAS_KEY_NET_FEATURES = 200,     /**< string: "random" (RF-DARTS, default) | "learned" (DARTS) */
    RFNAS_KEY_NET_CHANNELS = 201,     /**< int, 1..1024, default 16: initial channels C */
    RFNAS_KEY_NET_CELLS = 202,        /**< int, 0..64, default 0: NB201 cells per stage (0 = 5),
                                           DARTS cells in all (0 = 8) */
    RFNAS_KEY_NET_STEM_MULTIPLIER = 203, /**< int, 1..16, default 3 (DARTS stem: 3C channels) */
    RFNAS_KEY_NET_CLASSES = 204,      /**< int, 2..100000, default 10 */
    RFNAS_KEY_NET_IN_CHANNELS = 205,  /**< int, 1..64, default 3 */
    RFNAS_KEY_NET_IN_HEIGHT = 206,    /**< int, 4..4096, default 32 */
    RFNAS_KEY_NET_IN_WIDTH = 207,     /**< int, 4..4096, default 32 */
    RFNAS_KEY_NET_MAX_BATCH = 208,    /**< int, 1..65536, default 64: the largest batch forward takes */
    RFNAS_KEY_NET_TRAIN_CLASSIFIER = 209, /**< int 0|1, default 0: RF trains the classifier too */
    RFNAS_KEY_NET_TRACK_RUNNING_STATS = 210, /**< int 0|1, default 1: BN in cells keeps running
                                                  statistics (evaluation uses them) */
    RFNAS_KEY_NET_INIT = 211,         /**< string: "pytorch" (default, U(+-1/sqrt(fan_in))) |
                                           "kaiming_normal" */
    RFNAS_KEY_NET_PARTIAL_CHANNELS = 212, /**< int, 1..64, default 1 (off): PC-DARTS partial
                                               channels K (SPEC 3.3; PC-DARTS uses 4): each edge's
                                               mixed op sees C/K channels, the rest bypass it,
                                               then a channel shuffle; DARTS topology only */
    RFNAS_KEY_NET_EDGE_NORM = 213,    /**< int 0|1, default 0: PC-DARTS edge normalisation
                                           (SPEC 5.3): per-node betas in the ARCH group;
                                           DARTS topology only */
    RFNAS_KEY_NET_AUXILIARY = 214,    /**< int 0|1, default 0: a network built from a DARTS
                                           genotype gets the auxiliary head at cell 2L/3 */
    RFNAS_KEY_NET_AUXILIARY_WEIGHT = 215, /**< double, 0..10, default 0.4: its loss weight */
    RFNAS_KEY_NET_DROP_PATH_PROB = 216, /**< double, 0..1 (exclusive of 1), default 0: drop-path
                                             probability of a DARTS network built from a
                                             genotype; live (rfnas_supernet_set_double()) */
    RFNAS_KEY_NET_DROP_PATH_COUNTER = 217, /**< int, 0..2^63-1, default 0: position of the
                                                drop-path masks; live, for exact resume */
    RFNAS_KEY_NET_NOISE_COUNTER = 218, /**< int, 0..2^63-1, default 0: position of the S4 noise
                                            op's draws; live, for exact resume */
    RFNAS_KEY_NET_PRECISION = 219,    /**< string: "fp32" (default) | "bf16" | "auto": arithmetic
                                           of the frozen (random-feature) convolutions. "bf16"
                                           runs them in bf16 with f32 accumulation on AMX
                                           (activations converted at the convolution, weights
                                           once); alphas, BN, statistics, optimizer state and
                                           learned convolutions stay fp32. Where oneDNN reports
                                           no AMX, bf16 is slower than fp32, so "bf16" falls
                                           back to fp32 with a warning in the log and "auto"
                                           quietly picks fp32 */

    /* optimizer: 300..399 */
    RFNAS_KEY_OPT_KIND = 300,         /**< string: "sgd" (default) | "adam" */
    RFNAS_KEY_OPT_LR = 301,           /**< double, 0..10; default 0.025 (sgd), 3e-4 (adam) */
    RFNAS_KEY_OPT_MOMENTUM = 302,     /**< double, 0..1, default 0.9 (sgd) */
    RFNAS_KEY_OPT_NESTEROV = 303,     /**< int 0|1, default 0 (sgd) */
    RFNAS_KEY_OPT_WEIGHT_DECAY = 304, /**< double, 0..1; default 3e-4 (sgd), 1e-3 (adam) */
    RFNAS_KEY_OPT_BETA1 = 305,        /**< double, 0..1 (exclusive of 1), default 0.5 (adam) */
    RFNAS_KEY_OPT_BETA2 = 306,        /**< double, 0..1 (exclusive of 1), default 0.999 (adam) */
    RFNAS_KEY_OPT_EPS = 307,          /**< double, 1e-12..1, default 1e-8 (adam) */
    RFNAS_KEY_OPT_GRAD_CLIP = 308,    /**< double, 0..1e6, default 5 (sgd), 0 (adam): global norm;
                                           0 = no clipping */

    /* dataset: 400..499 */
    RFNAS_KEY_DATA_LABELS = 400,      /**< string, CIFAR-100 labels: "fine" (default) | "coarse" */
    RFNAS_KEY_DATA_NUM_CLASSES = 401, /**< int, 0..65536: classes of caller arrays; 0 = max label + 1 */

    /* iterator: 500..599 */
    RFNAS_KEY_ITER_BATCH = 500,        /**< int, 1..1048576, default 64 */
    RFNAS_KEY_ITER_SHUFFLE = 501,      /**< int 0|1, default 1: reshuffle every epoch */
    RFNAS_KEY_ITER_DROP_LAST = 502,    /**< int 0|1, default 0: drop a partial last batch */
    RFNAS_KEY_ITER_STREAM = 503,       /**< int, 0..2^31-1, default 0: random stream id; give
                                            iterators of one context distinct ids */
    RFNAS_KEY_ITER_CROP_PAD = 504,     /**< int, 0..64, default 0: zero padding before a random crop */
    RFNAS_KEY_ITER_FLIP = 505,         /**< int 0|1, default 0: random horizontal flip, p = 0.5 */
    RFNAS_KEY_ITER_CUTOUT = 506,       /**< int, 0..1024, default 0: cutout square side (0 = off) */
    RFNAS_KEY_ITER_CUTOUT_PROB = 507,  /**< double, 0..1, default 1: probability of cutout */
    RFNAS_KEY_ITER_MEAN = 508,         /**< doubles, one per channel; unset = computed from data */
    RFNAS_KEY_ITER_STD = 509,          /**< doubles (> 0), one per channel; unset = computed */
    RFNAS_KEY_ITER_NORMALIZE = 510,    /**< int 0|1, default 1: 0 leaves pixels in [0, 1] */

    RFNAS_KEY_MAX_ = 0x7fffffff /* pins the enum to int width; never a key */
} rfnas_key;

/** The value type of a key. */
typedef enum rfnas_type {
    RFNAS_TYPE_INT = 0,     /**< int64_t, set with rfnas_config_set_int() */
    RFNAS_TYPE_DOUBLE = 1,  /**< double, set with rfnas_config_set_double() (or _int) */
    RFNAS_TYPE_STRING = 2,  /**< text, set with rfnas_config_set_string() */
    RFNAS_TYPE_DOUBLES = 3, /**< list of doubles, set with rfnas_config_set_doubles() */
    RFNAS_TYPE_MAX_ = 0x7fffffff
} rfnas_type;

/**
 * Name of a key as accepted by rfnas_config_set_by_name(), e.g. "iter.batch".
 * @param key Any value.
 * @return Static string; NULL for an unknown key.
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API const char *rfnas_key_name(rfnas_key key);

/**
 * Look a key up by its name.
 * @param[in]  name Key name, e.g. "iter.batch".
 * @param[out] key  The key.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID NULL argument
 * @retval RFNAS_E_NOTFOUND no key has that name
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_key_from_name(const char *name, rfnas_key *key);

/**
 * Type and accepted range of a key. For lists the bounds apply to each
 * element; for strings they are 0.
 * @param[in]  key  The key.
 * @param[out] type Value type (may be NULL).
 * @param[out] lo   Smallest accepted value (may be NULL).
 * @param[out] hi   Largest accepted value (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown key
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_key_bounds(rfnas_key key, rfnas_type *type, double *lo, double *hi);

/* ------------------------------------------------------------------------ */
/* Config                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Create an empty config: every key at its default.
 * @param[out] out New config (rfnas_config_destroy()); NULL on failure.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Any thread; the config itself one thread at a time.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_create(rfnas_config **out);

/**
 * Copy a config.
 * @param[out] out New config; NULL on failure.
 * @param[in]  cfg Config to copy.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with a setter on @p cfg.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_copy(rfnas_config **out, const rfnas_config *cfg);

/**
 * Destroy a config. NULL is a no-op.
 * @param cfg Config or NULL.
 * @par Thread safety One thread at a time per config.
 * @since 0.1
 */
RFNAS_API void rfnas_config_destroy(rfnas_config *cfg);

/**
 * Set an integer key (or a double key to an integral value).
 * @param cfg Config. @param key Key. @param value Value within rfnas_key_bounds().
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown key, wrong type or out of bounds
 * @par Thread safety One thread at a time per config.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_set_int(rfnas_config *cfg, rfnas_key key, int64_t value);

/**
 * Set a double key. NaN and infinities are refused.
 * @param cfg Config. @param key Key. @param value Value within rfnas_key_bounds().
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown key, wrong type or out of bounds
 * @par Thread safety One thread at a time per config.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_set_double(rfnas_config *cfg, rfnas_key key, double value);

/**
 * Set a string key; the string is copied.
 * @param cfg Config. @param key Key. @param value NUL-terminated text, one of the key's choices.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown key, wrong type or value not accepted
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety One thread at a time per config.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_set_string(rfnas_config *cfg, rfnas_key key, const char *value);

/**
 * Set a list-of-doubles key; the values are copied.
 * @param cfg Config. @param key Key. @param values Array of @p n values.
 * @param n Number of values, 1..64.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown key, wrong type, bad count or an element out of bounds
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety One thread at a time per config.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_set_doubles(rfnas_config *cfg, rfnas_key key,
                                                const double *values, size_t n);

/**
 * Set any key from text, as AutoML hosts pass hyper-parameters: integers in
 * decimal, doubles in C syntax ("3e-4"), lists comma-separated
 * ("0.49,0.48,0.45"). The whole text must parse; nothing is clamped.
 * @param cfg Config. @param name Key name (rfnas_key_name()). @param value Text.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unparsable or out-of-bounds value
 * @retval RFNAS_E_NOTFOUND unknown name
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety One thread at a time per config.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_set_by_name(rfnas_config *cfg, const char *name,
                                                const char *value);

/**
 * Forget a key's value: it goes back to its default.
 * @param cfg Config. @param key Key.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety One thread at a time per config.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_unset(rfnas_config *cfg, rfnas_key key);

/**
 * Read an integer (or integral double) key: the value set, else the default.
 * @param[in] cfg Config, or NULL for the default. @param key Key.
 * @param[out] value The value.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown key or not an integer key
 * @par Thread safety Not concurrently with a setter on @p cfg.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_get_int(const rfnas_config *cfg, rfnas_key key,
                                            int64_t *value);

/**
 * Read a double (or integer) key: the value set, else the default.
 * @param[in] cfg Config, or NULL for the default. @param key Key.
 * @param[out] value The value.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown key or not a numeric key
 * @par Thread safety Not concurrently with a setter on @p cfg.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_config_get_double(const rfnas_config *cfg, rfnas_key key,
                                               double *value);

/**
 * Whether a key has been set on a config.
 * @param cfg Config (NULL reads as empty). @param key Key.
 * @return 1 if set, 0 if not (or on a bad argument).
 * @par Thread safety Not concurrently with a setter on @p cfg.
 * @since 0.1
 */
RFNAS_API int rfnas_config_is_set(const rfnas_config *cfg, rfnas_key key);

/* ------------------------------------------------------------------------ */
/* Context                                                                   */
/* ------------------------------------------------------------------------ */

/** Allocation hook: @p size bytes aligned to @p align (a power of two, >= 16). */
typedef void *(*rfnas_alloc_fn)(size_t size, size_t align, void *user);
/** Release hook for memory from the matching rfnas_alloc_fn; never given NULL. */
typedef void (*rfnas_free_fn)(void *ptr, void *user);

/** Severity of a log message. */
typedef enum rfnas_log_level {
    RFNAS_LOG_DEBUG = 0,
    RFNAS_LOG_INFO = 1,
    RFNAS_LOG_WARN = 2,
    RFNAS_LOG_ERROR = 3,
    RFNAS_LOG_LEVEL_MAX_ = 0x7fffffff
} rfnas_log_level;

/** Log callback; @p msg is valid only during the call. It must not call back into the context. */
typedef void (*rfnas_log_fn)(rfnas_log_level level, const char *msg, void *user);

/**
 * Create a context on the CPU: a oneDNN engine and stream, a thread count
 * (RFNAS_KEY_CTX_THREADS) and a seed (RFNAS_KEY_CTX_SEED). Host memory comes
 * from malloc.
 * @param[out] out New context (rfnas_ctx_destroy()); NULL on failure.
 * @param[in]  cfg Settings or NULL; copied.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @retval RFNAS_E_BACKEND the oneDNN engine or stream could not be created
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_ctx_create(rfnas_ctx **out, const rfnas_config *cfg);

/**
 * Create a context whose host-side memory (handles, datasets, buffers) comes
 * from the given hooks. Both hooks or neither; they must be thread-safe if
 * several contexts sharing them run on several threads.
 * @param[out] out New context; NULL on failure.
 * @param[in] cfg Settings or NULL. @param alloc_fn Allocation hook.
 * @param free_fn Release hook. @param user Passed to both hooks.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @retval RFNAS_E_BACKEND oneDNN failure
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_ctx_create_with_allocator(rfnas_ctx **out, const rfnas_config *cfg,
                                                       rfnas_alloc_fn alloc_fn,
                                                       rfnas_free_fn free_fn, void *user);

/**
 * Release the caller's reference. The context itself lives on until the last
 * object created from it is destroyed. NULL is a no-op.
 * @param ctx Context or NULL.
 * @par Thread safety Not concurrently with any other call on @p ctx or its objects.
 * @since 0.1
 */
RFNAS_API void rfnas_ctx_destroy(rfnas_ctx *ctx);

/**
 * Install (or, with @p fn NULL, remove) the log callback. Silent by default.
 * @param ctx Context. @param fn Callback or NULL. @param min_level Messages below it are dropped.
 * @param user Passed to @p fn.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_ctx_set_log(rfnas_ctx *ctx, rfnas_log_fn fn,
                                         rfnas_log_level min_level, void *user);

/**
 * Number of threads the context runs oneDNN and its own loops with.
 * @param ctx Context.
 * @return The thread count (>= 1), or 0 for an invalid handle.
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API int rfnas_ctx_get_threads(const rfnas_ctx *ctx);

/**
 * The context's seed; every random stream derives from it.
 * @param ctx Context.
 * @return The seed (0 for an invalid handle).
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API uint64_t rfnas_ctx_get_seed(const rfnas_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Datasets                                                                  */
/* ------------------------------------------------------------------------ */

/** File formats rfnas_dataset_open() reads. */
typedef enum rfnas_format {
    RFNAS_FORMAT_CIFAR10 = 0,       /**< dir with data_batch_1..5.bin / test_batch.bin */
    RFNAS_FORMAT_CIFAR100 = 1,      /**< dir with train.bin / test.bin */
    RFNAS_FORMAT_MNIST = 2,         /**< dir with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] */
    RFNAS_FORMAT_FASHION_MNIST = 3, /**< same files as MNIST */
    RFNAS_FORMAT_MAX_ = 0x7fffffff
} rfnas_format;

/** Which part of a file set. */
typedef enum rfnas_part {
    RFNAS_PART_TRAIN = 0, /**< the training files */
    RFNAS_PART_TEST = 1,  /**< the test files */
    RFNAS_PART_MAX_ = 0x7fffffff
} rfnas_part;

/**
 * Open a standard dataset from its directory. IDX files are read plain or
 * gzip-compressed (the ".gz" name is tried when the plain one is missing).
 * Everything is validated before the handle exists: sizes, magic numbers,
 * dimensions, label ranges, gzip integrity.
 * @param[out] out New dataset (rfnas_dataset_destroy()); NULL on failure.
 * @param[in] ctx Context; kept alive by the dataset. @param format File set format.
 * @param[in] dir Directory holding the files. @param part Train or test files.
 * @param[in] cfg Settings (RFNAS_KEY_DATA_LABELS) or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND a file is missing
 * @retval RFNAS_E_IO a read failed
 * @retval RFNAS_E_FORMAT a file is malformed
 * @retval RFNAS_E_MISMATCH image and label files disagree
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_open(rfnas_dataset **out, rfnas_ctx *ctx,
                                          rfnas_format format, const char *dir, rfnas_part part,
                                          const rfnas_config *cfg);

/**
 * Open an IDX image file and its IDX label file (MNIST layout: uint8 images
 * N x H x W or N x C x H x W, uint8 labels N), plain or gzip-compressed
 * (decided by content, not by name).
 * @param[out] out New dataset; NULL on failure. @param[in] ctx Context.
 * @param[in] images_path Image file. @param[in] labels_path Label file.
 * @param[in] cfg Settings or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND not found
 * @retval RFNAS_E_IO read failure
 * @retval RFNAS_E_FORMAT malformed data
 * @retval RFNAS_E_MISMATCH sizes that do not agree
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_open_idx(rfnas_dataset **out, rfnas_ctx *ctx,
                                              const char *images_path, const char *labels_path,
                                              const rfnas_config *cfg);

/**
 * Open CIFAR binary batch files, concatenated in the order given
 * (3073-byte records for CIFAR-10, 3074-byte records with
 * @p cifar100 set; RFNAS_KEY_DATA_LABELS chooses fine or coarse labels).
 * @param[out] out New dataset; NULL on failure. @param[in] ctx Context.
 * @param[in] paths Array of @p n_paths file names. @param n_paths 1..64.
 * @param cifar100 0 for CIFAR-10 records, 1 for CIFAR-100 records.
 * @param[in] cfg Settings or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND not found
 * @retval RFNAS_E_IO read failure
 * @retval RFNAS_E_FORMAT malformed data
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_open_cifar(rfnas_dataset **out, rfnas_ctx *ctx,
                                                const char *const *paths, size_t n_paths,
                                                int cifar100, const rfnas_config *cfg);

/**
 * Wrap caller arrays of 8-bit pixels (copied). Pixels are N x C x H x W,
 * scaled by 1/255 when batches are made, as the file readers do.
 * @param[out] out New dataset; NULL on failure. @param[in] ctx Context.
 * @param[in] pixels n*c*h*w bytes. @param[in] labels n labels in [0, classes).
 * @param n,c,h,w Shape, each >= 1. @param[in] cfg RFNAS_KEY_DATA_NUM_CLASSES or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID NULL, zero or overflowing shape, label out of range
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_create_u8(rfnas_dataset **out, rfnas_ctx *ctx,
                                               const uint8_t *pixels, const int32_t *labels,
                                               int64_t n, int64_t c, int64_t h, int64_t w,
                                               const rfnas_config *cfg);

/**
 * Wrap caller arrays of float pixels (copied), N x C x H x W, used as they
 * are (no 1/255 scaling). Non-finite pixels are refused.
 * @param[out] out New dataset; NULL on failure. @param[in] ctx Context.
 * @param[in] pixels n*c*h*w floats. @param[in] labels n labels in [0, classes).
 * @param n,c,h,w Shape, each >= 1. @param[in] cfg RFNAS_KEY_DATA_NUM_CLASSES or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_create_f32(rfnas_dataset **out, rfnas_ctx *ctx,
                                                const float *pixels, const int32_t *labels,
                                                int64_t n, int64_t c, int64_t h, int64_t w,
                                                const rfnas_config *cfg);

/**
 * Split a dataset deterministically into two views that share its pixels:
 * the first floor(n * @p fraction) samples and the rest, in order (the DARTS
 * rule: fraction 0.5 gives the search-train and search-val halves).
 * @param[out] first,second New datasets; both NULL on failure.
 * @param[in] ds Dataset. @param fraction In (0, 1); both parts must be non-empty.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on the same context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_split(rfnas_dataset **first, rfnas_dataset **second,
                                           const rfnas_dataset *ds, double fraction);

/**
 * A view of @p count consecutive samples starting at @p start.
 * @param[out] out New dataset; NULL on failure. @param[in] ds Dataset.
 * @param start First sample. @param count Samples, >= 1; start + count <= size.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on the same context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_subset(rfnas_dataset **out, const rfnas_dataset *ds,
                                            int64_t start, int64_t count);

/**
 * Destroy a dataset. Views and iterators keep the shared pixels alive. NULL is a no-op.
 * @param ds Dataset or NULL.
 * @par Thread safety Not concurrently with any other call on the same context.
 * @since 0.1
 */
RFNAS_API void rfnas_dataset_destroy(rfnas_dataset *ds);

/**
 * Shape of a dataset. Any output may be NULL.
 * @param[in] ds Dataset. @param[out] n Samples. @param[out] c Channels.
 * @param[out] h Height. @param[out] w Width. @param[out] classes Number of classes.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call that changes @p ds.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_shape(const rfnas_dataset *ds, int64_t *n, int64_t *c,
                                           int64_t *h, int64_t *w, int64_t *classes);

/**
 * One sample as stored: C x H x W floats in [0, 1] for 8-bit data (byte / 255),
 * or the caller's floats; no augmentation, no normalisation.
 * @param[in] ds Dataset. @param index 0..n-1.
 * @param[out] pixels Buffer of @p cap floats (C*H*W needed). @param cap Its size.
 * @param[out] label The label (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_BUFSIZE @p cap too small
 * @par Thread safety Not concurrently with a call that changes @p ds.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_get(const rfnas_dataset *ds, int64_t index, float *pixels,
                                         size_t cap, int32_t *label);

/**
 * Per-channel mean and (population) standard deviation of the dataset's
 * pixels on the scale rfnas_dataset_get() returns, computed in double
 * precision in a fixed order.
 * @param[in] ds Dataset. @param[out] mean,std Buffers of @p cap doubles (C needed).
 * @param cap Their size.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_BUFSIZE buffer too small
 * @par Thread safety Not concurrently with a call that changes @p ds.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_stats(const rfnas_dataset *ds, double *mean, double *std,
                                           size_t cap);

/**
 * Count samples per class.
 * @param[in] ds Dataset. @param[out] counts Buffer of @p cap counts (classes needed).
 * @param cap Its size.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_BUFSIZE buffer too small
 * @par Thread safety Not concurrently with a call that changes @p ds.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_dataset_histogram(const rfnas_dataset *ds, int64_t *counts,
                                               size_t cap);

/* ------------------------------------------------------------------------ */
/* Iterators                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Create a batch iterator over a dataset. Settings: RFNAS_KEY_ITER_*. The
 * order of epoch e is a permutation drawn from (context seed, stream, e); each
 * sample's augmentation from (seed, stream, e, position): the same seed and
 * stream give the same batches, whatever else the program does.
 * Normalisation statistics not given are computed from @p ds (see
 * rfnas_iter_normalization()).
 * @param[out] out New iterator (rfnas_iter_destroy()); NULL on failure.
 * @param[in] ds Dataset; kept alive by the iterator. @param[in] cfg Settings or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad setting (e.g. a mean list whose length is not the channel count)
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on the same context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_iter_create(rfnas_iter **out, rfnas_dataset *ds,
                                         const rfnas_config *cfg);

/**
 * Destroy an iterator. NULL is a no-op.
 * @param it Iterator or NULL.
 * @par Thread safety Not concurrently with any other call on the same context.
 * @since 0.1
 */
RFNAS_API void rfnas_iter_destroy(rfnas_iter *it);

/**
 * Write the next batch: pixels as N x C x H x W float32 into @p x, labels into
 * @p y, the batch size into @p n. At the end of an epoch it returns RFNAS_END
 * (with *n = 0) once; the call after that starts the next epoch.
 * @param it Iterator. @param[out] x Buffer of @p x_cap floats (batch*C*H*W needed).
 * @param x_cap Its size. @param[out] y Buffer of @p y_cap labels (batch needed).
 * @param y_cap Its size. @param[out] n Samples written (may be NULL).
 * @retval RFNAS_OK a batch was written
 * @retval RFNAS_END the epoch is over
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_BUFSIZE a buffer is smaller than a full batch
 * @par Thread safety Not concurrently with any other call on the same context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_iter_next(rfnas_iter *it, float *x, size_t x_cap, int32_t *y,
                                       size_t y_cap, int64_t *n);

/**
 * Shape of the batches: batch size, channels, height, width. Any output may be NULL.
 * @param[in] it Iterator. @param[out] batch,c,h,w The shape of a full batch.
 * @param[out] batches_per_epoch Batches in one epoch (partial last one included
 *             unless dropped).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call that changes @p it.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_iter_shape(const rfnas_iter *it, int64_t *batch, int64_t *c,
                                        int64_t *h, int64_t *w, int64_t *batches_per_epoch);

/**
 * The normalisation in use: x' = (x - mean[c]) / std[c], given or computed.
 * @param[in] it Iterator. @param[out] mean,std Buffers of @p cap doubles (C needed).
 * @param cap Their size.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_BUFSIZE buffer too small
 * @par Thread safety Not concurrently with a call that changes @p it.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_iter_normalization(const rfnas_iter *it, double *mean, double *std,
                                                size_t cap);

/**
 * Position of the iterator: the epoch (0-based) and the number of samples
 * of it already delivered. Store both to resume exactly.
 * @param[in] it Iterator. @param[out] epoch,cursor The position (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call that changes @p it.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_iter_get_position(const rfnas_iter *it, int64_t *epoch,
                                               int64_t *cursor);

/**
 * Move the iterator to a position from rfnas_iter_get_position(): the batches
 * that follow are bit-identical to those an uninterrupted iterator gives.
 * @param it Iterator. @param epoch >= 0. @param cursor 0..samples per epoch.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID out-of-range position
 * @par Thread safety Not concurrently with any other call on the same context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_iter_set_position(rfnas_iter *it, int64_t epoch, int64_t cursor);

/* ------------------------------------------------------------------------ */
/* Search spaces                                                             */
/* ------------------------------------------------------------------------ */

/** Cell wiring. */
typedef enum rfnas_topology {
    /** NAS-Bench-201: nodes 0..3, node 0 the cell input, edges i <- j for j < i (6 edges),
     *  node i = sum of its incoming edges, output node 3; rows 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2. */
    RFNAS_TOPOLOGY_NB201 = 0,
    /** DARTS: states 0 and 1 are the two cell inputs, states 2..5 the intermediate nodes;
     *  state t sums edges from states 0..t-1 (14 edges, row of (t, j) = (t-2)(t+1)/2 + j);
     *  output = concat of the intermediate nodes; normal and reduction cells. */
    RFNAS_TOPOLOGY_DARTS = 1,
    RFNAS_TOPOLOGY_MAX_ = 0x7fffffff
} rfnas_topology;

/** Cell types of a space (NB201 has only normal cells). */
typedef enum rfnas_cell_type {
    RFNAS_CELL_NORMAL = 0,
    RFNAS_CELL_REDUCE = 1,
    RFNAS_CELL_TYPE_MAX_ = 0x7fffffff
} rfnas_cell_type;

/**
 * Create a standard search space: "nb201" (none, skip_connect, nor_conv_1x1,
 * nor_conv_3x3, avg_pool_3x3), "darts" (none, max_pool_3x3, avg_pool_3x3,
 * skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5) or
 * RobustDARTS "s1" .. "s4" (per-edge lists, SPEC 3.4). Op order is the alpha
 * column order.
 * @param[out] out New space (rfnas_space_destroy()); NULL on failure.
 * @param[in] name Space name.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID NULL argument
 * @retval RFNAS_E_NOTFOUND unknown name
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_space_create(rfnas_space **out, const char *name);

/**
 * Create a custom space: the same candidate list on every edge of @p topology.
 * Op names come from the catalogue (the ops above plus sep_conv_7x7,
 * conv_7x1_1x7, nor_conv_7x7 and noise).
 * @param[out] out New space; NULL on failure. @param topology Cell wiring.
 * @param[in] ops Array of @p n_ops distinct op names (copied). @param n_ops 1..16.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID unknown or repeated op, bad count or topology
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_space_create_custom(rfnas_space **out, rfnas_topology topology,
                                                 const char *const *ops, size_t n_ops);

/**
 * Destroy a space. NULL is a no-op.
 * @param space Space or NULL.
 * @par Thread safety One thread at a time per space.
 * @since 0.1
 */
RFNAS_API void rfnas_space_destroy(rfnas_space *space);

/**
 * Shape of a space. Any output may be NULL.
 * @param[in] space Space. @param[out] topology Cell wiring.
 * @param[out] cell_types 1 (NB201) or 2 (normal and reduce).
 * @param[out] edges Edges per cell. @param[out] ops_per_edge Candidates per edge (the alpha row length).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Any thread (read-only).
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_space_info(const rfnas_space *space, rfnas_topology *topology,
                                        int64_t *cell_types, int64_t *edges,
                                        int64_t *ops_per_edge);

/**
 * Name of candidate @p op of @p edge in cells of type @p cell.
 * @param[in] space Space. @param cell Cell type. @param edge 0..edges-1. @param op 0..ops_per_edge-1.
 * @param[out] name Static string (e.g. "sep_conv_3x3").
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID out-of-range index
 * @par Thread safety Any thread (read-only).
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_space_op_name(const rfnas_space *space, rfnas_cell_type cell,
                                           int64_t edge, int64_t op, const char **name);

/**
 * Endpoints of an edge as state indices (see rfnas_topology).
 * @param[in] space Space. @param edge 0..edges-1.
 * @param[out] target The node the edge feeds. @param[out] source The state it reads.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Any thread (read-only).
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_space_edge(const rfnas_space *space, int64_t edge, int64_t *target,
                                        int64_t *source);

/* ------------------------------------------------------------------------ */
/* Genotypes                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Derive the discrete architecture from architecture weights (SPEC 7.1-7.4):
 * NB201 topology: per edge the argmax over all ops of the raw alpha row
 * (none included). DARTS topology: per node the two inputs whose strongest
 * op (none excluded when the edge list has it) has the largest softmax
 * weight, strongest first, each with that op. With @p betas (PC-DARTS edge
 * normalisation) each edge's weights are first scaled by the softmax of the
 * betas over the node's incoming edges.
 * @param[out] out New genotype (rfnas_genotype_destroy()); NULL on failure.
 * @param[in] space Space the weights belong to.
 * @param[in] alphas cell_types x edges x ops_per_edge values, cell-type major.
 * @param n_alphas Their number (must match).
 * @param[in] betas cell_types x edges values or NULL (DARTS topology only).
 * @param n_betas Their number (0 with NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID NULL, non-finite values
 * @retval RFNAS_E_MISMATCH counts that do not fit the space
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_genotype_derive(rfnas_genotype **out, const rfnas_space *space,
                                             const float *alphas, size_t n_alphas,
                                             const float *betas, size_t n_betas);

/**
 * Parse genotype text: the NAS-Bench-201 arch string
 * ("|op~j|+|op~j|op~j|+|op~j|op~j|op~j|") or the DARTS form
 * ("Genotype(normal=[('op', j), ...], normal_concat=[2, 3, 4, 5], reduce=[...],
 * reduce_concat=range(2, 6))"; single or double quotes, any whitespace).
 * With @p space, every op must be a candidate of its edge in that space.
 * @param[out] out New genotype; NULL on failure. @param[in] text NUL-terminated text.
 * @param[in] space Space to check against, or NULL (ops checked against the catalogue).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID NULL argument
 * @retval RFNAS_E_FORMAT malformed text: unknown op, wrong edge count, bad input index, trailing garbage (the message gives the position)
 * @retval RFNAS_E_MISMATCH an op the space does not offer on that edge
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_genotype_parse(rfnas_genotype **out, const char *text,
                                            const rfnas_space *space);

/**
 * Format a genotype in its topology's text form (the exact input form for
 * parsed text; the list form for derived DARTS genotypes). NUL-terminated.
 * @param[in] g Genotype. @param[out] buf Buffer of @p cap bytes, or NULL with cap 0 to ask the size.
 * @param cap Its size. @param[out] len Bytes needed, NUL excluded (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_BUFSIZE @p cap <= *len
 * @par Thread safety Any thread (read-only).
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_genotype_format(const rfnas_genotype *g, char *buf, size_t cap,
                                             size_t *len);

/**
 * Destroy a genotype. NULL is a no-op.
 * @param g Genotype or NULL.
 * @par Thread safety One thread at a time per genotype.
 * @since 0.1
 */
RFNAS_API void rfnas_genotype_destroy(rfnas_genotype *g);

/**
 * Shape of a genotype. Any output may be NULL.
 * @param[in] g Genotype. @param[out] topology Its wiring.
 * @param[out] cell_types 1 or 2. @param[out] pairs (op, input) pairs per cell: 6 or 8.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Any thread (read-only).
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_genotype_info(const rfnas_genotype *g, rfnas_topology *topology,
                                           int64_t *cell_types, int64_t *pairs);

/**
 * One (op, input) pair of a cell, in text order.
 * @param[in] g Genotype. @param cell Cell type. @param index 0..pairs-1.
 * @param[out] op Static op name (may be NULL). @param[out] target Node it feeds (may be NULL).
 * @param[out] source State it reads (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Any thread (read-only).
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_genotype_pair(const rfnas_genotype *g, rfnas_cell_type cell,
                                           int64_t index, const char **op, int64_t *target,
                                           int64_t *source);

/**
 * Count the pairs of a cell that use @p op (e.g. "skip_connect", to monitor
 * collapse), or, with @p op NULL, the parameter-free ones (none, pools,
 * skip_connect, noise).
 * @param[in] g Genotype. @param cell Cell type. @param[in] op Op name or NULL.
 * @param[out] count The count.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND unknown op name
 * @par Thread safety Any thread (read-only).
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_genotype_count(const rfnas_genotype *g, rfnas_cell_type cell,
                                            const char *op, int64_t *count);

/* ------------------------------------------------------------------------ */
/* Supernets                                                                 */
/* ------------------------------------------------------------------------ */

/** Parameter groups of a network. Each is one flat float array (and one of gradients). */
typedef enum rfnas_group {
    RFNAS_GROUP_WEIGHTS = 0, /**< trained on the training split: RF-DARTS's BN gammas and betas */
    RFNAS_GROUP_ARCH = 1,    /**< trained on the validation split: alphas (and PC-DARTS betas) */
    RFNAS_GROUP_FROZEN = 2,  /**< never trained: RF-DARTS's random convolutions and classifier */
    RFNAS_GROUP_STATE = 3,   /**< not parameters: BN running means and variances */
    RFNAS_GROUP_MAX_ = 0x7fffffff
} rfnas_group;

/** What a forward is for. */
typedef enum rfnas_phase {
    RFNAS_PHASE_WEIGHTS = 0, /**< training mode, to be followed by a backward for WEIGHTS */
    RFNAS_PHASE_ARCH = 1,    /**< training mode, to be followed by a backward for ARCH */
    RFNAS_PHASE_EVAL = 2,    /**< evaluation mode (BN running statistics); no backward */
    RFNAS_PHASE_MAX_ = 0x7fffffff
} rfnas_phase;

/**
 * Build a supernet over @p space. Settings RFNAS_KEY_NET_*: features
 * ("random" freezes every convolution and, unless net.train_classifier, the
 * classifier at their seeded random initialisation and trains every BN's
 * affine parameters; "learned" is plain DARTS), input shape, classes,
 * channels, cells, largest batch, PC-DARTS partial channels K and edge
 * normalisation (DARTS-topology spaces only; with K > 1 every cell's channel
 * count must be divisible by K, and C/K must be even in reduction cells whose
 * edges from the cell inputs hold skip_connect, a FactorizedReduce of C/K
 * channels; otherwise RFNAS_E_INVALID). Memory for every activation is planned and
 * allocated here; forward and backward allocate nothing for this batch size.
 * Parameters are initialised from the context seed; S4's noise op draws from
 * net.noise_counter on (0 by default; see rfnas_supernet_set_int()).
 * @param[out] out New supernet (rfnas_supernet_destroy()); NULL on failure.
 * @param[in] ctx Context; kept alive by the supernet. @param[in] space Space; copied.
 * @param[in] cfg Settings or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument or setting
 * @retval RFNAS_E_UNSUPPORTED a space this build cannot turn into a supernet yet
 * @retval RFNAS_E_NOMEM out of memory
 * @retval RFNAS_E_BACKEND oneDNN could not create a primitive
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_create(rfnas_supernet **out, rfnas_ctx *ctx,
                                             const rfnas_space *space, const rfnas_config *cfg);

/**
 * Destroy a supernet; optimizers over it keep it alive. NULL is a no-op.
 * @param net Supernet or NULL.
 * @par Thread safety Not concurrently with any other call on its context.
 * @since 0.1
 */
RFNAS_API void rfnas_supernet_destroy(rfnas_supernet *net);

/**
 * Input shape and classes. Any output may be NULL.
 * @param[in] net Supernet. @param[out] max_batch Largest batch.
 * @param[out] c,h,w Input image shape. @param[out] classes Number of classes.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_shape(const rfnas_supernet *net, int64_t *max_batch,
                                            int64_t *c, int64_t *h, int64_t *w, int64_t *classes);

/**
 * Forward a batch: @p n images (N x C x H x W float32, as rfnas_iter_next()
 * writes them) with labels; both are copied. Returns the mean cross-entropy
 * and the number of correct argmax predictions. A training-phase forward
 * updates BN running statistics (as PyTorch does) and prepares the backward
 * of its group. On a network with an auxiliary head, a training-phase loss is
 * main + auxiliary_weight * auxiliary (the backward follows the same sum);
 * the correct count is the main head's.
 * @param net Supernet. @param[in] x Images. @param[in] y Labels in [0, classes).
 * @param n Batch size, 1..max_batch. @param phase What the forward is for.
 * @param[out] loss Mean loss (may be NULL). @param[out] correct Correct predictions (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument or label; RFNAS_PHASE_ARCH on a network built from a
 *         genotype (it has no architecture parameters)
 * @retval RFNAS_E_NOMEM a first batch of a new size could not get its primitives
 * @retval RFNAS_E_BACKEND oneDNN failed
 * @par Thread safety Not concurrently with any other call on its context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_forward(rfnas_supernet *net, const float *x,
                                              const int32_t *y, int64_t n, rfnas_phase phase,
                                              double *loss, int64_t *correct);

/**
 * Backward of the last forward, for the group of its phase: adds the
 * gradients of that group (and computes nothing that group does not need).
 * Alpha gradients are exact and sum over every cell sharing them.
 * @param net Supernet.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_STATE no training-phase forward just before
 * @retval RFNAS_E_BACKEND oneDNN failed
 * @par Thread safety Not concurrently with any other call on its context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_backward(rfnas_supernet *net);

/**
 * Zero the gradients of a group (backward adds to them).
 * @param net Supernet. @param group Group.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with any other call on its context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_zero_grad(rfnas_supernet *net, rfnas_group group);

/**
 * The logits of the last forward: n x classes floats.
 * @param[in] net Supernet. @param[out] buf Buffer of @p cap floats. @param cap Its size.
 * @param[out] n Floats written (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_STATE no forward yet
 * @retval RFNAS_E_BUFSIZE @p cap too small
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_logits(const rfnas_supernet *net, float *buf, size_t cap,
                                             size_t *n);

/**
 * Borrow a group's flat arrays: the library's own memory, valid until the
 * supernet is destroyed, for optimizers of the caller's own, all-reduce
 * across machines, or inspection. Writing values between steps is allowed.
 * @param net Supernet. @param group Group. @param[out] values Values (may be NULL).
 * @param[out] grads Gradients (may be NULL). @param[out] count Floats in each (may be NULL).
 * @retval RFNAS_OK success (an empty group gives NULL arrays and count 0)
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call on its context that runs the network.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_group_borrow(rfnas_supernet *net, rfnas_group group,
                                                   float **values, float **grads, size_t *count);

/**
 * Number of named parameter tensors (all groups).
 * @param[in] net Supernet. @param[out] count The number.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_param_count(const rfnas_supernet *net, int64_t *count);

/**
 * One named parameter tensor: its stable name (e.g.
 * "cells.3.edge.1->2.nor_conv_3x3.bn.gamma"), group, and place in the group's array.
 * @param[in] net Supernet. @param index 0..count-1.
 * @param[out] name Name owned by the supernet (may be NULL). @param[out] group Its group (may be NULL).
 * @param[out] offset First float in the group array (may be NULL). @param[out] size Floats (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_param_info(const rfnas_supernet *net, int64_t index,
                                                 const char **name, rfnas_group *group,
                                                 size_t *offset, size_t *size);

/**
 * The alphas of one cell type as edges x ops floats: raw, or softmaxed per edge.
 * @param[in] net Supernet. @param cell Cell type. @param softmax 0 raw, 1 softmax.
 * @param[out] buf Buffer of @p cap floats. @param cap Its size. @param[out] n Floats written (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument, a cell type the space lacks, or a network built
 *         from a genotype (it has no alphas)
 * @retval RFNAS_E_BUFSIZE @p cap too small
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_alphas(const rfnas_supernet *net, rfnas_cell_type cell,
                                             int softmax, float *buf, size_t cap, size_t *n);

/**
 * The PC-DARTS edge-normalisation betas of one cell type (SPEC 5.3), one per
 * edge in the alpha row order: raw, or softmaxed over the incoming edges of
 * each node (DARTS topology: edges {0,1}, {2,3,4}, {5..8}, {9..13} for nodes
 * 0..3, so each node's values sum to 1). The betas exist only when the
 * supernet was created with net.edge_norm 1; they live in the ARCH group
 * after the alphas: alphas normal, alphas reduce, betas normal, betas reduce
 * (rfnas_supernet_param_info() names them "arch.beta_normal" and
 * "arch.beta_reduce").
 * @param[in] net Supernet. @param cell Cell type. @param softmax 0 raw, 1 softmax per node.
 * @param[out] buf Buffer of @p cap floats. @param cap Its size. @param[out] n Floats written (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument, a cell type the space lacks, or no edge normalisation
 * @retval RFNAS_E_BUFSIZE @p cap too small
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_betas(const rfnas_supernet *net, rfnas_cell_type cell,
                                            int softmax, float *buf, size_t cap, size_t *n);

/**
 * Derive the current genotype (rfnas_genotype_derive() on the alphas, and
 * with edge normalisation on the betas too: SPEC 7.2); for a network built
 * from a genotype, a copy of that genotype.
 * @param[out] out New genotype; NULL on failure. @param[in] net Supernet.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_genotype(rfnas_genotype **out, const rfnas_supernet *net);

/**
 * Build the discrete network of a genotype, to train a found architecture
 * from scratch; the same handle type as a supernet, so forward, backward,
 * zero_grad, logits, group access and optimizers work on it unchanged.
 * Every weight (convolutions, BN affine parameters, classifiers) is in the
 * WEIGHTS group and initialised from the context seed; the ARCH group is
 * empty. A DARTS genotype gives the evaluation network of SPEC 4.4
 * (NetworkCIFAR): stem of net.stem_multiplier * net.channels, net.cells
 * cells (0 = 8) with reductions at cells/3 and 2 cells/3, the genotype's
 * ops and concat, drop-path on every op but the identity (probability
 * net.drop_path_prob, changed per epoch with rfnas_supernet_set_double()),
 * and with net.auxiliary the auxiliary head at cell 2 cells/3 (it needs an
 * 8x8 to 10x10 map there, e.g. 32x32 inputs) whose loss counts
 * net.auxiliary_weight. An NAS-Bench-201 arch string gives AutoDL's
 * TinyNetwork of SPEC 4.5 (net.cells per stage, 0 = 5). Forward in
 * RFNAS_PHASE_WEIGHTS trains (loss = main + auxiliary_weight * auxiliary,
 * drop-path on); RFNAS_PHASE_EVAL evaluates (running BN statistics, main
 * loss only, no drop-path); RFNAS_PHASE_ARCH is refused. net.features must
 * be left unset or "learned"; the SPEC 8.1 protocol is C = 36, 20 cells,
 * auxiliary head on (docs/evaluation.md).
 * @param[out] out New network (rfnas_supernet_destroy()); NULL on failure.
 * @param[in] ctx Context; kept alive by the network. @param[in] g Genotype; copied.
 * @param[in] cfg Settings or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument or setting (random features, an auxiliary head or
 *         drop-path on an NAS-Bench-201 network, an input the auxiliary head cannot read)
 * @retval RFNAS_E_MISMATCH a genotype whose wiring the network cannot take (a reduction
 *         cell concatenating one of its inputs)
 * @retval RFNAS_E_UNSUPPORTED an op the network's cells cannot hold
 * @retval RFNAS_E_NOMEM out of memory
 * @retval RFNAS_E_BACKEND oneDNN could not create a primitive
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_create_from_genotype(rfnas_supernet **out, rfnas_ctx *ctx,
                                                           const rfnas_genotype *g,
                                                           const rfnas_config *cfg);

/**
 * Change a live double setting between steps: RFNAS_KEY_NET_DROP_PATH_PROB
 * (the caller's schedule, e.g. SPEC 8.1's 0.2 * epoch / epochs). A network
 * without drop-path accepts only 0.
 * @param net Network. @param key The key. @param value Within rfnas_key_bounds().
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument, a key that is not a live setting, or a value out of
 *         bounds or not applicable to this network
 * @par Thread safety Not concurrently with any other call on its context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_set_double(rfnas_supernet *net, rfnas_key key,
                                                 double value);

/**
 * Read a double setting: RFNAS_KEY_NET_DROP_PATH_PROB or
 * RFNAS_KEY_NET_AUXILIARY_WEIGHT (0 when the network does not have them).
 * @param[in] net Network. @param key The key. @param[out] value The value.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument or key
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_get_double(const rfnas_supernet *net, rfnas_key key,
                                                 double *value);

/**
 * Set a live integer setting: RFNAS_KEY_NET_DROP_PATH_COUNTER or
 * RFNAS_KEY_NET_NOISE_COUNTER, the position of the network's random draws.
 * The drop-path counter advances by one after every training-phase forward,
 * the noise counter after every forward; restoring both (with the
 * parameters) resumes a run exactly. A network without drop-path (or noise)
 * accepts only 0 for that counter.
 * @param net Network. @param key The key. @param value Within rfnas_key_bounds().
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument, a key that is not a live setting, or a value out of
 *         bounds or not applicable to this network
 * @par Thread safety Not concurrently with any other call on its context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_set_int(rfnas_supernet *net, rfnas_key key, int64_t value);

/**
 * Read an integer setting: the counters above, RFNAS_KEY_NET_AUXILIARY (1
 * if the network has an auxiliary head), RFNAS_KEY_NET_CHANNELS and
 * RFNAS_KEY_NET_CELLS (as built, a 0 resolved).
 * @param[in] net Network. @param key The key. @param[out] value The value.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument or key
 * @par Thread safety Not concurrently with a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_supernet_get_int(const rfnas_supernet *net, rfnas_key key,
                                              int64_t *value);

/* ------------------------------------------------------------------------ */
/* Optimizers                                                                */
/* ------------------------------------------------------------------------ */

/**
 * An optimizer over one parameter group of @p net, PyTorch's semantics
 * (SPEC 2.7). Settings RFNAS_KEY_OPT_*: kind "sgd" (momentum, Nesterov,
 * weight decay added to the gradient) or "adam" (betas, eps, L2 weight
 * decay); defaults are DARTS's: SGD lr 0.025, momentum 0.9, weight decay
 * 3e-4, gradient clip 5; Adam lr 3e-4, betas (0.5, 0.999), weight decay 1e-3.
 * @param[out] out New optimizer (rfnas_optimizer_destroy()); NULL on failure.
 * @param[in] net Network; kept alive by the optimizer. @param group WEIGHTS or ARCH.
 * @param[in] cfg Settings or NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument, setting or group (FROZEN and STATE are not trained)
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on the network's context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_optimizer_create(rfnas_optimizer **out, rfnas_supernet *net,
                                              rfnas_group group, const rfnas_config *cfg);

/**
 * Destroy an optimizer. NULL is a no-op.
 * @param opt Optimizer or NULL.
 * @par Thread safety Not concurrently with any other call on the network's context.
 * @since 0.1
 */
RFNAS_API void rfnas_optimizer_destroy(rfnas_optimizer *opt);

/**
 * One update of the group from its current gradients: clipping by global norm
 * (when opt.grad_clip > 0) on the raw gradients, then the SGD or Adam step.
 * @param opt Optimizer. @param[out] grad_norm Gradient norm before clipping (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_FORMAT a gradient is NaN or infinite (nothing is updated)
 * @par Thread safety Not concurrently with any other call on the network's context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_optimizer_step(rfnas_optimizer *opt, double *grad_norm);

/**
 * Change a setting between steps (the learning rate for a schedule, ...).
 * The kind cannot change.
 * @param opt Optimizer. @param key An RFNAS_KEY_OPT_* double key. @param value Within bounds.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad key or value
 * @par Thread safety Not concurrently with any other call on the network's context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_optimizer_set_double(rfnas_optimizer *opt, rfnas_key key,
                                                  double value);

/**
 * Read a setting.
 * @param[in] opt Optimizer. @param key An RFNAS_KEY_OPT_* key. @param[out] value The value.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad key
 * @par Thread safety Not concurrently with a call that changes @p opt.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_optimizer_get_double(const rfnas_optimizer *opt, rfnas_key key,
                                                  double *value);

/**
 * Cosine annealing per epoch (SPEC 2.7): eta_min + (lr0 - eta_min)(1 + cos(pi e / T)) / 2.
 * @param lr0 Initial rate. @param eta_min Final rate. @param epoch 0..epochs-1.
 * @param epochs T >= 1. @param[out] lr The rate for @p epoch.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Any thread.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_schedule_cosine(double lr0, double eta_min, int64_t epoch,
                                             int64_t epochs, double *lr);

/* ------------------------------------------------------------------------ */
/* Checkpoints                                                               */
/* ------------------------------------------------------------------------ */

/*
 * A checkpoint is a set of named flat arrays (float32, float64, int64, text)
 * held in memory. The put functions copy an object's state into records under
 * a prefix ("net" -> "net.weights", "net.arch", ...); the get functions check
 * those records against the object (space, shapes, parameter names and sizes,
 * optimizer kind, iterator batches) and only then restore it, so a mismatched
 * checkpoint leaves the object unchanged. rfnas_checkpoint_save() writes the
 * file atomically (temporary file, flush, rename); the format is documented in
 * docs/formats.md so that other tools can read and write it.
 */

/**
 * An empty checkpoint.
 * @param[out] out New checkpoint (rfnas_checkpoint_destroy()); NULL on failure.
 * @param[in] ctx Context (allocator); kept alive by the checkpoint.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_create(rfnas_checkpoint **out, rfnas_ctx *ctx);

/**
 * Read and verify a checkpoint file (magic, version, CRCs, record bounds).
 * @param[out] out New checkpoint holding the file's records; NULL on failure.
 * @param[in] ctx Context. @param[in] path File.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_IO the file cannot be read
 * @retval RFNAS_E_NOTFOUND no such file
 * @retval RFNAS_E_FORMAT not a checkpoint, truncated or corrupt
 * @retval RFNAS_E_UNSUPPORTED a newer format version
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ctx.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_load(rfnas_checkpoint **out, rfnas_ctx *ctx,
                                             const char *path);

/**
 * Write every record to @p path: compressed into "PATH.tmp", flushed to disk,
 * renamed over @p path. A crash at any moment leaves the old file or the new.
 * @param[in] ck Checkpoint. @param[in] path File.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_IO the file cannot be written (the old one is intact)
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with a call that changes @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_save(const rfnas_checkpoint *ck, const char *path);

/**
 * Destroy a checkpoint. NULL is a no-op.
 * @param ck Checkpoint or NULL.
 * @par Thread safety Not concurrently with any other call on its context.
 * @since 0.1
 */
RFNAS_API void rfnas_checkpoint_destroy(rfnas_checkpoint *ck);

/**
 * Number of records.
 * @param[in] ck Checkpoint. @param[out] count Records.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @par Thread safety Not concurrently with a call that changes @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_record_count(const rfnas_checkpoint *ck, size_t *count);

/**
 * Name and element count of record @p index (in insertion or file order).
 * @param[in] ck Checkpoint. @param index 0..count-1.
 * @param[out] name Borrowed; valid until @p ck changes. @param[out] elements May be NULL.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument or index
 * @par Thread safety Not concurrently with a call that changes @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_record_name(const rfnas_checkpoint *ck, size_t index,
                                                    const char **name, size_t *elements);

/**
 * Store a copy of an int64 array under @p name (replacing a record of that name).
 * @param ck Checkpoint. @param[in] name 1..255 bytes. @param[in] values @p n values.
 * @param n Count (0 allowed).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_put_int64s(rfnas_checkpoint *ck, const char *name,
                                                   const int64_t *values, size_t n);

/**
 * Copy the int64 record @p name into @p buf.
 * @param[in] ck Checkpoint. @param[in] name Record. @param[out] buf @p cap values.
 * @param cap Buffer size. @param[out] n Values in the record (set even when too small; may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND no such record
 * @retval RFNAS_E_FORMAT the record holds another type
 * @retval RFNAS_E_BUFSIZE @p buf too small
 * @par Thread safety Not concurrently with a call that changes @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_get_int64s(const rfnas_checkpoint *ck, const char *name,
                                                   int64_t *buf, size_t cap, size_t *n);

/**
 * Store a copy of a double array under @p name (see rfnas_checkpoint_put_int64s()).
 * @param ck Checkpoint. @param[in] name 1..255 bytes. @param[in] values @p n values.
 * @param n Count (0 allowed).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_put_doubles(rfnas_checkpoint *ck, const char *name,
                                                    const double *values, size_t n);

/**
 * Copy the double record @p name into @p buf (see rfnas_checkpoint_get_int64s()).
 * @param[in] ck Checkpoint. @param[in] name Record. @param[out] buf @p cap values.
 * @param cap Buffer size. @param[out] n Values in the record (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND no such record
 * @retval RFNAS_E_FORMAT the record holds another type
 * @retval RFNAS_E_BUFSIZE @p buf too small
 * @par Thread safety Not concurrently with a call that changes @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_get_doubles(const rfnas_checkpoint *ck, const char *name,
                                                    double *buf, size_t cap, size_t *n);

/**
 * Store a copy of a float array under @p name (see rfnas_checkpoint_put_int64s()).
 * @param ck Checkpoint. @param[in] name 1..255 bytes. @param[in] values @p n values.
 * @param n Count (0 allowed).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_put_floats(rfnas_checkpoint *ck, const char *name,
                                                   const float *values, size_t n);

/**
 * Copy the float record @p name into @p buf (see rfnas_checkpoint_get_int64s()).
 * @param[in] ck Checkpoint. @param[in] name Record. @param[out] buf @p cap values.
 * @param cap Buffer size. @param[out] n Values in the record (may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND no such record
 * @retval RFNAS_E_FORMAT the record holds another type
 * @retval RFNAS_E_BUFSIZE @p buf too small
 * @par Thread safety Not concurrently with a call that changes @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_get_floats(const rfnas_checkpoint *ck, const char *name,
                                                   float *buf, size_t cap, size_t *n);

/**
 * Store a copy of a NUL-terminated text under @p name (stored without the NUL).
 * @param ck Checkpoint. @param[in] name 1..255 bytes. @param[in] text Text.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_put_text(rfnas_checkpoint *ck, const char *name,
                                                 const char *text);

/**
 * Copy the text record @p name into @p buf with a terminating NUL.
 * @param[in] ck Checkpoint. @param[in] name Record. @param[out] buf @p cap bytes.
 * @param cap Buffer size (the text's length + 1 needed).
 * @param[out] len The text's length without the NUL (set even when too small; may be NULL).
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND no such record
 * @retval RFNAS_E_FORMAT the record holds another type
 * @retval RFNAS_E_BUFSIZE @p buf too small
 * @par Thread safety Not concurrently with a call that changes @p ck.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_get_text(const rfnas_checkpoint *ck, const char *name,
                                                 char *buf, size_t cap, size_t *len);

/**
 * Store a network's whole state under @p prefix: every parameter group
 * (WEIGHTS, ARCH, FROZEN, STATE) as one float array with a listing of its
 * parameter names and sizes, the space, the shape settings, and the counters
 * of its random ops.
 * @param ck Checkpoint. @param[in] prefix 1..64 bytes, e.g. "net". @param[in] net Network.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ck or a call that changes @p net.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_put_supernet(rfnas_checkpoint *ck, const char *prefix,
                                                     const rfnas_supernet *net);

/**
 * Restore a network stored by rfnas_checkpoint_put_supernet(). Nothing
 * changes unless every record is present and matches @p net.
 * @param[in] ck Checkpoint. @param[in] prefix As stored. @param net Network.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND a record is missing
 * @retval RFNAS_E_FORMAT a record is malformed
 * @retval RFNAS_E_MISMATCH another space, shape, parameter list or size
 * @par Thread safety Not concurrently with any other call on @p net's context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_get_supernet(const rfnas_checkpoint *ck,
                                                     const char *prefix, rfnas_supernet *net);

/**
 * Store an optimizer's state under @p prefix: kind, group, step count,
 * settings (learning rate included) and its moment buffers.
 * @param ck Checkpoint. @param[in] prefix 1..64 bytes. @param[in] opt Optimizer.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ck or a call that changes @p opt.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_put_optimizer(rfnas_checkpoint *ck, const char *prefix,
                                                      const rfnas_optimizer *opt);

/**
 * Restore an optimizer stored by rfnas_checkpoint_put_optimizer(); all or nothing.
 * @param[in] ck Checkpoint. @param[in] prefix As stored. @param opt Optimizer.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOTFOUND a record is missing
 * @retval RFNAS_E_FORMAT a record is malformed or a setting out of bounds
 * @retval RFNAS_E_MISMATCH another kind, group or size
 * @par Thread safety Not concurrently with any other call on the network's context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_get_optimizer(const rfnas_checkpoint *ck,
                                                      const char *prefix, rfnas_optimizer *opt);

/**
 * Store an iterator's position (epoch, cursor) and its batch shape under @p prefix.
 * @param ck Checkpoint. @param[in] prefix 1..64 bytes. @param[in] it Iterator.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument
 * @retval RFNAS_E_NOMEM out of memory
 * @par Thread safety Not concurrently with any other call on @p ck or a call that changes @p it.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_put_iter(rfnas_checkpoint *ck, const char *prefix,
                                                 const rfnas_iter *it);

/**
 * Move an iterator to the position stored by rfnas_checkpoint_put_iter():
 * the batches that follow are those the stored iterator would have given.
 * @param[in] ck Checkpoint. @param[in] prefix As stored. @param it Iterator.
 * @retval RFNAS_OK success
 * @retval RFNAS_E_INVALID bad argument or out-of-range position
 * @retval RFNAS_E_NOTFOUND a record is missing
 * @retval RFNAS_E_FORMAT a record is malformed
 * @retval RFNAS_E_MISMATCH another batch size or number of batches per epoch
 * @par Thread safety Not concurrently with any other call on the iterator's context.
 * @since 0.1
 */
RFNAS_API rfnas_status rfnas_checkpoint_get_iter(const rfnas_checkpoint *ck, const char *prefix,
                                                 rfnas_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* RFNAS_H */
