"""camera.similar: another capture of one page is told from another page of one layout."""
from __future__ import annotations

import io

import cv2
import numpy as np
from conftest import page_on_desk, real_photo
from PIL import Image

from camera.pipeline import process_image
from camera.similar import SAME_PAGE, PagePrint, same_page, similarity


def _capture(frame: np.ndarray, paper: str | None = None) -> np.ndarray:
    """What the kiosk stores of a frame, decoded."""
    jpeg = process_image(frame, paper).jpeg
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)


def _resaved(image: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).save(buf, "JPEG", quality=quality)
    return cv2.cvtColor(np.asarray(Image.open(buf)), cv2.COLOR_RGB2BGR)


def test_another_capture_of_one_page_is_the_same_page() -> None:
    first = _capture(page_on_desk(3, size=(960, 720), paper=(420, 560), angle=8))
    # the page put down again at another angle, seen by a sharper camera, in dimmer light
    frame = cv2.resize(page_on_desk(3, size=(960, 720), paper=(420, 560), angle=-6), None,
                       fx=1.35, fy=1.35, interpolation=cv2.INTER_CUBIC)
    again = _capture((frame * 0.7).astype(np.uint8))
    assert again.shape[0] > 1.2 * first.shape[0]
    assert same_page(first, again)
    assert same_page(first, cv2.rotate(again, cv2.ROTATE_180))  # orientation misread once
    assert same_page(first, _resaved(first, 35))  # the same photo saved again, coarser


def test_pages_of_one_layout_are_not_the_same_page() -> None:
    # the same title, lines at the same places, words from the same dozen: other text
    pages = [_capture(page_on_desk(seed, size=(960, 720), paper=(420, 560)))
             for seed in range(4)]
    prints = [PagePrint(p) for p in pages]
    for i in range(4):
        for j in range(i + 1, 4):
            assert similarity(prints[i], prints[j]) < SAME_PAGE - 0.05, (i, j)
    blank = np.full((560, 420, 3), 240, np.uint8)
    assert not same_page(blank, blank)  # nothing printed: nothing to compare


def test_real_pages_recaptured_on_another_desk() -> None:
    # one letter filmed on two desks (SmartDoc background01 and 03), and another document
    letter = [_capture(real_photo("smartdoc2015", i)[0], "a4") for i in (3, 4)]
    patent = _capture(real_photo("smartdoc2015", 12)[0], "a4")
    assert same_page(letter[0], letter[1])
    assert not same_page(letter[0], patent) and not same_page(letter[1], patent)
