"""The kiosk's Ed25519 signing key and the keys a receipt is checked against.

The private key lives in the data folder as `signing_key.pem` (PKCS#8, mode 0600). It is
created once, atomically (temporary file, fsync, rename, fsync of the folder) and never
overwritten: a receipt printed yesterday must still verify today.

A public key's text form is ``ed25519:`` + base64url (no padding) of its 32 raw bytes,
43 characters after the prefix. The first 8 raw bytes are the key id carried in every
receipt, so a verifier picks the right key without trying them all.
"""
from __future__ import annotations

import base64
import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import InputError
from kiosk.receipt_config import PUBLIC_KEY_PATTERN

KEY_FILE = "signing_key.pem"
PREFIX = "ed25519:"
KEY_ID_BYTES = 8

__all__ = ["KEY_FILE", "KEY_ID_BYTES", "InvalidSignature", "ensure_signing_key", "key_id",
           "key_id_text",
           "key_path", "load_signing_key", "parse_public_key", "public_key_text",
           "trusted_keys"]


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE


def ensure_signing_key(data_dir: Path) -> Path:
    """Create the kiosk's signing key in `data_dir` unless one is there; return its path."""
    data_dir = Path(data_dir)
    path = key_path(data_dir)
    if path.exists():
        return path
    data_dir.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    fd, tmp = tempfile.mkstemp(prefix=".signing_key.", suffix=".tmp", dir=data_dir)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        # A hard link refuses to replace an existing file, so two kiosks (or two processes)
        # racing to create the key can never overwrite one another's.
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: rename, after a last check
            if not path.exists():
                os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(data_dir)
    return path


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """The kiosk's private key; a clear error when it is missing or damaged."""
    path = key_path(data_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("keys.missing", path=str(path)) from None
    except OSError as exc:
        raise InputError("keys.unreadable", path=str(path), detail=str(exc)) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError("keys.unreadable", path=str(path), detail=str(exc)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("keys.unreadable", path=str(path), detail="not an Ed25519 key")
    return key


def _public(key: Any) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    raise TypeError("an Ed25519 key is needed")


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    return _public(key).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """``ed25519:`` + base64url of the 32 raw public key bytes (no padding)."""
    return PREFIX + base64.urlsafe_b64encode(public_raw(key)).rstrip(b"=").decode("ascii")


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The first 8 bytes of the raw public key: what a receipt names its signer by."""
    return public_raw(key)[:KEY_ID_BYTES]


def key_id_text(kid: bytes) -> str:
    """A key id as the start of its key's text form: ``ed25519:`` + 10 characters + "…"
    (10 base64 characters are 60 of the id's 64 bits, so they begin the exported key)."""
    return PREFIX + base64.urlsafe_b64encode(kid).decode("ascii")[:10] + "…"


def parse_public_key(text: str) -> Ed25519PublicKey:
    """Read ``ed25519:…``; ValueError when it is not one."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise ValueError("a public key starts with 'ed25519:'")
    if not re.fullmatch(PUBLIC_KEY_PATTERN, text):
        raise ValueError("an ed25519 key is 43 base64url characters after 'ed25519:'")
    raw = base64.urlsafe_b64decode(text[len(PREFIX):] + "=")
    return Ed25519PublicKey.from_public_bytes(raw)


def trusted_keys(config: Any, *, own: bool = True) -> list[Ed25519PublicKey]:
    """The kiosk's own public key (when it exists) and `[receipt] trusted_keys`."""
    keys: list[Ed25519PublicKey] = []
    if own and key_path(config.data_dir).exists():
        keys.append(load_signing_key(config.data_dir).public_key())
    # kiosk.toml's validation has already checked their form (receipt_config)
    keys += [parse_public_key(text) for text in config.settings.receipt.trusted_keys]
    return keys
