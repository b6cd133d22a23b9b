"""Request types from TOML: validation with line numbers, and parsing form answers."""

from __future__ import annotations

from datetime import date

import pytest

from domain.approval_types import (
    ApprovalConfigError,
    ApprovalType,
    ApproverKind,
    FieldSpec,
    FieldType,
    LocalText,
    Option,
    format_answer,
    parse_answer,
    parse_approval_types,
)
from domain.approvals import ApproverMode, Verdict
from domain.errors import InvalidInput
from tests.conftest import APPROVALS_EXAMPLE

TODAY = date(2026, 11, 25)


def test_the_shipped_example_loads() -> None:
    catalog = parse_approval_types(APPROVALS_EXAMPLE.read_bytes())
    leave, expense = catalog.custom["leave"], catalog.custom["expense"]
    assert [f.type for f in leave.fields] == [
        FieldType.CHOICE,
        FieldType.DATE_RANGE,
        FieldType.TEXT,
    ]
    assert leave.absence_field == "dates" and leave.mode is ApproverMode.ONE
    assert leave.label(Verdict.APPROVE, "pl") == "✅ Udziel urlopu"
    assert leave.label(Verdict.REJECT, "pl") is None
    assert [a.kind for a in expense.approvers] == [ApproverKind.MANAGER, ApproverKind.ROLE]
    assert expense.mode is ApproverMode.CHAIN and expense.due_hours == 40
    assert [f.type for f in expense.fields] == [FieldType.TEXT, FieldType.AMOUNT, FieldType.PHOTO]
    # The file overrides the ready-made leave and expense; day off and business trip stay.
    assert {t.key for t in catalog.requestable()} == {
        "leave",
        "expense",
        "day_off",
        "business_trip",
    }
    assert catalog.requestable_type("expense") is expense
    assert catalog.get("task_acceptance") is not None


def test_a_snapshot_round_trips() -> None:
    leave = parse_approval_types(APPROVALS_EXAMPLE.read_bytes()).custom["leave"]
    again = ApprovalType.from_snapshot("leave", leave.snapshot())
    assert again.fields == leave.fields and again.title == leave.title
    assert again.absence_field == "dates" and again.labels == leave.labels


GOOD_HEAD = """[trip]
title = "Business trip"
approvers = ["@boss"]

"""


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[trip]\ntitle = 'x'\napprovers = [1,\nfoo = 3\n", 4, "not valid TOML"),
        ('[trip]\ntitle = "x"\n\nmode = "sometimes"\n', 4, "mode 'sometimes'"),
        ('[trip]\ntitle = "x"\napprovers = ["the boss"]\n', 3, "unknown approver 'the boss'"),
        ('[trip]\napprovers = ["manager"]\n', 1, "a title is required"),
        ('[trip]\ntitle = "x"\ncolour = "red"\n', 3, "unknown key 'colour'"),
        (
            GOOD_HEAD + '[[trip.fields]]\nname = "a"\ntype = "text"\n\n'
            '[[trip.fields]]\nname = "b"\ntype = "money"\n',
            11,
            "type 'money'",
        ),
        (
            GOOD_HEAD + '[[trip.fields]]\nname = "kind"\ntype = "choice"\n',
            5,
            "a choice needs options",
        ),
        (
            GOOD_HEAD + 'absence_field = "dates"\n',
            5,
            "must name a date_range field",
        ),
        ('[trip]\ntitle = { en = "x", de = "y" }\n', 2, "languages are en, pl, ru"),
        ('[task_acceptance]\ntitle = "x"\n', 1, "built-in type"),
        ('["Big Trip"]\ntitle = "x"\n', 1, "type name 'Big Trip'"),
        (
            GOOD_HEAD + '[[trip.fields]]\nname = "cost"\ntype = "amount"\ncurrencies = ["zloty"]\n',
            8,
            "currencies",
        ),
        ('[trip]\ntitle = "x"\ndue_hours = -2\n', 3, "due_hours"),
        ('[trip]\ntitle = "x"\nlabels = { accept = "OK" }\n', 3, "label 'accept'"),
    ],
)
def test_mistakes_are_reported_with_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ApprovalConfigError) as error:
        parse_approval_types(text.encode(), source="approvals.toml")
    assert error.value.line == line, str(error.value)
    assert words in str(error.value)
    assert str(error.value).startswith(f"approvals.toml:{line}: ")


def test_approver_specs() -> None:
    catalog = parse_approval_types(
        b'[t]\ntitle = "T"\napprovers = ["manager", "department_head", "@Anna.K", "role:manager"]\n'
    )
    specs = catalog.custom["t"].approvers
    assert [str(s) for s in specs] == ["manager", "department_head", "@anna.k", "role:manager"]
    assert catalog.custom["t"].mode is ApproverMode.ANY  # several approvers: any of them


# -- answers ------------------------------------------------------------------------------------


def field(ftype: FieldType, **kw: object) -> FieldSpec:
    return FieldSpec("f", ftype, LocalText.of("F"), **kw)  # type: ignore[arg-type]


def test_text_answers() -> None:
    assert parse_answer(field(FieldType.TEXT), "  a note ", [], TODAY) == "a note"
    with pytest.raises(InvalidInput) as error:
        parse_answer(field(FieldType.TEXT), " ", [], TODAY)
    assert error.value.params["reason"] == "empty"
    with pytest.raises(InvalidInput):
        parse_answer(field(FieldType.TEXT, max_length=3), "abcd", [], TODAY)
    assert parse_answer(field(FieldType.TEXT, required=False), "-", [], TODAY) is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("01.12-05.12", date(2026, 12, 1), date(2026, 12, 5)),
        ("1.12 - 5.12.2026", date(2026, 12, 1), date(2026, 12, 5)),
        ("24.12", date(2026, 12, 24), date(2026, 12, 24)),
        ("2026-12-01..2026-12-05", date(2026, 12, 1), date(2026, 12, 5)),
        ("28.12-03.01", date(2026, 12, 28), date(2027, 1, 3)),
        ("10.01-12.01", date(2027, 1, 10), date(2027, 1, 12)),  # January: the next one
        ("20.11 - 24.11", date(2026, 11, 20), date(2026, 11, 24)),  # a recent past sick leave
    ],
)
def test_date_ranges(text: str, start: date, end: date) -> None:
    value = parse_answer(field(FieldType.DATE_RANGE), text, [], TODAY)
    assert value == {"start": start.isoformat(), "end": end.isoformat()}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("next week", "not_a_date_range"),
        ("05.12.2026-01.12.2026", "end_before_start"),
        ("31.02", "not_a_date_range"),
        ("01.01.2026-01.06.2027", "too_long_range"),
    ],
)
def test_bad_date_ranges(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_answer(field(FieldType.DATE_RANGE), text, [], TODAY)
    assert error.value.params["reason"] == reason


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("120.50 PLN", "120.50", "PLN"),
        ("120,5 zł", "120.50", "PLN"),
        ("EUR 1 200", "1200.00", "EUR"),
        ("99", "99.00", "PLN"),
        ("€15", "15.00", "EUR"),
    ],
)
def test_amounts(text: str, amount: str, currency: str) -> None:
    value = parse_answer(field(FieldType.AMOUNT), text, [], TODAY)
    assert value == {"amount": amount, "currency": currency}


@pytest.mark.parametrize(
    ("text", "reason"),
    [("lots", "not_an_amount"), ("0 PLN", "not_positive"), ("5 GBP", "currency")],
)
def test_bad_amounts(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_answer(field(FieldType.AMOUNT), text, [], TODAY)
    assert error.value.params["reason"] == reason


def test_choices_by_value_label_or_number() -> None:
    spec = field(
        FieldType.CHOICE,
        options=(
            Option("vacation", LocalText.of({"en": "Vacation", "pl": "Urlop"})),
            Option("sick", LocalText.of({"en": "Sick leave"})),
        ),
    )
    assert parse_answer(spec, "sick", [], TODAY) == "sick"
    assert parse_answer(spec, "urlop", [], TODAY) == "vacation"
    assert parse_answer(spec, "2", [], TODAY) == "sick"
    assert format_answer(spec, "vacation", "pl") == "Urlop"
    with pytest.raises(InvalidInput) as error:
        parse_answer(spec, "holiday", [], TODAY)
    assert error.value.params["reason"] == "not_an_option"


def test_photos_come_as_attachments() -> None:
    spec = field(FieldType.PHOTO)
    assert parse_answer(spec, "", [("photo", "AgAD123")], TODAY) == {
        "kind": "photo",
        "ref": "AgAD123",
    }
    with pytest.raises(InvalidInput) as error:
        parse_answer(spec, "here it is", [], TODAY)
    assert error.value.params["reason"] == "photo_needed"


def test_answers_display() -> None:
    assert format_answer(
        field(FieldType.DATE_RANGE), {"start": "2026-12-01", "end": "2026-12-05"}, "en"
    ) == ("01.12.2026 – 05.12.2026")
    assert (
        format_answer(field(FieldType.AMOUNT), {"amount": "12.00", "currency": "EUR"}, "en")
        == "12.00 EUR"
    )
    assert format_answer(field(FieldType.TEXT), None, "en") == "—"
