"""Is a found quad only a box printed on a page that fills the whole image?

A flat scan (a scanner's page, a phone app's crop, a sheet filling the camera's view) shows
no desk, so the detector's best candidate is a box inside the page: a diploma's photo, an
ID card's portrait, a form's table. Taking it for the document would store a crop. Such a
box is told from a document lying on a desk by what surrounds it:
- the surroundings are paper: pale, grey-white, flat once print is taken away (a desk is
  darker, coloured, grained, or cluttered with objects far bigger than characters);
- they carry print, and all around the box: in at least three of the image's quarters (a
  blank pale desk carries none; another paper beside the document puts it at one side);
- the print is text: its marks join into lines (a speckled desk's chips do not);
- the paper runs off every edge of the image (a desk's clutter, a monitor or a cable
  reaches some edge);
- the box's sides run along the image's axes (a scan is square to its page; a document put
  down on a desk lies at some angle, and a camera sees it in perspective).
Thresholds were set on rendered Chinese documents, docgen's desks and the SmartDoc desks:
BENCHMARKS.md, "Flat scans".
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from camera.orient import black_hat, ink_mask

WORK_SIDE = 800
MAX_TILT_DEG = 4.0  # a box's sides this close to the image axes: square to the page
MIN_PAPER = 0.8  # share of the surroundings that is flat pale paper
MIN_INK = 0.008  # share of the surroundings covered by character-sized marks
MIN_QUARTER_INK = 0.003  # ... and of a quarter's, in at least PRINTED_QUARTERS of the four
PRINTED_QUARTERS = 3
MIN_LINE_SHARE = 0.2  # share of the marks that join into text lines
MIN_EDGE_PAPER = 0.7  # ... and the paper runs off every edge of the image:
EDGE_STRIP = 0.03  # the least paper share of a strip this wide (share of the short side)
PAPER_LEVEL = 0.65  # paper is at least this share of the image's bright (95th pct) level
PAPER_MAX_SATURATION = 60
PAPER_MAX_GRADIENT = 8.0  # grey levels per px of the print-free background
EDGE_MARGIN = 0.01  # a box this close (share of the short side) to the edge is cut off, no box
AROUND_PX = 7  # the box's own outline is left out of its surroundings
MIN_OUTSIDE_PX = 200  # fewer pixels around a quad (at WORK_SIDE) tell nothing


def tilt(quad: np.ndarray) -> float:
    """The largest angle (degrees) between a side of the quad and the nearer image axis."""
    q = np.asarray(quad, np.float64).reshape(4, 2)
    d = np.abs(np.roll(q, -1, axis=0) - q)
    a = np.degrees(np.arctan2(d[:, 1], d[:, 0]))
    return float(np.max(np.minimum(a, 90.0 - a)))


def _masks(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(paper, ink, scale): boolean masks of flat pale paper and of character-sized marks,
    at WORK_SIDE, and the scale from the frame to them."""
    h, w = frame.shape[:2]
    # a small image is enlarged too: the marks' sizes and the gradient limit hold at WORK_SIDE
    s = WORK_SIDE / max(h, w)
    small = cv2.resize(frame, (max(1, round(w * s)), max(1, round(h * s))),
                       interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    # the paper under the print: the grey plus how much darker the print made it
    paper_bg = cv2.GaussianBlur(grey.astype(np.float32) + black_hat(grey), (0, 0), 2)
    grad = np.hypot(cv2.Sobel(paper_bg, cv2.CV_32F, 1, 0), cv2.Sobel(paper_bg, cv2.CV_32F, 0, 1))
    sat = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[..., 1]
    paper = ((grad < PAPER_MAX_GRADIENT) & (paper_bg > PAPER_LEVEL * np.percentile(paper_bg, 95))
             & (sat < PAPER_MAX_SATURATION))
    return paper, ink_mask(grey).astype(bool), s


@dataclass(frozen=True)
class Surroundings:
    """What lies outside a quad, as shares of its area."""

    paper: float  # flat pale paper
    ink: float  # covered by character-sized marks
    edges: float  # the least paper share of the four strips along the image's edges
    printed_quarters: int  # image quarters whose part of it carries print
    lines: float  # share of its marks that join into text lines


def line_share(ink: np.ndarray) -> float:
    """Share of the marks (uint8 0/1) that join into lines of text, across or down: closing
    the gaps between neighbours (1.5 marks' heights) makes a text line one long thin run
    (length >= 4 x height, about a mark's height), a scatter of chips clumps or stays dots.
    The run-length smoothing of document layout analysis."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return 0.0
    best = 0.0
    for across in (True, False):
        size = max(2.0, float(np.median(stats[1:, 3] if across else stats[1:, 2])))
        k = max(3, round(1.5 * size))
        joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE,
                                  np.ones((1, k) if across else (k, 1), np.uint8))
        _, labels, runs, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        length, height = (runs[1:, 2], runs[1:, 3]) if across else (runs[1:, 3], runs[1:, 2])
        line = np.concatenate([[0], (length >= 4 * height) & (height <= 2 * size)])
        best = max(best, float(ink[line[labels].astype(bool)].sum() / ink.sum()))
    return best


def surroundings(frame: np.ndarray, quad: np.ndarray) -> Surroundings | None:
    """What lies outside the quad in a BGR uint8 frame; None if almost nothing does."""
    paper, ink, s = _masks(frame)
    box = np.zeros(paper.shape, np.uint8)
    cv2.fillPoly(box, [np.round(np.asarray(quad, np.float64) * s).astype(np.int32)], 1)
    outside = cv2.dilate(box, np.ones((2 * AROUND_PX + 1,) * 2, np.uint8)) == 0
    if outside.sum() < MIN_OUTSIDE_PX:
        return None
    b = max(3, round(EDGE_STRIP * min(paper.shape)))
    edges = min(float(x.mean()) for x in (paper[:b], paper[-b:], paper[:, :b], paper[:, -b:]))
    h, w = paper.shape
    printed = 0
    for rows in (slice(0, h // 2), slice(h // 2, h)):
        for cols in (slice(0, w // 2), slice(w // 2, w)):
            around = outside[rows, cols]
            printed += bool(around.sum() >= MIN_OUTSIDE_PX
                            and ink[rows, cols][around].mean() >= MIN_QUARTER_INK)
    marks = (ink & outside).astype(np.uint8)
    return Surroundings(float(paper[outside].mean()), float(ink[outside].mean()), edges,
                        printed, line_share(marks))


def box_on_page(frame: np.ndarray, quad: np.ndarray) -> bool:
    """True if `quad` is a box printed on a page that fills `frame` (BGR uint8, a flat scan):
    then the whole image, not the quad, is the document."""
    q = np.asarray(quad, np.float64).reshape(4, 2)
    h, w = frame.shape[:2]
    m = EDGE_MARGIN * min(h, w)
    inside = (q[:, 0] >= m).all() and (q[:, 0] <= w - 1 - m).all() and \
        (q[:, 1] >= m).all() and (q[:, 1] <= h - 1 - m).all()
    if not inside or tilt(q) > MAX_TILT_DEG:
        return False
    around = surroundings(frame, q)
    return around is not None and around.paper >= MIN_PAPER and around.ink >= MIN_INK \
        and around.printed_quarters >= PRINTED_QUARTERS and around.lines >= MIN_LINE_SHARE \
        and around.edges >= MIN_EDGE_PAPER
