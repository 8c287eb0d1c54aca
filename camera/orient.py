"""Which way up is a straightened document? `orientation(image)` -> 0, 90, 180 or 270.

Two steps, from the text's own structure and the glyphs' shapes:
1. Axis: text lines make the ink's projection profile across the lines strongly periodic
   (lines / gaps), and the one along the lines flat. Comparing the two finds whether the
   lines run horizontally or vertically.
2. Up or down: with lines horizontal, the image is either upright or upside down. A small
   linear model scores features that change sign under a half turn (see `flip_features`):
   where glyph tops and bottoms sit inside each text line, how many marks reach above the
   line body versus below it (Latin ascenders outnumber descenders),
   which margin the lines align to, where the headings and the bulk of ink sit. Its
   weights come from scripts/train_orient.py (camera/models/orient.npz); without the file a
   hand-set fallback is used. To its score is added that of a small net over tiles of the
   glyphs themselves (camera/glyphs.py), which reads pages with no layout to go by: a
   centred Chinese diploma, the back of an ID card, a blurred block of text.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from camera.glyphs import glyph_score, mark_height

WORK_LONG_SIDE = 1000  # the analysis scale; text of any document stays several px tall
PROFILE_BINS = 16
_MIN_LINES_FOR_COLUMNS = 6  # fewer text lines than this: one column
BORDER_STRIP = 0.02  # share of the short side left out when a line's margins are measured
MODEL_PATH = Path(__file__).with_name("models") / "orient.npz"


def _grey_small(image: np.ndarray) -> np.ndarray:
    g = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = g.shape
    s = WORK_LONG_SIDE / max(h, w)
    if s < 1:
        g = cv2.resize(g, (max(1, round(w * s)), max(1, round(h * s))),
                       interpolation=cv2.INTER_AREA)
    return g


def black_hat(grey: np.ndarray) -> np.ndarray:
    """How much darker each pixel is than the paper around it, for marks up to a character's
    size (1/40 of the page's long side, 9 px at least): print, whatever the light."""
    h, w = grey.shape
    k = max(9, (max(h, w) // 40) | 1)
    return cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Character-sized dark marks (uint8 0/1): black-hat, threshold, drop rules and blobs."""
    h, w = grey.shape
    bh = black_hat(grey)
    top = float(np.percentile(bh, 99.5))
    thr = max(12.0, 0.3 * top)
    ink = (bh > thr).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    cw, ch, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    longest = max(h, w)
    # the same rule for a page and for it turned a quarter (else a turned page loses other
    # marks than the upright one, and its up/down answer differs)
    lo, hi = np.minimum(cw, ch), np.maximum(cw, ch)
    keep = ((hi >= 2) & (lo <= longest / 12) & (hi <= longest / 6) & (area >= 3)
            & (hi <= 12 * lo + 4))
    lut = np.concatenate([[0], keep.astype(np.uint8)])
    _, labels = cv2.connectedComponents(ink, connectivity=8)
    return lut[labels].astype(np.uint8)


def _lineness(profile: np.ndarray) -> float:
    """Coefficient of variation of a projection profile over its inked extent."""
    nz = np.flatnonzero(profile)
    if len(nz) < 4:
        return 0.0
    p = profile[nz[0]:nz[-1] + 1].astype(np.float64)
    p = np.convolve(p, np.ones(3) / 3, mode="same")
    return float(p.std() / (p.mean() + 1e-9))


def axis_score(ink: np.ndarray) -> float:
    """> 0 when text lines run horizontally, < 0 when vertically."""
    return _lineness(ink.sum(axis=1)) - _lineness(ink.sum(axis=0))


def text_lines(ink: np.ndarray) -> list[tuple[int, int]]:
    """Row bands [top, bottom) holding horizontal text lines."""
    prof = ink.sum(axis=1).astype(np.float64)
    if prof.max() <= 0:
        return []
    on = prof > 0.08 * np.percentile(prof[prof > 0], 90)
    bands, start = [], None
    for y, v in enumerate(on):
        if v and start is None:
            start = y
        elif not v and start is not None:
            bands.append((start, y))
            start = None
    if start is not None:
        bands.append((start, len(on)))
    return [(a, b) for a, b in bands if b - a >= 3]


def columns(ink: np.ndarray) -> list[tuple[int, int]]:
    """Column spans [x0, x1) of the text: split at blank gutters that run down most of the
    inked height (two-column papers, a form's label and value columns), so that text lines
    are found per column instead of as one band across misaligned columns. A heading over
    both columns does not close the gutter; a page of a few lines is not split."""
    h, w = ink.shape
    rows = np.flatnonzero(ink.sum(axis=1))
    cols = np.flatnonzero(ink.sum(axis=0))
    if len(rows) < 4 or len(cols) < 4 or len(text_lines(ink)) < _MIN_LINES_FOR_COLUMNS:
        return [(0, w)]
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    # a pixel column is part of a gutter where few of the text's rows have ink in it
    body = ink[rows[0]:rows[-1] + 1, x0:x1]
    occupied = (body > 0).sum(axis=0) > 0.1 * len(rows)
    spans: list[list[int]] = []
    start, gap, min_gap = x0, 0, max(3, w // 60)
    for i, occ in enumerate(occupied):
        if occ:
            if gap >= min_gap and x0 + i - gap > start:
                spans.append([start, x0 + i - gap])
                start = x0 + i
            gap = 0
        else:
            gap += 1
    spans.append([start, x1])
    merged = [spans[0]]
    for sp in spans[1:]:  # a piece too narrow for a column (a stray mark) joins the previous
        if sp[1] - sp[0] < w // 8 or merged[-1][1] - merged[-1][0] < w // 8:
            merged[-1][1] = sp[1]
        else:
            merged.append(sp)
    return [(a, b) for a, b in merged]


def components(ink: np.ndarray) -> np.ndarray:
    """Left, top, width, height and area of each ink mark (n, 5)."""
    return cv2.connectedComponentsWithStats(ink, connectivity=8)[2][1:, :5]


def half_turned(comps: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The same marks' boxes on the page turned by half (cheaper than labelling again)."""
    h, w = shape[:2]
    out = comps.copy()
    out[:, 0] = w - comps[:, 0] - comps[:, 2]
    out[:, 1] = h - comps[:, 1] - comps[:, 3]
    return out


def flip_features(ink: np.ndarray, comps: np.ndarray | None = None) -> np.ndarray:
    """Features of a page with horizontal lines; every one changes sign under a half turn.
    comps: the ink's `components`, when already known."""
    h, w = ink.shape
    bands = [(a, b, x0, x1) for x0, x1 in columns(ink) for a, b in text_lines(ink[:, x0:x1])]
    strip = max(2, round(BORDER_STRIP * min(h, w)))
    edge_acc = np.zeros(PROFILE_BINS)
    lefts, rights, heights, centres = [], [], [], []
    for a, b, x0, x1 in bands:
        band = ink[a:b, x0:x1].astype(np.float32)
        mass = float(band.sum())
        if mass < 10 or b - a > h / 6:
            continue
        # horizontal stroke edges (tops/bottoms of glyphs) inside the line, at fixed bins
        # (the plain ink profile was tried too: it fits the training fonts, not real pages)
        padded = np.pad(band, ((1, 1), (0, 0)))  # symmetric, so a half turn just reverses it
        edges = np.abs(np.diff(padded, axis=0)).sum(axis=1)
        ep = cv2.resize(edges[:, None].astype(np.float32), (1, PROFILE_BINS),
                        interpolation=cv2.INTER_AREA)[:, 0]
        edge_acc += ep / (ep.sum() + 1e-9) * mass
        # margins within the line's column, past the marks in the page's outer strip (the
        # rules of a printed frame, the desk at a cut's edge: they align every line)
        lo_x = max(x0, strip)
        hi_x = max(lo_x, min(x1, w - strip))  # (a column inside the right strip: empty)
        cols = np.flatnonzero(band[:, lo_x - x0:hi_x - x0].sum(axis=0)) + (lo_x - x0)
        if len(cols):
            lefts.append(cols[0] / (x1 - x0))
            rights.append(1 - (cols[-1] + 1) / (x1 - x0))
        heights.append(b - a)
        centres.append((a + b) / 2 / h - 0.5)
    f = []
    etot = edge_acc.sum()
    edge_n = edge_acc / etot if etot > 0 else edge_acc
    half = PROFILE_BINS // 2
    f.extend(edge_n[:half] - edge_n[::-1][:half])  # top bins minus their mirrored bottom bins
    if len(lefts) >= 2:
        lefts_a, rights_a = np.array(lefts), np.array(rights)
        # aligned margin: small spread; ragged margin: big spread
        spread_l = float(np.median(np.abs(lefts_a - np.median(lefts_a))))
        spread_r = float(np.median(np.abs(rights_a - np.median(rights_a))))
        f.append(spread_r - spread_l)
        f.append(float(np.median(rights_a) - np.median(lefts_a)))
        hts, cen = np.array(heights, np.float64), np.array(centres)
        # headings (the tallest lines) and their position
        f.append(float(np.sum(cen * (hts - hts.mean())) / (hts.sum() + 1e-9)))
        f.append(float(cen[np.argmax(hts)]) if hts.max() > 1.3 * np.median(hts) else 0.0)
    else:
        f.extend([0.0, 0.0, 0.0, 0.0])
    f.extend(_ascender_features(components(ink) if comps is None else comps, bands))
    mo = cv2.moments(ink, binaryImage=True)
    if mo["m00"] > 0:
        f.append(float(mo["m01"] / mo["m00"] / h - 0.5))
        f.append(float(mo["m10"] / mo["m00"] / w - 0.5))
    else:
        f.extend([0.0, 0.0])
    return np.asarray(f, np.float64)


def _ascender_features(comps: np.ndarray, bands: list[tuple[int, int, int, int]]
                       ) -> list[float]:
    """Marks reaching above a line's body minus those reaching below it.

    In Latin text ascenders (b d f h k l t, capitals, digits) far outnumber descenders
    (g j p q y): upright, more marks poke above the x-height than below the baseline.
    Returns the count difference and the ink difference, both as shares.
    """
    if len(comps) == 0 or not bands:
        return [0.0, 0.0]
    left, top, wid, hgt, area = (comps[:, i] for i in range(5))
    bottom = top + hgt
    centre = top + hgt / 2
    middle = left + wid / 2
    up = down = count = 0.0
    up_ink = down_ink = total_ink = 0.0
    for a, b, x0, x1 in bands:  # a text line within its column
        sel = (centre >= a) & (centre < b) & (middle >= x0) & (middle < x1)
        if sel.sum() < 5:
            continue
        t, bt, ar = top[sel], bottom[sel], area[sel]
        mt, mb = float(np.median(t)), float(np.median(bt))
        xh = max(mb - mt, 2.0)
        above = t < mt - 0.3 * xh
        below = bt > mb + 0.3 * xh
        up += above.sum()
        down += below.sum()
        count += sel.sum()
        up_ink += ar[above].sum()
        down_ink += ar[below].sum()
        total_ink += ar.sum()
    if count == 0:
        return [0.0, 0.0]
    return [(up - down) / count, (up_ink - down_ink) / max(total_ink, 1.0)]


# Hand-set weights (used without the trained model): left-aligned text has a ragged right
# margin; Latin ascenders outnumber descenders.
_FALLBACK = np.concatenate([np.zeros(PROFILE_BINS // 2),
                            [20.0, 0.0, 0.0, 0.0, 20.0, 0.0, 0.0, 0.0]])


@lru_cache(maxsize=1)
def _weights() -> np.ndarray:
    try:
        with np.load(MODEL_PATH) as z:
            w = np.asarray(z["weights"], np.float64)
        if w.shape == _FALLBACK.shape:
            return w
    except (OSError, KeyError, ValueError):
        pass
    return _FALLBACK


def upright_score(ink: np.ndarray) -> float:
    """> 0 when a page with horizontal lines reads upright, < 0 when upside down. Taken as
    the difference with the page turned by half, so that the two always get opposite answers
    (ties and medians make the features themselves not exactly odd under a half turn)."""
    comps = components(ink)
    f = (flip_features(ink, comps)
         - flip_features(cv2.rotate(ink, cv2.ROTATE_180), half_turned(comps, ink.shape)))
    return float(f @ _weights()) / 2


def orientation(image: np.ndarray, landscape: bool | None = None) -> int:
    """Degrees clockwise (0, 90, 180 or 270) to turn `image` (a straightened document,
    BGR or grey) so that it reads upright. A page without text comes back as 0.

    `landscape`: whether the document reads with its long side across, when that is known
    (True for an ID card); the text's own axis is then not asked, only which way up. A card
    back with a few short lines can look as periodic across as along its lines."""
    h, w = image.shape[:2]
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = _grey_small(grey)
    ink = ink_mask(small)
    has_ink = bool(ink.any())
    # do the lines run across the image as it is (else down it)?
    rows = (not has_ink or axis_score(ink) >= 0) if landscape is None \
        else (w >= h) == landscape
    if not has_ink:  # no text to say which way up: the right axis at least
        return 0 if rows else 90
    scale = max(h, w) / max(small.shape)  # from the analysis scale to the image's
    if rows:
        return 0 if _upright(ink, grey, scale) >= 0 else 180
    turn = cv2.ROTATE_90_CLOCKWISE
    return 90 if _upright(cv2.rotate(ink, turn), cv2.rotate(grey, turn), scale) >= 0 else 270


def _upright(ink: np.ndarray, grey: np.ndarray, scale: float) -> float:
    """The line model's score and the glyph net's, in the same units: > 0 reads upright.
    Marks are measured with the lines across (turned, a blurred word's height is its width)."""
    mark = mark_height(ink)
    return upright_score(ink) + glyph_score(grey, None if mark is None else mark * scale)
