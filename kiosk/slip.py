"""The printed receipt (回执): a Pillow image for 58 mm / 80 mm thermal paper or A4.

Everything printed comes from the Receipt that the QR code carries (plus the site's name
and the material names, which are not secret and not signed), so the paper and the QR
always agree. Times are printed in Beijing time (UTC+8), the exam's own clock.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qrcode
from PIL import Image, ImageDraw

from kiosk.errors import InputError
from kiosk.fonts import FontSpec, find_font
from kiosk.keys import key_id_text
from kiosk.messages import Key, Messages, beijing_time, line_break
from kiosk.receipt import Receipt


@dataclass(frozen=True)
class Layout:
    name: str
    width: int          # dots
    dpi: int
    margin: int
    title: int          # font sizes in dots
    body: int
    small: int
    max_module: int     # QR module size cap (dots)
    page_height: int | None = None  # A4: a fixed page; thermal: as long as needed


LAYOUTS: dict[str, Layout] = {
    "58mm": Layout("58mm", 384, 203, 12, 28, 22, 18, 6),
    "80mm": Layout("80mm", 576, 203, 20, 36, 26, 20, 7),
    "a4": Layout("a4", 2480, 300, 236, 88, 56, 44, 14, page_height=3508),
}
QUIET = 4  # QR quiet zone, modules


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code's modules (quiet zone included) at error correction M or better."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET)
    qr.add_data(payload, optimize=0)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_version(payload: str) -> int:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(payload, optimize=0)
    qr.make(fit=True)
    return int(qr.version)


def qr_image(payload: str, module: int) -> Image.Image:
    matrix = qr_matrix(payload)
    n = len(matrix)
    small = Image.new("L", (n, n), 255)
    small.putdata([0 if cell else 255 for row in matrix for cell in row])
    return small.resize((n * module, n * module), Image.Resampling.NEAREST)


# What the list of materials is, and what happens next, depend on the state: a returned
# candidate's materials are not confirmed, an approved one's review is over.
_MATERIALS_TITLE = {"returned": "slip.materials_returned",
                    "district_returned": "slip.materials_returned",
                    "ineligible": "slip.materials_submitted"}
_NOTICE = {"site_approved": "slip.notice_site_approved",
           "district_approved": "slip.notice_district_approved",
           "returned": "slip.notice_returned", "district_returned": "slip.notice_returned",
           "ineligible": "slip.notice_ineligible"}


def slip_lines(receipt: Receipt, msg: Messages, site_name: str,
               material_names: Mapping[str, str]) -> dict[str, Any]:
    """The texts of a slip, in order, by part."""
    head = [
        msg("slip.site", code=receipt.site_code, name=site_name).rstrip(),
        msg("slip.name", name=receipt.name),
        msg("slip.id", id=receipt.id_masked),
        msg("slip.reg_no", reg_no=receipt.reg_no),
        msg("slip.state", state=Key("state." + receipt.state)),
        msg("slip.time", time=beijing_time(receipt.submitted_at)),
        msg("slip.kiosk", kiosk_id=receipt.kiosk_id),
    ]
    mats = [msg("slip.material_line", name=material_names.get(code, code), count=count)
            for code, count in receipt.materials]
    return {"title": msg("slip.title"), "head": head,
            "materials_title": msg(_MATERIALS_TITLE.get(receipt.state, "slip.materials")),
            "materials": mats, "total": msg("slip.total", count=receipt.total_images),
            "scan": msg("slip.scan"), "notice": msg(_NOTICE.get(receipt.state, "slip.notice")),
            "footer": f"{receipt.kiosk_id} · {key_id_text(receipt.key_id)}"}


def all_text(lines: Mapping[str, Any]) -> str:
    return "".join("".join(v) if isinstance(v, list) else v for v in lines.values())


_TOKEN = re.compile(r"[A-Za-z0-9_.,:;!?()\[\]/+@#%&*'\"-]+\s*|\s+|.", re.S)


def wrap(text: str, font: Any, width: int) -> list[str]:
    """Greedy line breaking: anywhere between CJK characters, at spaces between words."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if font.getlength(line + token.rstrip()) <= width:
            line += token
            continue
        line, carry = line_break(line, token)  # never a line that starts with "，"
        if line.strip():
            lines.append(line.rstrip())
        line = carry + token.lstrip()
        while font.getlength(line.rstrip()) > width and len(line) > 1:  # a very long word
            cut = len(line) - 1
            while cut > 1 and font.getlength(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def render_slip(receipt: Receipt, payload: str, *, layout: str | Layout, msg: Messages,
                font: FontSpec | None = None, site_name: str = "",
                material_names: Mapping[str, str] | None = None) -> Image.Image:
    """The slip as a greyscale image, `layout.width` dots wide."""
    lay = LAYOUTS[layout] if isinstance(layout, str) else layout
    lines = slip_lines(receipt, msg, site_name, material_names or {})
    if font is None:
        font = find_font(text=all_text(lines))
    title_f, body_f, small_f = (font.load(s) for s in (lay.title, lay.body, lay.small))
    inner = lay.width - 2 * lay.margin
    ops: list[tuple[str, Any]] = []   # (kind, data): text lines, rules, gaps, the QR

    def para(text: str, f: Any, center: bool = False, bold: bool = False,
             indent: int = 0) -> None:
        for ln in wrap(text, f, inner - indent):
            ops.append(("text", (ln, f, center, bold, indent)))

    para(lines["title"], title_f, center=True, bold=True)
    ops.append(("rule", 2))
    for text in lines["head"]:
        para(text, body_f)
    ops.append(("rule", 1))
    para(lines["materials_title"], body_f)
    for text in lines["materials"]:
        para(text, body_f, indent=lay.body)
    para(lines["total"], body_f, indent=lay.body)
    ops.append(("rule", 1))
    matrix_n = len(qr_matrix(payload))
    module = max(2, min(lay.max_module, inner // matrix_n))
    ops.append(("qr", module))
    para(lines["scan"], small_f, center=True)
    ops.append(("gap", lay.small // 2))
    para(lines["notice"], small_f)
    ops.append(("gap", lay.small // 2))
    para(lines["footer"], small_f, center=True)

    line_gap = max(4, lay.body // 4)

    def height_of(kind: str, data: Any) -> int:
        if kind == "text":
            f = data[1]
            return int(f.size * 1.25) + line_gap // 2
        if kind == "rule":
            return line_gap * 2 + data
        if kind == "qr":
            return matrix_n * data + line_gap
        return int(data)

    total = lay.margin * 2 + sum(height_of(k, d) for k, d in ops)
    height = max(total, lay.page_height or 0)
    img = Image.new("L", (lay.width, height), 255)
    draw = ImageDraw.Draw(img)
    y = lay.margin
    for kind, data in ops:
        h = height_of(kind, data)
        if kind == "text":
            text, f, center, bold, indent = data
            w = f.getlength(text)
            x = lay.margin + indent + ((inner - indent - w) / 2 if center else 0)
            draw.text((x, y), text, font=f, fill=0, stroke_width=1 if bold else 0,
                      stroke_fill=0)
        elif kind == "rule":
            mid = y + h // 2
            draw.rectangle((lay.margin, mid, lay.width - lay.margin - 1, mid + data - 1),
                           fill=0)
        elif kind == "qr":
            q = qr_image(payload, data)
            img.paste(q, ((lay.width - q.width) // 2, y))
        y += h
    return img


def save_slip(img: Image.Image, path: Path, dpi: int) -> Path:
    """Write PNG or PDF (by the suffix), atomically. InputError when it cannot."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise InputError("slip.bad_suffix", path=str(path))
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            if suffix == ".png":
                img.save(fh, "PNG", dpi=(dpi, dpi), optimize=True)
            else:
                img.convert("RGB").save(fh, "PDF", resolution=float(dpi),
                                        title="医师资格考试现场确认回执")
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError("slip.write_failed", path=str(path), detail=exc.strerror or str(exc))\
            from None
    return path


# --- making, saving and printing a candidate's slip ----------------------------------------

@dataclass
class Slip:
    receipt: Receipt
    payload: str
    layout: Layout
    lines: dict[str, Any]
    image: Image.Image


def prepare(wf: Any, reg_no: str, msg: Messages | None = None,
            layout: str | None = None) -> Slip:
    """The signed receipt and its picture for a candidate who has submitted.

    RuleError for an unknown candidate or one in draft; InputError when there is no
    signing key or no font that can print the text.
    """
    from kiosk.keys import load_signing_key
    from kiosk.receipt import build_receipt, encode

    config = wf.config
    msg = msg or Messages(config.language)
    view = wf.candidate(reg_no)
    key = load_signing_key(config.data_dir)
    receipt = build_receipt(view, config, key)
    payload = encode(receipt, key)
    lay = LAYOUTS[layout or config.settings.receipt.layout]
    names = {code: m.name for code, m in view.materials.items()}
    lines = slip_lines(receipt, msg, config.settings.kiosk.site_name, names)
    font = find_font(config.settings.receipt.font, config.base, all_text(lines))
    image = render_slip(receipt, payload, layout=lay, msg=msg, font=font,
                        site_name=config.settings.kiosk.site_name, material_names=names)
    return Slip(receipt, payload, lay, lines, image)


def record(wf: Any, slip: Slip, output: str | None, printer: str | None,
           error: str | None = None) -> int:
    """One row in `receipts` (and an audit entry) for every slip made or printed."""
    from kiosk.store import now

    with wf.store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO receipts (reg_no, payload, created_at, output, printer, error) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (slip.receipt.reg_no, slip.payload, now(), output, printer, error))
        wf.store.audit(wf.actor, "receipt", slip.receipt.reg_no,
                       {"output": output, "printer": printer, "error": error,
                        "key_id": slip.receipt.key_id.hex()})
        return int(cur.lastrowid)


def save_to(wf: Any, slip: Slip, path: Path) -> Path:
    """Write the slip to `path` (.png or .pdf) and record it."""
    out = save_slip(slip.image, Path(path), slip.layout.dpi)
    record(wf, slip, str(out.resolve()), None)
    return out


def keep(wf: Any, slip: Slip) -> tuple[Path, Path]:
    """Save the slip as PNG and PDF in the slips folder (before any printing)."""
    from kiosk.printers import slips_dir

    folder = slips_dir(wf.config)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", slip.receipt.reg_no) + "-" + stamp
    png = save_slip(slip.image, folder / f"{stem}.png", slip.layout.dpi)
    pdf = save_slip(slip.image, folder / f"{stem}.pdf", slip.layout.dpi)
    return png, pdf


def print_slip(wf: Any, slip: Slip, backend: Any = None) -> tuple[Path, str]:
    """Keep the slip in the slips folder, then print it with the configured backend.

    Returns (kept PNG, what the backend says). A printer that fails raises PrinterError
    after the attempt is recorded with its error; the kept slip can be printed again.
    Nothing about the candidate's submission is touched either way.
    """
    from kiosk.printers import PrinterError, PrintJob, backend_for

    backend = backend or backend_for(wf.config)
    png, pdf = keep(wf, slip)
    job = PrintJob(slip.receipt.reg_no, slip.payload, slip.layout.name, png, pdf, slip.lines)
    try:
        said = backend.print(job)
    except PrinterError as exc:
        record(wf, slip, str(png), backend.label, error=str(exc))
        exc.params.setdefault("path", str(png))
        raise
    record(wf, slip, str(png), backend.label)
    return png, said
