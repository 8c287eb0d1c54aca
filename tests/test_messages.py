from __future__ import annotations

from kiosk.messages import (
    CATALOG,
    LANGUAGES,
    NO_LINE_END,
    NO_LINE_START,
    Key,
    Messages,
    beijing_time,
    display_width,
    placeholders,
    wrap_columns,
)


def test_every_key_in_every_language_with_the_same_placeholders() -> None:
    for key, entry in CATALOG.items():
        assert set(entry) == set(LANGUAGES), key
        assert placeholders(entry["zh-CN"]) == placeholders(entry["en"]), key


def test_every_quality_gate_is_said_in_words() -> None:
    from camera.quality import REASON_CODES

    for code in REASON_CODES:
        assert set(CATALOG[f"quality.{code}"]) == set(LANGUAGES), code


def test_parameters_that_are_catalog_keys_are_said_in_words() -> None:
    zh, en = Messages("zh-CN"), Messages("en")
    assert "居民身份证" in zh("id.length", type=Key("idtype.resident"), expected=18, actual=17)
    assert "resident ID card" in en("id.length", type=Key("idtype.resident"), expected=18,
                                    actual=17)
    # unmarked, the same text is only text: a comment or a path may spell anything
    assert "idtype.resident" in zh("id.length", type="idtype.resident", expected=18, actual=17)


def test_chinese_text_uses_full_width_punctuation() -> None:
    """A comma, colon, semicolon or bracket next to Chinese is the full-width one (，：；（）),
    as Chinese typography has it; ASCII stays inside ASCII runs (a list of CSV columns)."""
    import re

    from kiosk.catalog import DEFAULT_CATEGORIES, DEFAULT_MATERIALS

    cjk = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
    ascii_next_to_chinese = re.compile(rf"{cjk}[,:;()?!]|[,:;()?!]{cjk}|\}}[:(]\{{")
    texts = {k: e["zh-CN"] for k, e in CATALOG.items()}
    texts.update({f"category {k}": v for k, v in DEFAULT_CATEGORIES.items()})
    for m in DEFAULT_MATERIALS:
        texts[f"material {m.code}"] = f"{m.name} {m.hint}"
    bad = {k: t for k, t in texts.items() if ascii_next_to_chinese.search(t)}
    assert not bad


def test_beijing_time_is_the_sites_clock_whatever_the_stored_form() -> None:
    assert beijing_time("2026-05-01T02:00:00.000Z") == "2026-05-01 10:00"  # what the store writes
    assert beijing_time("2026-05-01 02:00:00") == "2026-05-01 10:00"  # no zone: UTC too
    assert beijing_time("2026-04-30T20:30:00-04:00") == "2026-05-01 08:30"
    assert beijing_time("not a time") == "not a time"  # an odd row never stops a listing


def test_typed_text_is_never_looked_up_and_lists_are_said_as_lists() -> None:
    zh, en = Messages("zh-CN"), Messages("en")
    typed = "list.names"  # what a user typed may spell a catalog key
    said = zh("usage.invalid_value.int", arg="INDEX", value=typed)
    assert said == "INDEX 须为整数（收到“list.names”）"
    assert zh("usage.required", args=["A", "B"]) == "缺少 A、B"
    assert en("usage.required", args=["A", "B"]) == "A, B missing"


def test_wrap_columns_keeps_words_indents_and_chinese_line_rules() -> None:
    text = "  与 --return 一起用：需重新提交的材料（可重复）；其余材料保持 ✓ 锁定 kiosk.toml"
    for columns in range(12, 60):
        lines = wrap_columns(text, columns)
        assert all(display_width(line) <= columns for line in lines), (columns, lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert lines[0].startswith("  与")  # an indent is kept
        assert not any(line[:1] in NO_LINE_START for line in lines), (columns, lines)
        assert not any(line[-1:] in NO_LINE_END for line in lines), (columns, lines)
        assert all("--return" in line for line in lines if "-" in line)  # never cut
    # a word before closing punctuation moves down whole with it, never cut to carry it
    help_text = "要使用的 kiosk.toml（默认：$KIOSK_CONFIG，否则 ./kiosk.toml）"
    for columns in range(16, 60):
        lines = wrap_columns(help_text, columns)
        assert any("./kiosk.toml）" in line for line in lines), (columns, lines)
        assert all(display_width(line) <= columns for line in lines), (columns, lines)
    assert wrap_columns("abcdefghij", 4) == ["abcd", "efgh", "ij"]  # longer than a line: cut
    assert wrap_columns("", 10) == [""]
