"""The exam's on-site workflow as plain Python over the store: who needs what, capturing,
deleting, submitting, reviewing. No Textual here; the CLI and the UI both call this.

Every refusal is a RuleError naming exactly what is wrong; the triggers in kiosk.store hold
the same lines inside SQLite, so a bug here cannot unlock or alter a locked image.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.catalog import Catalog, Need, parse_categories
from kiosk.config import Config
from kiosk.errors import InputError, RuleError
from kiosk.messages import Key, Messages
from kiosk.store import UNLOCKED_STATES, Store, now
from kiosk.validation import mask_id, normalize_name

MAX_BYTES = 200_000


@dataclass
class ImageView:
    index: int
    capture_id: int
    sha256: str
    width: int
    height: int
    size: int
    locked: bool
    approved: bool
    created_at: str
    source: str
    quality: dict[str, Any]


@dataclass
class MaterialView:
    code: str
    name: str
    min: int
    max: int
    paper: str | None
    hint: str
    images: list[ImageView] = field(default_factory=list)
    editable: bool = True  # may images be added or deleted right now

    @property
    def count(self) -> int:
        return len(self.images)

    @property
    def complete(self) -> bool:
        return self.min <= self.count <= self.max


@dataclass
class Feedback:
    at: str
    decision: str
    comment: str
    items: dict[str, str]


@dataclass
class CandidateView:
    reg_no: str
    name: str
    id_type: str
    id_number: str
    phone: str
    categories: frozenset[str]
    state: str
    submitted_at: str | None
    materials: dict[str, MaterialView]
    feedback: list[Feedback]

    @property
    def id_masked(self) -> str:
        return mask_id(self.id_number)

    @property
    def locked(self) -> bool:
        return self.state not in UNLOCKED_STATES

    def missing(self) -> list[MaterialView]:
        return [m for m in self.materials.values() if not m.complete]


@dataclass
class NewCapture:
    """An image ready to store: what the camera pipeline produced."""

    jpeg: bytes
    width: int
    height: int
    source: str
    quality: dict[str, Any]


def _photo_keys(sha256: str, quality: dict[str, Any]) -> set[str]:
    """What tells one photo from another: the stored image's digest, and its source's (the
    decoded photo's, set by the capture) where known: one photo stored for two materials of
    different paper sizes gives two different images."""
    return {sha256} | ({quality["source_sha256"]} if quality.get("source_sha256") else set())


class Workflow:
    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.catalog: Catalog = config.catalog()
        self.actor = f"kiosk:{config.settings.kiosk.kiosk_id}"

    @classmethod
    def open(cls, config: Config, create: bool = False) -> Workflow:
        wf = cls(config, Store.open(config.database, create=create))
        wf._sync_catalog()
        return wf

    def close(self) -> None:
        self.store.close()

    def _sync_catalog(self) -> None:
        """Mirror the configured catalog into the database, so SQL readers see it too."""
        rows = [(m.code, m.name, m.min, m.max, "+".join(m.applies_to),
                 json.dumps({"by_id_type": m.by_id_type, "paper": m.paper,
                             "paper_by_id_type": m.paper_by_id_type, "hint": m.hint,
                             "shared": m.shared},
                            ensure_ascii=False, sort_keys=True))
                for m in self.catalog.materials]
        current = [tuple(r) for r in self.store.conn.execute(
            "SELECT code, name, min, max, applies_to, spec FROM materials ORDER BY rowid")]
        if current == rows:
            return
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM materials")
            conn.executemany("INSERT INTO materials VALUES (?, ?, ?, ?, ?, ?)", rows)
            self.store.audit(self.actor, "catalog", None, {"codes": [r[0] for r in rows]})

    # --- reading ---------------------------------------------------------------------
    def reg_nos(self) -> list[str]:
        return [r[0] for r in self.store.conn.execute(
            "SELECT reg_no FROM candidates ORDER BY reg_no")]

    def candidate(self, reg_no: str) -> CandidateView:
        row = next(self.store.db.query("SELECT * FROM candidates WHERE reg_no = ?", [reg_no]),
                   None)
        if row is None:
            raise RuleError("candidate.unknown", reg_no=reg_no)
        categories = parse_categories(row["categories"])
        needs = self.catalog.needs(categories, row["id_type"])
        feedback = self._feedback(reg_no)
        editable = self._editable_materials(row["state"], feedback)
        materials: dict[str, MaterialView] = {}
        for code, need in needs.items():
            materials[code] = self._material_view(need)
        for cap in self.store.db.query(
                "SELECT c.id, c.material, c.sha256, c.width, c.height, c.size, c.created_at, "
                "c.source, c.quality, l.capture_id IS NOT NULL AS locked, "
                "coalesce(l.approved, 0) AS approved FROM captures c "
                "LEFT JOIN capture_locks l ON l.capture_id = c.id "
                "WHERE c.reg_no = ? ORDER BY c.id", [reg_no]):
            view = materials.get(cap["material"])
            if view is None:  # captured under an older catalog: still shown, never lost
                m = self.catalog.get(cap["material"])
                view = materials[cap["material"]] = MaterialView(
                    cap["material"], m.name if m else cap["material"], 0, 0, None, "")
            view.images.append(ImageView(
                len(view.images) + 1, cap["id"], cap["sha256"], cap["width"], cap["height"],
                cap["size"], bool(cap["locked"]), bool(cap["approved"]), cap["created_at"],
                cap["source"], json.loads(cap["quality"])))
        for view in materials.values():
            view.editable = (editable is None or view.code in editable) and not any(
                i.locked for i in view.images)
        return CandidateView(row["reg_no"], row["name"], row["id_type"], row["id_number"],
                             row["phone"], categories, row["state"], row["submitted_at"],
                             materials, feedback)

    @staticmethod
    def _material_view(need: Need) -> MaterialView:
        m = need.material
        return MaterialView(m.code, m.name, need.min, need.max, need.paper, m.hint)

    def _feedback(self, reg_no: str) -> list[Feedback]:
        out = []
        for r in self.store.db.query(
                "SELECT * FROM reviews WHERE reg_no = ? ORDER BY id DESC", [reg_no]):
            items = {i["material"]: i["comment"] for i in self.store.db.query(
                "SELECT material, comment FROM review_items WHERE review_id = ?", [r["id"]])}
            out.append(Feedback(r["at"], r["decision"], r["comment"], items))
        return out

    @staticmethod
    def _editable_materials(state: str, feedback: list[Feedback]) -> set[str] | None:
        """None: every material; a set: only those (a return that named materials)."""
        if state not in UNLOCKED_STATES:
            return set()
        if state == "draft" or not feedback or not feedback[0].items:
            return None
        return set(feedback[0].items)

    def outbox_pending(self) -> int:
        return self.store.conn.execute(
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]

    # --- capturing -------------------------------------------------------------------
    def check_capture(self, reg_no: str, material: str, adding: int = 1) -> MaterialView:
        """Refuse before any image work when these images could not be stored."""
        view = self.candidate(reg_no)
        mat = self._material(view, material)
        if not mat.editable:
            raise self._locked(view, mat)
        if mat.count + adding > mat.max:
            raise RuleError("capture.too_many", name=mat.name, max=mat.max, count=mat.count,
                            adding=adding)
        return mat

    def _material(self, view: CandidateView, material: str) -> MaterialView:
        """The candidate's material by code; an unknown code (input) and a material this
        candidate does not need (a rule) are refused apart."""
        mat = view.materials.get(material)
        if mat is None or (mat.max == 0 and not mat.images):
            known = self.catalog.get(material)
            if known is None:
                raise InputError("material.unknown", code=material,
                                 allowed=", ".join(m.code for m in self.catalog.materials))
            raise RuleError("material.not_needed", reg_no=view.reg_no, name=known.name)
        return mat

    def refuse_repeated_photos(self, reg_no: str, material: str,
                               photos: Sequence[set[str]]) -> None:
        """RuleError when one of these photos (each its set of digests, see _photo_keys) is
        stored for the candidate already (capture.duplicate) or comes twice among them
        (capture.duplicate_batch): the same photo twice (one for both sides of an ID card,
        a file chosen twice) is a mistake, never a second document. A photo stored for
        another candidate is refused too (capture.other_candidate) unless it is stored, and
        is to be stored, as a shared material (a hospital's licence serves all its
        candidates; someone's diploma under another name is the wrong candidate chosen).
        A capture asks before it processes its files, add_captures again when it stores."""
        stored = {key: (m.name, i.index) for m in self.candidate(reg_no).materials.values()
                  for i in m.images for key in _photo_keys(i.sha256, i.quality)}
        seen: set[str] = set()
        for keys in photos:
            if hit := next((stored[k] for k in keys if k in stored), None):
                raise RuleError("capture.duplicate", name=hit[0], index=hit[1])
            if keys & seen:
                raise RuleError("capture.duplicate_batch")
            seen |= keys
        if other := self._stored_elsewhere(reg_no, self._shared(material), seen):
            raise RuleError("capture.other_candidate", reg_no=other[0],
                            name=other[1])

    def _shared(self, code: str) -> bool:
        m = self.catalog.get(code)
        return bool(m and m.shared)

    def _stored_elsewhere(self, reg_no: str, shared: bool, keys: set[str]
                          ) -> tuple[str, str] | None:
        """Another candidate's capture of one of these photos that forbids sharing it (its
        material or the new one is personal): (that reg_no, its material's name)."""
        if not keys:
            return None
        marks = ", ".join("?" * len(keys))
        for row in self.store.conn.execute(
                f"SELECT reg_no, material FROM captures WHERE reg_no <> ? AND (sha256 IN "
                f"({marks}) OR json_extract(quality, '$.source_sha256') IN ({marks})) "
                "ORDER BY id", [reg_no, *keys, *keys]):
            if not (shared and self._shared(row[1])):
                m = self.catalog.get(row[1])
                return row[0], m.name if m else row[1]
        return None

    def add_captures(self, reg_no: str, material: str,
                     images: Sequence[NewCapture]) -> list[ImageView]:
        """Store all the images or none; returns them as status shows them."""
        if not images:
            return []
        for img in images:
            if len(img.jpeg) > MAX_BYTES:
                raise ValueError("image over the byte cap")  # the pipeline guarantees it
        with self.store.transaction() as conn:
            self.check_capture(reg_no, material, len(images))
            digests = [hashlib.sha256(img.jpeg).hexdigest() for img in images]
            self.refuse_repeated_photos(reg_no, material, [_photo_keys(d, img.quality)
                                                 for img, d in zip(images, digests, strict=True)])
            at = now()
            for img, digest in zip(images, digests, strict=True):
                conn.execute(
                    "INSERT INTO captures (reg_no, material, jpeg, sha256, width, height, size, "
                    "source, quality, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (reg_no, material, img.jpeg, digest, img.width, img.height, len(img.jpeg),
                     img.source, json.dumps(img.quality, sort_keys=True), at))
                self.store.audit(self.actor, "capture", reg_no,
                                 {"material": material, "sha256": digest,
                                  "size": len(img.jpeg), "source": img.source})
            conn.execute("UPDATE candidates SET updated_at = ? WHERE reg_no = ?", (at, reg_no))
        return self.candidate(reg_no).materials[material].images[-len(images):]

    @staticmethod
    def _locked(view: CandidateView, mat: MaterialView) -> RuleError:
        if any(i.approved for i in mat.images):
            return RuleError("capture.approved", name=mat.name)
        if not view.locked:  # returned, but this material was not among those to redo
            return RuleError("capture.not_returned", name=mat.name)
        return RuleError("capture.locked", name=mat.name, state=Key(f"state.{view.state}"))

    def delete_capture(self, reg_no: str, material: str, index: int) -> ImageView:
        with self.store.transaction() as conn:
            view = self.candidate(reg_no)
            mat = self._material(view, material)
            if not 1 <= index <= mat.count:
                raise RuleError("delete.index", name=mat.name, index=index, count=mat.count)
            image = mat.images[index - 1]
            if not mat.editable or image.locked:
                raise self._locked(view, mat)
            conn.execute("DELETE FROM captures WHERE id = ?", (image.capture_id,))
            self.store.audit(self.actor, "delete", reg_no,
                             {"material": material, "sha256": image.sha256})
        return image

    # --- state changes ---------------------------------------------------------------
    def _change_state(self, view: CandidateView, to: str, action: str,
                      detail: dict[str, Any]) -> None:
        """The state change, its history, audit and outbox entries; inside a transaction."""
        at = now()
        conn = self.store.conn
        extra = ", submitted_at = :at" if to == "submitted" else ""
        conn.execute(f"UPDATE candidates SET state = :to, updated_at = :at{extra} "
                     "WHERE reg_no = :reg", {"to": to, "at": at, "reg": view.reg_no})
        conn.execute("INSERT INTO state_history (reg_no, from_state, to_state, actor, at) "
                     "VALUES (?, ?, ?, ?, ?)", (view.reg_no, view.state, to, self.actor, at))
        self.store.audit(self.actor, action, view.reg_no,
                         {"from": view.state, "to": to, **detail})
        after = self.candidate(view.reg_no)
        self.store.outbox("state", view.reg_no, {
            "reg_no": view.reg_no, "state": to, "at": at, "action": action, **detail,
            "site_code": self.config.settings.kiosk.site_code,
            "kiosk_id": self.config.settings.kiosk.kiosk_id,
            "materials": {m.code: [i.sha256 for i in m.images]
                          for m in after.materials.values() if m.images}})

    def submit(self, reg_no: str) -> CandidateView:
        with self.store.transaction() as conn:
            view = self.candidate(reg_no)
            if view.state not in UNLOCKED_STATES:
                raise RuleError("submit.state", reg_no=reg_no, state=Key(f"state.{view.state}"))
            if missing := view.missing():
                raise RuleError("submit.missing", items=self._missing_items(missing))
            at = now()
            conn.executemany(
                "INSERT OR IGNORE INTO capture_locks (capture_id, approved, locked_at) "
                "VALUES (?, 0, ?)",
                [(i.capture_id, at) for m in view.materials.values() for i in m.images])
            count = sum(m.count for m in view.materials.values())
            self._change_state(view, "submitted", "submit", {"images": count})
        return self.candidate(reg_no)

    def _missing_items(self, missing: Iterable[MaterialView]) -> str:
        """What is missing, in words (submit.missing, review.missing)."""
        msg = Messages(self.config.language)
        return msg("list.clauses").join(
            msg("submit.missing_item", name=m.name, count=m.count,
                need=str(m.min) if m.min == m.max else f"{m.min}–{m.max}") for m in missing)

    def review(self, reg_no: str, decision: str, comment: str = "",
               materials: Iterable[str] | dict[str, str] = ()) -> CandidateView:
        """decision: approve | return | ineligible (site staff). `materials` (return only):
        the codes to redo, or code -> its own comment (else the general one applies)."""
        notes = dict(materials) if isinstance(materials, dict) else dict.fromkeys(materials, "")
        codes = list(notes)
        if codes and decision != "return":
            raise InputError("review.material_needs_return")
        if decision in ("return", "ineligible") and not comment.strip():
            raise InputError("review.comment_required")
        with self.store.transaction() as conn:
            view = self.candidate(reg_no)
            if view.state != "submitted":
                raise RuleError("review.state", reg_no=reg_no, state=Key(f"state.{view.state}"))
            for code in codes:
                self._material(view, code)  # a code the catalog lacks, or one not needed
                if any(i.approved for i in view.materials[code].images):
                    raise RuleError("review.already_approved", reg_no=reg_no,
                                    name=view.materials[code].name)
            at = now()
            cur = conn.execute("INSERT INTO reviews (reg_no, decision, comment, actor, at) "
                               "VALUES (?, ?, ?, ?, ?)",
                               (reg_no, decision, comment.strip(), self.actor, at))
            conn.executemany("INSERT INTO review_items VALUES (?, ?, ?)",
                             [(cur.lastrowid, c, notes[c].strip() or comment.strip())
                              for c in codes])
            if decision == "approve":
                # what the candidate needs may have grown since submitting (the catalog
                # changed under them); never approve short
                if missing := view.missing():
                    raise RuleError("review.missing", reg_no=reg_no,
                                    items=self._missing_items(missing))
                conn.execute("UPDATE capture_locks SET approved = 1 WHERE approved = 0 AND "
                             "capture_id IN (SELECT id FROM captures WHERE reg_no = ?)",
                             (reg_no,))
                self._change_state(view, "site_approved", "approve", {})
            elif decision == "return":
                redo = set(codes) or set(view.materials)
                for m in view.materials.values():
                    if codes and m.code not in redo and m.images:
                        conn.executemany(
                            "UPDATE capture_locks SET approved = 1 WHERE capture_id = ? "
                            "AND approved = 0", [(i.capture_id,) for i in m.images])
                self._change_state(view, "returned", "return",
                                   {"comment": comment.strip(), "materials": sorted(redo)})
                # Only now (state returned) may the trigger let these locks go.
                conn.executemany(
                    "DELETE FROM capture_locks WHERE capture_id = ? AND approved = 0",
                    [(i.capture_id,) for m in view.materials.values() if m.code in redo
                     for i in m.images])
            elif decision == "ineligible":
                self._change_state(view, "ineligible", "ineligible",
                                   {"comment": comment.strip()})
            else:
                raise ValueError(decision)
            self._notify(view, at)
        return self.candidate(reg_no)

    def _notify(self, view: CandidateView, at: str) -> None:
        # The SMS text is fixed by the exam authority, always in Chinese.
        text = Messages("zh-CN")("sms.review_notice", unit=self.config.settings.kiosk.sms_unit)
        self.store.conn.execute(
            "INSERT INTO notifications (reg_no, phone, text, created_at) VALUES (?, ?, ?, ?)",
            (view.reg_no, view.phone, text, at))

    # --- roster ----------------------------------------------------------------------
    @staticmethod
    def _roster_change_refused(conn: Any, reg_no: str, cur: tuple, new: tuple
                               ) -> tuple[str, dict[str, object]] | None:
        """Why a re-imported row may not change this candidate, or None. Who a candidate is
        (name, ID) cannot change under photos of their documents: a shifted row in a
        spreadsheet would put another person's name on them, and on the next receipt. What
        they must present (categories) cannot change while their materials are locked for
        review: an approval would then lack a material, with no way to add it."""
        # (a name stored before its dot was made one form is the same name)
        identity = (normalize_name(cur[0]), *cur[1:3]) != new[:3]
        categories = cur[4] != new[4]
        if not (identity or categories):  # a phone number: always
            return None
        state = cur[5]
        captured, kept = conn.execute(
            "SELECT count(*), count(l.capture_id) FROM captures c LEFT JOIN capture_locks l "
            "ON l.capture_id = c.id WHERE c.reg_no = ?", (reg_no,)).fetchone()
        # locked: submitted or decided, or returned with some images kept approved (✓)
        if state not in UNLOCKED_STATES or kept:
            # what staff can do: return a submitted candidate first; a decided one
            # (approved, ineligible) is the district's to correct
            how = Key("roster.how_submitted" if state == "submitted" else "roster.how_decided")
            return ("roster.identity_locked" if identity else "roster.categories_locked",
                    {"reg_no": reg_no, "state": Key(f"state.{state}"), "how": how})
        if identity and captured:
            return "roster.identity_captured", {"reg_no": reg_no}
        return None

    def upsert_candidates(self, rows: Sequence[dict[str, str]]) -> tuple[Counter[str],
                                                                         dict[int, tuple]]:
        """Insert or update roster rows (each with a 'line'); never touches captures.

        Returns counts of added/updated/unchanged and, per rejected line, its reason.
        """
        counts: Counter[str] = Counter()
        rejected: dict[int, tuple] = {}
        changed: list[str] = []
        with self.store.transaction() as conn:
            at = now()
            for row in rows:
                other = conn.execute(
                    "SELECT reg_no FROM candidates WHERE id_number = ? AND reg_no <> ?",
                    (row["id_number"], row["reg_no"])).fetchone()
                if other:
                    rejected[int(row["line"])] = ("roster.id_taken", {"other": other[0]})
                    continue
                cur = conn.execute(
                    "SELECT name, id_type, id_number, phone, categories, state FROM "
                    "candidates WHERE reg_no = ?", (row["reg_no"],)).fetchone()
                new = (row["name"], row["id_type"], row["id_number"], row["phone"],
                       row["categories"])
                if cur is not None and (refused := self._roster_change_refused(
                        conn, row["reg_no"], tuple(cur), new)):
                    rejected[int(row["line"])] = refused
                    continue
                if cur is None:
                    conn.execute(
                        "INSERT INTO candidates (reg_no, name, id_type, id_number, phone, "
                        "categories, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (row["reg_no"], *new, at, at))
                    counts["added"] += 1
                elif tuple(cur)[:5] != new:
                    conn.execute(
                        "UPDATE candidates SET name = ?, id_type = ?, id_number = ?, phone = ?, "
                        "categories = ?, updated_at = ? WHERE reg_no = ?",
                        (*new, at, row["reg_no"]))
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
                    continue
                changed.append(row["reg_no"])
            if changed:
                self.store.audit(self.actor, "roster", None,
                                 {"added": counts["added"], "updated": counts["updated"],
                                  "reg_nos": changed})
        return counts, rejected
