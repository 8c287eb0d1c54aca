#!/usr/bin/env python3
"""The compressor against the naive baseline on docgen seeds other than the public one (the
held-out check of BENCHMARKS.md): SSIM, OCR read back, and colour error.

    python scripts/compress_seeds.py [--seeds 11 2 3 4] [--limit 40] [--shared ../shared]
                                     [--set NAME=VALUE ...]

Per seed, the pages score_compress.py uses (clean, and cut from the frame along the true
corners; --limit documents, two pages each) go through camera.compress and the baseline of
score_compress.py, and are scored by its own functions: grey SSIM (it decodes luma only),
tesseract's share of the true text (skipped without a tesseract binary), and the mean
absolute RGB error of the decoded colour image (what a reviewer sees; SSIM cannot see
colour). Prints a Markdown table; takes a few minutes per seed with OCR. --set changes a
setting of camera.compress for the run (CHROMA_DROP=35, FREE_SCALES=()): how a setting that
was not taken is measured against the one that was.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import json
import shutil
import statistics
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from camera.bench import generate  # noqa: E402
from camera.compress import compress  # noqa: E402

# the settings compress() reads on each call (TABLE_FLATNESS is baked in at import)
SETTABLE = ("CHROMA_DROP", "FREE_SCALES", "FREE_SHRINK_SSIM", "Q_LEGIBLE", "Q_PROBE",
            "PROGRESSIVE_FINISH")


def rgb_error(data: bytes, page: np.ndarray) -> float:
    out = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if out is None:  # undecodable: as far off as it gets
        return 255.0
    if out.shape != page.shape:
        out = cv2.resize(out, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_CUBIC)
    return float(np.abs(out.astype(np.float32) - page).mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 2, 3, 4])
    ap.add_argument("--count", type=int, default=200, help="frames per generated set")
    ap.add_argument("--limit", type=int, default=40, help="documents scored per seed")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a camera.compress setting for this run (a Python literal)")
    a = ap.parse_args(argv)
    settings = importlib.import_module("camera.compress")  # the module, not the function
    for item in a.set:
        name, _, value = item.partition("=")
        if name not in SETTABLE:
            ap.error(f"--set takes one of {', '.join(SETTABLE)}, not {name}")
        setattr(settings, name, ast.literal_eval(value))
    sys.path.insert(0, str(a.shared / "bench"))
    import score_compress as sc  # the scorer's own pages, baseline and measures

    ocr = shutil.which("tesseract") is not None
    print("| seed | pages | SSIM (baseline) | gain | OCR (baseline) | RGB error (baseline) |")
    print("|---|---|---|---|---|---|")
    for seed in a.seeds:
        data, _ = generate(a.shared, a.count, seed)
        pages = _pages(data, a.limit)
        mine, err = _measure(sc, compress, pages, ocr)
        base, err_base = _measure(sc, sc.baseline_compress, pages, ocr)
        o = f"{mine['ocr']:.4f} ({base['ocr']:.4f})" if ocr else "no tesseract"
        print(f"| {seed} | {len(pages)} | {mine['ssim']:.4f} ({base['ssim']:.4f}) | "
              f"{mine['ssim'] - base['ssim']:+.4f} | {o} | {err:.2f} ({err_base:.2f}) |",
              flush=True)
    return 0


def _measure(sc, fn, pages: list, ocr: bool) -> tuple[dict, float]:
    """score_compress.measure, and the mean RGB error of the same outputs (one pass)."""
    errors = []

    def keep(page: np.ndarray, max_bytes: int) -> bytes:
        data = fn(page, max_bytes=max_bytes)
        errors.append(rgb_error(data, page))
        return data

    return sc.measure(keep, pages, 200_000, ocr), statistics.fmean(errors)


def _pages(data: Path, limit: int) -> list[tuple[np.ndarray, str]]:
    """The pages score_compress.py's main() builds (it has no function for them; keep this
    in step with it): each document clean, and cut out of its frame along the true corners."""
    pages = []
    for e in json.loads((data / "manifest.json").read_text())["frames"][:limit]:
        page = cv2.imread(str(data / e["page"]))
        pages.append((page, e["text"]))
        frame = cv2.imread(str(data / e["file"]))
        h, w = page.shape[:2]
        m = cv2.getPerspectiveTransform(np.float32(e["corners"]),
                                        np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
        pages.append((cv2.warpPerspective(frame, m, (w, h), flags=cv2.INTER_CUBIC), e["text"]))
    return pages


if __name__ == "__main__":
    sys.exit(main())
