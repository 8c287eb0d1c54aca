#!/usr/bin/env python3
"""Detection time of this checkout against another one, in one process (BENCHMARKS.md).

    python scripts/detect_ab.py OTHER_CHECKOUT [DATA_DIR] [--rounds 3] [--shared ../shared]

score_detect.py's time ratio compares with a baseline that itself runs faster or slower
with the machine's load. Here the other checkout's camera/detect.py, this one's and the
scorer's baseline are called in turn on every frame of DATA_DIR (default: realdocs'
smartdoc2015), --rounds times over, so all three see the same load. Printed: the median
time of one call of each, and how many frames the two detectors answer differently (their
corners more than 0.5 px apart, or one of them None).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from cutoff_sweep import _shared_module  # noqa: E402


def _detector(path: Path, name: str):
    """find_document from the detect.py at path, loaded under its own module name."""
    spec = importlib.util.spec_from_file_location(name, path)
    if not path.is_file() or spec is None or spec.loader is None:
        sys.exit(f"no camera/detect.py at {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # (its dataclasses look their module up)
    spec.loader.exec_module(mod)
    return mod.find_document


def _differ(a, b) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max()) > 0.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", type=Path, help="another checkout of this repository")
    ap.add_argument("data", type=Path, nargs="?", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    a = ap.parse_args()
    data = a.data or a.shared / "realdocs" / "smartdoc2015"
    baseline = _shared_module(a.shared, "score_detect").baseline_find_document
    other = _detector(a.other / "camera" / "detect.py", "detect_other")
    this = _detector(ROOT / "camera" / "detect.py", "detect_this")
    try:
        frames = json.loads((data / "manifest.json").read_text())["frames"]
    except (OSError, ValueError, KeyError) as exc:
        sys.exit(f"{data}: no readable manifest.json ({exc})")
    images = [cv2.imread(str(data / f["file"])) for f in frames]
    times: dict[str, list[float]] = {"other": [], "this": [], "baseline": []}
    differ = 0
    for r in range(a.rounds):
        for img in images:
            found = {}
            for name, fn in (("other", other), ("this", this), ("baseline", baseline)):
                t = time.perf_counter()
                found[name] = fn(img)
                times[name].append(time.perf_counter() - t)
            differ += r == 0 and _differ(found["other"], found["this"])
    ms = {k: 1000 * statistics.median(v) for k, v in times.items()}
    print(f"{len(images)} frames x {a.rounds}: median ms other {ms['other']:.1f}, "
          f"this {ms['this']:.1f}, baseline {ms['baseline']:.1f} "
          f"(ratios {ms['other'] / ms['baseline']:.2f} / {ms['this'] / ms['baseline']:.2f}); "
          f"frames answered differently: {differ}")


if __name__ == "__main__":
    main()
