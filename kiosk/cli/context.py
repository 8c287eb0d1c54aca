"""What every command handler gets: the configuration, the messages, the open workflow."""
from __future__ import annotations

import sys
from typing import Any, TextIO

from kiosk.config import Config, load_config
from kiosk.errors import InputError
from kiosk.messages import Messages


class Context:
    def __init__(self, config: Config, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        self.config = config
        self.msg = Messages(config.language)
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._workflow: Any = None

    @classmethod
    def load(cls, config_path: str | None) -> Context:
        return cls(load_config(config_path))

    def say(self, key: str, /, **params: Any) -> None:
        print(self.msg(key, **params), file=self.out)

    def warn(self, key: str, /, **params: Any) -> None:
        print(self.msg("warning.prefix", text=self.msg(key, **params)), file=self.err)

    def workflow(self) -> Any:
        """The open Workflow over the existing database (refuses when it is not created)."""
        if self._workflow is None:
            from kiosk.workflow import Workflow
            try:
                self._workflow = Workflow.open(self.config)
            except InputError as exc:
                if exc.key == "db.missing" and not self.config.from_file:
                    # run from another folder than the kiosk's: its config was not found,
                    # and `kiosk init` here would make a second kiosk
                    raise InputError("db.missing_no_config", path=exc.params["path"],
                                     config=str(self.config.path.resolve())) from None
                raise
        return self._workflow

    def close(self) -> None:
        if self._workflow is not None:
            self._workflow.close()
            self._workflow = None
