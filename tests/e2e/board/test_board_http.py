"""The board's security rules over HTTP (the server's own aiohttp app, a real database):
one-time links, sessions, CSRF, Telegram initData, one company never on another's page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from brygada.bootstrap import App
from domain.company import Role
from domain.crm import CrmRules
from domain.services import crm
from domain.tasks import TaskStatus
from storage.models import OutboxRow
from tests.conftest import FakeClock
from tests.e2e.board.helpers import add_task, board_link, init_data, later, path_of
from tests.factories import make_department, make_team


async def sign_in(client: TestClient, app: App, handle: str) -> None:
    response = await client.get(path_of(await board_link(app, handle)), allow_redirects=False)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/app/board"


async def status_of(app: App, task_id: int | None) -> TaskStatus:
    async with app.uow() as uow:
        task = await uow.tasks.get(task_id or 0)
    assert task is not None
    return task.status


async def csrf_of(client: TestClient) -> str:
    page = await (await client.get("/app/board")).text()
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def test_a_link_signs_in_once_and_the_session_cookie_is_guarded(
    app: App, client: TestClient
) -> None:
    team = await make_team(app)
    await add_task(app, team["boss"], "Call the client", team["anna"])
    link = path_of(await board_link(app, "anna"))

    response = await client.get(link, allow_redirects=False)
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/app" in cookie
    page = await client.get("/app/board")
    assert page.status == 200 and "Call the client" in await page.text()

    client.session.cookie_jar.clear()
    again = await client.get(link, allow_redirects=False)
    assert again.status == 403 and 'data-reason="link_used"' in await again.text()
    assert (await client.get("/app/board")).status == 401


async def test_an_expired_or_altered_link_is_refused(
    app: App, client: TestClient, clock: FakeClock
) -> None:
    await make_team(app)
    link = path_of(await board_link(app, "anna"))
    forged = link.replace("t=bl:", "t=bl:9")  # another member id, the old signature
    response = await client.get(forged)
    assert response.status == 403 and 'data-reason="link_bad"' in await response.text()

    clock.advance(minutes=10, seconds=1)
    response = await client.get(link)
    assert response.status == 403 and 'data-reason="link_expired"' in await response.text()
    assert (await client.get("/app/board")).status == 401


async def test_a_change_without_the_csrf_token_is_refused(app: App, client: TestClient) -> None:
    team = await make_team(app)
    task = await add_task(app, team["boss"], "Call the client", team["anna"])
    await sign_in(client, app, "anna")
    csrf = await csrf_of(client)

    for bad in ({}, {"csrf": "x" + csrf[1:]}):
        response = await client.post(f"/app/tasks/{task.id}/start", data=bad)
        assert response.status == 403 and 'data-reason="csrf"' in await response.text()
    assert await status_of(app, task.id) is TaskStatus.NEW

    response = await client.post(
        f"/app/tasks/{task.id}/start",
        data={"csrf": csrf, "back": "/app/board"},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/app/board?n=start"
    assert await status_of(app, task.id) is TaskStatus.IN_PROGRESS


async def test_another_companys_task_is_neither_shown_nor_changed(
    app: App, client: TestClient
) -> None:
    ours = await make_team(app)
    theirs = await make_team(app, [("olga", Role.ADMIN)], workspace="other", projects=())
    secret = await add_task(app, ours["boss"], "Secret merger", ours["anna"])
    await add_task(app, theirs["olga"], "Olga's own task")
    link = await board_link(app, "olga", workspace="other")
    response = await client.get(path_of(link), allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/app/board")).text()
    assert "Olga&#39;s own task" in page and "Secret merger" not in page
    for view in ("team", "calendar", "time", "funnel"):
        assert "Secret merger" not in await (await client.get(f"/app/{view}")).text()
    # the other company's member on this company's task and person: refused, unchanged
    assert ours["anna"].id is not None
    other = await (await client.get(f"/app/board?person={ours['anna'].id}")).text()
    assert 'id="refusal"' in other and "Secret merger" not in other
    csrf = await csrf_of(client)
    for action, data in (("start", {}), ("done", {"result": "x"}), ("deadline", {"deadline": ""})):
        response = await client.post(
            f"/app/tasks/{secret.id}/{action}",
            data={"csrf": csrf, "back": "/app/board", **data},
            allow_redirects=False,
        )
        assert response.headers["Location"] == "/app/board?e=task_not_found", action
    async with app.uow() as uow:
        kept = await uow.tasks.get(secret.id or 0)
    assert kept is not None and kept.status is TaskStatus.NEW and kept.deadline is None


async def test_telegram_init_data_is_verified(app: App, client: TestClient) -> None:
    await make_team(app, platform="telegram", workspace="123456")
    now = app.clock.now()
    forged = init_data(4242, now).replace("hash=", "hash=0")
    response = await client.post("/app/tg", headers={"X-Telegram-Init-Data": forged})
    assert response.status == 403
    other_bot = init_data(0, now, token="999:OTHER")
    assert (await client.post("/app/tg", headers={"X-Telegram-Init-Data": other_bot})).status == 403
    old = init_data(0, later(now, hours=-2))
    assert (await client.post("/app/tg", headers={"X-Telegram-Init-Data": old})).status == 403
    stranger = init_data(777, now)
    assert (await client.post("/app/tg", headers={"X-Telegram-Init-Data": stranger})).status == 403
    assert (await client.get("/app/board")).status == 401


def telegram_headers(session: str, data: str | None) -> dict[str, str]:
    headers = {"X-Board-Session": session}
    return headers | ({"X-Telegram-Init-Data": data} if data is not None else {})


async def test_every_request_of_a_telegram_session_needs_its_init_data(
    app: App, client: TestClient, clock: FakeClock
) -> None:
    # Telegram user ids are the handles: the boss 1001, Anna 1002
    team = await make_team(
        app,
        [("1001", Role.ADMIN), ("1002", Role.EMPLOYEE)],
        platform="telegram",
        workspace="123456",
    )
    task = await add_task(app, team["1001"], "Call the client", team["1002"])
    anna_user, boss_user = 1002, 1001
    opened = later(clock.now(), minutes=-50)  # Telegram opened the Mini App 50 min ago
    valid = init_data(anna_user, opened)
    response = await client.post("/app/tg", headers={"X-Telegram-Init-Data": valid})
    assert response.status == 200 and "Set-Cookie" not in response.headers  # no cookie
    session = (await response.json())["session"]

    page = await client.get("/app/board", headers=telegram_headers(session, valid))
    assert page.status == 200 and "Call the client" in await page.text()
    csrf = (await page.text()).split('name="csrf" value="', 1)[1].split('"', 1)[0]

    # a later request without initData, with a forged one, with another user's (valid,
    # but not the session's member): refused, every view and every action
    forged = valid.replace("hash=", "hash=0")
    others = init_data(boss_user, opened)
    for data, reason in ((None, "init_data"), (forged, "init_data"), (others, "init_data")):
        for view in ("board", "team", "calendar", "time", "funnel"):
            refused = await client.get(f"/app/{view}", headers=telegram_headers(session, data))
            assert refused.status == 403, (view, data)
            assert f'data-reason="{reason}"' in await refused.text()
        start = await client.post(
            f"/app/tasks/{task.id}/start",
            data={"csrf": csrf, "back": "/app/board"},
            headers=telegram_headers(session, data),
            allow_redirects=False,
        )
        assert start.status == 403 and f'data-reason="{reason}"' in await start.text()
    assert await status_of(app, task.id) is TaskStatus.NEW

    # with its initData, the action goes through
    start = await client.post(
        f"/app/tasks/{task.id}/start",
        data={"csrf": csrf, "back": "/app/board"},
        headers=telegram_headers(session, valid),
        allow_redirects=False,
    )
    assert start.status == 303 and await status_of(app, task.id) is TaskStatus.IN_PROGRESS

    # initData past its maximum age (an hour): refused, though the session still runs
    clock.advance(minutes=9, seconds=59)
    assert (await client.get("/app/board", headers=telegram_headers(session, valid))).status == 200
    clock.advance(seconds=2)
    late = await client.get("/app/board", headers=telegram_headers(session, valid))
    assert late.status == 403 and 'data-reason="init_data_expired"' in await late.text()


async def test_a_head_sees_exactly_their_subtree(app: App, client: TestClient) -> None:
    team = await make_team(
        app,
        [
            ("boss", Role.ADMIN),
            ("hana", Role.EMPLOYEE),
            ("anna", Role.EMPLOYEE),
            ("ivan", Role.EMPLOYEE),
            ("zoe", Role.EMPLOYEE),
        ],
    )
    await make_department(app, team, "Sales", "hana", ["hana", "anna", "ivan"])
    for handle in ("anna", "ivan", "zoe"):
        await add_task(app, team["boss"], f"Task of {handle}", team[handle])
    await sign_in(client, app, "hana")
    page = await (await client.get("/app/team")).text()
    rows = page.count("<tr data-member=")
    assert rows == 2 and "Anna" in page and "Ivan" in page and "Zoe" not in page
    anna = await (await client.get(f"/app/board?person={team['anna'].id}")).text()
    assert "Task of anna" in anna
    zoe = await (await client.get(f"/app/board?person={team['zoe'].id}")).text()
    assert "Task of zoe" not in zoe and 'id="refusal"' in zoe

    client.session.cookie_jar.clear()
    await sign_in(client, app, "ivan")
    team_page = await (await client.get("/app/team")).text()
    assert 'id="refusal"' in team_page and "<tr data-member=" not in team_page
    own = await (await client.get("/app/board")).text()
    assert "Task of ivan" in own and "Task of anna" not in own


async def test_done_needs_the_result_and_a_deadline_move_is_told_once(
    app: App, client: TestClient
) -> None:
    team = await make_team(app)
    task = await add_task(app, team["boss"], "Call the client", team["anna"])
    await sign_in(client, app, "boss")
    csrf = await csrf_of(client)
    page = await (await client.get(f"/app/board?person={team['anna'].id}&move={task.id}")).text()
    assert 'action="/app/tasks/' in page and 'type="datetime-local"' in page
    back = f"/app/board?person={team['anna'].id}"

    response = await client.post(
        f"/app/tasks/{task.id}/done",
        data={"csrf": csrf, "back": back, "result": "  "},
        allow_redirects=False,
    )
    assert response.headers["Location"] == f"{back}&e=result"
    assert await status_of(app, task.id) is TaskStatus.NEW

    response = await client.post(
        f"/app/tasks/{task.id}/deadline",
        data={"csrf": csrf, "back": back, "deadline": "2026-11-27T18:00"},
        allow_redirects=False,
    )
    assert response.headers["Location"] == f"{back}&n=deadline"
    async with app.uow() as uow:
        moved = await uow.tasks.get(task.id or 0)
    assert moved is not None and moved.deadline == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    async with app.engine.connect() as conn:
        told = (
            await conn.execute(
                select(OutboxRow.member_id).where(OutboxRow.kind == "task.deadline_moved")
            )
        ).all()
    assert [row[0] for row in told] == [team["anna"].id]  # the responsible, once


async def test_the_funnel_filters_by_the_deals_owner(app: App, client: TestClient) -> None:
    team = await make_team(
        app,
        [
            ("boss", Role.ADMIN),
            ("hana", Role.EMPLOYEE),
            ("anna", Role.EMPLOYEE),
            ("zoe", Role.EMPLOYEE),
        ],
    )
    await make_department(app, team, "Sales", "hana", ["hana", "anna"])
    async with app.uow() as uow:
        for handle, amount in (("anna", "100"), ("hana", "20"), ("zoe", "3")):
            await crm.create_deal(
                uow,
                team[handle],
                f"Deal of {handle}",
                app.clock.now(),
                CrmRules(),
                amount=Decimal(amount),
                currency="PLN",
            )
        await uow.commit()

    def total(page: str) -> str | None:
        """The funnel's sum of its deals (all in its first stage)."""
        found = re.search(r"<td>New</td><td>\d+</td><td>PLN\s([\d.]+)", page)
        return found.group(1) if found else None

    await sign_in(client, app, "hana")
    page = await (await client.get("/app/funnel")).text()
    assert total(page) == "120.00"  # her department's deals, not Zoe's
    assert 'name="project"' not in page.split("</form>")[0] and 'id="deal-filters"' in page
    anna = await (await client.get(f"/app/funnel?person={team['anna'].id}&tag=x")).text()
    assert total(anna) == "100.00" and 'type="hidden" name="tag" value="x"' in anna
    own = await (await client.get(f"/app/funnel?person={team['hana'].id}")).text()
    assert total(own) == "20.00"
    zoe = await (await client.get(f"/app/funnel?person={team['zoe'].id}")).text()
    assert 'id="refusal"' in zoe and total(zoe) is None

    client.session.cookie_jar.clear()
    await sign_in(client, app, "boss")  # an admin: the whole company, or one owner
    assert total(await (await client.get("/app/funnel")).text()) == "123.00"
    zoe = await (await client.get(f"/app/funnel?person={team['zoe'].id}")).text()
    assert total(zoe) == "3.00"
