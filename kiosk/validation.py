"""Identifiers of DOMAIN.md: resident ID (GB 11643-1999), other ID documents, mobile, name.

Each validator returns None when the value is fine, else an (message key, params) pair
that the catalog turns into the reason shown to the user.
"""
from __future__ import annotations

import datetime as dt
import re

from kiosk.messages import Key

Problem = tuple[str, dict[str, object]]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

ID_TYPES = ("resident", "temp_resident", "hmt_permit", "taiwan_id", "hk_id", "macau_id",
            "passport")
# Names used in roster files besides the codes (Chinese Excel users type these).
ID_TYPE_ALIASES = {
    "居民身份证": "resident", "身份证": "resident", "临时身份证": "temp_resident",
    "临时居民身份证": "temp_resident", "港澳台居民居住证": "hmt_permit",
    "台湾居民身份证": "taiwan_id", "香港身份证": "hk_id", "澳门身份证": "macau_id",
    "护照": "passport",
}


def gb11643_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id(value: str) -> str:
    # Full-width digits/letters are common from Chinese input methods; x is accepted as X;
    # a Hong Kong ID is printed with its check digit in brackets: A123456(3)
    return value.strip().translate(_FULLWIDTH).upper().translate(_BRACKETS)


_BRACKETS = str.maketrans("", "", "()（）")
# the middle dot of a minority name as other keyboards and fonts type it
_NAME_DOTS = str.maketrans(dict.fromkeys("•・．‧･∙⋅", "·"))


def normalize_name(value: str) -> str:
    """The name as stored: a minority name's dot is always "·" (typed as ".", "•", "・"…
    it is the same person); a Latin name keeps its full stops."""
    value = value.strip().translate(_NAME_DOTS)
    return re.sub(rf"(?<={_NAME_CJK})\.(?={_NAME_CJK})", "·", value)


_FULLWIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {
    0xFF21 + i: 0x41 + i for i in range(26)} | {0xFF41 + i: 0x61 + i for i in range(26)}


def _resident(value: str, today: dt.date) -> Problem | None:
    if len(value) != 18:
        return "id.length", {"type": Key("idtype.resident"), "expected": 18, "actual": len(value)}
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "id.chars", {"type": Key("idtype.resident")}
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born > today or born.year < 1800:
        return "id.birth", {"date": value[6:14]}
    expected = gb11643_check_char(value[:17])
    if value[17] != expected:
        return "id.check", {"expected": expected, "actual": value[17]}
    return None


def _hk_check(value: str) -> bool:
    body, check = value[:-1], value[-1]
    letters = body[:-6].rjust(2)  # one-letter prefixes count a leading space as 36
    total = sum((9 - i) * (36 if c == " " else ord(c) - 55) for i, c in enumerate(letters))
    total += sum((7 - i) * int(c) for i, c in enumerate(body[-6:]))
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


def validate_id(id_type: str, raw: str, today: dt.date | None = None) -> Problem | None:
    value = normalize_id(raw)
    today = today or dt.date.today()
    if not value:
        return "id.empty", {}
    type_key = Key(f"idtype.{id_type}")
    if id_type in ("resident", "temp_resident"):
        return _resident(value, today)
    if id_type == "hmt_permit":
        if len(value) != 18:
            return "id.length", {"type": type_key, "expected": 18, "actual": len(value)}
        if not value.startswith(("810000", "820000", "830000")):
            return "id.format", {"type": type_key}
        return _resident(value, today)
    if not re.fullmatch(r"[0-9A-Z]+", value):
        return "id.chars", {"type": type_key}
    if id_type == "taiwan_id":
        if len(value) != 10:
            return "id.length", {"type": type_key, "expected": 10, "actual": len(value)}
        return None if re.fullmatch(r"[A-Z][0-9]{9}", value) else ("id.format", {"type": type_key})
    if id_type == "hk_id":
        if len(value) not in (8, 9):
            return "id.length", {"type": type_key, "expected": "8–9", "actual": len(value)}
        ok = re.fullmatch(r"[A-Z]{1,2}[0-9]{6}[0-9A]", value) and _hk_check(value)
        return None if ok else ("id.format", {"type": type_key})
    if id_type == "macau_id":
        if len(value) != 8:
            return "id.length", {"type": type_key, "expected": 8, "actual": len(value)}
        return None if re.fullmatch(r"[0-9]{8}", value) else ("id.format", {"type": type_key})
    if id_type == "passport":
        if not 6 <= len(value) <= 20:
            return "id.length", {"type": type_key, "expected": "6–20", "actual": len(value)}
        return None
    return "id.type_unknown", {"value": id_type, "allowed": ", ".join(ID_TYPES)}


def parse_id_type(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return "resident"
    if value in ID_TYPES:
        return value
    return ID_TYPE_ALIASES.get(value)


def validate_phone(raw: str) -> Problem | None:
    if re.fullmatch(r"1[3-9][0-9]{9}", raw.strip()):
        return None
    return "phone.invalid", {"value": raw}


_NAME_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef]"


def validate_name(raw: str, id_type: str = "resident") -> Problem | None:
    value = raw.strip()
    cjk = re.fullmatch(rf"{_NAME_CJK}+(?:[·.]{_NAME_CJK}+)*", value)
    if cjk and len(re.findall(_NAME_CJK, value)) <= 28:
        return None
    # Foreign candidates carry the Latin name of their passport.
    if id_type == "passport" and re.fullmatch(r"[A-Za-z]+(?:[ .'-][A-Za-z]+)*", value) \
            and len(value) <= 60:
        return None
    return "name.invalid", {"value": raw}


def validate_reg_no(raw: str) -> Problem | None:
    value = raw.strip()
    if value and len(value) <= 32 and not re.search(r"\s", value) and value.isprintable():
        return None
    return "reg_no.invalid", {"value": raw}


def mask_id(value: str) -> str:
    """110105********002X: keep what identifies the region and the last four."""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)
