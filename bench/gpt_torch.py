#!/usr/bin/env python3
"""PyTorch twins of the GPT examples (examples/gpt/sp.ts and mup.ts, `--model gpt`) and of bench/models/preln.ts
(`--model preln`) for bench/speed.ts. GPT: the same shapes
(vocab 64, sequence 32, 4 heads, 2 pre-LayerNorm blocks of causal self-attention and a 4x ReLU MLP, a final
LayerNorm, a dense readout; batch 16 windows; softmax cross-entropy against one-hot next characters), the
same initialisation as the tfjs files and the same optimizer as `mup-lens sweep` (Adam; muP: per-group LRs,
hidden width x width matrices at lr / width_mult). preln: 4 pre-LN blocks with biased q/k/v/out/MLP projections
on [batch, time, width], GELU, batch 8 x 64 tokens, muP init as the tfjs file. It times one training step (forward, loss, backward,
Adam step, loss read back to the host) per width.

Prints one JSON line: {"torch", "blas", "threads", "device", "steps", "widths": {w: {"msPerStep": [...], "medianMs",
"cpuMsPerStep": [...], "medianCpuMs"}}, "perWidthMsPerStep": {w: median ms}} (CPU time: all of the process's
threads). `--device cuda` runs it on a GPU (bench/gpu.ts, which reads perWidthMsPerStep).
`blas` is the BLAS library torch's process has mapped (Debian's torch links libblas.so.3, which the
alternatives system points at OpenBLAS or at the slow reference BLAS; torch.__config__ says "generic" for both).
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_blas import blas_library

VOCAB, SEQ_LEN, N_HEADS, N_LAYERS, BATCH = 64, 32, 4, 2, 16
BASE_WIDTH, ATTN_MULT = 64, 4.0
LN_EPS = 1e-3  # tf.layers.layerNormalization's default epsilon


def fan_in_uniform_(w, fan_in):
    # tf.initializers.varianceScaling({scale: 1, mode: 'fanIn', distribution: 'uniform'}): U(+-sqrt(3 / fan_in))
    bound = math.sqrt(3.0 / fan_in)
    with torch.no_grad():
        w.uniform_(-bound, bound)


def glorot_uniform_(w, fan_in, fan_out):
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        w.uniform_(-bound, bound)


class Block(nn.Module):
    def __init__(self, d, mup):
        super().__init__()
        self.d, self.dh, self.mup = d, d // N_HEADS, mup
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=LN_EPS), nn.LayerNorm(d, eps=LN_EPS)
        # tfjs stores dense kernels [in, out]: x @ W, no bias on the attention projections (addWeight)
        self.wq, self.wk, self.wv, self.wo = (nn.Parameter(torch.empty(d, d)) for _ in range(4))
        self.fc, self.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        for lin in (self.fc, self.proj):
            nn.init.zeros_(lin.bias)
        if mup:
            nn.init.zeros_(self.wq)
            for w in (self.wk, self.wv, self.wo):
                fan_in_uniform_(w, d)
            fan_in_uniform_(self.fc.weight, d)
            fan_in_uniform_(self.proj.weight, 4 * d)
        else:
            for w in (self.wq, self.wk, self.wv, self.wo, self.fc.weight, self.proj.weight):
                nn.init.normal_(w, 0.0, 0.02)
        self.scale = ATTN_MULT / self.dh if mup else 1.0 / math.sqrt(self.dh)
        self.register_buffer("mask", torch.triu(torch.full((SEQ_LEN, SEQ_LEN), -1e9), diagonal=1))

    def attention(self, x):
        b, t, d = x.shape
        flat = x.reshape(b * t, d)
        heads = lambda w: (flat @ w).reshape(b, t, N_HEADS, self.dh).transpose(1, 2)
        q, k, v = heads(self.wq), heads(self.wk), heads(self.wv)
        att = torch.softmax((q @ k.transpose(-1, -2)) * self.scale + self.mask, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b * t, d)
        return (y @ self.wo).reshape(b, t, d)

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.proj(torch.relu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, width, mup):
        super().__init__()
        self.width, self.mup = width, mup
        self.wte = nn.Embedding(VOCAB, width)
        self.wpe = nn.Parameter(torch.empty(SEQ_LEN, width))
        if mup:
            nn.init.uniform_(self.wte.weight, -0.05, 0.05)  # tf.layers.embedding's default
        else:
            nn.init.normal_(self.wte.weight, 0.0, 0.02)
        nn.init.normal_(self.wpe, 0.0, 0.02)
        self.blocks = nn.ModuleList(Block(width, mup) for _ in range(N_LAYERS))
        self.ln_f = nn.LayerNorm(width, eps=LN_EPS)
        self.readout = nn.Linear(width, VOCAB)
        nn.init.zeros_(self.readout.bias)
        if mup:
            nn.init.zeros_(self.readout.weight)
        else:
            glorot_uniform_(self.readout.weight, width, VOCAB)

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe
        for blk in self.blocks:
            x = blk(x)
        logits = self.readout(self.ln_f(x))
        return logits * (BASE_WIDTH / self.width) if self.mup else logits

    def param_groups(self, lr):
        if not self.mup:
            return [{"params": list(self.parameters()), "lr": lr}]
        # MuAdam: matrix-like (width x width, both dims grow with width) at lr / width_mult, the rest at lr
        m = self.width / BASE_WIDTH
        hidden = [p for blk in self.blocks for p in (blk.wq, blk.wk, blk.wv, blk.wo, blk.fc.weight, blk.proj.weight)]
        ids = {id(p) for p in hidden}
        rest = [p for p in self.parameters() if id(p) not in ids]
        return [{"params": hidden, "lr": lr / m}, {"params": rest, "lr": lr}]


class PreLN(nn.Module):
    """bench/models/preln.ts: tf.layers.dense projections (biased, fan-in init), GELU (tfjs' erf form)."""
    SEQ, BATCH, LAYERS = 64, 8, 4

    def __init__(self, width):
        super().__init__()
        self.width, self.dh = width, width // N_HEADS
        self.wte = nn.Embedding(VOCAB, width)
        nn.init.uniform_(self.wte.weight, -0.05, 0.05)
        self.wpe = nn.Parameter(torch.randn(self.SEQ, width) * 0.02)

        def dense(i, o):
            lin = nn.Linear(i, o)
            fan_in_uniform_(lin.weight, i)
            nn.init.zeros_(lin.bias)
            return lin

        self.blocks = nn.ModuleList(
            nn.ModuleDict({"ln1": nn.LayerNorm(width, eps=LN_EPS), "q": dense(width, width), "k": dense(width, width), "v": dense(width, width),
                           "o": dense(width, width), "ln2": nn.LayerNorm(width, eps=LN_EPS), "fc": dense(width, 4 * width), "proj": dense(4 * width, width)})
            for _ in range(self.LAYERS))
        self.ln_f = nn.LayerNorm(width, eps=LN_EPS)
        self.readout = nn.Linear(width, VOCAB)
        nn.init.zeros_(self.readout.weight)
        nn.init.zeros_(self.readout.bias)
        self.register_buffer("mask", torch.triu(torch.full((self.SEQ, self.SEQ), -1e9), diagonal=1))

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe
        b, t, d = x.shape
        split = lambda z: z.reshape(b, t, N_HEADS, self.dh).transpose(1, 2)
        for blk in self.blocks:
            h = blk["ln1"](x)
            q, k, v = split(blk["q"](h)), split(blk["k"](h)), split(blk["v"](h))
            att = torch.softmax((q @ k.transpose(-1, -2)) * (ATTN_MULT / self.dh) + self.mask, dim=-1)
            x = x + blk["o"]((att @ v).transpose(1, 2).reshape(b, t, d))
            x = x + blk["proj"](F.gelu(blk["fc"](blk["ln2"](x))))
        return self.readout(self.ln_f(x)) * (BASE_WIDTH / self.width)

    def param_groups(self, lr):
        m = self.width / BASE_WIDTH
        hidden = [blk[n].weight for blk in self.blocks for n in ("q", "k", "v", "o", "fc", "proj")]
        ids = {id(p) for p in hidden}
        return [{"params": hidden, "lr": lr / m}, {"params": [p for p in self.parameters() if id(p) not in ids], "lr": lr}]


def time_width(model_name, width, mup, steps, warmup, lr, dev):
    torch.manual_seed(width)
    if model_name == "preln":
        model, batch, seq = PreLN(width), PreLN.BATCH, PreLN.SEQ
    else:
        model, batch, seq = GPT(width, mup), BATCH, SEQ_LEN
    model = model.to(dev)
    opt = torch.optim.Adam(model.param_groups(lr), lr=lr)
    g = torch.Generator().manual_seed(1234)
    tokens = torch.randint(0, VOCAB, (batch, seq), generator=g).to(dev)
    targets = torch.randint(0, VOCAB, (batch * seq,), generator=g).to(dev)
    times, cpu = [], []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        c0 = time.process_time()  # CPU time of the process, all threads
        loss = F.cross_entropy(model(tokens).reshape(-1, VOCAB), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return times, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="64,128,256")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--param", choices=["sp", "mup"], default="mup")
    ap.add_argument("--model", choices=["gpt", "preln"], default="gpt")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda (bench/gpu.ts)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    out = {"torch": torch.__version__, "model": args.model, "threads": torch.get_num_threads(), "device": str(dev), "param": args.param, "steps": args.steps, "widths": {}}
    for w in (int(v) for v in args.widths.split(",")):
        ms, cpu = time_width(args.model, w, args.param == "mup", args.steps, args.warmup, args.lr, dev)
        out["widths"][w] = {"msPerStep": ms, "medianMs": sorted(ms)[len(ms) // 2], "cpuMsPerStep": cpu, "medianCpuMs": sorted(cpu)[len(cpu) // 2]}
    out["perWidthMsPerStep"] = {w: v["medianMs"] for w, v in out["widths"].items()}
    out["blas"] = blas_library()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
