"""Versioned migrations: an older database is brought up to date, a newer one refused."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.errors import InputError
from kiosk.store import MIGRATIONS, SCHEMA_VERSION, Store


def test_a_version_1_database_gains_the_later_triggers(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    con.close()
    store = Store.open(db)
    try:
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
        triggers = {r[0] for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        store.close()
    assert version == SCHEMA_VERSION >= 2
    assert {"capture_insert_over_locked", "candidate_reg_no"} <= triggers


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(InputError) as info:
        Store.open(db)
    assert info.value.key == "db.newer"


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError) as info:
        Store.open(db)
    assert info.value.key == "db.not_a_database"


def _open_new(path: str) -> str:
    try:
        Store.open(Path(path), create=True).close()
        return "ok"
    except Exception as exc:  # reported back to the parent, which asserts on it
        return repr(exc)


def test_two_processes_creating_one_database_both_succeed(tmp_path: Path) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    for i in range(3):
        db = str(tmp_path / f"race{i}.db")
        with ctx.Pool(2) as pool:
            assert pool.map(_open_new, [db, db]) == ["ok", "ok"]
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        con.close()
