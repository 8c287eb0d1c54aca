"""The `kiosk` command line (DESIGN.md). Each command group lives in its own module with a
`register(subparsers)` function; handlers take (Context, args) and return the exit code.

No traceback reaches a user: KioskError subclasses become one catalog message with their
exit code (1 refused / failed check, 2 bad usage, configuration or input), anything else is
reported as an internal error.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence

from kiosk.cli.context import Context
from kiosk.cli.usage import UsageParser, localise
from kiosk.errors import ConfigError, InputError, KioskError
from kiosk.messages import Messages

Handler = Callable[[Context, argparse.Namespace], int]


def _modules() -> list:
    from kiosk.cli import receipt_cmds, workflow_cmds
    return [workflow_cmds, receipt_cmds]


def build_parser(msg: Messages | None = None) -> argparse.ArgumentParser:
    """The command line's parsers, their help said in msg's language (zh-CN by default)."""
    common = UsageParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="help.config")
    parser = UsageParser(
        prog="kiosk", parents=[common],
        description="help.kiosk")
    # (its own name: `kiosk init --demo` has a --demo of its own)
    parser.add_argument("--demo", action="store_true", dest="ui_demo",
                        help="help.ui_demo")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _modules():
        module.register(sub, common)
    localise(parser, msg or Messages("zh-CN"))
    return parser


def _early_context(argv: Sequence[str] | None) -> tuple[Context | None, Messages]:
    """The config that --config (or the default) names, loaded before the command line is
    parsed: its help and usage errors are said in its language. None when it does not
    load (main loads it again once the usage is right, to say why); its [kiosk] language
    is still used when that much can be read, else zh-CN."""
    find = UsageParser(add_help=False)
    find.add_argument("--config", default=None)
    try:
        known, _ = find.parse_known_args(argv)
        ctx = Context.load(known.config)
        return ctx, ctx.msg
    except Exception:  # noqa: BLE001 - said once the usage is right; here: its language
        pass
    try:
        import tomllib

        from kiosk.config import find_config_path

        path, _ = find_config_path(known.config)
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return None, Messages(raw["kiosk"]["language"])
    except Exception:  # noqa: BLE001 - unreadable, no such key, an unknown language
        return None, Messages("zh-CN")


def main(argv: Sequence[str] | None = None) -> int:
    msg = Messages("zh-CN")
    ctx: Context | None = None
    try:
        ctx, msg = _early_context(argv)  # usage and help are said in the config's language
        args = build_parser(msg).parse_args(argv)  # bad usage: InputError (kiosk.cli.usage)
        if ctx is None:  # the config did not load: now that the usage is right, say why
            ctx = Context.load(getattr(args, "config", None))
        msg = ctx.msg
        handler: Handler | None = getattr(args, "handler", None)
        if handler is not None and args.ui_demo:  # (silently ignored, it misled people)
            raise InputError("usage.demo_with_command")
        if handler is None:
            from kiosk.cli.ui_entry import run_ui
            return run_ui(ctx, demo=args.ui_demo)
        return handler(ctx, args)
    except KioskError as exc:
        try:
            text = msg(exc.key, **exc.params)
        except Exception:  # a broken catalog entry must not turn into a traceback
            text = str(exc)
        print(msg("error.prefix", text=text), file=sys.stderr)
        return exc.exit_code
    except sqlite3.OperationalError as exc:
        key = "db.busy" if "locked" in str(exc) or "busy" in str(exc) else "db.refused"
        print(msg("error.prefix", text=msg(key, detail=str(exc))), file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:
        print(msg("error.prefix", text=msg("db.refused", detail=str(exc))), file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except KeyboardInterrupt:
        print(msg("error.interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:  # last line of defence: one message, never a traceback
        print(msg("error.prefix", text=msg("error.unexpected", detail=type(exc).__name__)),
              file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.close()


__all__ = ["ConfigError", "Context", "build_parser", "main"]
