"""Calendar arithmetic behind the deadline phrases of :mod:`domain.capture`.

Every grammar rule in :mod:`domain.capture_grammar` ends in a *builder* from this module:
a function that turns the values captured from the words (a weekday index, a day number,
a count of hours...) into a :class:`Piece`, i.e. a calendar day, a time of day or an exact
moment. Builders return ``None`` for impossible values (31.02, 25:00), which makes the
matcher treat the words as ordinary text. They never raise: dates near the ends of the
calendar are caught here, because ``parse_task`` promises never to raise.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

PieceKind = Literal["day", "clock", "moment"]


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a builder needs to know about "now"."""

    now: datetime  # aware, already converted to the member's zone
    zone: tzinfo
    workday_end: time
    lang: str  # "en" | "pl" | "ru": only used where the languages disagree (US dates)
    # What "morning", "afternoon" and "evening" ("rano", "вечером"...) mean, in this order.
    day_parts: tuple[time, time, time] = (time(9, 0), time(14, 0), time(18, 0))

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass(frozen=True, slots=True)
class Piece:
    """One understood part of a deadline phrase."""

    kind: PieceKind
    day: date | None = None
    clock: time | None = None
    moment: datetime | None = None
    # A date the user wrote out (28.11, 5 December): it wins over a weekday right before it,
    # so "w piątek 28.11" is one deadline rather than a deadline plus a leftover "28.11".
    explicit_day: bool = False


Builder = Callable[[tuple[int, ...], Ctx], "Piece | None"]

# Units of "in N ..." phrases.
Unit = Literal["days", "weeks", "months", "hours", "minutes"]


def _day(d: date | None, *, explicit: bool = False) -> Piece | None:
    return None if d is None else Piece("day", day=d, explicit_day=explicit)


def _plus_days(d: date, days: int) -> date | None:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return None


def _plus_months(d: date, months: int) -> date | None:
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(today: date, month: int, day: int) -> date | None:
    """The next ``day.month`` from today on (today included); 29.02 waits for a leap year."""
    for year in range(today.year, min(today.year + 9, 10000)):
        found = _valid_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


# A day and month without a year that passed this long ago means next year's ("Jan 14"
# written in November); one that passed more recently means this year's, in the past, so
# that "01.12" typed on 5 December is 1 December (and said to be past), never next year.
RECENT_PAST_DAYS = 60


def _nearest(today: date, month: int, day: int) -> date | None:
    """This year's ``day.month`` when it is upcoming or passed recently, else the next one."""
    this_year = _valid_date(today.year, month, day)
    if this_year is not None and (today - this_year).days <= RECENT_PAST_DAYS:
        return this_year
    return _upcoming(today, month, day)


def _monday_next_week(today: date) -> date | None:
    return _plus_days(today, 7 - today.weekday())


# --- builders ---------------------------------------------------------------------------


def relative_day(offset: int | None = None) -> Builder:
    """today / tomorrow / pojutrze...: the offset is fixed or captured."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        n = offset if offset is not None else caps[0]
        return _day(_plus_days(ctx.today, n))

    return build


def weekday(*, next_week: bool = False) -> Builder:
    """A weekday: the nearest one (today included), or the one in next week."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        wanted = caps[-1]
        if next_week:
            monday = _monday_next_week(ctx.today)
            return None if monday is None else _day(_plus_days(monday, wanted))
        return _day(_plus_days(ctx.today, (wanted - ctx.today.weekday()) % 7))

    return build


def next_week() -> Builder:
    """Monday of next week."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        return _day(_monday_next_week(ctx.today))

    return build


def day_part(part: int | None = None) -> Builder:
    """A time of day by its name: 0 morning, 1 afternoon, 2 evening (fixed or captured)."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        index = part if part is not None else caps[-1]
        return Piece("clock", clock=ctx.day_parts[index])

    return build


def day_with_part(*, weekday_first: bool = False) -> Builder:
    """ "tomorrow morning", "friday evening": caps are (day offset | weekday, part)."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        first, index = caps[0], caps[-1]
        offset = (first - ctx.today.weekday()) % 7 if weekday_first else first
        found = _plus_days(ctx.today, offset)
        if found is None:
            return None
        return Piece("moment", moment=datetime.combine(found, ctx.day_parts[index], ctx.zone))

    return build


def end_of_day() -> Builder:
    """Today; the missing time then becomes the end of the working day."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        return _day(ctx.today)

    return build


def end_of_week() -> Builder:
    """Friday of this week; on a weekend this week's Friday is gone, so next week's."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        return _day(_plus_days(ctx.today, (4 - ctx.today.weekday()) % 7))

    return build


def end_of_month() -> Builder:
    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        today = ctx.today
        last = calendar.monthrange(today.year, today.month)[1]
        return _day(today.replace(day=last))

    return build


def in_units(unit: Unit, count: int | None = None) -> Builder:
    """In N units ("in 3 days", "za 2 godziny", "через неделю"): N is fixed or captured.

    Days, weeks and months give a calendar day (deadline at the end of the working day);
    hours and minutes give an exact moment.
    """

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        n = count if count is not None else caps[0]
        if unit == "days":
            return _day(_plus_days(ctx.today, n))
        if unit == "weeks":
            return _day(_plus_days(ctx.today, 7 * n))
        if unit == "months":
            return _day(_plus_months(ctx.today, n))
        minutes = n * 60 if unit == "hours" else n
        try:
            # Elapsed time, so via UTC: aware arithmetic in a zone adds wall-clock time.
            moment = (ctx.now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(ctx.zone)
        except OverflowError:
            return None
        return Piece("moment", moment=moment)

    return build


def encode_numeric_date(day: int, month: int, year: int, slash: bool) -> int:
    """Pack a numeric date into one int (captures are ints); year 0 means "no year"."""
    return ((year * 100 + month) * 100 + day) * 2 + int(slash)


def numeric_date() -> Builder:
    """28.11 / 28.11.2026 / 2026-12-01 / 28/11: day-first; a passed day-month is next year.

    Day-first is the rule; only for English text and only with "/" an impossible day-first
    reading (12/25) falls back to the US month-first reading.
    """

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        code, slash = divmod(caps[0], 2)
        code, day = divmod(code, 100)
        year, month = divmod(code, 100)
        found = _resolve_dmy(ctx, day, month, year)
        if found is None and slash and ctx.lang == "en":
            found = _resolve_dmy(ctx, month, day, year)
        return _day(found, explicit=True)

    return build


def _resolve_dmy(ctx: Ctx, day: int, month: int, year: int) -> date | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year == 0:
        return _nearest(ctx.today, month, day)
    if year < 100:
        year += 2000
    return _valid_date(year, month, day)


def day_month(order: Literal["dm", "md", "dmy", "mdy"]) -> Builder:
    """A date with a month name; ``order`` tells where the captured day and month are."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        if order in ("dm", "dmy"):
            day, month = caps[0], caps[1]
        else:
            month, day = caps[0], caps[1]
        year = caps[2] if len(caps) > 2 else 0
        return _day(_resolve_dmy(ctx, day, month, year), explicit=True)

    return build


def clock() -> Builder:
    """A time of day captured as minutes since midnight (9:00, 5:30pm)."""

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        hours, minutes = divmod(caps[0], 60)
        if not (0 <= hours <= 23 and 0 <= minutes <= 59):
            return None
        return Piece("clock", clock=time(hours, minutes))

    return build


# How an hour word shifts the number: "7 вечера" is 19:00, "2 ночи" is 02:00.
Shift = Literal["24h", "bare", "ampm", "morning", "afternoon", "evening", "night", "noon"]

# A bare small hour ("at 5", "o 3", "в 4") is read in the working afternoon: nobody sets a
# work task for 5 in the morning without saying so ("5 am", "o 5 rano", "в 5 утра").
_BARE_PM = range(1, 7)


def _shift_hour(hour: int, shift: Shift, ampm: int) -> int | None:
    if shift == "bare" and hour in _BARE_PM:
        return hour + 12
    if shift in ("24h", "bare"):
        return hour if 0 <= hour <= 23 else None
    if shift == "ampm":
        return hour % 12 + ampm if 1 <= hour <= 12 else None
    if shift == "morning":
        return hour if 0 <= hour <= 12 else None
    if shift in ("afternoon", "evening"):
        if 1 <= hour <= 11:
            return hour + 12
        if hour == 12 and shift == "afternoon":
            return 12
        return hour if 13 <= hour <= 23 else None
    if shift == "night":
        if 0 <= hour <= 5:
            return hour
        if 9 <= hour <= 11:
            return hour + 12
        return 0 if hour == 12 else None
    return 12  # noon


def hour(shift: Shift) -> Builder:
    """A time from an hour (plus minutes for "5:30 pm"): caps are (hour | minutes, [ampm]).

    With ``ampm`` the first capture is minutes since midnight and the second is 0 or 12;
    otherwise it is a bare hour.
    """

    def build(caps: tuple[int, ...], ctx: Ctx) -> Piece | None:
        if shift == "noon":
            return Piece("clock", clock=time(12, 0))
        if shift == "ampm":
            hours, minutes = divmod(caps[0], 60)
            ampm = caps[1]
        else:
            hours, minutes, ampm = caps[0], 0, 0
        shifted = _shift_hour(hours, shift, ampm)
        if shifted is None or not 0 <= minutes <= 59:
            return None
        return Piece("clock", clock=time(shifted, minutes))

    return build
