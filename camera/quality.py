"""Quality gates for a captured document: is it sharp, evenly lit, big enough and complete?

`check_quality` measures the frame and the straightened document and returns a
`QualityReport` whose `failed` list holds reason codes from exactly this set (the kiosk's
message catalog translates them):

    "blur"     the document is out of focus or shaken (sharpness < min_sharpness)
    "glare"    a reflection washes out part of the document (glare > max_glare_fraction)
    "dark"     the document is too dark (mean luminance < min_brightness)
    "bright"   the document is overexposed (mean luminance > max_brightness)
    "small"    the document fills too little of the frame (area < min_area_fraction)
    "cut_off"  a corner of the document is outside or touching the frame's edge
    "small_text"  its text lines are too few pixels tall to read (text_height <
               min_text_height): the camera gave too little resolution for this document
    "wrong_size"  its proportions are not the expected paper's (aspect_error >
               max_aspect_error): an ID card where an A4 page is asked for
    "low_res"  the camera gave the document too few pixels to check at all (its shorter
               side as captured < min_document_side): a thumbnail, a chat app's preview;
               unlike small_text it needs no text (a stamp, a photo, a blank back)
    "blank"    nothing is printed on it (print_share < min_print_share and, in a sharp
               picture, no line of text; in one not sharp, no mark at all and no blurred
               print on a coarse copy): a document put face down, a blank sheet, or
               something on the desk that is no document (blur is then not reported: there
               is no print to judge focus by)

The thresholds are the `[quality]` section of kiosk.toml (same key names as the fields).
"""
from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from camera.orient import black_hat, ink_mask, text_lines
from camera.straighten import aspect_error, measured_size

ReasonCode = Literal["blur", "glare", "dark", "bright", "small", "cut_off", "small_text",
                     "wrong_size", "low_res", "blank"]
REASON_CODES: tuple[str, ...] = ("blur", "glare", "dark", "bright", "small", "cut_off",
                                 "small_text", "wrong_size", "low_res", "blank")

SHARPNESS_LONG_SIDE = 1000  # documents are measured at this long side, whatever their size
GLARE_LEVEL = 245  # paper this bright (all channels) has lost whatever ink was under it
GLARE_BUMP = 12  # ... and stands this far above the lamp's smooth fall-off: a reflection
GLARE_WORK_SIDE = 160
# the closing that lifts the ink off the paper (px at GLARE_WORK_SIDE): a slightly soft line
# of text smears to a grey band 7-10 px tall there; 7 left it in, it pulled the lamp plane
# under the paper between the lines, and a page at the clip level read as glare
GLARE_CLOSE = 11
GLARE_INKED = 225  # a block this dark somewhere holds print (or what glare left of it)
GLARE_CRISP = 120  # ... this dark, print a reflection has not washed out
GLARE_CRISP_SHARE = 0.7  # a bright spot whose print is this crisp is lit paper, not glare
TEXT_STRIPS = 4  # the page is read in this many vertical strips (see text_height)
TEXT_MIN_LINES = 3  # fewer text lines than this: no text to judge (a photo, a blank back)
TEXT_LINE_SHARE = 25  # the percentile of line heights judged: the smaller print counts
TEXT_SPARSE = 0.15  # a band with less ink per pixel than this share of the densest is no line
TEXT_MIN_DENSITY = 0.02  # ... nor with less than this (a blank page's stray marks)
TEXT_DOT_LINE = 2.5  # a row of dots among lines this many times taller is no line
# print: marks narrower than 1/40 of the page darker than the paper around them by this
# share of its level; print showing through the back of a sheet stays under about 0.15
PRINT_CONTRAST = 0.18
PRINT_MARGIN = 0.05  # a band this share of the shorter side wide along each edge is not
#                      judged: a quad a little off takes in desk there
# blur softens print below PRINT_CONTRAST; a coarse copy (PRINT_SIDE px long at most) shows it:
# each pixel averages a patch of text, darker than the bare paper around it however soft
# the strokes. Where this share of the coarse copy is so darkened, the page is not blank
PRINT_SIDE = 128
PRINT_AROUND = 8.0  # sigma (coarse px) of the surroundings a patch is compared with
PRINT_SOFT_CONTRAST = 0.05  # darker than them by this share of the paper's level
PRINT_SOFT_SHARE = 0.015
SOFT_SHARE_OF_MIN = 0.1  # a picture not sharp is blank only under this share of the minimum


class QualityThresholds(BaseModel):
    """Limits of the quality gates; the `[quality]` section of kiosk.toml."""

    model_config = ConfigDict(extra="forbid")

    min_sharpness: float = Field(
        0.085, ge=0,
        description="Lowest sharpness accepted: steepest edge slope / paper brightness "
                    "(about 0.1-0.3 when sharp).")
    max_glare_fraction: float = Field(
        0.02, ge=0, le=1,
        description="Highest share of the document washed out by a reflection accepted.")
    min_brightness: float = Field(
        70.0, ge=0, le=255, description="Lowest mean luminance (0-255) of the document accepted.")
    max_brightness: float = Field(
        253.0, ge=0, le=255,
        description="Highest mean luminance (0-255) of the document accepted.")
    min_area_fraction: float = Field(
        0.08, ge=0, le=1, description="Smallest share of the frame the document must cover.")
    corner_margin: float = Field(
        0.003, ge=0, le=0.5,
        description="A corner closer to the frame edge than this share of the frame's shorter "
                    "side counts as cut off.")
    min_text_height: float = Field(
        6.0, ge=0,
        description="Lowest height in pixels, as captured, of the smaller text lines (their "
                    "25th percentile) accepted; below about 6 px print cannot be read.")
    min_document_side: float = Field(
        200.0, ge=0,
        description="Fewest pixels, as captured, across the document's shorter side: an ID "
                    "card at 200 px is about 94 dpi, its name and number still readable; a "
                    "chat app's thumbnail is less. (Whether print is legible is "
                    "min_text_height's to judge, where there is print.)")
    min_print_share: float = Field(
        0.0005, ge=0, le=1,
        description="Least share of the document covered by print (marks darker than the "
                    "paper around them by 18 % of its level) accepted; less is 'blank' "
                    "unless lines of text show (or, in a blurred picture, blurred print). "
                    "Black print on white covers 2-40 %, a sheet face down with its print "
                    "showing through about 0.")
    max_aspect_error: float = Field(
        0.10, ge=0,
        description="Largest difference accepted between the document's proportions and its "
                    "material's paper (0.10 = 10 %; an ID card is 12 % off A4, a US letter "
                    "page 9 %).")


class QualityReport(BaseModel):
    """What check_quality measured, and which gates failed (reason codes, see module doc)."""

    sharpness: float
    glare_fraction: float
    brightness: float
    area_fraction: float
    corner_margin: float | None  # None: no quad (a flat scan), nothing can be cut off
    text_height: float | None = None  # px as captured; None: too few lines, or blurred
    aspect_error: float | None = None  # vs the expected paper; None: no paper, no quad, or
    #                                     a quad no camera would show a rectangle as
    document_side: float | None = None  # px as captured across the shorter side
    print_share: float | None = None  # share of the document covered by print
    failed: list[ReasonCode] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict:
        """A JSON-able dict of the measurements and the failed codes."""
        return self.model_dump()


def _grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _normalised(grey: np.ndarray, side: int = SHARPNESS_LONG_SIDE) -> np.ndarray:
    """grey shrunk to `side` px along its long side (never enlarged)."""
    h, w = grey.shape
    s = side / max(h, w)
    if s < 1:
        grey = cv2.resize(grey, (max(1, round(w * s)), max(1, round(h * s))),
                          interpolation=cv2.INTER_AREA)
    return grey


def sharpness(document: np.ndarray) -> float:
    """Steepest edge slopes (99.7th percentile, grey levels per pixel at 1000 px) divided by
    the paper's brightness.

    A step edge of contrast C has a steepest slope of about C per pixel; blurred by a
    Gaussian of sigma s, about C / (2.5 s). Dividing by the paper's level (not by the
    image's own contrast, which blur lowers too) makes it independent of exposure. Unlike
    the plain variance of the Laplacian it hardly depends on how much text there is.
    """
    g = _normalised(_grey(document)).astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 8
    mag = np.sqrt(gx * gx + gy * gy)
    lo, paper = np.percentile(g, [2, 95])
    if paper - lo < 8:  # a blank page: nothing to judge focus by; don't blame the camera
        return 1.0
    return float(np.percentile(mag, 99.7)) / max(float(paper), 1.0)


def glare_fraction(document: np.ndarray) -> float:
    """Share of the document covered by a reflection: a bright, colourless bump.

    The paper's own light is estimated with the ink closed away, a plane is fitted to it
    (the smooth fall-off of the lamp) and glare is where the paper is clipped to white AND
    stands well above that plane. Paper that is simply white everywhere (a flatbed scan,
    or clipped by a lamp gradient) is not glare; nor is a bright spot whose print stays as
    dark as ink (paper lit beside a shadow, which pulled the plane down): glare is what
    washes the print under it out.
    """
    white = document if document.ndim == 2 else document.min(axis=2)  # colourless brightness
    h, w = white.shape
    s = GLARE_WORK_SIDE / max(h, w)
    small = cv2.resize(white, (max(8, round(w * s)), max(8, round(h * s))),
                       interpolation=cv2.INTER_AREA)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (GLARE_CLOSE,) * 2)
                             ).astype(np.float32)
    yy, xx = np.mgrid[0:paper.shape[0], 0:paper.shape[1]].astype(np.float32)
    a = np.stack([np.ones_like(xx).ravel(), xx.ravel(), yy.ravel()], axis=1)
    b = paper.ravel()
    unclipped = b < GLARE_LEVEL
    if unclipped.mean() < 0.2:  # white paper clipped nearly everywhere: a scan, not a glare
        return 0.0
    use = unclipped
    for _ in range(3):  # fit the lamp to unclipped paper only, then drop what sticks out
        coef, *_ = np.linalg.lstsq(a[use], b[use], rcond=None)
        resid = b - a @ coef
        nxt = unclipped & (resid < 10)
        if nxt.sum() < 10:
            break
        use = nxt
    glare = ((b >= GLARE_LEVEL) & (resid > GLARE_BUMP)).reshape(paper.shape).astype(np.uint8)
    if not glare.any():
        return 0.0
    # the darkest of each work pixel's 4x4 block at four times the size: print shows there
    hs, ws = paper.shape
    lo = cv2.resize(white, (ws * 4, hs * 4), interpolation=cv2.INTER_AREA
                    ).reshape(hs, 4, ws, 4).min(axis=(1, 3))
    n, labels = cv2.connectedComponents(glare, connectivity=8)
    area = 0
    for k in range(1, n):
        spot = labels == k
        inked = np.count_nonzero(spot & (lo < GLARE_INKED))
        crisp = np.count_nonzero(spot & (lo < GLARE_CRISP))
        # print under it as dark as ink is: paper lit brighter than a shadow beside it (the
        # lamp plane was fitted to the shadow), not a reflection washing the print out
        if inked >= 5 and crisp >= GLARE_CRISP_SHARE * inked:
            continue
        area += np.count_nonzero(spot) - crisp
    return float(area) / b.size


def _inner(a: np.ndarray) -> np.ndarray:
    h, w = a.shape
    m = int(PRINT_MARGIN * min(h, w))
    return a[m:h - m, m:w - m]


def print_share(document: np.ndarray) -> float:
    """Share of the document (less a PRINT_MARGIN band along its edges) covered by print:
    marks narrower than about 1/40 of the page (9 px at least) darker than the paper around
    them by PRINT_CONTRAST of the paper's level (so the same in dim light). Black print on
    white: 2-40 %; print showing through the back of a sheet, the paper's grain and the
    sensor's noise: about 0. Grey print a little soft can fall to 0 too: check_quality then
    looks for lines of text."""
    g = _normalised(_grey(document))
    inner = _inner(black_hat(g))
    if inner.size == 0:
        return 0.0
    return float(np.count_nonzero(inner > PRINT_CONTRAST * np.percentile(g, 90))) / inner.size


def soft_print(document: np.ndarray) -> bool:
    """Print shows on a coarse copy: more than PRINT_SOFT_SHARE of it darker than its
    surroundings by PRINT_SOFT_CONTRAST of the paper's level. True for text blurred past
    reading (real pages blurred by sigma 10 px in their 1080p frames: 1.9 % and more),
    false for a sheet face down with its print showing through at up to about 0.09 of its
    contrast."""
    c = _normalised(_grey(document), PRINT_SIDE).astype(np.float32)
    inner = _inner(cv2.GaussianBlur(c, (0, 0), PRINT_AROUND) - c)
    if inner.size == 0:
        return False
    dark = np.count_nonzero(inner > PRINT_SOFT_CONTRAST * np.percentile(c, 90))
    return bool(dark > PRINT_SOFT_SHARE * inner.size)


def text_height(document: np.ndarray, scale: float = 1.0) -> float | None:
    """Height in pixels of the document's smaller text lines (the 25th percentile), times
    `scale` (captured pixels per document pixel, when the document was enlarged); None when
    no strip of the page holds TEXT_MIN_LINES lines. The document must be upright (lines
    horizontal). A line's height, not its glyphs', is measured: Chinese characters break
    into several marks, a Latin line's ascenders and descenders belong to it."""
    grey = _grey(document)
    small = _normalised(grey)  # (the orientation's analysis scale too)
    ink = ink_mask(small)
    if not ink.any():
        return None
    # in narrow strips: lines of columns that do not line up, or a slight skew left by
    # the straightening, would merge into tall bands across the page's width
    w = ink.shape[1]
    strips = [(w * i // TEXT_STRIPS, w * (i + 1) // TEXT_STRIPS) for i in range(TEXT_STRIPS)]
    # per band: top, bottom, left, right, and its ink density (ink per pixel of the band)
    bands = np.array([(a, b, x0, x1, ink[a:b, x0:x1].sum() / ((b - a) * (x1 - x0)))
                      for x0, x1 in strips if x1 > x0
                      for a, b in text_lines(ink[:, x0:x1])], np.float64).reshape(-1, 5)
    if len(bands) == 0:
        return None
    heights = bands[:, 1] - bands[:, 0]
    # not lines of text: bands of sparse ink (a row of descenders, the dashes of a photo
    # box's side, the desk's grain at a blank page's rough edge), rows of dots
    lines = (bands[:, 4] >= TEXT_SPARSE * np.percentile(bands[:, 4], 90)) \
        & (bands[:, 4] >= TEXT_MIN_DENSITY)
    lines &= ~_dot_rows(ink, bands, lines)
    # lines to judge: a strip with a few of them (a title alone crosses every strip once)
    per_strip = np.unique(bands[lines, 2], return_counts=True)[1]
    if len(per_strip) == 0 or per_strip.max() < TEXT_MIN_LINES:
        return None
    k = max(grey.shape) / max(small.shape) * scale
    return float(np.percentile(heights[lines], TEXT_LINE_SHARE)) * k


def _dot_rows(ink: np.ndarray, bands: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Per band (top, bottom, left, right, ...): a row of dots, such as the leaders of a
    form's blanks, among print far taller: its marks no wider than the band is tall, most
    of the page's lines TEXT_DOT_LINE times taller. (Tiny print runs together into words,
    wider than tall: never a row of dots, however small.)"""
    _, _, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    cx, cy, cw = centres[1:, 0], centres[1:, 1], stats[1:, cv2.CC_STAT_WIDTH]
    heights = bands[:, 1] - bands[:, 0]
    dots = np.zeros(len(bands), bool)
    for k, (a, b, x0, x1, _) in enumerate(bands):
        mine = (cy >= a) & (cy < b) & (cx >= x0) & (cx < x1)
        dots[k] = np.count_nonzero(mine) >= 4 and np.median(cw[mine]) <= 1.5 * (b - a)
    if not lines.any():
        return dots
    return dots & (heights * TEXT_DOT_LINE <= np.percentile(heights[lines], 75))


def _captured_size(frame: np.ndarray, quad: np.ndarray | None) -> tuple[float, float]:
    """The document's (short, long) side in the camera's pixels (a flat scan: the frame's)."""
    if quad is None:
        h, w = frame.shape[:2]
        return float(min(h, w)), float(max(h, w))
    size = measured_size(np.asarray(quad, np.float64).reshape(4, 2))
    return min(size), max(size)


def _captured_scale(frame: np.ndarray, quad: np.ndarray | None, document: np.ndarray) -> float:
    """Captured pixels per document pixel where the document was enlarged (straightening
    may enlarge a little), else 1: legibility is the camera's, not the resampling's."""
    src = _captured_size(frame, quad)[1]
    return min(1.0, src / max(1.0, float(max(document.shape[:2]))))


def check_quality(frame: np.ndarray, quad: np.ndarray | None, document: np.ndarray,
                  thresholds: QualityThresholds | None = None,
                  paper: str | None = None) -> QualityReport:
    """Measure `document` (straightened) and its `quad` in `frame`; quad None = a flat scan.
    `paper` (a key of camera.straighten.PAPER_SIZES_MM): the paper the material is printed
    on, when known."""
    t = thresholds or QualityThresholds()
    fh, fw = frame.shape[:2]
    if quad is None:
        area, margin = 1.0, None
    else:
        q = np.asarray(quad, np.float64).reshape(4, 2)
        area = abs(float(cv2.contourArea(q.astype(np.float32)))) / float(fw * fh)
        d = np.minimum.reduce([q[:, 0], q[:, 1], (fw - 1) - q[:, 0], (fh - 1) - q[:, 1]])
        margin = float(d.min()) / min(fw, fh)
    grey = _grey(document)
    share = round(print_share(grey), 5)  # (decided on as reported)
    report = QualityReport(
        sharpness=round(sharpness(document), 4),
        glare_fraction=round(glare_fraction(document), 5),
        brightness=round(float(grey.mean()), 2),
        area_fraction=round(area, 4),
        corner_margin=None if margin is None else round(margin, 4),
        document_side=round(_captured_size(frame, quad)[0], 1),
        print_share=share,
    )
    if quad is not None and paper is not None:
        err = aspect_error(quad, paper, (fw, fh))
        report.aspect_error = None if err is None else round(err, 3)
    if report.sharpness >= t.min_sharpness:  # (blurred print has no height to measure)
        th = text_height(document, _captured_scale(frame, quad, document))
        report.text_height = None if th is None else round(th, 1)
    failed: list[ReasonCode] = []
    sharp = report.sharpness >= t.min_sharpness
    # little or no print: blank if the picture is sharp and holds no line of text either
    # (grey print a little soft falls under the print's contrast, not under a text line's);
    # if it is not sharp, blank only where no mark at all stands out and not even blurred
    # print shows on the coarse copy (else it is blurred print: "blur"). A blank page has
    # no focus to judge (print showing through a sheet face down has no steep edges)
    if sharp:
        blank = share < t.min_print_share and report.text_height is None
    else:
        blank = share < t.min_print_share * SOFT_SHARE_OF_MIN and not soft_print(grey)
    if not sharp and not blank:
        failed.append("blur")
    if report.glare_fraction > t.max_glare_fraction:
        failed.append("glare")
    if report.brightness < t.min_brightness:
        failed.append("dark")
    if report.brightness > t.max_brightness:
        failed.append("bright")
    if report.area_fraction < t.min_area_fraction:
        failed.append("small")
    if margin is not None and margin <= t.corner_margin:
        failed.append("cut_off")
    if report.text_height is not None and report.text_height < t.min_text_height:
        failed.append("small_text")
    if report.aspect_error is not None and report.aspect_error > t.max_aspect_error:
        failed.append("wrong_size")
    if report.document_side is not None and report.document_side < t.min_document_side:
        failed.append("low_res")
    if blank:
        failed.append("blank")
    report.failed = failed
    return report
