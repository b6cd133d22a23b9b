"""Time reports, the pure part: what a report asks for (period, team, grouping, outputs),
which CRM record is a task's client, and how a working day is judged for attendance.

The use cases live in ``domain.services.timereports``; the sums come from SQL
(``TimeRepository.time_by`` and friends).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.company import WorkSchedule
from domain.crm import EntityKind, EntityRef
from domain.errors import DomainError
from domain.ports import TimeGrouping
from domain.timetracking import DayEvent, DayEventKind, TimeError, worked_seconds

# A start this much after the schedule's start is not late; a day this much shorter than
# the schedule's hours is not short.
GRACE = timedelta(minutes=10)
MAX_RANGE_DAYS = 366

# -- what a report asks for ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportQuery:
    """``/timesheet`` (and ``/attendance``) arguments, parsed.

    ``period`` names the range for the reply: week, month, last_week, last_month, today,
    yesterday, or ``range`` for dates given by hand.
    """

    start: date
    end: date
    period: str = "week"
    team: bool = False
    by: TimeGrouping | None = None
    plan: bool = False
    chart: bool = False
    csv: bool = False
    xlsx: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def for_timesheet(self) -> ReportQuery:
        """Plan vs fact is per member and day: it takes no grouping beside it."""
        if self.plan and self.by is not None:
            raise TimeError(reason="report_args", value=f"by {self.by}")
        return self

    def for_attendance(self) -> ReportQuery:
        """Attendance is per member and working day: no grouping and no plan."""
        if self.by is not None or self.plan:
            raise TimeError(reason="report_args", value="plan" if self.plan else f"by {self.by}")
        return self


_GROUP_WORDS: Mapping[str, TimeGrouping] = {
    **{g.value: g for g in TimeGrouping},
    **{f"{g.value}s": g for g in TimeGrouping},
    "people": TimeGrouping.MEMBER,
    "clients": TimeGrouping.CLIENT,
    "customer": TimeGrouping.CLIENT,
    "customers": TimeGrouping.CLIENT,
}
_FLAGS = {"team", "chart", "csv", "xlsx", "plan"}
_ALIASES = {"excel": "xlsx", "graph": "chart", "png": "chart"}
_DATE = r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}(?:\.\d{2,4})?)"
_RANGE = re.compile(rf"^{_DATE}(?:\s*(?:\.\.|–|—|-(?=\d{{1,2}}\.)|-(?=\d{{4}}-))\s*{_DATE})?$")


def _day(text: str, today: date) -> date:
    try:
        if "-" in text:
            y, m, d = (int(x) for x in text.split("-"))
        else:
            parts = [int(x) for x in text.split(".")]
            d, m = parts[0], parts[1]
            y = parts[2] if len(parts) > 2 else today.year
            y = y + 2000 if y < 100 else y
        return date(y, m, d)
    except ValueError as exc:
        raise TimeError(reason="report_bad_date", value=text) from exc


def period_range(period: str, today: date) -> tuple[date, date]:
    """The days of a named period around ``today`` (weeks start on Monday)."""
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    if period == "week":
        return week, week + timedelta(days=6)
    if period == "last_week":
        return week - timedelta(days=7), week - timedelta(days=1)
    if period == "month":
        return month, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if period == "last_month":
        end = month - timedelta(days=1)
        return end.replace(day=1), end
    if period == "today":
        return today, today
    if period == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    raise TimeError(reason="report_args", value=period)


def parse_report(args: str, today: date, *, default: str = "week") -> ReportQuery:
    """``[week|month|last week|last month|today|yesterday|D1..D2] [team] [by GROUP]
    [plan] [chart] [csv] [xlsx]``, words in any order. Dates are ``2026-11-01`` or
    ``01.11.2026`` (``01.11`` in the current year). Unknown words are refused, named."""
    text = re.sub(r"\s*(\.\.|–|—)\s*", r"\1", args.strip().lower())
    words = text.split()
    period: str | None = None
    start = end = None
    flags: set[str] = set()
    by: TimeGrouping | None = None
    unknown: list[str] = []
    i = 0
    while i < len(words):
        word = _ALIASES.get(words[i], words[i])
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in {"last", "previous", "prev"} and nxt in {"week", "month"}:
            period, i = f"last_{nxt}", i + 2
            continue
        if word in {"this", "current"} and nxt in {"week", "month"}:
            period, i = nxt, i + 2
            continue
        if word in {"week", "month", "today", "yesterday"}:
            period = word
        elif word == "by" and nxt in _GROUP_WORDS:
            by, i = _GROUP_WORDS[nxt], i + 2
            continue
        elif word in _GROUP_WORDS and word not in {"day", "days"}:
            by = _GROUP_WORDS[word]
        elif word in _FLAGS:
            flags.add(word)
        elif (match := _RANGE.match(word)) is not None:
            start = _day(match[1], today)
            end = _day(match[2], today) if match[2] else start
            period = "range"
        else:
            unknown.append(words[i])
        i += 1
    if unknown:
        raise TimeError(reason="report_args", value=" ".join(unknown), text=args.strip())
    if period != "range":
        start, end = period_range(period or default, today)
    assert start is not None and end is not None
    if end < start:
        raise TimeError(reason="report_reversed", value=args.strip())
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise TimeError(reason="report_too_long", value=args.strip(), days=MAX_RANGE_DAYS)
    return ReportQuery(
        start=start,
        end=end,
        period=period or default,
        team="team" in flags,
        by=by,
        plan="plan" in flags,
        chart="chart" in flags,
        csv="csv" in flags,
        xlsx="xlsx" in flags,
    )


# -- the client of a task ----------------------------------------------------------------------

# A task may name several CRM records (the lead, or the contact, company and deal it serves).
# Its time goes to one client, named by the most specific organisation among them.
_CLIENT_ORDER = (EntityKind.COMPANY, EntityKind.DEAL, EntityKind.CONTACT, EntityKind.LEAD)


def client_link(links: Iterable[str]) -> EntityRef | None:
    """The link that decides a task's client: a company, else a deal, else a contact,
    else a lead (the lowest id of that kind, so the choice is stable)."""
    refs: list[EntityRef] = []
    for text in links:
        try:
            refs.append(EntityRef.parse(text))
        except DomainError:
            continue
    for kind in _CLIENT_ORDER:
        found = sorted(r for r in refs if r.kind is kind)
        if found:
            return found[0]
    return None


@dataclass(frozen=True)
class CrmParty:
    """A CRM record as the client rule sees it: its name and whom it belongs to."""

    name: str
    client_company_id: int | None = None
    contact_id: int | None = None


def client_of(ref: EntityRef, parties: Mapping[EntityRef, CrmParty]) -> EntityRef:
    """Follow a lead or deal to its contact, and a contact to its company: the client is
    the organisation when one is known, else the person, else the record itself."""
    seen: set[EntityRef] = set()
    while ref not in seen:
        seen.add(ref)
        party = parties.get(ref)
        if party is None or ref.kind is EntityKind.COMPANY:
            return ref
        if party.client_company_id is not None:
            ref = EntityRef(EntityKind.COMPANY, party.client_company_id)
        elif party.contact_id is not None and ref.kind is not EntityKind.CONTACT:
            ref = EntityRef(EntityKind.CONTACT, party.contact_id)
        else:
            return ref
    return ref


# -- attendance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DayAttendance:
    """One member's working day as attendance sees it.

    ``started`` is the first ``/day start`` (local time), ``late_minutes`` how much after
    the schedule's start; ``worked_seconds`` the working day (breaks excluded) or the
    tracked time, whichever is longer. ``complete``: the day is over (before today).
    """

    member_id: int
    day: date
    started: datetime | None
    late_minutes: int
    worked_seconds: int
    reported: bool
    complete: bool
    schedule_seconds: int

    @property
    def late(self) -> bool:
        return self.late_minutes > 0

    @property
    def no_show(self) -> bool:
        return self.complete and self.started is None and self.worked_seconds == 0

    @property
    def short(self) -> bool:
        short = self.worked_seconds < self.schedule_seconds - GRACE.total_seconds()
        return self.complete and not self.no_show and short

    @property
    def missing_report(self) -> bool:
        return self.complete and not self.reported


def assess_day(
    member_id: int,
    day: date,
    *,
    tz: str,
    schedule: WorkSchedule,
    events: list[DayEvent],
    tracked_seconds: int,
    reported: bool,
    today: date,
    now: datetime,
) -> DayAttendance:
    """Judge one working day: late start (after the schedule's start + GRACE in the
    member's timezone), short day (less than the schedule's hours - GRACE), report."""
    begins = schedule.start_of_day(day, tz)
    hours = int((schedule.end_of_day(day, tz) - begins).total_seconds())
    starts = [e.at for e in events if e.kind is DayEventKind.START]
    started = min(starts).astimezone(ZoneInfo(tz)) if starts else None
    late = 0
    if started is not None and started > begins + GRACE:
        late = int((started - begins).total_seconds()) // 60
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(tz))
    worked = worked_seconds(sorted(events, key=lambda e: e.at), min(now, midnight))
    return DayAttendance(
        member_id=member_id,
        day=day,
        started=started,
        late_minutes=late,
        worked_seconds=max(worked, tracked_seconds),
        reported=reported,
        complete=day < today,
        schedule_seconds=hours,
    )
