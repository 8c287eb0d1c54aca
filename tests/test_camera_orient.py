"""camera.orient.orientation: the clockwise turn that makes a straightened page upright."""
from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

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


def test_blank_and_tiny_pages_do_not_crash():
    assert orientation(np.full((400, 300, 3), 250, np.uint8)) == 0
    assert orientation(np.zeros((1, 1, 3), np.uint8)) in (0, 90, 180, 270)
    assert orientation(np.full((50, 80), 200, np.uint8)) in (0, 90, 180, 270)
