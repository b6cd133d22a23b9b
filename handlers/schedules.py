"""Recurring-task schedules in words: the cron forms ``/repeat`` writes, recognised back.

``/repeat`` turns ``daily 9:00``, ``weekdays 9:00``, ``weekly fri 16:00`` and ``monthly 1
10:00`` into cron (domain.services.preferences.cron_from_words); replies say them in
words again ("every working day at 9:00", "w dni robocze o 9:00", "по будням в 9:00").
The words are gettext messages in the ``_macros.j2`` macro ``schedule``; this module only
recognises the form. cron-descriptor was considered: in 2.2.1 its Polish and Russian
leave weekday names in English ("od Monday do Friday") and it cannot say "по будням".
Any other crontab expression is shown as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CRON = re.compile(r"(\d{1,2}) (\d{1,2}) (\*|\d{1,2}) \* (\*|mon-fri|1-5|[a-z]{3}|[0-7])")


@dataclass(frozen=True)
class Schedule:
    """``kind``: daily | weekdays | weekly | monthly | cron; ``day``: weekday or day of month."""

    kind: str
    cron: str
    at: time | None = None
    day: str | int | None = None


def describe(cron: str) -> Schedule:
    match = _CRON.fullmatch(" ".join(cron.lower().split()))
    if match is None:
        return Schedule("cron", cron)
    minute, hour, month_day, week_day = match.groups()
    if int(hour) > 23 or int(minute) > 59:
        return Schedule("cron", cron)
    at = time(int(hour), int(minute))
    if month_day != "*":
        return (
            Schedule("monthly", cron, at, int(month_day))
            if week_day == "*"
            else (Schedule("cron", cron))
        )
    if week_day == "*":
        return Schedule("daily", cron, at)
    if week_day in ("mon-fri", "1-5"):
        return Schedule("weekdays", cron, at)
    if week_day.isdigit():
        week_day = WEEKDAYS[(int(week_day) - 1) % 7]  # cron: 0 and 7 are Sunday
    if week_day in WEEKDAYS:
        return Schedule("weekly", cron, at, week_day)
    return Schedule("cron", cron)
