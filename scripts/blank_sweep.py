#!/usr/bin/env python3
"""The "blank" gate against documents and sheets laid face down (BENCHMARKS.md).

    python scripts/blank_sweep.py [--count 150] [--seed 7] [--shared ../shared]
                                  [--data bench-data/docgen-seed1-n200 ...]

Asks camera.quality.check_quality about five kinds of page, cut out of their frames along
the true corners where there are some (the finder's own errors are not measured there):

- the real photos (realdocs/smartdoc2015 and synthdocs), blurred in the frame by a Gaussian
  of sigma 0-14 px: a document must never be called blank, however blurred ("blur" is
  what it should hear);
- the documents of docgen folders (--data; default: the ones camera.bench made);
- faded print: 12 docgen documents of each kind with their ink at 50 % and 35 % of its
  contrast (grey print), on a dark desk, blurred by sigma 1-3 px: never blank either;
- the backs of --count documents from the shared generator: the page mirrored, softened by
  the paper, showing through at 0-15 % of its contrast, on paper of level 120-250 lit with
  a gradient of up to +-10 %, with sensor noise. Each should be called blank, not blurred;
- the real photos with their page turned over: its print taken away, the lamp's fall-off on
  it kept (a wide closing, then a blur), with sensor noise, through the whole pipeline
  (camera.pipeline.process_image, the finder included), by whether the sheet was found.

Prints a Markdown table per kind: how many pages "blank" and "blur" fire on, and how many
pass every gate.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from cutoff_sweep import _shared_module  # noqa: E402

from camera.pipeline import process_image  # noqa: E402
from camera.quality import check_quality  # noqa: E402
from camera.straighten import straighten  # noqa: E402

BLURS = (0, 2, 3, 4, 6, 8, 10, 14)
SHOW_THROUGH = (0.0, 0.03, 0.06, 0.09, 0.12, 0.15)


Verdict = tuple[bool, bool, bool]  # "blank" said, "blur" said, no gate failed


def _said(failed: list[str]) -> Verdict:
    return "blank" in failed, "blur" in failed, not failed


def _verdict(frame: np.ndarray, corners, paper: str | None = None) -> Verdict:
    """For the document cut out of frame along corners."""
    quad = np.float32(corners)
    return _said(check_quality(frame, quad, straighten(frame, quad, paper)).failed)


def _flat(page: np.ndarray) -> Verdict:
    """For a page given flat (its own frame, no quad)."""
    return _said(check_quality(page, None, page).failed)


def real_pages(shared: Path) -> dict[int, list[Verdict]]:
    out: dict[int, list[Verdict]] = defaultdict(list)
    for folder in ("smartdoc2015", "synthdocs"):
        data = shared / "realdocs" / folder
        for e in json.loads((data / "manifest.json").read_text())["frames"]:
            frame = cv2.imread(str(data / e["file"]))
            for sigma in BLURS:
                seen = cv2.GaussianBlur(frame, (0, 0), sigma) if sigma else frame
                out[sigma].append(_verdict(seen, e["corners"], "a4"))
    return out


def docgen_pages(folders: list[Path]) -> dict[str, list[Verdict]]:
    out: dict[str, list[Verdict]] = {}
    for data in folders:
        frames = json.loads((data / "manifest.json").read_text())["frames"]
        out[data.name] = [_verdict(cv2.imread(str(data / e["file"])), e["corners"])
                          for e in frames]
    return out


def backs(docgen, count: int, seed: int) -> dict[float, list[Verdict]]:
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    out: dict[float, list[Verdict]] = defaultdict(list)
    for _ in range(count):
        kind = rng.choice(["a4_page", "certificate", "id_card"])
        page, _ = docgen.render_document(kind, rng)
        ink = 255 - np.asarray(page.convert("L"), np.float32)
        ink = cv2.GaussianBlur(cv2.flip(ink, 1), (0, 0), rng.uniform(1, 3))
        level, share = rng.uniform(120, 250), rng.choice(SHOW_THROUGH)
        h, w = ink.shape
        yy, xx = np.mgrid[0:h, 0:w]
        light = (1 + rng.uniform(-0.2, 0.2) * (xx / w - 0.5)
                 + rng.uniform(-0.2, 0.2) * (yy / h - 0.5))
        back = (level - share * ink) * light + noise.normal(0, rng.uniform(1, 4), ink.shape)
        grey = np.clip(back, 0, 255).astype(np.uint8)
        out[share].append(_flat(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)))
    return out


FADED_QUADS = {  # (corners in a 1280 x 720 frame, paper)
    "a4_page": ([[450, 60], [880, 80], [860, 680], [430, 650]], "a4"),
    "certificate": ([[300, 150], [1000, 130], [1010, 620], [290, 600]], None),
    "id_card": ([[500, 250], [900, 240], [905, 495], [505, 500]], "id_card"),
}


def _on_desk(page: np.ndarray, corners, seed: int) -> np.ndarray:
    """page warped into corners on a dark, slightly noisy 1280 x 720 desk."""
    desk = np.random.default_rng(seed).normal((60, 80, 105), 3, (720, 1280, 3))
    ph, pw = page.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]),
                                    np.float32(corners))
    warped = cv2.warpPerspective(page, m, (1280, 720), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (1280, 720))
    return np.clip(np.where(mask[:, :, None] > 127, warped, desk), 0, 255).astype(np.uint8)


def faded(docgen) -> dict[str, list[Verdict]]:
    out: dict[str, list[Verdict]] = defaultdict(list)
    for kind, (corners, paper) in FADED_QUADS.items():
        for seed in range(12):
            page = np.asarray(docgen.render_document(kind, random.Random(seed))[0].convert(
                "RGB")).astype(np.float32)
            bare = cv2.morphologyEx(page, cv2.MORPH_CLOSE, np.ones((41, 41), np.uint8))
            for contrast in (0.5, 0.35):
                grey = np.clip(bare - contrast * (bare - page), 0, 255).astype(np.uint8)
                frame = _on_desk(cv2.cvtColor(grey, cv2.COLOR_RGB2BGR), corners, seed)
                for sigma in (1, 2, 3):
                    seen = cv2.imdecode(cv2.imencode(".jpg", cv2.GaussianBlur(
                        frame, (0, 0), sigma), [cv2.IMWRITE_JPEG_QUALITY, 85])[1], 1)
                    out[f"ink at {contrast:.0%}, sigma {sigma}"].append(
                        _verdict(seen, corners, paper))
    return dict(sorted(out.items()))


def real_backs(shared: Path) -> dict[str, list[Verdict]]:
    out: dict[str, list[Verdict]] = defaultdict(list)
    noise = np.random.default_rng(0)
    for folder in ("smartdoc2015", "synthdocs"):
        data = shared / "realdocs" / folder
        for e in json.loads((data / "manifest.json").read_text())["frames"]:
            frame = cv2.imread(str(data / e["file"]))
            quad = np.float32(e["corners"])
            if frame.shape[0] > 2000:  # (the phone photos: at 1080 lines, as the others)
                s = 1080 / frame.shape[0]
                frame = cv2.resize(frame, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
                quad = quad * s
            sheet = np.zeros(frame.shape[:2], np.uint8)
            cv2.fillConvexPoly(sheet, np.int32(quad), 1)
            light = cv2.GaussianBlur(cv2.morphologyEx(
                frame, cv2.MORPH_CLOSE, np.ones((151, 151), np.uint8)), (0, 0), 40)
            back = np.where(sheet[:, :, None] > 0, light, frame).astype(np.float32)
            back = np.clip(back + noise.normal(0, 2, back.shape), 0, 255).astype(np.uint8)
            p = process_image(back, "a4")
            out["found" if p.found else "not found"].append(_said(p.quality.failed))
    return dict(out)


def _table(title: str, rows: dict[Any, list[Verdict]]) -> None:
    print(f"| {title} | pages | blank | blur | no gate failed |")
    print("|---|---|---|---|---|")
    for key, v in rows.items():
        said = np.array(v, bool).reshape(-1, 3).sum(axis=0)
        print(f"| {key} | {len(v)} | " + " | ".join(str(n) for n in said) + " |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=150, help="backs of generated documents")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--data", type=Path, action="append",
                    help="docgen folders (repeatable; default: bench-data/docgen-*)")
    a = ap.parse_args()
    docgen = _shared_module(a.shared, "docgen")
    _table("real page, blur sigma (px)", real_pages(a.shared))
    _table("docgen folder", docgen_pages(a.data or sorted(ROOT.glob("bench-data/docgen-*"))))
    _table("faded print (36 documents)", faded(docgen))
    _table("sheet face down, print showing through", dict(sorted(
        backs(docgen, a.count, a.seed).items())))
    _table("real sheet turned over", real_backs(a.shared))


if __name__ == "__main__":
    main()
