#!/usr/bin/env python3
"""Flat scans against documents on desks: camera.flatscan's rule, measured (BENCHMARKS.md).

    python scripts/flat_sweep.py [--zh DIR ...] [--data DIR ...] [--shared ../shared]

Two questions, each answered before and after the rule:
- flat pages (the page fills the image, no desk: a scan, an app's crop): does the pipeline
  keep the whole page, or a box found inside it (the quad covers under 85 % of the image)?
  Pages: scripts/zh_pages.py folders (--zh), the documents of docgen folders (--data, their
  pages/) and the real photos cut out along their true corners;
- camera frames (a document on a desk: the docgen frames of --data and the real photos): how
  many found documents would the rule throw away, and how many of those were right
  (IoU >= 0.9 with the true corners)?
- the rule's hard case, a document laid square to the camera: --count scenes per desk of the
  shared generator (its documents, desks and light; turned 0-2 degrees, any quarter, 15-60 %
  of the view), on its pale desk with a printed sheet slid in at one side, on a pale desk
  speckled like terrazzo, and on a printed page that fills the view, which the rule cannot
  tell from a box on that page (its blind spot: a card laid straight on a sheet that fills
  the view).
Prints three Markdown tables.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))

from cutoff_sweep import DESKS, KINDS, _shared_module  # noqa: E402
from zh_pages import FONTS, render  # noqa: E402

from camera.bench import cut_upright  # noqa: E402
from camera.detect import find_document  # noqa: E402
from camera.flatscan import box_on_page  # noqa: E402

FULL = 0.85  # a quad covering this share of a flat page is the page itself


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.float32(a), np.float32(b)
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return float(inter / union) if union > 0 else 0.0


def flat_pages(zh: list[Path], data: list[Path], shared: Path
               ) -> Iterator[tuple[str, np.ndarray]]:
    for folder in zh:
        for p in json.loads((folder / "manifest.json").read_text())["pages"]:
            yield f"zh_pages {folder.name}: {p['kind']}", cv2.imread(str(folder / p["file"]))
    for folder in data:
        for e in json.loads((folder / "manifest.json").read_text())["frames"]:
            yield f"docgen {folder.name}: {e['kind']}", cv2.imread(str(folder / e["page"]))
    for name in ("smartdoc2015", "synthdocs"):
        folder = shared / "realdocs" / name
        for e in json.loads((folder / "manifest.json").read_text())["frames"]:
            page = cut_upright(cv2.imread(str(folder / e["file"])), e["corners"])
            yield f"real pages cut out: {name}", page


def camera_frames(data: list[Path], shared: Path
                  ) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    for folder in [*data, shared / "realdocs" / "smartdoc2015", shared / "realdocs" / "synthdocs"]:
        for e in json.loads((folder / "manifest.json").read_text())["frames"]:
            yield folder.name, cv2.imread(str(folder / e["file"])), np.float32(e["corners"])


SIDE_SHEET = "light desk, a printed sheet at one side"
SPECKLED = "speckled pale desk (terrazzo)"


def _side_sheet(desk: np.ndarray, sheet: Image.Image, rng: random.Random) -> None:
    """A printed A4 sheet slid in from one side of the view, 10-30 % of it showing."""
    fh, fw = desk.shape[:2]
    page = cv2.cvtColor(np.asarray(sheet), cv2.COLOR_RGB2BGR)
    page = cv2.resize(page, None, fx=1.2 * fh / page.shape[0], fy=1.2 * fh / page.shape[0],
                      interpolation=cv2.INTER_AREA)
    ph, pw = page.shape[:2]
    side = rng.choice(["left", "right", "top", "bottom"])
    show = rng.uniform(0.1, 0.3)
    ang = rng.uniform(-3, 3)
    x = {"left": show * fw - pw, "right": (1 - show) * fw}.get(side, rng.uniform(0, fw - pw))
    y = {"top": show * fh - ph, "bottom": (1 - show) * fh}.get(side, rng.uniform(-0.1 * ph, 0))
    m = cv2.getRotationMatrix2D((pw / 2, ph / 2), ang, 1.0)
    m[:, 2] += (x, y)
    warped = cv2.warpAffine(page, m, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpAffine(np.full((ph, pw), 255, np.uint8), m, (fw, fh))
    desk[mask > 127] = warped[mask > 127]


def _speckle(desk: np.ndarray, rng: random.Random) -> None:
    """Terrazzo: 500-4000 dark chips (per 1920 x 1080) of 1-6 px radius, grey to brown."""
    fh, fw = desk.shape[:2]
    for _ in range(round(rng.uniform(500, 4000) * fw * fh / (1920 * 1080))):
        v = rng.randint(40, 150)
        colour = (v, v + rng.randint(0, 25), v + rng.randint(0, 50))
        axes = (rng.randint(1, 6), rng.randint(1, 6))
        cv2.ellipse(desk, (rng.randrange(fw), rng.randrange(fh)), axes, rng.uniform(0, 180),
                    0, 360, colour, -1)


def square_scenes(shared: Path, count: int, seed: int
                  ) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    docgen = _shared_module(shared, "docgen")
    rng = random.Random(seed)
    fonts = [f for f in FONTS if Path(f.partition("#")[0]).exists()]
    for desk in [*DESKS, SIDE_SHEET, SPECKLED, "printed page"]:
        for _ in range(count):
            fw, fh = rng.choice([(1280, 720), (1920, 1080)])
            if desk == "printed page":
                sheet = render("proof", rng, rng.choice(fonts)).rotate(90, expand=True)
                bg = cv2.resize(cv2.cvtColor(np.asarray(sheet), cv2.COLOR_RGB2BGR), (fw, fh))
            elif desk == SIDE_SHEET:
                bg = docgen.render_background("light_desk", (fw, fh), rng)
                _side_sheet(bg, render("proof", rng, rng.choice(fonts)), rng)
            elif desk == SPECKLED:
                bg = docgen.render_background("light_desk", (fw, fh), rng)
                _speckle(bg, rng)
            else:
                bg = docgen.render_background(desk, (fw, fh), rng)
            page, _ = docgen.render_document(rng.choice(KINDS), rng)
            pw, ph = page.size
            s = math.sqrt(rng.uniform(0.15, 0.6) * fw * fh / (pw * ph))
            s = min(s, 0.95 * fw / pw, 0.95 * fh / ph)
            ang = math.radians(rng.uniform(-2, 2) + rng.choice([0, 90, 180, 270]))
            rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
            base = np.array([[-pw, -ph], [pw, -ph], [pw, ph], [-pw, ph]]) * s / 2 @ rot.T
            span = np.ptp(base, axis=0)
            centre = [rng.uniform(span[0] / 2 + 10, fw - span[0] / 2 - 10),
                      rng.uniform(span[1] / 2 + 10, fh - span[1] / 2 - 10)]
            quad = np.float32(base + centre)
            m = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), quad)
            doc = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
            warped = cv2.warpPerspective(doc, m, (fw, fh), flags=cv2.INTER_AREA)
            mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (fw, fh))
            frame = np.where(mask[:, :, None] > 127, warped, bg)
            yield desk, docgen.photometric(frame, quad, rng), quad


def _dropped(rows: dict[str, list[int]], key: str, frame: np.ndarray, truth: np.ndarray) -> None:
    """Counts frames, documents found, those the rule drops, and of those the right ones."""
    q = find_document(frame)
    row = rows[key]
    row[0] += 1
    if q is None:
        return
    row[1] += 1
    if box_on_page(frame, q):
        row[2] += 1
        row[3] += iou(q, truth) >= 0.9


def _print_dropped(title: str, rows: dict[str, list[int]]) -> None:
    print()
    print(f"| {title} | frames | document found | taken for a flat scan | of which right |")
    print("|---|---|---|---|---|")
    for key, (n, found, dropped, right) in rows.items():
        print(f"| {key} | {n} | {found} | {dropped} | {right} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zh", type=Path, action="append", default=[],
                    help="a folder written by scripts/zh_pages.py (repeatable)")
    ap.add_argument("--data", type=Path, action="append", default=None,
                    help="a docgen folder (repeatable; default: bench-data/docgen-seed1-n200)")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--count", type=int, default=30, help="square scenes per desk")
    ap.add_argument("--seed", type=int, default=8)
    a = ap.parse_args(argv)
    data = a.data or [ROOT / "bench-data" / "docgen-seed1-n200"]

    boxes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # pages, box before, after
    for key, page in flat_pages(a.zh, data, a.shared):
        q = find_document(page)
        area = page.shape[0] * page.shape[1]
        box = q is not None and cv2.contourArea(np.float32(q)) < FULL * area
        row = boxes[key]
        row[0] += 1
        row[1] += box
        row[2] += box and not box_on_page(page, q)
    print("| flat pages | pages | a box kept instead of the page: before | after |")
    print("|---|---|---|---|")
    for key, (n, before, after) in sorted(boxes.items()):
        print(f"| {key} | {n} | {before} | {after} |")

    frames: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for key, frame, truth in camera_frames(data, a.shared):
        _dropped(frames, key, frame, truth)
    _print_dropped("camera frames", frames)
    square: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for key, frame, truth in square_scenes(a.shared, a.count, a.seed):
        _dropped(square, key, frame, truth)
    _print_dropped("laid square on", square)
    return 0


if __name__ == "__main__":
    sys.exit(main())
