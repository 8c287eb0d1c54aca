"""Find and decode the receipt's QR code in an image or a PDF, including a phone photo.

zxing-cpp reads first (it copes with perspective and rotation); when it finds nothing, the
picture is tried again as grey, resized, contrast-stretched, sharpened and binarised
variants, and last with OpenCV's own QR detector. The first variant that yields a
receipt-looking text (``KR…:``) wins; any other QR text found is returned after it.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.errors import InputError

MAX_SIDE = 2600        # larger photos are scaled down first (zxing also downscales)
PDF_SCALE = 300 / 72   # render PDF pages at 300 dpi
MAX_PDF_PAGES = 10
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, 120_000_000)


def load_images(path: Path) -> list[np.ndarray]:
    """The file's pictures as greyscale arrays (one per PDF page). InputError when unreadable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("verify.missing", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("verify.is_dir", path=str(path)) from None
    except OSError as exc:  # permissions, an I/O error: the system's own words
        raise InputError("verify.not_image", path=str(path),
                         detail=exc.strerror or type(exc).__name__) from None
    if data[:5] == b"%PDF-":
        return _pdf_pages(data, path)
    try:
        with warnings.catch_warnings():  # PIL warns (in English, on stderr) past the limit
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                im = ImageOps.exif_transpose(im)
                grey = np.asarray(im.convert("L"))
    except UnidentifiedImageError:
        raise InputError("verify.unknown_format", path=str(path)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError("verify.too_large", path=str(path)) from None
    except (OSError, ValueError, SyntaxError, EOFError):  # truncated or corrupt (PIL: English)
        raise InputError("verify.broken", path=str(path)) from None
    return [grey]


def _pdf_pages(data: bytes, path: Path) -> list[np.ndarray]:
    import pypdfium2 as pdfium
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # pdfium raises its own PdfiumError (in English)
        raise InputError("verify.broken", path=str(path)) from None
    pages = []
    try:
        for i in range(min(len(pdf), MAX_PDF_PAGES)):
            page = pdf[i]
            w, h = page.get_size()
            scale = min(PDF_SCALE, MAX_SIDE * 1.5 / max(w, h, 1))
            bitmap = page.render(scale=scale, grayscale=True)
            pages.append(np.asarray(bitmap.to_pil().convert("L")))
    except Exception:
        raise InputError("verify.broken", path=str(path)) from None
    finally:
        pdf.close()
    return pages


def _zxing(img: np.ndarray, **kw: object) -> list[str]:
    try:
        found = zxingcpp.read_barcodes(np.ascontiguousarray(img),
                                       formats=zxingcpp.BarcodeFormat.QRCode, **kw)
    except Exception:  # a decoder failure is "not found here", never a crash
        return []
    return [b.text for b in found if b.valid and b.text]


def _opencv(img: np.ndarray) -> list[str]:
    try:
        text, points, _ = cv2.QRCodeDetector().detectAndDecode(img)
    except cv2.error:
        return []
    return [text] if text else []


def _resize(img: np.ndarray, factor: float) -> np.ndarray:
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(img, None, fx=factor, fy=factor, interpolation=interp)


def _variants(grey: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """Progressively heavier clean-ups of one greyscale picture."""
    side = max(grey.shape[:2])
    base = _resize(grey, MAX_SIDE / side) if side > MAX_SIDE else grey
    yield "grey", base
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(base)
    yield "clahe", clahe
    yield "sharpened", _sharpen(base, 2.0, 0.8)
    _, otsu = cv2.threshold(cv2.GaussianBlur(base, (5, 5), 0), 0, 255,
                            cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield "otsu", otsu
    block = max(31, (min(base.shape[:2]) // 20) | 1)
    yield "adaptive", cv2.adaptiveThreshold(base, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                            cv2.THRESH_BINARY, block, 5)
    # blurred, noisy phone photos: enlarge, smooth the noise away, then sharpen hard
    big = _resize(base, 2.0) if side <= 2000 else base
    yield "smoothed+sharpened", _sharpen(cv2.GaussianBlur(big, (0, 0), 1.5), 5, 3.0)
    yield "bilateral+sharpened", _sharpen(cv2.bilateralFilter(big, 9, 50, 5), 4, 2.5)
    yield "median+sharpened", _sharpen(cv2.medianBlur(big, 5), 4, 2.5)
    for factor in (0.5, 0.35):
        if side * factor > 300:
            yield f"down{factor}", _resize(base, factor)


def _sharpen(img: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    blur = cv2.GaussianBlur(img, (0, 0), sigma)
    return cv2.addWeighted(img, 1 + amount, blur, -amount, 0)


_SECOND_OPINION = ("grey", "clahe", "smoothed+sharpened")


def decode_image(grey: np.ndarray) -> list[str]:
    """Every QR text found in a greyscale picture, receipt-looking ones first."""
    found: list[str] = []
    tried: dict[str, np.ndarray] = {}
    for name, img in _variants(grey):
        tried[name] = img
        found += _zxing(img)
        if not found and name in _SECOND_OPINION:
            found += _zxing(img, binarizer=zxingcpp.Binarizer.GlobalHistogram)
        if any(_looks_like_receipt(t) for t in found):
            break
    if not found:  # last resort: OpenCV's detector on a few of the variants
        for name in _SECOND_OPINION:
            if name in tried:
                found += _opencv(tried[name])
            if found:
                break
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda t: not _looks_like_receipt(t))


def _looks_like_receipt(text: str) -> bool:
    head, sep, _ = text.partition(":")
    return bool(sep) and head.startswith("KR")


def read_qr(path: Path) -> list[str]:
    """Every QR text in the file (image or PDF), receipt-looking ones first; [] if none.

    InputError when the file is missing or is neither an image nor a PDF.
    """
    texts: list[str] = []
    for page in load_images(path):
        texts += decode_image(page)
        if any(_looks_like_receipt(t) for t in texts):
            break
    unique = list(dict.fromkeys(texts))
    return sorted(unique, key=lambda t: not _looks_like_receipt(t))
