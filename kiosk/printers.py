"""Getting the slip onto paper: `[printer] backend` = file, cups or escpos.

The caller has already saved the slip in the slips folder, so a printer that is offline,
out of paper or missing costs nothing: it raises PrinterError with a clear message key,
the slip stays on disk for a reprint, and nothing about the submission is touched.

- file:   the saved slip is the result (nothing else to do).
- cups:   the system's `lp -d NAME` with the slip as PDF; `lpstat` says first whether the
          scheduler runs and whether the printer is there, enabled and has paper.
- escpos: a thermal receipt printer driven directly with python-escpos over USB, the
          network or a serial line: text in GB18030 (Chinese character mode, FS &) and
          the QR code as the printer's native QR command (GS ( k), which prints sharper
          than any raster image.
"""
from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kiosk.errors import CheckFailed
from kiosk.messages import wrap_columns

FS_CHINESE_ON = b"\x1c\x26"    # FS &: Chinese character mode (GB18030 / GBK printers)
ESC_INIT = b"\x1b\x40"         # ESC @
COLUMNS = {"58mm": 32, "80mm": 48, "a4": 48}   # Font A half-width columns
QR_DOTS = {"58mm": 384, "80mm": 576, "a4": 576}


class PrinterError(CheckFailed):
    """The printer could not print; `key` is one of the printer.* messages."""


@dataclass
class PrintJob:
    reg_no: str
    payload: str
    layout: str
    png: Path                       # the slip as saved in the slips folder
    pdf: Path | None = None         # the same as PDF (cups prints this)
    lines: Mapping[str, Any] = field(default_factory=dict)  # kiosk.slip.slip_lines()


class Backend(Protocol):
    label: str

    def print(self, job: PrintJob) -> str:
        """Print; return a short description (a path, a CUPS job id). PrinterError if not."""
        ...


# --- file --------------------------------------------------------------------------------

class FileBackend:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.label = f"file:{folder}"

    def print(self, job: PrintJob) -> str:
        return str(job.png)


# --- cups --------------------------------------------------------------------------------

Runner = Callable[..., subprocess.CompletedProcess]


class CupsBackend:
    def __init__(self, name: str = "", timeout: float = 15,
                 runner: Runner = subprocess.run) -> None:
        self.name = name
        self.timeout = timeout
        self.run_ = runner
        self.label = f"cups:{name or '(default)'}"

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        try:
            return self.run_(list(argv), capture_output=True, text=True, timeout=self.timeout,
                             check=False, env=_c_locale())
        except FileNotFoundError:
            raise PrinterError("printer.no_cups") from None
        except subprocess.TimeoutExpired:
            raise PrinterError("printer.failed", printer=self.name or "CUPS",
                               detail=f"{argv[0]}: no answer in {self.timeout:g} s") from None

    def destination(self) -> str:
        if self.name:
            return self.name
        out = self._run("lpstat", "-d").stdout
        m = re.search(r"system default destination:\s*(\S+)", out)
        if not m:
            raise PrinterError("printer.not_found", printer="(default)")
        return m.group(1)

    def check(self) -> str:
        """The destination when it can print now; PrinterError saying why not otherwise."""
        if not shutil.which("lp") and self.run_ is subprocess.run:
            raise PrinterError("printer.no_cups")
        sched = self._run("lpstat", "-r")
        if "not running" in sched.stdout + sched.stderr or sched.returncode != 0:
            raise PrinterError("printer.cups_down")
        dest = self.destination()
        st = self._run("lpstat", "-l", "-p", dest)
        lines = st.stdout.splitlines()
        if st.returncode != 0 or not lines or not lines[0].startswith("printer "):
            raise PrinterError("printer.not_found", printer=dest)
        first = lines[0].lower()
        # why it is disabled: the indented line right after the first one (lpstat -p)
        why = lines[1].strip().lower() if len(lines) > 1 and lines[1].startswith("\t") \
            and ":" not in lines[1] else ""
        alerts = " ".join(m.group(1).lower() for m in re.finditer(
            r"^\s*Alerts:\s*(.*)$", st.stdout, re.M))
        reasons = f"{alerts} {why}"
        if any(w in reasons for w in ("media-empty", "media-needed", "media-jam",
                                      "paper out", "out of paper", "no paper")):
            raise PrinterError("printer.no_paper", printer=dest)
        if "door-open" in reasons or "cover-open" in reasons:
            raise PrinterError("printer.cover_open", printer=dest)
        if " disabled" in first or "offline" in reasons or "paused" in reasons:
            raise PrinterError("printer.offline", printer=dest)
        acc = self._run("lpstat", "-a", dest)
        if "not accepting" in (acc.stdout + acc.stderr).lower():
            raise PrinterError("printer.offline", printer=dest)
        return dest

    def print(self, job: PrintJob) -> str:
        dest = self.check()
        doc = job.pdf or job.png
        res = self._run("lp", "-d", dest, "-t", f"receipt {job.reg_no}", str(doc))
        if res.returncode != 0:
            raise PrinterError("printer.failed", printer=dest,
                               detail=(res.stderr or res.stdout).strip()[:200])
        m = re.search(r"request id is (\S+)", res.stdout)
        return f"{dest} ({m.group(1)})" if m else dest


def _c_locale() -> dict[str, str]:
    import os
    env = dict(os.environ)
    env.update(LC_ALL="C", LANG="C")  # lpstat's English wording is what check() reads
    return env


# --- escpos ------------------------------------------------------------------------------

def qr_module_dots(payload: str, layout: str) -> int:
    from kiosk.slip import qr_matrix
    n = len(qr_matrix(payload))
    return max(3, min(8, QR_DOTS.get(layout, 384) // n))


def print_escpos(p: Any, job: PrintJob) -> None:
    """Send the slip to a python-escpos printer object: GB18030 text and a native QR code."""
    from escpos.constants import QR_ECLEVEL_M
    cols = COLUMNS.get(job.layout, 32)
    lines = job.lines

    def out(text: str) -> None:
        for ln in wrap_columns(text, cols):
            p._raw(ln.encode("gb18030", errors="replace") + b"\n")

    p._raw(ESC_INIT + FS_CHINESE_ON)
    p.set(align="center", bold=True, double_height=True, double_width=False)
    out(lines.get("title", ""))
    p.set(align="left", bold=False, normal_textsize=True)
    p._raw(b"-" * cols + b"\n")
    for text in lines.get("head", []):
        out(text)
    p._raw(b"-" * cols + b"\n")
    out(lines.get("materials_title", ""))
    for text in lines.get("materials", []):
        out("  " + text)
    out("  " + lines.get("total", ""))
    p._raw(b"-" * cols + b"\n")
    p.set(align="center")
    p.qr(job.payload, ec=QR_ECLEVEL_M, size=qr_module_dots(job.payload, job.layout),
         native=True)
    out(lines.get("scan", ""))
    p.set(align="left")
    out(lines.get("notice", ""))
    p.set(align="center")
    out(lines.get("footer", ""))
    p.set(align="left")
    p.cut()


class EscposBackend:
    def __init__(self, settings: Any, factory: Callable[[], Any] | None = None) -> None:
        self.s = settings
        self.factory = factory or self._connect
        kind = settings.escpos_connection
        where = {"usb": f"{settings.usb_vendor_id:04x}:{settings.usb_product_id:04x}",
                 "network": f"{settings.host}:{settings.port}",
                 "serial": settings.serial_device}[kind]
        self.label = f"escpos:{kind}:{where}"

    def _connect(self) -> Any:
        from escpos import printer
        s = self.s
        profile = {"profile": s.profile} if s.profile else {}
        if missing := s.escpos_missing():  # (a loaded config has refused it already)
            raise PrinterError("printer.escpos_setup", detail=missing)
        if s.escpos_connection == "usb":
            return printer.Usb(s.usb_vendor_id, s.usb_product_id,
                               timeout=int(s.timeout_seconds * 1000), **profile)
        if s.escpos_connection == "network":
            return printer.Network(s.host, s.port, timeout=s.timeout_seconds, **profile)
        return printer.Serial(s.serial_device, s.baudrate, timeout=s.timeout_seconds,
                              **profile)

    def check(self, p: Any) -> None:
        """Ask the printer (DLE EOT) whether it is online and has paper, when it answers."""
        from escpos.constants import (
            RT_MASK_NOPAPER,
            RT_MASK_ONLINE,
            RT_STATUS_ONLINE,
            RT_STATUS_PAPER,
        )
        sock = getattr(p, "_device", None)
        restore = sock.gettimeout() if hasattr(sock, "settimeout") else None
        try:
            if restore is not None:
                sock.settimeout(min(2.0, restore or 2.0))  # a silent printer: don't wait long
            online = p.query_status(RT_STATUS_ONLINE)
            paper = p.query_status(RT_STATUS_PAPER)
        except (NotImplementedError, AttributeError, TimeoutError):
            return  # a one-way connection: nothing to learn, print and hope
        except Exception as exc:
            if _is_timeout(exc):
                return
            raise
        finally:
            if restore is not None:
                sock.settimeout(restore)
        if paper and paper[0] & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
            raise PrinterError("printer.no_paper", printer=self.label)
        if online and online[0] & RT_MASK_ONLINE:
            raise PrinterError("printer.offline", printer=self.label)

    def print(self, job: PrintJob) -> str:
        p = None
        try:
            p = self.factory()
            if hasattr(p, "open") and getattr(p, "_device", None) is False:
                p.open()
            self.check(p)
            print_escpos(p, job)
            return self.label
        except PrinterError:
            raise
        except Exception as exc:  # USBNotFoundError, DeviceNotFoundError, OSError, serial…
            raise _escpos_error(exc, self.label) from None
        finally:
            if p is not None:
                with contextlib.suppress(Exception):  # a dead device must not mask why
                    p.close()


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower() \
        or "timed out" in str(exc).lower()


def _escpos_error(exc: Exception, label: str) -> PrinterError:
    from escpos import exceptions as ex
    if isinstance(exc, ex.USBNotFoundError | ex.DeviceNotFoundError | ConnectionError) \
            or _is_timeout(exc):
        return PrinterError("printer.offline", printer=label)
    if isinstance(exc, ModuleNotFoundError):
        return PrinterError("printer.escpos_setup", detail=f"{exc.name} is not installed")
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    return PrinterError("printer.failed", printer=label, detail=detail)


# --- choosing ----------------------------------------------------------------------------

def backend_for(config: Any) -> Backend:
    s = config.settings.printer
    if s.backend == "cups":
        return CupsBackend(s.name, s.timeout_seconds)
    if s.backend == "escpos":
        return EscposBackend(s)
    return FileBackend(slips_dir(config))


def slips_dir(config: Any) -> Path:
    return (config.data_dir / config.settings.printer.slips_dir).resolve()
