"""Date ranges in request forms, as people write them in English, Polish and Russian."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.approval_types import parse_date_range
from domain.date_ranges import parse_range
from domain.errors import InvalidInput

TODAY = date(2026, 11, 25)
DEC_21_23 = (date(2026, 12, 21), date(2026, 12, 23))
NEW_YEAR = (date(2026, 12, 28), date(2027, 1, 3))
ONE_DAY = (date(2026, 12, 24), date(2026, 12, 24))

CASES = {
    "digits": [
        ("21.12-23.12", DEC_21_23),
        ("21-23.12", DEC_21_23),
        ("21.12 - 23.12.2026", DEC_21_23),
        ("2026-12-21..2026-12-23", DEC_21_23),
        ("28.12-03.01", NEW_YEAR),
        ("28.12-03.01.2027", NEW_YEAR),
        ("24.12", ONE_DAY),
    ],
    "en": [
        ("Dec 21-23", DEC_21_23),
        ("from December 21 to 23", DEC_21_23),
        ("21st-23rd Dec", DEC_21_23),
        ("21 Dec - 23 Dec", DEC_21_23),
        ("Dec 28 - Jan 3", NEW_YEAR),
        ("Dec 21, 2026 - Dec 23, 2026", DEC_21_23),
        ("December 24", ONE_DAY),
    ],
    "pl": [
        ("od 21 do 23 grudnia", DEC_21_23),
        ("21-23 grudnia", DEC_21_23),
        ("od 28 grudnia do 3 stycznia", NEW_YEAR),
        ("21 grudnia 2026 r. - 23 grudnia 2026 r.", DEC_21_23),
        ("24 grudnia", ONE_DAY),
        ("Od 21 Do 23 Gru", DEC_21_23),
    ],
    "ru": [
        ("с 21 по 23 декабря", DEC_21_23),
        ("21-23 дек.", DEC_21_23),
        ("с 28 декабря по 3 января 2027", NEW_YEAR),
        ("с 21 декабря 2026 г. по 23 декабря 2026 г.", DEC_21_23),
        ("24 декабря", ONE_DAY),
    ],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [case for cases in CASES.values() for case in cases],
    ids=[f"{lang}:{text}" for lang, cases in CASES.items() for text, _ in cases],
)
def test_ranges_in_words_and_digits(text: str, expected: tuple[date, date]) -> None:
    assert parse_range(text, TODAY) == expected


def test_days_without_a_month_are_this_month_or_the_next() -> None:
    assert parse_range("od 27 do 29", TODAY) == (date(2026, 11, 27), date(2026, 11, 29))
    # 2-4 November is over on 25 November: December is meant
    assert parse_range("с 2 по 4", TODAY) == (date(2026, 12, 2), date(2026, 12, 4))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("23-21.12", "end_before_start"),
        ("od 23 do 21 grudnia", "end_before_start"),
        ("с 23 по 21 декабря", "end_before_start"),
        ("Dec 23-21", "end_before_start"),
        ("next week", "not_a_date_range"),
        ("w przyszłym tygodniu", "not_a_date_range"),
        ("31.02", "not_a_date_range"),
        ("21 Dec - Jan", "not_a_date_range"),
        ("1.12 2.12 3.12", "not_a_date_range"),
        ("01.01.2027-01.06.2028", "too_long_range"),
    ],
)
def test_what_is_not_a_range_is_named(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_range(text, TODAY)
    assert caught.value.params["reason"] == reason
    assert caught.value.params["value"] == text


def test_the_form_field_is_named_in_the_refusal() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date_range("23-21.12", TODAY, {"field": "dates", "type": "date_range"})
    assert caught.value.params == {
        "reason": "end_before_start",
        "value": "23-21.12",
        "field": "dates",
        "type": "date_range",
    }


@given(
    start=st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 9, 1)),
    length=st.integers(min_value=0, max_value=120),
)
def test_any_dotted_range_with_years_reads_back(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    text = f"{start:%d.%m.%Y}-{end:%d.%m.%Y}"
    assert parse_range(text, TODAY) == (start, end)
