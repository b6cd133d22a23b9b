"""The deadline vocabulary of :mod:`domain.capture`: word tables and phrase rules.

A rule is a pattern over words plus a builder from :mod:`domain.capture_time`. Pattern
syntax, one element per word, separated by spaces:

* ``on|by|until`` - one of these literal words;
* ``{name}`` - a word class (a table below: word -> value) or a predicate (a function over
  the word), whose value is captured and passed to the builder in order;
* a trailing ``?`` makes the element optional; ``|`` also mixes literals and classes.

Words are compared lowercased, with trailing punctuation stripped; Polish words also match
without diacritics ("piatek", "do konca tygodnia"), because people type them that way.
The prepositions are part of the rules, so "Call Ivan on Friday" loses the "on" together
with the weekday. Each language's prepositions only combine with that language's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from domain import capture_time as t

_PL_FOLD = str.maketrans("ąćęłńóśźż", "acelnoszz")


def fold_pl(word: str) -> str:
    """Polish without diacritics (the way many people type on a phone)."""
    return word.translate(_PL_FOLD)


def _table(pairs: str) -> dict[str, int]:
    """``"monday mon=0 tuesday=1"`` style: words before ``=N`` all get value N."""
    out: dict[str, int] = {}
    pending: list[str] = []
    for item in pairs.split():
        word, _, value = item.partition("=")
        pending.append(word)
        if value:
            for w in pending:
                out[w] = int(value)
                out.setdefault(fold_pl(w), int(value))
            pending = []
    return out


# --- word classes -------------------------------------------------------------------------

CLASSES: dict[str, Mapping[str, int]] = {
    "en_wd": _table(
        "monday mon=0 tuesday tue tues=1 wednesday wed=2 thursday thu thur thurs=3 "
        "friday fri=4 saturday=5 sunday=6"
    ),
    # "sat" and "sun" are ordinary English words; they count only after a preposition.
    "en_wd_short": _table("sat=5 sun=6"),
    "en_rel": _table("yesterday=-1 today=0 tomorrow tmrw tmr=1"),
    "en_part": _table("morning=0 afternoon=1 evening=2"),
    "en_month": _table(
        "january jan=1 february feb=2 march mar=3 april apr=4 may=5 june jun=6 july jul=7 "
        "august aug=8 september sep sept=9 october oct=10 november nov=11 december dec=12"
    ),
    "ampm": _table("am a.m=0 pm p.m=12"),
    "pl_wd": _table(
        "poniedziałek=0 wtorek=1 środa środę=2 czwartek=3 piątek=4 sobota sobotę=5 "
        "niedziela niedzielę=6"
    ),
    "pl_wd_gen": _table("poniedziałku=0 wtorku=1 środy=2 czwartku=3 piątku=4 soboty=5 niedzieli=6"),
    "pl_rel": _table("przedwczoraj=-2 wczoraj=-1 dziś dzisiaj=0 jutro=1 pojutrze=2"),
    "pl_rel_gen": _table("dziś dzisiaj=0 jutra=1 pojutrza=2"),
    "pl_month": _table(
        "stycznia=1 lutego=2 marca=3 kwietnia=4 maja=5 czerwca=6 lipca=7 sierpnia=8 "
        "września=9 października=10 listopada=11 grudnia=12"
    ),
    "ru_wd": _table(
        "понедельник=0 вторник=1 среда среду=2 четверг=3 пятница пятницу=4 "
        "суббота субботу=5 воскресенье=6"
    ),
    "ru_wd_gen": _table(
        "понедельника=0 вторника=1 среды=2 четверга=3 пятницы=4 субботы=5 воскресенья=6"
    ),
    "ru_wd_dat": _table(
        "понедельнику=0 вторнику=1 среде=2 четвергу=3 пятнице=4 субботе=5 воскресенью=6"
    ),
    "ru_rel": _table("позавчера=-2 вчера=-1 сегодня=0 завтра=1 послезавтра=2"),
    "ru_month": _table(
        "января янв=1 февраля фев=2 марта мар=3 апреля апр=4 мая=5 июня июн=6 июля июл=7 "
        "августа авг=8 сентября сен сент=9 октября окт=10 ноября ноя нояб=11 декабря дек=12"
    ),
    "numword": _table(
        "a an one=1 two=2 three=3 four=4 five=5 six=6 seven=7 eight=8 nine=9 ten=10 "
        "jeden jedną jedna=1 dwa dwie=2 trzy=3 cztery=4 pięć=5 sześć=6 siedem=7 osiem=8 "
        "dziewięć=9 dziesięć=10 "
        "один одну одна=1 два две пару=2 три=3 четыре=4 пять=5 шесть=6 семь=7 восемь=8 "
        "девять=9 десять=10"
    ),
}


# --- predicates (numbers and numeric forms) -----------------------------------------------
# Cached: the same few words ("9:00", "28.11") recur across messages, and the matcher asks
# several predicates about every word.

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_CLOCK_DOT = re.compile(r"([0-9]{1,2})\.([0-9]{2})")
_CLOCK12 = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?(am|pm|a\.m|p\.m)")
_DAYNUM = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th|-?го|-?e|-?ego)?")
_DMY = re.compile(r"([0-9]{1,2})([./])([0-9]{1,2})(?:\2([0-9]{4}|[0-9]{2}))?")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


@lru_cache(maxsize=8192)
def _p_clock(word: str) -> int | None:
    m = _CLOCK.fullmatch(word)
    if m is None:
        return None
    h, mi = int(m[1]), int(m[2])
    return h * 60 + mi if h <= 23 and mi <= 59 else None


@lru_cache(maxsize=8192)
def _p_clock_dot(word: str) -> int | None:
    m = _CLOCK_DOT.fullmatch(word)
    if m is None:
        return None
    h, mi = int(m[1]), int(m[2])
    return h * 60 + mi if h <= 23 and mi <= 59 else None


@lru_cache(maxsize=8192)
def _p_clock12(word: str) -> int | None:
    m = _CLOCK12.fullmatch(word)
    if m is None:
        return None
    h, mi = int(m[1]), int(m[2] or 0)
    if not (1 <= h <= 12 and mi <= 59):
        return None
    return (h % 12 + (12 if m[3].startswith("p") else 0)) * 60 + mi


def _p_hour(word: str) -> int | None:
    if len(word) <= 2 and word.isascii() and word.isdigit():
        value = int(word)
        return value if value <= 23 else None
    return None


def _p_hour12m(word: str) -> int | None:
    """A 1-12 hour before am/pm, as minutes (the "ampm" builder takes minutes)."""
    value = _p_hour(word)
    return value * 60 if value is not None and 1 <= value <= 12 else None


def _p_count(word: str) -> int | None:
    if len(word) <= 3 and word.isascii() and word.isdigit():
        return int(word)
    return None


@lru_cache(maxsize=8192)
def _p_daynum(word: str) -> int | None:
    m = _DAYNUM.fullmatch(word)
    if m is None:
        return None
    value = int(m[1])
    return value if 1 <= value <= 31 else None


def _p_year(word: str) -> int | None:
    if len(word) == 4 and word.isascii() and word.isdigit():
        value = int(word)
        return value if 1900 <= value <= 2999 else None
    return None


@lru_cache(maxsize=8192)
def _p_numdate(word: str) -> int | None:
    m = _DMY.fullmatch(word)
    if m is not None and (m[4] or len(m[1]) + len(m[3]) > 2):
        # "1.5" or "1/2" is a number far more often than 1 May or 1 February.
        return t.encode_numeric_date(int(m[1]), int(m[3]), int(m[4] or 0), m[2] == "/")
    m = _ISO.fullmatch(word)
    if m is not None:
        return t.encode_numeric_date(int(m[3]), int(m[2]), int(m[1]), False)
    return None


PREDICATES: dict[str, Callable[[str], int | None]] = {
    "clock": _p_clock,
    "clock_dot": _p_clock_dot,
    "clock12": _p_clock12,
    "hour": _p_hour,
    "hour12m": _p_hour12m,
    "n": _p_count,
    "daynum": _p_daynum,
    "year": _p_year,
    "numdate": _p_numdate,
}


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string (the tables read better that way)."""
    return frozenset(text.split())


# After a bare hour ("в 2", "o 5") these words show a count, not a time: "в 2 раза".
NOT_AFTER_BARE_HOUR = word_set(
    "раз раза разов raz razy times x % procent процента процентов percent"
)

# Words written with a full stop ("godz.", "p.m.", "дек."): the stop is part of the word.
ABBREVIATIONS = word_set(
    "godz a.m p.m след г r jan feb mar apr jun jul aug sep sept oct nov dec "
    "янв фев мар апр июн июл авг сен сент окт ноя нояб дек tue tues wed thu thur thurs fri mon"
)

# "every Monday" / "co piątek" / "каждую пятницу" repeat; they are not a deadline.
RECURRING = word_set("every each co każdy każdą każde каждый каждую каждое каждого каждой")


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: str
    build: t.Builder
    # A bare hour ("at 9", "в 9", "o 9"): refused before NOT_AFTER_BARE_HOUR words.
    bare_hour: bool = False
    # Words that, right after the phrase, show it is not a date ("днём рождения").
    refused_before: frozenset[str] = frozenset()


N = "{n}|{numword}"

# Prepositions in front of a date, per language.
EN_DP = "due? on|by|until|till|for?"
PL_DP = "do|na|dnia|najpóźniej?"
RU_DP = "до|к|ко|на?"

_EOD, _EOW, _EOM, _NW = t.end_of_day(), t.end_of_week(), t.end_of_month(), t.next_week()
_NEAR, _NEXT = t.weekday(), t.weekday(next_week=True)
_REL, _NUMDATE, _CLOCK_B = t.relative_day(), t.numeric_date(), t.clock()

RULES: tuple[Rule, ...] = (
    # --- English: days -------------------------------------------------------------------
    Rule("by|until|till|for? {en_rel}", _REL),
    Rule("by|until|till|for|on? the? day after tomorrow", t.relative_day(2)),
    Rule("due? on|by|until|till|for? this? {en_wd}", _NEAR),
    Rule("due? on|by|until|till|for this? {en_wd_short}", _NEAR),
    Rule("due? on|by|until|till|for? next {en_wd}|{en_wd_short}", _NEXT),
    Rule("by|until|till|for? next week", _NW),
    Rule("due? by|until|till|before? the? end of the|this? day", _EOD),
    Rule("due? by|until|till|before? end of today", _EOD),
    Rule("due? by|until|till|before? eod|cob|eob", _EOD),
    Rule("due? by|until|till|before? the? end of the|this? week", _EOW),
    Rule("due? by|until|till|before? eow", _EOW),
    Rule("this week", _EOW),
    Rule("due? by|until|till|before? the? end of the|this? month", _EOM),
    Rule("due? by|until|till|before? eom", _EOM),
    Rule(f"in|within {N} day|days", t.in_units("days")),
    Rule(f"in|within {N} week|weeks", t.in_units("weeks")),
    Rule(f"in|within {N} month|months", t.in_units("months")),
    Rule(f"in|within {N} hour|hours|hr|hrs", t.in_units("hours")),
    Rule(f"in|within {N} minute|minutes|min|mins", t.in_units("minutes")),
    Rule(f"{EN_DP} the? {{numdate}}", _NUMDATE),
    Rule(f"{EN_DP} the? {{daynum}} of? {{en_month}}", t.day_month("dm")),
    Rule(f"{EN_DP} the? {{daynum}} of? {{en_month}} {{year}}", t.day_month("dmy")),
    Rule(f"{EN_DP} {{en_month}} {{daynum}}", t.day_month("md")),
    Rule(f"{EN_DP} {{en_month}} {{daynum}} {{year}}", t.day_month("mdy")),
    # --- English: times ------------------------------------------------------------------
    Rule("at|by|until|till|before? {clock}|{clock12}", _CLOCK_B),
    Rule("at|by|until|till|before? {hour12m}|{clock} {ampm}", t.hour("ampm")),
    Rule("at {hour}", t.hour("bare"), bare_hour=True),
    Rule("at {clock_dot}", _CLOCK_B),
    Rule("at|by|until|till|before? noon|midday", t.hour("noon")),
    # Times of day by name: bare "morning" is too often a noun ("morning standup"), so
    # English needs "in the", "this" or a day before it.
    Rule("in the {en_part}", t.day_part()),
    Rule("this {en_part}", t.day_part()),
    Rule("tonight", t.day_part(2)),
    Rule("by|until|till|for? {en_rel} {en_part}", t.day_with_part()),
    Rule("due? on|by|until|till|for? this? {en_wd} {en_part}", t.day_with_part(weekday_first=True)),
    # --- Polish: days --------------------------------------------------------------------
    Rule("na|najpóźniej? {pl_rel}", _REL),
    Rule("do {pl_rel_gen}", _REL),
    Rule("w|we|na? ten|tę|tą? {pl_wd}", _NEAR),
    Rule("w|we|na przyszły|przyszłą|następny|następną|kolejny|kolejną {pl_wd}", _NEXT),
    Rule("do przyszłego|następnego|przyszłej|następnej {pl_wd_gen}", _NEXT),
    Rule("do {pl_wd_gen}", _NEAR),
    Rule("w przyszłym|następnym|kolejnym tygodniu", _NW),
    Rule("na|do? przyszły|następny|kolejny tydzień", _NW),
    Rule("do przyszłego|następnego|kolejnego tygodnia", _NW),
    Rule("do|na? końca|koniec dnia roboczego|dzisiaj?", _EOD),
    Rule("do|na? końca|koniec tego? tygodnia", _EOW),
    Rule("w tym tygodniu", _EOW),
    Rule("do|na? końca|koniec tego? miesiąca", _EOM),
    Rule("za dzień|dobę", t.in_units("days", 1)),
    Rule(f"za {N} dni|dzień|doby", t.in_units("days")),
    Rule("za tydzień", t.in_units("weeks", 1)),
    Rule(f"za {N} tygodnie|tygodni|tydzień", t.in_units("weeks")),
    Rule("za miesiąc", t.in_units("months", 1)),
    Rule(f"za {N} miesiące|miesięcy|miesiąc", t.in_units("months")),
    Rule("za godzinę", t.in_units("hours", 1)),
    Rule(f"za {N} godziny|godzin|godzinę|godz", t.in_units("hours")),
    Rule("za pół godziny", t.in_units("minutes", 30)),
    Rule(f"za {N} minut|minuty|minutę|min", t.in_units("minutes")),
    Rule(f"{PL_DP} {{numdate}}", _NUMDATE),
    Rule("w dniu {numdate}", _NUMDATE),
    Rule("do dnia {numdate}", _NUMDATE),
    Rule(f"{PL_DP} {{daynum}} {{pl_month}}", t.day_month("dm")),
    Rule(f"{PL_DP} {{daynum}} {{pl_month}} {{year}} r|roku?", t.day_month("dmy")),
    # --- Polish: times -------------------------------------------------------------------
    Rule("o|do|na|przed? {clock}", _CLOCK_B),
    Rule("o|do|na|przed? godz|godzinie|godziny {clock}|{clock_dot}", _CLOCK_B),
    Rule("o|do|na|przed? godz|godzinie|godziny {hour}", t.hour("24h")),
    Rule("o {hour}", t.hour("bare"), bare_hour=True),
    Rule("o {clock_dot}", _CLOCK_B),
    Rule("o {hour} rano", t.hour("morning")),
    Rule("o {hour} po południu", t.hour("afternoon")),
    Rule("o {hour} wieczorem|wieczór", t.hour("evening")),
    Rule("w południe", t.hour("noon")),
    Rule("rano|rankiem", t.day_part(0)),
    Rule("po południu", t.day_part(1)),
    Rule("wieczorem", t.day_part(2)),
    # --- Russian: days -------------------------------------------------------------------
    Rule("на? {ru_rel}", _REL),
    Rule("до {ru_rel}", _REL),
    Rule("в|во|на? эту|этот|это? {ru_wd}", _NEAR),
    Rule("в|во|на следующий|следующую|следующее|след {ru_wd}", _NEXT),
    Rule("до {ru_wd_gen}", _NEAR),
    Rule("до следующего|следующей|след {ru_wd_gen}", _NEXT),
    Rule("к|ко {ru_wd_dat}", _NEAR),
    Rule("к|ко следующему|следующей|след {ru_wd_dat}", _NEXT),
    Rule("на следующей|след неделе", _NW),
    Rule("на следующую неделю", _NW),
    Rule("до|к следующей недели|неделе", _NW),
    Rule("до|к|в? конца|концу|конце|конец рабочего? дня", _EOD),
    Rule("до|к|в? конца|концу|конце|конец этой? недели", _EOW),
    Rule("на этой неделе", _EOW),
    Rule("до|к|в? конца|концу|конце|конец этого? месяца", _EOM),
    Rule("через сутки", t.in_units("days", 1)),
    Rule(f"через {N} день|дня|дней|суток", t.in_units("days")),
    Rule("через неделю", t.in_units("weeks", 1)),
    Rule(f"через {N} неделю|недели|недель", t.in_units("weeks")),
    Rule("через месяц", t.in_units("months", 1)),
    Rule(f"через {N} месяц|месяца|месяцев", t.in_units("months")),
    Rule("через час", t.in_units("hours", 1)),
    Rule(f"через {N} час|часа|часов", t.in_units("hours")),
    Rule("через полчаса", t.in_units("minutes", 30)),
    Rule(f"через {N} минуту|минуты|минут|мин", t.in_units("minutes")),
    Rule(f"{RU_DP} {{numdate}}", _NUMDATE),
    Rule(f"{RU_DP} {{daynum}} {{ru_month}}", t.day_month("dm")),
    Rule(f"{RU_DP} {{daynum}} {{ru_month}} {{year}} г|года?", t.day_month("dmy")),
    # --- Russian: times ------------------------------------------------------------------
    Rule("в|во|к|до|на? {clock}", _CLOCK_B),
    Rule("в|к {hour}", t.hour("bare"), bare_hour=True),
    Rule("в|к {hour} час|часа|часов", t.hour("bare")),
    Rule("в|к {clock_dot}", _CLOCK_B),
    Rule("в|к {hour} утра", t.hour("morning")),
    Rule("в|к {hour} дня", t.hour("afternoon")),
    Rule("в|к {hour} вечера", t.hour("evening")),
    Rule("в|к {hour} ночи", t.hour("night")),
    Rule("в|к полдень|полудню", t.hour("noon")),
    Rule("утром", t.day_part(0)),
    Rule("днём|днем", t.day_part(1), refused_before=word_set("рождения рожденья")),
    Rule("вечером", t.day_part(2)),
)
