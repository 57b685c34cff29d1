#!/usr/bin/env python3
"""The rest of the Pythonic surface, each call once: keys and bounds, typed
config setters, CIFAR and IDX files, custom spaces and their edges,
genotypes (parse, format, pairs, counts), a discrete network from a DARTS
genotype with its live settings, optimizer settings, iterator positions and
checkpoints of iterators and optimizers.

usage: test_api.py"""
import gzip
import os
import struct
import sys
import tempfile

import rfnas
from rfnas import Key, Type

# keys
assert rfnas.key_from_name("net.drop_path_prob") == Key.NET_DROP_PATH_PROB
assert rfnas.key_bounds("iter.batch") == (Type.INT, 1.0, 1048576.0)
assert rfnas.key_bounds(Key.ITER_MEAN)[0] == Type.DOUBLES
assert rfnas.key_name(12345) is None

# configs: typed setters and reading back
cfg = rfnas.Config()
cfg.set_int("iter.batch", 7)
cfg.set_double(Key.OPT_LR, 0.5)
cfg.set_string("opt.kind", "adam")
cfg.set_doubles("iter.mean", [0.1, 0.2, 0.3])
assert cfg.get_int(Key.ITER_BATCH) == 7 and cfg["opt.lr"] == 0.5
assert cfg.is_set("opt.kind") and not cfg.is_set("opt.momentum")
copy = cfg.copy()
cfg.unset("iter.batch")
assert copy["iter.batch"] == 7 and cfg["iter.batch"] == 64
assert rfnas.Config(**{"opt.lr": 1e-3})["opt.lr"] == 1e-3  # repr() text reads back exactly

ctx = rfnas.Context(threads=1, seed=11)
with tempfile.TemporaryDirectory() as tmp:
    # CIFAR-10 records: label byte + 3x32x32 pixels
    path = os.path.join(tmp, "batch.bin")
    with open(path, "wb") as f:
        for i in range(6):
            f.write(bytes([i % 10]) + bytes((i + j) % 256 for j in range(3072)))
    ds = rfnas.Dataset.open_cifar(ctx, [path, path])
    assert ds.shape == (12, 3, 32, 32, 10), ds.shape
    # IDX: images N x H x W, labels N, gzip-compressed
    images, labels = os.path.join(tmp, "img.gz"), os.path.join(tmp, "lab.gz")
    with gzip.open(images, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 5, 6, 6) + bytes(range(180)))
    with gzip.open(labels, "wb") as f:
        f.write(struct.pack(">II", 0x801, 5) + bytes([0, 1, 2, 1, 0]))
    idx = rfnas.Dataset.open_idx(ctx, images, labels)
    assert idx.shape == (5, 1, 6, 6, 3) and list(idx.histogram()) == [2, 2, 1]

# custom spaces, edges and op names
space = rfnas.Space.custom("darts", ["skip_connect", "sep_conv_3x3", "max_pool_3x3"])
info = space.info
assert info == (rfnas.Topology.DARTS, 2, 14, 3), info
assert space.ops(edge=5, cell="reduce") == ["skip_connect", "sep_conv_3x3", "max_pool_3x3"]
assert space.edge(0) == (2, 0) and space.edge(13) == (5, 4)

# genotypes
text = ("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_3x3', 0), "
        "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2), "
        "('skip_connect', 0)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
        "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
        "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
        "reduce_concat=[2, 3, 4, 5])")
g = rfnas.Genotype.parse(text, space)
assert str(g) == text
assert g.info == (rfnas.Topology.DARTS, 2, 8)
assert g.pairs("reduce")[2] == ("skip_connect", 3, 2), g.pairs("reduce")
assert g.count("skip_connect") == 3 and g.count(None, "reduce") == 8

# a discrete network from the genotype, with drop-path and the auxiliary head
net = rfnas.Supernet.from_genotype(ctx, g, channels=4, cells=3, in_channels=3, in_height=32,
                                   in_width=32, max_batch=2, drop_path_prob=0.1)
assert net.cell_types == 0 and net.get_int("cells") == 3
net.drop_path_prob = 0.2
assert abs(net.drop_path_prob - 0.2) < 1e-12
net.set_int("drop_path_counter", 5)
assert net.get_int(Key.NET_DROP_PATH_COUNTER) == 5
assert str(net.genotype()) == text
opt = rfnas.Optimizer(net, "weights", momentum=0.5, nesterov=True, lr=0.1)
assert opt.get("momentum") == 0.5 and opt.lr == 0.1
it = rfnas.Iterator(ds, batch=2, cutout=8, cutout_prob=0.5, flip=True, crop_pad=4)
x, y = it.buffers()
n = it.next_into(x, y)
loss, correct = net.forward(x, y, n, phase="weights")
net.backward()
assert opt.step() >= 0 and loss > 0
net.forward(x, y, n, phase="eval")
try:
    net.forward(x, y, n, phase="arch")
    raise AssertionError("a discrete network has no architecture phase")
except rfnas.RfnasError as e:
    assert e.status == rfnas.Status.INVALID

# checkpoints of optimizers and iterators restore positions and settings
ck = rfnas.Checkpoint(ctx)
ck.put_iter("it", it)
ck.put_optimizer("opt", opt)
ck.put_supernet("net", net)
position = it.position
it.next_into(x, y)
opt.lr = 0.01
ck.get_iter("it", it)
ck.get_optimizer("opt", opt)
ck.get_supernet("net", net)
assert it.position == position and opt.lr == 0.1
print("OK: API surface")
sys.exit(0)
