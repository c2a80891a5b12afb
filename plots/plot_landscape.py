#!/usr/bin/env python3
"""Draws the figure of any sharpscope landscape / gradient-geometry / sharpness HDF5 file.

    plot_landscape.py RESULT.h5 [-o FIGURE.png]

The kind is read from the root attribute `result_kind`:
  ascent_curves    L(w + k v_N), one line per N                    (Kim et al. 000 Fig. 3)
  surface          contour + 3-D surface (2-D grid) or a line (1-D) (000 Fig. 4, Li et al. 2018);
                   on a PCA plane (--dirs pca1,pca2 --trajectory) the training path over the contour
  trajectory       the training path on its PCA plane, with the explained variance (Li et al. 2018 §7)
  cosine_matrix    heat-map with values                            (000 Fig. 5)
  cosine_field     heat-map with values over the grid              (000 Fig. 6)
  loss_decrease    heat-map with values, and curves along a segment (000 Fig. 7, 8)
  checkpoint_line  train/test loss and error against alpha          (Park 002 Fig. 5.1)
  eigen_lines      L(w + t v_i) along top eigenvectors, per model   (Tan et al. 003 Fig. 2)
  sharpness        bar chart of sharpness x1e3 per model or group   (001 Table 2)
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def subtitle(f):
    a = f.attrs
    parts = [text(a.get("model", "")).split("/")[-1], text(a.get("data_name", "")), text(a.get("subset", ""))]
    return ", ".join(p for p in parts if p)


def heatmap(ax, values, rows, cols, row_label, col_label, cmap="viridis"):
    im = ax.imshow(values, cmap=cmap, origin="upper", aspect="auto")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8,
                    color="white" if np.isfinite(v) and v < middle else "black")
    plt.colorbar(im, ax=ax)


def plot_ascent(f, fig):
    ax = fig.add_subplot(1, 1, 1)
    k = f["k"][()]
    for n, curve in zip(f["steps"][()], f["loss"][()]):
        ax.plot(k, curve, marker="o", ms=3, label=f"$v_{{{int(n)}}}$")
    rho = text(f.attrs.get("option.rho", ""))
    if rho:
        ax.axvline(float(rho), color="grey", ls=":", lw=1, label=r"$k=\rho$")
    ax.set_xlabel("k")
    ax.set_ylabel(r"$L(w + k\,v_N)$")
    ax.legend()
    ax.set_title("Loss along ascent directions (000 Fig. 3)\n" + subtitle(f))


def plot_surface(f, fig):
    x = f["x"][()]
    loss = f["loss"][()]
    dirs = text(f.attrs.get("option.dirs", "d1,d2")).split(",")
    if "y" not in f:
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(x, loss, label="loss")
        ax.set_xlabel(dirs[0])
        ax.set_ylabel("loss")
        ax2 = ax.twinx()
        ax2.plot(x, f["accuracy"][()], color="C1", label="accuracy")
        ax2.set_ylabel("accuracy")
        ax.set_title("Loss along " + dirs[0] + "\n" + subtitle(f))
        return
    y = f["y"][()]
    X, Y = np.meshgrid(x, y, indexing="ij")  # loss is (nx, ny), x on the first axis
    shown = np.where(np.isfinite(loss), loss, np.nan)
    ax = fig.add_subplot(1, 2, 1)
    cs = ax.contourf(X, Y, shown, levels=30, cmap="viridis")
    ax.contour(X, Y, shown, levels=15, colors="k", linewidths=0.4)
    ax.plot([0], [0], "r*", ms=10)
    plt.colorbar(cs, ax=ax)
    ax.set_xlabel(dirs[0])
    ax.set_ylabel(dirs[1])
    ax.set_title("L(w + x d1 + y d2) (000 Fig. 4)")
    if "trajectory/x" in f and "trajectory/y" in f:
        draw_path(ax, f["trajectory/x"][()], f["trajectory/y"][()], f["trajectory/epoch"][()])
        ax.set_title("L on the PCA plane with the training path (Li et al. 2018 Fig. 10)")
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    ax3.plot_surface(X, Y, shown, cmap="viridis", linewidth=0, antialiased=True)
    ax3.set_xlabel(dirs[0])
    ax3.set_ylabel(dirs[1])
    ax3.set_zlabel("loss")
    fig.suptitle(subtitle(f))


def draw_path(ax, x, y, epoch):
    """The path w_1 ... w_final as a line with its checkpoints, labelled by epoch where known."""
    ax.plot(x, y, "-o", color="red", ms=3, lw=1.2, label="training path")
    for xi, yi, e in zip(x, y, epoch):
        if np.isfinite(e):
            ax.annotate(f"{int(e)}", (xi, yi), textcoords="offset points", xytext=(3, 3), fontsize=6,
                        color="red")
    ax.legend(fontsize=7, loc="upper right")


def plot_trajectory(f, fig):
    ax = fig.add_subplot(1, 1, 1)
    ratio = f["explained_variance_ratio"][()]
    draw_path(ax, f["x"][()], f["y"][()], f["epoch"][()])
    ax.plot([0], [0], "k*", ms=10)
    ax.set_xlabel(f"pca1 ({100 * ratio[0]:.1f} % of the variance)")
    ax.set_ylabel(f"pca2 ({100 * ratio[1]:.1f} % of the variance)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title("Training path on its PCA plane around w_final\n" + subtitle(f))


def plot_cosine_matrix(f, fig):
    ax = fig.add_subplot(1, 1, 1)
    names = [f"$w^{{p{int(n)}}}$" for n in f["steps"][()]]
    heatmap(ax, f["cosine"][()], names, names, "gradient at", "gradient at", cmap="magma")
    ax.set_title("cos(grad L(w^pNi), grad L(w^pNj)) (000 Fig. 5)\n" + subtitle(f))


def plot_cosine_field(f, fig):
    ax = fig.add_subplot(1, 1, 1)
    cos = f["cosine"][()]
    if cos.ndim == 1:
        cos = cos[:, None]
    y = f["y"][()] if "y" in f else [0.0]
    dirs = text(f.attrs.get("option.dirs", "d1,d2")).split(",")
    heatmap(ax, cos, [f"{v:.3g}" for v in f["x"][()]], [f"{v:.3g}" for v in y], "x (" + dirs[0] + ")",
            "y (" + (dirs[1] if len(dirs) > 1 else "-") + ")", cmap="magma")
    ref = int(f.attrs.get("reference_steps", 1))
    ax.set_title(f"cos(grad L(w^p{ref}), grad L(w + x d1 + y d2)) (000 Fig. 6)\n" + subtitle(f))


def plot_loss_decrease(f, fig):
    steps = [int(n) for n in f["steps"][()]]
    has_segment = "t" in f
    ax = fig.add_subplot(1, 2 if has_segment else 1, 1)
    heatmap(ax, f["delta"][()], [f"g(w^p{n})" for n in steps], [f"w^p{n}" for n in steps],
            "gradient", "weight u", cmap="viridis")
    ax.set_title("L(u) - L(u - lr g) (000 Fig. 7)")
    if has_segment:
        ax2 = fig.add_subplot(1, 2, 2)
        t = f["t"][()]
        a, b = int(f.attrs["segment_from"]), int(f.attrs["segment_to"])
        for n, row in zip(steps, f["segment_delta"][()]):
            line, = ax2.plot(t, row, marker="o", ms=3, label=f"g = grad L(w^p{n})")
            # 000 Fig. 8's stars: each perturbed gradient acting on its own weight (t = 0 is
            # w^p{a}, t = 1 is w^p{b}); blue for the segment's start, red for its end.
            for end, at, color in ((a, 0, "tab:blue"), (b, -1, "tab:red")):
                if n == end:
                    ax2.plot(t[at], row[at], "*", ms=15, color=color, mec="k", zorder=5)
        ax2.set_xlabel(f"t: u = (1-t) w^p{a} + t w^p{b}")
        ax2.set_ylabel("loss decrease")
        ax2.legend()
        ax2.set_title("along the segment (000 Fig. 8)")
    fig.suptitle(subtitle(f))


def plot_line(f, fig):
    alpha = f["alpha"][()]
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(alpha, f["train_loss"][()], label="train")
    ax.plot(alpha, f["test_loss"][()], label="test")
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel("loss")
    ax.legend()
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(alpha, 100 * f["train_error"][()], label="train")
    ax2.plot(alpha, 100 * f["test_error"][()], label="test")
    ax2.set_xlabel(r"$\alpha$")
    ax2.set_ylabel("error (%)")
    ax2.legend()
    dist = float(f["distance"][()][0])
    fig.suptitle(f"(1-a) w_A + a w_B, |w_B - w_A| = {dist:.4g} (002 Fig. 5.1)\n" + subtitle(f))


def plot_eigen_lines(f, fig):
    t = f["t"][()]
    loss, lam = f["loss"][()], f["eigenvalue"][()]
    names = [p.split("/")[-1] for p in f["models"].asstr()[()]]
    axes = [fig.add_subplot(1, loss.shape[1], i + 1) for i in range(loss.shape[1])]
    for i, ax in enumerate(axes):
        for m, name in enumerate(names):
            ax.plot(t, loss[m, i], label=f"{name} (lambda_{i + 1} = {lam[m, i]:.4g})")
        ax.set_xlabel(f"t along eigenvector {i + 1}")
        ax.set_ylabel("loss")
        ax.legend(fontsize=8)
    curvature = text(f.attrs.get("curvature", "Hessian"))
    fig.suptitle(f"Loss along top {curvature} eigenvectors (003 Fig. 2)\n" + subtitle(f))


def plot_sharpness(f, fig):
    ax = fig.add_subplot(1, 1, 1)
    kinds = [k for k in ("asc", "max", "avg") if f"models/sharpness_{k}" in f
             and np.isfinite(f[f"models/sharpness_{k}"][()]).any()]
    if "groups" in f:
        names = list(f["groups/names"].asstr()[()])
        values = {k: (f[f"groups/sharpness_{k}_mean"][()], f[f"groups/sharpness_{k}_std"][()]) for k in kinds}
    else:
        names = [p.split("/")[-1] for p in f["models/path"].asstr()[()]]
        values = {k: (f[f"models/sharpness_{k}"][()], None) for k in kinds}
    width = 0.8 / max(1, len(kinds))
    for i, k in enumerate(kinds):
        mean, std = values[k]
        ax.bar(np.arange(len(names)) + i * width, 1e3 * mean, width,
               yerr=None if std is None else 1e3 * std, label=f"L^{k.capitalize()} - L(w)", capsize=3)
    ax.set_xticks(np.arange(len(names)) + width * (len(kinds) - 1) / 2, names)
    ax.set_ylabel("sharpness x 1e3")
    ax.legend()
    ax.set_title("Sharpness (001 Table 2)\n" + subtitle(f))


PLOTS = {
    "ascent_curves": (plot_ascent, (6, 4.5)),
    "surface": (plot_surface, (12, 5)),
    "cosine_matrix": (plot_cosine_matrix, (6, 5)),
    "cosine_field": (plot_cosine_field, (7, 5.5)),
    "loss_decrease": (plot_loss_decrease, (12, 5)),
    "checkpoint_line": (plot_line, (11, 4.5)),
    "eigen_lines": (plot_eigen_lines, (7, 4.5)),
    "sharpness": (plot_sharpness, (7, 4.5)),
    "trajectory": (plot_trajectory, (6, 5)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result", help="HDF5 file written by a sharpscope landscape command")
    parser.add_argument("-o", "--out", help="figure file (default: RESULT.png)")
    args = parser.parse_args()
    with h5py.File(args.result, "r") as f:
        kind = text(f.attrs.get("result_kind", ""))
        if kind not in PLOTS:
            sys.exit(f"plot_landscape.py: {args.result}: result_kind '{kind}' is not one of {', '.join(PLOTS)}")
        draw, size = PLOTS[kind]
        fig = plt.figure(figsize=size)
        draw(f, fig)
    fig.tight_layout()
    out = args.out or args.result.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
