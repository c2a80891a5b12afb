#!/usr/bin/python3
"""Writes the seed corpora of the fuzz harnesses into tests/fuzz/corpus/<harness>/.

Each seed is a small valid input (a few KiB at most) in the layout its harness documents at the
top of tests/fuzz/harnesses/<harness>_fuzz.cpp, plus a few near misses. Deterministic: running it
again rewrites the same bytes. Needs Debian's python3 (torch, h5py), not a pyenv one:

    /usr/bin/python3 tests/fuzz/make_seeds.py

The model_file corpus also holds a bare sharpscope checkpoint, which only the C++ writer can make;
the checkpoint_metadata harness writes it when SHARPSCOPE_FUZZ_KEEP names a file:

    SHARPSCOPE_FUZZ_KEEP=tests/fuzz/corpus/model_file/checkpoint_mlp4.pt \
        build-fuzz/fuzz_checkpoint_metadata tests/fuzz/corpus/checkpoint_metadata/mlp4
"""
import gzip
import io
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"


def write(harness, name, data):
    path = ROOT / harness / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def gz(data):
    # mtime 0: the same bytes on every run.
    return gzip.compress(data, compresslevel=6, mtime=0)


# ---- IDX: byte 0 flags (bit 0/1 gzip images/labels, bits 2-7 = K - 1), u32 length, images, labels
def idx_images(count, rows, cols, declared=None):
    header = struct.pack(">IIII", 2051, count if declared is None else declared, rows, cols)
    return header + bytes((7 * i) % 256 for i in range(count * rows * cols))


def idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + bytes(labels)


def idx_seed(flags, images, labels):
    return bytes([flags]) + struct.pack(">I", len(images)) + images + labels


K10 = 9 << 2
write("idx", "raw_pair", idx_seed(K10, idx_images(2, 8, 8), idx_labels([3, 9])))
write("idx", "gzip_by_harness", idx_seed(K10 | 3, idx_images(3, 8, 8), idx_labels([0, 1, 2])))
write("idx", "gz_verbatim", idx_seed(K10, gz(idx_images(2, 9, 7)), gz(idx_labels([5, 1]))))
write("idx", "fashion_28x28", idx_seed(K10, idx_images(1, 28, 28), idx_labels([4])))
write("idx", "truncated_images", idx_seed(K10, idx_images(2, 8, 8, declared=3), idx_labels([1, 2])))
write("idx", "count_mismatch", idx_seed(K10, idx_images(2, 8, 8), idx_labels([1, 2, 3])))
write("idx", "label_out_of_range", idx_seed(1 << 2, idx_images(1, 8, 8), idx_labels([2])))


# ---- CIFAR: byte 0 flags (bit 0 CIFAR-100, bit 1 gzip, bit 2 two files split at u32 length)
def cifar_record(labels):
    return bytes(labels) + bytes((3 * i + labels[-1]) % 256 for i in range(3 * 32 * 32))


write("cifar", "cifar10_one", bytes([0]) + cifar_record([7]))
write("cifar", "cifar100_one", bytes([1]) + cifar_record([3, 42]))
two = cifar_record([1])
write("cifar", "cifar10_two_files_gzip", bytes([2 | 4]) + struct.pack(">I", len(two)) + two +
      cifar_record([9]))
write("cifar", "cifar10_partial_record", bytes([0]) + cifar_record([2])[:1000])

# ---- flags: byte 0 parser, byte 1 choice, then the text
FLAGS = [
    (0, 0, "-0.2:0.2:21"), (0, 0, "0.001:0.3:100:log"), (0, 0, "0:0:1"), (0, 0, "1:0:5"),
    (1, 1, "0.05,0.1,0.2"), (1, 0, "-0.5,1e-3"), (2, 1, "1,3,5"), (2, 0, "0,2,7"),
    (3, 0, "v1,v10,rand,rand:7,eig2,to:other.pt,file:dirs.h5:d1"), (4, 0, "1:2:1"),
    (5, 0, "synthetic:64,1,8,8,4,3"), (5, 0, "synthetic"), (5, 0, "fmnist"),
    (5, 0, "cifar100:/data/cifar-100-binary"), (5, 0, "mnist:"), (6, 0, "file:a:b.h5:eig1"),
    (6, 0, "v100000"), (7, 0, "sam-2"), (7, 0, "msam-3"), (7, 0, "stableasam"), (7, 0, "esam"),
    (8, 0, "asc,max,avg"),
] + [(9, choice, text) for choice, text in enumerate([
    "float64", "cuda:1", "train", "test", "batch", "finite-difference", "power", "both",
    "gaussian", "psam", "adamw", "cosine", "on", "stablesam", "distance", "linex"])]
for i, (parser, choice, text) in enumerate(FLAGS):
    write("flags", f"{i:02d}_p{parser}", bytes([parser, choice]) + text.encode())

# ---- checkpoint metadata: text recipes (see checkpoint_metadata_fuzz.cpp)
TRAINER_KEYS = (
    "format=sharpscope-checkpoint-v1\ndata_name=synthetic/train\ndtype=float32\nepoch=0.5\n"
    "optimizer=sgd\nlr=0.1\nseed=0\nstep=1\ntotal_steps=1\nstatus=completed\n"
    "metrics.train_loss=0.6053297384642065\nmetrics.test_accuracy=0.59375\n")
NETWORKS = [("mlp4", "mlp:4", "1,8,8,3"), ("cnn2", "cnn:2", "1,8,8,3"),
            ("lenet5", "lenet5", "1,8,8,3"), ("resnet8", "resnet8", "3,8,8,2"),
            ("wrn10_1", "wrn10-1", "3,8,8,2"), ("mlp3_3", "mlp:3,3", "2,8,8,2")]
for index, (name, arch, shape) in enumerate(NETWORKS):
    c, h, w, k = shape.split(",")
    recipe = (f"!model={index}\narch={arch}\ninput_shape={shape}\n"
              f"data=synthetic:32,{c},{h},{w},{k},0\n" + TRAINER_KEYS)
    write("checkpoint_metadata", name, recipe.encode())
write("checkpoint_metadata", "wrong_arch", b"!model=0\narch=mlp:5\ninput_shape=1,8,8,3\n")
write("checkpoint_metadata", "old_format", b"!format=sharpscope-checkpoint-v0\narch=mlp:4\n")
write("checkpoint_metadata", "surplus", b"!surplus\narch=mlp:4\ninput_shape=1,8,8,3\n")
write("checkpoint_metadata", "integer_entry", b"!int=arch\ninput_shape=1,8,8,3\n")


# ---- model files: a tiny TorchScript module (the checkpoint seed: see the docstring)
def torchscript_seed():
    import torch

    torch.manual_seed(0)
    module = torch.jit.script(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2)))
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    return buffer.getvalue()


write("model_file", "torchscript_linear.pt", torchscript_seed())


# ---- HDF5: byte 0 mode; odd = a file verbatim, even = a program (see h5_direction_fuzz.cpp)
def h5_file(build):
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w", track_order=False, libver="earliest") as f:
        build(f)
    return buffer.getvalue()


def direction_file(f):
    g = f.create_group("d1")
    g.create_dataset("fc.weight", data=[[0.5, -1.0, 2.0], [0.0, 1.5, -0.25]])
    g.create_dataset("fc.bias", data=[1.0, -1.0])
    g.attrs["description"] = "direction d1"
    f.attrs["signature"] = "interp v1 x=-1:1:3"


write("h5_direction", "raw_direction.h5", bytes([1]) + h5_file(direction_file))

F64, F32, I64, I8, U64, FIXED, VLEN, COMPOUND = range(8)
DATASET, GROUP, ATTRIBUTE = range(3)
NAMES = ["d1", "d1/fc.weight", "d1/fc.bias", "d1_flat", "values", "done", "/", "g", "g/h",
         "d1/fc.weight/x"]
KEYS = ["signature", "config", "command_path", "description", "units"]


def op(kind, name, type_code=F64, length=0, dims=(), values=b"", key=None):
    out = bytes([kind, NAMES.index(name)])
    if kind == GROUP:
        return out
    out += bytes([type_code, length, len(dims)]) + bytes(dims) + values
    if kind == ATTRIBUTE:
        out += bytes([KEYS.index(key)])
    return out


def doubles(*values):
    # The harness repeats the first two elements' bytes over the dataset.
    return struct.pack("<2d", *values)


def text(s):
    return bytes([len(s)]) + s.encode()


write("h5_direction", "program_direction", bytes([0]) +
      op(DATASET, "d1/fc.weight", F64, 0, (2, 3), doubles(0.5, -1.0)) +
      op(DATASET, "d1/fc.bias", F64, 0, (2,), doubles(1.0, 2.0)) +
      op(ATTRIBUTE, "/", VLEN, 0, (), text("interp v1"), key="signature"))
write("h5_direction", "program_flat", bytes([0]) +
      op(DATASET, "d1_flat", F32, 0, (6,), struct.pack("<2f", 0.25, -4.0)) +
      op(DATASET, "d1_flat", F64, 0, (4, 2), doubles(1.0, 3.0)))
write("h5_direction", "program_resume", bytes([0]) +
      op(DATASET, "values", F64, 0, (3, 2), doubles(0.1, float("nan"))) +
      op(DATASET, "done", I64, 0, (3,), struct.pack("<2q", 1, 0)) +
      op(ATTRIBUTE, "/", FIXED, 11, (), b"landscape in" * 2, key="config") +
      op(ATTRIBUTE, "/", VLEN, 0, (), text("landscape interp"), key="command_path"))
write("h5_direction", "program_wrong_types", bytes([0]) +
      op(GROUP, "d1") + op(DATASET, "d1/fc.weight", I8, 0, (3, 2), b"\x01\x02") +
      op(DATASET, "d1/fc.bias", COMPOUND, 0, (2,), b"\x00" * 32) +
      op(DATASET, "done", F64, 0, (2,), doubles(1.0, 0.5)) +
      op(ATTRIBUTE, "d1", U64, 0, (), struct.pack("<2Q", 5, 6), key="units"))
