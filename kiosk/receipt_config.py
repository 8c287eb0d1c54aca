"""The `[printer]` and `[receipt]` sections of kiosk.toml (owned by the receipt part)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

# ed25519: + base64url of 32 bytes without padding (kiosk.keys.public_key_text)
PUBLIC_KEY_PATTERN = r"^ed25519:[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$"
PRINTER_NAME = r"^[^\s/#]*$"  # a CUPS queue name


class PrinterSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["file", "cups", "escpos"] = Field(
        "file", description='"file" (PNG into slips_dir), "cups" (lp -d name) or "escpos" '
                            "(a thermal receipt printer driven directly)")
    slips_dir: Path = Field(
        Path("slips"), description="where every slip is saved (before any printing); "
                                   "relative to the database's folder")
    name: str = Field(
        "", max_length=127, pattern=PRINTER_NAME,
        description="cups: the printer (queue) name for lp -d; empty = the system default")
    timeout_seconds: float = Field(
        15, ge=1, le=300, description="cups/escpos: how long to wait for the printer")
    escpos_connection: Literal["usb", "network", "serial"] = Field(
        "usb", description="escpos: how the printer is attached")
    usb_vendor_id: int = Field(
        0, ge=0, le=0xFFFF, description="escpos usb: vendor id, e.g. 0x0416 (lsusb)")
    usb_product_id: int = Field(
        0, ge=0, le=0xFFFF, description="escpos usb: product id, e.g. 0x5011 (lsusb)")
    host: str = Field("", max_length=253, description="escpos network: printer host or IP")
    port: int = Field(9100, ge=1, le=65535, description="escpos network: TCP port")
    serial_device: str = Field(
        "/dev/ttyUSB0", min_length=1, description="escpos serial: the device")
    baudrate: int = Field(
        9600, ge=1200, le=921600, description="escpos serial: speed in baud")
    profile: str = Field(
        "", max_length=60,
        description="escpos: python-escpos printer profile (e.g. TM-T88V); empty = default")

    def escpos_missing(self) -> str | None:
        """The setting an escpos printer on this connection still needs (it is 0 or empty),
        or None: usb needs its vendor and product ids, network its host."""
        if self.escpos_connection == "usb":
            return next((n for n in ("usb_vendor_id", "usb_product_id") if not getattr(self, n)),
                        None)
        if self.escpos_connection == "network" and not self.host:
            return "host"
        return None


class ReceiptSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    layout: Literal["58mm", "80mm", "a4"] = Field(
        "80mm", description="paper: 58mm or 80mm thermal roll (203 dpi) or A4 (300 dpi)")
    font: str = Field(
        "", description="a CJK font: a file path (relative to kiosk.toml) or a fontconfig "
                        "family name; empty = search the system")
    trusted_keys: list[str] = Field(
        default_factory=list,
        description="public keys (ed25519:…, from `kiosk keys export` on other kiosks) whose "
                    "receipts `kiosk verify` accepts besides this kiosk's own")

    @field_validator("trusted_keys")
    @classmethod
    def _keys_well_formed(cls, v: list[str]) -> list[str]:
        import re
        for text in v:
            if not re.fullmatch(PUBLIC_KEY_PATTERN, text):
                # the catalog's config.allowed.public_key, in the user's language
                raise PydanticCustomError(
                    "public_key", "{start} is not a key from `kiosk keys export`",
                    {"start": text[:20]})
        return v
