"""Text analysis shared by indexing and querying (pure functions).

Chinese has no spaces, so Chinese text is indexed as single characters plus overlapping character
bigrams: ``前刹车片`` → ``前 刹 车 片 前刹 刹车 车片``. A query ``刹车片`` becomes the phrase
``刹车 车片``, which matches ``前刹车片`` (partial words) but not ``刹车盘``. Latin text is lower-cased
words; the database stems them (FTS5 porter, PostgreSQL english), so ``pads`` finds ``pad``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[a-z0-9]+")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def cjk_runs(text: str) -> list[str]:
    return CJK_RUN.findall(_norm(text))


def latin_words(text: str) -> list[str]:
    return LATIN_WORD.findall(_norm(text))


def zh_document(*texts: str | None, singles: bool = True) -> str:
    """Index form of Chinese text: bigrams of each run in order, then the single characters — all of
    them with ``singles``, else only runs of one character (a one-character query word is matched
    against the title; the characters of category names, 系 of 制动系统 in every brake part, would make
    long posting lists that every query with such a character has to walk)."""
    bigrams: list[str] = []
    chars: list[str] = []
    for text in texts:
        for run in cjk_runs(text or ""):
            bigrams.extend(run[i : i + 2] for i in range(len(run) - 1))
            if singles or len(run) == 1:
                chars.extend(run)
    return " ".join(bigrams + chars)


def en_document(*texts: str | None) -> str:
    return " ".join(w for t in texts for w in latin_words(t or ""))


@dataclass
class ParsedQuery:
    """A user query split into Chinese phrases (bigram sequences or single characters) and words."""

    zh_phrases: list[list[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)
    # The last word is matched as a prefix (someone still typing it): set when it has 3 or more letters
    # and the vocabulary does not know it (a known word is matched whole, stemmed: "pads" finds "pad").
    prefix_last: bool = False

    @property
    def empty(self) -> bool:
        return not self.zh_phrases and not self.words


def parse_query(q: str) -> ParsedQuery:
    parsed = ParsedQuery()
    for run in cjk_runs(q):
        parsed.zh_phrases.append([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    parsed.words = [w for w in latin_words(q) if w]
    parsed.prefix_last = bool(parsed.words) and len(parsed.words[-1]) >= 3
    return parsed
