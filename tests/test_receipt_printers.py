"""Printer backends: ESC/POS bytes (Dummy), CUPS (scripted lpstat, and a real CUPS when the
machine runs one), the file backend, and clear errors for offline / out of paper."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace as NS

import pytest
from escpos.printer import Dummy
from test_receipt_payload import CONFIG, KEY, view

from kiosk.messages import NO_LINE_START, Messages, display_width, wrap_columns
from kiosk.printers import (
    CupsBackend,
    EscposBackend,
    FileBackend,
    PrinterError,
    PrintJob,
    print_escpos,
)
from kiosk.receipt import build_receipt, encode
from kiosk.receipt_config import PrinterSection
from kiosk.slip import slip_lines

NAMES = {"notice": "网上报名成功通知单", "id_doc": "身份证明", "diploma": "学历证书",
         "trial_proof": "试用期考核证明"}


def job(tmp_path: Path, layout: str = "58mm") -> PrintJob:
    r = build_receipt(view(), CONFIG, KEY)
    text = encode(r, KEY)
    png = tmp_path / "s.png"
    png.write_bytes(b"\x89PNG")
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return PrintJob(r.reg_no, text, layout, png, pdf,
                    slip_lines(r, Messages("zh-CN"), "西城考点", NAMES))


# --- escpos ------------------------------------------------------------------------------

def test_escpos_sends_gb18030_text_and_a_native_qr(tmp_path: Path) -> None:
    j = job(tmp_path)
    p = Dummy()
    print_escpos(p, j)
    out = p.output
    assert out.startswith(b"\x1b@\x1c&")                       # ESC @, FS & (Chinese mode)
    assert "医师资格考试现场确认回执".encode("gb18030") in out
    assert "110105********1239".encode("gb18030") in out
    assert "身份证明  2 张".encode("gb18030") in out
    assert "医师".encode() not in out                           # not UTF-8
    # GS ( k: model 2, error correction M (49), then the payload stored and printed
    assert b"\x1d(k\x04\x001A2\x00" in out
    assert b"\x1d(k\x03\x001E1" in out
    data = j.payload.encode("ascii")
    n = len(data) + 3
    assert b"\x1d(k" + bytes([n % 256, n // 256]) + b"1P0" + data in out
    assert b"\x1d(k\x03\x001Q0" in out
    assert out.endswith(b"\x1dV\x00")                        # GS V 0: full cut


def test_escpos_lines_fit_the_paper() -> None:
    for line in wrap_columns("考点：110102 北京市西城区卫生健康委员会医师资格考试考点", 32):
        assert len(line.encode("gb18030")) <= 32  # the printer's own measure: bytes of GB18030


def test_escpos_line_never_starts_with_closing_punctuation() -> None:
    """Chinese typesetting: "；" or "，" never begins a line; the character before it moves
    down with it, and nothing is lost."""
    text = ("考点与考区将审核您的材料，审核结果将以短信通知；如材料被退回（现有 3 张）。"
            "请在 24 小时内处理。")
    for columns in range(8, 40):
        lines = wrap_columns(text, columns)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(display_width(line) <= columns for line in lines)
        assert not any(line[:1] in NO_LINE_START for line in lines), (columns, lines)


def test_escpos_backend_with_a_dummy_device(tmp_path: Path) -> None:
    p = Dummy()
    backend = EscposBackend(PrinterSection(backend="escpos"), factory=lambda: p)
    assert backend.print(job(tmp_path)).startswith("escpos:usb")
    assert b"\x1d(k" in p.output


class _Answering(Dummy):
    """A printer that answers the DLE EOT status queries."""

    def __init__(self, online: int, paper: int) -> None:
        super().__init__()
        self.replies = [bytes([online]), bytes([paper])]

    def _read(self) -> bytes:
        return self.replies.pop(0)


@pytest.mark.parametrize("online,paper,key", [(0x12, 0x60 | 0x12, "printer.no_paper"),
                                              (0x12 | 0x08, 0x12, "printer.offline")])
def test_escpos_status_is_checked_first(tmp_path: Path, online: int, paper: int,
                                        key: str) -> None:
    p = _Answering(online, paper)
    backend = EscposBackend(PrinterSection(backend="escpos"), factory=lambda: p)
    with pytest.raises(PrinterError) as e:
        backend.print(job(tmp_path))
    assert e.value.key == key
    assert b"\x1d(k" not in p.output        # nothing printed


def test_escpos_unreachable_and_incomplete_setups(tmp_path: Path) -> None:
    s = PrinterSection(backend="escpos", escpos_connection="network", host="127.0.0.1", port=9,
                       timeout_seconds=2)
    with pytest.raises(PrinterError) as e:
        EscposBackend(s).print(job(tmp_path))
    assert e.value.key == "printer.offline"
    with pytest.raises(PrinterError) as e:
        EscposBackend(PrinterSection(backend="escpos")).print(job(tmp_path))
    assert e.value.key == "printer.escpos_setup"
    s = PrinterSection(backend="escpos", escpos_connection="serial",
                       serial_device=str(tmp_path / "ttyNONE"))
    with pytest.raises(PrinterError) as e:
        EscposBackend(s).print(job(tmp_path))
    assert e.value.key in ("printer.offline", "printer.failed")
    text = Messages("zh-CN")(e.value.key, **e.value.params)
    assert "Traceback" not in text and text


# --- file --------------------------------------------------------------------------------

def test_file_backend_returns_the_kept_slip(tmp_path: Path) -> None:
    j = job(tmp_path)
    assert FileBackend(tmp_path).print(j) == str(j.png)


# --- cups, scripted ----------------------------------------------------------------------

def scripted(answers: dict[str, tuple[int, str]], calls: list[list[str]]):
    def run(argv: list[str], **_: object) -> subprocess.CompletedProcess:
        calls.append(argv)
        key = " ".join(argv[:2])
        code, out = answers.get(key, (0, ""))
        return subprocess.CompletedProcess(argv, code, out, "")
    return run


IDLE = "printer thermal is idle.  enabled since Thu Nov 26 15:51:01 2026\n\tAlerts: none\n"


@pytest.mark.parametrize("lpstat_p,key", [
    ("printer thermal disabled since Thu -\n\tPaper out\n\tAlerts: none\n", "printer.no_paper"),
    ("printer thermal is idle.  enabled since Thu\n\tAlerts: media-empty-error\n",
     "printer.no_paper"),
    ("printer thermal disabled since Thu -\n\tUnplugged or turned off\n", "printer.offline"),
    ("printer thermal is idle.  enabled since Thu\n\tAlerts: offline-report\n",
     "printer.offline"),
    ("printer thermal is idle.  enabled since Thu\n\tAlerts: cover-open\n",
     "printer.cover_open"),
])
def test_cups_states_become_clear_messages(tmp_path: Path, lpstat_p: str, key: str) -> None:
    calls: list[list[str]] = []
    run = scripted({"lpstat -r": (0, "scheduler is running\n"),
                    "lpstat -l": (0, lpstat_p)}, calls)
    with pytest.raises(PrinterError) as e:
        CupsBackend("thermal", runner=run).print(job(tmp_path))
    assert e.value.key == key
    assert not any(c[0] == "lp" for c in calls)


def test_cups_prints_the_pdf_when_ready(tmp_path: Path) -> None:
    calls: list[list[str]] = []
    run = scripted({"lpstat -r": (0, "scheduler is running\n"), "lpstat -l": (0, IDLE),
                    "lpstat -a": (0, "thermal accepting requests since Thu\n"),
                    "lp -d": (0, "request id is thermal-7 (1 file(s))\n")}, calls)
    j = job(tmp_path)
    assert CupsBackend("thermal", runner=run).print(j) == "thermal (thermal-7)"
    assert calls[-1][:3] == ["lp", "-d", "thermal"] and calls[-1][-1] == str(j.pdf)


def test_cups_down_missing_or_unknown(tmp_path: Path) -> None:
    run = scripted({"lpstat -r": (1, "scheduler is not running\n")}, [])
    with pytest.raises(PrinterError) as e:
        CupsBackend("thermal", runner=run).print(job(tmp_path))
    assert e.value.key == "printer.cups_down"
    run = scripted({"lpstat -r": (0, "scheduler is running\n"),
                    "lpstat -l": (1, "")}, [])
    with pytest.raises(PrinterError) as e:
        CupsBackend("nosuch", runner=run).print(job(tmp_path))
    assert e.value.key == "printer.not_found"
    run = scripted({"lpstat -r": (0, "scheduler is running\n"),
                    "lpstat -d": (0, "no system default destination\n")}, [])
    with pytest.raises(PrinterError) as e:
        CupsBackend("", runner=run).print(job(tmp_path))
    assert e.value.key == "printer.not_found"

    def missing(argv: list[str], **_: object) -> subprocess.CompletedProcess:
        raise FileNotFoundError(argv[0])
    with pytest.raises(PrinterError) as e:
        CupsBackend("thermal", runner=missing).print(job(tmp_path))
    assert e.value.key == "printer.no_cups"


# --- cups, real --------------------------------------------------------------------------

def _cups_running() -> str:
    if not (shutil.which("lpstat") and shutil.which("lpadmin") and shutil.which("lp")):
        return "CUPS is not installed (lp, lpstat, lpadmin)"
    r = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, env={
        **os.environ, "LC_ALL": "C"}, check=False)
    if "scheduler is running" not in r.stdout:
        return "the CUPS scheduler is not running here"
    return ""


@pytest.fixture
def cups_queue():
    why = _cups_running()
    if why:
        pytest.skip(why)
    name = f"kiosk-test-{os.getpid()}"
    r = subprocess.run(["lpadmin", "-p", name, "-E", "-v", "file:///dev/null"],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        pytest.skip(f"cannot add a test queue to CUPS: {r.stderr.strip()[:100]}")
    try:
        yield name
    finally:
        subprocess.run(["cancel", "-a", name], capture_output=True, check=False)
        subprocess.run(["lpadmin", "-x", name], capture_output=True, check=False)


def test_real_cups_prints_and_refuses_a_disabled_queue(tmp_path: Path, cups_queue: str) -> None:
    backend = CupsBackend(cups_queue, timeout=10)
    said = backend.print(job(tmp_path))
    assert said.startswith(f"{cups_queue} ({cups_queue}-")
    job_id = said.split("(")[1].rstrip(")")
    deadline = time.monotonic() + 8
    listed = ""
    while time.monotonic() < deadline:
        listed = subprocess.run(["lpstat", "-W", "all", "-o", cups_queue], capture_output=True,
                                text=True, check=False).stdout
        if job_id in listed:
            break
        time.sleep(0.2)
    assert job_id in listed
    subprocess.run(["cupsdisable", "-r", "Paper out", cups_queue], check=True)
    with pytest.raises(PrinterError) as e:
        backend.print(job(tmp_path))
    assert e.value.key == "printer.no_paper"
    subprocess.run(["cupsdisable", "-r", "Unplugged", cups_queue], check=True)
    with pytest.raises(PrinterError) as e:
        backend.print(job(tmp_path))
    assert e.value.key == "printer.offline"
    subprocess.run(["cupsenable", cups_queue], check=True)
    subprocess.run(["cupsreject", cups_queue], check=True)
    with pytest.raises(PrinterError) as e:
        backend.print(job(tmp_path))
    assert e.value.key == "printer.offline"
    with pytest.raises(PrinterError) as e:
        CupsBackend(cups_queue + "-nosuch").print(job(tmp_path))
    assert e.value.key == "printer.not_found"


def test_the_printer_section_is_strict() -> None:
    from pydantic import ValidationError
    with pytest.raises(ValidationError):
        PrinterSection(backend="laser")
    with pytest.raises(ValidationError):
        PrinterSection(usb_vendor_id=0x10000)
    with pytest.raises(ValidationError):
        PrinterSection(colour=True)
    assert NS(**PrinterSection().model_dump()).backend == "file"
