#!/usr/bin/env python3
"""Reference PinSage training step in PyTorch, for `pinsage bench train-step`.

Reads a minibatch exported by the Java driver (its compact computation graph, input features, pair rows and
shared negatives), builds the same network (projection; K CONVOLVE layers with importance pooling over T
neighbours, concatenation, dense + ReLU, L2 normalisation; G1 + ReLU, G2, L2 normalisation) and times
forward + max-margin loss + backward + Adam on it. Prints one line: `pytorch_step_ms=<median> threads=<n>`.

Usage: pinsage_step.py BATCH_FILE --threads N --steps S --warmup W
"""
import argparse
import struct
import time

import numpy as np
import torch


def read_batch(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"PSSTEP01":
        raise SystemExit(f"{path}: not a train-step batch (magic {data[:8]!r})")
    pos = 8

    def ints(n):
        nonlocal pos
        a = np.frombuffer(data, dtype="<i4", count=n, offset=pos)
        pos += 4 * n
        return a

    def floats(n):
        nonlocal pos
        a = np.frombuffer(data, dtype="<f4", count=n, offset=pos)
        pos += 4 * n
        return a

    k, t, feat, inp = ints(4)
    conv = ints(k)
    g1, out, b, nneg = ints(4)
    count = ints(k + 1)
    x = floats(count[0] * feat).reshape(count[0], feat)
    layers = []
    for layer in range(1, k + 1):
        n = count[layer]
        self_rows = ints(n)
        nbr = ints(n * t).reshape(n, t)
        alpha = floats(n * t).reshape(n, t)
        layers.append((self_rows, nbr, alpha))
    q = ints(b)
    p = ints(b)
    neg = ints(nneg)
    return dict(k=k, t=t, feat=feat, inp=inp, conv=list(conv), g1=g1, out=out, x=x, layers=layers, q=q, p=p, neg=neg)


class PinSage(torch.nn.Module):
    def __init__(self, feat, inp, conv, g1, out):
        super().__init__()
        self.proj = torch.nn.Linear(feat, inp)
        dims = [inp] + conv
        self.q = torch.nn.ModuleList([torch.nn.Linear(dims[i], dims[i + 1]) for i in range(len(conv))])
        self.w = torch.nn.ModuleList([torch.nn.Linear(dims[i] + dims[i + 1], dims[i + 1]) for i in range(len(conv))])
        self.g1 = torch.nn.Linear(dims[-1], g1)
        self.g2 = torch.nn.Linear(g1, out)

    def forward(self, x, layers):
        h = self.proj(x)
        for i, (self_rows, pool) in enumerate(layers):
            m = torch.relu(self.q[i](h))                       # map: every node of the layer below once
            pooled = torch.sparse.mm(pool, m)                  # join + importance pooling (α-weighted sparse rows)
            z = torch.relu(self.w[i](torch.cat([h[self_rows], pooled], dim=1)))
            h = torch.nn.functional.normalize(z, dim=1)
        return torch.nn.functional.normalize(self.g2(torch.relu(self.g1(h))), dim=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("batch")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--margin", type=float, default=0.1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    d = read_batch(a.batch)
    x = torch.from_numpy(d["x"].copy())
    # Each layer's pooling is a sparse (targets x sources) matrix of α weights, built once like the Java side's
    # index arrays: a dense gather of (targets, T, d) neighbour rows would be far slower and is not what a careful
    # PyTorch user writes.
    layers = []
    prev = len(d["x"])
    for s, n, al in d["layers"]:
        rows = np.repeat(np.arange(n.shape[0]), n.shape[1])
        idx = torch.from_numpy(np.stack([rows, n.reshape(-1)]).astype(np.int64))
        pool = torch.sparse_coo_tensor(idx, torch.from_numpy(al.reshape(-1).copy()), (n.shape[0], prev)).coalesce()
        layers.append((torch.from_numpy(s.astype(np.int64)), pool))
        prev = n.shape[0]
    q = torch.from_numpy(d["q"].astype(np.int64))
    p = torch.from_numpy(d["p"].astype(np.int64))
    neg = torch.from_numpy(d["neg"].astype(np.int64))
    model = PinSage(d["feat"], d["inp"], d["conv"], d["g1"], d["out"])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for step in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        z = model(x, layers)
        zq, zp, zn = z[q], z[p], z[neg]
        pos_score = (zq * zp).sum(1, keepdim=True)
        loss = torch.clamp(zq @ zn.t() - pos_score + a.margin, min=0).mean()
        loss.backward()
        opt.step()
        if step >= a.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    print(f"pytorch_step_ms={1000 * times[len(times) // 2]:.1f} threads={torch.get_num_threads()} loss={loss.item():.4f}")


if __name__ == "__main__":
    main()
