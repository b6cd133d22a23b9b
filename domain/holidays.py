"""Public holidays by country (the ``holidays`` package) and a company's default country.

A company's working days are its weekdays minus its own holidays (``BRYGADA_HOLIDAYS``)
minus the public holidays of its country. The country is a company setting; a company
that never set it gets the country of its timezone (Europe/Warsaw -> PL).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources

import holidays as public_holidays

__all__ = ["country_for_timezone", "is_public_holiday", "known_country", "public_holidays_in"]


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country code, from the zone.tab the tzdata package ships."""
    found: dict[str, str] = {}
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # tzdata is pinned; be safe
        return found
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            found[parts[2].strip()] = parts[0].strip().upper()
    return found


def country_for_timezone(tz: str) -> str | None:
    """The country an IANA zone belongs to, when the package knows its holidays."""
    code = _zone_countries().get(tz)
    return code if code is not None and known_country(code) else None


@lru_cache(maxsize=1)
def _supported() -> frozenset[str]:
    return frozenset(public_holidays.list_supported_countries())


def known_country(code: str) -> bool:
    return code.upper() in _supported()


@lru_cache(maxsize=64)
def _year(country: str, year: int) -> frozenset[date]:
    if not known_country(country) or not 1 <= year <= 9999:
        return frozenset()
    try:
        calendar = public_holidays.country_holidays(country.upper(), years=year)
    except (NotImplementedError, KeyError, ValueError):
        return frozenset()
    return frozenset(calendar.keys())


def public_holidays_in(country: str, year: int) -> frozenset[date]:
    return _year(country.upper(), year)


def is_public_holiday(country: str | None, day: date) -> bool:
    return bool(country) and day in _year((country or "").upper(), day.year)
