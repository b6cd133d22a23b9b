"""Date ranges as people write them in a request form, in English, Polish and Russian.

    21.12-23.12 · 21-23.12 · 1.12.2026 - 5.12.2026 · 2026-12-01..2026-12-05
    od 21 do 23 grudnia · 21 grudnia - 3 stycznia · z 21 grudnia
    с 21 по 23 декабря · 21-23 дек. · с 28 декабря по 3 января 2027
    Dec 21-23 · from December 21 to 23 · 21st-23rd Dec · Dec 28 - Jan 3

A single date is a one-day range. Pure: no I/O; ``today`` (the member's local date)
decides the year of a date written without one (the nearest such date, never months in
the past). Task deadlines are parsed elsewhere (``domain.capture``): this reads only
ranges of whole days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidInput

MAX_DAYS = 366


def _months(spec: str) -> dict[str, int]:
    table: dict[str, int] = {}
    for number, names in enumerate(spec.split("|"), 1):
        for name in names.split():
            table[name] = number
    return table


MONTHS = _months(
    # English
    "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug|"
    "september sep sept|october oct|november nov|december dec"
)
for _lang_months in (
    # Polish: nominative, genitive, short
    "styczeń styczen stycznia sty|luty lutego lut|marzec marca|kwiecień kwiecien kwietnia kwi|"
    "maj maja|czerwiec czerwca cze|lipiec lipca lip|sierpień sierpien sierpnia sie|"
    "wrzesień wrzesien września wrzesnia wrz|październik pazdziernik października "
    "pazdziernika paź paz|listopad listopada lis|grudzień grudzien grudnia gru",
    # Russian: nominative, genitive, short
    "январь января янв|февраль февраля фев|март марта|апрель апреля апр|май мая|"
    "июнь июня июн|июль июля июл|август августа авг|сентябрь сентября сен сент|"
    "октябрь октября окт|ноябрь ноября ноя нояб|декабрь декабря дек",
):
    for _name, _number in _months(_lang_months).items():
        MONTHS.setdefault(_name, _number)

# Words that only join the two ends ("from … to …"), in any of the three languages.
CONNECTORS = frozenset(
    {
        *("from", "to", "till", "until", "through", "thru", "and", "on", "the"),
        *("od", "do", "z", "ze", "dnia", "dni", "roku", "r"),
        *("с", "со", "по", "до", "от", "года", "г"),
    }
)

_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\.\.|[^\s,;\-–—]+")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?\.?")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|\.|-?го|-?e|-?ego)?")
_YEAR = re.compile(r"(\d{4})(?:r\.?|г\.?)?")


@dataclass
class _Part:
    day: int
    month: int | None = None
    year: int | None = None


def parse_range(text: str, today: date) -> tuple[date, date]:
    """The first and last day; InvalidInput(reason=...) names what is wrong:
    ``not_a_date_range``, ``end_before_start``, ``too_long_range``."""
    parts = _parts(text)
    if parts is None or not 1 <= len(parts) <= 2:
        raise InvalidInput(reason="not_a_date_range", value=text)
    first, last = parts[0], parts[-1]
    # "21-23.12": the start takes the end's month; "Dec 21-23": the end the start's.
    first.month = first.month or last.month
    last.month = last.month or first.month
    try:
        if first.month is None or last.month is None:
            # "od 21 do 23": this month, or the next one if those days are over
            start, end = _days_only(first.day, last.day, today)
        else:
            start = _start(first, last, today)
            end = start if last is first else _end(start, last)
    except ValueError:  # 31.02, 0.12, a 13th month
        raise InvalidInput(reason="not_a_date_range", value=text) from None
    if end < start:
        raise InvalidInput(reason="end_before_start", value=text)
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(reason="too_long_range", value=text)
    return start, end


def _start(first: _Part, last: _Part, today: date) -> date:
    assert first.month is not None and last.month is not None
    if first.year is not None:
        return date(first.year, first.month, first.day)
    if last is not first and last.year is not None:
        # only the end names the year: "28.12-03.01.2027" starts in 2026
        year = last.year - 1 if first.month > last.month else last.year
        return date(year, first.month, first.day)
    candidate = date(today.year, first.month, first.day)
    if candidate < today - timedelta(days=60):  # never months in the past
        candidate = date(today.year + 1, first.month, first.day)
    return candidate


def _end(start: date, last: _Part) -> date:
    assert last.month is not None
    if last.year is not None:
        return date(last.year, last.month, last.day)
    # no year: the end follows the start, across the new year if its month comes earlier
    return date(start.year + (1 if last.month < start.month else 0), last.month, last.day)


def _month_after(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def _days_only(first: int, last: int, today: date) -> tuple[date, date]:
    year, month = today.year, today.month
    for _ in range(2):
        start = date(year, month, first)
        end = date(year, month, last) if last >= first else date(*_month_after(start), last)
        if end >= today:
            return start, end
        year, month = _month_after(start)
    return start, end


def _parts(text: str) -> list[_Part] | None:
    """The dates written, in order; None when a word is neither a date nor a connector."""
    parts: list[_Part] = []
    month_first: int | None = None  # "Dec" before "21"
    previous_was_day = False
    for raw in _TOKEN.findall(text.casefold().replace("..", " .. ")):
        token = raw.strip(".")
        if not token or token in CONNECTORS:
            previous_was_day = False
            continue
        iso = _ISO.fullmatch(raw)
        dmy = _DMY.fullmatch(raw)
        day = _DAY.fullmatch(raw)
        year = _YEAR.fullmatch(raw)
        if iso:
            parts.append(_Part(int(iso[3]), int(iso[2]), int(iso[1])))
        elif dmy:
            value = int(dmy[3]) if dmy[3] else None
            if value is not None and value < 100:
                value += 2000
            parts.append(_Part(int(dmy[1]), int(dmy[2]), value))
        elif year and parts:
            if parts[-1].year is None:
                parts[-1].year = int(year[1])  # "21-23 grudnia 2026": the start follows
        elif day and 1 <= int(day[1]) <= 31:
            parts.append(_Part(int(day[1]), month_first))
            month_first = None
            previous_was_day = True
            continue
        elif token in MONTHS:
            if previous_was_day and parts[-1].month is None:
                for part in parts:  # "21-23 grudnia": every day written without a month
                    if part.month is None:
                        part.month = MONTHS[token]
            else:
                month_first = MONTHS[token]
        else:
            return None
        previous_was_day = False
    if month_first is not None:
        return None  # a month with no day after it ("21 Dec - Jan")
    return parts
