#!/usr/bin/env python3
"""Reference timing for `sharpscope landscape interp`: the same 21x21 grid L(w + x d1 + y d2) over
the first 2048 Fashion-MNIST training images, written as the plain PyTorch-in-Python loop a user
would write (Li et al. 2018's loss-landscape does the same per point: set weights, evaluate).

    /usr/bin/python3 bench/interp_grid.py --threads 2 --model bench/fmnist_mlp.pt

Without --model it builds mlp:500,500 (784-500-500-10, ReLU) from --seed, saves it as TorchScript to
bench/fmnist_mlp.pt (sharpscope loads TorchScript files), and times the grid. Prints one line.
"""
import argparse
import gzip
import time

import numpy as np
import torch


def load_fmnist(count, root="/usr/share/datasets/fashion-mnist"):
    with gzip.open(f"{root}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:count]
    with gzip.open(f"{root}/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:count]
    x = (torch.tensor(images, dtype=torch.float32) / 255.0 - 0.2860) / 0.3530  # docs/math.md §10
    return x, torch.tensor(labels, dtype=torch.long)


def mlp():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 500), torch.nn.ReLU(),
                               torch.nn.Linear(500, 500), torch.nn.ReLU(), torch.nn.Linear(500, 10))


def filter_normalized(params, generator):
    out = []
    for w in params:
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype)
        if w.dim() >= 2:
            d = d * (w.flatten(1).norm(dim=1) / d.flatten(1).norm(dim=1)).view(-1, *[1] * (w.dim() - 1))
        else:
            d.zero_()
        out.append(d)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--model", default="")
    p.add_argument("--save", default="bench/fmnist_mlp.pt")
    p.add_argument("--subset", type=int, default=2048)
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--n", type=int, default=21)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.model:
        model = torch.jit.load(a.model)
    else:
        model = torch.jit.script(mlp())
        torch.jit.save(model, a.save)
    model.eval()
    x, y = load_fmnist(a.subset)
    params = [q for q in model.parameters()]
    w0 = [q.detach().clone() for q in params]
    g = torch.Generator().manual_seed(a.seed)
    d1, d2 = filter_normalized(w0, g), filter_normalized(w0, g)
    coords = torch.linspace(-1.0, 1.0, a.n)
    losses = torch.empty(a.n, a.n)
    start = time.perf_counter()
    with torch.no_grad():
        for i, cx in enumerate(coords):
            for j, cy in enumerate(coords):
                for q, w, e1, e2 in zip(params, w0, d1, d2):
                    q.copy_(w + cx * e1 + cy * e2)
                total, correct = 0.0, 0
                for b in range(0, len(x), a.batch_size):
                    logits = model(x[b:b + a.batch_size])
                    labels = y[b:b + a.batch_size]
                    total += torch.nn.functional.cross_entropy(logits, labels, reduction="sum").item()
                    correct += int((logits.argmax(1) == labels).sum())
                losses[i, j] = total / len(x)  # accuracy correct / len(x), as sharpscope records it
        for q, w in zip(params, w0):
            q.copy_(w)
    seconds = time.perf_counter() - start
    print(f"python-loop {a.n}x{a.n} grid, {len(x)} examples, {a.threads} threads: {seconds:.2f} s "
          f"({1e3 * seconds / a.n ** 2:.1f} ms/point), loss at w {losses[a.n // 2, a.n // 2]:.4f}")


if __name__ == "__main__":
    main()
