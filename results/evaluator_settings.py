"""
The evaluator's settings, chosen on validation: train_verifier.py with each setting below on
the same candidates (sampled once, by the first run that needs them, from the SSFT model), each scored on the
candidates of the held-out validation problems (AUC, within-problem pair accuracy). The test
split is never read.

    python train_sft.py && python -m results.evaluator_settings
    python -m results.evaluator_settings --render
    python rerank.py --split val --evaluator out/evaluator_settings/margin-1600x4/ckpt.pt \
        --reuse_samples out/rerank-val/samples.jsonl --out_dir out/rerank-val-margin-1600x4
                                   # re-ranking on validation with one of them (the table's
                                   # right-hand columns; their rerank_val entries)

Writes results/evaluator_settings.json (a setting already there is kept unless --rerun).
"""
import argparse
import os

from common import add_sweep_flags, read_json, write_json
from train_verifier import main as train_verifier

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
}


def sampling(flags):
    """The candidates a setting trains on: 'problems x samples' (train_verifier's defaults
    unless the setting says otherwise); settings with the same one share one sample."""
    get = lambda k, d: flags[len(flags) - 1 - flags[::-1].index(k) + 1] if k in flags else d
    return f"{get('--n_problems', '400')}x{get('--n_samples', '16')}"


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--sft_ckpt", default="out/sft/ckpt.pt")
    add_sweep_flags(p, SETTINGS, "out/evaluator_settings", "results/evaluator_settings.json",
                    "train_verifier")
    return p.parse_args(argv)


def render(saved):
    """The settings' scores, and where measured, re-ranking on validation with each evaluator
    (rerank.py --split val on one set of 16 samples per problem; greedy and voting read no
    evaluator, so they are the same in every row)."""
    pct = lambda r, k: f"{100 * r['rerank_val'][k]:.1f}" if r.get("rerank_val") else ""
    lines = ["| setting | candidates (problems x samples) | AUC | pair accuracy | greedy | "
             "Maj1@16 | RR.All@16 | RR.Top2@16 | W.RR.Top2@16 |", "|---|---|---|---|---|---|---|---|---|"]
    for r in saved["rows"]:
        lines.append(f"| {r['name']} | {r['candidates']} | {r['auc']:.3f} | "
                     f"{r['pair_accuracy']:.3f} | " + " | ".join(
                         pct(r, k) for k in ("pass@1", "maj1@16", "rr_all@16", "rr_top2@16",
                                             "w_rr_top2@16")) + " |")
    return "\n".join(lines)


def main(argv=None):
    args = get_args(argv)
    saved = read_json(args.out, {"rows": []})
    saved.update(split="val", sft_ckpt=args.sft_ckpt)
    for name in [] if args.render else args.settings:
        candidates = os.path.join(args.runs, f"candidates-{sampling(SETTINGS[name] + args.extra)}.jsonl")
        if any(r["name"] == name for r in saved["rows"]) and not args.rerun:
            continue
        reuse = ["--candidates", candidates] if os.path.exists(candidates) else []
        out_dir = os.path.join(args.runs, name.replace(" ", "-"))
        m = train_verifier(["--sft_ckpt", args.sft_ckpt, "--out_dir", out_dir, "--no_progress",
                            *SETTINGS[name], *reuse, *args.extra])
        if not reuse:  # the first run sampled them: every later run reads the same ones
            os.replace(os.path.join(out_dir, "candidates.jsonl"), candidates)
        saved["rows"] = [r for r in saved["rows"] if r["name"] != name] + [
            {"name": name, "flags": SETTINGS[name], "candidates": sampling(SETTINGS[name] + args.extra),
             **{k: m[k] for k in
             ("auc", "pair_accuracy", "mean_margin", "train_auc")}}]
        write_json(args.out, saved)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
