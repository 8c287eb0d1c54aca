"""The kiosk's one SQLite database, through sqlite-utils.

WAL with synchronous=FULL (a power cut loses nothing that was committed), foreign keys,
a busy timeout, and versioned migrations in `PRAGMA user_version`. The rules that must hold
whatever code touches the file are triggers here: a locked capture can be neither changed
nor deleted, a lock can only be lifted while its candidate is returned and never from an
approved (✓) image, a candidate's state only moves along the workflow's arrows, and the
audit log is append-only. Writes go through `transaction()` (BEGIN IMMEDIATE … COMMIT), so a
state change, its audit entry and its outbox entry land together or not at all.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.errors import CheckFailed, InputError, KioskError
from kiosk.messages import Key

# Arrows of the workflow: (from, to). Enforced by a trigger and by kiosk.workflow.
TRANSITIONS: tuple[tuple[str, str], ...] = (
    ("draft", "submitted"),
    ("submitted", "site_approved"),
    ("submitted", "returned"),
    ("submitted", "ineligible"),
    ("returned", "submitted"),
    ("site_approved", "district_approved"),
    ("site_approved", "district_returned"),
    ("district_returned", "submitted"),
)
STATES = ("draft", "submitted", "returned", "site_approved", "ineligible",
          "district_approved", "district_returned")
UNLOCKED_STATES = ("draft", "returned", "district_returned")

_ARROWS_SQL = " OR ".join(f"(OLD.state = '{a}' AND NEW.state = '{b}')" for a, b in TRANSITIONS)
_STATES_SQL = ", ".join(f"'{s}'" for s in STATES)
_UNLOCKED_SQL = ", ".join(f"'{s}'" for s in UNLOCKED_STATES)

MIGRATIONS: tuple[str, ...] = (
    # 1: the whole first schema
    f"""
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE candidates (
        reg_no TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        id_type TEXT NOT NULL,
        id_number TEXT NOT NULL UNIQUE,
        phone TEXT NOT NULL,
        categories TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ({_STATES_SQL})),
        submitted_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE materials (
        code TEXT PRIMARY KEY, name TEXT NOT NULL, min INTEGER NOT NULL, max INTEGER NOT NULL,
        applies_to TEXT NOT NULL, spec TEXT NOT NULL
    );
    CREATE TABLE captures (
        id INTEGER PRIMARY KEY,
        reg_no TEXT NOT NULL REFERENCES candidates(reg_no),
        material TEXT NOT NULL,
        jpeg BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        width INTEGER NOT NULL, height INTEGER NOT NULL, size INTEGER NOT NULL,
        source TEXT NOT NULL,
        quality TEXT NOT NULL,
        created_at TEXT NOT NULL,
        CHECK (size = length(jpeg) AND size <= 200000)
    );
    CREATE INDEX captures_by_candidate ON captures(reg_no, material, id);
    CREATE TABLE capture_locks (
        capture_id INTEGER PRIMARY KEY REFERENCES captures(id),
        approved INTEGER NOT NULL DEFAULT 0,
        locked_at TEXT NOT NULL
    );
    CREATE TABLE state_history (
        id INTEGER PRIMARY KEY, reg_no TEXT NOT NULL REFERENCES candidates(reg_no),
        from_state TEXT, to_state TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL
    );
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY, reg_no TEXT NOT NULL REFERENCES candidates(reg_no),
        decision TEXT NOT NULL, comment TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL
    );
    CREATE TABLE review_items (
        review_id INTEGER NOT NULL REFERENCES reviews(id), material TEXT NOT NULL,
        comment TEXT NOT NULL, PRIMARY KEY (review_id, material)
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY, reg_no TEXT NOT NULL REFERENCES candidates(reg_no),
        phone TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL, sent_at TEXT
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, reg_no TEXT, payload TEXT NOT NULL,
        created_at TEXT NOT NULL, sent_at TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        reg_no TEXT, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
    );
    CREATE TABLE receipts (
        id INTEGER PRIMARY KEY, reg_no TEXT NOT NULL REFERENCES candidates(reg_no),
        payload TEXT NOT NULL, created_at TEXT NOT NULL, output TEXT, printer TEXT, error TEXT
    );

    CREATE TRIGGER capture_locked_update BEFORE UPDATE ON captures
    WHEN EXISTS (SELECT 1 FROM capture_locks WHERE capture_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'capture is locked'); END;
    CREATE TRIGGER capture_locked_delete BEFORE DELETE ON captures
    WHEN EXISTS (SELECT 1 FROM capture_locks WHERE capture_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'capture is locked'); END;
    CREATE TRIGGER capture_insert_unlocked BEFORE INSERT ON captures
    WHEN (SELECT state FROM candidates WHERE reg_no = NEW.reg_no) NOT IN ({_UNLOCKED_SQL})
      OR EXISTS (SELECT 1 FROM captures c JOIN capture_locks l ON l.capture_id = c.id
                 WHERE c.reg_no = NEW.reg_no AND c.material = NEW.material)
    BEGIN SELECT RAISE(ABORT, 'material is locked'); END;
    CREATE TRIGGER lock_update BEFORE UPDATE ON capture_locks
    WHEN NOT (OLD.approved = 0 AND NEW.approved = 1 AND OLD.capture_id = NEW.capture_id)
    BEGIN SELECT RAISE(ABORT, 'a lock can only gain its approval'); END;
    CREATE TRIGGER lock_delete BEFORE DELETE ON capture_locks
    WHEN OLD.approved = 1 OR (SELECT cd.state FROM captures c JOIN candidates cd
                              ON cd.reg_no = c.reg_no WHERE c.id = OLD.capture_id)
                             NOT IN ('returned', 'district_returned')
    BEGIN SELECT RAISE(ABORT, 'a lock is lifted only from an unapproved image on return'); END;
    CREATE TRIGGER candidate_state_arrow BEFORE UPDATE OF state ON candidates
    WHEN OLD.state <> NEW.state AND NOT ({_ARROWS_SQL})
    BEGIN SELECT RAISE(ABORT, 'state change not allowed'); END;
    CREATE TRIGGER candidate_delete_with_captures BEFORE DELETE ON candidates
    WHEN EXISTS (SELECT 1 FROM captures WHERE reg_no = OLD.reg_no)
    BEGIN SELECT RAISE(ABORT, 'candidate has captures'); END;
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 2: REPLACE deletes rows without firing delete triggers on a connection without
    # recursive_triggers (the sqlite3 shell, any script): refuse it where it would
    # overwrite a locked image, lift a lock, reset a candidate or rewrite the audit log.
    """
    CREATE TRIGGER capture_insert_over_locked BEFORE INSERT ON captures
    WHEN EXISTS (SELECT 1 FROM capture_locks WHERE capture_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'capture is locked'); END;
    CREATE TRIGGER capture_move_onto_locked BEFORE UPDATE OF id ON captures
    WHEN EXISTS (SELECT 1 FROM capture_locks WHERE capture_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'capture is locked'); END;
    CREATE TRIGGER lock_insert_twice BEFORE INSERT ON capture_locks
    WHEN EXISTS (SELECT 1 FROM capture_locks WHERE capture_id = NEW.capture_id)
    BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER candidate_insert_twice BEFORE INSERT ON candidates
    WHEN EXISTS (SELECT 1 FROM candidates WHERE reg_no = NEW.reg_no
                 OR id_number = NEW.id_number)
    BEGIN SELECT RAISE(ABORT, 'candidate exists'); END;
    CREATE TRIGGER candidate_reg_no BEFORE UPDATE OF reg_no ON candidates
    WHEN OLD.reg_no <> NEW.reg_no
    BEGIN SELECT RAISE(ABORT, 'reg_no cannot change'); END;
    CREATE TRIGGER audit_insert_over BEFORE INSERT ON audit
    WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 3: a photo is looked up across all candidates when it is stored (a personal document
    # belongs to one); without these indexes that lookup would read every stored image.
    # (The expression must be written exactly so in a query for the index to serve it.)
    """
    CREATE INDEX captures_by_sha256 ON captures(sha256);
    CREATE INDEX captures_by_source ON captures(json_extract(quality, '$.source_sha256'));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
GENESIS = "0" * 64


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def audit_hash(prev_hash: str, at: str, actor: str, action: str, reg_no: str | None,
               detail: str) -> str:
    body = _canonical([prev_hash, at, actor, action, reg_no, detail])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers hold `;` inside BEGIN … END)."""
    out: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                out.append(current.strip())
            current = ""
    return out


def _set_wal(conn: sqlite3.Connection) -> None:
    # Switching to WAL needs a moment alone with the file; a second process opening it at
    # the same time gets SQLITE_BUSY at once (no busy handler here), so try a few times.
    for attempt in range(50):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.1)


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)

    # --- opening ---------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, create: bool = False) -> Store:
        if not create and not path.exists():
            raise InputError("db.missing", path=str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in transaction()).
        conn = sqlite3.connect(path, isolation_level=None, timeout=10,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            _set_wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            store = cls(conn, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise InputError("db.not_a_database", path=str(path)) from None
            raise
        except KioskError:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def _version(self) -> int:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError("db.newer", path=str(self.path), found=version,
                             known=SCHEMA_VERSION)
        return version

    def _migrate(self) -> None:
        if self._version() == SCHEMA_VERSION:
            return
        # Another process may be migrating the same file: take the write lock first and
        # read the version again under it, so each migration runs exactly once.
        with self.transaction() as conn:
            for number in range(self._version(), SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")

    # --- transactions ----------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; any exception rolls the whole change back."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def audit(self, actor: str, action: str, reg_no: str | None, detail: dict[str, Any]) -> str:
        """Append one chained entry; call inside transaction()."""
        row = self.conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        prev = row[0] if row else GENESIS
        at, body = now(), _canonical(detail)
        digest = audit_hash(prev, at, actor, action, reg_no, body)
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, reg_no, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (at, actor, action, reg_no, body, prev, digest))
        # The head is kept beside the chain so a deleted tail is detectable too.
        count = self.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)",
                          (_canonical({"hash": digest, "count": count}),))
        return digest

    def outbox(self, kind: str, reg_no: str | None, payload: dict[str, Any]) -> None:
        """Queue one message for the central system; call inside transaction()."""
        self.conn.execute(
            "INSERT INTO outbox (kind, reg_no, payload, created_at) VALUES (?, ?, ?, ?)",
            (kind, reg_no, _canonical(payload), now()))

    def verify_audit(self) -> tuple[int, str]:
        """(entries, head hash) of an intact chain; CheckFailed naming the first bad entry."""
        prev = GENESIS
        count = 0
        last_id: int | None = None
        for row in self.db.query("SELECT * FROM audit ORDER BY id"):
            count += 1
            if row["prev_hash"] != prev:
                raise CheckFailed("audit.broken", id=row["id"], problem=Key("audit.problem.link"))
            if audit_hash(prev, row["at"], row["actor"], row["action"], row["reg_no"],
                          row["detail"]) != row["hash"]:
                raise CheckFailed("audit.broken", id=row["id"], problem=Key("audit.problem.hash"))
            prev, last_id = row["hash"], row["id"]
        head = self.conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        recorded = json.loads(head[0]) if head else {"count": 0, "hash": GENESIS}
        if recorded["count"] != count or recorded["hash"] != prev:
            raise CheckFailed("audit.broken", id=last_id or 0, problem=Key("audit.problem.tail"))
        return count, prev

    # --- small reads -----------------------------------------------------------------
    def blob(self, capture_id: int) -> bytes:
        row = self.conn.execute("SELECT jpeg FROM captures WHERE id = ?",
                                (capture_id,)).fetchone()
        if row is None:
            raise KeyError(capture_id)
        return bytes(row[0])

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
