#!/usr/bin/python3
"""sharpscope against PyHessian, loss-landscape and davda54/sam: whole processes, interleaved.

  export PYHESSIAN_DIR=/work/peers/PyHessian LOSS_LANDSCAPE_DIR=/work/peers/loss-landscape SAM_DIR=/work/peers/sam
  /usr/bin/python3 bench/peers/models.py              # once: trains mlp.pt and cnn.pt (TorchScript)
  /usr/bin/python3 bench/peers/run.py --repeats 5     # the table (see README.md for what each row is)

For every row, each repeat r runs the peer's driver (a fresh Python process: peer_*.py) and then
the equivalent sharpscope command (a fresh process), both with seed r, 2 threads, the same model
file and the first 2048 Fashion-MNIST training images: A B A B ... The table gives medians over
the repeats of the whole-process wall time (what a user waits for: start-up, imports, loading and
the analysis) and of the analysis time each side reports (Python: timed around the peer's call;
sharpscope: `total_seconds` of `hessian`, `duration_s` of the other commands, which includes
loading), their ratios peer / sharpscope (> 1: sharpscope is faster), and the answers side by side.

Eigenvalue rows also print the relative error of each side's eigenvalues against a reference
(sharpscope Lanczos at --tol 1e-7, computed once per model and cached), so that "equal accuracy" is
a measured statement, not a setting. Trace rows run exactly --trace-probes Rademacher probes on both
sides (PyHessian's tol disabled, sharpscope --tol 0) and print each estimate with its standard error.

SHARPSCOPE (default build/sharpscope under the repository, else /work/main/build/sharpscope) is the
binary; SHARPSCOPE_BENCH_DIR (default /tmp/sharpscope-peers) holds the models and outputs.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

import common

PEER_VARS = {"pyhessian": "PYHESSIAN_DIR", "loss-landscape": "LOSS_LANDSCAPE_DIR", "sam": "SAM_DIR"}
DRIVERS = {"pyhessian": "peer_pyhessian.py", "loss-landscape": "peer_loss_landscape.py", "sam": "peer_sam.py"}


def default_binary():
    if os.environ.get("SHARPSCOPE"):
        return os.environ["SHARPSCOPE"]
    own = os.path.join(common.REPO, "build", "sharpscope")
    return own if os.path.exists(own) else "/work/main/build/sharpscope"


# --- rows --------------------------------------------------------------------------------------

def rows(args):
    """Each row: key, label, peer (name, driver args), sharpscope args (MODEL and OUT filled in), how."""
    data = ["--data", "fmnist", "--subset", str(args.subset), "--threads", str(args.threads)]
    if args.batch_size:
        data += ["--batch-size", args.batch_size]
    peer_common = ["--threads", str(args.threads), "--subset", str(args.subset)]
    hessian_peer = peer_common + ([f"--batch={args.pyhessian_batch}"] if args.pyhessian_batch else [])
    grid = f"-1:1:{args.grid}"
    out = []
    for model in args.models.split(","):
        m = [f"--model={model}"]
        out += [
            dict(key=f"{model}-top1", label=f"{model} top-1 eigenvalue", model=model, kind="spectrum",
                 peer=("pyhessian", m + ["--task", "top1"] + hessian_peer),
                 ours=["hessian", "spectrum", "{MODEL}", "--top", "1"] + data,
                 how="PyHessian eigenvalues(maxIter=100, tol=1e-3) (power iteration, stops when λ changes "
                     "< 1e-3 relative); sharpscope spectrum at its defaults (--tol 1e-3, Ritz residual "
                     "< tol·|λ|, stricter); both checked against the reference"),
            dict(key=f"{model}-top5", label=f"{model} top-5 eigenvalues", model=model, kind="spectrum",
                 peer=("pyhessian", m + ["--task", "top5"] + hessian_peer),
                 ours=["hessian", "spectrum", "{MODEL}", "--top", "5"] + data,
                 how="PyHessian eigenvalues(top_n=5) (power iteration with deflation, tol 1e-3 each); "
                     "sharpscope --top 5 at its defaults"),
            dict(key=f"{model}-trace", label=f"{model} Hutchinson trace, {args.trace_probes} probes", model=model,
                 kind="trace",
                 peer=("pyhessian", m + ["--task", "trace", f"--trace-probes={args.trace_probes}",
                                         "--trace-tol=0"] + hessian_peer),
                 ours=["hessian", "trace", "{MODEL}", "--probes", str(args.trace_probes), "--tol", "0"] + data,
                 how=f"exactly {args.trace_probes} Rademacher probes on both sides (PyHessian trace(maxIter="
                     f"{args.trace_probes}, tol=0), sharpscope --probes {args.trace_probes} --tol 0): the same "
                     "estimator, so the same variance"),
            dict(key=f"{model}-density", label=f"{model} density (SLQ, 100 steps)", model=model, kind="density",
                 peer=("pyhessian", m + ["--task", "density"] + hessian_peer),
                 ours=["hessian", "density", "{MODEL}"] + data,
                 how="PyHessian density(iter=100, n_v=1); sharpscope density at its defaults (--runs 1 "
                     "--lanczos-steps 100, full reorthogonalization like PyHessian)"),
            dict(key=f"{model}-grid", label=f"{model} {args.grid}×{args.grid} random-direction grid", model=model,
                 kind="grid",
                 peer=("loss-landscape", m + [f"--x={grid}", f"--y={grid}"] + peer_common),
                 ours=["landscape", "interp", "{MODEL}", "--dirs", "rand:1,rand:2", "--x", grid, "--y", grid] + data,
                 how="both: two Gaussian directions, filter-normalized, biases zero (loss-landscape weights/"
                     "filter/biasbn), weights set from a saved copy at each point, mean loss over the subset; "
                     "different random draws, the same loss at the centre"),
        ]
    # The SAM row does not depend on --models: both sides train a fresh MLP.
    sam = ["--epochs", "1", "--batch-size", "128", "--threads", str(args.threads)]
    peer_sam = ["--epochs=1", "--batch=128", f"--threads={args.threads}"]
    if args.sam_train_subset:
        sam += ["--train-subset", str(args.sam_train_subset)]
        peer_sam += [f"--train-subset={args.sam_train_subset}"]
    out.append(dict(key="sam-epoch", label="one SAM epoch, MLP 500-500, batch 128", model="mlp", kind="train",
                    peer=("sam", peer_sam),
                    ours=["train", "--arch", "mlp:500,500", "--optimizer", "sam", "--rho", "0.05", "--lr", "0.1",
                          "--momentum", "0.9"] + sam,
                    how="SAM(params, SGD, rho=0.05, lr=0.1, momentum=0.9) with first_step/second_step in a "
                        "plain loop vs sharpscope train --optimizer sam with the same settings; both from a "
                        "fresh initialization, then loss/accuracy on the first 10 000 training and the 10 000 "
                        "test images, and a saved checkpoint"))
    if args.rows_wanted != ["all"]:
        out = [r for r in out if any(r["key"] == w or r["key"].split("-")[-1] == w or r["key"].split("-")[0] == w
                                     for w in args.rows_wanted)]
    return out


# --- running -----------------------------------------------------------------------------------

def run_process(cmd, env=None):
    """Run cmd to completion; returns (wall seconds, peak RSS in MB, stdout, stderr, returncode)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024.0, out.read().decode(errors="replace"), err.read().decode(
            errors="replace"), p.returncode


def nice_prefix(args):
    return ["nice", "-n", str(args.nice)] if args.nice else []


def peer_command(row, seed, args):
    name, driver_args = row["peer"]
    cmd = nice_prefix(args) + [sys.executable, os.path.join(common.HERE, DRIVERS[name])] + driver_args
    if name in ("pyhessian", "sam"):  # loss-landscape seeds itself (torch.manual_seed(123))
        cmd += [f"--seed={seed}"]
    return cmd


def our_command(row, seed, args, out):
    cmd = [args.binary] + [common.model_path(row["model"]) if a == "{MODEL}" else a for a in row["ours"]]
    cmd += ["--seed", str(seed), "--quiet"]
    cmd += ["--out", out[:-3] + ".pt"] if row["kind"] == "train" else ["--out", out]
    cmd += shlex.split(args.extra.get(row["key"], "")) + shlex.split(args.extra.get(row["kind"], ""))
    return cmd


def run_peer(row, seed, args):
    cmd = peer_command(row, seed, args)
    wall, rss, out, err, rc = run_process(cmd)
    if rc != 0:
        raise RuntimeError(f"peer failed ({rc}): {shlex.join(cmd)}\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith("@@RESULT ")]
    if not lines:
        raise RuntimeError(f"peer printed no result: {shlex.join(cmd)}\n{out[-2000:]}\n{err[-2000:]}")
    result = json.loads(lines[-1][len("@@RESULT "):])
    result.update(wall=wall, rss_mb=rss, command=shlex.join(cmd))
    return result


def run_ours(row, seed, args, workdir):
    out = os.path.join(workdir, f"{row['key']}-{seed}.h5")
    for stale in (out, out[:-3] + ".pt", out[:-3] + ".train.h5"):
        if os.path.exists(stale):
            os.remove(stale)
    cmd = our_command(row, seed, args, out)
    wall, rss, stdout, err, rc = run_process(nice_prefix(args) + cmd)
    if rc != 0:
        raise RuntimeError(f"sharpscope failed ({rc}): {shlex.join(cmd)}\n{err[-3000:]}")
    result = read_ours(row, out[:-3] + ".train.h5" if row["kind"] == "train" else out)
    result.update(wall=wall, rss_mb=rss, command=shlex.join(cmd))
    return result


def attr(f, name, default=None):
    value = f.attrs.get(name, default)
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    return value


def number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_ours(row, path):
    with h5py.File(path, "r") as f:
        r = {"duration_s": number(attr(f, "duration_s")), "tool_version": attr(f, "tool_version")}
        kind = row["kind"]
        if kind in ("spectrum", "trace", "density"):
            r["seconds"] = number(attr(f, "total_seconds"))
            r["hvps"] = int(attr(f, "total_hvps", 0))
        elif kind == "train":  # the trainer's own clock, from its start to the last evaluation
            r["seconds"] = float(np.array(f["epochs"]["wall_seconds"])[-1])
        else:
            r["seconds"] = r["duration_s"]
        if kind == "spectrum":
            r["eigenvalues"] = [float(v) for v in f["eigenvalues"][()]]
            r["residuals"] = [float(v) for v in f["residuals"][()]]
        elif kind == "trace":
            r["trace"] = float(np.ravel(f["trace"][()])[0])
            r["standard_error"] = float(np.ravel(f["standard_error"][()])[0])
            r["probes"] = int(np.ravel(f["probes"][()]).size) if "probes" in f else None
        elif kind == "density":
            nodes, weights = np.array(f["ritz_values"]), np.array(f["ritz_weights"])
            d = number(attr(f, "dimension"))
            r["ritz_max"], r["ritz_min"] = float(nodes.max()), float(nodes.min())
            r["trace_estimate"] = float(d * np.mean(np.sum(nodes * weights, axis=1))) if d else None
        elif kind == "grid":
            loss, x, y = np.array(f["loss"]), np.array(f["x"]), np.array(f["y"])
            r["loss_centre"] = float(loss[int(np.argmin(np.abs(x))), int(np.argmin(np.abs(y)))])
            r["loss_min"], r["loss_max"] = float(np.nanmin(loss)), float(np.nanmax(loss))
        elif kind == "train":
            epochs = f["epochs"]
            last = {k: float(np.array(epochs[k])[-1]) for k in epochs.keys()}
            r["epoch_log"] = last
            r["test_accuracy"] = last.get("test_accuracy")
            r["train_loss"] = last.get("train_loss")
    return r


def reference(model, args, workdir):
    """Top-5 eigenvalues from a tight Lanczos solve, cached per model file."""
    path = common.model_path(model)
    cache = os.path.join(common.bench_dir(), f"{model}.reference.json")
    stamp = [os.path.getmtime(path), args.subset, args.reference_tol]
    if os.path.exists(cache):
        with open(cache) as f:
            cached = json.load(f)
        if cached.get("stamp") == stamp:
            return cached
    out = os.path.join(workdir, f"{model}-reference.h5")
    cmd = [args.binary, "hessian", "spectrum", path, "--top", "5", "--tol", str(args.reference_tol), "--max-iter",
           "1000", "--data", "fmnist", "--subset", str(args.subset), "--threads", str(args.threads), "--quiet",
           "--out", out]
    print(f"reference eigenvalues for {model}: {shlex.join(cmd)}", flush=True)
    wall, _, _, err, rc = run_process(nice_prefix(args) + cmd)
    if rc != 0:
        raise RuntimeError(f"reference failed: {err[-2000:]}")
    with h5py.File(out, "r") as f:
        cached = {"stamp": stamp, "eigenvalues": [float(v) for v in f["eigenvalues"][()]],
                  "residuals": [float(v) for v in f["residuals"][()]], "command": shlex.join(cmd), "wall": wall}
    with open(cache, "w") as f:
        json.dump(cached, f, indent=1)
    return cached


# --- reporting ---------------------------------------------------------------------------------

def med(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def rel_errors(values, ref):
    """Relative errors of the k values against the top k of the reference, both sorted descending
    (deflated power iteration may find close eigenvalues out of order)."""
    values, ref = sorted(values, reverse=True), sorted(ref, reverse=True)[:len(values)]
    return [abs(v - r) / abs(r) for v, r in zip(values, ref)]


def answer(row, runs, ref):
    """A short text with the answers of the median run (by wall time) of one side."""
    r = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
    kind = row["kind"]
    if kind == "spectrum":
        values = r["eigenvalues"]
        text = "λ " + ", ".join(f"{v:.5g}" for v in values)
        if ref:
            worst = max(max(rel_errors(x["eigenvalues"], ref["eigenvalues"])) for x in runs)
            text += f" (max rel. err {worst:.1e})"
        return text
    if kind == "trace":
        return f"{r['trace']:.4g} ± {r['standard_error']:.2g}"
    if kind == "density":
        text = f"θmax {r['ritz_max']:.5g}"
        if r.get("trace_estimate") is not None:
            text += f", d·Σwθ {r['trace_estimate']:.4g}"
        return text
    if kind == "grid":
        return f"L(0,0) {r['loss_centre']:.5f}, max {r['loss_max']:.4g}"
    if kind == "train":
        return f"test acc {100 * r['test_accuracy']:.2f} %"
    return ""


def fmt(value, digits=3):
    return "–" if value is None else f"{value:.{digits}g}"


def table(results, refs):
    lines = ["| row | peer wall s | sharpscope wall s | **ratio (wall)** | peer analysis s | sharpscope analysis s | "
             "ratio (analysis) | HVPs peer / ours | peer answer | sharpscope answer |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row, peer_runs, our_runs in results:
        ref = refs.get(row["model"]) if row["kind"] == "spectrum" else None
        pw, ow = med(peer_runs, "wall"), med(our_runs, "wall")
        pa, oa = med(peer_runs, "seconds"), med(our_runs, "seconds")
        ph, oh = med(peer_runs, "hvps"), med(our_runs, "hvps")
        hvps = f"{fmt(ph)} / {fmt(oh)}" if ph is not None else "–"
        lines.append(f"| {row['label']} | {fmt(pw)} | {fmt(ow)} | **{fmt(pw / ow if pw and ow else None)}** | "
                     f"{fmt(pa)} | {fmt(oa)} | {fmt(pa / oa if pa and oa else None)} | {hvps} | "
                     f"{answer(row, peer_runs, ref)} | {answer(row, our_runs, ref)} |")
    return "\n".join(lines)


def save_json(path, header, refs, results):
    """All runs so far (rewritten after every row, so an interrupted run keeps what it measured)."""
    with open(path, "w") as f:
        json.dump({"header": header, "references": refs,
                   "rows": [{"row": row, "peer": p, "sharpscope": o} for row, p, o in results]}, f, indent=1)


def git(*a):
    out = subprocess.run(["git", "-C", common.REPO] + list(a), capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{socket.gethostname()}: {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.platform()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs per side and row (medians)")
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--rows", default="all",
                        help="comma list of row keys or suffixes: top1,top5,trace,density,grid,sam or e.g. cnn-top1")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--subset", type=int, default=2048)
    parser.add_argument("--grid", type=int, default=21, help="points per axis of the grid row")
    parser.add_argument("--trace-probes", type=int, default=100)
    parser.add_argument("--sam-train-subset", type=int, default=0, help="SAM row: first n training images (0 = all)")
    parser.add_argument("--pyhessian-batch", type=int, default=0,
                        help="PyHessian's dataloader mode with batches of B (default 0: its single-batch mode)")
    parser.add_argument("--batch-size", default="", help="sharpscope --batch-size (default: its own default)")
    parser.add_argument("--extra", action="append", default=[], metavar="ROW=ARGS",
                        help="more sharpscope flags for a row key or kind (spectrum, trace, density, grid, train), "
                             "e.g. --extra 'spectrum=--method lanczos'")
    parser.add_argument("--reference-tol", type=float, default=1e-7)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--nice", type=int, default=0, help="run both sides under nice -n N")
    parser.add_argument("--markdown", help="also write the table, with date, machine and commits, to this file")
    parser.add_argument("--json", help="all runs as JSON (default: $SHARPSCOPE_BENCH_DIR/peers-results.json)")
    parser.add_argument("--dry-run", action="store_true", help="print the commands of one repeat and exit")
    args = parser.parse_args()
    args.rows_wanted = args.rows.split(",")
    args.extra = dict(e.split("=", 1) for e in args.extra)

    all_rows = rows(args)
    needed = {row["peer"][0] for row in all_rows}
    for name in sorted(needed):
        if not os.environ.get(PEER_VARS[name]):
            sys.exit(common.how_to_fetch(PEER_VARS[name]))
    if not os.path.exists(args.binary):
        sys.exit(f"sharpscope binary {args.binary} not found: build it (README.md) or set SHARPSCOPE")
    for model in {row["model"] for row in all_rows if row["kind"] != "train"}:
        if not os.path.exists(common.model_path(model)):
            sys.exit(f"{common.model_path(model)} is missing: run /usr/bin/python3 bench/peers/models.py")
    workdir = tempfile.mkdtemp(prefix="runs-", dir=common.bench_dir())

    if args.dry_run:
        for row in all_rows:
            out = os.path.join(workdir, f"{row['key']}-0.h5")
            print(f"# {row['key']}\n  peer: {shlex.join(peer_command(row, 0, args))}\n"
                  f"  ours: {shlex.join(our_command(row, 0, args, out))}")
        os.rmdir(workdir)
        return

    refs = {}
    if not args.no_reference:
        for model in sorted({row["model"] for row in all_rows if row["kind"] == "spectrum"}):
            refs[model] = reference(model, args, workdir)

    # Warm the page cache for both sides once (LibTorch, Python's torch, the data files).
    run_process([args.binary, "--version"])
    run_process([sys.executable, "-c", "import torch, h5py"])

    json_path = args.json or os.path.join(common.bench_dir(), "peers-results.json")
    started = datetime.datetime.now().astimezone()
    results = []
    for row in all_rows:
        peer_runs, our_runs = [], []
        for r in range(args.repeats):
            peer_runs.append(run_peer(row, r, args))
            our_runs.append(run_ours(row, r, args, workdir))
            print(f"{row['key']:>14} repeat {r + 1}/{args.repeats}: peer {peer_runs[-1]['wall']:.2f} s "
                  f"({fmt(peer_runs[-1].get('seconds'))} s analysis), sharpscope {our_runs[-1]['wall']:.2f} s "
                  f"({fmt(our_runs[-1].get('seconds'))} s)", flush=True)
        results.append((row, peer_runs, our_runs))
        save_json(json_path, "partial: " + ", ".join(r["key"] for r, _, _ in results), refs, results)

    commit = git("rev-parse", "--short", "HEAD") + (" (dirty)" if git("status", "--porcelain", "--untracked-files=no")
                                                    else "")
    tool = next((r.get("tool_version") for _, _, ours in results for r in ours if r.get("tool_version")), "?")
    peers = {}
    for _, peer_runs, _ in results:
        for r in peer_runs:
            peers[r["peer"]] = r.get("peer_commit", "?")[:12]
    header = (f"Measured {started:%Y-%m-%d %H:%M %Z} on {machine()}; sharpscope {tool}, commit {commit} "
              f"({args.binary}); peers " + ", ".join(f"{k} {v}" for k, v in sorted(peers.items())) +
              f"; {args.threads} threads, {args.subset} images, medians of {args.repeats} interleaved runs; "
              f"ratio = peer / sharpscope.")
    text = header + "\n\n" + table(results, refs)
    if refs:
        text += "\n\nReference eigenvalues (sharpscope Lanczos, --tol %g): " % args.reference_tol + "; ".join(
            f"{m}: " + ", ".join(f"{v:.6g}" for v in ref["eigenvalues"]) for m, ref in sorted(refs.items()))
    text += "\n\nHow each row is matched:\n" + "\n".join(f"- {row['label']}: {row['how']}" for row, _, _ in results)
    print("\n" + text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    save_json(json_path, header, refs, results)
    print(f"\nall runs: {json_path}")


if __name__ == "__main__":
    main()
