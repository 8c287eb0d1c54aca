from __future__ import annotations

from kiosk.messages import CATALOG, LANGUAGES, Messages, placeholders


def test_every_key_in_every_language_with_the_same_placeholders() -> None:
    for key, entry in CATALOG.items():
        assert set(entry) == set(LANGUAGES), key
        assert placeholders(entry["zh-CN"]) == placeholders(entry["en"]), key


def test_parameters_that_are_catalog_keys_are_said_in_words() -> None:
    zh, en = Messages("zh-CN"), Messages("en")
    assert "居民身份证" in zh("id.length", type="idtype.resident", expected=18, actual=17)
    assert "resident ID card" in en("id.length", type="idtype.resident", expected=18, actual=17)
