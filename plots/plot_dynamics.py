#!/usr/bin/env python3
"""Draws the dynamics experiments (docs/dynamics.md), by the file's result_kind:

  escape_time     escape-step bars (mean +- std, censored marked) and violins per optimizer and radius (002 Table 5.1)
  saddle_success  success rate vs learning rate, one panel per radius, GD in each (003 Fig. 4 layout)
  valley          L and the SAM objective for each radius, minima marked (002 Fig. 3.1)
  stability       normalized parameter distance and generalization gaps per epoch (003 Fig. 5)

    /usr/bin/python3 plots/plot_dynamics.py result.h5 [more.h5 ...] --out figure.png
Several valley files are drawn side by side (e.g. sextic and LINEX).
"""
import argparse

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def strings(dataset):
    return [s.decode() if isinstance(s, bytes) else s for s in dataset[()]]


def plot_escape(f, fig):
    labels = strings(f["configs/label"])
    steps = f["steps"][()].astype(float)
    censored = f["censored"][()].astype(bool)
    mean, std = f["summary/mean"][()], f["summary/std"][()]
    bars, violins = fig.subplots(1, 2)
    x = np.arange(len(labels))
    bars.bar(x, mean, yerr=std, capsize=4, color="tab:blue", alpha=0.8)
    for i in range(len(labels)):
        if censored[i].any():
            bars.annotate(f"{censored[i].sum()} censored", (x[i], mean[i]), ha="center", va="bottom", fontsize=8)
    bars.set_xticks(x, labels, rotation=30, ha="right")
    bars.set_ylabel("steps to escape (mean ± std)")
    bars.set_title(f"escape time, {steps.shape[1]} trials")
    violins.violinplot([steps[i] for i in range(len(labels))], positions=x, showmedians=True)
    for i in range(len(labels)):
        jitter = x[i] + 0.08 * np.random.default_rng(i).standard_normal(steps.shape[1])
        violins.scatter(jitter[~censored[i]], steps[i][~censored[i]], s=6, color="k", alpha=0.5)
        violins.scatter(jitter[censored[i]], steps[i][censored[i]], s=12, marker="^", color="tab:red", alpha=0.7)
    violins.set_xticks(x, labels, rotation=30, ha="right")
    violins.set_yscale("log")
    violins.set_ylabel("steps to escape (red ^: censored at max_steps)")
    violins.set_title("per-trial escape steps")


def draw_success_rates(axes, lr, names, rhos, rate, radii):
    """One panel per SAM radius: GD's success rate and each method's at that radius, against the
    learning rate (003 Fig. 4 b-d; also plots/paper_figures.py saddle)."""
    styles = {"gd": ("GD", "k", "-"), "sam": ("SAM", "tab:red", "--"), "stablesam": ("StableSAM", "tab:blue", "-.")}
    for ax, radius in zip(axes, radii):
        for i, (name, rho) in enumerate(zip(names, rhos)):
            if name != "gd" and rho != radius:
                continue
            label, color, style = styles[name]
            ax.plot(lr, 100 * rate[i], style, color=color, label=label)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.grid(alpha=0.3)


def plot_saddle(f, fig):
    names = strings(f["optimizers/name"])
    rhos = f["optimizers/rho"][()]
    radii = sorted({r for n, r in zip(names, rhos) if n != "gd"}) or [0.0]
    axes = np.atleast_1d(fig.subplots(1, len(radii), sharey=True))
    draw_success_rates(axes, f["lr"][()], names, rhos, f["success_rate"][()], radii)
    for ax, radius in zip(axes, radii):
        ax.set_title(f"rho = {radius:g}")
    axes[0].set_ylabel(f"successful runs (%), criterion {f.attrs['criterion']}")
    axes[0].legend()


def plot_valleys(files, fig):
    axes = np.atleast_1d(fig.subplots(1, len(files)))
    for ax, f in zip(axes, files):
        w = f["w"][()]
        ax.plot(w, f["loss"][()], "k-", lw=2, label="L(w)")
        for i, rho in enumerate(f["rho"][()]):
            line, = ax.plot(w, f["sam_objective"][i], "--", label=f"L~ (rho={rho:g})")
            at = f["sam_minima/rho"][()] == rho
            ax.plot(f["sam_minima/w"][()][at], f["sam_minima/value"][()][at], "o", color=line.get_color())
        ax.plot(f["minima/w"][()], f["minima/value"][()], "k*", ms=10)
        top = np.quantile(f["sam_objective"][-1], 0.6)
        ax.set_ylim(-0.05 * top, top)
        ax.set_xlabel("w")
        ax.set_title(f"{f.attrs['loss']}: minima of L (*) and of L~ (o)")
        ax.legend(fontsize=8)


def plot_stability(f, fig):
    names = strings(f["optimizers"])
    distance, gap = fig.subplots(1, 2)
    for name in names:
        g = f[name]
        epoch = g["epoch"][()]
        line, = distance.plot(epoch, g["normalized_distance"][()], "o-", label=name)
        for side, style in (("S", "-"), ("Sprime", ":")):
            gap.plot(epoch, 100 * g[side]["error_gap"][()], style, color=line.get_color(),
                     label=f"{name} ({'S' if side == 'S' else chr(83) + chr(39)})")
    distance.set_xlabel("epoch")
    distance.set_ylabel("||w_S - w_S'|| / (||w_S|| + ||w_S'||)")
    distance.set_title("normalized parameter distance")
    distance.legend()
    gap.set_xlabel("epoch")
    gap.set_ylabel("test error - train error (%)")
    gap.set_title("generalization gap")
    gap.legend(fontsize=8)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+", help="HDF5 files from escape-test, toy saddle|valley or stability")
    parser.add_argument("--out", default="dynamics.png", help="output image")
    args = parser.parse_args()
    files = [h5py.File(path, "r") for path in args.results]
    kinds = {f.attrs["result_kind"] for f in files}
    if len(kinds) != 1:
        parser.error(f"give files of one result kind, got {sorted(kinds)}")
    kind = kinds.pop()
    if kind == "valley":
        fig = plt.figure(figsize=(6 * len(files), 4.5))
        plot_valleys(files, fig)
    else:
        if len(files) != 1:
            parser.error(f"{kind}: give one file")
        draw = {"escape_time": plot_escape, "saddle_success": plot_saddle, "stability": plot_stability}.get(kind)
        if draw is None:
            parser.error(f"{args.results[0]}: result_kind {kind} is not a dynamics result")
        fig = plt.figure(figsize=(13, 4.5))
        draw(files[0], fig)
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(args.out)


if __name__ == "__main__":
    main()
