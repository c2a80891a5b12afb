#!/usr/bin/python3
"""One SAM epoch with davda54/sam's SAM class, driven by a plain PyTorch loop, in this (fresh)
process; prints one JSON line (@@RESULT ...).

  SAM_DIR=/work/peers/sam /usr/bin/python3 bench/peers/peer_sam.py [--epochs 1] [--batch 128] \
      [--train-subset 0] [--threads 2] [--seed 0]

The loop is the one in davda54/sam's README: SAM(model.parameters(), torch.optim.SGD, rho=0.05,
lr=0.1, momentum=0.9); per batch loss.backward(), first_step(zero_grad=True), a second full
forward-backward, second_step(zero_grad=True). Model: a freshly initialized MLP 784-500-500-10
(`sharpscope train --arch mlp:500,500`'s network), Fashion-MNIST's training split (all 60 000
unless --train-subset), reshuffled each epoch, batches by indexing the in-memory tensors (faster
than a per-example DataLoader, so the peer is not slowed by its input pipeline). After training it
does what `sharpscope train` does at the end of an epoch: loss and accuracy, eval mode, on the
first 10 000 training examples and on the 10 000 test examples, and saves the weights.
Timed: training, evaluation and saving (not the data loading before it).
"""
import argparse
import os
import tempfile
import time

import torch
import torch.nn.functional as F

import common


def evaluate(model, x, y, batch=1024):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, x.size(0), batch):
            logits = model(x[i:i + batch])
            loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            correct += int((logits.argmax(1) == y[i:i + batch]).sum())
    model.train()
    return loss / x.size(0), correct / x.size(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--train-subset", type=int, default=0, help="first n training examples (0 = all)")
    parser.add_argument("--eval-train-subset", type=int, default=10000)
    parser.add_argument("--rho", type=float, default=0.05)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    common.setup_threads(args.threads)

    path = common.peer_on_path("SAM_DIR")
    from sam import SAM  # noqa: E402  (from the checkout)

    x, y = common.load_fmnist("train", args.train_subset or None)
    x_eval, y_eval = x[:args.eval_train_subset], y[:args.eval_train_subset]
    x_test, y_test = common.load_fmnist("test")
    torch.manual_seed(args.seed)
    model = common.MODELS["mlp"]()
    generator = torch.Generator().manual_seed(args.seed)

    start = time.perf_counter()
    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=args.rho, lr=args.lr, momentum=args.momentum)
    model.train()
    steps = 0
    for _ in range(args.epochs):
        order = torch.randperm(x.size(0), generator=generator)
        for i in range(0, x.size(0), args.batch):
            index = order[i:i + args.batch]
            inputs, targets = x[index], y[index]
            loss = F.cross_entropy(model(inputs), targets)
            loss.backward()
            optimizer.first_step(zero_grad=True)
            F.cross_entropy(model(inputs), targets).backward()
            optimizer.second_step(zero_grad=True)
            steps += 1
    train_seconds = time.perf_counter() - start
    train_loss, train_accuracy = evaluate(model, x_eval, y_eval)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    with tempfile.NamedTemporaryFile(dir=common.bench_dir(), suffix=".pt") as f:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, f.name)
    seconds = time.perf_counter() - start
    common.emit({"peer": "davda54/sam", "peer_commit": common.peer_commit(path), "model": "mlp", "task": "sam-epoch",
                 "threads": args.threads, "steps": steps, "batch": args.batch, "train_examples": int(x.size(0)),
                 "train_seconds": train_seconds, "seconds": seconds, "train_loss": train_loss,
                 "train_accuracy": train_accuracy, "test_loss": test_loss, "test_accuracy": test_accuracy,
                 "call": f"SAM(params, SGD, rho={args.rho}, lr={args.lr}, momentum={args.momentum}); "
                         "first_step/second_step"})


if __name__ == "__main__":
    main()
