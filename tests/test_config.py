"""kiosk.toml: every bad key, type or value is one message naming the key, exit 2."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.errors import ConfigError
from kiosk.messages import Messages

REPO = Path(__file__).resolve().parents[1]


def test_the_annotated_kiosk_toml_is_valid_and_matches_the_defaults() -> None:
    from kiosk.config import Settings

    config = load_config(REPO / "kiosk.toml")
    assert config.settings.kiosk.site_code == "110102"
    defaults = Settings()
    assert config.settings.quality == defaults.quality
    assert config.settings.sync == defaults.sync
    assert config.settings.printer == defaults.printer


def _error(tmp_path: Path, text: str) -> ConfigError:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    return info.value


@pytest.mark.parametrize(("text", "key", "value"), [
    ('[kiosk]\nlanguage = "fr"\n', "kiosk.language", "'fr'"),
    ('[kiosk]\nsite_code = 110102\n', "kiosk.site_code", "110102"),
    ('[kiosk]\nsite_code = "1101"\n', "kiosk.site_code", "'1101'"),
    ('[quality]\nmin_sharpness = "high"\n', "quality.min_sharpness", "'high'"),
    ('[camera]\nhold_seconds = 0\n', "camera.hold_seconds", "0"),
    ('[sync]\nserver = "ftp://x"\n', "sync.server", "'ftp://x'"),
    ('[printer]\nbackend = "fax"\n', "printer.backend", "'fax'"),
    ('[kiosk]\ndefault_category = "nurse"\n', "kiosk.default_category", "'nurse'"),
])
def test_bad_values_name_key_and_value(tmp_path: Path, text: str, key: str, value: str) -> None:
    err = _error(tmp_path, text)
    assert err.key == "config.invalid"
    assert err.params["key"] == key
    assert err.params["value"] == value
    assert err.params["allowed"]


def test_unknown_key_lists_the_allowed_ones(tmp_path: Path) -> None:
    err = _error(tmp_path, '[kiosk]\nsite = "x"\n')
    assert err.key == "config.unknown_key"
    assert err.params["key"] == "kiosk.site"
    assert "site_code" in err.params["allowed"] and "kiosk_id" in err.params["allowed"]
    err = _error(tmp_path, '[storage]\ndatabase = "a.db"\n[camra]\nsource = "demo"\n')
    assert err.params["key"] == "camra" and "camera" in err.params["allowed"]


def test_syntax_error(tmp_path: Path) -> None:
    err = _error(tmp_path, "[kiosk\n")
    assert err.key == "config.syntax_at" and err.params["line"] == "1", err.params


def test_materials_override(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[[materials]]\ncode = "id_doc"\nname = "身份证明"\nmin = 2\nmax = 2\n'
                   '[[materials]]\ncode = "photo_sheet"\nname = "照片采集表"\nmin = 1\nmax = 1\n'
                   'applies_to = ["graduate"]\npaper = "a4"\nshared = true\n', encoding="utf-8")
    catalog = load_config(cfg).catalog()
    assert [m.code for m in catalog.materials] == ["id_doc", "photo_sheet"]
    assert [m.shared for m in catalog.materials] == [False, True]  # personal unless said
    needs = catalog.needs(frozenset({"direct"}), "resident")
    assert list(needs) == ["id_doc"]
    err = _error(tmp_path, '[[materials]]\ncode = "x"\nname = "X"\nmin = 0\nmax = 2\n'
                           'colour = "red"\n')
    assert err.params["key"] == "materials.0.colour"
    assert "applies_to" in err.params["allowed"] and "paper" in err.params["allowed"]
    err = _error(tmp_path, '[[materials]]\ncode = "x"\nname = "X"\nmin = 3\nmax = 2\n')
    assert err.params["key"] == "materials.0.max"
    err = _error(tmp_path, '[[materials]]\ncode = "x"\nname = "X"\nmin = 0\nmax = 2\n'
                           'applies_to = ["nobody"]\n')
    assert err.params["key"] == "materials.0.applies_to"
    text = Messages("zh-CN")(err.key, **err.params)  # the allowed codes, said in Chinese
    assert "可选值为 *、direct" in text and "one of" not in text
    err = _error(tmp_path, '[[materials]]\ncode = "x"\nname = "X"\nmin = 0\nmax = 2\n'
                           'paper = "a3"\n')
    text = Messages("zh-CN")(err.key, **err.params)
    assert "可选值为 id_card、a4" in text and "one of" not in text


def test_cli_reports_bad_config_with_exit_2_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[kiosk]\nlanguage = "fr"\n[storage]\ndatabase = "data/k.db"\n',
                   encoding="utf-8")
    assert main(["--config", str(cfg), "init"]) == 2
    err = capsys.readouterr().err
    assert "kiosk.language" in err and "'fr'" in err and "Traceback" not in err
    assert not (tmp_path / "data").exists()


def test_config_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "elsewhere.toml"
    cfg.write_text('[kiosk]\nlanguage = "en"\n[storage]\ndatabase = "db/k.db"\n',
                   encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(cfg))
    assert main(["init"]) == 0
    assert (tmp_path / "db" / "k.db").exists()
    assert "is ready" in capsys.readouterr().out  # English, as configured
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "missing.toml"))
    assert main(["status"]) == 2
    assert "missing.toml" in capsys.readouterr().err


def test_what_is_allowed_is_said_in_the_catalog_language(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[camera]\nhold_seconds = 0\n", encoding="utf-8")
    assert main(["--config", str(cfg), "status"]) == 2
    err = capsys.readouterr().err
    assert "camera.hold_seconds = 0" in err and "须不小于 0.2" in err
    assert "Input should" not in err


@pytest.mark.parametrize(("text", "said"), [
    ('[kiosk]\nlanguage = "fr"\n', "可选值为 zh-CN、en"),
    ('[kiosk]\nsite_code = "1101"\n', "须为 6 位数字"),
    ('[kiosk]\nkiosk_id = "K 1"\n', "须为 1–16 个字母、数字、- 或 _"),
    ('[sync]\nserver = "ftp://x"\n', "http:// 或 https://"),
    ('[receipt]\ntrusted_keys = ["abc"]\n', "kiosk keys export 输出的公钥"),
    ('[[materials]]\ncode = "x"\nname = "X"\nmin = 3\nmax = 2\n', "须不小于 min（3）"),
    ('[kiosk]\nsite_code = "1"\nsite_code = "2"\n', "第 3 行第"),
    ('[kiosk]\nsite_name = "abc\n', "第 2 行第"),
    ('[printer]\nbackend = "escpos"\n', "usb_vendor_id 与 usb_product_id"),
    ('[printer]\nbackend = "escpos"\nescpos_connection = "network"\n', "主机名或 IP"),
])
def test_config_mistakes_are_said_in_chinese_words(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str) -> None:
    # not pydantic's or tomllib's English, nor a regular expression, inside a Chinese line
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(text, encoding="utf-8")
    assert main(["--config", str(cfg), "status"]) == 2
    err = capsys.readouterr().err
    assert said in err, err
    for english in ("Value error", "must", "Illegal", "Cannot", " or ", "^", "Input should"):
        assert english not in err, err
