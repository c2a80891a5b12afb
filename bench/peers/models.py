#!/usr/bin/python3
"""Train the benchmark's two models briefly in Python and save them as TorchScript.

  /usr/bin/python3 bench/peers/models.py [--epochs 1] [--force]

MLP 784-500-500-10 and a small CNN (conv-ReLU-maxpool x2, linear), seeded, trained with momentum
SGD (lr 0.05, momentum 0.9, batch 128) on Fashion-MNIST's training split, written to
$SHARPSCOPE_BENCH_DIR (default /tmp/sharpscope-peers) as mlp.pt and cnn.pt (torch.jit.script).
TorchScript is the common format: sharpscope loads it directly, and the peers' drivers rebuild the
eager module (common.py) and load the file's state_dict, so both sides analyse the same weights.
Existing files are kept unless --force.
"""
import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

import common


def train(name, epochs, train_examples, seed, threads):
    torch.manual_seed(seed)
    x, y = common.load_fmnist("train", train_examples or None)
    model = common.MODELS[name]()
    # Compile first: torch.jit.script reads the class's source file, which may change during a
    # long training run; the trained weights are loaded into the compiled module afterwards.
    scripted = torch.jit.script(common.MODELS[name]())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(x.size(0), generator=generator)
        for i in range(0, x.size(0), 128):
            batch = order[i:i + 128]
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    model.eval()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        xs, ys = common.load_fmnist("train", 2048)
        logits = model(xs)
        loss = F.cross_entropy(logits, ys).item()
        accuracy = (logits.argmax(1) == ys).float().mean().item()
    path = common.model_path(name)
    scripted.load_state_dict(model.state_dict())
    scripted.eval()
    scripted.save(path)
    info = {"model": name, "description": common.DESCRIPTIONS[name], "path": path,
            "parameters": sum(p.numel() for p in model.parameters()), "epochs": epochs,
            "train_examples": x.size(0), "seed": seed, "train_seconds": round(seconds, 2),
            "loss_first_2048": loss, "accuracy_first_2048": accuracy}
    with open(path[:-3] + ".json", "w") as f:
        json.dump(info, f, indent=1)
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-examples", type=int, default=0, help="first n training examples (0 = all 60 000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="retrain even if the file exists")
    args = parser.parse_args()
    common.setup_threads(args.threads)
    for name in args.models.split(","):
        path = common.model_path(name)
        if os.path.exists(path) and not args.force:
            print(f"{name}: {path} exists (--force retrains)")
            continue
        info = train(name, args.epochs, args.train_examples, args.seed, args.threads)
        print(f"{name}: {info['description']}, {info['parameters']} parameters, {info['epochs']} epoch(s) on "
              f"{info['train_examples']} examples in {info['train_seconds']} s; loss {info['loss_first_2048']:.4f}, "
              f"accuracy {info['accuracy_first_2048']:.4f} on the first 2048; wrote {path}")


if __name__ == "__main__":
    main()
