#!/usr/bin/env python3
"""How often each quality gate fires on a set of frames (the figures in BENCHMARKS.md).

    python scripts/gate_rates.py DATA [DATA ...] [--limit N] [--paper a4]

DATA is a folder in the shared generator's format (frames/, manifest.json). Each frame goes
through camera.pipeline.process_image with the paper its manifest's kind names (id_card ->
"id_card", a4_page -> "a4", others none), or with --paper for every frame (the real photos
are all A4 pages). Printed per folder: how many frames each gate failed, and the spread of
the measured text height (px as captured) that the small_text gate judges.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from camera.pipeline import process_image  # noqa: E402
from camera.quality import REASON_CODES  # noqa: E402

PAPER_BY_KIND = {"id_card": "id_card", "a4_page": "a4"}


def rates(data: Path, limit: int | None, paper: str | None) -> tuple[int, Counter, list[float]]:
    frames = json.loads((data / "manifest.json").read_text())["frames"][:limit]
    failed: Counter = Counter()
    heights: list[float] = []
    for e in frames:
        frame = cv2.imread(str(data / e["file"]))
        p = process_image(frame, paper or PAPER_BY_KIND.get(e["kind"]))
        failed.update(p.quality.failed)
        if p.quality.text_height is not None:
            heights.append(p.quality.text_height)
    return len(frames), failed, heights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="+", type=Path)
    ap.add_argument("--limit", type=int, default=None, help="the first N frames of each")
    ap.add_argument("--paper", default=None, help="one paper for every frame (e.g. a4)")
    args = ap.parse_args()
    print("| set | frames | " + " | ".join(REASON_CODES) + " | text height p10 / p50 |")
    print("|---|---|" + "---|" * len(REASON_CODES) + "---|")
    for data in args.data:
        n, failed, heights = rates(data, args.limit, args.paper)
        spread = (" / ".join(f"{v:.1f}" for v in np.percentile(heights, [10, 50]))
                  if heights else "-")
        print(f"| {data.name} | {n} | " + " | ".join(str(failed[c]) for c in REASON_CODES)
              + f" | {spread} |")


if __name__ == "__main__":
    main()
