"""Finding a font that can print the slip's Chinese text — or refusing clearly.

Order: `[receipt] font` (a file path, relative to kiosk.toml, or a fontconfig family name;
when set, only that font is used), else fontconfig's best match for zh-CN, else well-known
files (Noto Sans CJK / Source Han Sans, WenQuanYi, Droid Sans Fallback, AR PL, the macOS and
Windows system fonts). A font is used only when it has a real glyph for every character to
print: a missing glyph would print as an empty box (tofu), so that is an error instead.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from kiosk.errors import ConfigError, InputError

PROBE = "医师资格考试现场确认回执"
NOTDEF_PROBE = "\U0010fffd"  # a private-use code point no font maps: renders as .notdef

KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansSC-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
)
_SIMPLIFIED_HINTS = ("SC", "CN", "GB", "Simplified", "Micro Hei", "Zen Hei")


@dataclass(frozen=True)
class FontSpec:
    path: Path
    index: int = 0

    @property
    def label(self) -> str:
        return self.path.name + (f"#{self.index}" if self.index else "")

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return _load(str(self.path), self.index, size)


@functools.lru_cache(maxsize=64)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def missing_chars(spec: FontSpec, text: str) -> str:
    """The characters of `text` the font has no glyph for (those that would print as □)."""
    font = spec.load(32)
    notdef = _mask(font, NOTDEF_PROBE)
    seen: list[str] = []
    for ch in dict.fromkeys(text):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        if _mask(font, ch) == notdef:
            seen.append(ch)
    return "".join(seen)


def _mask(font: ImageFont.FreeTypeFont, ch: str) -> tuple:
    m = font.getmask(ch)
    return m.size, bytes(m)


def _usable(spec: FontSpec) -> bool:
    try:
        return not missing_chars(spec, PROBE)
    except OSError:
        return False


def _best_index(path: Path) -> int:
    """In a collection (.ttc) pick the Simplified Chinese face when there is one."""
    for i in range(12):
        try:
            family, _style = ImageFont.truetype(str(path), 12, index=i).getname()
        except OSError:
            break
        if family and any(h in family for h in _SIMPLIFIED_HINTS):
            return i
    return 0


def _fc_match(pattern: str) -> FontSpec | None:
    exe = shutil.which("fc-match")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-f", "%{file}\n%{index}", pattern], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.splitlines()
    if not lines or not lines[0]:
        return None
    index = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else 0
    return FontSpec(Path(lines[0]), index)


def candidates() -> list[FontSpec]:
    """System fonts that can print Chinese, best first (may be empty)."""
    return list(_iter_candidates())


def _iter_candidates() -> Iterator[FontSpec]:
    seen: set[Path] = set()
    for pattern in (":lang=zh-cn", "Noto Sans CJK SC", "WenQuanYi Micro Hei"):
        spec = _fc_match(pattern)
        if spec and spec.path not in seen and _usable(spec):
            seen.add(spec.path)
            yield spec
    for p in KNOWN_FONTS:
        path = Path(p)
        if path not in seen and path.is_file():
            spec = FontSpec(path, _best_index(path) if path.suffix.lower() == ".ttc" else 0)
            if _usable(spec):
                seen.add(path)
                yield spec


def find_font(setting: str = "", base: Path | None = None, text: str = PROBE) -> FontSpec:
    """The font to print `text` with; InputError/ConfigError with a clear message if none."""
    if setting:
        spec = _configured(setting, base)
        gaps = missing_chars(spec, text)
        if gaps:
            raise InputError("font.no_glyph", font=spec.label, chars=gaps[:20])
        return spec
    first: FontSpec | None = None
    for spec in _iter_candidates():  # lazily: the first font that has every character
        if not missing_chars(spec, text):
            return spec
        first = first or spec
    if first is None:
        raise InputError("font.missing")
    raise InputError("font.no_glyph", font=first.label, chars=missing_chars(first, text)[:20])


def _configured(setting: str, base: Path | None) -> FontSpec:
    path = Path(setting).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.is_file():
        spec = FontSpec(path, _best_index(path) if path.suffix.lower() == ".ttc" else 0)
    else:
        spec = _fc_match(setting) if "/" not in setting and "\\" not in setting else None
        if spec is None:
            raise ConfigError("font.unusable", font=setting, detail="no such file or font")
    try:
        spec.load(12)
    except OSError as exc:
        raise ConfigError("font.unusable", font=setting, detail=str(exc)) from None
    if not _usable(spec):
        raise ConfigError("font.unusable", font=setting,
                          detail=f"{spec.label} has no Chinese characters")
    return spec
