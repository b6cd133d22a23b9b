"""Word-form-insensitive search: Snowball stems for en, pl and ru stored beside the text.

"praca" finds "pracy" and "pracę"; "работа" finds "работы". Latin words are
stemmed as English and Polish both (a word's language is not known); Cyrillic
words as Russian. A task matches when every query word shares a stem with it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_MIN_STEM = 2
# A stored term's length (task_terms.term). Stems are cut here, before they are collected
# into a set: two long words that differ only after this many characters are one term,
# which must be stored once. Query stems are cut the same way, so long words still match.
TERM_MAX = 64


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.Stemmer:
    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=65536)
def word_stems(word: str) -> frozenset[str]:
    """All stems a word may have, lower-cased (ё folded into е)."""
    word = word.lower().replace("ё", "е")
    if _CYRILLIC.search(word):
        stems = {_stemmer("russian").stemWord(word)}
    else:
        stems = {_stemmer("english").stemWord(word), _stemmer("polish").stemWord(word)}
    stems = {s for s in stems if len(s) >= _MIN_STEM} or {word}
    return frozenset(s[:TERM_MAX] for s in stems)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def index_terms(*texts: str | None) -> set[str]:
    """Every stem of every word of the texts: what is stored for a task."""
    terms: set[str] = set()
    for text in texts:
        if text:
            for word in words(text):
                terms |= word_stems(word)
    return terms


def query_groups(query: str) -> list[frozenset[str]]:
    """One group of alternative stems per query word; each group must match."""
    return [word_stems(w) for w in dict.fromkeys(words(query))]
