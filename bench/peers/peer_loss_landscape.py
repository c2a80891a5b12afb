#!/usr/bin/python3
"""Goldstein et al.'s loss-landscape 2-D random-direction grid in this (fresh) process; prints one
JSON line (@@RESULT ...).

  LOSS_LANDSCAPE_DIR=/work/peers/loss-landscape /usr/bin/python3 bench/peers/peer_loss_landscape.py \
      --model mlp [--x -1:1:21 --y -1:1:21] [--threads 2] [--subset 2048] [--batch 128]

Runs plot_surface.py's own pipeline on our model and data, calling the checkout's functions:
net_plotter.setup_direction (create_random_direction(dir_type='weights', ignore='biasbn',
norm='filter') for x and y, written to the direction file), setup_surface_file, load_directions,
then plot_surface.crunch (per point net_plotter.set_weights from the saved copy w plus the
directions, evaluation.eval_loss over the loader, the surface file updated). The options are
README.md's 2-D example (--dir_type weights --xnorm filter --xignore biasbn --ynorm filter
--yignore biasbn); torch.manual_seed(123) as in plot_surface.py; --batch_size 128 is its default.
The loader is a DataLoader over the in-memory tensors, shuffle=False as in its dataloader.py, with
num_workers=0 (its dataloader.py passes --threads, default 2, as num_workers; worker processes
for in-memory tensors would only add process start-ups to each of the 441 passes).

plot_surface.py imports torchvision, seaborn, mpi4py and (via projection.py) sklearn at top level; the crunch path without MPI
never uses them, so where they are not installed an empty module stands in (reported in the JSON).
Timed: from setup_direction to the end of crunch (sharpscope's interp also draws its directions).
"""
import argparse
import copy
import os
import shutil
import sys
import tempfile
import time
import types

import numpy as np
import torch

import common


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, choices=sorted(common.MODELS))
    parser.add_argument("--x", default="-1:1:21")
    parser.add_argument("--y", default="-1:1:21")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--subset", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--keep", help="copy the surface file here")
    args = parser.parse_args()
    common.setup_threads(args.threads)

    path = common.peer_on_path("LOSS_LANDSCAPE_DIR")
    stubbed = common.stub_missing("torchvision", "seaborn", "mpi4py", "sklearn")
    import net_plotter  # noqa: E402  (from the checkout)
    import plot_surface  # noqa: E402

    model = common.load_eager(args.model)
    x, y = common.load_fmnist("train", args.subset)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=args.batch,
                                         shuffle=False, num_workers=0)

    workdir = tempfile.mkdtemp(prefix="ll-", dir=common.bench_dir())
    model_file = os.path.join(workdir, f"{args.model}.t7")
    # plot_surface.py parses "min:max:num" into floats; NumPy >= 1.18 refuses a float `num` in
    # setup_surface_file's np.linspace, so the counts are ints here (the only deviation).
    xmin, xmax, xnum = [float(a) for a in args.x.split(":")]
    ymin, ymax, ynum = [float(a) for a in args.y.split(":")]
    xnum, ynum = int(xnum), int(ynum)
    cli = types.SimpleNamespace(  # plot_surface.py's argparse namespace, README 2-D example
        mpi=False, cuda=False, threads=args.threads, ngpu=1, batch_size=args.batch, dataset="fmnist",
        raw_data=False, data_split=1, split_idx=0, model=args.model, model_file=model_file, model_file2="",
        model_file3="", loss_name="crossentropy", dir_file="", dir_type="weights", x=args.x, y=args.y,
        xnorm="filter", ynorm="filter", xignore="biasbn", yignore="biasbn", same_dir=False, idx=0,
        surf_file="", xmin=xmin, xmax=xmax, xnum=xnum, ymin=ymin, ymax=ymax, ynum=ynum)

    torch.manual_seed(123)
    w = net_plotter.get_weights(model)
    s = copy.deepcopy(model.state_dict())
    start = time.perf_counter()
    dir_file = net_plotter.name_direction_file(cli)
    net_plotter.setup_direction(cli, dir_file, model)
    surf_file = plot_surface.name_surface_file(cli, dir_file)
    plot_surface.setup_surface_file(cli, surf_file, dir_file)
    d = net_plotter.load_directions(dir_file)
    plot_surface.crunch(surf_file, model, w, s, d, loader, "train_loss", "train_acc", None, 0, cli)
    seconds = time.perf_counter() - start

    import h5py
    with h5py.File(surf_file, "r") as f:
        loss = np.array(f["train_loss"])
        xs, ys = np.array(f["xcoordinates"]), np.array(f["ycoordinates"])
    centre = (int(np.argmin(np.abs(xs))), int(np.argmin(np.abs(ys))))
    if args.keep:
        shutil.copy(surf_file, args.keep)
    shutil.rmtree(workdir)
    common.emit({"peer": "loss-landscape", "peer_commit": common.peer_commit(path), "model": args.model,
                 "task": "grid", "threads": args.threads, "points": int(loss.size), "batch": args.batch,
                 "stubbed_imports": stubbed, "loss_centre": float(loss[centre]), "loss_min": float(loss.min()),
                 "loss_max": float(loss.max()), "seconds": seconds,
                 "call": "setup_direction + crunch (weights, filter, biasbn)"})


if __name__ == "__main__":
    main()
