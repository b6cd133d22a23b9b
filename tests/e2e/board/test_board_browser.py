"""The board in a real headless Chromium (Debian's chromium and chromium-driver through
Selenium), against the real server (``brygada.server.build_web_app``) on a loopback port.

One browser for the whole session; each test gets a fresh database and server. The
browser is driven from a worker thread (Selenium blocks) while the server runs on the
test's event loop. Screenshots of every view at phone size go to docs/screenshots/.
"""

from __future__ import annotations

import asyncio
import html
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
from aiohttp import web
from pydantic import SecretStr

from brygada.bootstrap import App
from brygada.server import build_web_app
from brygada.settings import Settings
from domain.company import Role
from domain.crm import CrmRules
from domain.services import crm, timetracking
from domain.tasks import TaskStatus
from tests.conftest import FakeClock
from tests.e2e.board.helpers import BOT_TOKEN, add_task, board_link, init_data
from tests.e2e.telegram.conftest import Harness
from tests.factories import make_department, make_team
from tests.fakes.telegram_api import FakeTelegramAPI

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PHONE = (390, 844)

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()),
    reason="the browser tests need Debian's chromium and chromium-driver "
    "(apt-get install chromium chromium-driver; .ci/run installs them)",
)
By = pytest.importorskip("selenium.webdriver.common.by").By

T = TypeVar("T")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={PHONE[0]},{PHONE[1]}",
        # No network here: Telegram's script fails at once instead of waiting for DNS.
        "--host-resolver-rules=MAP telegram.org ~NOTFOUND",
    ):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=str(DRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings(database_url: str, port: int) -> Settings:
    return Settings(
        database_url=database_url,
        secret="test-secret-0123456789abcdef",
        public_url=f"http://127.0.0.1:{port}",
        telegram_bot_token=SecretStr(BOT_TOKEN),
        _env_file=None,
    )  # type: ignore[call-arg]


@pytest.fixture
async def server(app: App, port: int, browser: Any) -> AsyncIterator[str]:
    runner = web.AppRunner(build_web_app(app))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.to_thread(browser.delete_all_cookies)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def telegram_site(server: str) -> AsyncIterator[str]:
    """A page of another site (localhost, not 127.0.0.1) that shows ?src in an iframe,
    as web.telegram.org shows a Mini App: the board's cookies are not sent there."""

    async def frame(request: web.Request) -> web.Response:
        src = html.escape(request.query["src"])
        size = "border:0;width:100vw;height:100vh"
        body = f'<body style="margin:0"><iframe src="{src}" style="{size}"></iframe></body>'
        return web.Response(text=body, content_type="text/html")

    site = web.Application()
    site.router.add_get("/", frame)
    runner = web.AppRunner(site)
    await runner.setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://localhost:{port}"
    finally:
        await runner.cleanup()


async def run(fn: Callable[..., T], *args: Any) -> T:
    """A blocking Selenium call, off the loop that serves the page it asks for."""
    return await asyncio.to_thread(fn, *args)


async def open_page(browser: Any, url: str) -> None:
    await run(browser.get, url)


async def texts(browser: Any, css: str) -> list[str]:
    found = await run(browser.find_elements, By.CSS_SELECTOR, css)
    return [await run(lambda e=e: e.text) for e in found]


async def shot(browser: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert await run(browser.save_screenshot, str(SCREENSHOTS / f"{name}.png"))


async def signed_in(browser: Any, app: App, handle: str) -> None:
    await run(browser.switch_to.default_content)
    await run(browser.delete_all_cookies)
    await open_page(browser, await board_link(app, handle))


async def test_a_link_opens_the_board_and_done_asks_for_the_result(
    app: App, server: str, browser: Any, clock: FakeClock
) -> None:
    team = await make_team(app)
    anna, boss = team["anna"], team["boss"]
    now = clock.now()
    await add_task(app, boss, "Sales: Call the client", anna, deadline=now + timedelta(hours=5))
    await add_task(app, boss, "Sales: Send the offer", anna, deadline=now - timedelta(hours=3))
    report = await add_task(app, boss, "Write the monthly report", anna, tags=("office",))

    link = await board_link(app, "anna")
    await run(browser.get, link)
    assert (await run(lambda: browser.current_url)).endswith("/app/board")
    assert "Call the client" in " ".join(await texts(browser, "#col-new .card h3"))
    assert "Send the offer" in " ".join(await texts(browser, "#col-overdue .card h3"))
    await shot(browser, "board")

    # Done opens a form that asks for the result; the browser will not send it empty
    card = f'.card[data-task="{report.id}"]'
    await run(lambda: browser.find_element(By.CSS_SELECTOR, f"{card} .act-done").click())
    await run(lambda: _wait(lambda: bool(browser.find_elements(By.CSS_SELECTOR, f"{card} form"))))
    form = await run(browser.find_element, By.CSS_SELECTOR, f"{card} form")
    result = await run(lambda: form.find_element(By.NAME, "result"))
    assert await run(lambda: result.is_displayed())
    await shot(browser, "board-done")
    await run(lambda: form.find_element(By.CSS_SELECTOR, "button").click())
    assert await run(browser.execute_script, "return arguments[0].validity.valueMissing", result)
    await run(result.send_keys, "Sent to the director")
    await run(lambda: form.find_element(By.CSS_SELECTOR, "button").click())
    await run(lambda: _wait(lambda: bool(browser.find_elements(By.ID, "notice"))))
    assert "Write the monthly report" in " ".join(await texts(browser, "#col-awaiting h3"))
    async with app.uow() as uow:
        done = await uow.tasks.get(report.id or 0)
    assert done is not None and done.status is TaskStatus.AWAITING_ACCEPTANCE
    assert done.result == "Sent to the director"

    # the same link again: refused; a link past its ten minutes: refused
    await run(browser.delete_all_cookies)
    await open_page(browser, link)
    assert (
        await run(lambda: browser.find_element(By.ID, "refused").get_attribute("data-reason"))
        == "link_used"
    )
    late = await board_link(app, "anna")
    clock.advance(minutes=11)
    await open_page(browser, late)
    assert (
        await run(lambda: browser.find_element(By.ID, "refused").get_attribute("data-reason"))
        == "link_expired"
    )
    await shot(browser, "expired-link")


async def test_views_for_a_head_and_an_employee(
    app: App, server: str, browser: Any, clock: FakeClock
) -> None:
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
    now = clock.now()
    for handle, title in (
        ("anna", "Call the client"),
        ("ivan", "Prepare the offer"),
        ("zoe", "Order paper"),
    ):
        await add_task(
            app, team["boss"], f"Sales: {title}", team[handle], deadline=now + timedelta(days=2)
        )
    started = await add_task(app, team["boss"], "Sales: Update the price list", team["anna"])
    async with app.uow() as uow:
        await timetracking.start_task_with_timer(uow, team["anna"], started.id or 0, now)
        await crm.create_deal(
            uow,
            team["hana"],
            "Acme: 200 chairs",
            now,
            CrmRules(),
            amount=Decimal("12000"),
            currency="PLN",
        )
        await uow.commit()
    clock.advance(minutes=95)
    ivans = await add_task(app, team["boss"], "Sales: Visit the client", team["ivan"])
    async with app.uow() as uow:  # Anna logged 1h 35m; Ivan works now
        await timetracking.pause_task_with_timer(uow, team["anna"], started.id or 0, clock.now())
        await timetracking.start_task_with_timer(uow, team["ivan"], ivans.id or 0, clock.now())
        await uow.commit()

    # the head: exactly her subtree (Anna and Ivan, not Zoe)
    await signed_in(browser, app, "hana")
    await open_page(browser, f"{server}/app/team")
    names = await texts(browser, "table.team tbody tr th")
    assert names == ["Anna", "Ivan"]
    rows = await texts(browser, "table.team tbody tr")
    assert "⏱" not in rows[0] and f"⏱ #{ivans.id}" in rows[1] and "1h 35m" in rows[0]
    # at phone width the rows are stacked: nothing to scroll sideways
    assert await run(
        browser.execute_script,
        "var box = document.querySelector('.scroll');"
        "return box.scrollWidth <= box.clientWidth && document.documentElement.scrollWidth"
        " <= window.innerWidth",
    )
    await shot(browser, "team")
    await open_page(browser, f"{server}/app/calendar?person={team['anna'].id}")
    assert "Sales: Call the client" in " ".join(await texts(browser, ".day .deadline"))
    await shot(browser, "calendar")
    await open_page(browser, f"{server}/app/time")
    assert await run(browser.find_elements, By.CSS_SELECTOR, "img.chart")
    await shot(browser, "time")
    await open_page(browser, f"{server}/app/funnel")
    assert "200 chairs" not in " ".join(await texts(browser, "main"))  # stages, not deals
    assert any("12" in t for t in await texts(browser, ".funnel td"))
    await shot(browser, "funnel")

    # an employee: only their own tasks, no team view
    await signed_in(browser, app, "ivan")
    own = " ".join(await texts(browser, ".card h3"))
    assert "Prepare the offer" in own and "Call the client" not in own and "Order paper" not in own
    assert not await run(browser.find_elements, By.CSS_SELECTOR, 'nav a[href^="/app/team"]')


async def test_telegram_mini_app_signs_in_with_init_data_and_start_moves_the_timer_card(
    app: App,
    server: str,
    browser: Any,
    tg: Harness,
    api: FakeTelegramAPI,
    telegram_site: str,
) -> None:
    anna_id = 1002
    await tg.join(1001, "Boss", Role.ADMIN)
    await tg.join(anna_id, "Anna")
    async with app.uow() as uow:
        found = await uow.members.by_identity("telegram", "123456", "1001")
        boss = found[0] if found else None
        anna = await uow.members.by_identity("telegram", "123456", str(anna_id))
    assert boss is not None and anna is not None
    task = await add_task(app, boss, "Call the supplier", anna[0])
    await tg.app.dispatcher({"telegram": tg.adapter.notifier}).run_once()

    # Telegram's web client shows a Mini App in an iframe of another site, where the
    # board's cookie would not be sent: the board must work there on initData alone.
    # a forged initData: the page says Telegram did not confirm who it is
    forged = init_data(anna_id, app.clock.now()).replace("hash=", "hash=f")
    await run(browser.delete_all_cookies)
    await in_telegram_frame(
        browser, telegram_site, f"{server}/app/tg#tgWebAppData={_quote(forged)}"
    )
    status = await run(browser.find_element, By.ID, "tg-status")
    await run(lambda: _wait(lambda: "flash bad" in (status.get_attribute("class") or "")))
    assert (await frame_url(browser)).split("#")[0].endswith("/app/tg")

    # a valid one: signed in, on the board, in Telegram's theme colours
    valid = init_data(anna_id, app.clock.now())
    theme = '{"bg_color":"#102030","text_color":"#f0f0f0","button_color":"#ff8800"}'
    await in_telegram_frame(
        browser,
        telegram_site,
        f"{server}/app/tg#tgWebAppData={_quote(valid)}&tgWebAppThemeParams={_quote(theme)}",
    )
    await run(lambda: _wait(lambda: bool(browser.find_elements(By.CSS_SELECTOR, ".card"))))
    assert (await frame_url(browser)).endswith("/app/board")
    bg = await run(
        browser.execute_script,
        "return getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()",
    )
    assert bg == "#102030"
    assert not await run(browser.get_cookies)  # nothing rests on a cookie
    await shot(browser, "telegram-board")

    # Start on the board: the timer runs, and the outbox sends Anna's timer card
    start = f'.card[data-task="{task.id}"] .act-start'
    await run(lambda: browser.find_element(By.CSS_SELECTOR, start).click())
    await run(lambda: _wait(lambda: bool(browser.find_elements(By.ID, "notice"))))
    mark = len(api.calls)
    await tg.app.dispatcher({"telegram": tg.adapter.notifier}).run_once()
    cards = [
        c.response["result"]["text"]
        for c in tg.sent_since(mark)
        if c.params["chat_id"] == anna_id and c.response["result"]["text"].startswith("⏱")
    ]
    assert cards and "Call the supplier" in cards[0]
    assert [c for c in tg.sent_since(mark, "pinChatMessage") if c.params["chat_id"] == anna_id]
    assert await run(
        lambda: bool(
            browser.find_elements(By.CSS_SELECTOR, f'.card[data-task="{task.id}"] .act-pause')
        )
    )

    # a link and the filters, inside the frame too: each request carries initData
    await run(lambda: browser.find_element(By.CSS_SELECTOR, 'nav a[href^="/app/calendar"]').click())
    await run(lambda: _wait(lambda: bool(browser.find_elements(By.CSS_SELECTOR, ".day"))))
    assert "/app/calendar" in await frame_url(browser)
    await run(lambda: browser.find_element(By.NAME, "tag").send_keys("office"))
    await run(lambda: browser.find_element(By.CSS_SELECTOR, ".filters button").click())
    await run(lambda: _wait(lambda: "tag=office" in browser.execute_script("return location.href")))
    assert not await run(browser.find_elements, By.ID, "refused")
    await run(browser.switch_to.default_content)


async def in_telegram_frame(browser: Any, site: str, url: str) -> None:
    """Open ``url`` as Telegram's web client does: in a full-size iframe of a page of
    another site (``telegram_site``), and switch into the frame."""
    await run(browser.switch_to.default_content)
    await open_page(browser, f"{site}/?src={_quote(url)}")
    await run(browser.switch_to.frame, 0)


async def frame_url(browser: Any) -> str:
    return str(await run(browser.execute_script, "return window.location.href"))


def _quote(text: str) -> str:
    return quote(text, safe="")


def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the page did not get there in time")
        time.sleep(0.05)
