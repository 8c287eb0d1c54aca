"""Commands of the on-site workflow: init, roster import, materials, capture, delete, submit,
review, status, audit verify."""
from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.cli.context import Context
from kiosk.errors import InputError
from kiosk.messages import Key, beijing_time
from kiosk.roster import read_roster
from kiosk.workflow import CandidateView, NewCapture, Workflow

if TYPE_CHECKING:
    import numpy as np


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="help.init")
    p.add_argument("--demo", action="store_true", help="help.init_demo")
    p.set_defaults(handler=cmd_init)

    roster = sub.add_parser("roster", parents=[common], help="help.roster")
    rsub = roster.add_subparsers(dest="roster_command", metavar="COMMAND", required=True)
    p = rsub.add_parser("import", parents=[common], help="help.roster_import")
    p.add_argument("file", metavar="FILE.csv", help="help.roster_file")
    p.set_defaults(handler=cmd_roster_import)

    p = sub.add_parser("materials", parents=[common], help="help.materials")
    p.add_argument("--json", action="store_true", help="help.json")
    p.set_defaults(handler=cmd_materials)

    p = sub.add_parser("capture", parents=[common], help="help.capture")
    p.add_argument("reg_no", metavar="REG_NO", help="help.reg_no")
    p.add_argument("material", metavar="MATERIAL", help="help.material_code")
    p.add_argument("files", metavar="FILE", nargs="+", help="help.capture_files")
    p.set_defaults(handler=cmd_capture)

    p = sub.add_parser("delete", parents=[common], help="help.delete")
    p.add_argument("reg_no", metavar="REG_NO", help="help.reg_no")
    p.add_argument("material", metavar="MATERIAL", help="help.material_code")
    p.add_argument("index", metavar="INDEX", type=int, help="help.delete_index")
    p.set_defaults(handler=cmd_delete)

    p = sub.add_parser("submit", parents=[common], help="help.submit")
    p.add_argument("reg_no", metavar="REG_NO", help="help.reg_no")
    p.set_defaults(handler=cmd_submit)

    p = sub.add_parser("review", parents=[common], help="help.review")
    p.add_argument("reg_no", metavar="REG_NO", help="help.reg_no")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true", help="help.review_approve")
    g.add_argument("--return", dest="return_comment", metavar="COMMENT",
                   help="help.review_return")
    g.add_argument("--ineligible", metavar="REASON", help="help.review_ineligible")
    p.add_argument("--material", action="append", default=[], metavar="CODE[:COMMENT]",
                   help="help.review_material")
    p.set_defaults(handler=cmd_review)

    p = sub.add_parser("status", parents=[common], help="help.status")
    p.add_argument("reg_no", metavar="REG_NO", nargs="?", help="help.status_reg_no")
    p.add_argument("--json", action="store_true", help="help.json")
    p.set_defaults(handler=cmd_status)

    audit = sub.add_parser("audit", parents=[common], help="help.audit")
    asub = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    p = asub.add_parser("verify", parents=[common], help="help.audit_verify")
    p.set_defaults(handler=cmd_audit_verify)


# --- init ----------------------------------------------------------------------------------
def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    from kiosk.keys import key_path
    from kiosk.setup import initialise

    if not ctx.config.from_file:
        ctx.warn("init.no_config", config=str(ctx.config.path.resolve()))
    existed = ctx.config.database.exists()
    had_key = key_path(ctx.config.data_dir).exists()
    count = initialise(ctx.config, demo=args.demo)
    ctx.say("init.existed" if existed else "init.done", path=str(ctx.config.database))
    if existed and not had_key:  # receipts signed before no longer verify by this key
        ctx.warn("init.new_key", path=str(key_path(ctx.config.data_dir)))
    if args.demo:
        ctx.say("init.demo", count=count)
    return 0


# --- roster --------------------------------------------------------------------------------
def cmd_roster_import(ctx: Context, args: argparse.Namespace) -> int:
    s = ctx.config.settings
    parsed = read_roster(Path(args.file), s.categories, s.kiosk.default_category)
    wf: Workflow = ctx.workflow()
    counts, clashes = wf.upsert_candidates(parsed.rows)
    rejected = {**parsed.rejected, **clashes}
    if parsed.ignored_columns:
        ctx.warn("roster.extra_columns", columns=parsed.ignored_columns)
    for line in sorted(rejected):  # errors, not notices: these candidates were not imported
        key, params = rejected[line]
        reason = ctx.msg("roster.bad_row", line=line, reason=ctx.msg(key, **params))
        print(ctx.msg("error.prefix", text=reason), file=ctx.err)
    ctx.say("roster.summary", added=counts["added"], updated=counts["updated"],
            unchanged=counts["unchanged"], rejected=len(rejected))
    return 1 if rejected else 0


# --- materials -----------------------------------------------------------------------------
def cmd_materials(ctx: Context, args: argparse.Namespace) -> int:
    catalog = ctx.config.catalog()
    if args.json:
        print(json.dumps({"materials": [
            {"code": m.code, "name": m.name, "min": m.min, "max": m.max,
             "applies_to": list(m.applies_to),
             "by_id_type": {k: list(v) for k, v in m.by_id_type.items()},
             "paper": m.paper, "hint": m.hint, "shared": m.shared}
            for m in catalog.materials],
            "categories": catalog.categories}, ensure_ascii=False, indent=1), file=ctx.out)
        return 0
    for m in catalog.materials:
        who = "全部" if "*" in m.applies_to else "/".join(
            catalog.categories.get(c, c) for c in m.applies_to)
        if ctx.config.language == "en":
            who = "everyone" if "*" in m.applies_to else "/".join(m.applies_to)
        counts = f"{m.min}–{m.max}" + "".join(
            f", {k}: {lo}–{hi}" for k, (lo, hi) in m.by_id_type.items())
        shared = f"  {ctx.msg('materials.shared')}" if m.shared else ""
        print(f"{m.code:<20} {m.name}  [{counts}]  {who}{shared}", file=ctx.out)
    return 0


# --- capture -------------------------------------------------------------------------------
def _quality_reasons(ctx: Context, quality: dict) -> str:
    """The failed quality gates of a stored capture's report, in words ("" when none)."""
    return ctx.msg("list.clauses").join(ctx.msg(f"quality.{f}")
                                        for f in quality.get("failed", []))


def _read_photo(name: str) -> tuple[np.ndarray, str]:
    """The file's image, and the digest of the photo itself (its pixels, upright): the same
    photo saved as another file or format, or stored for another material (another paper:
    another image), is found by it. InputError with the file's name when it cannot be read."""
    from camera.imageio import ImageError, load_image

    path = Path(name)
    if path.is_dir():
        raise InputError("image.is_dir", file=name)
    if not path.is_file():
        raise InputError("image.missing", file=name)
    try:
        frame = load_image(path)
    except ImageError as exc:
        raise InputError(f"image.{exc.code}", file=name) from None
    except OSError as exc:  # unreadable: permissions, a vanished file, an I/O error
        raise InputError("image.unreadable", file=name, detail=exc.strerror or "") from None
    return frame, hashlib.sha256(repr(frame.shape).encode() + frame.tobytes()).hexdigest()


def cmd_capture(ctx: Context, args: argparse.Namespace) -> int:
    from camera.pipeline import process_image

    wf: Workflow = ctx.workflow()
    mat = wf.check_capture(args.reg_no, args.material, len(args.files))
    thresholds = ctx.config.settings.quality
    # A photo stored already, or given twice, is refused before any file is processed: no
    # time spent, no gate warnings about a photo that will not be stored. (Each file is read
    # twice rather than every image held in memory at once.)
    wf.refuse_repeated_photos(args.reg_no, args.material,
                              [{_read_photo(name)[1]} for name in args.files])
    ready: list[NewCapture] = []
    # Every file is read and processed before anything is stored: all or nothing.
    for name in args.files:
        frame, source_sha256 = _read_photo(name)
        result = process_image(frame, paper=mat.paper, thresholds=thresholds)
        quality = {**result.quality.to_dict(), "found": result.found,
                   "rotation": result.rotation, "source_sha256": source_sha256}
        if not result.found:
            ctx.warn("capture.no_document", file=name)
        if reasons := _quality_reasons(ctx, quality):
            ctx.warn("capture.quality", file=name, reasons=reasons)
        ready.append(NewCapture(result.jpeg, result.width, result.height,
                                f"file:{Path(name).name}", quality))
    stored = wf.add_captures(args.reg_no, args.material, ready)
    for img in stored:
        ctx.say("capture.stored", name=mat.name, index=img.index, width=img.width,
                height=img.height, size=img.size, sha=img.sha256[:12])
    return 0


def cmd_delete(ctx: Context, args: argparse.Namespace) -> int:
    wf: Workflow = ctx.workflow()
    gone = wf.delete_capture(args.reg_no, args.material, args.index)
    mat = wf.candidate(args.reg_no).materials[args.material]
    # what went, so a wrong index is noticed: its size, digest and the file it came from
    ctx.say("delete.done", name=mat.name, index=args.index, width=gone.width,
            height=gone.height, size=gone.size, sha=gone.sha256[:12], source=gone.source,
            moved=ctx.msg("delete.moved") if args.index <= mat.count else "",
            left=ctx.msg("delete.left", count=mat.count))
    return 0


# --- submit and review ---------------------------------------------------------------------
def cmd_submit(ctx: Context, args: argparse.Namespace) -> int:
    view = ctx.workflow().submit(args.reg_no)
    ctx.say("submit.done", reg_no=view.reg_no,
            count=sum(m.count for m in view.materials.values()))
    return 0


def cmd_review(ctx: Context, args: argparse.Namespace) -> int:
    wf: Workflow = ctx.workflow()
    if args.material and args.return_comment is None:
        raise InputError("review.material_needs_return")
    if args.approve:
        wf.review(args.reg_no, "approve")
        ctx.say("review.approved", reg_no=args.reg_no)
    elif args.return_comment is not None:
        notes = dict(m.partition(":")[::2] for m in args.material)
        view = wf.review(args.reg_no, "return", args.return_comment, notes)
        redo = [m.name for m in view.materials.values() if m.editable]
        ctx.say("review.returned", reg_no=args.reg_no, materials=ctx.msg("list.names").join(redo))
    else:
        wf.review(args.reg_no, "ineligible", args.ineligible)
        ctx.say("review.ineligible", reg_no=args.reg_no)
    return 0


# --- status --------------------------------------------------------------------------------
def status_json(wf: Workflow, views: list[CandidateView]) -> dict[str, Any]:
    return {
        "candidates": [{
            "reg_no": v.reg_no, "name": v.name, "id_masked": v.id_masked, "state": v.state,
            "submitted_at": v.submitted_at,
            "materials": {m.code: {
                "count": m.count, "min": m.min, "max": m.max,
                "sha256": [i.sha256 for i in m.images],
                "locked": [i.locked for i in m.images],
                "approved": [i.approved for i in m.images],
                "editable": m.editable} for m in v.materials.values()},
            "feedback": [{"at": f.at, "decision": f.decision, "comment": f.comment,
                          "materials": f.items} for f in v.feedback],
        } for v in views],
        "outbox": {"pending": wf.outbox_pending()},
    }


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    wf: Workflow = ctx.workflow()
    reg_nos = [args.reg_no] if args.reg_no else wf.reg_nos()
    views = [wf.candidate(r) for r in reg_nos]
    if args.json:
        print(json.dumps(status_json(wf, views), ensure_ascii=False, indent=1), file=ctx.out)
        return 0
    if not args.reg_no:
        states = Counter(v.state for v in views)
        ctx.say("status.summary", count=len(views), pending=wf.outbox_pending(),
                states=ctx.msg("list.names").join(f"{ctx.msg('state.' + s)} {n}"
                                                  for s, n in states.items())
                or "—")
    for v in views:
        _print_candidate(ctx, v, detailed=bool(args.reg_no))
    return 0


def _print_candidate(ctx: Context, v: CandidateView, detailed: bool) -> None:
    ctx.say("status.header", reg_no=v.reg_no, name=v.name, id_type=Key(f"idtype.{v.id_type}"),
            id_masked=v.id_masked, state=Key(f"state.{v.state}"))
    if not detailed:
        return
    if v.feedback and v.feedback[0].decision != "approve":
        latest = v.feedback[0]
        ctx.say("status.feedback", at=beijing_time(latest.at), comment=latest.comment)
        for code, note in latest.items.items():
            if note != latest.comment and code in v.materials:
                ctx.say("status.feedback_item", name=v.materials[code].name, comment=note)
    for m in v.materials.values():
        need = str(m.min) if m.min == m.max else f"{m.min}–{m.max}"
        mark = "✓" if m.complete else "✗"
        ctx.say("status.material", mark=mark, name=m.name, code=m.code, count=m.count,
                need=need)
        for i in m.images:
            lock = ctx.msg("lock.approved" if i.approved else
                           "lock.locked" if i.locked else "lock.open")
            ctx.say("status.image", index=i.index, width=i.width, height=i.height, size=i.size,
                    lock=lock, sha=i.sha256[:12])
            # what the reviewer should look at (capture said it, status keeps saying it)
            notes = [ctx.msg("status.flat_scan")] if i.quality.get("found") is False else []
            if failed := _quality_reasons(ctx, i.quality):
                notes.append(failed)
            if notes:
                ctx.say("status.image_quality", reasons=ctx.msg("list.clauses").join(notes))


# --- audit ---------------------------------------------------------------------------------
def cmd_audit_verify(ctx: Context, args: argparse.Namespace) -> int:
    count, head = ctx.workflow().store.verify_audit()
    ctx.say("audit.ok", count=count, head=head[:16])
    return 0
