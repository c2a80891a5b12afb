#!/usr/bin/env python3
"""Fails when a source includes a header of a higher layer (docs/architecture.md).

The library's areas form a stack; each may include only its own headers and those of the areas
below it:

    core < data < ascent < hessian < optim < landscape < dynamics < io < commands

Run from anywhere: `python3 scripts/check_layers.py [repository root]`. Prints one line per
forbidden include (file:line: area 'x' includes 'y/...' above it) and exits 1 if there is any.
"""
import pathlib
import re
import sys

LAYERS = ["core", "data", "ascent", "hessian", "optim", "landscape", "dynamics", "io", "commands"]
RANK = {area: rank for rank, area in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"(?:sharpscope/)?([a-z_]+)/[^"]+"')


def area_of(path: pathlib.Path, root: pathlib.Path):
    parts = path.relative_to(root).parts
    if parts[:2] == ("include", "sharpscope") and len(parts) > 3:
        return parts[2]
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    return None


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    problems = []
    files = [*root.glob("include/sharpscope/*/*.h"), *root.glob("src/*/*.h"), *root.glob("src/*/*.cpp")]
    for path in sorted(files):
        area = area_of(path, root)
        if area not in RANK:
            problems.append(f"{path.relative_to(root)}: area '{area}' is not one of {', '.join(LAYERS)}")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match or match.group(1) not in RANK:
                continue
            included = match.group(1)
            if RANK[included] > RANK[area]:
                problems.append(f"{path.relative_to(root)}:{number}: area '{area}' includes "
                                f"'{included}/...', a layer above it")
    for problem in problems:
        print(problem)
    if not files:
        print(f"no sources under {root}")
        return 1
    print(f"layers: {len(files)} files checked, {len(problems)} forbidden includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
