"""Amounts as people type them (deals, request forms, a lead's budget)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.crm_capture import parse_lead
from domain.errors import InvalidInput
from domain.money import parse_money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("12 000 PLN", "12000.00", "PLN"),
        ("12000 zł", "12000.00", "PLN"),
        ("12 000 ₽", "12000.00", "RUB"),
        ("12 000 руб.", "12000.00", "RUB"),
        ("$12,000", "12000.00", "USD"),
        ("€1,500.50", "1500.50", "EUR"),
        ("1.500,50 €", "1500.50", "EUR"),
        ("12\u00a0000,00 PLN", "12000.00", "PLN"),
        ("120,50", "120.50", "PLN"),
        ("120.5", "120.50", "PLN"),
        ("1 000 000 eur", "1000000.00", "EUR"),
    ],
)
def test_amounts_in_three_languages_habits(text: str, amount: str, currency: str) -> None:
    assert parse_money(text, "PLN") == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("text", "reason", "value"),
    [
        ("twelve thousand", "not_an_amount", "twelve thousand"),
        ("dwanaście tysięcy", "not_an_amount", "dwanaście tysięcy"),
        ("12 000 PLN USD", "not_an_amount", "12 000 PLN USD"),
        ("12 and 13", "not_an_amount", "12 and 13"),
        ("12 000 XYZ", "unknown_currency", "XYZ"),
        ("0 PLN", "not_positive", "0 PLN"),
        ("-5 PLN", "not_positive", "-5 PLN"),
        ("1 000 000 000 000", "out_of_range", "1 000 000 000 000"),
    ],
)
def test_what_is_not_an_amount_is_named(text: str, reason: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_money(text, "PLN")
    assert caught.value.params["reason"] == reason
    assert caught.value.params["value"] == value


def test_a_form_field_takes_only_its_currencies() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_money("12 GBP", "PLN", ("PLN", "EUR"))
    assert caught.value.params["reason"] == "currency"
    assert caught.value.params["allowed"] == "PLN, EUR"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Jan Kowalski, +48 600 100 200, budget 12 000 PLN", "12000.00", "PLN"),
        ("Jan Kowalski +48 600 100 200 budżet: 12000 zł", "12000.00", "PLN"),
        ("Иван Петров 8 916 123-45-67, бюджет 12 000 ₽", "12000.00", "RUB"),
        ("Anna Nowak 601-234-567 budget $12,000 oferta", "12000.00", "USD"),
        ("Anna Nowak 601-234-567 budget 5000", "5000.00", None),
    ],
)
def test_a_leads_budget_is_read_and_the_phone_kept(
    text: str, amount: str, currency: str | None
) -> None:
    draft = parse_lead(text, "PL")
    assert (draft.amount, draft.currency) == (Decimal(amount), currency)
    assert draft.phone is not None and draft.name is not None
    assert "budget" not in (draft.comment or "") and "бюджет" not in (draft.comment or "")


def test_a_budget_that_is_not_money_stays_in_the_comment() -> None:
    draft = parse_lead("Anna Nowak 601-234-567 budget 12 000 XYZ", "PL")
    assert draft.amount is None and "budget 12 000 XYZ" in (draft.comment or "")
