"""The receipt payload and the signing key: round trip, tampering, keys, size, the digest."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path
from types import SimpleNamespace as NS

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.errors import CheckFailed, InputError, RuleError
from kiosk.keys import (
    ensure_signing_key,
    key_path,
    load_signing_key,
    parse_public_key,
    public_key_text,
    trusted_keys,
)
from kiosk.receipt import (
    B45,
    STATES,
    InvalidReceipt,
    Receipt,
    b45decode,
    b45encode,
    build_receipt,
    encode,
    images_digest,
    verify_payload,
)
from kiosk.slip import qr_version

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def sha(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()


def view(name: str = "张伟", state: str = "submitted", **kw: object) -> NS:
    mats = {
        "notice": NS(code="notice", name="网上报名成功通知单", images=[NS(sha256=sha(1))]),
        "id_doc": NS(code="id_doc", name="身份证明", images=[NS(sha256=sha(2)),
                                                          NS(sha256=sha(3))]),
        "diploma": NS(code="diploma", name="学历证书", images=[NS(sha256=sha(4))]),
        "degree": NS(code="degree", name="学位证书", images=[]),
        "trial_proof": NS(code="trial_proof", name="试用期考核证明",
                          images=[NS(sha256=sha(5)), NS(sha256=sha(6))]),
    }
    base = dict(reg_no="2026110102001", name=name, id_masked="110105********1239",
                state=state, submitted_at="2026-05-20T02:03:04.567Z", materials=mats)
    base.update(kw)
    return NS(**base)


CONFIG = NS(settings=NS(kiosk=NS(site_code="110102", kiosk_id="K01", site_name="西城")))


def payload(**kw: object) -> str:
    return encode(build_receipt(view(**kw), CONFIG, KEY), KEY)


# --- keys --------------------------------------------------------------------------------

def test_signing_key_is_private_atomic_and_never_overwritten(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = ensure_signing_key(data)
    assert path == key_path(data) and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    assert ensure_signing_key(data) == path and path.read_bytes() == first
    assert sorted(os.listdir(data)) == [path.name]  # no temporary file left behind
    key = load_signing_key(data)
    text = public_key_text(key)
    assert text.startswith("ed25519:") and len(text) == 8 + 43
    assert public_key_text(parse_public_key(text)) == text


def test_racing_creators_end_with_one_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor
    data = tmp_path / "race"
    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda _: ensure_signing_key(data), range(16)))
    assert len(set(paths)) == 1
    assert os.listdir(data) == [paths[0].name]
    load_signing_key(data)


def test_missing_or_damaged_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        load_signing_key(tmp_path)
    assert e.value.key == "keys.missing"
    key_path(tmp_path).write_text("not a key")
    with pytest.raises(InputError) as e:
        load_signing_key(tmp_path)
    assert e.value.key == "keys.unreadable"


@pytest.mark.parametrize("bad", ["ed25519:", "ed25519:" + "A" * 42 + "B", "rsa:" + "A" * 43,
                                 "ed25519:" + "A" * 44, "ed25519:" + "!" * 43])
def test_malformed_public_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_public_key(bad)


def test_trusted_keys_are_own_plus_configured(tmp_path: Path) -> None:
    ensure_signing_key(tmp_path)
    other = public_key_text(OTHER)
    cfg = NS(data_dir=tmp_path, settings=NS(receipt=NS(trusted_keys=[other])))
    texts = [public_key_text(k) for k in trusted_keys(cfg)]
    assert texts == [public_key_text(load_signing_key(tmp_path)), other]


# --- round trip --------------------------------------------------------------------------

def test_round_trip_keeps_every_field() -> None:
    r = build_receipt(view(), CONFIG, KEY)
    text = encode(r, KEY)
    assert text.startswith("KR1:") and all(c in B45 for c in text[4:])
    got = verify_payload(text, [OTHER.public_key(), KEY.public_key()])
    assert got == r
    assert got.signer == public_key_text(KEY)
    assert got.submitted_at == dt.datetime(2026, 5, 20, 2, 3, 4, tzinfo=dt.UTC)
    assert got.materials == (("diploma", 1), ("id_doc", 2), ("notice", 1), ("trial_proof", 2))
    assert got.id_masked == "110105********1239" and got.state == "submitted"
    assert encode(r, KEY) == text  # deterministic: a reprint gives the same QR


def test_payload_is_small_enough_for_a_58mm_qr() -> None:
    text = payload()
    assert len(b45decode(text[4:])) <= 210
    assert len(text) <= 311 and qr_version(text) <= 10   # 57 × 57 modules at ECC M
    longest = payload(name="阿" * 28, reg_no="R" * 24)
    assert qr_version(longest) <= 14


def test_images_digest_is_defined_over_code_index_sha_lines() -> None:
    lines = "".join(f"{code}:{i}:{h}\n" for code, hs in
                    (("diploma", [sha(4)]), ("id_doc", [sha(2), sha(3)]),
                     ("notice", [sha(1)]), ("trial_proof", [sha(5), sha(6)]))
                    for i, h in enumerate(hs, 1))
    expected = hashlib.sha256(lines.encode()).digest()
    assert build_receipt(view(), CONFIG, KEY).images_digest == expected
    assert images_digest({}) == hashlib.sha256(b"").digest()
    # another image, or the same images in another order, is another digest
    swapped = view()
    swapped.materials["id_doc"].images.reverse()
    assert build_receipt(swapped, CONFIG, KEY).images_digest != expected


# --- refusals ----------------------------------------------------------------------------

def test_every_single_character_change_is_refused() -> None:
    text = payload()
    keys = [KEY.public_key()]
    alphabet = B45 + "kr1;é中\n"
    for i, ch in enumerate(text):
        for repl in (alphabet[(alphabet.index(ch) + 1) % len(alphabet)] if ch in alphabet
                     else "0", ch.lower() if ch.lower() != ch else "Z", "中"):
            if repl == ch:
                continue
            changed = text[:i] + repl + text[i + 1:]
            with pytest.raises(InvalidReceipt):
                verify_payload(changed, keys)
    for cut in (1, 2, 3, 64, len(text) - 4):
        with pytest.raises(InvalidReceipt):
            verify_payload(text[:-cut], keys)
    with pytest.raises(InvalidReceipt):
        verify_payload(text + "0", keys)


def test_reasons_are_named() -> None:
    text = payload()
    keys = [KEY.public_key()]

    def reason(t: str, k: list = keys) -> str:
        with pytest.raises(InvalidReceipt) as e:
            verify_payload(t, k)
        assert isinstance(e.value, CheckFailed) and e.value.exit_code == 1
        assert e.value.key == f"receipt.invalid_{e.value.reason}"
        return e.value.reason

    assert reason(text, [OTHER.public_key()]) == "unknown_key"
    with pytest.raises(InvalidReceipt) as e:
        verify_payload(text, [OTHER.public_key()])
    assert public_key_text(KEY).startswith(e.value.detail.rstrip("…"))  # names the signer
    assert reason(text, []) == "unknown_key"
    assert reason("KR2:" + text[4:]) == "version"
    assert reason("HC1:" + text[4:]) == "format"
    assert reason("hello") == "format"
    assert reason("KR1:") == "format"
    assert reason(text[:-1] + ("0" if text[-1] != "0" else "1")) in ("signature", "format")
    # a flipped bit in the body keeps the format but breaks the signature
    raw = bytearray(b45decode(text[4:]))
    raw[20] ^= 1
    assert reason("KR1:" + b45encode(bytes(raw))) in ("signature", "format")
    raw = bytearray(b45decode(text[4:]))
    raw[-1] ^= 1
    assert reason("KR1:" + b45encode(bytes(raw))) == "signature"
    # surrounding whitespace (a pasted line) is fine
    assert verify_payload(f"  {text}\n", keys).reg_no == "2026110102001"


def test_a_forged_receipt_signed_by_another_key_with_our_key_id_is_refused() -> None:
    text = payload()
    raw = b45decode(text[4:])
    forged_sig = OTHER.sign(b"KR1:" + raw[:-64])
    with pytest.raises(InvalidReceipt) as e:
        verify_payload("KR1:" + b45encode(raw[:-64] + forged_sig), [KEY.public_key()])
    assert e.value.reason == "signature"


def test_draft_and_unmasked_ids_are_refused() -> None:
    with pytest.raises(RuleError) as e:
        build_receipt(view(state="draft"), CONFIG, KEY)
    assert e.value.key == "receipt.not_submitted"
    with pytest.raises(RuleError):
        build_receipt(view(submitted_at=None), CONFIG, KEY)
    with pytest.raises(RuleError) as e:
        build_receipt(view(id_masked="110105199003071239"), CONFIG, KEY)
    assert e.value.key == "receipt.unmasked_id"


def test_base45_is_strict() -> None:
    assert b45encode(b"AB") == "BB8" and b45decode("BB8") == b"AB"   # RFC 9285 examples
    assert b45encode(b"ietf!") == "QED8WEX0"
    for bad in ("GGW", "bb8", "BB", "B", "A-é"):
        with pytest.raises(ValueError):
            b45decode(bad)


# --- properties --------------------------------------------------------------------------

names = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5) | st.sampled_from("·."),
                min_size=1, max_size=28)


@settings(max_examples=60, deadline=None)
@given(name=names, reg=st.text("0123456789ABCDEFabc-_", min_size=1, max_size=30),
       state=st.sampled_from(STATES[1:]), ts=st.integers(0, 2**32 - 1),
       counts=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
                              st.integers(1, 20), max_size=12),
       digest=st.binary(min_size=32, max_size=32))
def test_any_receipt_round_trips(name: str, reg: str, state: str, ts: int,
                                 counts: dict[str, int], digest: bytes) -> None:
    r = Receipt("110102", "K01", reg, "110105********123X", name, state,
                dt.datetime.fromtimestamp(ts, dt.UTC), tuple(sorted(counts.items())), digest,
                key_id=b"")
    got = verify_payload(encode(r, KEY), [KEY.public_key()])
    assert (got.name, got.reg_no, got.state, got.materials, got.images_digest) == \
        (name, reg, state, r.materials, digest)
    assert got.submitted_at == r.submitted_at
