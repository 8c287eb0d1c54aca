"""The lock is enforced by SQLite itself, whatever code opens the file.

Each test runs the real workflow (kiosk.setup.initialise with the demo roster, real JPEGs
stored through Workflow.add_captures, submit, review) and then attacks the database file
with a plain `sqlite3.connect` — not the project's code — the way a buggy tool, a sync
client or someone holding the file could. The triggers must refuse, and refuse with their
own message; the audit chain must expose what the triggers cannot stop (an attacker who
drops the audit triggers first).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sqlite3
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from kiosk.config import load_config
from kiosk.errors import CheckFailed
from kiosk.setup import initialise
from kiosk.store import STATES, TRANSITIONS, Store, audit_hash
from kiosk.workflow import NewCapture, Workflow

REG = "2026110102001"    # demo candidate: direct applicant, resident ID card
OTHER = "2026110102004"  # another direct applicant, left in draft
REQUIRED = {"notice": 1, "id_doc": 2, "diploma": 1, "trial_proof": 1}

LOCKED = "capture is locked"
MATERIAL_LOCKED = "material is locked"
LOCK_LIFT = "a lock is lifted only from an unapproved image on return"
LOCK_APPROVAL = "a lock can only gain its approval"
ARROW = "state change not allowed"
APPEND_ONLY = "the audit log is append-only"


def make_jpeg(w: int = 24, h: int = 16) -> bytes:
    """A real, unique little JPEG (random pixels)."""
    img = Image.frombytes("RGB", (w, h), os.urandom(w * h * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def capture(wf: Workflow, reg: str, material: str, n: int = 1) -> None:
    wf.add_captures(reg, material, [NewCapture(make_jpeg(), 24, 16, "test", {})
                                    for _ in range(n)])


def fill(wf: Workflow, reg: str) -> None:
    for material, n in REQUIRED.items():
        capture(wf, reg, material, n)


class Kiosk:
    def __init__(self, root: Path) -> None:
        self.toml = root / "kiosk.toml"
        self.toml.write_text('[storage]\ndatabase = "k.db"\n', encoding="utf-8")
        self.config = load_config(self.toml)
        self.db = self.config.database
        initialise(self.config, demo=True)
        self.wf = Workflow.open(self.config)
        self._raws: list[sqlite3.Connection] = []

    def raw(self) -> sqlite3.Connection:
        """A plain connection, autocommit, with nothing of the project's set up."""
        conn = sqlite3.connect(self.db, isolation_level=None)
        self._raws.append(conn)
        return conn

    def close(self) -> None:
        for conn in self._raws:
            conn.close()
        self.wf.close()

    def ids(self, reg: str, material: str | None = None) -> list[int]:
        sql = "SELECT id FROM captures WHERE reg_no = ?" + (" AND material = ?" if material
                                                            else "") + " ORDER BY id"
        args = (reg, material) if material else (reg,)
        return [r[0] for r in self.wf.store.conn.execute(sql, args)]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Kiosk]:
    k = Kiosk(tmp_path)
    try:
        yield k
    finally:
        k.close()


@pytest.fixture
def submitted(site: Kiosk) -> Kiosk:
    fill(site.wf, REG)
    assert site.wf.submit(REG).state == "submitted"
    return site


def snapshot(conn: sqlite3.Connection, reg: str) -> list[tuple]:
    return conn.execute(
        "SELECT c.id, c.material, c.sha256, hex(c.jpeg), c.size, l.approved FROM captures c "
        "LEFT JOIN capture_locks l ON l.capture_id = c.id WHERE c.reg_no = ? ORDER BY c.id",
        (reg,)).fetchall()


# --- locked captures -----------------------------------------------------------------------
@pytest.mark.parametrize("sql", [
    "UPDATE captures SET jpeg = x'FFD8FFD9', size = 4 WHERE id = :id",
    "UPDATE captures SET sha256 = '0000' WHERE id = :id",
    "UPDATE captures SET material = 'other' WHERE id = :id",
    "UPDATE captures SET reg_no = '2026110102004' WHERE id = :id",
    "UPDATE captures SET created_at = '2000-01-01' WHERE id = :id",
    "UPDATE captures SET id = 9999 WHERE id = :id",
])
def test_update_of_a_locked_capture_is_refused(submitted: Kiosk, sql: str) -> None:
    raw = submitted.raw()
    before = snapshot(raw, REG)
    target = submitted.ids(REG, "id_doc")[1]
    with pytest.raises(sqlite3.IntegrityError, match=LOCKED):
        raw.execute(sql, {"id": target})
    assert snapshot(raw, REG) == before


def test_delete_of_a_locked_capture_is_refused(submitted: Kiosk) -> None:
    raw = submitted.raw()
    before = snapshot(raw, REG)
    for cid in submitted.ids(REG):
        with pytest.raises(sqlite3.IntegrityError, match=LOCKED):
            raw.execute("DELETE FROM captures WHERE id = ?", (cid,))
    with pytest.raises(sqlite3.IntegrityError, match=LOCKED):
        raw.execute("DELETE FROM captures")
    assert snapshot(raw, REG) == before
    assert len(before) == sum(REQUIRED.values())


def test_unlocked_captures_are_not_frozen(site: Kiosk) -> None:
    """Control: before submission the same statements are allowed (the trigger is precise)."""
    fill(site.wf, REG)
    raw = site.raw()
    cid = site.ids(REG, "diploma")[0]
    raw.execute("UPDATE captures SET source = 'edited' WHERE id = ?", (cid,))
    raw.execute("DELETE FROM captures WHERE id = ?", (cid,))
    assert site.ids(REG, "diploma") == []


def test_insert_into_a_submitted_candidate_is_refused(submitted: Kiosk) -> None:
    raw = submitted.raw()
    jpeg = make_jpeg()
    row = (REG, jpeg, hashlib.sha256(jpeg).hexdigest(), len(jpeg))
    sql = ("INSERT INTO captures (reg_no, material, jpeg, sha256, width, height, size, "
           "source, quality, created_at) VALUES (?, ?, ?, ?, 24, 16, ?, 'sql', '{}', 'now')")
    before = snapshot(raw, REG)
    # a material that already has locked images, and one that has none: both refused
    for material in ("diploma", "other"):
        with pytest.raises(sqlite3.IntegrityError, match=MATERIAL_LOCKED):
            raw.execute(sql, (row[0], material, *row[1:]))
    assert snapshot(raw, REG) == before
    # control: a draft candidate accepts the very same row
    raw.execute(sql, (OTHER, "diploma", *row[1:]))
    assert len(submitted.ids(OTHER)) == 1


def test_insert_into_a_locked_material_of_a_returned_candidate_is_refused(
        submitted: Kiosk) -> None:
    """Returned with only the diploma to redo: the other materials keep their ✓ lock."""
    submitted.wf.review(REG, "return", "学历证书不清晰", ["diploma"])
    raw = submitted.raw()
    jpeg = make_jpeg()
    sql = ("INSERT INTO captures (reg_no, material, jpeg, sha256, width, height, size, "
           "source, quality, created_at) VALUES (?, ?, ?, ?, 24, 16, ?, 'sql', '{}', 'now')")
    args = (hashlib.sha256(jpeg).hexdigest(), len(jpeg))
    for material in ("notice", "id_doc", "trial_proof"):
        with pytest.raises(sqlite3.IntegrityError, match=MATERIAL_LOCKED):
            raw.execute(sql, (REG, material, jpeg, *args))
    raw.execute(sql, (REG, "diploma", jpeg, *args))  # the material to redo is open
    assert len(submitted.ids(REG, "diploma")) == 2


# --- locks ---------------------------------------------------------------------------------
def test_deleting_a_lock_needs_a_return_and_no_approval(submitted: Kiosk) -> None:
    raw = submitted.raw()
    diploma = submitted.ids(REG, "diploma")[0]
    notice = submitted.ids(REG, "notice")[0]
    # submitted: no lock may go, approved or not
    with pytest.raises(sqlite3.IntegrityError, match=LOCK_LIFT):
        raw.execute("DELETE FROM capture_locks WHERE capture_id = ?", (diploma,))
    with pytest.raises(sqlite3.IntegrityError, match=LOCK_LIFT):
        raw.execute("DELETE FROM capture_locks")
    # return only the diploma (others get ✓), then resubmit: the diploma is locked unapproved
    submitted.wf.review(REG, "return", "学历证书不清晰", ["diploma"])
    submitted.wf.submit(REG)
    locks = dict(raw.execute("SELECT capture_id, approved FROM capture_locks"))
    assert locks[diploma] == 0 and locks[notice] == 1
    with pytest.raises(sqlite3.IntegrityError, match=LOCK_LIFT):
        raw.execute("DELETE FROM capture_locks WHERE capture_id = ?", (diploma,))
    # the candidate is returned (a legal arrow, done by hand): the unapproved lock may go,
    # the approved one never
    raw.execute("UPDATE candidates SET state = 'returned' WHERE reg_no = ?", (REG,))
    with pytest.raises(sqlite3.IntegrityError, match=LOCK_LIFT):
        raw.execute("DELETE FROM capture_locks WHERE capture_id = ?", (notice,))
    raw.execute("DELETE FROM capture_locks WHERE capture_id = ?", (diploma,))
    assert diploma not in dict(raw.execute("SELECT capture_id, approved FROM capture_locks"))


def test_an_approved_lock_cannot_lose_its_approval(submitted: Kiosk) -> None:
    submitted.wf.review(REG, "approve")
    raw = submitted.raw()
    ids = submitted.ids(REG)
    before = raw.execute("SELECT * FROM capture_locks ORDER BY capture_id").fetchall()
    assert [r[1] for r in before] == [1] * len(ids)
    for sql in ("UPDATE capture_locks SET approved = 0",
                "UPDATE capture_locks SET approved = 0 WHERE capture_id = :id",
                "UPDATE capture_locks SET capture_id = 9999 WHERE capture_id = :id",
                "UPDATE capture_locks SET locked_at = 'never' WHERE capture_id = :id"):
        with pytest.raises(sqlite3.IntegrityError, match=LOCK_APPROVAL):
            raw.execute(sql, {"id": ids[0]})
    with pytest.raises(sqlite3.IntegrityError, match=LOCK_LIFT):
        raw.execute("DELETE FROM capture_locks WHERE capture_id = ?", (ids[0],))
    assert raw.execute("SELECT * FROM capture_locks ORDER BY capture_id").fetchall() == before


def test_an_unapproved_lock_can_only_gain_approval(submitted: Kiosk) -> None:
    raw = submitted.raw()
    cid = submitted.ids(REG)[0]
    with pytest.raises(sqlite3.IntegrityError, match=LOCK_APPROVAL):
        raw.execute("UPDATE capture_locks SET approved = 2 WHERE capture_id = ?", (cid,))
    raw.execute("UPDATE capture_locks SET approved = 1 WHERE capture_id = ?", (cid,))
    assert raw.execute("SELECT approved FROM capture_locks WHERE capture_id = ?",
                       (cid,)).fetchone() == (1,)


# --- state arrows --------------------------------------------------------------------------
def test_workflow_states_cannot_jump(submitted: Kiosk) -> None:
    raw = submitted.raw()
    state = "SELECT state FROM candidates WHERE reg_no = ?"
    with pytest.raises(sqlite3.IntegrityError, match=ARROW):
        raw.execute("UPDATE candidates SET state = 'draft' WHERE reg_no = ?", (REG,))
    with pytest.raises(sqlite3.IntegrityError, match=ARROW):
        raw.execute("UPDATE candidates SET state = 'district_approved' WHERE reg_no = ?",
                    (REG,))
    # a draft candidate cannot be approved without submitting
    with pytest.raises(sqlite3.IntegrityError, match=ARROW):
        raw.execute("UPDATE candidates SET state = 'site_approved' WHERE reg_no = ?", (OTHER,))
    assert raw.execute(state, (OTHER,)).fetchone() == ("draft",)
    submitted.wf.review(REG, "approve")
    for back in ("draft", "submitted", "returned"):
        with pytest.raises(sqlite3.IntegrityError, match=ARROW):
            raw.execute("UPDATE candidates SET state = ? WHERE reg_no = ?", (back, REG))
    assert raw.execute(state, (REG,)).fetchone() == ("site_approved",)
    # a bogus state is refused by the CHECK
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("UPDATE candidates SET state = 'approved' WHERE reg_no = ?", (OTHER,))


def _path_to(target: str) -> list[str]:
    """Legal arrows from draft to target (breadth first)."""
    seen = {"draft": ["draft"]}
    todo = deque(["draft"])
    while todo:
        s = todo.popleft()
        for a, b in TRANSITIONS:
            if a == s and b not in seen:
                seen[b] = seen[s] + [b]
                todo.append(b)
    return seen[target]


def test_every_arrow_outside_the_workflow_is_refused(site: Kiosk) -> None:
    """All 7×6 state pairs: the 8 arrows of the workflow pass, the other 34 are refused."""
    raw = site.raw()
    row = raw.execute("SELECT name, id_type, phone, categories FROM candidates "
                      "WHERE reg_no = ?", (REG,)).fetchone()
    refused = passed = 0
    for n, (a, b) in enumerate((a, b) for a in STATES for b in STATES if a != b):
        reg = f"X{n:03d}"
        raw.execute("INSERT INTO candidates (reg_no, name, id_type, id_number, phone, "
                    "categories, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'n', 'n')",
                    (reg, row[0], row[1], f"ID{n:03d}", row[2], row[3]))
        for step in _path_to(a)[1:]:
            raw.execute("UPDATE candidates SET state = ? WHERE reg_no = ?", (step, reg))
        if (a, b) in TRANSITIONS:
            raw.execute("UPDATE candidates SET state = ? WHERE reg_no = ?", (b, reg))
            passed += 1
            expected = b
        else:
            with pytest.raises(sqlite3.IntegrityError, match=ARROW):
                raw.execute("UPDATE candidates SET state = ? WHERE reg_no = ?", (b, reg))
            refused += 1
            expected = a
        assert raw.execute("SELECT state FROM candidates WHERE reg_no = ?",
                           (reg,)).fetchone() == (expected,)
    assert (passed, refused) == (8, 34)


def test_a_candidate_with_captures_cannot_be_deleted(submitted: Kiosk) -> None:
    raw = submitted.raw()
    with pytest.raises(sqlite3.IntegrityError, match="candidate has captures"):
        raw.execute("DELETE FROM candidates WHERE reg_no = ?", (REG,))
    assert len(submitted.ids(REG)) == sum(REQUIRED.values())


# --- the byte cap --------------------------------------------------------------------------
def _insert_blob(raw: sqlite3.Connection, blob: bytes, size: int) -> None:
    raw.execute("INSERT INTO captures (reg_no, material, jpeg, sha256, width, height, size, "
                "source, quality, created_at) VALUES (?, 'other', ?, ?, 1, 1, ?, 'sql', '{}', "
                "'now')", (OTHER, blob, hashlib.sha256(blob).hexdigest(), size))


def test_the_200000_byte_cap_is_a_check_constraint(site: Kiosk) -> None:
    raw = site.raw()
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _insert_blob(raw, b"\xff" * 200_001, 200_001)
    # size must be the blob's true length: a lie about it is refused too
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _insert_blob(raw, b"\xff" * 200_001, 200_000)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _insert_blob(raw, b"\xff" * 10, 11)
    assert site.ids(OTHER) == []
    _insert_blob(raw, b"\xff" * 200_000, 200_000)  # exactly the cap is allowed
    cid = site.ids(OTHER)[0]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        raw.execute("UPDATE captures SET jpeg = jpeg || x'00', size = size + 1 WHERE id = ?",
                    (cid,))
    assert raw.execute("SELECT length(jpeg) FROM captures WHERE id = ?",
                       (cid,)).fetchone() == (200_000,)


def test_workflow_refuses_an_image_over_the_cap_and_stores_nothing(site: Kiosk) -> None:
    big = NewCapture(b"\xff\xd8" + b"\x00" * 200_000, 10, 10, "test", {})
    ok = NewCapture(make_jpeg(), 24, 16, "test", {})
    with pytest.raises(ValueError):
        site.wf.add_captures(OTHER, "diploma", [ok, big])
    assert site.ids(OTHER) == []


# --- the audit log -------------------------------------------------------------------------
def test_audit_rows_cannot_be_updated_or_deleted(submitted: Kiosk) -> None:
    raw = submitted.raw()
    before = raw.execute("SELECT * FROM audit ORDER BY id").fetchall()
    assert len(before) > sum(REQUIRED.values())  # captures + submit (+ roster, catalog)
    last = before[-1][0]
    for sql in ("UPDATE audit SET actor = 'someone else' WHERE id = 1",
                "UPDATE audit SET detail = '{}'",
                "DELETE FROM audit WHERE id = :last",
                "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match=APPEND_ONLY):
            raw.execute(sql, {"last": last})
    assert raw.execute("SELECT * FROM audit ORDER BY id").fetchall() == before


def _tamperable(k: Kiosk) -> sqlite3.Connection:
    """Someone with the file drops the audit triggers — the chain must still tell."""
    raw = k.raw()
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("DROP TRIGGER audit_no_delete")
    return raw


def _audit_rows(raw: sqlite3.Connection) -> list[tuple]:
    return raw.execute("SELECT id, at, actor, action, reg_no, detail, prev_hash, hash "
                       "FROM audit ORDER BY id").fetchall()


def _edit(raw: sqlite3.Connection) -> int:
    """Change what an entry says (a capture's sha256 in a middle entry)."""
    rows = _audit_rows(raw)
    victim = next(r for r in rows[2:] if r[3] == "capture")
    raw.execute("UPDATE audit SET detail = replace(detail, substr(detail, instr(detail, "
                "'sha256') + 9, 8), 'deadbeef') WHERE id = ?", (victim[0],))
    assert _audit_rows(raw) != rows
    return victim[0]


def _edit_and_rehash(raw: sqlite3.Connection) -> int:
    """Change an entry and recompute its own hash: the next entry's link breaks."""
    rows = _audit_rows(raw)
    i = len(rows) // 2
    rid, at, actor, action, reg_no, detail, prev, _ = rows[i]
    actor = "kiosk:EVIL"
    raw.execute("UPDATE audit SET actor = ?, hash = ? WHERE id = ?",
                (actor, audit_hash(prev, at, actor, action, reg_no, detail), rid))
    return rows[i + 1][0]


def _delete_middle(raw: sqlite3.Connection) -> int:
    rows = _audit_rows(raw)
    i = len(rows) // 2
    raw.execute("DELETE FROM audit WHERE id = ?", (rows[i][0],))
    return rows[i + 1][0]


def _swap(raw: sqlite3.Connection) -> int:
    """Two neighbouring entries change places (each keeps its own, correct hash)."""
    rows = _audit_rows(raw)
    i = len(rows) // 2
    a, b = rows[i], rows[i + 1]
    for target, src in ((a[0], b), (b[0], a)):
        raw.execute("UPDATE audit SET at = ?, actor = ?, action = ?, reg_no = ?, detail = ?, "
                    "prev_hash = ?, hash = ? WHERE id = ?", (*src[1:], target))
    return a[0]


def _delete_tail(raw: sqlite3.Connection) -> int:
    rows = _audit_rows(raw)
    raw.execute("DELETE FROM audit WHERE id > ?", (rows[-3][0],))
    return rows[-3][0]


def _delete_last(raw: sqlite3.Connection) -> int:
    rows = _audit_rows(raw)
    raw.execute("DELETE FROM audit WHERE id = ?", (rows[-1][0],))
    return rows[-2][0]


TAMPERING = {"edited entry": (_edit, "audit.problem.hash"),
             "edited and rehashed entry": (_edit_and_rehash, "audit.problem.link"),
             "deleted entry": (_delete_middle, "audit.problem.link"),
             "swapped entries": (_swap, "audit.problem.link"),
             "deleted tail": (_delete_tail, "audit.problem.tail"),
             "deleted last entry": (_delete_last, "audit.problem.tail")}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_verify_audit_detects_tampering(submitted: Kiosk, how: str) -> None:
    submitted.wf.review(REG, "return", "身份证反面不清晰", ["id_doc"])
    count, head = submitted.wf.store.verify_audit()  # intact before
    assert count == len(_audit_rows(submitted.raw()))
    tamper, problem = TAMPERING[how]
    bad_id = tamper(_tamperable(submitted))
    store = Store.open(submitted.db)
    try:
        with pytest.raises(CheckFailed) as err:
            store.verify_audit()
    finally:
        store.close()
    assert err.value.key == "audit.broken"
    assert err.value.params == {"id": bad_id, "problem": problem}
    assert err.value.exit_code == 1


def _cli(k: Kiosk, *args: str) -> int:
    from kiosk.cli import main
    return main(["--config", str(k.toml), *args])


@pytest.mark.parametrize("how", ["edited entry", "swapped entries", "deleted tail"])
def test_cli_audit_verify_exits_1_on_tampering(submitted: Kiosk, how: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(submitted, "audit", "verify") == 0
    capsys.readouterr()
    TAMPERING[how][0](_tamperable(submitted))
    assert _cli(submitted, "audit", "verify") == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "审计日志被篡改" in err  # one message saying the chain is broken, and where


def test_verify_audit_detects_a_deleted_tail_when_the_head_is_deleted_too(
        submitted: Kiosk) -> None:
    raw = _tamperable(submitted)
    _delete_tail(raw)
    raw.execute("DELETE FROM meta WHERE key = 'audit_head'")
    store = Store.open(submitted.db)
    try:
        with pytest.raises(CheckFailed):
            store.verify_audit()
    finally:
        store.close()


# --- REPLACE: the conflict clause that deletes rows ------------------------------------------
# Rows that REPLACE removes fire DELETE triggers only when `PRAGMA recursive_triggers` is on.
# The Store's connection has it (sqlite-utils turns it on), so the kiosk's own code is safe;
# a plain sqlite3 connection (the sqlite3 shell, a sync or export tool, a script) does not,
# and the BEFORE INSERT / BEFORE UPDATE triggers look only at the new row's material, not at
# the primary key it overwrites.
def _swap_locked_image(conn: sqlite3.Connection, k: Kiosk) -> None:
    """An 'innocent' row for the draft candidate that happens to reuse a locked id."""
    jpeg = make_jpeg()
    conn.execute("INSERT OR REPLACE INTO captures (id, reg_no, material, jpeg, sha256, width, "
                 "height, size, source, quality, created_at) VALUES "
                 "(?, ?, 'notice', ?, ?, 24, 16, ?, 'sql', '{}', 'now')",
                 (k.ids(REG, "notice")[0], OTHER, jpeg, hashlib.sha256(jpeg).hexdigest(),
                  len(jpeg)))


def _move_onto_locked_image(conn: sqlite3.Connection, k: Kiosk) -> None:
    conn.execute("UPDATE OR REPLACE captures SET id = ? WHERE id = ?",
                 (k.ids(REG, "diploma")[0], k.ids(OTHER)[0]))


def _unapprove_lock(conn: sqlite3.Connection, k: Kiosk) -> None:
    conn.execute("INSERT OR REPLACE INTO capture_locks (capture_id, approved, locked_at) "
                 "VALUES (?, 0, 'now')", (k.ids(REG)[0],))


def _reset_candidate(conn: sqlite3.Connection, k: Kiosk) -> None:
    """A naive roster re-import written as a REPLACE (state falls back to its default)."""
    conn.execute("INSERT OR REPLACE INTO candidates (reg_no, name, id_type, id_number, phone, "
                 "categories, created_at, updated_at) SELECT reg_no, name, id_type, id_number, "
                 "'13800000000', categories, created_at, 'now' FROM candidates WHERE reg_no = ?",
                 (REG,))


def _overwrite_audit(conn: sqlite3.Connection, k: Kiosk) -> None:
    conn.execute("INSERT OR REPLACE INTO audit (id, at, actor, action, reg_no, detail, "
                 "prev_hash, hash) SELECT id, at, 'kiosk:EVIL', action, reg_no, detail, "
                 "prev_hash, hash FROM audit WHERE id = 1")


REPLACE_ATTACKS = {
    "INSERT OR REPLACE swaps the bytes of a locked, approved capture": _swap_locked_image,
    "UPDATE OR REPLACE moves an unlocked capture onto a locked capture's id":
        _move_onto_locked_image,
    "INSERT OR REPLACE INTO capture_locks takes the approval off an approved image":
        _unapprove_lock,
    "INSERT OR REPLACE INTO candidates puts a site_approved candidate back to draft":
        _reset_candidate,
    "INSERT OR REPLACE INTO audit overwrites an entry of the append-only log":
        _overwrite_audit,
}


def _everything(conn: sqlite3.Connection) -> tuple:
    return (snapshot(conn, REG),
            conn.execute("SELECT * FROM capture_locks ORDER BY capture_id").fetchall(),
            conn.execute("SELECT reg_no, state, phone FROM candidates ORDER BY reg_no").fetchall(),
            _audit_rows(conn))


def _replace_attack(k: Kiosk, how: str, conn: sqlite3.Connection) -> None:
    """Refused or ignored, either is fine: what must not happen is a change."""
    k.wf.review(REG, "approve")
    capture(k.wf, OTHER, "diploma")  # an unlocked image of another candidate
    before = _everything(k.raw())
    with contextlib.suppress(sqlite3.IntegrityError):
        REPLACE_ATTACKS[how](conn, k)
    assert _everything(k.raw()) == before


@pytest.mark.parametrize("how", list(REPLACE_ATTACKS))
def test_replace_changes_nothing_through_the_store_connection(submitted: Kiosk, how: str) -> None:
    store = Store.open(submitted.db)
    try:
        _replace_attack(submitted, how, store.conn)
    finally:
        store.close()


@pytest.mark.parametrize("how", list(REPLACE_ATTACKS))
def test_replace_changes_nothing_through_a_plain_connection(submitted: Kiosk, how: str) -> None:
    _replace_attack(submitted, how, submitted.raw())


def _rename(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE candidates SET reg_no = 'RENAMED' WHERE reg_no = ?", (REG,))


def test_renaming_an_approved_candidate_is_refused_through_the_store(submitted: Kiosk) -> None:
    submitted.wf.review(REG, "approve")
    store = Store.open(submitted.db)  # foreign keys on
    try:
        with pytest.raises(sqlite3.IntegrityError):
            _rename(store.conn)
    finally:
        store.close()
    assert submitted.wf.candidate(REG).state == "site_approved"


def test_renaming_an_approved_candidate_is_refused_through_a_plain_connection(
        submitted: Kiosk) -> None:
    submitted.wf.review(REG, "approve")
    with pytest.raises(sqlite3.IntegrityError):
        _rename(submitted.raw())
    assert submitted.wf.candidate(REG).state == "site_approved"
