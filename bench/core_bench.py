#!/usr/bin/python3
"""The PyTorch-in-Python equivalent of bench/core_bench.cpp: the same architecture, data,
batch sizes and thread count; a forward loss over 10 000 Fashion-MNIST test examples and one
full-subset Hessian-vector product (double backward) over 2 048. Prints "name seconds" lines."""
import argparse
import gzip
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_fmnist_test(n):
    root = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(root + "t10k-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    with gzip.open(root + "t10k-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    x = (torch.from_numpy(x.astype(np.float32)) / 255 - 0.2860) / 0.3530
    return x, torch.from_numpy(y.astype(np.int64))


def make(arch):
    if arch.startswith("mlp"):
        widths = [int(w) for w in arch.split(":")[1].split(",")] if ":" in arch else [500, 500]
        layers, d = [nn.Flatten()], 784
        for w in widths:
            layers += [nn.Linear(d, w), nn.ReLU()]
            d = w
        return nn.Sequential(*layers, nn.Linear(d, 10))
    if arch.startswith("cnn"):
        c1, c2 = [int(c) for c in arch.split(":")[1].split(",")] if ":" in arch else (32, 64)
        block = lambda i, o: [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]
        return nn.Sequential(*block(1, c1), *block(c1, c2), nn.Flatten(), nn.Linear(c2 * 49, 10))
    raise SystemExit(f"unknown arch {arch}")


def median_seconds(repeats, f):
    f()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="mlp:500,500")
    p.add_argument("--examples", type=int, default=10000)
    p.add_argument("--hvp-examples", type=int, default=2048)
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--hvp-batch-size", type=int, default=2048)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads or os.cpu_count())
    x, y = load_fmnist_test(a.examples)
    model = make(a.arch).eval()
    params = [p for p in model.parameters() if p.requires_grad]

    def forward():  # loss and accuracy, as sharpscope's evaluation reports both
        total, correct = 0.0, 0
        with torch.no_grad():
            for s in range(0, len(x), a.batch_size):
                logits, labels = model(x[s:s + a.batch_size]), y[s:s + a.batch_size]
                total += F.cross_entropy(logits, labels, reduction="sum").item()
                correct += (logits.argmax(1) == labels).sum().item()
        return total / len(x), correct / len(x)

    v = [p.detach().clone() for p in params]
    xh, yh = x[:a.hvp_examples], y[:a.hvp_examples]

    def hvp():
        out = [torch.zeros_like(p) for p in params]
        for s in range(0, len(xh), a.hvp_batch_size):
            loss = F.cross_entropy(model(xh[s:s + a.hvp_batch_size]), yh[s:s + a.hvp_batch_size],
                                   reduction="sum") / len(xh)
            g = torch.autograd.grad(loss, params, create_graph=True)
            hv = torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)
            for o, h in zip(out, hv):
                o += h
        return out

    print(f"arch {a.arch} threads {torch.get_num_threads()}")
    print(f"forward {median_seconds(a.repeats, forward):.6f}")
    print(f"hvp {median_seconds(a.repeats, hvp):.6f}")


if __name__ == "__main__":
    main()
