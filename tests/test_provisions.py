"""One home for the patterns over the names of provisions (Phụ lục, Phần, Chương, Mục, Điều,
khoản, điểm): ``pipeline/core/provisions.py``, built from ``schemas/vocabulary.yaml``. No other
module of pipeline/, extractors/ or flows/ spells these words in a regular expression."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

from pipeline.core import provisions
from pipeline.core.vocabulary import provision_words

REPO = Path(__file__).resolve().parent.parent
HOME = REPO / "pipeline" / "core" / "provisions.py"
_RE_FUNCS = {"compile", "match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def _regex_texts(tree: ast.AST) -> list[tuple[int, str]]:
    """The literal text of every pattern given to a ``re`` function (f-string parts included)."""
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RE_FUNCS
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args):
            pat = node.args[0]
            parts = [pat] if isinstance(pat, ast.Constant) else list(pat.values) if isinstance(pat, ast.JoinedStr) else []
            text = "".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
            out.append((node.lineno, text))
    return out


def _spellings() -> list[re.Pattern[str]]:
    """Each provision word as a regex would spell it: printed (any case), or loose (ph[uụ]\\s*l[uụ]c)."""
    out = []
    for word in provision_words().values():
        low = unicodedata.normalize("NFC", word.lower())
        spaced = r"(?:\\s[*+]|\s)".join(re.escape(w) for w in low.split())
        out.append(re.compile(rf"(?<![a-zà-ỹđ]){spaced}(?![a-zà-ỹđ])"))
        out.append(re.compile(re.escape(provisions.loose(word))))
    return out


def test_the_home_builds_the_patterns_from_the_vocabulary() -> None:
    assert provisions.APPENDIX_HEADING.match("PHỤ LỤC II") and provisions.APPENDIX_HEADING.match("Phụ lục số 2:")
    assert not provisions.APPENDIX_HEADING.match("Phụ lục II kèm theo Quyết định")
    assert provisions.ARTICLE_HEADING.match("Điều 3a. Sửa đổi")[1] == "Điều 3a"
    assert provisions.APPENDIX_LABEL.match("phu luc IV")[1] == "IV"
    assert provisions.APPENDIX_LABEL.match("Phụlục 2")[1] == "2"
    assert provisions.loose("Phụ lục") == r"ph[uụ]\s*l[uụ]c"


@pytest.mark.parametrize("root", ["pipeline", "extractors", "flows"])
def test_no_other_module_spells_a_provision_name_in_a_pattern(root: str) -> None:
    spellings = _spellings()
    found = []
    for path in sorted((REPO / root).rglob("*.py")):
        if path == HOME:
            continue
        for line, text in _regex_texts(ast.parse(path.read_text(encoding="utf-8"))):
            low = unicodedata.normalize("NFC", text.lower())
            if any(s.search(low) for s in spellings):
                found.append(f"{path.relative_to(REPO)}:{line}: {text}")
    assert not found, "use pipeline.core.provisions instead:\n" + "\n".join(found)


def test_the_check_finds_a_pattern_that_spells_one() -> None:
    tree = ast.parse('import re\nX = re.compile(r"^\\s*Điều\\s+\\d+")\nY = re.sub(rf"(?i)ph[uụ]\\s*l[uụ]c{1}", "", s)\n')
    texts = [t for _l, t in _regex_texts(tree)]
    assert all(any(s.search(t.lower()) for s in _spellings()) for t in texts) and len(texts) == 2
