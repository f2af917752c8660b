"""A small grammar for printed units ("Đơn vị tính"): atoms kept as data, composed by rules.

A printed unit is read as a composition of atoms (``schemas/unit_atoms.csv``: kg, tấn, lít, ha,
m², ngày, người, con, bộ, đồng, nghìn …, each with a canonical code, a dimension and a factor),
qualifier words that only say what is measured (``schemas/unit_qualifiers.csv``: "kg *hạt*",
"m² *mặt nước*", "con *giống*"), and the slash rules (``schemas/unit_slash_rules.csv``: where "/"
means OR — "lít/kg" — or a product — "Người/ngày" with values "a x b" — or is too ambiguous to
read — "kg/công" — with the evidence).

Grammar (on the key of ``pipeline.units.normalize_unit_key``: lower case, NFC, superscripts
folded, no spaces around "/")::

    unit  := chain ( ("," | "hoặc") chain )*          several chains = alternatives (OR)
    chain := term ( "/" term )*                        numerator per denominator per …
    term  := [number] [number word] atom qualifier* ( "x" atom qualifier* )* [ "(" paren ")" ]
    paren := atom | [number] [number word] atom [ "=" number atom ]

Meaning (the conventions are documented in docs/normalization.md):

- codes compose with ``_per_``: "kg/ha/năm" → ``kg_per_ha_per_year``; the factor is the
  numerator's factor over the denominators' ("tấn/ha" → ×1000, "g/con" → ×0.001);
- a number inside the unit is a quantity: in the numerator it multiplies ("03 bộ/mh" → 3
  ``set_per_model``; "1.000 đồng/người/tháng" → ×1000), in a denominator it divides ("con/10m³"
  → ×0.1); number words always multiply ("vạn con" → ×10000, "triệu đồng" → ×1e6);
- a bare quantity with no slash: money scales ("1.000 đ"); an area or volume names the basis the
  value is counted on ("1.000m2" → ``per_m2`` ×0.001, as construction norms print "100m2"); a
  count noun only with 1 ("01 người"); anything else is ambiguous and unknown;
- parentheses: "(1 muôn = 10.000 dây)" defines the atom; "01 bộ (1.000 m²)" — a counted thing
  with its coverage — is one set per 1.000 m²; "bao (50 kg)" — a thing named by its size — is
  50 kg; after a denominator the size only describes it ("06 chiếc/mh (1.000m2)" stays per model);
- alternatives ("lít, kg", "chai/lọ") with different codes give ``a_or_b`` (codes sorted).

Anything not covered is unknown (``None``), never guessed. Pure functions; data read once.

Why not pint for all of it: pint knows kg, ha and litres (and the tests check every physical
factor of the atoms against it), but not count nouns (con, cây, bộ), money in thousands, the
slash that means OR, or quantities printed inside a unit.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files

__all__ = ["Atom", "Parsed", "atoms", "parse_unit_key", "qualifiers", "slash_rules"]


@dataclass(frozen=True)
class Atom:
    alias: str
    code: str
    dimension: str
    factor: Decimal
    bare_quantity: str  # "multiply" | "basis" | "" (only 1)
    cls: str  # "container" or ""
    pint: str
    note: str


@dataclass(frozen=True)
class Rule:
    left: tuple[str, ...]
    right: tuple[str, ...]
    meaning: str  # "or" | "times"
    code: str
    dimension: str
    evidence: str


@dataclass(frozen=True)
class Parsed:
    code: str
    dimension: str
    factor: Decimal


def _rows(name: str) -> list[dict[str, str]]:
    text = files("schemas").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def atoms() -> dict[str, Atom]:
    out: dict[str, Atom] = {}
    for r in _rows("unit_atoms.csv"):
        if r["alias"] in out:
            raise ValueError(f"unit_atoms.csv: duplicate alias {r['alias']!r}")
        out[r["alias"]] = Atom(r["alias"], r["code"], r["dimension"], Decimal(r["factor"]), r["bare_quantity"],
                               r["class"], r["pint"], r["note"])
    return out


@cache
def qualifiers() -> dict[str, frozenset[str]]:
    return {r["words"]: frozenset(r["dimensions"].split("|")) for r in _rows("unit_qualifiers.csv")}


@cache
def slash_rules() -> tuple[Rule, ...]:
    return tuple(Rule(tuple(r["left"].split("|")), tuple(r["right"].split("|")), r["meaning"], r["code"],
                      r["dimension"], r["evidence"]) for r in _rows("unit_slash_rules.csv"))


@cache
def _vocabulary() -> tuple[str, ...]:
    words = set(atoms()) | set(qualifiers()) | {"hoặc"}
    return tuple(sorted(words, key=len, reverse=True))  # longest first


# ---- tokens --------------------------------------------------------------------------------------

_NUM = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_OPS = {"/": "/", "(": "(", ")": ")", ",": ",", "=": "=", "×": "x", "*": "x"}


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def _tokens(key: str) -> list[tuple[str, object]] | None:
    from pipeline.parsing.values import parse_number

    out: list[tuple[str, object]] = []
    i, n = 0, len(key)
    vocab = _vocabulary()
    while i < n:
        ch = key[i]
        if ch == " ":
            i += 1
            continue
        if ch in _OPS:
            out.append((_OPS[ch], ch))
            i += 1
            continue
        if ch == "x" and (i + 1 == n or not _is_word_char(key[i + 1])) and (i == 0 or not key[i - 1].isalpha()):
            out.append(("x", ch))  # "người x ngày", "2x3": a product sign, not a word
            i += 1
            continue
        word = next((w for w in vocab if key.startswith(w, i)
                     and (i + len(w) == n or not _is_word_char(key[i + len(w)]) or not w[-1].isalpha())), None)
        if ch.isdigit() and (word is None or not word[0].isdigit()):
            m = _NUM.match(key, i)
            assert m is not None
            num = parse_number(m.group())
            if num is None:
                return None
            out.append(("num", num))
            i = m.end()
            continue
        if word is None:
            return None
        out.append(("word", word))
        i += len(word)
    return out


# ---- terms ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Term:
    code: str
    dimension: str
    factor: Decimal
    atom: Atom | None  # the single atom, when the term is one atom (for the slash rules)
    quantity: Decimal | None  # a printed number in front of the term
    multiplier: Decimal | None  # number words in front of the term
    paren: tuple[str, object] | None  # ("size", _Term) | ("alt", _Term) | ("define", (Atom, _Term))


class _Fail(Exception):
    pass


class _Parser:
    def __init__(self, toks: list[tuple[str, object]]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self, k: int = 0) -> tuple[str, object] | None:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def take(self, kind: str) -> object:
        t = self.peek()
        if t is None or t[0] != kind:
            raise _Fail(kind)
        self.i += 1
        return t[1]

    def at(self, kind: str, value: object = None) -> bool:
        t = self.peek()
        return t is not None and t[0] == kind and (value is None or t[1] == value)

    # atom qualifier*
    def atomq(self) -> tuple[Atom, str, str, Decimal]:
        w = self.take("word")
        a = atoms().get(str(w))
        if a is None or a.dimension == "number":
            raise _Fail(f"not an atom: {w}")
        while self.at("word") and str(self.peek()[1]) in qualifiers():  # type: ignore[index]
            q = str(self.take("word"))
            if a.dimension not in qualifiers()[q]:
                if q in atoms():  # "kg hạt" is a qualifier, "con kg" is two units: let the caller see it
                    self.i -= 1
                    break
                raise _Fail(f"qualifier {q} not for {a.dimension}")
        return a, a.code, a.dimension, a.factor

    def numbers(self) -> tuple[Decimal | None, Decimal | None]:
        q = self.take("num") if self.at("num") else None
        mult: Decimal | None = None
        while self.at("word") and (a := atoms().get(str(self.peek()[1]))) is not None and a.dimension == "number":  # type: ignore[index]
            self.i += 1
            mult = (mult or Decimal(1)) * a.factor
        return q, mult  # type: ignore[return-value]

    def term(self) -> _Term:
        q, mult = self.numbers()
        a, code, dim, factor = self.atomq()
        single: Atom | None = a
        while self.at("x"):
            self.i += 1
            b, bcode, bdim, bfactor = self.atomq()
            rule = _rule(a, b, "times")
            if rule is None:
                raise _Fail("product without a rule")
            code, dim, factor, single = rule.code, rule.dimension, factor * bfactor, None
        paren = self.paren(a) if self.at("(") else None
        return _Term(code, dim, factor, single, q, mult, paren)

    def paren(self, head: Atom) -> tuple[str, object]:
        self.take("(")
        q, mult = self.numbers()
        a, code, dim, factor = self.atomq()
        if self.at("="):  # "(1 muôn = 10.000 dây)": a definition of the head atom
            self.i += 1
            if a.code != head.code or (q is not None and q != 1) or mult is not None:
                raise _Fail("definition of another atom")
            n = self.take("num")
            b, bcode, bdim, bfactor = self.atomq()
            self.take(")")
            return "define", _Term(bcode, bdim, bfactor * Decimal(str(n)), b, None, None, None)
        self.take(")")
        inner = _Term(code, dim, factor, a, q, mult, None)
        if q is None and mult is None:
            return "alt", inner  # "lít (kg)"
        return "size", inner  # "(1.000 m²)", "(50kg)"

    def chain(self) -> list[_Term]:
        terms = [self.term()]
        while self.at("/"):
            self.i += 1
            terms.append(self.term())
        return terms

    def unit(self) -> list[list[_Term]]:
        chains = [self.chain()]
        while self.at(",") or self.at("word", "hoặc"):
            self.i += 1
            chains.append(self.chain())
        if self.peek() is not None:
            raise _Fail("trailing tokens")
        return chains


def _matches(pattern: str, a: Atom, other: Atom | None = None) -> bool:
    """``alias:``, ``code:``, ``class:``, ``dim:`` name the atom; ``same:code`` — the right side has the left's code."""
    kind, _, value = pattern.partition(":")
    if kind == "same":
        return other is not None and a.code == other.code
    return {"alias": a.alias, "code": a.code, "class": a.cls, "dim": a.dimension}.get(kind) == value


def _rule(a: Atom, b: Atom, meaning: str) -> Rule | None:
    for r in slash_rules():
        if r.meaning == meaning and any(_matches(p, a) for p in r.left) and any(_matches(p, b, a) for p in r.right):
            return r
    return None


def _or(parts: list[Parsed]) -> Parsed:
    if len({p.factor for p in parts}) != 1:
        raise _Fail("alternatives with different factors")
    codes = sorted({p.code for p in parts})
    dims = sorted({p.dimension for p in parts})
    return Parsed("_or_".join(codes), "_or_".join(dims), parts[0].factor)


def _plain(t: _Term) -> Parsed:
    """A term's own code and factor, its number words applied; its printed quantity not yet."""
    p = Parsed(t.code, t.dimension, t.factor * (t.multiplier or 1))
    if t.paren is not None and t.paren[0] == "define":
        d: _Term = t.paren[1]  # type: ignore[assignment]
        p = Parsed(d.code, d.dimension, d.factor * (t.multiplier or 1))
    if t.paren is not None and t.paren[0] == "alt":
        p = _or([p, _plain(t.paren[1])])  # type: ignore[arg-type]
    return p


def _size(t: _Term) -> Parsed:
    s: _Term = t.paren[1]  # type: ignore[index, assignment]
    return Parsed(s.code, s.dimension, s.factor * (s.quantity or 1) * (s.multiplier or 1))


def _alone(t: _Term) -> Parsed:
    """One term with no slash: read its printed quantity and a size in parentheses."""
    p = _plain(t)
    if t.paren is not None and t.paren[0] == "size":
        size = _size(t)
        if t.quantity is None:  # "bao (50 kg)", "mô hình (20ha)": the thing named by its size
            return Parsed(size.code, size.dimension, size.factor * (p.factor / t.factor if t.factor else 1))
        # "01 bộ (1.000 m²)": so many of the thing for that much coverage
        return Parsed(f"{p.code}_per_{size.code}", f"{p.dimension}_per_{size.dimension}",
                      p.factor * t.quantity / size.factor)
    if t.quantity is None:
        return p
    atom = t.atom
    if t.multiplier is not None or (atom is not None and atom.bare_quantity == "multiply"):
        return Parsed(p.code, p.dimension, p.factor * t.quantity)  # "1.000 đồng"
    if atom is not None and atom.bare_quantity == "basis":  # "1.000m2", "100m3": the basis of the value
        return Parsed(f"per_{p.code}", f"per_{p.dimension}", p.factor / t.quantity)
    if t.quantity == 1:
        return p  # "01 người"
    raise _Fail("a bare quantity of a count is ambiguous")


def _fold(terms: list[_Term]) -> list[_Term | Parsed]:
    """Apply the OR slash rules between neighbours ("lít/kg/ha" → (L or kg) per ha), and the
    product rules when the whole chain is the pair ("Người/ngày")."""
    out: list[_Term | Parsed] = list(terms)
    if len(terms) == 2:
        a, b = terms
        if a.atom and b.atom and a.quantity is None and b.quantity is None and a.paren is None and b.paren is None:
            if (r := _rule(a.atom, b.atom, "times")) is not None:
                return [Parsed(r.code, r.dimension, a.factor * b.factor)]
    if any(a.atom and b.atom and _rule(a.atom, b.atom, "ambiguous") for a, b in zip(terms, terms[1:], strict=False)):
        raise _Fail("an ambiguous slash (slash rules: 'kg/công')")
    i = 0
    while i + 1 < len(out):
        a, b = out[i], out[i + 1]
        if (isinstance(a, _Term) and isinstance(b, _Term) and a.atom and b.atom and b.quantity is None
                and a.paren is None and b.paren is None and _rule(a.atom, b.atom, "or") is not None):
            alt = _or([_plain(a), _plain(b)])
            out[i:i + 2] = [Parsed(alt.code, alt.dimension, alt.factor * (a.quantity or 1))]
            continue
        i += 1
    return out


def _chain(terms: list[_Term]) -> Parsed:
    parts = _fold(terms)
    if len(parts) == 1:
        p = parts[0]
        return p if isinstance(p, Parsed) else _alone(p)
    num = parts[0]
    if isinstance(num, _Term):
        n = _size(num) if num.paren is not None and num.paren[0] == "size" and num.quantity is None else _plain(num)
        n = Parsed(n.code, n.dimension, n.factor * (num.quantity or 1))
    else:
        n = num
    code, dim, factor = [n.code], [n.dimension], n.factor
    for d in parts[1:]:
        if isinstance(d, _Term):
            dp = _plain(d)  # a size after a denominator only describes it: "(1.000m2)" after "mh"
            factor /= dp.factor * (d.quantity or 1)
        else:
            dp = d
            factor /= dp.factor
        code.append(dp.code)
        dim.append(dp.dimension)
    return Parsed("_per_".join(code), "_per_".join(dim), factor)


def _tidy(d: Decimal) -> Decimal:
    return Decimal(int(d)) if d == d.to_integral_value() else d.normalize()


def parse_unit_key(key: str) -> Parsed | None:
    """The canonical code, dimension and factor of one normalized unit key, or None when the
    grammar does not cover it (never a guess)."""
    if not key:
        return None
    toks = _tokens(key)
    if toks and toks[0][0] == "(" and toks[-1][0] == ")" and sum(t[0] in "()" for t in toks) == 2:
        toks = toks[1:-1]  # "(đồng/người/ngày)": a whole unit printed in parentheses, as headers print it
    if not toks:
        return None
    try:
        chains = _Parser(toks).unit()
        parsed = [_chain(c) for c in chains]
        p = parsed[0] if len(parsed) == 1 else _or(parsed)
    except (_Fail, ArithmeticError):
        return None
    if p.factor <= 0:
        return None
    return Parsed(p.code, p.dimension, _tidy(p.factor))
