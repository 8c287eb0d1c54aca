"""Live tracking of the document across frames, and the auto-capture decision.

Fed frame by frame (`Tracker.update(frame, now)`), the tracker
- finds the document (a full detection now and then, and in between a cheap re-fit of the
  previous quad onto the new frame: the page rarely moves far between two frames),
- smooths the quad (exponential smoothing, reset when the page jumps),
- says when the page has been still and sharp long enough to capture (`TrackState.ready`),
- never asks for the same page twice: after `mark_captured`, `ready` stays down until the page
  has left the view, moved a lot, or its content changed (a small thumbnail differs).
Thresholds are constructor parameters (the kiosk configuration maps onto them).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from camera.detect import Detection, detect_document, order_corners, track_document
from camera.quality import QualityThresholds
from camera.quality import sharpness as quality_sharpness
from camera.straighten import PAPER_SIZES_MM, straighten

__all__ = ["TrackState", "Tracker", "sharpness", "thumbnail"]

_THUMB = 32  # side of the content thumbnail used to tell pages apart


@dataclass(frozen=True)
class TrackState:
    """What the tracker knows after one frame.

    phase: "searching" (no page), "moving" (page seen, not still yet), "blurry" (still but not
    sharp), "holding" (still and sharp, waiting for the hold time), "ready" (capture now),
    "captured" (this page was captured; waiting for it to leave or change).
    """

    quad: np.ndarray | None  # smoothed corners (4, 2), frame pixels
    raw_quad: np.ndarray | None  # this frame's measurement
    confidence: float
    still_for: float  # seconds the page has been still
    sharpness: float  # the quality gate's sharpness of the page (0 if not measured)
    ready: bool
    phase: str

    @property
    def found(self) -> bool:
        return self.quad is not None


def sharpness(frame: np.ndarray, quad: np.ndarray, paper: str | None = None) -> float:
    """The quality gate's own measure (camera.quality.sharpness: steepest edge slope over
    paper brightness) on the page straightened as the capture would straighten it: a page
    the tracker calls sharp passes the gate's focus check, and one it calls blurry fails it.
    0.0 for a quad with no area or no finite corners (nothing to judge)."""
    q = np.asarray(quad, np.float64).reshape(4, 2)
    if not np.isfinite(q).all() or cv2.contourArea(q.astype(np.float32)) < 16.0:
        return 0.0
    return quality_sharpness(straighten(frame, order_corners(q), paper))


def thumbnail(frame: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """A small, blurred, normalised grey thumbnail of the page (zero mean, unit variance)."""
    g = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    inner = _shrink(quad, 0.05)
    s = _THUMB
    dst = np.array([[0, 0], [s - 1, 0], [s - 1, s - 1], [0, s - 1]], np.float32)
    m = cv2.getPerspectiveTransform(inner.astype(np.float32), dst)
    t = cv2.warpPerspective(g, m, (s, s), flags=cv2.INTER_AREA).astype(np.float32)
    t = cv2.GaussianBlur(t, (0, 0), 1.0)
    return (t - t.mean()) / (t.std() + 1e-3)


def _shrink(quad: np.ndarray, k: float) -> np.ndarray:
    q = np.asarray(quad, np.float64)
    c = q.mean(axis=0)
    return c + (q - c) * (1 - k)


class Tracker:
    """Smooths the detected quad over frames and decides when to auto-capture.

    Parameters (pixels are frame pixels, times are seconds of the `now` passed to update):
    - still_px: the page counts as still while no corner moves more than this from where it
      settled; hold_s: how long it must stay still before `ready`.
    - min_sharpness: the quality gate's sharpness (see `sharpness`) below which the frame is
      "blurry"; the default is the gate's default, and the kiosk passes its configured
      [quality] min_sharpness, so auto-capture never takes a frame the gate would refuse as
      out of focus. paper: the material's paper size key, as for straighten. The measure
      straightens the page (20-50 ms), so while the page stays still it is taken again only
      every sharp_every_s seconds.
    - smoothing: weight of the new measurement in the exponential smoothing (1 = none);
      jump_px: a corner moving more than this resets the smoothing (a new position).
    - lost_s: how long the page may be missed before it counts as gone (brief misses, e.g. a
      hand passing over, keep the track).
    - change_px: after a capture, a corner moving more than this means a new placement;
      min_thumb_corr: thumbnail correlation below which the content changed.
    - redetect_every: frames between full detections while a track is held (re-fitting the
      previous quad in between is much cheaper); search_every: with no page in view, search
      on every n-th frame only (a full search costs the most; the second look for a blurred
      page is made on every redetect_every-th search); work_side: working resolution.
    - detector: optional replacement for the full detection, frame -> Detection | None.
    """

    def __init__(self, *, still_px: float = 4.0, hold_s: float = 0.8,
                 min_sharpness: float = QualityThresholds().min_sharpness,
                 paper: str | None = None, sharp_every_s: float = 0.25,
                 smoothing: float = 0.5, jump_px: float = 25.0,
                 lost_s: float = 0.4, change_px: float = 60.0, min_thumb_corr: float = 0.8,
                 redetect_every: int = 10, search_every: int = 2, work_side: int = 640,
                 detector: Callable[[np.ndarray], Detection | None] | None = None) -> None:
        self.still_px = still_px
        self.hold_s = hold_s
        self.min_sharpness = min_sharpness
        if paper is not None and paper not in PAPER_SIZES_MM:  # now, not at the first capture
            raise ValueError(f"unknown paper size {paper!r}; known: {sorted(PAPER_SIZES_MM)}")
        self.paper = paper
        self.sharp_every_s = sharp_every_s
        self.smoothing = smoothing
        self.jump_px = jump_px
        self.lost_s = lost_s
        self.change_px = change_px
        self.min_thumb_corr = min_thumb_corr
        self.redetect_every = max(1, redetect_every)
        self.search_every = max(1, search_every)
        self.work_side = work_side
        self._detector = detector
        self.reset()

    def reset(self) -> None:
        """Forget the track and any capture (e.g. when a new candidate starts)."""
        self._smooth: np.ndarray | None = None
        self._anchor: np.ndarray | None = None
        self._still_since = 0.0
        self._last_seen = -1e18
        self._since_detect = 0
        self._searches = 0
        self._idle = 0
        self._captured_quad: np.ndarray | None = None
        self._captured_thumb: np.ndarray | None = None
        self._sharp_at: tuple[float, float] | None = None  # (time, value) of the last measure

    @property
    def blocked(self) -> bool:
        """True while the last captured page is still in view, unchanged."""
        return self._captured_quad is not None

    def mark_captured(self, frame: np.ndarray, quad: np.ndarray) -> None:
        """Record that this page was captured: `ready` stays down until it leaves or changes."""
        q = np.asarray(quad, np.float64)
        self._captured_quad = q.copy()
        self._captured_thumb = thumbnail(frame, q)

    # ------------------------------------------------------------------ per frame

    def _measure(self, frame: np.ndarray) -> Detection | None:
        det = None
        if self._smooth is None:
            # nothing in view: look only every search_every-th frame (a full search is the
            # costliest step; the loop keeps its frame rate, a page is found a frame later)
            self._idle += 1
            if (self._idle - 1) % self.search_every:
                return None
        else:
            self._idle = 0
        if self._smooth is not None and self._since_detect < self.redetect_every:
            det = track_document(frame, self._smooth, work_side=self.work_side)
            self._since_detect += 1
        if det is None:
            if self._detector is not None:
                det = self._detector(frame)
            else:
                # while searching, the costly second look for a blurred page only now and then
                self._searches += 1
                soft = self._smooth is not None or self._searches % self.redetect_every == 0
                det = detect_document(frame, work_side=self.work_side, soft=soft)
            self._since_detect = 0
        return det

    def update(self, frame: np.ndarray, now: float) -> TrackState:
        det = self._measure(frame)
        if det is None:
            if now - self._last_seen > self.lost_s:
                self._lose()
            # within the grace period keep showing the last quad, but never "ready"
            last = None if self._smooth is None else self._smooth.astype(np.float32)
            return TrackState(last, None, 0.0, 0.0, 0.0, False,
                              "searching" if last is None else "moving")
        raw = order_corners(det.corners).astype(np.float64)
        self._last_seen = now
        if self._smooth is None or np.abs(raw - self._smooth).max() > self.jump_px:
            self._smooth = raw.copy()
        else:
            self._smooth = self.smoothing * raw + (1 - self.smoothing) * self._smooth
        if self._anchor is None or np.abs(raw - self._anchor).max() > self.still_px:
            self._anchor = raw.copy()
            self._still_since = now
            self._sharp_at = None  # a new resting place: measure afresh
        still_for = now - self._still_since

        if self._captured_quad is not None and self._changed(frame, raw, still_for):
            self._captured_quad = self._captured_thumb = None
        quad = self._smooth.astype(np.float32)
        if self._captured_quad is not None:
            return TrackState(quad, raw.astype(np.float32), det.score, still_for, 0.0, False,
                              "captured")
        if still_for < self.hold_s:
            # sharpness only matters once the page has settled; skip the cost before
            return TrackState(quad, raw.astype(np.float32), det.score, still_for, 0.0, False,
                              "moving" if still_for < min(0.2, self.hold_s / 2) else "holding")
        # the measure costs a straightening (20-50 ms): once the page has settled, and again
        # only now and then while it stays still (focus and light change slowly)
        if self._sharp_at is None or now - self._sharp_at[0] >= self.sharp_every_s:
            self._sharp_at = (now, sharpness(frame, raw, self.paper))
        sharp = self._sharp_at[1]
        if sharp < self.min_sharpness:
            return TrackState(quad, raw.astype(np.float32), det.score, still_for, sharp, False,
                              "blurry")
        return TrackState(quad, raw.astype(np.float32), det.score, still_for, sharp, True,
                          "ready")

    def _lose(self) -> None:
        self._smooth = None
        self._anchor = None
        self._sharp_at = None
        # the captured page left the view: the next one may be captured
        self._captured_quad = self._captured_thumb = None

    def _changed(self, frame: np.ndarray, raw: np.ndarray, still_for: float) -> bool:
        assert self._captured_quad is not None and self._captured_thumb is not None
        if np.abs(raw - self._captured_quad).max() > self.change_px:
            return True
        if still_for < self.hold_s:
            return False  # compare content only on a settled page (motion blur differs)
        corr = float((thumbnail(frame, raw) * self._captured_thumb).mean())
        return corr < self.min_thumb_corr
