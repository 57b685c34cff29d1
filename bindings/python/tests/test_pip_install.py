#!/usr/bin/env python3
"""`pip install ./bindings/python` works offline, into a fresh venv, both
with --no-build-isolation and with pip's default build isolation (the
in-tree backend needs nothing, so the isolated environment stays empty);
the installed package imports from the venv (not the source tree), finds
the library through RFNAS_LIBRARY, and runs a small search step without
numpy (the venv has none). The backend's wheel is checked against its
RECORD, and its sdist holds what a rebuild needs.

usage: test_pip_install.py PACKAGE_DIR   (bindings/python; RFNAS_LIBRARY set)"""
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

PKG = os.path.abspath(sys.argv[1])
LIB = os.environ["RFNAS_LIBRARY"]


def sh(cmd, env, cwd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    shown = " ".join(c if "\n" not in c else "'<script>'" for c in cmd)
    print("$ %s  (%.1f s)" % (shown, time.monotonic() - t0))
    if p.returncode != 0:
        sys.exit("FAIL: exit %d\n%s" % (p.returncode, p.stdout))
    return p.stdout


tmp = tempfile.mkdtemp(prefix="rfnas-pip-")
try:
    # Install from a copy: pip builds in the tree it is given, and this
    # test must not leave anything in the source tree.
    src = os.path.join(tmp, "src")
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("__pycache__", "*.pyc",
                                                            "meson.build"))

    # The backend directly: a wheel whose RECORD matches, and an sdist.
    sys.path.insert(0, os.path.join(src, "_backend"))
    import rfnas_backend
    wheels = os.path.join(tmp, "wheels")
    os.mkdir(wheels)
    name = rfnas_backend.build_wheel(wheels)
    assert name.endswith("-py3-none-any.whl"), name
    with zipfile.ZipFile(os.path.join(wheels, name)) as z:
        names = z.namelist()
        dist = [n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD")][0]
        record = z.read(dist + "/RECORD").decode().splitlines()
        assert len(record) == len(names), (record, names)
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if path.endswith("RECORD"):
                continue
            data = z.read(path)
            want = "sha256=" + base64.urlsafe_b64encode(
                hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == want and int(size) == len(data), line
        for need in ("rfnas/__init__.py", "rfnas/_capi.py", "rfnas/_core.py",
                     dist + "/METADATA", dist + "/WHEEL"):
            assert need in names, (need, names)
        assert not any("__pycache__" in n or "tests/" in n for n in names), names
        meta = z.read(dist + "/METADATA").decode()
        assert "Name: rfnas" in meta and "Requires-Dist: numpy; extra ==" in meta, meta
    sdist = rfnas_backend.build_sdist(wheels)
    with tarfile.open(os.path.join(wheels, sdist)) as t:
        members = t.getnames()
    base = sdist[:-len(".tar.gz")]
    for need in ("pyproject.toml", "PKG-INFO", "_backend/rfnas_backend.py", "rfnas/_capi.py",
                 "examples/search_minimal.py"):
        assert base + "/" + need in members, (need, members)
    print("backend: %s (%d files, RECORD verified), %s" % (name, len(names), sdist))

    # A venv and pip, offline.
    venv = os.path.join(tmp, "v")
    sh([sys.executable, "-m", "venv", venv], os.environ, tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1",
               PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1", RFNAS_LIBRARY=LIB)
    pip = [os.path.join(venv, "bin", "python"), "-m", "pip"]
    py = os.path.join(venv, "bin", "python")
    check = r"""
import os, sys, rfnas
assert rfnas.__file__.startswith(sys.prefix), rfnas.__file__
assert not rfnas.HAVE_NUMPY
assert rfnas.library_path == os.environ["RFNAS_LIBRARY"]
ctx = rfnas.Context(threads=1, seed=1)
ds = rfnas.Dataset.from_arrays(ctx, bytes(range(256)) * 2, [0, 1, 2, 3] * 2, shape=(8, 1, 8, 8))
it = rfnas.Iterator(ds, batch=4)
net = rfnas.Supernet(ctx, rfnas.Space("nb201"), channels=2, cells=1, in_channels=1,
                     in_height=8, in_width=8, max_batch=4, classes=4)
opt = rfnas.Optimizer(net, "arch", kind="adam")
x, y = it.buffers()
n = it.next_into(x, y)
net.forward(x, y, n, phase="arch"); net.backward(); opt.step()
print(rfnas.__version__, rfnas.version(), net.genotype())
"""
    for how in (["--no-build-isolation"], []):
        sh(pip + ["install"] + how + [src], env, tmp)
        out = sh([py, "-c", check], env, tmp)
        print("  " + out.strip())
        sh(pip + ["uninstall", "-y", "rfnas"], env, tmp)
    # Editable installs (PEP 660) point at the source directory.
    sh(pip + ["install", "--no-build-isolation", "-e", src], env, tmp)
    out = sh([py, "-c", "import rfnas; print(rfnas.__file__)"], env, tmp)
    assert out.strip().startswith(src), out
    print("editable install imports %s" % out.strip())
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print("OK: offline pip install (with and without build isolation, editable)")
