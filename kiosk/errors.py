"""Errors that reach a user as one clear message from the catalog.

Each carries a message key and its parameters, never the text itself, so the CLI and the
UI can say it in the configured language. The exit code follows DESIGN.md:
1 refused by a rule of the exam or a failed check, 2 bad usage, configuration or input.
"""
from __future__ import annotations

from typing import Any


class KioskError(Exception):
    exit_code = 1

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:  # for logs and tests; users see the catalog text
        return f"{self.key} {self.params}" if self.params else self.key


class RuleError(KioskError):
    """Refused by a rule of the exam (a lock, a count, a missing material)."""

    exit_code = 1


class CheckFailed(KioskError):
    """A check ran and failed (an audit chain, a receipt signature)."""

    exit_code = 1


class InputError(KioskError):
    """A bad file, argument or value given by the user."""

    exit_code = 2


class ConfigError(KioskError):
    """kiosk.toml is missing, malformed or holds a bad value."""

    exit_code = 2
