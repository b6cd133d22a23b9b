"""Which leading ``Name:`` of a task is offered as a new project."""

from __future__ import annotations

import pytest

from domain.capture import unknown_project

PROJECTS = ("Sales", "Marketing")


@pytest.mark.parametrize(
    ("text", "offered"),
    [
        ("Logistics: Book the truck for Monday", "Logistics"),
        ("Magazyn: Policzyć palety", "Magazyn"),
        ("Sales: Call Ivan", None),  # a project that exists
        ("Re: Offer for ACME", None),  # mail subjects are no projects
        ("Fwd: Invoice 12/2026", None),
        ("Odp: Termin dostawy", None),
        ("Отв: Счёт за декабрь", None),
        ("PS: call back", None),
        ("Logistics:", None),  # nothing after it
        ("12:30 meeting with the bank", None),  # a time, no letters before the colon
    ],
)
def test_which_prefixes_are_offered_as_projects(text: str, offered: str | None) -> None:
    assert unknown_project(text, PROJECTS) == offered
