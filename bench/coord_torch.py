#!/usr/bin/env python3
"""PyTorch baseline for bench/coord.ts: the same coordinate-check work as `mup-lens coord` on docs/mup.md's
reference MLP (32 -> W -> W -> W -> 10, ReLU, SP init, one global Adam LR, a fixed 64x32 N(0,1) batch,
softmax cross-entropy), timed per width. Per step it reads every layer's mean |x| back to the host, as the
tfjs engine does. Prints one JSON object: {"torch": version, "threads": n, "blas": {kind, path}, "perWidthMs":
{w: ms}, "totalMs": ms}. bench/coord.ts times this script as a whole command (imports included) against the whole
`mup-lens coord` command, on 1 and 2 threads, and gives no ratio when `blas.kind` is the reference BLAS.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_blas import blas_library


def mlp(width):
    return nn.ModuleList([nn.Linear(32, width), nn.Linear(width, width), nn.Linear(width, width), nn.Linear(width, 10)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="64,128,256,512,1024,2048")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda (bench/gpu.ts)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    widths = [int(w) for w in args.widths.split(",")]
    g = torch.Generator().manual_seed(1234)
    x = torch.randn(64, 32, generator=g).to(dev)
    y = torch.randint(0, 10, (64,), generator=g).to(dev)
    per_width = {}
    t_all = time.perf_counter()
    for w in widths:
        t0 = time.perf_counter()
        for s in range(args.seeds):
            torch.manual_seed(s)
            layers = mlp(w).to(dev)
            opt = torch.optim.Adam(layers.parameters(), lr=args.lr)
            for t in range(args.steps):
                h = x
                l1 = []
                for i, layer in enumerate(layers):
                    h = layer(h)
                    if i < len(layers) - 1:
                        h = torch.relu(h)
                    l1.append(h.detach().abs().mean())
                loss = F.cross_entropy(h, y)
                torch.stack(l1).tolist()  # the host reads every layer's l1 each step
                if t < args.steps - 1:
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        per_width[w] = (time.perf_counter() - t0) * 1000
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "device": str(dev), "blas": blas_library(),
                      "perWidthMs": per_width, "totalMs": (time.perf_counter() - t_all) * 1000}))


if __name__ == "__main__":
    main()
