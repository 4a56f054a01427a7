#!/usr/bin/env bash
# The whole recipe on the embedded default, for several seeds, in the order of the paper:
#   1. SSFT with detailed and with terse solutions            (train_sft.py)
#   2. candidates + evaluator (margin, CE); re-ranking        (train_verifier.py, rerank.py)
#   3. sequential multi-task fine-tuning vs extra-MLE control (train_joint.py, rerank.py)
# then collects every metrics.json into results/results.json and renders the README table.
#
#   bash reproduce.sh                 # seeds 1 2 3 (see README for the wall time)
#   SEEDS="1" N=8 NV=4 bash reproduce.sh   # a quicker look
#   OUT=out/repro bash reproduce.sh   # where runs go (default out/repro)
#
# Interrupted? Run it again: a step whose metrics.json exists is skipped.
# On a 2-core CPU the seeds run faster side by side, one thread each (what README reports):
#   for s in 1 2 3; do OMP_NUM_THREADS=1 SEEDS=$s bash reproduce.sh > repro$s.log & done; wait
#   python results/render.py --runs out/repro --write_readme
set -euo pipefail
cd "$(dirname "$0")"
SEEDS=${SEEDS:-"1 2 3"}
N=${N:-16}     # samples per problem for re-ranking
NV=${NV:-4}    # samples per problem for the step-3 voting numbers
OUT=${OUT:-out/repro}
P=${P:-python}
Q="--no_progress"

run() {  # run <out_dir> <command...>: skip if <out_dir>/metrics.json exists
  local dir=$1; shift
  if [[ -f "$dir/metrics.json" ]]; then echo "== skip $dir (done)"; return; fi
  echo "== $dir: $*"
  local t0=$SECONDS
  "$@" > "$dir.log" 2>&1 || { echo "failed: see $dir.log"; tail -5 "$dir.log"; exit 1; }
  echo "   $((SECONDS - t0)) s"
}

mkdir -p "$OUT"
for s in $SEEDS; do
  d=$OUT/seed$s
  mkdir -p "$d"
  # step 1: solution fine-tuning, two solution styles, same budget
  run $d/sft        $P train_sft.py --seed $s --out_dir $d/sft $Q
  run $d/sft-terse  $P train_sft.py --seed $s --style terse --out_dir $d/sft-terse $Q
  # step 2: evaluator on the SSFT model's own samples; the CE evaluator reuses them
  run $d/verifier    $P train_verifier.py --seed $s --sft_ckpt $d/sft/ckpt.pt --loss margin \
                       --out_dir $d/verifier $Q
  run $d/verifier-ce $P train_verifier.py --seed $s --sft_ckpt $d/sft/ckpt.pt --loss ce \
                       --candidates $d/verifier/candidates.jsonl --out_dir $d/verifier-ce $Q
  run $d/rerank      $P rerank.py --seed $s --generator $d/sft/ckpt.pt --n_samples $N \
                       --evaluator $d/verifier/ckpt.pt --out_dir $d/rerank $Q
  run $d/rerank-ce   $P rerank.py --seed $s --generator $d/sft/ckpt.pt --n_samples $N \
                       --evaluator $d/verifier-ce/ckpt.pt --reuse_samples $d/rerank/samples.jsonl \
                       --out_dir $d/rerank-ce $Q
  # step 3: the same weights trained further; every variant gets the same extra steps
  run $d/vote-sft   $P rerank.py --seed $s --generator $d/sft/ckpt.pt --evaluator none \
                      --n_samples $NV --out_dir $d/vote-sft $Q
  for v in mle evaluator-margin evaluator-ce contrastive; do
    case $v in
      mle) args="--objective mle" ;;
      evaluator-margin) args="--objective evaluator --loss margin" ;;
      evaluator-ce) args="--objective evaluator --loss ce" ;;
      contrastive) args="--objective contrastive" ;;
    esac
    run $d/joint-$v   $P train_joint.py --seed $s --init $d/sft/ckpt.pt $args \
                        --candidates $d/verifier/candidates.jsonl --out_dir $d/joint-$v $Q
    run $d/vote-joint-$v $P rerank.py --seed $s --generator $d/joint-$v/ckpt.pt --evaluator none \
                        --n_samples $NV --out_dir $d/vote-joint-$v $Q
  done
done
$P results/render.py --runs "$OUT" --results "${RESULTS:-results/results.json}" \
  --readme "${README:-README.md}" --figure "${FIGURE:-results/accuracy_vs_n.png}" --write_readme
