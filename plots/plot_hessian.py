#!/usr/bin/python3
"""Figures from `sharpscope hessian` outputs (layout: docs/hessian.md).

  plot_hessian.py --spectrum a.h5 b.h5 ...  eigenvalue bars across models (000 Fig. 10)
  plot_hessian.py --density d.h5 [e.h5 ...] SLQ spectral densities on a log scale (one curve each:
                                            e.g. the Hessian, GGN and Fishers of one model)
  plot_hessian.py --trace t.h5              Hutchinson running mean with a ±2 SE band
  plot_hessian.py --layers l.h5             per-layer top eigenvalue and trace (hessian layers)
  plot_hessian.py --diagonal d.h5           per-tensor distribution of the diagonal (hessian diagonal)

Any combination; each figure goes to OUT_PREFIX-{eigenvalues,density,trace,layers,diagonal}.png.
Needs /usr/bin/python3 with h5py and matplotlib.
"""
import argparse
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
import numpy as np  # noqa: E402


def text_attr(f, key):
    value = f.attrs.get(key, "")
    return value.decode() if isinstance(value, bytes) else str(value)


CURVATURE_NAMES = {"hessian": "Hessian", "ggn": "GGN", "ef": "empirical Fisher", "mc-fisher": "MC Fisher"}


def curvature_of(f):
    return CURVATURE_NAMES.get(text_attr(f, "curvature") or "hessian", "Hessian")


def label_of(path, f):
    """The model's file stem, with the curvature (when not the Hessian) and the method when there
    is one (to tell runs on one model apart)."""
    name = os.path.splitext(os.path.basename(text_attr(f, "model") or path))[0]
    parts = [p for p in (curvature_of(f) if curvature_of(f) != "Hessian" else "", text_attr(f, "method")) if p]
    return f"{name} ({', '.join(parts)})" if parts else name


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
    curvatures = sorted({c for c in [curvature_of(h5py.File(p, "r")) for p in paths]})
    ax.set_ylabel(f"{' / '.join(curvatures)} eigenvalue")
    ax.set_title(f"Top {' / '.join(curvatures)} eigenvalues")
    ax.legend(fontsize=7, ncol=min(k, 5))
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    return out


def overlay_labels(paths):
    """Legend labels of overlaid results: one model's curvatures are told apart by curvature,
    several models (000 Fig. 10: SAM-1, SAM-2, MSAM) by model."""
    models, labels, curvatures = set(), [], []
    for path in paths:
        with h5py.File(path, "r") as f:
            models.add(text_attr(f, "model") or path)
            labels.append(label_of(path, f))
            curvatures.append(curvature_of(f))
    return curvatures if len(models) == 1 and len(paths) > 1 else labels


def plot_density(paths, out):
    fig, ax = plt.subplots(figsize=(5.5 if len(paths) > 1 else 5, 3.4))
    for path, label in zip(paths, overlay_labels(paths)):
        with h5py.File(path, "r") as f:
            grid, density = f["grid"][()], f["density"][()]
        # PyHessian's get_esd_plot adds 1e-7 so the log scale shows the empty stretches.
        ax.semilogy(grid, density + 1e-7, label=label, lw=1)
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density (log)")
    if len(paths) > 1:
        ax.legend(fontsize=7)
        ax.set_title("Spectral densities (SLQ)")
    else:
        with h5py.File(paths[0], "r") as f:
            ax.set_title(f"{curvature_of(f)} spectral density (SLQ): {label_of(paths[0], f)}")
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
    ax.plot(n, probes, ".", color="0.7", ms=3, label="probe zᵀMz")
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


def plot_layers(path, out):
    with h5py.File(path, "r") as f:
        groups = list(f["groups"].asstr()[()])
        top = f["eigenvalues"][()][:, 0]
        trace, se = f["trace"][()], f["trace_se"][()]
        dense = f["dense"][()]
        title = f"{curvature_of(f)} blocks by {text_attr(f, 'group_by')}: {label_of(path, f)}"
    x = np.arange(len(groups))
    fig, axes = plt.subplots(1, 2, figsize=(max(6, 0.9 * len(groups) + 3), 3.6))
    for ax, values, name in ((axes[0], top, "top eigenvalue λ₁ of the block"), (axes[1], trace, "trace of the block")):
        colors = ["C0" if d else "C1" for d in dense]
        ax.bar(x, np.abs(values), color=colors, yerr=2 * se if values is trace else None, capsize=3)
        ax.set_yscale("log")
        ax.set_xticks(x, groups, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel(name + " (|·|, log)")
    axes[0].legend(handles=[Patch(color="C0", label="exact (assembled)"),
                            Patch(color="C1", label="Lanczos / Hutchinson (±2 SE)")], fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    return out


def plot_diagonal(path, out):
    with h5py.File(path, "r") as f:
        names = list(f["tensors"].asstr()[()])
        values = [f[f"diagonal/{n}"][()].ravel() for n in names]
        errors = [f[f"standard_error/{n}"][()].ravel() for n in names]
        title = f"{curvature_of(f)} diagonal ({text_attr(f, 'method_used')}): {label_of(path, f)}"
    fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(names) + 2), 3.6))
    floor = 1e-12
    ax.boxplot([np.maximum(np.abs(v), floor) for v in values], showfliers=False)
    for i, (v, e) in enumerate(zip(values, errors)):
        jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(v))
        ax.plot(i + 1 + jitter, np.maximum(np.abs(v), floor), ".", ms=1.5, alpha=0.4, color="C0")
        if e.max() > 0:
            ax.plot(i + 1 + jitter, np.maximum(e, floor), ".", ms=1.5, alpha=0.4, color="C3")
    if any(e.max() > 0 for e in errors):
        ax.plot([], [], ".", color="C3", label="standard error")
        ax.legend(fontsize=7)
    ax.set_yscale("log")
    ax.set_xticks(range(1, len(names) + 1), names, rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("|diagonal entry| (log)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spectrum", nargs="+", default=[], help="hessian spectrum outputs")
    parser.add_argument("--density", nargs="+", default=[], help="hessian density outputs (overlaid)")
    parser.add_argument("--trace", help="hessian trace output")
    parser.add_argument("--layers", help="hessian layers output")
    parser.add_argument("--diagonal", help="hessian diagonal output")
    parser.add_argument("--out", default="hessian", help="output prefix (default: hessian)")
    args = parser.parse_args()
    written = []
    if args.spectrum:
        written.append(plot_eigenvalues(args.spectrum, f"{args.out}-eigenvalues.png"))
    if args.density:
        written.append(plot_density(args.density, f"{args.out}-density.png"))
    if args.trace:
        written.append(plot_trace(args.trace, f"{args.out}-trace.png"))
    if args.layers:
        written.append(plot_layers(args.layers, f"{args.out}-layers.png"))
    if args.diagonal:
        written.append(plot_diagonal(args.diagonal, f"{args.out}-diagonal.png"))
    if not written:
        parser.error("give at least one of --spectrum, --density, --trace, --layers, --diagonal")
    for path in written:
        print("wrote", path)


if __name__ == "__main__":
    main()
