"""camera.pipeline.process_image end to end, and camera.straighten's geometry."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import page_on_desk, real_photo
from PIL import Image, ImageDraw, ImageFont

from camera.pipeline import Processed, process_image, rotate
from camera.quality import QualityThresholds
from camera.straighten import PAPER_SIZES_MM, order_quad, straighten

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXT = ("the candidate completed the clinical training period at this hospital and passed "
        "the assessment of the department signed by the director with the seal")
WORDS = TEXT.split()


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def render_a4(seed: int = 0) -> np.ndarray:
    """An upright A4 page (1240 × 1754): centred title, left-aligned lowercase text."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (1240, 1754), (244, 243, 238))
    d = ImageDraw.Draw(img)
    f = _font(70)
    d.text(((1240 - d.textlength("Proof of Training", font=f)) / 2, 140), "Proof of Training",
           fill=(10, 10, 10), font=f)
    f = _font(34)
    for i in range(22):
        line = " ".join(rng.choice(WORDS, rng.integers(5, 11)))
        d.text((150, 330 + 58 * i), line, fill=(25, 25, 25), font=f)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def on_desk(page: np.ndarray, quad: np.ndarray, size=(1920, 1080)) -> np.ndarray:
    """`page` (its top-left corner first in `quad`) photographed on a dark wooden desk."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    grain = np.sin((yy + 20 * np.sin(xx / 150)) / 7)[:, :, None]
    desk = (np.array([45, 75, 120], np.float32) * (0.85 + 0.15 * grain)).astype(np.uint8)
    ph, pw = page.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]),
                                    np.float32(quad))
    warped = cv2.warpPerspective(page, m, (w, h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (w, h))
    frame = np.where(mask[:, :, None] > 127, warped, desk).astype(np.float32)
    frame += np.random.default_rng(0).normal(0, 3, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


def _iou(a: np.ndarray, b: np.ndarray, size=(1920, 1080)) -> float:
    ma = np.zeros(size[::-1], np.uint8)
    mb = np.zeros_like(ma)
    cv2.fillPoly(ma, [np.round(a).astype(np.int32)], 1)
    cv2.fillPoly(mb, [np.round(b).astype(np.int32)], 1)
    return np.count_nonzero(ma & mb) / np.count_nonzero(ma | mb)


UPRIGHT_QUAD = np.float32([[700, 120], [1340, 140], [1320, 1010], [690, 990]])


def test_page_on_desk_found_straightened_upright():
    frame = on_desk(render_a4(), UPRIGHT_QUAD)
    p = process_image(frame, paper="a4")
    assert isinstance(p, Processed)
    assert p.found and p.quad is not None and p.quad.shape == (4, 2)
    assert _iou(p.quad, UPRIGHT_QUAD) > 0.95
    assert p.rotation == 0
    assert len(p.jpeg) <= 200_000 and p.jpeg[:2] == b"\xff\xd8"
    out = cv2.imdecode(np.frombuffer(p.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert out.shape[:2] == (p.height, p.width)
    assert abs(p.height / p.width - 297 / 210) < 0.01  # A4's own aspect, not the quad's
    assert p.quality.failed == [], p.quality
    json.dumps(p.quality.to_dict())


def test_page_lying_sideways_is_turned_upright():
    # the page's own top-left corner is at the frame's bottom-left: it lies turned 90° ccw
    quad = np.float32([[520, 1000], [560, 180], [1500, 200], [1480, 1020]])
    frame = on_desk(render_a4(1), quad)
    p = process_image(frame, paper="a4")
    assert p.found
    assert p.rotation == 90
    assert p.height > p.width  # portrait again
    out = cv2.imdecode(np.frombuffer(p.jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    # the title sits in the top part of an upright page
    ink = (out < 128).sum(axis=1)
    assert ink[: len(ink) // 8].sum() > 0


CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def render_card_back() -> np.ndarray:
    """The back of an ID card as a few short lines of Chinese at the top left and an empty
    box on the right (1712 x 1080): little text to tell which way its lines run."""
    img = Image.new("RGB", (1712, 1080), (235, 240, 245))
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(CJK, 60)
    for i, line in enumerate(("中华人民共和国", "居民身份证", "签发机关 某某公安局",
                              "有效期限 2015.01.01-2035.01.01")):
        d.text((100, 100 + 120 * i), line, fill=(20, 20, 20), font=f)
    d.rectangle((1200, 150, 1600, 650), outline=(60, 60, 60), width=6)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def card_photo(card: np.ndarray, quad: np.ndarray, seed: int) -> np.ndarray:
    """A 12 MP JPEG photo of `card` at `quad` on a dark desk with noise of `seed`."""
    rng = np.random.default_rng(seed)
    frame = np.clip(rng.normal((40, 45, 50), 6, (2448, 3264, 3)), 0, 255).astype(np.uint8)
    h, w = card.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
    warped = cv2.warpPerspective(card, m, (3264, 2448))
    inside = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (3264, 2448)) > 0
    frame[inside] = warped[inside]
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


@pytest.mark.skipif(not Path(CJK).exists(), reason="no Chinese font on this machine")
@pytest.mark.parametrize("seed", range(12))
def test_an_id_card_always_comes_out_landscape(seed: int) -> None:
    # a 12 MP photo of a card back: asked for the text's axis, 4 of these 12 came out
    # turned a quarter (its few short lines read as periodic across as along them)
    quad = np.float32([[700, 600], [2550, 650], [2500, 1800], [650, 1720]])
    turns = seed % 4  # the card turned on the desk by this many quarters clockwise
    centre = np.float32([1632, 1224])
    for _ in range(turns):
        quad = (quad - centre) @ np.float32([[0, 1], [-1, 0]]) + centre
    p = process_image(card_photo(render_card_back(), quad, seed), paper="id_card")
    assert p.found
    assert p.width > p.height, p.rotation
    assert p.rotation == (360 - 90 * turns) % 360, p.rotation


def test_a_page_given_as_an_id_card_is_not_turned_to_lie_across() -> None:
    # an A4 page (a temporary ID certificate, say) captured as the ID document: said to be
    # the wrong size, and kept upright as the page it is, not turned onto its side
    frame, _ = real_photo("smartdoc2015", 6)
    p = process_image(frame, paper="id_card")
    assert "wrong_size" in p.quality.failed
    assert p.height > p.width and p.rotation == 0, (p.width, p.height, p.rotation)


def test_flat_scan_taken_whole():
    page = render_a4(2)
    p = process_image(page, paper="a4", max_bytes=120_000)
    assert not p.found and p.quad is None
    assert len(p.jpeg) <= 120_000
    assert abs(p.height / p.width - page.shape[0] / page.shape[1]) < 0.01
    assert p.rotation == 0
    assert "small" not in p.quality.failed and "cut_off" not in p.quality.failed


def test_flat_scan_upside_down_is_turned():
    p = process_image(cv2.rotate(render_a4(3), cv2.ROTATE_180))
    assert not p.found and p.rotation == 180


def test_blurred_capture_reported_not_refused():
    frame = cv2.GaussianBlur(on_desk(render_a4(), UPRIGHT_QUAD), (0, 0), 5)
    p = process_image(frame, paper="a4", thresholds=QualityThresholds())
    assert "blur" in p.quality.failed and "blank" not in p.quality.failed
    assert len(p.jpeg) <= 200_000


@pytest.mark.parametrize("index", [0, 9])
def test_a_sheet_face_down_is_found_and_reported_blank(index: int) -> None:
    # a real photo with its page turned over: the sheet's own paper colour and light, no print
    frame, e = real_photo("smartdoc2015", index)
    assert "blank" not in process_image(frame, "a4").quality.failed
    sheet = np.zeros(frame.shape[:2], np.uint8)
    cv2.fillConvexPoly(sheet, np.int32(e["corners"]), 1)
    back = frame.copy()
    back[sheet > 0] = np.median(frame[sheet > 0], axis=0)
    p = process_image(cv2.GaussianBlur(back, (0, 0), 0.8), "a4")
    assert p.found and p.quality.failed == ["blank"], p.quality


@pytest.mark.parametrize("soft", [1.5, 2.0, 3.0])
def test_a_soft_photo_of_a_white_page_is_not_glare(soft: float) -> None:
    # paper at the clip level, the photo a little out of focus: the print smears to grey
    # bands between white paper; nothing is reflected, so no "glare" besides any "blur"
    frame = cv2.GaussianBlur(page_on_desk(7, size=(960, 720), paper=(420, 560)), (0, 0), soft)
    r = process_image(frame)
    assert r.found and "glare" not in r.quality.failed, r.quality


@pytest.mark.parametrize("paper", ["id_card", "a4"])
def test_straighten_follows_paper_aspect(paper):
    w_mm, h_mm = PAPER_SIZES_MM[paper]
    ratio = max(w_mm, h_mm) / min(w_mm, h_mm)
    frame = np.full((1080, 1920, 3), 128, np.uint8)
    # a quad whose measured sides are deliberately off the true aspect (perspective)
    landscape = np.float32([[300, 200], [1500, 260], [1480, 900], [320, 980]])
    out = straighten(frame, landscape, paper)
    h, w = out.shape[:2]
    assert w > h and abs(w / h - ratio) < 0.01
    portrait = np.float32([[700, 100], [1200, 120], [1180, 1000], [690, 980]])
    h, w = straighten(frame, portrait, paper).shape[:2]
    assert h > w and abs(h / w - ratio) < 0.01


def test_straighten_sizes_for_legibility():
    frame = np.full((3000, 4000, 3), 200, np.uint8)
    big_a4 = np.float32([[500, 100], [2600, 120], [2580, 2900], [520, 2950]])
    h, w = straighten(frame, big_a4, "a4").shape[:2]
    assert 1240 <= max(h, w) <= 1700
    small_card = np.float32([[100, 100], [400, 100], [400, 290], [100, 290]])
    h, w = straighten(frame, small_card, "id_card").shape[:2]
    assert max(h, w) <= 400 * 1.3  # not blown up far beyond what the camera saw


def test_straighten_without_paper_uses_measured_sides():
    frame = np.full((1000, 1000, 3), 200, np.uint8)
    quad = np.float32([[100, 100], [700, 100], [700, 400], [100, 400]])
    h, w = straighten(frame, quad).shape[:2]
    assert abs(w / h - 2.0) < 0.02


def test_order_quad_and_rotate():
    q = np.float32([[10, 90], [10, 10], [90, 10], [90, 90]])
    assert order_quad(q).tolist() == [[10, 10], [90, 10], [90, 90], [10, 90]]
    img = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert rotate(img, 90).shape == (3, 2) and rotate(img, 90)[0, 0] == 3
    assert rotate(img, 270)[0, 0] == 2 and rotate(img, 0) is img


def test_page_running_off_the_frame_is_reported_cut_off():
    # the page's right part lies outside the view: the find follows the visible part up to
    # the frame's edge (not a box printed inside it), and the gate tells the candidate
    quad = np.float32([[1150, 130], [2050, 150], [2030, 1000], [1130, 980]])
    p = process_image(on_desk(render_a4(), quad), paper="a4")
    assert p.found
    visible = np.clip(quad, 0, [1919, 1079])
    assert _iou(p.quad, visible) > 0.9
    assert "cut_off" in p.quality.failed


def _projected(w_mm: float, h_mm: float, tilt_deg: float, turn_deg: float,
               f: float = 1500.0, size=(1920, 1080), dist: float = 650.0) -> np.ndarray:
    """The corners of a w x h mm rectangle as a pinhole camera (focal f px, principal point at
    the frame's centre) sees it, tilted about its horizontal axis and turned in its plane."""
    t, r = np.radians(tilt_deg), np.radians(turn_deg)
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    pts = np.array([[-w_mm, -h_mm, 0], [w_mm, -h_mm, 0], [w_mm, h_mm, 0], [-w_mm, h_mm, 0]]) / 2
    cam = pts @ (rx @ rz).T + [0, 0, dist]
    return np.float32(cam[:, :2] / cam[:, 2:] * f + np.array(size) / 2)


def test_proportions_follow_the_perspective_not_the_sides():
    from camera.straighten import aspect_ratio, measured_size

    quad = _projected(210, 297, tilt_deg=40, turn_deg=25)  # both pairs of sides converge
    mw, mh = measured_size(quad)
    assert abs(mh / mw / (297 / 210) - 1) > 0.08  # the sides alone are well off
    assert abs(aspect_ratio(quad, (1920, 1080)) / (297 / 210) - 1) < 0.01
    # one pair nearly parallel (turned 8 degrees): the typical focal length stands in
    turned = _projected(210, 297, tilt_deg=40, turn_deg=8)
    assert abs(aspect_ratio(turned, (1920, 1080)) / (297 / 210) - 1) < 0.04
    # square to a camera tilted towards it (a pair of sides parallel: the focal length
    # cannot be told from the quad, a typical one stands in; the true one here is 1500)
    square = _projected(210, 297, tilt_deg=40, turn_deg=0)
    assert abs(aspect_ratio(square, (1920, 1080)) / (297 / 210) - 1) < 0.05
    # seen straight down the sides are right, and the same comes out
    flat = _projected(210, 297, tilt_deg=0, turn_deg=0)
    assert abs(aspect_ratio(flat, (1920, 1080)) / (297 / 210) - 1) < 0.01
    # corners in any order; a degenerate quad gives a number, not an exception
    assert aspect_ratio(quad[::-1], (1920, 1080)) == pytest.approx(aspect_ratio(quad, (1920, 1080)))
    line = np.float32([[100, 100], [900, 100], [900, 100], [100, 100]])
    assert np.isfinite(aspect_ratio(line, (1920, 1080))) and aspect_ratio(line) > 0
    h, w = straighten(np.zeros((1080, 1920, 3), np.uint8), quad).shape[:2]
    assert abs(h / w / (297 / 210) - 1) < 0.02


def _card() -> np.ndarray:
    """An ID-1 card (85.6 x 54 mm at 10 px/mm) with a few lines of print."""
    img = Image.new("RGB", (856, 540), (236, 232, 220))
    d = ImageDraw.Draw(img)
    f = _font(34)
    for i, line in enumerate(["NAME  WANG XIAOMING", "SEX  M   NATION  HAN",
                              "BORN  1998 01 05", "ADDRESS  BEIJING HAIDIAN"]):
        d.text((60, 70 + 80 * i), line, fill=(30, 30, 30), font=f)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def test_card_where_a_page_is_expected_is_reported():
    quad = np.float32([[560, 290], [1360, 300], [1355, 805], [555, 795]])
    frame = on_desk(_card(), quad)
    wrong = process_image(frame, paper="a4")
    assert "wrong_size" in wrong.quality.failed, wrong.quality
    assert wrong.quality.aspect_error > 0.1
    # the paper's proportions are kept all the same (an estimate from a photo can be off; a
    # wrong document is for the candidate to see and retake)
    assert abs(wrong.width / wrong.height / (297 / 210) - 1) < 0.01
    right = process_image(frame, paper="id_card")
    assert "wrong_size" not in right.quality.failed and right.quality.aspect_error < 0.03
    assert abs(right.width / right.height / (85.6 / 54) - 1) < 0.01


def test_tilted_real_photo_keeps_the_pages_proportions():
    frame, e = real_photo("smartdoc2015", 4)  # its sides measure 1:1.09
    h, w = straighten(frame, np.float32(e["corners"])).shape[:2]
    assert abs(h / w / (297 / 210) - 1) < 0.06  # an A4 page in a hand-held photo
