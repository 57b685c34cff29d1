#!/usr/bin/env python3
"""The Python example and the C example give the same search, bit for bit:
examples/search_minimal.c and bindings/python/examples/search_minimal.py run
with the same arguments (seed 2 in both, the same thread count), each writes
its final raw alphas (RFNAS_ALPHAS_OUT), and the files must be identical
bytes, and the printed lines (losses, accuracy, genotype) identical text.
One epoch of 128 images (one full batch per half) by default, because each
step of the example's full-size supernet costs seconds of CPU (about 10 s
for the first, with oneDNN's kernel generation) and the suite should stay
near a minute; the arguments take more (e.g. 2 256). The fallback path
without numpy is compared with the numpy path on a tiny search by
test_arrays.py; set RFNAS_EQUIVALENCE_NO_NUMPY=1 to run it here too.

usage: test_equivalence.py C_EXAMPLE_BINARY PY_EXAMPLE [EPOCHS IMAGES]"""
import os
import struct
import subprocess
import sys
import tempfile
import time

C_BIN, PY_EXAMPLE = sys.argv[1:3]
EPOCHS = sys.argv[3] if len(sys.argv) > 3 else "1"
IMAGES = sys.argv[4] if len(sys.argv) > 4 else "128"
DATA = "/usr/share/datasets/fashion-mnist"

if not os.path.isdir(DATA):
    print("SKIP: %s is missing (Debian package dataset-fashion-mnist)" % DATA)
    sys.exit(77)


def run(cmd, out_path, extra_env=None):
    env = dict(os.environ, RFNAS_ALPHAS_OUT=out_path)
    env.update(extra_env or {})
    t0 = time.monotonic()
    p = subprocess.run(cmd + [EPOCHS, IMAGES, DATA], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    with open(out_path, "rb") as f:
        data = f.read()
    print("%-60s %.1f s, %d bytes of alphas" % (" ".join(os.path.basename(c) for c in cmd),
                                               time.monotonic() - t0, len(data)))
    return p.stdout, data


with tempfile.TemporaryDirectory() as tmp:
    c_out, c_alphas = run([C_BIN], os.path.join(tmp, "c.bin"))
    py_out, py_alphas = run([sys.executable, PY_EXAMPLE], os.path.join(tmp, "py.bin"),
                            {"RFNAS_PY_NO_NUMPY": "0"})
    runs = [("python (numpy)", py_out, py_alphas)]
    if os.environ.get("RFNAS_EQUIVALENCE_NO_NUMPY") == "1":
        fb_out, fb_alphas = run([sys.executable, PY_EXAMPLE], os.path.join(tmp, "fb.bin"),
                                {"RFNAS_PY_NO_NUMPY": "1"})
        runs.append(("python (no numpy)", fb_out, fb_alphas))

print(c_out, end="")
n = len(c_alphas) // 4
if n == 0 or len(c_alphas) % 4:
    sys.exit("FAIL: the C example wrote %d bytes of alphas" % len(c_alphas))
values = struct.unpack("<%df" % n, c_alphas)
if len(set(values)) < 2:
    sys.exit("FAIL: the alphas did not move: %r" % (values,))
ok = True
for name, out, alphas in runs:
    if alphas != c_alphas:
        ok = False
        diff = [i for i in range(min(len(alphas), len(c_alphas)) // 4)
                if alphas[4 * i:4 * i + 4] != c_alphas[4 * i:4 * i + 4]]
        print("FAIL: %s alphas differ from C: %d vs %d bytes, %d floats differ (first %s)"
              % (name, len(alphas), len(c_alphas), len(diff), diff[:5]))
    if out != c_out:
        ok = False
        print("FAIL: %s printed\n%s\nwhere C printed\n%s" % (name, out, c_out))
if not ok:
    sys.exit(1)
print("OK: %d alphas identical bit for bit (C, %s)" % (n, ", ".join(r[0] for r in runs)))
