"""results/render.py on a small fixed results set, and reproduce.sh's resume logic."""
import json
import os
import subprocess
import sys

import pytest

from results import render

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fake_runs(root, seeds=("1", "2", "3")):
    """metrics.json files as reproduce.sh leaves them, with numbers chosen so that each
    verdict is known: detailed beats terse clearly; maj1 vs greedy within noise."""
    N, K = 4, 2
    for i, s in enumerate(seeds):
        base = {"sft": {"pass@1": 0.30 + 0.01 * i}, "sft-terse": {"pass@1": 0.20 + 0.01 * i},
                "verifier": {"auc": 0.8, "pair_accuracy": 0.7},
                "verifier-ce": {"auc": 0.7, "pair_accuracy": 0.6}}
        rr = {"pass@1": 0.30 + 0.01 * i, f"maj1@{N}": 0.30 + [0.02, -0.02, 0.0][i],
              f"rr_all@{N}": 0.25, f"rr_top{K}@{N}": 0.26, f"w_rr@{N}": 0.3,
              f"w_rr_top{K}@{N}": 0.31, f"maj{K}@{N}": 0.4, f"pass@{N}": 0.5, "N": N, "K": K,
              "curves": {str(n): {"maj1": {"mean": 0.3, "std": 0.0}, "pass": {"mean": 0.3 + 0.05 * n, "std": 0.0}}
                         for n in (1, 2, 4)}}
        base["rerank"] = rr
        base["rerank-ce"] = dict(rr)
        base["vote-sft"] = {f"maj1@{N}": 0.3, f"pass@{N}": 0.5, "N": N}
        for v in ("mle", "evaluator-margin", "evaluator-ce", "contrastive"):
            base[f"joint-{v}"] = {"pass@1": 0.31 + 0.01 * i}
            base[f"vote-joint-{v}"] = {f"maj1@{N}": 0.3, f"pass@{N}": 0.5}
        for run, m in base.items():
            os.makedirs(os.path.join(root, f"seed{s}", run))
            with open(os.path.join(root, f"seed{s}", run, "metrics.json"), "w") as f:
                json.dump(m, f)
        for run, right in (("sft", True), ("sft-terse", False)):  # per problem: the verdicts
            with open(os.path.join(root, f"seed{s}", run, "samples.jsonl"), "w") as f:
                f.writelines(json.dumps({"id": f"p{j}", "correct": right}) + "\n" for j in range(6))


def test_fmt_and_per_problem_outcomes(tmp_path):
    assert render.fmt([0.1, 0.2, 0.3]) == "20.0 ± 10.0"
    assert render.fmt([0.25, None]) == "25.0 (1 seed)" and render.fmt([None]) == "-"
    f = tmp_path / "samples.jsonl"
    f.write_text('{"id": "p", "greedy_correct": true, "select": {"maj1": 0.0, "pass": 1.0}}\n'
                 '{"id": "q", "greedy_correct": false, "select": {"maj1": 1.0, "pass": 1.0}}\n')
    assert render.per_problem(str(f)) == {"id": ["p", "q"], "greedy": [1.0, 0.0],
                                          "maj1": [0.0, 1.0], "pass": [1.0, 1.0]}


def test_render_table_into_docs_and_headline_into_readme(tmp_path):
    fake_runs(tmp_path / "runs")
    doc, readme = tmp_path / "results.md", tmp_path / "README.md"
    doc.write_text("intro\n<!-- results:start -->\nold\n<!-- results:end -->\ntail\n")
    readme.write_text("top\n<!-- headline:start -->\nold\n<!-- headline:end -->\n")
    render.main(["--runs", str(tmp_path / "runs"), "--results", str(tmp_path / "r.json"),
                 "--doc", str(doc), "--readme", str(readme), "--figure", str(tmp_path / "fig.png"),
                 "--write_docs"])
    text = doc.read_text()
    assert text.startswith("intro\n<!-- results:start -->\n") and text.endswith("<!-- results:end -->\ntail\n")
    assert "old" not in text
    assert "| detailed, one step per line (PRM800K-like) | 54.2 | 31.0 ± 1.0 |" in text
    claim = ("| paper's | detailed solutions beat terse ones (greedy) | +5.0 (Maj1@64) | ± 0.0 | "
             "reproduced (+100.0, 95% CI +100.0 to +100.0; Holm p 0.000) |")
    assert claim in text
    assert "| paper's | majority voting beats greedy | - | - | no data |" in text  # no samples.jsonl
    assert "last changed at commit " in text and "Holm's correction" in text
    assert "| RR.Top2@4 | 58.8 | 26.0 ± 0.0 | 26.0 ± 0.0 |" in text
    assert "| evaluator ROC AUC (held-out candidates) | - | 0.800 ± 0.000 | 0.700 ± 0.000 |" in text
    head = readme.read_text()  # the headline: the margin evaluator's row and the same claims
    assert head.startswith("top\n<!-- headline:start -->\n") and claim in head and "old" not in head
    assert "| ours, margin evaluator | 31.0 ± 1.0 | 30.0 ± 2.0 | 25.0 ± 0.0 | 26.0 ± 0.0 | 31.0 ± 0.0 | 50.0 ± 0.0 |" in head
    saved = json.loads((tmp_path / "r.json").read_text())
    assert set(saved["sft"]) == {"1", "2", "3"}
    bad = tmp_path / "bad.md"
    bad.write_text("no markers")
    r = subprocess.run([sys.executable, "-m", "results.render", "--results",
                        str(tmp_path / "r.json"), "--doc", str(bad), "--readme", str(readme),
                        "--figure", str(tmp_path / "f2.png"), "--write_docs"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0 and "no <!-- results:start -->" in r.stderr


def reproduce(*args, timeout=60):
    env = dict(os.environ, PYTHON=sys.executable)
    return subprocess.run(["bash", os.path.join(ROOT, "reproduce.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def test_reproduce_sh_arguments():
    r = reproduce("--help")
    assert r.returncode == 0 and "--seeds" in r.stdout and "--quick" in r.stdout
    for args, msg in [(["--bogus"], "unknown argument '--bogus'"), (["--seeds"], "needs a value"),
                      (["--seeds", "1,2"], "expected integers"), (["--n", "1"], "integer >= 2"),
                      (["--n_vote", "x"], "integer >= 2"), (["--threads", "0"], "positive"),
                      (["--jobs", "x"], "positive")]:
        r = reproduce(*args)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)
    # the default run publishes (results/, README); any other writes under --out only
    r = reproduce("--dry_run", "--out", "/nonexistent/x")
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and len(lines) == 5 * 15 + 1  # five seeds by default
    assert lines[0].endswith("train_sft.py --seed 1 --out_dir /nonexistent/x/seed1/sft")  # defaults
    assert "--write_docs" in lines[-1] and "results/results.json" in lines[-1]
    assert not os.path.exists("/nonexistent/x")  # a dry run creates nothing
    r = reproduce("--dry_run", "--seeds", "7", "--n", "8", "--out", "/nonexistent/x")
    lines = r.stdout.splitlines()
    assert len(lines) == 16 and all("--seed 7 " in ln for ln in lines[:-1])
    assert sum("--n_samples 8 " in ln for ln in lines) == 2  # rerank and rerank-ce
    assert "--write_docs" not in lines[-1] and "/nonexistent/x/results.md" in lines[-1]
    r = reproduce("--dry_run", "--quick", "--seeds", "1")
    assert "--max_steps 300" in r.stdout and "--n_samples 4 " in r.stdout and "out/quick" in r.stdout


def test_reproduce_sh_skips_finished_steps(tmp_path):
    """Every step already has its metrics.json: nothing is trained, only the render runs, and
    it writes under --out, not README.md."""
    fake_runs(tmp_path / "runs", seeds=("1",))
    readme = open(os.path.join(ROOT, "README.md")).read()
    r = reproduce("--seeds", "1", "--n", "4", "--out", str(tmp_path / "runs"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("done, skipped") == 15
    assert "detailed solutions beat terse ones" in (tmp_path / "runs" / "results.md").read_text()
    assert json.loads((tmp_path / "runs" / "results.json").read_text())["sft"]["1"]
    assert open(os.path.join(ROOT, "README.md")).read() == readme


def test_reproduce_sh_quick_runs_the_whole_recipe(tmp_path):
    """reproduce.sh --quick end to end for one seed (~2 min on 2 cores): every step writes its
    metrics, the results file and table are made; a second run skips everything."""
    out = tmp_path / "quick"
    r = reproduce("--quick", "--seeds", "1", "--out", str(out), timeout=480)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert r.stdout.count("[seed 1]") == 2 * 15 and "FAILED" not in r.stdout
    res = json.loads((out / "results.json").read_text())
    assert set(res) == set(render.RUNS) | {"timing"} and res["timing"]["wall_seconds"] > 0
    assert all(set(v) == {"1"} for k, v in res.items() if k != "timing")
    assert all(res[run]["1"]["step_seconds"] >= 0 for run in render.RUNS)
    assert "`bash reproduce.sh` took " in open(out / "results.md").read()
    assert res["rerank"]["1"]["N"] == 4 and 0 <= res["sft"]["1"]["pass@1"] <= 1
    assert res["sft"]["1"]["n_test"] == 60
    table = (out / "results.md").read_text()
    assert "60 test problems" in table and "| RR.Top2@4 |" in table
    again = reproduce("--quick", "--seeds", "1", "--out", str(out))
    assert again.returncode == 0 and again.stdout.count("done, skipped") == 15


def test_control_table_only_when_the_control_ran():
    ids = ["a", "b", "c", "d"]
    rr = {"N": 4, "K": 2, "rr_top2@4": 0.5, "lp_rr_top2@4": 0.25, "minp_rr_top2@4": 0.0,
          "per_problem": {"id": ids, "rr_topk": [1, 1, 0, 0], "lp_rr_topk": [0, 1, 0, 0],
                          "w_rr_topk": [1, 1, 1, 1], "lp_w_rr_topk": [0, 0, 0, 0]}}
    res = {"rerank": {"1": rr, "2": dict(rr)}}
    out = render.render(res)
    assert "**Evaluator-free control**" in out
    assert "| RR.Top2@4 | 50.0 ± 0.0 | - | 25.0 ± 0.0 | 0.0 ± 0.0 |" in out
    # the claims file's W.RR.TopK-vs-likelihood claim: the evaluator right on all four problems,
    # the control on none, in both seeds: +100 with no spread; the claims without data say so
    assert ("generator's mean token probability | - | ± 0.0 | reproduced (+100.0, 95% CI +100.0 "
            "to +100.0; Holm p 0.000) |") in out
    assert "| paper's | majority voting beats greedy | - | - | no data |" in out
    for m in res["rerank"].values():
        m.pop("lp_rr_top2@4")
    assert "Evaluator-free control" not in render.render(res)


def tiny_sft(out_dir, *extra, eval_split="test"):
    """A 2-step SSFT run on 100 synthetic problems: a checkpoint to run the sweeps on."""
    import train_sft
    train_sft.main([*extra, "--eval_split", eval_split, "--n_train", "100", "--n_val", "6",
         "--n_test", "6", "--init_from", "scratch", "--n_layer", "1", "--n_head", "2",
         "--n_embd", "32", "--vocab_size", "300", "--batch_size", "8", "--max_steps", "2",
         "--eval_interval", "1000", "--max_new_tokens", "12", "--block_size", "512",
         "--no_progress", "--out_dir", str(out_dir)])


def test_temperature_sweep_reads_validation_problems_only(tmp_path, test_split_forbidden):
    from data import load_run_splits
    from model import load_run
    from results import temperature
    tiny_sft(tmp_path / "sft", eval_split="val")
    ckpt = str(tmp_path / "sft" / "ckpt.pt")
    pick, table = temperature.main(["--ckpts", ckpt, ckpt, "--temperatures", "0.5", "1.0", "--n",
                                    "2", "--out", str(tmp_path / "t")])
    saved = json.loads((tmp_path / "t" / "temperature.json").read_text())
    splits = load_run_splits(load_run(ckpt)[2]["run_config"])
    assert saved["problem_ids"] == sorted(r["id"] for r in splits["val"])  # val, all of it
    # and in content, none of them a test problem (ids embed the split name, so compare texts)
    text = {r["id"]: r["problem"] for r in splits["val"]}
    assert not {text[i] for i in saved["problem_ids"]} & {r["problem"] for r in splits["test"]}
    assert pick in (0.5, 1.0) and saved["pick"] == pick and set(table) == {0.5, 1.0}
    assert saved["split"] == "val" and temperature.render(saved).count("| 0.5") == 1
    assert all(0.0 <= t["single"] <= t["pass"] <= 1.0 for t in table.values())
    assert len(saved["runs"]["0.5"]) == 2  # one run per checkpoint


def test_evaluator_curve_trains_on_growing_prefixes_of_the_same_candidates(tmp_path):
    from results import evaluator_curve
    tiny_sft(tmp_path / "sft")
    rows = evaluator_curve.main(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--problems",
                                 "3", "6", "--n_val_problems", "4", "--n_samples", "2",
                                 "--losses", "ce", "--max_steps", "1", "--steps_per_problem",
                                 "0.5", "--out", str(tmp_path / "c")])
    assert [(r["problems"], r["candidates"]) for r in rows] == [(3, 6), (6, 12)]
    assert [r["steps"] for r in rows] == [2, 3]  # max(--max_steps, problems x 0.5)
    small = [json.loads(l) for l in (tmp_path / "c" / "candidates-3.jsonl").read_text().splitlines()]
    big = [json.loads(l) for l in (tmp_path / "c" / "candidates-6.jsonl").read_text().splitlines()]
    train_ids = lambda cs: [c["problem_id"] for c in cs if c["split"] == "train"]
    assert train_ids(big)[:6] == train_ids(small)  # a prefix: the same candidates, more of them
    assert {c["problem_split"] for c in big if c["split"] == "train"} == {"fresh"}  # the default
    assert [c for c in small if c["split"] == "val"] == [c for c in big if c["split"] == "val"]
    saved = json.loads((tmp_path / "c" / "evaluator_curve.json").read_text())
    assert saved["rows"] == rows and saved["split"] == "val"
    # the control's curve: the training problems' samples (the paper's source), the held-out
    # candidates of another file (the same generator's), each point on the real task and the
    # control; each run's problem texts planted, or not, and its held-out set the file's
    both = evaluator_curve.main([
        "--generator", str(tmp_path / "sft" / "ckpt.pt"), "--candidates_from", "train",
        "--problems", "2", "4", "--n_samples", "2", "--losses", "ce", "--tasks", "real",
        "end", "--max_steps", "1", "--steps_per_problem", "0", "--val_candidates",
        str(tmp_path / "c" / "candidates.jsonl"), "--out", str(tmp_path / "t"), "--json",
        str(tmp_path / "t.json")])
    assert [(r["problems"], r["task"], r["candidates"]) for r in both] == [
        (2, "real", 4), (2, "end", 4), (4, "real", 8), (4, "end", 8)]
    held = [c for c in small if c["split"] == "val"]
    got = [json.loads(l) for l in (tmp_path / "t" / "candidates-4.jsonl").read_text().splitlines()]
    assert [c for c in got if c["split"] == "val"] == held
    assert {c["problem_split"] for c in got if c["split"] == "train"} == {"train"}
    ran = json.loads((tmp_path / "t" / "ce-4-end-1steps" / "config.json").read_text())
    assert ran["plant_answer"] == "end" and json.loads(
        (tmp_path / "t" / "ce-4-1steps" / "config.json").read_text())["plant_answer"] is None
    saved = json.loads((tmp_path / "t.json").read_text())
    assert saved["held_out_problems"] == 4 and saved["sample_seconds"] > 0
    from common import generator_record
    from model import load_run
    gen_weights = generator_record("", load_run(str(tmp_path / "sft" / "ckpt.pt"))[0])["weights"]
    assert saved["generator_weights"] == gen_weights
    assert f"generator weights {gen_weights}." in evaluator_curve.table(saved)
    assert all("distinct" in r and "top2" in r and r["wall_seconds"] is not None for r in both)
    assert both[0]["sample_seconds"] == pytest.approx(saved["sample_seconds"] / 2, abs=0.1)
    assert "| ce | end | the generator | 4 | 8 | 1 | 1337 |" in evaluator_curve.table(saved)
    # what the evaluator must beat, from the real runs' reports: one line under the table
    m = json.loads((tmp_path / "t" / "ce-4-1steps" / "metrics.json").read_text())["held_out"]
    lik = m["scorers"]["likelihood"]
    assert both[2]["references"] == {
        "maj1": m["maj1"], "vote_top2": m["vote_top2"],
        "likelihood_distinct": lik["pair_accuracy_distinct"],
        "likelihood_top2": lik["top2_decision"], "likelihood_w_rr_topk": lik["w_rr_topk"]}
    assert both[0]["references"] == both[2]["references"]  # the same held-out candidates
    assert (f"Maj1 {100 * m['maj1']:.1f}, the vote's top-2 decision {m['vote_top2']:.3f}; "
            f"the generator's likelihood: distinct pairs {lik['pair_accuracy_distinct']:.3f}"
            in evaluator_curve.table(saved))
    # asked for one point again (its run read back, not retrained): the others stay in --json
    again = evaluator_curve.main([
        "--generator", str(tmp_path / "sft" / "ckpt.pt"), "--candidates_from", "train",
        "--problems", "4", "--n_samples", "2", "--losses", "ce", "--tasks", "end",
        "--max_steps", "1", "--steps_per_problem", "0", "--out", str(tmp_path / "t"), "--json",
        str(tmp_path / "t.json")])
    assert again == [both[3]]
    assert json.loads((tmp_path / "t.json").read_text())["rows"] == both
    # more steps, and another start, are points of their own beside the ones there
    gen = str(tmp_path / "sft" / "ckpt.pt")
    more = evaluator_curve.main([
        "--generator", gen, "--candidates_from", "train", "--problems", "4", "--n_samples", "2",
        "--losses", "ce", "--tasks", "end", "--max_steps", "1", "2", "--steps_per_problem", "0",
        "--out", str(tmp_path / "t"), "--json", str(tmp_path / "t.json")])
    assert more[0] == both[3] and more[1]["steps"] == 2  # the 1-step run read, a 2-step one run
    assert json.loads((tmp_path / "t" / "ce-4-end-2steps" / "config.json").read_text())[
        "max_steps"] == 2
    started = evaluator_curve.main([
        "--generator", gen, "--candidates_from", "train", "--problems", "4", "--n_samples", "2",
        "--losses", "ce", "--tasks", "end", "--max_steps", "1", "--steps_per_problem", "0",
        "--evaluator_init", gen, "--out", str(tmp_path / "t"), "--json", str(tmp_path / "t.json")])
    assert started[0]["init"] == gen and started[0]["steps"] == 1
    # the judge before its training: its own likelihood's row of the report (a copy of the
    # generator: the generator's likelihood row)
    scorers = lambda d: json.loads((tmp_path / "t" / d / "metrics.json").read_text())[
        "held_out"]["scorers"]
    # compared as the JSON both write: a tiny held-out set's top-2 decision is NaN
    same = lambda row, report: json.dumps(row) == json.dumps({k: report[k] for k in row})
    own = scorers("ce-4-end-1steps-from-sft")["evaluator before training: its likelihood"]
    assert same(started[0]["judge_likelihood"], own)
    assert same(more[0]["judge_likelihood"], scorers("ce-4-end-1steps")["likelihood"])
    assert set(own) > {"pair_accuracy_distinct", "top2_decision", "rr_all", "w_rr_topk"}
    assert json.loads((tmp_path / "t" / "ce-4-end-1steps-from-sft" / "config.json").read_text())[
        "evaluator_init"] == gen
    seeded = evaluator_curve.main([
        "--generator", gen, "--candidates_from", "train", "--problems", "4", "--n_samples", "2",
        "--losses", "ce", "--tasks", "end", "--max_steps", "1", "--steps_per_problem", "0",
        "--seed", "7", "--out", str(tmp_path / "t"), "--json", str(tmp_path / "t.json")])
    assert seeded[0]["seed"] == 7 and json.loads(
        (tmp_path / "t" / "ce-4-end-1steps-seed7" / "config.json").read_text())["seed"] == 7
    # the counterfactual diagnostic and slip pairs (at most a point's own problems): points too
    slipped = evaluator_curve.main([
        "--generator", gen, "--candidates_from", "train", "--problems", "2", "--n_samples", "2",
        "--losses", "ce", "--tasks", "end-cf", "--slips", "3", "--max_steps", "1",
        "--steps_per_problem", "0", "--out", str(tmp_path / "t"), "--json", str(tmp_path / "t.json")])
    ran = json.loads((tmp_path / "t" / "ce-2-end-cf-1steps-slips2" / "config.json").read_text())
    assert (ran["plant_answer"], ran["plant_counterfactual"], ran["slips"]) == ("end", True, 2)
    assert ran["candidates_from"] == "train" and slipped[0]["slips"] == 2
    assert "| ce | end-cf + 2 slips | the generator | 2 |" in evaluator_curve.table(
        json.loads((tmp_path / "t.json").read_text()))
    rows = json.loads((tmp_path / "t.json").read_text())["rows"]
    assert len(rows) == 8 and both[3] in rows and more[1] in rows and started[0] in rows
    assert seeded[0] in rows and slipped[0] in rows


def test_difficulty_reads_validation_only_and_renders(tmp_path):
    from data import load_run_splits
    from model import load_run
    from results import difficulty
    tiny_sft(tmp_path / "sft")
    ckpt, out = str(tmp_path / "sft" / "ckpt.pt"), str(tmp_path / "d.json")
    difficulty.main(["--ckpt", ckpt, "--label", "A", "--out", out, "--max_new_tokens", "8"])
    rows = difficulty.main(["--ckpt", ckpt, "--label", "B", "--out", out, "--max_new_tokens", "8"])
    splits = load_run_splits(load_run(ckpt)[2]["run_config"], report=lambda *a: None)
    assert [r["label"] for r in rows] == ["A", "B"] and rows[0]["split"] == "val"
    assert rows[0]["problem_ids"] == [r["id"] for r in splits["val"]] and rows[0]["n"] == 6
    text = {r["id"]: r["problem"] for r in splits["val"]}  # ids embed the split: compare texts
    assert not {text[i] for i in rows[0]["problem_ids"]} & {r["problem"] for r in splits["test"]}
    rows[0]["pass@1"], rows[0]["n"] = 0.4, 100
    rows[1]["pass@1"], rows[1]["n"], rows[1]["by_type"] = 0.5, 400, {"Algebra": 0.25}
    table = difficulty.render(rows)
    assert "| 40.0% +- 4.9 |  |" in table  # sqrt(0.4 * 0.6 / 100)
    assert "| 50.0% +- 2.5 | +10.0 |" in table and "| Algebra | " in table
    # a label run again replaces its row
    again = difficulty.main(["--ckpt", ckpt, "--label", "A", "--out", out, "--max_new_tokens", "8"])
    assert [r["label"] for r in again] == ["B", "A"]


def test_readme_and_docs_blocks_are_rendered():
    """README's and docs/' rendered blocks (examples, data sizes, difficulty, evaluator curve,
    the first hour, the base, the speedrun and the sweeps) are exactly their render from the
    committed JSON, and a changed number in a JSON shows as a difference."""
    from results import blocks
    rendered = blocks.blocks(ROOT)
    for path, body in rendered.items():
        text = open(os.path.join(ROOT, path)).read()
        assert render.fill(text, body, path) == text, path
    saved = json.load(open(os.path.join(ROOT, "bench", "speedrun.json")))
    saved["records"][0]["val_greedy"] += 0.01
    text = open(os.path.join(ROOT, "docs", "speedrun.md")).read()
    changed = {**rendered["docs/speedrun.md"], "speedrun": blocks.speedrun_table(saved)}
    assert render.fill(text, changed) != text


def test_regime_dry_run_lists_every_run(capsys, tmp_path):
    from results import regime
    assert regime.main(["--dry_run", "--budgets", "300", "600", "--out", str(tmp_path)]) is None
    lines = capsys.readouterr().out.splitlines()
    assert [l.split()[1] for l in lines] == ["train_sft.py", "train_verifier.py", "rerank.py",
                                             "train_joint.py", "train_joint.py"] * 2
    assert "--max_steps 300" in lines[0] and "--max_steps 600" in lines[5]
    assert f"--generator {tmp_path}/600/sft/ckpt.pt --objective mle" in lines[8]
    assert "--objective evaluator --loss ce" in lines[9] and not os.listdir(tmp_path)


def test_regime_map_reads_validation_only():
    """The map chooses budgets: each of its runs, parsed by its own script's argparse, solves
    the validation split (the evaluator reads no split choice: it scores fresh and val
    candidates only)."""
    import importlib
    from results import regime
    split_flag = {"train_sft": "eval_split", "rerank": "eval_split", "train_joint": "eval_split"}
    seen = set()
    for _, script, argv in regime.commands(400, 1, 16, "out/x"):
        args = importlib.import_module(script).get_args(argv)
        if script in split_flag:
            assert getattr(args, split_flag[script]) == "val", (script, argv)
            seen.add(script)
        else:
            assert script == "train_verifier" and args.candidates_from == "fresh"
    assert seen == set(split_flag)


class NoTestSplit(dict):
    """A run's splits without the test one: reading it fails the test."""
    def __getitem__(self, k):
        assert k != "test", "a sweep asked for the test split"
        return super().__getitem__(k)

    def get(self, k, default=None):
        assert k != "test", "a sweep asked for the test split"
        return super().get(k, default)


@pytest.fixture
def test_split_forbidden(monkeypatch):
    """Every script's way to the splits, wrapped so that a look at the test split fails."""
    import rerank
    import train_joint
    import train_sft
    import train_verifier
    for mod, name in ((rerank, "load_run_splits"), (train_joint, "load_run_splits"),
                      (train_verifier, "load_run_splits"), (train_sft, "load_splits")):
        fn = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _fn=fn, **k: NoTestSplit(_fn(*a, **k)))


def test_the_guard_catches_a_test_read(tmp_path, test_split_forbidden):
    """The guard itself can fail: rerank.py on its default (test) split trips it."""
    from rerank import main as rerank
    tiny_sft(tmp_path / "sft", eval_split="val")  # (SSFT itself then reads no test problem)
    with pytest.raises(AssertionError, match="asked for the test split"):
        rerank(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--evaluator", "none",
                "--n_samples", "2", "--no_progress", "--out_dir", str(tmp_path / "rr")])


def test_joint_settings_read_validation_only(tmp_path, test_split_forbidden):
    """Step 3's sweep: every run solves validation problems before stage B, after it and at
    the end, and never touches the test split (the guard above)."""
    from results import joint_settings
    from data import load_run_splits
    from model import load_run
    tiny_sft(tmp_path / "sft", "--n_fresh", "4", eval_split="val")
    fresh = load_run_splits(load_run(str(tmp_path / "sft" / "ckpt.pt"))[2]["run_config"],
                            report=lambda *a: None)["fresh"]
    # two candidates per fresh problem, one right and one wrong: margin pairs for stage B
    cands = [{"problem_id": r["id"], "split": "train", "problem": r["problem"],
              "solution": r["solution"] if right else "It is 0.", "label": right}
             for r in fresh for right in (True, False)]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cands))
    saved = joint_settings.main([
        "--generator", str(tmp_path / "sft" / "ckpt.pt"), "--candidates", str(tmp_path / "c.jsonl"),
        "--runs", str(tmp_path / "runs"), "--out", str(tmp_path / "j.json"), "--settings",
        "B50 C100 lr 1e-4", "--extra", "--stage_b_steps", "2", "--stage_c_steps", "1",
        "--batch_size", "2", "--warmup_steps", "1"])
    assert saved["split"] == json.load(open(tmp_path / "j.json"))["split"] == "val"
    assert [(r["objective"], sorted(r["stage_accuracy"])) for r in saved["rows"]] == [
        ("evaluator-margin", ["A", "B", "C"]), ("mle", ["A", "B", "C"])]
    assert all(r["n_val"] == 6 for r in saved["rows"])
    assert joint_settings.render(saved).count("\n") == 3


def test_evaluator_settings_share_one_sample_and_read_validation(tmp_path, test_split_forbidden):
    """Every setting trains on the candidates the first run sampled, and is scored on the
    validation problems' candidates only; a setting that samples otherwise (another
    temperature) gets candidates of its own but the same held-out ones."""
    from results import evaluator_settings
    tiny_sft(tmp_path / "sft", eval_split="val")
    runs, out = tmp_path / "runs", str(tmp_path / "s.json")
    tiny = ["--n_problems", "4", "--n_val_problems", "3", "--n_samples", "2",
            "--n_val_samples", "3", "--max_steps", "2", "--warmup_steps", "1"]
    saved = evaluator_settings.main(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--runs",
                                     str(runs), "--out", out, "--settings",
                                     "ce lr 3e-4 300 steps", "paper ce",
                                     "--extra", *tiny])  # (a tiny model gives no margin pairs)
    assert [r["name"] for r in saved["rows"]] == ["ce lr 3e-4 300 steps", "paper ce"]
    written = json.load(open(out))  # (a tiny evaluator's AUC may be NaN: compare the names)
    assert saved["split"] == written["split"] == "val"
    assert [r["name"] for r in written["rows"]] == [r["name"] for r in saved["rows"]]
    cands = [json.loads(l) for l in
             (runs / "candidates-4x2-heldout-3x3.jsonl").read_text().splitlines()]
    assert {c["split"] for c in cands} == {"train", "val"} and len(cands) == 4 * 2 + 3 * 3
    assert not (runs / "paper-ce" / "candidates.jsonl").exists()  # reused, not sampled
    from data import load_run_splits
    from model import load_run
    splits = load_run_splits(load_run(str(tmp_path / "sft" / "ckpt.pt"))[2]["run_config"],
                             report=lambda *a: None)
    val_ids = {r["id"] for r in splits["val"]}
    assert {c["problem_id"] for c in cands if c["split"] == "val"} <= val_ids
    held = saved["rows"][1]["held_out"]
    assert (held["n_candidates"], held["n_problems"]) == (9, 3)
    assert set(held["scorers"]) == {"evaluator", "likelihood", "lowest token probability"}
    table = evaluator_settings.render_held_out(saved)
    assert "| paper ce | 4x2 | " in table
    assert "| the generator's likelihood (no training) |" in table
    # hotter training samples: candidates of their own, the same held-out ones
    evaluator_settings.main(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--runs",
                             str(runs), "--out", out, "--settings", "margin, samples at T 1.2",
                             "--extra", *tiny, "--loss", "ce"])
    hot = [json.loads(l) for l in (runs / "candidates-4x2-temperature-1.2-heldout-3x3.jsonl")
           .read_text().splitlines()]
    strip = lambda cs: [(c["problem_id"], c["solution"]) for c in cs if c["split"] == "val"]
    assert strip(hot) == strip(cands)


def test_a_larger_judges_own_likelihood_is_one_row_however_many_evaluators_it_starts():
    from results.evaluator_settings import render_held_out
    from train_verifier import JUDGE_LIKELIHOOD
    cell = lambda x: {"auc": x, "pair_accuracy": x, "pair_accuracy_distinct": x,
                      "top2_decision": x, "rr_all": x, "rr_topk": x, "w_rr_topk": x}
    held = lambda ev, judge: {"K": 2, "n_candidates": 8, "n_problems": 2, "n_one_class": 0,
                              "n_pairs": 4, "n_pairs_distinct": 4, "n_top2": 2, "vote_top2": 0.5,
                              "maj1": 0.5, "majk": 1.0, "pass": 1.0, "scorers": {
                                  "evaluator": cell(ev), "likelihood": cell(0.25),
                                  "lowest token probability": cell(0.125),
                                  **({JUDGE_LIKELIHOOD: cell(judge)} if judge else {})}}
    row = lambda name, flags, ev, judge=None: {"name": name, "flags": flags, "candidates":
                                               "4x2, held out 2x4", "train_seconds": 3,
                                               "held_out": held(ev, judge)}
    table = render_held_out({"rows": [
        row("paper", [], 0.5),
        row("big margin", ["--evaluator_init", "big.pt"], 0.75, 0.875),
        row("big ce", ["--loss", "ce", "--evaluator_init", "big.pt"], 0.625, 0.875)]})
    lines = table.splitlines()
    assert [l for l in lines if "big.pt" in l] == [
        "| big.pt's likelihood (no training) | - | 0.875 | 0.875 | 0.875 | 0.875 | 87.5 | "
        "87.5 | 87.5 | - |"]
    assert sum(l.startswith("| big ") for l in lines) == 2 and "| paper | 4x2 | 0.500" in table
    first = lambda text: next(i for i, l in enumerate(lines) if text in l)
    assert first("big.pt's likelihood") < first("| big margin |")  # before what it was trained to


MODULES = ("model", "sampling", "grade", "evaluator", "common", "selection", "rerank",
           "train_sft", "train_verifier", "train_joint", "pretrain", "data", "results", "bench")
FILE_ENDINGS = {"py", "json", "jsonl", "pt", "md", "png", "txt", "bin", "safetensors", "sh"}


def defined_names(module):
    """{name: set of attribute names} that a module's file defines at top level (functions,
    classes with their methods, assignments, imported names), read from its source (importing
    a bench script could run it); None if no such file."""
    import ast
    base = os.path.join(ROOT, *module.split("."))
    path = base + ".py" if os.path.isfile(base + ".py") else os.path.join(base, "__init__.py")
    if not os.path.isfile(path):
        return None
    names = {}
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = {n.name for n in getattr(node, "body", [])
                                if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        elif isinstance(node, ast.Assign):
            names.update({t.id: set() for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update({(a.asname or a.name).split(".")[0]: set() for a in node.names})
    return names


def resolve(module, name):
    """Does `name` (Class.attr allowed) exist in `module` (data.batching), or name a submodule?
    A name under model may be GPT's method (model.generate)."""
    parts = name.split(".")
    if defined_names(f"{module}.{parts[0]}") is not None:  # a submodule: results.regime
        return len(parts) == 1 or resolve(f"{module}.{parts[0]}", ".".join(parts[1:]))
    names = defined_names(module)
    if names is None:
        return False
    if module == "model" and parts[0] in names.get("GPT", ()):
        return True
    return parts[0] in names and (len(parts) == 1 or parts[1] in names[parts[0]])


def help_texts():
    """Every script's --help, as a learner sees it."""
    import contextlib
    import importlib
    import io
    out = {}
    for script in ("train_sft", "train_verifier", "rerank", "train_joint", "pretrain"):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), pytest.raises(SystemExit):
            importlib.import_module(script).get_args(["--help"])
        out[f"{script}.py --help"] = buf.getvalue()
    return out


def test_every_code_pointer_in_readme_docs_and_help_exists():
    """Every `file.py:name`, `module.name` and file path that README.md, docs/ and the scripts'
    --help name is there: a pointer to a function that moved or was renamed fails here, not in
    a reader's hands (docs/walkthrough.md is generated: regenerate it, python -m
    results.walkthrough, rather than editing it)."""
    import glob
    import re
    texts = {p: open(os.path.join(ROOT, p)).read() for p in
             ["README.md"] + sorted(os.path.relpath(f, ROOT) for f in
                                   glob.glob(os.path.join(ROOT, "docs", "*.md")))}
    texts.update(help_texts())
    missing, checked = [], 0
    for where, text in texts.items():
        for path, name in re.findall(r"([\w/]+)\.py:([A-Za-z_][\w.]*)", text):
            checked += 1
            if not resolve(path.replace("/", "."), name.rstrip(".")):
                missing.append(f"{where}: {path}.py:{name}")
        pattern = r"\b(%s)((?:\.[A-Za-z_]\w*)+)" % "|".join(MODULES)
        for module, dotted in re.findall(pattern, text):
            parts = dotted[1:].split(".")
            if parts[0] in FILE_ENDINGS or parts[-1] in FILE_ENDINGS:
                continue  # a file name (model.py, results/results.json)
            checked += 1
            if not resolve(module, ".".join(parts)):
                missing.append(f"{where}: {module}{dotted}")
        for path in re.findall(r"`((?:results|bench|bases|docs|data)/[\w/.-]+\.\w+)`", text):
            checked += 1  # a file of this repository (other names are outputs or elsewhere)
            if not os.path.exists(os.path.join(ROOT, path)):
                missing.append(f"{where}: {path}")
    assert checked > 50
    assert not missing, "\n".join(missing)


def test_evaluator_control_runs_each_recipe_on_both_tasks_on_one_sample(tmp_path,
                                                                        test_split_forbidden):
    """results/evaluator_control.py: a recipe on the real task and on the planted control
    reads the same candidates (sampled by the first run), the control's problem texts only
    differ (the held-out report's sizes are the same), and the table shows both rows."""
    from results import evaluator_control
    tiny_sft(tmp_path / "sft", eval_split="val")
    runs, out = tmp_path / "runs", str(tmp_path / "c.json")
    tiny = ["--n_problems", "4", "--n_val_problems", "3", "--n_samples", "2",
            "--n_val_samples", "3", "--max_steps", "2", "--warmup_steps", "1"]
    names = ["paper ce | real", "paper ce | planted at the end"]
    saved = evaluator_control.main(["--generator", str(tmp_path / "sft" / "ckpt.pt"), "--runs",
                                    str(runs), "--out", out, "--settings", *names[::-1],
                                    "--extra", *tiny])
    assert [r["name"] for r in saved["rows"]] == names  # in the sweep's order
    assert [r["name"] for r in json.load(open(out))["rows"]] == names
    assert (runs / "candidates.jsonl").exists() and saved["candidates"] == str(
        runs / "candidates.jsonl")
    real, planted = (r["held_out"] for r in saved["rows"])
    assert (real["n_candidates"], real["n_problems"]) == (planted["n_candidates"], 3) == (9, 3)
    assert all(isinstance(r["wall_seconds"], float) for r in saved["rows"])  # (a quiet CPU: 0.0)
    table = evaluator_control.render(saved)
    assert "| paper ce | real |" in table and "| paper ce | planted at the end |" in table


GOLD = "Subtract 3 from both sides: $y = 6 - 3 = 3$.\nThe answer is $\\boxed{3}$."


def test_evaluator_errors_sort_the_pairs_by_mistake_by_hand():
    """Problem p (Algebra), gold GOLD: right text R (the gold itself), and three wrong texts:
    A differs only in its answer line, S slips (6 - 3 = 4, the gold line's shape), O takes
    another step (Add 3 ...). Evaluator scores R .5, A .9, S .2, O .5: it orders (R, A) wrong,
    (R, S) right, (R, O) a tie (half). Likelihood R .6, A .1, S .7, O .3: right, wrong, right.
    Problem q (Geometry): R2 (shorter) .8 / .9 over W2 .1 / .2, both right. S sampled twice
    counts once. Over the 4 pairs: evaluator (0 + 1 + .5 + 1) / 4, likelihood 3 / 4; the same
    order on (R2, W2) only; where the likelihood is right (A, O, q) the evaluator gets
    (0 + .5 + 1) / 3, where it is wrong (S) 1."""
    from measures import distinct_pair_accuracy
    from results import evaluator_errors as ee
    A = GOLD.replace("{3}", "{4}")
    S = GOLD.replace("= 3$", "= 4$").replace("{3}", "{4}")
    O = "Add 3 to both sides: $y = 6 + 3 = 9$.\nThe answer is $\\boxed{9}$."
    cand = lambda pid, text, label: {"problem_id": pid, "problem": f"problem {pid}",
                                     "solution": text, "label": label}
    cands = [cand("p", GOLD, True), cand("p", A, False), cand("p", S, False),
             cand("p", S, False), cand("p", O, False),
             cand("q", "x = 2.\nThe answer is $\\boxed{2}$.", True),
             cand("q", "x = 2 + 1 = 3.\nThe answer is $\\boxed{3}$.", False)]
    scores = [0.5, 0.9, 0.2, 0.2, 0.5, 0.8, 0.1]
    lik = [0.6, 0.1, 0.7, 0.7, 0.3, 0.9, 0.2]
    gold = {"p": {"solution": GOLD, "type": "Algebra", "level": 1},
            "q": {"solution": "x = 2.\nThe answer is $\\boxed{2}$.", "type": "Geometry",
                  "level": 2}}
    assert ee.error_kind(A, GOLD) == ("answer line", 1)
    assert ee.error_kind(S, GOLD) == ("slip", 0)
    assert ee.error_kind(O, GOLD) == ("another step", 0)
    assert ee.error_kind(GOLD.split("\n")[0], GOLD) == ("another step", 1)  # cut short
    assert [ee.false_equation(t) for t in (GOLD, A, S, O)] == [None, None, 0, None]
    assert ee.false_equation("$x = 7$.\n$\\frac{5}{7} \\cdot 49 = 30$.") == 1  # x: a variable
    got = ee.analyse(cands, scores, lik, gold, n_examples=3)
    a = got["all"]
    assert a["n"] == 4 and a["evaluator"] == pytest.approx(2.5 / 4)
    assert a["evaluator"] == pytest.approx(distinct_pair_accuracy(cands, scores)[0])
    assert a["likelihood"] == pytest.approx(3 / 4) and a["same_order"] == pytest.approx(1 / 4)
    assert a["when_likelihood_right"] == pytest.approx(1.5 / 3)
    assert a["when_likelihood_wrong"] == pytest.approx(1.0)
    assert a["right_is_shorter"] == pytest.approx(1 / 4)  # q's; A and S are as long as R
    assert got["kinds"] == {
        "another step": {"n": 2, "evaluator": 0.75, "likelihood": 1.0},
        "answer line": {"n": 1, "evaluator": 0.0, "likelihood": 1.0},
        "slip": {"n": 1, "evaluator": 1.0, "likelihood": 0.0}}
    assert got["arithmetic"] == {  # S states 6 - 3 = 4; A, O and W2's sums hold
        "a false equation": {"n": 1, "evaluator": 1.0, "likelihood": 0.0},
        "every equation holds": {"n": 3, "evaluator": pytest.approx(0.5), "likelihood": 1.0}}
    assert got["subjects"]["Geometry"] == {"n": 1, "evaluator": 1.0, "likelihood": 1.0}
    assert got["levels"]["1"]["n"] == 3
    (ex,) = got["examples"]  # the one pair ordered wrong
    assert (ex["kind"], ex["right"], ex["wrong"], ex["scores"]) == ("answer line", GOLD, A,
                                                                     [0.5, 0.9])
    table = ee.render({"entries": [{"label": "hand", **got}]})
    assert "| answer line | 1 | 0.000 | 1.000 |" in table and "**hand** (4 distinct" in table
    assert "Scored 0.9, the right text 0.5 (the wrong text: answer line): problem p" in table


def test_evaluator_errors_reads_a_trained_evaluator_on_validation(tmp_path,
                                                                   test_split_forbidden):
    """End to end on a tiny run: the evaluator's pairs are exactly its held-out report's
    distinct-text pairs, and its accuracy over them the report's; a control evaluator's
    candidates are planted as its training ones were; a generator is refused as evaluator."""
    import train_verifier
    from records import write_jsonl
    from results import evaluator_errors as ee
    tiny_sft(tmp_path / "sft", "--n_fresh", "8", eval_split="val")
    gen = str(tmp_path / "sft" / "ckpt.pt")
    common = ["--generator", gen, "--n_problems", "4", "--n_samples", "4", "--n_val_problems",
              "6", "--n_val_samples", "4", "--max_steps", "1", "--batch_size", "4",
              "--no_progress", "--sample_batch_size", "64"]
    train_verifier.main(common + ["--loss", "ce", "--out_dir", str(tmp_path / "sampled")])
    # an untrained generator is always wrong: every other candidate relabelled right, so
    # that there are pairs to sort
    rows = [json.loads(l) for l in (tmp_path / "sampled" / "candidates.jsonl").read_text()
            .splitlines()]
    cands = str(tmp_path / "relabelled.jsonl")
    write_jsonl(cands, [{**c, "label": i % 2 == 0} for i, c in enumerate(rows)])
    m = train_verifier.main(common + ["--candidates", cands, "--out_dir", str(tmp_path / "ev")])
    saved = ee.main(["--evaluator", str(tmp_path / "ev" / "ckpt.pt"), "--candidates", cands,
                     "--label", "real", "--json", str(tmp_path / "e.json"), "--device", "cpu"])
    (e,) = saved["entries"]
    report = m["held_out"]
    assert e["all"]["n"] == report["n_pairs_distinct"] > 0
    assert e["all"]["evaluator"] == pytest.approx(
        report["scorers"]["evaluator"]["pair_accuracy_distinct"])
    assert e["all"]["likelihood"] == pytest.approx(
        report["scorers"]["likelihood"]["pair_accuracy_distinct"])
    assert sum(k["n"] for k in e["kinds"].values()) == e["all"]["n"]
    ctl = train_verifier.main(common + ["--candidates", cands, "--plant_answer", "end",
                                        "--out_dir", str(tmp_path / "ctl")])
    saved = ee.main(["--evaluator", str(tmp_path / "ctl" / "ckpt.pt"), "--candidates", cands,
                     "--label", "control", "--json", str(tmp_path / "e.json"), "--device", "cpu"])
    assert [x["label"] for x in saved["entries"]] == ["real", "control"]
    assert saved["entries"][1]["plant_answer"] == "end"
    assert saved["entries"][1]["all"]["evaluator"] == pytest.approx(
        ctl["held_out"]["scorers"]["evaluator"]["pair_accuracy_distinct"])
    with pytest.raises(ValueError, match="not a train_verifier.py checkpoint"):
        ee.main(["--evaluator", gen, "--candidates", cands, "--label", "x", "--json",
                 str(tmp_path / "e.json"), "--device", "cpu"])


def test_size_cross_picks_each_cells_plain_real_run():
    """Each cell is the plain real recipe's row whose evaluator started where the cell says:
    the generator's copy on the diagonal, the other size's SSFT checkpoint off it, one row a
    seed (the default first); a control, a slip run or another step count is never a cell."""
    from results import size_cross
    ref = {"maj1": 0.70, "vote_top2": 0.74, "likelihood_distinct": 0.69}

    def row(init, w_rr, **over):
        return {"loss": "margin", "task": "real", "problems": 12500, "steps": 1500,
                "init": init, "seed": 1337, "slips": 0, "auc": 0.6, "distinct": 0.62,
                "top2": 0.75, "w_rr_topk": w_rr, "references": ref, "wall_seconds": 10.0,
                **over}

    def curve(rows):
        return {"rows": rows, "generator_weights": "abc", "train_correct": 0.8,
                "sample_seconds": 9, "held_out_candidates": 80, "held_out_problems": 5}

    small = size_cross.GENERATORS["3x96"][1]
    large = size_cross.GENERATORS["4x128"][1]
    lik = {"pair_accuracy_distinct": 0.7, "top2_decision": 0.8, "rr_all": 0.66, "rr_topk": 0.6,
           "w_rr_topk": 0.5}
    big_gen = curve([row(None, 0.75), row(small, 0.71, judge_likelihood=lik),
                     row(None, 0.90, task="end"), row(None, 0.60, slips=12500),
                     row(small, 0.50, steps=300), row(small, 0.40, seed=7),
                     row("bases/world-4x128.pt", 0.77)])
    small_gen = curve([row(large, 0.73)])
    found = size_cross.cells({"4x128": big_gen, "3x96": small_gen})
    assert {k: [r["w_rr_topk"] for r in rs] for k, rs in found.items()} == {
        ("4x128", "4x128"): [0.75], ("4x128", "3x96"): [0.71, 0.40], ("3x96", "4x128"): [0.73]}
    text = size_cross.render({"4x128": big_gen, "3x96": small_gen})
    assert "| 4x128 | 3x96 | 1337 | 70.0 | 71.0 | +1.0 | 0.750 (0.740) |" in text
    assert "| 4x128 | 3x96 | 7 | 70.0 | 40.0 | -30.0 |" in text  # another seed: its own line
    assert "| 3x96 | 4x128 | 1337 | 70.0 | 73.0 | +3.0 |" in text
    assert "Not run yet: 3x96 x 3x96." in text
    assert "| 4x128 | 3x96 | 0.700 | 0.800 | 66.0 | 60.0 | 50.0 | -4.0 |" in text
    assert text.count("| 0.700 | 0.800 |") == 1  # the rows without the judge's likelihood
    with pytest.raises(ValueError, match="one run a cell and seed"):  # two would read as one
        size_cross.cells({"4x128": curve([row(None, 0.75), row(None, 0.76)])})


def test_judge_likelihood_is_the_untrained_judges_row_of_the_report():
    """A curve row's judge_likelihood: the --evaluator_init model's own likelihood row, or for
    a copy of the generator (no such row) the generator's likelihood; never the trained
    evaluator's row. (The tiny end-to-end runs above grade every sample wrong, so every scorer
    reads alike there: this is where the choice of row is checked.)"""
    from results.evaluator_curve import judge_likelihood
    from train_verifier import JUDGE_LIKELIHOOD
    keys = ("pair_accuracy_distinct", "top2_decision", "rr_all", "rr_topk", "w_rr_topk")
    scorer = lambda v: {k: v for k in keys} | {"auc": v}
    report = {"scorers": {"evaluator": scorer(0.1), "likelihood": scorer(0.2),
                          JUDGE_LIKELIHOOD: scorer(0.3)}}
    assert judge_likelihood(report) == {k: 0.3 for k in keys}
    del report["scorers"][JUDGE_LIKELIHOOD]
    assert judge_likelihood(report) == {k: 0.2 for k in keys}
    assert judge_likelihood(None) is None and judge_likelihood({"scorers": {}}) is None
