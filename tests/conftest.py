"""Shared fixtures: a kiosk folder with its own kiosk.toml and database, the CLI run
in-process, and small real images made on the spot."""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class KioskDir:
    path: Path
    config: Path
    run: Callable[..., Run]

    @property
    def database(self) -> Path:
        return self.path / "data" / "kiosk.db"


def write_config(folder: Path, extra: str = "", language: str = "zh-CN") -> Path:
    cfg = folder / "kiosk.toml"
    cfg.write_text(
        f'[kiosk]\nsite_code = "110102"\nkiosk_id = "T1"\nlanguage = "{language}"\n'
        f'[storage]\ndatabase = "data/kiosk.db"\n{extra}', encoding="utf-8")
    return cfg


@pytest.fixture
def kiosk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> KioskDir:
    from kiosk.cli import main

    cfg = write_config(tmp_path)

    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main(["--config", str(cfg), *map(str, args)])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return KioskDir(tmp_path, cfg, run)


@pytest.fixture
def demo_kiosk(kiosk: KioskDir) -> KioskDir:
    assert kiosk.run("init", "--demo").code == 0
    return kiosk


def page_on_desk(seed: int = 0, size: tuple[int, int] = (1280, 960),
                 paper: tuple[int, int] = (600, 800), angle: float = 8.0) -> np.ndarray:
    """A white page with lines of text, turned a little, on a dark wooden-ish desk."""
    rng = np.random.default_rng(seed)
    w, h = size
    desk = np.zeros((h, w, 3), np.uint8)
    desk[:] = (40, 70, 110)
    desk = cv2.add(desk, rng.integers(0, 25, (h, w, 3), dtype=np.uint8))
    pw, ph = paper
    page = np.full((ph, pw, 3), 245, np.uint8)
    cv2.putText(page, "CERTIFICATE", (40, 90), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (20, 20, 20), 3)
    for i, y in enumerate(range(160, ph - 60, 42)):
        text = f"LINE {i:02d} MEDICAL LICENSING EXAM {seed:04d}"
        cv2.putText(page, text, (40, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2)
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    centre = np.float32([w / 2, h / 2])
    rot = cv2.getRotationMatrix2D((0, 0), angle, 1.0)[:, :2].astype(np.float32)
    dst = (src - src.mean(axis=0)) @ rot.T + centre
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(page, m, (w, h))
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (w, h))
    desk[mask > 0] = warped[mask > 0]
    return desk


def jpeg_file(path: Path, image: np.ndarray, quality: int = 90) -> Path:
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).save(buf, "JPEG", quality=quality)
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    """Six small photos of pages on a desk."""
    folder = tmp_path / "photos"
    folder.mkdir()
    return [jpeg_file(folder / f"p{i}.jpg", page_on_desk(i, size=(960, 720),
                                                         paper=(420, 560)))
            for i in range(6)]


def real_photo(folder: str, index: int) -> tuple[np.ndarray, dict]:
    """Frame `index` of a shared set of real photos (../shared/realdocs/FOLDER) and its
    manifest entry (the true corners and more). Without ../shared next to the repo the test
    is skipped, saying where it looked."""
    data = SHARED / "realdocs" / folder
    if not (data / "manifest.json").is_file():
        pytest.skip(f"shared realdocs not found at {data} (needs ../shared next to the repo)")
    e = json.loads((data / "manifest.json").read_text())["frames"][index]
    return cv2.imread(str(data / e["file"])), e
