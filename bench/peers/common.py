"""Shared by the peer benchmark's scripts: data, models, paths, peer imports, JSON output.

Nothing here comes from the peers: they are imported at run time from the checkouts named by
PYHESSIAN_DIR, LOSS_LANDSCAPE_DIR and SAM_DIR (see README.md).
"""
import gzip
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import struct
import sys
import types

import numpy as np
import torch
import torch.nn as nn

FMNIST = os.environ.get("SHARPSCOPE_FMNIST", "/usr/share/datasets/fashion-mnist")
MEAN, STD = 0.2860, 0.3530  # sharpscope's Fashion-MNIST normalization (x/255 - mean) / std
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))


def bench_dir():
    """Cache for models and outputs: outside the repository."""
    path = os.environ.get("SHARPSCOPE_BENCH_DIR", "/tmp/sharpscope-peers")
    os.makedirs(path, exist_ok=True)
    return path


def model_path(name):
    return os.path.join(bench_dir(), f"{name}.pt")


# --- data --------------------------------------------------------------------------------------

def read_idx(path, count=None):
    """First `count` records (all if None) of a gzipped IDX file; decompresses only what it needs."""
    with gzip.open(path, "rb") as f:
        head = f.read(4)
        dims = head[3]
        shape = struct.unpack(">" + "I" * dims, f.read(4 * dims))
        n = shape[0] if count is None else min(count, shape[0])
        record = int(np.prod(shape[1:])) if dims > 1 else 1
        data = f.read(n * record)
    return np.frombuffer(data, dtype=np.uint8).reshape((n,) + tuple(shape[1:]))


def load_fmnist(split="train", count=None):
    """The first `count` examples of a split, as sharpscope reads them: float32 [N,1,28,28], int64 labels."""
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(FMNIST, f"{prefix}-images-idx3-ubyte.gz"), count).astype(np.float32)
    y = read_idx(os.path.join(FMNIST, f"{prefix}-labels-idx1-ubyte.gz"), count).astype(np.int64)
    x = (x / 255.0 - MEAN) / STD
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


# --- models ------------------------------------------------------------------------------------

class MLP(nn.Module):
    """784-H1-H2-10 ReLU, parameters fc1, fc2, fc3 as in sharpscope's mlp:H1,H2."""

    def __init__(self, h1=500, h2=500):
        super().__init__()
        self.fc1 = nn.Linear(784, h1)
        self.fc2 = nn.Linear(h1, h2)
        self.fc3 = nn.Linear(h2, 10)

    def forward(self, x):
        x = torch.relu(self.fc1(x.flatten(1)))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class SmallCNN(nn.Module):
    """conv3x3(1->C1)-ReLU-maxpool2, conv3x3(C1->C2)-ReLU-maxpool2, linear (no BatchNorm)."""

    def __init__(self, c1=32, c2=64):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.fc = nn.Linear(c2 * 7 * 7, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


MODELS = {"mlp": lambda: MLP(500, 500), "cnn": lambda: SmallCNN(32, 64)}
DESCRIPTIONS = {"mlp": "MLP 784-500-500-10 ReLU",
                "cnn": "CNN conv3x3(32)-ReLU-maxpool, conv3x3(64)-ReLU-maxpool, linear"}


def load_eager(name):
    """The eager nn.Module a PyTorch user has, with the weights of the saved TorchScript file.

    Peers get the eager module (as their users would); sharpscope gets the TorchScript file:
    the weights are the same tensors (load_state_dict is strict)."""
    path = model_path(name)
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run /usr/bin/python3 bench/peers/models.py first")
    model = MODELS[name]()
    model.load_state_dict(torch.jit.load(path).state_dict())
    return model.eval()


# --- peers -------------------------------------------------------------------------------------

PEERS = {
    "PYHESSIAN_DIR": ("amirgholami/PyHessian", "PyHessian"),
    "LOSS_LANDSCAPE_DIR": ("tomgoldstein/loss-landscape", "loss-landscape"),
    "SAM_DIR": ("davda54/sam", "sam"),
}


def how_to_fetch(var):
    repo, name = PEERS[var]
    return (f"{var} is not set. Check out https://github.com/{repo} and point {var} at it, e.g.\n"
            f"  git clone https://github.com/{repo} /work/peers/{name}   (or the search tool's fetch of "
            f"github:{repo}, then `git --git-dir=<mirror> archive HEAD | tar -x -C /work/peers/{name}`)\n"
            f"  export {var}=/work/peers/{name}")


def peer_dir(var):
    path = os.environ.get(var)
    if not path:
        sys.exit(how_to_fetch(var))
    if not os.path.isdir(path):
        sys.exit(f"{var}={path} is not a directory\n" + how_to_fetch(var))
    return os.path.abspath(path)


def peer_on_path(var):
    path = peer_dir(var)
    if path not in sys.path:
        sys.path.insert(0, path)
    return path


class _Unavailable:
    """Stands in for anything taken from a stubbed module; fails loudly if actually used."""

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        raise ImportError(f"{self._name} is not installed (stubbed for the benchmark; this path should not use it)")

    def __getattr__(self, attr):
        return _Unavailable(f"{self._name}.{attr}")


class _StubModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Unavailable(f"{self.__name__}.{attr}")


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, roots):
        self.roots = set(roots)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return _StubModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []


def stub_missing(*names):
    """Stand-ins for packages a peer imports at top level but never uses on the path benchmarked
    (e.g. torchvision in loss-landscape's plot_surface.py), only where they are not installed:
    `import name`, `import name.sub` and `from name.sub import X` then succeed, and using X raises
    ImportError. Returns the names stubbed."""
    stubbed = []
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            stubbed.append(name)
    if stubbed:
        sys.meta_path.append(_StubFinder(stubbed))
    return stubbed


def peer_commit(path):
    for candidate in (os.path.join(path, ".commit"),):
        if os.path.exists(candidate):
            return open(candidate).read().strip()
    head = os.path.join(path, ".git")
    if os.path.exists(head):
        import subprocess
        out = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.strip()
    return "unknown"


def setup_threads(threads):
    torch.set_num_threads(threads)


def emit(result):
    """The driver's one line of output: JSON after a marker, so peers' own prints do not confuse it."""
    sys.stdout.flush()
    print("@@RESULT " + json.dumps(result), flush=True)
