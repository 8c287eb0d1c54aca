"""camera.imageio.load_image: every bad file is refused with its code; good ones come out BGR."""
from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from camera.compress import compress
from camera.imageio import ImageError, load_image


def _png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _jpeg_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95, **kw)
    return buf.getvalue()


def _bomb_png(width: int, height: int) -> bytes:
    """A ~100-byte PNG whose header declares width × height grey pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1000)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def test_empty_file_refused(tmp_path):
    p = tmp_path / "empty.jpg"
    p.write_bytes(b"")
    with pytest.raises(ImageError) as e:
        load_image(p)
    assert e.value.code == "empty"
    assert "empty" in str(e.value).lower()


def test_non_image_refused(tmp_path):
    p = tmp_path / "notes.jpg"
    p.write_text("this is not a picture\n" * 20)
    with pytest.raises(ImageError) as e:
        load_image(str(p))
    assert e.value.code == "not_image"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_refused(fmt):
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (300, 400, 3), np.uint8))
    data = _jpeg_bytes(img) if fmt == "JPEG" else _png_bytes(img)
    with pytest.raises(ImageError) as e:
        load_image(data[: len(data) // 2])
    assert e.value.code == "truncated"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # the global setting is left alone


@pytest.mark.parametrize("side", [50_000, 11_000])  # 11,000² is over our cap, under Pillow's
def test_decompression_bomb_refused_before_decoding(monkeypatch, side):
    def no_decoding(self, *a, **k):
        raise AssertionError("pixels were decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    data = _bomb_png(side, side)
    assert len(data) < 500
    t0 = time.perf_counter()
    with pytest.raises(ImageError) as e:
        load_image(data)
    assert e.value.code == "too_large"
    assert time.perf_counter() - t0 < 1.0


def test_heic_is_unsupported():
    data = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100
    with pytest.raises(ImageError) as e:
        load_image(data)
    assert e.value.code == "unsupported"


def test_rgb_png_comes_out_bgr(tmp_path):
    arr = np.zeros((10, 20, 3), np.uint8)
    arr[:, :, 0] = 200  # red in RGB
    p = tmp_path / "red.png"
    Image.fromarray(arr).save(p)
    out = load_image(p)
    assert out.shape == (10, 20, 3) and out.dtype == np.uint8
    assert out[0, 0].tolist() == [0, 0, 200]


def test_cmyk_jpeg_converted():
    cmyk = Image.new("CMYK", (64, 48), (0, 255, 255, 0))  # pure red ink
    out = load_image(_jpeg_bytes(cmyk))
    assert out.shape == (48, 64, 3)
    b, g, r = out[24, 32].astype(int)
    assert r > 200 and g < 60 and b < 60


def test_16bit_png_scaled_to_8bit():
    arr = np.full((30, 40), 40_000, np.uint16)
    arr[:, :20] = 65_535
    img = Image.fromarray(arr)
    assert img.mode.startswith("I")
    out = load_image(_png_bytes(img))
    assert out.shape == (30, 40, 3) and out.dtype == np.uint8
    assert out[0, 0].tolist() == [255, 255, 255]
    assert abs(int(out[0, 30, 0]) - round(40_000 / 257)) <= 1


def test_alpha_composited_on_white():
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[:, :10] = (0, 0, 0, 255)  # opaque black left, transparent right
    out = load_image(_png_bytes(Image.fromarray(rgba, "RGBA")))
    assert out[5, 2].tolist() == [0, 0, 0]
    assert out[5, 15].tolist() == [255, 255, 255]
    la = Image.fromarray(rgba[:, :, [0, 3]], "LA")
    out = load_image(_png_bytes(la))
    assert out[5, 15].tolist() == [255, 255, 255]


@pytest.mark.parametrize("mode", ["L", "P", "1"])
def test_grey_palette_bilevel_to_bgr(mode):
    img = Image.new("RGB", (16, 8), (255, 255, 255)).convert(mode)
    out = load_image(_png_bytes(img))
    assert out.shape == (8, 16, 3) and out.dtype == np.uint8
    assert out.min() >= 250


def test_exif_orientation_applied_and_dropped():
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:, :20] = (255, 0, 0)  # left half red (RGB)
    img = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned: the viewer must rotate 90° clockwise
    data = _jpeg_bytes(img, exif=exif.tobytes())
    out = load_image(data)
    assert out.shape == (40, 20, 3)  # upright: portrait
    assert out[2, 10, 2] > 200 and out[38, 10, 2] < 60  # red now on top
    jpeg = compress(out)
    assert b"Exif" not in jpeg[:2000]
    assert Image.open(io.BytesIO(jpeg)).getexif().get(0x0112) is None
