#!/usr/bin/env python3
"""How often find_document finds a card half under a shadow (the figures in BENCHMARKS.md).

    python scripts/shadow_sweep.py [--size 1280x720] [--easy 0.9]

27 scenes per frame size, from tests/test_camera_detect.py's shadow_scene: shadow darkness
0.3 / 0.4 / 0.5, shadow edge blurred by 3 / 5 / 7 px (frame pixels), three shadow positions.
A find counts if every corner is within 3 px of the truth. --easy sets the edge support
from which a clean region skips the costlier cues (camera.detect._EASY), to compare.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the scene is the test's own

from test_camera_detect import _corner_error, shadow_scene  # noqa: E402

import camera.detect as detect  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", action="append", help="WxH (repeatable; default the three)")
    ap.add_argument("--easy", type=float, default=None)
    a = ap.parse_args()
    if a.easy is not None:
        detect._EASY = a.easy
    for spec in a.size or ["1280x720", "1920x1080", "2592x1944"]:
        w, h = (int(v) for v in spec.lower().split("x"))
        marks = []
        for soft in (3.0, 5.0, 7.0):
            for dark in (0.3, 0.4, 0.5):
                for shift in (-150.0, 0.0, 150.0):
                    frame, truth = shadow_scene((w, h), soft, dark, shift)
                    found = detect.find_document(frame)
                    ok = found is not None and _corner_error(found, np.float32(truth)) < 3.0
                    marks.append("1" if ok else ".")
        print(f"{w}x{h}: {marks.count('1')} / {len(marks)}  {''.join(marks)}")


if __name__ == "__main__":
    main()
