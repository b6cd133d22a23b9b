"""Money, counts, durations and chart days in the member's language (Babel, CLDR)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers.rendering import (
    PLAIN,
    Renderer,
    day_label,
    duration,
    money,
    number,
    period_label,
)

NB = "\u00a0"  # CLDR puts no-break spaces between digit groups and before units


def plain(text: str) -> str:
    return text.replace(NB, " ").replace("\u202f", " ").replace("\u2009", " ")


@pytest.mark.parametrize(
    ("lang", "amount", "currency", "shown"),
    [
        ("en", "12000", "USD", "$12,000.00"),
        ("en", "45.5", "PLN", "PLN 45.50"),
        ("pl", "12000", "PLN", "12 000,00 zł"),
        ("pl", "45.5", "EUR", "45,50 €"),
        ("ru", "12000", "RUB", "12 000 ₽"),
        ("ru", "12000.50", "RUB", "12 000,50 ₽"),
    ],
)
def test_money(lang: str, amount: str, currency: str, shown: str) -> None:
    assert plain(money(Decimal(amount), currency, lang)) == shown


@pytest.mark.parametrize(
    ("lang", "minutes", "shown"),
    [
        ("en", 90, "1h 30m"),
        ("en", 45, "45m"),
        ("pl", 90, "1 godz. 30 min"),
        ("pl", 120, "2 godz."),
        ("ru", 90, "1 ч 30 мин"),
        ("ru", 45, "45 мин"),
    ],
)
def test_durations(lang: str, minutes: int, shown: str) -> None:
    assert plain(duration(minutes, lang)) == shown


@pytest.mark.parametrize(
    ("lang", "count", "day", "period"),
    [
        ("en", "12,000", "Mon, 11/23", "Nov 23 – 29, 2026"),
        ("pl", "12 000", "pon., 23.11", "23–29 lis 2026"),
        ("ru", "12 000", "пн, 23.11", "23—29 нояб. 2026 г."),
    ],
)
def test_counts_and_chart_days(lang: str, count: str, day: str, period: str) -> None:
    assert plain(number(12000, lang)) == count
    monday, sunday = date(2026, 11, 23), date(2026, 11, 29)
    assert plain(day_label(monday, lang)) == day
    assert plain(period_label(monday, sunday, lang)) == period


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "Sales: 12,000 deals"),
        ("pl", "Sprzedaż: 12 000 transakcji"),
        ("ru", "Продажи: 12 000 сделок"),
    ],
)
def test_counted_words_have_thousands_separators(lang: str, shown: str) -> None:
    names = {"en": "Sales", "pl": "Sprzedaż", "ru": "Продажи"}
    text = Renderer(PLAIN).text(
        "crm_funnel",
        lang,
        {
            "period": "all",
            "since": None,
            "funnels": [{"name": names[lang], "total": 12000, "won_rate": None, "stages": []}],
            "tz": "UTC",
            "now": None,
        },
    )
    assert shown in plain(text)
