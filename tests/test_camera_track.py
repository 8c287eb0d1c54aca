"""Tracker: still page -> ready after the hold time; moving -> not ready; after a capture,
not ready again until the page leaves or changes. Frames come from the demo renderer, so the
true corners are known; time is simulated (no sleeps)."""
from __future__ import annotations

import numpy as np
import pytest

from camera.demo import DemoScene
from camera.track import Tracker, sharpness

FPS = 10.0


@pytest.fixture(scope="module")
def scene() -> DemoScene:
    return DemoScene(size=(960, 540), period=6.0, seed=1)


def _shift(frame: np.ndarray, dx: int) -> np.ndarray:
    out = np.roll(frame, dx, axis=1)
    return out


def _run(tracker: Tracker, frames, t0: float = 0.0):
    states = []
    for k, f in enumerate(frames):
        states.append(tracker.update(f, t0 + k / FPS))
    return states


def test_still_page_becomes_ready_after_hold(scene: DemoScene) -> None:
    frame, quad = scene.render(2.5)  # resting
    tr = Tracker(hold_s=0.5)
    states = _run(tr, [frame] * 10)
    assert states[0].found and not states[0].ready
    first_ready = next(i for i, s in enumerate(states) if s.ready)
    assert 0.5 <= first_ready / FPS <= 0.7  # ready once the hold time has passed
    s = states[first_ready]
    assert np.abs(s.quad - quad).max() < 3.0
    assert s.sharpness > tr.min_sharpness
    assert s.phase == "ready"


def test_moving_page_is_never_ready(scene: DemoScene) -> None:
    frame, _ = scene.render(2.5)
    tr = Tracker(hold_s=0.3, still_px=3.0)
    # the page moves 6 px per frame (a hand sliding it)
    states = _run(tr, [_shift(frame, 6 * k) for k in range(12)])
    assert all(s.found for s in states)
    assert not any(s.ready for s in states)


def test_blurry_page_is_not_ready(scene: DemoScene) -> None:
    import cv2

    frame, quad = scene.render(2.5)
    blurred = cv2.GaussianBlur(frame, (0, 0), 4)
    assert sharpness(blurred, quad) < sharpness(frame, quad)
    tr = Tracker(hold_s=0.2, min_sharpness=sharpness(frame, quad) * 0.5)
    states = _run(tr, [blurred] * 6)
    assert not any(s.ready for s in states)
    assert states[-1].phase == "blurry"


def test_no_second_capture_until_page_changes(scene: DemoScene) -> None:
    frame, quad = scene.render(2.5)
    tr = Tracker(hold_s=0.3)
    states = _run(tr, [frame] * 5)
    assert states[-1].ready
    tr.mark_captured(frame, states[-1].quad)
    # same page, still there: never ready again
    states = _run(tr, [frame] * 10, t0=1.0)
    assert not any(s.ready for s in states)
    assert states[-1].phase == "captured"
    # the page leaves (empty desk long enough), then comes back: ready again
    empty, none = scene.render(0.1)
    assert none is None
    _run(tr, [empty] * 6, t0=3.0)
    states = _run(tr, [frame] * 6, t0=4.0)
    assert states[-1].ready


def test_a_different_page_in_the_same_place_is_ready(scene: DemoScene) -> None:
    frame, quad = scene.render(2.5)
    tr = Tracker(hold_s=0.3)
    _run(tr, [frame] * 5)
    tr.mark_captured(frame, quad)
    # same placement, different content: flip the page's content upside down in place
    import cv2

    h, w = scene.documents[0].shape[:2]
    flipped = cv2.rotate(scene.documents[0], cv2.ROTATE_180)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    other = frame.copy()
    cv2.warpPerspective(flipped, m, (frame.shape[1], frame.shape[0]), dst=other,
                        borderMode=cv2.BORDER_TRANSPARENT)
    states = _run(tr, [other] * 8, t0=1.0)
    assert states[-1].ready


def test_jump_resets_smoothing(scene: DemoScene) -> None:
    frame, _ = scene.render(2.5)
    tr = Tracker(smoothing=0.2, jump_px=20)
    a = tr.update(frame, 0.0)
    b = tr.update(_shift(frame, 60), 0.1)  # a jump: no lag behind the new position
    assert a.quad is not None and b.quad is not None
    assert np.abs((b.quad - a.quad)[:, 0] - 60).max() < 3.0


def test_search_runs_on_every_nth_frame_only(scene: DemoScene) -> None:
    empty, _ = scene.render(0.1)
    calls = []

    def detector(frame: np.ndarray):
        calls.append(1)
        return None

    tr = Tracker(detector=detector, search_every=3)
    states = _run(tr, [empty] * 9)
    assert len(calls) == 3
    assert all(s.phase == "searching" and not s.ready for s in states)


@pytest.mark.parametrize("sigma", [0.0, 1.8, 3.0])
def test_ready_means_the_quality_gate_passes_focus(scene: DemoScene, sigma: float) -> None:
    # auto-capture must not take a frame the quality gate then refuses as blurred, nor wait
    # forever for one the gate would accept: both judge focus by the same measure
    import cv2

    from camera.pipeline import process_image

    frame, _ = scene.render(2.5)
    if sigma:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    states = _run(Tracker(hold_s=0.2), [frame] * 5)
    assert states[-1].phase in ("ready", "blurry")
    gate_blur = "blur" in process_image(frame).quality.failed
    assert (states[-1].phase == "blurry") == gate_blur


def test_unknown_paper_is_refused_at_once_and_bad_quads_measure_zero(scene: DemoScene) -> None:
    with pytest.raises(ValueError, match="unknown paper size"):
        Tracker(paper="A4")  # the keys are lower case: "a4"
    frame, quad = scene.render(2.5)
    assert sharpness(frame, np.zeros((4, 2))) == 0.0
    assert sharpness(frame, np.full((4, 2), np.nan)) == 0.0
    assert sharpness(frame, quad, "a4") > 0.0
