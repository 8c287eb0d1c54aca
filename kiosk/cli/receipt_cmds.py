"""Commands of the receipt: slip, verify, keys export."""
from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any

from kiosk.cli.context import Context
from kiosk.errors import InputError
from kiosk.messages import Key

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("slip", parents=[common],
                       help="help.slip")
    p.add_argument("reg_no", metavar="REG_NO", help="help.reg_no")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-o", "--output", metavar="FILE", help="help.slip_output")
    g.add_argument("--print", dest="print_", action="store_true",
                   help="help.slip_print")
    p.add_argument("--layout", choices=("58mm", "80mm", "a4"),
                   help="help.slip_layout")
    p.set_defaults(handler=cmd_slip)

    p = sub.add_parser("verify", parents=[common],
                       help="help.verify")
    p.add_argument("file", metavar="FILE", nargs="?", help="help.verify_file")
    p.add_argument("--payload", metavar="TEXT", help="help.verify_payload")
    p.set_defaults(handler=cmd_verify)

    keys = sub.add_parser("keys", parents=[common], help="help.keys")
    ksub = keys.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)
    p = ksub.add_parser("export", parents=[common],
                        help="help.keys_export")
    p.set_defaults(handler=cmd_keys_export)


def cmd_slip(ctx: Context, args: argparse.Namespace) -> int:
    from kiosk import slip as slips
    from kiosk.printers import PrinterError

    if not args.output and not args.print_:
        raise InputError("slip.usage")
    if args.output and Path(args.output).suffix.lower() not in (".png", ".pdf"):
        raise InputError("slip.bad_suffix", path=args.output)
    wf = ctx.workflow()
    slip = slips.prepare(wf, args.reg_no, ctx.msg, args.layout)
    if args.output:
        out = slips.save_to(wf, slip, Path(args.output))
        ctx.say("slip.saved", path=str(out))
        return 0
    try:
        png, said = slips.print_slip(wf, slip)
    except PrinterError as exc:
        detail = ctx.msg(exc.key, **{k: v for k, v in exc.params.items() if k != "path"})
        print(ctx.msg("error.prefix", text=ctx.msg(
            "slip.print_failed", detail=detail, path=exc.params.get("path", ""),
            reg_no=args.reg_no)), file=ctx.err)
        return EXIT_INVALID
    ctx.say("slip.saved", path=str(png))
    if ctx.config.settings.printer.backend != "file":
        ctx.say("slip.printed", printer=said)
    return 0


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    from kiosk.keys import trusted_keys
    from kiosk.qrread import read_qr
    from kiosk.receipt import InvalidReceipt, verify_payload

    if (args.file is None) == (args.payload is None):
        raise InputError("verify.usage")
    keys = trusted_keys(ctx.config)
    if args.payload is not None:
        texts = [args.payload]
    else:
        texts = read_qr(Path(args.file))
        if not texts:
            raise InputError("verify.no_qr", path=args.file)
    first: InvalidReceipt | None = None
    for text in texts:
        try:
            receipt = verify_payload(text, keys)
        except InvalidReceipt as exc:
            first = first or exc
            continue
        _show(ctx, receipt)
        if (now := _current(ctx, receipt)) is not None:
            ctx.warn("verify.superseded", state=Key("state." + now.state),
                     materials=_materials_text(ctx, now))
        return EXIT_VALID
    assert first is not None
    raise first


def _current(ctx: Context, r: Any) -> Any:
    """This kiosk's receipt for the candidate as things stand now, when that differs from
    `r` (one of its own receipts, printed before a return, a deletion or a new decision);
    else None. Only this kiosk's own database can tell; anyone else checks the signature."""
    from kiosk.errors import KioskError
    from kiosk.keys import load_signing_key
    from kiosk.receipt import build_receipt

    k = ctx.config.settings.kiosk
    if (r.site_code, r.kiosk_id) != (k.site_code, k.kiosk_id) \
            or not ctx.config.database.exists():
        return None
    try:
        now = build_receipt(ctx.workflow().candidate(r.reg_no), ctx.config,
                            load_signing_key(ctx.config.data_dir))
    except (KioskError, sqlite3.Error):  # not in this database, back to draft, no key, the
        return None  # database busy: nothing to compare, and the signature stands as said
    fields = ("reg_no", "name", "id_masked", "state", "submitted_at", "materials",
              "images_digest")
    return None if all(getattr(now, f) == getattr(r, f) for f in fields) else now


def _materials_text(ctx: Context, r: Any) -> str:
    catalog = ctx.config.catalog()
    return ctx.msg("list.names").join(
        f"{catalog.get(code).name if catalog.get(code) else code} ×{n}"
        for code, n in r.materials) or "—"


def _show(ctx: Context, r: Any) -> None:
    from kiosk.messages import BEIJING

    mats = _materials_text(ctx, r)
    when = r.submitted_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S +08:00")
    ctx.say("verify.valid", signer=r.signer)
    ctx.say("verify.content", site_code=r.site_code, kiosk_id=r.kiosk_id, reg_no=r.reg_no,
            name=r.name, id_masked=r.id_masked, state=Key("state." + r.state), time=when,
            materials=mats, digest=r.images_digest.hex())


def cmd_keys_export(ctx: Context, args: argparse.Namespace) -> int:
    from kiosk.keys import load_signing_key, public_key_text

    key = public_key_text(load_signing_key(ctx.config.data_dir))
    # the key alone on stdout (`kiosk keys export > k01.pub`), what to do with it on stderr
    print(ctx.msg("keys.export_hint"), file=ctx.err)
    print(key, file=ctx.out)
    return 0
