#!/bin/bash
# The ratio of librfnas to the PyTorch peer (../shared/peer/) in one command
# (issue 6): runs rfnas-bench and the peer's --bench at the same
# configurations (NB201 supernet, C=16, N=5, 3x32x32, 10 classes, random and
# learned ("rf"/"darts") at batch 64 and 16) and prints a table of median step
# times and their ratio (peer / librfnas: above 1 means librfnas is faster).
#
#   bash bench/compare_peer.sh [--build DIR] [--threads N] [--steps S]
#                              [--peer tuned|default|both] [--batches "64 16"]
#
# --peer tuned (the default) runs the peer at its best settings,
# --channels-last --share-relu; default runs it in plain NCHW; both runs both.
# The two programs run one after the other, not at once (2 cores); the JSON
# lines of both go to $OUT (default: a temporary directory), the table to
# stdout. Needs /usr/bin/python3 with Debian's python3-torch.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="$here/../build"
threads=2
steps=10
peer_mode=tuned
batches="64 16"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --peer) peer_mode="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--threads N] [--steps S] [--peer tuned|default|both] [--batches \"64 16\"]" >&2
       exit 2 ;;
  esac
done
peer_dir="${PEER_DIR:-$here/../../shared/peer}"
[ -f "$peer_dir/torch_rfdarts.py" ] || peer_dir=/work/shared/peer
bench="$build/bench/rfnas-bench"
[ -x "$bench" ] || { echo "compare_peer: $bench not built (ninja -C $build)" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null ||
  { echo "compare_peer: /usr/bin/python3 cannot import torch (apt-get install python3-torch)" >&2; exit 1; }
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"

only=""
for b in $batches; do
  only="${only:+$only,}nb201-random-b$b,nb201-learned-b$b"
done
echo "# $(date -u +%FT%TZ) rfnas-bench --threads $threads --steps $steps (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
"$bench" --threads "$threads" --steps "$steps" --only "$only" | tee "$out/rfnas.jsonl" >&2

peer_run() { # $1 = label, rest = peer flags
  local label="$1"; shift
  for mode in rf darts; do
    for b in $batches; do
      echo "# $(date -u +%FT%TZ) peer $label $mode b$b (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
      (cd "$peer_dir" && /usr/bin/python3 torch_rfdarts.py --bench --mode "$mode" --batch "$b" \
         --C 16 --N 5 --steps "$steps" --threads "$threads" "$@") |
        sed "s/^{/{\"peer\": \"$label\", /" | tee -a "$out/peer.jsonl" >&2
    done
  done
}
: > "$out/peer.jsonl"
case "$peer_mode" in
  tuned) peer_run tuned --channels-last --share-relu ;;
  default) peer_run default ;;
  both) peer_run default; peer_run tuned --channels-last --share-relu ;;
  *) echo "compare_peer: --peer tuned|default|both" >&2; exit 2 ;;
esac

/usr/bin/python3 - "$out/rfnas.jsonl" "$out/peer.jsonl" <<'EOF'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
peer = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
mode_of = {"random": "rf", "learned": "darts"}
print("%-20s %7s %12s %8s %14s %8s %8s %9s" % ("config", "threads", "librfnas ms", "rss MB",
      "peer", "peer ms", "rss MB", "ratio"))
for o in ours:
    for p in peer:
        if p["mode"] == mode_of[o["features"]] and p["batch"] == o["batch"]:
            print("%-20s %7d %12.1f %8.0f %14s %8.1f %8.0f %8.2fx" % (
                o["config"], o["threads"], o["step_ms_median"], o["peak_rss_mb"],
                p["peer"], p["step_ms_median"], p["peak_rss_mb"],
                p["step_ms_median"] / o["step_ms_median"]))
EOF
echo "# JSON lines: $out/rfnas.jsonl $out/peer.jsonl" >&2
