"""camera.flatscan: a box printed on a page that fills the image is not the document."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import real_photo
from PIL import Image, ImageDraw
from test_camera_pipeline import _font, on_desk

from camera.detect import find_document
from camera.flatscan import box_on_page, tilt
from camera.pipeline import process_image

LINE = "the candidate completed the course of study and passed the final examination"


def render_diploma(seed: int = 0) -> np.ndarray:
    """A landscape certificate (1400 × 990) as a scanner gives it: the photo in a box at the
    left, a title and lines of text beside and under it, a red stamp, an uneven light."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (1400, 990), (238, 236, 232))
    d = ImageDraw.Draw(img)
    d.text((560, 110), "CERTIFICATE OF GRADUATION", fill=(20, 20, 20), font=_font(44))
    d.rectangle([110, 230, 330, 520], fill=(120, 122, 138))  # the portrait, 2 × 3
    f = _font(28)
    for i in range(4):
        d.text((400, 250 + 56 * i), LINE[: 40 + 8 * i], fill=(25, 25, 25), font=f)
    d.text((110, 860), f"No. {rng.integers(10**11, 10**12)}", fill=(25, 25, 25), font=f)
    d.text((1000, 860), "2016-07-01", fill=(25, 25, 25), font=f)
    d.ellipse([1020, 680, 1240, 900], outline=(170, 40, 40), width=8)
    page = np.asarray(img).astype(np.float32)
    yy, xx = np.mgrid[0:990, 0:1400]
    light = 1.0 - 0.12 * ((xx / 1400 - 0.4) ** 2 + (yy / 990 - 0.3) ** 2)  # the lamp's fall-off
    page = page * light[:, :, None] + rng.normal(0, 2.5, page.shape)
    return cv2.cvtColor(np.clip(page, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


def test_tilt_of_a_square_and_a_turned_quad() -> None:
    square = np.float32([[10, 10], [110, 10], [110, 60], [10, 60]])
    assert tilt(square) == pytest.approx(0.0, abs=1e-6)
    c, s = np.cos(np.radians(10)), np.sin(np.radians(10))
    turned = (square - 60) @ np.float32([[c, -s], [s, c]]).T + 60
    assert tilt(turned) == pytest.approx(10.0, abs=1e-3)


def test_a_scanned_diploma_is_kept_whole_not_cut_to_its_photo() -> None:
    scan = render_diploma()
    box = find_document(scan)
    # the detector's best candidate is the photo box: without the rule it would be stored
    assert box is not None and cv2.contourArea(np.float32(box)) < 0.1 * 1400 * 990
    assert box_on_page(scan, box)
    p = process_image(scan)
    assert not p.found and p.quad is None
    assert p.width / p.height == pytest.approx(1400 / 990, rel=0.01) and p.rotation == 0


def test_the_same_diploma_on_a_desk_is_found() -> None:
    # under the camera, turned a little on a wooden desk: the sheet is the document
    quad = np.float32([[420, 180], [1580, 215], [1560, 1020], [400, 990]])
    frame = on_desk(cv2.resize(render_diploma(1), (1160, 820)), quad, size=(1920, 1080))
    p = process_image(frame)
    assert p.found and p.quad is not None
    assert np.abs(p.quad - quad).max() < 8, p.quad


def test_a_page_laid_square_on_a_blank_pale_desk_is_found() -> None:
    # square to the camera on a pale desk, the hard case for the rule: no print around it
    desk = np.full((1080, 1920, 3), (205, 208, 212), np.uint8)
    desk = cv2.add(desk, np.random.default_rng(2).integers(0, 6, desk.shape, dtype=np.uint8))
    quad = np.float32([[560, 140], [1370, 140], [1370, 712], [560, 712]])
    ph, pw = 820, 1160
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), quad)
    page = cv2.resize(render_diploma(3), (pw, ph))
    warped = cv2.warpPerspective(page, m, (1920, 1080), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (1920, 1080))
    frame = np.where(mask[:, :, None] > 127, warped, desk)
    q = find_document(frame)
    assert q is not None and not box_on_page(frame, q)
    assert process_image(frame).found


@pytest.mark.parametrize("index", [2, 5, 8, 11, 14, 17])
def test_real_pages_on_a_desk_of_printed_paper_are_not_taken_for_scans(index: int) -> None:
    # SmartDoc's desk 5: a pale desk with a magazine and papers around the page
    frame, e = real_photo("smartdoc2015", index)
    assert not box_on_page(frame, np.float32(e["corners"]))
