#!/usr/bin/env python3
"""Arrays in and out, with numpy and without it (run twice by meson: plain,
and with RFNAS_PY_NO_NUMPY=1, which forces the fallback).

  - parameter-group views are zero-copy: the view's address is the one
    rfnas_supernet_group_borrow() gives, writing into the view changes what
    the library computes with (alphas, genotype), and the library's updates
    (optimizer steps, zero_grad) show in the view without asking again;
  - results come back as numpy arrays of the right shape and dtype, or as
    lists (rows for 2-D) and array.array / memoryview buffers;
  - caller arrays go in as numpy arrays, array.array, bytes, lists;
  - checkpoints round-trip arrays and text; a Python allocator and a log
    callback are called;
  - a tiny search (tiny_search.py) ends with the same alphas, bit for bit,
    on the numpy path and on the fallback.

usage: test_arrays.py  (RFNAS_PY_NO_NUMPY=1: the fallback path)"""
import array
import ctypes
import os
import sys
import tempfile

import rfnas
from rfnas import _capi

FALLBACK = os.environ.get("RFNAS_PY_NO_NUMPY", "") not in ("", "0")
if not FALLBACK and not rfnas.HAVE_NUMPY:
    sys.exit("FAIL: numpy is not importable by %s: install python3-numpy "
             "(tools/setup-deps.sh does)" % sys.executable)
assert rfnas.HAVE_NUMPY == (not FALLBACK), "HAVE_NUMPY %s, RFNAS_PY_NO_NUMPY=%r" % (
    rfnas.HAVE_NUMPY, os.environ.get("RFNAS_PY_NO_NUMPY"))
if not FALLBACK:
    import numpy as np
print("path:", "fallback (lists, array.array, memoryview)" if FALLBACK else "numpy")


def rows(a):
    """A 2-D result as rows of floats, whichever path made it."""
    return [list(map(float, r)) for r in a]


def borrow(net, group):
    """The library's own pointers, straight through the C API."""
    v, g = ctypes.POINTER(ctypes.c_float)(), ctypes.POINTER(ctypes.c_float)()
    n = ctypes.c_size_t()
    assert _capi.rfnas_supernet_group_borrow(net._p, group, ctypes.byref(v), ctypes.byref(g),
                                             ctypes.byref(n)) == 0
    return ctypes.cast(v, ctypes.c_void_p).value, ctypes.cast(g, ctypes.c_void_p).value, n.value


def address(view):
    if FALLBACK:
        return ctypes.addressof(ctypes.c_char.from_buffer(view.cast("B"))) \
            if not view.readonly else None
    return view.__array_interface__["data"][0]


ctx = rfnas.Context(threads=1, seed=4)

# ---- caller arrays in: uint8 and float32, numpy or not -------------------
n, c, h, w = 16, 1, 8, 8
pix = bytes((i * 7) % 256 for i in range(n * c * h * w))
labels = [i % 4 for i in range(n)]
if FALLBACK:
    ds = rfnas.Dataset.from_arrays(ctx, pix, array.array("i", labels), shape=(n, c, h, w))
    dsf = rfnas.Dataset.from_arrays(ctx, [p / 255.0 for p in pix], labels, shape=(n, c, h, w))
else:
    ds = rfnas.Dataset.from_arrays(ctx, np.frombuffer(pix, np.uint8).reshape(n, c, h, w),
                                   np.array(labels))
    dsf = rfnas.Dataset.from_arrays(ctx, np.frombuffer(pix, np.uint8).reshape(n, h, w) / 255.0,
                                    labels)
assert ds.shape == (n, c, h, w, 4) and dsf.shape == (n, c, h, w, 4), (ds.shape, dsf.shape)
px, label = ds.get(3)
pxf, _ = dsf.get(3)
flat = list(px) if FALLBACK else list(px.reshape(-1))
flatf = list(pxf) if FALLBACK else list(pxf.reshape(-1))
if not FALLBACK:
    assert px.shape == (c, h, w) and px.dtype == np.float32
assert label == 3 and abs(flat[1] - pix[3 * 64 + 1] / 255.0) < 1e-7
assert all(abs(u - v) < 1e-6 for u, v in zip(flat, flatf))
mean, std = ds.stats()
hist = ds.histogram()
assert list(hist) == [4, 4, 4, 4], hist
assert isinstance(mean, list) == FALLBACK and len(mean) == 1

# ---- iterators: settings in, buffers out -----------------------------------
it = rfnas.Iterator(ds, batch=4, mean=[0.5], std=[0.25], shuffle=False)
m, s = it.normalization()
assert list(m) == [0.5] and list(s) == [0.25]
x, y = it.buffers()
if FALLBACK:
    assert isinstance(x, array.array) and x.typecode == "f" and len(x) == 4 * 64
else:
    assert x.shape == (4, 1, 8, 8) and x.dtype == np.float32 and y.dtype == np.int32
got = it.next_into(x, y)
assert got == 4 and list(y) == [0, 1, 2, 3], list(y)
assert abs(float(x[0] if FALLBACK else x.flat[0]) - (pix[0] / 255.0 - 0.5) / 0.25) < 1e-5
batches = list(it)  # the rest of the epoch
assert [len(bx) // (64 if FALLBACK else 1) for bx, _ in batches] == [4, 4, 4]
assert it.next_into(x, y) == 4  # a new epoch
it.position = (0, 8)
assert it.position == (0, 8)

# ---- parameter groups: zero-copy views -------------------------------------
space = rfnas.Space("nb201")
info = space.info
net = rfnas.Supernet(ctx, space, channels=2, cells=1, in_channels=1, in_height=8, in_width=8,
                     max_batch=4, classes=4)
values, grads = net.group("arch")
assert net.group(rfnas.Group.ARCH).values is values  # one view per group
vaddr, gaddr, count = borrow(net, rfnas.Group.ARCH)
assert count == info.edges * info.ops_per_edge == len(values) == len(grads)
assert address(values) == vaddr and address(grads) == gaddr, "views are copies"
if FALLBACK:
    assert isinstance(values, memoryview) and values.format == "f" and not values.readonly
else:
    assert values.dtype == np.float32 and values.flags.writeable and values.base is not None

# writing into the view changes what the library sees
for i in range(count):
    values[i] = 0.0
values[1 * info.ops_per_edge + 2] = 3.5   # edge 1, op 2
values[4 * info.ops_per_edge + 3] = -1.25  # edge 4, op 3
alphas = net.alphas()
if FALLBACK:
    assert isinstance(alphas, list) and isinstance(alphas[0], list)
else:
    assert isinstance(alphas, np.ndarray) and alphas.shape == (info.edges, info.ops_per_edge)
a = rows(alphas)
assert a[1][2] == 3.5 and a[4][3] == -1.25 and a[0] == [0.0] * info.ops_per_edge, a
soft = rows(net.alphas(softmax=True))
assert soft[1].index(max(soft[1])) == 2 and abs(sum(soft[1]) - 1.0) < 1e-6
g = net.genotype()
assert g.pairs()[1].op == space.op_name("normal", 1, 2), (g.pairs(), str(g))
# the derivation from the same alphas as a plain nested list gives the same genotype
assert str(rfnas.Genotype.derive(space, a)) == str(g)

# the library's updates show in the view
opt = rfnas.Optimizer(net, "arch", kind="adam", lr=0.01)
net.zero_grad("arch")
assert all(v == 0.0 for v in grads)
got = it.next_into(x, y)
loss, correct = net.forward(x, y, got, phase="arch")
net.backward()
assert any(v != 0.0 for v in grads), "backward did not reach the gradient view"
before = [float(v) for v in values]
norm = opt.step()
assert norm > 0 and [float(v) for v in values] != before, "the step did not show in the view"
assert rows(net.alphas()) == [[float(v) for v in values[r * info.ops_per_edge:
                                                       (r + 1) * info.ops_per_edge]]
                              for r in range(info.edges)]

# the alphas of a cell type as a 2-D view into the same memory
av = net.alphas_view("normal")
av[2, 3] = 1.25
assert rows(net.alphas())[2][3] == 1.25 and values[2 * info.ops_per_edge + 3] == 1.25
if FALLBACK:
    assert av.shape == (info.edges, info.ops_per_edge) and av.tolist()[2][3] == 1.25
else:
    assert av.shape == (info.edges, info.ops_per_edge) and np.shares_memory(av, values)
try:
    net.alphas_view("reduce")
    raise AssertionError("NB201 has no reduction alphas")
except ValueError:
    pass

# one named tensor: a slice view of its group
params = net.parameters()
first = next(p for p in params if p.group == rfnas.Group.WEIGHTS and p.size > 1)
pv = net.parameter(first.name)
pv[0] = 42.0
assert net.group("weights").values[first.offset] == 42.0
assert sum(p.size for p in params if p.group == rfnas.Group.ARCH) == count

# logits come back n x classes
logits = net.logits()
lr_ = rows(logits)
assert len(lr_) == got and len(lr_[0]) == 4

# ---- checkpoints: arrays and text round-trip --------------------------------
with tempfile.TemporaryDirectory() as tmp:
    ck = rfnas.Checkpoint(ctx)
    ck.put_floats("f", [1.5, -2.25, 3.0])
    ck.put_doubles("d", array.array("d", [0.1, 0.2]))
    ck.put_int64s("i", [1, -2, 3 << 40])
    ck.put_text("t", "héllo")
    ck.put_supernet("net", net)
    path = os.path.join(tmp, "a.rfnas")
    ck.save(path)
    saved = [float(v) for v in values]
    for i in range(count):
        values[i] = 9.0
    ck2 = rfnas.Checkpoint.load(ctx, path)
    assert list(ck2.get_floats("f")) == [1.5, -2.25, 3.0]
    assert list(ck2.get_doubles("d")) == [0.1, 0.2]
    assert list(ck2.get_int64s("i")) == [1, -2, 3 << 40]
    assert ck2.get_text("t") == "héllo"
    names = [r[0] for r in ck2.records()]
    assert names[:4] == ["f", "d", "i", "t"] and len(ck2) == len(names)
    ck2.get_supernet("net", net)
    assert [float(v) for v in values] == saved, "restoring did not show in the view"
    if not FALLBACK:
        assert isinstance(ck2.get_floats("f"), np.ndarray)

# ---- a Python allocator and a log callback ----------------------------------
libc = ctypes.CDLL(None)
libc.aligned_alloc.restype = ctypes.c_void_p
libc.aligned_alloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
calls = {"alloc": 0, "free": 0}


def alloc(size, align):
    calls["alloc"] += 1
    return libc.aligned_alloc(align, (size + align - 1) // align * align)


def free(ptr):
    calls["free"] += 1
    libc.free(ptr)


messages = []
actx = rfnas.Context(threads=1, allocator=(alloc, free),
                     log=lambda level, msg: messages.append((level, msg)), log_level="debug")
ads = rfnas.Dataset.from_arrays(actx, pix, labels, shape=(n, c, h, w))
ait = rfnas.Iterator(ads, batch=4)
ait.next_into(x, y)
assert calls["alloc"] > 0
del ait, ads, actx
assert calls["alloc"] == calls["free"], calls
print("allocator: %d allocations, all freed; %d log messages" % (calls["alloc"], len(messages)))

# ---- the numpy and the no-numpy paths compute the same search, bit for bit ----
if not FALLBACK:
    import subprocess
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny_search.py")
    outs = []
    for no_numpy in ("0", "1"):
        p = subprocess.run([sys.executable, script], stdout=subprocess.PIPE, text=True,
                           env=dict(os.environ, RFNAS_PY_NO_NUMPY=no_numpy), timeout=120)
        assert p.returncode == 0, p
        outs.append(p.stdout)
    assert outs[0] == outs[1], "numpy and no-numpy searches differ:\n%s%s" % tuple(outs)
    print("tiny search: numpy and no-numpy paths give the same alphas and losses")
print("OK: arrays (%s)" % ("fallback" if FALLBACK else "numpy"))
sys.exit(0)
