#!/usr/bin/env python3
"""Frames made like the shared generator's, on desks it does not make: a check of how the
detector does on surfaces it was never tuned on (BENCHMARKS.md, "Desks docgen does not make").

    python scripts/desk_variants.py OUT [--desks mat,newspaper,...] [--count 30] [--seed 5]

Writes OUT/<desk>/ (frames/, pages/, manifest.json) per desk, in ../shared/bench/docgen.py's
format, so `score_detect.py OUT/<desk>` scores it. Documents, placement, light, shadows,
glare, noise and blur are docgen's own; only the desk under the document is new:

    mat        a green cutting mat with a light grid (a common base under document cameras)
    newspaper  a desk covered in print: dark dashes in rows, like text seen from afar
    stone      pale blotchy stone with dark veins and contour-like texture
    glossy     a dark glossy desk with broad light streaks (reflections)
    plate      a document camera's grey base plate with ruler ticks along two edges
    white      a white sheet under the document: pale paper on paler paper
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import cv2
import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared"
DESKS = ("mat", "newspaper", "stone", "glossy", "plate", "white")


def _mat(h: int, w: int, rng: random.Random) -> np.ndarray:
    img = np.ones((h, w, 3), np.float32) * np.float32([70, 120, 40]) * rng.uniform(0.8, 1.2)
    step = rng.randint(25, 60)
    for x in range(0, w, step):
        cv2.line(img, (x, 0), (x, h), (200, 220, 200), 1 + (x // step % 5 == 0))
    for y in range(0, h, step):
        cv2.line(img, (0, y), (w, y), (200, 220, 200), 1 + (y // step % 5 == 0))
    return img


def _newspaper(h: int, w: int, rng: random.Random) -> np.ndarray:
    img = np.full((h, w, 3), rng.randint(170, 215), np.float32)
    for y in range(10, h, rng.randint(14, 22)):
        x = 0
        while x < w:
            length = rng.randint(10, 80)
            cv2.line(img, (x, y), (x + length, y), (60, 60, 60), rng.randint(2, 4))
            x += length + rng.randint(6, 14)
    return cv2.GaussianBlur(img, (0, 0), 0.8)


def _stone(h: int, w: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    n = cv2.resize(nrng.normal(0, 1, (h // 40 + 2, w // 40 + 2)).astype(np.float32), (w, h),
                   interpolation=cv2.INTER_CUBIC)
    veins = np.abs(np.sin(xx / 90 + yy / 140 + 3 * n)) < 0.08
    img = rng.randint(180, 230) - 70 * veins[:, :, None] * np.ones(3) - 15 * n[:, :, None]
    return cv2.GaussianBlur(img.astype(np.float32), (0, 0), 1.2)


def _glossy(h: int, w: int, rng: random.Random) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.full((h, w, 3), rng.randint(15, 45), np.float32)
    for _ in range(rng.randint(2, 5)):
        c, width = rng.uniform(0, w), rng.uniform(20, 90)
        streak = np.exp(-((xx - c - 0.3 * yy) ** 2) / (2 * width ** 2))
        img += (rng.uniform(40, 120) * streak)[:, :, None]
    return img


def _plate(h: int, w: int, rng: random.Random) -> np.ndarray:
    img = np.full((h, w, 3), rng.randint(90, 140), np.float32)
    for x in range(0, w, 12):
        cv2.line(img, (x, 0), (x, 12 + 18 * (x % 120 == 0)), (240, 240, 240), 1)
    for y in range(0, h, 12):
        cv2.line(img, (0, y), (12 + 18 * (y % 120 == 0), y), (240, 240, 240), 1)
    return img


def render_desk(kind: str, size: tuple[int, int], rng: random.Random) -> np.ndarray:
    """A desk of `kind` (see the module's doc), size (w, h), uint8 BGR, with sensor noise."""
    w, h = size
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    if kind == "mat":
        img = _mat(h, w, rng)
    elif kind == "newspaper":
        img = _newspaper(h, w, rng)
    elif kind == "stone":
        img = _stone(h, w, rng, nrng)
    elif kind == "glossy":
        img = _glossy(h, w, rng)
    elif kind == "plate":
        img = _plate(h, w, rng)
    elif kind == "white":
        img = np.full((h, w, 3), rng.randint(215, 240), np.float32)
    else:
        raise ValueError(f"unknown desk {kind!r}; one of {', '.join(DESKS)}")
    img = img + nrng.normal(0, 3, (h, w, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--desks", default=",".join(DESKS))
    ap.add_argument("--count", type=int, default=30, help="frames per desk")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=SHARED)
    a = ap.parse_args()
    sys.path.insert(0, str(a.shared / "bench"))
    import docgen  # the shared generator: documents, placement, light and noise are its own

    docgen.render_background = render_desk  # type: ignore[assignment]
    for desk in a.desks.split(","):
        docgen.generate(a.out / desk, a.count, a.seed, backgrounds=(desk,))
        print(a.out / desk)


if __name__ == "__main__":
    main()
