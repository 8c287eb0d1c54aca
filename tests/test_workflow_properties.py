"""Random sequences of what candidates and staff do, on a real SQLite file per example.

A Hypothesis state machine captures (any material, unknown codes included, 1–3 images),
deletes (any index), submits, reviews (approve / return with any subset of materials /
ineligible, with or without a comment) and re-imports a candidate's roster row with a new
phone number, for the five demo candidates. A small model predicts whether each operation
is allowed; after every step the invariants a user relies on are checked with plain SQL:

- a locked image is byte-identical to what it was when it was locked (sha256 and BLOB);
  a lock goes away only when staff returned that material, and never from an ✓ image;
- no material holds more images than the candidate may present;
- a submitted / site_approved / ineligible candidate has no unlocked image;
- ✓ (approved) stays ✓ forever;
- every state change is one state_history row, one audit entry and one outbox message,
  and the candidate's state is the last state_history row;
- the audit chain verifies;
- a refused operation (RuleError / InputError) changes nothing at all.
"""
from __future__ import annotations

import hashlib
import io
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, currently_in_test_context, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from PIL import Image

from kiosk.catalog import DEFAULT_MATERIALS, parse_categories
from kiosk.config import Config, Settings, StorageSection
from kiosk.errors import InputError, KioskError, RuleError
from kiosk.roster import parse_roster
from kiosk.setup import demo_rows, initialise
from kiosk.store import TRANSITIONS, UNLOCKED_STATES
from kiosk.workflow import NewCapture, Workflow

ROWS = {r["reg_no"]: r for r in demo_rows()}
# direct / direct+graduate / tcm_mentor: three different sets of materials, few enough that
# sequences often reach submission and review
REGS = ["2026110102001", "2026110102002", "2026110102005"]
KNOWN = [m.code for m in DEFAULT_MATERIALS]
CODES = KNOWN + ["unknown", "Notice", "id-doc", ""]
CORE = ["notice", "id_doc", "diploma", "trial_proof", "degree", "other", "tcm_cert",
        "assistant_docs", "graduate_pledge"]
EVERYONE = ["notice", "id_doc", "diploma", "other"]  # materials every candidate may present
STATE_ACTIONS = ("submit", "approve", "return", "ineligible")
LOCKED_STATES = ("submitted", "site_approved", "ineligible")

regs = st.sampled_from(REGS)
material_lists = st.one_of(st.just([]), st.lists(st.sampled_from(CORE), max_size=3),
                           st.lists(st.sampled_from(CODES), min_size=1, max_size=3))
comments = st.sampled_from(["请重新拍摄,图像模糊", "请补交学历证书", "not eligible: 学历不符", "",
                           "  "])
phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


def note(text: str) -> None:
    """Count what happened (pytest --hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(text)


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table (BLOBs as their sha256)."""
    out = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                "ORDER BY name"):
        out[name] = [tuple(hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else v
                           for v in row)
                     for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid')]
    return out


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="kiosk-prop-"))
        self.config = Config(Settings(storage=StorageSection(database=self.dir / "k.db")),
                             self.dir / "kiosk.toml", self.dir)
        initialise(self.config, demo=True)
        self.wf = Workflow.open(self.config)
        self.catalog = self.config.catalog()
        self.raw = sqlite3.connect(self.config.database, isolation_level=None)
        self.seq = 0
        self.state = dict.fromkeys(ROWS, "draft")  # the model's idea of each state
        self.changes = 0                           # state changes the model expects
        self.locked: dict[int, tuple[str, str, str]] = {}  # id -> (reg, material, sha)
        self.approved: set[int] = set()
        self.lifted: set[int] = set()  # locks the last step was allowed to lift
        self.outcome = ""  # "done" or the refusal's message key

    def teardown(self) -> None:
        self.raw.close()
        self.wf.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------
    def jpeg(self) -> bytes:
        self.seq += 1
        w, h = 20 + self.seq % 7, 12 + self.seq % 5
        img = Image.frombytes("RGB", (w, h), random.Random(self.seq).randbytes(w * h * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=70)
        return buf.getvalue()

    def row(self, reg: str) -> tuple[str, str, str, str]:
        return self.raw.execute("SELECT categories, id_type, state, phone FROM candidates "
                                "WHERE reg_no = ?", (reg,)).fetchone()

    def needs(self, reg: str) -> dict[str, tuple[int, int]]:
        cats, id_type, _, _ = self.row(reg)
        return {c: (n.min, n.max)
                for c, n in self.catalog.needs(parse_categories(cats), id_type).items()}

    def images(self, reg: str, material: str) -> list[tuple[int, int | None]]:
        """(capture id, approved or None when unlocked) in status order."""
        return self.raw.execute(
            "SELECT c.id, l.approved FROM captures c LEFT JOIN capture_locks l "
            "ON l.capture_id = c.id WHERE c.reg_no = ? AND c.material = ? ORDER BY c.id",
            (reg, material)).fetchall()

    def redo_list(self, reg: str) -> list[str] | None:
        """Materials the latest return named (None: not restricted)."""
        last = self.raw.execute("SELECT id FROM reviews WHERE reg_no = ? ORDER BY id DESC "
                                "LIMIT 1", (reg,)).fetchone()
        if last is None:
            return None
        items = [r[0] for r in self.raw.execute(
            "SELECT material FROM review_items WHERE review_id = ?", last)]
        return items or None

    def editable(self, reg: str, material: str) -> bool:
        state = self.row(reg)[2]
        if state not in UNLOCKED_STATES:
            return False
        redo = self.redo_list(reg) if state != "draft" else None
        if redo is not None and material not in redo:
            return False
        return all(a is None for _, a in self.images(reg, material))

    def attempt(self, what: str, fn: Any, expected: type[KioskError] | None) -> Any:
        """Run fn; a refusal must be the expected one and change nothing."""
        before = dump(self.raw)
        try:
            result = fn()
        except (RuleError, InputError) as exc:
            note(f"refused: {exc.key}")
            self.outcome = exc.key
            assert expected is not None, f"refused unexpectedly: {exc}"
            assert type(exc) is expected, f"{exc} is not a {expected.__name__}"
            assert dump(self.raw) == before, f"refused ({exc}) but the database changed"
            assert not self.wf.store.conn.in_transaction
            return None
        assert expected is None, f"allowed, but a {expected.__name__} was expected"
        note(f"done: {what}")
        self.outcome = "done"
        return result

    # --- rules -----------------------------------------------------------------------------
    @rule(reg=regs, material=st.one_of(st.sampled_from(EVERYONE), st.sampled_from(CODES)),
          n=st.integers(1, 3))
    def capture(self, reg: str, material: str, n: int) -> None:
        needs = self.needs(reg)
        expected: type[KioskError] | None = None
        if material not in KNOWN:
            expected = InputError
        elif material not in needs or not self.editable(reg, material) or \
                len(self.images(reg, material)) + n > needs[material][1]:
            expected = RuleError
        blobs = [self.jpeg() for _ in range(n)]
        before = [i for i, _ in self.images(reg, material)] if material in KNOWN else []
        stored = self.attempt("capture", lambda: self.wf.add_captures(
            reg, material, [NewCapture(b, 20, 12, "test", {"n": 1}) for b in blobs]), expected)
        if stored is None:
            return
        assert [i.sha256 for i in stored] == [hashlib.sha256(b).hexdigest() for b in blobs]
        after = self.images(reg, material)
        assert [i for i, _ in after[:len(before)]] == before
        for (cid, locked), blob in zip(after[len(before):], blobs, strict=True):
            assert locked is None
            assert self.wf.store.blob(cid) == blob

    @rule(reg=regs, material=st.one_of(st.integers(0, 8), st.sampled_from(CODES)),
          index=st.integers(0, 3))
    def delete(self, reg: str, material: int | str, index: int) -> None:
        if isinstance(material, int):  # one of the materials this candidate has images of
            having = [r[0] for r in self.raw.execute(
                "SELECT DISTINCT material FROM captures WHERE reg_no = ? ORDER BY material",
                (reg,))]
            material = having[material % len(having)] if having else "notice"
        images = self.images(reg, material)
        expected: type[KioskError] | None = None
        if material not in KNOWN:
            expected = InputError
        elif (material not in self.needs(reg) and not images  # not this candidate's
              or not 1 <= index <= len(images) or not self.editable(reg, material)):
            expected = RuleError
        gone = self.attempt("delete", lambda: self.wf.delete_capture(reg, material, index),
                            expected)
        if gone is not None:
            assert gone.capture_id == images[index - 1][0]
            assert [i for i, _ in self.images(reg, material)] == \
                [i for i, _ in images if i != gone.capture_id]

    def fill(self, reg: str) -> None:
        """The candidate presents whatever is still missing (when the material is open)."""
        for material, (lo, _) in self.needs(reg).items():
            missing = lo - len(self.images(reg, material))
            if missing > 0 and self.editable(reg, material):
                self.capture(reg, material, missing)

    @rule(reg=regs, fill_first=st.booleans())
    def submit(self, reg: str, fill_first: bool) -> None:
        if fill_first:
            self.fill(reg)
        state = self.row(reg)[2]
        complete = all(lo <= len(self.images(reg, m)) <= hi
                       for m, (lo, hi) in self.needs(reg).items())
        ok = state in UNLOCKED_STATES and complete
        view = self.attempt("submit", lambda: self.wf.submit(reg), None if ok else RuleError)
        if view is None:
            return
        assert view.state == "submitted"
        self.state[reg] = "submitted"
        self.changes += 1

    @rule(who=st.integers(0, 5), decision=st.sampled_from(["approve", "return", "ineligible"]),
          materials=material_lists, comment=comments)
    def review(self, who: int, decision: str, materials: list[str], comment: str) -> None:
        # mostly a candidate waiting for review, sometimes anyone (then usually refused)
        waiting = [r for r in REGS if self.state[r] == "submitted"]
        reg = waiting[who % len(waiting)] if waiting and who < 4 else REGS[who % len(REGS)]
        state = self.row(reg)[2]
        needs = self.needs(reg)
        codes = list(dict.fromkeys(materials))
        expected: type[KioskError] | None = None
        # materials name what to redo (returns only); returns and refusals need a comment
        wrong_materials = bool(codes) and decision != "return"
        if wrong_materials or (decision != "approve" and not comment.strip()):
            expected = InputError
        elif state != "submitted":
            expected = RuleError
        else:
            for code in codes:
                images = self.images(reg, code)
                if code not in KNOWN:
                    expected = InputError
                    break
                if (code not in needs or needs[code][1] == 0) and not images:  # not needed
                    expected = RuleError
                    break
                if any(a == 1 for _, a in images):
                    expected = RuleError
                    break
        locks_before = dict(self.raw.execute(
            "SELECT l.capture_id, l.approved FROM capture_locks l JOIN captures c "
            "ON c.id = l.capture_id WHERE c.reg_no = ?", (reg,)))
        view = self.attempt(f"review {decision}",
                            lambda: self.wf.review(reg, decision, comment, codes), expected)
        if view is None:
            return
        self.changes += 1
        target = {"approve": "site_approved", "return": "returned",
                  "ineligible": "ineligible"}[decision]
        assert view.state == target
        self.state[reg] = target
        if decision == "return":
            redo = set(codes) or set(needs)
            for m in needs:
                for cid, approved in self.images(reg, m):
                    if m in redo and not locks_before.get(cid):
                        assert approved is None, "a material to redo stayed locked"
                        self.lifted.add(cid)
                    else:
                        assert approved == 1, "a material not to redo lost its ✓"
        elif decision == "approve":
            assert all(a == 1 for m in needs for _, a in self.images(reg, m))

    @rule(reg=regs, phone=phones)
    def reimport(self, reg: str, phone: str) -> None:
        r = ROWS[reg]
        csv = ("reg_no,name,id_number,phone,category\n"
               f"{reg},{r['name']},{r['id_number']},{phone},{r['categories']}\n")
        parsed = parse_roster(csv, "roster.csv", self.config.settings.categories, "direct")
        assert not parsed.rejected
        before = dump(self.raw)
        counts, rejected = self.wf.upsert_candidates(parsed.rows)
        assert not rejected
        after = dump(self.raw)
        assert self.row(reg)[3] == phone
        same = before["candidates"] == after["candidates"]
        assert counts["unchanged" if same else "updated"] == 1
        for table in before:
            if table not in ("candidates", "audit", "meta"):
                assert before[table] == after[table], f"re-import changed {table}"
        def keep(rows: list[tuple]) -> list[tuple]:  # all but phone and updated_at
            return [c[:4] + c[5:9] for c in rows]
        assert keep(before["candidates"]) == keep(after["candidates"])

    # --- invariants ------------------------------------------------------------------------
    @invariant()
    def audit_chain_verifies(self) -> None:
        count, _ = self.wf.store.verify_audit()
        assert count == self.raw.execute("SELECT count(*) FROM audit").fetchone()[0]

    @invariant()
    def blobs_are_whole(self) -> None:
        for cid, blob, sha, size in self.raw.execute(
                "SELECT id, jpeg, sha256, size FROM captures"):
            assert hashlib.sha256(blob).hexdigest() == sha and len(blob) == size, cid

    @invariant()
    def locked_images_never_change(self) -> None:
        rows = {cid: (reg, material, hashlib.sha256(blob).hexdigest(), sha, approved)
                for cid, reg, material, blob, sha, approved in self.raw.execute(
                    "SELECT c.id, c.reg_no, c.material, c.jpeg, c.sha256, l.approved "
                    "FROM captures c LEFT JOIN capture_locks l ON l.capture_id = c.id")}
        for cid, (reg, material, sha) in list(self.locked.items()):
            now = rows.get(cid)
            if now is None or now[4] is None:  # gone, or its lock was lifted
                assert cid in self.lifted, f"locked image {cid} lost its lock outside a return"
                assert cid not in self.approved
                del self.locked[cid]
                continue
            assert now[:4] == (reg, material, sha, sha), f"locked image {cid} changed"
        for cid, (reg, material, blob_sha, _, approved) in rows.items():
            if approved is not None:
                self.locked.setdefault(cid, (reg, material, blob_sha))
        self.lifted.clear()

    @invariant()
    def approved_stays_approved(self) -> None:
        now = {r[0] for r in self.raw.execute(
            "SELECT l.capture_id FROM capture_locks l JOIN captures c ON c.id = l.capture_id "
            "WHERE l.approved = 1")}
        assert self.approved <= now, f"lost ✓: {sorted(self.approved - now)}"
        self.approved = now

    @invariant()
    def counts_within_limits(self) -> None:
        for reg in ROWS:
            needs = self.needs(reg)
            for material, n in self.raw.execute(
                    "SELECT material, count(*) FROM captures WHERE reg_no = ? "
                    "GROUP BY material", (reg,)):
                assert material in needs, f"{reg} holds {material} it cannot present"
                assert n <= needs[material][1], f"{reg}: {n} × {material}"

    @invariant()
    def locked_candidates_have_no_open_image(self) -> None:
        open_ = self.raw.execute(
            "SELECT c.reg_no, c.id FROM captures c JOIN candidates d ON d.reg_no = c.reg_no "
            "LEFT JOIN capture_locks l ON l.capture_id = c.id "
            f"WHERE d.state IN {LOCKED_STATES} AND l.capture_id IS NULL").fetchall()
        assert not open_, f"unlocked images of locked candidates: {open_}"

    @invariant()
    def every_state_change_is_recorded_once(self) -> None:
        history = self.raw.execute("SELECT count(*) FROM state_history").fetchone()[0]
        outbox = self.raw.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'state'").fetchone()[0]
        audit = self.raw.execute(
            f"SELECT count(*) FROM audit WHERE action IN {STATE_ACTIONS}").fetchone()[0]
        assert history == outbox == audit == self.changes
        for reg in ROWS:
            state = self.row(reg)[2]
            assert state == self.state[reg]
            rows = self.raw.execute("SELECT from_state, to_state FROM state_history "
                                    "WHERE reg_no = ? ORDER BY id", (reg,)).fetchall()
            assert all(arrow in TRANSITIONS for arrow in rows)
            assert all(a[1] == b[0] for a, b in zip(rows, rows[1:], strict=False))
            assert (rows[-1][1] if rows else "draft") == state
        outbox_states = [r[0] for r in self.raw.execute(
            "SELECT json_extract(payload, '$.state') FROM outbox WHERE kind = 'state' "
            "ORDER BY id")]
        assert outbox_states == [r[0] for r in self.raw.execute(
            "SELECT to_state FROM state_history ORDER BY id")]

    @invariant()
    def no_transaction_left_open(self) -> None:
        assert not self.wf.store.conn.in_transaction


    def check_all(self) -> None:
        self.audit_chain_verifies()
        self.blobs_are_whole()
        self.locked_images_never_change()
        self.approved_stays_approved()
        self.counts_within_limits()
        self.locked_candidates_have_no_open_image()
        self.every_state_change_is_recorded_once()
        self.no_transaction_left_open()


def test_scripted_sequence() -> None:
    """The paths random sequences may miss, always: partial return, redo, ✓ kept."""
    m = WorkflowMachine()
    a, b = REGS[0], REGS[1]
    steps = [
        (lambda: m.capture(a, "diploma", 3), "done"),
        (lambda: m.capture(a, "diploma", 2), "capture.too_many"),
        (lambda: m.delete(a, "diploma", 2), "done"),
        (lambda: m.delete(a, "diploma", 3), "delete.index"),
        (lambda: m.capture(a, "tcm_cert", 1), "material.not_needed"),
        (lambda: m.capture(a, "bogus", 1), "material.unknown"),
        (lambda: m.submit(a, False), "submit.missing"),
        (lambda: m.submit(a, True), "done"),
        (lambda: m.delete(a, "diploma", 1), "capture.locked"),
        (lambda: m.capture(a, "other", 1), "capture.locked"),
        (lambda: m.reimport(a, "13912345678"), "done"),
        (lambda: m.review(0, "return", ["diploma", "id_doc"], ""), "review.comment_required"),
        (lambda: m.review(0, "return", ["diploma", "unknown"], "重拍"), "material.unknown"),
        (lambda: m.review(0, "return", ["diploma", "tcm_cert"], "重拍"), "material.not_needed"),
        (lambda: m.review(0, "return", ["diploma", "id_doc"], "学历证书、身份证不清晰"), "done"),
        (lambda: m.capture(a, "notice", 1), "capture.approved"),
        (lambda: m.delete(a, "notice", 1), "capture.approved"),
        (lambda: m.capture(a, "other", 1), "capture.not_returned"),
        (lambda: m.delete(a, "diploma", 1), "done"),
        (lambda: m.capture(a, "diploma", 1), "done"),
        (lambda: m.delete(a, "id_doc", 2), "done"),
        (lambda: m.submit(a, False), "submit.missing"),
        (lambda: m.submit(a, True), "done"),
        (lambda: m.review(0, "return", ["notice"], "通知单"), "review.already_approved"),
        (lambda: m.review(0, "return", [], "全部重拍"), "done"),
        (lambda: m.capture(a, "trial_proof", 1), "capture.approved"),  # ✓ survives
        (lambda: m.capture(a, "other", 1), "done"),
        (lambda: m.submit(a, False), "done"),
        (lambda: m.review(0, "approve", [], ""), "done"),
        (lambda: m.review(0, "return", [], "太晚了"), "review.state"),
        (lambda: m.submit(b, True), "done"),
        (lambda: m.review(0, "ineligible", [], "学历不符"), "done"),
        (lambda: m.reimport(b, "15000000000"), "done"),
        (lambda: m.capture(b, "other", 1), "capture.locked"),
    ]
    try:
        m.check_all()
        for n, (step, expected) in enumerate(steps):
            m.outcome = "done"  # reimport does not go through attempt()
            step()
            assert m.outcome == expected, f"step {n}: {m.outcome}, expected {expected}"
            m.check_all()
        assert m.state[a] == "site_approved" and m.state[b] == "ineligible"
        assert m.changes == 8
    finally:
        m.teardown()


WorkflowMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestWorkflowProperties = WorkflowMachine.TestCase
