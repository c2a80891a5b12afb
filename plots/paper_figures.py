#!/usr/bin/env python3
"""Figures and tables in the layouts of the four source papers (docs/reproductions.md), drawn from
sharpscope's HDF5 outputs. One subcommand per layout:

  ratio LOG...           003 Fig. 1: ||grad f(w)|| / ||grad f(w^asc)|| per training step (log column
                         exact_surrogate_norm_ratio; older logs: gradient_norm / ascent_gradient_norm)
  excess LOG...          003 Fig. 3: <grad f(w^asc), grad f(w)> - ||grad f(w)||^2 per step (column
                         ascent_inner_excess; older logs: (alignment - 1) gradient_norm^2)
  eigen-epochs FILE      003 Fig. 2: f(w + a e1) for the checkpoints of one run, coloured by epoch,
                         with each curve's quadratic-fit R^2
  stability              003 Figs. 5-7: normalized distance, loss gap and error gap per epoch (rows)
                         for each model (columns), the mean over the seeds' files
  saddle FILE            003 Fig. 4: (a) contour of f with its minima, (b)-(d) success rate vs lr
  valleys FILE...        002 Fig. 3.1: L and L~ in a 2x2 grid (symmetric / asymmetric, two ranges)
  valley-interval FILE   002 Fig. 7.1: L, L~ and 002 Lemma 7.1.4's interval [(c-1)rho/(c+1), rho)
  valley2d FILE          002 Fig. 3.2: contours of L and L~ on R^2, w* (blue star), w~* (red stars)
  lines                  002 Figs. 5.1, 5.2, 7.2, 7.3: train (red) and test (blue) error along
                         (1 - a) w1 + a w2, one panel per model
  switch-ablation TSV    002 Fig. 5.3: SGD->SAM test accuracy and |w_SGD->SAM - w_SGD| against rho
                         (a) and against the switch epoch (b), SGD's accuracy dashed
  surfaces A B           001 Fig. 1: two 2-D landscapes side by side on one colour/z scale
  sharpness-table        000 Table 1 and 001 Table 2 from `sharpscope sharpness --group` files
  escape-table FILE...   002 Table 5.1 from `sharpscope escape-test` files (one column each)

Run with /usr/bin/python3 (h5py, matplotlib, numpy). Tables write PREFIX.md and print it.
"""
import argparse
import csv
import math
import os
import re
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import runs  # noqa: E402
from plot_dynamics import draw_success_rates, strings  # noqa: E402
from runs import text  # noqa: E402


def labels_for(paths, labels):
    if labels:
        names = labels.split(",")
        if len(names) != len(paths):
            sys.exit(f"--labels: {len(names)} labels for {len(paths)} files")
        return names
    return [os.path.basename(p).split(".")[0] for p in paths]


def save(fig, out, dpi=110):
    fig.tight_layout()
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    print(f"wrote {out}")


def per_epoch(epoch, values):
    """Means of per-step values over each epoch: (epoch midpoints, means)."""
    index = np.floor(epoch).astype(int)
    xs, ms = [], []
    for e in np.unique(index):
        at = index == e
        xs.append(e + 0.5)
        ms.append(float(np.mean(values[at])))
    return np.array(xs), np.array(ms)


# ---- 003 Figs. 1 and 3: per-step diagnostics of the training log, in the paper's orientation ----

def step_figure(args, quantity, ylabel, reference, title):
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    summary = []
    for path, label in zip(args.logs, labels_for(args.logs, args.labels)):
        with h5py.File(path, "r") as f:
            epoch = f["steps/epoch"][()]
            values = quantity(f)
            ascent = f["steps/sharpness"][()] > 0
        epoch, values = epoch[ascent], values[ascent]
        line, = ax.plot(epoch, values, lw=0.4, alpha=0.25)
        xs, ms = per_epoch(epoch, values)
        ax.plot(xs, ms, "o-", ms=3, color=line.get_color(), label=label)
        below = float(np.mean(values < reference)) if values.size else math.nan
        summary.append((label, values, below, ms))
    ax.axhline(reference, color="k", ls="--", lw=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if args.log_y:
        ax.set_yscale("symlog" if reference == 0 else "log", **({"linthresh": 1e-4} if reference == 0 else {}))
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    save(fig, args.out)
    for label, values, below, ms in summary:
        print(f"{label}: steps {values.size}, mean {np.mean(values):.4g}, median {np.median(values):.4g}, "
              f"min {np.min(values):.4g}, max {np.max(values):.4g}, fraction below {reference:g}: {below:.4f}, "
              f"first-epoch mean {ms[0]:.4g}, last-epoch mean {ms[-1]:.4g}")


def ratio(args):
    step_figure(args, runs.exact_surrogate_ratio, r"$\|\nabla f(w)\| \,/\, \|\nabla f(w^{asc})\|$", 1.0,
                "exact / surrogate gradient norm per SAM step (003 Fig. 1)\nthin: steps; dots: epoch means")


def excess(args):
    step_figure(args, runs.inner_excess, r"$\langle \nabla f(w^{asc}), \nabla f(w)\rangle - \|\nabla f(w)\|^2$", 0.0,
                "inner product minus squared exact norm, same mini-batch (003 Fig. 3)\n"
                "thin: steps; dots: epoch means")


# ---- 003 Fig. 2 ----

def epoch_of(path):
    m = re.search(r"\.epoch(\d+)\.pt$", path)
    return int(m.group(1)) if m else None


def eigen_epochs(args):
    with h5py.File(args.file, "r") as f:
        t = f["t"][()]
        loss = f["loss"][()][:, 0, :]
        lam = f["eigenvalue"][()][:, 0]
        models = strings(f["models"])
    epochs = [epoch_of(m) for m in models]
    final = max([e for e in epochs if e is not None] or [0]) + 1
    epochs = [e if e is not None else final for e in epochs]
    order = np.argsort(epochs)
    cmap = plt.get_cmap("viridis")
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    norm = matplotlib.colors.Normalize(vmin=min(epochs), vmax=max(epochs))
    print("epoch  lambda_1  R^2 of a quadratic fit in a")
    for i in order:
        ax.plot(t, loss[i], color=cmap(norm(epochs[i])), lw=1.4)
        ok = np.isfinite(loss[i])
        coeffs = np.polyfit(t[ok], loss[i][ok], 2)
        fit = np.polyval(coeffs, t[ok])
        r2 = 1 - np.sum((loss[i][ok] - fit) ** 2) / np.sum((loss[i][ok] - np.mean(loss[i][ok])) ** 2)
        print(f"{epochs[i]:5d}  {lam[i]:.5g}  {r2:.5f}")
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, label="epoch")
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel(r"$f(w + \alpha e_1)$")
    ax.set_title("loss along the top Hessian eigenvector over training (003 Fig. 2)", fontsize=9)
    ax.grid(alpha=0.3)
    save(fig, args.out)


# ---- 003 Figs. 5-7 ----

STABILITY_ROWS = [
    ("normalized_distance", None, r"$\|w_S - w_{S'}\| / (\|w_S\| + \|w_{S'}\|)$"),
    ("loss_gap", 1.0, "generalization error: test - train loss"),
    ("error_gap", 100.0, "test - train error (%)"),
]
STYLES = {"sgd": ("SGD", "k"), "sam": ("SAM", "tab:red"), "stablesam": ("StableSAM", "tab:blue")}


def stability_mean(paths):
    """{optimizer: {metric: mean curve over the files (seeds)}}, epochs."""
    curves, epoch = {}, None
    for path in paths:
        with h5py.File(path, "r") as f:
            for name in strings(f["optimizers"]):
                g = f[name]
                epoch = g["epoch"][()]
                c = curves.setdefault(name, {k: [] for k, _, _ in STABILITY_ROWS})
                c["normalized_distance"].append(g["normalized_distance"][()])
                # Both models' gaps (S and S') averaged: the paper plots one curve per optimizer.
                # error_gap is stored as train - test accuracy = test - train error.
                for key in ("loss_gap", "error_gap"):
                    c[key].append(0.5 * (g["S"][key][()] + g["Sprime"][key][()]))
    return {n: {k: np.mean(v, axis=0) for k, v in c.items()} for n, c in curves.items()}, epoch


def stability(args):
    columns = args.column
    fig, axes = plt.subplots(3, len(columns), figsize=(4.6 * len(columns), 9), squeeze=False)
    letters = "abcdefghijkl"
    for j, (label, files) in enumerate(columns):
        curves, epoch = stability_mean(files.split(","))
        for i, (key, factor, ylabel) in enumerate(STABILITY_ROWS):
            ax = axes[i, j]
            for name, c in curves.items():
                shown, color = STYLES.get(name, (name, None))
                ax.plot(epoch, c[key] * (factor or 1.0), color=color, label=shown)
            ax.set_xlabel("epoch")
            ax.set_ylabel(ylabel, fontsize=8)
            ax.set_title(f"({letters[i * len(columns) + j]}) {label}", fontsize=9)
            ax.grid(alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=8)
        n = len(files.split(","))
        print(f"{label}: mean of {n} seed file(s); last epoch:")
        for name, c in curves.items():
            print(f"  {name:10s} distance {c['normalized_distance'][-1]:.5g}  loss gap {c['loss_gap'][-1]:.4g}"
                  f"  error gap {100 * c['error_gap'][-1]:.3g}%")
    if args.title:
        fig.suptitle(args.title, fontsize=10)
    save(fig, args.out)


# ---- 003 Fig. 4 ----

def saddle(args):
    with h5py.File(args.file, "r") as f:
        lr = f["lr"][()]
        names = strings(f["optimizers/name"])
        rhos = f["optimizers/rho"][()]
        rate = f["success_rate"][()]
        criterion = text(f.attrs.get("criterion", ""))
    radii = sorted({r for n, r in zip(names, rhos) if n != "gd"})
    fig, axes = plt.subplots(1, 1 + len(radii), figsize=(4.2 * (1 + len(radii)), 3.8))
    x = np.linspace(-2, 2, 301)
    X1, X2 = np.meshgrid(x, x, indexing="ij")
    F = X1 ** 4 / 4 - X1 * X2 + X2 ** 2 / 2
    axes[0].contour(X1, X2, F, levels=np.linspace(-0.25, 4, 25), cmap="viridis", linewidths=0.8)
    axes[0].plot([-1, 1], [-1, 1], "r+", ms=14, mew=2, label="global minima")
    axes[0].plot([0], [0], "kx", ms=8, label="saddle")
    axes[0].set_xlabel("$x_1$")
    axes[0].set_ylabel("$x_2$")
    axes[0].set_title(r"(a) $x_1^4/4 - x_1 x_2 + x_2^2/2$", fontsize=9)
    axes[0].legend(fontsize=7, loc="lower right")
    draw_success_rates(axes[1:], lr, names, rhos, rate, radii)
    for k, (ax, radius) in enumerate(zip(axes[1:], radii)):
        ax.set_title(f"({'bcdefg'[k]}) rho = {radius:g}", fontsize=9)
        ax.set_ylim(0, 102)
    axes[1].set_ylabel(f"successful runs (%) [{criterion}]")
    axes[1].legend(fontsize=8)
    save(fig, args.out)
    top = lr >= args.report_from
    for i, (name, rho) in enumerate(zip(names, rhos)):
        print(f"{name:10s} rho {rho:<5g} success at lr>={args.report_from:g}: mean {100 * np.mean(rate[i][top]):.1f}%"
              f", min {100 * np.min(rate[i][top]):.1f}% ; at the largest lr {lr[-1]:.3g}: {100 * rate[i][-1]:.1f}%")


# ---- 002 Figs. 3.1, 7.1, 3.2 ----

def valley_panel(ax, f, title, top_quantile=0.6):
    w = f["w"][()]
    ax.plot(w, f["loss"][()], "k-", lw=2, label=r"$L(w)$")
    for i, rho in enumerate(f["rho"][()]):
        line, = ax.plot(w, f["sam_objective"][i], "--", label=rf"$\tilde L$, $\rho$={rho:g}")
        at = f["sam_minima/rho"][()] == rho
        ax.plot(f["sam_minima/w"][()][at], f["sam_minima/value"][()][at], "o", color=line.get_color())
    ax.plot(f["minima/w"][()], f["minima/value"][()], "k*", ms=10)
    top = np.quantile(f["sam_objective"][-1], top_quantile)
    ax.set_ylim(-0.05 * top, top)
    ax.set_xlabel("w")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)


def valleys(args):
    n = len(args.files)
    fig, axes = plt.subplots(2, (n + 1) // 2, figsize=(5.2 * ((n + 1) // 2), 8), squeeze=False)
    for k, path in enumerate(args.files):
        with h5py.File(path, "r") as f:
            kind = "symmetric" if text(f.attrs["loss"]) == "sextic" else "asymmetric"
            valley_panel(axes.flat[k], f, f"({'abcdefgh'[k]}) {kind} ({text(f.attrs['loss'])})")
            for rho, w, shift in zip(f["sam_minima/rho"][()], f["sam_minima/w"][()], f["sam_minima/shift"][()]):
                print(f"{path}: rho {rho:g}: minimum of L~ at {w:.6g}, shift {shift:+.6g} ({shift / rho if rho else 0:+.4f} rho)")
    save(fig, args.out)


def valley_interval(args):
    with h5py.File(args.file, "r") as f:
        fig, ax = plt.subplots(figsize=(5.2, 4.0))
        valley_panel(ax, f, "L and its SAM objective on an asymmetric valley (002 Fig. 7.1)", 0.9)
        c = float(f.attrs["steepness"])
        for i, rho in enumerate(f["rho"][()]):
            lo, hi = f["theorem_interval/lower"][i], f["theorem_interval/upper"][i]
            ax.axvspan(lo, hi, color=f"C{i}", alpha=0.12)
            at = f["sam_minima/rho"][()] == rho
            w = f["sam_minima/w"][()][at]
            inside = bool(np.all((w >= lo - 1e-9) & (w < hi)))
            print(f"rho {rho:g}: minimum of L~ at {w[0]:.6g}; Lemma 7.1.4 interval [{lo:.6g}, {hi:.6g}) "
                  f"(c = {c:g}): {'inside' if inside else 'OUTSIDE'}")
        ax.text(0.02, 0.95, f"shaded: [(c-1)ρ/(c+1), ρ), c = {c:g}", transform=ax.transAxes, fontsize=8, va="top")
    save(fig, args.out)


def valley2d(args):
    with h5py.File(args.file, "r") as f:
        w1, w2 = f["w1"][()], f["w2"][()]
        loss, sam = f["loss"][()], f["sam_objective"][()]
        rhos = f["rho"][()]
        m1, m2, mv = f["sam_minima/w1"][()], f["sam_minima/w2"][()], f["sam_minima/value"][()]
        a1, a2 = float(f.attrs["alpha1"]), float(f.attrs["alpha2"])
    W1, W2 = np.meshgrid(w1, w2, indexing="ij")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    for ax, values, title in ((axes[0], loss, r"$L(w)$"), (axes[1], sam[-1], rf"$\tilde L(w)$, $\rho$ = {rhos[-1]:g}")):
        levels = np.quantile(values, np.linspace(0, 0.7, 20))
        cs = ax.contour(W1, W2, values, levels=np.unique(levels), cmap="viridis", linewidths=0.8)
        ax.plot([0], [0], "*", color="tab:blue", ms=14, mec="k", label=r"$w^*$ (SGD)")
        for k, rho in enumerate(rhos):
            ax.plot(m1[k], m2[k], "*", color="tab:red", ms=8 + 3 * k, mec="k",
                    label=r"$\tilde w^*$ (SAM)" if k == 0 else None)
            ax.annotate(f"ρ={rho:g}", (m1[k], m2[k]), textcoords="offset points", xytext=(6, -10), fontsize=7)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.set_title(title, fontsize=9)
        ax.set_aspect("equal")
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Theorem 3.3.2 on R^2 (002 Fig. 3.2): L = linex_{a1:g}(w1) + linex_{a2:g}(w2)", fontsize=10)
    save(fig, args.out)
    for rho, a, b, v in zip(rhos, m1, m2, mv):
        print(f"rho {rho:g}: minimum of L~ at ({a:.6g}, {b:.6g}), L~ = {v:.6g}; shift/rho = ({a / rho:.4f}, {b / rho:.4f})")


# ---- 002 Figs. 5.1, 5.2, 7.2, 7.3 and 5.3 ----

def lines(args):
    panels = args.panel
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 3.6), squeeze=False)
    for ax, (label, path) in zip(axes[0], panels):
        with h5py.File(path, "r") as f:
            alpha = f["alpha"][()]
            train, test = 100 * f["train_error"][()], 100 * f["test_error"][()]
            distance = float(f["distance"][()][0])
        ax.plot(alpha, train, "-", color="tab:red", label="train error")
        ax.plot(alpha, test, "-", color="tab:blue", label="test error")
        for a in (0.0, 1.0):
            ax.axvline(a, color="grey", ls=":", lw=0.8)
        ax.set_xlabel(rf"$\alpha$: $(1-\alpha) w_1 + \alpha w_2$")
        ax.set_ylabel("error rate (%)")
        ax.set_title(f"{label}  ($\\|w_2 - w_1\\|$ = {distance:.3g})", fontsize=9)
        ax.grid(alpha=0.3)
        top = max(np.max(test[(alpha >= -0.25) & (alpha <= 1.25)]), 1.0)
        ax.set_ylim(0, min(100, 1.6 * top))
        i0, i1 = np.argmin(np.abs(alpha)), np.argmin(np.abs(alpha - 1))
        print(f"{label}: w1 train/test error {train[i0]:.2f}/{test[i0]:.2f}%, w2 {train[i1]:.2f}/{test[i1]:.2f}%, "
              f"distance {distance:.4g}; train error at alpha={alpha[0]:g}: {train[0]:.2f}%, at alpha={alpha[-1]:g}: {train[-1]:.2f}%")
    axes[0, 0].legend(fontsize=8)
    if args.title:
        fig.suptitle(args.title, fontsize=10)
    save(fig, args.out)


def switch_ablation(args):
    rows = []
    with open(args.tsv) as f:
        for line in f:
            if line.strip():
                panel, x, log, line_file = line.rstrip("\n").split("\t")
                rows.append((panel, float(x), log, line_file))
    sgd = [runs.run_metrics(e[2])[args.metric] for e in runs.read_manifest(args.sgd)]
    panels = runs.ordered(r[0] for r in rows)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.0 * len(panels), 3.8), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        xs = sorted({r[1] for r in rows if r[0] == panel})
        acc, dist = [], []
        for x in xs:
            sel = [r for r in rows if r[0] == panel and r[1] == x]
            acc.append(runs.mean_std([runs.run_metrics(r[2])[args.metric] for r in sel]))
            ds = []
            for r in sel:
                with h5py.File(r[3], "r") as f:
                    ds.append(float(f["distance"][()][0]))
            dist.append(runs.mean_std(ds))
        m = np.array([a[0] for a in acc])
        s = np.nan_to_num(np.array([a[1] for a in acc]))
        ax.errorbar(xs, m, yerr=s, fmt="o-", color="tab:red", capsize=3, label="SGD→SAM test accuracy")
        ax.axhline(np.mean(sgd), color="tab:blue", ls="--", label="SGD test accuracy")
        ax.set_ylabel("test accuracy (%)")
        ax.set_xlabel(panel)
        if panel.startswith("rho"):
            ax.set_xscale("log")
        ax2 = ax.twinx()
        ax2.errorbar(xs, [d[0] for d in dist], yerr=np.nan_to_num([d[1] for d in dist]), fmt="s:", color="tab:green",
                     capsize=3, label="distance")
        ax2.set_ylabel(r"$\|w_{SGD\to SAM} - w_{SGD}\|$", color="tab:green")
        handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        ax.legend(handles, [h.get_label() for h in handles], fontsize=7, loc="lower right")
        ax.set_title(f"({'ab'[panels.index(panel)]}) SGD→SAM vs {panel}", fontsize=9)
        ax.grid(alpha=0.3)
        print(f"{panel}: SGD {np.mean(sgd):.2f}")
        for x, a, d in zip(xs, acc, dist):
            print(f"  {x:g}: accuracy {a[0]:.2f} ± {a[1]:.2f} (n={a[2]}), distance {d[0]:.4g} ± {d[1]:.2g}")
    save(fig, args.out)


# ---- 001 Fig. 1 ----

def surfaces(args):
    data = []
    for path in (args.a, args.b):
        with h5py.File(path, "r") as f:
            data.append((f["x"][()], f["y"][()], f["loss"][()]))
    low = min(np.nanmin(d[2]) for d in data)
    high = max(np.nanmax(d[2]) for d in data)
    names = labels_for([args.a, args.b], args.labels)
    fig = plt.figure(figsize=(10, 4.4))
    for k, ((x, y, loss), name) in enumerate(zip(data, names)):
        ax = fig.add_subplot(1, 2, k + 1, projection="3d")
        X, Y = np.meshgrid(x, y, indexing="ij")
        ax.plot_surface(X, Y, loss, cmap="viridis", vmin=low, vmax=high, linewidth=0, antialiased=True)
        ax.set_zlim(low, high)
        ax.set_xlabel("d1")
        ax.set_ylabel("d2")
        ax.set_zlabel("loss")
        ax.set_title(f"{name}: loss min {np.nanmin(loss):.3g}, max {np.nanmax(loss):.3g}", fontsize=9)
        print(f"{name}: min {np.nanmin(loss):.4g}, max {np.nanmax(loss):.4g}, mean over the grid {np.nanmean(loss):.4g}")
    fig.suptitle("2-D loss landscapes on one scale (001 Fig. 1; filter-normalized random directions)", fontsize=10)
    save(fig, args.out)


# ---- tables from analysis files ----

def read_csv_values(path):
    return runs.read_paper(path) if path else {}


def write_markdown(prefix, lines):
    markdown = "\n".join(lines) + "\n"
    with open(prefix + ".md", "w") as f:
        f.write(markdown)
    print(markdown, end="")


def sharpness_table(args):
    paper = read_csv_values(args.paper)
    rows = args.rows.split(",")
    if args.layout == "kim-table1":
        steps = [int(s) for s in args.steps.split(",")]
        quantities = [("loss", "ℓ(w)", 1.0, 3)] + [(f"L_p{n}", f"N = {n}", 1.0, 3) for n in steps]
    else:
        quantities = [("test_accuracy", "accuracy (%)", 100.0, 2), ("sharpness_asc", "L^Asc sharpness ×10³", 1e3, 2),
                      ("sharpness_max", "L^Max sharpness ×10³", 1e3, 2), ("sharpness_avg", "L^Avg sharpness ×10³", 1e3, 2),
                      ("gap_loss", "gap ×10³", 1e3, 1)]
    lines = [f"**{args.title}**", ""] if args.title else []
    header = ["data", "method"] if args.layout == "kim-table1" else ["method"]
    for _, name, _, _ in quantities:
        header += [f"{name} (ours)", f"{name} (paper)"] if paper else [name]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for column, path in args.file:
        with h5py.File(path, "r") as f:
            groups = strings(f["groups/names"])
            members = f["groups/members"][()]
            if len(groups) != len(rows):
                sys.exit(f"{path}: {len(groups)} groups ({groups}) for {len(rows)} --rows")
            for g, (row, members_n) in enumerate(zip(rows, members)):
                line = [column, row] if args.layout == "kim-table1" else [row]
                for key, name, factor, digits in quantities:
                    mean = factor * f[f"groups/{key}_mean"][g]
                    std = factor * f[f"groups/{key}_std"][g]
                    line.append(runs.format_cell(mean, std, int(members_n), digits))
                    if paper:
                        line.append(paper.get((f"{column}/{row}" if args.layout == "kim-table1" else row, name), "–"))
                lines.append("| " + " | ".join(line) + " |")
            lines.append("")
            lines.append(f"{column}: groups {', '.join(f'{r} = `{g}` (n={m})' for r, g, m in zip(rows, groups, members))}.")
            lines.append("")
    write_markdown(args.out, lines)


def escape_table(args):
    paper = read_csv_values(args.paper)
    columns = []
    for column, path in args.file:
        with h5py.File(path, "r") as f:
            labels = strings(f["configs/label"])
            columns.append((column, labels, f["summary/mean"][()], f["summary/std"][()], f["summary/median"][()],
                            f["summary/censored"][()], f["steps"].shape[1]))
    rows = runs.ordered(l for c in columns for l in c[1])
    header = ["method"]
    for c in columns:
        header += [f"{c[0]} mean ± std (ours)", "median", "censored"] + ([f"{c[0]} (paper)"] if paper else [])
    lines = [f"**{args.title}**", ""] if args.title else []
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        line = [r]
        for column, labels, mean, std, median, censored, trials in columns:
            if r in labels:
                i = labels.index(r)
                line += [f"{mean[i]:.2f} ± {std[i]:.2f}", f"{median[i]:g}", f"{int(censored[i])}/{trials}"]
            else:
                line += ["–", "–", "–"]
            if paper:
                line.append(paper.get((r, column), "–"))
        lines.append("| " + " | ".join(line) + " |")
    lines += ["", "Steps until the training accuracy falls below the threshold; censored trials count as "
              "max_steps (their means are lower bounds)."]
    write_markdown(args.out, lines)


def pair(value):
    if "=" not in value:
        raise argparse.ArgumentTypeError(f"expected LABEL=FILE, got {value!r}")
    return tuple(value.split("=", 1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    for name, fn in (("ratio", ratio), ("excess", excess)):
        p = sub.add_parser(name)
        p.add_argument("logs", nargs="+")
        p.add_argument("--labels", default="")
        p.add_argument("--log-y", action="store_true")
        p.add_argument("--out", required=True)
        p.set_defaults(fn=fn)
    p = sub.add_parser("eigen-epochs")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=eigen_epochs)
    p = sub.add_parser("stability")
    p.add_argument("--column", nargs=2, action="append", required=True, metavar=("LABEL", "FILES"),
                   help="a model's column: label and comma-separated stability files (seeds)")
    p.add_argument("--title", default="")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=stability)
    p = sub.add_parser("saddle")
    p.add_argument("file")
    p.add_argument("--report-from", type=float, default=0.1, help="summarize success rates for lr >= this")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=saddle)
    p = sub.add_parser("valleys")
    p.add_argument("files", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=valleys)
    p = sub.add_parser("valley-interval")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=valley_interval)
    p = sub.add_parser("valley2d")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=valley2d)
    p = sub.add_parser("lines")
    p.add_argument("--panel", type=pair, action="append", required=True, help="LABEL=LINE.h5, one per panel")
    p.add_argument("--title", default="")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=lines)
    p = sub.add_parser("switch-ablation")
    p.add_argument("tsv", help="lines panel<TAB>x<TAB>SGD->SAM log<TAB>line file (its distance)")
    p.add_argument("--sgd", required=True, help="manifest of the SGD runs (the dashed line)")
    p.add_argument("--metric", default="final_test_accuracy")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=switch_ablation)
    p = sub.add_parser("surfaces")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--labels", default="")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=surfaces)
    p = sub.add_parser("sharpness-table")
    p.add_argument("--file", type=pair, action="append", required=True, help="COLUMN=SHARPNESS.h5")
    p.add_argument("--layout", choices=["kim-table1", "tiwary-table2"], required=True)
    p.add_argument("--rows", required=True, help="display names of the groups, in the file's group order")
    p.add_argument("--steps", default="1,3,5")
    p.add_argument("--paper", default="")
    p.add_argument("--title", default="")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=sharpness_table)
    p = sub.add_parser("escape-table")
    p.add_argument("--file", type=pair, action="append", required=True, help="COLUMN=ESCAPE.h5")
    p.add_argument("--paper", default="")
    p.add_argument("--title", default="")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=escape_table)
    args = parser.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
