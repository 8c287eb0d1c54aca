#!/usr/bin/env python3
"""camera.similar on pairs of captures: one page captured twice, and pages that differ
(BENCHMARKS.md).

    python scripts/same_page_sweep.py [--count 60] [--seed 11] [--shared ../shared]

Each of --count documents from the shared generator (../shared/bench/docgen.py) is put in
two frames of its own (another desk, place, angle, light, shadow, glare and blur, as the
generator makes them) and each frame goes through camera.pipeline.process_image, as the
kiosk would store it. Printed: how many of the pairs of one page reach SAME_PAGE, and the
highest similarity between captures of different documents (all pairs of first captures,
and those of one kind: one layout, other words). Then the same for the real photos of
realdocs/smartdoc2015 outside its stacks of paper: one document filmed on two desks
(background01 and background03), and every pair of different documents.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from cutoff_sweep import DESKS, _shared_module  # noqa: E402

from camera.pipeline import process_image  # noqa: E402
from camera.similar import SAME_PAGE, PagePrint, similarity  # noqa: E402

PAPER_BY_KIND = {"id_card": "id_card", "a4_page": "a4"}


def _stored(frame: np.ndarray, paper: str | None) -> PagePrint:
    jpeg = process_image(frame, paper).jpeg
    return PagePrint(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE))


def _frame(docgen, page, rng: random.Random) -> np.ndarray:
    """The page on a desk, as docgen.make_frame puts it there."""
    fw, fh = rng.choice(docgen.FRAME_SIZES)
    desk = docgen.render_background(rng.choice(DESKS), (fw, fh), rng)
    quad = docgen.random_quad(page.size, (fw, fh), rng)
    src = np.float32([[0, 0], [page.width, 0], [page.width, page.height], [0, page.height]])
    m = cv2.getPerspectiveTransform(src, quad)
    doc = cv2.cvtColor(np.asarray(page.convert("RGB")), cv2.COLOR_RGB2BGR)
    warped = cv2.warpPerspective(doc, m, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((page.height, page.width), 255, np.uint8), m, (fw, fh))
    return docgen.photometric(np.where(mask[:, :, None] > 127, warped, desk), quad, rng)


def generated(docgen, count: int, seed: int) -> None:
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        kind = rng.choice(["id_card", "certificate", "a4_page"])
        page, _ = docgen.render_document(kind, rng)
        pairs.append((kind, *(_stored(_frame(docgen, page, rng), PAPER_BY_KIND.get(kind))
                              for _ in range(2))))
    same = np.array([similarity(a, b) for _, a, b in pairs])
    other = [(k1 == k2, similarity(a1, a2))
             for (k1, a1, _), (k2, a2, _) in itertools.combinations(pairs, 2)]
    alike = [s for one_kind, s in other if one_kind]
    print(f"generated, seed {seed}: one page twice: {(same >= SAME_PAGE).sum()} of {len(same)} "
          f"reach {SAME_PAGE} (lowest five: {', '.join(f'{s:.2f}' for s in np.sort(same)[:5])}); "
          f"different documents: highest {max(s for _, s in other):.3f} of {len(other)} pairs, "
          f"of one kind {max(alike):.3f} of {len(alike)}")


def real(shared: Path) -> None:
    data = shared / "realdocs" / "smartdoc2015"
    pages = [(e["source"].split("_")[1], e["background"],
              _stored(cv2.imread(str(data / e["file"])), "a4"))
             for e in json.loads((data / "manifest.json").read_text())["frames"]
             if e["background"] != "background05"]
    same = [(doc, similarity(a, b)) for (doc, _, a), (other, _, b)
            in itertools.combinations(pages, 2) if doc == other]
    differ = [similarity(a, b) for (doc, _, a), (other, _, b)
              in itertools.combinations(pages, 2) if doc != other]
    print("realdocs/smartdoc2015, one document on two desks: "
          + ", ".join(f"{doc} {s:.2f}" for doc, s in same)
          + f"; different documents: highest {max(differ):.3f} of {len(differ)} pairs")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    a = ap.parse_args()
    generated(_shared_module(a.shared, "docgen"), a.count, a.seed)
    real(a.shared)


if __name__ == "__main__":
    main()
