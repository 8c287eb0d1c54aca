"""`kiosk` and `kiosk --demo` without a command: the terminal UI.

Until the UI lands this shows the kiosk's state on the command line; `--demo` uses its own
database (data/demo/ beside the configured one) with the demo roster, created on first use.
"""
from __future__ import annotations

import argparse

from kiosk.cli.context import Context
from kiosk.config import Config


def demo_config(config: Config) -> Config:
    settings = config.settings.model_copy(update={
        "storage": config.settings.storage.model_copy(
            update={"database": config.database.parent / "demo" / "kiosk.db"})})
    return Config(settings, config.path, config.base)


def run_ui(ctx: Context, demo: bool) -> int:
    from kiosk.cli.workflow_cmds import cmd_status
    from kiosk.setup import initialise

    if demo:
        ctx.config = demo_config(ctx.config)
        if not ctx.config.database.exists():
            initialise(ctx.config, demo=True)
    ctx.say("ui.pending")
    return cmd_status(ctx, argparse.Namespace(reg_no=None, json=False))
