"""Roster import as DESIGN.md says: encodings, bad rows by line, re-import updates."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import KioskDir

from kiosk.validation import gb11643_check_char


def rid(first17: str) -> str:
    return first17 + gb11643_check_char(first17)


GOOD = [
    ("R001", "赵敏", rid("11010819930505321"), "13800138001"),
    ("R002", "阿依古丽·买买提", rid("65010219960611457"), "15000150004"),
]


def _csv(rows: list[tuple[str, ...]], header: str = "reg_no,name,id_number,phone") -> str:
    return "\n".join([header, *(",".join(r) for r in rows)]) + "\n"


def test_import_utf8_bom_and_gb18030(demo_kiosk: KioskDir, tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_bytes(b"\xef\xbb\xbf" + _csv(GOOD).encode("utf-8"))
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 0, r.err
    assert "新增 2 名" in r.out
    g = tmp_path / "g.csv"
    rows = [("R003", "李娜", rid("44052419880101011"), "13700137003", "direct+graduate")]
    g.write_bytes(_csv(rows, "reg_no,name,id_number,phone,category").encode("gb18030"))
    assert demo_kiosk.run("roster", "import", g).code == 0
    status = json.loads(demo_kiosk.run("status", "R003", "--json").out)
    assert status["candidates"][0]["name"] == "李娜"
    # a graduating direct applicant needs the pledge and the trial proof
    assert {"graduate_pledge", "trial_proof"} <= set(status["candidates"][0]["materials"])


def test_bad_rows_reported_by_line_and_good_rows_kept(demo_kiosk: KioskDir,
                                                      tmp_path: Path) -> None:
    rows = [
        GOOD[0],
        ("R010", "王芳", "110105194912310021", "13800138002"),  # line 3: check digit
        ("R011", "王芳", rid("11010519900101123"), "1380013800"),  # line 4: phone
        ("R012", "", rid("11010519900101124"), "13800138003"),  # line 5: name
        ("R001", "赵敏", rid("11010819930505321"), "13800138001"),  # line 6: duplicate
        ("R013", "刘洋", rid("32010619870923568"), "18600186005", "x"),  # line 7: columns
    ]
    f = tmp_path / "bad.csv"
    f.write_text(_csv(rows), encoding="utf-8")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 1
    for line, word in ((3, "校验位"), (4, "手机号码"), (5, "姓名"), (6, "重复"), (7, "列数")):
        assert f"第 {line} 行" in r.err and word in r.err, (line, r.err)
    assert "新增 1 名" in r.out and "拒绝 5 行" in r.out
    assert r.err.count("错误：第 ") == 5  # rejected rows are errors, not notices
    assert demo_kiosk.run("status", "R001").code == 0
    assert demo_kiosk.run("status", "R010").code == 1


def test_reimport_updates_and_never_deletes_captures(demo_kiosk: KioskDir, tmp_path: Path,
                                                     photos: list[Path]) -> None:
    f = tmp_path / "r.csv"
    f.write_text(_csv(GOOD), encoding="utf-8")
    assert demo_kiosk.run("roster", "import", f).code == 0
    assert demo_kiosk.run("capture", "R001", "diploma", photos[0]).code == 0
    f.write_text(_csv([GOOD[0][:3] + ("13900139000",)]), encoding="utf-8")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 0 and "更新 1 名" in r.out
    status = json.loads(demo_kiosk.run("status", "R001", "--json").out)["candidates"][0]
    assert status["materials"]["diploma"]["count"] == 1
    assert len(json.loads(demo_kiosk.run("status", "--json").out)["candidates"]) == 7


def test_reimport_cannot_put_another_person_on_captured_documents(
        demo_kiosk: KioskDir, tmp_path: Path, photos: list[Path]) -> None:
    f = tmp_path / "r.csv"
    f.write_text(_csv(GOOD), encoding="utf-8")
    assert demo_kiosk.run("roster", "import", f).code == 0
    # nothing captured yet: a spelling fixed in the roster is taken
    fixed = ("R001", "赵敏敏", GOOD[0][2], GOOD[0][3])
    f.write_text(_csv([fixed]), encoding="utf-8")
    assert demo_kiosk.run("roster", "import", f).code == 0
    assert "赵敏敏" in demo_kiosk.run("status", "R001").out
    assert demo_kiosk.run("capture", "R001", "diploma", photos[0]).code == 0
    # a row shifted in a spreadsheet: R001's diploma photo would get another name and ID;
    # the other row (a new phone number only) still goes in
    shifted = ("R001", GOOD[1][1], rid("65010219960611465"), GOOD[0][3])
    f.write_text(_csv([shifted, GOOD[1][:3] + ("13900139000",)]), encoding="utf-8")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 1 and "第 2 行" in r.err and "不能再改其姓名或证件" in r.err, r.err
    assert "请先删除其全部材料" in r.err
    assert "更新 1 名" in r.out
    out = demo_kiosk.run("status", "R001").out
    assert "赵敏敏" in out and GOOD[1][1] not in out
    with sqlite3.connect(demo_kiosk.database) as con:
        assert con.execute("SELECT phone FROM candidates WHERE reg_no = 'R002'"
                           ).fetchone()[0] == "13900139000"
    # the same minority name typed with a full stop is the same person, not a change
    f.write_text(_csv([GOOD[1][:1] + ("阿依古丽.买买提",) + GOOD[1][2:]]), encoding="utf-8")
    assert demo_kiosk.run("capture", "R002", "diploma", photos[1]).code == 0
    assert demo_kiosk.run("roster", "import", f).code == 0
    assert "阿依古丽·买买提" in demo_kiosk.run("status", "R002").out
    # as the message says: with the photos deleted, the registration can be corrected
    assert demo_kiosk.run("delete", "R001", "diploma", "1").code == 0
    f.write_text(_csv([shifted]), encoding="utf-8")
    assert demo_kiosk.run("roster", "import", f).code == 0


def test_extra_columns_warned_missing_columns_refused(demo_kiosk: KioskDir,
                                                      tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text(_csv([GOOD[0] + ("备注",)], "reg_no,name,id_number,phone,remark"),
                 encoding="utf-8")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 0 and "注意：已忽略未知或重复的列：remark" in r.err
    f.write_text("reg_no,name,phone\nR1,张伟,13800138000\n", encoding="utf-8")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 2 and "id_number" in r.err
    f.write_bytes(b"\xff\xfe\x00\x00garbage\x81")
    assert demo_kiosk.run("roster", "import", f).code == 2
    assert demo_kiosk.run("roster", "import", tmp_path / "none.csv").code == 2
    f.write_text('reg_no,name,id_number,phone\n"R1,张伟\n', encoding="utf-8")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 2 and "CSV" in r.err


def test_what_a_chinese_spreadsheet_makes_of_a_roster(demo_kiosk: KioskDir,
                                                       tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text("序号,报名号,姓名,身份证号,手机号,证件类型,证件号码\n"
                 f"1,R001,阿依古丽•买买提,{GOOD[0][2]},13800138001,,\n"  # a look-alike dot
                 "2,R002,陈大文,A123456(3),13800138002,hk_id,\n"  # as the card prints it
                 f"3,2.02611E+12,王五,{rid('11010519900101001')},13800138003,,\n"
                 "4,R004,赵六,4.40524E+17,13800138004,,\n", encoding="gb18030")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 1, r.err
    assert "新增 2 名" in r.out
    assert "已忽略未知或重复的列：序号、证件号码" in r.err, r.err
    for line, column, value in ((4, "报名号", "2.02611E+12"), (5, "身份证号", "4.40524E+17")):
        assert f"第 {line} 行：{column} 为“{value}”：这是 Excel 的科学计数法" in r.err, r.err
    assert "阿依古丽·买买提" in demo_kiosk.run("status", "R001").out
    assert demo_kiosk.run("status", "R002").code == 0
    # a workbook, not its CSV: said so, nothing imported
    f.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 2 and "Excel 工作簿" in r.err and "CSV" in r.err, r.err


def test_other_id_types_and_unknown_category(demo_kiosk: KioskDir, tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text("reg_no,name,id_number,phone,id_type,category\n"
                 "P1,John Smith,E12345678,13800138000,passport,foreign\n"
                 "P2,张三,A123456789,13800138001,台湾居民身份证,direct\n"
                 "P3,李四,A123456789,13800138002,taiwan_id,nurse\n", encoding="utf-8")
    r = demo_kiosk.run("roster", "import", f)
    assert r.code == 1 and "第 4 行" in r.err and "nurse" in r.err
    p1 = json.loads(demo_kiosk.run("status", "P1", "--json").out)["candidates"][0]
    assert p1["materials"]["id_doc"]["min"] == 1 and p1["materials"]["id_doc"]["max"] == 4
    assert "internship_form" in p1["materials"]
