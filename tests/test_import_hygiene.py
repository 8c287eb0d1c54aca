"""The core (camera/, sync/, the rules and store in kiosk/) never imports Textual."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UI_FILES = {"kiosk/ui", "kiosk/cli/ui_entry.py"}  # the thin layer that may use Textual


def _core_files() -> list[Path]:
    files = [*REPO.glob("camera/**/*.py"), *REPO.glob("sync/**/*.py"),
             *REPO.glob("kiosk/**/*.py")]
    return [f for f in files
            if not any(str(f.relative_to(REPO)).startswith(u) for u in UI_FILES)]


def test_no_core_module_imports_textual() -> None:
    offenders = []
    for path in _core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "textual" or n.startswith("textual.") for n in names):
                offenders.append(str(path.relative_to(REPO)))
    assert _core_files(), "no core files found"
    assert offenders == []


def test_importing_the_core_loads_no_textual() -> None:
    code = ("import sys, camera, kiosk.workflow, kiosk.store, kiosk.roster, kiosk.cli, "
            "kiosk.validation, sync; "
            "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
