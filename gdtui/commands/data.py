"""``gdtui data``: what a teacher checks first about the digits a lab will use."""

from __future__ import annotations

import argparse

import numpy as np

from gdtui.commands import say
from gdtui.core import memory
from gdtui.core.dataset import cache_folder, cache_size, clear_cache, load_dataset

_BAR = 30


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "data",
        help="check the data set: counts, sizes, classes, labels, checksums, cache",
        description="Load the data set the app would use, check it, and report what it holds.",
    )
    parser.add_argument(
        "--clear-cache",
        action="store_true",
        help="remove every data set's cache (the next start makes again what it needs) and exit",
    )
    parser.set_defaults(run=run)
    return parser


def histogram(labels: np.ndarray, classes: tuple[str, ...]) -> list[str]:
    """A bar for each class; its name beside its label unless the name is the label itself."""
    counts = np.bincount(labels, minlength=len(classes))
    widest = max(int(counts.max()), 1)
    digits = len(str(len(classes) - 1))
    named = classes != _numbers(len(classes))
    name_width = max(map(len, classes))
    rows = []
    for label, (name, count) in enumerate(zip(classes, counts)):
        shown = f"{label:>{digits}}  {name:<{name_width}}" if named else f"{label:>{digits}}"
        rows.append(f"    {shown}  {count:>7,}  {'█' * round(_BAR * count / widest)}")
    return rows


def _numbers(count: int) -> tuple[str, ...]:
    return tuple(str(label) for label in range(count))


def _classes(classes: tuple[str, ...]) -> str:
    if classes == _numbers(len(classes)):
        return f"{len(classes)}, numbered 0–{len(classes) - 1}"
    return f"{len(classes)}: {', '.join(classes)}"


def run(args: argparse.Namespace) -> int:
    if args.clear_cache:
        say(f"removed {memory.describe(clear_cache())} of cached data sets from {cache_folder()}")
        return 0
    data = load_dataset(args.data)
    size, count = cache_size()
    rows, cols = data.image_shape
    cache = f"{data.cache_dir} (memory-mapped)" if data.cache_dir else "none: could not be written; decompressed on every start"
    say(
        f"{data.name}  ({data.source})",
        f"  training images  {len(data.train):>7,}",
        f"  test images      {len(data.test):>7,}",
        f"  image size       {rows}×{cols} pixels = {rows * cols} input values, brightness 0–255",
        f"  classes          {_classes(data.classes)}",
        f"  checksums        {data.checksums}",
        f"  cache            {cache}",
        f"  all caches       {memory.describe(size)} for {count} data set{'' if count == 1 else 's'} in {cache_folder()} "
        "(--clear-cache removes them)",
        "  training labels",
        *histogram(data.train.labels, data.classes),
    )
    return 0
