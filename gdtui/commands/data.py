"""``gdtui data``: what a teacher checks first about the digits a lab will use."""

from __future__ import annotations

import argparse

import numpy as np

from gdtui.commands import say
from gdtui.core.dataset import CLASSES, load_dataset

_BAR = 30


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "data",
        help="check the data set: counts, sizes, labels, checksums, cache",
        description="Load the data set the app would use, check it, and report what it holds.",
    )
    parser.set_defaults(run=run)
    return parser


def histogram(labels: np.ndarray) -> list[str]:
    counts = np.bincount(labels, minlength=CLASSES)
    widest = max(int(counts.max()), 1)
    return [f"    {label}  {count:>7,}  {'█' * round(_BAR * count / widest)}" for label, count in enumerate(counts)]


def run(args: argparse.Namespace) -> int:
    data = load_dataset(args.data)
    rows, cols = data.image_shape
    cache = f"{data.cache_dir} (memory-mapped)" if data.cache_dir else "none: could not be written; decompressed on every start"
    say(
        f"{data.name}  ({data.source})",
        f"  training images  {len(data.train):>7,}",
        f"  test images      {len(data.test):>7,}",
        f"  image size       {rows}×{cols} pixels = {rows * cols} input values, brightness 0–255",
        f"  checksums        {data.checksums}",
        f"  cache            {cache}",
        "  training labels",
        *histogram(data.train.labels),
    )
    return 0
