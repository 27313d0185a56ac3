#!/usr/bin/env python3
"""The PyTorch peer of `pinsage bench train-step`: the same PinSage training step, written for speed.

Reads what the Java driver exported (format PSSTEP02, below): a minibatch's computation graph, the model's weights,
and the loss and gradients our engine computed from those weights on that minibatch. It builds the same network
from the same weights (input projection; K CONVOLVE layers: ReLU(h·Q + q) per source node, α-weighted mean
pooling, ReLU(h_self·W_self + n·W_neigh + w), L2 normalisation; G1 + ReLU, G2, L2 normalisation), checks on its
first step that its loss and every gradient match ours within a tolerance (exit code 3 otherwise), then times
forward + max-margin loss + backward + Adam and prints one line: `pytorch_step_ms=<median> threads=<n> ...`.

How the step is written (what a careful PyTorch user does for speed on a CPU):
- pooling is a sparse CSR matrix of normalised α (targets x sources) times the messages, through a small autograd
  function whose backward multiplies by the transposed CSR matrix, built once per minibatch (outside the timer, as
  our engine builds its transposed neighbour lists once per minibatch when the minibatch is staged);
- the concatenation [h_self ; n]·W is two addmm into one output (W split as W_self and W_neigh), h_self a
  row-prefix view, never a gather;
- activations in place (relu_), biases folded into addmm, Adam fused (`fused=True`, else `foreach=True`),
  gradients set to None rather than zeroed;
- the linear input projection folded into layer 1's messages, ReLU(x·(P·Q) + (b·Q + q)), with h0 computed for
  layer 1's targets only, as our engine does (most of a minibatch's nodes are in layer 0).

Usage: pinsage_step.py BATCH_FILE [--threads N] [--steps S] [--warmup W] [--rtol R]

PSSTEP02 (little-endian): magic "PSSTEP02"; int32 K, featureDim, batch, negatives; int32 count[0..K]; float32
features[count0 x featureDim]; per layer k = 1..K: int32 edges, int32 offsets[count_k + 1], int32
neighbours[edges], float32 alpha[edges]; int32 query[batch], positive[batch], negative[negatives]; float32
margin; int32 P; per parameter: int32 name length, UTF-8 name, int32 rows, cols, float32 value[rows x cols];
float64 loss; per parameter float32 gradient[rows x cols].
"""
import argparse
import sys
import time
import warnings

import numpy as np
import torch


class Reader:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        self.pos = 0
        self.path = path

    def take(self, dtype, n):
        a = np.frombuffer(self.data, dtype=dtype, count=n, offset=self.pos)
        self.pos += a.itemsize * n
        return a

    def int(self):
        return int(self.take("<i4", 1)[0])


def read_batch(path):
    r = Reader(path)
    magic = r.data[:8]
    if magic != b"PSSTEP02":
        raise SystemExit(f"{path}: not a train-step export (magic {magic!r}, expected b'PSSTEP02')")
    r.pos = 8
    k, feat, batch, nneg = (r.int() for _ in range(4))
    count = r.take("<i4", k + 1)
    x = r.take("<f4", int(count[0]) * feat).reshape(int(count[0]), feat)
    layers = []
    for layer in range(1, k + 1):
        edges = r.int()
        offsets = r.take("<i4", int(count[layer]) + 1)
        nbr = r.take("<i4", edges)
        alpha = r.take("<f4", edges)
        layers.append((offsets, nbr, alpha))
    q = r.take("<i4", batch)
    p = r.take("<i4", batch)
    neg = r.take("<i4", nneg)
    margin = float(r.take("<f4", 1)[0])
    params = {}
    order = []
    for _ in range(r.int()):
        name = bytes(r.take("u1", r.int())).decode("utf-8")
        rows, cols = r.int(), r.int()
        params[name] = r.take("<f4", rows * cols).reshape(rows, cols)
        order.append(name)
    loss = float(r.take("<f8", 1)[0])
    grads = {name: r.take("<f4", params[name].size).reshape(params[name].shape) for name in order}
    if r.pos != len(r.data):
        raise SystemExit(f"{path}: {len(r.data) - r.pos} bytes left after the expected end")
    return dict(k=k, count=count, x=x, layers=layers, q=q, p=p, neg=neg, margin=margin, params=params,
                order=order, loss=loss, grads=grads)


def pooling_matrices(offsets, nbr, alpha, sources):
    """The α-weighted mean as a CSR matrix (targets x sources), and its transpose, also CSR."""
    degree = np.diff(offsets)
    rows = np.repeat(np.arange(len(degree)), degree)
    sums = np.zeros(len(degree), dtype=np.float64)
    np.add.at(sums, rows, alpha)
    inv = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums != 0)
    values = (alpha * inv[rows]).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CSR support "in beta", invariant checks off: both known and intended
        a = torch.sparse_csr_tensor(torch.from_numpy(offsets.astype(np.int64)),
                                    torch.from_numpy(nbr.astype(np.int64)), torch.from_numpy(values),
                                    size=(len(degree), sources))
        return a, a.t().to_sparse_csr()


class Pool(torch.autograd.Function):
    """A·M with a sparse A whose transpose is already built: the backward multiplies by it."""

    @staticmethod
    def forward(ctx, a, a_t, m):
        ctx.a_t = a_t
        return a @ m

    @staticmethod
    def backward(ctx, grad):
        return None, None, ctx.a_t @ grad


def step(w, x, pools, q, p, neg, margin):
    if not pools:
        h = torch.addmm(w["input.b"], x, w["input.P"])
    for i, (a, a_t) in enumerate(pools, start=1):
        c = f"conv{i}."
        if i == 1:
            # h0 = x·P + b is linear, so layer 1's messages fold it in, ReLU(x·(P·Q) + (b·Q + q)), and h0 itself is
            # needed for layer 1's own targets only; autograd differentiates through P·Q and b·Q.
            folded_bias = torch.addmv(w[c + "q"], w[c + "Q"].t(), w["input.b"])
            m = torch.addmm(folded_bias, x, w["input.P"] @ w[c + "Q"]).relu_()
            h_self = torch.addmm(w["input.b"], x[: a.shape[0]], w["input.P"])
        else:
            m = torch.addmm(w[c + "q"], h, w[c + "Q"]).relu_()
            h_self = h[: a.shape[0]]
        n = Pool.apply(a, a_t, m)
        z = torch.addmm(w[c + "w"], h_self, w[c + "W_self"])
        z = torch.addmm(z, n, w[c + "W_neigh"]).relu_()
        h = torch.nn.functional.normalize(z, dim=1)
    g = torch.addmm(w["G1.b"], h, w["G1.W"]).relu_()
    out = torch.nn.functional.normalize(torch.addmm(w["G2.b"], g, w["G2.W"]), dim=1)
    zq, zp, zn = out[q], out[p], out[neg]
    positive = (zq * zp).sum(1, keepdim=True)
    return torch.addmm(positive, zq, zn.t(), alpha=1, beta=-1).add_(margin).clamp_(min=0).mean()


def check(d, loss, weights, rtol):
    """Compares our first loss and gradients with the engine's; returns the worst relative error."""
    worst = abs(loss - d["loss"]) / max(abs(d["loss"]), 1e-12)
    where = "loss"
    for name in d["order"]:
        ours = d["grads"][name]
        theirs = weights[name].grad.reshape(ours.shape).numpy()
        err = float(np.abs(theirs - ours).max()) / max(float(np.abs(ours).max()), 1e-12)
        if err > worst:
            worst, where = err, name + ".grad"
    print(f"check: loss {loss:.7f} (engine {d['loss']:.7f}), largest relative difference {worst:.2e} in {where}"
          f" (tolerance {rtol:g})")
    return worst <= rtol


def blas_line():
    """torch's version, its build's BLAS and the BLAS libraries this process has loaded (Debian's torch links the
    system's libblas.so.3, which may be the single-threaded reference BLAS)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    config = torch.__config__.show()
    blas = config.split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in config else "unknown"
    mkl = [s.strip(" -") for s in config.splitlines() if "Math Kernel Library" in s]
    with open("/proc/self/maps") as maps:
        loaded = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1].lower() and "numpy" not in line})
    return (f"torch {torch.__version__}, BLAS_INFO={blas}" + (f" ({mkl[0]})" if mkl else "")
            + (", loaded " + " ".join(loaded) if loaded else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("batch")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rtol", type=float, default=1e-2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print("peer: " + blas_line() + f", {torch.get_num_threads()} threads")
    d = read_batch(a.batch)
    x = torch.from_numpy(d["x"].copy())
    pools = []
    sources = x.shape[0]
    for offsets, nbr, alpha in d["layers"]:
        pools.append(pooling_matrices(offsets, nbr, alpha, sources))
        sources = len(offsets) - 1
    q, p, neg = (torch.from_numpy(d[s].astype(np.int64)) for s in ("q", "p", "neg"))
    # Biases as vectors (addmm broadcasts them over rows); the gradient check reshapes to the engine's 1 x n.
    weights = {n: torch.tensor(d["params"][n].reshape(-1) if n.endswith((".b", ".q", ".w")) else d["params"][n],
                               requires_grad=True) for n in d["order"]}
    try:
        opt = torch.optim.Adam(weights.values(), lr=1e-3, fused=True)
    except (RuntimeError, TypeError):
        opt = torch.optim.Adam(weights.values(), lr=1e-3, foreach=True)
    times = []
    loss = None
    for s in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = step(weights, x, pools, q, p, neg, d["margin"])
        loss.backward()
        if s == 0 and not check(d, loss.item(), weights, a.rtol):
            sys.exit(3)
        opt.step()
        if s >= a.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    print(f"pytorch_step_ms={1000 * times[len(times) // 2]:.1f} threads={torch.get_num_threads()}"
          f" loss={loss.item():.4f}")


if __name__ == "__main__":
    main()
