#!/usr/bin/env python3
"""PyTorch baseline for bench/gpu.ts: the training step of examples/gpt/mup.ts (char-level GPT: vocab 64, seq 32,
2 pre-LayerNorm blocks of 4-head causal self-attention (logits x 4/d_head, no biases in q/k/v/o) and a 4x ReLU
MLP, final LayerNorm, readout x 64/width), batch 16, Adam, softmax cross-entropy, reading the loss back every
step as the tfjs trial does. Timed per step after warm-up steps. Prints one JSON object:
{"torch": version, "device": d, "perWidthMsPerStep": {w: ms}}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, SEQ, HEADS, LAYERS, BASE, BATCH = 64, 32, 4, 2, 64, 16


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.fc, self.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.dh = d // HEADS

    def forward(self, x):
        b, t, d = x.shape
        h = self.ln1(x)
        heads = lambda w: w(h).view(b, t, HEADS, self.dh).transpose(1, 2)
        q, k, v = heads(self.q), heads(self.k), heads(self.v)
        att = (q @ k.transpose(-1, -2)) * (4 / self.dh)
        att = att.masked_fill(torch.ones(t, t, device=x.device).tril() == 0, -1e9).softmax(-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.proj(torch.relu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(VOCAB, d), nn.Parameter(torch.randn(SEQ, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d) for _ in range(LAYERS))
        self.ln_f, self.readout, self.scale = nn.LayerNorm(d), nn.Linear(d, VOCAB), BASE / d

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe
        for blk in self.blocks:
            x = blk(x)
        return self.readout(self.ln_f(x)) * self.scale


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="256,1024")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    dev = torch.device(args.device)
    g = torch.Generator().manual_seed(0)
    per_width = {}
    for w in [int(x) for x in args.widths.split(",")]:
        torch.manual_seed(0)
        model = GPT(w).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        times = []
        for step in range(args.warmup + args.steps):
            xs = torch.randint(0, VOCAB, (BATCH, SEQ), generator=g).to(dev)
            ys = torch.randint(0, VOCAB, (BATCH, SEQ), generator=g).to(dev)
            t0 = time.perf_counter()
            loss = F.cross_entropy(model(xs).reshape(-1, VOCAB), ys.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()  # the host reads the loss every step, as the tfjs trial does
            if step >= args.warmup:
                times.append((time.perf_counter() - t0) * 1000)
        per_width[w] = sorted(times)[len(times) // 2]
    print(json.dumps({"torch": torch.__version__, "device": str(dev), "perWidthMsPerStep": per_width}))


if __name__ == "__main__":
    main()
