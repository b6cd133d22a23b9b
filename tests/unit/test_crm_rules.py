"""CRM rules without a database: visibility, the call-task SLA, round-robin, the funnel maths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.company import Department, Member, Role, WorkSchedule
from domain.crm import (
    CrmAction,
    CrmNotFound,
    CrmNotPermitted,
    Deal,
    EntityKind,
    EntityRef,
    InvalidLead,
    LeadInput,
    Pipeline,
    Stage,
    StageKind,
    StageTotals,
    build_funnel,
    call_deadline,
    clean_lead,
    crm_allowed,
    crm_require,
    default_pipeline,
    normalize_email,
    normalize_phone,
    phone_region_for,
    pick_round_robin,
    scope_for,
    validate_stages,
    web_lead_candidates,
)
from domain.errors import InvalidInput
from domain.ids import with_id

WARSAW = "Europe/Warsaw"
SCHEDULE = WorkSchedule()


def member(
    mid: int, role: Role = Role.EMPLOYEE, dept: int | None = None, manager: int | None = None
) -> Member:
    return Member(
        1, f"m{mid}", f"m{mid}", role=role, department_id=dept, manager_id=manager, id=mid
    )


# 1 admin; 2 head of Sales (dept 10) with 3 in it; 4 head of sub-department 11 with 5;
# 6 an employee elsewhere; 7 extranet; 8 manager whose direct report is 9.
PEOPLE = [
    member(1, Role.ADMIN),
    member(2, Role.MANAGER, 10),
    member(3, dept=10),
    member(4, Role.MANAGER, 11),
    member(5, dept=11),
    member(6),
    member(7, Role.EXTRANET),
    member(8, Role.MANAGER),
    member(9, manager=8),
]
DEPTS = [
    Department(1, "Sales", head_id=2, id=10),
    Department(1, "Export", head_id=4, parent_id=10, id=11),
]


def scope(mid: int):  # type: ignore[no-untyped-def]
    actor = next(m for m in PEOPLE if m.id == mid)
    return actor, scope_for(actor, PEOPLE, DEPTS)


@pytest.mark.parametrize(
    ("actor_id", "owner_id", "visible"),
    [
        (3, 3, True),
        (3, 5, False),
        (3, 2, False),  # employee: own only
        (2, 3, True),
        (2, 5, True),
        (2, 6, False),  # head: department incl. sub-departments
        (4, 5, True),
        (4, 3, False),  # sub-department head: theirs only
        (8, 9, True),
        (8, 6, False),  # manager: direct reports
        (1, 6, True),
        (1, 5, True),  # admin: everything
        (7, 7, False),
        (7, 3, False),  # extranet: nothing, not even "own"
    ],
)
def test_visibility(actor_id: int, owner_id: int, visible: bool) -> None:
    actor, s = scope(actor_id)
    assert crm_allowed(actor, owner_id, s, CrmAction.VIEW) is visible


def test_pool_records_are_visible_to_staff_but_not_extranet() -> None:
    employee, s = scope(3)
    assert crm_allowed(employee, None, s, CrmAction.TAKE)
    assert not crm_allowed(employee, None, s, CrmAction.WORK)
    guest, g = scope(7)
    assert not crm_allowed(guest, None, g, CrmAction.VIEW)


def test_owner_cannot_take_own_but_head_can_take_over() -> None:
    employee, s = scope(3)
    assert not crm_allowed(employee, 3, s, CrmAction.TAKE)
    head, hs = scope(2)
    assert crm_allowed(head, 3, hs, CrmAction.TAKE)


def test_invisible_is_not_found_and_visible_but_forbidden_is_not_permitted() -> None:
    employee, s = scope(3)
    ref = EntityRef(EntityKind.LEAD, 1)
    with pytest.raises(CrmNotFound):
        crm_require(employee, 1, 6, s, CrmAction.VIEW, ref)
    with pytest.raises(CrmNotFound):
        crm_require(employee, 2, 3, s, CrmAction.VIEW, ref)  # another company
    with pytest.raises(CrmNotPermitted):
        crm_require(employee, 1, None, s, CrmAction.WORK, ref)


def _utc(local: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(WARSAW)).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-11-25 10:30", "2026-11-25 10:45"),  # Wednesday, inside hours
        ("2026-11-25 07:00", "2026-11-25 09:15"),  # before the start
        ("2026-11-25 17:50", "2026-11-26 09:05"),  # 10 minutes left today, 5 tomorrow
        ("2026-11-25 19:00", "2026-11-26 09:15"),  # after hours
        ("2026-11-27 18:30", "2026-11-30 09:15"),  # Friday evening -> Monday
        ("2026-11-28 12:00", "2026-11-30 09:15"),  # Saturday
    ],
)
def test_call_deadline_stays_in_working_hours(now: str, due: str) -> None:
    got = call_deadline(_utc(now), WARSAW, SCHEDULE, timedelta(minutes=15))
    assert got == _utc(due)


def test_call_deadline_skips_holidays() -> None:
    schedule = WorkSchedule(holidays=frozenset({datetime(2026, 11, 26).date()}))
    got = call_deadline(_utc("2026-11-25 19:00"), WARSAW, schedule, timedelta(minutes=15))
    assert got == _utc("2026-11-27 09:15")


def test_round_robin() -> None:
    assert pick_round_robin([5, 3, 9], None) == 3
    assert pick_round_robin([5, 3, 9], 3) == 5
    assert pick_round_robin([5, 3, 9], 9) == 3
    assert pick_round_robin([5, 3, 9], 4) == 5  # the last owner left the rotation
    assert pick_round_robin([], 1) is None


def test_web_lead_candidates_prefer_sales_then_managers_then_admins() -> None:
    assert web_lead_candidates(PEOPLE, DEPTS) == [2, 3]
    assert web_lead_candidates(PEOPLE, []) == [2, 4, 8]
    admins_only = [member(1, Role.ADMIN), member(6), member(7, Role.EXTRANET)]
    assert web_lead_candidates(admins_only, []) == [1]


def test_phone_region_from_timezone_or_setting() -> None:
    assert phone_region_for("Europe/Warsaw") == "PL"
    assert phone_region_for("Europe/Moscow") == "RU"
    assert phone_region_for("Europe/Warsaw", "de") == "DE"
    assert phone_region_for("UTC") is None


def test_normalisation() -> None:
    assert normalize_phone("600-100-200", "PL") == "+48600100200"
    assert normalize_phone("8 (916) 123-45-67", "RU") == "+79161234567"
    assert normalize_phone("+48 600 100 200", None) == "+48600100200"
    assert normalize_phone("12345", "PL") is None
    assert normalize_email(" Jan.Kowalski@ACME.pl ") == "jan.kowalski@acme.pl"
    assert normalize_email("not-an-email") is None


def test_clean_lead_names_every_bad_field() -> None:
    with pytest.raises(InvalidLead) as caught:
        clean_lead(LeadInput(phone="123", email="x@"), "PL", strict_name=True)
    assert caught.value.params["fields"] == {
        "name": "required",
        "phone": "invalid",
        "email": "invalid",
    }
    with pytest.raises(InvalidLead) as caught:
        clean_lead(LeadInput(name="Jan"), "PL", strict_name=True)
    assert set(caught.value.params["fields"]) == {"phone", "email"}
    # From a chat, a company name stands in for a missing person's name.
    clean = clean_lead(LeadInput(company_name="ACME", email="a@acme.pl"), "PL", strict_name=False)
    assert clean.name == "ACME"
    assert clean.email_key == "a@acme.pl"


def test_custom_stages_need_one_won_and_one_lost() -> None:
    with pytest.raises(InvalidInput):
        validate_stages([("Call", StageKind.OPEN), ("Won", StageKind.WON)])
    with pytest.raises(InvalidInput):
        validate_stages([("Won", StageKind.WON), ("Lost", StageKind.LOST)])
    stages = validate_stages(
        [("Call", StageKind.OPEN), ("Won", StageKind.WON), ("Lost", StageKind.LOST)]
    )
    assert [s.position for s in stages] == [1, 2, 3]


def _pipeline() -> Pipeline:
    """The default pipeline as stored: pipeline 1, its stages numbered 1 to 6 in order."""
    new = default_pipeline(1)
    stages = [with_id(Stage, s, i + 1) for i, s in enumerate(new.stages)]
    return Pipeline(new.company_id, new.name, stages, 1, new.code)


def test_deal_moves_record_reach_and_lost_needs_reason() -> None:
    p = _pipeline()
    now = datetime(2026, 11, 25, tzinfo=UTC)
    deal = Deal(1, "ACME", 1, 1, now, id=1)
    deal.move_to(p, p.stage(3), now, None)
    assert deal.reached_position == 3
    deal.move_to(p, p.stage(2), now, None)
    assert deal.reached_position == 3  # going back does not undo what was reached
    with pytest.raises(InvalidInput):
        deal.move_to(p, p.stage(6), now, " ")
    deal.move_to(p, p.stage(6), now, "price")
    assert not deal.is_open and deal.closed_at == now and deal.lost_reason == "price"
    deal.move_to(p, p.stage(5), now, None)
    assert deal.reached_position == 5 and deal.lost_reason is None


def test_funnel_conversion_from_grouped_counts() -> None:
    p = _pipeline()
    totals = [
        StageTotals(1, 50, {"PLN": Decimal("100.00")}),
        StageTotals(2, 20),
        StageTotals(5, 10, {"PLN": Decimal("5000.00")}),
        StageTotals(6, 20),
    ]
    # reached positions: 40 stayed at 1, 30 got to 2, 20 to 3, 10 won (5 = past all open)
    reached = {1: 40, 2: 30, 3: 20, 5: 10}
    funnel = build_funnel(p, totals, reached, None, datetime(2026, 11, 25, tzinfo=UTC))
    rows = {s.stage.code: s for s in funnel.stages}
    assert funnel.total == 100
    assert [rows[c].reached for c in ("new", "qualified", "proposal", "negotiation", "won")] == [
        100,
        60,
        30,
        10,
        10,
    ]
    assert rows["new"].conversion is None
    assert rows["qualified"].conversion == pytest.approx(0.6)
    assert rows["negotiation"].conversion == pytest.approx(1 / 3)
    assert rows["won"].conversion == pytest.approx(1.0)
    assert rows["lost"].count == 20 and rows["lost"].conversion is None
    assert rows["won"].amounts == {"PLN": Decimal("5000.00")}
    assert funnel.won_rate == pytest.approx(0.1)
