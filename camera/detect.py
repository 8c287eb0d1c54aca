"""Find a paper document in a camera frame: four corners, sub-pixel, or None.

How (measure before changing; see tests/test_camera_detect.py and the shared scorers):
1. Work on a copy shrunk to ~640 px on its long side. Several cues each propose quads:
   closed regions of a colour-edge map at a few thresholds, Otsu regions of lightness and of
   "paper-ness" (light and unsaturated), and quads assembled from straight line segments.
2. Every candidate is scored on the small image: along each side, the colour just inside must
   differ from the colour just outside, consistently in sign along the whole side (a checker
   or wood-grain line flips sign, a document edge does not). The best one wins; larger quads
   win ties so a certificate's printed frame does not beat the paper's own edge.
3. The winner is refined at full resolution: along each side, the colour-gradient peak is found
   on short profiles across the edge (sub-pixel), a line is fitted robustly to those points
   (outliers such as a finger or glare are dropped), and adjacent lines are intersected.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["Detection", "detect_document", "find_document", "order_corners", "refine_quad"]

WORK_SIDE = 640  # long side of the working copy, px
MIN_AREA = 0.03  # smallest document, share of the frame
MIN_SCORE = 0.35  # below this the best candidate is reported as "no document"
_CHROMA_W = 2.0  # Lab a/b are compressed in 8-bit; weight them up in colour distances


@dataclass(frozen=True)
class Detection:
    """A found document: corners (4, 2) float32 in frame pixels, and a 0..1 confidence."""

    corners: np.ndarray
    score: float


def find_document(frame: np.ndarray) -> np.ndarray | None:
    """The document's four corners (4, 2) float, clockwise from the one nearest the frame's
    top-left, in frame pixels; or None when no document is seen."""
    det = detect_document(frame)
    return None if det is None else det.corners


def order_corners(quad: np.ndarray) -> np.ndarray:
    """Clockwise (image coordinates, y down) starting at the corner nearest the top-left."""
    q = np.asarray(quad, np.float64).reshape(4, 2)
    c = q.mean(axis=0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])
    q = q[np.argsort(ang)]  # increasing angle with y down = clockwise on screen
    start = int(np.argmin(q[:, 0] ** 2 + q[:, 1] ** 2))
    return np.roll(q, -start, axis=0).astype(np.float32)


# ----------------------------------------------------------------------------- features


@dataclass
class _Work:
    small: np.ndarray  # BGR, shrunk
    lab: np.ndarray  # float32 Lab, chroma weighted, lightly blurred
    gx: np.ndarray  # colour gradient (channel of max magnitude), float32
    gy: np.ndarray
    mag: np.ndarray
    sx: float  # small = full * s (per axis)
    sy: float


def _prepare(frame: np.ndarray, work_side: int) -> _Work:
    h, w = frame.shape[:2]
    f = min(1.0, work_side / max(h, w))
    sw, sh = max(8, round(w * f)), max(8, round(h * f))
    small = cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA) if f < 1 else frame
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2Lab).astype(np.float32)
    lab[:, :, 1:] = (lab[:, :, 1:] - 128.0) * _CHROMA_W
    lab = cv2.GaussianBlur(lab, (0, 0), 1.0)
    gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
    m2 = gx * gx + gy * gy
    idx = np.argmax(m2, axis=2)[:, :, None]
    gx1 = np.take_along_axis(gx, idx, 2)[:, :, 0]
    gy1 = np.take_along_axis(gy, idx, 2)[:, :, 0]
    mag = np.sqrt(np.take_along_axis(m2, idx, 2)[:, :, 0])
    return _Work(small, lab, gx1, gy1, mag, sw / w, sh / h)


# ----------------------------------------------------------------------------- candidates


def _quad_from_contour(cnt: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(cnt)
    if len(hull) < 4:
        return None
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
        if len(approx) < 4:
            break
    return _max_area_quad(hull.reshape(-1, 2).astype(np.float32))


def _max_area_quad(pts: np.ndarray) -> np.ndarray | None:
    """The largest quad with vertices among the hull points (hull is small, O(n^2) with numpy)."""
    n = len(pts)
    if n < 4:
        return None
    if n > 40:  # thin the hull evenly; corners survive because hull points cluster there
        pts = pts[np.linspace(0, n - 1, 40).astype(int)]
        n = 40
    best, best_q = -1.0, None

    def tri(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        return 0.5 * np.abs((b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
                            - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0]))

    for i in range(n):
        for k in range(i + 2, n):
            # best j in (i, k) and best l in (k, i+n) are independent
            js = np.arange(i + 1, k)
            ls = np.arange(k + 1, i + n) % n
            if len(js) == 0 or len(ls) == 0:
                continue
            aj = tri(pts[i], pts[js], pts[k])
            al = tri(pts[i], pts[ls], pts[k])
            area = aj.max() + al.max()
            if area > best:
                best = area
                best_q = pts[[i, js[aj.argmax()], k, ls[al.argmax()]]]
    return best_q


def _region_quads(mask: np.ndarray, min_area: float) -> list[np.ndarray]:
    out = []
    contours, _ = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        if len(c) < 4:
            continue
        x, y, w, h = cv2.boundingRect(c)
        if w * h < min_area:
            continue
        if cv2.contourArea(cv2.convexHull(c)) < min_area:
            continue
        q = _quad_from_contour(c)
        if q is not None:
            out.append(q)
    return out


def _candidates(wk: _Work) -> list[np.ndarray]:
    h, w = wk.mag.shape
    min_area = MIN_AREA * h * w
    cands: list[np.ndarray] = []
    # edge-closed regions at several thresholds: a region whose border is an edge loop
    dx = np.clip(wk.gx, -32767, 32767).astype(np.int16)
    dy = np.clip(wk.gy, -32767, 32767).astype(np.int16)
    k3 = np.ones((3, 3), np.uint8)
    for hi in (20.0, 45.0, 100.0):
        edges = cv2.Canny(dx, dy, hi * 0.5, hi, L2gradient=True)
        edges = cv2.dilate(edges, k3)
        cands += _region_quads(edges, min_area)
    # Otsu regions: lightness, and paper-ness (light, unsaturated)
    L = wk.lab[:, :, 0]
    chroma = np.abs(wk.lab[:, :, 1]) + np.abs(wk.lab[:, :, 2])
    for ch in (L, L - chroma):
        ch8 = cv2.normalize(ch, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
        _, th = cv2.threshold(ch8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        th = cv2.morphologyEx(th, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
        cands += _region_quads(th, min_area)
    return cands


# ----------------------------------------------------------------------------- scoring


def _convex_ok(q: np.ndarray, w: int, h: int, min_area: float) -> bool:
    if not np.isfinite(q).all():
        return False
    m = 0.02 * max(w, h)
    if q[:, 0].min() < -m or q[:, 1].min() < -m or q[:, 0].max() > w - 1 + m or \
            q[:, 1].max() > h - 1 + m:
        return False
    if not cv2.isContourConvex(q.reshape(-1, 1, 2).astype(np.float32)):
        return False
    area = cv2.contourArea(q.astype(np.float32))
    if area < min_area:
        return False
    # every interior angle between 35 and 145 degrees
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        u, v = a - b, c - b
        cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
        if abs(cos) > 0.82:
            return False
    return True


def _side_samples(q: np.ndarray, step: float, tmin: float = 0.06):
    """Points along each side (excluding the corners' neighbourhood) and outward normals."""
    c = q.mean(axis=0)
    pts, nrm, side = [], [], []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        ln = float(np.hypot(*d))
        if ln < 1e-6:
            return None
        n = np.array([d[1], -d[0]]) / ln
        if (a + b) / 2 @ n - c @ n < 0:
            n = -n
        k = int(np.clip(ln / step, 6, 80))
        t = np.linspace(tmin, 1 - tmin, k)[:, None]
        pts.append(a + t * d)
        nrm.append(np.repeat(n[None], k, 0))
        side.append(np.full(k, i))
    return np.concatenate(pts), np.concatenate(nrm), np.concatenate(side)


_OFFS = np.array([-4.0, -3.0, -2.0, 2.0, 3.0, 4.0], np.float32)


def _score_quad(wk: _Work, q: np.ndarray) -> float:
    s = _side_samples(q, step=3.0)
    if s is None:
        return 0.0
    pts, nrm, side = s
    mx = (pts[:, None, 0] + _OFFS[None, :] * nrm[:, None, 0]).astype(np.float32)
    my = (pts[:, None, 1] + _OFFS[None, :] * nrm[:, None, 1]).astype(np.float32)
    vals = cv2.remap(wk.lab, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = vals[:, :3].mean(axis=1)
    outside = vals[:, 3:].mean(axis=1)
    diff = outside - inside  # (n, 3)
    dn = np.linalg.norm(diff, axis=1)
    # gradient direction at the side point must be across the side
    px = np.clip(np.round(pts[:, 0]).astype(int), 0, wk.mag.shape[1] - 1)
    py = np.clip(np.round(pts[:, 1]).astype(int), 0, wk.mag.shape[0] - 1)
    scores = []
    for i in range(4):
        m = side == i
        dv = diff[m]
        dl = dn[m]
        support = float(np.mean(dl > 10.0))
        consist = float(np.linalg.norm(dv.mean(axis=0)) / (dl.mean() + 1e-6))
        g = wk.mag[py[m], px[m]]
        gn = np.abs(wk.gx[py[m], px[m]] * nrm[m][:, 0] + wk.gy[py[m], px[m]] * nrm[m][:, 1])
        across = float(np.mean(gn > 0.7 * g))
        scores.append(max(support, 1e-3) * max(consist, 1e-3) ** 0.5 * max(across, 0.05) ** 0.5)
    return float(np.prod(scores) ** 0.25)


# ----------------------------------------------------------------------------- refinement


def _line_intersect(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]):
    (p, d), (q, e) = l1, l2
    a = np.array([[d[0], -e[0]], [d[1], -e[1]]])
    if abs(np.linalg.det(a)) < 1e-9:
        return None
    t = np.linalg.solve(a, q - p)[0]
    return p + t * d


def refine_quad(frame: np.ndarray, quad: np.ndarray, radius: float) -> np.ndarray:
    """Move each side onto the strongest colour edge within +-radius px (frame pixels) and
    intersect the fitted lines. Returns the refined quad (same order), or the input if a side
    has too little edge evidence."""
    q = np.asarray(quad, np.float64)
    s = _side_samples(q, step=max(2.0, radius / 3), tmin=0.04)
    if s is None:
        return quad
    pts, nrm, side = s
    offs = np.arange(-radius, radius + 0.5, 1.0, dtype=np.float32)
    mx = (pts[:, None, 0] + offs[None, :] * nrm[:, None, 0]).astype(np.float32)
    my = (pts[:, None, 1] + offs[None, :] * nrm[:, None, 1]).astype(np.float32)
    prof = cv2.remap(frame, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    prof = prof.astype(np.float32)
    if prof.ndim == 2:
        prof = prof[:, :, None]
    d = np.diff(prof, axis=1)  # (n, m-1, c) at half offsets
    # project onto the side's dominant colour change so opposite-sign noise cancels
    lines = []
    for i in range(4):
        m = side == i
        ds = d[m]
        dirv = ds.sum(axis=(0, 1))
        nv = np.linalg.norm(dirv)
        g = (ds @ (dirv / nv)) if nv > 1e-6 else np.linalg.norm(ds, axis=2)
        k = np.argmax(g, axis=1)
        gk = g[np.arange(len(k)), k]
        # sub-pixel peak by a parabola through the neighbours
        km = np.clip(k, 1, g.shape[1] - 2)
        g0, g1, g2 = g[np.arange(len(k)), km - 1], g[np.arange(len(k)), km], \
            g[np.arange(len(k)), km + 1]
        den = g0 - 2 * g1 + g2
        frac = np.where(np.abs(den) > 1e-6, 0.5 * (g0 - g2) / np.where(den == 0, 1, den), 0)
        frac = np.clip(frac, -0.5, 0.5)
        pos = offs[0] + 0.5 + km + frac  # offset of the peak along the normal
        ok = (gk > 0.35 * np.median(gk)) & (gk > 3.0) & (k > 0) & (k < g.shape[1] - 1)
        if ok.sum() < 5:
            return quad
        p = pts[m][ok] + pos[ok, None] * nrm[m][ok]
        line = _robust_line(p)
        if line is None:
            return quad
        lines.append(line)
    out = []
    for i in range(4):
        c = _line_intersect(lines[i - 1], lines[i])
        if c is None:
            return quad
        out.append(c)
    out = np.array(out, np.float32)
    # a side that jumped (wrong edge) would move corners far; keep the input then
    if np.abs(out - q).max() > 2.5 * radius:
        return quad
    return out


def _robust_line(p: np.ndarray):
    """Least squares line through p, refitted twice after dropping points farther than 1.5 px
    (or 3 MAD) from it. Returns (point, unit direction) or None."""
    keep = np.ones(len(p), bool)
    for _ in range(3):
        pk = p[keep]
        if len(pk) < 4:
            return None
        c = pk.mean(axis=0)
        _, _, vt = np.linalg.svd(pk - c, full_matrices=False)
        d = vt[0]
        n = np.array([-d[1], d[0]])
        r = np.abs((p - c) @ n)
        mad = np.median(r[keep]) * 1.4826
        keep = r < max(1.0, 3 * mad)
    return c, d


# ----------------------------------------------------------------------------- main


def _to_full(q: np.ndarray, wk: _Work) -> np.ndarray:
    return np.stack([(q[:, 0] + 0.5) / wk.sx - 0.5, (q[:, 1] + 0.5) / wk.sy - 0.5], axis=1)


def detect_document(frame: np.ndarray, work_side: int = WORK_SIDE,
                    min_score: float = MIN_SCORE, refine: bool = True) -> Detection | None:
    """Like find_document but with a confidence score (the edge evidence, 0..1)."""
    if frame is None or frame.ndim != 3 or frame.shape[2] != 3 or min(frame.shape[:2]) < 16:
        return None
    wk = _prepare(frame, work_side)
    h, w = wk.mag.shape
    best, best_s, best_a = None, 0.0, 0.0
    scored = []
    for q in _candidates(wk):
        q = order_corners(q)
        if not _convex_ok(q, w, h, MIN_AREA * w * h):
            continue
        sc = _score_quad(wk, q)
        scored.append((sc, cv2.contourArea(q), q))
    if not scored:
        return None
    top = max(s for s, _, _ in scored)
    # among near-best candidates prefer the largest (paper edge over a printed frame)
    for sc, area, q in scored:
        if sc >= 0.85 * top and area > best_a:
            best, best_s, best_a = q, sc, area
    if best is None or best_s < min_score:
        return None
    full = _to_full(best, wk)
    if refine:
        f = 1.0 / min(wk.sx, wk.sy)
        # first pull the low-res estimate onto the edge, then tighten
        full = refine_quad(frame, full, radius=max(4.0, 2.5 * f))
        full = refine_quad(frame, full, radius=3.0)
    return Detection(order_corners(full), float(min(1.0, best_s)))
