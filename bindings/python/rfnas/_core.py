"""The Pythonic layer over rfnas._capi: classes with context managers,
exceptions instead of status codes, keyword-argument settings, numpy arrays
in and out (plain lists, array.array buffers and memoryviews without numpy).

Lifetimes. Every library handle is owned by a small _Ref object, and the
handle is destroyed when the last Python reference to its _Ref goes. A
wrapper (Context, Supernet, ...) holds its _Ref; an object made from another
holds its parent's _Ref too, and so does every zero-copy array view of a
parameter group. So, whatever order the garbage collector or the caller
chooses, a parent is never destroyed while a child or a view still uses it,
and `close()` (idempotent) only gives up the wrapper's own hold: the handle
goes at once if nothing else needs it, else when the last child or view
goes. The library itself also keeps parents alive for their children
(include/rfnas.h), so this is belt and braces everywhere except the views,
whose memory belongs to the supernet.
"""

import array
import collections
import ctypes
import enum
import numbers
import os
from ctypes import POINTER, byref, c_char_p, c_double, c_float, c_int, c_int32, c_int64, \
    c_size_t, c_uint8, c_void_p

from . import _capi as C

# numpy is optional; RFNAS_PY_NO_NUMPY=1 forces the fallback (lists,
# array.array buffers, memoryviews) even when numpy is installed, so that
# path can be tested and used on purpose.
_np = None
if os.environ.get("RFNAS_PY_NO_NUMPY", "") in ("", "0"):
    try:
        import numpy as _np
    except ImportError:  # pragma: no cover - depends on the machine
        _np = None

#: True when results are numpy arrays (numpy importable and not disabled).
HAVE_NUMPY = _np is not None


# ---------------------------------------------------------------------------
# Enums: the C constants without their prefix (Group.ARCH == RFNAS_GROUP_ARCH)
# ---------------------------------------------------------------------------
def _enum(name, prefix):
    members = {}
    for cname, value in vars(C).items():
        if cname.startswith(prefix) and not cname.endswith("MAX_"):
            members[cname[len(prefix):]] = value
    return enum.IntEnum(name, members, module=__name__)


Status = enum.IntEnum("Status", {
    "OK": C.RFNAS_OK, "END": C.RFNAS_END, "INVALID": C.RFNAS_E_INVALID,
    "NOMEM": C.RFNAS_E_NOMEM, "IO": C.RFNAS_E_IO, "FORMAT": C.RFNAS_E_FORMAT,
    "MISMATCH": C.RFNAS_E_MISMATCH, "UNSUPPORTED": C.RFNAS_E_UNSUPPORTED,
    "BACKEND": C.RFNAS_E_BACKEND, "STATE": C.RFNAS_E_STATE, "BUFSIZE": C.RFNAS_E_BUFSIZE,
    "NOTFOUND": C.RFNAS_E_NOTFOUND}, module=__name__)
Key = _enum("Key", "RFNAS_KEY_")
Type = _enum("Type", "RFNAS_TYPE_")
LogLevel = _enum("LogLevel", "RFNAS_LOG_")
Format = _enum("Format", "RFNAS_FORMAT_")
Part = _enum("Part", "RFNAS_PART_")
Topology = _enum("Topology", "RFNAS_TOPOLOGY_")
CellType = _enum("CellType", "RFNAS_CELL_")
Group = _enum("Group", "RFNAS_GROUP_")
Phase = _enum("Phase", "RFNAS_PHASE_")


def _choice(kind, value):
    """An enum member from a member, an int or a case-insensitive name
    ("arch", "ARCH", Group.ARCH, 1)."""
    if isinstance(value, str):
        try:
            return kind[value.upper()]
        except KeyError:
            raise ValueError("unknown %s %r; one of %s" % (
                kind.__name__, value, ", ".join(m.name.lower() for m in kind))) from None
    return kind(value)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------
class RfnasError(Exception):
    """A library call failed. `status` is the Status (`code` the int),
    `message` the library's own detail (rfnas_error_last()), which names what
    failed and why, e.g. "rfnas_config_set_by_name: iter.batch = 0 is
    outside [1, 1048576]"."""

    def __init__(self, status, message=""):
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.code = int(status)
        self.message = message
        self.status_string = C.rfnas_status_string(self.code).decode()
        name = status.name if isinstance(status, Status) else str(status)
        super().__init__("%s [%s: %s]" % (message or self.status_string, name,
                                          self.status_string))

    def __reduce__(self):
        return (type(self), (self.code, self.message))


def _check(rc):
    """Raise RfnasError for a negative status; return the status otherwise
    (RFNAS_OK, or RFNAS_END for an exhausted iterator)."""
    if rc < 0:
        # First: every later rfnas call, rfnas_status_string included, clears it.
        msg = C.rfnas_error_last()
        raise RfnasError(rc, msg.decode("utf-8", "replace"))
    return rc


def _str(b):
    return None if b is None else b.decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Handles and lifetimes
# ---------------------------------------------------------------------------
class _Ref:
    """Owns one library handle; destroys it when garbage. `parents` (the
    _Refs of the objects it was made from) and `keep` (ctypes callbacks) live
    at least as long as the handle. It holds no module globals, so it also
    works while the interpreter shuts down."""

    __slots__ = ("ptr", "destroy", "parents", "keep", "__weakref__")

    def __init__(self, ptr, destroy, parents=(), keep=None):
        self.ptr = ptr
        self.destroy = destroy
        self.parents = parents
        self.keep = keep if keep is not None else {}

    def __del__(self):
        ptr, self.ptr = self.ptr, None
        if ptr:
            self.destroy(ptr)


class _Handle:
    """Base of the wrappers: close(), context manager, closed."""

    _ref = None

    @classmethod
    def _wrap(cls, ref):
        obj = cls.__new__(cls)
        obj._ref = ref
        return obj

    @property
    def _p(self):
        ref = self._ref
        if ref is None:
            raise ValueError("%s is closed" % type(self).__name__)
        return ref.ptr

    @property
    def closed(self):
        return self._ref is None

    def close(self):
        """Give up this object's hold on the library handle (idempotent).
        The handle is destroyed now unless children or array views still
        need it, then when the last of them goes."""
        self._ref = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self._ref is None else "0x%x" % (self._ref.ptr or 0)
        return "<rfnas.%s %s>" % (type(self).__name__, state)


def _new_handle():
    return c_void_p()


# ---------------------------------------------------------------------------
# Arrays: numpy when present, array.array / lists / memoryviews otherwise
# ---------------------------------------------------------------------------
_ITEM = {c_float: ("f", 4), c_double: ("d", 8), c_int32: ("i", 4), c_int64: ("q", 8),
         c_uint8: ("B", 1)}
# buffer formats accepted as each C type (itemsize is checked too)
_FORMATS = {c_float: "f", c_double: "d", c_int32: "il", c_int64: "ql", c_uint8: "B"}
_NP_DTYPE = {c_float: "float32", c_double: "float64", c_int32: "int32", c_int64: "int64",
             c_uint8: "uint8"}
# array.array's typecode for int32 is 'i' where int is 4 bytes (everywhere we run)
assert array.array("i").itemsize == 4 and array.array("q").itemsize == 8


def _as_c(obj, ctype, what, writable=False):
    """(pointer, element count, keepalive) for a caller's array.

    Inputs (writable=False) may be numpy arrays of any dtype and layout
    (converted), buffers of the right item type (array.array, memoryview,
    bytearray, ctypes arrays; read-only ones copied) or any sequence of
    numbers. Outputs must be writable contiguous buffers of the exact type:
    the library writes into them, so a silent converted copy would lose the
    result."""
    if _np is not None and isinstance(obj, _np.ndarray):
        dtype = _np.dtype(_NP_DTYPE[ctype])
        if writable:
            if obj.dtype != dtype or not obj.flags.c_contiguous or not obj.flags.writeable:
                raise TypeError("%s must be a writable C-contiguous %s array, not %s %s" % (
                    what, dtype, "contiguous" if obj.flags.c_contiguous else "strided",
                    obj.dtype))
            arr = obj
        else:
            arr = _np.ascontiguousarray(obj, dtype=dtype)
        return arr.ctypes.data_as(POINTER(ctype)), arr.size, arr
    if isinstance(obj, ctypes.Array) and obj._type_ is ctype:
        return ctypes.cast(obj, POINTER(ctype)), len(obj), obj
    try:
        mv = memoryview(obj)
    except TypeError:
        mv = None
    if mv is not None:
        code, size = _ITEM[ctype]
        fmt = mv.format.lstrip("@=<")  # '<' is native on the little-endian hosts we run on
        if mv.itemsize == size and fmt in _FORMATS[ctype] and mv.c_contiguous:
            count = mv.nbytes // size
            raw = mv.cast("B")
            if count == 0:
                buf = (ctype * 1)()
            elif raw.readonly:
                if writable:
                    raise TypeError("%s is read-only" % what)
                buf = (ctype * count).from_buffer_copy(raw)
            else:
                buf = (ctype * count).from_buffer(raw)
            return ctypes.cast(buf, POINTER(ctype)), count, (buf, raw)
        if writable:
            raise TypeError("%s must be a writable contiguous buffer of %s (typecode %r), "
                            "not format %r" % (what, _NP_DTYPE[ctype], code, mv.format))
        mv.release()
    elif writable:
        raise TypeError("%s must be a writable buffer (numpy array, array.array(%r))"
                        % (what, _ITEM[ctype][0]))
    values = list(obj)
    buf = (ctype * max(len(values), 1))(*values)
    return ctypes.cast(buf, POINTER(ctype)), len(values), buf


def _empty(ctype, count, shape=None):
    """A zeroed, writable output buffer: numpy array (shaped) or array.array."""
    if _np is not None:
        return _np.zeros(shape if shape is not None else count, dtype=_NP_DTYPE[ctype])
    code, size = _ITEM[ctype]
    return array.array(code, bytes(count * size))


def _result(buf, count, shape=None):
    """What a getter returns: a numpy array (shaped), else a list (nested
    rows for 2-D shapes)."""
    if _np is not None:
        out = buf[:count]
        return out.reshape(shape) if shape is not None else out
    values = buf[:count].tolist()
    if shape is not None and len(shape) == 2:
        rows, cols = shape
        return [values[r * cols:(r + 1) * cols] for r in range(rows)]
    return values


class _ArrayHolder:
    """Gives numpy a foreign buffer (__array_interface__) and keeps its
    owner alive: numpy makes this object the array's base."""

    def __init__(self, addr, count, owner):
        self.__array_interface__ = {"version": 3, "shape": (count,), "typestr": "<f4",
                                    "data": (addr, False)}
        self._owner = owner


def _float_view(addr, count, owner):
    """A writable zero-copy view of `count` floats at `addr` that keeps
    `owner` (the supernet's _Ref) alive as long as the view exists: numpy
    array, else a memoryview of format 'f'."""
    if not addr or count == 0:
        return _np.zeros(0, dtype="float32") if _np is not None else \
            memoryview(array.array("f")).cast("B").cast("f")
    if _np is not None:
        return _np.asarray(_ArrayHolder(addr, count, owner))
    # A ctypes array type of our own, so that its instance can carry the owner.
    view_type = type("_FloatView", (c_float * count,), {})
    block = view_type.from_address(addr)
    block._owner = owner
    return memoryview(block).cast("B").cast("f")


# ---------------------------------------------------------------------------
# Settings: keyword arguments become rfnas_config_set_by_name() calls
# ---------------------------------------------------------------------------
def _text(value):
    """A setting's value as the text rfnas_config_set_by_name() parses."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        # repr() is the shortest text that reads back as the same double, and
        # the library's strtod rounds correctly: the value arrives exactly.
        return repr(float(value))
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return value.name.lower()
    try:
        items = list(value)
    except TypeError:
        raise TypeError("cannot use %r as a setting value" % (value,)) from None
    return ",".join(_text(float(v)) for v in items)


def key_from_name(name):
    """The Key of a setting name such as "iter.batch" (RfnasError NOTFOUND)."""
    out = c_int()
    _check(C.rfnas_key_from_name(name.encode(), byref(out)))
    try:
        return Key(out.value)
    except ValueError:  # a key newer than this binding
        return out.value


def key_name(key):
    """The name of a Key ("iter.batch"), or None for an unknown key."""
    return _str(C.rfnas_key_name(int(key)))


def key_bounds(key):
    """(Type, lo, hi) of a Key or name."""
    t, lo, hi = c_int(), c_double(), c_double()
    _check(C.rfnas_key_bounds(_key(key), byref(t), byref(lo), byref(hi)))
    return Type(t.value), lo.value, hi.value


def _key(key, prefix=None):
    """A key from a Key, an int, a full name ("net.drop_path_prob") or, with
    prefix, a short one ("drop_path_prob")."""
    if isinstance(key, str):
        if prefix and "." not in key:
            key = prefix + "." + key
        return int(key_from_name(key))
    return int(key)


class Config(_Handle):
    """Settings for the *_create functions (an rfnas_config).

    Config({"iter.batch": 64}) or Config(**{"iter.batch": 64}); values are
    ints, floats, bools, strings or lists of numbers (for iter.mean and
    iter.std), set by name as text. The object constructors (Context,
    Iterator, Supernet, Optimizer, ...) take the same settings as keyword
    arguments without the prefix (Supernet(..., channels=8))."""

    def __init__(self, settings=None, **kw):
        p = _new_handle()
        _check(C.rfnas_config_create(byref(p)))
        self._ref = _Ref(p.value, C.rfnas_config_destroy)
        if settings:
            self.update(settings)
        if kw:
            self.update(kw)

    def update(self, settings):
        items = settings.items() if hasattr(settings, "items") else settings
        for name, value in items:
            self.set(name, value)
        return self

    def set(self, name, value):
        """Set a key by its name from any value (see _text())."""
        if isinstance(name, (Key, int)):
            name = key_name(name)
        _check(C.rfnas_config_set_by_name(self._p, name.encode(), _text(value).encode()))

    def set_int(self, key, value):
        _check(C.rfnas_config_set_int(self._p, _key(key), int(value)))

    def set_double(self, key, value):
        _check(C.rfnas_config_set_double(self._p, _key(key), float(value)))

    def set_string(self, key, value):
        _check(C.rfnas_config_set_string(self._p, _key(key), value.encode()))

    def set_doubles(self, key, values):
        ptr, n, keep = _as_c(values, c_double, "values")
        _check(C.rfnas_config_set_doubles(self._p, _key(key), ptr, n))

    def get_int(self, key):
        out = c_int64()
        _check(C.rfnas_config_get_int(self._p, _key(key), byref(out)))
        return out.value

    def get_double(self, key):
        out = c_double()
        _check(C.rfnas_config_get_double(self._p, _key(key), byref(out)))
        return out.value

    def unset(self, key):
        _check(C.rfnas_config_unset(self._p, _key(key)))

    def is_set(self, key):
        return bool(C.rfnas_config_is_set(self._p, _key(key)))

    def copy(self):
        p = _new_handle()
        _check(C.rfnas_config_copy(byref(p), self._p))
        return Config._wrap(_Ref(p.value, C.rfnas_config_destroy))

    def __setitem__(self, name, value):
        self.set(name, value)

    def __getitem__(self, key):
        """The value (set or default) of a numeric key; the C API does not
        read back string or list keys."""
        kind = key_bounds(key)[0]
        if kind == Type.INT:
            return self.get_int(key)
        if kind == Type.DOUBLE:
            return self.get_double(key)
        raise TypeError("%s is a %s key; only numeric keys can be read back"
                        % (key, kind.name.lower()))

    def __delitem__(self, key):
        self.unset(key)

    def __contains__(self, key):
        return self.is_set(key)


def _settings(prefix, config, kw, what):
    """A temporary Config from an optional Config/mapping plus keyword
    arguments (short names get `prefix.`), or None when there is nothing."""
    if config is None and not kw:
        return None
    if isinstance(config, Config):
        cfg = config.copy()  # never change the caller's config
    else:
        cfg = Config(config or {})
    for name, value in kw.items():
        full = name if "." in name else prefix + "." + name
        if C.rfnas_key_from_name(full.encode(), byref(c_int())) < 0:
            cfg.close()
            raise TypeError("%s() got an unexpected keyword argument %r (no setting %r)"
                            % (what, name, full))
        cfg.set(full, value)
    return cfg


def _cfg_ptr(cfg):
    return None if cfg is None else cfg._p


# ---------------------------------------------------------------------------
# Version and small functions
# ---------------------------------------------------------------------------
def version():
    """The loaded library's version string, "0.1.0"."""
    return C.rfnas_version_string().decode()


def version_number():
    """The loaded library's version as MAJOR*10000 + MINOR*100 + PATCH."""
    return int(C.rfnas_version_number())


def status_string(status):
    return C.rfnas_status_string(int(status)).decode()


def schedule_cosine(lr0, eta_min, epoch, epochs):
    """Cosine annealing: the learning rate of `epoch` (0-based) of `epochs`."""
    out = c_double()
    _check(C.rfnas_schedule_cosine(float(lr0), float(eta_min), int(epoch), int(epochs),
                                   byref(out)))
    return out.value


# ---------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------
class Context(_Handle):
    """An execution context (threads, seed, oneDNN engine).

    Context(seed=2, threads=2). `log=callable(level, message)` installs a
    log callback (see set_log()). `allocator=(alloc, free)` routes the
    library's host memory through alloc(size, align) -> address (int, 0 on
    failure) and free(address); both are called from library calls on the
    thread that makes them."""

    def __init__(self, config=None, *, log=None, log_level=LogLevel.INFO, allocator=None, **kw):
        cfg = _settings("ctx", config, kw, "Context")
        p = _new_handle()
        keep = {}
        try:
            if allocator is None:
                rc = C.rfnas_ctx_create(byref(p), _cfg_ptr(cfg))
            else:
                alloc, free = allocator
                keep["alloc"] = C.rfnas_alloc_fn(
                    lambda size, align, user: alloc(size, align) or None)
                keep["free"] = C.rfnas_free_fn(lambda ptr, user: free(ptr))
                rc = C.rfnas_ctx_create_with_allocator(byref(p), _cfg_ptr(cfg), keep["alloc"],
                                                       keep["free"], None)
            _check(rc)
        finally:
            if cfg is not None:
                cfg.close()
        # The callbacks live on the _Ref: the C context may outlive this
        # wrapper (children keep it) and calls them until it is destroyed.
        self._ref = _Ref(p.value, C.rfnas_ctx_destroy, keep=keep)
        if log is not None:
            self.set_log(log, log_level)

    def set_log(self, fn, min_level=LogLevel.INFO):
        """Install fn(level: LogLevel, message: str) as the log callback, or
        remove it with None. Exceptions it raises are printed, not raised."""
        ref = self._ref
        if fn is None:
            cb = C.rfnas_log_fn()  # NULL
        else:
            levels = LogLevel  # a closure variable: module globals may be gone at exit

            def trampoline(level, msg, user):
                try:
                    level = levels(level)
                except ValueError:
                    pass
                fn(level, msg.decode("utf-8", "replace"))
            cb = C.rfnas_log_fn(trampoline)
        _check(C.rfnas_ctx_set_log(self._p, cb, int(_choice(LogLevel, min_level)), None))
        ref.keep["log"] = cb  # after the call: the old callback stays alive until replaced

    @property
    def threads(self):
        return C.rfnas_ctx_get_threads(self._p)

    @property
    def seed(self):
        return C.rfnas_ctx_get_seed(self._p)


# ---------------------------------------------------------------------------
# Datasets and iterators
# ---------------------------------------------------------------------------
DatasetShape = collections.namedtuple("DatasetShape", "n c h w classes")
IterShape = collections.namedtuple("IterShape", "batch c h w batches_per_epoch")


def _create(fn, *args):
    """Call a create function; return the new handle's address."""
    p = _new_handle()
    _check(fn(byref(p), *args))
    return p.value


class Dataset(_Handle):
    """A labelled image set. Made with Dataset.open(), open_idx(),
    open_cifar() or from_arrays(); split() and subset() make views that
    share the pixels."""

    def __init__(self, *args, **kw):
        raise TypeError("use Dataset.open(), open_idx(), open_cifar() or from_arrays()")

    @classmethod
    def _made(cls, ptr, parent_refs):
        return cls._wrap(_Ref(ptr, C.rfnas_dataset_destroy, parents=parent_refs))

    @classmethod
    def _from(cls, ctx, fn, args, config, kw, what):
        cfg = _settings("data", config, kw, what)
        try:
            ptr = _create(fn, ctx._p, *args, _cfg_ptr(cfg))
        finally:
            if cfg is not None:
                cfg.close()
        return cls._made(ptr, (ctx._ref,))

    @classmethod
    def open(cls, ctx, format, directory, part="train", config=None, **kw):
        """A standard dataset from its directory: format "cifar10",
        "cifar100", "mnist" or "fashion_mnist"; part "train" or "test"."""
        return cls._from(ctx, C.rfnas_dataset_open,
                         (int(_choice(Format, format)), os.fsencode(directory),
                          int(_choice(Part, part))), config, kw, "Dataset.open")

    @classmethod
    def open_idx(cls, ctx, images, labels, config=None, **kw):
        """An IDX image file and its label file (plain or gzip)."""
        return cls._from(ctx, C.rfnas_dataset_open_idx,
                         (os.fsencode(images), os.fsencode(labels)), config, kw,
                         "Dataset.open_idx")

    @classmethod
    def open_cifar(cls, ctx, paths, cifar100=False, config=None, **kw):
        """CIFAR binary batch files, concatenated in order."""
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        arr = (c_char_p * max(len(paths), 1))(*[os.fsencode(p) for p in paths])
        return cls._from(ctx, C.rfnas_dataset_open_cifar,
                         (arr, len(paths), 1 if cifar100 else 0), config, kw,
                         "Dataset.open_cifar")

    @classmethod
    def from_arrays(cls, ctx, pixels, labels, shape=None, dtype=None, config=None, **kw):
        """Caller arrays (copied): pixels N x C x H x W (or N x H x W) as
        uint8 (scaled by 1/255 in batches) or float32 (used as they are),
        labels N ints. Without numpy give shape=(n, c, h, w) and flat pixels
        (bytes/bytearray/array('B') are uint8, array('f') and lists float32;
        dtype="uint8"/"float32" overrides)."""
        if _np is not None and isinstance(pixels, _np.ndarray):
            if shape is None:
                shape = pixels.shape if pixels.ndim == 4 else \
                    (pixels.shape[0], 1) + pixels.shape[1:] if pixels.ndim == 3 else None
            if dtype is None:
                if pixels.dtype == _np.uint8:
                    dtype = "uint8"
                elif pixels.dtype.kind == "f":
                    dtype = "float32"
                else:  # other integers: scaled or not? the caller must say
                    raise ValueError("pixels must be uint8 or floating point, not %s"
                                     % pixels.dtype)
        if shape is None or len(shape) != 4:
            raise ValueError("shape must be (n, c, h, w)")
        if dtype is None:
            try:
                fmt = memoryview(pixels).format
            except TypeError:
                fmt = "f"
            dtype = "uint8" if fmt in ("B", "c", "b") else "float32"
        n, c, h, w = (int(v) for v in shape)
        if dtype == "uint8":
            fn, ctype = C.rfnas_dataset_create_u8, c_uint8
        elif dtype == "float32":
            fn, ctype = C.rfnas_dataset_create_f32, c_float
        else:
            raise ValueError("dtype must be 'uint8' or 'float32'")
        px, px_count, px_keep = _as_c(pixels, ctype, "pixels")
        lb, lb_count, lb_keep = _as_c(labels, c_int32, "labels")
        # The C function reads n*c*h*w pixels and n labels: check, or it would read past them.
        if px_count < n * c * h * w or lb_count < n:
            raise ValueError("pixels need %d values and labels %d; got %d and %d"
                             % (n * c * h * w, n, px_count, lb_count))
        return cls._from(ctx, fn, (px, lb, n, c, h, w), config, kw, "Dataset.from_arrays")

    def split(self, fraction=0.5):
        """Two views: the first floor(n * fraction) samples and the rest."""
        a, b = _new_handle(), _new_handle()
        _check(C.rfnas_dataset_split(byref(a), byref(b), self._p, float(fraction)))
        parents = (self._ref,)
        return Dataset._made(a.value, parents), Dataset._made(b.value, parents)

    def subset(self, start, count):
        """A view of `count` samples from `start`."""
        ptr = _create(C.rfnas_dataset_subset, self._p, int(start), int(count))
        return Dataset._made(ptr, (self._ref,))

    @property
    def shape(self):
        v = [c_int64() for _ in range(5)]
        _check(C.rfnas_dataset_shape(self._p, *[byref(x) for x in v]))
        return DatasetShape(*[x.value for x in v])

    def __len__(self):
        return self.shape.n

    def get(self, index):
        """(pixels C x H x W as stored, label) of one sample."""
        s = self.shape
        count = s.c * s.h * s.w
        buf = _empty(c_float, count, (s.c, s.h, s.w) if _np is not None else None)
        ptr, _, keep = _as_c(buf, c_float, "pixels", writable=True)
        label = c_int32()
        _check(C.rfnas_dataset_get(self._p, int(index), ptr, count, byref(label)))
        return (buf if _np is not None else buf.tolist()), label.value

    def stats(self):
        """(mean, std) per channel."""
        c = self.shape.c
        mean, std = _empty(c_double, c), _empty(c_double, c)
        pm, _, k1 = _as_c(mean, c_double, "mean", writable=True)
        ps, _, k2 = _as_c(std, c_double, "std", writable=True)
        _check(C.rfnas_dataset_stats(self._p, pm, ps, c))
        return _result(mean, c), _result(std, c)

    def histogram(self):
        """Samples per class."""
        k = self.shape.classes
        counts = _empty(c_int64, k)
        p, _, keep = _as_c(counts, c_int64, "counts", writable=True)
        _check(C.rfnas_dataset_histogram(self._p, p, k))
        return _result(counts, k)


class Iterator(_Handle):
    """A seeded, shuffling, augmenting batch iterator over a dataset.

    Iterator(ds, batch=64, crop_pad=4, flip=True, mean=[0.286], std=[0.353]).
    Either loop over `for x, y in it:` (one epoch; x and y are views into
    buffers reused for every batch), or fill buffers of your own with
    next_into(x, y), which returns the batch size, 0 at the end of an epoch."""

    def __init__(self, dataset, config=None, **kw):
        cfg = _settings("iter", config, kw, "Iterator")
        try:
            ptr = _create(C.rfnas_iter_create, dataset._p, _cfg_ptr(cfg))
        finally:
            if cfg is not None:
                cfg.close()
        self._ref = _Ref(ptr, C.rfnas_iter_destroy, parents=(dataset._ref,))

    @property
    def shape(self):
        v = [c_int64() for _ in range(5)]
        _check(C.rfnas_iter_shape(self._p, *[byref(x) for x in v]))
        return IterShape(*[x.value for x in v])

    def buffers(self):
        """New (x, y) buffers for one full batch: x float32 batch x C x H x W
        (numpy) or flat array('f'), y int32 labels."""
        s = self.shape
        x = _empty(c_float, s.batch * s.c * s.h * s.w,
                   (s.batch, s.c, s.h, s.w) if _np is not None else None)
        return x, _empty(c_int32, s.batch)

    def next_into(self, x, y):
        """Write the next batch into x and y; return its size, or 0 when the
        epoch is over (the call after that starts the next epoch)."""
        px, nx, kx = _as_c(x, c_float, "x", writable=True)
        py, ny, ky = _as_c(y, c_int32, "y", writable=True)
        n = c_int64()
        if _check(C.rfnas_iter_next(self._p, px, nx, py, ny, byref(n))) == C.RFNAS_END:
            return 0
        return n.value

    def __iter__(self):
        """One epoch of (x, y) batches, views into two reused buffers."""
        s = self.shape
        per_sample = s.c * s.h * s.w
        x, y = self.buffers()
        while True:
            n = self.next_into(x, y)
            if n == 0:
                return
            if _np is not None:
                yield x[:n], y[:n]
            else:
                yield memoryview(x)[:n * per_sample], memoryview(y)[:n]

    def normalization(self):
        """(mean, std) per channel in use."""
        c = self.shape.c
        mean, std = _empty(c_double, c), _empty(c_double, c)
        pm, _, k1 = _as_c(mean, c_double, "mean", writable=True)
        ps, _, k2 = _as_c(std, c_double, "std", writable=True)
        _check(C.rfnas_iter_normalization(self._p, pm, ps, c))
        return _result(mean, c), _result(std, c)

    @property
    def position(self):
        """(epoch, cursor); assign one to resume exactly there."""
        e, c = c_int64(), c_int64()
        _check(C.rfnas_iter_get_position(self._p, byref(e), byref(c)))
        return e.value, c.value

    @position.setter
    def position(self, value):
        epoch, cursor = value
        _check(C.rfnas_iter_set_position(self._p, int(epoch), int(cursor)))


# ---------------------------------------------------------------------------
# Spaces and genotypes (values: they belong to no context)
# ---------------------------------------------------------------------------
SpaceInfo = collections.namedtuple("SpaceInfo", "topology cell_types edges ops_per_edge")
GenotypeInfo = collections.namedtuple("GenotypeInfo", "topology cell_types pairs")
Pair = collections.namedtuple("Pair", "op target source")


class Space(_Handle):
    """A search space: Space("nb201"), Space("darts"), Space("s1".."s4"),
    or Space.custom("darts", ["skip_connect", "sep_conv_3x3", ...])."""

    def __init__(self, name="nb201"):
        self._ref = _Ref(_create(C.rfnas_space_create, name.encode()), C.rfnas_space_destroy)

    @classmethod
    def custom(cls, topology, ops):
        names = [o.encode() for o in ops]
        arr = (c_char_p * max(len(names), 1))(*names)
        ptr = _create(C.rfnas_space_create_custom, int(_choice(Topology, topology)), arr,
                      len(names))
        return cls._wrap(_Ref(ptr, C.rfnas_space_destroy))

    @property
    def info(self):
        t = c_int()
        v = [c_int64() for _ in range(3)]
        _check(C.rfnas_space_info(self._p, byref(t), *[byref(x) for x in v]))
        return SpaceInfo(Topology(t.value), *[x.value for x in v])

    def op_name(self, cell, edge, op):
        out = c_char_p()
        _check(C.rfnas_space_op_name(self._p, int(_choice(CellType, cell)), int(edge), int(op),
                                     byref(out)))
        return _str(out.value)

    def ops(self, edge=0, cell="normal"):
        """The candidate op names of an edge (the alpha row's columns)."""
        return [self.op_name(cell, edge, i) for i in range(self.info.ops_per_edge)]

    def edge(self, index):
        """(target, source) states of an edge."""
        t, s = c_int64(), c_int64()
        _check(C.rfnas_space_edge(self._p, int(index), byref(t), byref(s)))
        return t.value, s.value


class Genotype(_Handle):
    """A discrete architecture: Genotype.parse(text), Genotype.derive(space,
    alphas), Supernet.genotype(); str() gives its text form."""

    def __init__(self, text, space=None):
        self._ref = _Ref(_create(C.rfnas_genotype_parse, text.encode(),
                                 None if space is None else space._p),
                         C.rfnas_genotype_destroy)

    @classmethod
    def parse(cls, text, space=None):
        return cls(text, space)

    @classmethod
    def derive(cls, space, alphas, betas=None):
        """From alphas (cell_types x edges x ops, any nesting or a flat list)
        and optional PC-DARTS betas."""
        pa, na, ka = _as_c(_flat(alphas), c_float, "alphas")
        if betas is None:
            pb, nb, kb = None, 0, None
        else:
            pb, nb, kb = _as_c(_flat(betas), c_float, "betas")
        return cls._wrap(_Ref(_create(C.rfnas_genotype_derive, space._p, pa, na, pb, nb),
                              C.rfnas_genotype_destroy))

    def format(self):
        n = c_size_t()
        rc = C.rfnas_genotype_format(self._p, None, 0, byref(n))
        if rc != C.RFNAS_E_BUFSIZE:
            _check(rc)
        buf = ctypes.create_string_buffer(n.value + 1)
        _check(C.rfnas_genotype_format(self._p, buf, len(buf), byref(n)))
        return buf.value.decode()

    def __str__(self):
        return self.format()

    @property
    def info(self):
        t = c_int()
        v = [c_int64() for _ in range(2)]
        _check(C.rfnas_genotype_info(self._p, byref(t), *[byref(x) for x in v]))
        return GenotypeInfo(Topology(t.value), *[x.value for x in v])

    def pairs(self, cell="normal"):
        """The (op, target, source) pairs of a cell type, in text order."""
        cell = int(_choice(CellType, cell))
        out = []
        for i in range(self.info.pairs):
            op, t, s = c_char_p(), c_int64(), c_int64()
            _check(C.rfnas_genotype_pair(self._p, cell, i, byref(op), byref(t), byref(s)))
            out.append(Pair(_str(op.value), t.value, s.value))
        return out

    def count(self, op=None, cell="normal"):
        """Pairs of a cell using `op`, or with None the parameter-free ones."""
        out = c_int64()
        _check(C.rfnas_genotype_count(self._p, int(_choice(CellType, cell)),
                                      None if op is None else op.encode(), byref(out)))
        return out.value


def _flat(values):
    """Flatten nested lists (no numpy); numpy arrays go through as they are."""
    if _np is not None and isinstance(values, _np.ndarray):
        return values.reshape(-1)
    if isinstance(values, (list, tuple)) and values and isinstance(values[0], (list, tuple)):
        return [v for row in values for v in _flat(row)]
    return values


# ---------------------------------------------------------------------------
# Supernets and optimizers
# ---------------------------------------------------------------------------
NetShape = collections.namedtuple("NetShape", "max_batch c h w classes")
GroupView = collections.namedtuple("GroupView", "values grads")
Param = collections.namedtuple("Param", "name group offset size")


class Supernet(_Handle):
    """A supernet over a space (or, with Supernet.from_genotype(), the
    discrete network of a genotype).

    Supernet(ctx, space, features="random", in_channels=1, in_height=28,
    in_width=28). group("arch").values is a zero-copy view of the library's
    own array: writing into it changes the network."""

    def __init__(self, ctx, space, config=None, **kw):
        cfg = _settings("net", config, kw, "Supernet")
        try:
            ptr = _create(C.rfnas_supernet_create, ctx._p, space._p, _cfg_ptr(cfg))
        finally:
            if cfg is not None:
                cfg.close()
        self._init(ptr, ctx, space.info)

    def _init(self, ptr, ctx, space_info):
        # The space is copied by the library: only the context is a parent.
        self._ref = _Ref(ptr, C.rfnas_supernet_destroy, parents=(ctx._ref,))
        self._space_info = space_info
        self._shape = self.shape  # fixed at creation; forward() checks buffer sizes with it
        self._views = {}

    @classmethod
    def from_genotype(cls, ctx, genotype, config=None, **kw):
        cfg = _settings("net", config, kw, "Supernet.from_genotype")
        try:
            ptr = _create(C.rfnas_supernet_create_from_genotype, ctx._p, genotype._p,
                          _cfg_ptr(cfg))
        finally:
            if cfg is not None:
                cfg.close()
        obj = cls.__new__(cls)
        obj._init(ptr, ctx, None)
        return obj

    @property
    def shape(self):
        v = [c_int64() for _ in range(5)]
        _check(C.rfnas_supernet_shape(self._p, *[byref(x) for x in v]))
        return NetShape(*[x.value for x in v])

    @property
    def cell_types(self):
        """Cell types with alphas (1 for NB201, 2 for DARTS; 0 from a genotype)."""
        return self._space_info.cell_types if self._space_info else 0

    def forward(self, x, y, n=None, phase="weights"):
        """Forward n images x (N x C x H x W float32) with labels y; n
        defaults to len(y). Returns (mean loss, correct predictions)."""
        s = self._shape
        px, nx, kx = _as_c(x, c_float, "x")
        py, ny, ky = _as_c(y, c_int32, "y")
        n = ny if n is None else int(n)
        # The library reads n*C*H*W floats and n labels and cannot see the
        # buffers' sizes: check here rather than read past them.
        if n < 0 or nx < n * s.c * s.h * s.w or ny < n:
            raise ValueError("a batch of %d needs %d pixels and %d labels; got %d and %d"
                             % (n, n * s.c * s.h * s.w, n, nx, ny))
        loss, correct = c_double(), c_int64()
        _check(C.rfnas_supernet_forward(self._p, px, py, n, int(_choice(Phase, phase)),
                                        byref(loss), byref(correct)))
        return loss.value, correct.value

    def backward(self):
        _check(C.rfnas_supernet_backward(self._p))

    def zero_grad(self, group):
        _check(C.rfnas_supernet_zero_grad(self._p, int(_choice(Group, group))))

    def logits(self):
        """The last forward's logits, n x classes."""
        s = self._shape
        cap = s.max_batch * s.classes
        buf = _empty(c_float, cap)
        p, _, keep = _as_c(buf, c_float, "logits", writable=True)
        n = c_size_t()
        _check(C.rfnas_supernet_logits(self._p, p, cap, byref(n)))
        return _result(buf, n.value, (n.value // s.classes, s.classes))

    def group(self, group):
        """Zero-copy (values, grads) views of a parameter group's flat
        arrays; they keep the network alive while they exist."""
        g = int(_choice(Group, group))
        view = self._views.get(g)
        if view is None:
            values, grads = POINTER(c_float)(), POINTER(c_float)()
            count = c_size_t()
            _check(C.rfnas_supernet_group_borrow(self._p, g, byref(values), byref(grads),
                                                 byref(count)))
            addr = ctypes.cast(values, c_void_p).value
            gaddr = ctypes.cast(grads, c_void_p).value
            view = GroupView(_float_view(addr, count.value, self._ref),
                             _float_view(gaddr, count.value, self._ref))
            self._views[g] = view
        return view

    def parameters(self):
        """Every named parameter tensor: Param(name, group, offset, size)."""
        count = c_int64()
        _check(C.rfnas_supernet_param_count(self._p, byref(count)))
        out = []
        for i in range(count.value):
            name, group, offset, size = c_char_p(), c_int(), c_size_t(), c_size_t()
            _check(C.rfnas_supernet_param_info(self._p, i, byref(name), byref(group),
                                               byref(offset), byref(size)))
            out.append(Param(_str(name.value), Group(group.value), offset.value, size.value))
        return out

    def parameter(self, name):
        """Zero-copy view of one named tensor's values."""
        for p in self.parameters():
            if p.name == name:
                return self.group(p.group).values[p.offset:p.offset + p.size]
        raise KeyError(name)

    def _cell_array(self, fn, cell, softmax, cols):
        info = self._space_info
        cap = info.edges * cols if info else 0
        buf = _empty(c_float, max(cap, 1))
        p, _, keep = _as_c(buf, c_float, "buf", writable=True)
        n = c_size_t()
        _check(fn(self._p, int(_choice(CellType, cell)), 1 if softmax else 0, p, cap, byref(n)))
        return buf, n.value

    def alphas(self, cell="normal", softmax=False):
        """The alphas of a cell type, edges x ops (raw or softmaxed per edge)."""
        info = self._space_info
        ops = info.ops_per_edge if info else 1
        buf, n = self._cell_array(C.rfnas_supernet_alphas, cell, softmax, ops)
        return _result(buf, n, (n // ops, ops))

    def alphas_view(self, cell="normal"):
        """Zero-copy edges x ops view of a cell type's raw alphas: the part
        of the ARCH group's array that holds them (cell types in order, then
        any betas: include/rfnas.h). Writing into it changes the network."""
        info = self._space_info
        c = int(_choice(CellType, cell))
        if info is None or c >= info.cell_types:
            raise ValueError("this network has no %s alphas" % CellType(c).name.lower())
        per = info.edges * info.ops_per_edge
        flat = self.group(Group.ARCH).values[c * per:(c + 1) * per]
        if _np is not None:
            return flat.reshape(info.edges, info.ops_per_edge)
        return flat.cast("B").cast("f", [info.edges, info.ops_per_edge])

    def betas(self, cell="normal", softmax=False):
        """PC-DARTS edge-normalisation betas of a cell type, one per edge."""
        buf, n = self._cell_array(C.rfnas_supernet_betas, cell, softmax, 1)
        return _result(buf, n)

    def genotype(self):
        return Genotype._wrap(_Ref(_create(C.rfnas_supernet_genotype, self._p),
                                   C.rfnas_genotype_destroy))

    def get_int(self, key):
        out = c_int64()
        _check(C.rfnas_supernet_get_int(self._p, _key(key, "net"), byref(out)))
        return out.value

    def set_int(self, key, value):
        _check(C.rfnas_supernet_set_int(self._p, _key(key, "net"), int(value)))

    def get_double(self, key):
        out = c_double()
        _check(C.rfnas_supernet_get_double(self._p, _key(key, "net"), byref(out)))
        return out.value

    def set_double(self, key, value):
        _check(C.rfnas_supernet_set_double(self._p, _key(key, "net"), float(value)))

    @property
    def drop_path_prob(self):
        return self.get_double(Key.NET_DROP_PATH_PROB)

    @drop_path_prob.setter
    def drop_path_prob(self, value):
        self.set_double(Key.NET_DROP_PATH_PROB, value)


class Optimizer(_Handle):
    """SGD or Adam over one parameter group: Optimizer(net, "weights") or
    Optimizer(net, "arch", kind="adam", lr=3e-4)."""

    def __init__(self, net, group="weights", config=None, **kw):
        cfg = _settings("opt", config, kw, "Optimizer")
        try:
            ptr = _create(C.rfnas_optimizer_create, net._p, int(_choice(Group, group)),
                          _cfg_ptr(cfg))
        finally:
            if cfg is not None:
                cfg.close()
        self._ref = _Ref(ptr, C.rfnas_optimizer_destroy, parents=(net._ref,))

    def step(self):
        """One update; returns the gradient norm before clipping."""
        norm = c_double()
        _check(C.rfnas_optimizer_step(self._p, byref(norm)))
        return norm.value

    def get(self, key):
        out = c_double()
        _check(C.rfnas_optimizer_get_double(self._p, _key(key, "opt"), byref(out)))
        return out.value

    def set(self, key, value):
        _check(C.rfnas_optimizer_set_double(self._p, _key(key, "opt"), float(value)))

    @property
    def lr(self):
        return self.get(Key.OPT_LR)

    @lr.setter
    def lr(self, value):
        self.set(Key.OPT_LR, value)


# ---------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------
class Checkpoint(_Handle):
    """Named flat arrays in memory, saved to and loaded from one file:
    Checkpoint(ctx) or Checkpoint.load(ctx, path)."""

    def __init__(self, ctx):
        self._ref = _Ref(_create(C.rfnas_checkpoint_create, ctx._p), C.rfnas_checkpoint_destroy,
                         parents=(ctx._ref,))

    @classmethod
    def load(cls, ctx, path):
        ptr = _create(C.rfnas_checkpoint_load, ctx._p, os.fsencode(path))
        return cls._wrap(_Ref(ptr, C.rfnas_checkpoint_destroy, parents=(ctx._ref,)))

    def save(self, path):
        _check(C.rfnas_checkpoint_save(self._p, os.fsencode(path)))

    def __len__(self):
        n = c_size_t()
        _check(C.rfnas_checkpoint_record_count(self._p, byref(n)))
        return n.value

    def records(self):
        """[(name, elements)] in insertion or file order."""
        out = []
        for i in range(len(self)):
            name, n = c_char_p(), c_size_t()
            _check(C.rfnas_checkpoint_record_name(self._p, i, byref(name), byref(n)))
            out.append((_str(name.value), n.value))
        return out

    def _put(self, fn, ctype, name, values):
        p, n, keep = _as_c(values, ctype, "values")
        _check(fn(self._p, name.encode(), p, n))

    def _get(self, fn, ctype, name):
        # Ask the size first (the library reports it with RFNAS_E_BUFSIZE).
        one = (ctype * 1)()
        n = c_size_t()
        rc = fn(self._p, name.encode(), one, 0, byref(n))
        if rc != C.RFNAS_E_BUFSIZE:
            _check(rc)
        buf = _empty(ctype, max(n.value, 1))
        p, _, keep = _as_c(buf, ctype, "buf", writable=True)
        _check(fn(self._p, name.encode(), p, n.value, byref(n)))
        return _result(buf, n.value)

    def put_int64s(self, name, values):
        self._put(C.rfnas_checkpoint_put_int64s, c_int64, name, values)

    def get_int64s(self, name):
        return self._get(C.rfnas_checkpoint_get_int64s, c_int64, name)

    def put_doubles(self, name, values):
        self._put(C.rfnas_checkpoint_put_doubles, c_double, name, values)

    def get_doubles(self, name):
        return self._get(C.rfnas_checkpoint_get_doubles, c_double, name)

    def put_floats(self, name, values):
        self._put(C.rfnas_checkpoint_put_floats, c_float, name, values)

    def get_floats(self, name):
        return self._get(C.rfnas_checkpoint_get_floats, c_float, name)

    def put_text(self, name, text):
        _check(C.rfnas_checkpoint_put_text(self._p, name.encode(), text.encode()))

    def get_text(self, name):
        n = c_size_t()
        one = ctypes.create_string_buffer(1)
        rc = C.rfnas_checkpoint_get_text(self._p, name.encode(), one, 0, byref(n))
        if rc != C.RFNAS_E_BUFSIZE:
            _check(rc)
        buf = ctypes.create_string_buffer(n.value + 1)
        _check(C.rfnas_checkpoint_get_text(self._p, name.encode(), buf, len(buf), byref(n)))
        return buf.raw[:n.value].decode()

    def put_supernet(self, prefix, net):
        _check(C.rfnas_checkpoint_put_supernet(self._p, prefix.encode(), net._p))

    def get_supernet(self, prefix, net):
        _check(C.rfnas_checkpoint_get_supernet(self._p, prefix.encode(), net._p))

    def put_optimizer(self, prefix, opt):
        _check(C.rfnas_checkpoint_put_optimizer(self._p, prefix.encode(), opt._p))

    def get_optimizer(self, prefix, opt):
        _check(C.rfnas_checkpoint_get_optimizer(self._p, prefix.encode(), opt._p))

    def put_iter(self, prefix, it):
        _check(C.rfnas_checkpoint_put_iter(self._p, prefix.encode(), it._p))

    def get_iter(self, prefix, it):
        _check(C.rfnas_checkpoint_get_iter(self._p, prefix.encode(), it._p))
