#!/usr/bin/env python3
"""The first-order RF-DARTS loop of examples/search_minimal.c, in Python: an
NAS-Bench-201 supernet with random features on Fashion-MNIST, alphas trained
with Adam on the validation half, BN parameters with SGD on the training
half. The library calls are the C example's, in the same order with the same
settings, so with the same seed and thread count both print the same lines
and end with the same alphas, bit for bit.

  search_minimal.py [EPOCHS [TRAIN_IMAGES [DIR]]]      defaults: 1, 2000

With RFNAS_ALPHAS_OUT=PATH in the environment it writes the final raw alphas
to PATH as native float32, cell type after cell type, as the C example does.
Works with numpy or without it (RFNAS_PY_NO_NUMPY=1)."""
import array
import os
import sys

try:
    import rfnas
except ModuleNotFoundError as e:  # run from the source tree: the package is next door
    if e.name != "rfnas":
        raise
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import rfnas


def float32_bytes(alphas):
    """Raw float32 bytes of an edges x ops result (numpy array or rows)."""
    if isinstance(alphas, list):
        return array.array("f", [v for row in alphas for v in row]).tobytes()
    return alphas.astype("float32").tobytes()


def main(argv):
    epochs = int(argv[1]) if len(argv) > 1 else 1
    images = int(argv[2]) if len(argv) > 2 else 2000
    directory = argv[3] if len(argv) > 3 else "/usr/share/datasets/fashion-mnist"

    ctx = rfnas.Context(seed=2)

    # Data: the first `images` training images, split in halves (DARTS).
    every = rfnas.Dataset.open(ctx, "fashion_mnist", directory, "train")
    subset = every.subset(0, images)
    train, val = subset.split(0.5)
    augment = dict(batch=64, crop_pad=4, flip=1, mean=[0.2860], std=[0.3530])
    train_it = rfnas.Iterator(train, **augment)
    val_it = rfnas.Iterator(val, stream=1, **augment)

    # The supernet and its two optimizers (DARTS hyper-parameters, SPEC 6.4).
    space = rfnas.Space("nb201")
    net = rfnas.Supernet(ctx, space, features="random", in_channels=1, in_height=28,
                         in_width=28, init="kaiming_normal")
    w_opt = rfnas.Optimizer(net, "weights")
    a_opt = rfnas.Optimizer(net, "arch", kind="adam")

    xt, yt = train_it.buffers()
    xv, yv = val_it.buffers()
    for epoch in range(epochs):
        lr = rfnas.schedule_cosine(0.025, 0.001, epoch, epochs)
        w_opt.lr = lr
        train_loss = val_loss = 0.0
        train_correct = seen = steps = 0
        while True:
            nt = train_it.next_into(xt, yt)
            if nt == 0:
                break
            # Architecture step on a validation batch (restarting its epoch as needed).
            nv = val_it.next_into(xv, yv) or val_it.next_into(xv, yv)
            net.zero_grad("arch")
            loss, _ = net.forward(xv, yv, nv, phase="arch")
            net.backward()
            a_opt.step()
            val_loss += loss
            # Weights step (the BN parameters) on the training batch.
            net.zero_grad("weights")
            loss, correct = net.forward(xt, yt, nt, phase="weights")
            net.backward()
            w_opt.step()
            train_loss += loss
            train_correct += correct
            seen += nt
            steps += 1
        with net.genotype() as g:
            text = str(g)
        print("epoch %d: lr %.4f, train loss %.3f acc %.1f%%, val loss %.3f\n  %s"
              % (epoch + 1, lr, train_loss / steps, 100.0 * train_correct / seen,
                 val_loss / steps, text), flush=True)

    out = os.environ.get("RFNAS_ALPHAS_OUT")
    if out:
        with open(out, "wb") as f:
            for cell in range(net.cell_types):
                f.write(float32_bytes(net.alphas(cell)))

    # Any order: children keep their parents alive (and garbage collection
    # would do all of this by itself).
    for obj in (w_opt, a_opt, net, space, train_it, val_it, train, val, subset, every, ctx):
        obj.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
