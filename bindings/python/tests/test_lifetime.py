#!/usr/bin/env python3
"""Destruction in any order: parents closed or deleted before their
children, by close(), del or the cycle collector, with the survivors used in
between; array views outliving their network; close() idempotent and
context managers; objects left alive at interpreter exit, in reference
cycles included. A wrong order would crash the process (use after free) or
leave a handle behind (checked through weak references to the owners).

usage: test_lifetime.py"""
import gc
import random
import subprocess
import sys
import weakref

import rfnas

PIXELS = bytes((i * 13) % 256 for i in range(24 * 1 * 8 * 8))
LABELS = [i % 4 for i in range(24)]


def build():
    """One object of every class, children made from parents."""
    o = {}
    o["ctx"] = rfnas.Context(threads=1, seed=9)
    o["ds"] = rfnas.Dataset.from_arrays(o["ctx"], PIXELS, LABELS, shape=(24, 1, 8, 8))
    o["sub"] = o["ds"].subset(0, 20)
    o["a"], o["b"] = o["sub"].split(0.5)
    o["it"] = rfnas.Iterator(o["a"], batch=4)
    o["space"] = rfnas.Space("nb201")
    o["net"] = rfnas.Supernet(o["ctx"], o["space"], channels=2, cells=1, in_channels=1,
                              in_height=8, in_width=8, max_batch=4, classes=4)
    o["w"] = rfnas.Optimizer(o["net"], "weights")
    o["arch"] = rfnas.Optimizer(o["net"], "arch", kind="adam")
    o["ck"] = rfnas.Checkpoint(o["ctx"])
    o["g"] = o["net"].genotype()
    o["cfg"] = rfnas.Config(**{"iter.batch": 4})
    o["view"] = o["net"].group("arch").values
    return o


def use(o):
    """Exercise every survivor; each must still work whatever went before."""
    if "it" in o:
        x, y = o["it"].buffers()
        n = o["it"].next_into(x, y) or o["it"].next_into(x, y)
        if "net" in o:
            o["net"].zero_grad("weights")
            o["net"].forward(x, y, n, phase="weights")
            o["net"].backward()
            if "w" in o:
                o["w"].step()
    if "arch" in o:
        o["arch"].lr = o["arch"].lr
    for k in ("ds", "sub", "a", "b"):
        if k in o:
            assert len(o[k]) > 0
    if "net" in o:
        o["net"].alphas()
    if "ck" in o and "net" in o:
        o["ck"].put_supernet("net", o["net"])
    if "g" in o:
        str(o["g"])
    if "space" in o:
        o["space"].info
    if "ctx" in o:
        o["ctx"].threads
    if "view" in o:
        o["view"][0] = o["view"][0] + 1.0
    if "cfg" in o:
        o["cfg"]["iter.batch"]


def owners_of(o):
    refs = []
    for v in o.values():
        ref = getattr(v, "_ref", None)
        if ref is not None:
            refs.append(weakref.ref(ref))
    return refs


def drop(o, name, how):
    obj = o.pop(name)
    if how == "close" and hasattr(obj, "close"):
        obj.close()
        obj.close()  # idempotent
    elif how == "collect":
        # a reference cycle only the cycle collector breaks, at its own moment
        cycle = [obj]
        cycle.append(cycle)
        del cycle
    del obj


rng = random.Random(1234)
names = list(build().keys())
orders = [list(names), list(reversed(names))] + [rng.sample(names, len(names)) for _ in range(30)]
ways = ["close", "del", "collect"]
for k, order in enumerate(orders):
    o = build()
    refs = owners_of(o)
    for j, name in enumerate(order):
        drop(o, name, ways[(k + j) % 3])
        if j % 3 == 2:
            gc.collect()
        use(o)
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert not alive, "order %d %s: %d owners still alive" % (k, order, len(alive))
print("%d destruction orders (close, del, cycles), survivors used after each step" % len(orders))

# A view outlives its network, its optimizers and its context.
o = build()
view = o["net"].group("arch").values
ref = weakref.ref(o["net"]._ref)
for name in list(o):
    drop(o, name, "close")
gc.collect()
assert ref() is not None, "the view must keep the network alive"
view[3] = 2.5
assert view[3] == 2.5
del view
gc.collect()
assert ref() is None, "the network must go with its last view"

# Context managers and close().
with rfnas.Context(threads=1) as ctx:
    with rfnas.Space("nb201") as space:
        net = rfnas.Supernet(ctx, space, channels=2, cells=1, in_channels=1, in_height=8,
                             in_width=8, max_batch=2)
    assert space.closed and not net.closed
    net_ref = weakref.ref(net._ref)
assert ctx.closed
net.alphas()  # the network keeps the context alive
try:
    space.info
    raise AssertionError("a closed space must raise")
except ValueError as e:
    assert "closed" in str(e)
net.close()
assert net_ref() is None

# Objects alive at interpreter exit, plain and in cycles, with a log callback
# and an allocator (Python callbacks the library calls while destroying).
EXIT_SCRIPT = r"""
import ctypes, rfnas
libc = ctypes.CDLL(None)
libc.aligned_alloc.restype = ctypes.c_void_p
libc.aligned_alloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
def alloc(size, align):
    return libc.aligned_alloc(align, (size + align - 1) // align * align)
ctx = rfnas.Context(threads=1, allocator=(alloc, libc.free), log=lambda lvl, msg: None,
                    log_level="debug")
ds = rfnas.Dataset.from_arrays(ctx, bytes(range(256)), [0, 1, 0, 1], shape=(4, 1, 8, 8))
a, b = ds.split(0.5)
it = rfnas.Iterator(a, batch=2)
net = rfnas.Supernet(ctx, rfnas.Space("nb201"), channels=2, cells=1, in_channels=1,
                     in_height=8, in_width=8, max_batch=2, classes=2)
opt = rfnas.Optimizer(net, "arch")
view = net.group("weights").values
cycle = [ctx, it, net, opt, view]
cycle.append(cycle)
class Holder:
    pass
h = Holder()
h.self = h
h.objs = (ds, b, opt)
del ds, a
print("exiting")
"""
p = subprocess.run([sys.executable, "-c", EXIT_SCRIPT], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, text=True, timeout=120)
assert p.returncode == 0 and p.stdout.strip() == "exiting", (p.returncode, p.stdout, p.stderr)
assert "Exception" not in p.stderr and "Error" not in p.stderr, p.stderr
print("interpreter exit with live objects and cycles: clean")
print("OK: destruction in any order")
sys.exit(0)
