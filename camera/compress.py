"""Byte-capped JPEG: as legible as the budget allows, never a byte over it.

Quality alone is the wrong knob: a 300 dpi A4 page squeezed into 200 kB at full size ends
near quality 6, blocky and unreadable. Resolution and quality are chosen together:

1. Shrink what carries no detail: a page straightened from a camera frame is often an
   upsampled picture, and a smaller copy then loses almost nothing (measured by SSIM of
   the down-and-up copy on a crop) while leaving more bytes per pixel.
2. Keep the resolution while the best quality that fits stays legible, else shrink until
   it does; find that quality by interpolation on log(bytes) (3-5 encodes).

3. Finish with a progressive encode a step or three finer when it still fits (progressive
   scans are a few % smaller; too slow to search with, cheap as one or two last tries).

The encoder is libjpeg-turbo through Pillow (cv2.imencode is as fast but cannot take custom
tables) with Huffman optimisation, 4:2:0 chroma, and a luma table halfway between the JPEG
standard's (tuned for photographs) and a flat one: text edges keep more of their high
frequencies. Chroma (stamps, photos) gets coarser steps than luma, but not much coarser: a
grey-level SSIM never sees colour, while reviewers and OCR read the decoded colour image. At
35 quality steps below luma, colour came out further off than the naive baseline's (mean RGB
error 2.40 vs 2.31, docgen seed 2) and tesseract read less than from the baseline's files
(0.868 vs 0.875). At 25 steps below, colour beats the baseline's on every seed measured and
OCR on four of five (mean +0.004), for 0.0001 of SSIM (scripts/compress_seeds.py with
--set CHROMA_DROP=35 for the former; BENCHMARKS.md).
Measured on docgen pages against the naive quality-stepping baseline: see BENCHMARKS.md.
"""
from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image

MIN_BYTES = 1_000  # below this even a tiny JPEG's headers and tables hardly fit
Q_MAX = 95  # above this JPEG only spends bytes on noise
Q_PROBE = 75  # first guess; the middle of the legible range
Q_LEGIBLE = 38  # below this, shrinking keeps text more legible than coarser quantisation
MAX_PIXELS = 16_000_000  # nothing the kiosk keeps needs more; saves time on 100 MP inputs
CHROMA_DROP = 25  # chroma quality = luma quality - this (see the module's docstring)
TABLE_FLATNESS = 0.5  # 0 = the standard luma table, 1 = flat (uniform steps)
FREE_SHRINK_SSIM = 0.99  # a shrink whose down-and-up copy keeps this SSIM costs nothing
FREE_SCALES = (0.6, 0.7, 0.85)  # 0.5 scored a little higher SSIM but lost OCR
PROGRESSIVE_FINISH = True  # see step 3 above

_STD_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], np.float64)
_STD_CHROMA = np.array([
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32, np.float64)
_LUMA_BASE = _STD_LUMA ** (1 - TABLE_FLATNESS) * 16.0 ** TABLE_FLATNESS


def _table(base: np.ndarray, q: int) -> list[int]:
    """libjpeg's quality scaling of a base table (row-major order, as Pillow takes it)."""
    q = min(max(q, 1), 100)
    s = 5000 / q if q < 50 else 200 - 2 * q
    return np.clip(np.floor((base * s + 50) / 100), 1, 255).astype(int).tolist()


def as_bgr8(image: np.ndarray) -> np.ndarray:
    """Any array an image can come as (grey, BGR, BGRA, 16-bit, float) to uint8 grey or BGR."""
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)) or a.size == 0:
        raise ValueError(f"not an image array: shape {a.shape}")
    if a.dtype == np.uint16:
        a = (a.astype(np.uint32) * 255 + 32767) // 65535
    elif a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif a.dtype.kind == "f":
        top = float(np.nanmax(a))
        a = np.nan_to_num(a * (255.0 if top <= 1.0 else 1.0))
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 3 and a.shape[2] == 4:  # composite on white paper, as a viewer would show it
        alpha = a[:, :, 3:4].astype(np.uint16)
        a = ((a[:, :, :3] * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return np.ascontiguousarray(a)


class _Encoder:
    """Encodes one image at various qualities; the Pillow image is built once."""

    def __init__(self, img: np.ndarray) -> None:
        rgb = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        self.pil = Image.fromarray(rgb)
        self.pixels = img.shape[0] * img.shape[1]
        self.cache: dict[int, bytes] = {}

    def __call__(self, q: int, progressive: bool = False) -> bytes:
        key = -q if progressive else q
        if key not in self.cache:
            buf = io.BytesIO()
            tables = [_table(_LUMA_BASE, q)]
            if self.pil.mode == "RGB":
                tables.append(_table(_STD_CHROMA, max(1, q - CHROMA_DROP)))
            # optimize: ~12 % smaller for the same quality; no EXIF is ever written
            self.pil.save(buf, "JPEG", qtables=tables, subsampling=2, optimize=True,
                          progressive=progressive)
            self.cache[key] = buf.getvalue()
        return self.cache[key]

    def best(self, q: int, max_bytes: int) -> bytes:
        """The fitting baseline JPEG at q, or a progressive one a few steps finer if it fits
        (progressive scans are a few % smaller; too slow to search with, fine to finish)."""
        data = self(q)
        if not PROGRESSIVE_FINISH or q >= Q_MAX:
            return data
        for step in (3, 1):
            cand = self(min(q + step, Q_MAX), progressive=True)
            if len(cand) <= max_bytes:
                return cand
        return data


def _resize(img: np.ndarray, scale: float) -> np.ndarray:
    h, w = img.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size == (w, h):
        return img
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def _best_quality(enc: _Encoder, max_bytes: int, lo: int, hi: int) -> int | None:
    """Highest quality in [lo, hi] that fits, interpolating log(bytes) between brackets."""
    fits = [q for q, d in enc.cache.items() if len(d) <= max_bytes and lo <= q <= hi]
    over = [q for q, d in enc.cache.items() if len(d) > max_bytes and lo <= q <= hi]
    good = max(fits) if fits else None
    bad = min(over) if over else None
    if good is None:
        if len(enc(lo)) > max_bytes:
            return None
        good = lo
    if bad is None:
        if len(enc(hi)) <= max_bytes:
            return hi
        bad = hi
    target = math.log(max_bytes)
    while bad - good > 1:
        lg, lb = math.log(len(enc(good))), math.log(len(enc(bad)))
        t = (target - lg) / max(lb - lg, 1e-9)
        q = round(good + t * (bad - good) - 0.5)  # aim just under the cap
        q = min(max(q, good + 1), bad - 1)
        if len(enc(q)) <= max_bytes:
            good = q
        else:
            bad = q
    return good


def free_scale(img: np.ndarray) -> float:
    """The smallest scale in FREE_SCALES that loses (almost) nothing, else 1."""
    grey = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    c = 384  # a centred crop: cheap, and where the text usually is
    if h < 2 * c or w < 2 * c:
        return 1.0
    crop = grey[h // 2 - c:h // 2 + c, w // 2 - c:w // 2 + c].astype(np.float32)
    for s in FREE_SCALES:
        small = cv2.resize(crop, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        back = cv2.resize(small, (2 * c, 2 * c), interpolation=cv2.INTER_CUBIC)
        if _ssim(crop, back) >= FREE_SHRINK_SSIM:
            return s
    return 1.0


def _ssim(a: np.ndarray, b: np.ndarray) -> float:
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = cv2.GaussianBlur(a, (11, 11), 1.5), cv2.GaussianBlur(b, (11, 11), 1.5)
    va = cv2.GaussianBlur(a * a, (11, 11), 1.5) - mu_a * mu_a
    vb = cv2.GaussianBlur(b * b, (11, 11), 1.5) - mu_b * mu_b
    cov = cv2.GaussianBlur(a * b, (11, 11), 1.5) - mu_a * mu_b
    m = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (va + vb + c2))
    return float(m.mean())


def compress(image: np.ndarray, max_bytes: int = 200_000) -> bytes:
    """A JPEG file (no EXIF) of at most `max_bytes`, as legible as the budget allows.

    Accepts grey (2-D), BGR, BGRA, 16-bit and float arrays. Raises ValueError only when
    `max_bytes` is absurdly small (< MIN_BYTES) or the array is not an image.
    """
    if max_bytes < MIN_BYTES:
        raise ValueError(f"max_bytes={max_bytes} is too small for any JPEG (need ≥ {MIN_BYTES})")
    img = as_bgr8(image)
    h, w = img.shape[:2]
    if h * w > MAX_PIXELS:
        img = _resize(img, math.sqrt(MAX_PIXELS / (h * w)))
    enc = _Encoder(img)
    if len(enc(Q_PROBE)) <= max_bytes:  # fits at a good quality: only look upwards
        return enc.best(_best_quality(enc, max_bytes, Q_PROBE, Q_MAX) or Q_PROBE, max_bytes)
    # Shrink for free first: fewer pixels, more bytes for each.
    scale = free_scale(img)
    if scale < 1:
        img = _resize(img, scale)
        enc = _Encoder(img)
    for _ in range(40):
        q = _best_quality(enc, max_bytes, Q_LEGIBLE, Q_MAX)
        if q is not None:
            return enc.best(q, max_bytes)
        if img.shape[0] * img.shape[1] <= 64:
            break
        # bytes shrink a little slower than the area: aim 10 % under
        shrink = min(0.9, math.sqrt(0.9 * max_bytes / len(enc(Q_LEGIBLE))))
        img = _resize(img, shrink)
        enc = _Encoder(img)
    # pure noise or a tiny cap: any quality at all
    for q in (20, 10, 5, 1):
        if len(enc(q)) <= max_bytes:
            return enc(q)
    raise ValueError(f"cannot fit any JPEG of this image in {max_bytes} bytes")
