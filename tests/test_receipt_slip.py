"""The printed slip: layouts, PNG/PDF, reading its QR back (also from a phone photo), fonts."""
from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from test_receipt_payload import CONFIG, KEY, OTHER, view

from kiosk import fonts
from kiosk.errors import ConfigError, InputError
from kiosk.messages import NO_LINE_START, Messages, display_width
from kiosk.qrread import read_qr
from kiosk.receipt import build_receipt, encode, verify_payload
from kiosk.slip import LAYOUTS, all_text, render_slip, save_slip, slip_lines, wrap

NAMES = {"notice": "网上报名成功通知单", "id_doc": "身份证明", "diploma": "学历证书",
         "trial_proof": "试用期考核证明"}


@pytest.fixture(scope="module")
def font() -> fonts.FontSpec:
    return fonts.find_font()


def make(layout: str, font: fonts.FontSpec, language: str = "zh-CN", **kw: object):
    r = build_receipt(view(**kw), CONFIG, KEY)
    text = encode(r, KEY)
    img = render_slip(r, text, layout=layout, msg=Messages(language), font=font,
                      site_name="北京市西城区考点", material_names=NAMES)
    return r, text, img


@pytest.mark.parametrize("layout,suffix", [("58mm", ".png"), ("58mm", ".pdf"),
                                           ("80mm", ".png"), ("a4", ".pdf")])
def test_slip_round_trip(tmp_path: Path, font: fonts.FontSpec, layout: str,
                         suffix: str) -> None:
    r, text, img = make(layout, font)
    lay = LAYOUTS[layout]
    assert img.width == lay.width
    if layout == "a4":
        assert img.size == (2480, 3508)
    out = save_slip(img, tmp_path / f"slip{suffix}", lay.dpi)
    assert out.read_bytes()[:4] == (b"%PDF" if suffix == ".pdf" else b"\x89PNG")
    found = read_qr(out)
    assert found and found[0] == text
    assert verify_payload(found[0], [KEY.public_key()]) == r


def test_slip_shows_what_the_brief_asks(font: fonts.FontSpec) -> None:
    r = build_receipt(view(), CONFIG, KEY)
    lines = slip_lines(r, Messages("zh-CN"), "北京市西城区考点", NAMES)
    text = all_text(lines)
    for needle in ("医师资格考试现场确认回执", "110102", "北京市西城区考点", "张伟",
                   "110105********1239", "2026110102001", "身份证明  2 张", "合计 6 张",
                   "已提交", "2026-05-20 10:03", "请妥善保管本回执", "短信"):
        assert needle in text, needle
    assert "110105199003071239" not in text
    # each line of the head fits one line of a 58 mm thermal printer (32 columns)
    assert all(display_width(line) <= 32 for line in lines["head"]), lines["head"]


@pytest.mark.parametrize("state,title,notice", [
    ("submitted", "已确认材料", "考点与考区将审核您的材料"),
    ("returned", "已上传材料", "已被退回，尚未确认"),
    ("district_returned", "已上传材料", "已被退回，尚未确认"),
    ("site_approved", "已确认材料", "考区将复审"),
    ("district_approved", "已确认材料", "已通过考区复审"),
    ("ineligible", "已提交材料", "不符合本次报考条件"),
])
def test_the_slip_says_what_the_state_means(state: str, title: str, notice: str) -> None:
    # a returned candidate's materials are not confirmed; an approved one is not told that
    # a review is still to come
    lines = slip_lines(build_receipt(view(state=state), CONFIG, KEY), Messages("zh-CN"),
                       "北京市西城区考点", NAMES)
    assert lines["materials_title"].startswith(title), lines["materials_title"]
    assert display_width(lines["materials_title"]) <= 32  # one line on 58 mm paper
    assert notice in lines["notice"], lines["notice"]
    if state != "submitted":
        assert "已确认" not in lines["materials_title"] or "approved" in state
        assert "将审核您的材料" not in lines["notice"]


@pytest.mark.parametrize("turns", [0, 1])
def test_photographed_slip_is_verified(tmp_path: Path, font: fonts.FontSpec, turns: int) -> None:
    """A phone photo: slip on a desk, in perspective, blurred, noisy, uneven light, JPEG q=40."""
    r, text, img = make("58mm", font)
    slip = np.asarray(img)
    h, w = slip.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[260, 130], [700, 200], [760, 1250], [170, 1190]])
    m = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(slip, m, (1000, 1400), borderValue=70)
    light = np.linspace(0.65, 1.0, photo.shape[1])[None, :]
    photo = cv2.GaussianBlur((photo * light).astype(np.uint8), (0, 0), 2.2)
    noise = np.random.default_rng(7).normal(0, 9, photo.shape)
    photo = np.rot90(np.clip(photo * 0.85 + 25 + noise, 0, 255).astype(np.uint8), turns)
    buf = io.BytesIO()
    Image.fromarray(photo).convert("RGB").save(buf, "JPEG", quality=40)
    path = tmp_path / "photo.jpg"
    path.write_bytes(buf.getvalue())
    found = read_qr(path)
    assert found and verify_payload(found[0], [KEY.public_key()]) == r
    with pytest.raises(Exception) as e:
        verify_payload(found[0], [OTHER.public_key()])
    assert getattr(e.value, "reason", "") == "unknown_key"


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        read_qr(tmp_path / "missing.png")
    assert e.value.key == "verify.missing"
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG but not really")
    with pytest.raises(InputError) as e:
        read_qr(junk)
    assert e.value.key == "verify.unknown_format"  # said in the user's language, no detail
    with pytest.raises(InputError) as e:
        read_qr(tmp_path)
    assert e.value.key == "verify.is_dir"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing else")
    with pytest.raises(InputError) as e:
        read_qr(broken)
    assert e.value.key == "verify.broken"
    cut = tmp_path / "cut.png"  # a real PNG, its end cut off: the user's words, no PIL English
    buf = io.BytesIO()
    Image.new("L", (200, 200), 128).save(buf, "PNG")
    cut.write_bytes(buf.getvalue()[:-40])
    with pytest.raises(InputError) as e:
        read_qr(cut)
    assert e.value.key == "verify.broken"
    huge = tmp_path / "huge.png"  # claims 12000 x 12000: past PIL's limit (it would warn)
    ihdr = struct.pack(">IIBBBBB", 12000, 12000, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
                     + struct.pack(">I", zlib.crc32(chunk)) + b"\0\0\0\0IEND\xaeB`\x82")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing printed besides our own message
        with pytest.raises(InputError) as e:
            read_qr(huge)
    assert e.value.key == "verify.too_large"
    blank = tmp_path / "blank.png"
    Image.new("L", (300, 200), 255).save(blank)
    assert read_qr(blank) == []


def test_english_slip_and_wrapping(font: fonts.FontSpec) -> None:
    _, _, img = make("58mm", font, language="en", name="阿依古丽·买买提")
    assert img.width == 384
    f = font.load(22)
    for line in wrap("考点：110102 北京市西城区卫生健康委员会医师资格考试考点", f, 300):
        assert f.getlength(line) <= 300
    notice = ("考点与考区将审核您的材料，审核结果将以短信通知；如材料被退回（现有 3 张）。"
              "请在 24 小时内处理。")
    for width in range(120, 360, 7):  # no line of the slip starts with "；" or "，"
        lines = wrap(notice, f, width)
        assert "".join(lines).replace(" ", "") == notice.replace(" ", "")
        assert not any(line[:1] in NO_LINE_START for line in lines), (width, lines)
    sentence = "Keep this receipt. The site and the district will review your materials"
    lines = wrap(sentence, f, 150)
    assert len(lines) > 2 and " ".join(lines) == sentence   # breaks only between words


def test_no_cjk_font_is_a_clear_error_never_tofu(monkeypatch: pytest.MonkeyPatch,
                                                 font: fonts.FontSpec) -> None:
    monkeypatch.setattr(fonts, "_iter_candidates", lambda: iter(()))
    with pytest.raises(InputError) as e:
        fonts.find_font()
    assert e.value.key == "font.missing"
    text = Messages("zh-CN")("font.missing")
    assert "fonts-wqy-microhei" in text and "[receipt] font" in text


def test_a_character_the_font_lacks_is_refused(font: fonts.FontSpec) -> None:
    rare = "\U000f0001"  # supplementary private use: in no font
    assert fonts.missing_chars(font, "张伟" + rare) == rare
    with pytest.raises(InputError) as e:
        fonts.find_font(str(font.path), text="张" + rare)
    assert e.value.key == "font.no_glyph"


def test_configured_font(tmp_path: Path, font: fonts.FontSpec) -> None:
    assert fonts.find_font(str(font.path)).path == font.path
    latin = next((p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
                  if Path(p).exists()), None)
    with pytest.raises(ConfigError) as e:
        fonts.find_font(str(tmp_path / "nope.ttf"))
    assert e.value.key == "font.unusable"
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(ConfigError):
        fonts.find_font("bad.ttf", base=tmp_path)
    if latin:
        with pytest.raises(ConfigError):
            fonts.find_font(latin)
