"""camera.compress.compress: never a byte over the cap, whatever comes in; legible when it can."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from camera.compress import compress


def _decode(data: bytes) -> np.ndarray:
    out = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert out is not None, "not a JPEG"
    return out


def _text_page(w: int, h: int, seed: int = 0) -> np.ndarray:
    """A white page of dense black text lines, like a 300 dpi scan when big."""
    rng = np.random.default_rng(seed)
    page = np.full((h, w, 3), 250, np.uint8)
    scale = w / 1240
    y = int(120 * scale)
    while y < h - 100 * scale:
        words = " ".join("".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), rng.integers(2, 9)))
                         for _ in range(8))
        cv2.putText(page, words, (int(100 * scale), y), cv2.FONT_HERSHEY_SIMPLEX, 0.9 * scale,
                    (20, 20, 20), max(1, round(2 * scale)), cv2.LINE_AA)
        y += int(45 * scale)
    return page


def _is_jpeg(data: bytes) -> bool:
    return data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"


@pytest.mark.parametrize("cap", [200_000, 50_000, 5_000])
def test_pure_noise_fits(cap):
    noise = np.random.default_rng(1).integers(0, 256, (1500, 2000, 3), np.uint8)
    data = compress(noise, max_bytes=cap)
    assert len(data) <= cap and _is_jpeg(data)
    assert _decode(data).shape[2] == 3


def test_large_image_fits_and_stays_legible():
    page = _text_page(4200, 5900)  # ~25 MP
    data = compress(page)
    assert len(data) <= 200_000
    out = _decode(data)
    # shrunk to a sane size, not quantised to mush at full size
    assert 1200 <= max(out.shape[:2]) <= 5900
    ref = cv2.resize(page, (out.shape[1], out.shape[0]), interpolation=cv2.INTER_AREA)
    err = np.abs(out.astype(np.int16) - ref.astype(np.int16)).mean()
    assert err < 8, f"mean error {err:.1f}: text is being destroyed"


def test_a4_300dpi_keeps_resolution_for_text():
    page = _text_page(2480, 3508)
    out = _decode(compress(page))
    assert max(out.shape[:2]) >= 1600  # enough pixels per glyph to read


@pytest.mark.parametrize("shape,dtype", [
    ((1, 1, 3), np.uint8), ((1, 1), np.uint8), ((300, 200), np.uint8),
    ((300, 200, 1), np.uint8), ((300, 200, 3), np.uint16), ((300, 200, 4), np.uint8),
    ((300, 200, 3), np.float32), ((2, 5000, 3), np.uint8),
])
def test_odd_arrays(shape, dtype):
    rng = np.random.default_rng(2)
    top = 65535 if dtype == np.uint16 else (1.0 if dtype == np.float32 else 255)
    arr = (rng.random(shape) * top).astype(dtype)
    data = compress(arr, max_bytes=20_000)
    assert len(data) <= 20_000 and _is_jpeg(data)
    out = _decode(data)
    assert out.shape[:2] == shape[:2] or max(out.shape[:2]) < max(shape[:2])


def test_16bit_scaled_not_clipped():
    arr = np.full((64, 64, 3), 32_768, np.uint16)
    out = _decode(compress(arr))
    assert abs(int(out.mean()) - 128) <= 3


def test_bgra_composited_on_white():
    arr = np.zeros((64, 64, 4), np.uint8)  # fully transparent black
    out = _decode(compress(arr))
    assert out.min() >= 250


def test_small_page_kept_at_full_size_and_quality():
    page = _text_page(620, 877)
    data = compress(page)
    out = _decode(data)
    assert out.shape[:2] == page.shape[:2]
    assert np.abs(out.astype(np.int16) - page.astype(np.int16)).mean() < 3


@pytest.mark.parametrize("cap", [1_000, 1_500, 3_000])
def test_tiny_caps_still_fit(cap):
    data = compress(_text_page(1240, 1754), max_bytes=cap)
    assert len(data) <= cap and _is_jpeg(data)


def test_absurd_cap_refused():
    with pytest.raises(ValueError, match="too small"):
        compress(np.zeros((10, 10, 3), np.uint8), max_bytes=100)


def test_no_exif_and_plain_jfif():
    data = compress(_text_page(620, 877))
    assert b"Exif" not in data[:4096]


@pytest.mark.parametrize("bad", [np.zeros((0, 10, 3), np.uint8), np.zeros((5, 5, 2), np.uint8),
                                 np.zeros(10, np.uint8)])
def test_not_an_image_refused(bad):
    with pytest.raises(ValueError):
        compress(bad)
