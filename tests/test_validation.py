from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.validation import (
    gb11643_check_char,
    mask_id,
    validate_id,
    validate_name,
    validate_phone,
    validate_reg_no,
)


def test_domain_examples_are_valid() -> None:
    assert validate_id("resident", "11010519491231002X") is None
    assert validate_id("resident", "440524188001010014") is None
    assert validate_id("resident", "11010519491231002x") is None  # lower-case x accepted


def test_resident_id_reasons() -> None:
    assert validate_id("resident", "")[0] == "id.empty"
    assert validate_id("resident", "110105194912310")[0] == "id.length"  # 15 digits refused
    assert validate_id("resident", "1101051949123100AX")[0] == "id.chars"
    assert validate_id("resident", "110105194902300021")[0] == "id.birth"  # 30 Feb
    problem = validate_id("resident", "110105194912310021")
    assert problem == ("id.check", {"expected": "X", "actual": "1"})
    future = validate_id("resident", "110105" + "20991231" + "002" + "0",
                         today=dt.date(2026, 1, 1))
    assert future is not None and future[0] == "id.birth"


dates = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2008, 12, 31))


@given(area=st.integers(110000, 659999), born=dates, seq=st.integers(0, 999))
def test_any_well_formed_resident_id_is_accepted(area: int, born: dt.date, seq: int) -> None:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    assert validate_id("resident", first17 + gb11643_check_char(first17)) is None


@given(area=st.integers(110000, 659999), born=dates, seq=st.integers(0, 999),
       wrong=st.sampled_from("0123456789X"))
def test_a_wrong_check_character_is_refused(area: int, born: dt.date, seq: int,
                                            wrong: str) -> None:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    if wrong != gb11643_check_char(first17):
        assert validate_id("resident", first17 + wrong)[0] == "id.check"


@given(st.text(max_size=25))
def test_random_text_never_crashes_a_validator(text: str) -> None:
    for id_type in ("resident", "hmt_permit", "taiwan_id", "hk_id", "macau_id", "passport"):
        result = validate_id(id_type, text)
        assert result is None or isinstance(result[0], str)
    validate_phone(text)
    validate_name(text)
    validate_reg_no(text)


def test_other_id_documents() -> None:
    first17 = "81000019900101002"
    assert validate_id("hmt_permit", first17 + gb11643_check_char(first17)) is None
    assert validate_id("hmt_permit", "11010519491231002X")[0] == "id.format"
    assert validate_id("taiwan_id", "A123456789") is None
    assert validate_id("taiwan_id", "A12345678")[0] == "id.length"
    assert validate_id("hk_id", "A1234563") is None  # check digit 3
    assert validate_id("hk_id", "A1234564")[0] == "id.format"
    assert validate_id("macau_id", "15157289") is None
    assert validate_id("passport", "E12345678") is None
    assert validate_id("passport", "E1234")[0] == "id.length"
    assert validate_id("passport", "E 1234567")[0] == "id.chars"


def test_phone_names_reg_no() -> None:
    assert validate_phone("13800138000") is None
    for bad in ("12800138000", "1380013800", "138001380001", "+8613800138000"):
        assert validate_phone(bad) is not None
    assert validate_name("张伟") is None
    assert validate_name("阿依古丽·买买提") is None
    assert validate_name("阿依古丽.买买提") is None
    assert validate_name("张" * 29) is not None
    assert validate_name("John Smith") is not None
    assert validate_name("John Smith", "passport") is None
    assert validate_name("·张伟") is not None
    assert validate_reg_no("2026110102001") is None
    assert validate_reg_no("20261 10102001") is not None
    assert validate_reg_no("") is not None


def test_masking_keeps_only_region_and_last_four() -> None:
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("E12345678") == "E1*****78"
