#!/usr/bin/python3
"""One PyHessian analysis in this (fresh) process; prints one JSON line (@@RESULT ...).

  PYHESSIAN_DIR=/work/peers/PyHessian /usr/bin/python3 bench/peers/peer_pyhessian.py \
      --model mlp --task top1|top5|trace|density [--seed 0] [--threads 2] [--subset 2048]

PyHessian is imported from $PYHESSIAN_DIR (its `pyhessian` package) and called at its defaults:
hessian(model, CrossEntropyLoss(), data=(x, y), cuda=False), the single-batch mode its
example_pyhessian_analysis.py takes when --hessian-batch-size equals --mini-hessian-batch-size
(default 200 = 200; here both are the subset). --batch B > 0 uses its dataloader mode instead
(mini-batches of B, what a subset too large for one batch needs).
  top1/top5: eigenvalues(maxIter=100, tol=1e-3, top_n=1|5)
  trace:     trace(maxIter=100, tol=...)  (--trace-tol, default 0: exactly 100 probes; PyHessian's
             default tol=1e-3 stops at a random count, pass --trace-tol 1e-3 for it)
  density:   density(iter=100, n_v=1)
Timed: from constructing `hessian` (which, in single-batch mode, runs the forward and the
create_graph backward) to the analysis' return. HVPs are counted by wrapping PyHessian's own
hessian_vector_product / dataloader_hv_product (a counter, nothing else changes).
"""
import argparse
import sys
import time

import numpy as np
import torch

import common


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, choices=sorted(common.MODELS))
    parser.add_argument("--task", required=True, choices=["top1", "top5", "trace", "density"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--subset", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=0, help="0: one batch (data=); B: dataloader of batches of B")
    parser.add_argument("--trace-probes", type=int, default=100)
    parser.add_argument("--trace-tol", type=float, default=0.0)
    args = parser.parse_args()
    common.setup_threads(args.threads)

    path = common.peer_on_path("PYHESSIAN_DIR")
    import pyhessian  # noqa: E402  (from the checkout)
    hessian_module = sys.modules["pyhessian.hessian"]  # the package re-exports the class under this name

    counter = {"hvps": 0}
    original_hvp = hessian_module.hessian_vector_product

    def counted_hvp(*a, **k):
        counter["hvps"] += 1
        return original_hvp(*a, **k)

    hessian_module.hessian_vector_product = counted_hvp
    original_loader_hvp = hessian_module.hessian.dataloader_hv_product

    def counted_loader_hvp(self, v):
        counter["hvps"] += 1
        return original_loader_hvp(self, v)

    hessian_module.hessian.dataloader_hv_product = counted_loader_hvp

    model = common.load_eager(args.model)
    x, y = common.load_fmnist("train", args.subset)
    criterion = torch.nn.CrossEntropyLoss()
    if args.batch > 0:
        data = {"dataloader": [(x[i:i + args.batch], y[i:i + args.batch]) for i in range(0, x.size(0), args.batch)]}
    else:
        data = {"data": (x, y)}

    torch.manual_seed(args.seed)
    start = time.perf_counter()
    h = pyhessian.hessian(model, criterion, cuda=False, **data)
    result = {"peer": "PyHessian", "peer_commit": common.peer_commit(path), "model": args.model, "task": args.task,
              "seed": args.seed, "threads": args.threads, "mode": "dataloader" if args.batch else "single batch",
              "batch": args.batch or args.subset}
    if args.task in ("top1", "top5"):
        top_n = 1 if args.task == "top1" else 5
        eigenvalues, _ = h.eigenvalues(maxIter=100, tol=1e-3, top_n=top_n)
        seconds = time.perf_counter() - start
        result["eigenvalues"] = [float(e) for e in eigenvalues]
        result["call"] = f"eigenvalues(maxIter=100, tol=1e-3, top_n={top_n})"
    elif args.task == "trace":
        values = h.trace(maxIter=args.trace_probes, tol=args.trace_tol)
        seconds = time.perf_counter() - start
        values = np.asarray(values, dtype=np.float64)
        result["trace"] = float(values.mean())
        result["standard_error"] = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else None
        result["probes"] = int(len(values))
        result["call"] = f"trace(maxIter={args.trace_probes}, tol={args.trace_tol:g})"
    else:
        eigen, weights = h.density(iter=100, n_v=1)
        seconds = time.perf_counter() - start
        nodes = np.asarray(eigen[0], dtype=np.float64)
        w = np.asarray(weights[0], dtype=np.float64).real
        d = sum(p.numel() for p in h.params)
        result["ritz_max"] = float(nodes.max())
        result["ritz_min"] = float(nodes.min())
        result["trace_estimate"] = float(d * np.sum(w * nodes))  # d * sum w theta estimates tr(H)
        result["call"] = "density(iter=100, n_v=1)"
    result["seconds"] = seconds
    result["hvps"] = counter["hvps"]
    common.emit(result)


if __name__ == "__main__":
    main()
