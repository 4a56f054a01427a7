"""
A validation sweep of train_sft.py settings, several runs at once: each run trains with its
flags, solves the whole validation split greedily every --eval_every steps, and at the end
once more with one sample at temperature 0.9 (the pipeline's sampling). The test split is
never read (--eval_split val). Used to choose the default recipe (docs/speedrun.md): accuracy
per step is measured here, on any machine (a GPU runs many at once); seconds per step are
measured on the 2-core CPU by bench/speedrun.py.

    python -m bench.sweep --workers 2                          # every run of the grid, on CPU
    python -m bench.sweep --device cuda --workers 12           # on one GPU
    python -m bench.sweep --only muon32-lr01-s1                # one run
    python -m bench.sweep --grid base --out bench/sweep_base.json --extra --init_from BASE.pt
    python -m bench.sweep --render                             # the table from --out

Writes --out (default bench/sweep.json) after each run: a run already there is skipped.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from records import write_json

# (name, train_sft flags): optimiser x learning rate x batch x steps, two seeds each where a
# choice hangs on it. Steps are set so each run costs about the same 2-core CPU time
# (seconds per step: bench/speedrun.py).
MUON = ["--optimizer", "muon"]
GRID = []
for seed in (1, 2):
    s = ["--seed", str(seed)]
    for lr in ("0.005", "0.01", "0.02"):
        GRID.append((f"muon32-lr{lr[2:]}-s{seed}", MUON + ["--muon_lr", lr, "--max_steps", "1000"] + s))
        GRID.append((f"muon16-lr{lr[2:]}-s{seed}", MUON + ["--muon_lr", lr, "--batch_size", "16",
                                                            "--max_steps", "1700"] + s))
    GRID += [
        (f"adamw32-s{seed}", ["--max_steps", "1300"] + s),
        (f"muon32-lr01-adam6e3-s{seed}", MUON + ["--muon_lr", "0.01", "--lr", "6e-3",
                                                  "--max_steps", "1000"] + s),
        (f"muon32-lr01-minlr0-s{seed}", MUON + ["--muon_lr", "0.01", "--min_lr", "0",
                                                 "--max_steps", "1000"] + s),
        (f"muon32-lr01-3x192-s{seed}", MUON + ["--muon_lr", "0.01", "--n_layer", "3",
                                                "--n_embd", "192", "--n_head", "6",
                                                "--max_steps", "830"] + s),
    ]
for steps in ("700", "1300", "1600"):
    GRID.append((f"muon32-lr01-{steps}steps-s1", MUON + ["--muon_lr", "0.01", "--max_steps", steps,
                                                          "--seed", "1"]))
# SSFT from a pretrained base (pretrain.py; --extra --init_from BASE): fine-tuning rates
BASE_GRID = []
for steps in ("400", "800"):
    BASE_GRID += [
        (f"base-adamw1e3-{steps}", ["--lr", "1e-3", "--min_lr", "1e-4", "--max_steps", steps]),
        (f"base-adamw3e3-{steps}", ["--lr", "3e-3", "--max_steps", steps]),
        (f"base-muon005-{steps}", MUON + ["--muon_lr", "0.005", "--lr", "1e-3", "--min_lr", "1e-4",
                                          "--max_steps", steps]),
        (f"base-muon01-{steps}", MUON + ["--muon_lr", "0.01", "--max_steps", steps]),
    ]
BASE_GRID += [("base-muon02-800", MUON + ["--muon_lr", "0.02", "--max_steps", "800"]),
              ("base-adamw3e4-800", ["--lr", "3e-4", "--min_lr", "3e-5", "--max_steps", "800"])]
GRIDS = {"scratch": GRID, "base": BASE_GRID}
RUNS = dict(GRID + BASE_GRID)


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--grid", default="scratch", choices=list(GRIDS))
    p.add_argument("--only", nargs="+", choices=list(RUNS), help="these runs (default: --grid's)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--workers", type=int, default=1, help="runs at once (one thread each on "
                   "a GPU machine; on CPU each gets cores / workers threads)")
    p.add_argument("--eval_every", type=int, default=250)
    p.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                   help="more train_sft flags for every run (e.g. --max_steps 5 for a test)")
    p.add_argument("--out", default="bench/sweep.json")
    p.add_argument("--runs", default="out/sweep", help="where the runs' checkpoints go")
    p.add_argument("--render", action="store_true")
    p.add_argument("--one", help=argparse.SUPPRESS)  # internal: train one run, print its row
    return p.parse_args(argv)


def run_one(name, args):
    """Train one run in this process and return its row."""
    import torch

    from bench.speedrun import single_sample_accuracy
    from train_sft import main as train_sft
    out_dir = os.path.join(args.runs, name)
    flags = RUNS[name] + ["--eval_interval", str(args.eval_every), "--val_acc_problems",
                          "100000", "--eval_split", "val", "--no_progress", "--device",
                          args.device, "--dtype", "float32", "--out_dir", out_dir] + args.extra
    if args.device.startswith("cuda"):
        flags += ["--length_split", "1"]  # fewer, larger kernels; the same gradient
    t0 = time.time()
    m = train_sft(flags)
    curve = [[h["step"], h["val_acc"]] for h in m["history"] if "val_acc" in h]
    curve.append([m["steps"], m["pass@1"]])
    one = single_sample_accuracy(os.path.join(out_dir, "ckpt.pt"), device=args.device)
    return {"name": name, "flags": RUNS[name], "steps": m["steps"], "val_greedy": m["pass@1"],
            "val_one_sample": one, "final_val_loss": m["history"][-1].get("val_loss"),
            "curve": curve, "device": args.device, "wall_seconds": round(time.time() - t0),
            "torch": torch.__version__}


def run_pool(todo, args):
    """Each run in a subprocess (python -m bench.sweep --one NAME), --workers at a time; rows
    are saved as they finish."""
    saved = load(args.out)
    env = dict(os.environ, OMP_NUM_THREADS=str(max(1, (os.cpu_count() or 1) // args.workers)))
    if args.device.startswith("cuda"):
        env["OMP_NUM_THREADS"] = "1"
    pending, running = list(todo), {}
    while pending or running:
        while pending and len(running) < args.workers:
            name = pending.pop(0)
            cmd = [sys.executable, "-m", "bench.sweep", "--one", name, "--device", args.device,
                   "--eval_every", str(args.eval_every), "--runs", args.runs]
            cmd += ["--extra", *args.extra] if args.extra else []
            log = open(os.path.join(args.runs, f"{name}.log"), "w")
            running[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        time.sleep(1)
        for name, proc in list(running.items()):
            if proc.poll() is None:
                continue
            del running[name]
            row_file = os.path.join(args.runs, name, "row.json")
            if proc.returncode != 0 or not os.path.exists(row_file):
                print(f"{name}: failed (exit {proc.returncode}), see {args.runs}/{name}.log")
                continue
            saved["rows"] = [r for r in saved["rows"] if r["name"] != name]
            saved["rows"].append(json.load(open(row_file)))
            write_json(args.out, saved)
            print(render_row(saved["rows"][-1]), flush=True)
    return saved


def load(path):
    return json.load(open(path)) if os.path.exists(path) else {"split": "val", "rows": []}


def pct(v):
    return "-" if v is None else f"{100 * v:.1f}"


def render_row(r):
    curve = " ".join(f"{s}:{pct(a)}" for s, a in r["curve"])
    return (f"| {r['name']} | {' '.join(r['flags'])} | {r['steps']} | {pct(r['val_greedy'])} | "
            f"{pct(r['val_one_sample'])} | {curve} |")


def render(saved):
    """One table per base (the scratch sweep has none), runs sorted by name."""
    out = []
    for base in dict.fromkeys(r.get("base") for r in saved["rows"]):
        rows = sorted((r for r in saved["rows"] if r.get("base") == base), key=lambda r: r["name"])
        out += ([f"From the {base}:", ""] if base else []) + [
            "| run | flags | steps | val greedy | one sample (T 0.9) | curve (step:greedy) |",
            "|---|---|---|---|---|---|"] + [render_row(r) for r in rows] + [""]
    return "\n".join(out[:-1])


def main(argv=None):
    args = get_args(argv)
    if args.one:
        row = run_one(args.one, args)
        write_json(os.path.join(args.runs, args.one, "row.json"), row)
        return row
    if not args.render:
        os.makedirs(args.runs, exist_ok=True)
        done = {r["name"] for r in load(args.out)["rows"]}
        names = args.only or [n for n, _ in GRIDS[args.grid]]
        run_pool([n for n in names if n not in done], args)
    saved = load(args.out)
    print(render(saved))
    return saved


if __name__ == "__main__":
    main()
