"""Quick capture properties: it never raises and it never loses what the user wrote."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.capture import TaskDraft, parse_task, parse_task_detailed
from tests.unit.capture_cases import CASES, MEMBERS, PROJECTS

_SETTINGS = settings(max_examples=300, deadline=None)
# What the parser may strip around a word it recognises ("(tomorrow)," -> "tomorrow").
_PUNCTUATION = "()[]{}<>\"'«»„“”‘’,.;:!?…"

# Words the grammar knows, so that random messages actually hit the parser's paths.
_VOCABULARY = sorted(
    {word for case in CASES for word in case.text.split()}
    | {"//", "\n", "https://x.com/a", "!!", "~", "@", "#", ":", ",", "(", ")", "-", "..."}
)
_messages = st.lists(st.one_of(st.sampled_from(_VOCABULARY), st.text(max_size=8)), max_size=14).map(
    " ".join
)
_nows = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
_zones = st.sampled_from(["Europe/Warsaw", "Europe/Moscow", "America/New_York", "UTC", "Nope/x"])


def _parse(text: str, now: datetime, tz: str) -> tuple[TaskDraft, tuple[str, ...]]:
    return parse_task_detailed(text, now=now, tz=tz, projects=PROJECTS, members=MEMBERS)


def _chars(*parts: str | None) -> Counter[str]:
    return Counter(c for part in parts if part for c in part if not c.isspace())


@_SETTINGS
@given(st.text(), _nows, _zones)
def test_never_raises_on_any_text(text: str, now: datetime, tz: str) -> None:
    draft = parse_task(text, now=now, tz=tz, projects=PROJECTS, members=MEMBERS)
    assert isinstance(draft, TaskDraft)


@_SETTINGS
@given(_messages, _nows, _zones)
@example("@nieznany : : !!", datetime(2000, 1, 1, tzinfo=UTC), "Europe/Warsaw")  # found once
def test_deadline_is_aware_and_title_not_empty(text: str, now: datetime, tz: str) -> None:
    draft, _ = _parse(text, now, tz)
    if draft.deadline is not None:
        assert draft.deadline.utcoffset() is not None
    if text.strip():
        assert draft.title or draft.description
    assert draft.title == " ".join(draft.title.split())


@_SETTINGS
@given(st.one_of(_messages, st.text()), _nows, _zones)
def test_no_character_is_lost(text: str, now: datetime, tz: str) -> None:
    """Every non-blank character is in the title, the description or a recognised fragment."""
    draft, removed = _parse(text, now, tz)
    assert _chars(text) == _chars(draft.title, draft.description, *removed)


@_SETTINGS
@given(_messages, _nows)
def test_every_word_is_kept_or_recognised(text: str, now: datetime) -> None:
    """A word of the input is in the title or description, or it is a recognised token."""
    draft, removed = _parse(text, now, "Europe/Warsaw")
    kept = f"{draft.title} {draft.description or ''}"
    recognised = " ".join(removed)
    for word in text.split():
        core = word.strip(_PUNCTUATION)
        assert core in kept or core in recognised, word


@_SETTINGS
@given(_nows, st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_a_time_alone_lands_within_a_day(now: datetime, hour: int, minute: int) -> None:
    draft = parse_task(f"Call at {hour}:{minute:02d}", now=now, tz="Europe/Warsaw")
    assert draft.deadline is not None
    assert now < draft.deadline <= now + timedelta(days=1, hours=1)  # +1 h: clocks go back
