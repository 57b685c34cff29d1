#!/usr/bin/env python3
"""Error mapping: a failing call raises RfnasError with the library's status
and its message (rfnas_error_last()), for every kind of failure the classes
can meet; Python-side mistakes raise the usual Python exceptions.

usage: test_errors.py"""
import os
import pickle
import sys
import tempfile

import rfnas
from rfnas import RfnasError, Status, _capi


def raises(status, fn, *args, contains=(), **kw):
    """fn(*args) must raise RfnasError with `status` and a message holding
    every string of `contains`; returns the error."""
    try:
        fn(*args, **kw)
    except RfnasError as e:
        assert e.status == status, "%s: status %r, expected %r (%s)" % (fn, e.status, status, e)
        assert e.code == int(status) and isinstance(e.status, Status)
        assert e.message, "%s: empty message" % fn
        for s in contains:
            assert s in e.message, "%r not in the message %r" % (s, e.message)
        assert e.message in str(e) and status.name in str(e), str(e)
        assert e.status_string == rfnas.status_string(status)
        return e
    raise AssertionError("%s%r did not raise RfnasError(%s)" % (fn, args, status.name))


def python_error(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc as e:
        return e
    raise AssertionError("%s%r did not raise %s" % (fn, args, exc.__name__))


# Config values out of bounds, of the wrong type, unknown names.
cfg = rfnas.Config()
e = raises(Status.INVALID, cfg.set, "iter.batch", 0, contains=("iter.batch",))
print("out of bounds:", e)
raises(Status.INVALID, cfg.set, "iter.batch", "twelve")
raises(Status.INVALID, cfg.set, "opt.lr", float("nan"))
raises(Status.NOTFOUND, cfg.set, "iter.nonsense", 1)
raises(Status.NOTFOUND, rfnas.key_from_name, "no.such.key")
raises(Status.INVALID, cfg.set_int, rfnas.Key.OPT_KIND, 3)  # a string key
cfg["iter.batch"] = 32
assert cfg["iter.batch"] == 32 and "iter.batch" in cfg
del cfg["iter.batch"]
assert cfg["iter.batch"] == 64 and "iter.batch" not in cfg
python_error(TypeError, cfg.__getitem__, "opt.kind")  # strings cannot be read back
# after a success the library's message is empty again
cfg.set("iter.batch", 16)
assert _capi.rfnas_error_last() == b""

# Keyword arguments that are not settings are a TypeError, before any C call.
with rfnas.Context(threads=1, seed=3) as ctx:
    assert ctx.threads == 1 and ctx.seed == 3
    e = python_error(TypeError, rfnas.Iterator, None, no_such_setting=1)
    assert "no_such_setting" in str(e) and "iter.no_such_setting" in str(e)

    # Spaces, genotypes and files.
    raises(Status.NOTFOUND, rfnas.Space, "no-such-space", contains=("no-such-space",))
    raises(Status.INVALID, rfnas.Space.custom, "nb201", ["skip_connect", "skip_connect"])
    e = raises(Status.FORMAT, rfnas.Genotype.parse, "|bogus~0|+|")
    print("parse:", e)
    with rfnas.Space("nb201") as nb201:
        raises(Status.MISMATCH, rfnas.Genotype.parse,
               "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0),"
               " ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),"
               " ('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2, 3, 4, 5],"
               " reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0),"
               " ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1),"
               " ('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))",
               nb201)
        raises(Status.INVALID, nb201.op_name, "normal", 99, 0)
        raises(Status.MISMATCH, rfnas.Genotype.derive, nb201, [0.0] * 7)
    missing = "/nonexistent/fashion-mnist"
    raises(Status.NOTFOUND, rfnas.Dataset.open, ctx, "fashion_mnist", missing, "train",
           contains=(missing,))
    python_error(ValueError, rfnas.Dataset.open, ctx, "jpeg", missing)
    with tempfile.TemporaryDirectory() as tmp:
        junk = os.path.join(tmp, "junk.rfnas")
        with open(junk, "wb") as f:
            f.write(b"not a checkpoint at all, just some bytes" * 4)
        raises(Status.FORMAT, rfnas.Checkpoint.load, ctx, junk, contains=("junk.rfnas",))
        raises(Status.NOTFOUND, rfnas.Checkpoint.load, ctx, os.path.join(tmp, "absent"))
        ck = rfnas.Checkpoint(ctx)
        raises(Status.NOTFOUND, ck.get_floats, "nothing")
        ck.put_text("t", "text")
        raises(Status.FORMAT, ck.get_floats, "t")
        raises(Status.IO, ck.save, os.path.join(tmp, "no-dir", "x.rfnas"))

    # Datasets and iterators: labels out of range, buffers too small.
    raises(Status.INVALID, rfnas.Dataset.from_arrays, ctx, bytes(4 * 16), [0, 1, 2, -1],
           shape=(4, 1, 4, 4), num_classes=3)
    ds = rfnas.Dataset.from_arrays(ctx, bytes(range(64)), [0, 1, 2, 3], shape=(4, 1, 4, 4))
    python_error(ValueError, rfnas.Dataset.from_arrays, ctx, bytes(10), [0, 1],
                 shape=(4, 1, 4, 4))
    raises(Status.INVALID, ds.subset, 2, 5)
    raises(Status.INVALID, ds.split, 1.5)
    it = rfnas.Iterator(ds, batch=2)
    import array
    raises(Status.BUFSIZE, it.next_into, array.array("f", bytes(4 * 16)),
           array.array("i", bytes(8)))
    python_error(TypeError, it.next_into, b"read-only bytes", array.array("i", bytes(8)))
    raises(Status.INVALID, setattr, it, "position", (-1, 0))

    # Supernets and optimizers: state errors, bad groups, bad settings.
    with rfnas.Space("nb201") as space:
        raises(Status.INVALID, rfnas.Supernet, ctx, space, channels=0)
        raises(Status.INVALID, rfnas.Supernet, ctx, space, features="imaginary")
        net = rfnas.Supernet(ctx, space, channels=2, cells=1, in_channels=1, in_height=4,
                             in_width=4, max_batch=2, classes=4)
    raises(Status.STATE, net.backward)
    raises(Status.INVALID, rfnas.Optimizer, net, "frozen")
    raises(Status.INVALID, rfnas.Optimizer, net, "weights", lr=-1.0)
    raises(Status.INVALID, net.alphas, "reduce")
    raises(Status.INVALID, net.betas)  # no edge normalisation
    x = [0.0] * 16
    raises(Status.INVALID, net.forward, x, [7], 1)  # label >= classes
    python_error(ValueError, net.forward, x[:3], [0], 1)  # the binding checks sizes
    opt = rfnas.Optimizer(net, "weights")
    raises(Status.INVALID, opt.set, "momentum", 2.0)
    raises(Status.INVALID, rfnas.schedule_cosine, 0.1, 0.0, 0, 0)

    # The low level returns statuses and never raises.
    assert _capi.rfnas_config_set_int(None, 500, 1) == _capi.RFNAS_E_INVALID
    assert _capi.rfnas_error_last()
    # a handle of the wrong type is refused through its type tag
    assert _capi.rfnas_iter_set_position(ds._p, 0, 0) == _capi.RFNAS_E_INVALID

# Errors pickle (multiprocessing hosts send them between processes).
e2 = pickle.loads(pickle.dumps(e))
assert e2.status == e.status and e2.message == e.message

# Closed objects are a ValueError, like a closed file.
cfg.close()
cfg.close()  # idempotent
python_error(ValueError, cfg.set, "iter.batch", 1)
assert cfg.closed and "closed" in repr(cfg)
print("OK: error mapping")
sys.exit(0)
