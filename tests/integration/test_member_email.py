"""Members' work emails: unique per company, case-folded; set from the CLI."""

from __future__ import annotations

import asyncio

import pytest

from brygada.bootstrap import App, bootstrap
from brygada.cli import main
from brygada.settings import Settings
from domain.company import Role
from domain.errors import InvalidInput
from domain.services import members
from tests.factories import make_team


async def test_an_email_belongs_to_one_member_of_a_company(app: App) -> None:
    team = await make_team(app)
    async with app.uow() as uow:
        await members.set_email(uow, team["anna"], "Anna@Acme.com")
        with pytest.raises(InvalidInput) as taken:
            await members.set_email(uow, team["ivan"], "anna@ACME.com")
        assert taken.value.params["reason"] == "taken"
        await members.set_email(uow, team["anna"], "anna@acme.com")  # her own: fine
        await uow.commit()
    async with app.uow() as uow:
        [found] = await uow.members.by_email(team.company.id, " ANNA@acme.com")
        assert found.id == team["anna"].id and found.email == "anna@acme.com"
        await members.set_email(uow, found, None)
        await uow.commit()
    async with app.uow() as uow:
        assert await uow.members.by_email(team.company.id, "anna@acme.com") == []


def test_the_cli_sets_shows_and_clears_an_email(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRYGADA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    monkeypatch.chdir(str(tmp_path))
    assert main(["init", "--company", "Acme"]) == 0

    async def _member() -> None:  # someone who joined on Telegram
        app = await bootstrap(Settings())  # type: ignore[call-arg]
        async with app.uow() as uow:
            company = await uow.companies.first()
            assert company is not None
            invite = await members.create_invite(uow, company.id, Role.EMPLOYEE, app.clock.now())
            await members.join(
                uow,
                code=invite.code,
                platform="telegram",
                workspace="",
                user_id="42",
                chat_id="42",
                name="Anna Kowalska",
                username="anna",
                language="en",
                now=app.clock.now(),
            )
            await uow.commit()
        await app.close()

    asyncio.run(_member())
    capsys.readouterr()

    assert main(["member", "email", "@anna", "Anna@Acme.com"]) == 0
    assert "anna@acme.com" in capsys.readouterr().out
    assert main(["member", "email", "Anna Kowalska"]) == 0
    assert "anna@acme.com" in capsys.readouterr().out
    assert main(["member", "email", "anna", "not-an-email"]) == 1
    assert main(["member", "email", "nobody", "x@y.pl"]) == 1
    assert main(["member", "email", "anna", "--clear"]) == 0
    assert "no email" in capsys.readouterr().out
