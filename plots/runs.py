#!/usr/bin/env python3
"""Tables, curves and bars of training runs (logs written by `sharpscope train`), for the
reproduction recipes (analyses/*.sh, docs/reproductions.md).

A *manifest* lists the runs: one line per run, `row<TAB>column<TAB>LOG.train.h5`. The runs of one
(row, column) cell are its seeds; each cell reports mean ± std over them (std with n − 1; a single
run has no std). Rows and columns keep the order of their first appearance.

    runs.py table MANIFEST --metric best_test_accuracy --out PREFIX [--paper PAPER.csv] [--title T]
        PREFIX.md (markdown: our value and the paper's side by side), PREFIX.h5 (mean, std, n)
    runs.py curve MANIFEST --metric final_test_accuracy --out FIG.png [--x-label rho] [--dashed SGD]
        rows are curves over the numeric columns (mean, ± std band); --dashed draws a row's mean as
        a horizontal dashed line (e.g. SGD in 000 Fig. 11, 002 Figs. 5.3-5.4)
    runs.py bars MANIFEST --out FIG.png
        per column (data set) two panels: test accuracy and training time (000 Fig. 2)
    runs.py best MANIFEST --metric final_test_accuracy
        prints the row with the highest mean over its runs (hyper-parameter selection: 000 Tables
        2-3 take every method at the radius where SAM is best; 003 Table 2 picks each method's best)

Metrics (per run, from /epochs of its log): final_test_accuracy, best_test_accuracy (maximum over
the per-epoch evaluations: 003 Tables 2 and 4 report the best test accuracy), final_train_accuracy
(%), final_test_loss, final_train_loss, gap_loss (test − train loss), wall_seconds (training
time), passes (forward-backward passes), passes_per_step, and relative_cost (passes per step
divided by the SGD value 1, i.e. the pass count in units of an SGD step).

The paper CSV has the header `row,column,paper` and one line per cell the paper reports, its value
as printed (e.g. `96.54 ± 0.07`). Run with /usr/bin/python3 (h5py, matplotlib, numpy).
"""
import argparse
import csv
import math
import os
import sys

import h5py
import numpy as np

PERCENT = {"final_test_accuracy", "best_test_accuracy", "final_train_accuracy"}


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def run_metrics(path):
    """Every metric of one training log, as a dict of floats."""
    with h5py.File(path, "r") as f:
        e = f["epochs"]
        test = e["test_accuracy"][()]
        steps = f["steps/step"].shape[0]
        passes = float(e["passes"][()][-1])
        m = {
            "final_test_accuracy": 100.0 * float(test[-1]),
            "best_test_accuracy": 100.0 * float(np.max(test)),
            "final_train_accuracy": 100.0 * float(e["train_accuracy"][()][-1]),
            "final_test_loss": float(e["test_loss"][()][-1]),
            "final_train_loss": float(e["train_loss"][()][-1]),
            "wall_seconds": float(e["wall_seconds"][()][-1]),
            "passes": passes,
            "passes_per_step": passes / steps if steps else math.nan,
        }
        m["gap_loss"] = m["final_test_loss"] - m["final_train_loss"]
        m["relative_cost"] = m["passes_per_step"]
        m["status"] = text(f.attrs.get("status", ""))
    return m


def exact_surrogate_ratio(f):
    """003 Fig. 1's ||grad L_B(w)|| / ||g_asc|| per step of an open training log (docs/math.md §3.2):
    the log-version-2 column, or for a version-1 log the ratio of the norms it derives from."""
    if "steps/exact_surrogate_norm_ratio" in f:
        return f["steps/exact_surrogate_norm_ratio"][()]
    return f["steps/gradient_norm"][()] / f["steps/ascent_gradient_norm"][()]


def inner_excess(f):
    """003 Fig. 3's <g_asc, grad L_B(w)> - ||grad L_B(w)||^2 per step (version 1: from alignment)."""
    if "steps/ascent_inner_excess" in f:
        return f["steps/ascent_inner_excess"][()]
    g = f["steps/gradient_norm"][()]
    return (f["steps/alignment"][()] - 1.0) * g * g


def read_manifest(path):
    """[(row, column, log)] in file order; a missing log is an error naming it."""
    entries = []
    with open(path, newline="") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit(f"{path}:{number}: expected row<TAB>column<TAB>log, got {line!r}")
            if not os.path.exists(parts[2]):
                sys.exit(f"{path}:{number}: no such log {parts[2]}")
            entries.append(tuple(parts))
    if not entries:
        sys.exit(f"{path}: no runs")
    return entries


def ordered(values):
    seen = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def mean_std(values):
    """(mean, std with n − 1 or nan, n)."""
    a = np.asarray(values, dtype=float)
    if a.size == 0:
        return math.nan, math.nan, 0
    std = float(np.std(a, ddof=1)) if a.size > 1 else math.nan
    return float(np.mean(a)), std, int(a.size)


def collect(entries, metric):
    """rows, columns, {(row, column): [values]}, {(row, column): runs not 'completed'}."""
    rows = ordered(e[0] for e in entries)
    columns = ordered(e[1] for e in entries)
    cells, unfinished = {}, {}
    for row, column, log in entries:
        m = run_metrics(log)
        cells.setdefault((row, column), []).append(m[metric])
        # A diverged run is a result and stays in the mean; the cell says how many there are.
        if m["status"] != "completed":
            unfinished[(row, column)] = unfinished.get((row, column), 0) + 1
    return rows, columns, cells, unfinished


def format_cell(mean, std, n, digits):
    if n == 0 or not math.isfinite(mean):
        return "–"
    body = f"{mean:.{digits}f}"
    if n > 1 and math.isfinite(std):
        body += f" ± {std:.{digits}f}"
    return body


def read_paper(path):
    if not path:
        return {}
    values = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            values[(r["row"], r["column"])] = r["paper"]
    return values


def table(args):
    entries = read_manifest(args.manifest)
    rows, columns, cells, unfinished = collect(entries, args.metric)
    paper = read_paper(args.paper)
    # Rows the paper reports that were not run here (e.g. methods 000 Table 4 copied from other
    # papers) are shown with our cell empty.
    rows += [r for r in ordered(r for r, c in paper if c in columns) if r not in rows]
    stats = {k: mean_std(v) for k, v in cells.items()}
    counts = [s[2] for s in stats.values()]
    usual = max(set(counts), key=lambda n: (counts.count(n), n))  # ties: the larger n
    header = [args.row_label]
    for c in columns:
        header += [f"{c} (ours)"] + ([f"{c} (paper)"] if paper else [])
    lines = []
    if args.title:
        lines += [f"**{args.title}**", ""]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        line = [r]
        for c in columns:
            mean, std, n = stats.get((r, c), (math.nan, math.nan, 0))
            cell = format_cell(mean, std, n, args.digits)
            if n and n != usual:
                cell += f" [n={n}]"
            if unfinished.get((r, c)):
                cell += f" [{unfinished[(r, c)]} not completed]"
            line.append(cell)
            if paper:
                line.append(paper.get((r, c), "–"))
        lines.append("| " + " | ".join(line) + " |")
    lines += ["", f"{args.metric}, mean ± std over n = {usual} runs (seeds) per cell"
              + (" unless marked [n=…]" if any(n != usual for n in counts) else "") + "."
              + (" [k not completed]: k of the cell's runs diverged or stopped early (their status"
                 " attribute); they are in the mean." if unfinished else "")]
    markdown = "\n".join(lines) + "\n"
    with open(args.out + ".md", "w") as f:
        f.write(markdown)
    with h5py.File(args.out + ".h5.tmp", "w") as f:
        f.attrs["result_kind"] = "run_table"
        f.attrs["metric"] = args.metric
        f.attrs["manifest"] = args.manifest
        f["rows"] = np.array(rows, dtype=h5py.string_dtype())
        f["columns"] = np.array(columns, dtype=h5py.string_dtype())
        for name, index in (("mean", 0), ("std", 1), ("n", 2)):
            f[name] = np.array([[stats.get((r, c), (math.nan, math.nan, 0))[index] for c in columns]
                                for r in rows], dtype=float)
        f["paper"] = np.array([[paper.get((r, c), "") for c in columns] for r in rows],
                              dtype=h5py.string_dtype())
    os.replace(args.out + ".h5.tmp", args.out + ".h5")
    print(markdown, end="")


def numeric(label):
    try:
        return float(label)
    except ValueError:
        sys.exit(f"curve: column {label!r} is not a number (the x value)")


def curve(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = read_manifest(args.manifest)
    rows, columns, cells, _ = collect(entries, args.metric)
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    for r in rows:
        if r == args.dashed:
            mean = np.mean([v for (row, _), vs in cells.items() if row == r for v in vs])
            ax.axhline(mean, color="tab:blue", ls="--", lw=1.2, label=f"{r} (mean)")
            continue
        xs = sorted({numeric(c) for (row, c) in cells if row == r})
        by_x = {numeric(c): vs for (row, c), vs in cells.items() if row == r}
        m = np.array([mean_std(by_x[x])[0] for x in xs])
        s = np.array([mean_std(by_x[x])[1] for x in xs])
        line, = ax.plot(xs, m, marker="o", ms=4, label=r)
        if np.isfinite(s).any():
            s = np.nan_to_num(s)
            ax.fill_between(xs, m - s, m + s, color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel(args.x_label)
    if args.log_x:
        ax.set_xscale("log")
    ax.set_ylabel(args.y_label or args.metric.replace("_", " ") + (" (%)" if args.metric in PERCENT else ""))
    if args.title:
        ax.set_title(args.title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out, dpi=args.dpi)
    print(f"wrote {args.out}")


def bars(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = read_manifest(args.manifest)
    rows = ordered(e[0] for e in entries)
    columns = ordered(e[1] for e in entries)
    metrics = {}
    for row, column, log in entries:
        metrics.setdefault((row, column), []).append(run_metrics(log))
    fig, axes = plt.subplots(1, 2 * len(columns), figsize=(4.4 * len(columns) * 2 / 2 + 1, 3.6),
                             squeeze=False)
    x = np.arange(len(rows))
    for k, column in enumerate(columns):
        acc_ax, time_ax = axes[0, 2 * k], axes[0, 2 * k + 1]
        for ax, key, ylabel in ((acc_ax, args.metric, "test accuracy (%)"),
                                (time_ax, "wall_seconds", "training time (s)")):
            stats = [mean_std([m[key] for m in metrics.get((r, column), [])]) for r in rows]
            mean = np.array([s[0] for s in stats])
            std = np.nan_to_num(np.array([s[1] for s in stats]))
            ax.bar(x, mean, yerr=std, capsize=4, color=["tab:blue", "tab:orange", "tab:green",
                                                        "tab:red", "tab:purple"][:len(rows)])
            ax.set_xticks(x, rows)
            ax.set_ylabel(ylabel)
            ax.set_title(column, fontsize=10)
            if key == args.metric:
                low = np.nanmin(mean - std)
                high = np.nanmax(mean + std)
                pad = max(0.5, 0.6 * (high - low))
                ax.set_ylim(low - pad, high + pad)
            else:
                for i, r in enumerate(rows):
                    ms = metrics.get((r, column), [])
                    if ms:
                        ax.annotate(f"{ms[0]['passes_per_step']:.0f} passes/step", (x[i], mean[i]),
                                    ha="center", va="bottom", fontsize=7)
    fig.tight_layout()
    fig.savefig(args.out, dpi=args.dpi)
    print(f"wrote {args.out}")


def best(args):
    entries = read_manifest(args.manifest)
    rows = ordered(e[0] for e in entries)
    means = {r: float(np.mean([run_metrics(e[2])[args.metric] for e in entries if e[0] == r])) for r in rows}
    # A row whose mean is NaN (a diverged run) cannot win; ties go to the first row.
    finite = [r for r in rows if math.isfinite(means[r])]
    if not finite:
        sys.exit(f"{args.manifest}: no row has a finite mean {args.metric}")
    winner = max(finite, key=lambda r: means[r])
    for r in rows:
        print(f"{r}\t{means[r]:.4f}", file=sys.stderr)
    print(winner)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    metrics = ["final_test_accuracy", "best_test_accuracy", "final_train_accuracy", "final_test_loss",
               "final_train_loss", "gap_loss", "wall_seconds", "passes", "passes_per_step", "relative_cost"]
    t = sub.add_parser("table", help="mean ± std per (row, column), with the paper's values")
    t.add_argument("manifest")
    t.add_argument("--metric", choices=metrics, default="final_test_accuracy")
    t.add_argument("--out", required=True, help="output prefix (.md and .h5 are added)")
    t.add_argument("--paper", help="CSV row,column,paper")
    t.add_argument("--title", default="")
    t.add_argument("--row-label", default="method")
    t.add_argument("--digits", type=int, default=2)
    c = sub.add_parser("curve", help="metric against a numeric column, one curve per row")
    c.add_argument("manifest")
    c.add_argument("--metric", choices=metrics, default="final_test_accuracy")
    c.add_argument("--out", required=True)
    c.add_argument("--x-label", default="")
    c.add_argument("--y-label", default="")
    c.add_argument("--title", default="")
    c.add_argument("--dashed", help="row drawn as a dashed horizontal line at its mean")
    c.add_argument("--log-x", action="store_true")
    c.add_argument("--dpi", type=int, default=110)
    b = sub.add_parser("bars", help="accuracy and training-time bars per column (000 Fig. 2)")
    b.add_argument("manifest")
    b.add_argument("--metric", choices=metrics, default="final_test_accuracy")
    b.add_argument("--out", required=True)
    b.add_argument("--dpi", type=int, default=110)
    s = sub.add_parser("best", help="the row with the highest mean metric")
    s.add_argument("manifest")
    s.add_argument("--metric", choices=metrics, default="final_test_accuracy")
    args = parser.parse_args(argv)
    {"table": table, "curve": curve, "bars": bars, "best": best}[args.command](args)


if __name__ == "__main__":
    main()
