"""Bad usage said in the catalog's words: argparse's own errors are English sentences.

`UsageParser.error` raises InputError instead of printing argparse's message and exiting, so
a wrong argument is reported like every other refusal (one line, exit code 2) in the user's
language. The sentences argparse builds (the same in Python 3.11 to 3.13) are matched and
their parts kept; one it has not been taught is passed on as it is rather than lost.
"""
from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from kiosk.errors import InputError
from kiosk.messages import CATALOG, Key, Messages, wrap_columns

_Q = r"(?P<q>['\"])(?P<value>.*)(?P=q)"  # argparse quotes a value with repr()
# argparse's sentence -> catalog key. (No command has options sharing a prefix or a float
# argument today, so "ambiguous" and the float and generic "invalid value" do not occur
# yet; they are here for the options to come.)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), key) for p, key in (
        (r"^the following arguments are required: (?P<args>.+)$", "usage.required"),
        (r"^one of the arguments (?P<args>.+) is required$", "usage.one_of"),
        (r"^argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)$",
         "usage.not_allowed"),
        (rf"^argument (?P<arg>\S+): invalid (?P<kind>\w+) value: {_Q}$", "usage.invalid_value"),
        (rf"^argument (?P<arg>\S+): invalid choice: {_Q} \(choose from (?P<choices>.*)\)$",
         "usage.invalid_choice"),
        (rf"^argument (?P<arg>\S+): ignored explicit argument {_Q}$", "usage.no_value_taken"),
        (r"^argument (?P<arg>\S+): expected (?:one|at least one|\d+) arguments?$",
         "usage.expected"),
        (r"^unrecognized arguments: (?P<args>.+)$", "usage.unrecognized"),
        (r"^ambiguous option: (?P<arg>\S+) could match (?P<choices>.+)$", "usage.ambiguous"),
    ))


def _names(text: str, sep: str) -> list[str]:
    """argparse's list of names ("'a', 'b'" or "--x --y") as a list the catalog says in the
    language's own way."""
    return [n.strip("'\"") for n in text.split(sep) if n]


def usage_error(message: str, prog: str) -> InputError:
    """The InputError for one of argparse's error sentences, in the catalog's words."""
    for pattern, key in _PATTERNS:
        if m := pattern.match(message.strip()):
            parts: dict[str, Any] = {k: v for k, v in m.groupdict().items() if k != "q"}
            if key == "usage.invalid_value" and parts["kind"] in ("int", "float"):
                key += "." + parts["kind"]  # the catalog says which kind of number
            if "args" in parts:
                parts["args"] = _names(parts["args"], " " if key == "usage.one_of" else ", ")
            if "choices" in parts:
                parts["choices"] = _names(parts["choices"], ", ")
            return InputError("usage.bad", prog=prog, detail=Key(key), **parts)
    return InputError("usage.bad", prog=prog, detail=message)


class UsageParser(argparse.ArgumentParser):
    """An ArgumentParser (and, through add_subparsers, its sub-parsers) whose errors are
    InputErrors: the command line's one handler prints them in the user's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the innermost command parsed leaves its name: words left over are its business
        self.set_defaults(usage_prog=self.prog)

    def error(self, message: str) -> NoReturn:
        raise usage_error(message, self.prog)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        ns, extras = self.parse_known_args(args, namespace)
        if extras:  # (argparse says so from the outermost parser, pointing at its --help)
            raise usage_error(f"unrecognized arguments: {' '.join(extras)}",
                              getattr(ns, "usage_prog", self.prog))
        return ns


def localise(parser: argparse.ArgumentParser, msg: Messages) -> None:
    """Say the whole parser tree's help in msg's language: help texts and descriptions are
    given as catalog keys, and argparse's own words (usage:, options, -h) are replaced. A
    command's help from its parent's list becomes its own page's description too."""
    formatter = _formatter(msg)
    todo, done = [parser], set()
    while todo:
        p = todo.pop()
        if id(p) in done:
            continue
        done.add(id(p))
        p.formatter_class = formatter
        p._positionals.title = msg("help.positionals")
        p._optionals.title = msg("help.options")
        if p.description in CATALOG:
            p.description = msg(p.description)
        for action in p._actions:  # (shared with the parsers that have `common` as parent)
            if isinstance(action, argparse._HelpAction):
                action.help = msg("help.help")
            elif action.help in CATALOG:
                action.help = msg(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    sub = action.choices[choice.dest]
                    if choice.help in CATALOG:
                        choice.help = msg(choice.help)
                    sub.description = sub.description or choice.help
                    todo.append(sub)


def _formatter(msg: Messages) -> type[argparse.HelpFormatter]:
    headings = [msg("help.positionals"), msg("help.options")]
    colon = "：" if msg.language == "zh-CN" else ":"

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: str | None, actions: Any, groups: Any,
                      prefix: str | None = None) -> None:
            super().add_usage(usage, actions, groups,
                              msg("help.usage_prefix") if prefix is None else prefix)

        def _split_lines(self, text: str, width: int) -> list[str]:
            # (as argparse's own: runs of whitespace are one space; it counts a CJK character
            # as one column)
            return wrap_columns(" ".join(text.split()), width)

        def format_help(self) -> str:  # argparse puts an ASCII colon after each heading
            text = super().format_help()
            for heading in headings:
                text = text.replace(f"\n{heading}:\n", f"\n{heading}{colon}\n")
            return text

    return Formatter
