#!/usr/bin/env python3
"""rfnas-search end to end, at a CI-sized budget (tiny network, a few hundred
Fashion-MNIST images, two epochs):

  1. an uninterrupted run;
  2. a run killed with SIGKILL mid-epoch, then resumed: its genotype.txt, final
     alphas and every parameter, and its log lines (timings aside) equal run 1;
  3. a run stopped with SIGTERM (checkpoint written on the way out), resumed:
     the same;
  4. corrupted, truncated and mismatched checkpoints, and changed flags, are
     refused with a clear message and leave the run directory as it was;
  5. a new run refuses a directory that already holds one.

The checkpoint is read and rewritten here with the layout of docs/formats.md
only (zlib + struct), which also shows that other tools can use the format.

usage: test_search_resume.py RFNAS_SEARCH_BINARY"""
import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

BIN = sys.argv[1]
DATA = "/usr/share/datasets/fashion-mnist"
ARGS = ["--train-subset", "320", "--test-subset", "128", "--epochs", "2", "--channels", "4",
        "--cells", "1", "--batch", "32", "--threads", "2", "--seed", "5", "--quiet"]


def run(args, check=True):
    p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=600)
    if check and p.returncode != 0:
        sys.exit(f"FAIL: rfnas-search {' '.join(args)} exited {p.returncode}\n{p.stderr}")
    return p


# ---- the checkpoint format (docs/formats.md) ----
TYPES = {1: ("f", 4), 2: ("q", 8), 3: ("B", 1), 4: ("d", 8)}


def read_ckpt(path):
    raw = open(path, "rb").read()
    magic, version, flags, size, crc, hcrc = struct.unpack("<8sIIQII", raw[:32])
    assert magic == b"RFNASCKP" and version == 1, (magic, version)
    assert zlib.crc32(raw[:28]) == hcrc
    payload = zlib.decompress(raw[32:])
    assert len(payload) == size and zlib.crc32(payload) == crc
    records, at = {}, 0
    while at < len(payload):
        (nlen,) = struct.unpack_from("<I", payload, at)
        name = payload[at + 4:at + 4 + nlen].decode()
        rtype, count = struct.unpack_from("<IQ", payload, at + 4 + nlen)
        head = (4 + nlen + 12 + 7) // 8 * 8
        size_of = TYPES[rtype][1]
        data = payload[at + head:at + head + count * size_of]
        records[name] = (rtype, count, data)
        at += head + (count * size_of + 7) // 8 * 8
    return records


def write_ckpt(path, records):
    payload = b""
    for name, (rtype, count, data) in records.items():
        nb = name.encode()
        rec = struct.pack("<I", len(nb)) + nb + struct.pack("<IQ", rtype, count)
        rec += b"\0" * (-len(rec) % 8) + data
        rec += b"\0" * (-len(rec) % 8)
        payload += rec
    header = struct.pack("<8sIIQI", b"RFNASCKP", 1, 0, len(payload), zlib.crc32(payload))
    header += struct.pack("<I", zlib.crc32(header))
    open(path, "wb").write(header + zlib.compress(payload))


def log_lines(d):
    lines = []
    for line in open(os.path.join(d, "log.jsonl")):
        rec = json.loads(line)
        del rec["seconds"], rec["images_per_s"]  # wall-clock figures
        lines.append(rec)
    return lines


def same_run(a, b, what):
    ga, gb = (open(os.path.join(d, "genotype.txt")).read() for d in (a, b))
    if ga != gb:
        sys.exit(f"FAIL ({what}): genotypes differ:\n{ga}{gb}")
    ca, cb = (read_ckpt(os.path.join(d, "checkpoint.rfnas")) for d in (a, b))
    for name in ("net.arch", "net.weights", "net.state", "w_opt.state1", "a_opt.state1",
                 "a_opt.state2", "search.alpha_history", "w_iter.position", "a_iter.position"):
        if ca[name] != cb[name]:
            sys.exit(f"FAIL ({what}): checkpoint record {name} differs")
    if log_lines(a) != log_lines(b):
        sys.exit(f"FAIL ({what}): log lines differ")
    sa, sb = (json.load(open(os.path.join(d, "summary.json"))) for d in (a, b))
    if sa["test_acc"] != sb["test_acc"] or sa["test_loss"] != sb["test_loss"]:
        sys.exit(f"FAIL ({what}): test accuracy differs")
    print(f"ok: {what}: genotype, alphas, parameters, optimizer state and log lines identical")


def snapshot(d):
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        st = os.stat(p)
        out[name] = (hashlib.sha256(open(p, "rb").read()).hexdigest(), st.st_mtime_ns)
    return out


def refused(d, extra, needle, what):
    before = snapshot(d)
    p = run(["--resume", d] + extra, check=False)
    if p.returncode == 0:
        sys.exit(f"FAIL ({what}): resume accepted")
    if needle not in p.stderr:
        sys.exit(f"FAIL ({what}): message lacks {needle!r}: {p.stderr.strip()}")
    if snapshot(d) != before:
        sys.exit(f"FAIL ({what}): the run directory changed")
    print(f"ok: {what}: refused ({p.stderr.strip().splitlines()[-1]}), directory unchanged")


def main():
    if not os.path.isdir(DATA):
        print(f"SKIP: {DATA} missing (Debian package dataset-fashion-mnist)")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="rfnas-search-test-")
    try:
        a, b, c = (os.path.join(tmp, n) for n in ("a", "b", "c"))
        run(ARGS + ["--out", a])
        records = read_ckpt(os.path.join(a, "checkpoint.rfnas"))
        counts = struct.unpack("<8q", records["search.counts"][2])
        assert counts[0] == 2 and counts[1] == 10, counts  # 2 epochs x 5 steps (160 / 32)

        # SIGKILL in the middle of epoch 2 (before step 8 of 10): the epoch-1 checkpoint survives.
        p = run(ARGS + ["--out", b, "--kill-after-steps", "7"], check=False)
        if p.returncode != -signal.SIGKILL:
            sys.exit(f"FAIL: expected death by SIGKILL, got {p.returncode}\n{p.stderr}")
        counts = struct.unpack("<8q", read_ckpt(os.path.join(b, "checkpoint.rfnas"))
                               ["search.counts"][2])
        assert counts[0] == 1 and counts[1] == 5, counts
        assert not os.path.exists(os.path.join(b, "genotype.txt"))
        run(["--resume", b, "--quiet"])
        same_run(a, b, "killed with SIGKILL mid-epoch and resumed")

        # SIGTERM once epoch 1 is logged: a mid-epoch checkpoint, then exit 143.
        proc = subprocess.Popen([BIN] + ARGS + ["--out", c], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        log = os.path.join(c, "log.jsonl")
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            if os.path.exists(log) and open(log).read().count("\n") >= 1:
                proc.send_signal(signal.SIGTERM)
                break
            time.sleep(0.01)
        err = proc.communicate(timeout=300)[1]
        if proc.returncode == 128 + signal.SIGTERM:
            print(f"ok: SIGTERM: {err.strip()}")
            run(["--resume", c, "--quiet"])
        elif proc.returncode != 0:
            sys.exit(f"FAIL: SIGTERM run exited {proc.returncode}\n{err}")
        else:
            print("note: the SIGTERM run finished before the signal arrived")
        same_run(a, c, "stopped with SIGTERM and resumed")

        # Damaged checkpoints. The directory is a copy of the finished run.
        d = os.path.join(tmp, "d")
        ck = os.path.join(d, "checkpoint.rfnas")
        shutil.copytree(a, d)
        good = open(ck, "rb").read()
        bad = bytearray(good)
        bad[len(bad) // 2] ^= 0x40
        open(ck, "wb").write(bytes(bad))
        refused(d, [], "checkpoint", "corrupted checkpoint")
        open(ck, "wb").write(good[:len(good) // 3])
        refused(d, [], "checkpoint", "truncated checkpoint")
        open(ck, "wb").write(good[:20])
        refused(d, [], "checkpoint", "checkpoint shorter than its header")
        # A run of another space: the settings claim darts, the network is NB201.
        recs = read_ckpt(os.path.join(a, "checkpoint.rfnas"))
        text = bytes(recs["search.settings"][2]).decode().replace("space=nb201", "space=darts").replace(
            "cells=1", "cells=3")
        recs["search.settings"] = (3, len(text), text.encode())
        write_ckpt(ck, recs)
        refused(d, [], "another space", "checkpoint of another space")
        # Another shape: channels 8 in the settings, a C=4 network in the records.
        text = bytes(read_ckpt(os.path.join(a, "checkpoint.rfnas"))["search.settings"][2]).decode()
        text = text.replace("channels=4", "channels=8")
        recs = read_ckpt(os.path.join(a, "checkpoint.rfnas"))
        recs["search.settings"] = (3, len(text), text.encode())
        write_ckpt(ck, recs)
        refused(d, [], "channels", "checkpoint of another shape")
        # A future format version.
        raw = bytearray(good)
        raw[8:12] = struct.pack("<I", 2)
        raw[28:32] = struct.pack("<I", zlib.crc32(bytes(raw[:28])))
        open(ck, "wb").write(bytes(raw))
        refused(d, [], "version", "checkpoint of a newer format version")
        open(ck, "wb").write(good)
        refused(d, ["--channels", "8"], "differs from the run's", "changed flag on resume")
        refused(d, ["--bogus"], "unknown flag", "unknown flag on resume")

        # A finished run resumed again only rewrites the same outputs.
        run(["--resume", d, "--quiet"])
        same_run(a, d, "finished run resumed")

        p = run(ARGS + ["--out", a], check=False)
        if p.returncode == 0 or "already holds a run" not in p.stderr:
            sys.exit(f"FAIL: a new run reused a run directory: {p.returncode} {p.stderr}")
        print("ok: a new run refuses an existing run directory")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
