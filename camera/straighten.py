"""Perspective correction: the document's quad in the frame to a flat, right-angled image."""
from __future__ import annotations

import cv2
import numpy as np

# Physical sizes (width, height) in mm of the materials' paper, portrait/landscape-agnostic:
# only the ratio matters, and the quad decides which side is the long one.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "id_card": (85.6, 54.0),  # ISO/IEC 7810 ID-1: resident ID cards, most permits
    "a4": (210.0, 297.0),
    "a5": (148.0, 210.0),
    "b5": (176.0, 250.0),
    "letter": (215.9, 279.4),
}

# Output long side in pixels, chosen for legibility under the 200 kB cap: ~150 dpi for A4,
# ~300 dpi for an ID card (its print is small).
TARGET_LONG_SIDE: dict[str, int] = {"id_card": 1000, "a4": 1654, "a5": 1240, "b5": 1476,
                                    "letter": 1650}
DEFAULT_LONG_SIDE = 1654
MAX_UPSCALE = 1.25  # beyond this, upscaling only adds bytes, not detail


def order_quad(quad: np.ndarray) -> np.ndarray:
    """Corners clockwise from the one nearest the top-left (image coordinates, y down)."""
    q = np.asarray(quad, np.float32).reshape(4, 2)
    c = q.mean(axis=0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])  # clockwise on screen as the angle grows
    q = q[np.argsort(ang)]
    k = int(np.argmin(q[:, 0] + q[:, 1]))
    return np.roll(q, -k, axis=0)


def measured_size(quad: np.ndarray) -> tuple[float, float]:
    """(width, height) of the quad: mean lengths of its top/bottom and left/right sides."""
    q = np.asarray(quad, np.float64)
    w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return float(w), float(h)


# Focal lengths (px, per the frame's long side): phones and webcams 0.7-1.2, SmartDoc's
# 0.75-1.0 (as measured from its quads). The quad tells it only when both pairs of its
# opposite sides converge visibly; a typical one stands in otherwise.
FOCAL_TYPICAL = 0.85
FOCAL_BOUNDS = (0.3, 4.0)  # an estimate is clamped into these (ultra-wide .. long zoom)
CONVERGE_DEG = 3.0  # opposite sides closer to parallel than this: no focal length from them


def _converge_deg(q: np.ndarray) -> float:
    """The smaller of the angles (degrees) between the quad's two pairs of opposite sides."""
    def angle(u: np.ndarray, v: np.ndarray) -> float:
        c = abs(float(u @ v)) / (float(np.linalg.norm(u) * np.linalg.norm(v)) + 1e-12)
        return float(np.degrees(np.arccos(min(1.0, c))))

    return min(angle(q[1] - q[0], q[2] - q[3]), angle(q[3] - q[0], q[2] - q[1]))


def aspect_ratio(quad: np.ndarray, frame_wh: tuple[int, int] | None = None) -> float:
    """Height / width of the rectangle the quad shows (its corners in any order).

    With the frame's size: through the perspective (Zhang & He, "Whiteboard scanning and
    image enhancement", 2007), principal point at the frame's centre: the camera's focal
    length from the quad's two vanishing points, and with it the rectangle's proportions; a
    tilted hand-held photo of an A4 page whose sides measure 1:1.09 comes out 1:1.41. Where
    the quad cannot tell the focal length (a pair of its sides nearly parallel: a page square
    to a camera tilted towards it, or a view straight down, where it hardly matters; a
    corner a pixel off would make it anything) a typical one stands in. Without the frame's
    size, the ratio of the mean side lengths (right for a view straight down)."""
    return _view(quad, frame_wh)[0]


def _view(quad: np.ndarray, frame_wh: tuple[int, int] | None) -> tuple[float, bool]:
    """aspect_ratio, and whether the quad is a camera's view of a rectangle: False when
    the focal length it implies is none a lens has (f squared <= 0, or outside
    FOCAL_BOUNDS): a quad whose corners do not belong together."""
    q = order_quad(quad).astype(np.float64)
    mw, mh = measured_size(q)
    sides = max(mh / max(mw, 1e-9), 1e-6)
    if frame_wh is None:
        return sides, True
    u0, v0 = frame_wh[0] / 2.0, frame_wh[1] / 2.0
    tl, tr, br, bl = (np.array([x, y, 1.0]) for x, y in q)
    d = np.cross(tl, br)
    den2, den3 = float(np.cross(tr, br) @ bl), float(np.cross(bl, br) @ tr)
    if abs(den2) < 1e-9 or abs(den3) < 1e-9:  # three corners on a line
        return sides, False
    n2 = float(d @ bl) / den2 * tr - tl  # the rectangle's sides, up to the camera matrix
    n3 = float(d @ tr) / den3 * bl - tl
    long_side = float(max(frame_wh))
    f, real = FOCAL_TYPICAL * long_side, True
    w2 = n2[2] * n3[2]
    if abs(w2) > 1e-12 and _converge_deg(q) >= CONVERGE_DEG:
        f2 = -((n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + w2 * u0 * u0)
               + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + w2 * v0 * v0)) / w2
        lo, hi = (k * long_side for k in FOCAL_BOUNDS)
        real = lo * lo <= f2 <= hi * hi
        if f2 > 0:
            f = float(np.clip(f2 ** 0.5, lo, hi))
    ai = np.linalg.inv(np.array([[f, 0, u0], [0, f, v0], [0, 0, 1.0]]))
    b = ai.T @ ai
    wr, hr = float(n2 @ b @ n2), float(n3 @ b @ n3)
    return ((hr / wr) ** 0.5, real) if wr > 0 and hr > 0 else (sides, False)


def output_size(quad: np.ndarray, paper: str | None = None,
                frame_wh: tuple[int, int] | None = None) -> tuple[int, int]:
    """Output (width, height): the paper's aspect when known, else the one the quad shows
    (see aspect_ratio), oriented like the quad."""
    mw, mh = measured_size(quad)
    r = aspect_ratio(quad, frame_wh)  # (> 0)
    if paper is not None:
        ratio = paper_ratio(paper)
        long_px = TARGET_LONG_SIDE[paper]
    else:
        ratio = max(r, 1 / r)
        long_px = DEFAULT_LONG_SIDE
    # never invent much more resolution than the camera gave
    long_px = min(long_px, int(max(mw, mh) * MAX_UPSCALE))
    long_px = max(long_px, 16)
    short_px = max(1, round(long_px / ratio))
    return (long_px, short_px) if r <= 1 else (short_px, long_px)


def paper_ratio(paper: str) -> float:
    """Long side / short side of a paper of PAPER_SIZES_MM (ValueError for another)."""
    if paper not in PAPER_SIZES_MM:
        raise ValueError(f"unknown paper size {paper!r}; known: {sorted(PAPER_SIZES_MM)}")
    a, b = PAPER_SIZES_MM[paper]
    return max(a, b) / min(a, b)


def aspect_error(quad: np.ndarray, paper: str, frame_wh: tuple[int, int] | None = None
                 ) -> float | None:
    """How far the proportions the quad shows (see aspect_ratio) are from the paper's:
    0.12 = 12 % off (an ID card, 1:1.585, where an A4 page, 1:1.414, is expected). None when
    the quad is no camera's view of a rectangle (its proportions are not to be trusted)."""
    r, real = _view(quad, frame_wh)
    if not real:
        return None
    x = max(r, 1 / r) / paper_ratio(paper)
    return float(max(x, 1 / x) - 1)


def straighten(frame: np.ndarray, quad: np.ndarray | None, paper: str | None = None) -> np.ndarray:
    """Warp the quad (clockwise from the top-left-most corner) to a flat rectangle.

    With `quad=None` the whole frame is taken as an already flat scan (only resized).
    The aspect ratio follows the paper's physical size when `paper` is a key of
    PAPER_SIZES_MM, else the proportions the quad shows (`aspect_ratio`).
    """
    h, w = frame.shape[:2]
    if quad is None:
        quad = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    q = order_quad(quad)
    out_w, out_h = output_size(q, paper, (w, h))
    mw, mh = measured_size(q)
    # Warp at about the source's own resolution, then downscale with INTER_AREA: warping
    # straight to a much smaller size would alias fine print.
    # (3× oversampling is plenty against aliasing; more only costs time on 50 MP photos)
    scale = min(3.0, max(1.0, min(mw / out_w, mh / out_h)))
    if scale > 1.5:
        ww, wh = round(out_w * scale), round(out_h * scale)
    else:
        ww, wh = out_w, out_h
    dst = np.float32([[0, 0], [ww, 0], [ww, wh], [0, wh]])
    m = cv2.getPerspectiveTransform(q, dst)
    flat = cv2.warpPerspective(frame, m, (ww, wh), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    if (ww, wh) != (out_w, out_h):
        flat = cv2.resize(flat, (out_w, out_h), interpolation=cv2.INTER_AREA)
    return flat
