"""Signed button tokens, search stems, quick deadlines."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.company import WorkSchedule
from domain.deadlines import QuickDeadline, quick_deadline
from domain.search import index_terms, query_groups
from domain.tasks import Rating
from handlers.buttons import AcceptTask, SearchPage, StartTask
from handlers.tokens import MAX_TOKEN_BYTES, BadToken, TokenSigner

SIGNER = TokenSigner("unit-test-secret-0123456789")


def test_token_round_trip_and_size() -> None:
    token = SIGNER.sign(AcceptTask(123456789, Rating.POSITIVE))
    assert SIGNER.verify(token) == ("ta", ["123456789", "p"])
    assert len(token.encode()) <= MAX_TOKEN_BYTES


@pytest.mark.parametrize("tamper", ["ta:123456780:p", "tb:123456789:p", "ta:123456789:n"])
def test_altered_token_is_refused(tamper: str) -> None:
    signature = SIGNER.sign(AcceptTask(123456789, Rating.POSITIVE)).rsplit(":", 1)[1]
    with pytest.raises(BadToken):
        SIGNER.verify(f"{tamper}:{signature}")


def test_token_from_another_install_is_refused() -> None:
    with pytest.raises(BadToken):
        SIGNER.verify(TokenSigner("another-secret-0123456789").sign(StartTask(1)))


def test_oversized_token_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        SIGNER.sign(SearchPage("x" * 60, 1))


@given(st.text(max_size=80))
def test_verify_never_crashes_on_garbage(data: str) -> None:
    with contextlib.suppress(BadToken):
        SIGNER.verify(data)


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Raport z pracy działu", "praca"),
        ("Dokończyć pracę nad ofertą", "praca"),
        ("Отчёт о работе отдела", "работы"),
        ("План работы на неделю", "работа"),
        ("Working on the reports", "report"),
    ],
)
def test_search_matches_word_forms(stored: str, query: str) -> None:
    terms = index_terms(stored)
    assert all(group & terms for group in query_groups(query))


def test_search_does_not_match_unrelated_words() -> None:
    assert not all(g & index_terms("Call Ivan") for g in query_groups("praca"))


def test_quick_deadlines_are_end_of_working_day_in_member_tz() -> None:
    schedule = WorkSchedule()
    wednesday_morning = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    tz = "Europe/Warsaw"
    today = quick_deadline(QuickDeadline.TODAY, wednesday_morning, tz, schedule)
    assert today is not None and today.isoformat() == "2026-11-25T18:00:00+01:00"
    friday = quick_deadline(QuickDeadline.FRIDAY, wednesday_morning, tz, schedule)
    assert friday is not None and friday.date().isoformat() == "2026-11-27"
    nxt = quick_deadline(QuickDeadline.NEXT_WEEK, wednesday_morning, tz, schedule)
    assert nxt is not None and nxt.date().isoformat() == "2026-11-30"
    evening = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    late = quick_deadline(QuickDeadline.TODAY, evening, tz, schedule)
    assert late is not None and late.date().isoformat() == "2026-11-26"
    assert quick_deadline(QuickDeadline.NONE, evening, tz, schedule) is None


def test_long_words_are_stored_once_and_still_found() -> None:
    from domain.search import TERM_MAX

    text = "Sales" * 600 + ": x " + "a" * 66 + "ing " + "a" * 70
    terms = index_terms(text)
    assert all(len(t) <= TERM_MAX for t in terms)
    assert len(terms) == len({t[:TERM_MAX] for t in terms})
    for word in ("Sales" * 600, "a" * 66 + "ing"):
        [group] = query_groups(word)
        assert group & terms


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Позвонить Ивану", "Ивана"),
        ("Встреча с Иваном", "иван"),
        ("Письмо Сергею", "Сергей"),
        ("Звонок Марии", "Мария"),
        ("Книга Достоевского", "Достоевский"),
        ("Spotkanie z Tomaszem", "Tomasza"),
        ("Umowa z Nowakiem", "Nowak"),
    ],
)
def test_search_matches_names_in_another_case(stored: str, query: str) -> None:
    terms = index_terms(stored)
    assert all(group & terms for group in query_groups(query))


@pytest.mark.parametrize(
    ("stored", "query"), [("Позвонить Ивану", "Ива"), ("Звонок Марии", "мама")]
)
def test_name_forms_do_not_match_other_words(stored: str, query: str) -> None:
    assert not all(group & index_terms(stored) for group in query_groups(query))
