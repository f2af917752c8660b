"""The one home of the patterns over the names of a document's provisions (appendix, part,
chapter, section, article, clause, point), built from the words in ``schemas/vocabulary.yaml``
(``provisions``). No other module spells these words in a pattern (``tests/test_provisions.py``
checks every regex of the code base); they import the patterns or the fragments below.

Fragments (regex source, to compose into a module's own pattern):

- ``ARTICLE``, ``CLAUSE``, ``POINT``, ``APPENDIX``, ``PART``, ``CHAPTER``, ``SECTION``: the word as
  printed in sentence case ("Điều", "khoản", "Phụ lục"); ``APPENDIX_UPPER``: in capitals ("PHỤ LỤC").
- ``SECTION_ANY_INITIAL``: "Mục" or "mục" (a section is cited mid-sentence in lower case).
- ``APPENDIX_SPACED``: "Phụ lục" with any spacing between its syllables ("Phụlục" in a text layer).
- ``APPENDIX_LOOSE``, ``SECTION_LOOSE``: lower case, the dot below optional and syllables glued or
  spaced ("ph[uụ]\\s*l[uụ]c"): for labels already read, matched with ``(?i)``.

Patterns: ``APPENDIX_HEADING`` (a line that is only an appendix label: "PHỤ LỤC II", "Phụ lục số 2:"),
``ARTICLE_HEADING`` ("Điều 3a." opening a line), ``APPENDIX_LABEL`` ("Phụ lục I" → group 1 "I").
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.core.vocabulary import provision_words

__all__ = ["APPENDIX", "APPENDIX_HEADING", "APPENDIX_LABEL", "APPENDIX_LOOSE", "APPENDIX_SPACED",
           "APPENDIX_UPPER", "ARTICLE", "ARTICLE_HEADING", "CHAPTER", "CLAUSE", "PART", "POINT", "SECTION",
           "SECTION_ANY_INITIAL", "SECTION_LOOSE", "loose"]

_WORDS = provision_words()


def _fragment(word: str, spacing: str = r"\s+") -> str:
    return spacing.join(re.escape(w) for w in word.split())


def loose(word: str) -> str:
    """Lower case, each marked vowel also without its dot below, syllables glued or spaced:
    "Phụ lục" → ``ph[uụ]\\s*l[uụ]c`` (for labels already read; match with ``(?i)``)."""
    out = []
    for ch in unicodedata.normalize("NFC", word.lower()):
        base = unicodedata.normalize("NFD", ch)[0]
        if ch.isspace():
            out.append(r"\s*")
        elif base != ch:
            out.append(f"[{base}{ch}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


ARTICLE = _fragment(_WORDS["article"])
CLAUSE = _fragment(_WORDS["clause"])
POINT = _fragment(_WORDS["point"])
APPENDIX = " ".join(_WORDS["appendix"].split())
APPENDIX_UPPER = APPENDIX.upper()
APPENDIX_SPACED = _fragment(_WORDS["appendix"], r"\s*")
APPENDIX_LOOSE = loose(_WORDS["appendix"])
PART = _fragment(_WORDS["part"])
CHAPTER = _fragment(_WORDS["chapter"])
SECTION = _fragment(_WORDS["section"])
SECTION_ANY_INITIAL = f"[{SECTION[0]}{SECTION[0].lower()}]{SECTION[1:]}"
SECTION_LOOSE = loose(_WORDS["section"])

_NUMBER_WORD = "số"  # "PHỤ LỤC SỐ 2", "Phụ lục số 2"
APPENDIX_HEADING = re.compile(
    rf"^[“\"]?({APPENDIX_UPPER}|{APPENDIX}|{APPENDIX_UPPER} {_NUMBER_WORD.upper()}|{APPENDIX} {_NUMBER_WORD})"
    r"(\s+([IVXLC]+|\d+))?\s*:?\s*$")
ARTICLE_HEADING = re.compile(rf"^[“\"]?({ARTICLE}\s+\d+[a-z]?)\s*[.:]")
APPENDIX_LABEL = re.compile(rf"(?i)^\s*{APPENDIX_LOOSE}\s+([IVXLC]+|\d+)\b")
