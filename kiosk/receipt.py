"""The receipt (回执) payload: compact, versioned, signed with the kiosk's Ed25519 key.

Text form (what the QR code holds, all in the QR alphanumeric alphabet)::

    KR1:<base45 of  kid ‖ body ‖ signature>

- ``KR1`` names the format version; ``KR<n>`` for another n is refused as "version".
- ``kid``: the first 8 bytes of the signer's raw public key (kiosk.keys.key_id).
- ``body``, fields in this fixed order (``str`` = 1 length byte + UTF-8, at most 255 bytes)::

      site_code str · kiosk_id str · reg_no str
      id_masked: head str · number of '*' u8 · tail str   (at least one '*': a whole
                                                            ID number cannot be carried)
      name str
      state u8 (index into STATES) · submitted_at u32 (Unix seconds, UTC, big-endian)
      n u8 · n × (material code str · count u8)   materials with at least one image,
                                                   sorted by code
      images_digest 32 bytes (see images_digest)

- ``signature``: Ed25519 over ``b"KR1:" ‖ kid ‖ body`` (64 bytes).

Base45 (RFC 9285) is strict here: lower case, characters outside the alphabet, groups
above 65535 and a dangling character are "format" errors, so the text ↔ bytes mapping is
one to one and any changed character changes the signed bytes or is refused outright.
Ed25519 signatures are deterministic: a reprint of an unchanged candidate gives the very
same QR code.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import CheckFailed, RuleError
from kiosk.keys import KEY_ID_BYTES, key_id, key_id_text, public_key_text
from kiosk.messages import Key

VERSION = 1
PREFIX = f"KR{VERSION}:"
SIG_BYTES = 64
DIGEST_BYTES = 32
# Never reorder: the index is what the payload carries. New states go at the end.
STATES = ("draft", "submitted", "returned", "site_approved", "ineligible",
          "district_approved", "district_returned")
REASONS = ("format", "signature", "unknown_key", "version")

B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX = {c: i for i, c in enumerate(B45)}
_MASKED = re.compile(r"([^*]*)(\*{1,255})([^*]*)")


class InvalidReceipt(CheckFailed):
    """A receipt payload that must not be believed; `reason` is one of REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in REASONS, reason
        super().__init__(f"receipt.invalid_{reason}", detail=detail)
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"invalid receipt ({self.reason}): {self.detail}" if self.detail else \
            f"invalid receipt ({self.reason})"


@dataclass(frozen=True)
class Receipt:
    site_code: str
    kiosk_id: str
    reg_no: str
    id_masked: str
    name: str
    state: str
    submitted_at: dt.datetime           # aware, UTC, whole seconds
    materials: tuple[tuple[str, int], ...]  # (code, count), sorted by code
    images_digest: bytes                # 32 bytes, see images_digest()
    key_id: bytes = b""                 # who signed (8 bytes)
    version: int = VERSION
    signer: str = field(default="", compare=False)  # ed25519:… text, set by verify_payload

    @property
    def submitted_iso(self) -> str:
        return self.submitted_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def local_time(self) -> str:
        """The submission time as the kiosk's clock shows it (for the printed slip)."""
        return self.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M")

    @property
    def total_images(self) -> int:
        return sum(c for _, c in self.materials)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version, "site_code": self.site_code, "kiosk_id": self.kiosk_id,
            "reg_no": self.reg_no, "id_masked": self.id_masked, "name": self.name,
            "state": self.state, "submitted_at": self.submitted_iso,
            "materials": dict(self.materials), "images_digest": self.images_digest.hex(),
            "key_id": self.key_id.hex(), "signer": self.signer,
        }


# --- the digest over the images ----------------------------------------------------------

def images_digest(materials: Mapping[str, Sequence[str]]) -> bytes:
    """sha256 over one line per image: ``code:index:sha256\\n``.

    `materials` maps a material code to the sha256 hex digests of its images in the order
    `kiosk status` shows them; index counts from 1 within the material. Lines are ordered
    by code (as Python sorts str), then index; the hex is lower case. No images: the sha256
    of the empty string. This is what `kiosk status --json` and the central report hold, so
    anyone can recompute it.
    """
    h = hashlib.sha256()
    for code in sorted(materials):
        for i, digest in enumerate(materials[code], start=1):
            h.update(f"{code}:{i}:{digest.lower()}\n".encode())
    return h.digest()


def _view_digests(view: Any) -> dict[str, list[str]]:
    return {code: [img.sha256 for img in m.images] for code, m in view.materials.items()
            if m.images}


# --- build / encode / verify -------------------------------------------------------------

def _parse_time(value: str | dt.datetime) -> dt.datetime:
    t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).replace(microsecond=0)


def build_receipt(view: Any, config: Any, key: Ed25519PrivateKey | Ed25519PublicKey) -> Receipt:
    """The receipt of a candidate who has submitted (any state but draft)."""
    if view.state == "draft" or not view.submitted_at:
        raise RuleError("receipt.not_submitted", reg_no=view.reg_no)
    if view.state not in STATES:
        raise RuleError("receipt.bad_state", reg_no=view.reg_no, state=view.state)
    k = config.settings.kiosk
    mats = tuple(sorted((code, len(m.images)) for code, m in view.materials.items()
                        if m.images))
    r = Receipt(site_code=k.site_code, kiosk_id=k.kiosk_id, reg_no=view.reg_no,
                id_masked=view.id_masked, name=view.name, state=view.state,
                submitted_at=_parse_time(view.submitted_at), materials=mats,
                images_digest=images_digest(_view_digests(view)), key_id=key_id(key))
    _body(r)  # refuses now, not at print time, what cannot be encoded
    return r


def _str(value: str, what: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > 255:
        raise RuleError("receipt.too_long", field=what, value=value[:20])
    return bytes([len(raw)]) + raw


def _body(r: Receipt) -> bytes:
    out = bytearray()
    for what in ("site_code", "kiosk_id", "reg_no"):
        out += _str(getattr(r, what), what)
    m = _MASKED.fullmatch(r.id_masked)
    if m is None:
        raise RuleError("receipt.unmasked_id")
    out += _str(m[1], "id_masked") + bytes([len(m[2])]) + _str(m[3], "id_masked")
    out += _str(r.name, "name")
    out.append(STATES.index(r.state))
    out += struct.pack(">I", int(r.submitted_at.timestamp()))
    if len(r.materials) > 255:
        raise RuleError("receipt.too_long", field="materials", value=str(len(r.materials)))
    out.append(len(r.materials))
    for code, count in r.materials:
        out += _str(code, "material")
        if not 0 <= count <= 255:
            raise RuleError("receipt.too_long", field=code, value=str(count))
        out.append(count)
    if len(r.images_digest) != DIGEST_BYTES:
        raise ValueError("images_digest must be 32 bytes")
    out += r.images_digest
    return bytes(out)


def encode(receipt: Receipt, key: Ed25519PrivateKey) -> str:
    """The signed text for the QR code: ``KR1:`` + base45."""
    kid = key_id(key)
    signed = kid + _body(receipt)
    sig = key.sign(PREFIX.encode("ascii") + signed)
    return PREFIX + b45encode(signed + sig)


def verify_payload(text: str, trusted_keys: Iterable[Ed25519PublicKey]) -> Receipt:
    """The receipt a payload holds, after checking its signature against `trusted_keys`.

    Raises InvalidReceipt("format" | "version" | "unknown_key" | "signature").
    """
    if not isinstance(text, str):
        raise InvalidReceipt("format", Key("receipt.format.not_text"))
    text = text.strip()
    head, sep, data = text.partition(":")
    if not sep or len(head) < 3 or not head.startswith("KR") or not head[2:].isdigit() \
            or not head[2:].isascii():
        raise InvalidReceipt("format", Key("receipt.format.prefix"))
    if head != PREFIX[:-1]:
        raise InvalidReceipt("version", head)
    try:
        raw = b45decode(data)
    except ValueError:
        raise InvalidReceipt("format", Key("receipt.format.base45")) from None
    if len(raw) < KEY_ID_BYTES + SIG_BYTES + 1:
        raise InvalidReceipt("format", Key("receipt.format.too_short"))
    signed, sig = raw[:-SIG_BYTES], raw[-SIG_BYTES:]
    kid = signed[:KEY_ID_BYTES]
    receipt = _parse(signed[KEY_ID_BYTES:], kid)
    candidates = [k for k in trusted_keys if key_id(k) == kid]
    if not candidates:
        raise InvalidReceipt("unknown_key", key_id_text(kid))
    message = PREFIX.encode("ascii") + signed
    for k in candidates:
        try:
            k.verify(sig, message)
        except InvalidSignature:
            continue
        return _with_signer(receipt, public_key_text(k))
    raise InvalidReceipt("signature")


def _with_signer(r: Receipt, signer: str) -> Receipt:
    return Receipt(**{**{f: getattr(r, f) for f in r.__dataclass_fields__}, "signer": signer})


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise InvalidReceipt("format", Key("receipt.format.truncated"))
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def str(self) -> str:
        try:
            return self.take(self.u8()).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidReceipt("format", Key("receipt.format.utf8")) from None


def _parse(body: bytes, kid: bytes) -> Receipt:
    r = _Reader(body)
    site, kiosk, reg_no, head = (r.str() for _ in range(4))
    stars = r.u8()
    tail = r.str()
    if not stars or "*" in head + tail:
        raise InvalidReceipt("format", Key("receipt.format.unmasked"))
    masked = head + "*" * stars + tail
    name = r.str()
    state_i = r.u8()
    if state_i >= len(STATES):
        raise InvalidReceipt("format", Key("receipt.format.state"))
    (ts,) = struct.unpack(">I", r.take(4))
    mats = tuple((r.str(), r.u8()) for _ in range(r.u8()))
    digest = r.take(DIGEST_BYTES)
    if r.pos != len(body):
        raise InvalidReceipt("format", Key("receipt.format.trailing"))
    return Receipt(site_code=site, kiosk_id=kiosk, reg_no=reg_no, id_masked=masked,
                   name=name, state=STATES[state_i],
                   submitted_at=dt.datetime.fromtimestamp(ts, dt.UTC), materials=mats,
                   images_digest=digest, key_id=kid)


# --- base45 (RFC 9285), strict -----------------------------------------------------------

def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out += (B45[c], B45[d], B45[e])
    if len(data) % 2:
        n = data[-1]
        out += (B45[n % 45], B45[n // 45])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        vals = [_B45_INDEX[ch] for ch in text]
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not base45") from None
    if len(vals) % 3 == 1:
        raise ValueError("base45 text has a dangling character")
    out = bytearray()
    for i in range(0, len(vals), 3):
        group = vals[i:i + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 45 * 45
            if n > 0xFFFF:
                raise ValueError("base45 group out of range")
            out += n.to_bytes(2, "big")
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise ValueError("base45 group out of range")
            out.append(n)
    return bytes(out)
