"""Amounts of money as people type them: ``12 000 PLN``, ``12000 zł``, ``12 000 ₽``,
``$12,000``, ``1.500,50 €``, ``120.50``. Pure; formatting for display is the
renderer's job.

The number: spaces (also non-breaking) group thousands; of ``,`` and ``.`` the last one
is the decimal mark when both appear, and a lone one followed by exactly three digits
groups thousands (``12,000`` and ``12.000`` are twelve thousand), otherwise it is the
decimal mark (``120,50``). The currency: a code (``PLN``), a sign (``zł``, ``$``, ``€``,
``₽``) or a word (``руб``, ``złotych``); none means the default.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidInput

MAX_AMOUNT = Decimal("1e12")

# Currencies a small company in Poland or Russia (and its partners) deals in.
KNOWN_CURRENCIES = frozenset(
    [
        "PLN",
        "EUR",
        "USD",
        "RUB",
        "GBP",
        "CHF",
        "CZK",
        "UAH",
        "BYN",
        "KZT",
        "SEK",
        "NOK",
        "DKK",
        "HUF",
        "RON",
        "BGN",
        "JPY",
        "CNY",
        "CAD",
        "AUD",
        "TRY",
        "GEL",
        "AMD",
        "AZN",
        "UZS",
    ]
)

_SIGNS = {
    "zł": "PLN",
    "zl": "PLN",
    "złotych": "PLN",
    "złote": "PLN",
    "złoty": "PLN",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₽": "RUB",
    "руб": "RUB",
    "рублей": "RUB",
    "рубля": "RUB",
    "рубль": "RUB",
    "р": "RUB",
    "₴": "UAH",
    "грн": "UAH",
    "euro": "EUR",
    "евро": "EUR",
    "dollars": "USD",
    "долларов": "USD",
}
_NUMBER = re.compile(r"\d[\d \u00a0\u202f.,]*")
_WORD = re.compile(r"[^\W\d_]+\.?|[$€£₽₴]")


def parse_money(
    text: str, default_currency: str, allowed: Collection[str] | None = None
) -> tuple[Decimal, str]:
    """(amount, currency code) or InvalidInput(field="amount", reason=...):
    ``not_an_amount`` (no number, or words besides it), ``not_positive``, ``out_of_range``,
    ``unknown_currency`` or ``currency`` (not one of ``allowed``); ``value`` names what
    was wrong (the currency code for the last two)."""
    amount, written = read_money(text)
    currency = written or default_currency.upper()
    if allowed is not None and currency not in {c.upper() for c in allowed}:
        shown = ", ".join(c.upper() for c in allowed)
        raise InvalidInput(
            reason="currency", field="amount", value=currency, allowed=shown, text=text
        )
    return amount, currency


def read_money(text: str) -> tuple[Decimal, str | None]:
    """The amount and the currency written with it (None: none written)."""
    problem = {"field": "amount", "value": text}
    numbers = [m.group(0).strip(" \u00a0\u202f.,") for m in _NUMBER.finditer(text)]
    numbers = [n for n in numbers if n]
    if len(numbers) != 1:
        raise InvalidInput(reason="not_an_amount", **problem)
    rest = _NUMBER.sub(" ", text)
    currency = None
    for word in _WORD.findall(rest):
        found = _currency_of(word)
        if found is None or (currency is not None and found != currency):
            raise InvalidInput(reason="not_an_amount", **problem)
        currency = found
    amount = _number(numbers[0], problem)
    if amount <= 0 or re.search(r"-\s*[$€£₽₴]?\s*\d", text):
        raise InvalidInput(reason="not_positive", **problem)
    if amount >= MAX_AMOUNT:
        raise InvalidInput(reason="out_of_range", **problem)
    if currency is not None and currency not in KNOWN_CURRENCIES:
        raise InvalidInput(reason="unknown_currency", field="amount", value=currency, text=text)
    return amount.quantize(Decimal("0.01")), currency


def _currency_of(word: str) -> str | None:
    """A currency sign, word or three-letter code (known or not: "XYZ" is a currency the
    caller refuses by name); None for any other word."""
    lowered = word.casefold().rstrip(".")
    if lowered in _SIGNS:
        return _SIGNS[lowered]
    if re.fullmatch(r"[a-z]{3}", lowered):
        return lowered.upper()
    return None


def _number(raw: str, problem: dict[str, str]) -> Decimal:
    digits = re.sub(r"[ \u00a0\u202f]", "", raw)
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        digits = digits.replace(grouping, "").replace(decimal_mark, ".")
    else:
        mark = "," if "," in digits else "." if "." in digits else None
        if mark is not None:
            head, _, tail = digits.rpartition(mark)
            if digits.count(mark) > 1 or len(tail) == 3:
                digits = digits.replace(mark, "")  # 12,000 · 1.000.000: thousands
            else:
                digits = f"{head.replace(mark, '')}.{tail}"
    try:
        value = Decimal(digits)
    except InvalidOperation:
        raise InvalidInput(reason="not_an_amount", **problem) from None
    if not value.is_finite():
        raise InvalidInput(reason="not_an_amount", **problem)
    return value
