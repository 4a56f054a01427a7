#!/usr/bin/env bash
# The whole recipe on the embedded default, for five seeds, in the order of the paper:
#   1. SSFT with detailed and with terse solutions            (train_sft.py)
#   2. candidates + evaluator (margin, CE); re-ranking        (train_verifier.py, rerank.py)
#   3. sequential multi-task fine-tuning vs extra-MLE control (train_joint.py, rerank.py)
# then one results file, the results tables (docs/results.md, README's headline) and the
# accuracy-vs-N figure (results/render.py). Wall time on a 2-core CPU: see docs/results.md.
#
#   bash reproduce.sh                    # seeds 1-5, N = 16: what docs/results.md reports
#   bash reproduce.sh --seeds 1 --n 8    # a quicker look: one seed, 8 samples per problem
#   bash reproduce.sh --quick            # tiny budgets: checks the pipeline, not claims
#   bash reproduce.sh --dry_run          # print every command, run nothing
#
# Options:
#   --seeds "1 2 3 4 5"  training seeds (the data are the same for all)
#   --n 16            samples per problem for re-ranking (step 2; 4 with --quick)
#   --n_vote 4        samples per problem for step 3's voting numbers (2 with --quick)
#   --out DIR         where runs go (default out/repro; out/quick with --quick)
#   --jobs J          steps running at once, across seeds (default: CPU cores, at most seeds)
#   --threads T       torch threads per step (default: cores / jobs, at least 1)
#   --quick, --dry_run, -h/--help
#
# The seeds' chains run side by side and share --jobs slots: on a 2-core CPU two one-thread
# steps at a time do more work than one two-thread step (docs/model.md, bench_recipe). Each
# step logs to <out>/seed<s>/<step>.log.
# Interrupted? Run the same command again: a step whose metrics.json exists is skipped, and an
# SSFT run continues from its last checkpoint.
# Only the full default run (no --quick, default --seeds/--n/--n_vote) rewrites
# results/results.json, results/accuracy_vs_n.png, docs/results.md and README.md; any other run writes
# results.json, results.md and accuracy_vs_n.png under --out.
set -euo pipefail
cd "$(dirname "$0")"
SEEDS="1 2 3 4 5"; N=""; NV=""; OUT=""; JOBS=""; THREADS=""; QUICK=0; DRY=0
P=${PYTHON:-python}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "reproduce.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --seeds|--n|--n_vote|--out|--jobs|--threads) [[ $# -ge 2 ]] || die "$1 needs a value (see --help)" ;;&
    --seeds) SEEDS=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    --n_vote) NV=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --dry_run) DRY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
N=${N:-$([[ $QUICK == 1 ]] && echo 4 || echo 16)}
NV=${NV:-$([[ $QUICK == 1 ]] && echo 2 || echo 4)}
[[ $SEEDS =~ ^[0-9]+( [0-9]+)*$ ]] || die "--seeds '$SEEDS': expected integers, e.g. --seeds \"1 2 3\""
for v in N NV; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 2 ]] || die "--$( [[ $v == N ]] && echo n || echo n_vote) '${!v}': expected an integer >= 2"
done
[[ -z $JOBS || $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs '$JOBS': expected a positive integer"
[[ -z $THREADS || $THREADS =~ ^[1-9][0-9]*$ ]] || die "--threads '$THREADS': expected a positive integer"
read -ra seed_list <<< "$SEEDS"
PUBLISH=0
[[ $QUICK == 0 && $SEEDS == "1 2 3 4 5" && $N == 16 && $NV == 4 ]] && PUBLISH=1
OUT=${OUT:-$([[ $QUICK == 1 ]] && echo out/quick || echo out/repro)}
JOBS=${JOBS:-$(( $(nproc) < ${#seed_list[@]} ? $(nproc) : ${#seed_list[@]} ))}
THREADS=${THREADS:-$(( $(nproc) / JOBS > 0 ? $(nproc) / JOBS : 1 ))}
STEP_NO=0
SLOTS=$OUT/.slots  # one directory per running step: mkdir is atomic, so it is the lock

# budgets: every script's defaults. SSFT starts from the committed base (pretrain.py) and
# trains 800 steps, where its validation accuracy has levelled off (docs/speedrun.md); the
# evaluators' candidates: 4 on each of the first 1600 of the 3200 fresh problems SSFT held
# out of training.
# With --quick: tiny budgets from scratch, a pipeline check (the numbers mean nothing).
SFT="" JOINT="" RR=""
# The evaluator's held-out candidates: 4 samples of 200 validation problems, as in the committed
# five-seed run (no claim reads them; train_verifier's own default, 16 samples of 500 problems,
# is for the single run whose report docs/results.md's validation table shows)
VER="--n_val_problems 200 --n_val_samples 4"
if [[ $QUICK == 1 ]]; then
  SFT="--init_from scratch --n_train 2000 --n_val 40 --n_test 60 --n_fresh 60 --n_layer 2 --n_embd 64
       --max_steps 300 --warmup_steps 20 --eval_interval 1000 --ckpt_interval 1000"
  VER="--n_problems 60 --n_val_problems 30 --n_samples 4 --n_val_samples 4 --max_steps 8
       --warmup_steps 2"
  JOINT="--stage_b_steps 6 --stage_c_steps 4 --warmup_steps 2"
  RR="--curve_repeats 2"
fi

take_slot() {  # wait until fewer than $JOBS steps run, then claim a slot (sets SLOT)
  while true; do
    for ((SLOT = 1; SLOT <= JOBS; SLOT++)); do mkdir "$SLOTS/$SLOT" 2>/dev/null && return; done
    sleep 0.2
  done
}

step() {  # step <seed> <name> <script> <args...>: run unless <out>/seed<s>/<name>/metrics.json exists
  local s=$1 name=$2; shift 2
  local dir=$OUT/seed$s/$name
  STEP_NO=$((STEP_NO + 1))  # each seed's chain is its own subshell: its own count
  if [[ $DRY == 1 ]]; then echo "$P $*"; return; fi
  if [[ -f $dir/metrics.json ]]; then echo "[seed $s] $name: done, skipped"; return; fi
  take_slot
  echo "[seed $s] $name ($STEP_NO/15): started $(date +%H:%M:%S), log $dir.log"
  local t0=$SECONDS ok=1
  OMP_NUM_THREADS=$THREADS $P "$@" --no_progress > "$dir.log" 2>&1 || ok=0
  rmdir "$SLOTS/$SLOT"
  sleep 0.5  # let a waiting seed take the slot first, so that the seeds advance together
  if [[ $ok == 0 ]]; then
    echo "[seed $s] $name: FAILED, last lines of $dir.log:"; tail -5 "$dir.log"; return 1
  fi
  echo $((SECONDS - t0)) > "$dir.seconds"  # the step's wall time in its slot (results/render.py)
  echo "[seed $s] $name: done in $((SECONDS - t0)) s"
}

recipe() {  # every step of one seed, in order; stops at the first failure
  local s=$1 d=$OUT/seed$1
  [[ $DRY == 1 ]] || mkdir -p "$d"
  local resume=""; [[ -f $d/sft/ckpt.pt ]] && resume="--resume"
  local resume_t=""; [[ -f $d/sft-terse/ckpt.pt ]] && resume_t="--resume"
  # step 1: solution fine-tuning, two solution styles, same model, data and budget
  step $s sft       train_sft.py --seed $s --out_dir $d/sft $SFT $resume || return 1
  step $s sft-terse train_sft.py --seed $s --style terse --out_dir $d/sft-terse $SFT $resume_t \
    || return 1
  # step 2: the evaluator trained on the SSFT model's own samples; the CE one reuses them
  step $s verifier train_verifier.py --seed $s --generator $d/sft/ckpt.pt --loss margin \
    --out_dir $d/verifier $VER || return 1
  step $s verifier-ce train_verifier.py --seed $s --generator $d/sft/ckpt.pt --loss ce \
    --candidates $d/verifier/candidates.jsonl --out_dir $d/verifier-ce $VER || return 1
  step $s rerank rerank.py --seed $s --generator $d/sft/ckpt.pt --n_samples $N \
    --evaluator $d/verifier/ckpt.pt --out_dir $d/rerank $RR || return 1
  step $s rerank-ce rerank.py --seed $s --generator $d/sft/ckpt.pt --n_samples $N \
    --evaluator $d/verifier-ce/ckpt.pt --reuse_samples $d/rerank/samples.jsonl \
    --no_likelihood_control --out_dir $d/rerank-ce $RR || return 1
  # step 3: the same weights trained further; every variant gets the same extra steps.
  # SSFT's votes are the first $NV of its $N samples above (independent draws: no new sampling)
  step $s vote-sft rerank.py --seed $s --generator $d/sft/ckpt.pt --evaluator none \
    --n_samples $NV --reuse_samples $d/rerank/samples.jsonl --no_likelihood_control \
    --out_dir $d/vote-sft $RR || return 1
  local v args
  for v in mle evaluator-margin evaluator-ce contrastive; do
    case $v in
      mle) args="--objective mle" ;;
      evaluator-margin) args="--objective evaluator --loss margin" ;;
      evaluator-ce) args="--objective evaluator --loss ce" ;;
      contrastive) args="--objective contrastive" ;;
    esac
    step $s joint-$v train_joint.py --seed $s --generator $d/sft/ckpt.pt $args \
      --candidates $d/verifier/candidates.jsonl --out_dir $d/joint-$v $JOINT || return 1
    step $s vote-joint-$v rerank.py --seed $s --generator $d/joint-$v/ckpt.pt --evaluator none \
      --n_samples $NV --no_likelihood_control --out_dir $d/vote-joint-$v $RR || return 1
  done
}

if [[ $PUBLISH == 1 ]]; then
  RENDER=(--results results/results.json --figure results/accuracy_vs_n.png --write_docs)
else
  RENDER=(--results "$OUT/results.json" --figure "$OUT/accuracy_vs_n.png"
          --markdown "$OUT/results.md")
fi
if [[ $DRY == 1 ]]; then
  for s in "${seed_list[@]}"; do recipe "$s"; done
  echo "$P -m results.render --runs $OUT ${RENDER[*]}"
  exit 0
fi

echo "reproduce.sh: seeds ${seed_list[*]} side by side, $JOBS step(s) at a time with $THREADS" \
     "torch thread(s) each, N = $N, runs in $OUT; started $(date +%H:%M:%S)"
rm -rf "$SLOTS"; mkdir -p "$SLOTS"  # slots of a killed run are stale
# a run that finds steps done is a resumed one: its wall time is not the whole recipe's
compgen -G "$OUT/seed*/*.seconds" > /dev/null && touch "$OUT/.resumed"
rm -f "$OUT/wall_seconds"
trap 'trap - INT TERM; echo "interrupted: run the same command again to resume"; kill 0' INT TERM
t_start=$SECONDS
pids=()
for s in "${seed_list[@]}"; do recipe "$s" & pids+=($!); done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[[ $failed == 0 ]] || { echo "reproduce.sh: a step failed (see above); fix it and run again"; exit 1; }
echo "reproduce.sh: every step done in $(( (SECONDS - t_start) / 60 )) min $(( (SECONDS - t_start) % 60 )) s"
# this run's wall time, kept only when every step ran in it (a resumed run's is partial)
[[ -f $OUT/.resumed ]] || echo $((SECONDS - t_start)) > "$OUT/wall_seconds"
rm -f "$OUT/.resumed"
$P -m results.render --runs "$OUT" "${RENDER[@]}"
