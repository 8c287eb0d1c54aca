"""Find a paper document in a camera frame: four corners, sub-pixel, or None.

How (measure before changing; see tests/test_camera_detect.py and the shared scorers):
1. Work on a copy shrunk to 640 px on its long side (YCrCb, chroma stretched). Cues propose
   rough quads, cheapest first (a clean, large quad ends the search, see 2): regions
   enclosed by a colour-edge map of the working copy; then those of a stricter one at half
   size and of a chromaticity-edge map (chroma / luma: a shadow across a page leaves it
   unchanged); then quads assembled from straight edge pieces grouped into lines.
2. Each candidate is scored on the small copy, side by side: the colour just inside must step
   to the colour just outside, the step must be clean (two flat strips: texture such as wood
   grain or a checker is not), sharp (the soft edge of a shadow is not) and of the same sign
   along the side (a checker line flips). Candidates are polished by a local search on each
   side's line for the best score, the best few finely; the region of the page's own colour
   around the best ones joins in (it recovers the page when only a part of it was found). A
   clean quad that would be chosen (and stays sharp at twice the resolution) skips the
   costlier cues.
3. The choice: the best score, damped for small quads, for quads darker inside than out (a
   shadow) and for quads with nothing printed inside (a plain box on the desk); a quad
   strictly containing it with nearly as good a score wins (paper around its printed
   frame); a side that a neighbouring side runs on past as the same edge (same colours
   inside and out) was cut across the page (a text line beat the faint edge of a pale page on
   a pale desk): it slides out along its neighbours (fitted to the edge first) to where they
   stop, if what it takes in is page-coloured, or to the frame's edge where they run on out
   of view (a page the frame cuts off, then reported as cut off); a side that slid gives the
   others a second look; a side with a second parallel edge just outside it moves there.
   The best few are looked at again at twice the resolution (where the frame has it): a
   shadow's edge, sharp in the small copy, is soft there, and a quad with one for a side
   loses.
4. The winner is refined at full resolution: along each side, the colour-gradient peak is found
   on short profiles across the edge (sub-pixel), a line is fitted robustly to those points
   (outliers such as a finger or glare are dropped), and adjacent lines are intersected.
A frame with no sharp-edged page is looked at again at half size with soft edges accepted
(motion or focus blur). `track_document` re-fits a known quad on a new frame (live tracking).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import cv2
import numpy as np
import numpy.ma  # noqa: F401  (np.median imports it on first use: 12 ms of the first frame)

__all__ = ["Detection", "detect_document", "find_document", "order_corners", "refine_quad",
           "track_document"]

WORK_SIDE = 640  # long side of the working copy, px
_CANNY = (20.0, 40.0)  # high thresholds of the colour Canny passes (low = half)
MIN_AREA = 0.03  # smallest document, share of the frame
MIN_SCORE = 0.35  # below this the best candidate is reported as "no document"
_SOFT_MIN_SCORE = 0.6  # the same when soft (blurred) edges are accepted
_NEXT, _PREV, _NEXT2 = [1, 2, 3, 0], [3, 0, 1, 2], [2, 3, 0, 1]  # corner index shifts
_CHROMA_GAIN = 200.0  # chromaticity (chroma / luma) to 8-bit units for its edge map
_CHROMA_W = 2.0  # YCrCb chroma is compressed in 8-bit; weight it up in colour distances


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
    feat: np.ndarray  # uint8 YCrCb with chroma stretched about 128, lightly blurred
    sx: float  # small = full * s (per axis)
    sy: float
    core: float = 0.0  # required sharpness of an edge (see _CORE); 0 for a blurred frame
    gain: float = 1.0  # the exposure gain applied to small (see _exposure_gain)


# chroma is compressed in 8-bit YCrCb; stretch it so colour edges count like luma edges
# (one saturating affine transform: Y kept, Cr and Cb scaled about 128)
_STRETCH = np.array([[1, 0, 0, 0], [0, _CHROMA_W, 0, 128 * (1 - _CHROMA_W)],
                     [0, 0, _CHROMA_W, 128 * (1 - _CHROMA_W)]], np.float32)


def _halve(img: np.ndarray) -> np.ndarray:
    """2x2 averaging (an odd last row or column is dropped): INTER_AREA's fast case; a
    12 MP phone photo took 41 ms to shrink to 640 px in one go, 9 ms halved first."""
    h, w = img.shape[0] // 2, img.shape[1] // 2
    return cv2.resize(img[:2 * h, :2 * w], (w, h), interpolation=cv2.INTER_AREA)


def _shrink_by(img: np.ndarray, n: int) -> np.ndarray:
    """img (its sides multiples of n) shrunk by the integer factor n: by halves while n is
    even (2592x1944 took 5.0 ms by 4 at once, 1.8 ms so), then by the rest."""
    while n % 2 == 0:
        img, n = _halve(img), n // 2
    if n == 1:
        return img
    return cv2.resize(img, (img.shape[1] // n, img.shape[0] // n), interpolation=cv2.INTER_AREA)


def _shrink(frame: np.ndarray, side: int) -> np.ndarray:
    """frame with its long side about side px (never enlarged), by area averaging; an
    integer factor close to the wanted one is preferred (whole pixels averaged)."""
    h, w = frame.shape[:2]
    f = min(1.0, side / max(h, w))
    if f >= 1.0:
        return frame
    sw, sh = max(8, round(w * f)), max(8, round(h * f))
    n = round(max(h, w) / side)
    if n >= 2 and w % n == 0 and h % n == 0 and abs(max(h, w) / n / side - 1) < 0.2:
        return _shrink_by(frame, n)
    # a big frame that no factor fits: halve it first (not a sliver down to nothing)
    while max(frame.shape[:2]) >= 4 * side and min(frame.shape[:2]) >= 32:
        frame = _halve(frame)
    return cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA)


_DIM_LEVEL = 180.0  # a frame whose brightest 1 % is below this luma is underexposed
_MAX_GAIN = 4.0  # beyond this the sensor's noise is all a gain would bring out


def _exposure_gain(small: np.ndarray) -> float:
    """The gain that brings an underexposed frame's brightest 1 % up to _DIM_LEVEL; 1 for
    any frame already that bright (every realdocs frame: 201 or more; 6 of 1200 docgen
    frames are darker). Edge steps are counted in 8-bit levels (_MIN_STEP); in a dim frame
    a pale page's step shrinks with the light until no edge counts, and the whole frame was
    kept as a flat scan (desk and all) where the page should be cut out. The quality gates
    read the frame as it is, so "too dark" is still said."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    cum = np.cumsum(cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel())
    p99 = float(np.searchsorted(cum, 0.99 * cum[-1]))
    return 1.0 if p99 >= _DIM_LEVEL else min(_MAX_GAIN, _DIM_LEVEL / max(p99, 1.0))


def _features(small: np.ndarray, blur: bool = True) -> np.ndarray:
    # YCrCb: as good an opponent space as Lab here, and several times cheaper to convert
    feat = cv2.transform(cv2.cvtColor(small, cv2.COLOR_BGR2YCrCb), _STRETCH)
    return cv2.GaussianBlur(feat, (0, 0), 1.0) if blur else feat


def _prepare(frame: np.ndarray, work_side: int) -> _Work:
    small = _shrink(frame, work_side)
    gain = _exposure_gain(small)
    if gain > 1.0:
        small = cv2.convertScaleAbs(small, alpha=gain)
    h, w = frame.shape[:2]
    return _Work(small, _features(small), small.shape[1] / w, small.shape[0] / h, _CORE,
                 gain)


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
    """The largest quad with vertices among the (convex hull) points, vectorised O(n^3)."""
    n = len(pts)
    if n < 4:
        return None
    if n > 24:  # thin the hull evenly; corners survive because hull points cluster there
        pts = pts[np.linspace(0, n - 1, 24).astype(int)]
        n = 24
    x, y = pts[:, 0], pts[:, 1]
    # tri[i, j, k] = area of triangle (i, j, k)
    dxj, dyj = x[None, :, None] - x[:, None, None], y[None, :, None] - y[:, None, None]
    dxk, dyk = x[None, None, :] - x[:, None, None], y[None, None, :] - y[:, None, None]
    tri = 0.5 * np.abs(dxj * dyk - dyj * dxk)
    i, j, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
    between = (j > i) & (j < k)  # j strictly between i and k going forward
    outside = (j > k) | (j < i)  # j on the other arc
    a_in = np.where(between, tri, -1).max(axis=1)  # (i, k)
    a_out = np.where(outside, tri, -1).max(axis=1)
    tot = np.where((a_in > 0) & (a_out > 0), a_in + a_out, -1)
    bi, bk = np.unravel_index(int(np.argmax(tot)), tot.shape)
    if tot[bi, bk] <= 0:
        return None
    bj = int(np.argmax(np.where(between[bi, :, bk], tri[bi, :, bk], -1)))
    bl = int(np.argmax(np.where(outside[bi, :, bk], tri[bi, :, bk], -1)))
    return pts[[bi, bj, bk, bl]]


def _region_quads(mask: np.ndarray, min_area: float) -> list[np.ndarray]:
    """Quads around the large connected regions of a binary mask (convex hull -> 4-gon)."""
    h, w = mask.shape
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    out = []
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    # big enough, and not the background all around
    big = (bw * bh >= min_area) & ~((bw >= w - 2) & (bh >= h - 2))
    big[0] = False
    for k in np.flatnonzero(big):
        x, y, bw, bh, _area = stats[k]
        comp = (labels[y:y + bh, x:x + bw] == k).astype(np.uint8)
        cs, _ = cv2.findContours(comp, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        c = max(cs, key=len) + np.array([x, y], np.int32)
        if cv2.contourArea(cv2.convexHull(c)) < min_area:
            continue
        q = _quad_from_contour(c)
        if q is not None:
            out.append(q)
    return out


def _segments(edges: np.ndarray, min_len: float) -> np.ndarray:
    """Straight pieces of edge curves: (n, 4) x0, y0, x1, y1 (a cheap stand-in for LSD)."""
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    segs = []
    for c in contours:
        if len(c) < 2 * min_len:
            continue
        poly = cv2.approxPolyDP(c, 1.5, False).reshape(-1, 2)
        a, b = poly[:-1], poly[1:]
        ln = np.hypot(*(b - a).T)
        keep = ln >= min_len
        if keep.any():
            segs.append(np.hstack([a[keep], b[keep]]))
    if not segs:
        return np.zeros((0, 4), np.float32)
    return np.vstack(segs).astype(np.float32)


def _lines(segs: np.ndarray, max_lines: int, max_segs: int = 60,
           feat: np.ndarray | None = None):
    """Group collinear segments (occlusions split an edge) into lines. Returns unit normals
    (k, 2), offsets rho (k,) with n.p = rho, and each line's member segment indices."""
    if len(segs) == 0:
        return None
    d = segs[:, 2:] - segs[:, :2]
    ln = np.hypot(d[:, 0], d[:, 1])
    order = np.argsort(-ln)[:max_segs]
    u = d / ln[:, None]
    nrm_all = np.stack([-u[:, 1], u[:, 0]], axis=1)
    normals = np.zeros((len(order), 2))
    rhos = np.zeros(len(order))
    members: list[list[int]] = []
    for s in order:
        n = nrm_all[s]
        p0, p1 = segs[s, :2], segs[s, 2:]
        k = len(members)
        if k:
            nl, rl = normals[:k], rhos[:k]
            hit = (np.abs(nl @ n) > 0.9986) & (np.abs(nl @ p0 - rl) < 2.5) & \
                (np.abs(nl @ p1 - rl) < 2.5)
            if hit.any():
                members[int(np.argmax(hit))].append(int(s))
                continue
        normals[k] = n
        rhos[k] = float(n @ (p0 + p1) / 2)
        members.append([int(s)])
    k = len(members)
    tot = np.array([ln[m].sum() for m in members])
    if feat is not None:
        tot = tot * _line_consistency(feat, segs, normals[:k], members) ** 2
    keep = np.argsort(-tot)[:max_lines]
    return [normals[:k][keep], rhos[:k][keep], [members[i] for i in keep]]


def _line_consistency(feat: np.ndarray, segs: np.ndarray, normals: np.ndarray,
                      members: list[list[int]], per_seg: int = 4) -> np.ndarray:
    """Per line, how consistent the colour step across it is along its length (0..1). A
    page edge keeps one polarity; a checkerboard or grain line flips from square to square."""
    idx = np.concatenate([np.full(len(m), li) for li, m in enumerate(members)])
    sid = np.concatenate(members)
    t = (np.arange(per_seg) + 0.5) / per_seg
    p = segs[sid, None, :2] + t[None, :, None] * (segs[sid, None, 2:] - segs[sid, None, :2])
    n = normals[idx][:, None, :]
    mx = np.stack([p[..., 0] - 2.5 * n[..., 0], p[..., 0] + 2.5 * n[..., 0]], -1)
    my = np.stack([p[..., 1] - 2.5 * n[..., 1], p[..., 1] + 2.5 * n[..., 1]], -1)
    v = cv2.remap(feat, mx.reshape(-1, 2).astype(np.float32), my.reshape(-1, 2).astype(np.float32),
                  cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    d = (v[:, 1] - v[:, 0]).reshape(len(sid), per_seg, 3)  # step across, per sample
    out = np.zeros(len(members))
    for li in range(len(members)):
        dl = d[idx == li].reshape(-1, 3)
        out[li] = np.linalg.norm(dl.mean(axis=0)) / (np.linalg.norm(dl, axis=1).mean() + 1e-6)
    return out


@lru_cache(maxsize=32)
def _combos(k: int) -> np.ndarray:
    """All ways to pick 4 of k lines as a quad's sides in cyclic order (3 per 4-subset)."""
    out = []
    for p, q, r, s in combinations(range(k), 4):
        out += [(p, q, r, s), (p, r, q, s), (p, q, s, r)]
    return np.array(out, np.int64).reshape(-1, 4)


def _line_quads(segs: np.ndarray, w: int, h: int, min_area: float,
                max_lines: int = 24, top: int = 300,
                feat: np.ndarray | None = None) -> list[np.ndarray]:
    """Quads whose four sides lie on detected lines, ranked by how much of each side is
    covered by edge segments (vectorised over all combinations). Clutter (sticks, boxes) makes
    many small quads with fully covered sides, so keep many: `_rank_line_quads` picks."""
    res = _lines(segs, max_lines, feat=feat)
    if res is None or len(res[0]) < 4:
        return []
    nrm, rho, members = res
    k = len(nrm)
    dirs = np.stack([nrm[:, 1], -nrm[:, 0]], axis=1)
    # 1-D coverage of each line by its segments, 1 px bins along t = dir.p
    diag = int(np.hypot(w, h)) + 2
    cov = np.zeros((k, 2 * diag + 2), np.float32)
    for li, mem in enumerate(members):
        for s in mem:
            t0, t1 = sorted((float(dirs[li] @ segs[s, :2]), float(dirs[li] @ segs[s, 2:])))
            cov[li, int(t0) + diag: int(t1) + diag + 1] = 1
    cum = np.concatenate([np.zeros((k, 1), np.float32), np.cumsum(cov, axis=1)], axis=1)
    # pairwise intersections
    a = nrm[:, None, :]
    b = nrm[None, :, :]
    det = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    safe = np.where(np.abs(det) < 1e-6, 1, det)
    ix = (rho[:, None] * b[..., 1] - rho[None, :] * a[..., 1]) / safe
    iy = (a[..., 0] * rho[None, :] - b[..., 0] * rho[:, None]) / safe
    cosang = np.abs(nrm @ nrm.T)
    cy = _combos(k)
    l0, l1, l2, l3 = cy.T
    # opposite sides near-parallel (< 35 deg), adjacent sides far from parallel (> 40 deg)
    ok = (cosang[l0, l2] > 0.82) & (cosang[l1, l3] > 0.82) & (cosang[l0, l1] < 0.77)
    cy = cy[ok]
    if len(cy) == 0:
        return []
    corners = np.stack([np.stack([ix[cy[:, i - 1], cy[:, i]], iy[cy[:, i - 1], cy[:, i]]], -1)
                        for i in range(4)], axis=1)  # corner i between line i-1 and line i
    m = 0.02 * max(w, h)
    inb = ((corners[..., 0] > -m) & (corners[..., 0] < w + m) & (corners[..., 1] > -m)
           & (corners[..., 1] < h + m)).all(axis=1)
    x, y = corners[..., 0], corners[..., 1]
    area = 0.5 * np.abs((x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y).sum(axis=1))
    e = np.roll(corners, -1, 1) - corners
    cross = e[:, :, 0] * np.roll(e, -1, 1)[:, :, 1] - e[:, :, 1] * np.roll(e, -1, 1)[:, :, 0]
    convex = (cross > 0).all(axis=1) | (cross < 0).all(axis=1)
    ok = inb & convex & (area > min_area)
    if not ok.any():
        return []
    cy, corners = cy[ok], corners[ok]
    score = np.ones(len(cy))
    for i in range(4):
        li = cy[:, i]
        pa, pb = corners[:, i], corners[:, (i + 1) % 4]  # side on line i
        ta = (dirs[li] * pa).sum(1)
        tb = (dirs[li] * pb).sum(1)
        lo = np.clip(np.minimum(ta, tb).astype(int) + diag, 0, cov.shape[1])
        hi = np.clip(np.maximum(ta, tb).astype(int) + diag, 0, cov.shape[1])
        frac = (cum[li, hi] - cum[li, lo]) / np.maximum(hi - lo, 1)
        score *= np.maximum(frac, 0.02)
    best = np.argsort(-score)[:top]
    return [corners[i].astype(np.float32) for i in best if score[i] > 0.05**4]


def _canny(img: np.ndarray, hi: float) -> np.ndarray:
    """Canny (low threshold half the high one); on 3 channels it keeps, per pixel, the
    strongest channel's gradient."""
    return cv2.Canny(img, hi * 0.5, hi, L2gradient=True)


def _half_maps(wk: _Work) -> tuple[np.ndarray, np.ndarray]:
    """Edge maps at half size: a strict colour one (texture averages out there) and one of
    the chromaticity."""
    h, w = wk.feat.shape[:2]
    half = cv2.resize(wk.feat, (max(8, w // 2), max(8, h // 2)), interpolation=cv2.INTER_AREA)
    return _canny(half, _CANNY[1]), _chroma_edges(half)


def _regions(wk: _Work, edges: np.ndarray) -> list[np.ndarray]:
    """Rough quads (working-copy pixels) of the regions an edge map encloses (a page inside
    its outline)."""
    h, w = wk.feat.shape[:2]
    k = w / edges.shape[1]
    closed = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    return [(q + 0.5) * k - 0.5 for q in _region_quads(255 - closed, MIN_AREA * h * w / k**2)]


def _chromaticity(feat: np.ndarray) -> np.ndarray:
    """Chroma over luma of feature colours (..., 3) -> (..., 2), times _CHROMA_GAIN: what a
    shadow, darkening a colour, leaves as it was."""
    return (feat[..., 1:] - 128.0) / np.maximum(feat[..., :1], 24.0) * _CHROMA_GAIN


def _chroma_edges(feat: np.ndarray) -> np.ndarray:
    """Edge map of the chromaticity (chroma / luma) of a feature image: what a shadow does
    not change, so a page on a coloured desk keeps its outline there when a shadow's edge
    crosses it."""
    chroma = np.clip(_chromaticity(feat.astype(np.float32)) + 128.0, 0, 255).astype(np.uint8)
    return np.bitwise_or(*(_canny(np.ascontiguousarray(chroma[..., c]), _CANNY[1])
                           for c in (0, 1)))


# ----------------------------------------------------------------------------- scoring


def _convex_ok(q: np.ndarray, w: int, h: int, min_area: float) -> bool:
    """An ordered quad that is finite, convex, inside the frame (2 % margin), with interior
    angles between 35 and 145 degrees and at least min_area px."""
    q = np.asarray(q, np.float64)
    return bool(np.isfinite(q).all() and _valid_batch(q[None], w, h, min_area)[0])


_OFFS = np.array([-4.0, -2.5, -1.0, 1.0, 2.5, 4.0], np.float32)
# smallest colour step (8-bit units) that counts as an edge: a white page on a white sheet
# steps 5-8 (desk_variants' white desk: 0.86 mean IoU at 8, 0.93 at 5); flat strips on
# both sides and a sharp core keep texture and soft shadows out
_MIN_STEP = 5.0
_CORE = 0.35  # share of the step within +-1 px for a sharp (paper) edge
_NS = 32  # samples per side when scoring
_MAX_CANDS = 16  # candidates polished at all (per cue)
_EASY = 0.9  # a region candidate this good (and large): skip the costlier cues
_EASY_AREA = 0.08  # share of the frame
_BORDER_PX = 1.5  # a side this close to the frame's edge lies along it
_BORDER_SNAP = 3.0  # a corner this close to it is put on it when a cut is looked for
_CUT_DISCOUNT = 0.7  # the border side of a cut document scores the others' least times this
_REFINE_TOP = 4  # candidates snapped to edges at low resolution before the final choice


@lru_cache(maxsize=16)
def _along(ns: int) -> np.ndarray:
    """Where _side_scores samples a side (shares of its length): made once per count, as
    np.linspace costs more than the arithmetic it feeds (a side is scored ~15 times a frame)."""
    t = np.linspace(0.06, 0.94, ns, dtype=np.float32)
    t.flags.writeable = False
    return t


def _side_scores(wk: _Work, a: np.ndarray, b: np.ndarray, centre: np.ndarray,
                 ns: int = _NS, parts: bool = False, step: bool = False):
    """Edge evidence of sides a->b (arrays (..., 2)) of quads with the given centres, 0..1.

    Share of samples whose inside and outside colours differ by a clean step (support),
    squared, times how consistent that difference is along the side (a checker or grain line
    flips sign, a document edge does not)."""
    shape = a.shape[:-1]
    a = a.reshape(-1, 2)
    b = b.reshape(-1, 2)
    centre = np.broadcast_to(centre, shape + (2,)).reshape(-1, 2)
    d = b - a
    nrm = d[:, ::-1] * [1.0, -1.0] / (np.hypot(d[:, 0], d[:, 1])[:, None] + 1e-9)
    nrm[(((a + b) / 2 - centre) * nrm).sum(-1) < 0] *= -1  # outwards
    # sample points (m, S, O) per axis, built in float32 one axis at a time (the hot spot)
    t = _along(ns)
    a32, d32, n32 = a.astype(np.float32), d.astype(np.float32), nrm.astype(np.float32)
    mx, my = ((a32[:, k, None] + d32[:, k, None] * t)[:, :, None]
              + n32[:, k, None, None] * _OFFS for k in (0, 1))
    vals = cv2.remap(wk.feat, mx.reshape(-1, len(_OFFS)), my.reshape(-1, len(_OFFS)),
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    v = vals.astype(np.float32).reshape(len(a), ns, len(_OFFS), 3)
    diff = (v[:, :, 4] + v[:, :, 5] - v[:, :, 0] - v[:, :, 1]) / 2
    dl2 = diff[..., 0] ** 2 + diff[..., 1] ** 2 + diff[..., 2] ** 2  # (m, S)
    # a real edge is a step between two flat strips; texture (wood grain, checks) varies
    # within each strip as much as across the side
    si = v[:, :, 0] - v[:, :, 1]
    so = v[:, :, 4] - v[:, :, 5]
    sp2 = np.maximum(si[..., 0] ** 2 + si[..., 1] ** 2 + si[..., 2] ** 2,
                     so[..., 0] ** 2 + so[..., 1] ** 2 + so[..., 2] ** 2)
    # ... and a sharp one: most of the change happens within +-1 px (a paper edge), not over
    # many pixels (the soft edge of a shadow or of a glare spot)
    core = ((v[:, :, 3] - v[:, :, 2]) * diff).sum(-1)
    support = np.count_nonzero((dl2 > _MIN_STEP ** 2) & (dl2 > 4.0 * sp2) & (core > wk.core * dl2),
                               axis=1) / ns
    if parts:  # the support, and the median colours just inside and just outside
        ins = np.median((v[:, :, 0] + v[:, :, 1]) / 2, axis=1)
        out = np.median((v[:, :, 4] + v[:, :, 5]) / 2, axis=1)
        return support.reshape(shape), np.stack([ins, out], axis=1).reshape(shape + (2, 3))
    md = diff.mean(axis=1)
    if step:
        return np.sqrt(md[:, 0] ** 2 + md[:, 1] ** 2 + md[:, 2] ** 2).reshape(shape)
    consist = np.sqrt(md[:, 0] ** 2 + md[:, 1] ** 2 + md[:, 2] ** 2) / \
        (np.sqrt(dl2).mean(axis=1) + 1e-6)
    side = np.maximum(support, 1e-3) ** 2 * np.maximum(consist, 1e-3)
    return side.reshape(shape)


def _on_border(wk: _Work, quads: np.ndarray) -> np.ndarray:
    """(n, 4) bool: side i (corner i -> i+1) runs along the frame's border (or beyond it):
    the document goes on past the frame there, and that side has no edge to show."""
    h, w = wk.feat.shape[:2]
    x, y = quads[..., 0], quads[..., 1]
    tol = _BORDER_PX
    out = np.zeros(quads.shape[:2], bool)
    for near in (x <= tol, y <= tol, x >= w - 1 - tol, y >= h - 1 - tol):
        out |= near & near[:, _NEXT]
    return out


def _score_quads(wk: _Work, quads: np.ndarray, ns: int = _NS) -> np.ndarray:
    """Edge evidence of many quads (n, 4, 2) at once: geometric mean of the side scores."""
    side = _side_scores(wk, quads, quads[:, _NEXT], quads.mean(axis=1)[:, None, :], ns=ns)
    return np.exp(np.log(side).mean(axis=1))


def _onto_border(wk: _Work, quads: np.ndarray) -> np.ndarray:
    """quads with corners near or beyond the frame's edge moved onto it: the polish leaves
    the side of a cut-off document a pixel or two inside the border, or past it."""
    h, w = wk.feat.shape[:2]
    if min(h, w) <= 4 * _BORDER_SNAP:  # (a sliver of a frame: everything is near a border)
        return quads
    x, y = quads[..., 0], quads[..., 1]
    x = np.where(x <= _BORDER_SNAP, 0.0, np.where(x >= w - 1 - _BORDER_SNAP, w - 1.0, x))
    y = np.where(y <= _BORDER_SNAP, 0.0, np.where(y >= h - 1 - _BORDER_SNAP, h - 1.0, y))
    return np.stack([x, y], axis=-1)


def _as_cut(wk: _Work, quads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """quads taken as cut off by the frame: their corners (as they are, or put onto the
    border where that scores better) and their cut scores."""
    on = _onto_border(wk, quads)
    cut, cut_as_is = _cut_scores(wk, on), _cut_scores(wk, quads)
    better = cut > cut_as_is
    return np.where(better[:, None, None], on, quads), np.where(better, cut, cut_as_is)


def _cut_scores(wk: _Work, quads: np.ndarray) -> np.ndarray:
    """Like _score_quads, but a side along the frame's border (a document the frame cuts
    off) counts as the weakest of the others, discounted per such side: the cut gets
    reported (its corners on the border) instead of a box inside it."""
    out = np.zeros(len(quads))
    on = _on_border(wk, quads)
    n = on.sum(axis=1)
    # one side, or two: opposite (a page too long for the view) or adjacent (off a corner
    # of the view). A quad drawn from two edges of a page in view out to the frame's corner
    # has no step along the edges' extensions, and what it adds to the page is desk
    one = (n == 1) | (n == 2)
    if not one.any():
        return out
    q, border = quads[one], on[one]
    logs = np.log(_side_scores(wk, q, q[:, _NEXT], q.mean(axis=1)[:, None, :]))
    rest = (np.where(border, np.inf, logs).min(axis=1)
            + border.sum(axis=1) * np.log(_CUT_DISCOUNT))
    out[one] = np.exp(np.where(border, rest[:, None], logs).mean(axis=1))
    return out


def _keep_valid(new: np.ndarray, old: np.ndarray, w: int, h: int) -> np.ndarray:
    """new where it is a valid quad (put in corner order), else old."""
    if len(new) == 0:
        return old
    q = _order_batch(new)
    ok = _valid_batch(q, w, h, 0.0)
    return np.where(ok[:, None, None], q, old)


def _order_batch(quads: np.ndarray) -> np.ndarray:
    """order_corners for an (n, 4, 2) array (NaN-safe: invalid rows come out invalid)."""
    q = np.nan_to_num(np.asarray(quads, np.float64), nan=-1e9)
    c = q.mean(axis=1, keepdims=True)
    ang = np.arctan2(q[..., 1] - c[..., 1], q[..., 0] - c[..., 0])
    q = np.take_along_axis(q, np.argsort(ang, axis=1)[..., None], axis=1)
    start = np.argmin(q[..., 0] ** 2 + q[..., 1] ** 2, axis=1)
    idx = (start[:, None] + np.arange(4)[None, :]) % 4
    return np.take_along_axis(q, idx[..., None], axis=1)


def _valid_batch(q: np.ndarray, w: int, h: int, min_area: float) -> np.ndarray:
    """_convex_ok for an (n, 4, 2) array of ordered quads."""
    m = 0.02 * max(w, h)
    x, y = q[..., 0], q[..., 1]
    inside = ((x >= -m) & (y >= -m) & (x <= w - 1 + m) & (y <= h - 1 + m)).all(axis=1)
    e = q[:, _NEXT] - q  # edge i: corner i -> i+1
    cross = e[..., 0] * e[:, _NEXT, 1] - e[..., 1] * e[:, _NEXT, 0]
    convex = (cross > 0).all(axis=1) | (cross < 0).all(axis=1)
    # interior angles between 35 and 145 degrees: |cos| of adjacent edges <= 0.82
    ln = np.linalg.norm(e, axis=-1) + 1e-9
    cos = -(e * e[:, _NEXT]).sum(-1) / (ln * ln[:, _NEXT])
    angles = (np.abs(cos) <= 0.82).all(axis=1)
    return inside & convex & angles & (_areas(q) >= max(min_area, 1e-6))


def _polish(wk: _Work, quads: np.ndarray, steps=(6.0, 3.0, 1.5, 0.75),
            passes: int = 1, ns: int = 20) -> np.ndarray:
    """Local search on each side's line (both end points moved along the normal) for the
    best edge evidence; corners are re-intersected with the neighbouring lines. Turns a
    roughly right quad (corner cut by a shadow, hull bulge) into a well supported one."""
    q = quads.astype(np.float64).copy()
    grid = _MOVES
    for st in steps:
        for _ in range(passes):
            c = q.mean(axis=1)  # (n, 2)
            a = q
            b = q[:, _NEXT]
            d = b - a
            nrm = np.stack([d[..., 1], -d[..., 0]], -1) / (np.linalg.norm(d, axis=-1,
                                                                           keepdims=True) + 1e-9)
            # moved end points: (n, 4, moves, 2)
            na = a[:, :, None, :] + (st * grid[None, None, :, 0, None]) * nrm[:, :, None, :]
            nb = b[:, :, None, :] + (st * grid[None, None, :, 1, None]) * nrm[:, :, None, :]
            # clip the moved side to the neighbouring sides' lines
            pa = q[:, _PREV][:, :, None, :]  # previous corner: line (i-1) = pa->a
            pb = q[:, _NEXT2][:, :, None, :]  # next-next corner: line (i+1) = b->pb
            ca = _intersect(na, nb, pa, a[:, :, None, :])
            cb = _intersect(na, nb, b[:, :, None, :], pb)
            s = _side_scores(wk, ca, cb, c[:, None, None, :], ns=ns)  # (n, 4, moves)
            # lean outwards: a printed frame or a table rule just inside the paper's edge is
            # often crisper than the edge itself, and the paper is the outermost edge
            k = np.argmax(s * _OUT_BIAS, axis=2)  # best move per side
            # a side along the frame's border (a cut-off document) has no edge to go to
            k[_on_border(wk, q)] = _STAY
            # apply each side's best move: sides are moved one after the other (lines)
            lines_a = np.take_along_axis(na, k[:, :, None, None], 2)[:, :, 0]
            lines_b = np.take_along_axis(nb, k[:, :, None, None], 2)[:, :, 0]
            new = np.empty_like(q)
            for i in range(4):  # corner i = line (i-1) x line i
                new[:, i] = _intersect(lines_a[:, i - 1], lines_b[:, i - 1],
                                       lines_a[:, i], lines_b[:, i])
            ok = np.isfinite(new).all(axis=(1, 2))
            q[ok] = new[ok]
    return q


# grid moves (u, v) of the two end points along the outward normal -> preference factor
# moves of a side's two end points along its normal, in steps (-1, 0, 1 each)
_MOVES = np.array([(u, v) for u in (-1, 0, 1) for v in (-1, 0, 1)], np.float64)
_OUT_BIAS = 1.0 + 0.12 * _MOVES.sum(axis=1)
_STAY = int(np.flatnonzero((_MOVES == 0).all(axis=1))[0])  # the move (0, 0)


def _intersect(p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, p4: np.ndarray) -> np.ndarray:
    """Intersection of lines p1-p2 and p3-p4 (broadcast arrays (..., 2))."""
    d1 = p2 - p1
    d2 = p4 - p3
    den = d1[..., 0] * d2[..., 1] - d1[..., 1] * d2[..., 0]
    den = np.where(np.abs(den) < 1e-9, np.nan, den)
    w = p3 - p1
    t = (w[..., 0] * d2[..., 1] - w[..., 1] * d2[..., 0]) / den
    return p1 + t[..., None] * d1


# ----------------------------------------------------------------------------- refinement


def _side_grid(q: np.ndarray, step: float, tmin: float):
    """Points along each side of q (4, 2) away from the corners, one row per side, shorter
    rows padded with points past the side's end: points (4, K, 2), which of them are real
    (4, K; the padding is sampled and ignored), outward unit normals (4, 2). None for a
    degenerate quad."""
    d = q[_NEXT] - q
    ln = np.hypot(d[:, 0], d[:, 1])
    if (ln < 1e-6).any():
        return None
    nrm = np.stack([d[:, 1], -d[:, 0]], axis=1) / ln[:, None]
    mid = q + d / 2 - q.mean(axis=0)
    nrm[(mid * nrm).sum(axis=1) < 0] *= -1
    k = np.clip(ln / step, 6, 400).astype(int)  # samples per side
    j = np.arange(k.max())
    t = tmin + (1 - 2 * tmin) * j[None, :] / (k[:, None] - 1)
    return q[:, None, :] + t[..., None] * d[:, None, :], j[None, :] < k[:, None], nrm


def _masked_median(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row of x (r, n), the median of the entries where mask holds (inf for none)."""
    s = np.sort(np.where(mask, x, np.inf), axis=1)
    n = mask.sum(axis=1)
    rows = np.arange(len(x))
    lo, hi = np.maximum(n - 1, 0) // 2, np.minimum(n // 2, x.shape[1] - 1)
    return (s[rows, lo] + s[rows, hi]) / 2


def _robust_lines(p: np.ndarray, use: np.ndarray):
    """Per row of points p (s, K, 2), the least squares line through those in use, refitted
    twice after dropping points farther than max(1 px, 3 MAD) from it. Returns points (s, 2),
    unit directions (s, 2) and which rows had points enough for a line."""
    keep = use
    good = np.ones(len(p), bool)
    c = d = np.zeros((len(p), 2))
    for _ in range(3):
        n = keep.sum(axis=1)
        good &= n >= 4
        w = keep.astype(np.float64)
        c = (p * w[..., None]).sum(axis=1) / np.maximum(n, 1)[:, None]
        x, y = (p[..., 0] - c[:, None, 0]) * w, (p[..., 1] - c[:, None, 1]) * w
        # principal direction of the 2x2 covariance, in closed form (cheaper than an SVD)
        ang = 0.5 * np.arctan2(2 * (x * y).sum(1), (x * x).sum(1) - (y * y).sum(1))
        d = np.stack([np.cos(ang), np.sin(ang)], axis=1)
        r = np.abs((p[..., 0] - c[:, None, 0]) * -d[:, None, 1]
                   + (p[..., 1] - c[:, None, 1]) * d[:, None, 0])
        keep = use & (r < np.maximum(1.0, 3 * 1.4826 * _masked_median(r, keep))[:, None])
    return c, d, good


def refine_quad(frame: np.ndarray, quad: np.ndarray, radius: float) -> np.ndarray:
    """Move each side onto the strongest colour edge within +-radius px (frame pixels) and
    intersect the fitted lines. Returns the refined quad (same order), or the input if a side
    has too little edge evidence. (All four sides at once: a loop over them cost 3 ms a call,
    nearly all of it numpy's per-call overhead.)"""
    q = np.asarray(quad, np.float64)
    if q.shape != (4, 2) or not np.isfinite(q).all():
        return quad
    ln = float(np.hypot(*(q[_NEXT] - q).T).max())
    grid = _side_grid(q, step=max(2.0, ln / 60), tmin=0.04)
    if grid is None:
        return quad
    pts, real, nrm = grid
    ns, k = real.shape
    offs = np.arange(-radius, radius + 0.5, 1.0, dtype=np.float32)
    mx = (pts[..., 0, None] + offs * nrm[:, None, None, 0]).astype(np.float32)
    my = (pts[..., 1, None] + offs * nrm[:, None, None, 1]).astype(np.float32)
    prof = cv2.remap(frame, mx.reshape(ns * k, -1), my.reshape(ns * k, -1), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    d = np.diff(prof.reshape(ns, k, len(offs), -1), axis=2)  # (4, K, m-1, c) at half offsets
    # project onto each side's dominant colour change so opposite-sign noise cancels
    dirv = (d * real[..., None, None]).sum(axis=(1, 2))
    nv = np.linalg.norm(dirv, axis=1)
    g = np.where((nv > 1e-6)[:, None, None],
                 np.einsum("skmc,sc->skm", d, dirv / np.maximum(nv, 1e-6)[:, None]),
                 np.linalg.norm(d, axis=3))
    m = g.shape[2]
    at = np.argmax(g, axis=2)
    gk = np.take_along_axis(g, at[..., None], 2)[..., 0]
    # sub-pixel peak by a parabola through the neighbours
    km = np.clip(at, 1, m - 2)
    g0, g1, g2 = (np.take_along_axis(g, (km + o)[..., None], 2)[..., 0] for o in (-1, 0, 1))
    den = g0 - 2 * g1 + g2
    frac = np.where(np.abs(den) > 1e-6, 0.5 * (g0 - g2) / np.where(den == 0, 1, den), 0)
    pos = offs[0] + 0.5 + km + np.clip(frac, -0.5, 0.5)  # offset of the peak along the normal
    ok = real & (gk > 0.35 * _masked_median(gk, real)[:, None]) & (gk > 3.0) & (at > 0) \
        & (at < m - 1)
    c, u, good = _robust_lines(pts + pos[..., None] * nrm[:, None, :], ok)
    good &= ok.sum(axis=1) >= 5
    # no usable edge along a side (glare, a hand): keep it as it was
    side = q[_NEXT] - q
    c = np.where(good[:, None], c, q)
    u = np.where(good[:, None], u, side / (np.linalg.norm(side, axis=1)[:, None] + 1e-12))
    # corner i where line i-1 meets line i
    p, e, r, f = c[_PREV], u[_PREV], c, u
    det = e[:, 0] * f[:, 1] - e[:, 1] * f[:, 0]
    if (np.abs(det) < 1e-9).any():
        return quad
    t = ((r - p)[:, 0] * f[:, 1] - (r - p)[:, 1] * f[:, 0]) / det
    out = (p + t[:, None] * e).astype(np.float32)
    # a side that jumped (wrong edge) would move corners far; keep the input then
    if np.abs(out - q).max() > 2.5 * radius:
        return quad
    return out


# ----------------------------------------------------------------------------- main


def _to_full(q: np.ndarray, wk: _Work) -> np.ndarray:
    return np.stack([(q[:, 0] + 0.5) / wk.sx - 0.5, (q[:, 1] + 0.5) / wk.sy - 0.5], axis=1)


def _dedupe(quads: list[np.ndarray], tol: float) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for q in quads:
        if all(np.abs(q - o).max() > tol for o in out):
            out.append(q)
    return out


def _strictly_inside(inner: np.ndarray, outer: np.ndarray, margin: float) -> bool:
    """Every corner of inner lies inside outer, at least margin px from its sides."""
    oc = outer.reshape(-1, 1, 2).astype(np.float32)
    return all(cv2.pointPolygonTest(oc, (float(x), float(y)), True) >= margin for x, y in inner)


def _mean_luma(wk: _Work, q: np.ndarray) -> float:
    m = np.zeros(wk.feat.shape[:2], np.uint8)
    cv2.fillConvexPoly(m, np.round(q).astype(np.int32), 1)
    return float(cv2.mean(wk.feat[:, :, 0], mask=m)[0])


def _inside_darker(wk: _Work, quads: np.ndarray) -> np.ndarray:
    """Per quad: is the luma just inside its sides lower than just outside, on average?"""
    a = quads
    b = quads[:, _NEXT]
    t = np.linspace(0.1, 0.9, 16)
    pts = a[:, :, None, :] + t[None, None, :, None] * (b - a)[:, :, None, :]
    c = quads.mean(axis=1)[:, None, None, :]
    u = pts - c
    u = u / (np.linalg.norm(u, axis=-1, keepdims=True) + 1e-9)
    pin, pout = pts - 4 * u, pts + 4 * u
    m = np.stack([pin, pout], axis=-2).reshape(-1, 2, 2).astype(np.float32)
    v = cv2.remap(wk.feat[:, :, 0], m[..., 0], m[..., 1], cv2.INTER_LINEAR,
                  borderMode=cv2.BORDER_REPLICATE).astype(np.float32).reshape(len(quads), -1, 2)
    return v[..., 0].mean(axis=1) < v[..., 1].mean(axis=1)


def _area_prior(wk: _Work, quads: np.ndarray) -> np.ndarray:
    """Documents are big in a document camera's view: damp small quads (an ID photo box),
    and of two well supported quads the bigger is the more likely page (a box on the desk,
    the photo on a card, a printed frame are smaller)."""
    h, w = wk.feat.shape[:2]
    areas = _areas(quads) / (w * h)
    return np.minimum(1.0, areas / 0.08) ** 0.5 * np.maximum(areas, 1e-4) ** 0.3


def _rank_line_quads(wk: _Work, quads: list[np.ndarray], keep: int = _MAX_CANDS
                     ) -> list[np.ndarray]:
    """The line quads worth polishing: the best covered ones (they come ranked so) and the
    best by a quick edge score (few samples) and size."""
    if len(quads) <= keep:
        return quads
    qa = _order_batch(np.array(quads, np.float64))
    h, w = wk.feat.shape[:2]
    # damp the small ones only: preferring big ones here lets quads along shadows through
    eff = _score_quads(wk, qa, ns=10) * np.minimum(1.0, _areas(qa) / (0.08 * w * h)) ** 0.5
    first = keep // 2
    rest = [int(i) for i in np.argsort(-eff) if i >= first][:keep - first]
    return [quads[i] for i in [*range(first), *rest]]


def _paper_prior(wk: _Work, quads: np.ndarray, darker: float) -> np.ndarray:
    """_area_prior, times darker for quads darker inside than around: paper is lighter than
    what it lies on far more often than not; a shadow is darker. Times _BLANK_PRIOR for a
    quad with nothing inside: a document carries print (a plain box on the desk does not)."""
    return (_area_prior(wk, quads) * np.where(_inside_darker(wk, quads), darker, 1.0)
            * np.where(_blank(wk, quads), _BLANK_PRIOR, 1.0))


_BLANK = 0.03  # share of a quad's inside with a luma step: below it, nothing is printed there
_BLANK_STEP = 16.0  # a luma step over 4 px this big is print (a stroke's edge), not noise
_BLANK_PRIOR = 0.7


def _blank(wk: _Work, quads: np.ndarray, n: int = 16) -> np.ndarray:
    """Per quad: is its inside (a grid over the inner 80 %) all but free of luma steps? Every
    document in the public sets steps on 11 % or more of it (text, rules, a photo); the plain
    boxes docgen puts on a desk, and the blank photo box on its ID cards, on none."""
    h, w = wk.feat.shape[:2]
    p = _patch_points(quads, 0.1, 0.9, n)  # (n quads, n * n, 2)
    x = np.clip(np.round(p[..., 0]).astype(np.intp), 2, w - 3)
    y = np.clip(np.round(p[..., 1]).astype(np.intp), 2, h - 3)
    luma = wk.feat[:, :, 0]

    def at(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        return luma[yy, xx].astype(np.int16)

    step = np.maximum(np.abs(at(y, x + 2) - at(y, x - 2)), np.abs(at(y + 2, x) - at(y - 2, x)))
    return (step >= _BLANK_STEP).mean(axis=1) < _BLANK


def _select(wk: _Work, quads: np.ndarray, scores: np.ndarray) -> int:
    eff = scores * _paper_prior(wk, quads, 0.9 if wk.core > 0 else 0.6)
    best = int(np.argmax(eff))
    # a printed frame or a photo box inside the page: if a quad strictly contains the best
    # one, is nearly as well supported, and the ring between is as light as the inside (paper
    # around print, not a dark base plate around paper), the outer one is the document
    for _ in range(3):
        q = quads[best]
        margin = 1.0
        outer = [j for j in range(len(quads)) if j != best and eff[j] >= 0.5 * eff[best]
                 and scores[j] >= MIN_SCORE and _strictly_inside(q, quads[j], margin)]
        if not outer:
            break
        j = max(outer, key=lambda k: eff[k])
        if _mean_luma(wk, quads[j]) < _mean_luma(wk, q) - 12:
            break
        best = j
    return best


def detect_document(frame: np.ndarray, work_side: int = WORK_SIDE,
                    min_score: float = MIN_SCORE, refine: bool = True,
                    soft: bool = True) -> Detection | None:
    """Like find_document but with a confidence score (the edge evidence, 0..1).
    soft=False skips the second look for a blurred page (about half the time of a frame
    without a page; a live loop may do that look only now and then)."""
    if frame is None or frame.ndim != 3 or frame.shape[2] != 3 or min(frame.shape[:2]) < 16:
        return None
    wk = _prepare(frame, work_side)
    det = _detect(frame, wk, min_score, refine)
    if det is None and soft:
        # nothing with sharp edges: the whole frame may be blurred (motion, focus). Look
        # again at half the resolution (the blur shrinks with it) and accept soft edges
        # (while sharp ones are required, soft shadow edges cannot win)
        # (stricter: soft edges are also what shadows and blurred patterns have)
        wk = _prepare(frame, work_side // 2)
        wk.core = 0.0
        det = _detect(frame, wk, max(min_score, _SOFT_MIN_SCORE), refine, fallback=True)
    return det


_REGION_FIT = 0.75  # a paper-colour region this close to a filled quad stands in for edges
_WEAK = 0.5  # edge evidence below this yields to a clean paper-colour region
_REGION_CONF = 0.3  # the confidence reported for it: a guess, below any edge-backed find


def _region_fallback(frame: np.ndarray, wk: _Work, region: tuple[np.ndarray | None, float],
                     refine: bool) -> Detection | None:
    """No quad has edge evidence enough, sharp or soft. A page under a cable, or the top of
    a stack of sheets, still shows as a region of paper colour shaped like a quad: take it
    if it is lighter than, and differs in colour from, what is around it. Not one running
    along the frame's edge: that may be desk of the page's colour going on out of view (a
    newspaper around a pale card), and colour alone cannot tell."""
    q, fit = region
    if (q is None or fit < _REGION_FIT or _on_border(wk, q[None].astype(np.float64)).any()
            or not _plausible_soft(wk, q)):
        return None
    return Detection(_finish(frame, wk, q, refine), _REGION_CONF * fit)


def _areas(quads: np.ndarray) -> np.ndarray:
    x, y = quads[..., 0], quads[..., 1]
    return 0.5 * np.abs((x * y[..., _NEXT] - x[..., _NEXT] * y).sum(axis=-1))


def _snap(wk: _Work, quads: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Valid, distinct candidates snapped roughly onto the edges (a region's outline sits a
    pixel or two off the edge; a shadow cuts a corner), with their scores."""
    h, w = wk.feat.shape[:2]
    if not quads:
        return np.zeros((0, 4, 2)), np.zeros(0)
    qa = _order_batch(np.array(quads, np.float64))
    qa = qa[_valid_batch(qa, w, h, MIN_AREA * w * h)]
    qa = np.array(_dedupe(list(qa), 3.0), np.float64).reshape(-1, 4, 2)
    if len(qa) == 0:
        return np.zeros((0, 4, 2)), np.zeros(0)
    if len(qa) > _MAX_CANDS:  # keep the polish affordable: the largest ones
        areas = np.array([cv2.contourArea(q.astype(np.float32)) for q in qa])
        qa = qa[np.argsort(-areas)[:_MAX_CANDS]]
    qa = _keep_valid(_polish(wk, qa, steps=(6.0, 3.0), ns=12), qa, w, h)
    return qa, _score_quads(wk, qa)


def _clean_choice(frame: np.ndarray, wk: _Work, qa: np.ndarray, scores: np.ndarray,
                  hue: bool = False) -> bool:
    """The quad that would be chosen is clean and large: its edges well supported, and
    still sharp at twice the resolution (a quad with a shadow for a side is not); with
    `hue`, every side changes the hue too (see _hue_sides)."""
    big = _areas(qa) >= _EASY_AREA * wk.feat.shape[0] * wk.feat.shape[1]
    if not np.any((scores >= _EASY) & big):
        return False
    b = _select(wk, qa, scores)
    return bool(scores[b] >= _EASY and big[b]
                and (not hue or _hue_sides(wk, qa[b]))
                and (wk.core == 0  # (the look for a blurred page: nothing is sharp)
                     or _clean_at_twice(_kept(frame, wk, qa[b:b + 1])[0])))


_HUE_STEP = 10.0  # chromaticity step (_chroma_edges' units) across every side: the quick path


def _hue_sides(wk: _Work, q: np.ndarray) -> bool:
    """Every side of q changes the chromaticity across it: no side can be a shadow's edge
    (a shadow darkens without changing the hue)."""
    qq = q[None]
    _, col = _side_scores(wk, qq, qq[:, _NEXT], qq.mean(axis=1)[:, None, :], parts=True)
    chroma = _chromaticity(col[0].astype(np.float64))  # (4, 2, 2): inside, outside
    step = np.abs(chroma[:, 0] - chroma[:, 1]).max(axis=1)
    return bool((step >= _HUE_STEP).all())


def _detect(frame: np.ndarray, wk: _Work, min_score: float, refine: bool,
            fallback: bool = False) -> Detection | None:
    h, w = wk.feat.shape[:2]
    # regions enclosed by the sensitive colour-edge map of the working copy first
    first = _regions(wk, _canny(wk.feat, _CANNY[0]))
    qa, scores = _snap(wk, first)
    # a clean, large region: skip the costlier cues (small ones may be the photo on a card)
    # if it is what would be chosen, its edges stay sharp at twice the resolution (a quad
    # with a shadow for a side does not) and each of its sides changes the hue (a sharp
    # shadow's edge, sharp at any resolution, does not; the chromaticity map below finds
    # the page's outline across it)
    easy = _clean_choice(frame, wk, qa, scores, hue=True)
    if not easy:  # then with the half-size maps' regions too
        half_edges, chroma_edges = _half_maps(wk)
        qa, scores = _snap(wk, first + _regions(wk, half_edges) + _regions(wk, chroma_edges))
        easy = _clean_choice(frame, wk, qa, scores)
    extra: list[np.ndarray] = []
    region: tuple[np.ndarray | None, float] = (None, 0.0)  # best paper-colour region quad
    if not easy:
        # the harder cues only when no region is clean: first quads from straight lines (an
        # edge broken by a finger, glare or clutter; text at the page's edge breaks its region)
        k = w / half_edges.shape[1]  # straight pieces from the half-size map: less texture
        segs = (_segments(half_edges, 0.04 * max(w, h) / k) + 0.5) * k - 0.5
        lq, ls = _snap(wk, _rank_line_quads(
            wk, _line_quads(segs, w, h, MIN_AREA * w * h, feat=wk.feat)))
        qa, scores = np.concatenate([qa, lq]), np.concatenate([scores, ls])
        if len(qa) == 0:
            return None
        easy = _clean_choice(frame, wk, qa, scores)
    if not easy:
        # then the region of the page's own colour around the best ones (crosses printed
        # lines, text and a shadow's soft edge, stops at the desk). (The paper's edge outside
        # a printed frame is found by _outer_edges once a quad is chosen.)
        top = np.argsort(-scores)[:3]
        # each of the best three grows its paper-colour region, and so do the best by size
        # and lightness too (a clean box on the desk can outscore a page in shadow)
        eff = scores * _paper_prior(wk, qa, 0.6)
        grow = list(top) + [t for t in np.argsort(-eff)[:3] if t not in top][:2]
        for t in grow:
            found = _paper_region(wk, qa[t])
            if found is not None:
                p = order_corners(found[0])
                if _convex_ok(p, w, h, MIN_AREA * w * h):
                    extra.append(p)
                    if found[1] > region[1]:
                        region = (p, found[1])
    n0 = len(qa)
    if extra:
        extra = _dedupe(extra, 3.0)  # seeds on one page grow the same region
        qa = np.concatenate([qa, np.array(extra, np.float64)])
        scores = np.concatenate([scores, np.zeros(len(extra))])
    # polish the best few finely, together with the new ones
    k = 2 if easy else _REFINE_TOP
    sel = np.concatenate([np.argsort(-scores[:n0])[:k], np.arange(n0, len(qa))])
    snapped = _polish(wk, qa[sel], steps=(1.5, 0.75) if easy else (3.0, 1.5, 0.75), ns=16)
    snapped = _keep_valid(snapped, qa[sel], w, h)
    s2 = _score_quads(wk, snapped)
    better = s2 > scores[sel]
    qa[sel[better]] = snapped[better]
    scores[sel[better]] = s2[better]
    if wk.core > 0 and not easy:  # (an easy one has been looked at already)
        _sharp_at_twice(frame, wk, qa, scores)
    i = _select(wk, qa, scores)
    i, cut = _prefer_cut(wk, qa, scores, i, min_score)
    if scores[i] < min_score:
        return _region_fallback(frame, wk, region, refine) if fallback else None
    if scores[i] < _WEAK and region[0] is not None:
        # weak edges, and a clean region of paper colour: the region
        det = _region_fallback(frame, wk, region, refine)
        if det is not None:
            return det
    if wk.core == 0.0 and not _plausible_soft(wk, qa[i]):
        return None
    score = float(min(1.0, scores[i]))
    if cut:  # its border side has no edge to refine; keep the frame's own edge there
        return Detection(_clip_to_frame(_finish(frame, wk, qa[i], False), frame), score)
    # the slide-out follows the neighbouring sides' lines a long way past the cut: fit them
    # to the edge first (a side a degree off drifts off the edge within a card's height)
    fit = np.asarray(refine_quad(wk.feat, qa[i], 2.0), np.float64)
    q0 = _uncut(wk, fit)
    if q0 is fit:  # nothing slid: the find as it was
        q0 = qa[i]
    q = _outer_edges(wk, q0)
    if q is not q0:  # moved: maybe from the inner frame line to the outer one; once more
        q = _outer_edges(wk, q)
    was = _on_border(wk, np.stack([qa[i], fit])).any(axis=0)  # (before the slide-out)
    if (_on_border(wk, q[None])[0] & ~was).any():
        # slid out to the frame's edge: a page the frame cuts off, finished as the other
        # cut-off finds are (the side there has no edge to refine)
        return Detection(_clip_to_frame(_finish(frame, wk, q, False), frame), score)
    return Detection(_finish(frame, wk, q, refine), score)


_FINE_FROM = 1.9  # frames this many times the working copy's size get the finer look
_FINE_TOP = 6  # candidates looked at again at the finer resolution
_FINE_KEEP = 0.7  # the share a clean region must keep there (geometric mean) to be taken
_FINE_SHARP = 0.9  # one of the best keeping this much (geometric mean): a sharp frame
_FINE_LOST = 0.35  # a side keeping less than this there is a shadow's; a quad keeping
# less (geometric mean of its sides) is penalised in proportion


def _fine_patch(frame: np.ndarray, wk: _Work, quads: np.ndarray
                ) -> tuple[_Work, np.ndarray] | None:
    """The part of the frame around quads (working-copy coordinates) at about twice the
    working resolution (an integer shrink: the cheap one), and the quads in its pixels.
    None when the frame is not about twice the working copy or more (nothing finer to see)."""
    h, w = frame.shape[:2]
    side, work = max(h, w), max(wk.feat.shape[:2])
    if side < _FINE_FROM * work:
        return None
    n = round(side / (2 * work))
    full = (quads + 0.5) / [wk.sx, wk.sy] - 0.5
    pad = 8.0 / min(wk.sx, wk.sy)  # room for the polish and the samples across a side
    x0, y0 = (np.floor((full.reshape(-1, 2).min(axis=0) - pad) / n).clip(0) * n).astype(int)
    x1, y1 = np.ceil((full.reshape(-1, 2).max(axis=0) + pad) / n).astype(int) * n
    x1, y1 = min(int(x1), w // n * n), min(int(y1), h // n * n)
    if x1 - x0 < 8 * n or y1 - y0 < 8 * n:
        return None
    small = _shrink_by(frame[y0:y1, x0:x1], n)
    if wk.gain > 1.0:  # the same exposure as the working copy's, for the same thresholds
        small = cv2.convertScaleAbs(small, alpha=wk.gain)
    # (no blur: the 2x2 average is smoothing enough, and a blur costs as much as the rest)
    fine = _Work(small, _features(small, blur=False), 1.0 / n, 1.0 / n, _CORE, wk.gain)
    return fine, (full + 0.5) / n - 0.5 - np.array([x0, y0]) / n


def _kept(frame: np.ndarray, wk: _Work, qa: np.ndarray) -> np.ndarray:
    """(n, 4): the share of each side's edge evidence that it keeps at about twice the
    resolution (0..1; all 1 when the frame has no finer look to give). A shadow's edge,
    blurred over 10 px of a 5 MP frame, is as sharp as a paper edge in the working copy; at
    twice the resolution only edges truly sharp in the frame stay sharp (a real photo's
    paper edges keep 0.8 or more, a shadow's 0.2 or less)."""
    got = _fine_patch(frame, wk, qa)
    if got is None:
        return np.ones((len(qa), 4))
    fine, q = got
    # a side a working pixel off is two fine ones off: find it again before judging it
    h, w = fine.feat.shape[:2]
    q = _keep_valid(_polish(fine, q, steps=(2.0, 1.0), ns=12), q, w, h)
    now = _side_scores(fine, q, q[:, _NEXT], q.mean(axis=1)[:, None, :])
    before = _side_scores(wk, qa, qa[:, _NEXT], qa.mean(axis=1)[:, None, :])
    return np.clip(now / np.maximum(before, 1e-3), 1e-3, 1.0)


def _clean_at_twice(kept: np.ndarray) -> bool:
    """A quad's sides (their shares kept at twice the resolution) are clean there: none is
    lost, and together they keep most of their evidence."""
    return bool(kept.min() >= _FINE_LOST and np.exp(np.log(kept).mean()) >= _FINE_KEEP)


def _sharp_at_twice(frame: np.ndarray, wk: _Work, qa: np.ndarray, scores: np.ndarray) -> None:
    """Where one of the best few candidates keeps its edges at twice the resolution (the
    frame is sharp), those that keep little of their score there (a shadow's soft edge for
    a side) are penalised in proportion (scores scaled in place). In a frame soft all over
    every quad loses some, unevenly: nothing changes then."""
    top = np.argsort(-scores * _area_prior(wk, qa))[:_FINE_TOP]
    top = top[scores[top] >= 0.5 * MIN_SCORE]
    if len(top) < 2:
        return
    kept = np.exp(np.log(_kept(frame, wk, qa[top])).mean(axis=1))  # as the score: geometric
    if kept.max() >= _FINE_SHARP:
        scores[top] *= np.minimum(1.0, kept / _FINE_LOST)


def _prefer_cut(wk: _Work, qa: np.ndarray, scores: np.ndarray, i: int, min_score: float
                ) -> tuple[int, bool]:
    """The choice between the best find in full view (i) and the best one the frame cuts
    off: the cut one only when nothing in full view is good enough, or when the find in
    full view lies inside it and is no lighter (a photo box, a printed frame or part of the
    cut-off document; not a page on a mat). Its score is written into scores, its corners
    (put onto the border where that scores better) into qa."""
    on, cut = _as_cut(wk, qa)
    # a quad that scores at least as well in full view is in full view (a card a few px
    # from the frame's edges)
    cut[cut <= scores] = 0.0
    if not (cut >= min_score).any():
        return i, False
    j = int(np.argmax(cut * _area_prior(wk, qa)))
    if cut[j] < min_score:
        return i, False
    if scores[i] >= min_score and (
            _share_inside(qa[i], qa[j]) < 0.9  # elsewhere: the find in full view stays
            or _mean_luma(wk, qa[j]) < _mean_luma(wk, qa[i]) - 12  # page on a dark mat
            # a sliver more, with weaker edges: a document near the border, in full view
            or (scores[i] > cut[j] and _areas(on[j:j + 1])[0] < 1.15 * _areas(qa[i:i + 1])[0])
            or _ring_is_desk(wk, qa[i], on[j])):
        return i, False
    qa[j], scores[j] = on[j], cut[j]
    return j, True


def _ring_is_desk(wk: _Work, inner: np.ndarray, cut: np.ndarray) -> bool:
    """The cut-off quad's sides have no edge where they run past the find inside it, and
    what it takes in beyond that find has the colour found outside those sides rather than
    the find's: a card with the desk down to the frame's edge, not a cut page around a
    photo box (on a pale desk the two colours are close: the nearer one decides)."""
    box = inner.astype(np.float32)

    def outside_box(p: np.ndarray) -> np.ndarray:
        return np.array([cv2.pointPolygonTest(box, (float(x), float(y)), True) < -2.0
                         for x, y in p], bool)

    # the sides (not along the border) in eight pieces; those past the find
    free = ~_on_border(wk, cut[None])[0]
    a, b = cut[free], cut[_NEXT][free]
    t = np.linspace(0.0, 1.0, 9)
    pa = (a[:, None] + t[None, :-1, None] * (b - a)[:, None]).reshape(-1, 2)
    pb = (a[:, None] + t[None, 1:, None] * (b - a)[:, None]).reshape(-1, 2)
    past = outside_box((pa + pb) / 2)
    if not past.any():
        return False
    # the edge goes on (the document does): a steady step, not a print's dashes crossing
    if _side_scores(wk, pa[past], pb[past], cut.mean(axis=0)[None], ns=8).mean() >= 0.25:
        return False
    _, col = _side_scores(wk, pa[past], pb[past], cut.mean(axis=0)[None], ns=8, parts=True)
    p = _patch_points(cut, 0.05, 0.95, 16)
    ring = p[outside_box(p)]
    if len(ring) < 0.1 * len(p):
        return False
    colour = np.median(_colours_at(wk, ring), axis=0)
    near_out = float(np.median(np.linalg.norm((col[:, 1] - colour) * _PAPER_W, axis=1)))
    near_in = float(np.linalg.norm((_median_colour(wk, inner) - colour) * _PAPER_W))
    return near_out < min(15.0, near_in)


def _share_inside(inner: np.ndarray, outer: np.ndarray) -> float:
    """Share of inner's area that lies inside outer (both convex)."""
    a, b = inner.astype(np.float32), outer.astype(np.float32)
    inter, _ = cv2.intersectConvexConvex(a, b)
    return float(inter) / max(float(cv2.contourArea(a)), 1e-6)


def _clip_to_frame(q: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Corners of a cut-off document onto the frame (the polish may push the border side a
    little beyond it, where there is nothing to straighten)."""
    h, w = frame.shape[:2]
    return np.clip(q, 0, [w - 1, h - 1]).astype(np.float32)


def _plausible_soft(wk: _Work, q: np.ndarray) -> bool:
    """Extra checks for a quad found with soft edges accepted (blurred frame): it must not be
    darker inside than around (a shadow), and its inside must differ in colour from its
    surroundings as a whole (a quad traced through a blurred checker or grain does not)."""
    if bool(_inside_darker(wk, q[None])[0]):
        return False
    c = q.mean(axis=0)
    inner = _patch_points(q, 0.15, 0.85, 12)
    t = np.linspace(0.05, 0.95, 24)[:, None]
    ring = np.concatenate([q[i] + t * (q[(i + 1) % 4] - q[i]) for i in range(4)])
    d = ring - c
    ring = ring + 6.0 * d / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-9)
    inside, around = (np.median(_colours_at(wk, p), axis=0) for p in (inner, ring))
    return float(np.linalg.norm(inside - around)) >= 15.0


def _paper_region(wk: _Work, q: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Quad around the connected region whose colour is the page's (the median inside q), and
    how well it fits that region (0..1)."""
    h, w = wk.feat.shape[:2]
    # a grid of sample points over the inner 80 % of q (bilinear patch of the quad)
    ix = np.clip(np.round(_patch_points(q, 0.1, 0.9, 20)).astype(int), 0, [w - 1, h - 1])
    px = wk.feat[ix[:, 1], ix[:, 0]].astype(np.float32)
    ref = np.median(px, axis=0)
    # colour distance, luma counted half (uneven light changes luma more than hue)
    wts = _PAPER_W.astype(np.float32)
    tol = float(np.clip(3.0 * np.median(np.abs(px - ref) @ wts), 10.0, 40.0))
    diff = cv2.absdiff(wk.feat, (float(ref[0]), float(ref[1]), float(ref[2]), 0.0))
    d = cv2.transform(diff, wts[None])
    m = (d < tol).astype(np.uint8)
    # bridge thin cuts (a cable or pen across the page, a printed rule)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    # (no stats: they cost three times the labelling, and only one component is wanted)
    n, labels = cv2.connectedComponents(m, connectivity=4)
    lab = labels[ix[:, 1], ix[:, 0]]
    lab = lab[lab > 0]
    if n < 2 or len(lab) == 0:
        return None
    whole = (labels == int(np.bincount(lab).argmax())).astype(np.uint8)
    x, y, bw, bh = cv2.boundingRect(whole)
    if bw >= w - 1 and bh >= h - 1:
        return None  # leaked into the desk all around
    comp = whole[y:y + bh, x:x + bw]
    cs, _ = cv2.findContours(comp, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    quad = _quad_from_contour(max(cs, key=cv2.contourArea))
    if quad is None:
        return None
    # how well the quad fits the region: the share of the quad the region fills, times the
    # share of the region inside the quad (a stack of sheets or a page cut by a cable: its
    # outline is no clean edge, but its colour region is a filled quad)
    qm = np.zeros_like(comp)
    cv2.fillConvexPoly(qm, np.round(quad).astype(np.int32), 1)
    both = float(np.count_nonzero(qm & comp))
    fit = both / max(1.0, float(np.count_nonzero(qm))) * both / max(1.0, float(comp.sum()))
    return quad + np.array([x, y], np.float32), fit


def _uncut(wk: _Work, q: np.ndarray) -> np.ndarray:
    """A quad cut short across the page (along a line of text, or where a faint edge lost to
    a crisper one): a neighbouring side goes on past the cut as the same clean straight edge
    (same colours inside and out). Slide that side outwards along its neighbours to where
    they stop, onto the outermost clear edge there that takes in only more of the page."""
    q = np.asarray(q, np.float64)
    h, w = wk.feat.shape[:2]
    c = q.mean(axis=0)
    nt, first = 120, 4
    t = np.linspace(0, 4.0, nt + 1)

    def pieces(i: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Side i's neighbours (reference colours), then k short pieces of each past the
        corners: start and end points (2 + 2k, 2)."""
        a, b = q[i] + t[:k + 1, None] * u[i], q[_NEXT[i]] + t[:k + 1, None] * v[i]
        return (np.concatenate([[q[_PREV[i]], q[_NEXT2[i]]], a[:-1], b[:-1]]),
                np.concatenate([[q[i], q[_NEXT[i]]], a[1:], b[1:]]))

    def goes_on(sides: np.ndarray, k: int, sup: np.ndarray, col: np.ndarray) -> np.ndarray:
        """Which of the k pieces past each corner carry the neighbour's edge on (either),
        for each of the sides: (len(sides), k)."""
        ca = np.where(_same_edge(col[:, 2:k + 2], col[:, None, 0]), sup[:, 2:k + 2], 0.0)
        cb = np.where(_same_edge(col[:, k + 2:], col[:, None, 1]), sup[:, k + 2:], 0.0)
        tk = t[None, 1:k + 1, None]
        a = q[sides, None] + tk * u[sides, None]
        b = q[_NEXT][sides, None] + tk * v[sides, None]
        return (np.maximum(ca, cb) >= 0.5) & _in_view(a, w, h) & _in_view(b, w, h)

    def look(i: int, k: int) -> np.ndarray:
        sup, col = _side_scores(wk, *pieces(i, k), c[None], ns=8, parts=True)
        return goes_on(np.array([i]), k, sup[None], col[None])[0]

    u = q - q[_PREV]  # side i-1 continued past corner i
    v = q[_NEXT] - q[_NEXT2]  # side i+1 continued past corner i+1
    # the first few pieces past the corners, of all four sides in one look: most stop there
    ends = [pieces(i, first) for i in range(4)]
    sup, col = _side_scores(wk, np.concatenate([e[0] for e in ends]),
                            np.concatenate([e[1] for e in ends]), c[None], ns=8, parts=True)
    m = 2 + 2 * first
    starts = list(goes_on(np.arange(4), first, sup.reshape(4, m), col.reshape(4, m, 2, 3)
                          ).all(axis=1))
    slid = [False] * 4
    # twice over: a side that slid out is a new neighbour to slide along, and gives the
    # quad more of the page's colour (an ID card's find cut along its photo box: only once
    # one side has slid past the box do the others go on along the card's own edges)
    for _ in range(2):
        slid_now = False
        for i in range(4):
            if slid[i]:
                continue
            if any(slid):  # a side has moved: its neighbours' pieces have changed
                u, v = q - q[_PREV], q[_NEXT] - q[_NEXT2]
                starts[i] = bool(look(i, first).all())
            if not starts[i]:
                continue
            cont = look(i, nt)
            if not cont[:first].all():
                continue
            # a gap of a piece or two is a blemish (a printed rule meeting the edge, a speck)
            stop = np.flatnonzero(~cont[:-2] & ~cont[1:-1] & ~cont[2:])
            n = int(stop[0]) if len(stop) else nt
            if n >= nt:
                continue
            moved = None
            if not (_in_view(q[i] + t[n + 1] * u[i], w, h)
                    and _in_view(q[_NEXT[i]] + t[n + 1] * v[i], w, h)):
                # the sides run on out of view: the page may go on past the frame's edge
                moved = _slide_to_border(wk, q, i, u[i], v[i])
            if moved is None:
                moved = _slide_out(wk, q, i, u[i], v[i], t[max(n - 3, 0)],
                                   t[min(n + 3, nt)], c)
            if moved is not None:
                q = moved
                slid[i] = slid_now = True
        if not slid_now:
            break
    return q


def _in_view(p: np.ndarray, w: int, h: int) -> np.ndarray:
    """Which points p (..., 2) lie in the frame (a working copy w x h), give or take 2 px."""
    return ((p >= -2) & (p <= [w + 1, h + 1])).all(axis=-1)


def _exit(p: np.ndarray, d: np.ndarray, w: int, h: int) -> tuple[float, int]:
    """Where the ray p + s d (p in the frame) leaves the frame w x h: (s, which edge: 0 left,
    1 top, 2 right, 3 bottom); (0, -1) for a ray that goes nowhere."""
    s, edge = np.inf, -1
    for k, hi in ((0, w - 1.0), (1, h - 1.0)):
        if d[k] > 1e-9 and (hi - p[k]) / d[k] < s:
            s, edge = (hi - p[k]) / d[k], k + 2
        elif d[k] < -1e-9 and -p[k] / d[k] < s:
            s, edge = -p[k] / d[k], k
    return (float(max(s, 0.0)), edge) if np.isfinite(s) else (0.0, -1)


def _slide_to_border(wk: _Work, q: np.ndarray, i: int, u: np.ndarray, v: np.ndarray
                     ) -> np.ndarray | None:
    """q with side i slid out along its neighbours (u, v) to where they leave the frame, if
    what that takes in is more of the page: a document the frame cuts off, reported with its
    corners on the frame's edge (where the quality gates see it cut off)."""
    h, w = wk.feat.shape[:2]
    p0, p1 = q[i], q[_NEXT[i]]
    (sa, ea), (sb, eb) = _exit(p0, u, w, h), _exit(p1, v, w, h)
    if ea < 0 or ea != eb:  # not out through one edge of the frame (a corner of the view)
        return None
    moved = q.copy()
    moved[i], moved[_NEXT[i]] = p0 + sa * u, p1 + sb * v
    # both neighbours' edges go on whole all the way (a printed desk carries an edge on
    # in pieces; a page cut off by the frame carries it on whole)
    starts, ends = np.stack([p0, p1]), np.stack([moved[i], moved[_NEXT[i]]])
    if (_side_scores(wk, starts, ends, q.mean(axis=0)[None], ns=16) < 0.5).any():
        return None
    # ... and at the frame's edge, just inside one new corner at least, is the page, not
    # the desk beside it: the page goes on out of view there (a page that ends just inside
    # the frame has desk at both; a pale desk is near the page's colour, so each
    # neighbour's own two colours decide)
    nb = np.array([_PREV[i], _NEXT[i]])
    _, col = _side_scores(wk, q[nb], q[(nb + 1) % 4], q.mean(axis=0)[None], parts=True)
    up = (q.mean(axis=0) - ends) / (np.linalg.norm(q.mean(axis=0) - ends, axis=1,
                                                   keepdims=True) + 1e-9)
    f = np.array([0.03, 0.05, 0.07, 0.09, 0.11])[None, :, None]  # (print between: medians)
    pts = ends[:, None] + f * (ends[::-1] - ends)[:, None] + 2.0 * up[:, None]
    at = np.median(_colours_at(wk, pts.reshape(-1, 2)).reshape(2, -1, 3), axis=1)
    if (np.linalg.norm((at - col[:, 0]) * _PAPER_W, axis=1)
            >= np.linalg.norm((at - col[:, 1]) * _PAPER_W, axis=1)).all():
        return None
    # the page's colour, in the same light, all the way: the part along the frame's edge
    # too (a shadow the page runs on into, or the desk past the page's end, is not the page)
    ref_col = _median_colour(wk, q)
    s0, s1 = p0 + 0.8 * (moved[i] - p0), p1 + 0.8 * (moved[_NEXT[i]] - p1)
    for part in ([p0, p1, moved[_NEXT[i]], moved[i]], [s0, s1, moved[_NEXT[i]], moved[i]]):
        got = _median_colour(wk, np.stack(part))
        if np.linalg.norm((got - ref_col) * _PAPER_W) >= 20.0:
            return None
    return moved if _convex_ok(moved, w, h, 0) else None


def _slide_out(wk: _Work, q: np.ndarray, i: int, u: np.ndarray, v: np.ndarray, lo: float,
               hi: float, c: np.ndarray) -> np.ndarray | None:
    """q with side i slid out, its ends moved along u and v (the neighbouring sides carried on)
    by lo..hi times their length, onto the outermost clear edge there that takes in only more
    of the page; None if there is none. c: the centre the sides face away from."""
    h, w = wk.feat.shape[:2]
    p0, p1 = q[i], q[_NEXT[i]]
    # the edge is where the sides stop: steady colour steps across the side near there
    span = max(np.linalg.norm(u), np.linalg.norm(v)) * (hi - lo)
    tf = np.linspace(lo, hi, max(3, int(span)))
    af, bf = p0 + tf[:, None] * u, p1 + tf[:, None] * v
    s = _side_scores(wk, af, bf, c[None], ns=24, step=True)
    # the outermost clear peak (the paper's edge is the outermost; text lies inside)
    pk = np.flatnonzero((s[1:-1] >= s[:-2]) & (s[1:-1] > s[2:])
                        & (s[1:-1] >= max(3.0, 0.25 * float(s.max())))) + 1
    ref_col = _median_colour(wk, q)
    for k in pk[::-1]:
        moved = q.copy()
        moved[i], moved[_NEXT[i]] = af[k], bf[k]
        # what it takes in must be more of the page: the colour of the page inside
        got = _median_colour(wk, np.stack([p0, p1, bf[k], af[k]]))
        gap = np.linalg.norm((got - _in_light(ref_col, _light_ratio(got, ref_col))) * _PAPER_W)
        if gap < 20.0 and _convex_ok(moved, w, h, 0):
            return moved
    return None


_PAPER_W = np.array([0.5, 1.0, 1.0])  # colour distance with luma counted half


def _patch_points(q: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    """An n x n grid across quad(s) q (..., 4, 2): the bilinear patch of its corners at
    shares lo..hi of each side: (..., n * n, 2)."""
    u = np.linspace(lo, hi, n)
    uu, vv = (m.ravel()[:, None] for m in np.meshgrid(u, u))
    c = np.asarray(q)[..., None, :, :]
    return ((1 - uu) * (1 - vv) * c[..., 0, :] + uu * (1 - vv) * c[..., 1, :]
            + uu * vv * c[..., 2, :] + (1 - uu) * vv * c[..., 3, :])


def _colours_at(wk: _Work, p: np.ndarray) -> np.ndarray:
    """Feature colours (n, 3) at points p (n, 2) of the working copy, nearest pixel."""
    h, w = wk.feat.shape[:2]
    ix = np.clip(np.round(p).astype(int), 0, [w - 1, h - 1])
    return wk.feat[ix[:, 1], ix[:, 0]].astype(np.float32)


def _median_colour(wk: _Work, q: np.ndarray, n: int = 12) -> np.ndarray:
    """Median feature colour over a grid across quad q (bilinear patch, inner 90 %)."""
    return np.median(_colours_at(wk, _patch_points(q, 0.05, 0.95, n)), axis=0)


_SHADE = 0.3  # the least share of the light a shadow leaves on what it falls on


def _light_ratio(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """How much more or less light colours got (..., 3) have than ref (..., 3, broadcast):
    luma's ratio, bounded to what a shadow does."""
    return np.clip((got[..., 0] + 1.0) / (ref[..., 0] + 1.0), _SHADE, 1.0 / _SHADE)


def _in_light(ref: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Colours ref (..., 3) under s times the light: a shadow scales luma and the chroma's
    offset from grey alike (a gamma-encoded frame keeps the product a product)."""
    s = np.asarray(s, np.float64)[..., None]
    grey = np.array([0.0, 128.0, 128.0])
    return grey + (ref - grey) * s


def _same_edge(k: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Pieces (..., 2, 3) whose inside and outside colours match ref's (..., 2, 3), luma
    counted half (uneven light), and whose step matches ref's step; a piece in shadow (or out
    of it) is compared with ref in its light, so an edge goes on through a shadow's border."""
    ref = _in_light(ref, _light_ratio(k[..., 0, :], ref[..., 0, :])[..., None])
    step = ref[..., 1, :] - ref[..., 0, :]
    tol = np.maximum(12.0, 0.35 * np.linalg.norm(step * _PAPER_W, axis=-1))
    d_in = np.linalg.norm((k[..., 0, :] - ref[..., 0, :]) * _PAPER_W, axis=-1)
    d_out = np.linalg.norm((k[..., 1, :] - ref[..., 1, :]) * _PAPER_W, axis=-1)
    d_step = np.linalg.norm((k[..., 1, :] - k[..., 0, :] - step) * _PAPER_W, axis=-1)
    return (d_in < 2.5 * tol) & (d_out < 2.5 * tol) & (d_step < 1.5 * tol)


def _outer_edges(wk: _Work, q: np.ndarray) -> np.ndarray:
    """Move a side outwards onto a second, parallel edge just outside it, if there is one
    beyond a gap without edge: the page's own edge outside a printed frame or table rule."""
    q = np.asarray(q, np.float64)
    h, w = wk.feat.shape[:2]
    span = min(np.linalg.norm(q - q[_NEXT], axis=1))
    dmax = int(max(4, min(40, 0.1 * span)))
    ds = np.arange(0, dmax + 1, dtype=np.float64)
    a, b = q, q[_NEXT]
    d = b - a
    nrm = np.stack([d[:, 1], -d[:, 0]], -1) / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-9)
    na = a[:, None, :] + ds[None, :, None] * nrm[:, None, :]  # (4, D, 2)
    nb = b[:, None, :] + ds[None, :, None] * nrm[:, None, :]
    pa = q[_PREV][:, None, :]
    pb = q[_NEXT2][:, None, :]
    ca = _intersect(na, nb, pa, a[:, None, :])
    cb = _intersect(na, nb, b[:, None, :], pb)
    s = _side_scores(wk, ca, cb, q.mean(axis=0)[None, None, :], ns=24)  # (4, D)
    shift = np.zeros(4)
    for i in range(4):
        si = s[i]
        gap = np.flatnonzero(si < 0.3 * si[0])
        if si[0] < 0.2 or len(gap) == 0:
            continue
        beyond = np.flatnonzero((si >= 0.6 * si[0]) & (ds > ds[gap[0]]))
        if not len(beyond):
            continue
        k = beyond[np.argmax(si[beyond])]
        shift[i] = ds[k]
    if not shift.any():
        return q
    la = a + shift[:, None] * nrm
    lb = b + shift[:, None] * nrm
    out = np.array([_intersect(la[i - 1], lb[i - 1], la[i], lb[i]) for i in range(4)])
    if not np.isfinite(out).all() or not _convex_ok(out, w, h, 0):
        return q
    return out


def _finish(frame: np.ndarray, wk: _Work, q: np.ndarray, refine: bool) -> np.ndarray:
    """Working-copy quad -> frame pixels, refined on the full-resolution frame: first pull
    the estimate onto the edge (the working copy is a few px coarse), then tighten."""
    full = _to_full(q, wk)
    if refine:
        f = 1.0 / min(wk.sx, wk.sy)
        full = refine_quad(frame, full, radius=max(4.0, 2.5 * f))
        full = refine_quad(frame, full, radius=2.0)
    return order_corners(full)


def track_document(frame: np.ndarray, prev: np.ndarray, work_side: int = WORK_SIDE,
                   min_score: float = MIN_SCORE, refine: bool = True) -> Detection | None:
    """Re-fit a quad known from a recent frame onto this frame (local search only, several
    times cheaper than detect_document). None when the page is no longer there."""
    if frame is None or frame.ndim != 3 or frame.shape[2] != 3 or min(frame.shape[:2]) < 16:
        return None
    wk = _prepare(frame, work_side)
    h, w = wk.feat.shape[:2]
    p = np.asarray(prev, np.float64).reshape(4, 2)
    q = np.stack([(p[:, 0] + 0.5) * wk.sx - 0.5, (p[:, 1] + 0.5) * wk.sy - 0.5], axis=1)
    start = order_corners(q)[None].astype(np.float64)
    for core in (_CORE, 0.0):  # sharp edges first; soft ones if the frame is blurred
        wk.core = core
        q = order_corners(_polish(wk, start, steps=(6.0, 3.0, 1.5, 0.75))[0])
        if not _convex_ok(q, w, h, MIN_AREA * w * h):
            return None
        qq = q[None].astype(np.float64)
        s = float(_score_quads(wk, qq)[0])
        on, cut = _as_cut(wk, qq)  # the page may run off the frame
        s_cut = float(cut[0])
        if max(s, s_cut) >= min_score:
            break
    else:
        return None
    if s_cut > s:
        q = on[0]
        return Detection(_clip_to_frame(_finish(frame, wk, q, False), frame), min(1.0, s_cut))
    return Detection(_finish(frame, wk, q, refine), min(1.0, s))
