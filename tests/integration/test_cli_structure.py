"""The first day from the command line, through ``brygada``'s real entry point on a fresh
database: projects, departments, members, and the staff import with a broken row."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date
from pathlib import Path

import pytest

from brygada.bootstrap import bootstrap
from brygada.cli import main
from brygada.settings import Settings
from domain.company import Member, Role, WorkSchedule
from domain.services import members

STAFF = """name,email,position,department,manager,role,timezone,language
Olga Nowak,olga@acme.pl,CEO,Board,,admin,Europe/Warsaw,pl
Anna Kowal,anna@acme.pl,Head of sales,Sales,olga@acme.pl,manager,,pl
Ivan Petrov,ivan@acme.pl,Sales rep,Sales,Anna Kowal,,Europe/Kyiv,ru
Broken Row,broken@acme.pl,Sales rep,Sales,Anna Kowal,,Mars/Base,en
Piotr Zieliński,,Driver,Logistics,Nobody Known,,,
Ewa Lis,ewa@acme.pl,Accountant,Finance,Olga Nowak,,,en
"""


@pytest.fixture
def fresh_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    monkeypatch.setenv("BRYGADA_DATABASE_URL", url)
    monkeypatch.setenv("BRYGADA_TELEGRAM_BOT_USERNAME", "acme_bot")
    monkeypatch.chdir(str(tmp_path))
    return url


def _people() -> list[Member]:
    async def read() -> list[Member]:
        app = await bootstrap(Settings())  # type: ignore[call-arg]
        try:
            async with app.uow() as uow:
                company = await uow.companies.first()
                assert company is not None
                return list(await uow.members.list(company.id))
        finally:
            await app.close()

    return asyncio.run(read())


def _codes(out: str) -> dict[str, dict[str, str]]:
    return {row["name"]: row for row in csv.DictReader(io.StringIO(out))}


def test_import_members_reports_broken_rows_and_is_idempotent(
    fresh_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--company", "Acme"]) == 0
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    capsys.readouterr()
    assert main(["import", "members", "staff.csv"]) == 1
    first = capsys.readouterr()
    assert "staff.csv:5: timezone unknown: Mars/Base" in first.err
    assert "staff.csv:6: manager unknown: Nobody Known" in first.err
    assert "4 created, 0 updated, 2 refused." in first.err
    codes = _codes(first.out)
    assert sorted(codes) == ["Anna Kowal", "Ewa Lis", "Ivan Petrov", "Olga Nowak"]
    code = codes["Ivan Petrov"]["code"]
    assert codes["Ivan Petrov"]["link"] == f"https://t.me/acme_bot?start={code}"
    people = {m.name: m for m in _people()}
    assert set(people) == {"Anna Kowal", "Ewa Lis", "Ivan Petrov", "Olga Nowak"}
    ivan, anna, olga = people["Ivan Petrov"], people["Anna Kowal"], people["Olga Nowak"]
    assert (ivan.position, ivan.timezone, ivan.language) == ("Sales rep", "Europe/Kyiv", "ru")
    assert ivan.manager_id == anna.id and anna.manager_id == olga.id
    assert olga.role is Role.ADMIN and anna.role is Role.MANAGER
    assert ivan.department_id == anna.department_id is not None

    # Fixed and run again: the broken rows go in, the others are updated, not doubled;
    # the codes already given out stay the same.
    (tmp_path / "staff.csv").write_text(
        STAFF.replace("Mars/Base", "Europe/Warsaw").replace("Nobody Known", "Olga Nowak"),
        encoding="utf-8",
    )
    assert main(["import", "members", "staff.csv", "--out", "codes.csv"]) == 0
    second = capsys.readouterr()
    assert "2 created, 4 updated, 0 refused." in second.err
    again = _codes((tmp_path / "codes.csv").read_text(encoding="utf-8"))
    assert len(again) == 6 and again["Ivan Petrov"]["code"] == code
    assert len(_people()) == 6

    # The code makes the chat account that member, with what was set up for them.
    async def join() -> Member:
        app = await bootstrap(Settings())  # type: ignore[call-arg]
        try:
            async with app.uow() as uow:
                member = await members.join(
                    uow,
                    code=code,
                    platform="telegram",
                    workspace="bot",
                    user_id="42",
                    chat_id="42",
                    name="Ivan P.",
                    username="ivanp",
                    language="en",
                    now=app.clock.now(),
                )
                await uow.commit()
                return member
        finally:
            await app.close()

    joined = asyncio.run(join())
    assert joined.id == ivan.id and joined.position == "Sales rep"
    assert main(["import", "members", "staff.csv"]) == 0
    assert _codes(capsys.readouterr().out)["Ivan Petrov"]["code"] == ""  # joined already


def test_project_department_and_member_set(
    fresh_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--company", "Acme"]) == 0
    (tmp_path / "staff.csv").write_text(
        STAFF.splitlines()[0] + "\n" + "\n".join(STAFF.splitlines()[1:4]), encoding="utf-8"
    )
    assert main(["import", "members", "staff.csv"]) == 0
    capsys.readouterr()
    assert (
        main(
            ["project", "add", "Logistics", "--member", "anna@acme.pl", "--member", "ivan@acme.pl"]
        )
        == 0
    )
    assert "Project 'Logistics' created with 2 members." in capsys.readouterr().out
    assert main(["project", "add", "logistics"]) == 1
    refused = capsys.readouterr().err
    assert "project_name" in refused and "reason=taken" in refused
    assert (
        main(["department", "add", "Field sales", "--parent", "Sales", "--head", "anna@acme.pl"])
        == 0
    )
    assert main(["department", "add", "Sales"]) == 1
    assert main(["department", "add", "Night", "--parent", "Nowhere"]) == 1
    assert (
        main(
            [
                "member",
                "set",
                "ivan@acme.pl",
                "--department",
                "Field sales",
                "--position",
                "Senior rep",
                "--manager",
                "olga@acme.pl",
                "--lang",
                "pl",
                "--tz",
                "Europe/Warsaw",
            ]
        )
        == 0
    )
    assert main(["member", "set", "olga@acme.pl", "--role", "employee"]) == 1
    assert "last_admin" in capsys.readouterr().err
    assert main(["member", "set", "nobody@acme.pl", "--position", "X"]) == 1
    people = {m.name: m for m in _people()}
    ivan = people["Ivan Petrov"]
    assert (ivan.position, ivan.language, ivan.timezone) == ("Senior rep", "pl", "Europe/Warsaw")
    assert ivan.manager_id == people["Olga Nowak"].id
    assert people["Olga Nowak"].role is Role.ADMIN


def test_company_country_decides_its_public_holidays(
    fresh_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--company", "Acme", "--timezone", "Europe/Warsaw"]) == 0

    def schedule_of_company() -> WorkSchedule:
        async def read() -> WorkSchedule:
            app = await bootstrap(Settings())  # type: ignore[call-arg]
            try:
                async with app.uow() as uow:
                    company = await uow.companies.first()
                    assert company is not None
                    return company.schedule
            finally:
                await app.close()

        return asyncio.run(read())

    christmas_eve = date(2026, 12, 24)  # a public holiday in Poland since 2025, not in Russia
    assert not schedule_of_company().is_working_day(christmas_eve)
    capsys.readouterr()
    assert main(["company", "set", "--country", "ru"]) == 0
    assert "public holidays of RU" in capsys.readouterr().out
    assert schedule_of_company().is_working_day(christmas_eve)
    assert main(["company", "set", "--country", "Atlantis"]) == 1
    assert "country" in capsys.readouterr().err
    assert main(["company", "set", "--country", "-"]) == 0
    assert schedule_of_company().country == ""
