#!/usr/bin/env python3
"""Train the up/down model of camera/orient.py on rendered pages; writes camera/models/orient.npz.

    python scripts/train_orient.py [--pages 2400] [--seed 7] [--shared ../shared]

Pages come from two renderers: a varied one in this file (Latin lower/mixed/upper case,
Chinese, digits; left/centred/full lines; titles, tables, photo boxes, stamps; several
fonts and sizes) and, when the benchmark folder is found, the flat pages of
bench/docgen.py with seeds other than the evaluation seed 1. Each page is degraded like a
camera would (resolution, blur, noise, uneven light, JPEG) and seen upright and upside
down. The model is a logistic regression without bias on features that change sign under
a half turn, so its answer for a page and for the same page turned are always opposite.
Needs Chinese fonts for the Chinese pages (apt-get install fonts-wqy-microhei
fonts-arphic-uming); without them those pages are skipped.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from camera.orient import (  # noqa: E402
    MODEL_PATH,
    _grey_small,
    axis_score,
    flip_features,
    ink_mask,
)

LATIN_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
]
CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]
HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线"
    "内数正心反明看原又利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直"
    "题程展五果料象员位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别手角"
    "期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
    "压志世金增争济阶油思术极交受联认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具"
    "万每目至达走积示议声报完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉"
    "林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支"
    "般史感劳便团往历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置"
    "派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞考试医师资格证明书学历位姓"
    "性别民族出生住址公民身份号码签发机关有效期限毕业单位盖章年月日")
LATIN_TEXT = (
    "the of and to in is that for it as with was on be by this are from at which or an have "
    "not has were but all can their been one more other also its new will would may about "
    "certificate university medical hospital clinical training assessment employment letter "
    "physician examination candidate registration number date signature department district "
    "graduate bachelor master doctor degree diploma issued valid address name born nation "
    "proof commitment beijing province national health commission period practice")
LATIN_WORDS = LATIN_TEXT.split()


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A font by file, "file#N" for the N-th face of a collection."""
    file, _, index = path.partition("#")
    return ImageFont.truetype(file, size, index=int(index or 0))


def _latin_line(rng: random.Random, case: str, n: int) -> str:
    words = [rng.choice(LATIN_WORDS) for _ in range(n)]
    if rng.random() < 0.4:
        words.append("".join(rng.choice("0123456789") for _ in range(rng.randint(2, 12))))
    s = " ".join(words)
    if case == "upper":
        return s.upper()
    if case == "title":
        return s.title()
    return s[0].upper() + s[1:] + ("." if rng.random() < 0.5 else "")


def _cjk_line(rng: random.Random, n: int) -> str:
    s = "".join(rng.choice(HANZI) for _ in range(n))
    if rng.random() < 0.3:
        s += "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 18)))
    if rng.random() < 0.3:
        s = s[: n // 2] + rng.choice(":,。、") + s[n // 2:]
    return s


def render_page(rng: random.Random, cjk_ok: bool) -> Image.Image:
    """One varied, upright document page."""
    shape = rng.choice(["a4", "a4", "landscape", "card", "receipt"])
    w, h = {"a4": (1240, 1754), "landscape": (1754, 1240), "card": (1712, 1080),
            "receipt": (800, 1800)}[shape]
    paper = tuple(rng.randint(215, 255) for _ in range(3))
    img = Image.new("RGB", (w, h), paper)
    d = ImageDraw.Draw(img)
    script = rng.choice(["latin", "latin", "cjk", "cjk", "mixed"]) if cjk_ok else "latin"
    case = rng.choice(["lower", "lower", "title", "upper"])
    fpath = rng.choice(CJK_FONTS if script != "latin" else LATIN_FONTS)
    ink = tuple(rng.randint(0, 70) for _ in range(3))
    margin = rng.randint(40, 180)
    if rng.random() < 0.3:  # a printed frame around the page
        col = tuple(rng.randint(80, 200) for _ in range(3))
        d.rectangle([margin // 3, margin // 3, w - margin // 3, h - margin // 3],
                    outline=col, width=rng.randint(3, 16))
    y = margin
    if rng.random() < 0.7:  # a title: larger, usually centred
        size = rng.randint(50, 110)
        f = _font(fpath, size)
        title = (_cjk_line(rng, rng.randint(3, 10)) if script != "latin"
                 else _latin_line(rng, "upper" if rng.random() < 0.6 else "title",
                                  rng.randint(1, 4)))
        while len(title) > 1 and d.textlength(title, font=f) > w - 2 * margin:
            title = title[:-1]
        tw = d.textlength(title, font=f)
        x = (w - tw) / 2 if rng.random() < 0.7 else margin
        d.text((x, y), title, fill=ink, font=f)
        y += int(size * rng.uniform(1.6, 2.6))
    size = rng.randint(16, 64) if rng.random() < 0.6 else rng.randint(14, 26)  # + dense prose
    f = _font(fpath, size)
    spacing = size * rng.uniform(1.3, 2.2)
    align = rng.choice(["left", "left", "full", "centre", "fields"])
    photo = rng.random() < 0.25
    right_limit = w - margin - (int(w * 0.3) if photo else 0)
    if photo:
        px0 = right_limit + margin // 2 if rng.random() < 0.7 else margin
        d.rectangle([px0, y, px0 + int(w * 0.25), y + int(w * 0.3)],
                    fill=tuple(rng.randint(150, 210) for _ in range(3)))
    if shape != "card" and rng.random() < 0.3:  # a paper in two columns
        _two_columns(d, rng, (margin, y, w - margin, h - margin), f, size, spacing,
                     script, case, ink)
        y = h  # the body is drawn
    while y + size < h - margin:
        if script == "cjk" or (script == "mixed" and rng.random() < 0.6):
            line = _cjk_line(rng, rng.randint(4, 40))
        else:
            line = _latin_line(rng, case, rng.randint(2, 14))
        if align == "fields":
            key = _cjk_line(rng, 2) if script != "latin" else _latin_line(rng, case, 1)
            d.text((margin, y), key + (":" if rng.random() < 0.5 else ""), fill=ink, font=f)
            x0 = margin + int(size * rng.uniform(4, 7))
        else:
            x0 = margin + (int(size * 2) if rng.random() < 0.15 else 0)
        avail = right_limit - x0
        while line and d.textlength(line, font=f) > avail:
            line = line[:-1]
        if align == "full" and rng.random() < 0.8:
            while d.textlength(line + "x", font=f) < avail - size:
                line += (rng.choice(HANZI) if script != "latin" else rng.choice("etaoin "))
        tw = d.textlength(line, font=f)
        x = x0 + (avail - tw) / 2 if align == "centre" else x0
        d.text((x, y), line, fill=ink, font=f)
        y += int(spacing * (rng.uniform(1.5, 3) if rng.random() < 0.1 else 1))
    if rng.random() < 0.4:  # a round stamp
        r = rng.randint(80, 200)
        cx, cy = rng.randint(r, w - r), rng.randint(h // 2, h - r)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(210, 40, 40), width=8)
    return img


def _two_columns(d: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int],
                 f: ImageFont.FreeTypeFont, size: int, spacing: float, script: str, case: str,
                 ink: tuple[int, ...]) -> None:
    """Justified text in two columns whose lines need not align (a journal page), with
    now and then a paragraph break, a heading or a figure box."""
    x0, y0, x1, y1 = box
    gutter = rng.randint(size, 3 * size)
    colw = (x1 - x0 - gutter) // 2
    for c in range(2):
        cx = x0 + c * (colw + gutter)
        y = y0 + (rng.randint(0, int(spacing)) if c else 0)
        while y + size < y1:
            r = rng.random()
            if r < 0.05:  # a figure box
                fh = rng.randint(3, 10) * size
                d.rectangle([cx, y, cx + colw, min(y1, y + fh)],
                            outline=ink, fill=tuple(rng.randint(150, 240) for _ in range(3)))
                y += fh + int(spacing)
                continue
            line = (_cjk_line(rng, 40) if script == "cjk"
                    else _latin_line(rng, "title" if r < 0.1 else case, 14))
            while line and d.textlength(line, font=f) > colw:
                line = line[:-1]
            if r < 0.15:  # a paragraph's last line
                line = line[: max(1, len(line) // rng.randint(2, 4))]
            d.text((cx, y), line, fill=ink, font=f)
            y += int(spacing * (2 if r < 0.1 else 1))


def degrade(page: np.ndarray, rng: random.Random) -> np.ndarray:
    """Camera-like: resolution, blur, uneven light, noise, JPEG."""
    h, w = page.shape[:2]
    long_side = rng.choice([500, 650, 800, 1000, 1400])
    s = long_side / max(h, w)
    img = cv2.resize(page, (max(1, round(w * s)), max(1, round(h * s))),
                     interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:  # a page lying slightly askew under the straightened frame
        hh, ww = img.shape[:2]
        m = cv2.getRotationMatrix2D((ww / 2, hh / 2), rng.uniform(-1.5, 1.5), 1.0)
        img = cv2.warpAffine(img, m, (ww, hh), borderMode=cv2.BORDER_REPLICATE)
    img = img.astype(np.float32)
    hh, ww = img.shape[:2]
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    light = 1 + rng.uniform(-0.3, 0.3) * (xx / ww - 0.5) + rng.uniform(-0.3, 0.3) * (yy / hh - 0.5)
    img *= light[:, :, None] * rng.uniform(0.6, 1.05)
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    img += nrng.normal(0, rng.uniform(1, 7), img.shape)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.3))
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(60, 95)])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _docgen(shared: Path):
    path = shared / "bench" / "docgen.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("docgen", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def upright_ink(img: np.ndarray) -> np.ndarray | None:
    """The ink mask of an upright page, or None when the axis step would misjudge it."""
    ink = ink_mask(_grey_small(img))
    if ink.sum() < 50 or axis_score(ink) < 0:
        return None
    return ink


def dataset(n: int, seed: int, shared: Path | None) -> tuple[np.ndarray, list[str]]:
    assert seed != 1, "seed 1 is the benchmark's evaluation seed"
    rng = random.Random(seed)
    cjk_ok = all(Path(p).exists() for p in CJK_FONTS)
    docgen = _docgen(shared) if shared else None
    feats, tags = [], []
    for i in range(n):
        if docgen is not None and i % 3 == 0:
            kind = rng.choice(["id_card", "certificate", "a4_page"])
            page, _ = docgen.render_document(kind, rng)
            tag = "docgen"
        else:
            page = render_page(rng, cjk_ok)
            tag = "own"
        img = degrade(cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR), rng)
        ink = upright_ink(img)
        if ink is None:
            continue
        # the real half turn, not just -features: resampling is not exactly symmetric
        feats.append((flip_features(ink), flip_features(cv2.rotate(ink, cv2.ROTATE_180))))
        tags.append(tag)
    return np.asarray(feats), tags


def train(x: np.ndarray, l2: float = 3e-3, steps: int = 3000) -> np.ndarray:
    """Logistic regression without bias: x[:, 0] upright pages, x[:, 1] the same turned.
    orientation() scores half the difference of the two (odd under a half turn by design)."""
    d = (x[:, 0] - x[:, 1]) / 2
    scale = d.std(axis=0) + 1e-9
    z = np.vstack([d, -d]) / scale
    y = np.concatenate([np.ones(len(x)), np.zeros(len(x))])
    w = np.zeros(z.shape[1])
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) / len(y) + l2 * w
        w -= lr * grad
    return w / scale


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    a = ap.parse_args()
    x, tags = dataset(a.pages, a.seed, a.shared)
    n_test = len(x) // 5
    w = train(x[n_test:])
    acc = float(np.mean((x[:n_test, 0] - x[:n_test, 1]) @ w > 0))
    print(f"{len(x)} pages, held-out up/down accuracy {acc:.4f}")
    for tag in sorted(set(tags[:n_test])):
        sel = np.array([t == tag for t in tags[:n_test]])
        sub = x[:n_test][sel]
        right = (sub[:, 0] - sub[:, 1]) @ w > 0
        print(f"  {tag}: {right.mean():.4f} ({sel.sum()} pages)")
    w = train(x)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(a.out, weights=w)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
