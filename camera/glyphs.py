"""Which way up the glyphs stand: a small convolutional net over square tiles of print.

The line-structure features of camera/orient.py read Latin pages and forms well, but a
Chinese page whose lines are centred and evenly filled (a diploma, the back of an ID
card) gives them little to go on. The glyphs themselves still say which way up they are:
a net that sees a few characters at a time learns it (trained on Chinese and Latin print).

The page (lines already horizontal) is scaled so that a typical mark is GLYPH_PX tall,
its print is taken out of the light by a black-hat and scaled to 0..1, and the inked tiles
of a grid centred on the page are scored. Each tile counts as f(tile) - f(tile turned by
half), so a page and the same page turned get opposite scores (to rounding: resampling
the turned page is not bit for bit the turned resampling). The net and its
weights come from scripts/train_glyphs.py (camera/models/glyphs.onnx, run by OpenCV's dnn
module); without the file the score is 0 and orient.py decides alone.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

GLYPH_PX = 16  # a typical mark's height at the analysis scale
TILE = 48  # px: about three characters, two or three lines
MAX_TILES = 48
MAX_UPSCALE = 3.0  # tiny print is not enlarged further: nothing more is there to read
MAX_SIDE = 3000  # px at the analysis scale: speckle taken for tiny print stays affordable
INKED = 0.3  # a normalised black-hat level that counts as print
MODEL_PATH = Path(__file__).with_name("models") / "glyphs.onnx"


def mark_height(ink: np.ndarray) -> float | None:
    """The median height of the marks in an ink mask (px), None without marks."""
    stats = cv2.connectedComponentsWithStats(ink, connectivity=8)[2][1:]
    heights = stats[stats[:, 4] >= 4, 3]
    return float(np.median(heights)) if len(heights) else None


def tiles(grey: np.ndarray, mark_px: float) -> np.ndarray:
    """The inked tiles (N, 1, TILE, TILE) float32 of a grey page whose lines run across and
    whose marks are about `mark_px` tall: print 1, paper 0. A grid centred on the page, so
    that the page turned by half gives the same tiles turned (up to rounding)."""
    if grey.ndim == 3:
        grey = cv2.cvtColor(grey, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    f = min(GLYPH_PX / max(mark_px, 1e-3), MAX_UPSCALE, MAX_SIDE / max(h, w))
    # even sides: the grid's margins are then equal, and the page turned gets the same grid
    size = (max(2, 2 * round(w * f / 2)), max(2, 2 * round(h * f / 2)))
    g = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
    k = 3 * GLYPH_PX | 1
    bh = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT,
                          cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))).astype(np.float32)
    x = np.clip(bh / max(float(np.percentile(bh, 99.5)), 12.0), 0, 1)
    ny, nx = x.shape[0] // TILE, x.shape[1] // TILE
    if ny == 0 or nx == 0:
        return np.zeros((0, 1, TILE, TILE), np.float32)
    oy, ox = (x.shape[0] - ny * TILE) // 2, (x.shape[1] - nx * TILE) // 2
    grid = x[oy:oy + ny * TILE, ox:ox + nx * TILE].reshape(ny, TILE, nx, TILE)
    grid = grid.transpose(0, 2, 1, 3).reshape(-1, TILE, TILE)
    share = (grid > INKED).mean(axis=(1, 2))
    ok = np.flatnonzero((share >= 0.04) & (share <= 0.5))
    # the most inked first, then the nearest the centre; a tie at the cut is kept whole,
    # so that the turned page picks the same tiles (a tile and its mirror image tie)
    idx = np.arange(ny * nx)
    centre = np.round(np.hypot(idx // nx - (ny - 1) / 2, idx % nx - (nx - 1) / 2), 3)
    key = np.c_[-np.round(share[ok], 3), centre[ok]]
    order = np.lexsort((key[:, 1], key[:, 0]))
    n = min(MAX_TILES, len(order))
    while n < len(order) and (key[order[n]] == key[order[n - 1]]).all():
        n += 1
    return grid[ok[order[:n]]][:, None].astype(np.float32)


@lru_cache(maxsize=1)
def _net() -> cv2.dnn.Net | None:
    try:
        return cv2.dnn.readNetFromONNX(str(MODEL_PATH))
    except cv2.error:
        return None


def tile_scores(batch: np.ndarray) -> np.ndarray:
    """f(tile) - f(tile turned by half) for each tile: > 0 where it reads upright."""
    net = _net()
    if net is None or len(batch) == 0:
        return np.zeros(len(batch), np.float32)
    both = np.concatenate([batch, batch[:, :, ::-1, ::-1]])
    try:
        net.setInput(np.ascontiguousarray(both))
        out = net.forward().reshape(-1)
    except cv2.error:  # a model file made for other tiles: the lines decide alone
        return np.zeros(len(batch), np.float32)
    if out.shape != (2 * len(batch),):
        return np.zeros(len(batch), np.float32)
    return out[:len(batch)] - out[len(batch):]


def glyph_score(grey: np.ndarray, mark_px: float | None) -> float:
    """> 0 when the glyphs of a page with horizontal lines stand upright, < 0 when upside
    down, 0 when there is nothing to tell (no print, no model). In the units of
    orient.upright_score: the training script scales the net so that the two add."""
    if mark_px is None:
        return 0.0
    return float(tile_scores(tiles(grey, mark_px)).sum())
