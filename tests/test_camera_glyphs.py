"""camera.glyphs: the glyph net's up/down score over tiles of print."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from test_camera_orient import CJK, _soft_photo, render_text_block

from camera import glyphs
from camera.orient import _grey_small, ink_mask


def _grey_and_mark(page: np.ndarray) -> tuple[np.ndarray, float]:
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    small = _grey_small(grey)
    mark = glyphs.mark_height(ink_mask(small))
    assert mark is not None
    return grey, mark * max(grey.shape) / max(small.shape)


@pytest.mark.parametrize("chinese", [True, False])
def test_upright_print_scores_above_zero_and_its_half_turn_the_opposite(chinese):
    if chinese and not Path(CJK).exists():
        pytest.skip("no Chinese font on this machine")
    grey, mark = _grey_and_mark(_soft_photo(render_text_block(chinese, seed=1)))
    up = glyphs.glyph_score(grey, mark)
    down = glyphs.glyph_score(cv2.rotate(grey, cv2.ROTATE_180), mark)
    assert up > 0
    assert down == pytest.approx(-up, rel=1e-3)


def test_tiles_are_inked_squares_of_print_on_black():
    grey, mark = _grey_and_mark(render_text_block(False, seed=2))
    t = glyphs.tiles(grey, mark)
    assert t.shape[1:] == (1, glyphs.TILE, glyphs.TILE)
    assert 0 < len(t) <= glyphs.MAX_TILES + 8  # (a tie at the cut is kept whole)
    share = (t > glyphs.INKED).mean(axis=(1, 2, 3))
    assert share.min() >= 0.04 and share.max() <= 0.5 and t.min() >= 0 and t.max() <= 1


def test_blank_and_tiny_pages_have_no_tiles_and_no_score():
    assert len(glyphs.tiles(np.full((600, 400), 230, np.uint8), 8.0)) == 0
    assert len(glyphs.tiles(np.zeros((1, 1), np.uint8), 8.0)) == 0
    assert glyphs.glyph_score(np.zeros((40, 40), np.uint8), None) == 0.0


def test_speckle_taken_for_tiny_print_is_not_blown_up():
    # a 12 MP frame of noise whose "marks" are 1 px: enlarged 3x it would be 108 MP
    noise = np.random.default_rng(0).integers(0, 256, (4000, 3000), dtype=np.uint8)
    t = glyphs.tiles(noise, 1.0)
    assert len(t) <= glyphs.MAX_TILES + 8
    assert np.isfinite(glyphs.tile_scores(t)).all()


@pytest.mark.parametrize("content", [None, b"not a network"])
def test_a_missing_or_broken_model_leaves_the_decision_to_the_lines(tmp_path, monkeypatch,
                                                                     content):
    path = tmp_path / "glyphs.onnx"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(glyphs, "MODEL_PATH", path)
    glyphs._net.cache_clear()
    try:
        grey, mark = _grey_and_mark(render_text_block(False, seed=2))
        assert glyphs.glyph_score(grey, mark) == 0.0
    finally:
        glyphs._net.cache_clear()
