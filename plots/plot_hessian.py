#!/usr/bin/python3
"""Figures from `sharpscope hessian` outputs (layout: docs/hessian.md).

  plot_hessian.py --spectrum a.h5 b.h5 ...  eigenvalue bars across models (000 Fig. 10)
  plot_hessian.py --density d.h5            SLQ spectral density on a log scale
  plot_hessian.py --trace t.h5              Hutchinson running mean with a ±2 SE band

Any combination; each figure goes to OUT_PREFIX-{eigenvalues,density,trace}.png.
Needs /usr/bin/python3 with h5py and matplotlib.
"""
import argparse
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text_attr(f, key):
    value = f.attrs.get(key, "")
    return value.decode() if isinstance(value, bytes) else str(value)


def label_of(path, f):
    """The model's file stem, with the method when there is one (to tell runs on one model apart)."""
    name = os.path.splitext(os.path.basename(text_attr(f, "model") or path))[0]
    method = text_attr(f, "method")
    return f"{name} ({method})" if method else name


def plot_eigenvalues(paths, out):
    fig, ax = plt.subplots(figsize=(max(4, 1.6 * len(paths) + 2), 3.2))
    groups = []
    for path in paths:
        with h5py.File(path, "r") as f:
            ends = [e.decode() if isinstance(e, bytes) else e for e in f["ends"][()]]
            values = f["eigenvalues"][()]
            top = [v for v, e in zip(values, ends) if e == "largest"]
            groups.append((label_of(path, f), top))
    k = max(len(top) for _, top in groups)
    width = 0.8 / k
    for j in range(k):
        xs = [i + (j - (k - 1) / 2) * width for i, (_, top) in enumerate(groups) if j < len(top)]
        ys = [top[j] for _, top in groups if j < len(top)]
        ax.bar(xs, ys, width, label=f"λ{j + 1}")
    ax.set_xticks(range(len(groups)), [name for name, _ in groups], rotation=20, ha="right")
    ax.set_ylabel("Hessian eigenvalue")
    ax.set_title("Top Hessian eigenvalues")
    ax.legend(fontsize=7, ncol=min(k, 5))
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    return out


def plot_density(path, out):
    with h5py.File(path, "r") as f:
        grid, density = f["grid"][()], f["density"][()]
        title = label_of(path, f)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    # PyHessian's get_esd_plot adds 1e-7 so the log scale shows the empty stretches.
    ax.semilogy(grid, density + 1e-7)
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density (log)")
    ax.set_title(f"Hessian spectral density (SLQ): {title}")
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    return out


def plot_trace(path, out):
    with h5py.File(path, "r") as f:
        mean, se = f["running_mean"][()], f["running_se"][()]
        probes = f["probes"][()]
        title = label_of(path, f)
    n = np.arange(1, len(mean) + 1)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(n, probes, ".", color="0.7", ms=3, label="probe zᵀHz")
    ax.plot(n, mean, label="running mean")
    ok = np.isfinite(se)
    ax.fill_between(n[ok], (mean - 2 * se)[ok], (mean + 2 * se)[ok], alpha=0.3, label="±2 SE")
    ax.set_xlabel("probes (HVPs)")
    ax.set_ylabel("trace estimate")
    ax.set_title(f"Hutchinson trace: {title}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spectrum", nargs="+", default=[], help="hessian spectrum outputs")
    parser.add_argument("--density", help="hessian density output")
    parser.add_argument("--trace", help="hessian trace output")
    parser.add_argument("--out", default="hessian", help="output prefix (default: hessian)")
    args = parser.parse_args()
    written = []
    if args.spectrum:
        written.append(plot_eigenvalues(args.spectrum, f"{args.out}-eigenvalues.png"))
    if args.density:
        written.append(plot_density(args.density, f"{args.out}-density.png"))
    if args.trace:
        written.append(plot_trace(args.trace, f"{args.out}-trace.png"))
    if not written:
        parser.error("give at least one of --spectrum, --density, --trace")
    for path in written:
        print("wrote", path)


if __name__ == "__main__":
    main()
