#!/usr/bin/env python3
"""Per-frame IoU of this checkout's detector on folders of frames with true corners.

    python scripts/detect_frames.py DATA_DIR... [--out RUN.json] [--against OLD.json]
                                    [--shared ../shared]

Each DATA_DIR holds a manifest.json with the true corners, as docgen.py, realdocs and
scripts/desk_variants.py write them. Printed per folder: the mean IoU (score_detect.py's
`iou`) and the share found (IoU >= 0.9). --out saves every frame's IoU; --against a run
saved so before (another checkout's, say) adds the frames whose IoU moved by more than
0.01, before -> after. The per-frame tables in BENCHMARKS.md come from this.
"""
from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from cutoff_sweep import _shared_module  # noqa: E402

MOVED = 0.01  # an IoU change smaller than this is not reported


def frame_ious(data: str, shared: str) -> list[float]:
    """IoU of find_document with the true corners, for each frame of the folder, in order."""
    from camera.detect import find_document

    iou = _shared_module(Path(shared), "score_detect").iou
    try:
        frames = json.loads((Path(data) / "manifest.json").read_text())["frames"]
    except (OSError, ValueError, KeyError) as exc:
        sys.exit(f"{data}: no readable manifest.json ({exc})")
    out = []
    for f in frames:
        img = cv2.imread(str(Path(data) / f["file"]))
        if img is None:
            sys.exit(f"{data}: cannot read {f['file']}")
        out.append(float(iou(find_document(img), np.array(f["corners"]),
                             (img.shape[1], img.shape[0]))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="+", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--against", type=Path)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    a = ap.parse_args()
    before: dict[str, list[float]] = {}
    if a.against:
        try:
            before = json.loads(a.against.read_text())
        except (OSError, ValueError) as exc:
            sys.exit(f"{a.against}: not a run saved by --out ({exc})")
    names = [str(d.resolve()) for d in a.data]
    with ProcessPoolExecutor(2) as ex:
        runs = dict(zip(names, ex.map(frame_ious, names, [str(a.shared)] * len(names)),
                        strict=True))
    for name, ious in runs.items():
        v = np.array(ious)
        line = f"{name}: {len(v)} frames, mean IoU {v.mean():.4f}, found {np.mean(v >= 0.9):.1%}"
        old = before.get(name)
        if old is not None and len(old) == len(v):
            moved = [f"#{i} {x:.3f} -> {y:.3f}" for i, (x, y) in enumerate(zip(old, v, strict=True))
                     if abs(x - y) > MOVED]
            line += f" (before {np.mean(old):.4f}; moved: {', '.join(moved) or 'none'})"
        print(line)
    if a.out:
        a.out.write_text(json.dumps(runs))


if __name__ == "__main__":
    main()
