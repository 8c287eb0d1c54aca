"""`kiosk slip`, `kiosk verify`, `kiosk keys export` end to end on a real database."""
from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import KioskDir, write_config
from PIL import Image

from kiosk.config import load_config
from kiosk.receipt import b45decode, b45encode
from kiosk.workflow import NewCapture, Workflow

REG = "2026110102001"      # demo: direct applicant, resident ID card
DRAFT = "2026110102002"


def small_jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (48, 32), (seed * 37 % 256, 90, 160)).save(buf, "JPEG")
    return buf.getvalue()


def submit(k: KioskDir, reg: str = REG) -> None:
    wf = Workflow.open(load_config(k.config))
    try:
        view = wf.candidate(reg)
        n = 0
        for code, m in view.materials.items():
            wf.add_captures(reg, code, [NewCapture(small_jpeg(n + i), 48, 32, "test", {})
                                        for i in range(m.min)])
            n += m.min
        wf.submit(reg)
    finally:
        wf.close()


@pytest.fixture
def submitted(demo_kiosk: KioskDir) -> KioskDir:
    submit(demo_kiosk)
    return demo_kiosk


def payload_of(k: KioskDir) -> str:
    with sqlite3.connect(k.database) as conn:
        return conn.execute("SELECT payload FROM receipts ORDER BY id DESC").fetchone()[0]


def test_slip_png_and_pdf_verify(submitted: KioskDir, tmp_path: Path) -> None:
    for name in ("slip.png", "slip.pdf"):
        r = submitted.run("slip", REG, "-o", tmp_path / name)
        assert r.code == 0, r.err
        assert str(tmp_path / name) in r.out
        v = submitted.run("verify", tmp_path / name)
        assert v.code == 0, v.err
        assert REG in v.out and "110105********" in v.out and "张伟" in v.out
        assert "已提交" in v.out
    with sqlite3.connect(submitted.database) as conn:
        rows = conn.execute("SELECT reg_no, output, printer, error FROM receipts").fetchall()
        id_number = conn.execute("SELECT id_number FROM candidates WHERE reg_no = ?",
                                 [REG]).fetchone()[0]
    assert [r[0] for r in rows] == [REG, REG] and all(r[3] is None for r in rows)
    assert id_number not in v.out  # the whole ID number is never shown


def test_a_receipt_printed_before_a_return_is_said_to_be_out_of_date(
        submitted: KioskDir, tmp_path: Path) -> None:
    assert submitted.run("slip", REG, "-o", tmp_path / "old.png").code == 0
    v = submitted.run("verify", tmp_path / "old.png")
    assert v.code == 0 and "最新" not in v.err, v.err  # current: nothing more to say
    assert submitted.run("review", REG, "--return", "学历证书不清晰", "--material",
                         "diploma").code == 0
    v = submitted.run("verify", tmp_path / "old.png")
    assert v.code == 0 and "已提交" in v.out  # authentic, and says what it says ...
    assert "已不是该考生的最新情况" in v.err and "已退回" in v.err, v.err  # ... but no more


def test_verify_payload_exit_codes(submitted: KioskDir, tmp_path: Path) -> None:
    assert submitted.run("slip", REG, "-o", tmp_path / "s.png").code == 0
    text = payload_of(submitted)
    assert submitted.run("verify", "--payload", text).code == 0
    raw = bytearray(b45decode(text[4:]))
    raw[30] ^= 0x01
    bad = submitted.run("verify", "--payload", "KR1:" + b45encode(bytes(raw)))
    assert bad.code == 1 and "回执无效" in bad.err
    i = len(text) // 2
    tampered = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]
    assert submitted.run("verify", "--payload", tampered).code == 1
    # what is wrong with a text that is no receipt at all, in the user's language
    for junk in ("hello", "KR1:" + text[4:-7] + ":::", "KR1:" + b45encode(b"\xff" * 80)):
        r = submitted.run("verify", "--payload", junk)
        assert r.code == 1 and "回执无效" in r.err, r.err
        assert not re.search(r"[A-Za-z]{4,}", r.err.replace("KR1", "")), r.err
    assert submitted.run("verify", tmp_path / "missing.png").code == 2
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    r = submitted.run("verify", blank)
    assert r.code == 2 and "二维码" in r.err
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert submitted.run("verify", notes).code == 2
    assert submitted.run("verify").code == 2
    assert submitted.run("verify", blank, "--payload", text).code == 2


def test_another_kiosk_trusts_only_configured_keys(submitted: KioskDir,
                                                   tmp_path: Path) -> None:
    assert submitted.run("slip", REG, "-o", tmp_path / "s.png").code == 0
    exported = submitted.run("keys", "export")
    assert exported.code == 0
    key = exported.out.strip()  # the key alone on stdout: `kiosk keys export > k.pub`
    assert key.startswith("ed25519:") and "\n" not in key, exported.out
    assert "trusted_keys" in exported.err

    other = tmp_path / "other"
    other.mkdir()
    cfg = write_config(other)
    from kiosk.cli import main
    assert main(["--config", str(cfg), "init"]) == 0
    assert main(["--config", str(cfg), "verify", str(tmp_path / "s.png")]) == 1
    write_config(other, f'[receipt]\ntrusted_keys = ["{key}"]\n')
    assert main(["--config", str(cfg), "verify", str(tmp_path / "s.png")]) == 0
    # a verifier with no database and no key of its own, only the trusted key
    bare = tmp_path / "bare"
    bare.mkdir()
    cfg = write_config(bare, f'[receipt]\ntrusted_keys = ["{key}"]\n')
    assert main(["--config", str(cfg), "verify", str(tmp_path / "s.png")]) == 0
    write_config(bare, '[receipt]\ntrusted_keys = ["ed25519:nonsense"]\n')
    assert main(["--config", str(cfg), "verify", str(tmp_path / "s.png")]) == 2


def test_slip_refusals(submitted: KioskDir, tmp_path: Path) -> None:
    r = submitted.run("slip", DRAFT, "-o", tmp_path / "d.png")
    assert r.code == 1 and "尚未提交" in r.err
    assert not (tmp_path / "d.png").exists()
    assert submitted.run("slip", "NOBODY", "-o", tmp_path / "n.png").code == 1
    assert submitted.run("slip", REG, "-o", tmp_path / "s.jpg").code == 2
    assert submitted.run("slip", REG).code == 2
    assert submitted.run("slip", REG, "-o", tmp_path / "no" / "such" / "x.png").code == 0


def test_print_with_the_file_backend_keeps_the_slip(submitted: KioskDir) -> None:
    r = submitted.run("slip", REG, "--print", "--layout", "58mm")
    assert r.code == 0, r.err
    slips = sorted((submitted.path / "data" / "slips").iterdir())
    assert [p.suffix for p in slips] == [".pdf", ".png"]
    with sqlite3.connect(submitted.database) as conn:
        row = conn.execute("SELECT output, printer, error FROM receipts").fetchone()
    assert row[0] == str(slips[1]) and row[1].startswith("file:") and row[2] is None


def test_a_failing_printer_keeps_the_slip_and_the_submission(submitted: KioskDir) -> None:
    write_config(submitted.path, '[printer]\nbackend = "escpos"\nescpos_connection = "network"\n'
                                 'host = "127.0.0.1"\nport = 9\ntimeout_seconds = 2\n')
    before = json.loads(submitted.run("status", REG, "--json").out)["candidates"][0]
    r = submitted.run("slip", REG, "--print")
    assert r.code == 1
    assert "离线" in r.err and "重新打印" in r.err and f"kiosk slip {REG} --print" in r.err
    kept = sorted((submitted.path / "data" / "slips").glob("*.png"))
    assert len(kept) == 1 and str(kept[0]) in r.err
    after = json.loads(submitted.run("status", REG, "--json").out)["candidates"][0]
    assert after == before and after["state"] == "submitted"
    with sqlite3.connect(submitted.database) as conn:
        row = conn.execute("SELECT printer, error FROM receipts").fetchone()
    assert row[0].startswith("escpos:network") and "printer.offline" in row[1]


def test_keys_export_before_init(kiosk: KioskDir) -> None:
    r = kiosk.run("keys", "export")
    assert r.code == 2 and "kiosk init" in r.err
