"""Safe loading of user-supplied image files into H×W×3 uint8 BGR arrays.

Every way a file can be bad ends in one `ImageError` whose `code` the kiosk translates
into its own (Chinese) message; no Pillow or OpenCV exception leaks out.
"""
from __future__ import annotations

import io
import os
import warnings
from typing import Literal

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ImageErrorCode = Literal["empty", "not_image", "truncated", "too_large", "unsupported"]

MAX_PIXELS = 120_000_000  # a 108 MP phone photo still loads; a decompression bomb does not
MAX_FILE_BYTES = 150_000_000

_MESSAGES: dict[str, str] = {
    "empty": "The file is empty.",
    "not_image": "The file is not an image (JPEG, PNG, BMP, TIFF, WebP or GIF expected).",
    "truncated": "The image file is damaged or incomplete.",
    "too_large": "The image is too large to process.",
    "unsupported": "This kind of image is not supported; save it as JPEG or PNG.",
}
# Formats Pillow can open that a document scan plausibly comes in.
_FORMATS = {"JPEG", "MPO", "PNG", "BMP", "TIFF", "WEBP", "GIF", "PPM", "DIB"}


class ImageError(ValueError):
    """A user-supplied image that cannot be used; `code` says why (see ImageErrorCode)."""

    def __init__(self, code: ImageErrorCode, detail: str = "") -> None:
        self.code: str = code
        self.detail = detail
        message = _MESSAGES[code] + (f" ({detail})" if detail else "")
        super().__init__(message)


def _read(source: str | os.PathLike | bytes | bytearray | memoryview) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        size = os.path.getsize(source)  # OSError (missing file) propagates: not an image problem
        if size > MAX_FILE_BYTES:
            raise ImageError("too_large", f"{size} bytes")
        with open(source, "rb") as f:
            data = f.read()
    if not data:
        raise ImageError("empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImageError("too_large", f"{len(data)} bytes")
    return data


def _to_bgr(img: Image.Image) -> np.ndarray:
    """Any Pillow mode to 8-bit BGR; transparency is composited on white paper."""
    mode = img.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        a = np.asarray(img).astype(np.float32)
        if mode == "F" and a.size and float(a.max()) <= 1.0:
            a *= 255.0
        elif a.size and float(a.max()) > 255.0:  # 16-bit samples
            a /= 257.0
        grey = np.clip(a + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in img.info
    ) or (mode in ("L", "RGB") and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(white, rgba).convert("RGB")
    else:
        rgb = img.convert("RGB")  # 1, L, P, CMYK, YCbCr, LAB, HSV...
    a = np.asarray(rgb, dtype=np.uint8)
    return np.ascontiguousarray(a[:, :, ::-1])


def load_image(source: str | os.PathLike | bytes) -> np.ndarray:
    """Decode an image file (path or bytes) into an H×W×3 uint8 BGR array, upright per EXIF.

    Raises ImageError with code "empty", "not_image", "truncated", "too_large" or
    "unsupported". The declared size is checked before any pixel is decoded, so a
    small file claiming 50,000 × 50,000 pixels costs nothing. EXIF is applied, never kept.
    A path that cannot be read at all (missing, a folder, no permission) raises OSError as
    usual: that is the caller's file handling, not a bad image.
    """
    data = _read(source)
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypavif"):
        raise ImageError("unsupported", "HEIC/AVIF")
    truncated_setting = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a cut-off file must fail, not come out half grey
    try:
        with warnings.catch_warnings():
            # we enforce our own pixel cap below; Pillow's warning would only be noise
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            try:
                img = Image.open(io.BytesIO(data))
            except Image.DecompressionBombError as e:
                raise ImageError("too_large", str(e)) from None
            except UnidentifiedImageError:
                raise ImageError("not_image") from None
            except (OSError, SyntaxError, ValueError, EOFError) as e:
                raise ImageError("truncated", str(e)) from None
            with img:
                if img.format not in _FORMATS:
                    raise ImageError("unsupported", str(img.format))
                w, h = img.size
                if w <= 0 or h <= 0:
                    raise ImageError("truncated", "zero size")
                if w * h > MAX_PIXELS:
                    raise ImageError("too_large", f"{w}×{h} pixels")
                try:
                    img.load()
                    upright = ImageOps.exif_transpose(img)
                    return _to_bgr(upright)
                except Image.DecompressionBombError as e:
                    raise ImageError("too_large", str(e)) from None
                except (OSError, SyntaxError, ValueError, EOFError, IndexError) as e:
                    raise ImageError("truncated", str(e)) from None
                except MemoryError:
                    raise ImageError("too_large", "out of memory") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_setting
