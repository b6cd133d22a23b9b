"""Linking a chat user to a member by the email their platform verified (pure rule)."""

from __future__ import annotations

import pytest

from domain.company import ChatEmail, Member, pick_by_email
from domain.errors import InvalidInput
from domain.services.members import validate_email


def _member(
    member_id: int, email: str | None, *, name: str = "Anna", active: bool = True
) -> Member:
    return Member(
        id=member_id, company_id=1, name=name, handle=f"m{member_id}", email=email, active=active
    )


ANNA = _member(1, "anna@acme.com")
IVAN = _member(2, "ivan@acme.com", name="Ivan")


def test_a_confirmed_address_of_one_member_picks_them() -> None:
    found = pick_by_email(ChatEmail(" Anna@ACME.com", confirmed=True), [ANNA, IVAN], frozenset())
    assert found is ANNA


def test_an_unconfirmed_address_picks_nobody() -> None:
    assert pick_by_email(ChatEmail("anna@acme.com", confirmed=False), [ANNA], frozenset()) is None


def test_a_member_linked_on_the_platform_already_is_not_picked() -> None:
    assert pick_by_email(ChatEmail("anna@acme.com", confirmed=True), [ANNA], frozenset({1})) is None


def test_two_members_with_the_address_pick_nobody() -> None:
    twin = _member(3, "anna@acme.com")
    assert pick_by_email(ChatEmail("anna@acme.com", True), [ANNA, twin], frozenset()) is None


def test_inactive_members_and_members_without_email_are_never_picked() -> None:
    gone = _member(4, "gone@acme.com", active=False)
    nameless = _member(5, None, name="anna@acme.com")
    assert pick_by_email(ChatEmail("gone@acme.com", True), [gone], frozenset()) is None
    assert pick_by_email(ChatEmail("anna@acme.com", True), [nameless], frozenset()) is None
    assert pick_by_email(ChatEmail("", True), [nameless], frozenset()) is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [(" Anna.K@Example.COM ", "anna.k@example.com"), ("a+b@x.pl", "a+b@x.pl")],
)
def test_emails_are_stored_case_folded(given: str, stored: str) -> None:
    assert validate_email(given) == stored


@pytest.mark.parametrize("bad", ["", "anna", "anna@", "@acme.com", "an na@acme.com", "a@b", "a@b."])
def test_what_is_not_an_email_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        validate_email(bad)
