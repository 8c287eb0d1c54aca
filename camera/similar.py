"""Is this capture the same page as that one? The same side of an ID card captured twice
instead of both sides, a page photographed again, the same photo saved twice at another
quality: each gives another file, and no digest can tell.

Two captures of one page, straightened, differ in light, shadow, glare, JPEG noise, a few
pixels of straightening error and, where the orientation was misread, half a turn. What they
share is the print, stroke for stroke. Pages of one template (two certificates, two pages of
one form) share the layout, so coarse pictures of them look alike (a 32 px copy: 0.87-0.96
correlated); their words differ, so their print at 512 px, less its mean along each line,
does not (BENCHMARKS.md).
"""
from __future__ import annotations

import cv2
import numpy as np

SIDE = 512  # print is compared at this long side: characters differ here, not just lines
SHIFT = 0.02  # straightening error allowed between two captures (share of the long side)
MARGIN = 0.05  # the outer share of each side is left out: the find's edge may differ there
SAME_PAGE = 0.6  # correlation of the print from which two captures are one page
LINE_MEAN = 31  # px at SIDE: the print's mean along its line over this is taken away
MAX_ASPECT_GAP = 0.15  # proportions further apart than this are never one page
_MIN_INK = 1.0  # a print map with less spread than this (grey levels) has nothing to compare


class PagePrint:
    """The print of one upright capture (grey or BGR), ready to be compared."""

    def __init__(self, image: np.ndarray) -> None:
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        h, w = grey.shape[:2]
        self.aspect = w / h if h else 0.0
        s = SIDE / max(h, w, 1)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if s < 1 else
                           cv2.INTER_LINEAR)
        k = cv2.getStructuringElement(cv2.MORPH_RECT, (max(5, (SIDE // 40) | 1),) * 2)
        # dark marks against the paper around them: print, whatever the light on the paper
        ink = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, k).astype(
            np.float32), (0, 0), 1.0)
        # less the mean along the line (the page is upright: lines run across): what pages
        # of one layout share, where their lines and columns lie, goes; their words stay
        self.ink = ink - cv2.blur(ink, (LINE_MEAN, 1))

    def turned(self, quarter: int) -> np.ndarray:
        return np.rot90(self.ink, -quarter).copy() if quarter else self.ink


def similarity(a: PagePrint, b: PagePrint) -> float:
    """How alike the print of two captures is, -1..1 (SAME_PAGE and above: one page): the
    best correlation over half a turn (either way a quarter when their proportions lie across
    each other) and shifts up to SHIFT."""
    if min(a.ink.shape) < 32 or min(b.ink.shape) < 32 or a.aspect <= 0 or b.aspect <= 0:
        return 0.0
    across = (a.aspect > 1) != (b.aspect > 1)
    other = 1 / b.aspect if across else b.aspect
    if abs(np.log(a.aspect / other)) > np.log1p(MAX_ASPECT_GAP):
        return 0.0
    h, w = a.ink.shape
    pad = max(2, round(SHIFT * SIDE))
    m = pad + round(MARGIN * min(h, w))
    template = a.ink[m:h - m, m:w - m]
    if template.size == 0 or float(template.std()) < _MIN_INK:
        return 0.0
    best = -1.0
    for quarter in ((1, 3) if across else (0, 2)):
        ink = cv2.resize(b.turned(quarter), (w, h), interpolation=cv2.INTER_AREA)
        if float(ink.std()) < _MIN_INK:
            continue
        # the template (a's middle) slides over b's middle; the result's centre is no shift
        window = ink[m - pad:h - m + pad, m - pad:w - m + pad]
        r = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
        best = max(best, float(np.nan_to_num(r, nan=-1.0).max()))
    return best


def same_page(a: np.ndarray, b: np.ndarray) -> bool:
    """Two upright captures (grey or BGR arrays) show one page."""
    return similarity(PagePrint(a), PagePrint(b)) >= SAME_PAGE
