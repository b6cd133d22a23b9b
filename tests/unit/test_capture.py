"""Quick capture: the case table plus focused tests for the rules that are easy to break."""

from __future__ import annotations

import unicodedata
from dataclasses import fields
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.capture import TaskDraft, detect_lang, parse_task, parse_task_detailed
from tests.unit.capture_cases import CASES, MEMBERS, NOW, PROJECTS, WARSAW, Case

_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(TaskDraft) if f.name != "title"}
_CYRILLIC = {
    **dict(zip("абвгдеёзийклмнопрстуфхыэ", "abvgdeeziyklmnoprstufhye", strict=True)),
    **{"ж": "zh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ю": "yu", "я": "ya"},
    **{"ъ": "", "ь": ""},
}


def _ascii(text: str) -> str:
    """A readable ASCII id: Polish letters lose their marks, Cyrillic is transliterated."""
    out = "".join(_CYRILLIC.get(c, c) if c.islower() else c for c in text.lower())
    out = unicodedata.normalize("NFKD", out.replace("ł", "l"))
    out = "".join(c for c in out if c.isascii() and (c.isalnum() or c in " :.-"))
    return " ".join(out.split())[:48]


def _id(case: Case) -> str:
    index = [c for c in CASES if c.lang == case.lang].index(case)
    return f"{case.lang}{index:02d}-{_ascii(case.text).strip()}"


def _parse(case: Case) -> TaskDraft:
    return parse_task(
        case.text,
        now=case.now,
        tz=case.tz,
        lang=case.hint,
        projects=case.projects,
        members=case.members,
        workday_end=case.workday_end,
    )


def _local(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case_table(case: Case) -> None:
    draft = _parse(case)
    assert draft.title == case.expect["title"]
    for name, default in _DEFAULTS.items():
        expected = case.expect.get(name, default)
        actual = getattr(draft, name)
        if name == "deadline":
            assert _local(actual) == expected, "deadline"
            if actual is not None:
                assert actual.tzinfo is not None and str(actual.tzinfo) == case.tz
        else:
            assert actual == expected, name


def test_the_table_is_big_enough() -> None:
    per_language = {lang: sum(c.lang == lang for c in CASES) for lang in ("en", "pl", "ru")}
    assert len(CASES) >= 150
    assert min(per_language.values()) >= 50, per_language
    assert all(set(c.expect) <= {f.name for f in fields(TaskDraft)} for c in CASES)


# --- focused tests --------------------------------------------------------------------------


def parse(text: str, **kwargs: Any) -> TaskDraft:
    options: dict[str, Any] = {"now": NOW, "tz": WARSAW, "projects": PROJECTS, "members": MEMBERS}
    options.update(kwargs)
    return parse_task(text, **options)


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(WARSAW))


def test_zavtra_v_9_is_nine_not_ten() -> None:
    # dateparser 1.5.0 reads this as 10:00
    draft = parse("завтра в 9")
    assert draft.deadline == at("2026-11-26 09:00")
    assert draft.deadline_explicit_time


def test_do_konca_tygodnia_is_friday_end_of_workday() -> None:
    # dateparser 1.5.0 does not read this at all
    assert parse("Raport do końca tygodnia").deadline == at("2026-11-27 18:00")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 25, 8, 59, tzinfo=ZoneInfo(WARSAW)), "2026-11-25 09:00"),
        (datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo(WARSAW)), "2026-11-26 09:00"),
        (datetime(2026, 11, 25, 9, 1, tzinfo=ZoneInfo(WARSAW)), "2026-11-26 09:00"),
    ],
)
def test_a_time_that_has_passed_means_tomorrow(now: datetime, expected: str) -> None:
    assert parse("Stand-up at 9:00", now=now).deadline == at(expected)


def test_a_date_without_time_gets_the_companys_workday_end() -> None:
    draft = parse("Report on Friday", workday_end=time(16, 30))
    assert draft.deadline == at("2026-11-27 16:30")
    assert not draft.deadline_explicit_time


def test_end_of_week_on_a_weekend_is_next_friday() -> None:
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=ZoneInfo(WARSAW))
    assert parse("до конца недели", now=saturday).deadline == at("2026-12-04 18:00")


def test_backlog_gets_a_year_unless_a_date_is_given() -> None:
    assert parse("STEC: idea").deadline == at("2027-11-25 10:30")  # now + 1 year
    assert parse("Backlog: idea 01.02").deadline == at("2027-02-01 18:00")
    leap = datetime(2028, 2, 29, 12, 0, tzinfo=ZoneInfo(WARSAW))
    assert parse("Бэклог: идея", now=leap).deadline == at("2029-02-28 12:00")


def test_unknown_handles_stay_in_the_title() -> None:
    draft = parse("Ask @ivan and @ghost, then @Ghost again")
    assert draft.assignees == ("ivan",)
    assert draft.unknown_handles == ("ghost",)  # one question per person, not per spelling
    assert draft.title == "Ask and @ghost, then @Ghost again"


def test_without_members_every_handle_is_an_assignee_in_order() -> None:
    draft = parse("Review @b @a @B", members=())
    assert draft.assignees == ("b", "a")
    assert draft.unknown_handles == ()


def test_a_url_is_not_split_at_its_slashes() -> None:
    draft = parse("Read https://x.com/a//b and http://y.pl")
    assert draft.title == "Read https://x.com/a//b and http://y.pl"
    assert draft.description is None


def test_description_tokens_are_not_parsed() -> None:
    draft = parse("Call Ivan // tomorrow @olga #x !h ~1h")
    assert draft.title == "Call Ivan"
    assert draft.description == "tomorrow @olga #x !h ~1h"
    assert (draft.deadline, draft.assignees, draft.tags, draft.priority) == (None, (), (), "medium")


def test_first_line_break_starts_the_description() -> None:
    draft = parse("  Call Ivan\r\n\r\n  line two\nline three  ")
    assert draft.title == "Call Ivan"
    assert draft.description == "line two\nline three"


def test_a_message_of_only_tokens_keeps_its_text_as_the_title() -> None:
    draft = parse("tomorrow 9:00 #ops")
    assert draft.title == "tomorrow 9:00 #ops"
    assert draft.deadline == at("2026-11-26 09:00")
    assert draft.tags == ("ops",)
    assert parse("Website: tomorrow").title == "Website: tomorrow"


def test_a_long_message_is_kept_whole() -> None:
    body = " ".join(f"word{i}" for i in range(60))
    draft = parse(f"{body} tomorrow #long")
    assert len(draft.title) > 250
    assert draft.title == body
    assert draft.tags == ("long",)
    assert draft.deadline == at("2026-11-26 18:00")


def test_the_first_priority_counts() -> None:
    draft = parse("Fix it !low !high")
    assert (draft.priority, draft.title) == ("low", "Fix it")


def test_only_the_first_date_is_the_deadline() -> None:
    draft = parse("Move the meeting from Friday to Monday")
    assert draft.deadline == at("2026-11-27 18:00")
    assert draft.title == "Move the meeting from to Monday"


def test_recurring_weekdays_are_not_deadlines() -> None:
    assert parse("Report every Friday").deadline is None
    assert parse("Raport co piątek").deadline is None


def test_a_weekday_followed_by_its_date_is_one_deadline() -> None:
    draft = parse("Demo on Friday 4.12")
    assert draft.deadline == at("2026-12-04 18:00")
    assert draft.title == "Demo"


def test_impossible_dates_and_times_stay_text() -> None:
    for text in ("Order 31.02", "Call at 25:00", "Plan 2026-13-01", "Meet o 24"):
        draft = parse(text)
        assert draft.deadline is None, text
        assert draft.title == text


def test_us_dates_only_when_day_first_is_impossible_in_english() -> None:
    assert parse("Pay 11/12").deadline == at("2026-12-11 18:00")
    assert parse("Pay 12/25").deadline == at("2026-12-25 18:00")
    assert parse("Zapłać 12/25").deadline is None


def test_the_deadline_is_in_the_members_zone() -> None:
    draft = parse(
        "Call tomorrow at 9", now=datetime(2026, 11, 25, 23, 30, tzinfo=UTC), tz="Asia/Tokyo"
    )
    assert draft.deadline == datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_in_two_hours_counts_real_time_across_a_clock_change() -> None:
    before_change = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo(WARSAW))  # 02:00-03:00 twice
    draft = parse("Check backups in 2 hours", now=before_change)
    assert draft.deadline is not None
    # (subtracting in one zone would compare wall times, so compare instants)
    assert draft.deadline.timestamp() - before_change.timestamp() == 2 * 3600
    assert draft.deadline.strftime("%H:%M %Z") == "02:30 CET"


def test_a_bad_zone_name_falls_back_to_the_zone_of_now() -> None:
    draft = parse("Call at 15:00", tz="Mars/Olympus")
    assert draft.deadline == at("2026-11-25 15:00")


def test_recognised_fragments_are_reported() -> None:
    _, removed = parse_task_detailed("Call Ivan, tomorrow at 9 #x // note", now=NOW, tz=WARSAW)
    assert removed == ("//", "tomorrow", "at", "9", "#x", ",")


def test_parse_is_deterministic_and_draft_frozen() -> None:
    first = parse("Call Ivan tomorrow !h #a @olga ~1h")
    assert first == parse("Call Ivan tomorrow !h #a @olga ~1h")
    with pytest.raises(AttributeError):
        first.title = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Call Ivan", "en"), ("Zadzwoń do Ivana", "pl"), ("zadzwon jutro", "pl"), ("Позвонить", "ru")],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\n", "//", "// only description", "!!", "~", "@", "#"]
)
def test_degenerate_messages(text: str) -> None:
    draft = parse(text)
    assert draft.title == " ".join(text.split()) or draft.description
