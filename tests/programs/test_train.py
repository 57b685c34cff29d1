#!/usr/bin/env python3
"""rfnas-train end to end, at a CI-sized budget on Fashion-MNIST:

  1. the pipeline: a tiny rfnas-search (a few hundred images, one epoch), then
     rfnas-train --from-search on its run directory (2,000 images, two
     epochs): a test accuracy is printed and written, above chance, and
     the run directory holds the files docs/formats.md lists;
  2. exact resume: a DARTS genotype with the auxiliary head (images padded to
     32x32) and a drop-path ramp, killed with SIGKILL mid-epoch and resumed,
     ends with the weights, BN statistics, optimizer state, drop-path counter,
     log lines (timings aside) and test accuracy of an uninterrupted run; so
     does a run stopped with SIGTERM (checkpoint written on the way out);
  3. refusals: bad genotype text, a missing or unfinished search directory,
     changed flags on resume, contradictory flags; each with a clear message,
     a non-zero exit and no crash.

usage: test_train.py RFNAS_SEARCH_BINARY RFNAS_TRAIN_BINARY"""
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

SEARCH, TRAIN = sys.argv[1], sys.argv[2]
DATA = "/usr/share/datasets/fashion-mnist"
DARTS_V2 = ("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
            "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
            "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
            "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
            "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
            "reduce_concat=[2, 3, 4, 5])")
# A tiny DARTS network: C 4, 3 cells (reductions at cells 1 and 2, the
# auxiliary head on cell 2's 8x8 map), 192 images in 6 batches of 32 per epoch.
RESUME_ARGS = ["--genotype", DARTS_V2, "--channels", "4", "--layers", "3", "--auxiliary",
               "--pad-to", "32", "--drop-path", "0.2", "--train-subset", "192", "--test-subset",
               "96", "--batch", "32", "--epochs", "2", "--threads", "2", "--seed", "3", "--quiet"]


def run(binary, args, check=True):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=600)
    if check and p.returncode != 0:
        sys.exit(f"FAIL: {os.path.basename(binary)} {' '.join(args)} exited {p.returncode}\n"
                 f"{p.stderr}")
    return p


# ---- the checkpoint format (docs/formats.md) ----
TYPES = {1: 4, 2: 8, 3: 1, 4: 8}


def read_ckpt(path):
    raw = open(path, "rb").read()
    magic, version, flags, size, crc, hcrc = struct.unpack("<8sIIQII", raw[:32])
    assert magic == b"RFNASCKP" and version == 1 and zlib.crc32(raw[:28]) == hcrc
    payload = zlib.decompress(raw[32:])
    assert len(payload) == size and zlib.crc32(payload) == crc
    records, at = {}, 0
    while at < len(payload):
        (nlen,) = struct.unpack_from("<I", payload, at)
        name = payload[at + 4:at + 4 + nlen].decode()
        rtype, count = struct.unpack_from("<IQ", payload, at + 4 + nlen)
        head = (4 + nlen + 12 + 7) // 8 * 8
        data = payload[at + head:at + head + count * TYPES[rtype]]
        records[name] = (rtype, count, data)
        at += head + (count * TYPES[rtype] + 7) // 8 * 8
    return records


def log_lines(d):
    lines = []
    for line in open(os.path.join(d, "log.jsonl")):
        rec = json.loads(line)
        del rec["seconds"], rec["images_per_s"]  # wall-clock figures
        lines.append(rec)
    return lines


def check_files(d, genotype, epochs):
    names = set(os.listdir(d))
    want = {"config.json", "genotype.txt", "log.jsonl", "result.json", "checkpoint.rfnas"}
    if not want <= names:
        sys.exit(f"FAIL: {d} lacks {sorted(want - names)}")
    if open(os.path.join(d, "genotype.txt")).read() != genotype + "\n":
        sys.exit("FAIL: genotype.txt is not the genotype trained")
    config = json.load(open(os.path.join(d, "config.json")))
    assert config["program"] == "rfnas-train" and config["genotype"] == genotype, config
    assert config["settings"]["epochs"] == epochs and config["data"]["steps_per_epoch"] > 0
    lines = log_lines(d)
    assert [r["epoch"] for r in lines] == list(range(1, epochs + 1)), lines
    for r in lines:
        for key in ("steps", "train_loss", "train_acc", "lr", "drop_path_prob", "test_loss",
                    "test_acc"):
            assert key in r, (key, r)
    result = json.load(open(os.path.join(d, "result.json")))
    assert result["genotype"] == genotype and result["epochs"] == epochs, result
    assert result["test_images"] > 0 and 0 <= result["test_acc"] <= 1, result
    counts = struct.unpack("<5q", read_ckpt(os.path.join(d, "checkpoint.rfnas"))
                           ["train.counts"][2])
    assert counts[0] == epochs, counts
    return result


def pipeline(tmp):
    s, a = os.path.join(tmp, "search"), os.path.join(tmp, "train")
    run(SEARCH, ["--train-subset", "256", "--test-subset", "64", "--epochs", "1", "--channels",
                 "4", "--cells", "1", "--batch", "64", "--threads", "2", "--quiet", "--out", s])
    genotype = open(os.path.join(s, "genotype.txt")).read().strip()
    # One thread: the pipeline's figures need no threading, and a busy CI
    # machine makes OpenMP threads wait on each other.
    p = run(TRAIN, ["--from-search", s, "--channels", "8", "--layers", "1", "--train-subset",
                    "2000", "--test-subset", "500", "--epochs", "2", "--batch", "64",
                    "--threads", "1", "--quiet", "--out", a])
    if "test accuracy:" not in p.stdout:
        sys.exit(f"FAIL: no test accuracy printed:\n{p.stdout}")
    result = check_files(a, genotype, 2)
    # Ten classes: chance is 10%; two short epochs of a small network do far better.
    if result["test_acc"] < 0.3:
        sys.exit(f"FAIL: test accuracy {result['test_acc']} is not above chance")
    print(f"ok: search then train: {genotype}: test accuracy {100 * result['test_acc']:.2f}% "
          f"on {result['test_images']} images ({p.stdout.strip()})")
    return s, a


def resume(tmp):
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    run(TRAIN, RESUME_ARGS + ["--out", a])
    # SIGKILL before step 9 of 12: mid-epoch 2, the epoch-1 checkpoint survives.
    p = run(TRAIN, RESUME_ARGS + ["--out", b, "--kill-after-steps", "8"], check=False)
    if p.returncode != -signal.SIGKILL:
        sys.exit(f"FAIL: expected death by SIGKILL, got {p.returncode}\n{p.stderr}")
    counts = struct.unpack("<5q", read_ckpt(os.path.join(b, "checkpoint.rfnas"))
                           ["train.counts"][2])
    assert counts[0] == 1 and counts[1] == 6, counts
    assert not os.path.exists(os.path.join(b, "result.json"))
    run(TRAIN, ["--resume", b, "--quiet"])
    ca, cb = (read_ckpt(os.path.join(d, "checkpoint.rfnas")) for d in (a, b))
    for name in ("net.weights", "net.state", "net.counters", "net.drop_path_prob", "sgd.state1",
                 "sgd.counts", "iter.position", "train.counts"):
        if ca[name] != cb[name]:
            sys.exit(f"FAIL (resume): checkpoint record {name} differs")
    dp_counter = struct.unpack("<2q", ca["net.counters"][2])[1]
    assert dp_counter == 12, dp_counter  # one per training forward
    if log_lines(a) != log_lines(b):
        sys.exit("FAIL (resume): log lines differ")
    ra, rb = (json.load(open(os.path.join(d, "result.json"))) for d in (a, b))
    if (ra["test_acc"], ra["test_loss"]) != (rb["test_acc"], rb["test_loss"]):
        sys.exit("FAIL (resume): test results differ")
    check_files(b, ra["genotype"], 2)
    print("ok: killed with SIGKILL mid-epoch and resumed: weights, BN statistics, optimizer, "
          "drop-path counter, log lines and test accuracy identical")

    # SIGTERM once epoch 1 is logged: a mid-epoch checkpoint, exit 143, resume.
    c = os.path.join(tmp, "c")
    proc = subprocess.Popen([TRAIN] + RESUME_ARGS + ["--out", c], stdout=subprocess.DEVNULL,
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
        if "continue with --resume" not in err:
            sys.exit(f"FAIL: SIGTERM message: {err}")
        run(TRAIN, ["--resume", c, "--quiet"])
    elif proc.returncode != 0:
        sys.exit(f"FAIL: SIGTERM run exited {proc.returncode}\n{err}")
    cc = read_ckpt(os.path.join(c, "checkpoint.rfnas"))
    if any(ca[n] != cc[n] for n in ("net.weights", "net.state", "net.counters", "sgd.state1")) \
            or log_lines(a) != log_lines(c):
        sys.exit("FAIL (SIGTERM): the resumed run differs from the uninterrupted one")
    print(f"ok: stopped with SIGTERM (exit {proc.returncode}) and resumed: identical")
    return a


def refused(args, needle, what):
    p = run(TRAIN, args, check=False)
    if p.returncode <= 0:
        sys.exit(f"FAIL ({what}): exit status {p.returncode}\n{p.stderr}")
    if needle not in p.stderr or "Sanitizer" in p.stderr:
        sys.exit(f"FAIL ({what}): message lacks {needle!r}: {p.stderr.strip()}")
    print(f"ok: {what}: refused ({p.stderr.strip().splitlines()[-1]})")


def refusals(tmp, search_dir, darts_run):
    out = ["--out", os.path.join(tmp, "never")]
    refused(["--genotype", "Genotype(normal=[('sep_conv_9x9', 0)])"] + out, "--genotype",
            "bad DARTS genotype text")
    refused(["--genotype", "|nor_conv_3x3~0|+|bogus~0|none~1|"] + out, "not a genotype",
            "bad NB201 arch string")
    refused(["--from-search", os.path.join(tmp, "missing")] + out, "No such file",
            "missing search directory")
    unfinished = os.path.join(tmp, "unfinished")
    os.mkdir(unfinished)
    open(os.path.join(unfinished, "checkpoint.rfnas"), "wb").write(b"x")
    refused(["--from-search", unfinished] + out, "has not finished", "unfinished search")
    refused(out, "no architecture", "no genotype given")
    refused(["--genotype", DARTS_V2, "--from-search", search_dir] + out, "not both",
            "both --genotype and --from-search")
    refused(["--from-search", search_dir, "--auxiliary"] + out, "NAS-Bench-201",
            "auxiliary head on an NB201 genotype")
    refused(["--genotype", DARTS_V2, "--auxiliary"] + out, "--pad-to 32",
            "auxiliary head on 28x28 images")
    refused(["--resume", darts_run, "--epochs", "3"], "differs from the run's",
            "changed flag on resume")
    refused(["--resume", darts_run, "--from-search", search_dir], "differs from the run's",
            "another genotype source on resume")
    refused(["--resume", os.path.join(tmp, "missing")], "checkpoint", "resume without a run")
    refused(RESUME_ARGS + ["--out", darts_run], "already holds a run",
            "a new run in a run directory")
    refused(["--bogus"], "unknown flag", "unknown flag")
    if os.path.exists(os.path.join(tmp, "never")):
        sys.exit("FAIL: a refused run created its directory")


def main():
    if not os.path.isdir(DATA):
        print(f"SKIP: {DATA} missing (Debian package dataset-fashion-mnist)")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="rfnas-train-test-")
    try:
        search_dir, _ = pipeline(tmp)
        darts_run = resume(tmp)
        refusals(tmp, search_dir, darts_run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
