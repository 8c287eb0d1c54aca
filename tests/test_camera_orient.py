"""camera.orient.orientation: the clockwise turn that makes a straightened page upright."""
from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import real_photo
from PIL import Image, ImageDraw, ImageFont

from camera.bench import cut_upright
from camera.orient import orientation

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TEXT = ("the candidate has completed the clinical training period at this hospital and "
        "passed the assessment of the department of internal medicine during the year "
        "signed by the director of training with the seal of the institution")
WORDS = TEXT.split()
HANZI = "兹证明该考生于本院完成临床试用期培训考核合格特此证明医师资格考试报名材料单位盖章年月日"


def _font(path: str, size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return ImageFont.load_default(size)


def render_page(chinese: bool = False, seed: int = 0) -> np.ndarray:
    """An upright A4-like page: a centred title, left-aligned lines of text, a signature."""
    rng = random.Random(seed)
    w, h = 1240, 1754
    img = Image.new("RGB", (w, h), (246, 244, 238))
    d = ImageDraw.Draw(img)
    font_path = CJK if chinese else DEJAVU
    title = "试用期考核证明" if chinese else "Proof of Training"
    tf = _font(font_path, 72)
    d.text(((w - d.textlength(title, font=tf)) / 2, 140), title, fill=(10, 10, 10), font=tf)
    f = _font(font_path, 34)
    y = 330
    for _ in range(22):
        if chinese:
            line = "".join(rng.choice(HANZI) for _ in range(rng.randint(12, 28)))
        else:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 11)))
        d.text((150, y), line, fill=(25, 25, 25), font=f)
        y += 58
    d.text((760, y + 60), "2024年3月1日" if chinese else "Beijing, 1 March 2024",
           fill=(25, 25, 25), font=f)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


# turning the upright page counter-clockwise by k*90 needs k*90 clockwise to undo
_TURN_AWAY = {0: None, 90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180,
              270: cv2.ROTATE_90_CLOCKWISE}


def _turned(page: np.ndarray, need: int) -> np.ndarray:
    code = _TURN_AWAY[need]
    return page if code is None else cv2.rotate(page, code)


@pytest.mark.parametrize("need", [0, 90, 180, 270])
def test_latin_page_each_turn(need):
    page = render_page()
    assert orientation(_turned(page, need)) == need


@pytest.mark.parametrize("need", [0, 90, 180, 270])
def test_camera_like_page_each_turn(need):
    """Smaller, blurred, noisy, unevenly lit: as a straightened camera frame looks."""
    page = cv2.resize(render_page(seed=3), (620, 877), interpolation=cv2.INTER_AREA)
    page = cv2.GaussianBlur(page, (0, 0), 0.8).astype(np.float32)
    page *= np.linspace(0.75, 1.0, page.shape[1])[None, :, None]
    page += np.random.default_rng(0).normal(0, 4, page.shape)
    page = np.clip(page, 0, 255).astype(np.uint8)
    assert orientation(_turned(page, need)) == need


@pytest.mark.skipif(not Path(CJK).exists(), reason="no Chinese font on this machine")
@pytest.mark.parametrize("need", [0, 90, 180, 270])
def test_chinese_page_each_turn(need):
    page = render_page(chinese=True, seed=1)
    assert orientation(_turned(page, need)) == need


def render_text_block(chinese: bool, seed: int, font: str | None = None) -> np.ndarray:
    """A page of nothing but a justified block of text: every line the same length, no
    title, no signature, no ragged margin. Only the glyphs say which way up it is."""
    rng = random.Random(seed)
    w, h = 1240, 1754
    img = Image.new("RGB", (w, h), (246, 244, 238))
    d = ImageDraw.Draw(img)
    f = _font(font or (CJK if chinese else DEJAVU), 40)
    y = 150
    while y < h - 190:
        if chinese:
            line = "".join(rng.choice(HANZI) for _ in range(24))
        else:
            line = " ".join(rng.choice(WORDS) for _ in range(12))
            while d.textlength(line, font=f) > w - 300:
                line = line[:-1]
        d.text((150, y), line, fill=(25, 25, 25), font=f)
        y += 64
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def _soft_photo(page: np.ndarray, long_side: int = 700, blur: float = 1.2) -> np.ndarray:
    """The page as a camera a little out of focus sees it, small."""
    s = long_side / max(page.shape[:2])
    small = cv2.resize(page, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(small, (0, 0), blur)


@pytest.mark.skipif(not Path(CJK).exists(), reason="no Chinese font on this machine")
@pytest.mark.parametrize("need", [0, 90, 180, 270])
def test_a_soft_block_of_chinese_text_each_turn(need):
    """No layout to go by and the strokes blurred: the glyph net decides (the line model
    alone read most of these pages upside down)."""
    wrong = [seed for seed in range(6)
             if orientation(_turned(_soft_photo(render_text_block(True, seed)), need)) != need]
    assert not wrong, f"pages read wrong at turn {need}: {wrong}"


@pytest.mark.parametrize("need", [0, 90, 180, 270])
def test_a_soft_block_of_latin_text_each_turn(need):
    """Blurred Latin words run together into blobs as wide as a word: turned a quarter,
    they must still be measured with the lines across (else the net reads them reversed)."""
    wrong = [seed for seed in range(6)
             if orientation(_turned(_soft_photo(render_text_block(False, seed)), need)) != need]
    assert not wrong, f"pages read wrong at turn {need}: {wrong}"


def test_a_known_landscape_document_is_only_turned_to_landscape():
    blank = np.full((856, 540, 3), 240, np.uint8)  # a blank card lying portrait
    assert orientation(blank, landscape=True) in (90, 270)
    assert orientation(blank.transpose(1, 0, 2), landscape=True) == 0
    assert orientation(blank.transpose(1, 0, 2), landscape=False) in (90, 270)


def test_blank_and_tiny_pages_do_not_crash():
    assert orientation(np.full((400, 300, 3), 250, np.uint8)) == 0
    assert orientation(np.zeros((1, 1, 3), np.uint8)) in (0, 90, 180, 270)
    assert orientation(np.full((50, 80), 200, np.uint8)) in (0, 90, 180, 270)


def render_two_column_paper(seed: int = 0) -> np.ndarray:
    """A journal page: a centred title, then two justified columns whose lines do not line up
    (the second starts half a line lower), with a short last line per paragraph."""
    rng = random.Random(seed)
    w, h = 1240, 1754
    img = Image.new("RGB", (w, h), (244, 244, 240))
    d = ImageDraw.Draw(img)
    tf = _font(DEJAVU, 56)
    title = "Clinical Training Outcomes"
    d.text(((w - d.textlength(title, font=tf)) / 2, 130), title, fill=(10, 10, 10), font=tf)
    f = _font(DEJAVU, 24)
    for col, x0 in enumerate((110, 660)):
        y = 300 + col * 17
        while y < h - 150:
            line = " ".join(rng.choice(WORDS) for _ in range(12))
            while d.textlength(line, font=f) > 470:
                line = line[:-1]
            if rng.random() < 0.12:
                line = line[: len(line) // 3]
            d.text((x0, y), line, fill=(25, 25, 25), font=f)
            y += 34
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


@pytest.mark.parametrize("need", [0, 90, 180, 270])
def test_two_column_paper_each_turn(need):
    assert orientation(_turned(render_two_column_paper(), need)) == need


def _dashed(img: np.ndarray, corners: list[tuple[int, int]], colour=(120, 120, 120)) -> None:
    """A dashed outline through corners (closed), 10 px dashes, 8 px gaps."""
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
        n = max(abs(x1 - x0), abs(y1 - y0))
        for t in range(0, n, 18):
            a, b = t / n, min(t + 10, n) / n
            cv2.line(img, (round(x0 + (x1 - x0) * a), round(y0 + (y1 - y0) * a)),
                     (round(x0 + (x1 - x0) * b), round(y0 + (y1 - y0) * b)), colour, 2)


def render_card(seed: int = 0) -> np.ndarray:
    """An ID-card-like document: capital lines at the left, a dashed photo box at the right,
    a longer number in a larger font at the bottom, and a dashed outline at the card's very
    edge (every line then seems to end at the right margin, upright or turned)."""
    rng = random.Random(seed)
    w, h = 1000, 630
    img = Image.new("RGB", (w, h), (222, 236, 226))
    d = ImageDraw.Draw(img)
    f = _font(DEJAVU, 30)
    for i in range(6):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4))).upper()
        d.text((55, 88 + i * 64), f"{words} {rng.randint(100, 99_999_999)}", fill=(30, 30, 30),
               font=f)
    number = "".join(str(rng.randint(0, 9)) for _ in range(18))
    d.text((55, 515), number, fill=(20, 20, 20), font=_font(DEJAVU, 40))
    card = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    _dashed(card, [(3, 3), (w - 4, 3), (w - 4, h - 4), (3, h - 4)])
    _dashed(card, [(690, 105), (935, 105), (935, 420), (690, 420)])
    return card


@pytest.mark.parametrize("need", [0, 90])  # (a half turn's answer is the opposite by design)
def test_card_with_a_dashed_edge_turned(need):
    # the dashes along the card's edge are no text margin: the lines stay left-aligned.
    # (The big number at the bottom reads as a heading there, so a card whose lines are
    # nearly flush on both sides can still go wrong: 1 of these 12; 5 while the edge counted)
    wrong = [seed for seed in range(12) if orientation(_turned(render_card(seed), need)) != need]
    assert len(wrong) <= 1, f"cards read wrong at turn {need}: {wrong}"


def test_a_quarter_turn_of_the_page_turns_the_answer():
    # the same page seen turned must give the same upright result, whatever the page
    for page in (render_page(seed=5), render_two_column_paper(seed=2)):
        small = cv2.resize(page, (430, 608), interpolation=cv2.INTER_AREA)
        base = orientation(small)
        for need in (90, 180, 270):
            assert orientation(_turned(small, need)) == (base + need) % 360




def _real_page(index: int) -> np.ndarray:
    """A real photographed page, cut out upright along its true corners."""
    frame, e = real_photo("smartdoc2015", index)
    return cut_upright(frame, e["corners"])


@pytest.mark.parametrize("index", [1, 8, 16, 17])
def test_real_page_turned_gives_the_same_upright_result(index: int):
    # small real pages (about 450 x 600 px of text): every quarter turn must agree
    page = _real_page(index)
    base = orientation(page)
    assert [orientation(_turned(page, need)) for need in (90, 180, 270)] == [
        (base + need) % 360 for need in (90, 180, 270)]


@pytest.mark.parametrize("index", [0, 1, 9, 13])
def test_real_page_each_turn(index: int):
    page = _real_page(index)
    assert [orientation(_turned(page, need)) for need in (0, 90, 180, 270)] == [0, 90, 180, 270]


def test_two_columns_are_read_as_two_columns_under_a_heading():
    # the heading runs across the gutter; the body's lines do not line up across it
    from camera.orient import _grey_small, columns, ink_mask

    ink = ink_mask(_grey_small(render_two_column_paper()))
    spans = columns(ink)
    assert len(spans) == 2
    w = ink.shape[1]
    assert spans[0][1] < w / 2 < spans[1][0]
    assert len(columns(ink_mask(_grey_small(render_page())))) == 1
    heading_only = np.full((1000, 700), 250, np.uint8)
    cv2.putText(heading_only, "PROOF  OF  TRAINING", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                0, 4)
    assert columns(ink_mask(heading_only)) == [(0, 700)]
