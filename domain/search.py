"""Word-form-insensitive search: Snowball stems for en, pl and ru stored beside the text.

"praca" finds "pracy" and "pracę"; "работа" finds "работы". Latin words are
stemmed as English and Polish both (a word's language is not known); Cyrillic
words as Russian. A task matches when every query word shares a stem with it.

Names and other proper nouns: Snowball cuts them unevenly ("Иван" -> "ива" but
"Ивану" -> "иван"; "Tomasz" -> "tom" but "Tomasza" -> "toma"), so a capitalised word of a
task is also stored as it is and with each declension ending it may have cut off
("Ивану" -> "ивану", "иван"), and every query word is tried those ways too: "/search
Ивана" finds "Позвонить Ивану", "Tomasza" finds "Tomasz". Only capitalised words of the
text get these extra terms (few per task); a query may be typed in lower case.
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


# Case endings of nouns and names, Russian and Polish: "Ивана", "Ивану", "Иваном",
# "Марией", "Достоевского"; "Tomasza", "Nowakowi", "Kowalskiej". Each one a word ends with
# gives a stem (the rest must keep _MIN_NAME letters); a word and its other forms share one.
# fmt: off
_RU_ENDINGS = (
    "ами", "ями", "ого", "его", "ому", "ему", "ием", "ией", "ой", "ей", "ом", "ем", "ым", "им",
    "ых", "их", "ах", "ях", "ам", "ям", "ий", "ый", "ия", "ию", "ии", "ие",
    "а", "я", "у", "ю", "е", "ы", "и", "о", "ь", "й",
)
_PL_ENDINGS = (
    "owi", "iem", "ego", "emu", "ami", "ach", "ej", "em", "ie", "ym", "im", "om",
    "ą", "ę", "a", "u", "y", "i", "o",
)
# fmt: on
_MIN_NAME = 3


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


@lru_cache(maxsize=65536)
def name_stems(word: str) -> frozenset[str]:
    """A name's forms: the word itself and the word without each ending it may have."""
    word = word.lower().replace("ё", "е")
    endings = _RU_ENDINGS if _CYRILLIC.search(word) else _PL_ENDINGS
    stems = {word} | {
        word[: -len(e)] for e in endings if word.endswith(e) and len(word) - len(e) >= _MIN_NAME
    }
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
                if word[:1].isupper():
                    terms |= name_stems(word)
    return terms


def query_groups(query: str) -> list[frozenset[str]]:
    """One group of alternative stems per query word; each group must match."""
    return [word_stems(w) | name_stems(w) for w in dict.fromkeys(words(query))]
