"""/repeat rules as people write them, in English, Polish and Russian."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.services.preferences import cron_from_words


@pytest.mark.parametrize(
    ("spec", "cron"),
    [
        ("daily 9:00", "0 9 * * *"),
        ("codziennie 9:00", "0 9 * * *"),
        ("ежедневно 9", "0 9 * * *"),
        ("каждый день 7:30", "30 7 * * *"),
        ("weekdays 8:30", "30 8 * * mon-fri"),
        ("w dni robocze 8:30", "30 8 * * mon-fri"),
        ("по будням 8:30", "30 8 * * mon-fri"),
        ("weekly fri 16:00", "0 16 * * fri"),
        ("co tydzień pt 16:00", "0 16 * * fri"),
        ("co tydzień śr. 10:15", "15 10 * * wed"),
        ("еженедельно пт 16:00", "0 16 * * fri"),
        ("каждую неделю понедельник 9:00", "0 9 * * mon"),
        ("monthly 1 10:00", "0 10 1 * *"),
        ("co miesiąc 1 10:00", "0 10 1 * *"),
        ("ежемесячно 15 10:00", "0 10 15 * *"),
        ("0 9 * * 1", "0 9 * * 1"),
    ],
)
def test_rules_in_three_languages(spec: str, cron: str) -> None:
    assert cron_from_words(spec) == cron


@pytest.mark.parametrize("spec", ["sometimes 9:00", "co tydzień xyz 9:00", "codziennie rano"])
def test_what_is_no_rule_is_refused(spec: str) -> None:
    with pytest.raises(InvalidInput):
        cron_from_words(spec)
