"""The C API of librfnas, one to one, on ctypes.

Every RFNAS_API function of include/rfnas.h is a module attribute of the
same name with its `argtypes` and `restype` declared from FUNCTIONS below,
and every enum constant is a module-level int. Nothing here raises on a
status: the functions return what the C functions return (an int status, a
bytes string for `const char *`), exactly as a C caller sees them. The
Pythonic layer (rfnas/_core.py) is built on top.

Type mapping (docs/python.md):
  - every handle `rfnas_x *` is c_void_p, every out-handle `rfnas_x **`
    POINTER(c_void_p): the library checks a type tag in every handle, so a
    mix-up gives RFNAS_E_INVALID instead of a crash (STYLE R2);
  - every enum (rfnas_status, rfnas_key, ...) is c_int: they are pinned to
    int width in the header;
  - input strings are c_char_p (bytes), output text buffers POINTER(c_char)
    (a ctypes.create_string_buffer()), borrowed static strings
    POINTER(c_char_p).

The library is located at import (find_library()) and its runtime version
checked against the version this module was written for: ImportError names
the file and both versions when they differ.
"""

import ctypes
import ctypes.util
import glob
import os

from ctypes import (CFUNCTYPE, POINTER, c_char, c_char_p, c_double, c_float, c_int, c_int32,
                    c_int64, c_size_t, c_uint8, c_uint32, c_uint64, c_void_p)

# The library version this binding was written for (include/rfnas.h of 0.1).
# While 0.x the ABI holds only within a minor release (librfnas.so.0.<minor>,
# docs/api-stability.md), so the major and minor numbers must match exactly;
# from 1.0 on a newer minor release is a superset and is accepted too.
VERSION = (0, 1, 0)
__version__ = "%d.%d.%d" % VERSION

# ---------------------------------------------------------------------------
# Enum constants (frozen values: tests/abi/enums.txt)
# ---------------------------------------------------------------------------
RFNAS_OK = 0
RFNAS_END = 1
RFNAS_E_INVALID = -1
RFNAS_E_NOMEM = -2
RFNAS_E_IO = -3
RFNAS_E_FORMAT = -4
RFNAS_E_MISMATCH = -5
RFNAS_E_UNSUPPORTED = -6
RFNAS_E_BACKEND = -7
RFNAS_E_STATE = -8
RFNAS_E_BUFSIZE = -9
RFNAS_E_NOTFOUND = -10
RFNAS_STATUS_MAX_ = 0x7fffffff

RFNAS_KEY_CTX_THREADS = 1
RFNAS_KEY_CTX_SEED = 2
RFNAS_KEY_NET_FEATURES = 200
RFNAS_KEY_NET_CHANNELS = 201
RFNAS_KEY_NET_CELLS = 202
RFNAS_KEY_NET_STEM_MULTIPLIER = 203
RFNAS_KEY_NET_CLASSES = 204
RFNAS_KEY_NET_IN_CHANNELS = 205
RFNAS_KEY_NET_IN_HEIGHT = 206
RFNAS_KEY_NET_IN_WIDTH = 207
RFNAS_KEY_NET_MAX_BATCH = 208
RFNAS_KEY_NET_TRAIN_CLASSIFIER = 209
RFNAS_KEY_NET_TRACK_RUNNING_STATS = 210
RFNAS_KEY_NET_INIT = 211
RFNAS_KEY_NET_PARTIAL_CHANNELS = 212
RFNAS_KEY_NET_EDGE_NORM = 213
RFNAS_KEY_NET_AUXILIARY = 214
RFNAS_KEY_NET_AUXILIARY_WEIGHT = 215
RFNAS_KEY_NET_DROP_PATH_PROB = 216
RFNAS_KEY_NET_DROP_PATH_COUNTER = 217
RFNAS_KEY_NET_NOISE_COUNTER = 218
RFNAS_KEY_NET_PRECISION = 219
RFNAS_KEY_OPT_KIND = 300
RFNAS_KEY_OPT_LR = 301
RFNAS_KEY_OPT_MOMENTUM = 302
RFNAS_KEY_OPT_NESTEROV = 303
RFNAS_KEY_OPT_WEIGHT_DECAY = 304
RFNAS_KEY_OPT_BETA1 = 305
RFNAS_KEY_OPT_BETA2 = 306
RFNAS_KEY_OPT_EPS = 307
RFNAS_KEY_OPT_GRAD_CLIP = 308
RFNAS_KEY_DATA_LABELS = 400
RFNAS_KEY_DATA_NUM_CLASSES = 401
RFNAS_KEY_ITER_BATCH = 500
RFNAS_KEY_ITER_SHUFFLE = 501
RFNAS_KEY_ITER_DROP_LAST = 502
RFNAS_KEY_ITER_STREAM = 503
RFNAS_KEY_ITER_CROP_PAD = 504
RFNAS_KEY_ITER_FLIP = 505
RFNAS_KEY_ITER_CUTOUT = 506
RFNAS_KEY_ITER_CUTOUT_PROB = 507
RFNAS_KEY_ITER_MEAN = 508
RFNAS_KEY_ITER_STD = 509
RFNAS_KEY_ITER_NORMALIZE = 510
RFNAS_KEY_MAX_ = 0x7fffffff

RFNAS_TYPE_INT = 0
RFNAS_TYPE_DOUBLE = 1
RFNAS_TYPE_STRING = 2
RFNAS_TYPE_DOUBLES = 3
RFNAS_TYPE_MAX_ = 0x7fffffff

RFNAS_LOG_DEBUG = 0
RFNAS_LOG_INFO = 1
RFNAS_LOG_WARN = 2
RFNAS_LOG_ERROR = 3
RFNAS_LOG_LEVEL_MAX_ = 0x7fffffff

RFNAS_FORMAT_CIFAR10 = 0
RFNAS_FORMAT_CIFAR100 = 1
RFNAS_FORMAT_MNIST = 2
RFNAS_FORMAT_FASHION_MNIST = 3
RFNAS_FORMAT_MAX_ = 0x7fffffff

RFNAS_PART_TRAIN = 0
RFNAS_PART_TEST = 1
RFNAS_PART_MAX_ = 0x7fffffff

RFNAS_TOPOLOGY_NB201 = 0
RFNAS_TOPOLOGY_DARTS = 1
RFNAS_TOPOLOGY_MAX_ = 0x7fffffff

RFNAS_CELL_NORMAL = 0
RFNAS_CELL_REDUCE = 1
RFNAS_CELL_TYPE_MAX_ = 0x7fffffff

RFNAS_GROUP_WEIGHTS = 0
RFNAS_GROUP_ARCH = 1
RFNAS_GROUP_FROZEN = 2
RFNAS_GROUP_STATE = 3
RFNAS_GROUP_MAX_ = 0x7fffffff

RFNAS_PHASE_WEIGHTS = 0
RFNAS_PHASE_ARCH = 1
RFNAS_PHASE_EVAL = 2
RFNAS_PHASE_MAX_ = 0x7fffffff

# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------
handle = c_void_p                  # rfnas_ctx *, rfnas_config *, ... (opaque)
handle_out = POINTER(c_void_p)     # rfnas_ctx **, ...
enum = c_int                       # rfnas_status, rfnas_key, rfnas_group, ...
enum_out = POINTER(c_int)          # rfnas_key *, rfnas_type *, rfnas_group *, ...
text_out = POINTER(c_char_p)       # const char **: a borrowed, library-owned string
char_buf = POINTER(c_char)         # char *: a caller buffer the library writes text into
f32_p = POINTER(c_float)
f32_pp = POINTER(POINTER(c_float))
f64_p = POINTER(c_double)
i32_p = POINTER(c_int32)
i64_p = POINTER(c_int64)
u8_p = POINTER(c_uint8)
size_p = POINTER(c_size_t)

#: void *(*rfnas_alloc_fn)(size_t size, size_t align, void *user)
rfnas_alloc_fn = CFUNCTYPE(c_void_p, c_size_t, c_size_t, c_void_p)
#: void (*rfnas_free_fn)(void *ptr, void *user)
rfnas_free_fn = CFUNCTYPE(None, c_void_p, c_void_p)
#: void (*rfnas_log_fn)(rfnas_log_level level, const char *msg, void *user)
rfnas_log_fn = CFUNCTYPE(None, c_int, c_char_p, c_void_p)

# ---------------------------------------------------------------------------
# Every public function: name -> (restype, argtypes), in header order.
# tests: bindings/python/tests/test_capi.py compares this table with the
# header (names, parameter counts and each parameter's C type).
# ---------------------------------------------------------------------------
S = c_int  # rfnas_status
FUNCTIONS = {
    # status, errors, version
    "rfnas_status_string": (c_char_p, [enum]),
    "rfnas_error_last": (c_char_p, []),
    "rfnas_version_number": (c_uint32, []),
    "rfnas_version_string": (c_char_p, []),
    # keys
    "rfnas_key_name": (c_char_p, [enum]),
    "rfnas_key_from_name": (S, [c_char_p, enum_out]),
    "rfnas_key_bounds": (S, [enum, enum_out, f64_p, f64_p]),
    # config
    "rfnas_config_create": (S, [handle_out]),
    "rfnas_config_copy": (S, [handle_out, handle]),
    "rfnas_config_destroy": (None, [handle]),
    "rfnas_config_set_int": (S, [handle, enum, c_int64]),
    "rfnas_config_set_double": (S, [handle, enum, c_double]),
    "rfnas_config_set_string": (S, [handle, enum, c_char_p]),
    "rfnas_config_set_doubles": (S, [handle, enum, f64_p, c_size_t]),
    "rfnas_config_set_by_name": (S, [handle, c_char_p, c_char_p]),
    "rfnas_config_unset": (S, [handle, enum]),
    "rfnas_config_get_int": (S, [handle, enum, i64_p]),
    "rfnas_config_get_double": (S, [handle, enum, f64_p]),
    "rfnas_config_is_set": (c_int, [handle, enum]),
    # context
    "rfnas_ctx_create": (S, [handle_out, handle]),
    "rfnas_ctx_create_with_allocator": (S, [handle_out, handle, rfnas_alloc_fn, rfnas_free_fn,
                                            c_void_p]),
    "rfnas_ctx_destroy": (None, [handle]),
    "rfnas_ctx_set_log": (S, [handle, rfnas_log_fn, enum, c_void_p]),
    "rfnas_ctx_get_threads": (c_int, [handle]),
    "rfnas_ctx_get_seed": (c_uint64, [handle]),
    # datasets
    "rfnas_dataset_open": (S, [handle_out, handle, enum, c_char_p, enum, handle]),
    "rfnas_dataset_open_idx": (S, [handle_out, handle, c_char_p, c_char_p, handle]),
    "rfnas_dataset_open_cifar": (S, [handle_out, handle, POINTER(c_char_p), c_size_t, c_int,
                                     handle]),
    "rfnas_dataset_create_u8": (S, [handle_out, handle, u8_p, i32_p, c_int64, c_int64, c_int64,
                                    c_int64, handle]),
    "rfnas_dataset_create_f32": (S, [handle_out, handle, f32_p, i32_p, c_int64, c_int64,
                                     c_int64, c_int64, handle]),
    "rfnas_dataset_split": (S, [handle_out, handle_out, handle, c_double]),
    "rfnas_dataset_subset": (S, [handle_out, handle, c_int64, c_int64]),
    "rfnas_dataset_destroy": (None, [handle]),
    "rfnas_dataset_shape": (S, [handle, i64_p, i64_p, i64_p, i64_p, i64_p]),
    "rfnas_dataset_get": (S, [handle, c_int64, f32_p, c_size_t, i32_p]),
    "rfnas_dataset_stats": (S, [handle, f64_p, f64_p, c_size_t]),
    "rfnas_dataset_histogram": (S, [handle, i64_p, c_size_t]),
    # iterators
    "rfnas_iter_create": (S, [handle_out, handle, handle]),
    "rfnas_iter_destroy": (None, [handle]),
    "rfnas_iter_next": (S, [handle, f32_p, c_size_t, i32_p, c_size_t, i64_p]),
    "rfnas_iter_shape": (S, [handle, i64_p, i64_p, i64_p, i64_p, i64_p]),
    "rfnas_iter_normalization": (S, [handle, f64_p, f64_p, c_size_t]),
    "rfnas_iter_get_position": (S, [handle, i64_p, i64_p]),
    "rfnas_iter_set_position": (S, [handle, c_int64, c_int64]),
    # spaces
    "rfnas_space_create": (S, [handle_out, c_char_p]),
    "rfnas_space_create_custom": (S, [handle_out, enum, POINTER(c_char_p), c_size_t]),
    "rfnas_space_destroy": (None, [handle]),
    "rfnas_space_info": (S, [handle, enum_out, i64_p, i64_p, i64_p]),
    "rfnas_space_op_name": (S, [handle, enum, c_int64, c_int64, text_out]),
    "rfnas_space_edge": (S, [handle, c_int64, i64_p, i64_p]),
    # genotypes
    "rfnas_genotype_derive": (S, [handle_out, handle, f32_p, c_size_t, f32_p, c_size_t]),
    "rfnas_genotype_parse": (S, [handle_out, c_char_p, handle]),
    "rfnas_genotype_format": (S, [handle, char_buf, c_size_t, size_p]),
    "rfnas_genotype_destroy": (None, [handle]),
    "rfnas_genotype_info": (S, [handle, enum_out, i64_p, i64_p]),
    "rfnas_genotype_pair": (S, [handle, enum, c_int64, text_out, i64_p, i64_p]),
    "rfnas_genotype_count": (S, [handle, enum, c_char_p, i64_p]),
    # supernets
    "rfnas_supernet_create": (S, [handle_out, handle, handle, handle]),
    "rfnas_supernet_destroy": (None, [handle]),
    "rfnas_supernet_shape": (S, [handle, i64_p, i64_p, i64_p, i64_p, i64_p]),
    "rfnas_supernet_forward": (S, [handle, f32_p, i32_p, c_int64, enum, f64_p, i64_p]),
    "rfnas_supernet_backward": (S, [handle]),
    "rfnas_supernet_zero_grad": (S, [handle, enum]),
    "rfnas_supernet_logits": (S, [handle, f32_p, c_size_t, size_p]),
    "rfnas_supernet_group_borrow": (S, [handle, enum, f32_pp, f32_pp, size_p]),
    "rfnas_supernet_param_count": (S, [handle, i64_p]),
    "rfnas_supernet_param_info": (S, [handle, c_int64, text_out, enum_out, size_p, size_p]),
    "rfnas_supernet_alphas": (S, [handle, enum, c_int, f32_p, c_size_t, size_p]),
    "rfnas_supernet_betas": (S, [handle, enum, c_int, f32_p, c_size_t, size_p]),
    "rfnas_supernet_genotype": (S, [handle_out, handle]),
    "rfnas_supernet_create_from_genotype": (S, [handle_out, handle, handle, handle]),
    "rfnas_supernet_set_double": (S, [handle, enum, c_double]),
    "rfnas_supernet_get_double": (S, [handle, enum, f64_p]),
    "rfnas_supernet_set_int": (S, [handle, enum, c_int64]),
    "rfnas_supernet_get_int": (S, [handle, enum, i64_p]),
    # optimizers
    "rfnas_optimizer_create": (S, [handle_out, handle, enum, handle]),
    "rfnas_optimizer_destroy": (None, [handle]),
    "rfnas_optimizer_step": (S, [handle, f64_p]),
    "rfnas_optimizer_set_double": (S, [handle, enum, c_double]),
    "rfnas_optimizer_get_double": (S, [handle, enum, f64_p]),
    "rfnas_schedule_cosine": (S, [c_double, c_double, c_int64, c_int64, f64_p]),
    # checkpoints
    "rfnas_checkpoint_create": (S, [handle_out, handle]),
    "rfnas_checkpoint_load": (S, [handle_out, handle, c_char_p]),
    "rfnas_checkpoint_save": (S, [handle, c_char_p]),
    "rfnas_checkpoint_destroy": (None, [handle]),
    "rfnas_checkpoint_record_count": (S, [handle, size_p]),
    "rfnas_checkpoint_record_name": (S, [handle, c_size_t, text_out, size_p]),
    "rfnas_checkpoint_put_int64s": (S, [handle, c_char_p, i64_p, c_size_t]),
    "rfnas_checkpoint_get_int64s": (S, [handle, c_char_p, i64_p, c_size_t, size_p]),
    "rfnas_checkpoint_put_doubles": (S, [handle, c_char_p, f64_p, c_size_t]),
    "rfnas_checkpoint_get_doubles": (S, [handle, c_char_p, f64_p, c_size_t, size_p]),
    "rfnas_checkpoint_put_floats": (S, [handle, c_char_p, f32_p, c_size_t]),
    "rfnas_checkpoint_get_floats": (S, [handle, c_char_p, f32_p, c_size_t, size_p]),
    "rfnas_checkpoint_put_text": (S, [handle, c_char_p, c_char_p]),
    "rfnas_checkpoint_get_text": (S, [handle, c_char_p, char_buf, c_size_t, size_p]),
    "rfnas_checkpoint_put_supernet": (S, [handle, c_char_p, handle]),
    "rfnas_checkpoint_get_supernet": (S, [handle, c_char_p, handle]),
    "rfnas_checkpoint_put_optimizer": (S, [handle, c_char_p, handle]),
    "rfnas_checkpoint_get_optimizer": (S, [handle, c_char_p, handle]),
    "rfnas_checkpoint_put_iter": (S, [handle, c_char_p, handle]),
    "rfnas_checkpoint_get_iter": (S, [handle, c_char_p, handle]),
}
del S

# ---------------------------------------------------------------------------
# Finding the library
# ---------------------------------------------------------------------------
#: The SONAME this binding expects: librfnas.so.0.<minor> while 0.x, .so.<major> after.
SONAME = ("librfnas.so.%d.%d" % VERSION[:2]) if VERSION[0] == 0 else ("librfnas.so.%d" % VERSION[0])

# Libraries built with a sanitizer runtime cannot be dlopen()ed into a plain
# python: ASan aborts the whole process ("ASan runtime does not come first"),
# which no try/except catches. Such builds are skipped by the build-directory
# search (their DT_NEEDED names the runtime).
_SANITIZER_RUNTIMES = (b"libasan.so", b"libtsan.so", b"libubsan.so", b"libmsan.so")


def _is_sanitized(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return True
    return any(name in data for name in _SANITIZER_RUNTIMES)


def _build_dir_candidates(start):
    """librfnas.so files in meson build directories (build*/lib/) next to
    `start` or any directory above it, the most recently built first."""
    found = []
    seen = set()
    d = os.path.abspath(start)
    while True:
        for lib_dir in sorted(glob.glob(os.path.join(d, "build*", "lib"))):
            build_dir = os.path.dirname(lib_dir)
            # only meson build directories, not any "build*" folder
            if not os.path.exists(os.path.join(build_dir, "meson-info")) and \
                    not os.path.exists(os.path.join(build_dir, "build.ninja")):
                continue
            for name in ("librfnas.so", SONAME):
                path = os.path.join(lib_dir, name)
                real = os.path.realpath(path)
                if os.path.isfile(real) and real not in seen:
                    seen.add(real)
                    found.append(path)
                    break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    found.sort(key=lambda p: os.path.getmtime(os.path.realpath(p)), reverse=True)
    return found


def candidates():
    """Where find_library() looks, in order, as (how, path) pairs:
    1. $RFNAS_LIBRARY, a path to librfnas.so (nothing else is tried then);
    2. meson build directories above this package (an in-tree checkout);
    3. the system: ctypes.util.find_library("rfnas"), then the SONAME and
       librfnas.so through the dynamic loader's path (LD_LIBRARY_PATH, ldconfig)."""
    env = os.environ.get("RFNAS_LIBRARY")
    if env:
        return [("RFNAS_LIBRARY", env)]
    out = [("build directory", p) for p in _build_dir_candidates(os.path.dirname(__file__))]
    found = ctypes.util.find_library("rfnas")
    if found:
        out.append(("find_library", found))
    out.append(("system", SONAME))
    out.append(("system", "librfnas.so"))
    return out


def _version_error(number, path):
    """The ImportError message for a library of another version, or None."""
    major, minor, patch = number // 10000, number // 100 % 100, number % 100
    want = "%d.%d" % VERSION[:2]
    ok = major == VERSION[0] and (minor == VERSION[1] if major == 0 else minor >= VERSION[1])
    if ok:
        return None
    return ("rfnas: %s is librfnas %d.%d.%d, but this binding was written for %s.x "
            "(while 0.x every minor release may change the ABI); install the rfnas "
            "package of that version or point RFNAS_LIBRARY at a librfnas %s build"
            % (path, major, minor, patch, want, want))


def _declare(lib, path):
    for name, (restype, argtypes) in FUNCTIONS.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise ImportError("rfnas: %s has no %s: not librfnas %s"
                              % (path, name, __version__)) from None
        fn.restype = restype
        fn.argtypes = argtypes
        globals()[name] = fn


def find_library():
    """Load librfnas (see candidates()), declare every function and check
    the version. Returns (CDLL, path). Raises ImportError."""
    tried = []
    for how, path in candidates():
        if os.sep in path:  # a file, not a name for the loader: report it absolute
            path = os.path.abspath(path)
        if how == "build directory" and _is_sanitized(os.path.realpath(path)):
            tried.append("%s (%s): built with a sanitizer, skipped" % (path, how))
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s): %s" % (path, how, e))
            continue
        if not hasattr(lib, "rfnas_version_number"):
            tried.append("%s (%s): not librfnas (no rfnas_version_number)" % (path, how))
            continue
        lib.rfnas_version_number.restype = c_uint32
        lib.rfnas_version_number.argtypes = []
        msg = _version_error(lib.rfnas_version_number(), path)
        if msg:
            raise ImportError(msg)
        _declare(lib, path)
        return lib, path
    raise ImportError("rfnas: cannot load librfnas; set RFNAS_LIBRARY to the path of "
                      "librfnas.so, build it (meson) in this checkout, or install it. Tried:\n  "
                      + "\n  ".join(tried))


lib, library_path = find_library()
