"""Time reports in the chat: ``/timesheet`` (alias ``/timereport``) and ``/attendance``.

    /timesheet [week|month|last week|last month|today|yesterday|D1..D2] [team]
               [by member|project|tag|client|day] [plan] [chart] [csv] [xlsx]
    /attendance [the same periods] [team] [chart] [csv] [xlsx]

The summary comes first (with the PNG chart when asked); each file asked for follows
as its own message (a reply carries one image or one file on every platform).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.ports import TimeGrouping
from domain.services import timereports as service
from domain.services.timetracking import today_of
from domain.timereports import GRACE, ReportQuery, parse_report
from handlers.charts import BLUE, GREEN, GREY, ORANGE, bar_chart
from handlers.exports import csv_bytes, xlsx
from handlers.personal import personal
from handlers.rendering import day_label, duration, label, period_label
from handlers.tokens import ButtonAction
from handlers.turn import Turn
from handlers.types import Reply


def _hm(lang: str) -> Callable[[float], str]:
    """How a chart labels its bars: hours as a localized duration ("1 godz. 30 min")."""

    def fmt(hours: float) -> str:
        return duration(round(hours * 60), lang)

    return fmt


def _unit(turn: Turn) -> str:
    return label(turn.lang, "report.chart.hours")


def _period(turn: Turn, query: ReportQuery) -> str:
    return period_label(query.start, query.end, turn.lang)


async def _files(
    turn: Turn, reply: Reply, query: ReportQuery, table: service.Table, name: str
) -> list[Reply]:
    """The summary, then one message per file asked for; without a chart the first file
    rides on the summary itself (as a document with the summary as its caption)."""
    files: list[tuple[str, bytes]] = []
    if query.csv:
        files.append((f"{name}.csv", csv_bytes(table)))
    if query.xlsx:
        title = label(turn.lang, f"report.sheet.{name}")
        files.append((f"{name}.xlsx", xlsx(table, turn.lang, title)))
    replies = [reply]
    if files and reply.image is None:
        replies[0] = dataclasses.replace(reply, file=files.pop(0))
    for file in files:
        note = turn.reply("time_file", name=file[0], start=query.start, end=query.end)
        replies.append(dataclasses.replace(note, file=file))
    return replies


def _with_chart(reply: Reply, image: bytes | None) -> Reply:
    return dataclasses.replace(reply, image=image) if image else reply


def _none_name(turn: Turn, by: TimeGrouping) -> str:
    return label(turn.lang, f"report.none.{by.value}")


def _day_name(turn: Turn, day: Any) -> str:
    """A chart's day label ("pon., 23.11"); a group key of a day grouping is a date."""
    return day_label(day, turn.lang) if isinstance(day, date) else str(day)


def _query(turn: Turn, default: str = "week") -> ReportQuery:
    return parse_report(turn.inbound.args, today_of(turn.me, turn.now), default=default)


# -- /timesheet ---------------------------------------------------------------------------------


async def timesheet_command(turn: Turn) -> list[Reply]:
    """/timesheet [period] [team] [by GROUP] [plan] [chart] [csv] [xlsx]."""
    query = _query(turn).for_timesheet()
    if query.plan:
        return await _plan_fact(turn, query)
    if query.by is not None:
        return await _grouped(turn, query)
    sheet = await service.timesheet(turn.uow, turn.me, query)
    reply = turn.reply("time_sheet", sheet=sheet, period=query.period, query=query)
    if query.chart:
        hm = _hm(turn.lang)
        if query.team:
            people = sheet.by_member()
            names = [n for n, _ in people]
            series = [
                (label(turn.lang, "report.series.tracked"), [m / 60 for _, m in people], BLUE)
            ]
            title = label(turn.lang, "report.chart.by_member", period=_period(turn, query))
        else:
            days = sheet.by_day()
            names = [_day_name(turn, d) for d, _ in days]
            series = [(label(turn.lang, "report.series.tracked"), [m / 60 for _, m in days], BLUE)]
            title = label(turn.lang, "report.chart.by_day", period=_period(turn, query))
        reply = _with_chart(
            reply, bar_chart(title, names, series, stacked=True, note=hm, unit=_unit(turn))
        )
    return await _files(turn, reply, query, service.timesheet_table(sheet), "timesheet")


async def _grouped(turn: Turn, query: ReportQuery) -> list[Reply]:
    report = await service.time_report(turn.uow, turn.me, query)
    by = report.by
    none = _none_name(turn, by)
    reply = turn.reply("time_groups", report=report, query=query, by=by.value, none_name=none)
    if query.chart:
        groups = list(report.groups)
        names = [
            _day_name(turn, g.key) if by is TimeGrouping.DAY else (g.name or none) for g in groups
        ]
        series = [
            (
                label(turn.lang, "report.series.billable"),
                [g.billable_minutes / 60 for g in groups],
                GREEN,
            ),
            (
                label(turn.lang, "report.series.not_billable"),
                [(g.minutes - g.billable_minutes) / 60 for g in groups],
                GREY,
            ),
        ]
        title = label(turn.lang, f"report.chart.by_{by.value}", period=_period(turn, query))
        chart = bar_chart(title, names, series, stacked=True, note=_hm(turn.lang), unit=_unit(turn))
        reply = _with_chart(reply, chart)
    return await _files(turn, reply, query, report.table(), f"timesheet-by-{by.value}")


async def _plan_fact(turn: Turn, query: ReportQuery) -> list[Reply]:
    view = await service.plan_fact(turn.uow, turn.me, query)
    reply = turn.reply("time_planfact", view=view, query=query)
    if query.chart:
        if query.team:
            rows = view.by_member()
            names = [n for n, _, _ in rows]
            planned, tracked = [p for _, p, _ in rows], [t for _, _, t in rows]
            title = label(turn.lang, "report.chart.plan_member", period=_period(turn, query))
        else:
            days = view.by_day()
            names = [_day_name(turn, d) for d, _, _ in days]
            planned, tracked = [p for _, p, _ in days], [t for _, _, t in days]
            title = label(turn.lang, "report.chart.plan_day", period=_period(turn, query))
        series = [
            (label(turn.lang, "report.series.planned"), [p / 60 for p in planned], GREY),
            (label(turn.lang, "report.series.tracked"), [t / 60 for t in tracked], BLUE),
        ]
        chart = bar_chart(title, names, series, note=_hm(turn.lang), unit=_unit(turn))
        reply = _with_chart(reply, chart)
    return await _files(turn, reply, query, view.table(), "plan-vs-fact")


# -- /attendance ----------------------------------------------------------------------------


async def attendance_command(turn: Turn) -> list[Reply]:
    """/attendance [period] [team] [chart] [csv] [xlsx]."""
    query = _query(turn).for_attendance()
    view = await service.attendance(turn.uow, turn.me, query, turn.now)
    grace = int(GRACE.total_seconds()) // 60
    reply = turn.reply("time_attendance", view=view, query=query, grace=grace)
    if query.chart:
        people = list(view.members)
        series = [
            (label(turn.lang, "report.series.late"), [len(m.late) for m in people], ORANGE),
            (label(turn.lang, "report.series.short"), [len(m.short) for m in people], BLUE),
            (label(turn.lang, "report.series.no_show"), [len(m.no_show) for m in people], GREY),
            (
                label(turn.lang, "report.series.missing_report"),
                [len(m.missing_reports) for m in people],
                GREEN,
            ),
        ]
        title = label(turn.lang, "report.chart.attendance", period=_period(turn, query))
        names = [m.name for m in people]
        chart = bar_chart(title, names, series, stacked=True, note=lambda v: f"{v:g}")
        reply = _with_chart(reply, chart)
    return await _files(turn, reply, query, view.table(), "attendance")


COMMANDS = {
    "timesheet": personal("timesheet", timesheet_command),
    "timereport": personal("timesheet", timesheet_command),
    "attendance": personal("attendance", attendance_command),
}
ACTIONS: dict[type[ButtonAction], Any] = {}
PROMPTS: dict[str, Any] = {}
