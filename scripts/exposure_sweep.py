#!/usr/bin/env python3
"""Detection in dim light: the same frames at lower exposures (BENCHMARKS.md).

    python scripts/exposure_sweep.py DATA_DIR... [--exposure 1 0.6 0.45 0.3 0.2]
                                     [--limit N] [--noise 2.0] [--shared ../shared]

Each DATA_DIR holds a manifest.json with true corners (a docgen.py folder or one of
../shared/realdocs/). Every frame is scaled by each exposure and given the sensor's noise
(Gaussian, --noise levels, seeded by the frame's place in its folder), then
camera.detect.find_document is asked for its corners. Printed per exposure: the mean IoU
with the true quad (score_detect.py's measure, None = 0) and the share found (IoU >= 0.9),
over every frame given, and how many frames the detector brightened (camera.detect's
exposure gain, read from its working copy) with the range of their gains.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from cutoff_sweep import _shared_module  # noqa: E402

from camera.detect import WORK_SIDE, _prepare, find_document  # noqa: E402


def dimmed(frame: np.ndarray, exposure: float, noise: float, seed: int) -> np.ndarray:
    """frame as a sensor would give it at `exposure` times the light, with its read noise."""
    out = frame.astype(np.float32) * exposure
    if noise > 0:
        out += np.random.default_rng(seed).normal(0.0, noise, frame.shape).astype(np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="+", type=Path)
    ap.add_argument("--exposure", nargs="+", type=float, default=[1.0, 0.6, 0.45, 0.3, 0.2])
    ap.add_argument("--limit", type=int, default=None, help="the first N frames of each")
    ap.add_argument("--noise", type=float, default=2.0, help="read noise, 8-bit levels")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    iou = _shared_module(args.shared, "score_detect").iou
    ious: dict[float, list[float]] = {e: [] for e in args.exposure}
    gains: dict[float, list[float]] = {e: [] for e in args.exposure}
    for data in args.data:
        try:
            frames = json.loads((data / "manifest.json").read_text())["frames"]
        except (OSError, ValueError, KeyError) as exc:
            sys.exit(f"{data}: no readable manifest.json ({exc})")
        for n, f in enumerate(frames[: args.limit]):
            frame = cv2.imread(str(data / f["file"]))
            if frame is None:
                sys.exit(f"{data / f['file']}: not an image")
            for e in args.exposure:
                seen = dimmed(frame, e, args.noise, n)
                found = find_document(seen)
                ious[e].append(iou(found, f["corners"], [frame.shape[1], frame.shape[0]]))
                gains[e].append(_prepare(seen, WORK_SIDE).gain)  # (the detector's own)
    print("| exposure | frames | mean IoU | found (IoU >= 0.9) | brightened (gains) |")
    print("|---|---|---|---|---|")
    for e, v in ious.items():
        a, g = np.asarray(v), np.asarray(gains[e])
        up = g[g > 1.0]
        span = f" ({up.min():.2f}–{up.max():.2f})" if len(up) else ""
        print(f"| {e:g} | {len(a)} | {a.mean():.4f} | {100 * np.mean(a >= 0.9):.1f} % | "
              f"{len(up)}{span} |")


if __name__ == "__main__":
    main()
