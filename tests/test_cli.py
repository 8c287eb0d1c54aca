"""The operator CLI end to end on a real database file, real images, every exit code."""
from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REPO, KioskDir, jpeg_file, page_on_desk
from PIL import Image

from kiosk.messages import display_width

REG = "2026110102001"  # demo: a direct applicant with a resident ID card
DEMO_ID = "110105199003071239"  # their ID number (kiosk/setup.py)


def status(k: KioskDir, reg: str = REG) -> dict:
    r = k.run("status", reg, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)["candidates"][0]


def fill_required(k: KioskDir, photos: list[Path]) -> None:
    for material, files in (("notice", photos[:1]), ("id_doc", photos[1:3]),
                            ("diploma", photos[3:4]), ("trial_proof", photos[4:5])):
        r = k.run("capture", REG, material, *files)
        assert r.code == 0, r.err


def test_init_twice_is_harmless_and_creates_a_private_key(kiosk: KioskDir) -> None:
    assert kiosk.run("init", "--demo").code == 0
    assert kiosk.run("init", "--demo").code == 0
    keys = [p for p in (kiosk.path / "data").iterdir() if "key" in p.name]
    assert keys and all(p.stat().st_mode & 0o077 == 0 for p in keys)
    assert len(json.loads(kiosk.run("status", "--json").out)["candidates"]) == 5


def test_init_again_says_it_kept_everything(demo_kiosk: KioskDir) -> None:
    r = demo_kiosk.run("init")
    assert r.code == 0 and "已存在" in r.out and "已创建" not in r.out, r.out
    assert "签名密钥" not in r.err
    # the key lost (a restore without it): a new one is made, and that is said
    key = next(p for p in (demo_kiosk.path / "data").iterdir() if "key" in p.name)
    key.unlink()
    r = demo_kiosk.run("init")
    assert r.code == 0 and "签名密钥不存在，已新建" in r.err and key.exists(), r.err


def test_a_folder_without_the_kiosks_config_is_said_to_be_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert "未找到配置文件" in err and "--config" in err, err
    assert not (tmp_path / "data").exists()
    assert main(["init"]) == 0  # it may be meant (a new kiosk), but it is said
    assert "未找到配置文件" in capsys.readouterr().err


def test_delete_says_what_it_deleted(demo_kiosk: KioskDir, photos: list[Path]) -> None:
    assert demo_kiosk.run("capture", REG, "id_doc", photos[1], photos[2]).code == 0
    first = status(demo_kiosk)["materials"]["id_doc"]["sha256"][0]
    r = demo_kiosk.run("delete", REG, "id_doc", "1")
    assert r.code == 0 and first[:12] in r.out and photos[1].name in r.out, r.out
    assert "现有 1 张" in r.out


def test_commands_before_init_say_so(kiosk: KioskDir) -> None:
    r = kiosk.run("status")
    assert r.code == 2 and "kiosk init" in r.err


def test_status_json_contract(demo_kiosk: KioskDir, photos: list[Path]) -> None:
    assert demo_kiosk.run("capture", REG, "notice", photos[0]).code == 0
    data = json.loads(demo_kiosk.run("status", "--json").out)
    assert data["outbox"] == {"pending": 0}
    cand = next(c for c in data["candidates"] if c["reg_no"] == REG)
    assert cand["state"] == "draft"
    notice = cand["materials"]["notice"]
    assert (notice["count"], notice["min"], notice["max"]) == (1, 1, 1)
    assert len(notice["sha256"][0]) == 64
    assert cand["materials"]["id_doc"]["min"] == cand["materials"]["id_doc"]["max"] == 2


def test_capture_stores_a_capped_upright_jpeg_without_exif(demo_kiosk: KioskDir,
                                                           tmp_path: Path) -> None:
    # A phone photo lying on its side with EXIF orientation 6 (turn 90° clockwise).
    upright = page_on_desk(3, size=(1200, 1600), paper=(800, 1100), angle=3)
    sideways = np.ascontiguousarray(np.rot90(upright, 1))
    img = Image.fromarray(sideways[:, :, ::-1])
    exif = img.getexif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    f = tmp_path / "phone.jpg"
    img.save(f, "JPEG", quality=95, exif=exif.tobytes())
    r = demo_kiosk.run("capture", REG, "notice", f)
    assert r.code == 0, r.err
    con = sqlite3.connect(demo_kiosk.database)
    jpeg, w, h, size = con.execute("SELECT jpeg, width, height, size FROM captures").fetchone()
    assert size == len(jpeg) <= 200_000
    stored = Image.open(io.BytesIO(jpeg))
    assert stored.format == "JPEG" and not stored.getexif()
    assert h > w  # the A4 page came out portrait, as the paper is


def test_unreadable_files_are_refused_and_nothing_is_stored(demo_kiosk: KioskDir,
                                                            tmp_path: Path,
                                                            photos: list[Path]) -> None:
    good = jpeg_file(tmp_path / "good.jpg", page_on_desk(1, size=(800, 600), paper=(300, 400)))
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(good.read_bytes()[:2000])
    bomb = tmp_path / "bomb.png"
    Image.new("1", (50_000, 50_000)).save(bomb)  # a few kB declaring 2.5 gigapixels
    assert bomb.stat().st_size < 1_000_000
    for bad, word in ((empty, "空文件"), (text, "不是可识别的图片"), (truncated, "不完整"),
                      (bomb, "过大"), (tmp_path / "absent.jpg", "找不到"),
                      (tmp_path, "是文件夹")):
        r = demo_kiosk.run("capture", REG, "diploma", good, bad)
        assert r.code == 2, (bad, r.err)
        assert word in r.err and "Traceback" not in r.err
    assert status(demo_kiosk)["materials"]["diploma"]["count"] == 0


def test_capture_rules(demo_kiosk: KioskDir, photos: list[Path]) -> None:
    r = demo_kiosk.run("capture", REG, "id_doc", *photos[:3])
    assert r.code == 1 and "最多 2 张" in r.err
    assert status(demo_kiosk)["materials"]["id_doc"]["count"] == 0
    r = demo_kiosk.run("capture", REG, "passport_scan", photos[0])
    assert r.code == 2 and "notice" in r.err
    r = demo_kiosk.run("capture", REG, "tcm_cert", photos[0])  # not this candidate's category
    assert r.code == 1 and "不需要" in r.err
    r = demo_kiosk.run("capture", "NOBODY", "notice", photos[0])
    assert r.code == 1 and "NOBODY" in r.err
    # delete says the same as capture about a material the candidate does not need
    r = demo_kiosk.run("delete", REG, "tcm_cert", "1")
    assert r.code == 1 and "不需要" in r.err, r.err
    r = demo_kiosk.run("delete", REG, "passport_scan", "1")
    assert r.code == 2 and "notice" in r.err


def _shaky_photo(folder: Path) -> Path:
    """A page photographed with a shaking hand: the blur gate fails, the page is found."""
    blurred = cv2.GaussianBlur(page_on_desk(7, size=(960, 720), paper=(420, 560)), (0, 0), 6)
    return jpeg_file(folder / "shaky.jpg", blurred)


def test_a_failed_gate_is_said_at_capture_and_shown_by_status(demo_kiosk: KioskDir,
                                                              tmp_path: Path) -> None:
    f = _shaky_photo(tmp_path)
    r = demo_kiosk.run("capture", REG, "diploma", f)
    assert r.code == 0 and "图像模糊" in r.err, r.err  # stored, with the warning
    r = demo_kiosk.run("status", REG)
    lines = r.out.splitlines()
    at = next(i for i, line in enumerate(lines) if "学历证书" in line)
    assert "注意" in lines[at + 2] and "图像模糊" in lines[at + 2], lines[at:at + 3]


def test_the_same_image_twice_is_refused(demo_kiosk: KioskDir, photos: list[Path]) -> None:
    # one photo chosen for both sides of the ID card, in one command or two
    r = demo_kiosk.run("capture", REG, "id_doc", photos[1], photos[1])
    assert r.code == 1 and "同一张照片" in r.err, r.err
    assert status(demo_kiosk)["materials"]["id_doc"]["count"] == 0
    assert demo_kiosk.run("capture", REG, "id_doc", photos[1]).code == 0
    r = demo_kiosk.run("capture", REG, "id_doc", photos[1])
    assert r.code == 1 and "“身份证明”第 1 张" in r.err, r.err
    r = demo_kiosk.run("capture", REG, "diploma", photos[1])  # nor as another material
    assert r.code == 1 and "同一张照片" in r.err
    # nor the same photo saved again in another format (other bytes, the same pixels)
    png = photos[1].with_suffix(".png")
    Image.open(photos[1]).save(png)
    r = demo_kiosk.run("capture", REG, "other", png)
    assert r.code == 1 and "“身份证明”第 1 张" in r.err, r.err
    assert demo_kiosk.run("capture", REG, "id_doc", photos[2]).code == 0  # the other side
    assert status(demo_kiosk)["materials"]["id_doc"]["count"] == 2


def test_a_personal_document_is_refused_for_a_second_candidate(demo_kiosk: KioskDir,
                                                               photos: list[Path]) -> None:
    # the wrong candidate chosen: someone's diploma is not stored under another name
    other = "2026110102004"  # another direct applicant
    assert demo_kiosk.run("capture", REG, "diploma", photos[3]).code == 0
    for material in ("diploma", "degree", "institution_license"):
        r = demo_kiosk.run("capture", other, material, photos[3])
        assert r.code == 1, r.err
        assert "另一名考生（报名号 2026110102001）的“学历证书”" in r.err, r.err
    assert all(m["count"] == 0 for m in status(demo_kiosk, other)["materials"].values())
    # once deleted where it was put by mistake, it can go where it belongs
    assert demo_kiosk.run("delete", REG, "diploma", "1").code == 0
    assert demo_kiosk.run("capture", other, "diploma", photos[3]).code == 0
    # a hospital's licence serves every candidate of that hospital
    for reg in (REG, other):
        r = demo_kiosk.run("capture", reg, "institution_license", photos[4])
        assert r.code == 0, r.err
    assert status(demo_kiosk, other)["materials"]["institution_license"]["count"] == 1
    # but not as a personal document of a third
    r = demo_kiosk.run("capture", "2026110102002", "diploma", photos[4])
    assert r.code == 1 and "另一名考生" in r.err, r.err


def test_what_a_submitted_candidate_needs_cannot_grow_under_an_approval(
        demo_kiosk: KioskDir, photos: list[Path], tmp_path: Path) -> None:
    fill_required(demo_kiosk, photos)
    assert demo_kiosk.run("submit", REG).code == 0
    # the roster cannot add a category (and so a material) while the materials are locked
    roster = tmp_path / "r.csv"
    roster.write_text("reg_no,name,id_number,phone,category\n"
                      f"{REG},张伟,{DEMO_ID},13800138001,direct+graduate\n", encoding="utf-8")
    r = demo_kiosk.run("roster", "import", roster)
    assert r.code == 1 and "不能再改其报考类别" in r.err and "请先退回" in r.err, r.err
    assert "graduate_pledge" not in status(demo_kiosk)["materials"]
    # a catalog changed under it (a material every candidate now needs): no approval short
    with demo_kiosk.config.open("a", encoding="utf-8") as f:
        f.write("".join(
            f'[[materials]]\ncode = "{c}"\nname = "{n}"\nmin = 1\nmax = {m}\n'
            for c, n, m in (("notice", "网上报名成功通知单", 1), ("id_doc", "身份证明", 4),
                            ("diploma", "学历证书", 4), ("trial_proof", "试用期考核证明", 6),
                            ("photo_sheet", "照片采集表", 1))))
    r = demo_kiosk.run("review", REG, "--approve")
    assert r.code == 1 and "材料不全" in r.err and "照片采集表" in r.err, r.err
    assert status(demo_kiosk)["state"] == "submitted"


def test_a_decided_candidate_is_the_districts_to_correct(
        demo_kiosk: KioskDir, photos: list[Path], tmp_path: Path) -> None:
    fill_required(demo_kiosk, photos)
    assert demo_kiosk.run("submit", REG).code == 0
    assert demo_kiosk.run("review", REG, "--approve").code == 0
    roster = tmp_path / "r.csv"
    roster.write_text("reg_no,name,id_number,phone\n"
                      f"{REG},张为,{DEMO_ID},13800138001\n", encoding="utf-8")
    r = demo_kiosk.run("roster", "import", roster)
    assert r.code == 1 and "不能再改其姓名或证件" in r.err and "请报考区更正" in r.err, r.err
    assert "张伟" in demo_kiosk.run("status", REG).out


def test_a_repeated_photo_is_refused_before_it_is_processed(demo_kiosk: KioskDir,
                                                             tmp_path: Path) -> None:
    # the refusal alone: no gate warnings about a photo that will not be stored
    f = _shaky_photo(tmp_path)
    r = demo_kiosk.run("capture", REG, "diploma", f, f)  # one photo given twice
    assert r.code == 1 and "有两张是同一张照片" in r.err and "图像模糊" not in r.err, r.err
    r = demo_kiosk.run("capture", REG, "diploma", f)
    assert r.code == 0 and "图像模糊" in r.err, r.err
    r = demo_kiosk.run("capture", REG, "degree", f)  # stored already
    assert r.code == 1 and "同一张照片" in r.err and "图像模糊" not in r.err, r.err
    assert status(demo_kiosk)["materials"]["diploma"]["count"] == 1
    assert status(demo_kiosk)["materials"]["degree"]["count"] == 0


def test_a_photo_without_a_document_is_said_at_capture_and_by_status(
        demo_kiosk: KioskDir, tmp_path: Path) -> None:
    blank = jpeg_file(tmp_path / "blank.jpg", np.full((480, 640, 3), 200, np.uint8))
    r = demo_kiosk.run("capture", REG, "other", blank)
    assert r.code == 0 and "未找到文件边缘" in r.err, r.err
    assert "看不到文字或印刷内容" in r.err and "图像模糊" not in r.err, r.err
    lines = demo_kiosk.run("status", REG).out.splitlines()
    at = next(i for i, line in enumerate(lines) if "其他材料" in line)
    assert "注意" in lines[at + 2] and "未找到文件边缘" in lines[at + 2], lines[at:at + 3]
    assert "看不到文字或印刷内容" in lines[at + 2], lines[at:at + 3]


def test_submit_lists_exactly_what_is_missing(demo_kiosk: KioskDir,
                                              photos: list[Path]) -> None:
    assert demo_kiosk.run("capture", REG, "notice", photos[0]).code == 0
    assert demo_kiosk.run("capture", REG, "id_doc", photos[1]).code == 0
    r = demo_kiosk.run("submit", REG)
    assert r.code == 1
    assert "身份证明（需要 2，已有 1）；学历证书" in r.err
    assert "学历证书" in r.err and "试用期考核证明" in r.err
    assert "网上报名成功通知单" not in r.err and "学位证书" not in r.err
    assert status(demo_kiosk)["state"] == "draft"


def test_full_workflow_with_partial_return(demo_kiosk: KioskDir, photos: list[Path]) -> None:
    fill_required(demo_kiosk, photos)
    before = status(demo_kiosk)
    r = demo_kiosk.run("submit", REG)
    assert r.code == 0 and "内容已锁定" in r.out
    # locked: no delete, no capture, no second submit
    assert demo_kiosk.run("delete", REG, "notice", 1).code == 1
    assert demo_kiosk.run("capture", REG, "degree", photos[5]).code == 1
    assert demo_kiosk.run("submit", REG).code == 1
    # return only the diploma: it unlocks, the others keep a ✓ lock
    r = demo_kiosk.run("review", REG, "--return", "请按意见重新拍摄",
                       "--material", "diploma:学历证书反光,请重拍")
    assert r.code == 0, r.err
    out = demo_kiosk.run("status", REG).out
    assert "学历证书反光" in out
    # the comment's time in the site's clock, as the slip prints it (not the store's UTC)
    assert re.search(r"审核意见（\d{4}-\d\d-\d\d \d\d:\d\d）", out), out
    s = status(demo_kiosk)
    assert s["state"] == "returned"
    assert s["materials"]["diploma"]["locked"] == [False]
    assert s["materials"]["notice"]["approved"] == [True]
    assert s["feedback"][0]["comment"] == "请按意见重新拍摄"
    assert s["feedback"][0]["materials"] == {"diploma": "学历证书反光,请重拍"}
    assert demo_kiosk.run("delete", REG, "notice", 1).code == 1
    assert demo_kiosk.run("capture", REG, "degree", photos[5]).code == 1  # not returned
    assert demo_kiosk.run("delete", REG, "diploma", 2).code == 1  # no such index
    assert demo_kiosk.run("delete", REG, "diploma", 1).code == 0
    assert demo_kiosk.run("capture", REG, "diploma", photos[5]).code == 0
    assert demo_kiosk.run("submit", REG).code == 0
    assert demo_kiosk.run("review", REG, "--approve").code == 0
    s = status(demo_kiosk)
    assert s["state"] == "site_approved"
    assert all(all(m["approved"]) for m in s["materials"].values())
    assert s["materials"]["notice"]["sha256"] == before["materials"]["notice"]["sha256"]
    assert s["materials"]["diploma"]["sha256"] != before["materials"]["diploma"]["sha256"]
    assert demo_kiosk.run("review", REG, "--approve").code == 1  # not submitted any more
    # each state change queued one outbox entry and one SMS per review
    assert json.loads(demo_kiosk.run("status", "--json").out)["outbox"]["pending"] == 4
    con = sqlite3.connect(demo_kiosk.database)
    assert con.execute("SELECT count(*) FROM notifications").fetchone()[0] == 2
    r = demo_kiosk.run("audit", "verify")
    assert r.code == 0 and "完整" in r.out


def test_review_refusals_and_ineligible(demo_kiosk: KioskDir, photos: list[Path]) -> None:
    assert demo_kiosk.run("review", REG, "--approve").code == 1  # draft
    fill_required(demo_kiosk, photos)
    assert demo_kiosk.run("submit", REG).code == 0
    assert demo_kiosk.run("review", REG, "--return", "  ").code == 2  # empty comment
    assert demo_kiosk.run("review", REG, "--approve", "--material", "notice").code == 2
    assert demo_kiosk.run("review", REG, "--return", "x", "--material", "nope").code == 2
    r = demo_kiosk.run("review", REG)  # a decision is required
    assert r.code == 2 and "须给出 --approve、--return、--ineligible 之一" in r.err, r.err
    assert demo_kiosk.run("review", REG, "--ineligible", "学历不符合报考条件").code == 0
    assert status(demo_kiosk)["state"] == "ineligible"
    assert demo_kiosk.run("delete", REG, "notice", 1).code == 1


def test_materials_listing(demo_kiosk: KioskDir) -> None:
    r = demo_kiosk.run("materials", "--json")
    codes = [m["code"] for m in json.loads(r.out)["materials"]]
    assert codes[:3] == ["notice", "id_doc", "diploma"] and "other" in codes
    assert "身份证明" in demo_kiosk.run("materials").out


def test_audit_verify_fails_on_tampering(demo_kiosk: KioskDir, photos: list[Path]) -> None:
    assert demo_kiosk.run("capture", REG, "notice", photos[0]).code == 0
    con = sqlite3.connect(demo_kiosk.database)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET actor = 'mallory' WHERE id = 2")
    con.commit()
    r = demo_kiosk.run("audit", "verify")
    assert r.code == 1 and "篡改" in r.err


def test_bad_usage_exits_2_saying_what_is_wrong_in_the_users_language(
        demo_kiosk: KioskDir) -> None:
    # (argparse's own sentences are English, and it exited from inside the parser)
    for args, said in [
        (("delete", REG, "notice", "first"), "INDEX 须为整数（收到“first”）。运行 kiosk delete"),
        (("delete", REG, "notice", "list.names"), "（收到“list.names”）"),  # typed, not a key
        (("no-such-command",), "没有“no-such-command”这一项（可选：init、roster、"),
        (("review", REG, "--approve", "--return", "x"), "--return 不能与 --approve 同时使用"),
        (("review", REG), "须给出 --approve、--return、--ineligible 之一"),
        (("capture", REG), "缺少 MATERIAL、FILE。运行 kiosk capture --help"),
        (("status", "--bogus"), "无法识别的参数：--bogus。运行 kiosk status --help"),
        (("keys", "export", "--bogus"), "运行 kiosk keys export --help"),
        (("status", "--json=1"), "--json 不带值（收到“1”）"),
        (("slip", REG, "-o"), "-o/--output 后面缺少值"),
    ]:
        r = demo_kiosk.run(*args)
        assert r.code == 2 and said in r.err, (args, r.err)
        assert "usage:" not in r.err + r.out and "error:" not in r.err, (args, r.err)
    # in the configured language
    text = demo_kiosk.config.read_text()
    assert 'language = "zh-CN"' in text
    demo_kiosk.config.write_text(text.replace('language = "zh-CN"', 'language = "en"'))
    r = demo_kiosk.run("delete", REG, "notice", "first")
    assert r.code == 2 and "INDEX takes a whole number, not “first”" in r.err, r.err


def test_help_is_in_the_configured_language(kiosk: KioskDir,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")

    def helped(*args: str) -> str:
        with pytest.raises(SystemExit) as info:
            kiosk.run(*args, "--help")
        assert info.value.code == 0
        return capsys.readouterr().out

    out = helped()
    assert "用法：kiosk" in out and "选项：" in out and "创建数据库和签名密钥" in out, out
    assert "退回并解锁材料" in helped("review") and "考点审核" in helped("review")
    for command in (("init",), ("roster", "import"), ("materials",), ("capture",), ("delete",),
                    ("submit",), ("review",), ("status",), ("audit", "verify"), ("slip",),
                    ("verify",), ("keys", "export")):
        out = helped(*command)
        assert "用法：kiosk" in out, (command, out)
        # no catalog key shown as such, none of argparse's English
        assert "help." not in out and "usage:" not in out and "show this" not in out, out
        # within the terminal's 80 columns, a Chinese character counting two
        assert all(display_width(line) <= 80 for line in out.splitlines()), out
    text = kiosk.config.read_text()
    kiosk.config.write_text(text.replace('language = "zh-CN"', 'language = "en"'))
    out = helped("delete")
    assert "usage: kiosk delete" in out and "counts from 1, as status shows" in out, out


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "kiosk"
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[kiosk]\nlanguage = "en"\n[storage]\ndatabase = "d/k.db"\n')
    r = subprocess.run([str(exe), "--config", str(cfg), "init", "--demo"], capture_output=True,
                       text=True, cwd=REPO)
    assert r.returncode == 0 and "Loaded 5 demo candidates" in r.stdout
    r = subprocess.run([str(exe), "--config", str(cfg), "submit", REG], capture_output=True,
                       text=True, cwd=REPO)
    assert r.returncode == 1 and "Cannot submit" in r.stderr and "Traceback" not in r.stderr


def test_demo_mode_uses_its_own_database(kiosk: KioskDir) -> None:
    r = kiosk.run("--demo")
    assert r.code == 0, r.err
    assert "共 5 名考生" in r.out
    assert (kiosk.path / "data" / "demo" / "kiosk.db").exists()
    assert not kiosk.database.exists()  # the real kiosk database is untouched
    assert kiosk.run("--demo").code == 0  # and a second start reuses it
    # a command with --demo would run on the configured database: refused, saying so
    r = kiosk.run("--demo", "status")
    assert r.code == 2 and "kiosk init --demo" in r.err, r.err
