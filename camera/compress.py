"""Byte-capped JPEG: as legible as the budget allows, never a byte over it.

Quality alone is the wrong knob: a 300 dpi A4 page squeezed into 200 kB at full size ends
near quality 6, blocky and unreadable. Resolution and quality are chosen together: keep the
full size while the best quality that fits stays legible, else shrink the image so the
quality lands in the legible range, then binary-search the quality at that size.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

MIN_BYTES = 1_000  # below this even a tiny JPEG's headers and tables hardly fit
Q_MAX = 95  # above this JPEG only spends bytes on noise
Q_LEGIBLE = 55  # below this, shrinking the image keeps text more legible than quantising it
MAX_PIXELS = 16_000_000  # nothing the kiosk keeps needs more; saves time on 100 MP inputs
CHROMA_DROP = 15  # colour (stamps, photos) needs less precision than the luma carrying text


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
        top = float(np.nanmax(a)) if a.size else 1.0
        a = np.nan_to_num(a * (255.0 if top <= 1.0 else 1.0))
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 3 and a.shape[2] == 4:  # composite on white paper, as a viewer would show it
        alpha = a[:, :, 3:4].astype(np.uint16)
        a = ((a[:, :, :3] * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return np.ascontiguousarray(a)


def _encode(img: np.ndarray, q: int) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
    if img.ndim == 3:
        params += [cv2.IMWRITE_JPEG_LUMA_QUALITY, q,
                   cv2.IMWRITE_JPEG_CHROMA_QUALITY, max(1, q - CHROMA_DROP),
                   cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420]
    ok, buf = cv2.imencode(".jpg", img, params)
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()


def _resize(img: np.ndarray, scale: float) -> np.ndarray:
    h, w = img.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size == (w, h):
        return img
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def _best_quality(img: np.ndarray, max_bytes: int, lo: int, hi: int,
                  first: int | None = None) -> tuple[int, bytes] | None:
    """Highest quality in [lo, hi] whose JPEG fits, by binary search; None if lo doesn't."""
    best: tuple[int, bytes] | None = None
    probe = first if first is not None else hi
    while lo <= hi:
        q = min(max(probe, lo), hi)
        data = _encode(img, q)
        if len(data) <= max_bytes:
            best = (q, data)
            lo = q + 1
        else:
            hi = q - 1
        probe = (lo + hi + 1) // 2
    return best


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
    # Full size first: most straightened documents fit at a legible quality.
    data = _encode(img, Q_MAX)
    if len(data) <= max_bytes:
        return data
    found = _best_quality(img, max_bytes, Q_LEGIBLE, Q_MAX - 1)
    if found is not None:
        return found[1]
    # Shrink so that about Q_LEGIBLE+10 fits: bytes grow a little slower than the area.
    scale = 1.0
    for _ in range(12):
        size_at = len(_encode(_resize(img, scale), Q_LEGIBLE + 10)) if scale < 1 else None
        current = size_at if size_at is not None else len(_encode(img, Q_LEGIBLE + 10))
        factor = math.sqrt(0.92 * max_bytes / current)
        scale *= min(0.92, factor)
        small = _resize(img, scale)
        found = _best_quality(small, max_bytes, Q_LEGIBLE, Q_MAX - 1, first=Q_LEGIBLE + 10)
        if found is not None:
            return found[1]
        if small.shape[0] * small.shape[1] <= 64:
            break
    # Tiny caps or pathological noise: any quality at the smallest size that fits.
    for q in (40, 20, 10, 5, 1):
        data = _encode(small, q)
        if len(data) <= max_bytes:
            return data
    raise ValueError(f"cannot fit any JPEG of this image in {max_bytes} bytes")
