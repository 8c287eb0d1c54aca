#!/usr/bin/env python3
"""How often the wrong_size gate fires on pinhole views of an ID card and of an A4 page
where an A4 page is expected (the figures in BENCHMARKS.md).

    python scripts/wrong_size_sweep.py [--trials 1000] [--noise 1.0] [--seed 0]

Each trial: a 1920x1080 camera with a focal length of 0.7-1.0 x its width looks at the
document tilted by the row's angle, turned any way in its plane, somewhere in the view
(wholly inside it); each corner is moved by Gaussian noise of --noise px, as a detector's
would be. Printed per tilt: the share of ID cards flagged (caught) and of A4 pages flagged
(false alarms), by camera.straighten.aspect_error against the default max_aspect_error.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from camera.quality import QualityThresholds  # noqa: E402
from camera.straighten import aspect_error  # noqa: E402

SIZE = (1920, 1080)
TILTS = [(0, 4), (8, 12), (18, 22), (28, 32), (38, 42)]  # degrees; the first: a document camera
DOCS_MM = {"ID card": (85.6, 54.0), "A4 page": (210.0, 297.0)}


def view(w_mm: float, h_mm: float, tilt: float, turn: float, f: float, rng) -> np.ndarray | None:
    """The document's corners as the camera sees them, or None when it does not fit."""
    t, r = np.radians(tilt), np.radians(turn)
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    pts = np.array([[-w_mm, -h_mm, 0], [w_mm, -h_mm, 0], [w_mm, h_mm, 0], [-w_mm, h_mm, 0]]) / 2
    dist = f * max(w_mm, h_mm) / (0.6 * SIZE[1]) * rng.uniform(0.8, 1.3)  # fills 45-75 %
    shift = np.array([rng.uniform(-0.15, 0.15) * dist, rng.uniform(-0.1, 0.1) * dist, dist])
    cam = pts @ (rx @ rz).T + shift
    quad = cam[:, :2] / cam[:, 2:] * f + np.array(SIZE) / 2
    inside = (quad >= 0).all() and (quad[:, 0] < SIZE[0]).all() and (quad[:, 1] < SIZE[1]).all()
    return quad if inside else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--noise", type=float, default=1.0, help="corner noise, px")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    limit = QualityThresholds().max_aspect_error
    print(f"| tilt | {' | '.join(f'{d} flagged' for d in DOCS_MM)} |")
    print("|---|" + "---|" * len(DOCS_MM))
    for lo, hi in TILTS:
        shares = []
        for w_mm, h_mm in DOCS_MM.values():
            flagged = done = 0
            while done < args.trials:
                f = rng.uniform(0.7, 1.0) * SIZE[0]
                quad = view(w_mm, h_mm, rng.uniform(lo, hi), rng.uniform(0, 360), f, rng)
                if quad is None:
                    continue
                err = aspect_error(quad + rng.normal(0, args.noise, quad.shape), "a4", SIZE)
                flagged += err is not None and err > limit
                done += 1
            shares.append(f"{100 * flagged / done:.1f} %")
        print(f"| {lo}–{hi}° | {' | '.join(shares)} |")


if __name__ == "__main__":
    main()
