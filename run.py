#!/usr/bin/env python3
"""The README's two commands, needing only Python 3.11+ on a fresh machine:

    python3 run.py demo    start the kiosk in demo mode
    python3 run.py test    ruff, then the test suite

Both first bring `.venv` up to date with the hash-pinned requirements.lock (only when the
lock or pyproject.toml changed since the last install). `python3 run.py bench` runs the
capture-pipeline benchmark; any other arguments after `kiosk` go to the kiosk command.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
INPUTS = (ROOT / "requirements.lock", ROOT / "pyproject.toml")


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def ensure_venv() -> None:
    if STAMP.exists() and all(STAMP.stat().st_mtime >= p.stat().st_mtime for p in INPUTS):
        return
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an old python3
        sys.exit("Python 3.11 or newer is needed.")
    print("Setting up .venv from requirements.lock …", flush=True)
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = (BIN / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check")
    _run(*pip, "--require-hashes", "-r", ROOT / "requirements.lock")
    _run(*pip, "--no-deps", "--no-build-isolation", "-e", ROOT)
    ensure_cjk_font()
    STAMP.touch()


def ensure_cjk_font() -> None:
    """Receipts print Chinese, and without a CJK font the kiosk refuses to make one
    (kiosk/fonts.py). On Debian or Ubuntu as root, install fonts-wqy-microhei (4 MB) when no
    such font is found; elsewhere say what to install."""
    probe = ("import sys; from kiosk.fonts import candidates; "
             "sys.exit(0 if candidates() else 1)")
    if subprocess.call([str(BIN / "python"), "-c", probe], cwd=ROOT) == 0:
        return
    if getattr(os, "geteuid", lambda: -1)() == 0 and shutil.which("apt-get"):
        print("Installing a Chinese font for the receipts (fonts-wqy-microhei) …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "fonts-wqy-microhei"]
        quiet = {"env": env, "stdout": subprocess.DEVNULL}
        if subprocess.call(cmd, **quiet) == 0:
            return
        subprocess.call(["apt-get", "update", "-q"], **quiet)
        if subprocess.call(cmd, **quiet) == 0:
            return
    print("warning: no Chinese (CJK) font found; receipts need one: install "
          "fonts-wqy-microhei or fonts-noto-cjk, or name a font file in kiosk.toml "
          "[receipt] font", file=sys.stderr)


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "demo"
    ensure_venv()
    if what == "demo":
        return subprocess.call([BIN / "kiosk", "--demo", *argv[1:]], cwd=ROOT)
    if what == "kiosk":
        return subprocess.call([BIN / "kiosk", *argv[1:]], cwd=ROOT)
    if what == "test":
        if subprocess.call([BIN / "ruff", "check", "."], cwd=ROOT) != 0:
            return 1
        return subprocess.call([BIN / "python", "-m", "pytest", *argv[1:]], cwd=ROOT)
    if what == "bench":
        return subprocess.call([BIN / "python", "-m", "camera.bench", *argv[1:]], cwd=ROOT)
    sys.exit(f"usage: python3 run.py [demo|test|bench|kiosk ARGS…] (not {what!r})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
