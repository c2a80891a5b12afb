#!/usr/bin/env python3
"""Prints, one absolute path per line, the sources that include no LibTorch header.

CMake (CMakeLists.txt) lets these skip the precompiled LibTorch header: loading its ~600 MB costs
about 9 s of CPU per file, more than most such files take to compile (docs/architecture.md
"Build time"). A source's includes are followed through the project's own headers (include/,
src/, tests/); a system header counts as LibTorch when it lives under torch/, ATen/, c10/ or
caffe2/. Usage: `python3 scripts/torch_free_sources.py [repository root]`.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
LIBTORCH = ("torch/", "ATen/", "c10/", "caffe2/")
SEARCH = ("include", "src", "tests")


def includes_libtorch(path: pathlib.Path, root: pathlib.Path, memo: dict, active: set) -> bool:
    if path in memo:
        return memo[path]
    if path in active:  # an include cycle adds nothing new
        return False
    active.add(path)
    found = False
    for name in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
        if name.startswith(LIBTORCH):
            found = True
            break
        candidates = [path.parent / name, *(root / d / name for d in SEARCH)]
        header = next((c.resolve() for c in candidates if c.is_file()), None)
        if header is not None and includes_libtorch(header, root, memo, active):
            found = True
            break
    active.discard(path)
    memo[path] = found
    return found


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    root = root.resolve()
    memo: dict = {}
    sources = sorted([*root.glob("src/**/*.cpp"), *root.glob("tests/**/*.cpp")])
    for source in sources:
        if not includes_libtorch(source.resolve(), root, memo, set()):
            print(source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
