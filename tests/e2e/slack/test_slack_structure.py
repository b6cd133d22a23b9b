"""Company structure over Slack: signed slash commands into the real Bolt app; an admin
changes projects and members, an employee is refused and nothing changes."""

from __future__ import annotations

from domain.company import Role
from tests.e2e.slack.conftest import ANNA, TEAM_ID, SlackHarness
from tests.factories import Team

DM = f"D{ANNA}"


async def test_an_admin_sets_up_structure_and_an_employee_cannot(
    slack: SlackHarness, team: Team
) -> None:
    await slack.command("/join", await slack.invite(team, Role.ADMIN))
    await slack.command("/project", "add Logistics @ivan")
    await slack.command("/member", "@ivan position Driver")
    await slack.command("/audit", "")
    sent = "\n".join(slack.api.sent_texts(DM))
    assert "Project created." in sent and "Logistics" in sent
    assert "Position: Driver" in sent
    assert "member Ivan: position — → Driver" in sent
    async with slack.app.uow() as uow:
        anna = await uow.members.by_identity("slack", TEAM_ID, ANNA)
        assert anna is not None
        anna[0].role = Role.EMPLOYEE
        await uow.members.save(anna[0])
        await uow.commit()
    await slack.command("/project", "add Marketing")
    assert "Only an admin can change" in slack.api.sent_texts(DM)[-1]
    async with slack.app.uow() as uow:
        names = {p.name for p in await uow.projects.list(team.company.id)}
    assert names == {"Sales", "Logistics"}
