"""Overrides of a tree of frozen settings dataclasses by dotted names, validated.

A difficult producer is read with a few tolerances changed, named the way the tree nests them::

    apply(ExtractionSettings(), {"column_gap_em": "4", "tables.grid_tol": 6, "triage.legacy.min_gain": 0.4})

Values come typed (YAML) or as text (the command line); each is coerced to the type of the
setting's default (``int``, ``float``, ``bool``, ``str``), and the settings' own ``__post_init__``
checks its bounds. Every problem is an ``InvalidSetting`` naming the setting: an unknown name
(with the close names), a value of the wrong type, a value out of bounds, a sub-tree given a value.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pipeline.core.errors import InvalidSetting

T = TypeVar("T")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def leaves(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf setting of the tree ``obj`` by its dotted name, with its value."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out.update(leaves(value, f"{prefix}{f.name}."))
        else:
            out[f"{prefix}{f.name}"] = value
    return out


def coerce(name: str, value: Any, default: Any) -> Any:
    """``value`` as the type of ``default`` (the setting's type), or ``InvalidSetting``."""
    kind = type(default)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InvalidSetting(f"setting {name!r} is true or false, got {value!r}")
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise InvalidSetting(f"setting {name!r} is a whole number, got {value!r}")
    if kind is float:
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            raise InvalidSetting(f"setting {name!r} is a finite number, got {value!r}")
        return number
    if kind is str:
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise InvalidSetting(f"setting {name!r} is non-empty text, got {value!r}")
    raise InvalidSetting(f"setting {name!r} cannot be overridden (type {kind.__name__})")


def coerce_all(root: Any, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides with names checked against the tree ``root`` and values coerced to their
    settings' types (not yet checked against the bounds: ``apply`` does that)."""
    known = leaves(root)
    out: dict[str, Any] = {}
    for name, value in overrides.items():
        if not isinstance(name, str) or name not in known:
            raise InvalidSetting(_unknown(str(name), known, root))
        out[name] = coerce(name, value, known[name])
    return out


def _unknown(name: str, known: Mapping[str, Any], root: Any) -> str:
    groups = sorted({n.rsplit(".", 1)[0] for n in known if "." in n})
    if name in groups:
        return f"{name!r} is a group of settings, not a setting: name one of its members ({name}.…)"
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return (f"unknown setting {name!r}{hint} (the {type(root).__name__} tree: top-level names, and "
            f"{', '.join(g + '.…' for g in groups)}; listed in docs/cli.md)")


def apply(root: T, overrides: Mapping[str, Any]) -> T:
    """``root`` with the dotted ``overrides`` applied, a new frozen tree (``root`` unchanged)."""
    return _build(root, coerce_all(root, overrides), "")


def _build(obj: T, values: Mapping[str, Any], prefix: str) -> T:
    nested: dict[str, dict[str, Any]] = {}
    changes: dict[str, Any] = {}
    for name, value in values.items():
        head, dot, rest = name.partition(".")
        if dot:
            nested.setdefault(head, {})[rest] = value
        else:
            changes[head] = value
    for head, sub in nested.items():
        changes[head] = _build(getattr(obj, head), sub, f"{prefix}{head}.")
    try:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    except (ValueError, TypeError) as exc:  # the settings' own bounds (__post_init__)
        named = ", ".join(prefix + n for n in sorted(values))
        raise InvalidSetting(f"setting(s) {named}: {exc}") from None


def differences(obj: Any, default: Any) -> dict[str, Any]:
    """The leaves of ``obj`` that differ from ``default``, by dotted name (sorted)."""
    base = leaves(default)
    return {k: v for k, v in sorted(leaves(obj).items()) if base.get(k) != v}


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["tables.grid_tol=6", ...]`` (the command line's ``--setting``) → a mapping; a later
    assignment of the same name wins."""
    out: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise InvalidSetting(f"--setting takes NAME=VALUE (e.g. tables.grid_tol=6), got {item!r}")
        out[name.strip()] = value.strip()
    return out
