#!/usr/bin/env bash
# The GPU check: one prepared run on one H100/H200 (no network needed), about 8 minutes.
# Trains a GPT-2-124M-sized model (random init) in bf16, eager and torch.compile'd, reports
# tokens/s and MFU, and times batched KV-cache sampling. Figures go to stdout and, when $OUT
# is set (the device tool), to $OUT/gpu_check.json.
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
PYTHONUNBUFFERED=1 timeout 540 python bench/gpu_check.py --steps 200 --batch_size 16 \
  ${OUT:+--out "$OUT/gpu_check.json"}
