#!/usr/bin/python3
"""Training throughput: steps/second of SGD, SAM and SAM-2 for sharpscope's trainer and for an
equivalent PyTorch-in-Python SAM implementation (same architecture, Fashion-MNIST, batch size,
momentum SGD and thread count). sharpscope is timed as whole `sharpscope train` runs of two
lengths, and the difference divided by the extra steps, which cancels start-up, data loading
and the end-of-run evaluation (both lengths stay inside the first epoch, so no per-epoch evaluation
is timed). This machine is a shared VM whose speed drifts by +-20 % between runs: each side is
measured --repeats times, interleaved, and the best (the least disturbed) run of each is compared,
as timeit does. Prints steps/s, the SAM/SGD time ratio and sharpscope/Python ratios.
Usage: bench/train_bench.py [--binary build/sharpscope] [--arch mlp:500,500] [--threads 2] [--repeats 3]"""
import argparse
import gzip
import os
import subprocess
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

from core_bench import make


def load_fmnist_train():
    root = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(root + "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(root + "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    x = (torch.from_numpy(x.astype(np.float32)) / 255 - 0.2860) / 0.3530
    return x, torch.from_numpy(y.astype(np.int64))


def python_steps_per_second(arch, variant, steps, batch, x, y):
    torch.manual_seed(0)
    model = make(arch).train()
    params = [p for p in model.parameters()]
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)
    rho, n_ascent = 0.05, {"sgd": 0, "sam": 1, "sam-2": 2}[variant]
    order = torch.randperm(len(x))

    def grad_at_current(xb, yb):
        loss = F.cross_entropy(model(xb), yb)
        return loss, torch.autograd.grad(loss, params)

    t0 = time.perf_counter()
    for t in range(steps):
        idx = order[(t * batch) % (len(x) - batch):][:batch]
        xb, yb = x[idx], y[idx]
        loss, g = grad_at_current(xb, yb)
        if n_ascent:
            w0 = [p.detach().clone() for p in params]
            for n in range(n_ascent):  # w^n = w^{n-1} + (rho/N) g/||g||
                if n > 0:
                    _, g = grad_at_current(xb, yb)
                with torch.no_grad():
                    gn = torch.sqrt(sum((gi * gi).sum() for gi in g))
                    for p, gi in zip(params, g):
                        p.add_(gi, alpha=(rho / n_ascent) / gn.item())
            with torch.no_grad():
                d = [p - w for p, w in zip(params, w0)]  # w^pN = w + rho v_N
                dn = torch.sqrt(sum((di * di).sum() for di in d))
                for p, w, di in zip(params, w0, d):
                    p.copy_(w + di * (rho / dn))
            _, g = grad_at_current(xb, yb)
            with torch.no_grad():
                for p, w in zip(params, w0):
                    p.copy_(w)
        for p, gi in zip(params, g):
            p.grad = gi
        opt.step()
    return steps / (time.perf_counter() - t0)


def sharpscope_steps_per_second(binary, arch, variant, steps, batch, threads):
    def run(n):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            subprocess.run([binary, "train", "--arch", arch, "--data", "fmnist", "--optimizer",
                            variant.split("-")[0] if variant != "sam-2" else "sam", "--steps",
                            "2" if variant == "sam-2" else "1", "--rho", "0.05", "--lr", "0.05",
                            "--momentum", "0.9", "--batch-size", str(batch), "--train-steps", str(n),
                            "--threads", str(threads), "--out", d + "/m.pt", "--quiet"],
                           check=True, stdout=subprocess.DEVNULL)
            return time.perf_counter() - t0
    short, long = run(steps // 5), run(steps)
    return (steps - steps // 5) / (long - short)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default="build/sharpscope")
    p.add_argument("--arch", default="mlp:500,500")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--steps", type=int, default=250)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    if a.steps * a.batch_size > 60000:
        p.error("--steps x --batch-size must stay within one Fashion-MNIST epoch (60000 examples)")
    torch.set_num_threads(a.threads)
    x, y = load_fmnist_train()
    print(f"arch {a.arch}, batch {a.batch_size}, threads {a.threads}, steps/s (best of {a.repeats})")
    print(f"{'variant':8} {'sharpscope':>11} {'python':>9} {'ratio':>6}")
    rates = {}
    for variant in ("sgd", "sam", "sam-2"):
        ours, theirs = 0.0, 0.0
        for _ in range(a.repeats):
            ours = max(ours, sharpscope_steps_per_second(a.binary, a.arch, variant, a.steps, a.batch_size, a.threads))
            theirs = max(theirs, python_steps_per_second(a.arch, variant, a.steps, a.batch_size, x, y))
        rates[variant] = ours
        print(f"{variant:8} {ours:11.1f} {theirs:9.1f} {ours / theirs:6.2f}")
    print(f"SAM / SGD wall time per step (sharpscope): {rates['sgd'] / rates['sam']:.2f}")


if __name__ == "__main__":
    main()
