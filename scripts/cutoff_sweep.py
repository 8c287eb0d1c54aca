#!/usr/bin/env python3
"""Documents the frame cuts off: found as cut, and never passed by the gates (BENCHMARKS.md).

    python scripts/cutoff_sweep.py [--count 70] [--seed 5 --seed 6] [--shared ../shared]
                                   [--list] [--realdocs]

Scenes from the shared generator (../shared/bench/docgen.py: its documents, desks and
light), each document pushed past one edge of the view, past a corner (two adjacent
edges), or too long for it (two opposite edges), 10-35 % of it outside. Per kind of cut:
the mean IoU of the find with the visible part, the share found (IoU >= 0.9), and how many
frames camera.pipeline.process_image passes with no gate failing: a cut-off document that
would be accepted, the outcome that must not happen. --list prints each of those frames.

--realdocs cuts real photos instead: each frame of realdocs/smartdoc2015 but its stacks of
paper (background05), cut through the page on each side in turn, 15 % and 35 % of the
page's height or width out of view (96 frames; the kinds of cut are then the sides;
--count and --seed do not apply).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from camera.detect import find_document  # noqa: E402
from camera.pipeline import process_image  # noqa: E402

VIEW_SIZES = [(1280, 720), (1280, 720), (1920, 1080)]
DESKS = ["plain", "wood", "cloth", "clutter", "light_desk"]
KINDS = ["id_card", "certificate", "a4_page"]
CUTS = ["one", "adjacent", "opposite"]


def _shared_module(shared: Path, name: str):
    """docgen or score_detect from the shared bench folder."""
    path = shared / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if not path.exists() or spec is None or spec.loader is None:
        sys.exit(f"no {name}.py under {shared / 'bench'}; pass --shared PATH")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _placed(cut: str, dw: int, dh: int, fw: int, fh: int, rng: random.Random) -> np.ndarray:
    """The document's corners: a few degrees off square (any quarter turn), a little
    perspective, pushed past the view's edges as `cut` says."""
    ang = math.radians(rng.uniform(-8, 8) + rng.choice([0, 90, 180]))
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    if cut == "opposite":  # 5-30 % longer than the view is high
        across = dh if abs(math.cos(ang)) > 0.5 else dw
        s = fh * rng.uniform(1.05, 1.3) / across
    else:  # 20-50 % of the view
        s = math.sqrt(rng.uniform(0.2, 0.5) * fw * fh / (dw * dh))
    base = np.array([[-dw, -dh], [dw, -dh], [dw, dh], [-dw, dh]], float) * s / 2
    base += [[rng.uniform(-0.04, 0.04) * dw * s, rng.uniform(-0.04, 0.04) * dh * s]
             for _ in range(4)]
    q = base @ rot.T
    ex, ey = q.max(axis=0) - q.min(axis=0)

    def past(extent: float, size: int, low: bool) -> float:
        # centre such that 10-35 % of the extent lies beyond the low or the high edge
        f = rng.uniform(0.1, 0.35)
        return extent / 2 - f * extent if low else size - extent / 2 + f * extent

    def inside(extent: float, size: int) -> float:
        lo, hi = extent / 2 + 15, size - extent / 2 - 15
        return rng.uniform(lo, hi) if hi > lo else size / 2

    if cut == "opposite":
        cx, cy = rng.uniform(0.3, 0.7) * fw, fh / 2
    elif cut == "adjacent":
        cx, cy = past(ex, fw, rng.random() < 0.5), past(ey, fh, rng.random() < 0.5)
    elif rng.random() < 0.5:  # one side: left or right
        cx, cy = past(ex, fw, rng.random() < 0.5), inside(ey, fh)
    else:  # top or bottom
        cx, cy = inside(ex, fw), past(ey, fh, rng.random() < 0.5)
    return (q + [cx, cy]).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=70, help="scenes tried per seed")
    ap.add_argument("--seed", type=int, action="append", help="repeatable; default 5 and 6")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--list", action="store_true", help="print each frame passed by the gates")
    ap.add_argument("--realdocs", action="store_true",
                    help="cut real photos instead (--count and --seed do not apply)")
    a = ap.parse_args()
    iou = _shared_module(a.shared, "score_detect").iou
    if a.realdocs:
        rows, cuts = _real_rows(a.shared, iou, a.list), SIDES
    else:
        rows, cuts = _generated_rows(a, _shared_module(a.shared, "docgen"), iou), CUTS
    print("| cut | frames | mean IoU (visible part) | found (IoU ≥ 0.9) | passed every gate |")
    print("|---|---|---|---|---|")
    for cut in [*cuts, "all"]:
        r = [x for c in cuts for x in rows[c]] if cut == "all" else rows[cut]
        if r:
            ious = np.array([x[0] for x in r])
            print(f"| {cut} | {len(r)} | {ious.mean():.3f} | {(ious >= 0.9).sum()} "
                  f"| {sum(x[1] for x in r)} |")


SIDES = ["bottom", "top", "left", "right"]


def _real_rows(shared: Path, iou, show: bool) -> dict[str, list[tuple[float, bool]]]:
    """(IoU with the part in view, passed every gate) per side cut, on real photos."""
    data = shared / "realdocs" / "smartdoc2015"
    manifest = json.loads((data / "manifest.json").read_text())
    rows: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for e in manifest["frames"]:
        if e["background"] == "background05":
            continue
        full = cv2.imread(str(data / e["file"]))
        quad = np.float32(e["corners"])
        lo, hi, size = quad.min(axis=0), quad.max(axis=0), np.ptp(quad, axis=0)
        for side in SIDES:
            for share in (0.15, 0.35):
                x0, y0, x1, y1 = 0, 0, full.shape[1], full.shape[0]
                if side == "bottom":
                    y1 = int(hi[1] - share * size[1])
                elif side == "top":
                    y0 = int(lo[1] + share * size[1])
                elif side == "left":
                    x0 = int(lo[0] + share * size[0])
                else:
                    x1 = int(hi[0] - share * size[0])
                frame = np.ascontiguousarray(full[y0:y1, x0:x1])
                fh, fw = frame.shape[:2]
                view = np.float32([[0, 0], [fw - 1, 0], [fw - 1, fh - 1], [0, fh - 1]])
                _, visible = cv2.intersectConvexConvex(quad - np.float32([x0, y0]), view)
                score = iou(find_document(frame), visible.reshape(-1, 2), (fw, fh))
                p = process_image(frame)
                passed = p.found and not p.quality.failed
                rows[side].append((score, passed))
                if passed and show:
                    print(f"passed: {e['file']} cut {share:.0%} at the {side}, IoU {score:.2f}")
    return rows


def _generated_rows(a: argparse.Namespace, docgen, iou) -> dict[str, list[tuple[float, bool]]]:
    """(IoU with the part in view, passed every gate) per kind of cut, on generated scenes."""
    rows: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for seed in a.seed or [5, 6]:
        rng = random.Random(seed)
        for _ in range(a.count):
            fw, fh = rng.choice(VIEW_SIZES)
            desk, kind, cut = rng.choice(DESKS), rng.choice(KINDS), rng.choice(CUTS)
            page, _ = docgen.render_document(kind, rng)
            frame = docgen.render_background(desk, (fw, fh), rng)
            quad = _placed(cut, page.width, page.height, fw, fh, rng)
            view = np.float32([[0, 0], [fw - 1, 0], [fw - 1, fh - 1], [0, fh - 1]])
            seen, visible = cv2.intersectConvexConvex(quad, view)
            if visible is None or seen < 0.05 * fw * fh:
                continue  # (hardly anything of it in view)
            src = np.float32([[0, 0], [page.width, 0], [page.width, page.height],
                              [0, page.height]])
            m = cv2.getPerspectiveTransform(src, quad)
            doc = cv2.cvtColor(np.asarray(page.convert("RGB")), cv2.COLOR_RGB2BGR)
            warped = cv2.warpPerspective(doc, m, (fw, fh), flags=cv2.INTER_AREA)
            mask = cv2.warpPerspective(np.full(doc.shape[:2], 255, np.uint8), m, (fw, fh))
            frame = np.where(mask[:, :, None] > 127, warped, frame)
            frame = docgen.photometric(frame, quad, rng)
            score = iou(find_document(frame), visible.reshape(-1, 2), (fw, fh))
            p = process_image(frame)
            passed = p.found and not p.quality.failed
            rows[cut].append((score, passed))
            if passed and a.list:
                edges = sum(bool(past.any()) for past in (
                    quad[:, 0] < 0, quad[:, 1] < 0, quad[:, 0] > fw - 1, quad[:, 1] > fh - 1))
                print(f"passed: seed {seed}, {cut}, {kind} on {desk}, {fw}x{fh}, past {edges} "
                      f"edge(s) of the view, {seen / (fw * fh):.0%} of it, IoU {score:.2f}")
    return rows


if __name__ == "__main__":
    main()
