"""The manifest: which documents to ingest and where to get them (format: ``docs/manifest.md``).

A manifest is a YAML file with a top-level ``documents:`` list; each entry has an ``id``, a
``source`` (an http/https URL or a file path, relative paths resolving against the manifest's
folder), an optional expected ``sha256``, optional ``hints`` and optional ``settings`` (extraction
settings overridden for this document by dotted name, ``extractors.settings``). Ad-hoc paths and
URLs given on the command line become entries too (:func:`entries_from_args`).

Parsing is pure (:func:`parse_manifest` takes the already-loaded YAML data); only
:func:`load_manifest` and :func:`entries_from_args` touch the file system. Every problem is a
:class:`~pipeline.core.errors.ManifestError` naming the manifest and the offending entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import yaml

from extractors.settings import ExtractionSettings
from pipeline.core.errors import InvalidSetting, ManifestError

TOP_LEVEL_KEYS = frozenset({"description", "documents"})
ENTRY_KEYS = frozenset({"id", "source", "sha256", "hints", "settings"})
HINT_KEYS = frozenset({"province", "doc_type", "producer_style"})
HINT_ALIASES = {"document_type": "doc_type"}
MANIFEST_SUFFIXES = (".yaml", ".yml")

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_ID = 200


@dataclass(frozen=True)
class Hints:
    """What the manifest author knows about a document; extraction may use it, never trusts it blindly."""

    province: str | None = None
    doc_type: str | None = None
    producer_style: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("province", self.province), ("doc_type", self.doc_type),
                                  ("producer_style", self.producer_style)) if v is not None}


@dataclass(frozen=True)
class ManifestEntry:
    """One document to ingest. ``source`` is normalized: a URL as written, or an absolute path."""

    id: str
    source: str
    sha256: str | None = None
    hints: Hints = field(default_factory=Hints)
    # extraction settings overridden for this document: (dotted name, value) pairs, checked and typed
    settings: tuple[tuple[str, Any], ...] = ()

    @property
    def settings_map(self) -> dict[str, Any]:
        return dict(self.settings)

    def with_settings(self, overrides: Mapping[str, Any]) -> ManifestEntry:
        """This entry with ``overrides`` (checked, typed) laid over its own settings."""
        merged = {**self.settings_map, **ExtractionSettings.check(overrides)}
        return replace(self, settings=tuple(sorted(merged.items())))

    @property
    def is_url(self) -> bool:
        return is_url(self.source)

    @property
    def path(self) -> Path:
        """The local file of a file source (ValueError for a URL source)."""
        if self.is_url:
            raise ValueError(f"{self.id}: source is a URL, not a file: {self.source}")
        return Path(self.source)


@dataclass(frozen=True)
class Manifest:
    path: Path | None
    entries: tuple[ManifestEntry, ...]
    description: str | None = None


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


def normalize_source(source: object, base_dir: Path, manifest: str | None = None,
                     entry: str | int | None = None) -> str:
    """An http(s) URL (kept as written) or a file path / ``file://`` URL (made absolute against
    ``base_dir``). Any other scheme, or anything that is not a non-empty string, is an error."""
    if not isinstance(source, str) or not source.strip():
        raise ManifestError(f"'source' must be a non-empty string (URL or file path), got {source!r}", manifest, entry)
    source = source.strip()
    m = _SCHEME.match(source)
    if m:
        scheme = m.group(1).lower()
        parts = urlsplit(source)
        if scheme in ("http", "https"):
            if not parts.hostname:
                raise ManifestError(f"URL has no host: {source!r}", manifest, entry)
            return source
        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise ManifestError(f"file URL on a remote host is not supported: {source!r}", manifest, entry)
            source = url2pathname(parts.path)
        else:
            raise ManifestError(f"unsupported source scheme {scheme!r} (use https, http or a file path): {source!r}",
                                manifest, entry)
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    return str(path.resolve())


def _text(value: object, what: str, manifest: str | None, entry: str | int | None) -> str:
    if not isinstance(value, str):
        raise ManifestError(f"{what} must be a string, got {type(value).__name__} {value!r} (quote it in YAML)",
                            manifest, entry)
    value = unicodedata.normalize("NFC", value)
    if not value.strip() or value != value.strip() or _CONTROL.search(value):
        raise ManifestError(f"{what} must be non-empty text without surrounding spaces or control characters, "
                            f"got {value!r}", manifest, entry)
    return value


def _hints(raw: object, manifest: str | None, entry: str | int | None) -> Hints:
    if raw is None:
        return Hints()
    if not isinstance(raw, dict):
        raise ManifestError(f"'hints' must be a mapping, got {type(raw).__name__}", manifest, entry)
    values: dict[str, str] = {}
    for key, value in raw.items():
        name = HINT_ALIASES.get(key, key)
        if name not in HINT_KEYS:
            raise ManifestError(f"unknown hint {key!r} (known: {', '.join(sorted(HINT_KEYS))})", manifest, entry)
        if name in values:
            raise ManifestError(f"hint {name!r} given twice", manifest, entry)
        values[name] = _text(value, f"hint {key!r}", manifest, entry)
    return Hints(**values)


def parse_entry(raw: object, base_dir: Path, manifest: str | None = None, position: int | None = None) -> ManifestEntry:
    """One manifest entry (a YAML mapping) → :class:`ManifestEntry`, or a ManifestError."""
    where: str | int | None = position
    if not isinstance(raw, dict):
        raise ManifestError(f"an entry must be a mapping with 'id' and 'source', got {type(raw).__name__}",
                            manifest, where)
    if isinstance(raw.get("id"), str) and raw["id"].strip():
        where = raw["id"]
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise ManifestError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                            f"(known: {', '.join(sorted(ENTRY_KEYS))})", manifest, where)
    for key in ("id", "source"):
        if key not in raw:
            raise ManifestError(f"missing required key {key!r}", manifest, where)
    doc_id = _text(raw["id"], "'id'", manifest, where)
    if len(doc_id) > _MAX_ID:
        raise ManifestError(f"'id' is longer than {_MAX_ID} characters", manifest, where)
    source = normalize_source(raw["source"], base_dir, manifest, where)
    sha = raw.get("sha256")
    if sha is not None:
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise ManifestError(f"'sha256' must be 64 hexadecimal digits, got {sha!r}", manifest, where)
        sha = sha.lower()
    return ManifestEntry(doc_id, source, sha, _hints(raw.get("hints"), manifest, where),
                         _settings(raw.get("settings"), manifest, where))


def _settings(raw: object, manifest: str | None, entry: str | int | None) -> tuple[tuple[str, Any], ...]:
    """An entry's ``settings:`` mapping (dotted name → value), checked against the settings tree."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ManifestError(f"'settings' must be a mapping of setting name to value, got {type(raw).__name__}",
                            manifest, entry)
    try:
        return tuple(sorted(ExtractionSettings.check(raw).items()))
    except InvalidSetting as exc:
        raise ManifestError(f"'settings': {exc}", manifest, entry) from None


def parse_manifest(data: object, base_dir: Path, origin: str | None = None) -> Manifest:
    """Loaded YAML data → :class:`Manifest` (pure; ``base_dir`` resolves relative paths)."""
    if not isinstance(data, dict):
        raise ManifestError(f"a manifest must be a mapping with a 'documents' list, got {type(data).__name__}", origin)
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise ManifestError(f"unknown top-level key(s) {', '.join(sorted(map(str, unknown)))} "
                            f"(known: {', '.join(sorted(TOP_LEVEL_KEYS))})", origin)
    docs = data.get("documents")
    if not isinstance(docs, list):
        raise ManifestError(f"'documents' must be a list, got {type(docs).__name__}", origin)
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise ManifestError("'description' must be a string", origin)
    entries: list[ManifestEntry] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(docs, start=1):
        entry = parse_entry(raw, base_dir, origin, i)
        if entry.id in seen:
            raise ManifestError(f"duplicate id (also entry #{seen[entry.id]})", origin, entry.id)
        seen[entry.id] = i
        entries.append(entry)
    return Manifest(Path(origin) if origin else None, tuple(entries), description)


def load_manifest(path: Path | str) -> Manifest:
    """Read and validate a manifest file; relative sources resolve against its folder."""
    path = Path(path)
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read manifest ({exc.__class__.__name__}: {exc})", origin) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(f"not valid YAML: {exc}", origin) from exc
    try:
        return parse_manifest(data, path.resolve().parent, origin)
    except ManifestError as exc:
        line = _entry_line(text, exc.entry)
        if line is not None:  # name the line too: the manifest is written by hand
            exc.args = (f"{exc} (line {line})",)
            exc.line = line
        raise


def _entry_line(text: str, entry: str | int | None) -> int | None:
    """The 1-based line where entry ``entry`` (position or id) of the 'documents' list starts."""
    if entry is None:
        return None
    try:
        root = yaml.compose(text)
        docs = next(v for k, v in root.value if getattr(k, "value", None) == "documents")
        items = docs.value
        if isinstance(entry, int):
            return items[entry - 1].start_mark.line + 1
        for item in items:  # by id: the LAST entry with that id is the offending duplicate
            ids = [v.value for k, v in getattr(item, "value", []) if getattr(k, "value", None) == "id"]
            if ids and ids[0] == entry:
                found = item.start_mark.line + 1
        return found
    except Exception:  # a best effort: the message already names the entry
        return None


def _id_from_url(url: str) -> str:
    parts = urlsplit(url)
    last = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    stem = last[: -len(Path(last).suffix)] if Path(last).suffix else last
    return unicodedata.normalize("NFC", stem or parts.hostname or url)


def entries_from_args(args: list[str], cwd: Path | None = None) -> list[ManifestEntry]:
    """Command-line sources → entries, in order. Each argument is one of:

    - an http(s) URL: id = the last path segment without its suffix;
    - a manifest (``.yaml``/``.yml`` file): its entries;
    - a folder: every ``*.pdf`` below it, id = the path relative to the folder without suffix
      (so ``data/samples/pdf`` gives ``gov/bentre-2835-2018`` as in the bundled manifest);
    - a file: id = its name without suffix.

    A path that does not exist is a ManifestError (a typo on the command line, not a document
    to reject later). A source given twice is kept once; different sources that would share an
    id get ``-2``, ``-3``... appended to the later ones.
    """
    base = (cwd or Path.cwd()).resolve()
    found: list[ManifestEntry] = []
    for arg in args:
        if _SCHEME.match(arg.strip()) and not arg.strip().lower().startswith("file://"):
            source = normalize_source(arg, base, None, arg)
            found.append(ManifestEntry(_id_from_url(source), source))
            continue
        path = Path(normalize_source(arg, base, None, arg))
        if not path.exists():
            raise ManifestError("no such file or folder", None, arg)
        if path.is_dir():
            pdfs = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
            if not pdfs:
                raise ManifestError("folder holds no .pdf file", None, arg)
            found.extend(ManifestEntry(unicodedata.normalize("NFC", p.relative_to(path).with_suffix("").as_posix()),
                                       str(p)) for p in pdfs)
        elif path.suffix.lower() in MANIFEST_SUFFIXES:
            found.extend(load_manifest(path).entries)
        else:
            found.append(ManifestEntry(unicodedata.normalize("NFC", path.stem), str(path)))
    entries: list[ManifestEntry] = []
    sources: set[str] = set()
    ids: set[str] = set()
    for entry in found:
        if entry.source in sources:
            continue
        doc_id, n = entry.id, 1
        while doc_id in ids:
            n += 1
            doc_id = f"{entry.id}-{n}"
        sources.add(entry.source)
        ids.add(doc_id)
        entries.append(entry if doc_id == entry.id else replace(entry, id=doc_id))
    return entries
