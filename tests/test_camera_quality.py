"""camera.quality: the gates fire on blurred, glared, dark, small, cut-off and too coarse
captures only."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pydantic
import pytest
from conftest import real_photo

from camera.quality import REASON_CODES, QualityThresholds, check_quality, text_height
from camera.straighten import straighten

FRAME_WH = (1280, 720)


def _page(w: int = 850, h: int = 1200) -> np.ndarray:
    rng = np.random.default_rng(5)
    page = np.full((h, w, 3), (236, 238, 240), np.uint8)
    cv2.putText(page, "CERTIFICATE", (150, 130), cv2.FONT_HERSHEY_DUPLEX, 2.2, (20, 20, 20), 4,
                cv2.LINE_AA)
    for i in range(22):
        text = " ".join("".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"),
                                           rng.integers(2, 8))) for _ in range(6))
        cv2.putText(page, text, (70, 240 + 42 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30),
                    2, cv2.LINE_AA)
    return page


def _on_desk(quad: np.ndarray, page: np.ndarray | None = None) -> np.ndarray:
    """The page warped into `quad` on a dark, slightly noisy desk."""
    page = _page() if page is None else page
    w, h = FRAME_WH
    desk = np.full((h, w, 3), (60, 80, 105), np.uint8)
    noise = np.random.default_rng(1).normal(0, 3, desk.shape)
    desk = np.clip(desk + noise, 0, 255).astype(np.uint8)
    ph, pw = page.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]),
                                    np.float32(quad))
    warped = cv2.warpPerspective(page, m, (w, h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (w, h))
    return np.where(mask[:, :, None] > 127, warped, desk)


QUAD = np.float32([[450, 60], [880, 80], [860, 680], [430, 650]])


def _check(frame: np.ndarray, quad: np.ndarray = QUAD, **thresholds):
    t = QualityThresholds(**thresholds)
    return check_quality(frame, quad, straighten(frame, quad), t)


def test_clean_capture_passes():
    r = _check(_on_desk(QUAD))
    assert r.failed == [], r
    assert r.ok
    assert r.text_height is not None and r.text_height >= 8, r  # lines ~ 12 px as captured


def test_small_text_fires_when_the_camera_gives_too_few_pixels():
    # the same scene from a camera with a third of the resolution: lines about 4 px tall
    frame = cv2.resize(_on_desk(QUAD), (FRAME_WH[0] // 3, FRAME_WH[1] // 3),
                       interpolation=cv2.INTER_AREA)
    r = _check(frame, QUAD / 3, min_document_side=0)  # (that gate alone: below)
    assert r.failed == ["small_text"], r
    assert r.text_height is not None and r.text_height < 6
    # straightening it to a bigger image does not make it legible: measured as captured
    big = check_quality(frame, QUAD / 3, straighten(frame, QUAD / 3, "a4"))
    assert "small_text" in big.failed, big


def test_too_few_pixels_fire_with_or_without_text():
    # a thumbnail (a chat app's preview) of the clean capture: 1/4 of the pixels across
    frame = cv2.resize(_on_desk(QUAD), (FRAME_WH[0] // 4, FRAME_WH[1] // 4),
                       interpolation=cv2.INTER_AREA)
    r = _check(frame, QUAD / 4)
    assert "low_res" in r.failed and r.document_side is not None and r.document_side < 120, r
    blank = np.full((1200, 850, 3), (236, 238, 240), np.uint8)  # nothing for small_text
    thumb = cv2.resize(_on_desk(QUAD, blank), (FRAME_WH[0] // 4, FRAME_WH[1] // 4),
                       interpolation=cv2.INTER_AREA)
    r = _check(thumb, QUAD / 4)
    assert r.failed == ["low_res", "blank"], r  # (and blank: nothing is printed on it)
    # a 16 x 9 picture kept whole as a flat scan
    tiny = np.full((9, 16, 3), 200, np.uint8)
    r = check_quality(tiny, None, tiny)
    assert "low_res" in r.failed and r.document_side == 9, r
    # the full-resolution capture is well above the limit (about 430 px across)
    assert "low_res" not in _check(_on_desk(QUAD)).failed


def test_no_text_is_not_judged():
    page = np.full((1200, 850, 3), (236, 238, 240), np.uint8)
    r = _check(_on_desk(QUAD, page))
    assert r.text_height is None and "small_text" not in r.failed, r
    # the desk's grain along a rough edge of a blank page: short dark marks down its
    # first column, a few rows apart, are no lines of print
    page = np.full((1000, 707, 3), 238, np.uint8)
    for y in range(10, 990, 25):
        page[y:y + 4, 0:2] = 60
    assert text_height(page) is None
    # ... nor beside a big title alone (it crosses every strip of the page once)
    cv2.putText(page, "CERTIFICATE", (60, 200), cv2.FONT_HERSHEY_DUPLEX, 2.4, (20, 20, 20), 5,
                cv2.LINE_AA)
    assert text_height(page) is None


def test_dot_leaders_are_not_tiny_print():
    # a form: labels down the left, each followed by a row of dots to write on
    page = np.full((1414, 1000, 3), 240, np.uint8)
    for i in range(20):
        y = 120 + 60 * i
        cv2.putText(page, f"Item {i + 1}", (40, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20),
                    2, cv2.LINE_AA)
        for x in range(260, 960, 9):
            page[y - 2:y + 1, x:x + 3] = 30
    th = text_height(page)
    assert th is not None and th >= 14, th  # the labels' lines, about 20 px


@pytest.mark.parametrize(("folder", "index", "fires"), [
    ("smartdoc2015", 12, True),  # a patent's fine print, A4 at 1080p: about 4 px
    ("synthdocs", 0, False),  # a phone photo of a page: about 20 px
])
def test_small_text_on_real_photos(folder, index, fires):
    frame, e = real_photo(folder, index)
    quad = np.float32(e["corners"])
    r = check_quality(frame, quad, straighten(frame, quad, "a4"))
    assert ("small_text" in r.failed) is fires, r


def test_blur_fires():
    frame = cv2.GaussianBlur(_on_desk(QUAD), (0, 0), 4)
    assert "blur" in _check(frame).failed


def test_glare_fires():
    frame = _on_desk(QUAD).astype(np.float32)
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    c = QUAD.mean(axis=0)
    bump = 220 * np.exp(-((xx - c[0]) ** 2 + (yy - c[1]) ** 2) / (2 * 80.0 ** 2))
    frame = np.clip(frame + bump[:, :, None], 0, 255).astype(np.uint8)
    r = _check(frame)
    assert "glare" in r.failed
    assert r.glare_fraction > 0.02


def test_paper_lit_beside_a_shadow_is_not_glare():
    # a hand's shadow over the page's left part, the rest lit until the paper clips: the
    # print there stays black, nothing is washed out
    frame = _on_desk(QUAD).astype(np.float32)
    shade = np.ones(frame.shape[:2], np.float32)
    shade[:, :650] = 0.55
    shade = cv2.GaussianBlur(shade, (0, 0), 8)
    lit = np.clip(frame * shade[:, :, None] * 1.15, 0, 255).astype(np.uint8)
    r = _check(lit)
    assert "glare" not in r.failed and r.glare_fraction < 0.005, r


def test_dark_fires():
    frame = (_on_desk(QUAD) * 0.2).astype(np.uint8)
    assert "dark" in _check(frame).failed


def test_bright_fires():
    frame = np.clip(_on_desk(QUAD).astype(np.int16) + 200, 0, 255).astype(np.uint8)
    assert "bright" in _check(frame).failed


def test_small_fires():
    small = np.float32([[600, 300], [680, 302], [678, 410], [598, 408]])
    r = _check(_on_desk(small), small)
    assert "small" in r.failed
    assert r.area_fraction < 0.02


def test_cut_off_fires():
    edge = np.float32([[0, 40], [420, 60], [400, 700], [0, 690]])
    assert "cut_off" in _check(_on_desk(edge), edge).failed
    outside = np.float32([[-30, 40], [420, 60], [400, 700], [-20, 690]])
    assert "cut_off" in _check(_on_desk(outside), outside).failed


def test_flat_white_scan_passes():
    page = _page()
    page[page > 200] = 255  # a flatbed scan: paper clipped to white everywhere
    r = check_quality(page, None, page)
    assert r.failed == [], r
    assert r.corner_margin is None and r.area_fraction == 1.0


def test_report_is_json_and_codes_known():
    frame = (cv2.GaussianBlur(_on_desk(QUAD), (0, 0), 5) * 0.2).astype(np.uint8)
    r = _check(frame)
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d["failed"]) == {"blur", "dark"}
    assert set(d["failed"]) <= set(REASON_CODES)
    assert {"sharpness", "glare_fraction", "brightness", "area_fraction"} <= d.keys()


def test_thresholds_are_config():
    frame = cv2.GaussianBlur(_on_desk(QUAD), (0, 0), 4)
    assert "blur" not in _check(frame, min_sharpness=0.0).failed
    with pytest.raises(pydantic.ValidationError):
        QualityThresholds(min_sharpnes=0.1)  # a typo in kiosk.toml is refused
    with pytest.raises(pydantic.ValidationError):
        QualityThresholds(max_glare_fraction=2)
    for name, field in QualityThresholds.model_fields.items():
        assert field.description, f"{name} has no description"


def test_a_sheet_face_down_is_blank_and_sparse_print_is_not():
    # the back of the page: its print mirrored and softened by the paper, showing through
    # at a tenth of its contrast; every other gate passes it
    front = _page().astype(np.float32)
    paper = front[5, 5]
    back = paper - (paper - cv2.GaussianBlur(cv2.flip(front, 1), (0, 0), 1.5)) * 0.1
    r = _check(_on_desk(QUAD, np.clip(back, 0, 255).astype(np.uint8)))
    assert r.failed == ["blank"], r
    assert r.print_share is not None and r.print_share < 1e-4, r
    # a page holding one title and nothing else is a document, dim or not
    page = np.full((1200, 850, 3), (236, 238, 240), np.uint8)
    cv2.putText(page, "CERTIFICATE", (150, 600), cv2.FONT_HERSHEY_DUPLEX, 2.2, (20, 20, 20), 4,
                cv2.LINE_AA)
    for light in (1.0, 0.4):
        frame = (_on_desk(QUAD, page) * light).astype(np.uint8)
        r = _check(frame, min_brightness=0)
        limit = QualityThresholds().min_print_share
        assert "blank" not in r.failed and r.print_share >= 5 * limit, (light, r)


@pytest.mark.parametrize("soft", [1.5, 2.0])
def test_thin_grey_print_a_little_soft_is_not_blank(soft: float) -> None:
    # pencil-grey text in thin strokes: softened, no mark keeps the print's contrast, but its
    # lines still read as lines of text; a page of text is never "nothing printed"
    rng = np.random.default_rng(5)
    page = np.full((1200, 850, 3), (236, 238, 240), np.uint8)
    for i in range(26):
        text = " ".join("".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"),
                                           rng.integers(2, 8))) for _ in range(6))
        cv2.putText(page, text, (70, 140 + 38 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.9,
                    (160, 160, 160), 1, cv2.LINE_AA)
    frame = cv2.GaussianBlur(_on_desk(QUAD, page), (0, 0), soft)
    frame = cv2.imdecode(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])[1], 1)
    r = _check(frame)
    assert r.print_share is not None and r.print_share < QualityThresholds().min_print_share
    assert "blank" not in r.failed and r.text_height is not None, r
