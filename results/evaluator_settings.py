"""
The evaluator's settings, chosen on validation: train_verifier.py with each setting below on
the same candidates (sampled once, by the first run that needs them, from the SSFT model), each scored on the
candidates of the held-out validation problems (AUC, within-problem pair accuracy). The test
split is never read.

    python train_sft.py && python -m results.evaluator_settings
    python -m results.evaluator_settings --render
    python pretrain.py --n_layer 6 --n_head 6 --n_embd 192 --max_steps 3500 \
        --out bases/world-6x192.pt                      # the larger judges' base (its cost:
                                                        # docs/speedrun.md)
    python train_sft.py --init_from bases/world-6x192.pt --eval_split val \
        --out_dir out/sft-6x192                         # ... and its SSFT model (LARGER)
    python train_sft.py --seed 1338 --eval_split val --out_dir out/sft-seed1338   # (SECOND)
    python rerank.py --eval_split val --evaluator out/evaluator_settings/margin-1600x4/ckpt.pt \
        --reuse_samples out/rerank-val/samples.jsonl --out_dir out/rerank-val-margin-1600x4
                                   # re-ranking on validation with one of them (the table's
                                   # right-hand columns; their rerank_val entries)

Writes results/evaluator_settings.json (a setting already there is kept unless --rerun).
"""
import argparse
import os
import re

from common import add_sweep_flags
from records import read_json, write_json
from train_verifier import get_args as train_verifier_args
from train_verifier import FULL_REPORT, JUDGE_LIKELIHOOD
from train_verifier import main as train_verifier

LARGER = "out/sft-6x192/ckpt.pt"  # an SSFT model 3.4x the generator's blocks (commands above)
SECOND = "out/sft-seed1338/ckpt.pt"  # python train_sft.py --seed 1338 --eval_split val --out_dir ..

LIKELIHOOD = ["--loss", "likelihood", "--margin", "0.1", "--lr", "1e-4", "--min_lr", "1e-5",
              "--batch_size", "16"]  # the likelihood evaluator's recipe (one probe, not swept)

SETTINGS = {  # name -> train_verifier flags
    "margin lr 1e-3 300 steps": ["--loss", "margin"],
    "ce lr 1e-3 300 steps": ["--loss", "ce"],
    "margin lr 3e-4 300 steps": ["--loss", "margin", "--lr", "3e-4", "--min_lr", "3e-5"],
    "ce lr 3e-4 300 steps": ["--loss", "ce", "--lr", "3e-4", "--min_lr", "3e-5"],
    "ce lr 1e-4 300 steps": ["--loss", "ce", "--lr", "1e-4", "--min_lr", "1e-5"],
    "margin lr 1e-4 300 steps": ["--loss", "margin", "--lr", "1e-4", "--min_lr", "1e-5"],
    # as many samples, spread over four times the problems: less to memorise per problem
    "margin 1600x4": ["--loss", "margin", "--n_problems", "1600", "--n_samples", "4"],
    "ce 1600x4": ["--loss", "ce", "--n_problems", "1600", "--n_samples", "4"],
    # at the defaults (1600 x 4), scored on the large held-out set (500 x 16): the paper's two
    # losses, then each with gold solutions beside a copy with one slip (--slips)
    "paper margin": [],
    "paper ce": ["--loss", "ce"],
    "margin + 1600 slips": ["--slips", "1600"],
    "ce + 1600 slips": ["--loss", "ce", "--slips", "1600"],
    # other candidates: the paper's (the generator's training problems), or drawn hotter
    # (more wrong samples, so more problems give pairs)
    "margin, training problems' samples": ["--candidates_from", "train"],
    "margin, samples at T 1.2": ["--temperature", "1.2"],
    # 16 samples a problem, so that a problem has a most voted wrong answer: every wrong
    # candidate on the pairs' wrong side, or only the most voted wrong answer's
    "margin 800x16": ["--n_problems", "800", "--n_samples", "16"],
    "margin 800x16, voted wrong side": ["--n_problems", "800", "--n_samples", "16",
                                        "--wrong_side", "voted"],
    # process labels by rollouts (Math-Shepherd): the share of 4 completions from each step
    # that reach the gold answer, at the end of every step; scored by the weakest step
    "process, 4 rollouts a step": ["--loss", "process"],
    # dense outcome supervision (Cobbe et al. 2021): the grade at every step's end
    "dense, the grade at every step": ["--loss", "dense"],
    # capacity: the judge a larger SSFT model (6x192) on the same candidates, the generator
    # (4x128) unchanged; the report adds the larger model's own likelihood before training
    "margin, 6x192 evaluator": ["--evaluator_init", LARGER],
    "ce, 6x192 evaluator": ["--loss", "ce", "--evaluator_init", LARGER],
    # trained gently, to keep more of what the larger model's likelihood already ranks
    "margin lr 1e-4, 6x192 evaluator": ["--lr", "1e-4", "--min_lr", "1e-5",
                                        "--evaluator_init", LARGER],
    # no label word: the judge's own likelihood is the score, trained by MLE on the correct
    # candidates + the hinge on pairs' normalised log-likelihoods (--loss likelihood)
    "likelihood, 6x192 evaluator": [*LIKELIHOOD, "--evaluator_init", LARGER],
    "likelihood (a copy of the generator)": LIKELIHOOD,
    # ... and its control: a second SSFT model of the generator's own size (seed 1338), to
    # tell a larger judge from a second opinion
    "margin, second 4x128 (seed 1338) evaluator": ["--evaluator_init", SECOND],
    "likelihood, second 4x128 (seed 1338) evaluator": [*LIKELIHOOD, "--evaluator_init", SECOND],
}


def sampling(flags):
    """The candidates a setting trains on and is scored on: 'problems x samples' (train_verifier's
    defaults unless the setting says otherwise), then the held-out 'problems x samples';
    settings with the same ones share one sample."""
    d = vars(train_verifier_args(FULL_REPORT))
    get = lambda k: flags[len(flags) - 1 - flags[::-1].index(k) + 1] if k in flags else d[k[2:]]
    other = "".join(f" {k[2:]} {get(k)}" for k in ("--candidates_from", "--temperature")
                    if str(get(k)) != str(d[k[2:]]))  # what else changes the sample
    return (f"{get('--n_problems')}x{get('--n_samples')}{other}, held out "
            f"{get('--n_val_problems')}x{get('--n_val_samples')}")


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--generator", default="out/sft/ckpt.pt", help="the SSFT generator")
    add_sweep_flags(p, SETTINGS, "out/evaluator_settings", "results/evaluator_settings.json",
                    "train_verifier")
    return p.parse_args(argv)


def render(saved):
    """The settings scored on the earlier, small held-out set (200 validation problems x 4
    samples), and where measured, re-ranking on validation with each evaluator (rerank.py
    --eval_split val on one set of 16 samples per problem; greedy and voting read no evaluator, so
    they are the same in every row)."""
    pct = lambda r, k: f"{100 * r['rerank_val'][k]:.1f}" if r.get("rerank_val") else ""
    lines = ["| setting | candidates (problems x samples) | AUC | pair accuracy | greedy | "
             "Maj1@16 | RR.All@16 | RR.Top2@16 | W.RR.Top2@16 |", "|---|---|---|---|---|---|---|---|---|"]
    for r in saved["rows"]:
        if "held_out" in r:
            continue
        lines.append(f"| {r['name']} | {r['candidates']} | {r['auc']:.3f} | "
                     f"{r['pair_accuracy']:.3f} | " + " | ".join(
                         pct(r, k) for k in ("pass@1", "maj1@16", "rr_all@16", "rr_top2@16",
                                             "w_rr_top2@16")) + " |")
    return "\n".join(lines)


def render_held_out(saved):
    """The settings scored on the large held-out set (train_verifier's report,
    measures.ranking_report), with the generator's own likelihood rows beside them (the same
    in every run, read from the first) and the votes' line."""
    order = lambda r: list(SETTINGS).index(r["name"]) if r["name"] in SETTINGS else len(SETTINGS)
    rows = sorted((r for r in saved["rows"] if "held_out" in r), key=order)  # SETTINGS' order
    if not rows:
        return "(no setting scored on the large held-out set yet)"
    h, K = rows[0]["held_out"], rows[0]["held_out"]["K"]
    pct = lambda x: f"{100 * x:.1f}"
    lines = [f"| scorer | trained on | AUC | pair accuracy (samples) | pair accuracy (distinct "
             f"texts) | top-2 decision | RR.All | RR.Top{K} | W.RR.Top{K} | train s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    cells = lambda s: (f"{s['auc']:.3f} | {s['pair_accuracy']:.3f} | "
                       f"{s['pair_accuracy_distinct']:.3f} | {s['top2_decision']:.3f} | "
                       f"{pct(s['rr_all'])} | {pct(s['rr_topk'])} | {pct(s['w_rr_topk'])}")
    controls = ("likelihood", "lowest token probability")  # the same in every run
    for name in controls:
        lines.append(f"| the generator's {name} (no training) | - | {cells(h['scorers'][name])} "
                     "| - |")
    judges = set()  # --evaluator_init models whose own likelihood has its row already
    for r in rows:
        scorers = r["held_out"]["scorers"].items()  # the judge's untrained row first
        for name, s in sorted(scorers, key=lambda kv: kv[0] != JUDGE_LIKELIHOOD):
            if name == JUDGE_LIKELIHOOD:  # the same for every evaluator from that model
                init = r["flags"][r["flags"].index("--evaluator_init") + 1]
                if init not in judges:
                    judges.add(init)
                    lines.append(f"| {init}'s likelihood (no training) | - | {cells(s)} | - |")
            elif name not in controls:  # the evaluator, and a process evaluator's final read-out
                label = r["name"] + name[len("evaluator"):]
                lines.append(f"| {label} | {r['candidates'].split(',')[0]} | {cells(s)} | "
                             f"{r['train_seconds']:.0f} |")
    lines.append("")
    lines.append(f"Held out: {h['n_candidates']:,} candidates of {h['n_problems']} validation "
                 f"problems ({h['n_one_class']} with one class only), {h['n_pairs']:,} sampled "
                 f"pairs, {h['n_pairs_distinct']:,} distinct-text pairs; the top-2 decision on "
                 f"the {h['n_top2']} problems whose two largest clusters split right/wrong, "
                 f"where the vote is right on {h['vote_top2']:.3f}. Voting on the same samples: "
                 f"Maj1 {pct(h['maj1'])}, Maj{K} {pct(h['majk'])}, Pass {pct(h['pass'])}.")
    return "\n".join(lines)


def main(argv=None):
    args = get_args(argv)
    saved = read_json(args.out, {"rows": []})
    saved.update(split="val", sft_ckpt=args.generator)
    for name in [] if args.render else args.settings:
        shape = sampling(SETTINGS[name] + args.extra).replace(", held out ", "-heldout-")
        shape = shape.replace(" ", "-")
        candidates = os.path.join(args.runs, f"candidates-{shape}.jsonl")
        if any(r["name"] == name for r in saved["rows"]) and not args.rerun:
            continue
        reuse = ["--candidates", candidates] if os.path.exists(candidates) else []
        out_dir = os.path.join(args.runs, re.sub(r"[^\w.+-]+", "-", name))
        m = train_verifier(["--generator", args.generator, "--out_dir", out_dir, "--no_progress",
                            *FULL_REPORT, *SETTINGS[name], *reuse, *args.extra])
        if not reuse:  # the first run sampled them: every later run reads the same ones
            os.replace(os.path.join(out_dir, "candidates.jsonl"), candidates)
        saved["rows"] = [r for r in saved["rows"] if r["name"] != name] + [
            {"name": name, "flags": SETTINGS[name], "candidates": sampling(SETTINGS[name] + args.extra),
             **{k: m[k] for k in ("auc", "pair_accuracy", "mean_margin", "train_auc",
                                  "train_seconds", "held_out")}}]
        write_json(args.out, saved)
    print(render(saved) + "\n\n" + render_held_out(saved))
    return saved


if __name__ == "__main__":
    main()
