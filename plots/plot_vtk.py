#!/usr/bin/python3
"""Renders a `sharpscope paraview` export (.vtp or .vtk) with matplotlib, from the file alone: a
check that the mesh is what ParaView will draw (points, quads, heights), and a figure where
ParaView is not at hand.

    plot_vtk.py SURFACE.vtp|SURFACE.vtk [-o FIGURE.png]

Reads only what sharpscope writes (ASCII VTK XML PolyData, or legacy ASCII POLYDATA). Needs
/usr/bin/python3 with matplotlib and numpy.
"""
import argparse
import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: E402


def read_vtp(path):
    piece = ET.parse(path).getroot().find("PolyData/Piece")
    arrays = {a.get("Name"): np.array(a.text.split(), dtype=float) for a in piece.iter("DataArray")}
    points = arrays["Points"].reshape(-1, 3)
    connectivity = arrays["connectivity"].astype(int)
    return points, connectivity.reshape(-1, 4), arrays["mean_height"]


def read_vtk(path):
    text = open(path).read()
    n = int(re.search(r"POINTS (\d+)", text).group(1))
    body = text.split(re.search(r"POINTS \d+ double\n", text).group(0))[1]
    points = np.array(body.split()[: 3 * n], dtype=float).reshape(n, 3)
    m = int(re.search(r"POLYGONS (\d+)", text).group(1))
    polys = text.split(re.search(r"POLYGONS \d+ \d+\n", text).group(0))[1]
    quads = np.array(polys.split()[: 5 * m], dtype=int).reshape(m, 5)[:, 1:]
    cells = text.split("SCALARS mean_height double 1\nLOOKUP_TABLE default\n")[1]
    return points, quads, np.array(cells.split()[:m], dtype=float)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("surface", help=".vtp or .vtk file written by sharpscope paraview")
    parser.add_argument("-o", "--out", help="figure file (default: SURFACE.png)")
    args = parser.parse_args()
    points, quads, mean = (read_vtp if args.surface.endswith(".vtp") else read_vtk)(args.surface)
    fig = plt.figure(figsize=(6, 5))
    ax = fig.add_subplot(1, 1, 1, projection="3d")
    norm = plt.Normalize(mean.min(), mean.max())
    faces = Poly3DCollection(points[quads], facecolors=plt.cm.viridis(norm(mean)), edgecolor="none")
    ax.add_collection3d(faces)
    for axis, (lo, hi) in zip("xyz", zip(points.min(0), points.max(0))):
        getattr(ax, f"set_{axis}lim")(lo, hi)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("height")
    ax.set_title(f"{args.surface.split('/')[-1]}: {len(points)} points, {len(quads)} quads", fontsize=9)
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="viridis"), ax=ax, shrink=0.6, label="mean height")
    fig.tight_layout()
    out = args.out or args.surface.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
