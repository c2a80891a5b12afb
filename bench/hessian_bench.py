#!/usr/bin/python3
"""PyHessian-style pure-PyTorch Hessian analyses against `sharpscope hessian`, same model, data and
threads (docs/hessian.md, "Performance").

Trains a small MLP on the first N Fashion-MNIST training images (sharpscope's `--subset N`: first
in file order, normalized (x/255 - 0.2860)/0.3530), saves it as TorchScript, then times
  - power iteration top-1 and top-5 (PyHessian `eigenvalues()`, step for step),
  - Hutchinson trace (PyHessian `trace()`),
in Python, and the same analyses plus Lanczos top-5 with the sharpscope binary, reading sharpscope's
own timings and HVP counts (analysis only, model/data loading excluded) from its HDF5 outputs.

Each sharpscope run is a fresh process, so its first HVPs pay the one-off warm-up of any process
(BLAS buffers, allocator, thread pool: ~45 ms on this machine for this model, measured as the
intercept of analysis time against HVP count). By default (--python-start cold) each Python run is a
fresh process too, timed the same way: load the model and data, then time the analysis alone.
--python-start warm instead times Python in the process that trained the model, already warm.

  /usr/bin/python3 bench/hessian_bench.py --binary build/sharpscope --threads 1
"""
import argparse
import gzip
import os
import struct
import subprocess
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FMNIST = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_subset(n):
    x = read_idx(os.path.join(FMNIST, "train-images-idx3-ubyte.gz"))[:n].astype(np.float32)
    y = read_idx(os.path.join(FMNIST, "train-labels-idx1-ubyte.gz"))[:n].astype(np.int64)
    x = (x / 255.0 - 0.2860) / 0.3530
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


class MLP(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


# --- PyHessian's algorithms (pyhessian/hessian.py, utils.py), full-dataset mode ---------------

def group_product(xs, ys):
    return sum(torch.sum(x * y) for x, y in zip(xs, ys))


def normalization(v):
    s = torch.sqrt(group_product(v, v)).item()
    return [vi / (s + 1e-6) for vi in v]


def orthnormal(w, v_list):
    for v in v_list:
        w = [wi - group_product(w, v) * vi for wi, vi in zip(w, v)]
    return normalization(w)


class PyHessianStyle:
    def __init__(self, model, batches):
        self.model, self.batches = model, batches
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.hvps = 0

    def hv(self, v):  # dataloader_hv_product: batch-mean HVPs weighted by batch size
        self.hvps += 1
        total = [torch.zeros_like(p) for p in self.params]
        n = 0
        for x, y in self.batches:
            loss = F.cross_entropy(self.model(x), y)
            grads = torch.autograd.grad(loss, self.params, create_graph=True)
            hv = torch.autograd.grad(grads, self.params, grad_outputs=v)
            total = [t + h * float(x.size(0)) for t, h in zip(total, hv)]
            n += x.size(0)
        total = [t / float(n) for t in total]
        return group_product(total, v).item(), total

    def eigenvalues(self, max_iter=100, tol=1e-3, top_n=1):
        eigenvalues, eigenvectors = [], []
        while len(eigenvalues) < top_n:
            eigenvalue = None
            v = normalization([torch.randn_like(p) for p in self.params])
            for _ in range(max_iter):
                v = orthnormal(v, eigenvectors)
                tmp, hv = self.hv(v)
                v = normalization(hv)
                if eigenvalue is None:
                    eigenvalue = tmp
                elif abs(eigenvalue - tmp) / (abs(eigenvalue) + 1e-6) < tol:
                    break
                else:
                    eigenvalue = tmp
            eigenvalues.append(eigenvalue)
            eigenvectors.append(v)
        return eigenvalues

    def trace(self, max_iter=100, tol=1e-3):
        values, trace = [], 0.0
        for _ in range(max_iter):
            v = [torch.randint_like(p, high=2) * 2 - 1 for p in self.params]
            _, hv = self.hv(v)
            values.append(group_product(hv, v).item())
            if abs(np.mean(values) - trace) / (abs(trace) + 1e-6) < tol:
                break
            trace = np.mean(values)
        return float(np.mean(values)), len(values)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def sharpscope(binary, model_path, args, extra, out, seed=0):
    cmd = [binary, "hessian"] + extra + [model_path, "--data", "fmnist", "--subset", str(args.subset),
                                        "--batch-size", str(args.batch_size), "--threads",
                                        str(args.threads), "--seed", str(seed), "--quiet", "--out", out]
    subprocess.run(cmd, check=True)
    with h5py.File(out, "r") as f:
        first = float(f["eigenvalues"][0]) if "eigenvalues" in f else float(f["trace"][0])
        return first, int(f.attrs["total_hvps"]), float(f.attrs["total_seconds"])


ANALYSES = {
    "power top-1": (lambda h: h.eigenvalues(top_n=1)[0], ["spectrum", "--method", "power", "--top", "1"]),
    "power top-5": (lambda h: h.eigenvalues(top_n=5)[0], ["spectrum", "--method", "power", "--top", "5"]),
    "trace": (lambda h: h.trace()[0], ["trace"]),
}


def python_run(model, batches, name, seed):
    torch.manual_seed(seed)
    h = PyHessianStyle(model, batches)
    value, seconds = timed(lambda: ANALYSES[name][0](h))
    return value, h.hvps, seconds


def python_cold_run(args, state_path, name, seed):
    """One analysis in a fresh Python process (this script's --worker mode)."""
    out = subprocess.run([sys.executable, __file__, "--worker", name, "--worker-seed", str(seed),
                          "--worker-state", state_path, "--subset", str(args.subset), "--batch-size",
                          str(args.batch_size), "--hidden", str(args.hidden), "--threads", str(args.threads)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def batches_of(x, y, args):
    return [(x[i:i + args.batch_size], y[i:i + args.batch_size]) for i in range(0, args.subset, args.batch_size)]


def worker(args):
    x, y = load_subset(args.subset)
    model = MLP(args.hidden)
    model.load_state_dict(torch.load(args.worker_state))
    model.eval()
    value, hvps, seconds = python_run(model, batches_of(x, y, args), args.worker, args.worker_seed)
    print(value, hvps, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/sharpscope")
    parser.add_argument("--subset", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workdir", default="bench/out")
    parser.add_argument("--seeds", type=int, default=5,
                        help="start vectors / probes per analysis: iteration counts depend on the random start, "
                             "so single runs compare luck; means over seeds compare the implementations")
    parser.add_argument("--python-start", choices=["cold", "warm"], default="cold",
                        help="cold: each Python run in a fresh process, like each sharpscope run; "
                             "warm: in this process, already warmed by training the model")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-state", help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.worker:
        return worker(args)
    torch.manual_seed(0)
    os.makedirs(args.workdir, exist_ok=True)

    x, y = load_subset(args.subset)
    model = MLP(args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(200):  # full-batch training to a low-loss point, where the spectrum is sharp
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    model_path = os.path.join(args.workdir, "fmnist-mlp.pt")
    torch.jit.script(model).save(model_path)
    state_path = os.path.join(args.workdir, "fmnist-mlp.state.pt")
    torch.save(model.state_dict(), state_path)
    d = sum(p.numel() for p in model.parameters())
    print(f"model: MLP 784-{args.hidden}-10 ({d} parameters), {args.subset} examples, "
          f"batch {args.batch_size}, {args.threads} thread(s), Python runs {args.python_start}")

    batches = batches_of(x, y, args)
    rows = []
    for name, (_, extra) in ANALYSES.items():
        python_runs, our_runs = [], []
        for seed in range(args.seeds):
            python_runs.append(python_run(model, batches, name, seed) if args.python_start == "warm"
                               else python_cold_run(args, state_path, name, seed))
            out = os.path.join(args.workdir, name.replace(" ", "_") + f"-{seed}.h5")
            our_runs.append(sharpscope(args.binary, model_path, args, extra, out, seed))
        mean = lambda runs, i: sum(r[i] for r in runs) / len(runs)
        rows.append((name, mean(python_runs, 0), mean(python_runs, 1), mean(python_runs, 2),
                     mean(our_runs, 0), mean(our_runs, 1), mean(our_runs, 2)))
    lanczos = sharpscope(args.binary, model_path, args, ["spectrum", "--method", "lanczos", "--top", "5"],
                         os.path.join(args.workdir, "lanczos_top-5.h5"))
    print(f"means over {args.seeds} seeds")
    print(f"{'analysis':<12} {'PyTorch value':>14} {'HVPs':>5} {'s':>7} | {'sharpscope value':>16} {'HVPs':>5} "
          f"{'s':>7} | {'s/HVP ratio':>11} {'time ratio':>10}")
    for name, v0, n0, s0, v1, n1, s1 in rows:
        print(f"{name:<12} {v0:>14.6g} {n0:>5.1f} {s0:>7.2f} | {v1:>16.6g} {n1:>5.1f} {s1:>7.2f} | "
              f"{(s0 / n0) / (s1 / n1):>11.2f} {s0 / s1:>10.2f}")
    print(f"sharpscope lanczos top-5: lambda1 {lanczos[0]:.6g}, {lanczos[1]} HVPs, {lanczos[2]:.2f} s")


if __name__ == "__main__":
    main()
