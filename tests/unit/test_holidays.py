"""Public holidays by the company's country, on top of its own holidays."""

from __future__ import annotations

from datetime import date

import pytest

from brygada.settings import Settings
from domain.company import WorkSchedule
from domain.holidays import country_for_timezone, known_country

INDEPENDENCE_PL = date(2026, 11, 11)  # a Wednesday
UNITY_RU = date(2026, 11, 4)  # a Wednesday


@pytest.mark.parametrize(
    ("tz", "country"),
    [("Europe/Warsaw", "PL"), ("Europe/Moscow", "RU"), ("America/New_York", "US"), ("UTC", None)],
)
def test_country_from_timezone(tz: str, country: str | None) -> None:
    assert country_for_timezone(tz) == country


def test_public_holidays_are_days_off_by_country() -> None:
    poland, russia = WorkSchedule(country="PL"), WorkSchedule(country="RU")
    assert not poland.is_working_day(INDEPENDENCE_PL)
    assert russia.is_working_day(INDEPENDENCE_PL)
    assert not russia.is_working_day(UNITY_RU)
    assert poland.is_working_day(UNITY_RU)
    assert poland.next_working_day(date(2026, 11, 10)) == date(2026, 11, 12)
    # Without a country only the company's own holidays count.
    assert WorkSchedule(country="").is_working_day(INDEPENDENCE_PL)
    own = WorkSchedule(country="PL", holidays=frozenset({date(2026, 11, 12)}))
    assert own.next_working_day(date(2026, 11, 10)) == date(2026, 11, 13)


def test_settings_country() -> None:
    assert Settings(company_country="ru").schedule.country == "RU"
    assert Settings(company_country="-").schedule.country == ""
    assert Settings().schedule.country is None  # decided from the timezone at creation
    assert known_country("PL") and not known_country("XX")
