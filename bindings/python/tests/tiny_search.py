#!/usr/bin/env python3
"""A tiny bilevel search (synthetic 8x8 images, a 4-channel NB201 supernet,
two epochs with augmentation), for comparing the numpy and the no-numpy
paths bit for bit in a second or two; test_arrays.py runs it both ways.
Prints the final raw alphas as hex float32 bytes, and the loss sum."""
import array
import struct

import rfnas

ctx = rfnas.Context(threads=1, seed=5)
n = 96
pixels = bytes((i * 31 + (i // 64) * 7) % 256 for i in range(n * 64))
labels = array.array("i", [(i * 7) % 4 for i in range(n)])
every = rfnas.Dataset.from_arrays(ctx, pixels, labels, shape=(n, 1, 8, 8))
train, val = every.split(0.5)
augment = dict(batch=16, crop_pad=1, flip=True, cutout=2)
train_it = rfnas.Iterator(train, **augment)
val_it = rfnas.Iterator(val, stream=1, **augment)
net = rfnas.Supernet(ctx, rfnas.Space("nb201"), channels=4, cells=1, in_channels=1,
                     in_height=8, in_width=8, max_batch=16, classes=4)
w_opt = rfnas.Optimizer(net, "weights")
a_opt = rfnas.Optimizer(net, "arch", kind="adam")
xt, yt = train_it.buffers()
xv, yv = val_it.buffers()
total = 0.0
for epoch in range(2):
    w_opt.lr = rfnas.schedule_cosine(0.025, 0.001, epoch, 2)
    while True:
        nt = train_it.next_into(xt, yt)
        if nt == 0:
            break
        nv = val_it.next_into(xv, yv) or val_it.next_into(xv, yv)
        net.zero_grad("arch")
        loss, _ = net.forward(xv, yv, nv, phase="arch")
        net.backward()
        a_opt.step()
        net.zero_grad("weights")
        loss2, _ = net.forward(xt, yt, nt, phase="weights")
        net.backward()
        w_opt.step()
        total += loss + loss2
flat = [v for row in net.alphas() for v in row]
print(struct.pack("<%df" % len(flat), *flat).hex(), repr(total))
