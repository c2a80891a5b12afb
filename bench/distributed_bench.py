#!/usr/bin/env python3
"""Scale-out measurements of docs/distributed.md, on one machine over loopback.

Launches ranks the way torchrun would (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
MASTER_ADDR, MASTER_PORT), each with 1 intra-op thread, and reports:

  grid       `landscape interp` on Fashion-MNIST (mlp:500,500, 2048 examples, a 10x10 grid):
             efficiency T1 / (2 T2) of 2 ranks x 1 thread against 1 rank x 1 thread;
  hvp        `hessian trace` (data-parallel HVPs, same model and data): the same efficiency;
  allreduce  the all-reduce of 0.65 M and 11 M float32 values between 2 ranks, beside the time of
             one HVP of mlp:500,500 (0.65 M parameters, 2048 examples) and of resnet18 (11.2 M,
             64 CIFAR-shaped synthetic examples) on 1 thread;
  dealing    the point loop's two dealings (work queue, static interleaving) over points of unequal
             cost (bench/distributed_bench.cpp).

Usage: bench/distributed_bench.py [--build build] [--only grid,hvp,allreduce,dealing]
Run with `nice` on an otherwise idle machine; every time is the median of --repeats runs.
Needs the build's sharpscope and sharpscope_distributed_bench (-DSHARPSCOPE_BENCH=ON).
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import h5py  # python3-h5py


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(command, ranks, cwd):
    """Runs `command` as `ranks` ranks (1: a plain process); returns the wall seconds."""
    port = free_port()
    start = time.perf_counter()
    processes = []
    for r in range(ranks):
        env = dict(os.environ)
        if ranks > 1:
            env.update(RANK=str(r), WORLD_SIZE=str(ranks), LOCAL_RANK=str(r),
                       LOCAL_WORLD_SIZE=str(ranks), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        processes.append(subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=3600) for p in processes]
    seconds = time.perf_counter() - start
    for p, (out, err) in zip(processes, outputs):
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(command)}\n{err}")
    return seconds, outputs[0][0]


def median_run(command, ranks, cwd, repeats, out=None):
    walls, durations = [], []
    for _ in range(repeats):
        wall, _ = launch(command, ranks, cwd)
        walls.append(wall)
        if out:
            with h5py.File(os.path.join(cwd, out), "r") as f:
                durations.append(float(f.attrs["duration_s"]))
    return statistics.median(walls), (statistics.median(durations) if durations else None)


def train_model(sharpscope, cwd, arch, data, name, batch):
    path = os.path.join(cwd, name)
    subprocess.run([sharpscope, "train", "--arch", arch, "--data", data, "--train-steps", "2",
                    "--batch-size", str(batch), "--train-subset", str(4 * batch), "--test-subset",
                    "64", "--eval-train-subset", "64", "--threads", "2", "--quiet", "--out", path],
                   check=True, cwd=cwd)
    return path


def efficiency(label, command, out, cwd, repeats):
    t1, d1 = median_run(command + ["--out", out], 1, cwd, repeats, out)
    t2, d2 = median_run(command + ["--out", out], 2, cwd, repeats, out)
    print(f"{label}: 1 rank {t1:.2f} s (in the command {d1:.2f} s), 2 ranks {t2:.2f} s "
          f"({d2:.2f} s); efficiency T1/(2 T2) = {t1 / (2 * t2):.3f} (in the command "
          f"{d1 / (2 * d2):.3f})", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--only", default="grid,hvp,allreduce,dealing")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    sharpscope = os.path.join(build, "sharpscope")
    bench = os.path.join(build, "sharpscope_distributed_bench")
    only = args.only.split(",")
    with tempfile.TemporaryDirectory(prefix="sharpscope-dist-bench-") as cwd:
        if "grid" in only or "hvp" in only or "allreduce" in only:
            mlp = train_model(sharpscope, cwd, "mlp:500,500", "fmnist", "mlp.pt", 128)
        common = ["--subset", "2048", "--batch-size", "512", "--threads", "1", "--quiet"]
        if "grid" in only:
            efficiency("grid (10x10 landscape interp)",
                       [sharpscope, "landscape", "interp", mlp, "--dirs", "rand:1,rand:2", "--x",
                        "-1:1:10", "--y", "-1:1:10"] + common, "grid.h5", cwd, args.repeats)
        if "hvp" in only:
            efficiency("hvp (hessian trace, 20 HVPs)",
                       [sharpscope, "hessian", "trace", mlp, "--probes", "20", "--tol", "0"]
                       + common, "trace.h5", cwd, args.repeats)
        if "allreduce" in only:
            _, text = launch([bench, "allreduce", "650000", "11000000"], 2, cwd)
            print(text, end="")
            resnet = train_model(sharpscope, cwd, "resnet18", "synthetic:256,3,32,32,10,0",
                                 "resnet18.pt", 32)
            for label, model, subset in (("mlp:500,500 (0.65 M)", mlp, "2048"),
                                         ("resnet18 (11.2 M)", resnet, "64")):
                # The time of 4 probes minus that of 1: three HVPs without the setup.
                times = []
                for probes in ("1", "4"):
                    cmd = [sharpscope, "hessian", "trace", model, "--probes", probes, "--tol",
                           "0", "--subset", subset, "--batch-size", "64" if subset == "64" else "512",
                           "--threads", "1", "--quiet", "--out", "hvp.h5"]
                    times.append(median_run(cmd, 1, cwd, args.repeats, "hvp.h5")[1])
                print(f"HVP {label} on {subset} examples, 1 thread: {(times[1] - times[0]) / 3:.3f} s",
                      flush=True)
        if "dealing" in only:
            for profile in ("uniform", "alternate", "random", "ramp"):
                for how in ("queue", "static"):
                    _, text = launch([bench, "dealing", how, profile, "200", "20"], 2, cwd)
                    print(text, end="", flush=True)


if __name__ == "__main__":
    main()
