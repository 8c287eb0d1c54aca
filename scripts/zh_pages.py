#!/usr/bin/env python3
"""Chinese documents of the kinds a candidate brings, rendered for checking orientation.

    python scripts/zh_pages.py OUT_DIR [--count 60] [--seed 3] [--font PATH ...] [--score]

Kept apart from the training pages of scripts/train_orient.py (a different renderer, real
sentences with their punctuation, real layouts), so that the up/down model is measured on
pages it was not fitted to. Kinds: a proof of training or employment (A4: centred title,
indented justified paragraphs, signature and date at the bottom right, a red stamp), a
diploma or degree certificate (landscape: photo box, centred lines, number and date), the
two sides of a resident ID card, and a registration form (a table of labelled cells).
Each page is degraded as a camera would see it. Writes OUT_DIR/NNNN.jpg upright and
OUT_DIR/manifest.json ({"pages": [{"file", "kind", "font"}]}). --score then turns each page
by each quarter and prints how often camera.orient.orientation answers right, by kind and
by font.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from train_orient import _font, degrade  # noqa: E402  (the same camera-like degradation)

# fonts the up/down model was not trained on (scripts/train_orient.py's CJK_FONTS are
# others): a Kai, a Song, a Hei, Noto Sans and Serif SC bold ("#N": a collection's face)
FONTS = [
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc#2",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc#2",
]
KINDS = ["proof", "proof", "diploma", "id_front", "id_back", "form"]

SENTENCES = [
    "兹证明我院住院医师{name}同志，身份证号{idno}，于{date1}至{date2}在我院{dept}参加医学专业毕业后试用期培训。",
    "该同志在试用期间遵守国家法律法规和医院各项规章制度，工作认真负责，服务态度良好。",
    "经考核，该同志已完成试用期培训内容，考核合格，同意其报名参加医师资格考试。",
    "特此证明。",
    "本人承诺以上所填信息真实、准确，如有虚假，愿承担相应责任。",
    "该同志在我单位从事临床医疗工作，期间无医疗差错及医疗事故，医德医风良好。",
    "学生{name}，性别{sex}，于{date1}入学，在本校{dept}专业学习，修完教学计划规定的全部课程，成绩合格，准予毕业。",
    "经审核，符合《中华人民共和国学位条例》的规定，授予医学学士学位。",
    "请于规定时间内携带本证明及相关材料到考点进行现场确认。",
    "本证明仅用于报名参加医师资格考试，复印无效。",
]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄晓明", "周婷", "吴昊"]
DEPTS = ["内科", "外科", "儿科", "妇产科", "急诊科", "临床医学", "口腔医学", "中医学", "预防医学"]
ORGS = ["北京市第一人民医院", "首都医科大学附属医院", "海淀区妇幼保健院", "协和医学院",
        "朝阳区社区卫生服务中心"]
TITLES = {"proof": ["试用期考核证明", "工作证明", "医师资格考试报名证明",
                    "执业助理医师工作经历证明"],
          "diploma": ["毕业证书", "学位证书", "结业证书"],
          "form": ["医师资格考试报名表", "现场确认信息核对表"]}




def _fill(rng: random.Random, s: str) -> str:
    y = rng.randint(2015, 2024)
    return s.format(name=rng.choice(NAMES),
                    idno="".join(rng.choice("0123456789") for _ in range(18)),
                    date1=f"{y}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
                    date2=f"{y + 1}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
                    dept=rng.choice(DEPTS), sex=rng.choice("男女"))


def _wrap(d: ImageDraw.ImageDraw, text: str, f, width: float,
          indent: float) -> list[tuple[str, float]]:
    """Chinese text broken into lines of at most `width` px (any character may end a line);
    the first line indented. Returns (line, x offset) pairs."""
    out, line, x0 = [], "", indent
    for ch in text:
        if d.textlength(line + ch, font=f) > width - x0 and line:
            out.append((line, x0))
            line, x0 = "", 0.0
        line += ch
    if line:
        out.append((line, x0))
    return out


def _paragraphs(d, rng, f, size, x, y, width, bottom, justify: bool) -> float:
    spacing = size * rng.uniform(1.5, 2.1)
    for _ in range(rng.randint(2, 5)):
        text = "".join(_fill(rng, rng.choice(SENTENCES)) for _ in range(rng.randint(1, 3)))
        lines = _wrap(d, text, f, width, 2 * size)
        for i, (ln, dx) in enumerate(lines):
            if y + size > bottom:
                return y
            if justify and i < len(lines) - 1 and len(ln) > 1:  # spread the characters
                gap = (width - dx - d.textlength(ln, font=f)) / (len(ln) - 1)
                cx = x + dx
                for ch in ln:
                    d.text((cx, y), ch, fill=(20, 20, 20), font=f)
                    cx += d.textlength(ch, font=f) + gap
            else:
                d.text((x + dx, y), ln, fill=(20, 20, 20), font=f)
            y += spacing
        y += size * rng.uniform(0.3, 1.0)
    return y


def _stamp(d, rng, cx, cy, r, font_path):
    red = (rng.randint(190, 230), rng.randint(20, 60), rng.randint(20, 60))
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(4, r // 18))
    f = _font(font_path, max(12, r // 4))
    t = rng.choice(ORGS)[:6]
    d.text((cx - d.textlength(t, font=f) / 2, cy - r // 8), t, fill=red, font=f)
    star = _font(font_path, max(12, r // 3))
    d.text((cx - r // 6, cy - r // 2), "★", fill=red, font=star)


def render(kind: str, rng: random.Random, font_path: str) -> Image.Image:
    if kind in ("id_front", "id_back"):
        return _id_card(kind, rng, font_path)
    w, h = (1754, 1240) if kind == "diploma" else (1240, 1754)
    paper = tuple(rng.randint(228, 255) for _ in range(3))
    img = Image.new("RGB", (w, h), paper)
    d = ImageDraw.Draw(img)
    m = rng.randint(110, 170)
    tsize = rng.randint(56, 84)
    title = rng.choice(TITLES[kind])
    tf = _font(font_path, tsize)
    d.text(((w - d.textlength(title, font=tf)) / 2, m), title, fill=(10, 10, 10), font=tf)
    size = rng.randint(26, 38)
    f = _font(font_path, size)
    y = m + tsize * 2.2
    if kind == "proof":
        y = _paragraphs(d, rng, f, size, m, y, w - 2 * m, h - m - 8 * size, rng.random() < 0.7)
        sig_x = w - m - 9 * size
        org = rng.choice(ORGS)
        yy = max(y + 2 * size, h - m - 6 * size)
        d.text((sig_x - d.textlength(org, font=f) + 8 * size, yy), org, fill=(20, 20, 20), font=f)
        date = f"{rng.randint(2018, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        d.text((sig_x + 8 * size - d.textlength(date, font=f), yy + 2 * size), date,
               fill=(20, 20, 20), font=f)
        if rng.random() < 0.85:
            _stamp(d, rng, int(sig_x + 4 * size), int(yy + size), rng.randint(110, 160), font_path)
    elif kind == "diploma":
        px = m + 20
        d.rectangle([px, y, px + 260, y + 340], fill=tuple(rng.randint(150, 200) for _ in range(3)))
        text = _fill(rng, rng.choice(SENTENCES[6:8])) + _fill(rng, SENTENCES[7])
        lines = _wrap(d, text, f, w - (px + 300) - m, 2 * size)
        yy = y
        for ln, dx in lines:
            d.text((px + 300 + dx, yy), ln, fill=(20, 20, 20), font=f)
            yy += size * 1.9
        no = "证书编号：" + "".join(rng.choice("0123456789") for _ in range(16))
        d.text((m, h - m - size), no, fill=(20, 20, 20), font=f)
        date = f"{rng.randint(2015, 2024)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        dx = w - m - d.textlength(date, font=f)
        d.text((dx, h - m - size), date, fill=(20, 20, 20), font=f)
        org = rng.choice(ORGS)
        d.text((w - m - d.textlength(org, font=f), h - m - 3 * size), org, fill=(20, 20, 20),
               font=f)
        if rng.random() < 0.85:
            _stamp(d, rng, int(w - m - 5 * size), int(h - m - 3 * size), rng.randint(120, 170),
                   font_path)
    else:  # a registration form: a table of label / value cells
        rows = rng.randint(8, 14)
        row_h = int((h - y - m) / rows)
        x_cols = [m, m + int((w - 2 * m) * 0.2), m + int((w - 2 * m) * 0.5),
                  m + int((w - 2 * m) * 0.7), w - m]
        labels = ["姓名", "性别", "民族", "出生日期", "身份证号", "报考类别", "工作单位",
                  "毕业学校",
                  "所学专业", "学历", "毕业时间", "联系电话", "试用机构", "考点名称", "备注"]
        for r in range(rows + 1):
            d.line([(m, y + r * row_h), (w - m, y + r * row_h)], fill=(30, 30, 30), width=3)
        for xc in x_cols:
            d.line([(xc, y), (xc, y + rows * row_h)], fill=(30, 30, 30), width=3)
        for r in range(rows):
            for c in (0, 2):
                lab = rng.choice(labels)
                d.text((x_cols[c] + 12, y + r * row_h + (row_h - size) / 2), lab,
                       fill=(20, 20, 20), font=f)
                val = rng.choice(NAMES + DEPTS + ORGS)[: rng.randint(2, 9)]
                d.text((x_cols[c + 1] + 12, y + r * row_h + (row_h - size) / 2), val,
                       fill=(20, 20, 20), font=f)
    return img


def _id_card(kind: str, rng: random.Random, font_path: str) -> Image.Image:
    w, h = 1712, 1080
    img = Image.new("RGB", (w, h),
                    (rng.randint(215, 240), rng.randint(225, 245), rng.randint(225, 250)))
    d = ImageDraw.Draw(img)
    lab = _font(font_path, 40)
    val = _font(font_path, 50)
    if kind == "id_front":
        d.rectangle([1150, 170, 1590, 730], fill=tuple(rng.randint(140, 200) for _ in range(3)))
        y = 120
        fields = [("姓名", rng.choice(NAMES)), ("性别", rng.choice("男女") + "    民族  汉"),
                  ("出生", f"{rng.randint(1985, 2002)} 年 {rng.randint(1, 12)} 月 "
                           f"{rng.randint(1, 28)} 日")]
        for k, v in fields:
            d.text((110, y), k, fill=(60, 90, 140), font=lab)
            d.text((260, y - 5), v, fill=(10, 10, 10), font=val)
            y += 130
        d.text((110, y), "住址", fill=(60, 90, 140), font=lab)
        addr = ("北京市" + rng.choice(["海淀区", "朝阳区", "西城区"]) + "学院路"
                + str(rng.randint(1, 99)) + "号院" + str(rng.randint(1, 20)) + "号楼")
        for i in range(0, len(addr), 11):
            d.text((260, y - 5), addr[i:i + 11], fill=(10, 10, 10), font=val)
            y += 70
        d.text((110, 880), "公民身份号码", fill=(60, 90, 140), font=lab)
        d.text((500, 870), "".join(rng.choice("0123456789") for _ in range(18)), fill=(10, 10, 10),
               font=_font(font_path, 60))
    else:
        red = (200, 40, 40)
        d.ellipse([110, 90, 330, 310], outline=red, width=10)
        big = _font(font_path, 90)
        for t, yy in (("中华人民共和国", 150), ("居民身份证", 320)):
            d.text(((w - d.textlength(t, font=big)) / 2 + 100, yy), t, fill=(20, 20, 20), font=big)
        d.text((380, 700), "签发机关", fill=(20, 20, 20), font=lab)
        d.text((600, 695), "北京市公安局" + rng.choice(["海淀分局", "朝阳分局"]),
               fill=(10, 10, 10), font=val)
        d.text((380, 840), "有效期限", fill=(20, 20, 20), font=lab)
        y0 = rng.randint(2015, 2022)
        d.text((600, 835), f"{y0}.0{rng.randint(1, 9)}.1{rng.randint(0, 9)}-"
                           f"{y0 + 10}.0{rng.randint(1, 9)}.1{rng.randint(0, 9)}",
               fill=(10, 10, 10), font=val)
    return img


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--score", action="store_true", help="score camera.orient on the pages")
    ap.add_argument("--font", action="append", default=None,
                    help="a CJK font file (repeatable); default: those of FONTS found here")
    a = ap.parse_args(argv)
    fonts = [f for f in (a.font or FONTS) if Path(f.partition("#")[0]).exists()]
    if not fonts:
        ap.error("no Chinese font found: apt-get install fonts-arphic-ukai fonts-arphic-gbsn00lp "
                 "fonts-wqy-zenhei fonts-noto-cjk")
    rng = random.Random(a.seed)
    a.out.mkdir(parents=True, exist_ok=True)
    pages = []
    for i in range(a.count):
        kind = rng.choice(KINDS)
        font = rng.choice(fonts)
        page = cv2.cvtColor(np.asarray(render(kind, rng, font)), cv2.COLOR_RGB2BGR)
        name = f"{i:04d}.jpg"
        cv2.imwrite(str(a.out / name), degrade(page, rng))
        pages.append({"file": name, "kind": kind, "font": Path(font).name})
    (a.out / "manifest.json").write_text(json.dumps({"pages": pages}, ensure_ascii=False, indent=1))
    print(f"wrote {len(pages)} pages to {a.out}")
    if a.score:
        score(a.out, pages)
    return 0


def score(folder: Path, pages: list[dict]) -> None:
    from camera.orient import orientation
    turn_by = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180,
               270: cv2.ROTATE_90_CLOCKWISE}  # a page that must be turned N clockwise
    answers: dict[str, list[tuple[int, int]]] = {}
    for p in pages:
        img = cv2.imread(str(folder / p["file"]))
        for turn in (0, 90, 180, 270):
            got = orientation(img if turn == 0 else cv2.rotate(img, turn_by[turn]))
            for key in ("all", p["kind"], p["font"]):
                answers.setdefault(key, []).append((turn, got))
    print("| pages | turned pages | right | upside down | a quarter off |")
    print("|---|---|---|---|---|")
    for key, v in answers.items():
        a = np.array(v)
        off = (a[:, 1] - a[:, 0]) % 360
        print(f"| {key} | {len(a)} | {100 * np.mean(off == 0):.1f} % | "
              f"{100 * np.mean(off == 180):.1f} % | {100 * np.mean(off % 180 == 90):.1f} % |")

if __name__ == "__main__":
    sys.exit(main())
