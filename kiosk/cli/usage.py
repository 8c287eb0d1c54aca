"""Bad usage said in the catalog's words: argparse's own errors are English sentences.

`UsageParser.error` raises InputError instead of printing argparse's message and exiting, so
a wrong argument is reported like every other refusal (one line, exit code 2). The sentences
argparse (Python 3.11+) builds are matched and their parts kept; one it has not been taught
is passed on as it is rather than lost.
"""
from __future__ import annotations

import argparse
import re
from typing import NoReturn

from kiosk.errors import InputError

# argparse's sentence -> (catalog key, its named parts)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), key) for p, key in (
        (r"^the following arguments are required: (?P<args>.+)$", "usage.required"),
        (r"^one of the arguments (?P<args>.+) is required$", "usage.one_of"),
        (r"^argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)$",
         "usage.not_allowed"),
        (r"^argument (?P<arg>\S+): invalid (?P<kind>\w+) value: '(?P<value>.*)'$",
         "usage.invalid_value"),
        (r"^argument (?P<arg>\S+): invalid choice: '(?P<value>.*)' "
         r"\(choose from (?P<choices>.*)\)$", "usage.invalid_choice"),
        (r"^argument (?P<arg>\S+): expected (?:one|at least one|\d+) arguments?$",
         "usage.expected"),
        (r"^unrecognized arguments: (?P<args>.+)$", "usage.unrecognized"),
        (r"^ambiguous option: (?P<arg>\S+) could match (?P<choices>.+)$", "usage.ambiguous"),
    ))


def usage_error(message: str, prog: str) -> InputError:
    """The InputError for one of argparse's error sentences, in the catalog's words."""
    for pattern, key in _PATTERNS:
        if m := pattern.match(message.strip()):
            parts = m.groupdict()
            if key == "usage.invalid_value" and parts["kind"] in ("int", "float"):
                key += "." + parts["kind"]  # the catalog says which kind of number
            return InputError("usage.bad", prog=prog, detail=key, **parts)
    return InputError("usage.bad", prog=prog, detail=message)


class UsageParser(argparse.ArgumentParser):
    """An ArgumentParser (and, through add_subparsers, its sub-parsers) whose errors are
    InputErrors: the command line's one handler prints them in the user's language."""

    def error(self, message: str) -> NoReturn:
        raise usage_error(message, self.prog)
