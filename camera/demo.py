"""A built-in demo camera: sample documents on a desk, no camera and no files needed.

`DemoScene.render(t)` draws the frame seen at time t (seconds): each document in turn slides
onto the desk, rests (with a slight perspective, sub-pixel jitter and sensor noise) long enough
for auto-capture, and slides away; between two documents the desk is empty for a moment, so
the tracker sees each page leave. Rendering is a pure function of t, so tests can ask for a
frame and get the true corners with it.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["DemoScene", "make_documents"]

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_WORDS = [
    "NAME", "DATE", "NUMBER", "CERTIFICATE", "MEDICAL", "UNIVERSITY", "HOSPITAL", "CLINICAL",
    "PHYSICIAN", "TRAINING", "ASSESSMENT", "REGISTER", "DISTRICT", "GRADUATE", "BACHELOR",
    "DEGREE", "ISSUED", "VALID",
]


def _line(rng: np.random.Generator, n: int) -> str:
    return " ".join(rng.choice(_WORDS, n)) + " " + "".join(rng.choice(list("0123456789"), 6))


def _id_card(rng: np.random.Generator) -> np.ndarray:
    w, h = 856, 540  # 85.6 x 54 mm at 10 px/mm
    grad = np.linspace(0, 1, h)[:, None, None]
    top, bottom = np.array([236, 226, 210.0]), np.array([214, 200, 186.0])  # BGR, pale blue
    card = (top * (1 - grad) + bottom * grad).repeat(w, axis=1).astype(np.uint8)
    cv2.rectangle(card, (600, 90), (800, 360), (190, 185, 180), -1)
    cv2.rectangle(card, (600, 90), (800, 360), (120, 120, 130), 2)
    cv2.circle(card, (700, 190), 45, (150, 150, 160), -1)
    cv2.ellipse(card, (700, 330), (80, 60), 0, 180, 360, (150, 150, 160), -1)
    for i in range(5):
        cv2.putText(card, _line(rng, 2)[:22], (40, 90 + i * 55), _FONT, 0.8, (40, 35, 30), 2,
                    cv2.LINE_AA)
    cv2.putText(card, "".join(rng.choice(list("0123456789"), 17)) + "X", (40, 470), _FONT, 1.2,
                (20, 20, 20), 3, cv2.LINE_AA)
    return card


def _a4_page(rng: np.random.Generator) -> np.ndarray:
    w, h = 840, 1188  # 210 x 297 mm at 4 px/mm
    page = np.full((h, w, 3), (246, 248, 250), np.uint8)
    cv2.putText(page, "TRAINING ASSESSMENT FORM", (90, 120), _FONT, 1.4, (15, 15, 15), 3,
                cv2.LINE_AA)
    for i in range(24):
        cv2.putText(page, _line(rng, 5), (90, 200 + i * 36), _FONT, 0.7, (30, 30, 30), 2,
                    cv2.LINE_AA)
    cv2.circle(page, (620, 1060), 80, (50, 50, 210), 4, cv2.LINE_AA)  # a red stamp
    return page


def _certificate(rng: np.random.Generator) -> np.ndarray:
    w, h = 1188, 840
    page = np.full((h, w, 3), (214, 236, 246), np.uint8)  # cream
    ink = (40, 40, 150)
    cv2.rectangle(page, (30, 30), (w - 30, h - 30), ink, 9)
    cv2.rectangle(page, (55, 55), (w - 55, h - 55), ink, 3)
    cv2.putText(page, "CERTIFICATE OF GRADUATION", (170, 190), _FONT, 1.8, ink, 4, cv2.LINE_AA)
    for i in range(7):
        cv2.putText(page, _line(rng, 4), (140, 300 + i * 60), _FONT, 0.9, (40, 30, 30), 2,
                    cv2.LINE_AA)
    cv2.circle(page, (w - 230, h - 200), 90, (40, 40, 200), 6, cv2.LINE_AA)
    return page


def make_documents(seed: int = 0) -> list[np.ndarray]:
    """An ID card, an A4 page and a certificate (BGR, flat), with made-up Latin text."""
    rng = np.random.default_rng(seed)
    return [_id_card(rng), _a4_page(rng), _certificate(rng)]


def _desk(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = np.sin((y + 12 * np.sin(x / 140.0)) / 7.0)  # wood grain
    light = 1.0 + 0.15 * (x / w - 0.5) - 0.1 * (y / h - 0.5)
    base = np.array([70, 105, 150], np.float32)  # BGR wood
    img = base * (0.88 + 0.08 * grain)[:, :, None] * light[:, :, None]
    return np.clip(img, 0, 255).astype(np.uint8)


class DemoScene:
    """Documents cycling on a desk; `render(t)` -> (frame BGR, true corners or None)."""

    def __init__(self, size: tuple[int, int] = (1280, 720), period: float = 6.0,
                 seed: int = 0) -> None:
        self.size = size
        self.period = max(3.0, period)
        rng = np.random.default_rng(seed)
        self.documents = make_documents(seed)
        self._desk = _desk(size, rng)
        # a few noise patterns, cycled: cheap "sensor noise" without per-frame random draws
        self._noise = [rng.normal(0, 2.5, (size[1], size[0], 3)).astype(np.int16)
                       for _ in range(3)]
        self._poses = [self._rest_pose(i, rng) for i in range(len(self.documents))]

    def _rest_pose(self, i: int, rng: np.random.Generator) -> tuple[float, float, float, float]:
        w, h = self.size
        doc_h, doc_w = self.documents[i].shape[:2]
        # a page standing up in a landscape frame fills more of its height: at 0.62 an A4
        # page in a 720p frame is 309 px across, its print 5.6 px tall (quality "small_text")
        scale = (0.62 if doc_w >= doc_h else 0.85) * min(w / doc_w, h / doc_h)
        angle = float(rng.uniform(-8, 8))
        cx = w / 2 + float(rng.uniform(-40, 40))
        cy = h / 2 + float(rng.uniform(-20, 20))
        return cx, cy, scale, angle

    def quad_at(self, t: float) -> tuple[int, np.ndarray | None]:
        """Which document is shown at time t and its corners (TL, TR, BR, BL), or None."""
        n = len(self.documents)
        i = int(t // self.period) % n
        u = t % self.period
        absent, slide = 0.5, 0.7
        if u < absent:
            return i, None
        cx, cy, scale, angle = self._poses[i]
        # slide in, rest, slide out (smooth-step), with a sub-pixel tremor while resting
        if u < absent + slide:
            k = 1 - _smooth((u - absent) / slide)
        elif u > self.period - slide:
            k = _smooth((u - (self.period - slide)) / slide)
        else:
            k = 0.0
        dx, dy = -160 * k + 0.3 * math.sin(7 * t), 60 * k + 0.3 * math.cos(5 * t)
        angle += 10 * k
        doc_h, doc_w = self.documents[i].shape[:2]
        hw, hh = doc_w * scale / 2, doc_h * scale / 2
        base = np.array([[-hw * 0.96, -hh], [hw * 0.96, -hh], [hw, hh], [-hw, hh]])  # tilt
        a = math.radians(angle)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return i, (base @ rot.T + np.array([cx + dx, cy + dy])).astype(np.float32)

    def render(self, t: float) -> tuple[np.ndarray, np.ndarray | None]:
        i, quad = self.quad_at(t)
        frame = self._desk.copy()
        if quad is not None:
            doc = self.documents[i]
            h, w = doc.shape[:2]
            src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
            m = cv2.getPerspectiveTransform(src, quad)
            cv2.warpPerspective(doc, m, self.size, dst=frame, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_TRANSPARENT)
        noise = self._noise[int(t * 30) % len(self._noise)]
        frame = np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)
        return frame, quad


def _smooth(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)
