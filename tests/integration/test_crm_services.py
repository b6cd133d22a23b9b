"""CRM use cases on a real database (SQLite; PostgreSQL with BRYGADA_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from brygada.bootstrap import App
from domain.company import Role
from domain.crm import (
    CrmNotFound,
    CrmNotPermitted,
    CrmRules,
    EntityKind,
    EntityRef,
    FormNotFound,
    InvalidLead,
    LeadInput,
    LeadStatus,
    StageKind,
)
from domain.services import crm
from domain.tasks import Priority
from storage.models.crm import CrmDealRow
from tests.conftest import FakeClock
from tests.factories import Team, make_department, make_team

RULES = CrmRules()


def title(lang: str, name: str) -> str:
    return f"Call {name} [{lang}]"


@pytest.fixture
async def team(app: App) -> Team:
    team = await make_team(
        app,
        [
            ("boss", Role.ADMIN),
            ("anna", Role.EMPLOYEE),
            ("ivan", Role.EMPLOYEE),
            ("head", Role.MANAGER),
            ("olga", Role.EMPLOYEE),
            ("guest", Role.EXTRANET),
        ],
    )
    await make_department(app, team, "Sales", "head", ["anna", "ivan", "head"])
    return team


async def _lead(app: App, who, text: LeadInput):  # type: ignore[no-untyped-def]
    async with app.uow() as uow:
        created = await crm.create_lead(uow, who, text, app.clock.now(), RULES, title)
        await uow.commit()
    return created


JAN = LeadInput(
    name="Jan Kowalski",
    phone="600 100 200",
    email="Jan@Acme.pl",
    company_name="ACME sp. z o.o.",
    comment="wants a quote",
)


async def test_lead_gets_a_call_task_inside_working_hours(app: App, team: Team) -> None:
    created = await _lead(app, team["anna"], JAN)
    lead, task = created.lead, created.task
    assert lead.phone == "+48600100200" and lead.owner_id == team["anna"].id
    assert task is not None
    assert task.title == "Call Jan Kowalski [en]"
    assert task.crm_links == {f"lead:{lead.id}"}
    assert task.responsible_id == team["anna"].id and task.priority is Priority.HIGH
    assert task.deadline == app.clock.now() + timedelta(minutes=15)  # Wed 10:30 Warsaw


async def test_call_task_after_hours_is_due_next_morning(
    app: App, team: Team, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 27, 18, 0, tzinfo=UTC))  # Friday 19:00 in Warsaw
    created = await _lead(app, team["anna"], JAN)
    assert created.task is not None
    assert created.task.deadline == datetime(2026, 11, 30, 8, 15, tzinfo=UTC)  # Mon 09:15


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("anna", {"anna"}),
        ("ivan", {"ivan"}),
        ("olga", {"olga"}),
        ("head", {"anna", "ivan", "head"}),
        ("boss", {"anna", "ivan", "head", "olga"}),
    ],
)
async def test_who_sees_which_leads(app: App, team: Team, viewer: str, sees: set[str]) -> None:
    for i, owner in enumerate(("anna", "ivan", "head", "olga")):
        await _lead(app, team[owner], LeadInput(name=f"Client {owner}", phone=f"60010020{i}"))
    async with app.uow() as uow:
        page = await crm.list_leads(uow, team[viewer])
        owners = {lead.owner_id for lead in page.items}
        assert owners == {team[h].id for h in sees}
        for lead in (await crm.list_leads(uow, team["boss"])).items:
            ref = lead.ref
            if lead.owner_id in owners:
                await crm.card(uow, team[viewer], ref, RULES)
            else:
                with pytest.raises(CrmNotFound):
                    await crm.card(uow, team[viewer], ref, RULES)


async def test_extranet_sees_no_clients(app: App, team: Team) -> None:
    created = await _lead(app, team["anna"], JAN)
    async with app.uow() as uow:
        with pytest.raises(CrmNotPermitted):
            await crm.list_leads(uow, team["guest"])
        with pytest.raises(CrmNotPermitted):
            await crm.card(uow, team["guest"], created.lead.ref, RULES)
        with pytest.raises(CrmNotPermitted):
            await crm.create_lead(uow, team["guest"], JAN, app.clock.now(), RULES, title)
        with pytest.raises(CrmNotPermitted):
            await crm.funnel(uow, team["guest"], None, app.clock.now())


async def test_duplicates_by_phone_email_and_company(app: App, team: Team) -> None:
    first = await _lead(app, team["anna"], JAN)
    assert first.duplicates == []
    by_phone = await _lead(app, team["ivan"], LeadInput(name="J. K.", phone="+48600100200"))
    by_email = await _lead(app, team["ivan"], LeadInput(name="Jan", email="JAN@acme.PL"))
    by_company = await _lead(
        app, team["ivan"], LeadInput(name="Ewa", company_name="Acme Sp. z o.o.", email="e@x.pl")
    )
    ref = str(first.lead.ref)
    assert [str(d) for d in by_phone.duplicates] == [ref]
    assert str(by_email.duplicates[0]) == ref
    assert str(by_company.duplicates[0]) == ref
    assert by_phone.lead.duplicate_of == ref


async def test_convert_keeps_history_and_reuses_the_company(app: App, team: Team) -> None:
    created = await _lead(app, team["anna"], JAN)
    anna, now = team["anna"], app.clock.now()
    async with app.uow() as uow:
        await crm.comment(uow, anna, created.lead.ref, "Called, send prices", now)
        conversion = await crm.convert_lead(
            uow, anna, created.lead.id, now, RULES, amount=Decimal("1200.50")
        )
        await uow.commit()
    assert conversion.lead.status is LeadStatus.CONVERTED
    assert conversion.client_company is not None
    assert conversion.contact.client_company_id == conversion.client_company.id
    async with app.uow() as uow:
        card = await crm.card(uow, anna, conversion.deal.ref, RULES)
        kinds = [a.kind.value for a in card.timeline]
        assert "comment" in kinds and "converted" in kinds  # the lead's history is on the deal
        assert [t.title for t in card.tasks] == ["Call Jan Kowalski [en]"]
        assert card.record.amount == Decimal("1200.50")  # type: ignore[union-attr]
        assert card.stage is not None and card.stage.code == "new"
        contact = await crm.card(uow, anna, conversion.contact.ref, RULES)
        assert [d.id for d in contact.deals] == [conversion.deal.id]
        with pytest.raises(Exception, match="closed"):
            await crm.convert_lead(uow, anna, created.lead.id, now, RULES)
    second = await _lead(
        app, anna, LeadInput(name="Ewa", email="ewa@acme.pl", company_name="ACME sp. z o.o.")
    )
    async with app.uow() as uow:
        again = await crm.convert_lead(uow, anna, second.lead.id, now, RULES)
        await uow.commit()
    assert again.client_company is not None
    assert again.client_company.id == conversion.client_company.id


async def test_merge_moves_timeline_and_task_links(app: App, team: Team) -> None:
    first = await _lead(app, team["anna"], JAN)
    dup = await _lead(
        app, team["anna"], LeadInput(name="Jan K", phone="600100200", comment="second enquiry")
    )
    async with app.uow() as uow:
        into = await crm.merge_lead(uow, team["anna"], dup.lead.id, first.lead.ref, app.clock.now())
        await uow.commit()
    assert into.ref == first.lead.ref
    async with app.uow() as uow:
        merged = await uow.crm.get_lead(dup.lead.id)
        assert merged is not None and merged.status is LeadStatus.MERGED
        card = await crm.card(uow, team["anna"], first.lead.ref, RULES)
        assert len(card.tasks) == 2  # both call tasks now point at the surviving lead
        assert "second enquiry" in (card.record.comment or "")  # type: ignore[union-attr]
        task = await uow.tasks.get(dup.task.id)  # type: ignore[union-attr]
        assert task is not None and task.crm_links == {str(first.lead.ref)}


async def test_merge_needs_both_records_visible(app: App, team: Team) -> None:
    olgas = await _lead(app, team["olga"], JAN)
    annas = await _lead(app, team["anna"], LeadInput(name="Jan", phone="600100200"))
    async with app.uow() as uow:
        with pytest.raises(CrmNotFound):
            await crm.merge_lead(uow, team["anna"], annas.lead.id, olgas.lead.ref, app.clock.now())


async def test_take_and_assign(app: App, team: Team) -> None:
    created = await _lead(app, team["anna"], JAN)
    ref = created.lead.ref
    async with app.uow() as uow:
        with pytest.raises(CrmNotPermitted):  # she owns it already; taking is for heads
            await crm.take(uow, team["anna"], ref, app.clock.now())
        await crm.take(uow, team["head"], ref, app.clock.now())
        await crm.assign(uow, team["head"], ref, team["ivan"].id, app.clock.now())
        await uow.commit()
    async with app.uow() as uow:
        lead = await uow.crm.get_lead(created.lead.id)
        assert lead is not None and lead.owner_id == team["ivan"].id
        with pytest.raises(CrmNotFound):  # no longer hers
            await crm.card(uow, team["anna"], ref, RULES)
        with pytest.raises(Exception, match="member_not_found"):
            await crm.assign(uow, team["boss"], ref, team["guest"].id, app.clock.now())


async def test_web_leads_round_robin_and_are_announced(app: App, team: Team) -> None:
    async with app.uow() as uow:
        form = await crm.create_form(uow, team.company.id, "Website", app.clock.now())
        await uow.commit()
    owners = []
    for i in range(4):
        async with app.uow() as uow:
            lead = await crm.submit_web_lead(
                uow,
                form.token,
                LeadInput(name=f"Web {i}", email=f"w{i}@x.pl"),
                app.clock.now(),
                RULES,
                title,
            )
            await uow.commit()
        owners.append(lead.owner_id)
        assert lead.source == "web:Website" and lead.created_by is None
    sales = sorted(team[h].id for h in ("anna", "ivan", "head"))
    assert owners == [*sales, sales[0]]
    async with app.uow() as uow:
        from sqlalchemy import select

        from storage.models import OutboxRow

        new_leads = select(OutboxRow).where(OutboxRow.kind == "lead.new")
        rows = list(await uow.session.scalars(new_leads))
        assert sorted(r.member_id for r in rows) == sorted(owners)
        with pytest.raises(FormNotFound):
            await crm.submit_web_lead(
                uow, "nope", LeadInput(name="X", email="x@x.pl"), app.clock.now(), RULES, title
            )
        with pytest.raises(InvalidLead):
            await crm.submit_web_lead(
                uow,
                form.token,
                LeadInput(company_name="ACME", email="x@x.pl"),
                app.clock.now(),
                RULES,
                title,
            )


async def test_deal_stages_and_funnel_in_sql(app: App, team: Team) -> None:
    anna, head, now = team["anna"], team["head"], app.clock.now()
    async with app.uow() as uow:
        deals = [
            await crm.create_deal(uow, anna, f"Deal {i}", now, RULES, amount=Decimal(100 * (i + 1)))
            for i in range(6)
        ]
        await crm.create_deal(uow, team["olga"], "Olga's", now, RULES, amount=Decimal(7))
        ids = [d.id for d in deals]
        await crm.next_stage(uow, anna, ids[0], now)
        await crm.next_stage(uow, anna, ids[0], now)  # proposal
        await crm.next_stage(uow, anna, ids[1], now)  # qualified
        await crm.close_deal(uow, anna, ids[2], True, now)  # won
        await crm.next_stage(uow, anna, ids[3], now)
        await crm.close_deal(uow, anna, ids[3], False, now, reason="price")  # lost at qualified
        with pytest.raises(Exception, match="lost_reason"):
            await crm.close_deal(uow, anna, ids[4], False, now)
        await uow.commit()
    async with app.uow() as uow:
        [funnel] = await crm.funnel(uow, head, None, now)
        rows = {s.stage.code: s for s in funnel.stages}
        assert funnel.total == 6  # Olga's deal is outside the head's department
        assert {c: rows[c].count for c in rows} == {
            "new": 2,
            "qualified": 1,
            "proposal": 1,
            "negotiation": 0,
            "won": 1,
            "lost": 1,
        }
        assert {c: rows[c].reached for c in ("new", "qualified", "proposal", "won")} == {
            "new": 6,
            "qualified": 4,
            "proposal": 2,
            "won": 1,
        }
        assert rows["won"].amounts == {"PLN": Decimal("300.00")}
        assert rows["new"].amounts == {"PLN": Decimal("1100.00")}
        assert rows["qualified"].conversion == pytest.approx(4 / 6)
        [everything] = await crm.funnel(uow, team["boss"], None, now)
        assert everything.total == 7
        [later] = await crm.funnel(
            uow, team["boss"], now + timedelta(days=1), now + timedelta(days=2)
        )
        assert later.total == 0


async def test_custom_pipeline(app: App, team: Team) -> None:
    async with app.uow() as uow:
        with pytest.raises(Exception, match="not_permitted"):
            await crm.create_pipeline(uow, team["anna"], "B2B", [("Call", StageKind.OPEN)])
        pipeline = await crm.create_pipeline(
            uow,
            team["boss"],
            "B2B",
            [
                ("Call", StageKind.OPEN),
                ("Demo", StageKind.OPEN),
                ("Signed", StageKind.WON),
                ("Dropped", StageKind.LOST),
            ],
        )
        deal = await crm.create_deal(
            uow, team["boss"], "Big", app.clock.now(), RULES, pipeline_id=pipeline.id
        )
        await crm.next_stage(uow, team["boss"], deal.id, app.clock.now())
        with pytest.raises(Exception, match="last_open_stage"):
            await crm.next_stage(uow, team["boss"], deal.id, app.clock.now())
        funnels = await crm.funnel(uow, team["boss"], None, app.clock.now())
        assert [f.pipeline.name for f in funnels] == [None, "B2B"]
        assert [s.reached for s in funnels[1].stages] == [1, 1, 0, 0]


async def test_stale_deal_alerts_once_per_local_day(app: App, team: Team, clock: FakeClock) -> None:
    anna = team["anna"]
    async with app.uow() as uow:
        old = await crm.create_deal(uow, anna, "Sleepy", clock.now(), RULES)
        await uow.commit()
    clock.advance(days=10)
    async with app.uow() as uow:
        await crm.create_deal(uow, anna, "Fresh", clock.now(), RULES)
        won = await crm.create_deal(
            uow, anna, "Done", clock.now() - timedelta(days=9), RULES, amount=Decimal(500)
        )
        await crm.close_deal(uow, anna, won.id, True, clock.now() - timedelta(days=9))
        await uow.commit()
    clock.advance(days=5)
    async with app.uow() as uow:
        assert await crm.enqueue_stale_deal_alerts(uow, clock.now(), 14) == 1
        assert await crm.enqueue_stale_deal_alerts(uow, clock.now(), 14) == 0  # same day
        await uow.commit()
    clock.advance(days=1)
    async with app.uow() as uow:
        await crm.comment(uow, anna, EntityRef(EntityKind.DEAL, old.id), "ping", clock.now())
        assert await crm.enqueue_stale_deal_alerts(uow, clock.now(), 14) == 0
        assert await crm.enqueue_stale_deal_alerts(uow, clock.now(), 5) == 1  # "Fresh", 6 days
        await uow.commit()


async def test_fix_lead_revalidates(app: App, team: Team) -> None:
    created = await _lead(app, team["anna"], JAN)
    async with app.uow() as uow:
        lead = await crm.fix_lead(
            uow, team["anna"], created.lead.id, "phone", "601 234 567", app.clock.now(), RULES
        )
        assert lead.phone == "+48601234567"
        with pytest.raises(InvalidLead):
            await crm.fix_lead(
                uow, team["anna"], created.lead.id, "email", "nope", app.clock.now(), RULES
            )


async def test_client_search(app: App, team: Team) -> None:
    await _lead(app, team["anna"], JAN)
    async with app.uow() as uow:
        found = await crm.find_clients(uow, team["anna"], "kowal")
        assert [m.name for m in found] == ["Jan Kowalski"]
        assert await crm.find_clients(uow, team["olga"], "kowal") == []
        found = await crm.find_clients(uow, team["boss"], "acme")
        assert [m.ref.kind for m in found] == [EntityKind.LEAD]
    assert CrmDealRow.__tablename__ == "crm_deals"
