"""Crash test: SIGKILL at random moments loses nothing confirmed and leaves nothing half-done.

One worker process per round uses the Workflow API the way the kiosk does:
it captures real JPEG files (made here, in tmp_path), deletes, submits, and reviews
(approve / return / return some materials / ineligible), adding roster candidates when it
runs out of open ones. After `add_captures` returns it prints `STORED <id> <sha256>` and
flushes — that is the moment the kiosk tells the user "已保存". Before a delete it prints
`DELETING <id>`. The worker is killed with SIGKILL after a random 0.05–0.6 s, 50 times,
on one database file that persists across rounds (later rounds go on from what the earlier
ones left). After every kill, with a plain sqlite3 connection:

- `PRAGMA integrity_check` is ok and no foreign key dangles; `verify_audit()` passes;
- every capture row is whole (size == length(jpeg), sha256 matches the BLOB) and each has
  its audit entry (captures minus deletions in the audit == the rows present);
- each candidate's state is its last state_history row; every state change has one
  history row, one audit entry and one outbox message; locked candidates have no unlocked
  image; no material holds more than its max;
- every capture the worker reported as stored is there with that sha256, unless the
  worker later announced deleting it; every reported state change and roster row is there;
- the worker ran with journal_mode=WAL and synchronous=FULL, as the kiosk does.

To keep 50 rounds fast, a fork server imports the kiosk once and forks each round's worker
(which opens the database itself); the test kills the worker's pid with SIGKILL.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from PIL import Image

from kiosk.catalog import Catalog, parse_categories
from kiosk.config import load_config
from kiosk.setup import initialise
from kiosk.store import Store

ROUNDS = 50
LOCKED_STATES = ("submitted", "site_approved", "ineligible", "district_approved")
STATE_ACTIONS = ("submit", "approve", "return", "ineligible")

WORKER = r'''
import os, random, sys, time, traceback
from pathlib import Path
from kiosk.config import load_config
from kiosk.errors import KioskError
from kiosk.validation import gb11643_check_char
from kiosk.workflow import NewCapture, Workflow

config = load_config(sys.argv[1])
files = [(p.read_bytes(), *map(int, p.stem.split("_")[1].split("x")))
         for p in sorted(Path(sys.argv[2]).glob("*.jpg"))]


def work(run, out):
    rng = random.Random(run)

    def say(*words):  # one write per line, straight to the file: nothing is buffered
        os.write(out, (" ".join(map(str, words)) + "\n").encode())

    wf = Workflow.open(config)
    pragma = wf.store.conn.execute
    say("OPEN", pragma("PRAGMA journal_mode").fetchone()[0],
        pragma("PRAGMA synchronous").fetchone()[0])
    added = 0
    give_up = time.monotonic() + 30  # never outlive a test that was interrupted
    while time.monotonic() < give_up:
        regs = [r for r in wf.reg_nos() if wf.candidate(r).state in
                ("draft", "returned", "submitted")]
        if len(regs) < 3:
            added += 1
            first17 = f"110105{1950 + run:04d}0101{added:03d}"
            wf.upsert_candidates([{
                "line": "2", "reg_no": f"T{run:02d}{added:03d}", "name": "测试考生",
                "id_type": "resident", "id_number": first17 + gb11643_check_char(first17),
                "phone": "13800138000",
                "categories": rng.choice(["direct", "tcm_mentor", "direct+graduate"])}])
            say("ROSTER", f"T{run:02d}{added:03d}")
            continue
        reg = rng.choice(regs)
        view = wf.candidate(reg)
        if view.state == "submitted":
            codes = [c for c, m in view.materials.items()
                     if m.images and not any(i.approved for i in m.images)]
            r = rng.random()
            if r < 0.15:
                wf.review(reg, "approve")
            elif r < 0.25:
                wf.review(reg, "ineligible", "不符合报考条件")
            elif r < 0.6 and codes:
                redo = rng.sample(codes, rng.randint(1, len(codes)))
                wf.review(reg, "return", "请重新拍摄", redo)
            else:
                wf.review(reg, "return", "全部重新拍摄")
            say("STATE", reg, wf.candidate(reg).state)
            continue
        open_ = [m for m in view.materials.values() if m.editable]
        short = [m for m in open_ if m.count < m.min]
        images = [(m, i) for m in open_ for i in m.images]
        r = rng.random()
        if images and r < 0.2:
            m, i = rng.choice(images)
            say("DELETING", i.capture_id)
            wf.delete_capture(reg, m.code, i.index)
        elif short or (r < 0.35 and any(m.count < m.max for m in open_)):
            m = (short or [m for m in open_ if m.count < m.max])[0]
            n = rng.randint(1, min(2, m.max - m.count))
            batch = [rng.choice(files) for _ in range(n)]
            # each capture a different image (the same one twice is refused): a JPEG
            # comment segment after SOI naming this capture
            stored = wf.add_captures(reg, m.code, [
                NewCapture(b[:2] + b"\xff\xfe" + (len(tag) + 2).to_bytes(2, "big") + tag + b[2:],
                           w, h, "test", {"run": run})
                for k, (b, w, h) in enumerate(batch)
                for tag in [f"run {run} at {time.monotonic_ns()} image {k}".encode()]])
            for img in stored:
                say("STORED", img.capture_id, img.sha256)
        else:
            wf.submit(reg)
            say("STATE", reg, "submitted")


# A fork server: imports once, then forks one worker per round. The database is opened
# only in the forked worker, never in this process.
print("READY", flush=True)
for command in sys.stdin:
    word, arg, *path = command.split()
    if word == "run":
        pid = os.fork()
        if pid == 0:
            try:
                work(int(arg), os.open(path[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC))
            except BaseException:  # the worker only tries allowed things: any error is a bug
                traceback.print_exc()
                sys.stderr.flush()
            os._exit(3)
        print(pid, flush=True)
    elif word == "reap":
        print(os.waitpid(int(arg), 0)[1], flush=True)
'''


def make_images(folder: Path, n: int = 24) -> None:
    folder.mkdir()
    rng = random.Random(7)
    for k in range(n):
        w, h = rng.randint(16, 48), rng.randint(12, 40)
        img = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randint(40, 95))
        (folder / f"img{k:02d}_{w}x{h}.jpg").write_bytes(buf.getvalue())


class ForkServer:
    def __init__(self, cfg: Path, images: Path, log: Path) -> None:
        self.log = log
        self.err = log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, str(cfg), str(images)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, encoding="utf-8")
        assert self.ask(None) == "READY", self.stderr()

    def ask(self, command: str | None) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if command is not None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stderr(self) -> str:
        self.err.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def run_and_kill(self, run: int, out: Path, delay: float) -> list[str]:
        """A worker that works for `delay` seconds, then SIGKILL; the lines it completed."""
        pid = int(self.ask(f"run {run} {out}"))
        try:
            time.sleep(delay)
        finally:
            os.kill(pid, signal.SIGKILL)
        status = int(self.ask(f"reap {pid}"))
        text = out.read_text(encoding="utf-8") if out.exists() else ""
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
            f"worker {run} died by itself:\n{text[-2000:]}\n{self.stderr()}"
        # a line cut short by the kill was never shown to anyone
        return text.split("\n")[:-1]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


def check_database(db: Path, expected: dict[int, str], states: Counter, roster: set[str],
                   catalog: Catalog) -> dict[str, int]:
    """Everything the kiosk promises after a crash; returns a few counts."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        present: dict[int, str] = {}
        for cid, blob, sha, size in conn.execute(
                "SELECT id, jpeg, sha256, size FROM captures"):
            assert size == len(blob), f"capture {cid}: size {size} but {len(blob)} bytes"
            assert hashlib.sha256(blob).hexdigest() == sha, f"capture {cid}: wrong sha256"
            present[cid] = sha
        for cid, sha in expected.items():
            assert present.get(cid) == sha, f"capture {cid} was reported stored, now gone"
        # every image present has its audit entry, every deletion too
        audit = Counter()
        for action, detail in conn.execute("SELECT action, detail FROM audit "
                                           "WHERE action IN ('capture', 'delete')"):
            audit[json.loads(detail)["sha256"]] += 1 if action == "capture" else -1
        assert +audit == Counter(present.values()) and -audit == Counter()
        # states: last history row, one history/audit/outbox per change
        history = conn.execute("SELECT count(*) FROM state_history").fetchone()[0]
        outbox = conn.execute("SELECT count(*) FROM outbox WHERE kind = 'state'").fetchone()[0]
        changes = conn.execute(
            f"SELECT count(*) FROM audit WHERE action IN {STATE_ACTIONS}").fetchone()[0]
        assert history == outbox == changes
        regs = {r[0] for r in conn.execute("SELECT reg_no FROM candidates")}
        assert roster <= regs, f"reported roster rows missing: {roster - regs}"
        recorded = Counter(conn.execute("SELECT reg_no, to_state FROM state_history"))
        assert states <= recorded, f"reported state changes missing: {states - recorded}"
        for reg, state, cats, id_type in conn.execute(
                "SELECT reg_no, state, categories, id_type FROM candidates"):
            last = conn.execute("SELECT to_state FROM state_history WHERE reg_no = ? "
                                "ORDER BY id DESC LIMIT 1", (reg,)).fetchone()
            assert (last[0] if last else "draft") == state, f"{reg}: {state} vs {last}"
            needs = catalog.needs(parse_categories(cats), id_type)
            for material, n in conn.execute("SELECT material, count(*) FROM captures "
                                            "WHERE reg_no = ? GROUP BY material", (reg,)):
                assert n <= needs[material].max, f"{reg}: {n} × {material}"
        open_ = conn.execute(
            "SELECT c.id FROM captures c JOIN candidates d ON d.reg_no = c.reg_no "
            "LEFT JOIN capture_locks l ON l.capture_id = c.id "
            f"WHERE d.state IN {LOCKED_STATES} AND l.capture_id IS NULL").fetchall()
        assert open_ == [], f"unlocked images of locked candidates: {open_}"
    finally:
        conn.close()
    store = Store.open(db)
    try:
        store.verify_audit()
    finally:
        store.close()
    return {"captures": len(present), "changes": history}


def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[storage]\ndatabase = "k.db"\n', encoding="utf-8")
    config = load_config(cfg)
    initialise(config, demo=True)
    catalog = config.catalog()
    images = tmp_path / "images"
    make_images(images)
    rng = random.Random(20261126)
    expected: dict[int, str] = {}  # capture id -> sha256, as the workers reported them
    states: Counter = Counter()    # (reg_no, state) the workers reported reaching
    roster: set[str] = set()       # candidates the workers reported adding
    reported: Counter = Counter()
    started = time.monotonic()
    server = ForkServer(cfg, images, tmp_path / "server.err")
    try:
        for run in range(ROUNDS):
            lines = server.run_and_kill(run, tmp_path / f"run{run:02d}.out",
                                        rng.uniform(0.05, 0.6))
            for line in lines:
                word, *rest = line.split()
                reported[word] += 1
                if word == "STORED":
                    expected[int(rest[0])] = rest[1]
                elif word == "DELETING":
                    expected.pop(int(rest[0]), None)
                elif word == "STATE":
                    states[tuple(rest)] += 1
                elif word == "ROSTER":
                    roster.add(rest[0])
                elif word == "OPEN":  # the store's durability settings, as the kiosk runs
                    assert rest == ["wal", "2"], f"journal_mode, synchronous = {rest}"
            counts = check_database(config.database, expected, states, roster, catalog)
    finally:
        server.close()
    elapsed = time.monotonic() - started
    # the rounds did real work, and kills landed in the middle of it
    assert reported["OPEN"] >= ROUNDS // 2, reported
    assert reported["STORED"] >= 100 and reported["STATE"] >= 20, reported
    assert counts["captures"] > 0 and counts["changes"] >= reported["STATE"]
    print(f"\n{ROUNDS} kills in {elapsed:.1f} s: {dict(reported)}, {counts}")
