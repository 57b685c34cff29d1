#!/usr/bin/env python3
"""No memory growth over many create/use/destroy cycles of every class,
failing calls included: the resident set size (/proc/self/statm) after a
warm-up and after the cycles may differ by a small slack only, and every
handle's owner is gone once its objects are (no reference cycles).

Two loops: a heavy one (contexts, datasets, iterators, supernets with
forward and backward, optimizers, checkpoints, array views), where a leaked
network would cost megabytes per cycle, and a light one of many thousands of
cheap objects and errors, where a leak of a few dozen bytes per cycle adds up
past the slack.

Besides RSS, which also moves with allocator fragmentation and Python's
own arenas, the bytes malloc has handed out and not got back (glibc's
mallinfo2(): uordblks + hblkhd) are compared with a tighter slack: that is
where a leaked handle, buffer or error message shows, to the byte.

usage: test_memory.py"""
import ctypes
import gc
import os
import sys
import tempfile
import time
import weakref

import rfnas
from rfnas import RfnasError

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost").split()]


_libc = ctypes.CDLL(None)
if hasattr(_libc, "mallinfo2"):  # glibc 2.33 and later
    _libc.mallinfo2.restype = _MallInfo2

    def in_use():
        m = _libc.mallinfo2()
        return m.uordblks + m.hblkhd
else:
    in_use = None


owners = []  # weak references to the _Refs made during warm-ups: all must die
tracking = True


def track(i, *objs):
    if not tracking:  # the weak references themselves would count as growth
        return
    for o in objs:
        owners.append(weakref.ref(o._ref))


TMP = tempfile.mkdtemp()
CK_PATH = os.path.join(TMP, "m.rfnas")
PIXELS = bytes((i * 37) % 256 for i in range(32 * 1 * 8 * 8))
LABELS = [i % 4 for i in range(32)]


def heavy_cycle(i):
    with rfnas.Context(threads=1, seed=i % 3) as ctx:
        ds = rfnas.Dataset.from_arrays(ctx, PIXELS, LABELS, shape=(32, 1, 8, 8))
        a, b = ds.split(0.5)
        it = rfnas.Iterator(a, batch=8, crop_pad=1, flip=True)
        x, y = it.buffers()
        space = rfnas.Space("nb201")
        net = rfnas.Supernet(ctx, space, channels=2, cells=1, in_channels=1, in_height=8,
                             in_width=8, max_batch=8, classes=4)
        w = rfnas.Optimizer(net, "weights")
        arch = rfnas.Optimizer(net, "arch", kind="adam")
        views = net.group("arch")
        n = it.next_into(x, y)
        for opt, phase in ((arch, "arch"), (w, "weights")):
            net.zero_grad(phase)
            net.forward(x, y, n, phase=phase)
            net.backward()
            opt.step()
        views.values[0] = 0.5
        net.alphas(softmax=True)
        net.logits()
        g = net.genotype()
        str(g)
        ck = rfnas.Checkpoint(ctx)
        ck.put_supernet("net", net)
        ck.put_optimizer("opt", w)
        ck.put_iter("it", it)
        ck.put_floats("f", [1.0, 2.0])
        ck.save(CK_PATH)
        ck2 = rfnas.Checkpoint.load(ctx, CK_PATH)
        ck2.get_supernet("net", net)
        ck2.get_floats("f")
        try:
            ck2.get_supernet("absent", net)
        except RfnasError:
            pass
        track(i, ctx, ds, a, b, it, space, net, w, arch, g, ck, ck2)
        # Close some explicitly, leave the rest to the garbage collector, in
        # an order that varies: destruction order must not matter either.
        for obj in [g, ck, it, net, ds][i % 5:]:
            obj.close()


def light_cycle(i):
    cfg = rfnas.Config({"iter.batch": 1 + i % 100, "iter.mean": [0.5, 0.25]})
    cfg2 = cfg.copy()
    try:
        cfg2.set("iter.batch", -1)
    except RfnasError:
        pass
    space = rfnas.Space("darts" if i % 2 else "nb201")
    g = rfnas.Genotype.parse("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+"
                             "|skip_connect~0|avg_pool_3x3~1|none~2|")
    g.pairs()
    str(g)
    try:
        rfnas.Space("nope")
    except RfnasError:
        pass
    track(i, cfg, cfg2, space, g)
    if i % 2:
        cfg.close()
        space.close()


def measure(cycle, warmup, count, slack, heap_slack, what):
    global tracking
    tracking = True
    for i in range(warmup):
        cycle(i)
    tracking = False
    gc.collect()
    before, heap_before = rss(), in_use() if in_use else 0
    t0 = time.monotonic()
    for i in range(count):
        cycle(warmup + i)
    gc.collect()
    after, heap_after = rss(), in_use() if in_use else 0
    grew, heap_grew = after - before, heap_after - heap_before
    print("%s: %d cycles in %.1f s, RSS %.1f -> %.1f MiB (%+d KiB, slack %d KiB), "
          "malloc in use %+d KiB (slack %d KiB)"
          % (what, count, time.monotonic() - t0, before / 2**20, after / 2**20, grew // 1024,
             slack // 1024, heap_grew // 1024, heap_slack // 1024))
    assert grew <= slack, "%s: RSS grew by %d KiB over %d cycles" % (what, grew // 1024, count)
    assert heap_grew <= heap_slack, "%s: %d KiB more malloc memory in use after %d cycles" % (
        what, heap_grew // 1024, count)


# A leak of 2 KiB per heavy cycle, or of 16 bytes per light cycle, fails.
measure(heavy_cycle, 10, 120, 6 * 2**20, 256 * 1024, "heavy")
measure(light_cycle, 500, 20000, 2 * 2**20, 320 * 1024, "light")

gc.collect()
alive = [r for r in owners if r() is not None]
assert not alive, "%d handle owners still alive after their objects went" % len(alive)
assert not gc.garbage
os.unlink(CK_PATH)
os.rmdir(TMP)
print("OK: no growth; all %d handles released" % len(owners))
sys.exit(0)
