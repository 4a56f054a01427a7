#!/usr/bin/env bash
# The GPU check: one prepared run on one H100/H200 (no network needed), at most 8 minutes.
# bench/gpu_check.py measures training (eager, compiled, MFU, loss trajectories), sampling the
# way the pipeline does (first and repeated call, each decode variant, cache vs no cache) and
# the pipeline's own greedy solving on a briefly trained checkpoint; then the wall time of
# `reproduce.sh --quick`. Figures go to stdout and, when $OUT is set (the device tool), to
# $OUT/gpu_check.json and $OUT/reproduce_quick.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
PYTHONUNBUFFERED=1 timeout 360 python3 -m bench.gpu_check ${OUT:+--out "$OUT/gpu_check.json"}
tmp=$(mktemp -d)
t0=$SECONDS
timeout 110 bash reproduce.sh --quick --out "$tmp/quick" > "$tmp/quick.log" 2>&1 \
  && echo "reproduce.sh --quick: $((SECONDS - t0)) s" | tee ${OUT:+"$OUT/reproduce_quick.txt"} \
  || echo "reproduce.sh --quick: did not finish in 110 s" | tee ${OUT:+"$OUT/reproduce_quick.txt"}
