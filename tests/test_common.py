"""common.py's optimisers: the Muon update against an SVD and a hand-computed step, its AdamW
groups against torch's AdamW, the learning-rate scales, a checkpoint round trip, and the
minimum torch and Python that requirements.txt states against the calls the code makes."""
import os

import torch

from common import Muon, configure_optimizer, orthogonalise, set_lr
from model import GPT, GPTConfig


def test_orthogonalise_approximates_u_v_transpose():
    torch.manual_seed(0)
    for shape in ((48, 16), (16, 48), (32, 32)):
        g = torch.randn(*shape)
        u, _, vh = torch.linalg.svd(g, full_matrices=False)
        o = orthogonalise(g)
        assert o.shape == g.shape
        s = torch.linalg.svdvals(o)
        assert 0.6 < s.min() and s.max() < 1.2  # every direction kept, none blown up
        cos = (o * (u @ vh)).sum() / (o.norm() * (u @ vh).norm())
        assert cos > 0.95  # the direction of U V^T


def test_muon_adamw_groups_match_torch_adamw():
    """The non-Muon groups are AdamW, step for step (decoupled decay, bias correction)."""
    torch.manual_seed(0)
    a = torch.nn.Parameter(torch.randn(5, 3))
    b = torch.nn.Parameter(a.detach().clone())
    ours = Muon([{"params": [a], "use_muon": False, "weight_decay": 0.1}], lr=1e-2, betas=(0.9, 0.99))
    ref = torch.optim.AdamW([b], lr=1e-2, betas=(0.9, 0.99), weight_decay=0.1, eps=1e-8)
    for step in range(5):
        g = torch.randn(5, 3)
        a.grad, b.grad = g.clone(), g.clone()
        ours.step()
        ref.step()
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_muon_step_by_hand():
    """First step: momentum buffer = g, Nesterov update = g + 0.95 g, orthogonalised, times
    lr * sqrt(max(1, rows / cols))."""
    torch.manual_seed(1)
    p = torch.nn.Parameter(torch.randn(8, 4))
    before = p.detach().clone()
    g = torch.randn(8, 4)
    p.grad = g.clone()
    opt = Muon([{"params": [p], "use_muon": True, "weight_decay": 0.0}], lr=0.02)
    opt.step()
    want = before - 0.02 * 2 ** 0.5 * orthogonalise(g + 0.95 * g)
    torch.testing.assert_close(p.detach(), want)
    torch.testing.assert_close(opt.state[p]["momentum"], g)


def test_configure_optimizer_groups_and_lr_scales(tmp_path):
    model = GPT(GPTConfig(block_size=16, vocab_size=32, n_layer=2, n_head=2, n_embd=8))
    opt = configure_optimizer(model, 3e-3, 0.1, 0.99, "muon", muon_lr=0.03)
    muon, decayed, plain = opt.param_groups
    names = {id(p): n for n, p in model.named_parameters()}
    assert all(".h." in names[id(p)] and p.dim() == 2 for p in muon["params"])
    assert {names[id(p)] for p in decayed["params"]} == {"transformer.wte.weight", "transformer.wpe.weight"}
    n_all = sum(len(g["params"]) for g in opt.param_groups)
    assert n_all == len(list(model.parameters()))
    set_lr(opt, 1e-3)
    assert abs(muon["lr"] - 1e-2) < 1e-12 and decayed["lr"] == plain["lr"] == 1e-3
    adamw = configure_optimizer(model, 3e-3, 0.1, 0.99)
    set_lr(adamw, 1e-3)
    assert isinstance(adamw, torch.optim.AdamW) and all(g["lr"] == 1e-3 for g in adamw.param_groups)
    # a training step changes every parameter, and the state survives a save/load
    x = torch.randint(0, 32, (2, 8))
    _, loss = model(x, x)
    loss.backward()
    before = [p.detach().clone() for p in model.parameters()]
    opt.step()
    assert all(not torch.equal(b, p) for b, p in zip(before, model.parameters()))
    torch.save(opt.state_dict(), tmp_path / "opt.pt")
    again = configure_optimizer(model, 3e-3, 0.1, 0.99, "muon", muon_lr=0.03)
    again.load_state_dict(torch.load(tmp_path / "opt.pt", weights_only=True))
    assert again.param_groups[0]["lr_scale"] == muon["lr_scale"]
    torch.testing.assert_close(again.state_dict()["state"], opt.state_dict()["state"])


# the newest call each minimum rests on: (what the code calls, pattern, torch or Python version)
NEEDS = [("torch.is_autocast_enabled(device)", r"is_autocast_enabled\(\w+\)", "torch", (2, 4)),
         ("torch.get_autocast_dtype(device)", r"get_autocast_dtype\(\w+\)", "torch", (2, 4)),
         ("an `X | None` annotation in a dataclass", r":\s*\w+ \| None\s*=", "python", (3, 10))]


def test_requirements_state_the_minimum_the_code_needs():
    """requirements.txt's torch lower bound and its stated Python are at least what the calls
    in the code need (a pattern that no file matches any more lowers nothing: it is skipped)."""
    import glob
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    req = open(os.path.join(root, "requirements.txt")).read()
    torch_min = tuple(int(x) for x in re.search(r"^torch>=(\d+)\.(\d+)", req, re.M).groups())
    python_min = tuple(int(x) for x in re.search(r"Python (\d+)\.(\d+) or newer", req).groups())
    code = {p: open(p).read() for p in glob.glob(os.path.join(root, "*.py"))
            + glob.glob(os.path.join(root, "data", "*.py"))}
    found = 0
    for what, pattern, who, version in NEEDS:
        users = [os.path.basename(p) for p, text in code.items() if re.search(pattern, text)]
        if users:
            found += 1
            have = torch_min if who == "torch" else python_min
            assert have >= version, f"{', '.join(users)} call {what}: needs {who} {version}"
    assert found >= 2  # the patterns still match the code they were written for


def test_train_steps_without_a_bar_logs_every_tenth_of_the_run(capsys):
    """--no_progress runs (the results scripts' background runs) print a line at every tenth
    of the steps, each with the loss the history holds; with the bar, no line."""
    import argparse

    from common import add_stage_flags, train_steps
    p = argparse.ArgumentParser()
    add_stage_flags(p, lr=1e-2, min_lr=1e-3)
    model = GPT(GPTConfig(block_size=8, vocab_size=11, n_layer=1, n_head=1, n_embd=8))
    x = torch.randint(0, 11, (2, 8))
    next_loss = lambda: model(x, targets=x)[1]
    history, _ = train_steps(model, 20, next_loss, p.parse_args(["--no_progress"]), desc="t")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"t: step {s}/20, loss {history[s - 1]['loss']:.4f}" for s in range(2, 21, 2)]
    train_steps(model, 20, next_loss, p.parse_args([]), desc="t")
    assert capsys.readouterr().out == ""
