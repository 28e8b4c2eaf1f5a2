#!/usr/bin/env python3
"""PyTorch side of bench/sweep-vs-torch.ts: the demo's LR sweep (scripts/demo.mjs step 3) written the way a user
would write it in PyTorch: one trial after another, PyTorch's default threads (no set_num_threads), SP and muP.

The same trials as `mup-lens sweep examples/mlp/{sp,mup}.ts#mlp --widths 64,256 --lr-range 2^-13:2^-5:1 --steps 150
--seeds 1 --base-width 64`: the MLP 32 -> W -> W -> W -> 10 (ReLU), the synthetic teacher task of mup-lens
(src/job/data/teacher.ts: labels from a fixed random tanh net 32 -> 64 -> 10, a fresh N(0,1) batch of 64 per step),
softmax cross-entropy, Adam; the loss reported is the mean of the last 10% of the steps, and a trial stops when its
loss is not finite or more than 3x its first (mup-lens's rule, src/worker/trial.ts), so both sides run the same
steps. SP: PyTorch's default init, one Adam LR. muP (base width 64, m = W / 64): zero readout, logits =
readout(h) / m, hidden weights' Adam LR = lr / m (the examples' muP, and MuAdam's groups).
Prints one JSON line: {"torch", "threads", "blas", "sweeps": {"sp"|"mup": {"seconds", "trials", "optimum": {W: log2
lr}, "losses": {W: [...]}}}, "totalSeconds"}.
"""
import argparse
import json
import math
import time

import torch

from torch_blas import blas_library

D_IN, D_OUT, HIDDEN_TEACHER, BATCH = 32, 10, 64, 64


def teacher(seed=0):
    g = torch.Generator().manual_seed(seed)
    w1 = torch.randn(D_IN, HIDDEN_TEACHER, generator=g) / math.sqrt(D_IN)
    w2 = torch.randn(HIDDEN_TEACHER, D_OUT, generator=g) / math.sqrt(HIDDEN_TEACHER)
    return lambda x: (torch.tanh(x @ w1) @ w2).argmax(-1)


class MLP(torch.nn.Module):
    def __init__(self, width, mup, base):
        super().__init__()
        self.fc1 = torch.nn.Linear(D_IN, width)
        self.fc2 = torch.nn.Linear(width, width)
        self.fc3 = torch.nn.Linear(width, width)
        self.readout = torch.nn.Linear(width, D_OUT)
        self.mult = base / width if mup else 1.0
        if mup:
            torch.nn.init.zeros_(self.readout.weight)
            torch.nn.init.zeros_(self.readout.bias)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        h = torch.relu(self.fc2(h))
        h = torch.relu(self.fc3(h))
        return self.readout(h) * self.mult


def trial(label, width, lr, mup, steps, base, seed=0):
    torch.manual_seed(seed)
    model = MLP(width, mup, base)
    if mup:
        m = width / base
        hidden = [model.fc2.weight, model.fc3.weight]
        rest = [p for p in model.parameters() if all(p is not h for h in hidden)]
        opt = torch.optim.Adam([{"params": rest, "lr": lr}, {"params": hidden, "lr": lr / m}])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(1000 + seed)
    losses = []
    first = None
    for _ in range(steps):
        x = torch.randn(BATCH, D_IN, generator=g)
        loss = torch.nn.functional.cross_entropy(model(x), label(x))
        value = loss.item()
        if first is None:
            first = value
        if not math.isfinite(value) or value > 3 * first:
            return None
        losses.append(value)
        opt.zero_grad()
        loss.backward()
        opt.step()
    k = max(1, steps // 10)
    return sum(losses[-k:]) / k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="64,256")
    ap.add_argument("--lr-range", default="-13:-5:1", help="log2 start:stop:step")
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--base-width", type=int, default=64)
    ap.add_argument("--parametrizations", default="sp,mup")
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    start, stop, step = (float(v) for v in args.lr_range.split(":"))
    exps = [start + i * step for i in range(int(round((stop - start) / step)) + 1)]
    label = teacher()
    sweeps = {}
    t_all = time.perf_counter()
    for name in args.parametrizations.split(","):
        t0 = time.perf_counter()
        losses = {w: [trial(label, w, 2.0 ** e, name == "mup", args.steps, args.base_width) for e in exps] for w in widths}
        optimum = {}
        for w, ls in losses.items():
            finite = [(loss, e) for loss, e in zip(ls, exps) if loss is not None]
            optimum[w] = min(finite)[1] if finite else None
        sweeps[name] = {"seconds": time.perf_counter() - t0, "trials": len(widths) * len(exps), "optimum": optimum, "losses": losses}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library(), "sweeps": sweeps,
                      "totalSeconds": time.perf_counter() - t_all}))


if __name__ == "__main__":
    main()
