"""The whole capture pipeline for one still image: the same path for camera and files."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from camera.compress import as_bgr8, compress
from camera.flatscan import box_on_page
from camera.orient import orientation
from camera.quality import QualityReport, QualityThresholds, check_quality
from camera.straighten import aspect_error, order_quad, straighten

_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@dataclass
class Processed:
    """One captured document, ready to store."""

    jpeg: bytes  # at most max_bytes, no EXIF
    width: int
    height: int
    found: bool  # False: no document found, the whole image was taken as a flat scan
    quad: np.ndarray | None  # (4, 2) corners in the frame, clockwise from the top-left one
    rotation: int  # degrees turned clockwise to make it upright
    quality: QualityReport


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """Turn `image` clockwise by 0, 90, 180 or 270 degrees."""
    d = degrees % 360
    return image if d == 0 else cv2.rotate(image, _ROTATE[d])


def _find(frame: np.ndarray) -> np.ndarray | None:
    from camera.detect import find_document  # the detector is another module's business

    quad = find_document(frame)
    if quad is None:
        return None
    q = np.asarray(quad, np.float32).reshape(-1, 2)
    if q.shape != (4, 2) or not np.isfinite(q).all():
        return None
    # in a flat scan the best candidate is a box printed on the page (a photo, a table)
    return None if box_on_page(frame, q) else order_quad(q)


_LANDSCAPE = frozenset({"id_card"})  # papers read with the long side across


def process_image(frame: np.ndarray, paper: str | None = None, max_bytes: int = 200_000,
                  thresholds: QualityThresholds | None = None) -> Processed:
    """detect → straighten → orient → quality gates → compress, for one BGR frame.

    `paper` is a key of camera.straighten.PAPER_SIZES_MM ("id_card", "a4", ...) or None
    (the aspect ratio then follows the quad's proportions). Proportions far from the paper's
    are reported ("wrong_size": perhaps another document) but the paper's are kept: the
    estimate from a photo can be off, the paper's size is known. If no document is found, or
    only a box printed on a page that fills the frame (camera.flatscan), the whole frame is
    taken as an already flat scan (found=False).
    """
    frame = as_bgr8(frame)
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    quad = _find(frame)
    flat = straighten(frame, quad, paper if quad is not None else None)
    # an ID card reads with its long side across, whichever way it lay under the camera
    # (unless what lies there is shaped like no card: that is said as "wrong_size")
    landscape = None
    if quad is not None and paper in _LANDSCAPE:
        err = aspect_error(quad, paper, (frame.shape[1], frame.shape[0]))
        limit = (thresholds or QualityThresholds()).max_aspect_error
        landscape = True if err is None or err <= limit else None
    turn = orientation(flat, landscape=landscape)
    upright = rotate(flat, turn)
    report = check_quality(frame, quad, upright, thresholds, paper)
    jpeg = compress(upright, max_bytes=max_bytes)
    h, w = _jpeg_size(jpeg, upright)
    return Processed(jpeg=jpeg, width=w, height=h, found=quad is not None, quad=quad,
                     rotation=turn, quality=report)


def _jpeg_size(jpeg: bytes, fallback: np.ndarray) -> tuple[int, int]:
    """(height, width) of the encoded JPEG (compress may have shrunk it)."""
    i = 2
    while i + 9 < len(jpeg):
        if jpeg[i] != 0xFF:
            break
        marker = jpeg[i + 1]
        length = int.from_bytes(jpeg[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return (int.from_bytes(jpeg[i + 5:i + 7], "big"),
                    int.from_bytes(jpeg[i + 7:i + 9], "big"))
        i += 2 + length
    return fallback.shape[0], fallback.shape[1]
