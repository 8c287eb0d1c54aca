"""Roster CSV import (DESIGN.md): UTF-8 with or without BOM, or GB18030 as Chinese Excel
saves it; header `reg_no,name,id_number,phone` required, `id_type` and `category` optional,
other columns ignored with a warning. Good rows are imported, each bad row is reported with
its line number and reason.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.catalog import parse_categories
from kiosk.errors import InputError
from kiosk.validation import (
    ID_TYPES,
    normalize_id,
    normalize_name,
    parse_id_type,
    validate_id,
    validate_name,
    validate_phone,
    validate_reg_no,
)

REQUIRED = ("reg_no", "name", "id_number", "phone")
OPTIONAL = ("id_type", "category")
MAX_BYTES = 50 * 1024 * 1024
# Column names as a Chinese spreadsheet has them, besides the contract's own
HEADER_ALIASES = {
    "报名号": "reg_no", "姓名": "name", "证件号码": "id_number", "证件号": "id_number",
    "身份证号": "id_number", "身份证号码": "id_number", "手机号": "phone", "手机号码": "phone",
    "手机": "phone", "证件类型": "id_type", "考生类别": "category", "报考类别": "category",
}
# A long number typed into Excel and saved back: 2.02611E+12, its digits gone for good
_EXCEL_NUMBER = re.compile(r"^\d+(\.\d+)?[Ee]\+?\d+$")
# Workbooks, not CSV: .xlsx (a zip) and .xls (an OLE2 compound file)
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


@dataclass
class ParsedRoster:
    rows: list[dict[str, str]] = field(default_factory=list)
    # line number -> (message key, params)
    rejected: dict[int, tuple[str, dict[str, object]]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)


def decode(data: bytes, path: str) -> str:
    if data.startswith(_WORKBOOK_MAGIC):
        raise InputError("roster.workbook", path=path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("roster.encoding", path=path)


def read_roster(path: Path, categories: dict[str, str], default_category: str) -> ParsedRoster:
    if not path.is_file():
        raise InputError("roster.file_missing", path=str(path))
    if path.stat().st_size > MAX_BYTES:
        raise InputError("roster.malformed", path=str(path), detail="> 50 MB")
    text = decode(path.read_bytes(), str(path))
    return parse_roster(text, str(path), categories, default_category)


def parse_roster(text: str, path: str, categories: dict[str, str],
                 default_category: str) -> ParsedRoster:
    # Each record with the file line it starts on (a quoted field may span lines), so a
    # user can find a rejected row in an editor; blank lines are skipped.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            if any(c.strip() for c in record):
                lines.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError("roster.malformed", path=path, detail=str(exc)) from None
    if not lines:
        raise InputError("roster.no_header", path=path, missing=list(REQUIRED))
    _, header = lines[0]
    names = [HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError("roster.no_header", path=path, missing=missing)
    col = {name: names.index(name) for name in REQUIRED + OPTIONAL if name in names}
    # a column not known, or a second one for the same thing (身份证号 and 证件号码):
    # ignored, and said so, by the name the file gives it
    out = ParsedRoster(ignored_columns=[header[i].strip() for i, n in enumerate(names)
                                        if col.get(n) != i])
    seen: dict[str, int] = {}
    for line, record in lines[1:]:
        if len(record) != len(header):
            out.rejected[line] = ("roster.row_columns",
                                  {"expected": len(header), "actual": len(record)})
            continue
        raw = {k: record[i].strip() for k, i in col.items()}
        if excel := next((k for k in ("reg_no", "id_number", "phone")
                          if _EXCEL_NUMBER.match(raw[k])), None):  # said by the file's name
            problem: dict[str, str] | tuple[str, dict[str, object]] = (
                "roster.excel_number", {"column": header[col[excel]].strip(), "value": raw[excel]})
        else:
            problem = _check_row(raw, categories, default_category)
        if isinstance(problem, tuple):
            out.rejected[line] = problem
            continue
        if problem["reg_no"] in seen:
            out.rejected[line] = ("roster.duplicate",
                                  {"reg_no": problem["reg_no"], "first": seen[problem["reg_no"]]})
            continue
        seen[problem["reg_no"]] = line
        problem["line"] = str(line)
        out.rows.append(problem)
    return out


def _check_row(raw: dict[str, str], categories: dict[str, str],
               default_category: str) -> dict[str, str] | tuple[str, dict[str, object]]:
    if (p := validate_reg_no(raw["reg_no"])) is not None:
        return p
    id_type = parse_id_type(raw.get("id_type", ""))
    if id_type is None:
        return "id.type_unknown", {"value": raw["id_type"], "allowed": ", ".join(ID_TYPES)}
    raw["name"] = normalize_name(raw["name"])
    if (p := validate_name(raw["name"], id_type)) is not None:
        return p
    if (p := validate_id(id_type, raw["id_number"])) is not None:
        return p
    if (p := validate_phone(raw["phone"])) is not None:
        return p
    cats = parse_categories(raw.get("category", "")) or frozenset([default_category])
    unknown = sorted(c for c in cats if c not in categories)
    if unknown:
        return "category.unknown", {"value": unknown[0], "allowed": ", ".join(categories)}
    return {"reg_no": raw["reg_no"], "name": raw["name"], "id_type": id_type,
            "id_number": normalize_id(raw["id_number"]), "phone": raw["phone"],
            "categories": "+".join(sorted(cats))}
