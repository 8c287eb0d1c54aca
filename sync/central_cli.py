"""`kiosk-central`: the reference central system (serve, enroll, decide, import, report).

Not built yet: it lands with the sync issue. Until then the command says so plainly and
exits 2 rather than pretending to work.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print("kiosk-central: 中心端参考实现尚未提供（随同步功能一起交付）。/ "
          "The reference central system is not available yet; it comes with sync.",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
