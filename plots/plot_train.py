#!/usr/bin/env python3
"""Draws a sharpscope training log (docs/train.md): loss and accuracy per epoch, and the per-step
diagnostics in 003's orientation: Fig. 1's ratio ||grad L_B(w)|| / ||g_asc|| (below 1 when the
surrogate gradient is the larger) and Fig. 3's <g_asc, g> - ||g||^2 (above 0 in 003). Logs of
version 1 (without those columns) are read through the columns they derive from.

    /usr/bin/python3 plots/plot_train.py run.train.h5 [more.train.h5 ...] --out train.png
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runs import exact_surrogate_ratio, inner_excess  # noqa: E402


def smooth(values, window):
    if len(values) < window or window <= 1:
        return values
    return np.convolve(values, np.ones(window) / window, mode="valid")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logs", nargs="+", help="training logs written by sharpscope train")
    parser.add_argument("--out", default="train.png", help="output image")
    parser.add_argument("--smooth", type=int, default=20, help="moving-average window for per-step curves")
    args = parser.parse_args()

    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    for path in args.logs:
        with h5py.File(path, "r") as f:
            label = f.attrs.get("optimizer", path)
            steps = f["steps/step"][()]
            epochs = f["epochs"]
            axes[0, 0].plot(epochs["epoch"][()], epochs["train_loss"][()], "o-", label=f"{label} train")
            axes[0, 0].plot(epochs["epoch"][()], epochs["test_loss"][()], "s--", label=f"{label} test")
            axes[0, 1].plot(epochs["epoch"][()], 100 * epochs["test_accuracy"][()], "s-", label=label)
            w = args.smooth
            x = steps[w - 1:] if len(steps) >= w > 1 else steps
            axes[0, 2].plot(x, smooth(f["steps/loss"][()], w), label=f"{label} L_B(w)")
            axes[0, 2].plot(x, smooth(f["steps/perturbed_loss"][()], w), "--", label=f"{label} L_B(w^p)")
            axes[1, 0].plot(x, smooth(exact_surrogate_ratio(f), w), label=label)
            axes[1, 1].plot(x, smooth(inner_excess(f), w), label=label)
            axes[1, 2].plot(steps, f["steps/lr"][()], label=f"{label} lr")
    titles = [["loss per epoch", "test accuracy (%)", "batch loss per step"],
              ["||grad L_B(w)|| / ||g_asc|| (003 Fig. 1)", "<g_asc, g> - ||g||^2 (003 Fig. 3)", "learning rate"]]
    axes[1, 0].axhline(1.0, color="k", ls="--", lw=0.8)
    axes[1, 1].axhline(0.0, color="k", ls="--", lw=0.8)
    for row in range(2):
        for col in range(3):
            axes[row, col].set_title(titles[row][col])
            axes[row, col].legend(fontsize=7)
            axes[row, col].set_xlabel("epoch" if row == 0 and col < 2 else "step")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
