"""camera.quality: the gates fire on blurred, glared, dark, small and cut-off captures only."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pydantic
import pytest

from camera.quality import REASON_CODES, QualityThresholds, check_quality
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
