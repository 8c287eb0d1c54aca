"""kiosk.toml, read with tomllib and validated by pydantic models.

Where the file is: `--config PATH`, else `$KIOSK_CONFIG`, else `./kiosk.toml` (when that
default file does not exist the built-in defaults apply, relative to the current folder).
Any unknown key, wrong type or bad value is one ConfigError naming the key, the value and
what is allowed; nothing is written before the configuration is valid.
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from camera.quality import QualityThresholds
from camera.straighten import PAPER_SIZES_MM
from kiosk.catalog import DEFAULT_CATEGORIES, DEFAULT_MATERIALS, Catalog, Material
from kiosk.errors import ConfigError
from kiosk.messages import CATALOG, Key
from kiosk.receipt_config import PRINTER_NAME, PrinterSection, ReceiptSection

DEFAULT_PATH = Path("kiosk.toml")
# patterns of settings (each said in words by _PATTERN_WORDS when a value does not match)
SITE_CODE = r"^\d{6}$"
KIOSK_ID = r"^[A-Za-z0-9_-]{1,16}$"
URL = r"^https?://[^\s/]+(/\S*)?$"
MATERIAL_CODE = r"^[a-z][a-z0-9_]{0,31}$"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KioskSection(_Section):
    site_code: str = Field("110102", pattern=SITE_CODE, description="6-digit exam site code")
    site_name: str = Field("", max_length=60, description="site name printed on receipts")
    kiosk_id: str = Field("K01", pattern=KIOSK_ID,
                          description="1-16 letters, digits, - or _")
    language: Literal["zh-CN", "en"] = "zh-CN"
    default_category: str = Field("direct", description="category of roster rows without one")
    sms_unit: str = Field("北京考区", max_length=30, description="unit name that signs the SMS")


class StorageSection(_Section):
    database: Path = Path("data/kiosk.db")


class CameraSection(_Section):
    source: str = Field("auto", min_length=1,
                        description='"auto", "demo", a camera index, a device path, a URL, '
                                    'a video file or a folder of images')
    auto_capture: bool = True
    hold_seconds: float = Field(1.0, ge=0.2, le=10)


class SyncSection(_Section):
    server: str = Field("http://127.0.0.1:8700", pattern=URL,
                        description="an http:// or https:// URL")
    token: str = ""
    interval_seconds: float = Field(60, ge=5, le=86400)


class MaterialSection(_Section):
    code: str = Field(pattern=MATERIAL_CODE)
    name: str = Field(min_length=1, max_length=40)
    min: int = Field(ge=0, le=20)
    max: int = Field(ge=1, le=20)
    applies_to: list[str] = Field(default_factory=lambda: ["*"])
    by_id_type: dict[str, tuple[int, int]] = Field(default_factory=dict)
    paper: str | None = None
    paper_by_id_type: dict[str, str] = Field(default_factory=dict)
    hint: str = ""
    shared: bool = False

    @field_validator("paper")
    @classmethod
    def _known_paper(cls, v: str | None) -> str | None:
        if v is not None and v not in PAPER_SIZES_MM:
            # the catalog's literal_error text, in the user's language
            raise PydanticCustomError("literal_error", "one of {expected}",
                                      {"expected": ", ".join(PAPER_SIZES_MM)})
        return v

    @field_validator("paper_by_id_type")
    @classmethod
    def _known_papers(cls, v: dict[str, str]) -> dict[str, str]:
        for paper in v.values():
            cls._known_paper(paper)
        return v

    @field_validator("max")
    @classmethod
    def _max_not_below_min(cls, v: int, info: Any) -> int:
        if v < info.data.get("min", 0):
            raise PydanticCustomError("not_below_min", "must be at least min ({min})",
                                      {"min": info.data.get("min", 0)})
        return v


class Settings(_Section):
    kiosk: KioskSection = KioskSection()
    storage: StorageSection = StorageSection()
    camera: CameraSection = CameraSection()
    quality: QualityThresholds = Field(default_factory=QualityThresholds)
    printer: PrinterSection = Field(default_factory=PrinterSection)
    receipt: ReceiptSection = Field(default_factory=ReceiptSection)
    sync: SyncSection = SyncSection()
    categories: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    materials: list[MaterialSection] | None = None


class Config:
    """Validated settings plus where they came from (paths resolve against the file)."""

    def __init__(self, settings: Settings, path: Path, base: Path) -> None:
        self.settings = settings
        self.path = path
        self.base = base

    @property
    def from_file(self) -> bool:
        """False when no kiosk.toml was found and the defaults apply."""
        return self.path.is_file()

    @property
    def database(self) -> Path:
        return (self.base / self.settings.storage.database).resolve()

    @property
    def data_dir(self) -> Path:
        return self.database.parent

    @property
    def language(self) -> str:
        return self.settings.kiosk.language

    @property
    def sync_token(self) -> str:
        return os.environ.get("KIOSK_SYNC_TOKEN") or self.settings.sync.token

    def resolve(self, p: Path | str) -> Path:
        return (self.base / p).resolve()

    def catalog(self) -> Catalog:
        s = self.settings
        if s.materials is None:
            return Catalog(DEFAULT_MATERIALS, s.categories)
        return Catalog(tuple(Material(
            m.code, m.name, m.min, m.max, tuple(m.applies_to), dict(m.by_id_type), m.paper,
            dict(m.paper_by_id_type), m.hint, m.shared) for m in s.materials), s.categories)


def find_config_path(explicit: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The file to read and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit), True
    env = os.environ.get("KIOSK_CONFIG")
    if env:
        return Path(env), True
    return DEFAULT_PATH, False


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path, named = find_config_path(explicit)
    if not path.exists():
        if named:
            raise ConfigError("config.missing", path=str(path))
        return Config(Settings(), path, Path.cwd())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # tomllib's reason is English and terse; where it says the place, that is what helps
        if at := re.search(r"\(at line (\d+), column (\d+)\)", str(exc)):
            raise ConfigError("config.syntax_at", path=str(path), line=at[1],
                              column=at[2]) from None
        raise ConfigError("config.syntax", path=str(path), detail=str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config.unreadable", path=str(path), detail=str(exc)) from None
    return Config(parse_settings(raw, str(path)), path, path.resolve().parent)


def parse_settings(raw: dict[str, Any], where: str = "kiosk.toml") -> Settings:
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc, raw, where) from None
    _cross_check(settings, where)
    return settings


def _config_error(exc: ValidationError, raw: dict[str, Any], where: str) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc)
    value = _repr(err.get("input"))
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(_fields_at(loc[:-1]) or ["—"])
        return ConfigError("config.unknown_key", path=where, key=key, value=value,
                           allowed=allowed)
    # What is allowed, from the catalog where pydantic's error type is a common one (its
    # parameters, e.g. the bound, fill the nested text); else pydantic's own sentence.
    allowed = Key(f"config.allowed.{err['type']}")
    if allowed not in CATALOG:
        allowed = err["msg"]
    limits: dict[str, Any] = {k: str(v) for k, v in (err.get("ctx") or {}).items()
                              if k not in ("path", "key", "value", "allowed")}
    if err["type"] == "literal_error":  # "'zh-CN' or 'en'": said as the language lists
        limits["expected"] = re.findall(r"'([^']*)'", limits["expected"]) \
            or limits["expected"].split(", ")
    if err["type"] == "string_pattern_mismatch" and (said := _PATTERN_WORDS.get(
            limits.get("pattern", ""))):
        allowed = Key(said)
    return ConfigError("config.invalid", path=where, key=key, value=value, allowed=allowed,
                       **limits)


# the patterns of the settings, said in words rather than as a regular expression
_PATTERN_WORDS = {
    SITE_CODE: "config.pattern.site_code",
    KIOSK_ID: "config.pattern.kiosk_id",
    URL: "config.pattern.url",
    MATERIAL_CODE: "config.pattern.code",
    PRINTER_NAME: "config.pattern.printer_name",
}


def _fields_at(loc: list[str]) -> list[str]:
    model: Any = Settings
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            if part.isdigit():  # an index into a list of tables, e.g. materials.0
                continue
            return []
        ann = field.annotation
        model = next((a for a in getattr(ann, "__args__", ()) if hasattr(a, "model_fields")),
                     ann)
        if not hasattr(model, "model_fields"):
            args = [a for a in getattr(ann, "__args__", ()) if a is not type(None)]
            inner = getattr(args[0], "__args__", ()) if args else ()
            model = next((a for a in inner if hasattr(a, "model_fields")), model)
    return list(getattr(model, "model_fields", {}))


def _repr(value: Any) -> str:
    text = repr(value) if not isinstance(value, dict) else "{…}"
    return text if len(text) <= 60 else text[:57] + "…"


def _cross_check(s: Settings, where: str) -> None:
    """Rules that span keys: the default category and material categories must exist; an
    escpos printer needs where to find it (else the first print, not the start, says so)."""
    if s.printer.backend == "escpos" and (name := s.printer.escpos_missing()):
        raise ConfigError("config.invalid", path=where, key=f"printer.{name}",
                          value=repr(getattr(s.printer, name)),
                          allowed=Key("config.allowed.escpos_host" if name == "host"
                                      else "config.allowed.escpos_usb"))
    if s.kiosk.default_category not in s.categories:
        raise ConfigError("config.invalid", path=where, key="kiosk.default_category",
                          value=repr(s.kiosk.default_category),
                          allowed=Key("config.allowed.literal_error"),
                          expected=list(s.categories))
    for i, m in enumerate(s.materials or []):
        for c in m.applies_to:
            if c != "*" and c not in s.categories:
                raise ConfigError("config.invalid", path=where, key=f"materials.{i}.applies_to",
                                  value=repr(c), allowed=Key("config.allowed.literal_error"),
                                  expected=["*", *s.categories])
    if s.materials is not None:
        codes = [m.code for m in s.materials]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ConfigError("config.invalid", path=where, key="materials.code",
                              value=repr(dupes[0]), allowed=Key("config.allowed.unique"))
    if s.quality.min_brightness >= s.quality.max_brightness:
        raise ConfigError("config.invalid", path=where, key="quality.min_brightness",
                          value=repr(s.quality.min_brightness),
                          allowed=Key("config.allowed.below"), other="quality.max_brightness")
