"""Amendment operations as real documents word them, beyond the numbered amending clause
(``pipeline.records.amendments``), and the rules that keep each operation once.

- In-sentence operations: "Quyết định này thay thế Quyết định số 2221/QĐ-UBND …", "Điều lệ này
  thay thế Điều lệ được công nhận tại Quyết định số …", "… có hiệu lực kể từ ngày ký và bãi bỏ
  Quyết định số …". The verb sits inside a sentence, so it counts only when a document number
  follows it closely (``OperationSettings.max_gap``) and, for "thay thế", when the sentence's
  subject is the text itself ("Quyết định này có hiệu lực … và thay thế …"); otherwise "thay thế phụ trách kế toán theo quy
  định tại Nghị định số …" would be read as an operation.
- One operation once: the same operation on the same target found twice in a text (an article
  and its clause, a clause restated in the preamble) is one row; the other clauses that state it
  are kept in ``legal_flags`` (``repeated_in:<clause>``).
- Checks, never failures: repeated operations and conflicting ones (two different operations on
  one target in one document) become rows of the ``quality_checks`` dataset.

Pure functions; nothing here reads files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.records.references import find_references

__all__ = ["DEFAULT_SETTINGS", "OperationSettings", "amended_document", "dedupe_operations", "operation_checks",
           "sentence_verbs"]


@dataclass(frozen=True)
class OperationSettings:
    """``max_gap``: most characters between an in-sentence verb and the number of the document
    it operates on ("thay thế Điều lệ được công nhận tại Quyết định số 2221/…" is 52)."""

    max_gap: int = 80

    def __post_init__(self) -> None:
        if self.max_gap <= 0:
            raise ValueError("max_gap must be positive")


DEFAULT_SETTINGS = OperationSettings()

# "… này thay thế …" (the text itself replaces another) and "bãi bỏ …" inside a sentence
_SENTENCE_VERB = re.compile(r"\bnày\b[^.;]*?\b(?P<replace>thay\s+thế)\b|\b(?P<repeal>bãi\s+bỏ)\b", re.IGNORECASE)
# what may stand between the verb and the cited document: provisions, "được công nhận/ban hành tại",
# "kèm theo", "của"; not "theo quy định" (then the document is the authority, not the target)
_NOT_A_TARGET_GAP = re.compile(r"\btheo\s+(?:quy\s+định|hướng\s+dẫn|đề\s+nghị)\b|[.;:]", re.IGNORECASE)


def sentence_verbs(text: str, doc_type_starts: Iterable[int],
                   settings: OperationSettings = DEFAULT_SETTINGS) -> list[tuple[int, str]]:
    """In-sentence operation verbs of ``text`` that a cited document follows: [(offset of the
    verb, operation words as printed: 'Thay thế' / 'Bãi bỏ')]. ``doc_type_starts`` are the
    offsets where the references found in ``text`` begin (their type word, or the number)."""
    starts = sorted(doc_type_starts)
    out: list[tuple[int, str]] = []
    for m in _SENTENCE_VERB.finditer(text):
        verb_start = m.start("replace") if m["replace"] else m.start("repeal")
        verb_end = m.end("replace") if m["replace"] else m.end("repeal")
        nxt = next((s for s in starts if s >= verb_end), None)
        if nxt is None or nxt - verb_end > settings.max_gap:
            continue
        if _NOT_A_TARGET_GAP.search(text, verb_end, nxt):
            continue
        out.append((verb_start, "Thay thế" if m["replace"] else "Bãi bỏ"))
    return out


_IDENTITY = ("operation", "target_path", "new_label", "text_old", "text_new")


def _key(row: dict[str, Any]) -> tuple:
    return tuple(row.get(k) for k in _IDENTITY)


def dedupe_operations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each operation once: rows with the same operation, target path, new label and old/new
    wording are one; the first is kept, with ``repeated_in:<source_label>`` in its
    ``legal_flags`` for every other clause that states it. ``amendment_index`` is renumbered."""
    kept: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        k = _key(row)
        if k not in kept:
            kept[k] = {**row, "legal_flags": list(row.get("legal_flags") or [])}
            continue
        first = kept[k]
        flag = f"repeated_in:{row.get('source_label')}"
        if flag not in first["legal_flags"]:
            first["legal_flags"].append(flag)
        for col in ("source_appendices", "source_sections"):  # what either statement brings
            merged = list(first.get(col) or [])
            merged += [x for x in row.get(col) or [] if x not in merged]
            first[col] = merged
    out = list(kept.values())
    for i, row in enumerate(out):
        if "amendment_index" in row:
            row["amendment_index"] = i
    return out


def _strip_position(path: str) -> str:
    return re.sub(r"/(?:after|before):[^/]*$", "", path or "")


def operation_checks(doc_sha256: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``quality_checks`` rows over one document's (deduplicated) operations: ``repeated_operations``
    (an operation stated by more than one clause) and ``conflicting_operations`` (different
    operations on one target, e.g. a replace and a repeal of the same article). Expected 0."""
    repeated = [f"{r['operation']} {r['target_path']} ({r['source_label']}; "
                + ", ".join(f.removeprefix("repeated_in:") for f in r["legal_flags"] if f.startswith("repeated_in:"))
                + ")" for r in rows if any(f.startswith("repeated_in:") for f in r.get("legal_flags") or [])]
    by_target: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["operation"] != "insert":  # insertions into one container are many by nature
            by_target.setdefault(_strip_position(r["target_path"]), []).append(r)
    conflicts = [f"{t}: " + "; ".join(f"{r['operation']} by {r['source_label']}" for r in rs)
                 for t, rs in by_target.items() if len(rs) > 1]
    out = []
    for name, bad, what in (("repeated_operations", repeated, "operations stated by more than one clause (kept once)"),
                            ("conflicting_operations", conflicts, "targets operated on by different clauses")):
        out.append({"doc_sha256": doc_sha256, "check_name": name, "check_scope": "amendments", "expected": "0",
                    "actual": str(len(bad)), "passed": not bad, "severity": "warning",
                    "detail": f"{len(bad)} {what}" + (f": {'; '.join(bad[:20])}" if bad else "")})
    return out


_BASIS_RX = re.compile(r"^\s*Căn\s+cứ\b", re.IGNORECASE)


def amended_document(subject: str | None, preamble: str, amending: str | None) -> str | None:
    """The document a clause operates on when it names only a provision ("2. Bổ sung Điều 3a vào
    sau Điều 3", "a) Bãi bỏ điểm b khoản 2 Điều 4"): the one the subject line (trích yếu) amends,
    as docs/DOMAIN.md §4.1 reads such clauses ("Sửa đổi, bổ sung mục II. 1" of a plan whose title
    amends 330/KH-UBND targets 330/KH-UBND). Without one in the subject: the first document the text
    before the first clause amends, outside its "Căn cứ" lines: a basis that itself amends another
    text ("Căn cứ Nghị định số … sửa đổi, bổ sung Nghị định số …") names the legal ground, not
    what this document changes. None when neither names one (the row is then flagged
    ``target_doc_unknown``)."""
    for text in (subject or "", preamble):
        for r in find_references(text, amending):
            if r["relation"] == "amends" and r["cited_number"] and not r["is_self"] \
                    and not _BASIS_RX.match(r["mention_context"] or ""):
                return r["cited_number"]
    return None
