"""Dates people can trust: holidays by country, past and non-working deadlines flagged on
the card with one-tap fixes, /deadline that never jumps a year, join dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from brygada.bootstrap import App
from domain.errors import InvalidInput
from domain.services import members
from tests.conftest import FakeClock
from tests.factories import make_team
from tests.scheduling import Recorder, run_until


async def test_new_company_takes_its_timezones_country(app: App) -> None:
    async with app.uow() as uow:
        warsaw = await members.create_company(uow, "A", timezone="Europe/Warsaw")
        moscow = await members.create_company(uow, "B", timezone="Europe/Moscow")
        await members.set_company_country(uow, moscow, "-")
        with pytest.raises(InvalidInput):
            await members.set_company_country(uow, warsaw, "Narnia")
        await uow.commit()
    async with app.uow() as uow:
        stored = [await uow.companies.get(c.id or 0) for c in (warsaw, moscow)]
    assert [c.schedule.country if c else None for c in stored] == ["PL", ""]


@pytest.mark.parametrize(("country", "skipped"), [("PL", True), ("-", False)])
async def test_no_morning_prompt_on_a_public_holiday(
    app: App, clock: FakeClock, country: str, skipped: bool
) -> None:
    clock.set(datetime(2026, 11, 10, 0, 0, tzinfo=UTC))
    team = await make_team(app)
    async with app.uow() as uow:
        company = await uow.companies.get(team.company.id or 0)
        assert company is not None
        await members.set_company_country(uow, company, country)
        await uow.commit()
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 12, 12, 0, tzinfo=UTC))
    days = recorder.local_dates("anna", "plan.morning", "Europe/Warsaw")
    independence = date(2026, 11, 11)
    assert days == [date(2026, 11, 10), *(() if skipped else (independence,)), date(2026, 11, 12)]
