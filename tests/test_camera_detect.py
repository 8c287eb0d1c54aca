"""find_document: corners on generated frames, rotations, empty desks, the order contract,
and a few real photos (shared realdocs, skipped when absent)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import real_photo

from camera.detect import detect_document, find_document, order_corners, track_document


def _card(w: int = 856, h: int = 540, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    card = np.full((h, w, 3), (235, 228, 222), np.uint8)
    cv2.rectangle(card, (int(w * 0.7), int(h * 0.15)), (int(w * 0.93), int(h * 0.65)),
                  (180, 180, 185), -1)
    for i in range(5):
        txt = "".join(rng.choice(list("ABCDEFGHJKLMNPRSTUVWXYZ0123456789 "), 18))
        cv2.putText(card, txt, (int(w * 0.05), int(h * (0.18 + i * 0.13))),
                    cv2.FONT_HERSHEY_SIMPLEX, h / 600, (40, 40, 40), 2, cv2.LINE_AA)
    return card


def _desk(size: tuple[int, int], kind: str, seed: int = 0) -> np.ndarray:
    w, h = size
    rng = np.random.default_rng(seed)
    if kind == "wood":
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        g = np.sin((y + 10 * np.sin(x / 90)) / 6)
        img = np.array([60, 100, 150], np.float32) * (0.85 + 0.12 * g)[:, :, None]
    elif kind == "pale":  # the hard one: pale paper on a pale desk
        img = np.full((h, w, 3), (200, 205, 208), np.float32)
    elif kind == "grey":  # close to the grey of the card's photo box
        img = np.full((h, w, 3), (205, 198, 192), np.float32)
    else:
        img = np.full((h, w, 3), (70, 90, 60), np.float32)
    img += rng.normal(0, 3, (h, w, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


def _render(quad: np.ndarray, size=(1280, 720), desk="wood", doc=None) -> np.ndarray:
    doc = _card() if doc is None else doc
    h, w = doc.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    frame = _desk(size, desk)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size)
    warped = cv2.warpPerspective(doc, m, size, flags=cv2.INTER_AREA)
    return np.where(mask[:, :, None] > 127, warped, frame)


def _quad(cx: float, cy: float, w: float, h: float, angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    base = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    return (base @ rot.T + [cx, cy]).astype(np.float32)


def shadow_scene(size: tuple[int, int], soft: float, dark: float, shift: float = 0.0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """A card on a green desk, its left part and the desk beside it under a shadow of the
    given darkness (0..1) whose edge is blurred by soft px; shift moves the shadow right
    (px at 2592 wide). Returns the frame and the card's true corners."""
    k, ky = size[0] / 2592, size[1] / 1944
    truth = _quad(1300 * k, 950 * ky, 1500 * k, 950 * k, 8)
    frame = _render(truth, size=size, desk="green", doc=_card(1712, 1080)).astype(np.float32)
    shade = np.zeros(size[::-1], np.float32)
    outline = (np.array([[300, 200], [1250, 350], [1450, 1900], [500, 1944]]) + [shift, 0]) \
        * [k, ky]
    cv2.fillConvexPoly(shade, outline.astype(np.int32), 1)
    frame *= 1 - dark * cv2.GaussianBlur(shade, (0, 0), soft)[:, :, None]
    return np.clip(frame, 0, 255).astype(np.uint8), truth


def _corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    """Largest distance between matched corners (order-independent match)."""
    t = order_corners(truth)
    return float(np.linalg.norm(found - t, axis=1).max())


def _dim(frame: np.ndarray, exposure: float, seed: int = 0) -> np.ndarray:
    """frame at `exposure` times the light, with a sensor's read noise."""
    noise = np.random.default_rng(seed).normal(0, 2, frame.shape)
    return np.clip(frame * exposure + noise + 0.5, 0, 255).astype(np.uint8)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a32, b32 = np.asarray(a, np.float32), np.asarray(b, np.float32)
    inter, _ = cv2.intersectConvexConvex(a32, b32)
    union = cv2.contourArea(a32) + cv2.contourArea(b32) - inter
    return float(inter / union) if union > 0 else 0.0


@pytest.mark.parametrize("desk", ["wood", "plain", "pale"])
def test_card_corners_within_two_pixels(desk: str) -> None:
    truth = _quad(640, 360, 520, 330, 7)
    truth[1] += (10, -6)  # a little perspective
    found = find_document(_render(truth, desk=desk))
    assert found is not None
    assert found.shape == (4, 2)
    assert _corner_error(found, truth) < 2.0


@pytest.mark.parametrize("angle", [-25, 38, 90, 135, 180])
def test_any_rotation(angle: float) -> None:
    truth = _quad(620, 370, 480, 300, angle)
    found = find_document(_render(truth, desk="plain"))
    assert found is not None
    assert _corner_error(found, truth) < 2.0


def test_clockwise_from_nearest_top_left() -> None:
    truth = _quad(640, 360, 500, 320, 30)  # rotated: no corner is plainly "the top-left"
    found = find_document(_render(truth))
    assert found is not None
    d2 = found[:, 0] ** 2 + found[:, 1] ** 2
    assert int(np.argmin(d2)) == 0
    # clockwise on screen (y down) = positive shoelace sum
    x, y = found[:, 0], found[:, 1]
    assert float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) > 0


def test_order_corners_contract() -> None:
    q = np.array([[100, 300], [400, 320], [90, 20], [420, 10]], np.float32)  # shuffled
    o = order_corners(q)
    assert o.tolist() == [[90, 20], [420, 10], [400, 320], [100, 300]]


@pytest.mark.parametrize("desk", ["wood", "plain", "pale"])
@pytest.mark.parametrize("exposure", [1.0, 0.15])
def test_empty_desk_is_none(desk: str, exposure: float) -> None:
    # (a dim frame is brightened for the search: its noise must not become an edge)
    assert find_document(_dim(_desk((1280, 720), desk, seed=3), exposure)) is None


def test_invalid_input_is_none() -> None:
    assert find_document(np.zeros((8, 8, 3), np.uint8)) is None
    assert find_document(np.zeros((100, 100), np.uint8)) is None
    # a sliver no integer factor fits: halving it must stop before it is nothing
    assert find_document(np.zeros((16, 100_000, 3), np.uint8)) is None


def test_a4_page_portrait_large_frame() -> None:
    page = np.full((1188, 840, 3), 246, np.uint8)
    for i in range(20):
        cv2.putText(page, "LOREM IPSUM DOLOR SIT AMET 1234", (80, 150 + i * 45),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2)
    truth = np.array([[900, 250], [1700, 300], [1650, 1400], [850, 1350]], np.float32)
    frame = _render(truth, size=(2592, 1944), desk="wood", doc=page)
    found = find_document(frame)
    assert found is not None
    assert _corner_error(found, truth) < 3.0


def test_finger_over_an_edge() -> None:
    truth = _quad(640, 360, 520, 330, -5)
    frame = _render(truth, desk="plain")
    # a finger-like blob across the bottom edge
    cv2.ellipse(frame, (600, 525), (28, 70), 10, 0, 360, (120, 150, 200), -1)
    found = find_document(frame)
    assert found is not None
    assert iou(found, truth) > 0.97


def test_refine_quad_puts_each_side_on_its_edge() -> None:
    # a card of unequal sides at an angle; each corner of the start 2-3 px off, differently:
    # the four sides are fitted (all at once) and meet at the card's corners
    from camera.detect import refine_quad

    truth = _quad(640, 360, 520, 330, 7)
    frame = _render(truth, desk="green")
    start = truth + np.array([[2.5, -2.0], [-2.0, -3.0], [3.0, 2.0], [-2.5, 2.5]])
    for img in (frame, cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)):  # colour and grey frames
        got = refine_quad(img, start, radius=6.0)
        assert np.abs(got - truth).max() < 1.0
    # nothing to fit: a quad with a NaN or two corners in one place comes back as it went in
    for bad in (np.where(np.arange(8).reshape(4, 2) == 3, np.nan, truth), truth[[0, 0, 2, 3]]):
        assert refine_quad(frame, bad, radius=6.0) is bad


def test_confidence_and_tracking_refit() -> None:
    truth = _quad(640, 360, 520, 330, 4)
    det = detect_document(_render(truth))
    assert det is not None and 0.5 < det.score <= 1.0
    moved = truth + np.array([6.0, -4.0], np.float32)
    again = track_document(_render(moved), det.corners)
    assert again is not None
    assert _corner_error(again.corners, moved) < 2.0
    assert track_document(_desk((1280, 720), "wood"), det.corners) is None


@pytest.mark.parametrize("index", [0, 1, 3, 4])
def test_real_photos_smartdoc(index: int) -> None:
    frame, e = real_photo("smartdoc2015", index)
    found = find_document(frame)
    assert found is not None
    assert iou(found, np.array(e["corners"], np.float32)) >= 0.95


@pytest.mark.parametrize("index", [2, 5, 14])
def test_real_photos_top_sheet_of_a_stack_under_a_cable(index: int) -> None:
    # a cable crosses a stack of sheets whose edges over one another are faint: no quad has
    # enough edge evidence (none at all, or only weak quads inside or beside the stack), so
    # the paper-coloured region stands in, reported with low confidence
    frame, e = real_photo("smartdoc2015", index)
    det = detect_document(frame)
    assert det is not None
    assert iou(det.corners, np.array(e["corners"], np.float32)) >= 0.8
    assert det.score < 0.5


DATA = Path(__file__).resolve().parent / "data"


def _find_stored(name: str) -> tuple[np.ndarray, np.ndarray]:
    """find_document on a frame stored in tests/data, and its true corners (frames.json)."""
    truth = json.loads((DATA / "frames.json").read_text())[name]
    found = find_document(cv2.imread(str(DATA / name)))
    assert found is not None, f"no document found in {name}"
    return found, np.array(truth["corners"], np.float32)


@pytest.mark.parametrize("name", ["docgen_s7_0020.jpg", "docgen_s4_0074.jpg"])
def test_page_among_clean_boxes_on_a_cluttered_desk(name: str) -> None:
    # two frames from the shared generator (held-out seeds): a blurred certificate and a page
    # crossed by sticks, with clean coloured boxes about. The boxes outscore the page's partial
    # quads on edge evidence, so the page's own colour region must be grown from the best
    # quads by size and lightness too, not from the best three by edges alone
    found, truth = _find_stored(name)
    assert _corner_error(found, truth) < 4.0


@pytest.mark.parametrize("desk", ["plain", "pale", "wood"])
@pytest.mark.parametrize("place", [(1050, 560, 5), (200, 150, 4)])
def test_card_off_a_corner_of_the_view_is_reported_cut_off(desk: str, place: tuple) -> None:
    # one corner of the card (bottom right), or three (all but the bottom right), lie outside
    # the view: what is seen is a quad with two adjacent sides on the frame's edges. It must
    # be found as such (the polish must not drag those sides off the border, where there is
    # no edge) and the gate must say so, not pass a box printed on the card as the document
    from camera.pipeline import process_image

    cx, cy, angle = place
    truth = _quad(cx, cy, 700, 441, angle)
    frame = _render(truth, desk=desk)
    inside, visible = cv2.intersectConvexConvex(
        truth, np.float32([[0, 0], [1279, 0], [1279, 719], [0, 719]]))
    assert inside > 0
    found = find_document(frame)
    assert found is not None
    assert iou(found, visible.reshape(-1, 2)) > 0.95
    assert "cut_off" in process_image(frame).quality.failed


@pytest.mark.parametrize("gap", [4, 8])
def test_card_a_few_pixels_from_a_corner_of_the_view_is_in_full_view(gap: int) -> None:
    # square to the frame, its top and left edges a few px from the frame's: the quad in
    # full view scores better than the same quad taken as cut off, so it is not cut off
    from camera.pipeline import process_image

    truth = _quad(0, 0, 600, 380, 0.0)
    truth -= truth.min(axis=0) - gap
    frame = _render(truth, desk="plain")
    found = find_document(frame)
    assert found is not None
    assert _corner_error(found, truth) < 2.0
    assert "cut_off" not in process_image(frame).quality.failed


@pytest.mark.parametrize("grey", [150, 180])
@pytest.mark.parametrize("wider, shift", [(1.15, 0), (0.85, 0), (1.0, 60)])
def test_page_on_a_grey_sheet_ends_at_its_own_edge(grey: int, wider: float, shift: int
                                                    ) -> None:
    # a white page on a grey sheet that sticks out below it: darker with the same (no) hue,
    # as the page's lower part in a shadow would be, but its sides do not go on from the
    # page's, so it is not more of the page. (A grey sheet touching the page with its sides
    # within about 1 % of the page's cannot be told from the page in shadow by colour, and
    # is taken with it; so is one beside it, aligned as closely)
    truth = _quad(640, 400, 430, 600, 0)
    under = _quad(640 + shift, 570, 430 * wider, 600, 0)
    frame = _desk((1280, 960), "plain")
    cv2.fillConvexPoly(frame, under.astype(np.int32), (grey, grey, grey))
    cv2.fillConvexPoly(frame, truth.astype(np.int32), (238, 238, 238))
    found = find_document(frame)
    assert found is not None
    assert iou(found, truth) > 0.97


def test_card_near_the_frame_edge_is_not_taken_for_a_cut_off_page() -> None:
    # a card above the frame's bottom edge on a checked cloth, a shadow across both (held-out
    # docgen seed 7 #184): a quad from the card's top down to the frame's edge looks like a
    # page cut off by the frame with the card inside it, but what it adds is the cloth
    found, truth = _find_stored("docgen_s7_0184.jpg")
    assert _corner_error(found, truth) < 4.0


# Frames stored in tests/data that the detector once got wrong, each with what went wrong
# and the IoU it must now reach.
_STORED = [
    # a page in full view near the frame's edge on a desk covered in print (made by
    # scripts/desk_variants.py): its sides drawn on to the frame's edge cross rows of dashes
    # (steps of both signs, not an edge going on), or add a sliver with weaker edges; the
    # page in view is the find, not a page the frame cuts off
    pytest.param("desk_newspaper_s5_0027.jpg", 0.95, id="print_desk_page_not_cut_off_27"),
    pytest.param("desk_newspaper_s5_0029.jpg", 0.95, id="print_desk_page_not_cut_off_29"),
    # a certificate with a printed double border on a veined stone desk (made by
    # scripts/desk_variants.py): the crispest quad ends along a line of text; its sides go
    # on past it to the paper's edge, broken by gaps of one or two pieces (before, a gap of
    # two stopped the slide short of the edge)
    pytest.param("desk_stone_s5_0008.jpg", 0.95, id="stone_certificate_slides_past_border"),
    # docgen seed 21 #90: a text page with sticks across its edges (score 0.77) and a plain
    # khaki box on the green desk (0.97): size and edges tied them, and the box won. A
    # document carries print; a quad with nothing inside is damped
    pytest.param("docgen_s21_0090.jpg", 0.95, id="page_among_sticks_beats_plain_box"),
    # a certificate near the left edge of the view on a desk covered in print (made by
    # scripts/desk_variants.py, seed 7 #20): its edges are weak there, and the region of its
    # paper's colour leaked into the desk out to the frame's edge; that region is no page
    pytest.param("desk_newspaper_s7_0020.jpg", 0.95, id="paper_coloured_desk_not_the_page"),
    # docgen seed 61 #82: an ID card on a pale desk under glare; the find runs from the
    # card's top and right edges to the photo box's left and bottom edges. The left side
    # slides out to the card's edge; only then does the bottom side have neighbours going
    # on down the card (with one look at each side, the slide-out ended at 0.68-0.69)
    pytest.param("docgen_s61_0082.jpg", 0.8, id="card_cut_at_photo_box_slides_two_sides"),
    # docgen seed 61 #134: an ID card on a pale desk, found down to a text line; the card's
    # edge below it steps 4 grey levels in luma. The sides are 80 px long in the working
    # copy and the find's were 2 degrees off the card's: followed past the cut, they left
    # the edge within 30 px and the slide-out stopped at the number line (0.69). Fitted to
    # the edge first, they follow it to the card's corners
    pytest.param("docgen_s61_0134.jpg", 0.95, id="card_cut_at_text_slides_on_fitted_sides"),
]


@pytest.mark.parametrize("name, least", _STORED)
def test_stored_frame_is_found(name: str, least: float) -> None:
    found, truth = _find_stored(name)
    assert iou(found, truth) > least


@pytest.mark.parametrize("index", [9, 10])
def test_real_page_cut_off_by_the_frames_bottom_is_reported_cut_off(index: int) -> None:
    # a SmartDoc frame with its bottom cut away through the page (15 % of its height out of
    # view): the best find ends on a line of text; its sides go on, whole, to the frame's
    # edge, so the find does too, and the quality gate can say the page is cut off (before,
    # the find ended at the text, IoU 0.65, with no corner near the frame's edge: a part of
    # the page would have been captured as if it were all of it)
    from camera.quality import QualityThresholds

    frame, e = real_photo("smartdoc2015", index)
    truth = np.array(e["corners"], np.float32)
    bottom = int(truth[:, 1].max() - 0.15 * np.ptp(truth[:, 1]))
    frame = np.ascontiguousarray(frame[:bottom])
    h, w = frame.shape[:2]
    found = find_document(frame)
    assert found is not None
    margin = np.minimum.reduce([found[:, 0], found[:, 1], w - 1 - found[:, 0],
                                h - 1 - found[:, 1]]).min() / min(w, h)
    assert margin <= QualityThresholds().corner_margin
    _, seen = cv2.intersectConvexConvex(truth, np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1],
                                                           [0, h - 1]]))
    inter, _ = cv2.intersectConvexConvex(found.astype(np.float32), seen.reshape(-1, 2))
    union = cv2.contourArea(found.astype(np.float32)) + cv2.contourArea(seen) - inter
    assert inter / union > 0.95


def test_real_photo_phone() -> None:
    frame, e = real_photo("synthdocs", 0)
    found = find_document(frame)
    assert found is not None
    assert iou(found, np.array(e["corners"], np.float32)) >= 0.95


@pytest.mark.parametrize("exposure", [0.3, 0.2, 0.15])
def test_pale_card_in_dim_light_is_found(exposure: float) -> None:
    # a dim room or a slow auto-exposure: the card must be found (the quality gate then says
    # "too dark"), not reported as no document at all
    truth = _quad(640, 360, 520, 330, 7)
    found = find_document(_dim(_render(truth, desk="pale"), exposure))
    assert found is not None
    assert _corner_error(found, truth) < 2.0


def test_the_finer_look_at_a_dim_frame_is_brightened_like_the_working_copy() -> None:
    # (edges are judged by the same step thresholds at both resolutions)
    from camera.detect import _fine_patch, _prepare

    size = (2592, 1944)
    truth = _quad(1296, 972, 1040, 660, 7)
    frame = _dim(_render(truth, size=size, desk="pale", doc=_card(1712, 1080)), 0.2)
    wk = _prepare(frame, 640)
    assert wk.gain > 3.0
    quad = (truth + 0.5) * [wk.sx, wk.sy] - 0.5
    fine, _ = _fine_patch(frame, wk, quad[None].astype(np.float64))
    assert fine.gain == wk.gain
    work_top, fine_top = (np.percentile(w.feat[..., 0], 99) for w in (wk, fine))
    assert abs(fine_top - work_top) < 8, (fine_top, work_top)


def test_real_phone_photo_in_dim_light() -> None:
    frame, e = real_photo("synthdocs", 2)  # a white receipt on a white desk
    found = find_document(_dim(frame, 0.4))
    assert found is not None
    assert iou(found, np.array(e["corners"], np.float32)) >= 0.95


def _pale_page_frame(desk_bottom: float, angle: float = 6.0, desk_top: float = 190.0,
                     tint: float = 0.97) -> tuple[np.ndarray, np.ndarray]:
    """A text page on a pale desk (its blue times tint) that brightens from desk_top to
    desk_bottom, where the page's edge fades to a step of a few grey levels."""
    page = np.full((1188, 840, 3), 246, np.uint8)
    for i in range(22):
        cv2.putText(page, "LOREM IPSUM DOLOR SIT AMET 1234", (60, 120 + i * 48),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.9, (40, 40, 40), 2)
    truth = _quad(640, 360, 380, 540, angle)
    w, h = 1280, 720
    src = np.array([[0, 0], [840, 0], [840, 1188], [0, 1188]], np.float32)
    m = cv2.getPerspectiveTransform(src, truth)
    yy = np.mgrid[0:h, 0:w][0].astype(np.float32) / h
    desk = ((desk_top + (desk_bottom - desk_top) * yy)[:, :, None]
            * np.array([1.0, 1.0, tint], np.float32))
    mask = cv2.warpPerspective(np.full((1188, 840), 255, np.uint8), m, (w, h))
    warped = cv2.warpPerspective(page, m, (w, h), flags=cv2.INTER_AREA).astype(np.float32)
    frame = np.where(mask[:, :, None] > 127, warped, desk)
    frame += np.random.default_rng(0).normal(0, 2, (h, w, 1))
    return np.clip(frame, 0, 255).astype(np.uint8), truth


@pytest.mark.parametrize("angle", [6.0, 33.0])
def test_white_page_on_a_white_sheet_is_found_by_its_faint_edge(angle: float) -> None:
    # a page at 246 on a white sheet at 240 all round (pale paper on paler paper, even
    # light): its edge steps 6 grey levels, in noise of 2. Under a floor of 8 levels no side
    # had an edge, and no document was found
    frame, truth = _pale_page_frame(240, angle, desk_top=240, tint=1.0)
    desk = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    inside = cv2.fillConvexPoly(np.zeros_like(desk), truth.astype(np.int32), 1) > 0
    ring = cv2.dilate(inside.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    step = np.median(desk[inside & (desk > 200)]) - np.median(desk[ring & ~inside])
    assert 4 <= step <= 8, step  # (the frame is what the test says)
    found = find_document(frame)
    assert found is not None
    assert iou(found, truth) > 0.97


@pytest.mark.parametrize("desk_bottom", [220, 240])
@pytest.mark.parametrize("frac", [0.3, 0.6])
def test_quad_cut_along_text_slides_out_to_the_faint_edge(desk_bottom: float,
                                                          frac: float) -> None:
    from camera.detect import WORK_SIDE, _prepare, _uncut

    frame, truth = _pale_page_frame(desk_bottom)
    wk = _prepare(frame, WORK_SIDE)
    t = np.stack([(truth[:, 0] + 0.5) * wk.sx - 0.5, (truth[:, 1] + 0.5) * wk.sy - 0.5], 1)
    t = order_corners(t).astype(np.float64)
    cut = t.copy()  # the top part only, cut across the text
    cut[3] = t[0] + frac * (t[3] - t[0])
    cut[2] = t[1] + frac * (t[2] - t[1])
    assert iou(_uncut(wk, cut), t) > 0.98
    assert iou(_uncut(wk, t), t) > 0.995  # a whole page stays as it is


def test_quad_cut_along_text_of_a_page_ending_just_inside_the_frame_stays_off_its_edge() -> None:
    # the page's lower corner is 6 px above the frame's bottom edge, the other one ~50 px:
    # the sides run on down the page almost to the edge, but one of them runs over desk for
    # its last stretch; the cut side slides out to the page's own bottom edge, not onto the
    # frame's edge (which would call a page in full view cut off)
    from camera.detect import WORK_SIDE, _prepare, _uncut

    frame, truth = _pale_page_frame(220)
    frame = np.ascontiguousarray(frame[:int(truth[:, 1].max() + 6)])
    wk = _prepare(frame, WORK_SIDE)
    t = np.stack([(truth[:, 0] + 0.5) * wk.sx - 0.5, (truth[:, 1] + 0.5) * wk.sy - 0.5], 1)
    t = order_corners(t).astype(np.float64)
    cut = t.copy()
    cut[3], cut[2] = t[0] + 0.5 * (t[3] - t[0]), t[1] + 0.5 * (t[2] - t[1])
    assert iou(_uncut(wk, cut), t) > 0.99


@pytest.mark.parametrize("dark", [0.45, 0.6])
@pytest.mark.parametrize("frac", [0.4, 0.6])
def test_quad_cut_by_a_shadow_slides_out_through_it(dark: float, frac: float) -> None:
    # a sharp shadow across the page and the desk (an arm, the camera's head): the lit part
    # of the page has four clean edges; its sides go on in the shadow as the same edge in
    # less light, so the quad slides out to the page's far edge
    from camera.detect import WORK_SIDE, _prepare, _uncut

    frame, truth = _pale_page_frame(200)
    h, w = frame.shape[:2]
    t = order_corners(truth).astype(np.float64)
    a, b = t[0] + frac * (t[3] - t[0]), t[1] + frac * (t[2] - t[1])
    far = (b - a) / np.linalg.norm(b - a) * 2 * w
    shade = np.zeros((h, w), np.float32)
    cv2.fillConvexPoly(shade, np.array([a - far, b + far, [3 * w, 3 * h], [-2 * w, 3 * h]],
                                       np.int32), 1)
    frame = frame * (1 - dark * cv2.GaussianBlur(shade, (0, 0), 1.5)[:, :, None])
    wk = _prepare(np.clip(frame, 0, 255).astype(np.uint8), WORK_SIDE)
    t = np.stack([(t[:, 0] + 0.5) * wk.sx - 0.5, (t[:, 1] + 0.5) * wk.sy - 0.5], 1)
    lit = t.copy()
    lit[3], lit[2] = t[0] + frac * (t[3] - t[0]), t[1] + frac * (t[2] - t[1])
    assert iou(_uncut(wk, lit), t) > 0.98
    assert iou(_uncut(wk, t), t) > 0.995


def test_uncut_leaves_a_card_on_wood_alone() -> None:
    from camera.detect import WORK_SIDE, _prepare, _uncut

    truth = _quad(640, 360, 520, 330, 7)
    wk = _prepare(_render(truth, desk="wood"), WORK_SIDE)
    t = np.stack([(truth[:, 0] + 0.5) * wk.sx - 0.5, (truth[:, 1] + 0.5) * wk.sy - 0.5], 1)
    t = order_corners(t).astype(np.float64)
    assert iou(_uncut(wk, t), t) > 0.995


def test_page_on_a_mat_the_frame_cuts_off_is_the_page() -> None:
    # a dark desk mat runs off the frame's left edge; the page lies on it in full view
    rng = np.random.default_rng(0)
    frame = np.full((1080, 1920, 3), 40, np.uint8)
    cv2.fillPoly(frame, [np.int32([[0, 60], [1500, 80], [1480, 1020], [0, 1000]])], (120, 110, 90))
    page = np.float32([[500, 250], [1100, 260], [1090, 850], [490, 840]])
    cv2.fillPoly(frame, [page.astype(np.int32)], (235, 235, 230))
    frame = np.clip(frame + rng.normal(0, 3, frame.shape), 0, 255).astype(np.uint8)
    found = find_document(frame)
    assert found is not None and iou(found, page) > 0.97


@pytest.mark.parametrize("desk", ["plain", "grey"])
def test_card_running_off_the_frame_ends_on_its_edge(desk: str) -> None:
    # (on the grey desk, what the cut quad adds to the card up to its photo box is mostly
    # that box, as grey as the desk: the card's edges going on past it decide)
    truth = _quad(1000, 360, 700, 441, 3)  # its right part is beyond x = 1280
    det = detect_document(_render(truth, desk=desk))
    assert det is not None
    assert det.corners[:, 0].max() <= 1279 and det.corners[:, 0].max() >= 1276
    visible = np.clip(truth, 0, [1279, 719])
    assert iou(det.corners, visible) > 0.9
    moved = truth + np.float32([-5, 3])  # and the live loop keeps it
    again = track_document(_render(moved, desk=desk), det.corners)
    assert again is not None and again.corners[:, 0].max() <= 1279


@pytest.mark.parametrize("desk", ["plain", "grey"])
def test_card_too_tall_for_the_view_is_found_between_top_and_bottom(desk: str) -> None:
    # the frame cuts the card at the top and at the bottom: the find must be the card (its
    # left and right edges, the frame's top and bottom), not the photo box printed on it
    truth = _quad(640, 360, 1240, 781, 3)
    det = detect_document(_render(truth, desk=desk))
    assert det is not None
    frame = np.float32([[0, 0], [1279, 0], [1279, 719], [0, 719]])
    _, visible = cv2.intersectConvexConvex(truth, frame)
    assert iou(det.corners, visible.reshape(-1, 2)) > 0.9
    assert det.corners[:, 1].min() <= 1 and det.corners[:, 1].max() >= 718


def test_shadow_across_a_card_in_a_5mp_frame_is_not_its_edge() -> None:
    # a shadow (an arm, the camera's post) covers the left part of a card and the desk. Its
    # edge is soft over ~20 px of a 5 MP frame but sharp in the 640-px working copy, so the
    # card's shadowed half and the shadow's own outline look like clean quads there; only at
    # twice the resolution is the shadow's edge soft and the card's sharp
    # (scripts/shadow_sweep.py varies this scene)
    frame, truth = shadow_scene((2592, 1944), soft=8.0, dark=0.45)
    found = find_document(frame)
    assert found is not None
    assert _corner_error(found, truth) < 3.0


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_sharp_shadow_across_a_card_on_a_green_desk_is_not_its_edge(size) -> None:
    # the same, with a shadow edge of 3 px: as sharp as the card's own edges at every
    # resolution. A shadow darkens, it does not change the hue: in chromaticity (chroma /
    # luma) the card keeps its outline against the green desk and the shadow has none
    frame, truth = shadow_scene(size, soft=3.0, dark=0.4)
    found = find_document(frame)
    assert found is not None
    assert _corner_error(found, truth) < 3.0
