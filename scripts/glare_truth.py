#!/usr/bin/env python3
"""How the glare gate does on generated frames whose glare and shadows are known (the
figures in BENCHMARKS.md).

    python scripts/glare_truth.py [--count 200] [--seed 2] [--shared ../shared]

The shared generator (bench/docgen.py) adds a shadow to some frames and a glare to others
but does not record which. This script runs the generator's own text with two lines added
that record them in the manifest (the same seed gives the same frames), then cuts each
document out along its true corners and asks camera.quality.glare_fraction. Printed: per
kind of frame (glare or not, shadow or not), how many the gate flags.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import types
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gate_rates import PAPER_BY_KIND  # noqa: E402  (this folder is on the path)

from camera.quality import QualityThresholds, glare_fraction  # noqa: E402
from camera.straighten import straighten  # noqa: E402

# the generator's lines that decide a shadow and a glare, and what records them
RECORD = [
    ("    if rng.random() < 0.4:  # a hand or a phone casting a shadow\n",
     "    SEEN.clear()\n    if rng.random() < 0.4:  # a hand or a phone casting a shadow\n"
     "        SEEN['shadow'] = True\n"),
    ("    if rng.random() < 0.3:  # glare from a ceiling light on glossy paper\n",
     "    if rng.random() < 0.3:  # glare from a ceiling light on glossy paper\n"
     "        SEEN['glare'] = True\n"),
    ('for x, y in quad], "text": text}', 'for x, y in quad], "text": text, **SEEN}'),
]


def recording_docgen(shared: Path) -> types.ModuleType:
    """bench/docgen.py with the shadow and glare of each frame recorded in its manifest."""
    src = (shared / "bench" / "docgen.py").read_text()
    for old, new in RECORD:
        if old not in src:
            raise SystemExit(f"docgen.py has changed: cannot find {old.strip()!r}")
        src = src.replace(old, new)
    mod = types.ModuleType("docgen_recording")
    mod.__dict__["SEEN"] = {}
    exec(compile(src, "docgen.py (recording)", "exec"), mod.__dict__)  # noqa: S102
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    docgen = recording_docgen(args.shared)
    limit = QualityThresholds().max_glare_fraction
    flagged: Counter = Counter()
    frames: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        docgen.generate(Path(tmp), args.count, args.seed)
        for e in json.loads((Path(tmp) / "manifest.json").read_text())["frames"]:
            frame = cv2.imread(str(Path(tmp) / e["file"]))
            doc = straighten(frame, np.float32(e["corners"]), PAPER_BY_KIND.get(e["kind"]))
            kind = (e.get("glare", False), e.get("shadow", False))
            frames[kind] += 1
            flagged[kind] += glare_fraction(doc) > limit
    print("| frames | count | flagged as glare |")
    print("|---|---|---|")
    for kind in sorted(frames, reverse=True):
        name = " and ".join(n for n, on in zip(("glare", "shadow"), kind, strict=True) if on)
        print(f"| {name or 'neither'} | {frames[kind]} | {flagged[kind]} |")


if __name__ == "__main__":
    main()
